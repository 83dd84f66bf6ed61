"""Mutation tests for tenant isolation: break the shipped silo stack one thing at a time, in its components or
its config, and the gate fails on the right rule, with the exact message (and nothing else)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import components.tenant_silo as tenant_silo
from crossdock.blueprint import CheckOptions, check_plan
from crossdock.config.tenancy import TenantStackConfig
from crossdock.engine import run_program

from .support import ROOT

GLOBEX_ROLE = "arn:aws:iam::123456789012:role/prod-tenant-globex-app"


@pytest.fixture(scope="module", autouse=True)
def environment_planned_once():
    """The mutations touch only the silo's components: plan the referenced environment (prod) once per module."""
    from crossdock.engine import references

    cache: dict = {}
    real = references.StackReferences._plan

    def cached(self, reference, project, stack, key):
        if key not in cache:
            cache[key] = real(self, reference, project, stack, key)
        return cache[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(references.StackReferences, "_plan", cached)
        yield


def blocking(project: Path = ROOT, stack: str = "prod-tenant-acme") -> list[tuple[str, str, str]]:
    result = check_plan(run_program(project, stack), project, CheckOptions())
    return sorted((f.rule, f.name, f.message) for f in result.findings if f.blocks)


def test_the_unbroken_silo_passes() -> None:
    assert blocking() == []


def test_a_key_policy_granting_another_tenants_role(monkeypatch) -> None:
    real = tenant_silo.data_key_policy

    def leaky(partition, account_id):
        def add(text: str) -> str:
            document = json.loads(text)
            document["Statement"].append(
                {
                    "Sid": "GlobexReads",
                    "Effect": "Allow",
                    "Principal": {"AWS": GLOBEX_ROLE},
                    "Action": "kms:Decrypt",
                    "Resource": "*",
                }
            )
            return json.dumps(document)

        return real(partition, account_id).apply(add)

    monkeypatch.setattr(tenant_silo, "data_key_policy", leaky)
    found = blocking()
    keys = ["analytics", "integration-payloads", "transactional"]
    assert found == [
        (
            "CD-TEN-006",
            name,
            f'statement "GlobexReads" of the policy of key "{name}" (tenant "acme") grants "{GLOBEX_ROLE}", which '
            'belongs to tenant "globex"',
        )
        for name in sorted([f"prod-tenant-acme-{k}-key" for k in keys] + [f"prod-tenant-acme-{k}-key-dr" for k in keys])
    ]


def test_a_tenant_resource_without_its_tag(monkeypatch) -> None:
    real = tenant_silo.TenantSilo._tag

    def forgetful(self, args):
        result = real(self, args)
        if args.name == "prod-tenant-acme-app":  # the app role loses tenant and isolation
            tags = {k: v for k, v in args.props["tags"].items() if k not in ("tenant", "isolation")}
            return tenant_silo.pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)
        return result

    monkeypatch.setattr(tenant_silo.TenantSilo, "_tag", forgetful)
    assert blocking() == [
        (
            "CD-TEN-001",
            "prod-tenant-acme-app",
            'resource "prod-tenant-acme-app" belongs to tenant "acme" (its name contains "tenant-acme") but has no '
            "tenant tag",
        )
    ]


def test_a_silo_policy_naming_the_environments_queue(monkeypatch) -> None:
    real = tenant_silo.TenantSilo._app_policy
    shared = "arn:aws:sqs:us-east-1:123456789012:prod-carrier-events"

    def wider(self, partition, account_id, key_arns):
        policy = real(self, partition, account_id, key_arns)
        policy["Statement"].append(
            {"Sid": "SharedCarrierEvents", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [shared]}
        )
        return policy

    monkeypatch.setattr(tenant_silo.TenantSilo, "_app_policy", wider)
    assert blocking() == [
        (
            "CD-TEN-004",
            "prod-tenant-acme-app-policy",
            f'statement "SharedCarrierEvents" of silo tenant "acme" grants access to "{shared}", a data store that '
            'is not the tenant\'s (silo stores are named "tenant-acme")',
        )
    ]


def test_a_silo_built_for_another_dr_strategy(monkeypatch) -> None:
    monkeypatch.setattr(TenantStackConfig, "dr_strategy", property(lambda self: "warm-standby"))
    assert blocking() == [
        (
            "CD-TEN-005",
            "prod-tenant-acme",
            'silo tenant "acme" is built for DR strategy "warm-standby" but environment "prod" runs "pilot-light" '
            "(from its stack outputs)",
        )
    ]


def test_a_production_silo_without_its_dr_copies(monkeypatch) -> None:
    class NoCopies:  # the silo "forgets" its DisasterRecovery child
        def __init__(self, *args, **kwargs) -> None:
            self.secondary_cluster_identifiers: dict = {}
            self.dr_endpoints: dict = {}
            self.dr_vault_arn = None

    monkeypatch.setattr(tenant_silo, "DisasterRecovery", NoCopies)
    found = blocking()
    ours = [f for f in found if f[0] == "CD-TEN-005"]
    assert ours == [
        (
            "CD-TEN-005",
            name,
            f'{kind} "{label}" of silo tenant "acme" is tagged dr-copy: required but has no copy in another region, '
            'so the silo does not follow environment "prod"\'s DR strategy',
        )
        for name, kind, label in [
            ("prod-tenant-acme-data-orders-cluster", "RDS cluster", "prod-tenant-acme-data-orders-cluster"),
            ("prod-tenant-acme-payload-archive", "bucket", "prod-tenant-acme-payload-archive"),
        ]
    ]
    # The resilience rules see the same holes, for every stack: the tenant rule adds "this silo, this environment",
    # and the declared region objectives of the silo's classes are breached (docs/resilience-model.md).
    assert {f[0] for f in found} == {"CD-TEN-005", "CD-RES-009", "CD-RES-010", "CD-RES-050"}


@pytest.mark.parametrize("stack", ["prod"])
def test_the_environment_still_passes(stack: str) -> None:
    assert blocking(ROOT, stack) == []
