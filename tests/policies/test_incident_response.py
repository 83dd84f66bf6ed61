"""Incident readiness rules: the replay path, narrow MFA-only runbook roles, a watched break-glass role."""

from __future__ import annotations

import json

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import incident_response as rules
from tests.policies.harness import policy_resource, violations

MFA_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
            }
        ],
    }
)


def environment():
    return policy_resource("crossdock:index:Environment", {}, name="prod")


def queue(criticality="real-time-fulfillment"):
    return policy_resource(
        "aws:sqs/queue:Queue",
        {
            "name": "prod-label-requests",
            "tags": {"flow": "label-requests", "queue-role": "source", "criticality": criticality},
        },
        name="prod-label-requests",
    )


def ledger(pitr=True):
    return policy_resource(
        "aws:dynamodb/table:Table",
        {"name": "prod-replay-ledger", "tags": {"purpose": "replay-ledger"}, "pointInTimeRecovery": {"enabled": pitr}},
        name="prod-incident-replay-ledger",
    )


def role(runbook="queue-replay", trust=MFA_TRUST, purpose="responder", name="prod-runbook-queue-replay"):
    tags = {"purpose": purpose, **({"runbook": runbook} if runbook else {})}
    return policy_resource(
        "aws:iam/role:Role", {"name": name, "tags": tags, "assumeRolePolicy": trust}, name=name + "-r"
    )


def inline(owner, actions):
    document = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Grant", "Effect": "Allow", "Action": actions, "Resource": "*"}],
    }
    return policy_resource(
        "aws:iam/rolePolicy:RolePolicy",
        {"role": UNKNOWN_STRING_VALUE, "policy": json.dumps(document)},
        name=owner.name + "-policy",
        property_dependencies={"role": [owner]},
    )


# --- CD-RBK-001 ---------------------------------------------------------------------------------


def test_environment_with_ledger_and_replay_role_passes():
    assert violations(rules.REPLAY_PATH, [environment(), queue(), ledger(), role()]) == []


def test_critical_flow_without_ledger_or_role_fails_on_the_queue():
    assert violations(rules.REPLAY_PATH, [environment(), queue()]) == [
        'critical flow "label-requests" (real-time-fulfillment) has no replay path: no replay ledger (a DynamoDB '
        "table tagged purpose=replay-ledger); no queue-replay runbook role (an IAM role tagged runbook=queue-replay)"
    ]


def test_ledger_without_point_in_time_recovery_fails():
    assert violations(rules.REPLAY_PATH, [environment(), queue(), ledger(pitr=False), role()]) == [
        'critical flow "label-requests" (real-time-fulfillment) has no replay path: the replay ledger '
        '"prod-replay-ledger" has no point-in-time recovery'
    ]


def test_non_critical_flows_and_silo_stacks_need_no_replay_path():
    assert violations(rules.REPLAY_PATH, [environment(), queue("deferred-analytics")]) == []
    assert violations(rules.REPLAY_PATH, [queue()]) == []  # a silo tenant stack: its environment holds the path


# --- CD-RBK-002 ---------------------------------------------------------------------------------


def test_narrow_mfa_runbook_role_passes():
    owner = role()
    assert (
        violations(rules.RUNBOOK_ROLES_NARROW, [owner, inline(owner, ["sqs:SendMessage", "sqs:ReceiveMessage"])]) == []
    )


def test_wildcard_action_in_a_runbook_role_fails():
    owner = role()
    assert violations(rules.RUNBOOK_ROLES_NARROW, [owner, inline(owner, ["sqs:*", "dynamodb:PutItem"])]) == [
        'responder role "prod-runbook-queue-replay" statement "Grant" grants wildcard actions sqs:*: a runbook role '
        "names exactly the actions its runbook calls"
    ]


def test_runbook_role_without_mfa_fails():
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}
            ],
        }
    )
    assert violations(rules.RUNBOOK_ROLES_NARROW, [role(trust=trust)]) == [
        'responder role "prod-runbook-queue-replay" can be assumed without MFA (aws:MultiFactorAuthPresent)'
    ]


def test_roles_that_are_not_responder_roles_are_not_judged():
    service = policy_resource(
        "aws:iam/role:Role", {"name": "prod-shipment-api", "tags": {}, "assumeRolePolicy": "{}"}, name="svc"
    )
    assert violations(rules.RUNBOOK_ROLES_NARROW, [service, inline(service, ["s3:*"])]) == []


# --- CD-RBK-003 ---------------------------------------------------------------------------------


def test_break_glass_role_watched_by_an_event_rule_passes():
    glass = role(runbook=None, purpose="break-glass", name="prod-break-glass")
    rule = policy_resource(
        "aws:cloudwatch/eventRule:EventRule",
        {"eventPattern": UNKNOWN_STRING_VALUE},
        name="prod-incident-break-glass-assumed",
        property_dependencies={"eventPattern": [glass]},
    )
    assert violations(rules.BREAK_GLASS_WATCHED, [glass, rule]) == []


def test_unwatched_break_glass_role_fails():
    glass = role(runbook=None, purpose="break-glass", name="prod-break-glass")
    assert violations(rules.BREAK_GLASS_WATCHED, [glass]) == [
        'break-glass role "prod-break-glass" has no EventBridge rule on its AssumeRole events: a break-glass session '
        "would go unnoticed"
    ]
