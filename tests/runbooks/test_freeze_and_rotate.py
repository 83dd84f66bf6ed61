"""freeze-deploys / unfreeze-deploys and rotate-credentials against prod's emulated account."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from crossdock.deploy.flag import parse_flag
from runbooks import contract
from runbooks.core import RunbookInputError
from tests.runbooks.conftest import AUDIT_GROUP

FLAG = "/crossdock/prod/deploy-freeze"


def flag(prod) -> str:
    return prod.client("ssm").get_parameter(Name=FLAG)["Parameter"]["Value"]


def test_freeze_then_unfreeze_and_the_deploy_gate_reads_it(prod, runbook):
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    dry = runbook("freeze-deploys", until="2099-12-24T06:00:00Z")
    assert dry.status == "dry-run" and prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    runbook("freeze-deploys", until="2099-12-24T06:00:00Z", execute=True, reason="peak season")
    value = json.loads(flag(prod))
    assert (value["frozen"], value["until"], value["reason"]) == (True, "2099-12-24T06:00:00Z", "peak season")
    assert value["by"].startswith("arn:aws:")
    now = dt.datetime.now(dt.UTC)
    assert parse_flag(FLAG, flag(prod), now).frozen is True  # what deploy-gate sees
    runbook("unfreeze-deploys", execute=True, reason="peak over")
    assert json.loads(flag(prod))["frozen"] is False
    assert parse_flag(FLAG, flag(prod), now).frozen is False
    again = runbook("unfreeze-deploys", execute=True, reason="twice")
    assert again.steps[-1].decision == "skipped"


def test_freeze_refuses_a_past_or_malformed_until(runbook):
    with pytest.raises(RunbookInputError, match=r"^--param until=2001-01-01T00:00:00Z is in the past$"):
        runbook("freeze-deploys", until="2001-01-01T00:00:00Z")
    with pytest.raises(RunbookInputError, match=r"^--param until=tomorrow: use UTC ISO-8601"):
        runbook("freeze-deploys", until="tomorrow")


def add_service_secret(prod, service="shipment-api") -> str:
    sm = prod.client("secretsmanager")
    return sm.create_secret(
        Name=f"prod/{service}/carrier-api-key",
        SecretString="old",
        Tags=[{"Key": "environment", "Value": "prod"}, {"Key": "service", "Value": service}],
    )["ARN"]


def test_rotate_credentials_rotates_revokes_and_deactivates(prod, runbook):
    arn = add_service_secret(prod)
    iam = prod.client("iam")
    iam.create_user(UserName="prod-shipment-api-ci")
    key = iam.create_access_key(UserName="prod-shipment-api-ci")["AccessKey"]["AccessKeyId"]
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    dry = runbook("rotate-credentials", service="shipment-api", users="prod-shipment-api-ci")
    assert dry.result["secrets"] == [arn] and prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    done = runbook(
        "rotate-credentials", service="shipment-api", users="prod-shipment-api-ci", execute=True, reason="leak"
    )
    assert done.status == "done" and done.result["rotated"] == ["prod/shipment-api/carrier-api-key"]
    assert done.result["deactivated_keys"] == [key]
    assert iam.list_access_keys(UserName="prod-shipment-api-ci")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    policy = iam.get_role_policy(RoleName="prod-shipment-api", PolicyName="crossdock-revoke-sessions")["PolicyDocument"]
    assert policy["Statement"] == [
        {
            "Sid": "RevokeOlderSessions",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": done.result["sessions_revoked_before"]}},
        }
    ]
    after = prod.state(skip_log_groups=(AUDIT_GROUP,))
    assert after["iam"]["roles"]["prod-label-printer"] == before["iam"]["roles"]["prod-label-printer"]


def test_a_rotation_that_fails_its_test_step_stops_the_run(prod, runbook):
    from moto.secretsmanager.models import secretsmanager_backends

    arn = add_service_secret(prod)
    sm = prod.client("secretsmanager")

    def rotation_lambda_failed_test_step(parsed, **_):
        secret = secretsmanager_backends["123456789012"]["us-east-1"].secrets[arn]
        new = parsed["VersionId"]
        for version_id, version in secret.versions.items():
            version["version_stages"] = ["AWSPENDING"] if version_id == new else ["AWSCURRENT"]
            if version_id != new:
                secret.default_version_id = version_id

    sm.meta.events.register("after-call.secretsmanager.RotateSecret", rotation_lambda_failed_test_step, unique_id="t")
    try:
        outcome = runbook("rotate-credentials", service="shipment-api", execute=True, reason="leak")
    finally:
        sm.meta.events.unregister("after-call.secretsmanager.RotateSecret", unique_id="t")
    assert (outcome.status, outcome.stopped_by) == ("stopped", "rotation finished")
    assert outcome.observed.endswith("is AWSPENDING; its rotation did not finish (testSecret failed or still running)")
    with pytest.raises(Exception, match="NoSuchEntity"):
        prod.client("iam").get_role_policy(RoleName="prod-shipment-api", PolicyName="crossdock-revoke-sessions")


def test_rotate_for_a_tenant_revokes_only_its_tagged_sessions(prod, runbook):
    done = runbook("rotate-credentials", tenant="globex", execute=True, reason="tenant key leak")
    policy = prod.client("iam").get_role_policy(RoleName="prod-tenancy-access", PolicyName="crossdock-revoke-sessions")
    condition = policy["PolicyDocument"]["Statement"][0]["Condition"]
    assert condition == {
        "DateLessThan": {"aws:TokenIssueTime": done.result["sessions_revoked_before"]},
        "StringEquals": {"aws:PrincipalTag/tenant": "globex"},
    }


def test_rotate_needs_exactly_one_scope_and_known_names(runbook):
    with pytest.raises(RunbookInputError, match=r"^rotate-credentials needs exactly one of"):
        runbook("rotate-credentials")
    with pytest.raises(RunbookInputError, match=r"^--param service=ghost: no such service in prod"):
        runbook("rotate-credentials", service="ghost")
    with pytest.raises(RunbookInputError, match=r"^--param users=root-admin: not an IAM user of prod \(prod-\*\)$"):
        runbook("rotate-credentials", service="shipment-api", users="root-admin")
    assert contract.revoke_policy_name("sessions") == "crossdock-revoke-sessions"
