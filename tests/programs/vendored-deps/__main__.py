"""Names its bucket with a helper from a package the project declares (installed for it offline)."""

import crossdock_greeting
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("greetings", bucket=crossdock_greeting.bucket_name("team"))
pulumi.export("bucket", bucket.bucket)
