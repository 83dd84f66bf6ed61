# An alarm nobody hears and a log group kept forever in plain text.
resource "aws_cloudwatch_log_group" "logs" {
  name = "/crossdock/parity/cloudwatch-fail"
}

resource "aws_cloudwatch_metric_alarm" "alarm" {
  alarm_name          = "cloudwatch-fail-queue-age"
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 600
  comparison_operator = "GreaterThanThreshold"
  actions_enabled     = false
}
