"""The Pulumi side of the parity suite: one small program per case and variant.

Each program is the Pulumi twin of `hcl/<case>/<variant>/main.tf`: the same resources
with the same arguments, written the way the blueprint's components write them
(pulumi-aws 7 names, outputs wired as inputs: `kms_key_id=key.arn`, `bucket=bucket.id`).
A resource's Pulumi name is `<case>-<variant>-<local>`, where `<local>` is its name in
the HCL (`resource "aws_rds_cluster" "cluster"` <-> `aurora-pass-cluster`), so every
program can share one exported plan and results map back to the HCL by name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

ACCOUNT = "123456789012"
REGION = "eu-west-1"

Namer = Callable[[str], str]


@dataclass
class Case:
    name: str
    kinds: tuple[str, ...]
    """The Terraform types this case is about (both variants declare each of them)."""
    programs: dict[str, Callable[[Namer], None]] = field(default_factory=dict)


CASES: dict[str, Case] = {}


def case(name: str, *kinds: str):
    CASES[name] = Case(name, kinds)

    def variant(which: str):
        def register(fn: Callable[[Namer], None]) -> Callable[[Namer], None]:
            CASES[name].programs[which] = fn
            return fn

        return register

    return variant


def prefix(case_name: str, variant: str) -> str:
    return f"{case_name}-{variant}-"


def program(case_name: str, variant: str) -> Callable[[], None]:
    """The program for run_callable: the case's resources, named `<case>-<variant>-<local>`."""
    start = prefix(case_name, variant)
    fn = CASES[case_name].programs[variant]
    return lambda: fn(lambda local: start + local)


def document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def rotating_key(n: Namer, description: str) -> aws.kms.Key:
    return aws.kms.Key(n("key"), description=description, enable_key_rotation=True)


def assume_role(principal: dict | str) -> str:
    return document({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})


# -- aurora: cluster, instance, subnet group ------------------------------------------------
aurora = case("aurora", "aws_rds_cluster", "aws_rds_cluster_instance", "aws_db_subnet_group")


@aurora("pass")
def _aurora_pass(n: Namer) -> None:
    key = rotating_key(n, "aurora-pass")
    subnets = aws.rds.SubnetGroup(
        n("subnets"),
        name="aurora-pass",
        subnet_ids=["subnet-0a1", "subnet-0b2", "subnet-0c3"],
        tags={"environment": "parity"},
    )
    cluster = aws.rds.Cluster(
        n("cluster"),
        cluster_identifier="aurora-pass",
        engine="aurora-postgresql",
        engine_version="16.4",
        master_username="crossdock",
        manage_master_user_password=True,
        db_subnet_group_name=subnets.name,
        storage_encrypted=True,
        kms_key_id=key.arn,
        deletion_protection=True,
        backup_retention_period=14,
        preferred_backup_window="02:00-03:00",
        copy_tags_to_snapshot=True,
        iam_database_authentication_enabled=True,
        enabled_cloudwatch_logs_exports=["postgresql"],
        skip_final_snapshot=False,
        final_snapshot_identifier="aurora-pass-final",
    )
    aws.rds.ClusterInstance(
        n("writer"),
        identifier="aurora-pass-writer",
        cluster_identifier=cluster.id,
        engine="aurora-postgresql",
        instance_class="db.r6g.large",
        publicly_accessible=False,
        auto_minor_version_upgrade=True,
        monitoring_interval=60,
        monitoring_role_arn=f"arn:aws:iam::{ACCOUNT}:role/rds-monitoring",
        performance_insights_enabled=True,
        performance_insights_kms_key_id=key.arn,
        performance_insights_retention_period=7,
    )


@aurora("fail")
def _aurora_fail(n: Namer) -> None:
    subnets = aws.rds.SubnetGroup(n("subnets"), name="aurora-fail", subnet_ids=["subnet-0a1", "subnet-0b2"])
    cluster = aws.rds.Cluster(
        n("cluster"),
        cluster_identifier="aurora-fail",
        engine="aurora-mysql",
        master_username="admin",
        master_password="not-a-real-password",
        db_subnet_group_name=subnets.name,
        storage_encrypted=False,
        deletion_protection=False,
        backup_retention_period=1,
        copy_tags_to_snapshot=False,
        skip_final_snapshot=True,
    )
    aws.rds.ClusterInstance(
        n("writer"),
        identifier="aurora-fail-writer",
        cluster_identifier=cluster.id,
        engine="aurora-mysql",
        instance_class="db.t4g.medium",
        publicly_accessible=True,
        auto_minor_version_upgrade=False,
    )


# -- sqs: queue and queue policy ------------------------------------------------------------
sqs = case("sqs", "aws_sqs_queue", "aws_sqs_queue_policy")


@sqs("pass")
def _sqs_pass(n: Namer) -> None:
    key = rotating_key(n, "sqs-pass")
    queue = aws.sqs.Queue(
        n("queue"),
        name="sqs-pass",
        kms_master_key_id=key.arn,
        kms_data_key_reuse_period_seconds=300,
        message_retention_seconds=1209600,
        visibility_timeout_seconds=60,
    )
    aws.sqs.QueuePolicy(
        n("policy"),
        queue_url=queue.id,
        policy=document(
            {
                "Sid": "SnsDelivers",
                "Effect": "Allow",
                "Principal": {"Service": "sns.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:sqs-pass",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ),
    )


@sqs("fail")
def _sqs_fail(n: Namer) -> None:
    queue = aws.sqs.Queue(n("queue"), name="sqs-fail", sqs_managed_sse_enabled=False)
    aws.sqs.QueuePolicy(
        n("policy"),
        queue_url=queue.id,
        policy=document({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}),
    )
    aws.sqs.Queue(n("managed_key"), name="sqs-fail-managed-key", kms_master_key_id="alias/aws/sqs")


# -- sns: topic (and its policy) ------------------------------------------------------------
sns = case("sns", "aws_sns_topic", "aws_sns_topic_policy")


@sns("pass")
def _sns_pass(n: Namer) -> None:
    key = rotating_key(n, "sns-pass")
    topic = aws.sns.Topic(n("topic"), name="sns-pass", kms_master_key_id=key.arn)
    aws.sns.TopicPolicy(
        n("policy"),
        arn=topic.arn,
        policy=document(
            {
                "Sid": "CloudWatchPublishes",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:sns-pass",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ),
    )


@sns("fail")
def _sns_fail(n: Namer) -> None:
    topic = aws.sns.Topic(n("topic"), name="sns-fail")
    aws.sns.TopicPolicy(
        n("policy"),
        arn=topic.arn,
        policy=document(
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sns:Publish",
                "Resource": f"arn:aws:sns:{REGION}:{ACCOUNT}:sns-fail",
            }
        ),
    )


# -- s3: bucket, versioning, encryption, public-access block, policy, replication ----------
s3 = case(
    "s3",
    "aws_s3_bucket",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_replication_configuration",
)


@s3("pass")
def _s3_pass(n: Namer) -> None:
    key = rotating_key(n, "s3-pass")
    name = "crossdock-parity-s3-pass"
    bucket = aws.s3.Bucket(
        n("bucket"), bucket=name, object_lock_enabled=True, tags={"environment": "parity", "data-class": "audit"}
    )
    versioning = aws.s3.BucketVersioning(
        n("versioning"), bucket=bucket.id, versioning_configuration={"status": "Enabled"}
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        n("encryption"),
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                "bucket_key_enabled": True,
            }
        ],
    )
    aws.s3.BucketPublicAccessBlock(
        n("public_access"),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
    )
    aws.s3.BucketPolicy(
        n("policy"),
        bucket=bucket.id,
        policy=document(
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
    )
    replica = aws.s3.Bucket(n("replica"), bucket=f"{name}-replica")
    aws.s3.BucketVersioning(n("replica_versioning"), bucket=replica.id, versioning_configuration={"status": "Enabled"})
    role = aws.iam.Role(
        n("replication"), name="s3-pass-replication", assume_role_policy=assume_role({"Service": "s3.amazonaws.com"})
    )
    aws.s3.BucketReplicationConfig(
        n("replication"),
        bucket=bucket.id,
        role=role.arn,
        rules=[
            {
                "id": "dr-copy",
                "status": "Enabled",
                "priority": 1,
                "filter": {},
                "delete_marker_replication": {"status": "Enabled"},
                "destination": {"bucket": replica.arn, "storage_class": "STANDARD"},
            }
        ],
        opts=pulumi.ResourceOptions(depends_on=[versioning]),
    )


@s3("fail")
def _s3_fail(n: Namer) -> None:
    name = "crossdock-parity-s3-fail"
    bucket = aws.s3.Bucket(n("bucket"), bucket=name)
    aws.s3.BucketVersioning(n("versioning"), bucket=bucket.id, versioning_configuration={"status": "Suspended"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        n("encryption"),
        bucket=bucket.id,
        rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
    )
    aws.s3.BucketPublicAccessBlock(
        n("public_access"),
        bucket=bucket.id,
        block_public_acls=False,
        block_public_policy=False,
        ignore_public_acls=False,
        restrict_public_buckets=False,
    )
    aws.s3.BucketPolicy(
        n("policy"),
        bucket=bucket.id,
        policy=document(
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": f"arn:aws:s3:::{name}/*",
            }
        ),
    )
    replica = aws.s3.Bucket(n("replica"), bucket=f"{name}-replica")
    role = aws.iam.Role(n("replication"), name="s3-fail-replication", assume_role_policy=assume_role({"AWS": "*"}))
    aws.s3.BucketReplicationConfig(
        n("replication"),
        bucket=bucket.id,
        role=role.arn,
        rules=[{"id": "dr-copy", "status": "Disabled", "destination": {"bucket": replica.arn}}],
    )


# -- kms: key -------------------------------------------------------------------------------
kms = case("kms", "aws_kms_key")


@kms("pass")
def _kms_pass(n: Namer) -> None:
    aws.kms.Key(
        n("key"),
        description="kms-pass",
        enable_key_rotation=True,
        deletion_window_in_days=30,
        is_enabled=True,
        policy=document(
            {
                "Sid": "AccountRoot",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ),
    )


@kms("fail")
def _kms_fail(n: Namer) -> None:
    aws.kms.Key(
        n("key"),
        description="kms-fail",
        enable_key_rotation=False,
        is_enabled=False,
        policy=document({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:*", "Resource": "*"}),
    )


# -- iam: role, role policy, managed policy -------------------------------------------------
iam = case("iam", "aws_iam_role", "aws_iam_role_policy", "aws_iam_policy")


@iam("pass")
def _iam_pass(n: Namer) -> None:
    role = aws.iam.Role(
        n("role"), name="iam-pass", assume_role_policy=assume_role({"Service": "ecs-tasks.amazonaws.com"})
    )
    aws.iam.RolePolicy(
        n("inline"),
        name="iam-pass-inline",
        role=role.id,
        policy=document(
            {
                "Effect": "Allow",
                "Action": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"],
                "Resource": f"arn:aws:sqs:{REGION}:{ACCOUNT}:orders",
            }
        ),
    )
    aws.iam.Policy(
        n("managed"),
        name="iam-pass-managed",
        policy=document(
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::crossdock-payloads/*"}
        ),
    )


@iam("fail")
def _iam_fail(n: Namer) -> None:
    role = aws.iam.Role(n("role"), name="iam-fail", assume_role_policy=assume_role({"AWS": "*"}))
    aws.iam.RolePolicy(
        n("inline"),
        name="iam-fail-inline",
        role=role.id,
        policy=document({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    )
    aws.iam.Policy(
        n("managed"),
        name="iam-fail-managed",
        policy=document({"Effect": "Allow", "Action": ["iam:*", "s3:PutObject", "iam:PassRole"], "Resource": "*"}),
    )


# -- security group (attached to an interface endpoint in the passing variant) --------------
security_group = case("security_group", "aws_security_group")


@security_group("pass")
def _security_group_pass(n: Namer) -> None:
    group = aws.ec2.SecurityGroup(
        n("group"),
        name="sg-pass",
        description="HTTPS from inside the VPC to the SQS endpoint",
        vpc_id="vpc-0abc",
        ingress=[
            {
                "description": "HTTPS from the VPC",
                "from_port": 443,
                "to_port": 443,
                "protocol": "tcp",
                "cidr_blocks": ["10.0.0.0/16"],
            }
        ],
        egress=[
            {
                "description": "HTTPS to the VPC",
                "from_port": 443,
                "to_port": 443,
                "protocol": "tcp",
                "cidr_blocks": ["10.0.0.0/16"],
            }
        ],
    )
    aws.ec2.VpcEndpoint(
        n("endpoint"),
        vpc_id="vpc-0abc",
        service_name=f"com.amazonaws.{REGION}.sqs",
        vpc_endpoint_type="Interface",
        private_dns_enabled=True,
        subnet_ids=["subnet-0a1", "subnet-0b2"],
        security_group_ids=[group.id],
    )


@security_group("fail")
def _security_group_fail(n: Namer) -> None:
    aws.ec2.SecurityGroup(
        n("group"),
        name="sg-fail",
        vpc_id="vpc-0abc",
        ingress=[
            {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
            {"from_port": 3389, "to_port": 3389, "protocol": "tcp", "ipv6_cidr_blocks": ["::/0"]},
            {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
        ],
        egress=[{"from_port": 0, "to_port": 0, "protocol": "-1", "cidr_blocks": ["0.0.0.0/0"]}],
    )


# -- cloudwatch: metric alarm and log group -------------------------------------------------
cloudwatch = case("cloudwatch", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_log_group")


@cloudwatch("pass")
def _cloudwatch_pass(n: Namer) -> None:
    key = rotating_key(n, "cloudwatch-pass")
    aws.cloudwatch.LogGroup(
        n("logs"), name="/crossdock/parity/cloudwatch-pass", retention_in_days=365, kms_key_id=key.arn
    )
    pager = f"arn:aws:sns:{REGION}:{ACCOUNT}:pager"
    aws.cloudwatch.MetricAlarm(
        n("alarm"),
        name="cloudwatch-pass-queue-age",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        threshold=600,
        comparison_operator="GreaterThanThreshold",
        dimensions={"QueueName": "orders"},
        actions_enabled=True,
        alarm_actions=[pager],
        ok_actions=[pager],
    )


@cloudwatch("fail")
def _cloudwatch_fail(n: Namer) -> None:
    aws.cloudwatch.LogGroup(n("logs"), name="/crossdock/parity/cloudwatch-fail")
    aws.cloudwatch.MetricAlarm(
        n("alarm"),
        name="cloudwatch-fail-queue-age",
        namespace="AWS/SQS",
        metric_name="ApproximateAgeOfOldestMessage",
        statistic="Maximum",
        period=60,
        evaluation_periods=5,
        threshold=600,
        comparison_operator="GreaterThanThreshold",
        actions_enabled=False,
    )


# -- backup: vault, plan, selection (covering an Aurora cluster, or not) --------------------
backup = case("backup", "aws_backup_plan", "aws_backup_selection", "aws_backup_vault")


@backup("pass")
def _backup_pass(n: Namer) -> None:
    key = rotating_key(n, "backup-pass")
    vault = aws.backup.Vault(n("vault"), name="backup-pass", kms_key_arn=key.arn)
    plan = aws.backup.Plan(
        n("plan"),
        name="backup-pass",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": "cron(0 3 * * ? *)",
                "lifecycle": {"delete_after": 35},
                "copy_actions": [
                    {
                        "destination_vault_arn": f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:dr",
                        "lifecycle": {"delete_after": 35},
                    }
                ],
            }
        ],
    )
    cluster = aws.rds.Cluster(
        n("cluster"),
        cluster_identifier="backup-pass",
        engine="aurora-postgresql",
        master_username="crossdock",
        storage_encrypted=True,
        kms_key_id=key.arn,
        deletion_protection=True,
        backup_retention_period=14,
    )
    role = aws.iam.Role(
        n("backup"), name="backup-pass", assume_role_policy=assume_role({"Service": "backup.amazonaws.com"})
    )
    aws.backup.Selection(
        n("selection"), name="backup-pass", plan_id=plan.id, iam_role_arn=role.arn, resources=[cluster.arn]
    )


@backup("fail")
def _backup_fail(n: Namer) -> None:
    vault = aws.backup.Vault(n("vault"), name="backup-fail")
    plan = aws.backup.Plan(
        n("plan"),
        name="backup-fail",
        rules=[{"rule_name": "weekly", "target_vault_name": vault.name, "schedule": "cron(0 3 ? * 1 *)"}],
    )
    aws.rds.Cluster(
        n("cluster"), cluster_identifier="backup-fail", engine="aurora-postgresql", master_username="crossdock"
    )
    aws.backup.Selection(
        n("selection"),
        name="backup-fail",
        plan_id=plan.id,
        iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/backup",
        resources=[f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/other"],
    )


# -- lb: load balancer and listener ---------------------------------------------------------
lb = case("lb", "aws_lb", "aws_lb_listener")
TARGET_GROUP = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/app/abc"


@lb("pass")
def _lb_pass(n: Namer) -> None:
    alb = aws.lb.LoadBalancer(
        n("alb"),
        name="lb-pass",
        internal=True,
        load_balancer_type="application",
        subnets=["subnet-0a1", "subnet-0b2", "subnet-0c3"],
        security_groups=["sg-0abc"],
        enable_deletion_protection=True,
        drop_invalid_header_fields=True,
        desync_mitigation_mode="strictest",
        access_logs={"bucket": "crossdock-parity-lb-logs", "prefix": "lb-pass", "enabled": True},
    )
    aws.lb.Listener(
        n("https"),
        load_balancer_arn=alb.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificate_arn=f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/abc",
        default_actions=[{"type": "forward", "target_group_arn": TARGET_GROUP}],
    )


@lb("fail")
def _lb_fail(n: Namer) -> None:
    alb = aws.lb.LoadBalancer(
        n("alb"), name="lb-fail", internal=False, load_balancer_type="application", subnets=["subnet-0a1", "subnet-0b2"]
    )
    aws.lb.Listener(
        n("http"),
        load_balancer_arn=alb.arn,
        port=80,
        protocol="HTTP",
        default_actions=[{"type": "forward", "target_group_arn": TARGET_GROUP}],
    )


# -- network: VPC, flow log, default security group, subnet ---------------------------------
network = case("network", "aws_vpc", "aws_subnet", "aws_default_security_group")


@network("pass")
def _network_pass(n: Namer) -> None:
    vpc = aws.ec2.Vpc(n("vpc"), cidr_block="10.20.0.0/16", enable_dns_support=True, enable_dns_hostnames=True)
    aws.ec2.FlowLog(
        n("flow_log"),
        vpc_id=vpc.id,
        traffic_type="ALL",
        log_destination_type="cloud-watch-logs",
        log_destination=f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/crossdock/flow-logs",
        iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
    )
    aws.ec2.DefaultSecurityGroup(n("default"), vpc_id=vpc.id)
    aws.ec2.Subnet(
        n("private"),
        vpc_id=vpc.id,
        cidr_block="10.20.1.0/24",
        availability_zone=f"{REGION}a",
        map_public_ip_on_launch=False,
    )


@network("fail")
def _network_fail(n: Namer) -> None:
    vpc = aws.ec2.Vpc(n("vpc"), cidr_block="10.30.0.0/16")
    aws.ec2.DefaultSecurityGroup(
        n("default"),
        vpc_id=vpc.id,
        ingress=[{"protocol": "-1", "self": True, "from_port": 0, "to_port": 0}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    aws.ec2.Subnet(n("public"), vpc_id=vpc.id, cidr_block="10.30.1.0/24", map_public_ip_on_launch=True)


# -- secrets: secret and its rotation -------------------------------------------------------
secrets = case("secrets", "aws_secretsmanager_secret")


@secrets("pass")
def _secrets_pass(n: Namer) -> None:
    key = rotating_key(n, "secrets-pass")
    secret = aws.secretsmanager.Secret(
        n("secret"), name="crossdock/parity/secrets-pass", kms_key_id=key.arn, recovery_window_in_days=30
    )
    aws.secretsmanager.SecretRotation(
        n("rotation"),
        secret_id=secret.id,
        rotation_lambda_arn=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:rotate-secret",
        rotation_rules={"automatically_after_days": 30},
    )


@secrets("fail")
def _secrets_fail(n: Namer) -> None:
    aws.secretsmanager.Secret(n("secret"), name="crossdock/parity/secrets-fail", recovery_window_in_days=0)


# -- eks: cluster and the nodes' launch template ---------------------------------------------
eks = case("eks", "aws_eks_cluster", "aws_launch_template")
EXAMPLE_USER_DATA = (
    "ZXhwb3J0IEFXU19BQ0NFU1NfS0VZX0lEPUFLSUFJT1NGT0ROTjdFWEFNUExFCmV4cG9ydCBBV1NfU0VDUkVUX0FDQ0VTU19LRVk9"
    "d0phbHJYVXRuRkVNSS9LN01ERU5HL2JQeFJmaUNZRVhBTVBMRUtFWQ=="
)
"""AWS's documented example access key, base64 (a secret in user data, for CKV_AWS_46)."""


@eks("pass")
def _eks_pass(n: Namer) -> None:
    key = rotating_key(n, "eks-pass")
    aws.eks.Cluster(
        n("cluster"),
        name="eks-pass",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        version="1.31",
        vpc_config={
            "subnet_ids": ["subnet-0a1", "subnet-0b2", "subnet-0c3"],
            "endpoint_private_access": True,
            "endpoint_public_access": False,
        },
        enabled_cluster_log_types=["api", "audit", "authenticator", "controllerManager", "scheduler"],
        encryption_config={"resources": ["secrets"], "provider": {"key_arn": key.arn}},
    )
    aws.ec2.LaunchTemplate(
        n("nodes"),
        name="eks-pass-nodes",
        metadata_options={"http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1},
        network_interfaces=[{"associate_public_ip_address": "false"}],
    )


@eks("fail")
def _eks_fail(n: Namer) -> None:
    aws.eks.Cluster(
        n("cluster"),
        name="eks-fail",
        role_arn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        version="1.24",
        vpc_config={
            "subnet_ids": ["subnet-0a1", "subnet-0b2"],
            "endpoint_public_access": True,
            "public_access_cidrs": ["0.0.0.0/0"],
        },
    )
    aws.ec2.LaunchTemplate(
        n("nodes"),
        name="eks-fail-nodes",
        user_data=EXAMPLE_USER_DATA,
        metadata_options={"http_endpoint": "enabled", "http_tokens": "optional", "http_put_response_hop_limit": 3},
        network_interfaces=[{"associate_public_ip_address": "true"}],
    )
