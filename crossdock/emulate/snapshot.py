"""The observable state of an emulated account, as one comparable dict.

Tests take it before and after a dry run (which must change nothing) and an execute
(which must change exactly what the runbook says). The responders' audit log group is
left out on purpose: every run, dry or not, appends its audit record there.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable
from typing import Any

ClientFactory = Callable[[str, str], Any]

QUEUE_STATE_ATTRIBUTES = (
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "VisibilityTimeout",
    "MessageRetentionPeriod",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "Policy",
    "KmsMasterKeyId",
    "FifoQueue",
)


def account_state(clients: ClientFactory, regions: Iterable[str], *, skip_log_groups: Iterable[str] = ()) -> dict:
    """Queues, alarms, secrets, clusters, global clusters, roles and policies, web ACLs, parameters,
    tables and their items, security groups and log groups, per region."""
    regions = list(regions)
    skip = set(skip_log_groups)
    state: dict[str, Any] = {"iam": _iam(clients("iam", regions[0]))}
    for region in regions:
        c = functools.partial(_regional, clients, region)
        state[region] = {
            "sqs": _queues(c("sqs")),
            "alarms": _alarms(c("cloudwatch")),
            "secrets": _secrets(c("secretsmanager")),
            "rds": _rds(c("rds")),
            "wafv2": _web_acls(c("wafv2")),
            "ssm": _parameters(c("ssm")),
            "dynamodb": _tables(c("dynamodb")),
            "security_groups": _security_groups(c("ec2")),
            "log_groups": sorted(g["logGroupName"] for g in c("logs").describe_log_groups()["logGroups"]),
            "log_events": _log_events(c("logs"), skip),
        }
    return state


def _regional(clients: ClientFactory, region: str, service: str) -> Any:
    return clients(service, region)


def _queues(sqs: Any) -> dict:
    out = {}
    for url in sqs.list_queues(MaxResults=1000).get("QueueUrls", []):
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        out[url.rsplit("/", 1)[-1]] = {k: attributes.get(k) for k in QUEUE_STATE_ATTRIBUTES}
    return out


def _alarms(cloudwatch: Any) -> dict:
    alarms = cloudwatch.describe_alarms(MaxRecords=100)
    out = {}
    for alarm in alarms["MetricAlarms"] + alarms.get("CompositeAlarms", []):
        out[alarm["AlarmName"]] = {"state": alarm["StateValue"], "threshold": alarm.get("Threshold")}
    return out


def _secrets(sm: Any) -> dict:
    out = {}
    for secret in sm.list_secrets(MaxResults=100)["SecretList"]:
        entry: dict[str, Any] = {"replication": [r.get("Region") for r in secret.get("ReplicationStatus", [])]}
        try:
            entry["value"] = sm.get_secret_value(SecretId=secret["ARN"]).get("SecretString")
        except Exception as error:  # noqa: BLE001 - a secret without a value is a state too
            entry["value"] = type(error).__name__
        entry["versions"] = sorted(
            (stages for stages in secret.get("SecretVersionsToStages", {}).values()), key=json.dumps
        )
        out[secret["Name"]] = entry
    return out


def _rds(rds: Any) -> dict:
    clusters = {
        c["DBClusterIdentifier"]: {
            "status": c["Status"],
            "writer": sorted(m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers", []) if m["IsClusterWriter"]),
            "members": sorted(m["DBInstanceIdentifier"] for m in c.get("DBClusterMembers", [])),
        }
        for c in rds.describe_db_clusters()["DBClusters"]
    }
    global_clusters = {
        g["GlobalClusterIdentifier"]: sorted((m["DBClusterArn"], m["IsWriter"]) for m in g["GlobalClusterMembers"])
        for g in rds.describe_global_clusters()["GlobalClusters"]
    }
    return {"clusters": clusters, "global_clusters": global_clusters}


def _iam(iam: Any) -> dict:
    roles = {}
    for role in iam.list_roles(MaxItems=1000)["Roles"]:
        name = role["RoleName"]
        policies = iam.list_role_policies(RoleName=name)["PolicyNames"]
        roles[name] = {
            policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"] for policy in policies
        }
    users = {}
    for user in iam.list_users()["Users"]:
        keys = iam.list_access_keys(UserName=user["UserName"])["AccessKeyMetadata"]
        users[user["UserName"]] = sorted((k["AccessKeyId"], k["Status"]) for k in keys)
    return {"roles": roles, "users": users}


def _web_acls(waf: Any) -> dict:
    out = {}
    for summary in waf.list_web_acls(Scope="REGIONAL")["WebACLs"]:
        acl = waf.get_web_acl(Name=summary["Name"], Scope="REGIONAL", Id=summary["Id"])["WebACL"]
        out[summary["Name"]] = json.loads(json.dumps(acl["Rules"], default=str))
    return out


def _parameters(ssm: Any) -> dict:
    names = [p["Name"] for p in ssm.describe_parameters(MaxResults=50).get("Parameters", [])]
    return {name: ssm.get_parameter(Name=name)["Parameter"]["Value"] for name in names}


def _tables(dynamodb: Any) -> dict:
    out = {}
    for name in dynamodb.list_tables()["TableNames"]:
        items = dynamodb.scan(TableName=name)["Items"]
        out[name] = sorted(json.dumps(item, sort_keys=True) for item in items)
    return out


def _security_groups(ec2: Any) -> dict:
    return {
        group["GroupName"]: {
            "ingress": json.dumps(group.get("IpPermissions", []), sort_keys=True, default=str),
            "egress": json.dumps(group.get("IpPermissionsEgress", []), sort_keys=True, default=str),
        }
        for group in ec2.describe_security_groups()["SecurityGroups"]
    }


def _log_events(logs: Any, skip: set[str]) -> dict:
    out = {}
    for group in logs.describe_log_groups()["logGroups"]:
        name = group["logGroupName"]
        if name in skip:
            continue
        out[name] = len(logs.filter_log_events(logGroupName=name).get("events", []))
    return out
