# A queue-age alarm that pages, and a CMK-encrypted log group kept for a year.
resource "aws_kms_key" "key" {
  description         = "cloudwatch-pass"
  enable_key_rotation = true
}

resource "aws_cloudwatch_log_group" "logs" {
  name              = "/crossdock/parity/cloudwatch-pass"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.key.arn
}

resource "aws_cloudwatch_metric_alarm" "alarm" {
  alarm_name          = "cloudwatch-pass-queue-age"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  dimensions = {
    QueueName = "orders"
  }
  actions_enabled = true
  alarm_actions   = ["arn:aws:sns:eu-west-1:123456789012:pager"]
  ok_actions      = ["arn:aws:sns:eu-west-1:123456789012:pager"]
}
