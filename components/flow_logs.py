"""VPC flow logs to an encrypted, retained log group through a role scoped to that group.

Every VPC crossdock builds (the primary network and the DR network) records all
accepted and rejected traffic: the lateral-movement record responders need.
"""

from __future__ import annotations

from collections.abc import Mapping

import pulumi
import pulumi_aws as aws


def vpc_flow_logs(
    name: str,
    *,
    vpc_id: pulumi.Input[str],
    log_group_name: str,
    kms_key_arn: pulumi.Input[str],
    retention_days: int,
    tags: Mapping[str, str],
    parent: pulumi.Resource,
    provider: aws.Provider | None = None,
) -> aws.cloudwatch.LogGroup:
    """Log group, delivery role and policy, and the flow log; returns the log group."""
    opts = pulumi.ResourceOptions(parent=parent, provider=provider)
    log_group = aws.cloudwatch.LogGroup(
        f"{name}-flow-logs",
        name=log_group_name,
        retention_in_days=retention_days,
        kms_key_id=kms_key_arn,
        tags={**tags, "Name": f"{name}-flow-logs"},
        opts=opts,
    )
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    # IAM is global: the role needs no regional provider.
    role = aws.iam.Role(
        f"{name}-flow-logs-role",
        assume_role_policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": identity.account_id}},
                    }
                ],
            }
        ),
        tags={**tags, "Name": f"{name}-flow-logs-role"},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.iam.RolePolicy(
        f"{name}-flow-logs-policy",
        role=role.id,
        policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "WriteFlowLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
                    }
                ],
            }
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    aws.ec2.FlowLog(
        f"{name}-flow-log",
        vpc_id=vpc_id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=log_group.arn,
        iam_role_arn=role.arn,
        max_aggregation_interval=60,
        tags={**tags, "Name": f"{name}-flow-log"},
        opts=opts,
    )
    return log_group
