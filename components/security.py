"""Keys, the audit bucket and alert topics: what every other component encrypts with or reports to.

One customer key per data class keeps blast radius and access reviews per class
(revoking the analytics key never touches orders). With DR configured, every key is
multi-region and has a replica in the DR region, so backup copies, replicated
buckets and secrets decrypt there without re-encryption. Alert topics are encrypted
with an operations key whose policy lets CloudWatch publish.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.key_policies import (
    KEY_DELETION_WINDOW_DAYS,
    KEY_ROTATION_DAYS,
    alert_topic_policy,
    data_key_policy,
    operations_key_policy,
)
from components.secure_bucket import SecureBucket, SecureBucketArgs
from components.tags import base_tags, data_store_tags
from crossdock.config.schema import Severity, StackConfig


@dataclass
class SecurityBaselineArgs:
    config: StackConfig
    # Explicit provider for the DR region; None when the stack has no dr section.
    dr_provider: aws.Provider | None = None


class SecurityBaseline(pulumi.ComponentResource):
    """KMS keys per data class (plus operations), the audit bucket and per-severity alert topics."""

    def __init__(self, name: str, args: SecurityBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:security:SecurityBaseline", name, None, opts)
        config = args.config
        env = config.environment
        self._config = config
        multi_region = args.dr_provider is not None
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        account_id = identity.account_id

        self.keys: dict[str, aws.kms.Key] = {}
        self.dr_keys: dict[str, aws.kms.ReplicaKey] = {}
        for data_class in config.data_classes:
            key_name = f"{name}-{data_class.name}-key"
            tags = base_tags(env, data_class=data_class.name)
            self.keys[data_class.name] = self._key(
                key_name,
                f"{env.name} {data_class.name} data",
                data_key_policy(partition, account_id),
                multi_region,
                tags,
            )
            if args.dr_provider is not None:
                self.dr_keys[data_class.name] = self._replica(
                    f"{key_name}-dr",
                    self.keys[data_class.name],
                    data_key_policy(partition, account_id),
                    args.dr_provider,
                    tags,
                )

        ops_tags = base_tags(env, extra={"purpose": "operations"})
        self.operations_key = self._key(
            f"{name}-operations-key",
            f"{env.name} logs and alert topics",
            operations_key_policy(partition, account_id, env.region),
            multi_region,
            ops_tags,
        )
        self.dr_operations_key = None
        if args.dr_provider is not None:
            self.dr_operations_key = self._replica(
                f"{name}-operations-key-dr",
                self.operations_key,
                operations_key_policy(partition, account_id, config.dr.region),
                args.dr_provider,
                ops_tags,
            )

        audit = config.data_class("audit")
        self.audit_bucket = SecureBucket(
            f"{name}-audit",
            SecureBucketArgs(
                kms_key_arn=self.keys["audit"].arn,
                tags=data_store_tags(config, "audit"),
                object_lock_days=audit.backup_retention_days,
                protect=config.is_production,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.alert_topics: dict[Severity, aws.sns.Topic] = {}
        for severity in Severity:
            self.alert_topics[severity] = self._topic(
                f"{name}-alerts-{severity.value}", severity, self.operations_key.arn, account_id, None
            )
        self.dr_alert_topic = None
        if args.dr_provider is not None:
            self.dr_alert_topic = self._topic(
                f"{name}-alerts-critical-dr",
                Severity.CRITICAL,
                self.dr_operations_key.arn,
                account_id,
                args.dr_provider,
            )

        self.key_arns = {data_class: key.arn for data_class, key in self.keys.items()}
        self.dr_key_arns = {data_class: key.arn for data_class, key in self.dr_keys.items()}
        self.operations_key_arn = self.operations_key.arn
        self.dr_operations_key_arn = self.dr_operations_key.arn if self.dr_operations_key else None
        self.alert_topic_arns = {severity: topic.arn for severity, topic in self.alert_topics.items()}
        self.dr_alert_topic_arn = self.dr_alert_topic.arn if self.dr_alert_topic else None
        self.register_outputs(
            {
                "key_arns": self.key_arns,
                "dr_key_arns": self.dr_key_arns,
                "operations_key_arn": self.operations_key_arn,
                "dr_operations_key_arn": self.dr_operations_key_arn,
                "alert_topic_arns": {severity.value: arn for severity, arn in self.alert_topic_arns.items()},
                "dr_alert_topic_arn": self.dr_alert_topic_arn,
                "audit_bucket_name": self.audit_bucket.bucket_name,
            }
        )

    def _key(
        self, name: str, purpose: str, policy: pulumi.Output[str], multi_region: bool, tags: dict[str, str]
    ) -> aws.kms.Key:
        key = aws.kms.Key(
            name,
            description=f"crossdock: {purpose}",
            enable_key_rotation=True,
            rotation_period_in_days=KEY_ROTATION_DAYS,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            multi_region=multi_region,
            policy=policy,
            tags={**tags, "Name": name},
            opts=pulumi.ResourceOptions(parent=self),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/crossdock/{name}",
            target_key_id=key.key_id,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return key

    def _replica(
        self,
        name: str,
        primary: aws.kms.Key,
        policy: pulumi.Output[str],
        provider: aws.Provider,
        tags: dict[str, str],
    ) -> aws.kms.ReplicaKey:
        """A DR-region replica: same key material, so DR copies decrypt without re-encryption."""
        return aws.kms.ReplicaKey(
            name,
            primary_key_arn=primary.arn,
            description=f"crossdock: DR replica ({name})",
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            tags={**tags, "Name": name},
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )

    def _topic(
        self,
        name: str,
        severity: Severity,
        key_arn: pulumi.Input[str],
        account_id: pulumi.Input[str],
        provider: aws.Provider | None,
    ) -> aws.sns.Topic:
        topic = aws.sns.Topic(
            name,
            kms_master_key_id=key_arn,
            tags={**base_tags(self._config.environment, extra={"severity": severity.value}), "Name": name},
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        aws.sns.TopicPolicy(
            f"{name}-policy",
            arn=topic.arn,
            policy=alert_topic_policy(topic.arn, account_id),
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )
        for index, subscription in enumerate(self._config.alerting.subscriptions(severity)):
            aws.sns.TopicSubscription(
                f"{name}-{subscription.protocol}-{index}",
                topic=topic.arn,
                protocol=subscription.protocol,
                endpoint=subscription.endpoint,
                opts=pulumi.ResourceOptions(parent=self, provider=provider),
            )
        return topic
