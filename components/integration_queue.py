"""One integration flow: an encrypted SQS queue, its dead-letter queue and replay permission.

Carrier events, ASN ingestion, shipment confirmations and billing triggers are
decoupled through queues so a slow partner backs up one flow instead of the
platform. The DLQ is what makes a poison message survivable: it keeps failed
messages for the longest time SQS allows (14 days, never shorter than the source),
and its redrive-allow policy names only this flow's source queue, so responders can
replay it back with SQS's DLQ redrive (StartMessageMoveTask) and nothing else can
dump messages into it. FIFO flows keep exactly-once, ordered processing per message
group on both queues, so a replay cannot reorder or duplicate a shipment or invoice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.tags import base_tags
from crossdock.config.schema import Environment, Queue, Tier

# SQS's maximum: failed shipment events must outlive a long weekend and the source's
# own retention, so the DLQ never expires a message before the source would have.
DLQ_RETENTION_SECONDS = 1_209_600
# SQS caches the data key this long before asking KMS again (AWS default; bounds KMS cost).
KMS_DATA_KEY_REUSE_SECONDS = 300
FIFO_SUFFIX = ".fifo"


@dataclass
class IntegrationQueueArgs:
    spec: Queue
    environment: Environment
    # ARN of the KMS key of the flow's data class (spec.data_class).
    kms_key_arn: pulumi.Input[str]
    # Owner and business processes of the flow (components.tags.ownership_tags), on both queues.
    ownership: Mapping[str, str] = field(default_factory=dict)


class IntegrationQueue(pulumi.ComponentResource):
    """Source queue + DLQ (both KMS-encrypted, TLS-only), redrive and redrive-allow policies."""

    def __init__(self, name: str, args: IntegrationQueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:messaging:IntegrationQueue", name, None, opts)
        spec = args.spec
        self.spec = spec
        suffix = FIFO_SUFFIX if spec.fifo else ""
        # A production queue holds undelivered shipment events; replacing it (e.g. a
        # FIFO flip) would drop them, so Pulumi must refuse until someone migrates.
        stateful = pulumi.ResourceOptions(parent=self, protect=args.environment.tier is Tier.PRODUCTION)
        child = pulumi.ResourceOptions(parent=self)

        def tags(role: str) -> dict[str, str]:
            return base_tags(
                args.environment,
                data_class=spec.data_class,
                extra={"criticality": spec.criticality.value, "flow": spec.name, "queue-role": role, **args.ownership},
            )

        self.dlq = aws.sqs.Queue(
            f"{name}-dlq",
            name=f"{name}-dlq{suffix}",
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            visibility_timeout_seconds=spec.visibility_timeout_seconds,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags=tags("dead-letter"),
            opts=stateful,
            **_fifo_settings(spec.fifo),
        )
        self.queue = aws.sqs.Queue(
            name,
            name=f"{name}{suffix}",
            message_retention_seconds=spec.retention_seconds,
            visibility_timeout_seconds=spec.visibility_timeout_seconds,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dlq.arn, "maxReceiveCount": spec.max_receive_count}
            ),
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=KMS_DATA_KEY_REUSE_SECONDS,
            tags=tags("source"),
            opts=stateful,
            **_fifo_settings(spec.fifo),
        )

        # Only this flow may dead-letter into the DLQ; the same policy is what lets
        # SQS move messages back to the source when responders replay.
        self.redrive_allow_policy = aws.sqs.RedriveAllowPolicy(
            f"{name}-dlq-redrive-allow",
            queue_url=self.dlq.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}
            ),
            opts=child,
        )
        self.queue_policy = aws.sqs.QueuePolicy(
            f"{name}-tls-only",
            queue_url=self.queue.url,
            policy=pulumi.Output.json_dumps(_tls_only_policy(self.queue.arn)),
            opts=child,
        )
        self.dlq_policy = aws.sqs.QueuePolicy(
            f"{name}-dlq-tls-only",
            queue_url=self.dlq.url,
            policy=pulumi.Output.json_dumps(_tls_only_policy(self.dlq.arn)),
            opts=child,
        )

        self.queue_url = self.queue.url
        self.queue_arn = self.queue.arn
        self.queue_name = self.queue.name
        self.dlq_url = self.dlq.url
        self.dlq_arn = self.dlq.arn
        self.dlq_name = self.dlq.name
        self.register_outputs(
            {
                "queue_url": self.queue_url,
                "queue_arn": self.queue_arn,
                "queue_name": self.queue_name,
                "dlq_url": self.dlq_url,
                "dlq_arn": self.dlq_arn,
                "dlq_name": self.dlq_name,
            }
        )


def _fifo_settings(fifo: bool) -> dict:
    """FIFO with content-based dedup and high-throughput mode (dedup and quota per message group).

    Per-group scope keeps ordering where it matters (one shipment, one invoice) while
    letting unrelated groups go through in parallel during peak hours.
    """
    if not fifo:
        return {}
    return {
        "fifo_queue": True,
        "content_based_deduplication": True,
        "deduplication_scope": "messageGroup",
        "fifo_throughput_limit": "perMessageGroupId",
    }


def _tls_only_policy(queue_arn: pulumi.Output[str]) -> dict:
    """Deny every SQS action on the queue that does not arrive over TLS."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "sqs:*",
                "Resource": queue_arn,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
