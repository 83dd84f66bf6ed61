"""Realistic, deterministic mock outputs and invoke answers."""

from __future__ import annotations

import re
import uuid

import pytest
from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs

from crossdock.engine import UNKNOWN
from crossdock.engine.aws_resources import compute
from crossdock.engine.mocks import OfflineMocks
from crossdock.engine.regions import RegionResolver, availability_zones

ACCT = "123456789012"


@pytest.mark.parametrize(
    ("type_", "inputs", "region", "checks"),
    [
        (
            "aws:s3/bucket:Bucket",
            {"bucket": "my-logs"},
            "eu-west-1",
            {
                "arn": "arn:aws:s3:::my-logs",
                "bucketDomainName": "my-logs.s3.amazonaws.com",
                "bucketRegionalDomainName": "my-logs.s3.eu-west-1.amazonaws.com",
            },
        ),
        (
            "aws:sqs/queue:Queue",
            {"name": "jobs"},
            "ap-southeast-2",
            {
                "arn": f"arn:aws:sqs:ap-southeast-2:{ACCT}:jobs",
                "url": f"https://sqs.ap-southeast-2.amazonaws.com/{ACCT}/jobs",
            },
        ),
        ("aws:sns/topic:Topic", {"name": "alerts"}, "us-east-1", {"arn": f"arn:aws:sns:us-east-1:{ACCT}:alerts"}),
        (
            "aws:iam/role:Role",
            {"name": "app", "path": "/svc/"},
            "us-east-1",
            {"arn": f"arn:aws:iam::{ACCT}:role/svc/app"},
        ),
        ("aws:iam/policy:Policy", {"name": "read"}, "us-east-1", {"arn": f"arn:aws:iam::{ACCT}:policy/read"}),
        (
            "aws:rds/cluster:Cluster",
            {"clusterIdentifier": "orders", "engine": "aurora-postgresql"},
            "eu-central-1",
            {"arn": f"arn:aws:rds:eu-central-1:{ACCT}:cluster:orders", "port": 5432},
        ),
        (
            "aws:cloudwatch/logGroup:LogGroup",
            {"name": "/app/api"},
            "us-west-2",
            {"arn": f"arn:aws:logs:us-west-2:{ACCT}:log-group:/app/api"},
        ),
        (
            "aws:lambda/function:Function",
            {"name": "fn"},
            "us-west-2",
            {"arn": f"arn:aws:lambda:us-west-2:{ACCT}:function:fn"},
        ),
        (
            "aws:backup/vault:Vault",
            {"name": "vault"},
            "eu-west-1",
            {"arn": f"arn:aws:backup:eu-west-1:{ACCT}:backup-vault:vault"},
        ),
        ("aws:dynamodb/table:Table", {"name": "t"}, "us-east-2", {"arn": f"arn:aws:dynamodb:us-east-2:{ACCT}:table/t"}),
        ("aws:s3/bucket:Bucket", {"bucket": "cn-logs"}, "cn-north-1", {"arn": "arn:aws-cn:s3:::cn-logs"}),
        (
            "aws:sqs/queue:Queue",
            {"name": "gov"},
            "us-gov-west-1",
            {"arn": f"arn:aws-us-gov:sqs:us-gov-west-1:{ACCT}:gov"},
        ),
    ],
)
def test_arns_and_endpoints(type_, inputs, region, checks):
    _, state = compute(type_, "logical", inputs, region)
    for key, value in checks.items():
        assert state[key] == value


def test_ids_look_like_aws_ids():
    assert re.fullmatch(
        r"vpc-0[0-9a-f]{16}", compute("aws:ec2/vpc:Vpc", "v", {"cidrBlock": "10.0.0.0/16"}, "us-east-1")[0]
    )
    assert re.fullmatch(r"subnet-0[0-9a-f]{16}", compute("aws:ec2/subnet:Subnet", "s", {}, "us-east-1")[0])
    assert re.fullmatch(r"i-0[0-9a-f]{16}", compute("aws:ec2/instance:Instance", "i", {}, "us-east-1")[0])
    key_id, key = compute("aws:kms/key:Key", "k", {}, "eu-west-1")
    assert uuid.UUID(key_id).version == 4
    assert key["arn"] == f"arn:aws:kms:eu-west-1:{ACCT}:key/{key_id}" and key["keyId"] == key_id
    secret_id, _secret = compute("aws:secretsmanager/secret:Secret", "db", {"name": "db"}, "us-east-1")
    assert re.fullmatch(rf"arn:aws:secretsmanager:us-east-1:{ACCT}:secret:db-[A-Za-z0-9]{{6}}", secret_id)
    plan_id, plan = compute("aws:backup/plan:Plan", "p", {"name": "p"}, "us-east-1")
    assert plan["arn"] == f"arn:aws:backup:us-east-1:{ACCT}:backup-plan:{plan_id}"


def test_auto_names_are_deterministic():
    first = compute("aws:sqs/queue:Queue", "orders", {}, "us-east-1")
    second = compute("aws:sqs/queue:Queue", "orders", {}, "us-east-1")
    assert first == second
    assert re.fullmatch(r"orders-[0-9a-f]{7}", first[1]["name"])
    fifo = compute("aws:sqs/queue:Queue", "events", {"fifoQueue": True}, "us-east-1")[1]
    assert re.fullmatch(r"events-[0-9a-f]{7}\.fifo", fifo["name"])
    assert compute("aws:s3/bucket:Bucket", "Logs", {}, "us-east-1")[0].startswith(
        "logs-"
    )  # bucket names are lower case


def test_instances_rds_and_load_balancers():
    _, instance = compute("aws:ec2/instance:Instance", "web", {}, "eu-west-1")
    assert instance["publicDns"] == f"ec2-{instance['publicIp'].replace('.', '-')}.eu-west-1.compute.amazonaws.com"
    assert instance["privateDns"].endswith(".eu-west-1.compute.internal")
    _, cluster = compute("aws:rds/cluster:Cluster", "db", {"clusterIdentifier": "db"}, "us-east-1")
    assert re.fullmatch(r"db\.cluster-[0-9a-f]{12}\.us-east-1\.rds\.amazonaws\.com", cluster["endpoint"])
    assert cluster["readerEndpoint"] == cluster["endpoint"].replace(".cluster-", ".cluster-ro-")
    lb_id, lb = compute("aws:lb/loadBalancer:LoadBalancer", "api", {"name": "api"}, "us-west-2")
    assert re.fullmatch(rf"arn:aws:elasticloadbalancing:us-west-2:{ACCT}:loadbalancer/app/api/[0-9a-f]{{16}}", lb_id)
    assert re.fullmatch(r"api-\d{10}\.us-west-2\.elb\.amazonaws\.com", lb["dnsName"])


def test_unknown_inputs_make_derived_outputs_unknown():
    _, state = compute("aws:sqs/queue:Queue", "q", {"name": UNKNOWN}, "us-east-1")
    assert state["arn"] == UNKNOWN and state["url"] == UNKNOWN


def test_tags_all_merges_provider_default_tags():
    _, state = compute(
        "aws:sqs/queue:Queue", "q", {"tags": {"tier": "web", "env": "x"}}, "us-east-1", {"env": "prod", "owner": "ops"}
    )
    assert state["tagsAll"] == {"env": "x", "owner": "ops", "tier": "web"}


def test_explicit_provider_region_and_default_tags_reach_resources():
    resolver = RegionResolver.from_config({"aws:region": "us-east-1", "aws:defaultTags": '{"tags":{"owner":"ops"}}'})
    mocks = OfflineMocks(resolver)
    provider_id, _ = mocks.new_resource(
        MockResourceArgs("pulumi:providers:aws", "west", {"region": "us-west-2"}, custom=True)
    )
    ref = f"urn:pulumi:s::p::pulumi:providers:aws::west::{provider_id}"
    _, state = mocks.new_resource(
        MockResourceArgs("aws:sqs/queue:Queue", "q", {"name": "q"}, provider=ref, custom=True)
    )
    assert state["arn"] == f"arn:aws:sqs:us-west-2:{ACCT}:q"
    _, default_state = mocks.new_resource(MockResourceArgs("aws:sqs/queue:Queue", "q2", {"name": "q2"}, custom=True))
    assert default_state["arn"] == f"arn:aws:sqs:us-east-1:{ACCT}:q2"
    assert default_state["tagsAll"] == {"owner": "ops"}
    zones, _ = mocks.call(MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {}, ref))
    assert zones["names"] == ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]


@pytest.mark.parametrize(
    ("region", "count"), [("us-east-1", 6), ("us-west-2", 4), ("eu-central-1", 3), ("eu-west-1", 3)]
)
def test_availability_zone_table(region, count):
    zones = availability_zones(region)
    assert len(zones) == count
    assert zones[0][0] == f"{region}a"


def test_invokes_answer_lookups():
    mocks = OfflineMocks(RegionResolver("eu-west-1"))
    zones, _ = mocks.call(
        MockCallArgs("aws:index/getAvailabilityZones:getAvailabilityZones", {"excludeNames": ["eu-west-1b"]}, "")
    )
    assert zones["names"] == ["eu-west-1a", "eu-west-1c"] and zones["zoneIds"] == ["euw1-az1", "euw1-az3"]
    identity, _ = mocks.call(MockCallArgs("aws:index/getCallerIdentity:getCallerIdentity", {}, ""))
    assert identity["accountId"] == ACCT
    region, _ = mocks.call(MockCallArgs("aws:index/getRegion:getRegion", {}, ""))
    assert region["name"] == region["region"] == "eu-west-1"
    partition, _ = mocks.call(MockCallArgs("aws:index/getPartition:getPartition", {}, ""))
    assert partition["partition"] == "aws" and partition["dnsSuffix"] == "amazonaws.com"
    ami_args = {
        "owners": ["amazon"],
        "filters": [{"name": "name", "values": ["al2023-ami-*-arm64"]}],
        "mostRecent": True,
    }
    ami, _ = mocks.call(MockCallArgs("aws:ec2/getAmi:getAmi", ami_args, ""))
    assert re.fullmatch(r"ami-0[0-9a-f]{16}", ami["id"]) and ami["architecture"] == "arm64"
    assert ami == mocks.call(MockCallArgs("aws:ec2/getAmi:getAmi", ami_args, ""))[0]
    assert mocks.warnings == []


def test_unmodelled_invoke_returns_empty_and_warns_once():
    mocks = OfflineMocks(RegionResolver("us-east-1"))
    for _ in range(2):
        assert mocks.call(MockCallArgs("aws:ec2/getInstances:getInstances", {}, "")) == ({}, None)
    assert mocks.warnings == [
        "invoke aws:ec2/getInstances:getInstances is not modelled offline; returned an empty result"
    ]
