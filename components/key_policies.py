"""Explicit KMS key policies: the account administers the key, services get only what they need.

A key without an explicit policy gets AWS's default, which hides who may use it.
These builders state it: the account root administers the key (so IAM policies in
the account decide who uses it), and each AWS service that must encrypt on the
account's behalf is named with a condition that pins it to this account.
"""

from __future__ import annotations

import pulumi

# Every customer-managed key of the blueprint: a deleted key can be recovered for 30 days
# (the longest AWS allows), and its material rotates yearly.
KEY_DELETION_WINDOW_DAYS = 30
KEY_ROTATION_DAYS = 365


def _root_statement(partition: pulumi.Input[str], account_id: pulumi.Input[str]) -> dict:
    return {
        "Sid": "AccountRootAdministersKey",
        "Effect": "Allow",
        "Principal": {"AWS": pulumi.Output.format("arn:{0}:iam::{1}:root", partition, account_id)},
        "Action": "kms:*",
        "Resource": "*",
    }


def data_key_policy(partition: pulumi.Input[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Data-class keys: account administration, and SNS may encrypt messages it delivers to queues."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                _root_statement(partition, account_id),
                {
                    "Sid": "SnsDeliversToEncryptedQueues",
                    "Effect": "Allow",
                    "Principal": {"Service": "sns.amazonaws.com"},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        }
    )


def operations_key_policy(
    partition: pulumi.Input[str], account_id: pulumi.Input[str], region: pulumi.Input[str]
) -> pulumi.Output[str]:
    """The operations key encrypts log groups and alert topics that CloudWatch and EventBridge write to."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                _root_statement(partition, account_id),
                {
                    "Sid": "CloudWatchLogsEncryptsLogGroups",
                    "Effect": "Allow",
                    "Principal": {"Service": pulumi.Output.format("logs.{0}.amazonaws.com", region)},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {
                            "kms:EncryptionContext:aws:logs:arn": pulumi.Output.format(
                                "arn:{0}:logs:{1}:{2}:*", partition, region, account_id
                            )
                        }
                    },
                },
                {
                    # EventBridge delivers the break-glass notification to the critical topic.
                    "Sid": "CloudWatchAlarmsPublishToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
            ],
        }
    )


def alert_topic_policy(topic_arn: pulumi.Input[str], account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Only CloudWatch alarms and EventBridge rules of this account publish; nothing reaches the topic without TLS."""
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    # Alarms, and the EventBridge rule that reports break-glass sessions.
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]},
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                },
                {
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "sns:Publish",
                    "Resource": topic_arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ],
        }
    )
