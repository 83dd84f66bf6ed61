"""Fails at top level (stack dev) or inside an apply (stack apply)."""

import pulumi
import pulumi_aws as aws
from naming import tag_for

config = pulumi.Config()


def bucket_names(count: int) -> list[str]:
    if count < 3:
        raise ValueError(f"bucketCount must be at least 3, got {count}")
    return [f"logs-{i}" for i in range(count)]


if config.get_bool("failInApply"):
    bucket = aws.s3.Bucket("logs")
    pulumi.export("tags", bucket.bucket.apply(tag_for))
else:
    for name in bucket_names(config.get_int("bucketCount") or 0):
        aws.s3.Bucket(name)
