# An unencrypted queue anyone may do anything with.
resource "aws_sqs_queue" "queue" {
  name                    = "sqs-fail"
  sqs_managed_sse_enabled = false
}

resource "aws_sqs_queue_policy" "policy" {
  queue_url = aws_sqs_queue.queue.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "*"
      Resource  = "*"
    }]
  })
}

# Encrypted, but with the AWS-managed key that every principal in the account can use.
resource "aws_sqs_queue" "managed_key" {
  name              = "sqs-fail-managed-key"
  kms_master_key_id = "alias/aws/sqs"
}
