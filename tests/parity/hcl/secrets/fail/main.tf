# A secret on the AWS-managed key that never rotates.
resource "aws_secretsmanager_secret" "secret" {
  name                    = "crossdock/parity/secrets-fail"
  recovery_window_in_days = 0
}
