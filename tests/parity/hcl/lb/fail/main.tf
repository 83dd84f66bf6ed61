# An internet-facing ALB with the defaults, and a plain-HTTP listener.
resource "aws_lb" "alb" {
  name               = "lb-fail"
  internal           = false
  load_balancer_type = "application"
  subnets            = ["subnet-0a1", "subnet-0b2"]
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.alb.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/app/abc"
  }
}
