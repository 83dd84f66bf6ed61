"""TenantPool: the exact children, the rate rules, per-tenant alarms and the session-tag access role."""

from __future__ import annotations

import json

import pytest

from components.tenant_pool import TenantPool, TenantPoolArgs, tenant_rate_rules
from crossdock.config import load_stack_file
from crossdock.config.schema import Severity
from crossdock.engine import STACK_TYPE, run_callable

from .support import PROD_FILE

PROD = load_stack_file(PROD_FILE)
TOPICS = {s: f"arn:aws:sns:us-east-1:111122223333:prod-alerts-{s.value}" for s in Severity}
ARCHIVE = "arn:aws:s3:::prod-payload-archive-1234567"
ARCHIVE_KEY = "arn:aws:kms:us-east-1:111122223333:key/integration-payloads"
SERVICE_ROLES = ["arn:aws:iam::111122223333:role/prod-shipment-api", "arn:aws:iam::111122223333:role/prod-asn-ingestor"]
COMPONENT = "crossdock:tenant:TenantPool"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


def build(web_acl_arn=None, principals=SERVICE_ROLES):
    def program() -> None:
        TenantPool(
            "prod-tenancy",
            TenantPoolArgs(
                config=PROD,
                alert_topic_arns=TOPICS,
                archive_bucket_arn=ARCHIVE,
                archive_key_arn=ARCHIVE_KEY,
                log_key_arn="arn:aws:kms:us-east-1:111122223333:key/operations",
                web_acl_arn=web_acl_arn,
                session_principal_arns=principals,
            ),
        )

    plan = run_callable(program, config={"aws:region": "us-east-1"})
    return {(r.type, r.name): r for r in plan.resources}


@pytest.fixture(scope="module")
def pool():
    return build()


def test_exact_children(pool) -> None:
    kpis = ["order-to-shipment-latency", "failed-label-requests", "delayed-asn-imports", "unprocessed-pick-tasks"]
    assert set(pool) == {
        (STACK_TYPE, "crossdock-test"),
        (COMPONENT, "prod-tenancy"),
        ("aws:wafv2/webAcl:WebAcl", "prod-tenancy-waf"),
        ("aws:cloudwatch/logGroup:LogGroup", "prod-tenancy-waf-logs"),
        ("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "prod-tenancy-waf-logging"),
        *[(ALARM, f"prod-{kpi}-tenant-globex") for kpi in kpis],  # acme is a silo: alarmed in its own stack
        (ALARM, "prod-tenant-globex-queue-throughput"),
        ("aws:iam/role:Role", "prod-tenancy-access-role"),
        ("aws:iam/rolePolicy:RolePolicy", "prod-tenancy-access-policy"),
    }
    component = pool[(COMPONENT, "prod-tenancy")]
    assert all(r.parent == component.urn for key, r in pool.items() if key[0] not in (STACK_TYPE, COMPONENT))


def test_one_rate_rule_per_tenant_keyed_on_the_tenant_header(pool) -> None:
    acl = pool[("aws:wafv2/webAcl:WebAcl", "prod-tenancy-waf")]
    assert acl.inputs["scope"] == "REGIONAL" and acl.inputs["name"] == "prod-tenancy"
    rules = {rule["name"]: rule for rule in acl.inputs["rules"]}
    assert list(rules) == ["aws-known-bad-inputs", "tenant-globex-rate", "tenant-acme-rate"]
    globex = rules["tenant-globex-rate"]
    assert globex["priority"] == 100 and globex["action"] == {"block": {"customResponse": {"responseCode": 429}}}
    statement = globex["statement"]["rateBasedStatement"]
    assert statement["limit"] == 3000 and statement["evaluationWindowSec"] == 300
    assert statement["aggregateKeyType"] == "CUSTOM_KEYS"
    assert statement["customKeys"] == [
        {"header": {"name": "x-tenant-id", "textTransformations": [{"priority": 0, "type": "NONE"}]}}
    ]
    match = statement["scopeDownStatement"]["byteMatchStatement"]
    assert (match["fieldToMatch"], match["positionalConstraint"], match["searchString"]) == (
        {"singleHeader": {"name": "x-tenant-id"}},
        "EXACTLY",
        "globex",
    )
    assert rules["tenant-acme-rate"]["statement"]["rateBasedStatement"]["limit"] == 6000


def test_the_waf_logs_are_encrypted_and_retained(pool) -> None:
    logs = pool[("aws:cloudwatch/logGroup:LogGroup", "prod-tenancy-waf-logs")]
    assert logs.inputs["name"] == "aws-waf-logs-prod-tenancy" and logs.inputs["retentionInDays"] == 365
    assert logs.inputs["kmsKeyId"] == "arn:aws:kms:us-east-1:111122223333:key/operations"


def test_kpi_alarms_per_tenant_have_a_tenant_dimension(pool) -> None:
    alarm = pool[(ALARM, "prod-failed-label-requests-tenant-globex")]
    assert alarm.inputs["dimensions"] == {"Environment": "prod", "Tenant": "globex"}
    assert (alarm.inputs["metricName"], alarm.inputs["statistic"], alarm.inputs["threshold"]) == (
        "FailedLabelRequests",
        "Sum",
        25,
    )
    assert (
        alarm.inputs["alarmActions"] == [TOPICS[Severity.CRITICAL]]
        and alarm.inputs["treatMissingData"] == "notBreaching"
    )
    assert alarm.inputs["tags"]["tenant"] == "globex" and alarm.inputs["tags"]["isolation"] == "pool"
    latency = pool[(ALARM, "prod-order-to-shipment-latency-tenant-globex")]
    assert latency.inputs["extendedStatistic"] == "p95" and "statistic" not in latency.inputs
    throughput = pool[(ALARM, "prod-tenant-globex-queue-throughput")]
    assert (throughput.inputs["namespace"], throughput.inputs["metricName"], throughput.inputs["threshold"]) == (
        "Crossdock/Tenants",
        "MessagesSent",
        40 * 60,
    )


def test_the_access_role_admits_only_tagged_sessions_of_the_service_roles(pool) -> None:
    trust = json.loads(pool[("aws:iam/role:Role", "prod-tenancy-access-role")].inputs["assumeRolePolicy"])
    assert trust["Statement"] == [
        {
            "Sid": "TenantScopedSessionsOnly",
            "Effect": "Allow",
            "Principal": {"AWS": SERVICE_ROLES},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {"aws:RequestTag/tenant": ["globex"]},
                "ForAllValues:StringEquals": {"sts:TransitiveTagKeys": ["tenant"]},
            },
        }
    ]


def test_a_tenant_scoped_session_reaches_only_its_own_prefix(pool) -> None:
    policy = json.loads(pool[("aws:iam/rolePolicy:RolePolicy", "prod-tenancy-access-policy")].inputs["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["OwnPayloadsOnly"]["Resource"] == [f"{ARCHIVE}/${{aws:PrincipalTag/tenant}}/*"]
    assert statements["ListOwnPrefixOnly"]["Condition"] == {
        "StringLike": {"s3:prefix": ["${aws:PrincipalTag/tenant}/*"]}
    }
    assert statements["ArchiveKeyThroughS3Only"]["Condition"] == {
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
    }
    deny = statements["NothingWithoutATenantTag"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Null": {"aws:PrincipalTag/tenant": "true"}}


def test_with_the_edges_web_acl_no_second_acl(pool) -> None:
    children = build(web_acl_arn="arn:aws:wafv2:us-east-1:111122223333:regional/webacl/prod-edge/1")
    assert not [
        key for key in children if key[0].startswith("aws:wafv2") or key[0] == "aws:cloudwatch/logGroup:LogGroup"
    ]


def test_without_workloads_no_access_role() -> None:
    children = build(principals=[])
    assert not [key for key in children if key[0].startswith("aws:iam")]


def test_the_environments_edge_acl_carries_the_tenant_rules() -> None:
    from crossdock.engine import run_program

    from .support import ROOT

    prod = run_program(ROOT, "prod")
    edge = prod.by_name("prod-transaction-edge-waf", "aws:wafv2/webAcl:WebAcl")
    names = [rule["name"] for rule in edge.inputs["rules"]]
    assert names[-2:] == ["tenant-globex-rate", "tenant-acme-rate"]
    assert [r["name"] for r in tenant_rate_rules(PROD)] == ["tenant-globex-rate", "tenant-acme-rate"]
    assert prod.by_type("aws:wafv2/webAcl:WebAcl") == [edge]  # the pool's rules joined it: no second ACL
    assert prod.outputs["tenancy"]["web_acl_arn"] == edge.outputs["arn"]
