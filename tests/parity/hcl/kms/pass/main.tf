# A rotating customer key whose policy trusts the account root only.
resource "aws_kms_key" "key" {
  description             = "kms-pass"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  is_enabled              = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountRoot"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
