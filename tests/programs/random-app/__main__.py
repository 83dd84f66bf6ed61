"""A Postgres instance with a generated password, and a bucket with a random suffix (third-party style)."""

import pulumi
import pulumi_aws as aws
import pulumi_random as random

suffix = random.RandomId("suffix", byte_length=4)
password = random.RandomPassword("db-password", length=24, special=False)

bucket = aws.s3.Bucket("uploads", bucket=suffix.hex.apply(lambda h: f"uploads-{h}"))
database = aws.rds.Instance(
    "db",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    username="app",
    password=password.result,
    storage_encrypted=True,
    skip_final_snapshot=True,
)

pulumi.export("bucket", bucket.bucket)
pulumi.export("db_password", password.result)
pulumi.export("connection", pulumi.Output.format("postgres://app:{0}@{1}/app", password.result, database.address))
