"""Compose the AppStack component from stack config."""

import pulumi
import pulumi_aws as aws
from app import AppArgs, AppStack

config = pulumi.Config()
network = config.require_object("network")
queue = config.get_object("queue") or {}
db_password = config.require_secret("dbPassword")
owner = config.require("owner")

replica_provider = aws.Provider("replica", region=config.get("replicaRegion") or "eu-west-1")

app = AppStack(
    "orders",
    AppArgs(
        cidr_block=network["cidrBlock"],
        subnet_count=int(network["subnetCount"]),
        max_receive_count=int(queue.get("maxReceiveCount", 3)),
        visibility_timeout=int(queue.get("visibilityTimeout", 30)),
        replica_provider=replica_provider,
        tags={"owner": owner, "stack": pulumi.get_stack()},
    ),
)

secret = aws.secretsmanager.Secret("orders-db-password", tags={"owner": owner})
aws.secretsmanager.SecretVersion("orders-db-password", secret_id=secret.id, secret_string=db_password)

identity = aws.get_caller_identity()
ips = aws.get_ip_ranges(services=["s3"], regions=["us-east-2"])

pulumi.export("queue_url", app.queue.url)
pulumi.export("dlq_arn", app.dlq.arn)
pulumi.export("replica_bucket_arn", app.replica.arn)
pulumi.export("account_id", identity.account_id)
pulumi.export("public_subnets", network.get("publicSubnets", False))
pulumi.export("launch_date", config.get("launchDate"))
pulumi.export("db_password", db_password)
