# Aurora with every protection left at its default or switched off.
resource "aws_db_subnet_group" "subnets" {
  name       = "aurora-fail"
  subnet_ids = ["subnet-0a1", "subnet-0b2"]
}

resource "aws_rds_cluster" "cluster" {
  cluster_identifier      = "aurora-fail"
  engine                  = "aurora-mysql"
  master_username         = "admin"
  master_password         = "not-a-real-password"
  db_subnet_group_name    = aws_db_subnet_group.subnets.name
  storage_encrypted       = false
  deletion_protection     = false
  backup_retention_period = 1
  copy_tags_to_snapshot   = false
  skip_final_snapshot     = true
}

resource "aws_rds_cluster_instance" "writer" {
  identifier                 = "aurora-fail-writer"
  cluster_identifier         = aws_rds_cluster.cluster.id
  engine                     = "aurora-mysql"
  instance_class             = "db.t4g.medium"
  publicly_accessible        = true
  auto_minor_version_upgrade = false
}
