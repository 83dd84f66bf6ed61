# A VPC without flow logs, whose default security group admits everything, and a
# subnet that hands out public IPs.
resource "aws_vpc" "vpc" {
  cidr_block = "10.30.0.0/16"
}

resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.vpc.id
  ingress {
    protocol  = "-1"
    self      = true
    from_port = 0
    to_port   = 0
  }
  egress {
    protocol    = "-1"
    from_port   = 0
    to_port     = 0
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_subnet" "public" {
  vpc_id                  = aws_vpc.vpc.id
  cidr_block              = "10.30.1.0/24"
  map_public_ip_on_launch = true
}
