# An unencrypted topic anyone may publish to.
resource "aws_sns_topic" "topic" {
  name = "sns-fail"
}

resource "aws_sns_topic_policy" "policy" {
  arn = aws_sns_topic.topic.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sns:Publish"
      Resource  = "arn:aws:sns:eu-west-1:123456789012:sns-fail"
    }]
  })
}
