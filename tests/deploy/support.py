"""Shared by the deploy-gate tests: an AWS account in moto with prod's freeze flag and critical topic."""

from __future__ import annotations

import boto3
from moto import mock_aws

FLAG = "/crossdock/prod/deploy-freeze"
AT_CUTOFF = "2026-12-07T22:30:00Z"
"""Monday 16:30 in Chicago: prod's warehouse-cutoff window (blocks high-risk changes) is in force."""


def aws_environment(monkeypatch):
    """Generator for a fixture: fake credentials, the flag (off), prod's critical topic with an SQS inbox."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("GITHUB_ACTOR", "deployer")
    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name=FLAG, Value="off", Type="String")
        sns = boto3.client("sns", region_name="us-east-1")
        critical = sns.create_topic(
            Name="prod-security-alerts-critical-1a2b3c",
            Tags=[{"Key": "environment", "Value": "prod"}, {"Key": "severity", "Value": "critical"}],
        )["TopicArn"]
        sns.create_topic(
            Name="prod-security-alerts-critical-dr-9z",
            Tags=[
                {"Key": "environment", "Value": "prod"},
                {"Key": "severity", "Value": "critical"},
                {"Key": "dr-role", "Value": "secondary"},
            ],
        )
        sqs = boto3.client("sqs", region_name="us-east-1")
        inbox = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=critical, Protocol="sqs", Endpoint=inbox_arn)
        yield {"ssm": ssm, "sqs": sqs, "inbox": inbox, "critical": critical}
