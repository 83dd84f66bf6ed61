"""A CI user with an access key, stored in Secrets Manager (third-party style)."""

import pulumi
import pulumi_aws as aws

user = aws.iam.User("ci")
key = aws.iam.AccessKey("ci-key", user=user.name)
secret = aws.secretsmanager.Secret("ci-credentials")
aws.secretsmanager.SecretVersion(
    "ci-credentials-v1",
    secret_id=secret.id,
    secret_string=pulumi.Output.json_dumps({"id": key.id, "secret": key.secret}),
)
notifier = aws.lambda_.Function(
    "notifier",
    role="arn:aws:iam::123456789012:role/notifier",
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")}),
    timeout=30,
    environment={"variables": {"KEY_ID": key.id, "KEY_SECRET": key.secret}},
)

pulumi.export("access_key_id", key.id)
pulumi.export("secret_access_key", key.secret)
pulumi.export("credentials", {"id": key.id, "secret": key.secret})
pulumi.export("secret_arn", secret.arn)
pulumi.export("timeout", notifier.timeout)
pulumi.export("limits", {"retries": 3, "ratio": 0.5, "pending": notifier.qualified_arn})
