"""`crossdock assess` and CD-RES-050/051: achievable RTO/RPO from the graph vs the declared objectives.

The mutation tests break the program (not the stack file, which keeps declaring the same
objectives) and prove the graph-based estimate flips the right objective to Breached and
fails the gate: no DR secondary -> region RPO; one instance -> AZ RTO; a DLQ that keeps
messages shorter than the replay window -> flow RPO.
"""

from __future__ import annotations

import json

import pulumi
import pytest

import components.disaster_recovery as disaster_recovery
from components.environment import Environment, EnvironmentArgs
from crossdock.assess import Assessment, assess_plan
from crossdock.assess.report import render_json, render_markdown
from crossdock.blueprint import CheckOptions, check_plan
from crossdock.cli import main
from crossdock.config import from_pulumi_config
from crossdock.engine import Plan, load_project, load_stack, run_callable, run_program
from policies.recovery_figures import FIGURES
from policies.rules.recovery_model import Kind, Status, cron_interval_minutes, minutes_of

from ..gate.conftest import ROOT

STACK = "prod"


def build_prod(prod_config, transforms=()) -> Plan:
    def program() -> None:
        for transform in transforms:
            pulumi.runtime.register_resource_transform(transform)
        config = from_pulumi_config(f"stacks/Pulumi.{STACK}.yaml")
        environment = Environment(config.environment.name, EnvironmentArgs(config=config))
        for key, value in environment.outputs.items():
            pulumi.export(key, value)

    return run_callable(program, config=prod_config, project="crossdock", stack=STACK, project_dir=ROOT)


@pytest.fixture(scope="module")
def prod_config() -> dict[str, str]:
    return load_stack(load_project(ROOT), STACK).config


@pytest.fixture(scope="module")
def prod() -> Assessment:
    return assess_plan(run_program(ROOT, STACK))


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    waivers = tmp_path_factory.mktemp("waivers") / "none.yaml"
    waivers.write_text("waivers: []\n")
    return lambda plan: check_plan(plan, ROOT, CheckOptions(waivers=waivers))


def row(assessment: Assessment, kind: Kind, subject: str, disruption: str):
    return next(r for r in assessment.rows if r.kind is kind and r.subject == subject and r.disruption == disruption)


# -- prod as built ---------------------------------------------------------------------------------


def test_every_declared_objective_of_prod_is_met_except_tier_region_which_the_graph_cannot_show(prod):
    declared = [r for r in prod.rows if r.target is not None]
    assert {(r.kind, r.subject, r.disruption) for r in declared if r.status is not Status.MET} == {
        (Kind.TIER, "real-time-fulfillment", "region"),
        (Kind.TIER, "near-real-time-integration", "region"),
    }
    assert all(r.status is Status.NOT_COVERED for r in declared if r.status is not Status.MET)
    assert prod.count(Status.BREACHED) == 0
    assert prod.count(Status.MET) == 32


def test_orders_region_rests_on_the_global_secondary_and_its_figures(prod):
    region = row(prod, Kind.DATABASE, "prod-orders", "region")
    assert region.status is Status.MET
    assert region.estimate.rests_on == (
        "prod-data-orders-cluster",
        "prod-dr-orders-global",
        "prod-dr-orders-secondary",
    )
    assert region.estimate.figures == (
        "aurora-global-replication-lag",
        "aurora-global-promotion",
        "aurora-instance-creation",
    )
    assert region.estimate.rpo == pytest.approx(1 / 60)
    assert region.estimate.rto == 11
    assert (region.target.rpo, region.target.rto) == (5, 60)


def test_orders_az_rests_on_three_instances_in_three_zones(prod):
    az = row(prod, Kind.DATABASE, "prod-orders", "az")
    assert az.estimate.rests_on == (
        "prod-data-orders-cluster",
        "prod-data-orders-instance-1",
        "prod-data-orders-instance-2",
        "prod-data-orders-instance-3",
    )
    assert (az.estimate.rpo, az.estimate.rto) == (0, 1)
    assert az.estimate.reason == "3 instances in 3 AZs (us-east-1a, us-east-1b, us-east-1c): a reader is promoted"


def test_buckets_replicate_with_replication_time_control(prod):
    for bucket in ("prod-payload-archive", "prod-security-audit", "prod-lb-access-logs"):
        region = row(prod, Kind.BUCKET, bucket, "region")
        assert region.status is Status.MET, region.why
        assert region.estimate.figures == ("s3-replication-time-control",)
        assert region.estimate.rpo == 15


def test_undeclared_hardware_and_software_are_not_covered(prod):
    hardware = row(prod, Kind.DATA_CLASS, "transactional", "hardware")
    assert hardware.status is Status.NOT_COVERED and hardware.target is None
    assert hardware.why == "no declared objective"


def test_reports_carry_every_row(prod):
    document = json.loads(render_json(prod))
    assert len(document["rows"]) == len(prod.rows)
    assert document["summary"] == {"Met": 32, "Breached": 0, "Not covered": len(prod.rows) - 32}
    orders = next(r for r in document["rows"] if r["subject"] == "prod-orders" and r["disruption"] == "region")
    assert orders["figures"] == {
        "aurora-global-replication-lag": pytest.approx(1 / 60),
        "aurora-global-promotion": 1,
        "aurora-instance-creation": 10,
    }
    markdown = render_markdown(prod)
    assert "| database: prod-orders | region | Met | 5 min / 60 min | 1 s / 11 min |" in markdown


# -- mutations: the program changes, the stack file does not ---------------------------------------


def _breached(plan: Plan) -> set[tuple[str, str, str]]:
    return {(r.kind.value, r.subject, r.disruption) for r in assess_plan(plan).breached}


def _blocking(result, rule: str) -> list[tuple[str, str]]:
    return [(f.name, f.message) for f in result.findings if f.rule == rule and f.blocks]


def test_no_dr_secondary_breaches_the_region_rpo_and_fails_the_gate(prod_config, gate, monkeypatch):
    monkeypatch.setattr(disaster_recovery, "needs_continuous_replication", lambda rpo: False)
    plan = build_prod(prod_config)
    assert not [r for r in plan.resources if r.type == "aws:rds/globalCluster:GlobalCluster"]
    assert ("database", "prod-orders", "region") in _breached(plan)
    assert ("data class", "transactional", "region") in _breached(plan)
    findings = _blocking(gate(plan), "CD-RES-050")
    orders = [message for name, message in findings if name == "prod-data-orders-cluster"]
    assert orders == [
        'database "prod-orders" cannot meet the declared region objective of data class "transactional": '
        "RPO 4 h > target 5 min; RTO 4 h > target 60 min (AWS Backup copies to another region every 60 min, finishing within 3 h of the "
        "schedule (start + completion windows); rests on prod-data-orders-cluster, prod-dr-transactional-selection, "
        "prod-dr-backup-plan). Fix: build an Aurora Global Database secondary in the DR region (a region RPO under "
        "the backup interval needs continuous replication), or relax the region objective"
    ]


def test_instances_in_one_zone_breach_the_az_rto(prod_config, gate):
    kept: list[str] = []

    def transform(args: pulumi.ResourceTransformArgs):
        if (
            args.type_ == "aws:rds/clusterInstance:ClusterInstance"
            and args.name.startswith("prod-data-orders-instance-")
            and args.name != "prod-data-orders-instance-1"
        ):
            # Same cluster, same zone as the writer: one AZ holds every instance.
            props = dict(args.props)
            props["availabilityZone"] = "us-east-1a"
            kept.append(args.name)
            return pulumi.ResourceTransformResult(props, args.opts)
        return None

    plan = build_prod(prod_config, transforms=[transform])
    assert kept == ["prod-data-orders-instance-2", "prod-data-orders-instance-3"]
    assert ("database", "prod-orders", "az") in _breached(plan)
    az = row(assess_plan(plan), Kind.DATABASE, "prod-orders", "az")
    assert (az.estimate.rpo, az.estimate.rto) == (0, 10)
    assert az.why == "RTO 10 min > target 5 min"
    assert ("prod-data-orders-cluster", "CD-RES-050") in {(f.name, f.rule) for f in gate(plan).findings if f.blocks}


def test_single_instance_cluster_breaches_the_az_rto(prod_config, gate, tmp_path):
    from ..gate.conftest import named, prod_project

    def edit(config: dict) -> None:
        named(config["crossdock:databases"], "orders")["readers"] = 0

    plan = run_program(prod_project(tmp_path / "project", edit), STACK)
    az = row(assess_plan(plan), Kind.DATABASE, "prod-orders", "az")
    assert az.status is Status.BREACHED
    assert az.estimate.reason == (
        "1 instance(s) in 1 AZ(s): no reader elsewhere to promote, Aurora must create a new primary"
    )
    assert any(f.rule == "CD-RES-050" and f.name == "prod-data-orders-cluster" for f in gate(plan).findings if f.blocks)


def test_dlq_retention_below_the_replay_window_breaches_the_flow_rpo(prod_config, gate):
    def transform(args: pulumi.ResourceTransformArgs):
        if args.type_ == "aws:sqs/queue:Queue" and args.name == "prod-carrier-events-dlq":
            return pulumi.ResourceTransformResult({**args.props, "messageRetentionSeconds": 86400}, args.opts)
        return None

    plan = build_prod(prod_config, transforms=[transform])
    assert _breached(plan) >= {("flow", "carrier-events", "az"), ("data class", "integration-payloads", "az")}
    flow = row(assess_plan(plan), Kind.FLOW, "carrier-events", "az")
    assert flow.estimate.rpo is None
    assert flow.why == "RPO unbounded > target 0; RTO unbounded > target 15 min"
    assert ("prod-carrier-events", "CD-RES-050") in {(f.name, f.rule) for f in gate(plan).findings if f.blocks}


def test_a_data_class_without_objectives_is_a_finding_in_production(prod_config, gate):
    def transform(args: pulumi.ResourceTransformArgs):
        if args.type_ == "aws:resiliencehub/resiliencyPolicy:ResiliencyPolicy" and args.name.endswith("-transactional"):
            tags = {k: v for k, v in args.props["tags"].items() if k != "data-class"}
            return pulumi.ResourceTransformResult({**args.props, "tags": tags}, args.opts)
        return None

    result = gate(build_prod(prod_config, transforms=[transform]))
    names = sorted(name for name, _ in _blocking(result, "CD-RES-051"))
    assert names == [
        "prod-billing-triggers",
        "prod-billing-triggers-dlq",
        "prod-data-orders-cluster",
        "prod-shipment-confirmations",
        "prod-shipment-confirmations-dlq",
    ]


# -- the pieces --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "minutes"),
    [("0s", 0), ("300s", 5), ("1h30m", 90), ("1h0m0s", 60), ("500ms", 500 / 60000), ("5x", None), ("", None)],
)
def test_go_durations(duration, minutes):
    assert minutes_of(duration) == (pytest.approx(minutes) if minutes is not None else None)


@pytest.mark.parametrize(
    ("expression", "minutes"),
    [
        ("cron(0 * * * ? *)", 60),
        ("cron(0 5 * * ? *)", 1440),
        ("cron(0/15 * * * ? *)", 15),
        ("cron(0 */4 * * ? *)", 240),
        ("rate(12 hours)", 720),
        ("cron(0 5 ? * MON *)", None),
        (None, None),
    ],
)
def test_backup_schedules(expression, minutes):
    assert cron_interval_minutes(expression) == minutes


def test_every_figure_has_a_public_source():
    for figure in FIGURES.values():
        assert figure.source.startswith("https://"), figure.id
        assert figure.says and figure.what


def test_cli_exit_codes_and_formats(tmp_path, capsys):
    output = tmp_path / "assess.json"
    assert main(["assess", "prod", "--format", "json", "--output", str(output)]) == 0
    document = json.loads(output.read_text())
    assert document["summary"]["Breached"] == 0
    assert main(["assess", "no-such-stack"]) == 2
    assert "no-such-stack" in capsys.readouterr().err


def test_the_doc_table_is_the_figures_module():
    from policies.recovery_figures import markdown_table

    doc = (ROOT / "docs" / "resilience-model.md").read_text()
    assert markdown_table() in doc
