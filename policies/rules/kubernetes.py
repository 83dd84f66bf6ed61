"""Kubernetes workload, namespace and public-ingress rules for the transaction tier.

Shipment creation, inventory reservation and scan ingestion run as Deployments on EKS.
These rules check what keeps them up through a zone failure, a node drain and a noisy
neighbour, what keeps a compromised pod contained, and what an internet-facing load
balancer must have. They read `pulumi_kubernetes` resources as the engine records
them (wire names: `metadata`, `spec`, camelCase fields).

Contracts (set by `components/service.py`, `components/tier_namespace.py` and
`components/public_edge.py`; any program can follow them):
- label `crossdock.io/criticality` (on the object or its pod template) names the
  business tier; `real-time-fulfillment` needs 3 replicas in production, every other
  workload 2;
- label `crossdock.io/tier: production` (or policy config `production: true`) marks
  production objects;
- an Ingress is internet-facing when `alb.ingress.kubernetes.io/scheme` is
  `internet-facing`; its load balancer's attributes, listeners and web ACL are read from
  the AWS Load Balancer Controller annotations.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs

from policies.rule import Category, Rule, resource_rule, stack_rule
from policies.rules.resilience_data import (
    PRODUCTION_SETTING,
    UNKNOWN,
    Stack,
    config_schema,
    flag,
    fmt,
    number,
    plain,
    plural,
)

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
DAEMON_SET = "kubernetes:apps/v1:DaemonSet"
REPLICATED = (DEPLOYMENT, STATEFUL_SET)
WORKLOADS = (DEPLOYMENT, STATEFUL_SET, DAEMON_SET)
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"

CRITICALITY_LABEL = "crossdock.io/criticality"
TIER_LABEL = "crossdock.io/tier"
REAL_TIME = "real-time-fulfillment"
MIN_REPLICAS = 2.0
PRODUCTION_REAL_TIME_REPLICAS = 3.0
ZONE_KEY = "topology.kubernetes.io/zone"
HOST_KEY = "kubernetes.io/hostname"
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})

SCHEME = "alb.ingress.kubernetes.io/scheme"
ATTRIBUTES = "alb.ingress.kubernetes.io/load-balancer-attributes"
WAF_ACL = "alb.ingress.kubernetes.io/wafv2-acl-arn"
LISTEN_PORTS = "alb.ingress.kubernetes.io/listen-ports"
CERTIFICATE = "alb.ingress.kubernetes.io/certificate-arn"
SSL_REDIRECT = "alb.ingress.kubernetes.io/ssl-redirect"


# --- reading Kubernetes objects -------------------------------------------------------------------


def _mapping(value: Any) -> dict:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def metadata(props: Mapping[str, Any]) -> dict:
    return _mapping(props.get("metadata"))


def namespace_of(props: Mapping[str, Any]) -> Any:
    """The object's namespace (`default` when unset); UNKNOWN while not known."""
    value = metadata(props).get("namespace")
    return "default" if value in (None, "") else value


def object_name(props: Mapping[str, Any], fallback: str) -> str:
    name = metadata(props).get("name")
    return name if isinstance(name, str) and name else fallback


def kind_of(resource_type: str) -> str:
    return resource_type.rsplit(":", 1)[-1]


def label(props: Mapping[str, Any], resource_name: str | None = None) -> str:
    """How messages name a namespaced object: `Kind "namespace/name"`.

    When `metadata.name` is not known (computed, or left to Pulumi's auto-naming), the Pulumi
    resource name says which object is meant: `"fulfilment/?" (Pulumi resource "web")`.
    """
    namespace = namespace_of(props)
    where = f"{namespace}/" if isinstance(namespace, str) else ""
    name = object_name(props, "?")
    if name == "?" and resource_name:
        return f'"{where}?" (Pulumi resource "{resource_name}")'
    return f'"{where}{name}"'


def labels(props: Mapping[str, Any]) -> dict:
    return _mapping(metadata(props).get("labels"))


def pod_template(props: Mapping[str, Any]) -> dict:
    return _mapping(_mapping(props.get("spec")).get("template"))


def pod_labels(props: Mapping[str, Any]) -> dict:
    return _mapping(_mapping(pod_template(props).get("metadata")).get("labels"))


def pod_spec(props: Mapping[str, Any]) -> dict:
    return _mapping(pod_template(props).get("spec"))


def criticality(props: Mapping[str, Any]) -> str | None:
    value = labels(props).get(CRITICALITY_LABEL) or pod_labels(props).get(CRITICALITY_LABEL)
    return value if isinstance(value, str) else None


def production(props: Mapping[str, Any], config: Mapping[str, Any]) -> bool:
    return flag(config.get("production")) is True or labels(props).get(TIER_LABEL) == "production"


def containers(props: Mapping[str, Any]) -> list[dict]:
    return [c for c in _list(pod_spec(props).get("containers")) if isinstance(c, Mapping)]


def spec_known(props: Mapping[str, Any]) -> bool:
    spec = props.get("spec")
    return spec is not UNKNOWN and _mapping(spec).get("template") is not UNKNOWN


def _describe(resource_type: str, props: Mapping[str, Any], resource_name: str | None = None) -> str:
    return f"{kind_of(resource_type)} {label(props, resource_name)}"


def _only(types: tuple[str, ...]):
    def decorate(validate):
        def wrapper(args: ResourceValidationArgs, report: ReportViolation) -> None:
            if args.resource_type in types:
                props = plain(args.props)
                if not spec_known(props):
                    return  # preview: judged once the spec is known
                validate(args, props, report)

        wrapper.__doc__ = validate.__doc__
        return wrapper

    return decorate


# --- replicas per tier ------------------------------------------------------------------------------


def required_replicas(props: Mapping[str, Any], config: Mapping[str, Any]) -> tuple[float, str]:
    tier = criticality(props)
    if tier == REAL_TIME and production(props, config):
        return PRODUCTION_REAL_TIME_REPLICAS, f"{REAL_TIME} workloads in production need at least 3"
    return MIN_REPLICAS, f"{tier} workloads need at least 2" if tier else "workloads need at least 2"


@_only((*REPLICATED, HPA))
def _validate_replicas(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    spec = _mapping(props.get("spec"))
    needed, why = required_replicas(props, args.get_config() or {})
    if args.resource_type == HPA:
        raw = spec.get("minReplicas", 1.0)
        count = number(raw)
        if raw is UNKNOWN or count is None or count >= needed:
            return
        report(
            f"{_describe(args.resource_type, props, args.name)} may scale down to {plural(count, 'replica')}; {why}",
            None,
        )
        return
    raw = spec.get("replicas", 1.0)  # Kubernetes runs one replica when unset
    count = number(raw)
    if raw is UNKNOWN or count is None or count >= needed:
        return
    report(f"{_describe(args.resource_type, props, args.name)} runs {plural(count, 'replica')}; {why}", None)


REPLICAS = resource_rule(
    "CD-K8S-001",
    description="Deployments and StatefulSets (and their autoscalers' minimum) run at least 2 replicas, and "
    "real-time-fulfillment workloads (label crossdock.io/criticality) at least 3 in production, one per zone: "
    "a single pod is an outage at the next node drain.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Raise spec.replicas (and the HorizontalPodAutoscaler's minReplicas) to the tier's minimum; in "
    "crossdock set services[].replicas.min in the stack file.",
    validate=_validate_replicas,
    config_schema=config_schema(production=PRODUCTION_SETTING),
)


# --- spread over zones and hosts ------------------------------------------------------------------


def _spreads(pod: Mapping[str, Any], key: str) -> bool:
    for constraint in _list(pod.get("topologySpreadConstraints")):
        if isinstance(constraint, Mapping) and constraint.get("topologyKey") == key:
            return True
    return False


def _anti_affinity(pod: Mapping[str, Any], key: str) -> bool:
    anti = _mapping(_mapping(pod.get("affinity")).get("podAntiAffinity"))
    terms = _list(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))
    terms += [
        _mapping(t).get("podAffinityTerm") for t in _list(anti.get("preferredDuringSchedulingIgnoredDuringExecution"))
    ]
    return any(isinstance(term, Mapping) and term.get("topologyKey") == key for term in terms)


@_only(REPLICATED)
def _validate_spread(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    pod = pod_spec(props)
    if pod.get("topologySpreadConstraints") is UNKNOWN or pod.get("affinity") is UNKNOWN:
        return
    what = _describe(args.resource_type, props, args.name)
    if not (_spreads(pod, ZONE_KEY) or _anti_affinity(pod, ZONE_KEY)):
        report(f"{what} does not spread its pods over zones (no topology spread constraint on {ZONE_KEY})", None)
    if not (_spreads(pod, HOST_KEY) or _anti_affinity(pod, HOST_KEY)):
        report(
            f"{what} does not spread its pods over hosts (no topology spread constraint or pod anti-affinity on "
            f"{HOST_KEY})",
            None,
        )


ZONE_SPREAD = resource_rule(
    "CD-K8S-002",
    description="Deployments and StatefulSets spread their pods over availability zones and over hosts, so one "
    "zone or node failing never takes every replica of a service.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add topologySpreadConstraints on topology.kubernetes.io/zone and kubernetes.io/hostname (maxSkew 1, "
    "labelSelector matching the pods) to the pod template; TransactionService does this.",
    validate=_validate_spread,
)


# --- a PodDisruptionBudget per workload -----------------------------------------------------------


def _selects(selector: Any, pod: Mapping[str, Any]) -> bool | None:
    """Whether a label selector selects pods with these labels; None when it cannot be decided."""
    if selector is UNKNOWN:
        return None
    selector = _mapping(selector)
    match = selector.get("matchLabels")
    if match is UNKNOWN:
        return None
    if not all(pod.get(key) == value for key, value in _mapping(match).items()):
        return False
    for expression in _list(selector.get("matchExpressions")):
        expression = _mapping(expression)
        key, operator, values = expression.get("key"), expression.get("operator"), _list(expression.get("values"))
        if operator == "In" and pod.get(key) not in values:
            return False
        if operator == "NotIn" and pod.get(key) in values:
            return False
        if operator == "Exists" and key not in pod:
            return False
        if operator == "DoesNotExist" and key in pod:
            return False
    return True


def _validate_disruption_budget(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    budgets = [stack.props(pdb) for pdb in stack.of_type(PDB)]
    for workload in stack.of_type(*REPLICATED):
        props = stack.props(workload)
        namespace = namespace_of(props)
        if namespace is UNKNOWN or not spec_known(props):
            continue
        pods = pod_labels(props)
        verdicts = [
            _selects(_mapping(budget.get("spec")).get("selector"), pods)
            for budget in budgets
            if namespace_of(budget) in (namespace, UNKNOWN)
        ]
        if any(verdict is not False for verdict in verdicts):
            continue
        report(
            f"{_describe(workload.resource_type, props, workload.name)} has no PodDisruptionBudget selecting its pods in namespace "
            f'"{namespace}"',
            workload.urn,
        )


DISRUPTION_BUDGET = stack_rule(
    "CD-K8S-003",
    description="Every Deployment and StatefulSet has a PodDisruptionBudget in its namespace whose selector matches "
    "its pod labels, so node drains and cluster upgrades take its pods down one at a time.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Create a policy/v1 PodDisruptionBudget in the workload's namespace with selector.matchLabels "
    "equal to (a subset of) the pod template's labels and maxUnavailable: 1.",
    validate=_validate_disruption_budget,
)


# --- probes and resources -------------------------------------------------------------------------


def _container_label(container: Mapping[str, Any], index: int) -> str:
    name = container.get("name")
    return f'container "{name}"' if isinstance(name, str) and name else f"container #{index + 1}"


@_only(WORKLOADS)
def _validate_probes(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    if pod_spec(props).get("containers") is UNKNOWN:
        return
    what = _describe(args.resource_type, props, args.name)
    for index, container in enumerate(containers(props)):
        missing = [probe for probe in ("readinessProbe", "livenessProbe") if container.get(probe) in (None, {})]
        if missing:
            report(f"{_container_label(container, index)} of {what} has no {' and no '.join(missing)}", None)


PROBES = resource_rule(
    "CD-K8S-004",
    description="Every container of a workload has a readiness probe (no traffic before it can serve, none while it "
    "cannot) and a liveness probe (a hung process is restarted).",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Add readinessProbe and livenessProbe (httpGet on the service's health path) to every container.",
    validate=_validate_probes,
    checkov_id="CKV_K8S_9",
)

RESOURCE_FIELDS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory")


@_only(WORKLOADS)
def _validate_resources(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    if pod_spec(props).get("containers") is UNKNOWN:
        return
    what = _describe(args.resource_type, props, args.name)
    for index, container in enumerate(containers(props)):
        resources = _mapping(container.get("resources"))
        missing = [
            field
            for field in RESOURCE_FIELDS
            if _mapping(resources.get(field.split(".")[0])).get(field.split(".")[1]) in (None, "")
        ]
        if missing:
            report(f"{_container_label(container, index)} of {what} does not set {', '.join(missing)}", None)


RESOURCES = resource_rule(
    "CD-K8S-005",
    description="Every container of a workload sets CPU and memory requests and limits, so the scheduler places it "
    "where it fits and a runaway report cannot starve shipment creation on the same node.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation="Set resources.requests and resources.limits for cpu and memory on every container (crossdock: "
    "services[].cpu and services[].memory).",
    validate=_validate_resources,
    checkov_id="CKV_K8S_11",
)


# --- security context -----------------------------------------------------------------------------


def security_problems(pod: Mapping[str, Any], container: Mapping[str, Any]) -> list[str]:
    """What makes one container's effective security context insecure (pod settings as defaults)."""
    pod_context = _mapping(pod.get("securityContext"))
    context = _mapping(container.get("securityContext"))
    problems: list[str] = []

    def effective(key: str) -> Any:
        return context[key] if key in context else pod_context.get(key)

    if effective("runAsNonRoot") is not True:
        problems.append("runAsNonRoot is not true")
    if context.get("readOnlyRootFilesystem") is not True:
        problems.append("readOnlyRootFilesystem is not true")
    if context.get("allowPrivilegeEscalation") is not False:
        problems.append("allowPrivilegeEscalation is not false")
    if context.get("privileged") is True:
        problems.append("privileged is true")
    capabilities = _mapping(context.get("capabilities"))
    if "ALL" not in [str(c).upper() for c in _list(capabilities.get("drop"))]:
        problems.append("capabilities do not drop ALL")
    added = [str(c) for c in _list(capabilities.get("add"))]
    if added:
        problems.append(f"capabilities add {', '.join(added)}")
    seccomp = _mapping(effective("seccompProfile")).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost"):
        problems.append("no RuntimeDefault seccomp profile")
    return problems


@_only(WORKLOADS)
def _validate_security_context(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    pod = pod_spec(props)
    if pod.get("containers") is UNKNOWN:
        return
    what = _describe(args.resource_type, props, args.name)
    shared = [key for key in ("hostNetwork", "hostPID", "hostIPC") if pod.get(key) is True]
    if shared:
        report(f"{what} shares the host's namespaces ({', '.join(shared)})", None)
    for index, container in enumerate(containers(props)):
        problems = security_problems(pod, container)
        if problems:
            report(
                f"{_container_label(container, index)} of {what} has an insecure security context: {'; '.join(problems)}",
                None,
            )


SECURITY_CONTEXT = resource_rule(
    "CD-K8S-006",
    description="Workload containers run as non-root with a read-only root filesystem, no privilege escalation, "
    "every capability dropped, not privileged, with the RuntimeDefault seccomp profile, and pods do not share "
    "the host's network, PID or IPC namespaces: a compromised pod stays a pod.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Set securityContext on the container: runAsNonRoot: true, readOnlyRootFilesystem: true, "
    "allowPrivilegeEscalation: false, capabilities.drop: [ALL], seccompProfile.type: RuntimeDefault (mount an "
    "emptyDir for /tmp if the process writes there).",
    validate=_validate_security_context,
    checkov_id="CKV_K8S_20",
)


# --- namespaces: default deny, quota, limit range -------------------------------------------------


def declared_namespaces(stack: Stack) -> Iterator[tuple[Any, str]]:
    for namespace in stack.of_type(NAMESPACE):
        name = metadata(stack.props(namespace)).get("name")
        if isinstance(name, str) and name and name not in SYSTEM_NAMESPACES:
            yield namespace, name


def in_namespace(stack: Stack, resource_type: str, namespace: str) -> list[dict]:
    return [
        stack.props(r) for r in stack.of_type(resource_type) if namespace_of(stack.props(r)) in (namespace, UNKNOWN)
    ]


def is_default_deny(props: Mapping[str, Any]) -> bool | None:
    spec = props.get("spec")
    if spec is UNKNOWN:
        return None
    spec = _mapping(spec)
    selector = spec.get("podSelector")
    if selector is UNKNOWN:
        return None
    selects_all = not any(_mapping(selector).get(key) for key in ("matchLabels", "matchExpressions"))
    types = set(_list(spec.get("policyTypes")))
    return selects_all and {"Ingress", "Egress"} <= types and not spec.get("ingress") and not spec.get("egress")


def _validate_default_deny(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for namespace, name in declared_namespaces(stack):
        verdicts = [is_default_deny(policy) for policy in in_namespace(stack, NETWORK_POLICY, name)]
        if any(verdict is not False for verdict in verdicts):
            continue
        report(
            f'namespace "{name}" has no default-deny NetworkPolicy (empty podSelector, policyTypes Ingress and '
            "Egress, no rules)",
            namespace.urn,
        )


DEFAULT_DENY = stack_rule(
    "CD-K8S-007",
    description="Every namespace the stack creates has a default-deny NetworkPolicy for ingress and egress, so a pod "
    "talks only to what its own policies allow and a compromised service cannot move laterally.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation="Add a NetworkPolicy to the namespace with podSelector: {}, policyTypes: [Ingress, Egress] and no "
    "ingress or egress rules, then allow each service's traffic in its own policy (TierNamespace does this).",
    validate=_validate_default_deny,
)


def _validate_quota(args: StackValidationArgs, report: ReportViolation) -> None:
    stack = Stack(args)
    for namespace, name in declared_namespaces(stack):
        if not in_namespace(stack, RESOURCE_QUOTA, name):
            report(f'namespace "{name}" has no ResourceQuota', namespace.urn)
        if not in_namespace(stack, LIMIT_RANGE, name):
            report(f'namespace "{name}" has no LimitRange', namespace.urn)


QUOTA = stack_rule(
    "CD-K8S-008",
    description="Every namespace the stack creates has a ResourceQuota and a LimitRange, so one tier's runaway "
    "autoscaling or batch job stops at its own fence instead of evicting real-time fulfilment.",
    severity=Severity.MEDIUM,
    category=Category.RESILIENCE,
    remediation="Add a ResourceQuota (pods, requests/limits for cpu and memory) sized for the namespace's services "
    "at their maximum, and a LimitRange with container defaults and a maximum.",
    validate=_validate_quota,
)


# --- internet-facing load balancers (AWS Load Balancer Controller ingresses) ----------------------


def annotations(props: Mapping[str, Any]) -> dict:
    return _mapping(metadata(props).get("annotations"))


def lb_attributes(value: Any) -> dict[str, str] | None:
    """`a=b,c=d` as a dict; None when the annotation is not known yet."""
    if value is UNKNOWN:
        return None
    if not isinstance(value, str):
        return {}
    pairs = (item.split("=", 1) for item in value.split(",") if "=" in item)
    return {key.strip(): val.strip() for key, val in pairs}


def _internet_facing(validate):
    @_only((INGRESS,))
    def wrapper(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
        if annotations(props).get(SCHEME) == "internet-facing":
            validate(args, props, report)

    wrapper.__doc__ = validate.__doc__
    return wrapper


@_internet_facing
def _validate_deletion_protection(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    if not production(props, args.get_config() or {}):
        return
    attributes = lb_attributes(annotations(props).get(ATTRIBUTES))
    if attributes is None or attributes.get("deletion_protection.enabled") == "true":
        return
    report(
        f"internet-facing Ingress {label(props, args.name)} does not turn on its load balancer's deletion protection "
        f"(deletion_protection.enabled=true in {ATTRIBUTES})",
        None,
    )


LB_DELETION_PROTECTION = resource_rule(
    "CD-K8S-010",
    description="Production internet-facing Ingresses turn on their load balancer's deletion protection: partners "
    "and warehouse devices allowlist its DNS name, which a re-created load balancer does not keep.",
    severity=Severity.HIGH,
    category=Category.RESILIENCE,
    remediation=f"Add deletion_protection.enabled=true to the {ATTRIBUTES} annotation of production ingresses.",
    validate=_validate_deletion_protection,
    config_schema=config_schema(production=PRODUCTION_SETTING),
)


@_internet_facing
def _validate_access_logs(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    attributes = lb_attributes(annotations(props).get(ATTRIBUTES))
    if attributes is None:
        return
    if attributes.get("access_logs.s3.enabled") == "true" and attributes.get("access_logs.s3.bucket"):
        return
    report(
        f"internet-facing Ingress {label(props, args.name)} does not write access logs to S3 (access_logs.s3.enabled=true "
        f"and access_logs.s3.bucket in {ATTRIBUTES})",
        None,
    )


LB_ACCESS_LOGS = resource_rule(
    "CD-K8S-011",
    description="Internet-facing Ingresses write their load balancer's access logs to S3: who called which endpoint "
    "is the first question of a security incident and of a tenant's dispute.",
    severity=Severity.MEDIUM,
    category=Category.SECURITY,
    remediation=f"Add access_logs.s3.enabled=true,access_logs.s3.bucket=<audit bucket> to the {ATTRIBUTES} annotation.",
    validate=_validate_access_logs,
)


@_internet_facing
def _validate_web_acl(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    value = annotations(props).get(WAF_ACL)
    if value is UNKNOWN or (isinstance(value, str) and value.startswith("arn:")):
        return
    report(f"internet-facing Ingress {label(props, args.name)} has no WAFv2 web ACL ({WAF_ACL})", None)


LB_WEB_ACL = resource_rule(
    "CD-K8S-012",
    description="Internet-facing Ingresses attach a WAFv2 web ACL (rate limiting and managed protections) to their "
    "load balancer.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=f"Set the {WAF_ACL} annotation to the environment's web ACL ARN (PublicEdge does this).",
    validate=_validate_web_acl,
)


def listen_ports(value: Any, has_certificate: bool) -> list[tuple[str, float]] | None:
    """(protocol, port) pairs of the listen-ports annotation; the controller's default when unset."""
    if value is UNKNOWN:
        return None
    if value in (None, ""):
        return [("HTTPS", 443.0)] if has_certificate else [("HTTP", 80.0)]
    try:
        entries = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return [("invalid", 0.0)]
    pairs = []
    for entry in _list(entries):
        for protocol, port in _mapping(entry).items():
            pairs.append((str(protocol).upper(), number(port) or 0.0))
    return pairs


@_internet_facing
def _validate_https_only(args: ResourceValidationArgs, props: dict, report: ReportViolation) -> None:
    notes = annotations(props)
    certificate = notes.get(CERTIFICATE)
    if certificate is UNKNOWN:
        return
    tls = _list(_mapping(props.get("spec")).get("tls"))
    has_certificate = (isinstance(certificate, str) and bool(certificate)) or bool(tls)
    ports = listen_ports(notes.get(LISTEN_PORTS), has_certificate)
    if ports is None:
        return
    redirect = notes.get(SSL_REDIRECT) not in (None, "")
    plain_ports = [port for protocol, port in ports if protocol != "HTTPS"]
    if plain_ports and not redirect:
        report(
            f"internet-facing Ingress {label(props, args.name)} listens on plain HTTP (port "
            f"{', '.join(fmt(p) for p in plain_ports)}) without {SSL_REDIRECT}",
            None,
        )
    if any(protocol == "HTTPS" for protocol, _ in ports) and not has_certificate:
        report(
            f"internet-facing Ingress {label(props, args.name)} has no certificate for its HTTPS listener ({CERTIFICATE})",
            None,
        )


LB_HTTPS_ONLY = resource_rule(
    "CD-K8S-013",
    description="Internet-facing Ingresses serve HTTPS only (plain HTTP at most redirects) with a certificate: "
    "shipment, customer and partner data never crosses the internet in clear text.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=f"Set {LISTEN_PORTS} to '[{{\"HTTPS\": 443}}]', {CERTIFICATE} to the ACM certificate ARN, and "
    f"{SSL_REDIRECT}: '443' if an HTTP listener must exist.",
    validate=_validate_https_only,
)

RULES: list[Rule] = [
    REPLICAS,
    ZONE_SPREAD,
    DISRUPTION_BUDGET,
    PROBES,
    RESOURCES,
    QUOTA,
    LB_DELETION_PROTECTION,
    SECURITY_CONTEXT,
    DEFAULT_DENY,
    LB_ACCESS_LOGS,
    LB_WEB_ACL,
    LB_HTTPS_ONLY,
]
