"""Network: exact children per tier, NAT per AZ in production, endpoints and flow logs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.network import INTERFACE_ENDPOINT_SERVICES, Network, NetworkArgs
from components.tags import base_tags
from crossdock.config import load_stack_file
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
DEV = load_stack_file(ROOT / "stacks" / "Pulumi.dev.yaml")
LOG_KEY = "arn:aws:kms:us-east-1:111122223333:key/operations"


def build(config):
    env = config.environment

    def program() -> None:
        Network(
            f"{env.name}-network",
            NetworkArgs(
                environment=env,
                flow_log_key_arn=LOG_KEY,
                log_retention_days=env.log_retention_days,
                tags=base_tags(env),
            ),
        )

    plan = run_callable(program, config={"aws:region": env.region})
    return plan, {(r.type, r.name): r for r in plan.resources}


@pytest.fixture(scope="module")
def prod():
    return build(PROD)


@pytest.fixture(scope="module")
def dev():
    return build(DEV)


def names_of(records, type_):
    return sorted(name for (t, name) in records if t == type_)


def test_prod_has_three_subnets_per_tier_in_three_zones(prod):
    _, records = prod
    subnets = {name: r for (t, name), r in records.items() if t == "aws:ec2/subnet:Subnet"}
    assert sorted(subnets) == sorted(
        f"prod-network-{tier}-{i}" for tier in ("public", "private", "data") for i in range(3)
    )
    for tier in ("public", "private", "data"):
        zones = [subnets[f"prod-network-{tier}-{i}"].inputs["availabilityZone"] for i in range(3)]
        assert zones == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert subnets["prod-network-public-0"].inputs["cidrBlock"] == "10.10.0.0/20"
    assert subnets["prod-network-data-2"].inputs["cidrBlock"] == "10.10.128.0/20"
    assert subnets["prod-network-data-0"].inputs["tags"]["subnet-tier"] == "data"
    assert all(r.inputs["mapPublicIpOnLaunch"] is False for r in subnets.values())


def test_prod_has_a_nat_gateway_per_zone_each_private_route_table_uses_its_own(prod):
    _plan, records = prod
    assert names_of(records, "aws:ec2/natGateway:NatGateway") == [
        "prod-network-nat-0",
        "prod-network-nat-1",
        "prod-network-nat-2",
    ]
    for index in range(3):
        nat = records[("aws:ec2/natGateway:NatGateway", f"prod-network-nat-{index}")]
        public = records[("aws:ec2/subnet:Subnet", f"prod-network-public-{index}")]
        assert nat.inputs["subnetId"] == public.id or public.urn in nat.property_dependencies["subnetId"]
        table = records[("aws:ec2/routeTable:RouteTable", f"prod-network-private-rt-{index}")]
        assert table.inputs["routes"][0]["natGatewayId"] == nat.id


def test_dev_has_one_nat_gateway_shared_by_both_private_route_tables(dev):
    _, records = dev
    assert names_of(records, "aws:ec2/natGateway:NatGateway") == ["dev-network-nat-0"]
    nat_id = records[("aws:ec2/natGateway:NatGateway", "dev-network-nat-0")].id
    for index in range(2):
        table = records[("aws:ec2/routeTable:RouteTable", f"dev-network-private-rt-{index}")]
        assert table.inputs["routes"][0]["natGatewayId"] == nat_id


def test_data_subnets_have_no_internet_route(prod):
    _, records = prod
    assert (
        "routes" not in records[("aws:ec2/routeTable:RouteTable", "prod-network-data-rt")].inputs
        or not records[("aws:ec2/routeTable:RouteTable", "prod-network-data-rt")].inputs["routes"]
    )


def test_endpoints_s3_gateway_and_interface_endpoints_in_private_subnets(prod):
    _, records = prod
    s3 = records[("aws:ec2/vpcEndpoint:VpcEndpoint", "prod-network-s3-endpoint")]
    assert s3.inputs["serviceName"] == "com.amazonaws.us-east-1.s3"
    assert s3.inputs["vpcEndpointType"] == "Gateway"
    assert len(s3.inputs["routeTableIds"]) == 4  # three private tables and the data table
    private_ids = {records[("aws:ec2/subnet:Subnet", f"prod-network-private-{i}")].id for i in range(3)}
    for service in INTERFACE_ENDPOINT_SERVICES:
        endpoint = records[("aws:ec2/vpcEndpoint:VpcEndpoint", f"prod-network-{service}-endpoint")]
        assert endpoint.inputs["serviceName"] == f"com.amazonaws.us-east-1.{service}"
        assert endpoint.inputs["vpcEndpointType"] == "Interface"
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert set(endpoint.inputs["subnetIds"]) == private_ids
    assert set(INTERFACE_ENDPOINT_SERVICES) == {"sqs", "kms", "secretsmanager", "logs", "sts"}
    sg = records[("aws:ec2/securityGroup:SecurityGroup", "prod-network-endpoints-sg")]
    assert sg.inputs["ingress"] == [
        {
            "protocol": "tcp",
            "fromPort": 443.0,
            "toPort": 443.0,
            "cidrBlocks": ["10.10.0.0/16"],
            "description": "HTTPS from the VPC",
        }
    ]


def test_flow_logs_go_to_an_encrypted_retained_log_group_through_a_scoped_role(prod):
    _, records = prod
    group = records[("aws:cloudwatch/logGroup:LogGroup", "prod-network-flow-logs")]
    assert group.inputs["retentionInDays"] == 365.0
    assert group.inputs["kmsKeyId"] == LOG_KEY
    flow = records[("aws:ec2/flowLog:FlowLog", "prod-network-flow-log")]
    assert flow.inputs["trafficType"] == "ALL"
    assert flow.inputs["logDestination"] == group.outputs["arn"]
    policy = json.loads(records[("aws:iam/rolePolicy:RolePolicy", "prod-network-flow-logs-policy")].inputs["policy"])
    resources = policy["Statement"][0]["Resource"]
    assert resources == [group.outputs["arn"], group.outputs["arn"] + ":*"]
    trust = json.loads(records[("aws:iam/role:Role", "prod-network-flow-logs-role")].inputs["assumeRolePolicy"])
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Statement"][0]["Condition"]["StringEquals"]


def test_every_child_is_tagged_and_parented(prod):
    plan, records = prod
    component = records[("crossdock:network:Network", "prod-network")]
    vpc = records[("aws:ec2/vpc:Vpc", "prod-network")]
    assert vpc.parent == component.urn
    assert vpc.inputs["tags"] == {**base_tags(PROD.environment), "Name": "prod-network"}
    tagged = [r for r in plan.resources if r.custom and "tags" in r.inputs]
    assert all(r.inputs["tags"]["environment"] == "prod" for r in tagged)
    assert component.outputs["vpc_id"] == vpc.id
