"""The data tier: the network fence, parameters and Aurora clusters every database shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.database import POSTGRES_PORT, AuroraDatabase, AuroraDatabaseArgs
from components.tags import base_tags
from crossdock.config.schema import StackConfig

# Query logging that incident responders need: slow statements (database lock time
# and contention show up here first), schema changes, and lock waits. TLS is forced
# because IAM authentication tokens must never cross the network in clear text.
AURORA_PARAMETERS: dict[str, str] = {
    "log_min_duration_statement": "1000",
    "log_statement": "ddl",
    "log_lock_waits": "1",
    "rds.force_ssl": "1",
}


def parameter_group_family(engine: str, engine_version: str) -> str:
    """`aurora-postgresql16` for 16.4: RDS families follow the engine major version."""
    return f"{engine}{engine_version.split('.', 1)[0]}"


def cluster_parameters() -> list[aws.rds.ClusterParameterGroupParameterArgs]:
    """The shared parameters as RDS arguments (the DR region applies the same set)."""
    return [
        aws.rds.ClusterParameterGroupParameterArgs(name=key, value=value) for key, value in AURORA_PARAMETERS.items()
    ]


@dataclass
class DataTierArgs:
    config: StackConfig
    vpc_id: pulumi.Input[str]
    data_subnet_ids: Sequence[pulumi.Input[str]]
    client_cidr_blocks: Sequence[str]
    key_arns: Mapping[str, pulumi.Input[str]]
    availability_zones: pulumi.Input[Sequence[str]]
    dr_key_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


class DataTier(pulumi.ComponentResource):
    """One subnet group, security group and parameter group, and an `AuroraDatabase` each.

    The security group admits PostgreSQL only from `client_cidr_blocks` (the private
    application subnets) and lets the databases talk only inside the VPC, so a
    compromised database host cannot reach the internet. One parameter group is
    created per engine major version in use (one in every shipped stack), because a
    parameter group's family must match its clusters' major version.

    With a `dr` section the connection secrets are replicated to the DR region; a
    stack without databases gets no data-tier resources at all.
    """

    def __init__(self, name: str, args: DataTierArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:data:DataTier", name, None, opts)
        config = args.config
        env = config.environment
        tags = base_tags(env)
        self.databases: dict[str, AuroraDatabase] = {}
        self.subnet_group_name: pulumi.Output[str] | None = None
        self.security_group_id: pulumi.Output[str] | None = None
        self.parameter_group_names: dict[str, pulumi.Output[str]] = {}

        if config.databases:
            _check_keys(config, args.key_arns, args.dr_key_arns)
            subnet_group = aws.rds.SubnetGroup(
                f"{name}-subnets",
                name=f"{env.name}-data",
                description=f"Data subnets of {env.name}: Aurora clusters only",
                subnet_ids=list(args.data_subnet_ids),
                tags={**tags, "Name": f"{env.name}-data"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            security_group = aws.ec2.SecurityGroup(
                f"{name}-sg",
                name=f"{env.name}-data",
                description=f"PostgreSQL from the private subnets of {env.name} only",
                vpc_id=args.vpc_id,
                ingress=[
                    aws.ec2.SecurityGroupIngressArgs(
                        description="PostgreSQL from the private application subnets",
                        protocol="tcp",
                        from_port=POSTGRES_PORT,
                        to_port=POSTGRES_PORT,
                        cidr_blocks=list(args.client_cidr_blocks),
                    )
                ],
                egress=[
                    aws.ec2.SecurityGroupEgressArgs(
                        description="Inside the VPC only",
                        protocol="-1",
                        from_port=0,
                        to_port=0,
                        cidr_blocks=[str(env.vpc_cidr)],
                    )
                ],
                revoke_rules_on_delete=True,
                tags={**tags, "Name": f"{env.name}-data"},
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.subnet_group_name = subnet_group.name
            self.security_group_id = security_group.id

            families = dict.fromkeys(parameter_group_family(db.engine, db.engine_version) for db in config.databases)
            for family in families:
                group = aws.rds.ClusterParameterGroup(
                    f"{name}-{family}",
                    name=f"{env.name}-{family}",
                    family=family,
                    description=f"crossdock {family} cluster parameters: query logging and forced TLS",
                    parameters=cluster_parameters(),
                    tags={**tags, "Name": f"{env.name}-{family}"},
                    opts=pulumi.ResourceOptions(parent=self),
                )
                self.parameter_group_names[family] = group.name

            monitoring_role = self._monitoring_role(name, tags)
            dr_region = config.dr.region if config.dr else None
            for spec in config.databases:
                self.databases[spec.name] = AuroraDatabase(
                    f"{name}-{spec.name}",
                    AuroraDatabaseArgs(
                        spec=spec,
                        config=config,
                        subnet_group_name=subnet_group.name,
                        security_group_id=security_group.id,
                        parameter_group_name=self.parameter_group_names[
                            parameter_group_family(spec.engine, spec.engine_version)
                        ],
                        key_arn=args.key_arns[spec.data_class],
                        availability_zones=args.availability_zones,
                        dr_region=dr_region,
                        dr_key_arn=args.dr_key_arns.get(spec.data_class) if dr_region else None,
                        monitoring_role_arn=monitoring_role.arn,
                    ),
                    opts=pulumi.ResourceOptions(parent=self),
                )

        self.register_outputs(
            {
                "subnet_group_name": self.subnet_group_name,
                "security_group_id": self.security_group_id,
                "parameter_group_names": self.parameter_group_names,
                "cluster_identifiers": {db: database.cluster_identifier for db, database in self.databases.items()},
                "endpoints": {db: database.endpoint for db, database in self.databases.items()},
            }
        )

    def _monitoring_role(self, name: str, tags: dict[str, str]) -> aws.iam.Role:
        """The role RDS Enhanced Monitoring assumes to write OS metrics to CloudWatch Logs."""
        role = aws.iam.Role(
            f"{name}-monitoring-role",
            description="RDS Enhanced Monitoring publishes OS metrics of the Aurora instances",
            assume_role_policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "monitoring.rds.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
            tags={**tags, "Name": f"{name}-monitoring-role"},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-monitoring-policy",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role


def _check_keys(
    config: StackConfig, key_arns: Mapping[str, pulumi.Input[str]], dr_key_arns: Mapping[str, pulumi.Input[str]]
) -> None:
    """Fail with the database and data class at fault instead of a bare KeyError."""
    for spec in config.databases:
        if spec.data_class not in key_arns:
            raise ValueError(f"database {spec.name!r}: no KMS key for data class {spec.data_class!r} in key_arns")
        if config.dr is not None and spec.data_class not in dr_key_arns:
            raise ValueError(
                f"database {spec.name!r}: the stack has a dr section but dr_key_arns has no key for data class "
                f"{spec.data_class!r} (its connection secret is replicated to {config.dr.region})"
            )
