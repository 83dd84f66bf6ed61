# A disabled, non-rotating key whose policy lets anyone use it.
resource "aws_kms_key" "key" {
  description         = "kms-fail"
  enable_key_rotation = false
  is_enabled          = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
