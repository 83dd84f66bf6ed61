"""One service's AWS identity: an IAM role its Kubernetes service account assumes (IRSA).

The role's policy names exactly what the service declared in the stack config and
nothing on `*`:

- `ConsumeQueues`: receive, delete, change visibility and get attributes on the
  queues it consumes;
- `ProduceQueues`: send on the queues it produces;
- `ConnectAsServiceUser`: `rds-db:connect` as `<db>_app` on its database's cluster
  (the cluster's resource id, which is what IAM database authentication checks);
- `DecryptQueueMessages`: `kms:Decrypt` on the keys of its queues' data classes, and
  `EncryptProducedMessages`: `kms:GenerateDataKey` on the keys of the data classes of
  the queues it produces (SQS needs both from a producer of an SSE-KMS queue); both only
  when SQS asks (`kms:ViaService`).

A service that uses only a database gets no KMS grant: Aurora decrypts its storage
itself and IAM authentication needs no key.

The role carries the contract the policy pack's service-identity rule checks
(CD-SVC-001): `service`, `declared-queues` (physical queue names, space-separated),
`declared-database` and `declared-data-classes`. Its trust policy admits only the
cluster's OIDC provider, for this service's service account in its namespace, with
the STS audience (CD-SVC-002).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.database import postgres_identifier
from components.tags import base_tags
from crossdock.config.schema import Environment, Queue, Service

CONSUME_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes")
PRODUCE_ACTIONS = ("sqs:SendMessage",)
STS_AUDIENCE = "sts.amazonaws.com"


def queue_physical_name(environment: Environment, queue: Queue) -> str:
    """The SQS name IntegrationQueue gives a flow (`<env>-<flow>`, `.fifo` for FIFO flows)."""
    return f"{environment.name}-{queue.name}{'.fifo' if queue.fifo else ''}"


def database_user(database_name: str) -> str:
    """The PostgreSQL user a service connects as (the connection secret names the same user)."""
    return f"{postgres_identifier(database_name)}_app"


@dataclass
class ServiceDatabaseAccess:
    """What the identity needs to know about the service's database."""

    name: str
    cluster_resource_id: pulumi.Input[str]


@dataclass
class ServiceIdentityArgs:
    service: Service
    environment: Environment
    namespace: str
    oidc_provider_arn: pulumi.Input[str]
    # The issuer without its https:// scheme, e.g. oidc.eks.us-east-1.amazonaws.com/id/ABC...
    oidc_issuer: pulumi.Input[str]
    # Queue spec and ARN for each queue the service consumes / produces (config names as keys).
    consumed: Mapping[str, tuple[Queue, pulumi.Input[str]]] = field(default_factory=dict)
    produced: Mapping[str, tuple[Queue, pulumi.Input[str]]] = field(default_factory=dict)
    # KMS key ARN per data class; only the classes of the service's queues are used.
    key_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    database: ServiceDatabaseAccess | None = None
    region: pulumi.Input[str] = ""
    account_id: pulumi.Input[str] = ""
    partition: pulumi.Input[str] = "aws"
    # Owner and business processes of the service (components.tags.ownership_tags), on the role.
    ownership: Mapping[str, str] = field(default_factory=dict)


class ServiceIdentity(pulumi.ComponentResource):
    """The IRSA role of one service and its inline policy (absent when it declares nothing)."""

    def __init__(self, name: str, args: ServiceIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:ServiceIdentity", name, None, opts)
        service, env = args.service, args.environment
        child = pulumi.ResourceOptions(parent=self)
        queues = sorted(
            {queue_physical_name(env, spec) for spec, _ in [*args.consumed.values(), *args.produced.values()]}
        )
        data_classes = self.data_classes(args)
        tags = base_tags(
            env,
            extra={
                "service": service.name,
                "criticality": service.criticality.value,
                "declared-queues": " ".join(queues),
                "declared-database": args.database.name if args.database else "",
                "declared-data-classes": " ".join(data_classes),
                **args.ownership,
            },
        )
        self.role = aws.iam.Role(
            f"{name}-role",
            name=f"{env.name}-{service.name}",
            description=f"crossdock: {service.name} service account ({args.namespace}/{service.name}) via IRSA",
            assume_role_policy=_trust_policy(args),
            max_session_duration=3600,
            tags={**tags, "Name": f"{env.name}-{service.name}"},
            opts=child,
        )
        statements = access_statements(args)
        self.policy = None
        if statements:
            self.policy = aws.iam.RolePolicy(
                f"{name}-access",
                name=f"{env.name}-{service.name}-access",
                role=self.role.id,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                opts=child,
            )
        self.role_arn: pulumi.Output[str] = self.role.arn
        self.role_name: pulumi.Output[str] = self.role.name
        self.register_outputs({"role_arn": self.role_arn, "role_name": self.role_name})

    @staticmethod
    def data_classes(args: ServiceIdentityArgs) -> list[str]:
        return sorted({spec.data_class for spec, _ in [*args.consumed.values(), *args.produced.values()]})


def _trust_policy(args: ServiceIdentityArgs) -> pulumi.Output[str]:
    """Only this service's service account, through the cluster's OIDC provider, for STS."""
    subject = f"system:serviceaccount:{args.namespace}:{args.service.name}"
    return pulumi.Output.all(args.oidc_issuer, args.oidc_provider_arn).apply(
        lambda values: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ServiceAccountViaClusterOidc",
                        "Effect": "Allow",
                        "Principal": {"Federated": values[1]},
                        "Action": "sts:AssumeRoleWithWebIdentity",
                        "Condition": {"StringEquals": {f"{values[0]}:sub": subject, f"{values[0]}:aud": STS_AUDIENCE}},
                    }
                ],
            }
        )
    )


def access_statements(args: ServiceIdentityArgs) -> list[dict]:
    """The statements of the service's policy, in a fixed order (see the module docstring)."""
    statements: list[dict] = []
    if args.consumed:
        statements.append(
            {
                "Sid": "ConsumeQueues",
                "Effect": "Allow",
                "Action": list(CONSUME_ACTIONS),
                "Resource": [arn for _, arn in args.consumed.values()],
            }
        )
    if args.produced:
        statements.append(
            {
                "Sid": "ProduceQueues",
                "Effect": "Allow",
                "Action": list(PRODUCE_ACTIONS),
                "Resource": [arn for _, arn in args.produced.values()],
            }
        )
    if args.database is not None:
        statements.append(
            {
                "Sid": "ConnectAsServiceUser",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": pulumi.Output.format(
                    "arn:{0}:rds-db:{1}:{2}:dbuser:{3}/{4}",
                    args.partition,
                    args.region,
                    args.account_id,
                    args.database.cluster_resource_id,
                    database_user(args.database.name),
                ),
            }
        )
    via_sqs = {"StringEquals": {"kms:ViaService": pulumi.Output.format("sqs.{0}.amazonaws.com", args.region)}}
    all_classes = ServiceIdentity.data_classes(args)
    if all_classes:
        statements.append(
            {
                "Sid": "DecryptQueueMessages",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": _key_arns(args.key_arns, all_classes),
                "Condition": via_sqs,
            }
        )
    produced_classes = sorted({spec.data_class for spec, _ in args.produced.values()})
    if produced_classes:
        statements.append(
            {
                "Sid": "EncryptProducedMessages",
                "Effect": "Allow",
                "Action": "kms:GenerateDataKey",
                "Resource": _key_arns(args.key_arns, produced_classes),
                "Condition": via_sqs,
            }
        )
    return statements


def _key_arns(key_arns: Mapping[str, pulumi.Input[str]], classes: Sequence[str]) -> list[pulumi.Input[str]]:
    missing = [data_class for data_class in classes if data_class not in key_arns]
    if missing:
        raise ValueError(f"no KMS key for data class(es) {', '.join(missing)}")
    return [key_arns[data_class] for data_class in classes]
