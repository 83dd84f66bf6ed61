# A bare bucket: versioning suspended, AES256 only, public access allowed, a policy
# that grants every principal read access.
resource "aws_s3_bucket" "bucket" {
  bucket = "crossdock-parity-s3-fail"
}

resource "aws_s3_bucket_versioning" "versioning" {
  bucket = aws_s3_bucket.bucket.id
  versioning_configuration {
    status = "Suspended"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "encryption" {
  bucket = aws_s3_bucket.bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "public_access" {
  bucket                  = aws_s3_bucket.bucket.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_s3_bucket_policy" "policy" {
  bucket = aws_s3_bucket.bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject"]
      Resource  = "arn:aws:s3:::crossdock-parity-s3-fail/*"
    }]
  })
}

resource "aws_s3_bucket" "replica" {
  bucket = "crossdock-parity-s3-fail-replica"
}

resource "aws_iam_role" "replication" {
  name = "s3-fail-replication"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sts:AssumeRole"
    }]
  })
}

resource "aws_s3_bucket_replication_configuration" "replication" {
  bucket = aws_s3_bucket.bucket.id
  role   = aws_iam_role.replication.arn
  rule {
    id     = "dr-copy"
    status = "Disabled"
    destination {
      bucket = aws_s3_bucket.replica.arn
    }
  }
}
