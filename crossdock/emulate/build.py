"""Create a stack's stateful resources inside moto, from the offline plan.

Everything comes from the recorded plan: names (explicit, or the physical names the
offline engine's mocks gave auto-named resources), tags, settings, policies, redrive
wiring, alarm definitions, WAF rules. A runbook rehearsed here therefore meets the
names and tags the real stack would have, not a hand-built fixture.

Created, in dependency order: SNS topics, SQS queues (DLQs first; redrive, redrive-allow
and queue policies), S3 buckets, the Aurora clusters, global clusters, secondaries and
instances, Secrets Manager secrets (with replicas) and their values, IAM roles and
inline policies, KMS keys tagged as the plan tags them, VPCs and security groups, WAF
web ACLs, DynamoDB tables, SSM parameters, log groups, EventBridge rules and CloudWatch
alarms (each set to OK: a quiet, healthy account). Everything else in the plan
(networking routes, EKS, Kubernetes objects, backups) is reported as skipped.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import urlparse

from crossdock.engine import Plan, Resource, is_unknown

ClientFactory = Callable[[str, str], Any]
"""(service, region) -> boto3 client."""

HEALTHY_REASON = "crossdock emulate: a quiet, healthy account"


@dataclass
class Emulation:
    """What `emulate` created: counts by plan type, the skipped types, and the stack's regions."""

    stack: str
    regions: list[str]
    created: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        created = +self.created
        total = sum(created.values())
        return f"{total} resources in {len(created)} types ({', '.join(self.regions)})"


def emulate_plan(plan: Plan, clients: ClientFactory) -> Emulation:
    """Create `plan`'s stateful resources through `clients` (moto in-process or a moto server)."""
    return _Builder(plan, clients).build()


def _int(value: Any) -> int:
    return int(float(value))


def _known(value: Any) -> bool:
    return value is not None and not is_unknown(value)


def _tags(resource: Resource) -> dict[str, str]:
    tags = resource.inputs.get("tags") or {}
    return {str(k): str(v) for k, v in tags.items() if _known(v)} if isinstance(tags, dict) else {}


def _tag_list(tags: dict[str, str], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


_PASCAL_SPECIAL = {"cloudwatchMetricsEnabled": "CloudWatchMetricsEnabled"}


def _pascal(value: Any) -> Any:
    """Pulumi's camelCase WAF inputs as the WAFv2 API's PascalCase; doubles back to integers."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            name = _PASCAL_SPECIAL.get(key, key[:1].upper() + key[1:])
            if key == "searchString" and isinstance(item, str):
                out[name] = item.encode()
            else:
                out[name] = _pascal(item)
        return out
    if isinstance(value, list):
        return [_pascal(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _metric_query(query: dict) -> dict:
    """One Pulumi `metricQueries` entry as a PutMetricAlarm `Metrics` entry."""
    out: dict[str, Any] = {"Id": query["id"]}
    for key, name in (("expression", "Expression"), ("label", "Label"), ("returnData", "ReturnData")):
        if _known(query.get(key)):
            out[name] = query[key]
    if _known(query.get("period")):
        out["Period"] = _int(query["period"])
    metric = query.get("metric")
    if metric:
        stat: dict[str, Any] = {
            "Metric": {
                "Namespace": metric["namespace"],
                "MetricName": metric["metricName"],
                "Dimensions": [{"Name": k, "Value": str(v)} for k, v in (metric.get("dimensions") or {}).items()],
            },
            "Period": _int(metric["period"]),
            "Stat": metric["stat"],
        }
        if metric.get("unit"):
            stat["Unit"] = metric["unit"]
        out["MetricStat"] = stat
    return out


class _Builder:
    ORDER: ClassVar[tuple[str, ...]] = (
        "aws:sns/topic:Topic",
        "aws:sqs/queue:Queue",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:s3/bucket:Bucket",
        "aws:rds/cluster:Cluster",
        "aws:rds/globalCluster:GlobalCluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:secretsmanager/secret:Secret",
        "aws:secretsmanager/secretVersion:SecretVersion",
        "aws:iam/role:Role",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:kms/key:Key",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:wafv2/webAcl:WebAcl",
        "aws:dynamodb/table:Table",
        "aws:ssm/parameter:Parameter",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
    )

    def __init__(self, plan: Plan, clients: ClientFactory) -> None:
        self.plan = plan
        self.clients = clients
        regions = sorted({r.region for r in plan.resources if r.region})
        self.result = Emulation(plan.stack, regions)
        self._secret_names: dict[str, str] = {}  # plan ARN / id -> name
        self._role_names: dict[str, str] = {}  # plan id / name -> role name
        self._vpcs: dict[str, str] = {}  # plan VPC id -> moto VPC id
        self._topic_arns: dict[str, str] = {}
        self._rule_names: dict[str, str] = {}

    def client(self, service: str, region: str | None) -> Any:
        return self.clients(service, region or self.result.regions[0])

    def build(self) -> Emulation:
        by_type: dict[str, list[Resource]] = {}
        for resource in self.plan.resources:
            if resource.custom and resource.type.startswith("aws:"):
                by_type.setdefault(resource.type, []).append(resource)
        clusters = by_type.pop("aws:rds/cluster:Cluster", [])
        # Global secondaries join a global cluster, which joins its primary: primaries first.
        by_type["aws:rds/cluster:Cluster"] = [
            r for r in clusters if not _known(r.inputs.get("globalClusterIdentifier"))
        ]
        secondaries = [r for r in clusters if _known(r.inputs.get("globalClusterIdentifier"))]
        for typ in self.ORDER:
            handler = getattr(self, "_" + typ.rsplit(":", 1)[1][0].lower() + typ.rsplit(":", 1)[1][1:])
            for resource in self._ordered(typ, by_type.pop(typ, [])):
                handler(resource)
                self.result.created[typ] += 1
            if typ == "aws:rds/globalCluster:GlobalCluster":
                for resource in secondaries:
                    self._cluster(resource)
                    self.result.created["aws:rds/cluster:Cluster"] += 1
        for typ, resources in by_type.items():
            self.result.skipped[typ] += len(resources)
        return self.result

    def _ordered(self, typ: str, resources: list[Resource]) -> Iterable[Resource]:
        if typ == "aws:sqs/queue:Queue":  # dead-letter queues before the queues that redrive into them
            return sorted(resources, key=lambda r: "redrivePolicy" in r.inputs)
        return resources

    # -- messaging ---------------------------------------------------------------------------
    def _topic(self, r: Resource) -> None:
        attributes = {}
        if _known(r.inputs.get("kmsMasterKeyId")):
            attributes["KmsMasterKeyId"] = r.inputs["kmsMasterKeyId"]
        if r.inputs.get("fifoTopic"):
            attributes["FifoTopic"] = "true"
        self.client("sns", r.region).create_topic(
            Name=r.outputs.get("name") or r.name, Attributes=attributes, Tags=_tag_list(_tags(r))
        )

    QUEUE_ATTRIBUTES: ClassVar[dict[str, str]] = {
        "visibilityTimeoutSeconds": "VisibilityTimeout",
        "messageRetentionSeconds": "MessageRetentionPeriod",
        "delaySeconds": "DelaySeconds",
        "maxMessageSize": "MaximumMessageSize",
        "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
        "kmsMasterKeyId": "KmsMasterKeyId",
        "kmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
        "fifoQueue": "FifoQueue",
        "contentBasedDeduplication": "ContentBasedDeduplication",
        "deduplicationScope": "DeduplicationScope",
        "fifoThroughputLimit": "FifoThroughputLimit",
        "redrivePolicy": "RedrivePolicy",
        "redriveAllowPolicy": "RedriveAllowPolicy",
        "policy": "Policy",
    }

    def _queue(self, r: Resource) -> None:
        attributes = {}
        for key, name in self.QUEUE_ATTRIBUTES.items():
            value = r.inputs.get(key)
            if not _known(value):
                continue
            if isinstance(value, bool):
                attributes[name] = "true" if value else "false"
            elif isinstance(value, float):
                attributes[name] = str(_int(value))
            else:
                attributes[name] = _text(value)
        self.client("sqs", r.region).create_queue(
            QueueName=r.outputs.get("name") or r.inputs.get("name") or r.name, Attributes=attributes, tags=_tags(r)
        )

    def _queue_url(self, r: Resource) -> str:
        """The moto URL of the queue a plan URL names (the name is its last path segment)."""
        name = urlparse(str(r.inputs["queueUrl"])).path.rsplit("/", 1)[-1]
        return self.client("sqs", r.region).get_queue_url(QueueName=name)["QueueUrl"]

    def _redriveAllowPolicy(self, r: Resource) -> None:
        self.client("sqs", r.region).set_queue_attributes(
            QueueUrl=self._queue_url(r), Attributes={"RedriveAllowPolicy": _text(r.inputs["redriveAllowPolicy"])}
        )

    def _queuePolicy(self, r: Resource) -> None:
        self.client("sqs", r.region).set_queue_attributes(
            QueueUrl=self._queue_url(r), Attributes={"Policy": _text(r.inputs["policy"])}
        )

    def _bucket(self, r: Resource) -> None:
        s3 = self.client("s3", r.region)
        name = r.outputs.get("bucket") or r.inputs.get("bucket") or r.name
        kwargs: dict[str, Any] = {"Bucket": name}
        if r.region and r.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": r.region}
        if r.inputs.get("objectLockEnabled"):
            kwargs["ObjectLockEnabledForBucket"] = True
        s3.create_bucket(**kwargs)
        if _tags(r):
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tag_list(_tags(r))})

    # -- data --------------------------------------------------------------------------------
    def _cluster(self, r: Resource) -> None:
        i = r.inputs
        kwargs: dict[str, Any] = {
            "DBClusterIdentifier": r.outputs.get("clusterIdentifier") or i["clusterIdentifier"],
            "Engine": i.get("engine") or "aurora-postgresql",
            "Tags": _tag_list(_tags(r)),
        }
        optional: dict[str, tuple[str, Callable[[Any], Any]]] = {
            "engineVersion": ("EngineVersion", str),
            "databaseName": ("DatabaseName", str),
            "port": ("Port", _int),
            "backupRetentionPeriod": ("BackupRetentionPeriod", _int),
            "storageEncrypted": ("StorageEncrypted", bool),
            "kmsKeyId": ("KmsKeyId", str),
            "deletionProtection": ("DeletionProtection", bool),
            "preferredBackupWindow": ("PreferredBackupWindow", str),
            "preferredMaintenanceWindow": ("PreferredMaintenanceWindow", str),
            "iamDatabaseAuthenticationEnabled": ("EnableIAMDatabaseAuthentication", bool),
            "copyTagsToSnapshot": ("CopyTagsToSnapshot", bool),
            "globalClusterIdentifier": ("GlobalClusterIdentifier", str),
        }
        for key, (name, cast) in optional.items():
            if _known(i.get(key)):
                kwargs[name] = cast(i[key])
        if _known(i.get("masterUsername")):
            kwargs["MasterUsername"] = i["masterUsername"]
            kwargs["ManageMasterUserPassword"] = True
        elif "GlobalClusterIdentifier" not in kwargs:
            kwargs["MasterUsername"] = "crossdock_admin"
            kwargs["ManageMasterUserPassword"] = True
        self.client("rds", r.region).create_db_cluster(**kwargs)

    def _globalCluster(self, r: Resource) -> None:
        i = r.inputs
        kwargs: dict[str, Any] = {"GlobalClusterIdentifier": i["globalClusterIdentifier"]}
        if _known(i.get("sourceDbClusterIdentifier")):
            kwargs["SourceDBClusterIdentifier"] = i["sourceDbClusterIdentifier"]
        else:
            kwargs["Engine"] = i.get("engine") or "aurora-postgresql"
        if _known(i.get("deletionProtection")):
            kwargs["DeletionProtection"] = bool(i["deletionProtection"])
        self.client("rds", r.region).create_global_cluster(**kwargs)

    def _clusterInstance(self, r: Resource) -> None:
        i = r.inputs
        kwargs: dict[str, Any] = {
            "DBInstanceIdentifier": r.outputs.get("identifier") or i["identifier"],
            "DBClusterIdentifier": i["clusterIdentifier"],
            "DBInstanceClass": i.get("instanceClass") or "db.r6g.large",
            "Engine": i.get("engine") or "aurora-postgresql",
            "Tags": _tag_list(_tags(r)),
        }
        if _known(i.get("availabilityZone")):
            kwargs["AvailabilityZone"] = i["availabilityZone"]
        if _known(i.get("promotionTier")):
            kwargs["PromotionTier"] = _int(i["promotionTier"])
        if _known(i.get("publiclyAccessible")):
            kwargs["PubliclyAccessible"] = bool(i["publiclyAccessible"])
        self.client("rds", r.region).create_db_instance(**kwargs)

    def _secret(self, r: Resource) -> None:
        i = r.inputs
        name = i.get("name") or r.outputs.get("name") or r.name
        kwargs: dict[str, Any] = {"Name": name, "Tags": _tag_list(_tags(r))}
        if _known(i.get("description")):
            kwargs["Description"] = i["description"]
        if _known(i.get("kmsKeyId")):
            kwargs["KmsKeyId"] = i["kmsKeyId"]
        replicas = [
            {"Region": replica["region"], **({"KmsKeyId": replica["kmsKeyId"]} if replica.get("kmsKeyId") else {})}
            for replica in i.get("replicas") or []
        ]
        if replicas:
            kwargs["AddReplicaRegions"] = replicas
        self.client("secretsmanager", r.region).create_secret(**kwargs)
        for key in (r.id, r.outputs.get("arn"), r.urn):
            if key:
                self._secret_names[key] = name

    def _secretVersion(self, r: Resource) -> None:
        secret_id = r.inputs.get("secretId")
        name = self._secret_names.get(str(secret_id))
        if name is None:
            self.result.notes.append(f"secret version {r.name}: its secret {secret_id} is not in the plan")
            return
        value = r.inputs.get("secretString")
        if _known(value):
            self.client("secretsmanager", r.region).put_secret_value(SecretId=name, SecretString=_text(value))

    # -- identity ----------------------------------------------------------------------------
    def _role(self, r: Resource) -> None:
        i = r.inputs
        name = r.outputs.get("name") or i.get("name") or r.name
        kwargs: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": _text(i.get("assumeRolePolicy") or {"Version": "2012-10-17", "Statement": []}),
            "Tags": _tag_list(_tags(r)),
        }
        if _known(i.get("description")):
            kwargs["Description"] = i["description"]
        if _known(i.get("maxSessionDuration")):
            kwargs["MaxSessionDuration"] = _int(i["maxSessionDuration"])
        if _known(i.get("path")):
            kwargs["Path"] = i["path"]
        self.client("iam", None).create_role(**kwargs)
        for key in (r.id, name, r.urn):
            if key:
                self._role_names[key] = name
        for index, inline in enumerate(i.get("inlinePolicies") or []):
            if inline.get("policy"):
                self.client("iam", None).put_role_policy(
                    RoleName=name, PolicyName=inline.get("name") or f"inline-{index}", PolicyDocument=inline["policy"]
                )

    def _rolePolicy(self, r: Resource) -> None:
        role = self._role_names.get(str(r.inputs.get("role")))
        if role is None:
            self.result.notes.append(f"role policy {r.name}: its role {r.inputs.get('role')} is not in the plan")
            return
        self.client("iam", None).put_role_policy(
            RoleName=role, PolicyName=r.outputs.get("name") or r.name, PolicyDocument=_text(r.inputs["policy"])
        )

    def _key(self, r: Resource) -> None:
        """A tenant's key with the plan's tags (the tenant-isolation runbook finds and revokes its grants).

        Other keys stay settings: queues, secrets and tables keep the plan's key ARNs as written,
        and moto neither checks them nor encrypts with them.
        """
        if "tenant" not in _tags(r):
            self.result.skipped[r.type] += 1
            self.result.created[r.type] -= 1
            return
        kwargs: dict[str, Any] = {"Tags": _tag_list(_tags(r), "TagKey", "TagValue")}
        if _known(r.inputs.get("description")):
            kwargs["Description"] = r.inputs["description"]
        if r.inputs.get("multiRegion"):
            kwargs["MultiRegion"] = True
        self.client("kms", r.region).create_key(**kwargs)

    # -- network -----------------------------------------------------------------------------
    def _vpc(self, r: Resource) -> None:
        ec2 = self.client("ec2", r.region)
        vpc = ec2.create_vpc(
            CidrBlock=r.inputs.get("cidrBlock") or "10.0.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": _tag_list(_tags(r))}] if _tags(r) else [],
        )["Vpc"]
        self._vpcs[r.id] = vpc["VpcId"]

    def _securityGroup(self, r: Resource) -> None:
        i = r.inputs
        vpc = self._vpcs.get(str(i.get("vpcId")))
        if vpc is None:
            self.result.notes.append(f"security group {r.name}: its VPC is not in the plan")
            return
        ec2 = self.client("ec2", r.region)
        name = i.get("name") or r.outputs.get("name") or r.name
        group = ec2.create_security_group(
            GroupName=name,
            Description=i.get("description") or name,
            VpcId=vpc,
            TagSpecifications=[{"ResourceType": "security-group", "Tags": _tag_list(_tags(r))}] if _tags(r) else [],
        )["GroupId"]
        ingress = [self._permission(rule) for rule in i.get("ingress") or []]
        egress = [self._permission(rule) for rule in i.get("egress") or []]
        if ingress:
            ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=ingress)
        if egress:
            existing = ec2.describe_security_groups(GroupIds=[group])["SecurityGroups"][0]["IpPermissionsEgress"]
            if existing:
                ec2.revoke_security_group_egress(GroupId=group, IpPermissions=existing)
            ec2.authorize_security_group_egress(GroupId=group, IpPermissions=egress)

    @staticmethod
    def _permission(rule: dict) -> dict:
        permission: dict[str, Any] = {"IpProtocol": str(rule.get("protocol", "-1"))}
        if permission["IpProtocol"] not in ("-1", "all"):
            permission["FromPort"] = _int(rule.get("fromPort", 0))
            permission["ToPort"] = _int(rule.get("toPort", 0))
        else:
            permission["IpProtocol"] = "-1"
        cidrs = [c for c in rule.get("cidrBlocks") or [] if _known(c)]
        if cidrs:
            permission["IpRanges"] = [{"CidrIp": c} for c in cidrs]
        if rule.get("description"):
            for item in permission.get("IpRanges", []):
                item["Description"] = rule["description"]
        return permission

    def _webAcl(self, r: Resource) -> None:
        i = r.inputs
        self.client("wafv2", r.region).create_web_acl(
            Name=r.outputs.get("name") or i.get("name") or r.name,
            Scope=i.get("scope") or "REGIONAL",
            DefaultAction=_pascal(i.get("defaultAction") or {"allow": {}}),
            Rules=_pascal(i.get("rules") or []),
            VisibilityConfig=_pascal(i["visibilityConfig"]),
            Description=i.get("description") or "",
            Tags=_tag_list(_tags(r)),
        )

    # -- the incident-response resources -----------------------------------------------------
    def _table(self, r: Resource) -> None:
        i = r.inputs
        name = i.get("name") or r.outputs.get("name") or r.name
        keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
        if _known(i.get("rangeKey")):
            keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
        dynamodb = self.client("dynamodb", r.region)
        kwargs: dict[str, Any] = {
            "TableName": name,
            "KeySchema": keys,
            "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in i["attributes"]],
            "BillingMode": i.get("billingMode") or "PAY_PER_REQUEST",
            "Tags": _tag_list(_tags(r)),
        }
        sse = i.get("serverSideEncryption") or {}
        if sse.get("enabled"):
            kwargs["SSESpecification"] = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": sse.get("kmsKeyArn")}
        if i.get("deletionProtectionEnabled"):
            kwargs["DeletionProtectionEnabled"] = True
        dynamodb.create_table(**kwargs)
        if (i.get("pointInTimeRecovery") or {}).get("enabled"):
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
            )
        ttl = i.get("ttl") or {}
        if ttl.get("enabled"):
            dynamodb.update_time_to_live(
                TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["attributeName"]}
            )

    def _parameter(self, r: Resource) -> None:
        i = r.inputs
        kwargs: dict[str, Any] = {
            "Name": i.get("name") or r.name,
            "Type": i.get("type") or "String",
            "Value": _text(i.get("value") if _known(i.get("value")) else ""),
            "Tags": _tag_list(_tags(r)),
        }
        if _known(i.get("description")):
            kwargs["Description"] = i["description"]
        self.client("ssm", r.region).put_parameter(**kwargs)

    def _logGroup(self, r: Resource) -> None:
        i = r.inputs
        name = i.get("name") or r.outputs.get("name") or r.name
        logs = self.client("logs", r.region)
        logs.create_log_group(logGroupName=name, tags=_tags(r))
        if _known(i.get("retentionInDays")):
            logs.put_retention_policy(logGroupName=name, retentionInDays=_int(i["retentionInDays"]))

    def _eventRule(self, r: Resource) -> None:
        i = r.inputs
        name = i.get("name") or r.outputs.get("name") or r.name
        kwargs: dict[str, Any] = {"Name": name, "Tags": _tag_list(_tags(r))}
        if _known(i.get("eventPattern")):
            kwargs["EventPattern"] = _text(i["eventPattern"])
        if _known(i.get("scheduleExpression")):
            kwargs["ScheduleExpression"] = i["scheduleExpression"]
        if _known(i.get("description")):
            kwargs["Description"] = i["description"]
        self.client("events", r.region).put_rule(**kwargs)
        self._rule_names[r.id] = name
        self._rule_names[name] = name

    def _eventTarget(self, r: Resource) -> None:
        rule = self._rule_names.get(str(r.inputs.get("rule")), r.inputs.get("rule"))
        self.client("events", r.region).put_targets(
            Rule=rule, Targets=[{"Id": r.outputs.get("targetId") or r.name[:64], "Arn": r.inputs["arn"]}]
        )

    ALARM_FIELDS: ClassVar[dict[str, tuple[str, Any]]] = {
        "namespace": ("Namespace", str),
        "metricName": ("MetricName", str),
        "statistic": ("Statistic", str),
        "extendedStatistic": ("ExtendedStatistic", str),
        "period": ("Period", _int),
        "evaluationPeriods": ("EvaluationPeriods", _int),
        "datapointsToAlarm": ("DatapointsToAlarm", _int),
        "threshold": ("Threshold", float),
        "comparisonOperator": ("ComparisonOperator", str),
        "treatMissingData": ("TreatMissingData", str),
        "unit": ("Unit", str),
        "alarmDescription": ("AlarmDescription", str),
        "alarmActions": ("AlarmActions", list),
        "okActions": ("OKActions", list),
        "insufficientDataActions": ("InsufficientDataActions", list),
    }

    def _metricAlarm(self, r: Resource) -> None:
        i = r.inputs
        name = i.get("name") or r.outputs.get("name") or r.name
        kwargs: dict[str, Any] = {"AlarmName": name, "Tags": _tag_list(_tags(r))}
        for key, (field_name, cast) in self.ALARM_FIELDS.items():
            if _known(i.get(key)):
                kwargs[field_name] = cast(i[key])
        if isinstance(i.get("dimensions"), dict):
            kwargs["Dimensions"] = [{"Name": k, "Value": str(v)} for k, v in i["dimensions"].items() if _known(v)]
        if i.get("metricQueries"):
            kwargs["Metrics"] = [_metric_query(query) for query in i["metricQueries"]]
        cloudwatch = self.client("cloudwatch", r.region)
        cloudwatch.put_metric_alarm(**kwargs)
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="OK", StateReason=HEALTHY_REASON)
