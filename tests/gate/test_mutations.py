"""Mutation tests: break one thing in the prod environment at a time; the gate must fail on the right rule.

Two ways in, both running the real program code:
- config mutations edit a copy of stacks/Pulumi.prod.yaml in a scratch project
  (Pulumi.yaml copied, __main__.py and components/ symlinked) and run it with
  `run_program`, exactly as `crossdock check prod --project DIR` would;
- component mutations build `components.environment.Environment` from the prod
  stack config with `run_callable`, changing one resource with a Pulumi resource
  transform (the offline engine runs transforms like the real engine does), adding
  one resource, or dropping one with a monkeypatched constructor.

For each mutation: the expected rule is among the blocking findings, on the mutated
resource, and the unmutated baseline has no finding of that rule at all.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pytest

import components.disaster_recovery as disaster_recovery
from components.environment import Environment, EnvironmentArgs
from crossdock.blueprint import CheckOptions, check_plan
from crossdock.config import from_pulumi_config
from crossdock.engine import Plan, load_project, load_stack, run_callable, run_program
from crossdock.gate.findings import GateResult

from .conftest import ROOT, named, prod_project

STACK = "prod"
QUEUE = "aws:sqs/queue:Queue"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"

# The resources the mutations break (names derive from stacks/Pulumi.prod.yaml).
ORDERS_CLUSTER = "prod-data-orders-cluster"
CARRIER_EVENTS = "prod-carrier-events"
DATA_SECURITY_GROUP = "prod-data-sg"
WILDCARD_POLICY = "prod-break-glass"


@pytest.fixture(scope="module")
def gate(tmp_path_factory) -> Callable[[Plan], GateResult]:
    """check_plan with an explicit, empty waivers file: a waiver added to policies/waivers.yaml must not hide a mutation."""
    waivers = tmp_path_factory.mktemp("waivers") / "none.yaml"
    waivers.write_text("waivers: []\n")
    return lambda plan: check_plan(plan, ROOT, CheckOptions(waivers=waivers))


@pytest.fixture(scope="module")
def prod_config() -> dict[str, str]:
    """The prod stack's config as the engine hands it to the program (fully qualified keys, JSON values)."""
    return load_stack(load_project(ROOT), STACK).config


def build_prod(prod_config, transforms=(), extra: Callable[[Environment], None] | None = None) -> Plan:
    """Run what __main__.py runs for prod, with `transforms` registered first and `extra` after."""

    def program() -> None:
        for transform in transforms:
            pulumi.runtime.register_resource_transform(transform)
        config = from_pulumi_config(f"stacks/Pulumi.{STACK}.yaml")
        environment = Environment(config.environment.name, EnvironmentArgs(config=config))
        if extra is not None:
            extra(environment)
        for key, value in environment.outputs.items():
            pulumi.export(key, value)

    return run_callable(program, config=prod_config, project="crossdock", stack=STACK, project_dir=ROOT)


@pytest.fixture(scope="module")
def baseline(prod_config, gate) -> GateResult:
    return gate(build_prod(prod_config))


def blocking(result: GateResult) -> set[tuple[str, str]]:
    return {(f.rule, f.name) for f in result.findings if f.blocks}


def test_the_harness_builds_what_the_program_builds(baseline, gate):
    """The run_callable build is the prod program: same resources, same findings."""
    real = run_program(ROOT, STACK)
    assert baseline.resources == sum(1 for r in real.resources if r.custom)
    assert {(f.rule, f.urn, f.message) for f in baseline.findings} == {
        (f.rule, f.urn, f.message) for f in gate(real).findings
    }


# -- mutations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    id: str
    rule: str
    resource: str
    """The resource that carries the finding."""
    run: Callable[..., GateResult]


def config_mutation(edit: Callable[[dict], None]):
    def run(prod_config, gate, monkeypatch, tmp_path) -> GateResult:
        return gate(run_program(prod_project(tmp_path / "project", edit), STACK))

    return run


def transform_mutation(resource_type: str, name: str, change: Callable[[dict], dict]):
    """Change the inputs of exactly one resource with a stack transform, and prove it ran."""

    def run(prod_config, gate, monkeypatch, tmp_path) -> GateResult:
        hits: list[str] = []

        def transform(args: pulumi.ResourceTransformArgs):
            if args.type_ == resource_type and args.name == name:
                hits.append(args.name)
                return pulumi.ResourceTransformResult(change(dict(args.props)), args.opts)
            return None

        result = gate(build_prod(prod_config, transforms=[transform]))
        assert hits == [name], f"the transform never saw {resource_type} {name!r}"
        return result

    return run


def without(*keys: str) -> Callable[[dict], dict]:
    def change(props: dict) -> dict:
        assert all(key in props for key in keys), sorted(props)
        return {k: v for k, v in props.items() if k not in keys}

    return change


def without_tag(key: str) -> Callable[[dict], dict]:
    def change(props: dict) -> dict:
        assert key in props["tags"], sorted(props["tags"])
        return {**props, "tags": {k: v for k, v in props["tags"].items() if k != key}}

    return change


def open_postgres_to_the_internet(props: dict) -> dict:
    assert any(rule.get("fromPort") == 5432 for rule in props["ingress"])
    internet = {
        "description": "debug access",
        "protocol": "tcp",
        "fromPort": 5432,
        "toPort": 5432,
        "cidrBlocks": ["0.0.0.0/0"],
    }
    return {**props, "ingress": [*props["ingress"], internet]}


def add_wildcard_role_policy(prod_config, gate, monkeypatch, tmp_path) -> GateResult:
    def extra(environment: Environment) -> None:
        aws.iam.RolePolicy(
            WILDCARD_POLICY,
            role="prod-dr-backup-role",
            policy=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
            ),
            opts=pulumi.ResourceOptions(parent=environment),
        )

    return gate(build_prod(prod_config, extra=extra))


def drop_carrier_events_age_alarm(prod_config, gate, monkeypatch, tmp_path) -> GateResult:
    real = aws.cloudwatch.MetricAlarm
    dropped: list[str] = []

    def metric_alarm(resource_name, *args, **kwargs):
        tags = kwargs.get("tags") or {}
        if kwargs.get("metric_name") == "ApproximateAgeOfOldestMessage" and tags.get("flow") == "carrier-events":
            dropped.append(resource_name)
            return None
        return real(resource_name, *args, **kwargs)

    monkeypatch.setattr(aws.cloudwatch, "MetricAlarm", metric_alarm)
    result = gate(build_prod(prod_config))
    assert dropped == ["prod-carrier-events-oldest-message-age"]
    return result


def drop_orders_dr_copies(prod_config, gate, monkeypatch, tmp_path) -> GateResult:
    """No Aurora Global Database for orders (DR decides it needs none) and no backup selection covering it."""
    real_cluster, real_selection = aws.rds.Cluster, aws.backup.Selection
    orders: list[aws.rds.Cluster] = []
    dropped: list[str] = []

    def cluster(resource_name, *args, **kwargs):
        created = real_cluster(resource_name, *args, **kwargs)
        if kwargs.get("cluster_identifier") == "prod-orders":
            orders.append(created)
        return created

    def selection(resource_name, *args, **kwargs):
        kept = [arn for arn in kwargs.get("resources") or [] if not any(arn is c.arn for c in orders)]
        if len(kept) < len(kwargs.get("resources") or []):
            dropped.append(resource_name)
            if not kept:
                return None
        return real_selection(resource_name, *args, **{**kwargs, "resources": kept})

    monkeypatch.setattr(disaster_recovery, "needs_continuous_replication", lambda rpo_minutes: False)
    monkeypatch.setattr(aws.rds, "Cluster", cluster)
    monkeypatch.setattr(aws.backup, "Selection", selection)
    plan = build_prod(prod_config)
    assert len(orders) == 1 and len(dropped) == 1
    assert not plan.by_type("aws:rds/globalCluster:GlobalCluster")
    return gate(plan)


MUTATIONS = [
    Mutation(
        "single-az-database",
        "CD-RES-001",
        ORDERS_CLUSTER,
        config_mutation(lambda c: named(c["crossdock:databases"], "orders").update(readers=0)),
    ),
    Mutation(
        "one-day-backups",
        "CD-RES-003",
        ORDERS_CLUSTER,
        config_mutation(lambda c: named(c["crossdock:dataClasses"], "transactional").update(backupRetentionDays=1)),
    ),
    Mutation(
        "queue-without-dlq",
        "CD-RES-020",
        CARRIER_EVENTS,
        transform_mutation(QUEUE, CARRIER_EVENTS, without("redrivePolicy")),
    ),
    Mutation("iam-wildcard", "CD-IAM-001", WILDCARD_POLICY, add_wildcard_role_policy),
    Mutation(
        "open-database-port",
        "CD-NET-003",
        DATA_SECURITY_GROUP,
        transform_mutation(SECURITY_GROUP, DATA_SECURITY_GROUP, open_postgres_to_the_internet),
    ),
    Mutation("missing-queue-age-alarm", "CD-RES-030", CARRIER_EVENTS, drop_carrier_events_age_alarm),
    Mutation("no-dr-copy", "CD-RES-009", ORDERS_CLUSTER, drop_orders_dr_copies),
    Mutation(
        "unencrypted-queue",
        "CD-ENC-003",
        CARRIER_EVENTS,
        transform_mutation(QUEUE, CARRIER_EVENTS, without("kmsMasterKeyId")),
    ),
    Mutation(
        "real-time-process-without-kpi",
        "CD-OPS-001",
        "prod-process-carrier-label-printing-map",
        config_mutation(lambda c: named(c["crossdock:businessProcesses"], "carrier-label-printing").update(kpis=[])),
    ),
    Mutation(
        "critical-queue-without-owner",
        "CD-OPS-002",
        CARRIER_EVENTS,
        transform_mutation(QUEUE, CARRIER_EVENTS, without_tag("team")),
    ),
    Mutation(
        "alarm-without-runbook",
        "CD-OPS-003",
        "prod-orders-cpu-high",
        transform_mutation("aws:cloudwatch/metricAlarm:MetricAlarm", "prod-orders-cpu-high", without_tag("runbook")),
    ),
]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_the_baseline_has_no_finding_of_the_mutation_rule(baseline, mutation):
    assert not [f for f in baseline.findings if f.rule == mutation.rule]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[m.id for m in MUTATIONS])
def test_one_mutation_fails_the_gate_on_its_rule(baseline, prod_config, gate, monkeypatch, tmp_path, mutation):
    result = mutation.run(prod_config, gate, monkeypatch, tmp_path)

    assert not result.passed
    assert (mutation.rule, mutation.resource) in blocking(result), sorted(blocking(result) - blocking(baseline))
    finding = next(f for f in result.findings if (f.rule, f.name) == (mutation.rule, mutation.resource))
    assert finding.enforcement.value == "mandatory" and not finding.waived
    assert finding.urn.endswith(f"::{mutation.resource}")
    assert (mutation.rule, mutation.resource) in blocking(result) - blocking(baseline)
