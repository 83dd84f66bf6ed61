"""Operating-model rules: KPI alarms on real-time processes, owners of critical resources, runbooks on alarms."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import operating_model
from tests.policies.harness import policy_resource, resource_args, violations

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
PARAMETER = "aws:ssm/parameter:Parameter"
QUEUE = "aws:sqs/queue:Queue"


def process_entry(name: str, criticality: str = "real-time-fulfillment"):
    return policy_resource(
        PARAMETER,
        {
            "name": f"/crossdock/prod/business-processes/{name}",
            "tags": {"business-process": name, "process-criticality": criticality, "team": "fulfillment"},
        },
        name=f"prod-process-{name}-map",
    )


def kpi_alarm(processes: str, *, kpi: str = "failed-label-requests"):
    return policy_resource(
        ALARM,
        {
            "name": f"prod-{kpi}",
            "alarmDescription": "Carrier labels are failing. Runbook: queue-replay.",
            "tags": {"kpi": kpi, "business-process": processes, "runbook": "queue-replay"},
        },
        name=f"prod-{kpi}",
    )


# --- CD-OPS-001 ------------------------------------------------------------------------------------


def test_real_time_process_measured_by_a_kpi_alarm_passes():
    resources = [process_entry("carrier-label-printing"), kpi_alarm("carrier-label-printing shipment-creation")]
    assert violations(operating_model.KPI_ALARM, resources) == []


def test_real_time_process_without_a_kpi_alarm_fails():
    resources = [
        process_entry("carrier-label-printing"),
        process_entry("shipment-creation"),
        kpi_alarm("shipment-creation"),
    ]
    assert violations(operating_model.KPI_ALARM, resources) == [
        'business process "carrier-label-printing" is real-time-fulfillment but no KPI alarm measures it: the '
        "platform can look healthy while it has stopped"
    ]


def test_an_alarm_without_the_kpi_tag_does_not_count():
    queue_alarm = policy_resource(
        ALARM,
        {"name": "prod-label-requests-oldest-message-age", "tags": {"business-process": "carrier-label-printing"}},
        name="prod-label-requests-oldest-message-age",
    )
    assert len(violations(operating_model.KPI_ALARM, [process_entry("carrier-label-printing"), queue_alarm])) == 1


def test_near_real_time_process_needs_no_kpi_alarm():
    assert violations(operating_model.KPI_ALARM, [process_entry("invoicing", "near-real-time-integration")]) == []


# --- CD-OPS-002 ------------------------------------------------------------------------------------


def test_resource_of_a_critical_process_with_a_team_passes():
    tags = {
        "business-process": "receiving",
        "process-criticality": "near-real-time-integration",
        "team": "integrations",
    }
    assert (
        violations(operating_model.PROCESS_OWNER, resource_args(QUEUE, {"tags": tags}, name="prod-asn-ingestion")) == []
    )


def test_resource_of_a_critical_process_without_a_team_fails():
    tags = {
        "business-process": "carrier-label-printing shipment-creation",
        "process-criticality": "real-time-fulfillment",
    }
    assert violations(
        operating_model.PROCESS_OWNER, resource_args(QUEUE, {"tags": tags}, name="prod-label-requests")
    ) == [
        '"prod-label-requests" serves real-time-fulfillment business process(es) carrier-label-printing, '
        "shipment-creation but has no `team` tag: nobody would be paged when it breaks"
    ]


def test_reporting_resource_may_go_without_a_team():
    tags = {"business-process": "reporting", "process-criticality": "internal-reporting"}
    assert violations(operating_model.PROCESS_OWNER, resource_args(QUEUE, {"tags": tags})) == []


def test_unknown_tags_are_judged_later():
    assert violations(operating_model.PROCESS_OWNER, resource_args(QUEUE, {"tags": UNKNOWN_STRING_VALUE})) == []


# --- CD-OPS-003 ------------------------------------------------------------------------------------


def test_alarm_naming_its_runbook_passes():
    props = {
        "name": "prod-orders-replica-lag",
        "alarmDescription": "Readers trail the writer. Severity: SEV2 (critical alert). Team: platform. Runbook: db-failover.",
        "tags": {"runbook": "db-failover"},
    }
    assert violations(operating_model.ALARM_RUNBOOK, resource_args(ALARM, props)) == []


def test_alarm_without_a_runbook_fails():
    props = {"name": "prod-orders-cpu-high", "alarmDescription": "CPU is high.", "tags": {"severity": "warning"}}
    assert violations(operating_model.ALARM_RUNBOOK, resource_args(ALARM, props)) == [
        'alarm "prod-orders-cpu-high" names no runbook (`runbook` tag): on-call gets a page and no procedure'
    ]


def test_alarm_whose_description_hides_its_runbook_fails():
    props = {"name": "prod-orders-cpu-high", "alarmDescription": "CPU is high.", "tags": {"runbook": "db-failover"}}
    assert violations(operating_model.ALARM_RUNBOOK, resource_args(ALARM, props)) == [
        "alarm \"prod-orders-cpu-high\" is tagged runbook 'db-failover' but its description does not say "
        '"Runbook: db-failover.": the page on-call reads does not name it'
    ]


def test_runbook_rule_ignores_other_resources():
    assert violations(operating_model.ALARM_RUNBOOK, resource_args(QUEUE, {"tags": {}})) == []
