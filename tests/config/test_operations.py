"""The operating-model sections (teams, owners, processes, severity, communications): exact error lines."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from crossdock.config import load_stack_file, operations
from crossdock.config.operations import Impact, IncidentSeverity, OperatingModel
from crossdock.config.schema import Criticality
from tests.config.test_stack_config import PROD_FILE, ROOT, SOURCE, error_for

PREFIX = f"{SOURCE}: crossdock:"


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_shipped_stacks_declare_teams_processes_and_severity(stack: str) -> None:
    config = load_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    assert config.teams and config.business_processes and config.severity is not None
    # Every service, queue and database names its owner in the shipped stacks.
    assert all(item.team for item in (*config.services, *config.queues, *config.databases))


def test_prod_operating_model() -> None:
    config = load_stack_file(PROD_FILE)
    assert [team.name for team in config.teams] == ["fulfillment", "integrations", "finance-systems", "platform"]
    model = OperatingModel(config)
    assert model.processes_of("database", "orders") == (
        "customer-visibility",
        "inventory-reservation",
        "invoicing",
        "order-release",
        "receiving",
        "shipment-creation",
    )
    assert model.downstream(["shipment-creation"]) == {
        "carrier-label-printing": "shipment-creation",
        "invoicing": "shipment-creation",
        "customer-visibility": "shipment-creation",
        "financial-posting": "invoicing",
    }
    assert model.ownership("queue", "label-requests").tags() == {
        "team": "fulfillment",
        "business-process": "carrier-label-printing",
        "process-criticality": "real-time-fulfillment",
    }
    assert model.severity(Impact.STOPPED, Criticality.REAL_TIME_FULFILLMENT) is IncidentSeverity.SEV1
    assert model.severity(Impact.STOPPED, Criticality.NEAR_REAL_TIME_INTEGRATION) is IncidentSeverity.SEV2
    assert model.severity(Impact.SINGLE_TENANT, Criticality.REAL_TIME_FULFILLMENT) is IncidentSeverity.SEV3
    assert model.severity(Impact.DEGRADED, Criticality.INTERNAL_REPORTING) is IncidentSeverity.SEV4


def test_unknown_team_of_a_service() -> None:
    message = error_for(lambda ns: ns["services"][1].update(team="fulfilment"))
    assert message == (
        f"{PREFIX}services[1].team: unknown team 'fulfilment' "
        "(teams: finance-systems, fulfillment, integrations, platform)"
    )


def test_unknown_team_of_a_tenant() -> None:
    message = error_for(lambda ns: ns["tenants"][0].update(team="sales"))
    assert message == (
        f"{PREFIX}tenants[0].team: unknown team 'sales' (teams: finance-systems, fulfillment, integrations, platform)"
    )


def test_real_time_queue_needs_an_owner() -> None:
    message = error_for(lambda ns: ns["queues"][5].pop("team"))
    assert message == (
        f"{PREFIX}queues[5].team: queue 'label-requests' is real-time-fulfillment, so it needs an owning team "
        "(teams: finance-systems, fulfillment, integrations, platform)"
    )


def test_database_of_a_critical_process_needs_an_owner() -> None:
    # Databases have no tier of their own: the orders database serves real-time fulfilment processes.
    message = error_for(lambda ns: ns["databases"][0].pop("team"))
    assert message == (
        f"{PREFIX}databases[0].team: database 'orders' is real-time-fulfillment, so it needs an owning team "
        "(teams: finance-systems, fulfillment, integrations, platform)"
    )


def test_reporting_resources_may_go_without_an_owner() -> None:
    def mutate(ns: dict) -> None:
        ns["databases"][1].pop("team")
        ns["services"][5].pop("team")

    from crossdock.config import parse_stack_config
    from tests.config.test_stack_config import prod_namespace

    namespace = prod_namespace()
    mutate(namespace)
    config = parse_stack_config(namespace, SOURCE, "us-east-1")
    assert config.databases[1].team is None


def test_process_names_an_unknown_queue() -> None:
    message = error_for(lambda ns: ns["businessProcesses"][3]["queues"].append("label-request"))
    assert message.startswith(f"{PREFIX}businessProcesses[3].queues[2]: unknown queue 'label-request' (declared: ")


def test_process_names_an_unknown_vendor() -> None:
    message = error_for(lambda ns: ns["businessProcesses"][0].update(integrations=["sap"]))
    assert message == (
        f"{PREFIX}businessProcesses[0].integrations[0]: unknown integration (teams[].vendors[].name) 'sap' "
        "(declared: carrier-api, edi-van, erp)"
    )


def test_process_names_an_unknown_runbook() -> None:
    message = error_for(lambda ns: ns["businessProcesses"][0].update(runbook="restart-everything"))
    assert message == (
        f"{PREFIX}businessProcesses[0].runbook: unknown runbook 'restart-everything' (runbooks: queue-replay, "
        "db-failover, rotate-credentials, isolate-tenant, release-tenant, freeze-deploys)"
    )


def test_process_dependency_cycle() -> None:
    message = error_for(lambda ns: ns["businessProcesses"][0].update(dependsOn=["financial-posting"]))
    assert message == (
        f"{PREFIX}businessProcesses[0].dependsOn: processes depend on each other in a cycle: order-release -> "
        "financial-posting -> invoicing -> shipment-creation -> inventory-reservation -> order-release"
    )


def test_processes_need_a_severity_section() -> None:
    message = error_for(lambda ns: ns.pop("severity"))
    assert (
        message == f"{PREFIX}severity: businessProcesses need a severity section (the matrix from impact to SEV1-SEV4)"
    )


def test_severity_matrix_must_cover_every_impact() -> None:
    message = error_for(lambda ns: ns["severity"]["matrix"].pop())
    assert message == (
        f"{PREFIX}severity.matrix: no row gives the severity of impact 'degraded' on a internal-reporting process "
        "(add a row for it, or one without criticality)"
    )


def test_unknown_severity_value_names_the_key() -> None:
    message = error_for(lambda ns: ns["severity"]["matrix"][0].update(severity="sev5"))
    assert (
        message == f"{PREFIX}severity.matrix[0].severity: Input should be 'sev1', 'sev2', 'sev3' or 'sev4' (got 'sev5')"
    )


def test_unknown_key_in_a_team_suggests_the_right_one() -> None:
    message = error_for(lambda ns: ns["teams"][0].update(escalations=ns["teams"][0].pop("escalation")))
    assert message.startswith(
        f"{PREFIX}teams[0].escalations: unknown key 'escalations'; did you mean 'escalation'? (allowed: "
    )


def test_level_template_must_exist() -> None:
    message = error_for(lambda ns: ns["severity"]["levels"]["sev2"].update(template="portal-down"))
    assert message == (
        f"{PREFIX}severity.levels.sev2.template: unknown communication template 'portal-down' (templates: "
        "delayed-status-updates, edi-backlog, label-printing-delays, portal-degradation, shipment-processing-delay)"
    )


def test_template_placeholders_are_checked() -> None:
    message = error_for(lambda ns: ns["communications"][1].update(body="Since {start} updates are late."))
    assert message == (
        f"{PREFIX}communications[1].body: unknown placeholder {{start}} (allowed: environment, severity, tenants, "
        "processes, impact, started, next_update)"
    )


def test_operating_model_reference_documents_every_key() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    models = [m for m in vars(operations).values() if isinstance(m, type) and issubclass(m, BaseModel)]
    models = [m for m in models if m.__module__ == operations.__name__]
    assert len(models) == 11
    for model in models:
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in reference, f"docs/configuration.md lacks {model.__name__}.{name}"
    assert "`team`" in reference
