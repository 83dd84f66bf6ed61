"""The shipped silo stack, prod-tenant-acme, planned offline with its StackReference resolved, and gated."""

from __future__ import annotations

import json

import pytest

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.engine import run_program
from policies.rules.tenant import accepts_tags

from .support import ROOT, cli

TENANT_TAGS = {"tenant": "acme", "isolation": "silo", "dr-strategy": "pilot-light", "environment": "prod"}


@pytest.fixture(scope="module")
def prod():
    return run_program(ROOT, "prod")


@pytest.fixture(scope="module")
def acme():
    return run_program(ROOT, "prod-tenant-acme")


def test_the_silo_reads_its_environment_through_a_stack_reference(acme) -> None:
    assert [(r.type, r.id) for r in acme.reads] == [("pulumi:pulumi:StackReference", "organization/crossdock/prod")]
    assert acme.warnings == []


def test_its_inputs_hold_the_environments_planned_network(acme, prod) -> None:
    subnet_group = acme.by_name("prod-tenant-acme-data-subnets")
    assert subnet_group.inputs["subnetIds"] == prod.outputs["data_subnet_ids"]
    assert subnet_group.inputs["subnetIds"] == [
        s.id for s in prod.by_type("aws:ec2/subnet:Subnet") if "-data-" in s.name and s.region == "us-east-1"
    ]
    security_group = acme.by_name("prod-tenant-acme-data-sg")
    assert (
        security_group.inputs["vpcId"] == prod.outputs["vpc_id"] == prod.by_name("prod-network", "aws:ec2/vpc:Vpc").id
    )
    # Admits PostgreSQL from the environment's private (application) subnets only.
    private = sorted(s.inputs["cidrBlock"] for s in prod.by_type("aws:ec2/subnet:Subnet") if "-private-" in s.name)
    assert sorted(security_group.inputs["ingress"][0]["cidrBlocks"]) == private
    zones = [acme.by_name(f"prod-tenant-acme-data-orders-instance-{i}").inputs["availabilityZone"] for i in (1, 2, 3)]
    assert zones == prod.outputs["availability_zones"]


def test_its_alarms_notify_the_environments_topics(acme, prod) -> None:
    topics = prod.outputs["alert_topic_arns"]
    age = acme.by_name("prod-tenant-acme-shipment-confirmations-oldest-message-age")
    assert age.inputs["alarmActions"] == [topics["critical"]]
    lag = acme.by_name("prod-tenant-acme-orders-dr-replication-lag")
    assert lag.inputs["alarmActions"] == [prod.outputs["dr"]["alert_topic_arn"]] and lag.region == "us-west-2"
    kpi = acme.by_name("prod-tenant-acme-failed-label-requests")
    assert kpi.inputs["dimensions"] == {"Environment": "prod", "Tenant": "acme"}
    throughput = acme.by_name("prod-tenant-acme-queue-throughput")
    assert throughput.inputs["alarmActions"] == [topics["warning"]] and throughput.inputs["threshold"] == 120 * 60


def test_its_namespace_lives_on_the_environments_cluster(acme, prod) -> None:
    provider = acme.by_name("prod-tenant-acme-k8s", "pulumi:providers:kubernetes")
    assert provider.inputs["kubeconfig"] == prod.outputs["kubeconfig"]
    namespace = acme.by_name("prod-tenant-acme-namespace")
    assert namespace.provider == provider.urn and namespace.inputs["metadata"]["name"] == "tenant-acme"
    trust = json.loads(acme.by_name("prod-tenant-acme-app", "aws:iam/role:Role").inputs["assumeRolePolicy"])
    oidc = prod.outputs["transaction_tier"]["oidc_provider_arn"]
    assert trust["Statement"][0]["Principal"] == {"Federated": oidc}
    issuer = oidc.split("oidc-provider/", 1)[1]
    assert (
        trust["Statement"][0]["Condition"]["StringEquals"][f"{issuer}:sub"]
        == "system:serviceaccount:tenant-acme:tenant-app"
    )


def test_the_component_records_what_the_gate_compares(acme) -> None:
    silo = acme.by_type("crossdock:tenant:TenantSilo")[0]
    assert silo.inputs == {
        "tenant": "acme",
        "isolation": "silo",
        "environmentStack": "prod",
        "environmentTier": "production",
        "drStrategy": "pilot-light",
        "environmentDrStrategy": "pilot-light",
        "environmentTenants": ["globex", "acme"],
    }


def test_every_taggable_resource_carries_the_tenant(acme) -> None:
    aws = [r for r in acme.resources if r.custom and r.type.startswith("aws:")]
    assert len(aws) > 100
    untagged = [
        r.name for r in aws if accepts_tags(r.type) and not TENANT_TAGS.items() <= (r.inputs.get("tags") or {}).items()
    ]
    assert untagged == []
    provider = acme.by_name("prod-tenant-acme-dr-us-west-2", "pulumi:providers:aws")
    default_tags = provider.inputs["defaultTags"]
    default_tags = json.loads(default_tags) if isinstance(default_tags, str) else default_tags  # providers take JSON
    assert TENANT_TAGS.items() <= default_tags["tags"].items()


def test_every_resource_is_named_for_the_tenant(acme) -> None:
    assert all(r.name.startswith("prod-tenant-acme") for r in acme.resources if r.type != "pulumi:pulumi:Stack")


def test_it_exports_what_runbooks_need(acme) -> None:
    outputs = acme.outputs
    assert set(outputs) == {
        "tenant",
        "environment_stack",
        "databases",
        "queues",
        "payload_archive_bucket",
        "key_arns",
        "app_role_arn",
        "namespace",
        "dr",
        "dashboard",
    }
    assert set(outputs["queues"]) == {"shipment-confirmations", "billing-triggers", "edi-inbound"}
    assert outputs["dr"]["strategy"] == "pilot-light" and outputs["namespace"] == "tenant-acme"


def test_the_policy_gate_passes(acme) -> None:
    result = check_plan(acme, ROOT, CheckOptions())
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]
    assert result.profile == "production"
    assert {"CD-TEN-001", "CD-TEN-004", "CD-TEN-005", "CD-TEN-006"} <= set(result.rules_run)


def test_the_environment_with_its_tenants_passes_the_policy_gate(prod) -> None:
    result = check_plan(prod, ROOT, CheckOptions())
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]


def test_the_full_gate_passes_with_checkov(acme) -> None:
    from tests.checkov.support import require_checkov

    require_checkov()
    result = check_plan(acme, ROOT, CheckOptions(checkov=True))
    assert result.passed, [f"{f.rule} {f.name}: {f.message}" for f in result.findings if f.blocks]


def test_crossdock_check_on_the_tenant_stack() -> None:
    code, out, err = cli("check", "prod-tenant-acme", "--no-checkov")
    assert (code, err) == (0, "")
    assert "gate PASSED" in out
