# A described group admitting HTTPS from the VPC only, attached to an interface endpoint.
resource "aws_security_group" "group" {
  name        = "sg-pass"
  description = "HTTPS from inside the VPC to the SQS endpoint"
  vpc_id      = "vpc-0abc"
  ingress {
    description = "HTTPS from the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
  egress {
    description = "HTTPS to the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}

resource "aws_vpc_endpoint" "endpoint" {
  vpc_id              = "vpc-0abc"
  service_name        = "com.amazonaws.eu-west-1.sqs"
  vpc_endpoint_type   = "Interface"
  private_dns_enabled = true
  subnet_ids          = ["subnet-0a1", "subnet-0b2"]
  security_group_ids  = [aws_security_group.group.id]
}
