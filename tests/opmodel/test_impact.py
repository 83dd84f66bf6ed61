"""`crossdock impact`: the recorded graph plus the declared map, with exact answers for prod."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crossdock.cli import main
from crossdock.impact.analysis import analyse, resolve_target

STARTED = datetime(2026, 12, 7, 3, 10, tzinfo=UTC)


def report(config, plan, target: str) -> dict:
    return analyse(config, plan, resolve_target(config, plan, target), started=STARTED).to_json()


def processes(result: dict) -> list[tuple]:
    return [(p["name"], p["impact"], p["severity"], p["direct"], p["via"]) for p in result["processes"]]


def test_orders_database(prod_config, prod_plan):
    result = report(prod_config, prod_plan, "orders")
    assert result["target"] == {"kind": "database", "name": "orders"}
    assert result["severity"] == "SEV1" and result["response_minutes"] == 15
    # The graph: every service whose Deployment is wired to the orders cluster's endpoint.
    assert [(a["kind"], a["name"], a["team"], a["via"]) for a in result["affected"]] == [
        ("database", "orders", "platform", "the target"),
        ("service", "asn-ingestor", "integrations", "depends on prod-data-orders-cluster"),
        ("service", "billing-worker", "finance-systems", "depends on prod-data-orders-cluster"),
        ("service", "shipment-api", "fulfillment", "depends on prod-data-orders-cluster"),
    ]
    # The map: processes on orders (or on a service that stops with it) stop; downstream ones are delayed.
    assert processes(result) == [
        ("inventory-reservation", "stopped", "SEV1", True, "database orders"),
        ("order-release", "stopped", "SEV1", True, "database orders"),
        ("shipment-creation", "stopped", "SEV1", True, "database orders"),
        ("customer-visibility", "stopped", "SEV2", True, "database orders"),
        ("financial-posting", "stopped", "SEV2", True, "service billing-worker"),
        ("invoicing", "stopped", "SEV2", True, "database orders"),
        ("receiving", "stopped", "SEV2", True, "database orders"),
        ("carrier-label-printing", "degraded", "SEV2", False, "waits for shipment-creation"),
    ]
    assert [t["id"] for t in result["tenants"]] == ["globex", "acme"]
    assert [(p["team"], p["severity"], p["topic"], p["backup"]) for p in result["page"]] == [
        ("fulfillment", "SEV1", "prod-team-fulfillment-sev1", "+15555550101"),
        ("platform", "SEV1", "prod-team-platform-sev1", "oncall-logistics@example.com"),
        ("finance-systems", "SEV2", "prod-team-finance-systems-sev2", "finance-systems-backup@example.com"),
        ("integrations", "SEV2", "prod-team-integrations-sev2", "integrations-backup@example.com"),
    ]
    # SEV1 pages the escalation contacts too.
    assert result["page"][0]["escalation"] == [
        "Fulfillment engineering manager (+15555550102) after 30 min",
        "VP Operations (vp-operations@example.com) after 60 min",
    ]
    assert [v["name"] for v in result["vendors"]] == ["edi-van", "erp"]
    assert [r["command"] for r in result["runbooks"]][:2] == [
        "scripts/crossdock runbook run db-failover --stack prod --param database=orders --param scope=az",
        "scripts/crossdock runbook run freeze-deploys --stack prod --param until=<end of incident>",
    ]
    assert result["notice"]["template"] == "shipment-processing-delay"
    assert result["notice"]["subject"] == "[SEV1] Shipment processing delayed for Globex Freight, ACME Logistics"
    assert result["notice"]["body"].startswith("Since 2026-12-07 03:10 UTC shipment processing in our prod platform")
    assert result["notice"]["body"].endswith("Next update by 2026-12-07 03:40 UTC.")


def test_label_requests_queue(prod_config, prod_plan):
    result = report(prod_config, prod_plan, "label-requests")
    # label-printer consumes it (stops); shipment-api only produces to it (keeps serving, cannot hand on labels).
    assert [(a["name"], a["impact"]) for a in result["affected"]] == [
        ("label-requests", "stopped"),
        ("label-printer", "stopped"),
        ("shipment-api", "degraded"),
    ]
    assert processes(result) == [
        ("carrier-label-printing", "stopped", "SEV1", True, "queue label-requests"),
        ("shipment-creation", "stopped", "SEV1", True, "service label-printer"),
        ("inventory-reservation", "degraded", "SEV2", True, "service shipment-api"),
        ("order-release", "degraded", "SEV2", True, "service shipment-api"),
        ("customer-visibility", "degraded", "SEV3", True, "service shipment-api"),
        ("financial-posting", "degraded", "SEV3", False, "waits for invoicing"),
        ("invoicing", "degraded", "SEV3", False, "waits for shipment-creation"),
    ]
    assert result["notice"]["template"] == "label-printing-delays"
    assert [v["name"] for v in result["vendors"]] == ["carrier-api", "erp"]


def test_a_tenant_is_a_single_tenant_impact(prod_config, prod_plan):
    result = report(prod_config, prod_plan, "globex")
    assert result["severity"] == "SEV3"
    assert {(p["name"], p["impact"]) for p in result["processes"]} >= {
        ("carrier-label-printing", "single-tenant"),
        ("receiving", "single-tenant"),
    }
    assert [r["name"] for r in result["runbooks"][:3]] == ["isolate-tenant", "rotate-credentials", "release-tenant"]
    assert result["tenants"] == [
        {
            "id": "globex",
            "display_name": "Globex Freight",
            "isolation": "pool",
            "team": "integrations",
            "processes": ["carrier-label-printing", "receiving"],
        }
    ]


def test_losing_a_zone_degrades_multi_az_databases(prod_config, prod_plan):
    result = report(prod_config, prod_plan, "az:us-east-1c")
    orders = next(a for a in result["affected"] if a["name"] == "orders")
    assert (orders["impact"], orders["via"]) == (
        "degraded",
        "an instance in us-east-1c; fails over to us-east-1a, us-east-1b",
    )
    # reporting has instances in 1a and 1b only.
    assert "reporting" not in [a["name"] for a in result["affected"]]
    assert result["severity"] == "SEV2"
    assert "scripts/crossdock runbook run db-failover --stack prod --param database=orders --param scope=az" in [
        r["command"] for r in result["runbooks"]
    ]


def test_the_dr_region_holds_copies_only(prod_config, prod_plan):
    result = report(prod_config, prod_plan, "us-west-2")
    assert result["processes"] == [] and result["severity"] is None
    assert result["notes"][0].startswith("us-west-2 holds the DR copies (")


def test_a_plan_resource_is_a_target(prod_config, prod_plan):
    # The data tier's security group: both clusters depend on it, so every database-backed process stops.
    result = report(prod_config, prod_plan, "prod-data-sg")
    assert result["target"] == {"kind": "resource", "name": "prod-data-sg"}
    assert {a["name"] for a in result["affected"]} >= {"orders", "reporting", "shipment-api", "reporting-api"}
    assert ("reporting", "stopped", "SEV3", True, "database reporting") in processes(result)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "order",
            (
                "crossdock: error: impact: 'order' is not a service, queue, database, tenant, integration or "
                "resource of stack 'prod', nor an availability zone (az:ZONE) or region; did you mean 'orders'?"
            ),
        ),
        (
            "az:us-east-1f",
            (
                "crossdock: error: impact: availability zone 'us-east-1f' holds nothing of stack 'prod' "
                "(zones: us-east-1a, us-east-1b, us-east-1c, us-west-2a, us-west-2b, us-west-2c)"
            ),
        ),
        (
            "eu-west-1",
            "crossdock: error: impact: region 'eu-west-1' holds nothing of stack 'prod' (regions: us-east-1, us-west-2)",
        ),
    ],
)
def test_bad_targets_answer_with_one_line_and_exit_2(cached_plans, capsys, target, message):
    assert main(["impact", "prod", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == message + "\n"


def test_cli_formats(cached_plans, capsys):
    assert main(["impact", "prod", "orders", "--format", "json", "--started", "2026-12-07T03:10Z"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["severity"] == "SEV1" and document["stack"] == "prod"
    assert main(["impact", "prod", "orders", "--format", "markdown", "--started", "2026-12-07T03:10Z"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Impact: database orders fails in prod: SEV1, respond within 15 min\n")
    assert (
        "| SEV1 | `shipment-creation` | real-time-fulfillment | stopped | directly via database orders | fulfillment |"
        in markdown
    )
    assert main(["impact", "prod", "orders", "--started", "2026-12-07T03:10Z"]) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "database orders fails in prod: SEV1, respond within 15 min"
    assert "  scripts/crossdock runbook run db-failover --stack prod --param database=orders --param scope=az" in text
    assert "Customer notice (shipment-processing-delay):" in text


def test_bad_started_time_is_bad_input(cached_plans, capsys):
    assert main(["impact", "prod", "orders", "--started", "yesterday"]) == 2
    assert capsys.readouterr().err == (
        "crossdock: error: --started: 'yesterday' is not an ISO 8601 time (e.g. 2026-12-07T03:10Z)\n"
    )


def test_dev_database(dev_config, dev_plan):
    result = report(dev_config, dev_plan, "orders")
    assert processes(result) == [
        ("shipment-creation", "stopped", "SEV3", True, "database orders"),
        ("carrier-label-printing", "degraded", "SEV4", False, "waits for shipment-creation"),
    ]
    assert result["notice"] is None  # dev's SEV3 sends no customer notice
