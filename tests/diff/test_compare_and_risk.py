"""Comparison by URN and risk classification on small hand-made plans (no planning)."""

from __future__ import annotations

import json

from crossdock.diff import Revision, diff_plans
from crossdock.diff.render import render_json, render_markdown, render_text

STACK = "urn:pulumi:prod::crossdock::pulumi:pulumi:Stack::crossdock-prod"
ENV = "urn:pulumi:prod::crossdock::crossdock:index:Environment::prod"


def res(type_, name, inputs=None, *, parent=ENV, custom=True, **extra):
    parent_type = "crossdock:index:Environment"
    urn = f"urn:pulumi:prod::crossdock::{parent_type}${type_}::{name}" if parent == ENV else f"{parent}${type_}::{name}"
    if parent == STACK:
        urn = f"urn:pulumi:prod::crossdock::{type_}::{name}"
    item = {
        "urn": urn,
        "type": type_,
        "name": name,
        "custom": custom,
        "parent": parent,
        "provider": "",
        "region": "us-east-1",
        "dependencies": [],
        "property_dependencies": {},
        "inputs": inputs or {},
        "protect": False,
        "retain_on_delete": False,
    }
    item.update(extra)
    return item


def plan(*resources):
    return {"project": "crossdock", "stack": "prod", "resources": list(resources)}


def diff(base, head):
    return diff_plans(plan(*base), plan(*head), Revision("main", "a" * 40), Revision("working tree", None))


def risks(result):
    return [(c.action, c.name, c.risks) for c in result.ordered()]


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


QUEUE = res("aws:sqs/queue:Queue", "prod-orders", {"name": "prod-orders", "messageRetentionSeconds": 1209600.0})


def test_identical_plans_have_no_changes():
    assert diff([QUEUE], [QUEUE]).changes == []


def test_removed_queue_is_data_loss_and_added_one_routine():
    added = res("aws:sqs/queue:Queue", "prod-returns", {"name": "prod-returns"})
    assert risks(diff([QUEUE], [added])) == [
        ("remove", "prod-orders", [("data-loss", "queue removed: its data is deleted")]),
        ("add", "prod-returns", [("routine", "new resource")]),
    ]


def test_renamed_queue_replaces_it():
    renamed = {**QUEUE, "inputs": {**QUEUE["inputs"], "name": "prod-orders-v2"}}
    assert risks(diff([QUEUE], [renamed])) == [
        ("update", "prod-orders", [("data-loss", "queue replaced: name cannot change in place")])
    ]


def test_new_parent_changes_the_urn_and_replaces_unless_aliased():
    component = "urn:pulumi:prod::crossdock::crossdock:index:Environment$crossdock:messaging:IntegrationQueue::prod-q"
    moved = res("aws:sqs/queue:Queue", "prod-orders", QUEUE["inputs"], parent=component)
    result = diff([QUEUE], [moved])
    assert [(c.action, c.moved_from, c.risks) for c in result.changes] == [
        (
            "replace",
            QUEUE["urn"],
            [
                (
                    "data-loss",
                    "queue replaced (URN changed (parent crossdock:index:Environment prod -> crossdock:messaging:IntegrationQueue prod-q)): the old one is deleted",
                )
            ],
        )
    ]
    aliased = {**moved, "aliases": [QUEUE["urn"]]}
    assert diff([QUEUE], [aliased]).changes == []


def test_provider_or_region_change_replaces():
    other = {**QUEUE, "provider": "urn:pulumi:prod::crossdock::pulumi:providers:aws::dr", "region": "us-west-2"}
    (change,) = diff([QUEUE], [other]).changes
    assert change.action == "replace"
    assert change.replace_reasons == ["provider default -> pulumi:providers:aws dr", "region us-east-1 -> us-west-2"]
    assert change.risks[0][0] == "data-loss"


def test_protect_switched_off_is_data_loss():
    protected = {**QUEUE, "protect": True}
    assert risks(diff([protected], [QUEUE])) == [
        (
            "update",
            "prod-orders",
            [("data-loss", "protect switched off: the resource may now be deleted with its data")],
        )
    ]


def test_secrets_are_masked_in_every_format():
    before = res(
        "aws:secretsmanager/secretVersion:SecretVersion",
        "prod-db",
        {"secretString": "hunter2"},
        secret_inputs=["secretString"],
    )
    after = {**before, "inputs": {"secretString": "correct-horse"}}
    result = diff([before], [after])
    (change,) = result.changes
    assert [i.to_json() for i in change.inputs] == [
        {"path": "secretString", "before": "[secret]", "after": "[secret]", "secret": True}
    ]
    for text in (render_text(result), render_json(result), render_markdown(result)):
        assert "hunter2" not in text and "correct-horse" not in text
    assert "secretString: [secret] changed" in render_text(result)


def test_policy_widening_fewer_conditions_public_principal_and_removed_deny():
    grant = {
        "Sid": "Send",
        "Effect": "Allow",
        "Principal": {"Service": "sns.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": "arn:aws:sqs:us-east-1:123456789012:prod-orders",
        "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:t"}},
    }
    deny = {
        "Sid": "TlsOnly",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "sqs:*",
        "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    before = res("aws:sqs/queuePolicy:QueuePolicy", "prod-orders-policy", {"policy": doc(grant, deny)})
    no_condition = {**grant}
    no_condition.pop("Condition")
    public = {**no_condition, "Sid": "Public", "Principal": "*"}
    after = {**before, "inputs": {"policy": doc(no_condition, public)}}
    ((action, name, found),) = risks(diff([before], [after]))
    assert found == [
        (
            "security-widening",
            'resource policy (policy): statement "Send" allows sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:prod-orders',
        ),
        (
            "security-widening",
            'resource policy (policy): statement "Public" allows sqs:SendMessage on arn:aws:sqs:us-east-1:123456789012:prod-orders to a public principal',
        ),
        ("security-widening", 'resource policy (policy): deny statement "TlsOnly" removed'),
    ]


def test_narrowing_a_policy_is_routine():
    before = res(
        "aws:iam/rolePolicy:RolePolicy", "p", {"policy": doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})}
    )
    after = {
        **before,
        "inputs": {"policy": doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"})},
    }
    assert [c.risks for c in diff([before], [after]).changes] == [
        [("routine", "changed: policy.Statement[0].Action, policy.Statement[0].Resource")]
    ]


def test_security_group_widening_by_cidr_port_and_protocol():
    rule = {"protocol": "tcp", "fromPort": 5432.0, "toPort": 5432.0, "cidrBlocks": ["10.10.0.0/16"]}
    before = res("aws:ec2/securityGroup:SecurityGroup", "sg", {"ingress": [rule]})
    inside = {**before, "inputs": {"ingress": [{**rule, "cidrBlocks": ["10.10.48.0/20"]}]}}
    assert diff([before], [inside]).changes[0].risks[0][0] == "routine"
    wider = {
        **before,
        "inputs": {"ingress": [{**rule, "cidrBlocks": ["0.0.0.0/0"]}, {**rule, "fromPort": 0.0, "toPort": 65535.0}]},
    }
    assert [r for _, r in diff([before], [wider]).changes[0].risks] == [
        "ingress now admits 0.0.0.0/0 (the internet) on tcp port 5432",
        "ingress now admits 10.10.0.0/16 on tcp all ports",
    ]
    new_rule = res(
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "r", {"ipProtocol": "-1", "cidrIpv4": "10.0.0.0/8"}
    )
    assert [c.risks for c in diff([], [new_rule]).changes] == [
        [("security-widening", "ingress now admits 10.0.0.0/8 on all protocols all ports")]
    ]


def test_resilience_reductions():
    deployment = res("kubernetes:apps/v1:Deployment", "api", {"spec": {"replicas": 3.0}})
    fewer = {**deployment, "inputs": {"spec": {"replicas": 2.0}}}
    logs = res("aws:cloudwatch/logGroup:LogGroup", "logs", {"retentionInDays": 0.0})
    expiring = {**logs, "inputs": {"retentionInDays": 30.0}}
    cluster = res("aws:rds/cluster:Cluster", "db", {"deletionProtection": True, "backupRetentionPeriod": 35.0})
    weaker = {**cluster, "inputs": {"deletionProtection": False, "backupRetentionPeriod": 7.0}}
    alarm = res("aws:cloudwatch/metricAlarm:MetricAlarm", "alarm", {"threshold": 1.0})
    more = {**deployment, "inputs": {"spec": {"replicas": 4.0}}}
    assert risks(diff([deployment, logs, cluster, alarm], [fewer, expiring, weaker])) == [
        ("update", "api", [("resilience-reduction", "spec.replicas: 3 -> 2")]),
        ("update", "logs", [("resilience-reduction", "retentionInDays: never expires -> 30")]),
        (
            "update",
            "db",
            [
                ("resilience-reduction", "deletionProtection switched off"),
                ("resilience-reduction", "backupRetentionPeriod: 35 -> 7"),
            ],
        ),
        ("remove", "alarm", [("resilience-reduction", "alarm removed")]),
    ]
    assert diff([deployment], [more]).changes[0].risks == [("routine", "changed: spec.replicas")]


def test_high_risk_classes():
    group = res(
        "aws:rds/clusterParameterGroup:ClusterParameterGroup", "pg", {"parameters": [{"name": "a", "value": "1"}]}
    )
    changed = {**group, "inputs": {"parameters": [{"name": "a", "value": "2"}]}}
    eks = res("aws:eks/cluster:Cluster", "eks", {"version": "1.33"})
    upgraded = {**eks, "inputs": {"version": "1.34"}}
    route = res("aws:ec2/route:Route", "default-route", {"destinationCidrBlock": "0.0.0.0/0"})
    assert risks(diff([group, eks], [changed, upgraded, route])) == [
        ("update", "pg", [("high-risk", "database parameter group changed")]),
        ("update", "eks", [("high-risk", "version: 1.33 -> 1.34")]),
        ("add", "default-route", [("high-risk", "network route added")]),
    ]


def test_markdown_lists_risky_first_and_folds_routine():
    added = res("aws:sns/topic:Topic", "topic")
    result = diff([QUEUE], [added])
    markdown = render_markdown(result)
    assert markdown.index("#### Risky changes") < markdown.index("<details><summary>Routine changes (1)</summary>")
    assert "| Data-loss risk ⚠️ | 1 |" in markdown
    assert "- add `aws:sns/topic:Topic` topic: new resource" in markdown
