# A service role with a scoped inline policy and a scoped managed policy.
resource "aws_iam_role" "role" {
  name = "iam-pass"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_iam_role_policy" "inline" {
  name = "iam-pass-inline"
  role = aws_iam_role.role.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]
      Resource = "arn:aws:sqs:eu-west-1:123456789012:orders"
    }]
  })
}

resource "aws_iam_policy" "managed" {
  name = "iam-pass-managed"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["s3:GetObject"]
      Resource = "arn:aws:s3:::crossdock-payloads/*"
    }]
  })
}
