# A CMK-encrypted secret that rotates every 30 days.
resource "aws_kms_key" "key" {
  description         = "secrets-pass"
  enable_key_rotation = true
}

resource "aws_secretsmanager_secret" "secret" {
  name                    = "crossdock/parity/secrets-pass"
  kms_key_id              = aws_kms_key.key.arn
  recovery_window_in_days = 30
}

resource "aws_secretsmanager_secret_rotation" "rotation" {
  secret_id           = aws_secretsmanager_secret.secret.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-secret"
  rotation_rules {
    automatically_after_days = 30
  }
}
