"""An S3 bucket that is private, versioned, KMS-encrypted and TLS-only by construction.

Audit logs and integration-payload archives are what responders replay and what
auditors ask for after an incident, so every bucket crossdock makes gets the same
controls. Each control is its own resource (as in Terraform's AWS provider) so
checkov's graph checks and the policy pack see them the same way a reviewer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws


@dataclass
class SecureBucketArgs:
    # Customer key for SSE-KMS. None means SSE-S3, only for AWS services that cannot
    # write to SSE-KMS buckets (load balancer access logs support SSE-S3 alone).
    kms_key_arn: pulumi.Input[str] | None
    tags: Mapping[str, str] = field(default_factory=dict)
    # Days new objects stay immutable (object lock, governance mode); None = no object lock.
    object_lock_days: int | None = None
    # Production audit and payload buckets must survive a mistaken `pulumi destroy`.
    protect: bool = False
    # AWS service principal allowed to deliver logs under AWSLogs/<account>/ (this account only).
    log_delivery_service: str | None = None


class SecureBucket(pulumi.ComponentResource):
    """Bucket plus versioning, SSE-KMS, public-access block, owner-enforced ACLs and a TLS-only policy."""

    def __init__(self, name: str, args: SecureBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:storage:SecureBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.protect)

        self.bucket = aws.s3.Bucket(
            name,
            object_lock_enabled=args.object_lock_days is not None or None,
            force_destroy=not args.protect,
            tags={**args.tags, "Name": name},
            opts=stateful,
        )
        self.bucket_name = self.bucket.bucket
        self.arn = self.bucket.arn

        self.public_access_block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        self.ownership = aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=self.bucket.id,
            rule={"object_ownership": "BucketOwnerEnforced"},
            opts=child,
        )
        self.versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": (
                        {"sse_algorithm": "aws:kms", "kms_master_key_id": args.kms_key_arn}
                        if args.kms_key_arn is not None
                        else {"sse_algorithm": "AES256"}
                    ),
                    "bucket_key_enabled": args.kms_key_arn is not None,
                }
            ],
            opts=child,
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(_bucket_policy(self.bucket.arn, args.log_delivery_service, self)),
            # S3 rejects a policy while the public-access block is being changed.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.object_lock = None
        if args.object_lock_days is not None:
            self.object_lock = aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock",
                bucket=self.bucket.id,
                rule={"default_retention": {"mode": "GOVERNANCE", "days": args.object_lock_days}},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.versioning]),
            )

        self.register_outputs({"bucket_name": self.bucket_name, "arn": self.arn})


def _bucket_policy(bucket_arn: pulumi.Output[str], log_delivery_service: str | None, parent: pulumi.Resource) -> dict:
    """Deny every request that does not use TLS; optionally let one AWS service deliver logs."""
    statements: list[dict] = [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    if log_delivery_service is not None:
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent)).account_id
        statements.append(
            {
                "Sid": "AwsLogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": log_delivery_service},
                "Action": "s3:PutObject",
                "Resource": pulumi.Output.concat(bucket_arn, "/AWSLogs/", account_id, "/*"),
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}
