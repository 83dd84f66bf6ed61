# A vault on the AWS-managed key, and a selection that covers something else: the
# cluster is in no backup plan.
resource "aws_backup_vault" "vault" {
  name = "backup-fail"
}

resource "aws_backup_plan" "plan" {
  name = "backup-fail"
  rule {
    rule_name         = "weekly"
    target_vault_name = aws_backup_vault.vault.name
    schedule          = "cron(0 3 ? * 1 *)"
  }
}

resource "aws_rds_cluster" "cluster" {
  cluster_identifier = "backup-fail"
  engine             = "aurora-postgresql"
  master_username    = "crossdock"
}

resource "aws_backup_selection" "selection" {
  name         = "backup-fail"
  plan_id      = aws_backup_plan.plan.id
  iam_role_arn = "arn:aws:iam::123456789012:role/backup"
  resources    = ["arn:aws:dynamodb:eu-west-1:123456789012:table/other"]
}
