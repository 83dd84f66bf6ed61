"""The two NetworkPolicies every namespace starts from: deny everything, then allow DNS.

Tier namespaces and silo tenant namespaces share them, so isolation means the same
thing wherever a workload lands; services add their own allows on top.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_kubernetes as k8s

DNS_EGRESS = {
    "to": [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        }
    ],
    "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
}


def default_deny_with_dns(
    name: str, metadata: Callable[[str], dict], opts: pulumi.ResourceOptions
) -> tuple[k8s.networking.v1.NetworkPolicy, k8s.networking.v1.NetworkPolicy]:
    """`<name>-default-deny` (all ingress and egress) and `<name>-allow-dns` (egress to kube-dns)."""
    default_deny = k8s.networking.v1.NetworkPolicy(
        f"{name}-default-deny",
        metadata=metadata("default-deny"),
        spec={"podSelector": {}, "policyTypes": ["Ingress", "Egress"]},
        opts=opts,
    )
    allow_dns = k8s.networking.v1.NetworkPolicy(
        f"{name}-allow-dns",
        metadata=metadata("allow-dns"),
        spec={"podSelector": {}, "policyTypes": ["Egress"], "egress": [DNS_EGRESS]},
        opts=opts,
    )
    return default_deny, allow_dns
