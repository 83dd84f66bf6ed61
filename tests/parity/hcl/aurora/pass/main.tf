# Aurora PostgreSQL as the blueprint builds it: CMK-encrypted, deletion-protected,
# two weeks of backups, IAM auth, logs exported, private instance with monitoring.
resource "aws_kms_key" "key" {
  description         = "aurora-pass"
  enable_key_rotation = true
}

resource "aws_db_subnet_group" "subnets" {
  name       = "aurora-pass"
  subnet_ids = ["subnet-0a1", "subnet-0b2", "subnet-0c3"]
  tags = {
    environment = "parity"
  }
}

resource "aws_rds_cluster" "cluster" {
  cluster_identifier                  = "aurora-pass"
  engine                              = "aurora-postgresql"
  engine_version                      = "16.4"
  master_username                     = "crossdock"
  manage_master_user_password         = true
  db_subnet_group_name                = aws_db_subnet_group.subnets.name
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.key.arn
  deletion_protection                 = true
  backup_retention_period             = 14
  preferred_backup_window             = "02:00-03:00"
  copy_tags_to_snapshot               = true
  iam_database_authentication_enabled = true
  enabled_cloudwatch_logs_exports     = ["postgresql"]
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "aurora-pass-final"
}

resource "aws_rds_cluster_instance" "writer" {
  identifier                            = "aurora-pass-writer"
  cluster_identifier                    = aws_rds_cluster.cluster.id
  engine                                = "aurora-postgresql"
  instance_class                        = "db.r6g.large"
  publicly_accessible                   = false
  auto_minor_version_upgrade            = true
  monitoring_interval                   = 60
  monitoring_role_arn                   = "arn:aws:iam::123456789012:role/rds-monitoring"
  performance_insights_enabled          = true
  performance_insights_kms_key_id       = aws_kms_key.key.arn
  performance_insights_retention_period = 7
}
