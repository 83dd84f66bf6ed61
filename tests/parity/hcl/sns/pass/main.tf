# A CMK-encrypted topic that only our account and CloudWatch may publish to.
resource "aws_kms_key" "key" {
  description         = "sns-pass"
  enable_key_rotation = true
}

resource "aws_sns_topic" "topic" {
  name              = "sns-pass"
  kms_master_key_id = aws_kms_key.key.arn
}

resource "aws_sns_topic_policy" "policy" {
  arn = aws_sns_topic.topic.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CloudWatchPublishes"
      Effect    = "Allow"
      Principal = { Service = "cloudwatch.amazonaws.com" }
      Action    = "sns:Publish"
      Resource  = "arn:aws:sns:eu-west-1:123456789012:sns-pass"
      Condition = { StringEquals = { "aws:SourceAccount" = "123456789012" } }
    }]
  })
}
