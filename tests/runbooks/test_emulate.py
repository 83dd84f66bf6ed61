"""crossdock emulate: prod's stateful resources inside moto, with the plan's names, tags and settings."""

from __future__ import annotations

import json
from pathlib import Path

from crossdock.emulate import moto_gaps
from runbooks import contract

REPO_ROOT = Path(__file__).resolve().parents[2]


def planned(prod, typ, name):
    return next(r for r in prod.plan.resources if r.type == typ and r.name == name)


def test_queues_keep_the_plans_names_tags_and_redrive_wiring(prod):
    sqs = prod.client("sqs")
    url = sqs.get_queue_url(QueueName="prod-billing-triggers.fifo")["QueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert json.loads(attributes["RedrivePolicy"]) == {
        "deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:prod-billing-triggers-dlq.fifo",
        "maxReceiveCount": 3,
    }
    assert (attributes["FifoQueue"], attributes["VisibilityTimeout"], attributes["MessageRetentionPeriod"]) == (
        "true",
        "300",
        "1209600",
    )
    plan_queue = planned(prod, "aws:sqs/queue:Queue", "prod-billing-triggers")
    assert attributes["KmsMasterKeyId"] == plan_queue.inputs["kmsMasterKeyId"]
    assert sqs.list_queue_tags(QueueUrl=url)["Tags"] == plan_queue.inputs["tags"]
    assert len(sqs.list_queues()["QueueUrls"]) == 12


def test_alarms_are_the_plans_alarms_and_start_ok(prod):
    alarms = prod.client("cloudwatch").describe_alarms(MaxRecords=100)["MetricAlarms"]
    planned_names = {
        r.inputs["name"]
        for r in prod.plan.resources
        if r.type == "aws:cloudwatch/metricAlarm:MetricAlarm" and r.region == "us-east-1"
    }
    assert {a["AlarmName"] for a in alarms} == planned_names
    assert {a["StateValue"] for a in alarms} == {"OK"}
    age = next(a for a in alarms if a["AlarmName"] == "prod-label-requests-oldest-message-age")
    planned_age = planned(prod, "aws:cloudwatch/metricAlarm:MetricAlarm", "prod-label-requests-oldest-message-age")
    assert (age["Threshold"], age["Dimensions"], age["AlarmActions"]) == (
        60.0,
        [{"Name": "QueueName", "Value": "prod-label-requests"}],
        planned_age.inputs["alarmActions"],
    )
    topics = {t["TopicArn"] for t in prod.client("sns").list_topics()["Topics"]}
    assert set(age["AlarmActions"]) <= topics


def test_databases_global_cluster_and_connection_secret(prod):
    rds = prod.client("rds")
    orders = rds.describe_db_clusters(DBClusterIdentifier="prod-orders")["DBClusters"][0]
    assert sorted((m["DBInstanceIdentifier"], m["IsClusterWriter"]) for m in orders["DBClusterMembers"]) == [
        ("prod-orders-1", True),
        ("prod-orders-2", False),
        ("prod-orders-3", False),
    ]
    (global_cluster,) = rds.describe_global_clusters()["GlobalClusters"]
    assert global_cluster["GlobalClusterIdentifier"] == "prod-orders-global"
    assert sorted((m["DBClusterArn"], m["IsWriter"]) for m in global_cluster["GlobalClusterMembers"]) == [
        ("arn:aws:rds:us-east-1:123456789012:cluster:prod-orders", True),
        ("arn:aws:rds:us-west-2:123456789012:cluster:prod-orders-dr-secondary", False),
    ]
    value = prod.client("secretsmanager").get_secret_value(SecretId="prod/orders/connection")["SecretString"]
    assert (
        value
        == planned(prod, "aws:secretsmanager/secretVersion:SecretVersion", "prod-data-orders-connection-value").inputs[
            "secretString"
        ]
    )
    replica = prod.client("secretsmanager", "us-west-2").get_secret_value(SecretId="prod/orders/connection")
    assert replica["SecretString"] == value


def test_incident_response_resources_exist_as_planned(prod):
    dynamodb = prod.client("dynamodb")
    table = dynamodb.describe_table(TableName="prod-replay-ledger")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    backups = dynamodb.describe_continuous_backups(TableName="prod-replay-ledger")["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    ttl = dynamodb.describe_time_to_live(TableName="prod-replay-ledger")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    parameter = prod.client("ssm").get_parameter(Name="/crossdock/prod/deploy-freeze")["Parameter"]
    assert parameter["Value"] == contract.UNFROZEN
    groups = prod.client("logs").describe_log_groups(logGroupNamePrefix="/crossdock/prod/responders")["logGroups"]
    assert [(g["logGroupName"], g["retentionInDays"]) for g in groups] == [("/crossdock/prod/responders", 365)]
    iam = prod.client("iam")
    policy = iam.get_role_policy(
        RoleName="prod-runbook-queue-replay",
        PolicyName=iam.list_role_policies(RoleName="prod-runbook-queue-replay")["PolicyNames"][0],
    )["PolicyDocument"]
    assert policy == json.loads(
        planned(prod, "aws:iam/rolePolicy:RolePolicy", "prod-incident-queue-replay-policy").inputs["policy"]
    )
    rule = prod.client("events").describe_rule(Name="prod-break-glass-assumed")
    assert json.loads(rule["EventPattern"])["detail"]["requestParameters"] == {
        "roleArn": ["arn:aws:iam::123456789012:role/prod-break-glass"]
    }


def test_web_acl_carries_the_tenant_rules(prod):
    waf = prod.client("wafv2")
    (summary,) = waf.list_web_acls(Scope="REGIONAL")["WebACLs"]
    rules = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]["Rules"]
    tenant = {
        r["Name"]: r["Statement"]["RateBasedStatement"]["Limit"] for r in rules if r["Name"].startswith("tenant-")
    }
    assert tenant == {"tenant-globex-rate": 3000, "tenant-acme-rate": 6000}


def test_summary_and_every_moto_gap_is_documented(prod):
    created = +prod.emulation.created
    assert created["aws:sqs/queue:Queue"] == 12 and created["aws:rds/cluster:Cluster"] == 3
    assert prod.emulation.notes == []
    docs = (REPO_ROOT / "docs" / "runbooks.md").read_text()
    for gap in moto_gaps.GAPS:
        assert gap in docs, gap
