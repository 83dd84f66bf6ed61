"""TransactionService: exact children for a service of each criticality, and their key inputs."""

from __future__ import annotations

import pytest

from tests.transaction_tier.helpers import DEV, PUBLIC_CIDRS, record_service, spec

COMPONENT = "crossdock:transaction:Service"
IDENTITY = "crossdock:transaction:ServiceIdentity"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
SA = "kubernetes:core/v1:ServiceAccount"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
NETPOL = "kubernetes:networking.k8s.io/v1:NetworkPolicy"

# One service per business tier, from the prod stack.
BY_CRITICALITY = {
    "real-time-fulfillment": "shipment-api",
    "near-real-time-integration": "asn-ingestor",
    "internal-reporting": "reporting-api",
    "deferred-analytics": "analytics-exporter",
}


@pytest.fixture(scope="module", params=sorted(BY_CRITICALITY.items()), ids=lambda item: item[0])
def recorded(request):
    criticality, name = request.param
    plan, records = record_service(name)
    return criticality, name, plan, records


def children(records, parent_name, parent_type):
    parent = records[(parent_type, parent_name)]
    return {key for key, record in records.items() if record.parent == parent.urn}


def test_exact_children_for_each_criticality(recorded):
    criticality, name, _, records = recorded
    prefix = f"prod-{name}"
    assert children(records, prefix, COMPONENT) == {
        (IDENTITY, f"{prefix}-identity"),
        (SA, f"{prefix}-sa"),
        (DEPLOYMENT, prefix),
        (SERVICE, f"{prefix}-svc"),
        (PDB, f"{prefix}-pdb"),
        (HPA, f"{prefix}-hpa"),
        (NETPOL, f"{prefix}-netpol"),
    }
    assert children(records, f"{prefix}-identity", IDENTITY) == {
        (ROLE, f"{prefix}-identity-role"),
        (ROLE_POLICY, f"{prefix}-identity-access"),
    }
    # Nothing else is registered: stack, provider, the component tree above.
    assert len(records) == 2 + 1 + 7 + 2
    for key in children(records, prefix, COMPONENT) - {(IDENTITY, f"{prefix}-identity")}:
        assert records[key].provider.split("::")[-2:] == ["pulumi:providers:kubernetes", "k8s"], key
        assert records[key].inputs["metadata"]["namespace"] == criticality
        assert records[key].inputs["metadata"]["name"] == name
        assert records[key].inputs["metadata"]["labels"] == {
            "app.kubernetes.io/managed-by": "crossdock",
            "app.kubernetes.io/name": name,
            "crossdock.io/criticality": criticality,
            "crossdock.io/environment": "prod",
            "crossdock.io/tier": "production",
        }


def test_deployment_scheduling_follows_the_tier(recorded):
    criticality, name, _, records = recorded
    service = spec(name)
    deployment = records[(DEPLOYMENT, f"prod-{name}")]
    pod = deployment.inputs["spec"]["template"]["spec"]
    assert deployment.inputs["spec"]["replicas"] == service.replicas.min
    assert deployment.ignore_changes == ["spec.replicas"]
    assert pod["priorityClassName"] == f"crossdock-{criticality}"
    assert pod["serviceAccountName"] == name
    assert pod["automountServiceAccountToken"] is False
    selector = {"matchLabels": {"app.kubernetes.io/name": name}}
    real_time = criticality == "real-time-fulfillment"
    assert pod["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "DoNotSchedule" if real_time else "ScheduleAnyway",
            "labelSelector": selector,
        },
        {
            "maxSkew": 1,
            "topologyKey": "kubernetes.io/hostname",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
        },
    ]
    if real_time:
        assert pod["nodeSelector"] == {"crossdock.io/node-pool": "real-time-fulfillment"}
        assert pod["tolerations"] == [
            {"key": "crossdock.io/real-time-fulfillment", "operator": "Equal", "value": "true", "effect": "NoSchedule"}
        ]
    else:
        assert pod["nodeSelector"] == {"crossdock.io/node-pool": "general"}
        assert "tolerations" not in pod


def test_container_is_probed_bounded_and_locked_down(recorded):
    criticality, name, _, records = recorded
    service = spec(name)
    pod = records[(DEPLOYMENT, f"prod-{name}")].inputs["spec"]["template"]["spec"]
    assert pod["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "runAsGroup": 10001,
        "fsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    (container,) = pod["containers"]
    assert container["image"] == service.image and "@sha256:" in container["image"]
    assert container["imagePullPolicy"] == "Always"
    assert container["ports"] == [{"name": "http", "containerPort": 8080, "protocol": "TCP"}]
    cpu = int(service.cpu[:-1])
    limit = cpu if criticality == "real-time-fulfillment" else 2 * cpu
    assert container["resources"] == {
        "requests": {"cpu": service.cpu, "memory": service.memory},
        "limits": {"cpu": f"{limit}m", "memory": service.memory},
    }
    probe = {"httpGet": {"path": "/healthz", "port": "http"}, "timeoutSeconds": 2, "failureThreshold": 3}
    assert container["readinessProbe"] == {**probe, "periodSeconds": 5}
    assert container["livenessProbe"] == {**probe, "initialDelaySeconds": 15, "periodSeconds": 10}
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": 10001,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container["volumeMounts"] == [{"name": "tmp", "mountPath": "/tmp"}]
    assert pod["volumes"] == [{"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}}]


def test_service_account_names_the_role(recorded):
    _, name, _, records = recorded
    account = records[(SA, f"prod-{name}-sa")]
    role = records[(ROLE, f"prod-{name}-identity-role")]
    assert account.inputs["metadata"]["annotations"] == {
        "eks.amazonaws.com/role-arn": role.outputs["arn"],
        "eks.amazonaws.com/sts-regional-endpoints": "true",
    }
    assert role.outputs["arn"] == f"arn:aws:iam::123456789012:role/prod-{name}"
    assert account.inputs["automountServiceAccountToken"] is False


def test_pdb_hpa_and_service_select_the_pods(recorded):
    criticality, name, _, records = recorded
    service = spec(name)
    selector = {"matchLabels": {"app.kubernetes.io/name": name}}
    assert records[(PDB, f"prod-{name}-pdb")].inputs["spec"] == {"maxUnavailable": 1, "selector": selector}
    assert records[(SERVICE, f"prod-{name}-svc")].inputs["spec"] == {
        "type": "ClusterIP",
        "selector": selector["matchLabels"],
        "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
    }
    hpa = records[(HPA, f"prod-{name}-hpa")].inputs["spec"]
    assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (service.replicas.min, service.replicas.max)
    target = 60 if criticality == "real-time-fulfillment" else 70
    assert hpa["metrics"] == [
        {
            "type": "Resource",
            "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": target}},
        }
    ]
    assert hpa["behavior"] == {
        "scaleUp": {"stabilizationWindowSeconds": 0},
        "scaleDown": {"stabilizationWindowSeconds": 300},
    }


def test_network_policy_opens_only_what_the_service_needs(recorded):
    _, name, _, records = recorded
    service = spec(name)
    policy = records[(NETPOL, f"prod-{name}-netpol")].inputs["spec"]
    sources = (
        [{"ipBlock": {"cidr": cidr}} for cidr in PUBLIC_CIDRS]
        if service.public
        else [{"namespaceSelector": {"matchLabels": {"crossdock.io/part-of": "transaction-tier"}}}]
    )
    egress = [{"to": [{"ipBlock": {"cidr": "10.10.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 443}]}]
    if service.database is not None:
        egress.append({"to": [{"ipBlock": {"cidr": "10.10.0.0/16"}}], "ports": [{"protocol": "TCP", "port": 5432}]})
    assert policy == {
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
        "policyTypes": ["Ingress", "Egress"],
        "ingress": [{"from": sources, "ports": [{"protocol": "TCP", "port": 8080}]}],
        "egress": egress,
    }


def test_environment_carries_queue_urls_and_database_endpoint():
    _, records = record_service("shipment-api")
    env = {
        v["name"]: v["value"]
        for v in records[(DEPLOYMENT, "prod-shipment-api")].inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env == {
        "SERVICE_NAME": "shipment-api",
        "CROSSDOCK_ENVIRONMENT": "prod",
        "AWS_REGION": "us-east-1",
        "AWS_STS_REGIONAL_ENDPOINTS": "regional",
        "PORT": "8080",
        "PRODUCE_LABEL_REQUESTS_URL": "https://sqs.us-east-1.amazonaws.com/111122223333/prod-label-requests",
        "DATABASE_HOST": "prod-orders.cluster.example",
        "DATABASE_PORT": "5432",
        "DATABASE_NAME": "orders",
        "DATABASE_USER": "orders_app",
        "DATABASE_AUTH": "iam",
    }
    _, records = record_service("reporting-api")
    env = {
        v["name"]: v["value"]
        for v in records[(DEPLOYMENT, "prod-reporting-api")].inputs["spec"]["template"]["spec"]["containers"][0]["env"]
    }
    assert env["DATABASE_HOST"] == "prod-reporting.cluster-ro.example"  # read access: the reader endpoint


def test_real_time_outside_production_runs_two_replicas_on_the_dedicated_nodes():
    _, records = record_service("label-printer", config=DEV)
    deployment = records[(DEPLOYMENT, "dev-label-printer")].inputs
    assert deployment["spec"]["replicas"] == 2
    assert deployment["metadata"]["labels"]["crossdock.io/tier"] == "development"
    assert deployment["spec"]["template"]["spec"]["nodeSelector"] == {"crossdock.io/node-pool": "real-time-fulfillment"}
