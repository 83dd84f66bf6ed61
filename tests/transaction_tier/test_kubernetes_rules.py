"""CD-K8S-*: every rule with a compliant case and a non-compliant case asserting the exact violation."""

from __future__ import annotations

import copy

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules import kubernetes as k
from tests.policies.harness import policy_resource, resource_args, violations

NS = "real-time-fulfillment"
POD_LABELS = {
    "app.kubernetes.io/name": "shipment-api",
    "crossdock.io/criticality": "real-time-fulfillment",
    "crossdock.io/tier": "production",
}


def container(**overrides) -> dict:
    base = {
        "name": "app",
        "image": "registry.example/shipment-api@sha256:" + "a" * 64,
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": "http"}},
        "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"cpu": "250m", "memory": "512Mi"}},
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
    }
    base.update(overrides)
    return base


def deployment(replicas=3.0, labels=POD_LABELS, containers=None, **pod_overrides) -> dict:
    selector = {"matchLabels": {"app.kubernetes.io/name": "shipment-api"}}
    pod = {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "topologySpreadConstraints": [
            {
                "maxSkew": 1.0,
                "topologyKey": k.ZONE_KEY,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": selector,
            },
            {
                "maxSkew": 1.0,
                "topologyKey": k.HOST_KEY,
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": selector,
            },
        ],
        "containers": containers if containers is not None else [container()],
    }
    pod.update(pod_overrides)
    spec = {"selector": selector, "template": {"metadata": {"labels": dict(labels)}, "spec": pod}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"metadata": {"name": "shipment-api", "namespace": NS, "labels": dict(labels)}, "spec": spec}


def check(rule, props, resource_type=k.DEPLOYMENT, config=None):
    return violations(rule, resource_args(resource_type, props, name="prod-shipment-api", config=config))


# --- CD-K8S-001 replicas --------------------------------------------------------------------------


def test_replicas_compliant_real_time_in_production():
    assert check(k.REPLICAS, deployment(replicas=3.0)) == []


def test_one_replica_critical_deployment_fails():
    assert check(k.REPLICAS, deployment(replicas=1.0)) == [
        'Deployment "real-time-fulfillment/shipment-api" runs 1 replica; real-time-fulfillment workloads in '
        "production need at least 3"
    ]


def test_unset_replicas_is_one():
    assert check(k.REPLICAS, deployment(replicas=None)) == [
        'Deployment "real-time-fulfillment/shipment-api" runs 1 replica; real-time-fulfillment workloads in '
        "production need at least 3"
    ]


def test_two_replicas_are_enough_outside_production_and_for_other_tiers():
    staging = {**POD_LABELS, "crossdock.io/tier": "staging"}
    assert check(k.REPLICAS, deployment(replicas=2.0, labels=staging)) == []
    reporting = {**POD_LABELS, "crossdock.io/criticality": "internal-reporting"}
    assert check(k.REPLICAS, deployment(replicas=2.0, labels=reporting)) == []
    assert check(k.REPLICAS, deployment(replicas=1.0, labels=reporting)) == [
        'Deployment "real-time-fulfillment/shipment-api" runs 1 replica; internal-reporting workloads need at least 2'
    ]
    assert check(k.REPLICAS, deployment(replicas=1.0, labels={})) == [
        'Deployment "real-time-fulfillment/shipment-api" runs 1 replica; workloads need at least 2'
    ]


def test_production_config_flag_and_unknown_replicas():
    unlabelled_tier = {**POD_LABELS, "crossdock.io/tier": "staging"}
    assert check(k.REPLICAS, deployment(replicas=2.0, labels=unlabelled_tier), config={"production": True}) == [
        'Deployment "real-time-fulfillment/shipment-api" runs 2 replicas; real-time-fulfillment workloads in '
        "production need at least 3"
    ]
    assert check(k.REPLICAS, deployment(replicas=UNKNOWN_STRING_VALUE)) == []


def test_autoscaler_minimum_counts_too():
    hpa = {
        "metadata": {"name": "shipment-api", "namespace": NS, "labels": POD_LABELS},
        "spec": {"minReplicas": 2.0, "maxReplicas": 9.0},
    }
    assert check(k.REPLICAS, hpa, k.HPA) == [
        'HorizontalPodAutoscaler "real-time-fulfillment/shipment-api" may scale down to 2 replicas; '
        "real-time-fulfillment workloads in production need at least 3"
    ]
    hpa["spec"]["minReplicas"] = 3.0
    assert check(k.REPLICAS, hpa, k.HPA) == []


# --- CD-K8S-002 zone and host spread --------------------------------------------------------------


def test_spread_compliant_and_anti_affinity_counts_for_hosts():
    assert check(k.ZONE_SPREAD, deployment()) == []
    only_zone = deployment()
    pod = only_zone["spec"]["template"]["spec"]
    pod["topologySpreadConstraints"] = pod["topologySpreadConstraints"][:1]
    pod["affinity"] = {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100.0, "podAffinityTerm": {"topologyKey": k.HOST_KEY, "labelSelector": {}}}
            ]
        }
    }
    assert check(k.ZONE_SPREAD, only_zone) == []


def test_no_spread_fails_for_zones_and_hosts():
    assert check(k.ZONE_SPREAD, deployment(topologySpreadConstraints=[])) == [
        'Deployment "real-time-fulfillment/shipment-api" does not spread its pods over zones (no topology spread '
        "constraint on topology.kubernetes.io/zone)",
        'Deployment "real-time-fulfillment/shipment-api" does not spread its pods over hosts (no topology spread '
        "constraint or pod anti-affinity on kubernetes.io/hostname)",
    ]


# --- CD-K8S-003 PodDisruptionBudget (stack) ---------------------------------------------------------


def pdb(namespace=NS, match=None, expressions=None):
    selector = {"matchLabels": match if match is not None else {"app.kubernetes.io/name": "shipment-api"}}
    if expressions:
        selector["matchExpressions"] = expressions
    return policy_resource(
        k.PDB,
        {
            "metadata": {"name": "shipment-api", "namespace": namespace},
            "spec": {"maxUnavailable": 1.0, "selector": selector},
        },
        name="prod-shipment-api-pdb",
    )


def workload():
    return policy_resource(k.DEPLOYMENT, deployment(), name="prod-shipment-api")


def test_pdb_matching_the_pod_labels_passes():
    assert violations(k.DISRUPTION_BUDGET, [workload(), pdb()]) == []
    assert (
        violations(
            k.DISRUPTION_BUDGET,
            [
                workload(),
                pdb(
                    match={},
                    expressions=[
                        {"key": "crossdock.io/criticality", "operator": "In", "values": ["real-time-fulfillment"]}
                    ],
                ),
            ],
        )
        == []
    )


@pytest.mark.parametrize(
    "budgets",
    [
        [],
        [pdb(namespace="near-real-time-integration")],
        [pdb(match={"app.kubernetes.io/name": "label-printer"})],
        [
            pdb(
                match={},
                expressions=[
                    {"key": "crossdock.io/criticality", "operator": "NotIn", "values": ["real-time-fulfillment"]}
                ],
            )
        ],
    ],
    ids=["missing", "other-namespace", "other-labels", "expression-excludes"],
)
def test_missing_or_mismatched_pdb_fails(budgets):
    assert violations(k.DISRUPTION_BUDGET, [workload(), *budgets]) == [
        'Deployment "real-time-fulfillment/shipment-api" has no PodDisruptionBudget selecting its pods in namespace '
        '"real-time-fulfillment"'
    ]


# --- CD-K8S-004 probes / CD-K8S-005 resources -----------------------------------------------------


def test_probes_compliant_and_missing():
    assert check(k.PROBES, deployment()) == []
    bare = container()
    del bare["readinessProbe"], bare["livenessProbe"]
    assert check(k.PROBES, deployment(containers=[bare])) == [
        'container "app" of Deployment "real-time-fulfillment/shipment-api" has no readinessProbe and no livenessProbe'
    ]


def test_resources_compliant_and_missing_limits():
    assert check(k.RESOURCES, deployment()) == []
    unbounded = container(resources={"requests": {"cpu": "250m", "memory": "512Mi"}})
    assert check(k.RESOURCES, deployment(containers=[unbounded])) == [
        'container "app" of Deployment "real-time-fulfillment/shipment-api" does not set limits.cpu, limits.memory'
    ]


# --- CD-K8S-006 security context ------------------------------------------------------------------


def test_security_context_compliant():
    assert check(k.SECURITY_CONTEXT, deployment()) == []


def test_insecure_security_context_lists_every_problem():
    loose = container(securityContext={"privileged": True, "capabilities": {"add": ["NET_ADMIN"]}})
    props = deployment(containers=[loose], securityContext={}, hostNetwork=True)
    assert check(k.SECURITY_CONTEXT, props) == [
        'Deployment "real-time-fulfillment/shipment-api" shares the host\'s namespaces (hostNetwork)',
        'container "app" of Deployment "real-time-fulfillment/shipment-api" has an insecure security context: '
        "runAsNonRoot is not true; readOnlyRootFilesystem is not true; allowPrivilegeEscalation is not false; "
        "privileged is true; capabilities do not drop ALL; capabilities add NET_ADMIN; no RuntimeDefault seccomp profile",
    ]


def test_pod_level_settings_are_defaults_for_containers():
    inherits = container()
    del inherits["securityContext"]["runAsNonRoot"], inherits["securityContext"]["seccompProfile"]
    assert check(k.SECURITY_CONTEXT, deployment(containers=[inherits])) == []


# --- CD-K8S-007 default deny / CD-K8S-008 quota ---------------------------------------------------


def namespace(name=NS):
    return policy_resource(k.NAMESPACE, {"metadata": {"name": name}}, name=f"prod-{name}")


def in_ns(resource_type, name, spec, ns=NS):
    return policy_resource(
        resource_type, {"metadata": {"name": name, "namespace": ns}, "spec": spec}, name=f"{ns}-{name}"
    )


DENY = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_default_deny_compliant():
    assert violations(k.DEFAULT_DENY, [namespace(), in_ns(k.NETWORK_POLICY, "default-deny", DENY)]) == []
    # System namespaces are not the stack's to fence.
    assert violations(k.DEFAULT_DENY, [namespace("kube-system")]) == []


@pytest.mark.parametrize(
    "policies",
    [
        [],
        [in_ns(k.NETWORK_POLICY, "ingress-only", {"podSelector": {}, "policyTypes": ["Ingress"]})],
        [
            in_ns(
                k.NETWORK_POLICY,
                "one-app",
                {"podSelector": {"matchLabels": {"app": "x"}}, "policyTypes": ["Ingress", "Egress"]},
            )
        ],
        [in_ns(k.NETWORK_POLICY, "allow-all", {**DENY, "ingress": [{}]})],
        [in_ns(k.NETWORK_POLICY, "default-deny", DENY, ns="other")],
    ],
    ids=["none", "ingress-only", "selects-some-pods", "allows-traffic", "other-namespace"],
)
def test_namespace_without_default_deny_fails(policies):
    assert violations(k.DEFAULT_DENY, [namespace(), *policies]) == [
        'namespace "real-time-fulfillment" has no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress '
        "and Egress, no rules)"
    ]


def test_quota_and_limit_range():
    quota = in_ns(k.RESOURCE_QUOTA, "tier-quota", {"hard": {"pods": "10"}})
    limits = in_ns(k.LIMIT_RANGE, "container-limits", {"limits": []})
    assert violations(k.QUOTA, [namespace(), quota, limits]) == []
    assert violations(k.QUOTA, [namespace()]) == [
        'namespace "real-time-fulfillment" has no ResourceQuota',
        'namespace "real-time-fulfillment" has no LimitRange',
    ]


# --- CD-K8S-010..013 internet-facing ingresses ----------------------------------------------------

ACL = "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod-edge/1"


def ingress(**annotation_overrides) -> dict:
    notes = {
        k.SCHEME: "internet-facing",
        k.LISTEN_PORTS: '[{"HTTPS": 443}]',
        k.CERTIFICATE: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        k.SSL_REDIRECT: "443",
        k.ATTRIBUTES: "deletion_protection.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=audit",
        k.WAF_ACL: ACL,
    }
    notes.update(annotation_overrides)
    notes = {key: value for key, value in notes.items() if value is not None}
    return {
        "metadata": {
            "name": "shipment-api",
            "namespace": NS,
            "labels": {"crossdock.io/tier": "production"},
            "annotations": notes,
        },
        "spec": {"ingressClassName": "alb"},
    }


LB_RULES = [k.LB_DELETION_PROTECTION, k.LB_ACCESS_LOGS, k.LB_WEB_ACL, k.LB_HTTPS_ONLY]


def test_compliant_public_ingress_passes_every_load_balancer_rule():
    for rule in LB_RULES:
        assert check(rule, ingress(), k.INGRESS) == [], rule.id


def test_internal_ingress_is_not_judged():
    internal = ingress(**{k.SCHEME: "internal", k.WAF_ACL: None, k.ATTRIBUTES: None})
    for rule in LB_RULES:
        assert check(rule, internal, k.INGRESS) == [], rule.id


def test_production_ingress_without_deletion_protection_fails():
    props = ingress(**{k.ATTRIBUTES: "access_logs.s3.enabled=true,access_logs.s3.bucket=audit"})
    assert check(k.LB_DELETION_PROTECTION, props, k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" does not turn on its load balancer\'s deletion '
        "protection (deletion_protection.enabled=true in alb.ingress.kubernetes.io/load-balancer-attributes)"
    ]
    props["metadata"]["labels"]["crossdock.io/tier"] = "development"
    assert check(k.LB_DELETION_PROTECTION, props, k.INGRESS) == []


def test_ingress_without_access_logs_fails():
    props = ingress(**{k.ATTRIBUTES: "deletion_protection.enabled=true,access_logs.s3.enabled=false"})
    assert check(k.LB_ACCESS_LOGS, props, k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" does not write access logs to S3 '
        "(access_logs.s3.enabled=true and access_logs.s3.bucket in alb.ingress.kubernetes.io/load-balancer-attributes)"
    ]


def test_ingress_without_web_acl_fails():
    assert check(k.LB_WEB_ACL, ingress(**{k.WAF_ACL: None}), k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" has no WAFv2 web ACL '
        "(alb.ingress.kubernetes.io/wafv2-acl-arn)"
    ]
    assert check(k.LB_WEB_ACL, ingress(**{k.WAF_ACL: UNKNOWN_STRING_VALUE}), k.INGRESS) == []


def test_ingress_with_plain_http_or_no_certificate_fails():
    http = ingress(**{k.LISTEN_PORTS: '[{"HTTP": 80}, {"HTTPS": 443}]', k.SSL_REDIRECT: None})
    assert check(k.LB_HTTPS_ONLY, http, k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" listens on plain HTTP (port 80) without '
        "alb.ingress.kubernetes.io/ssl-redirect"
    ]
    redirected = ingress(**{k.LISTEN_PORTS: '[{"HTTP": 80}, {"HTTPS": 443}]'})
    assert check(k.LB_HTTPS_ONLY, redirected, k.INGRESS) == []
    no_certificate = ingress(**{k.CERTIFICATE: None})
    assert check(k.LB_HTTPS_ONLY, no_certificate, k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" has no certificate for its HTTPS listener '
        "(alb.ingress.kubernetes.io/certificate-arn)"
    ]
    # The controller's default without listen-ports or a certificate is plain HTTP on 80.
    default = ingress(**{k.LISTEN_PORTS: None, k.CERTIFICATE: None, k.SSL_REDIRECT: None})
    assert check(k.LB_HTTPS_ONLY, default, k.INGRESS) == [
        'internet-facing Ingress "real-time-fulfillment/shipment-api" listens on plain HTTP (port 80) without '
        "alb.ingress.kubernetes.io/ssl-redirect"
    ]


def test_unknown_specs_are_not_judged_during_preview():
    unknown = {"metadata": {"name": "shipment-api", "namespace": NS}, "spec": UNKNOWN_STRING_VALUE}
    for rule in (k.REPLICAS, k.ZONE_SPREAD, k.PROBES, k.RESOURCES, k.SECURITY_CONTEXT):
        assert check(rule, unknown) == [], rule.id
    template_unknown = deployment()
    template_unknown["spec"]["template"] = UNKNOWN_STRING_VALUE
    assert check(k.ZONE_SPREAD, template_unknown) == []
    assert violations(k.DISRUPTION_BUDGET, [policy_resource(k.DEPLOYMENT, template_unknown, name="d")]) == []


def test_rules_ignore_other_types():
    for rule in (k.REPLICAS, k.ZONE_SPREAD, k.PROBES, k.RESOURCES, k.SECURITY_CONTEXT, *LB_RULES):
        assert violations(rule, resource_args("aws:s3/bucket:Bucket", {"bucket": "x"})) == [], rule.id


def test_deployment_fixture_is_not_mutated_between_tests():
    first = deployment()
    second = copy.deepcopy(first)
    check(k.SECURITY_CONTEXT, first)
    assert first == second
