"""Each runbook role allows every AWS call its runbook makes, and grants nothing the runbook never calls.

The calls are recorded from real runs against the emulated account (every branch of each
runbook); the role policies are the ones the blueprint plans for prod, read with the
policy pack's own document parser. The list of actions lives once, in runbooks/permissions.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from policies.documents import action_matches, parse_policy
from runbooks import RUNBOOKS, contract, permissions
from runbooks.core import AuditLog, Run, perform
from tests.runbooks.helpers import seed_dlq

# The IAM prefix of services whose endpoint prefix differs from it.
IAM_PREFIX = {"monitoring": "cloudwatch", "tagging": "tag"}
# Batch APIs are authorised as their single-message action.
BATCH_ACTION = {
    "sqs:SendMessageBatch": "sqs:SendMessage",
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}
NO_PERMISSION_NEEDED = {"sts:GetCallerIdentity"}


class Recorder:
    def __init__(self, prod):
        self.prod = prod
        self.actions: set[str] = set()
        self._hooked: list = []

    def client(self, service: str, region: str):
        client = self.prod.account.client(service, region)
        if all(c is not client for c in self._hooked):
            client.meta.events.register("before-call", self._record, unique_id="test-permissions-recorder")
            self._hooked.append(client)
        return client

    def _record(self, model, **_):
        prefix = model.service_model.metadata["endpointPrefix"]
        action = f"{IAM_PREFIX.get(prefix, prefix)}:{model.name}"
        self.actions.add(BATCH_ACTION.get(action, action))

    def close(self):
        for client in self._hooked:
            client.meta.events.unregister("before-call", unique_id="test-permissions-recorder")


@pytest.fixture
def recorder(prod):
    rec = Recorder(prod)
    yield rec
    rec.close()


def run_as(recorder, facts, clock, tmp_path, name, *, execute=False, **params):
    current = Run(
        RUNBOOKS[name],
        facts,
        {k.replace("_", "-"): v for k, v in params.items()},
        clients=recorder.client,
        execute=execute,
        reason="permission test" if execute else None,
        clock=clock,
        sleep=clock.sleep,
    )
    return perform(current, audit=AuditLog(tmp_path / "audit.jsonl"))


def role_policy(prod, role: str):
    policy = next(
        r
        for r in prod.plan.resources
        if r.type == "aws:iam/rolePolicy:RolePolicy" and r.name == f"prod-incident-{role}-policy"
    )
    return parse_policy(policy.inputs["policy"])


def assert_exactly_allowed(prod, role: str, recorded: set[str]) -> None:
    document = role_policy(prod, role)
    allowed = [s for s in document.statements if s.is_allow]
    called = recorded - NO_PERMISSION_NEEDED
    denied = sorted(a for a in called if not any(action_matches(p, a) for s in allowed for p in s.actions))
    assert denied == [], f"{role} role does not allow {denied}"
    granted = {a for s in allowed for a in s.actions}
    implied = {a for g in permissions.PERMISSIONS[role] if g.implied for a in g.actions}
    assert sorted(granted - implied - called) == [], f"{role} role grants actions its runbook never calls"
    assert all("*" not in action for action in granted)


def test_queue_replay_role_allows_exactly_its_calls(prod, prod_facts, recorder, clock, tmp_path):
    seed_dlq(prod, "carrier-events", 12, poison=1)
    run_as(recorder, prod_facts, clock, tmp_path, "queue-replay", flow="carrier-events")
    outcome = run_as(recorder, prod_facts, clock, tmp_path, "queue-replay", execute=True, flow="carrier-events")
    assert outcome.result["moved"] == 12
    assert_exactly_allowed(prod, "queue-replay", recorder.actions)


def test_db_failover_role_allows_exactly_its_calls(prod, prod_facts, recorder, clock, tmp_path):
    from moto.rds.models import rds_backends

    run_as(
        recorder,
        prod_facts,
        clock,
        tmp_path,
        "db-failover",
        execute=True,
        database="orders",
        scope="az",
        target="prod-orders-2",
    )
    prod.client("cloudwatch", "us-west-2").put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": contract.GLOBAL_LAG_METRIC,
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "prod-orders-dr-secondary"}],
                "Timestamp": datetime.fromtimestamp(clock() - 30, UTC),
                "Value": 500.0,
            }
        ],
    )
    switched = run_as(
        recorder, prod_facts, clock, tmp_path, "db-failover", execute=True, database="orders", scope="region"
    )
    assert switched.result["action"] == "switchover"
    # Back to the original writer (behind moto's back, unrecorded), then lose the primary region.
    backend = rds_backends["123456789012"]["us-east-1"]
    for member in backend.global_clusters["prod-orders-global"].members:
        member.is_writer = member.db_cluster_identifier == "prod-orders"
    backend.clusters["prod-orders"].status = "failed"
    outcome = run_as(
        recorder,
        prod_facts,
        clock,
        tmp_path,
        "db-failover",
        execute=True,
        database="orders",
        scope="region",
        accept_data_loss="true",
    )
    assert outcome.result["action"] == "failover"
    assert_exactly_allowed(prod, "db-failover", recorder.actions)


def test_deploy_freeze_role_allows_exactly_its_calls(prod, prod_facts, recorder, clock, tmp_path):
    run_as(recorder, prod_facts, clock, tmp_path, "freeze-deploys", execute=True, until="2099-01-01T00:00:00Z")
    run_as(recorder, prod_facts, clock, tmp_path, "unfreeze-deploys", execute=True)
    assert_exactly_allowed(prod, "deploy-freeze", recorder.actions)


def test_rotate_credentials_role_allows_exactly_its_calls(prod, prod_facts, recorder, clock, tmp_path):
    prod.client("secretsmanager").create_secret(
        Name="prod/shipment-api/carrier-api-key",
        SecretString="old",
        Tags=[{"Key": "environment", "Value": "prod"}, {"Key": "service", "Value": "shipment-api"}],
    )
    prod.client("iam").create_user(UserName="prod-shipment-api-ci")
    prod.client("iam").create_access_key(UserName="prod-shipment-api-ci")
    params = {"service": "shipment-api", "users": "prod-shipment-api-ci"}
    run_as(recorder, prod_facts, clock, tmp_path, "rotate-credentials", **params)
    outcome = run_as(recorder, prod_facts, clock, tmp_path, "rotate-credentials", execute=True, **params)
    assert outcome.status == "done"
    assert_exactly_allowed(prod, "rotate-credentials", recorder.actions)


def test_tenant_isolation_role_allows_exactly_its_calls(prod, prod_facts, recorder, clock, tmp_path):
    ec2, kms = prod.client("ec2"), prod.client("kms")
    tags = [{"Key": "environment", "Value": "prod"}, {"Key": "tenant", "Value": "acme"}]
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    group = ec2.create_security_group(
        GroupName="prod-tenant-acme-data",
        Description="acme data",
        VpcId=vpc,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
    )["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group,
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.40.1.0/24"}]}
        ],
    )
    key = kms.create_key(Tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in tags])["KeyMetadata"]["Arn"]
    kms.create_grant(
        KeyId=key, GranteePrincipal="arn:aws:iam::123456789012:role/prod-tenant-acme-app", Operations=["Decrypt"]
    )
    for tenant in ("globex", "acme"):
        run_as(recorder, prod_facts, clock, tmp_path, "isolate-tenant", tenant=tenant)
        assert (
            run_as(recorder, prod_facts, clock, tmp_path, "isolate-tenant", execute=True, tenant=tenant).status
            == "done"
        )
        assert (
            run_as(recorder, prod_facts, clock, tmp_path, "release-tenant", execute=True, tenant=tenant).status
            == "done"
        )
    assert_exactly_allowed(prod, "tenant-isolation", recorder.actions)


def test_every_runbook_role_requires_mfa_and_a_responder_session_tag(prod):
    roles = {r.inputs.get("name"): r for r in prod.plan.resources if r.type == "aws:iam/role:Role"}
    for role in sorted(set(contract.ROLE_OF_RUNBOOK.values())):
        trust = json.loads(roles[contract.runbook_role_name("prod", role)].inputs["assumeRolePolicy"])
        (statement,) = trust["Statement"]
        assert statement["Action"] == ["sts:AssumeRole", "sts:TagSession"]
        assert statement["Condition"] == {
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "StringLike": {"aws:RequestTag/responder": "?*"},
        }
    glass = roles["prod-break-glass"]
    assert glass.inputs["maxSessionDuration"] == 3600.0
    condition = json.loads(glass.inputs["assumeRolePolicy"])["Statement"][0]["Condition"]
    assert condition["NumericLessThan"] == {"aws:MultiFactorAuthAge": "900"}
