"""A Fargate service behind an internet-facing ALB in the default VPC, like Pulumi's ECS examples."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

# The ALB's group: HTTP/HTTPS from anywhere, attached to the load balancer only (no crossdock tags).
alb_sg = aws.ec2.SecurityGroup(
    "web-alb",
    vpc_id=vpc.id,
    ingress=[
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
    ],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
# The tasks' group: only from the ALB.
task_sg = aws.ec2.SecurityGroup(
    "web-tasks",
    vpc_id=vpc.id,
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "security_groups": [alb_sg.id]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
# An admin group someone opened "temporarily" on 443 and attached to a bastion as well as a load balancer.
admin_sg = aws.ec2.SecurityGroup(
    "admin",
    vpc_id=vpc.id,
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
)

alb = aws.lb.LoadBalancer("web", security_groups=[alb_sg.id], subnets=subnets.ids)
admin_lb = aws.lb.LoadBalancer("admin", security_groups=[admin_sg.id], subnets=subnets.ids)
bastion = aws.ec2.Instance(
    "bastion", ami="ami-0123456789abcdef0", instance_type="t3.micro", vpc_security_group_ids=[admin_sg.id]
)
target_group = aws.lb.TargetGroup("web", port=80, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
listener = aws.lb.Listener(
    "web",
    load_balancer_arn=alb.arn,
    port=80,
    default_actions=[{"type": "forward", "target_group_arn": target_group.arn}],
)

cluster = aws.ecs.Cluster("cluster")
execution_role = aws.iam.Role(
    "task-exec",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "task-exec-policy",
    role=execution_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
)
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution_role.arn,
    container_definitions=json.dumps(
        [{"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80, "protocol": "tcp"}]}]
    ),
)
service = aws.ecs.Service(
    "app",
    cluster=cluster.arn,
    desired_count=2,
    launch_type="FARGATE",
    task_definition=task.arn,
    network_configuration={"assign_public_ip": True, "subnets": subnets.ids, "security_groups": [task_sg.id]},
    load_balancers=[{"target_group_arn": target_group.arn, "container_name": "app", "container_port": 80}],
    opts=pulumi.ResourceOptions(depends_on=[listener]),
)

pulumi.export("url", alb.dns_name)
