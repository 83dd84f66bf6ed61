"""A bucket with versioning, a queue, and a small Kubernetes app: one of everything the exporters write."""

import pulumi_aws as aws
import pulumi_kubernetes as k8s

bucket = aws.s3.Bucket("orders-archive", tags={"environment": "dev"})
aws.s3.BucketVersioning("orders-archive-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
aws.sqs.Queue("orders", visibility_timeout_seconds=60, sqs_managed_sse_enabled=True)

namespace = k8s.core.v1.Namespace("shop", metadata={"name": "shop"})
labels = {"app": "web"}
k8s.apps.v1.Deployment(
    "web",
    metadata={"name": "web", "namespace": namespace.metadata.name, "labels": labels},
    spec={
        "replicas": 2,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 8080}]}]},
        },
    },
)
