"""Kubernetes manifests export: apiVersion/kind/metadata, integers restored, files, round trip."""

from __future__ import annotations

import pulumi_kubernetes as k8s
import pytest
import yaml

from crossdock.engine import UNKNOWN, Plan, Resource, run_callable
from crossdock.export import to_kubernetes_manifests
from crossdock.export.kubernetes import api_version_kind

LABELS = {"app": "web"}


def _program():
    namespace = k8s.core.v1.Namespace("shop", metadata={"name": "shop"})
    k8s.apps.v1.Deployment(
        "web",
        metadata={"namespace": namespace.metadata.name, "labels": LABELS},
        spec={
            "replicas": 3,
            "selector": {"matchLabels": LABELS},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": "nginx:1.27",
                            "ports": [{"containerPort": 8080}],
                            "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001},
                        }
                    ]
                },
            },
        },
    )
    k8s.core.v1.Service(
        "web-svc",
        metadata={"name": "web", "namespace": namespace.metadata.name},
        spec={"selector": LABELS, "ports": [{"port": 80, "targetPort": 8080, "protocol": "TCP"}]},
    )
    k8s.core.v1.Secret("creds", metadata={"name": "creds", "namespace": "shop"}, string_data={"password": "hunter2"})


@pytest.fixture(scope="module")
def export():
    return to_kubernetes_manifests(run_callable(_program))


def manifest(export, filename):
    return next(m for m in export.manifests if m.filename == filename)


def test_one_manifest_per_resource_with_stable_file_names(export):
    assert sorted(m.filename for m in export.manifests) == [
        "_cluster--namespace--shop.yaml",
        "shop--deployment--web.yaml",
        "shop--secret--creds.yaml",
        "shop--service--web.yaml",
    ]
    assert export.warnings == []


def test_deployment_manifest(export):
    document = manifest(export, "shop--deployment--web.yaml").document
    assert list(document)[:3] == ["apiVersion", "kind", "metadata"]
    assert (document["apiVersion"], document["kind"]) == ("apps/v1", "Deployment")
    # metadata.name defaults to the Pulumi name
    assert document["metadata"] == {"name": "web", "namespace": "shop", "labels": {"app": "web"}}
    spec = document["spec"]
    assert spec["replicas"] == 3 and type(spec["replicas"]) is int
    container = spec["template"]["spec"]["containers"][0]
    assert container["ports"] == [{"containerPort": 8080}] and type(container["ports"][0]["containerPort"]) is int
    assert container["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001}
    assert container["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"}}


def test_core_group_is_plain_v1_and_int_or_string_ports_are_ints(export):
    service = manifest(export, "shop--service--web.yaml").document
    assert (service["apiVersion"], service["kind"]) == ("v1", "Service")
    assert service["spec"]["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 8080}]
    assert all(type(v) is int for v in (service["spec"]["ports"][0]["port"], service["spec"]["ports"][0]["targetPort"]))
    namespace = manifest(export, "_cluster--namespace--shop.yaml").document
    assert namespace == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}


def test_secret_values_are_masked(export):
    secret = manifest(export, "shop--secret--creds.yaml")
    assert secret.document["stringData"] == {"password": "[secret]"}
    assert "hunter2" not in secret.dumps()


def test_manifests_round_trip_through_yaml(export, tmp_path):
    paths = export.write(tmp_path / "manifests")
    assert len(paths) == len(export.manifests)
    for path, item in zip(paths, export.manifests, strict=True):
        assert path.name == item.filename
        assert yaml.safe_load(path.read_text()) == item.document
    assert yaml.safe_load((tmp_path / "manifests" / "shop--deployment--web.yaml").read_text())["spec"]["replicas"] == 3


def test_urns_and_sources_are_kept(export):
    item = manifest(export, "shop--deployment--web.yaml")
    assert item.urn.endswith("kubernetes:apps/v1:Deployment::web")


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("kubernetes:apps/v1:Deployment", ("apps/v1", "Deployment")),
        ("kubernetes:core/v1:Namespace", ("v1", "Namespace")),
        ("kubernetes:networking.k8s.io/v1:NetworkPolicy", ("networking.k8s.io/v1", "NetworkPolicy")),
        ("kubernetes:helm.sh/v3:Release", None),
        ("kubernetes:yaml:ConfigFile", None),
    ],
)
def test_api_version_from_token(token, expected):
    assert api_version_kind(token) == expected


def _k8s(name, type_, inputs):
    return Resource(
        urn=f"urn:pulumi:t::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider="",
        region=None,
        dependencies=[],
        property_dependencies={},
        inputs=inputs,
    )


def test_unknowns_are_left_out_and_patches_and_helm_releases_skipped_with_warnings():
    resources = [
        _k8s(
            "cfg",
            "kubernetes:core/v1:ConfigMap",
            {"metadata": {"namespace": UNKNOWN}, "data": {"a": "1", "b": UNKNOWN}},
        ),
        _k8s("patch", "kubernetes:apps/v1:DeploymentPatch", {"metadata": {"name": "x"}}),
        _k8s("chart", "kubernetes:helm.sh/v3:Release", {"chart": "nginx"}),
        _k8s("aws", "aws:sqs/queue:Queue", {}),
    ]
    export = to_kubernetes_manifests(Plan("p", "t", resources))
    assert [m.filename for m in export.manifests] == ["_cluster--configmap--cfg.yaml"]
    assert export.manifests[0].document == {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "cfg"},
        "data": {"a": "1"},
    }
    assert export.warnings == [
        "ConfigMap 'cfg': 2 value(s) unknown until deploy were left out",
        "kubernetes:apps/v1:DeploymentPatch 'patch' patches an existing object; patches are not exported as manifests",
        "kubernetes:helm.sh/v3:Release 'chart' is not a Kubernetes API object; not exported",
    ]


def test_same_object_twice_gets_distinct_files():
    resources = [
        _k8s(n, "kubernetes:core/v1:ConfigMap", {"metadata": {"name": "cfg", "namespace": "a"}}) for n in ("one", "two")
    ]
    export = to_kubernetes_manifests(Plan("p", "t", resources))
    assert [m.filename for m in export.manifests] == ["a--configmap--cfg.yaml", "a--configmap--cfg-2.yaml"]
