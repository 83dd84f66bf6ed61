"""One Kubernetes namespace per business-criticality tier, fenced, budgeted and bounded.

Services of one tier share a namespace (see docs/transaction-tier.md for why a tier
and not a service): the tier is the unit of priority, node placement, quota and
incident triage, so a reporting query storm exhausts the reporting quota and never
the real-time one.

Every namespace gets:
- labels: `crossdock.io/criticality`, environment and tier, `crossdock.io/part-of:
  transaction-tier` (what internal services admit traffic from), and Pod Security
  Admission `restricted` (enforced, audited, warned);
- `default-deny`: a NetworkPolicy selecting every pod, denying all ingress and egress;
  each service then opens exactly what it needs (`components/service.py`);
- `allow-dns`: egress to kube-system's DNS (UDP and TCP 53), which every pod needs;
- a ResourceQuota sized from its services: each at its HPA maximum plus one surge pod
  during a rolling update, so a healthy tier can always scale and deploy, and a
  runaway one stops at its own fence;
- a LimitRange: defaults for a container that declares nothing, and a per-container
  ceiling equal to the largest service of the tier.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.network_policies import default_deny_with_dns
from crossdock.config.schema import Criticality, Environment, Service, cpu_millicores, memory_mebibytes

PART_OF_LABEL = "crossdock.io/part-of"
PART_OF = "transaction-tier"
CRITICALITY_LABEL = "crossdock.io/criticality"
DEFAULT_LIMIT = {"cpu": "500m", "memory": "512Mi"}
DEFAULT_REQUEST = {"cpu": "100m", "memory": "128Mi"}


def namespace_name(criticality: Criticality) -> str:
    return criticality.value


def cpu_limit_millicores(service: Service) -> int:
    """Real-time pods get limit == request (Guaranteed QoS: evicted last); others may burst to 2x."""
    request = cpu_millicores(service.cpu)
    return request if service.criticality is Criticality.REAL_TIME_FULFILLMENT else 2 * request


def common_labels(environment: Environment, criticality: Criticality) -> dict[str, str]:
    return {
        "app.kubernetes.io/managed-by": "crossdock",
        CRITICALITY_LABEL: criticality.value,
        "crossdock.io/environment": environment.name,
        "crossdock.io/tier": environment.tier.value,
    }


@dataclass
class TierNamespaceArgs:
    criticality: Criticality
    environment: Environment
    services: Sequence[Service]
    provider: k8s.Provider


class TierNamespace(pulumi.ComponentResource):
    """Namespace + default-deny + DNS egress + ResourceQuota + LimitRange for one tier."""

    def __init__(self, name: str, args: TierNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:transaction:TierNamespace", name, None, opts)
        if not args.services:
            raise ValueError(f"namespace {name!r}: a tier namespace is only created for a tier with services")
        self.name = namespace_name(args.criticality)
        labels = common_labels(args.environment, args.criticality)
        child = pulumi.ResourceOptions(parent=self, provider=args.provider)

        self.namespace = k8s.core.v1.Namespace(
            name,
            metadata={
                "name": self.name,
                "labels": {
                    **labels,
                    PART_OF_LABEL: PART_OF,
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/audit": "restricted",
                    "pod-security.kubernetes.io/warn": "restricted",
                },
            },
            opts=child,
        )
        after_namespace = pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[self.namespace])

        def metadata(object_name: str) -> dict:
            return {"name": object_name, "namespace": self.name, "labels": labels}

        self.default_deny, self.allow_dns = default_deny_with_dns(name, metadata, after_namespace)

        pods = sum(service.replicas.max + 1 for service in args.services)
        cpu_requests = sum((s.replicas.max + 1) * cpu_millicores(s.cpu) for s in args.services)
        cpu_limits = sum((s.replicas.max + 1) * cpu_limit_millicores(s) for s in args.services)
        memory = sum((s.replicas.max + 1) * memory_mebibytes(s.memory) for s in args.services)
        self.quota = k8s.core.v1.ResourceQuota(
            f"{name}-quota",
            metadata=metadata("tier-quota"),
            spec={
                "hard": {
                    "pods": str(pods),
                    "requests.cpu": f"{cpu_requests}m",
                    "limits.cpu": f"{cpu_limits}m",
                    "requests.memory": f"{memory}Mi",
                    "limits.memory": f"{memory}Mi",
                }
            },
            opts=after_namespace,
        )
        largest_cpu = max(cpu_limit_millicores(s) for s in args.services)
        largest_memory = max(memory_mebibytes(s.memory) for s in args.services)
        self.limit_range = k8s.core.v1.LimitRange(
            f"{name}-limits",
            metadata=metadata("container-limits"),
            spec={
                "limits": [
                    {
                        "type": "Container",
                        "default": DEFAULT_LIMIT,
                        "defaultRequest": DEFAULT_REQUEST,
                        "max": {
                            "cpu": f"{max(largest_cpu, cpu_millicores(DEFAULT_LIMIT['cpu']))}m",
                            "memory": f"{max(largest_memory, memory_mebibytes(DEFAULT_LIMIT['memory']))}Mi",
                        },
                    }
                ]
            },
            opts=after_namespace,
        )
        self.register_outputs({"name": self.name, "quota": self.quota.spec})
