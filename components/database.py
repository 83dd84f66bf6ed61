"""One Aurora PostgreSQL cluster: writer, readers across zones, and its connection secret.

Applications authenticate with IAM database authentication, so the only password is
the master password, which RDS generates, stores and rotates itself
(`manage_master_user_password`). What applications read is a separate connection
secret holding where to connect and as whom, never a password.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import data_store_tags, ownership_tags
from crossdock.config.schema import Database, StackConfig

POSTGRES_PORT = 5432
MASTER_USERNAME = "crossdock_admin"
# UTC; the maintenance window starts after the backup window so they never overlap.
BACKUP_WINDOW = "03:00-04:00"
MAINTENANCE_WINDOW = "sun:04:30-sun:05:30"
# Performance Insights' free retention; long enough to investigate last week's incident.
ENHANCED_MONITORING_SECONDS = 60
PERFORMANCE_INSIGHTS_RETENTION_DAYS = 7
LOG_EXPORTS = ["postgresql"]


def postgres_identifier(name: str) -> str:
    """A DNS-safe config name as a PostgreSQL identifier (hyphens are not allowed there)."""
    return name.replace("-", "_")


@dataclass
class AuroraDatabaseArgs:
    spec: Database
    config: StackConfig
    subnet_group_name: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    parameter_group_name: pulumi.Input[str]
    key_arn: pulumi.Input[str]
    availability_zones: pulumi.Input[Sequence[str]]
    dr_region: str | None = None
    dr_key_arn: pulumi.Input[str] | None = None
    # Role RDS assumes to publish Enhanced Monitoring; None leaves it off.
    monitoring_role_arn: pulumi.Input[str] | None = None


class AuroraDatabase(pulumi.ComponentResource):
    """An encrypted Aurora PostgreSQL cluster with a writer and `spec.readers` readers.

    Placement: instance n goes to zone n mod len(zones), in every tier, so production
    (three or more zones) keeps the writer and each reader in a different zone and a
    zone failure costs at most one instance. The cluster itself gets no
    `availability_zones`: AWS picks its storage zones, and pinning them only causes
    perpetual diffs.

    Enhanced Monitoring runs every 60 s when the data tier passes a monitoring role:
    during lock contention responders need the OS process list and per-process
    CPU/IO, which Performance Insights (encrypted with the data class key) and the
    exported `postgresql` log do not show.

    `globalClusterIdentifier` is ignored because `DisasterRecovery` attaches this
    cluster to an Aurora Global Database after creation; without it every update
    would try to detach the cluster again.
    """

    def __init__(self, name: str, args: AuroraDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:data:AuroraDatabase", name, None, opts)
        spec, config = args.spec, args.config
        if args.dr_region is not None and args.dr_key_arn is None:
            raise ValueError(
                f"database {spec.name!r}: dr_region {args.dr_region} needs dr_key_arn for the secret replica"
            )
        data_class = config.data_class(spec.data_class)
        production = config.is_production
        identifier = f"{config.environment.name}-{spec.name}"
        tags = {
            **data_store_tags(config, spec.data_class),
            "database": spec.name,
            **ownership_tags(config, "database", spec.name),
        }
        database_name = postgres_identifier(spec.name)

        self.spec = spec
        self.cluster = aws.rds.Cluster(
            f"{name}-cluster",
            cluster_identifier=identifier,
            engine=spec.engine,
            engine_version=spec.engine_version,
            database_name=database_name,
            port=POSTGRES_PORT,
            master_username=MASTER_USERNAME,
            manage_master_user_password=True,
            master_user_secret_kms_key_id=args.key_arn,
            iam_database_authentication_enabled=True,
            storage_encrypted=True,
            kms_key_id=args.key_arn,
            db_subnet_group_name=args.subnet_group_name,
            vpc_security_group_ids=[args.security_group_id],
            db_cluster_parameter_group_name=args.parameter_group_name,
            backup_retention_period=data_class.backup_retention_days,
            preferred_backup_window=BACKUP_WINDOW,
            preferred_maintenance_window=MAINTENANCE_WINDOW,
            copy_tags_to_snapshot=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS,
            deletion_protection=production,
            skip_final_snapshot=not production,
            final_snapshot_identifier=f"{identifier}-final" if production else None,
            tags={**tags, "Name": identifier},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=production,
                ignore_changes=["globalClusterIdentifier"],
            ),
        )

        self.instances: list[aws.rds.ClusterInstance] = []
        for index in range(1 + spec.readers):
            # Readers wait for instance 1: the first instance Aurora creates becomes the
            # writer, and it should be the promotion-tier-0 instance in the first zone.
            # After a failover another instance writes; names and tags say nothing
            # about roles for that reason.
            depends_on = [self.instances[0]] if index else []
            instance_id = f"{identifier}-{index + 1}"
            self.instances.append(
                aws.rds.ClusterInstance(
                    f"{name}-instance-{index + 1}",
                    identifier=instance_id,
                    cluster_identifier=self.cluster.id,
                    engine=spec.engine,
                    engine_version=spec.engine_version,
                    instance_class=spec.instance_class,
                    availability_zone=_round_robin(args.availability_zones, index),
                    db_subnet_group_name=args.subnet_group_name,
                    promotion_tier=index,
                    publicly_accessible=False,
                    auto_minor_version_upgrade=True,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=args.key_arn,
                    performance_insights_retention_period=PERFORMANCE_INSIGHTS_RETENTION_DAYS,
                    monitoring_interval=ENHANCED_MONITORING_SECONDS if args.monitoring_role_arn else 0,
                    monitoring_role_arn=args.monitoring_role_arn,
                    preferred_maintenance_window=MAINTENANCE_WINDOW,
                    copy_tags_to_snapshot=True,
                    tags={**tags, "Name": instance_id},
                    opts=pulumi.ResourceOptions(parent=self, depends_on=depends_on),
                )
            )

        self.connection_secret = aws.secretsmanager.Secret(
            f"{name}-connection",
            name=f"{config.environment.name}/{spec.name}/connection",
            description=f"Where and as whom to connect to {identifier} with IAM authentication (no password).",
            kms_key_id=args.key_arn,
            recovery_window_in_days=30 if production else 0,
            replicas=_secret_replicas(args.dr_region, args.dr_key_arn),
            tags={**tags, "Name": f"{identifier}-connection"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.connection_secret_version = aws.secretsmanager.SecretVersion(
            f"{name}-connection-value",
            secret_id=self.connection_secret.id,
            secret_string=pulumi.Output.json_dumps(
                {
                    "engine": "postgres",
                    "authentication": "iam",
                    "host": self.cluster.endpoint,
                    "readerHost": self.cluster.reader_endpoint,
                    "port": POSTGRES_PORT,
                    "dbname": database_name,
                    "username": f"{database_name}_app",
                }
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.cluster_identifier: pulumi.Output[str] = self.cluster.cluster_identifier
        self.cluster_arn: pulumi.Output[str] = self.cluster.arn
        self.endpoint: pulumi.Output[str] = self.cluster.endpoint
        self.reader_endpoint: pulumi.Output[str] = self.cluster.reader_endpoint
        self.connection_secret_arn: pulumi.Output[str] = self.connection_secret.arn
        self.register_outputs(
            {
                "cluster_identifier": self.cluster_identifier,
                "cluster_arn": self.cluster_arn,
                "endpoint": self.endpoint,
                "reader_endpoint": self.reader_endpoint,
                "connection_secret_arn": self.connection_secret_arn,
                "instance_identifiers": [instance.identifier for instance in self.instances],
            }
        )


def _round_robin(zones: pulumi.Input[Sequence[str]], index: int) -> pulumi.Input[str]:
    """Zone `index mod len(zones)`; plain lists stay plain so plans show the zone."""
    if isinstance(zones, (list, tuple)):
        if not zones:
            raise ValueError("availability_zones is empty: an Aurora instance needs a zone")
        return zones[index % len(zones)]
    return pulumi.Output.from_input(zones).apply(lambda resolved: resolved[index % len(resolved)])


def _secret_replicas(
    dr_region: str | None, dr_key_arn: pulumi.Input[str] | None
) -> list[aws.secretsmanager.SecretReplicaArgs] | None:
    """The DR copy of the connection secret, so failover runbooks find it in the DR region.

    Only this secret is replicated. The RDS-managed master secret belongs to RDS: RDS
    creates, rotates and deletes it with the cluster, and Secrets Manager replicas of
    it would keep serving a password RDS no longer rotates. It is also a break-glass
    credential nobody needs before failover: applications use IAM authentication, and
    a promoted DR cluster gets its own managed master secret in the DR region.
    """
    if dr_region is None:
        return None
    return [aws.secretsmanager.SecretReplicaArgs(region=dr_region, kms_key_id=dr_key_arn)]
