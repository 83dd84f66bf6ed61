# An internal ALB: deletion protection, access logs, invalid headers dropped,
# strictest desync mitigation, and an HTTPS listener with a TLS 1.2 policy.
resource "aws_lb" "alb" {
  name                       = "lb-pass"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = ["subnet-0a1", "subnet-0b2", "subnet-0c3"]
  security_groups            = ["sg-0abc"]
  enable_deletion_protection = true
  drop_invalid_header_fields = true
  desync_mitigation_mode     = "strictest"
  access_logs {
    bucket  = "crossdock-parity-lb-logs"
    prefix  = "lb-pass"
    enabled = true
  }
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/abc"
  }
}
