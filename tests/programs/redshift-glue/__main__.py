"""A Redshift cluster loaded by a Glue job, in the style of Pulumi's Redshift/Glue examples."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

password = random.RandomPassword("warehouse-password", length=20, special=False)

warehouse = aws.redshift.Cluster(
    "warehouse",
    cluster_identifier="warehouse",
    database_name="analytics",
    master_username="admin",
    master_password=password.result,
    node_type="ra3.xlplus",
    cluster_type="single-node",
    skip_final_snapshot=True,
)

glue_role = aws.iam.Role(
    "glue",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
    managed_policy_arns=[
        "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole",
        "arn:aws:iam::aws:policy/AmazonS3FullAccess",
    ],
)
aws.iam.RolePolicyAttachment(
    "glue-admin", role=glue_role.name, policy_arn="arn:aws:iam::aws:policy/AdministratorAccess"
)
aws.iam.RolePolicy(
    "glue-scripts",
    role=glue_role.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["s3:GetObjet", "s3:ListBucket"], "Resource": "*"},
                {"Effect": "Allow", "Action": ["redshift:GetClusterCredentials"], "Resource": "*"},
            ],
        }
    ),
)

scripts = aws.s3.Bucket("scripts")
stream = aws.kinesis.Stream("events", shard_count=1)
job = aws.glue.Job(
    "load",
    role_arn=glue_role.arn,
    command={"script_location": pulumi.Output.concat("s3://", scripts.bucket, "/load.py"), "python_version": "3"},
    glue_version="4.0",
)

pulumi.export("endpoint", warehouse.endpoint)
pulumi.export("password", password.result)
