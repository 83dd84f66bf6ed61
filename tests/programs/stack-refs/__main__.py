"""A network stack and the stacks that reference it (and one another) through StackReference."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
role = config.require("role")

if role == "network":
    vpc = aws.ec2.Vpc("shared", cidr_block="10.40.0.0/16")
    pulumi.export("vpc_id", vpc.id)
    pulumi.export("zones", ["eu-west-1a", "eu-west-1b"])
    pulumi.export("db_password", pulumi.Output.secret("correct-horse"))
else:
    references = [
        pulumi.StackReference(f"ref-{i}", stack_name=name) for i, name in enumerate(config.require_object("references"))
    ]
    network = references[0]
    subnet = aws.ec2.Subnet(
        "app",
        vpc_id=network.require_output("vpc_id"),
        cidr_block="10.40.1.0/24",
        availability_zone=network.require_output("zones").apply(lambda zones: zones[0]),
    )
    aws.ssm.Parameter("db-password", type="SecureString", value=network.require_output("db_password"))
    pulumi.export("subnet_vpc", subnet.vpc_id)
    pulumi.export("outputs_seen", [ref.outputs.apply(sorted) for ref in references])
