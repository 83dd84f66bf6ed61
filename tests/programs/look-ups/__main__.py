"""Every AWS look-up the offline engine answers, called the way third-party programs call them."""

import pulumi
import pulumi_aws as aws

r = {}
r["zone"] = aws.route53.get_zone(name="example.com").zone_id
vpc = aws.ec2.get_vpc(default=True)
r["vpc"] = vpc.cidr_block
ids = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}]).ids
r["subnet"] = aws.ec2.get_subnet(id=ids[1]).cidr_block
r["sg"] = aws.ec2.get_security_group(name="default", vpc_id=vpc.id).id
r["ami"] = aws.ec2.get_ami(
    most_recent=True, owners=["amazon"], filters=[{"name": "name", "values": ["al2023-ami-*-x86_64"]}]
).id
r["amis"] = aws.ec2.get_ami_ids(owners=["amazon"], filters=[{"name": "name", "values": ["al2023-*"]}]).ids
r["itype"] = aws.ec2.get_instance_type(instance_type="m5.2xlarge").default_vcpus
r["cert"] = aws.acm.get_certificate(domain="example.com").arn
r["ecrtok"] = aws.ecr.get_authorization_token().proxy_endpoint
r["repo"] = aws.ecr.get_repository(name="app").repository_url
r["ssm"] = aws.ssm.get_parameter(name="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64").value
r["secret"] = aws.secretsmanager.get_secret(name="db").arn
r["secretv"] = aws.secretsmanager.get_secret_version(secret_id="db").version_id
r["alias"] = aws.kms.get_alias(name="alias/aws/s3").target_key_arn
r["key"] = aws.kms.get_key(key_id="alias/app").arn
r["role"] = aws.iam.get_role(name="admin").arn
r["pol"] = aws.iam.get_policy(arn="arn:aws:iam::aws:policy/ReadOnlyAccess").name
r["elb"] = aws.elb.get_service_account().arn
r["eks"] = aws.eks.get_cluster(name="main").identities[0].oidcs[0].issuer
r["fn"] = aws.lambda_.get_function(function_name="worker").invoke_arn
r["rds"] = aws.rds.get_engine_version(engine="postgres").parameter_group_family
r["eksvpc"] = aws.eks.get_cluster(name="main").vpc_config.vpc_id
out = aws.route53.get_zone_output(name="example.org").zone_id
pulumi.export("r", r)
pulumi.export("zone_out", out)
