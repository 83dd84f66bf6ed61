"""An app reading its network from another project's stack (a TypeScript project the engine cannot run)."""

import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("acme/network-ts/dev")
subnet_ids = network.require_output("pulumi_vpc_public_subnet_ids")

group = aws.ec2.SecurityGroup("app", vpc_id=network.get_output("vpc_id"))
server = aws.ec2.Instance(
    "app",
    ami="ami-0123456789abcdef0",
    instance_type="t3.micro",
    subnet_id=subnet_ids.apply(lambda ids: ids[0]),
    vpc_security_group_ids=[group.id],
)
pulumi.export("server_subnet", server.subnet_id)
