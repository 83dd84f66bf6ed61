"""Cross-region disaster recovery: Aurora Global Database secondaries, backup copies, archive replication.

What each database gets follows its data class's region objective, not one uniform
policy: a region RPO that backup copies cannot meet (`needs_continuous_replication`)
gets an Aurora Global Database secondary in the DR region; every database gets AWS
Backup recovery points copied to a DR vault. The integration-payload archive, needed
for replay and reconciliation after a failover, and the audit bucket (when its class
declares a region objective) are replicated object by object.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import IPv4Network

import pulumi
import pulumi_aws as aws

from components.data_tier import cluster_parameters, parameter_group_family
from components.database import (
    BACKUP_WINDOW,
    LOG_EXPORTS,
    PERFORMANCE_INSIGHTS_RETENTION_DAYS,
    POSTGRES_PORT,
    AuroraDatabase,
)
from components.flow_logs import vpc_flow_logs
from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.tags import base_tags
from crossdock.config.regions import AZ_COUNT
from crossdock.config.resilience import needs_continuous_replication
from crossdock.config.schema import Database, DataClass, DrStrategy, StackConfig
from crossdock.config.subnets import dr_vpc_cidr, dr_zones, plan_subnets

# AWS cron: minute hour day-of-month month day-of-week year (UTC). The daily run starts
# after Aurora's own backup window so the two snapshots never compete.
HOURLY = "cron(0 * * * ? *)"
DAILY = "cron(0 5 * * ? *)"
DAILY_MINUTES = 24 * 60
# AWS Backup's shortest start window; an incremental Aurora snapshot completes well within two hours.
BACKUP_START_WINDOW_MINUTES = 60
BACKUP_COMPLETION_WINDOW_MINUTES = 120
BACKUP_POLICY_ARNS = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restore": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
}
# S3 Replication Time Control: the one threshold S3 accepts (replicate within 15 minutes, and
# report objects that did not through replication metrics), which bounds a bucket's region RPO.
REPLICATION_TIME_MINUTES = 15


def dr_zone_count(config: StackConfig) -> int:
    """Zones the DR subnets span: the primary's count, clamped to 2..3 and the DR region's zones."""
    assert config.dr is not None
    return dr_zones(config.environment.az_count, AZ_COUNT.get(config.dr.region))


def backup_schedule(data_class: DataClass) -> str:
    """Daily only when a copied recovery point a day plus the job windows old still meets the class's
    region RPO; otherwise hourly.

    A recovery point in the DR vault can be as old as the schedule interval plus the start and
    completion windows (the job may start late and run long before it is copied), which is the
    region RPO `crossdock assess` estimates from this plan (docs/resilience-model.md).
    """
    region = data_class.objectives.region
    windows = BACKUP_START_WINDOW_MINUTES + BACKUP_COMPLETION_WINDOW_MINUTES
    if region is None or region.rpo_minutes >= DAILY_MINUTES + windows:
        return DAILY
    return HOURLY


@dataclass
class DisasterRecoveryArgs:
    config: StackConfig
    dr_provider: aws.Provider
    databases: Mapping[str, AuroraDatabase]
    key_arns: Mapping[str, pulumi.Input[str]]
    dr_key_arns: Mapping[str, pulumi.Input[str]]
    # Buckets to replicate to the DR region, by short label ("archive", "audit").
    replicated_buckets: Mapping[str, ReplicatedBucket]
    # DR-region key for the DR VPC's flow-log group; None builds no flow logs.
    dr_log_key_arn: pulumi.Input[str] | None = None
    # CIDR of the DR VPC; default `dr_vpc_cidr(<environment VPC>)`. A silo tenant's stack
    # passes its own block, so its DR VPC never overlaps its environment's.
    dr_vpc_cidr: IPv4Network | None = None


@dataclass
class ReplicatedBucket:
    """A primary bucket whose objects (and deletions) S3 replicates to a DR twin."""

    name: pulumi.Input[str]
    arn: pulumi.Input[str]
    data_class: str
    # The replica must lock objects as long as the source does, or replication fails.
    object_lock_days: int | None = None
    # False for SSE-S3 sources (load balancer access logs: ELB cannot write to SSE-KMS buckets).
    kms_encrypted: bool = True


class DisasterRecovery(pulumi.ComponentResource):
    """Global Database secondaries, AWS Backup with DR copies, and payload archive replication.

    - pilot-light: the secondary cluster is headless (storage replicates, no
      instances run); recovery adds an instance and promotes. warm-standby adds one
      instance so promotion takes minutes.
    - The secondary needs a network in the DR region: a minimal VPC (CIDR from
      `dr_vpc_cidr`) with data subnets only, no internet route, and a security group
      that admits PostgreSQL from that VPC alone. It is created only when some
      database has a secondary; restores for backup-restore build theirs at recovery.
    - Secondaries always skip the final snapshot: their storage is a replica of the
      primary's, which takes its own final snapshot and whose recovery points AWS
      Backup already copies to the DR vault; a second snapshot would only duplicate
      them. Deletion protection and `protect` still guard secondaries in production.
    - `dr_endpoints` are the secondaries' cluster (writer) endpoints: they serve
      traffic once the secondary is promoted, which is what failover runbooks need.
    """

    def __init__(self, name: str, args: DisasterRecoveryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:dr:DisasterRecovery", name, None, opts)
        config = args.config
        if config.dr is None:
            raise ValueError("DisasterRecovery needs a stack with a dr section")
        _check_keys(config, args)
        self._config = config
        self._name = name
        self._provider = args.dr_provider
        self._dr_vpc_cidr = args.dr_vpc_cidr
        self._dr_log_key_arn = args.dr_log_key_arn
        specs = {spec.name: spec for spec in config.databases}

        self.global_clusters: dict[str, aws.rds.GlobalCluster] = {}
        self.secondary_clusters: dict[str, aws.rds.Cluster] = {}
        self.secondary_instances: dict[str, list[aws.rds.ClusterInstance]] = {}
        replicated = [
            db
            for db in args.databases
            if needs_continuous_replication(_region_rpo(config.data_class(specs[db].data_class)))
        ]
        self.dr_vpc_id: pulumi.Output[str] | None = None
        if replicated:
            network = self._dr_network([specs[db] for db in replicated])
            self.dr_vpc_id = network.vpc_id
            for db in replicated:
                self._secondary(db, specs[db], args.databases[db], network, args.dr_key_arns[specs[db].data_class])

        self.secondary_cluster_identifiers: dict[str, pulumi.Output[str]] = {
            db: cluster.cluster_identifier for db, cluster in self.secondary_clusters.items()
        }
        self.dr_endpoints: dict[str, pulumi.Output[str]] = {
            db: cluster.endpoint for db, cluster in self.secondary_clusters.items()
        }

        self.backup_plan_id: pulumi.Output[str] | None = None
        self.primary_vault_name: pulumi.Output[str] | None = None
        self.dr_vault_arn: pulumi.Output[str] | None = None
        if args.databases:
            self._backups(args, specs)

        self.bucket_replicas: dict[str, SecureBucket] = {
            label: self._bucket_replication(label, bucket, args) for label, bucket in args.replicated_buckets.items()
        }
        self.archive_replica = self.bucket_replicas.get("archive")

        self.register_outputs(
            {
                "global_cluster_identifiers": {
                    db: g.global_cluster_identifier for db, g in self.global_clusters.items()
                },
                "secondary_cluster_identifiers": self.secondary_cluster_identifiers,
                "dr_endpoints": self.dr_endpoints,
                "dr_vpc_id": self.dr_vpc_id,
                "backup_plan_id": self.backup_plan_id,
                "primary_vault_name": self.primary_vault_name,
                "dr_vault_arn": self.dr_vault_arn,
                "bucket_replicas": {label: replica.bucket_name for label, replica in self.bucket_replicas.items()},
                "archive_replica_bucket_name": self.archive_replica.bucket_name if self.archive_replica else None,
                "archive_replica_arn": self.archive_replica.arn if self.archive_replica else None,
            }
        )

    # --- DR network -----------------------------------------------------------------

    def _dr_opts(self, **extra) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self._provider, **extra)

    def _dr_network(self, specs: list[Database]) -> _DrNetwork:
        config, name = self._config, self._name
        env = config.environment
        tags = base_tags(env, extra={"dr-role": "secondary"})
        cidr = self._dr_vpc_cidr or dr_vpc_cidr(env.vpc_cidr)
        count = dr_zone_count(config)
        zones = aws.get_availability_zones_output(
            state="available", opts=pulumi.InvokeOutputOptions(parent=self, provider=self._provider)
        )
        vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=str(cidr),
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={**tags, "Name": f"{env.name}-dr"},
            opts=self._dr_opts(),
        )
        # Adopt the default security group with no rules, as the primary network does.
        aws.ec2.DefaultSecurityGroup(
            f"{name}-vpc-default-sg",
            vpc_id=vpc.id,
            tags={**tags, "Name": f"{env.name}-dr-default"},
            opts=self._dr_opts(),
        )
        if self._dr_log_key_arn is not None:
            vpc_flow_logs(
                f"{name}-vpc",
                vpc_id=vpc.id,
                log_group_name=f"/crossdock/{env.name}/dr-vpc-flow-logs",
                kms_key_arn=self._dr_log_key_arn,
                retention_days=env.log_retention_days,
                tags=tags,
                parent=self,
                provider=self._provider,
            )
        # Same carving rule as the primary VPC; only the data tier is built now, the
        # public and private blocks stay free for the application tier at failover.
        subnets = []
        for index, subnet_cidr in enumerate(plan_subnets(cidr, count)["data"]):
            subnets.append(
                aws.ec2.Subnet(
                    f"{name}-data-{index}",
                    vpc_id=vpc.id,
                    cidr_block=str(subnet_cidr),
                    availability_zone=zones.names.apply(lambda names, i=index: names[i]),
                    map_public_ip_on_launch=False,
                    tags={**tags, "Name": f"{env.name}-dr-data-{index}", "subnet-tier": "data"},
                    opts=self._dr_opts(),
                )
            )
        subnet_group = aws.rds.SubnetGroup(
            f"{name}-subnets",
            name=f"{env.name}-dr-data",
            description=f"DR data subnets of {env.name}: Aurora global secondaries only",
            subnet_ids=[subnet.id for subnet in subnets],
            tags={**tags, "Name": f"{env.name}-dr-data"},
            opts=self._dr_opts(),
        )
        security_group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            name=f"{env.name}-dr-data",
            description=f"PostgreSQL from the {env.name} DR VPC only",
            vpc_id=vpc.id,
            ingress=[
                aws.ec2.SecurityGroupIngressArgs(
                    description="PostgreSQL from the DR VPC",
                    protocol="tcp",
                    from_port=POSTGRES_PORT,
                    to_port=POSTGRES_PORT,
                    cidr_blocks=[str(cidr)],
                )
            ],
            egress=[
                aws.ec2.SecurityGroupEgressArgs(
                    description="Inside the DR VPC only", protocol="-1", from_port=0, to_port=0, cidr_blocks=[str(cidr)]
                )
            ],
            revoke_rules_on_delete=True,
            tags={**tags, "Name": f"{env.name}-dr-data"},
            opts=self._dr_opts(),
        )
        # Parameter groups are regional: the secondary gets the same logging and forced TLS.
        parameter_groups: dict[str, pulumi.Output[str]] = {}
        for family in dict.fromkeys(parameter_group_family(spec.engine, spec.engine_version) for spec in specs):
            group = aws.rds.ClusterParameterGroup(
                f"{name}-{family}",
                name=f"{env.name}-dr-{family}",
                family=family,
                description=f"crossdock {family} cluster parameters (DR region)",
                parameters=cluster_parameters(),
                tags={**tags, "Name": f"{env.name}-dr-{family}"},
                opts=self._dr_opts(),
            )
            parameter_groups[family] = group.name
        return _DrNetwork(
            vpc_id=vpc.id,
            zones=zones.names,
            subnet_group_name=subnet_group.name,
            security_group_id=security_group.id,
            parameter_groups=parameter_groups,
        )

    # --- Aurora Global Database --------------------------------------------------------

    def _secondary(
        self, db: str, spec: Database, primary: AuroraDatabase, network: _DrNetwork, dr_key_arn: pulumi.Input[str]
    ) -> None:
        config, name = self._config, self._name
        env = config.environment
        production = config.is_production
        tags = base_tags(env, data_class=spec.data_class, extra={"database": db})
        global_cluster = aws.rds.GlobalCluster(
            f"{name}-{db}-global",
            global_cluster_identifier=f"{env.name}-{db}-global",
            source_db_cluster_identifier=primary.cluster_arn,
            force_destroy=True,
            deletion_protection=production,
            tags={**tags, "Name": f"{env.name}-{db}-global"},
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )
        self.global_clusters[db] = global_cluster

        identifier = f"{env.name}-{db}-dr-secondary"
        data_class = config.data_class(spec.data_class)
        family = parameter_group_family(spec.engine, spec.engine_version)
        secondary = aws.rds.Cluster(
            f"{name}-{db}-secondary",
            cluster_identifier=identifier,
            global_cluster_identifier=global_cluster.id,
            engine=spec.engine,
            engine_version=spec.engine_version,
            storage_encrypted=True,
            kms_key_id=dr_key_arn,
            db_subnet_group_name=network.subnet_group_name,
            vpc_security_group_ids=[network.security_group_id],
            db_cluster_parameter_group_name=network.parameter_groups[family],
            port=POSTGRES_PORT,
            iam_database_authentication_enabled=True,
            backup_retention_period=data_class.backup_retention_days,
            preferred_backup_window=BACKUP_WINDOW,
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            deletion_protection=production,
            skip_final_snapshot=True,
            tags={**tags, "Name": identifier, "dr-role": "secondary"},
            # A secondary can join only once the primary has its writer instance.
            opts=self._dr_opts(
                protect=production,
                depends_on=[global_cluster, *primary.instances],
                ignore_changes=["replicationSourceIdentifier"],
            ),
        )
        self.secondary_clusters[db] = secondary

        self.secondary_instances[db] = []
        if self._config.dr.strategy is DrStrategy.WARM_STANDBY:
            instance_id = f"{env.name}-{db}-dr-1"
            self.secondary_instances[db].append(
                aws.rds.ClusterInstance(
                    f"{name}-{db}-secondary-instance-1",
                    identifier=instance_id,
                    cluster_identifier=secondary.id,
                    engine=spec.engine,
                    engine_version=spec.engine_version,
                    instance_class=spec.instance_class,
                    availability_zone=network.zones.apply(lambda names: names[0]),
                    db_subnet_group_name=network.subnet_group_name,
                    promotion_tier=0,
                    publicly_accessible=False,
                    auto_minor_version_upgrade=True,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=dr_key_arn,
                    performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
                    monitoring_interval=0,
                    copy_tags_to_snapshot=True,
                    tags={**tags, "Name": instance_id, "dr-role": "secondary"},
                    opts=self._dr_opts(),
                )
            )

    # --- AWS Backup -------------------------------------------------------------------

    def _backups(self, args: DisasterRecoveryArgs, specs: dict[str, Database]) -> None:
        """One plan, a rule and a selection per data class, copies to a DR vault.

        Each region has a single vault for all databases. Its key is that of the
        databases' data class with the tightest region RPO (transactional in prod):
        the vault holds that class's recovery points, so it gets that class's key.
        Aurora snapshots stay encrypted with their cluster's own key in the primary
        region; the vault key matters for the copies AWS Backup makes into the DR vault.
        """
        config, name = self._config, self._name
        env = config.environment
        production = config.is_production
        tags = base_tags(env, extra={"purpose": "backup"})
        classes = [dc for dc in config.data_classes if any(specs[db].data_class == dc.name for db in args.databases)]
        vault_class = min(classes, key=lambda dc: _region_rpo(dc) if _region_rpo(dc) is not None else float("inf"))

        primary_vault = aws.backup.Vault(
            f"{name}-primary-vault",
            name=f"{env.name}-databases",
            kms_key_arn=args.key_arns[vault_class.name],
            force_destroy=not production,
            tags={**tags, "data-class": vault_class.name, "Name": f"{env.name}-databases"},
            opts=pulumi.ResourceOptions(parent=self, protect=production),
        )
        dr_vault = aws.backup.Vault(
            f"{name}-replica-vault",
            name=f"{env.name}-databases-dr",
            kms_key_arn=args.dr_key_arns[vault_class.name],
            force_destroy=not production,
            tags={**tags, "data-class": vault_class.name, "Name": f"{env.name}-databases-dr", "dr-role": "secondary"},
            opts=self._dr_opts(protect=production),
        )

        rules = []
        for data_class in classes:
            lifecycle = {"delete_after": data_class.backup_retention_days}
            rules.append(
                aws.backup.PlanRuleArgs(
                    rule_name=data_class.name,
                    target_vault_name=primary_vault.name,
                    schedule=backup_schedule(data_class),
                    start_window=BACKUP_START_WINDOW_MINUTES,
                    completion_window=BACKUP_COMPLETION_WINDOW_MINUTES,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(**lifecycle),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=dr_vault.arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(**lifecycle),
                        )
                    ],
                    recovery_point_tags={**base_tags(env, data_class=data_class.name)},
                )
            )
        plan = aws.backup.Plan(
            f"{name}-backup-plan",
            name=f"{env.name}-databases",
            rules=rules,
            tags={**tags, "Name": f"{env.name}-databases"},
            opts=pulumi.ResourceOptions(parent=self),
        )

        role = aws.iam.Role(
            f"{name}-backup-role",
            description=f"AWS Backup backs up and restores the {env.name} databases",
            assume_role_policy=pulumi.Output.json_dumps(_service_trust("backup.amazonaws.com")),
            tags={**tags, "Name": f"{name}-backup-role"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                f"{name}-backup-role-{purpose}",
                role=role.name,
                policy_arn=policy_arn,
                opts=pulumi.ResourceOptions(parent=self),
            )
            for purpose, policy_arn in BACKUP_POLICY_ARNS.items()
        ]
        for data_class in classes:
            aws.backup.Selection(
                f"{name}-{data_class.name}-selection",
                name=f"{env.name}-{data_class.name}",
                plan_id=plan.id,
                iam_role_arn=role.arn,
                resources=[
                    database.cluster_arn
                    for db, database in args.databases.items()
                    if specs[db].data_class == data_class.name
                ],
                opts=pulumi.ResourceOptions(parent=self, depends_on=attachments),
            )

        self.backup_plan_id = plan.id
        self.primary_vault_name = primary_vault.name
        self.dr_vault_arn = dr_vault.arn

    # --- Bucket replication ----------------------------------------------------------

    def _bucket_replication(self, label: str, source: ReplicatedBucket, args: DisasterRecoveryArgs) -> SecureBucket:
        """Replicate every object of one bucket, and its deletions, to a DR twin.

        Each bucket gets its own replication role, which may read exactly the source
        bucket, write exactly the replica, decrypt with the source key and encrypt with
        the DR key, each only through S3 in its region. Object-level statements name the
        buckets' objects (`<bucket ARN>/*`), which S3 replication needs; no statement
        names `*`. Object-locked sources replicate into an object-locked replica.
        """
        config, name = self._config, self._name
        env = config.environment
        tags = base_tags(env, data_class=source.data_class)
        source_key = args.key_arns[source.data_class] if source.kms_encrypted else None
        replica_key = args.dr_key_arns[source.data_class]

        replica = SecureBucket(
            f"{name}-{label}-replica",
            SecureBucketArgs(
                kms_key_arn=replica_key,
                tags={**tags, "dr-role": "replica"},
                object_lock_days=source.object_lock_days,
                protect=config.is_production,
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=self._provider),
        )
        role = aws.iam.Role(
            f"{name}-{label}-replication-role",
            description=f"S3 replicates the {env.name} {label} bucket to {config.dr.region}",
            assume_role_policy=pulumi.Output.json_dumps(_service_trust("s3.amazonaws.com")),
            tags={**tags, "Name": f"{name}-{label}-replication-role"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        policy = aws.iam.RolePolicy(
            f"{name}-{label}-replication-policy",
            role=role.id,
            policy=pulumi.Output.json_dumps(
                replication_policy(
                    source_bucket_arn=source.arn,
                    replica_bucket_arn=replica.arn,
                    source_key_arn=source_key,
                    replica_key_arn=replica_key,
                    source_region=env.region,
                    replica_region=config.dr.region,
                    object_lock=source.object_lock_days is not None,
                )
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        replication = aws.s3.BucketReplicationConfig(
            f"{name}-{label}-replication",
            bucket=source.name,
            role=role.arn,
            rules=[
                aws.s3.BucketReplicationConfigRuleArgs(
                    id=f"{label}-to-dr",
                    status="Enabled",
                    # An empty prefix filter: every object, in the V2 schema that
                    # can replicate delete markers.
                    filter=aws.s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    delete_marker_replication=aws.s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=aws.s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    )
                    if source.kms_encrypted
                    else None,
                    destination=aws.s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=replica.arn,
                        storage_class="STANDARD",
                        encryption_configuration=aws.s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=replica_key
                        ),
                        # Replication Time Control bounds the region RPO at 15 minutes (docs/resilience-model.md);
                        # without it S3 gives no bound. RTC requires replication metrics.
                        replication_time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                            status="Enabled",
                            time=aws.s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(
                                minutes=REPLICATION_TIME_MINUTES
                            ),
                        ),
                        metrics=aws.s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                            status="Enabled",
                            event_threshold=aws.s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                minutes=REPLICATION_TIME_MINUTES
                            ),
                        ),
                    ),
                )
            ],
            # S3 checks the role's permissions and the replica's versioning on write.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy, replica.versioning]),
        )
        if label == "archive":
            self.archive_replication = replication
        return replica


@dataclass
class _DrNetwork:
    vpc_id: pulumi.Output[str]
    zones: pulumi.Output[list[str]]
    subnet_group_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    parameter_groups: dict[str, pulumi.Output[str]]


def replication_policy(
    *,
    source_bucket_arn: pulumi.Input[str],
    replica_bucket_arn: pulumi.Input[str],
    source_key_arn: pulumi.Input[str] | None,
    replica_key_arn: pulumi.Input[str],
    source_region: str,
    replica_region: str,
    object_lock: bool = False,
) -> dict:
    """The S3 replication role's permissions, naming each bucket and key exactly."""

    def objects(bucket_arn: pulumi.Input[str]) -> pulumi.Output[str]:
        return pulumi.Output.concat(bucket_arn, "/*")

    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadSourceReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": [source_bucket_arn],
            },
            {
                "Sid": "ReadSourceObjectVersions",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                    # Object-locked sources: replicas carry the same retention and legal holds.
                    *(["s3:GetObjectRetention", "s3:GetObjectLegalHold"] if object_lock else []),
                ],
                "Resource": [objects(source_bucket_arn)],
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                "Resource": [objects(replica_bucket_arn)],
            },
            # SSE-S3 sources (source_key_arn None) need no key to read.
            *(
                [
                    {
                        "Sid": "DecryptSourceObjects",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt"],
                        "Resource": [source_key_arn],
                        "Condition": {
                            "StringEquals": {"kms:ViaService": f"s3.{source_region}.amazonaws.com"},
                            # Bucket keys put the bucket ARN in the context; object keys the object ARN.
                            "StringLike": {
                                "kms:EncryptionContext:aws:s3:arn": [source_bucket_arn, objects(source_bucket_arn)]
                            },
                        },
                    }
                ]
                if source_key_arn is not None
                else []
            ),
            {
                "Sid": "EncryptReplicas",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [replica_key_arn],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"s3.{replica_region}.amazonaws.com"},
                    "StringLike": {
                        "kms:EncryptionContext:aws:s3:arn": [replica_bucket_arn, objects(replica_bucket_arn)]
                    },
                },
            },
        ],
    }


def _service_trust(service: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


def _region_rpo(data_class: DataClass) -> float | None:
    region = data_class.objectives.region
    return region.rpo_minutes if region is not None else None


def _check_keys(config: StackConfig, args: DisasterRecoveryArgs) -> None:
    """Name the data class whose key is missing instead of failing with a bare KeyError."""
    specs = {spec.name: spec for spec in config.databases}
    unknown = [db for db in args.databases if db not in specs]
    if unknown:
        raise ValueError(f"databases {unknown} are not declared in the stack config")
    needed = {specs[db].data_class for db in args.databases} | {b.data_class for b in args.replicated_buckets.values()}
    for label, keys in (("key_arns", args.key_arns), ("dr_key_arns", args.dr_key_arns)):
        missing = sorted(needed - set(keys))
        if missing:
            raise ValueError(f"DisasterRecovery: {label} has no key for data class(es) {', '.join(missing)}")
