"""Shared wiring for transaction-tier component tests: the prod stack's specs and fake inputs."""

from __future__ import annotations

from pathlib import Path

import pulumi_kubernetes as k8s

from components.service import ServiceDatabaseWiring, TransactionService, TransactionServiceArgs
from crossdock.config import load_stack_file
from crossdock.engine import run_callable

ROOT = Path(__file__).resolve().parents[2]
PROD = load_stack_file(ROOT / "stacks" / "Pulumi.prod.yaml")
DEV = load_stack_file(ROOT / "stacks" / "Pulumi.dev.yaml")
ACCOUNT = "111122223333"
OIDC_ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
OIDC_ARN = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{OIDC_ISSUER}"
KEY_ARNS = {
    "transactional": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/transactional",
    "integration-payloads": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/integration-payloads",
    "analytics": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/analytics",
    "audit": f"arn:aws:kms:us-east-1:{ACCOUNT}:key/audit",
}
CLUSTER_RESOURCE_IDS = {"orders": "cluster-ORDERSRESOURCEID", "reporting": "cluster-REPORTINGRESOURCEID"}
PUBLIC_CIDRS = ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]


def spec(name: str, config=PROD):
    return next(service for service in config.services if service.name == name)


def queue_spec(name: str, config=PROD):
    return next(queue for queue in config.queues if queue.name == name)


def queue_arn(name: str, config=PROD) -> str:
    queue = queue_spec(name, config)
    return f"arn:aws:sqs:us-east-1:{ACCOUNT}:{config.environment.name}-{name}{'.fifo' if queue.fifo else ''}"


def queue_url(name: str, config=PROD) -> str:
    queue = queue_spec(name, config)
    return (
        f"https://sqs.us-east-1.amazonaws.com/{ACCOUNT}/{config.environment.name}-{name}{'.fifo' if queue.fifo else ''}"
    )


def service_args(name: str, provider, config=PROD) -> TransactionServiceArgs:
    service = spec(name, config)
    database = None
    if service.database is not None:
        database = ServiceDatabaseWiring(
            name=service.database.name,
            cluster_resource_id=CLUSTER_RESOURCE_IDS[service.database.name],
            endpoint=f"{config.environment.name}-{service.database.name}.cluster-ro.example"
            if service.database.access.value == "read"
            else f"{config.environment.name}-{service.database.name}.cluster.example",
        )

    def wiring(queues):
        return {q: (queue_spec(q, config), queue_arn(q, config), queue_url(q, config)) for q in queues}

    return TransactionServiceArgs(
        spec=service,
        environment=config.environment,
        provider=provider,
        oidc_provider_arn=OIDC_ARN,
        oidc_issuer=OIDC_ISSUER,
        vpc_cidr=str(config.environment.vpc_cidr),
        load_balancer_cidrs=PUBLIC_CIDRS if service.public else (),
        consumed=wiring(service.consumes),
        produced=wiring(service.produces),
        key_arns=KEY_ARNS,
        database=database,
        region="us-east-1",
        account_id=ACCOUNT,
        partition="aws",
    )


def record_service(name: str, config=PROD):
    """Build one service the way TransactionTier names it; return (plan, records by (type, name))."""

    def build() -> None:
        provider = k8s.Provider("k8s", kubeconfig="{}")
        TransactionService(f"{config.environment.name}-{name}", service_args(name, provider, config))

    plan = run_callable(build, config={"aws:region": "us-east-1"})
    return plan, {(r.type, r.name): r for r in plan.resources}
