# A private EKS control plane with every log type, KMS envelope encryption of secrets,
# and a node launch template that requires IMDSv2 with a hop limit of 1.
resource "aws_kms_key" "key" {
  description         = "eks-pass"
  enable_key_rotation = true
}

resource "aws_eks_cluster" "cluster" {
  name     = "eks-pass"
  role_arn = "arn:aws:iam::123456789012:role/eks-cluster"
  version  = "1.31"
  vpc_config {
    subnet_ids              = ["subnet-0a1", "subnet-0b2", "subnet-0c3"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.key.arn
    }
  }
}

resource "aws_launch_template" "nodes" {
  name = "eks-pass-nodes"
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  network_interfaces {
    associate_public_ip_address = false
  }
}
