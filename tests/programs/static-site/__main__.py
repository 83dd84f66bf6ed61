"""A static website on S3, in the style of Pulumi's aws-py-s3-folder example."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
index_document = config.get("indexDocument") or "index.html"
error_document = config.require("errorDocument")

site_bucket = aws.s3.Bucket("site-bucket")

website = aws.s3.BucketWebsiteConfiguration(
    "site-website",
    bucket=site_bucket.bucket,
    index_document={"suffix": index_document},
    error_document={"key": error_document},
)

public_access = aws.s3.BucketPublicAccessBlock(
    "site-public-access",
    bucket=site_bucket.id,
    block_public_acls=False,
    block_public_policy=False,
    ignore_public_acls=False,
    restrict_public_buckets=False,
)

bucket_policy = aws.s3.BucketPolicy(
    "site-policy",
    bucket=site_bucket.id,
    policy=pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [pulumi.Output.concat(site_bucket.arn, "/*")],
                }
            ],
        }
    ),
    opts=pulumi.ResourceOptions(depends_on=[public_access]),
)

deploy_policy = aws.iam.get_policy_document(
    statements=[
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="DeployObjects",
            actions=["s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
            resources=["arn:aws:s3:::static-site-*/*"],
        ),
        aws.iam.GetPolicyDocumentStatementArgs(
            sid="ListBucket",
            actions=["s3:ListBucket"],
            resources=["arn:aws:s3:::static-site-*"],
        ),
    ]
)

deployer = aws.iam.Policy("site-deployer", policy=deploy_policy.json)

pulumi.export("bucket_name", site_bucket.bucket)
pulumi.export("bucket_arn", site_bucket.arn)
pulumi.export("website_url", website.website_endpoint)
pulumi.export("deployer_policy_arn", deployer.arn)
