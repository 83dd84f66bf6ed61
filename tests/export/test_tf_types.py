"""Pulumi AWS tokens -> Terraform resource types: the table, the rule, and coverage of the blueprint."""

from __future__ import annotations

import pytest

from crossdock.engine import run_program
from crossdock.export.sdk_types import resource_class
from crossdock.export.tf_types import EXPLICIT, REGULAR_MODULES, terraform_type

from .conftest import PROGRAMS

IRREGULAR = {
    "aws:rds/cluster:Cluster": "aws_rds_cluster",
    "aws:rds/clusterInstance:ClusterInstance": "aws_rds_cluster_instance",
    "aws:rds/instance:Instance": "aws_db_instance",
    "aws:rds/subnetGroup:SubnetGroup": "aws_db_subnet_group",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "aws_rds_cluster_parameter_group",
    "aws:ec2/securityGroup:SecurityGroup": "aws_security_group",
    "aws:ec2/vpc:Vpc": "aws_vpc",
    "aws:ec2/subnet:Subnet": "aws_subnet",
    "aws:ec2/eip:Eip": "aws_eip",
    "aws:ec2/flowLog:FlowLog": "aws_flow_log",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "aws_vpc_endpoint",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "aws_default_security_group",
    "aws:lb/loadBalancer:LoadBalancer": "aws_lb",
    "aws:s3/bucket:Bucket": "aws_s3_bucket",
    "aws:s3/bucketV2:BucketV2": "aws_s3_bucket",
    "aws:s3/bucketVersioning:BucketVersioning": "aws_s3_bucket_versioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2": "aws_s3_bucket_versioning",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": "aws_s3_bucket_replication_configuration",
    "aws:s3/bucketObjectv2:BucketObjectv2": "aws_s3_object",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "aws_sqs_queue_redrive_allow_policy",
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
}

REGULAR = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": "aws_cloudwatch_metric_alarm",
    "aws:cloudwatch/logGroup:LogGroup": "aws_cloudwatch_log_group",
    "aws:iam/role:Role": "aws_iam_role",
    "aws:sqs/queue:Queue": "aws_sqs_queue",
    "aws:kms/key:Key": "aws_kms_key",
    "aws:sns/topic:Topic": "aws_sns_topic",
    "aws:backup/plan:Plan": "aws_backup_plan",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:dynamodb/table:Table": "aws_dynamodb_table",
    "aws:s3/bucketLoggingV2:BucketLoggingV2": "aws_s3_bucket_logging",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "aws_vpc_security_group_ingress_rule",
}


@pytest.mark.parametrize(("token", "expected"), sorted({**IRREGULAR, **REGULAR}.items()))
def test_known_translations(token, expected):
    assert terraform_type(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "aws:madeup/thing:Thing",  # no such module
        "aws:datasync/s3Location:S3Location",  # a module whose names are irregular and not listed
        "aws:securityhub/accountV2:AccountV2",  # a second-generation API: not guessed
        "kubernetes:apps/v1:Deployment",
        "aws:index/provider:Provider",
    ],
)
def test_unmapped_tokens_have_no_type(token):
    assert terraform_type(token) is None


def test_every_blueprint_type_is_mapped(blueprint_plans):
    unmapped = {
        (stack, r.type)
        for stack, plan in blueprint_plans.items()
        for r in plan.resources
        if r.custom and r.type.startswith("aws:") and terraform_type(r.type) is None
    }
    assert unmapped == set()


@pytest.mark.parametrize(
    ("program", "stack"), [("webserver", "dev"), ("static-site", "prod"), ("component-app", "staging")]
)
def test_every_test_program_type_is_mapped(program, stack):
    plan = run_program(PROGRAMS / program, stack)
    assert [
        r.type for r in plan.resources if r.custom and r.type.startswith("aws:") and not terraform_type(r.type)
    ] == []


def test_explicit_entries_are_real_sdk_tokens():
    """A typo in the table would map a token no program can emit; every key must name an SDK class."""
    assert [token for token in EXPLICIT if resource_class(token) is None] == []


def test_regular_modules_exist_in_the_sdk():
    import pulumi_aws  # noqa: F401 - registers the resource modules
    from pulumi.runtime import rpc

    modules = {key.split(":", 1)[1].split("/")[0] for key in rpc._RESOURCE_MODULES if key.startswith("aws:")}
    assert set(REGULAR_MODULES) - modules == set()
