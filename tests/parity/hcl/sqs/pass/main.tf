# A CMK-encrypted queue whose policy admits one service, only from our account.
resource "aws_kms_key" "key" {
  description         = "sqs-pass"
  enable_key_rotation = true
}

resource "aws_sqs_queue" "queue" {
  name                              = "sqs-pass"
  kms_master_key_id                 = aws_kms_key.key.arn
  kms_data_key_reuse_period_seconds = 300
  message_retention_seconds         = 1209600
  visibility_timeout_seconds        = 60
}

resource "aws_sqs_queue_policy" "policy" {
  queue_url = aws_sqs_queue.queue.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "SnsDelivers"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:sqs-pass"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}
