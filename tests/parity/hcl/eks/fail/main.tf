# A public EKS endpoint open to the world, no logs, no secrets encryption; nodes that
# allow IMDSv1 with a hop limit pods can reach, public IPs, and a secret in user data.
resource "aws_eks_cluster" "cluster" {
  name     = "eks-fail"
  role_arn = "arn:aws:iam::123456789012:role/eks-cluster"
  version  = "1.24"
  vpc_config {
    subnet_ids             = ["subnet-0a1", "subnet-0b2"]
    endpoint_public_access = true
    public_access_cidrs    = ["0.0.0.0/0"]
  }
}

resource "aws_launch_template" "nodes" {
  name      = "eks-fail-nodes"
  user_data = "ZXhwb3J0IEFXU19BQ0NFU1NfS0VZX0lEPUFLSUFJT1NGT0ROTjdFWEFNUExFCmV4cG9ydCBBV1NfU0VDUkVUX0FDQ0VTU19LRVk9d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ=="
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "optional"
    http_put_response_hop_limit = 3
  }
  network_interfaces {
    associate_public_ip_address = true
  }
}
