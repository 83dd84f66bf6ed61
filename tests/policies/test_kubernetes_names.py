"""Kubernetes findings name the Pulumi resource when `metadata.name` is computed or left to auto-naming."""

from __future__ import annotations

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.rules.kubernetes import REPLICAS
from tests.policies.harness import resource_args, violations

DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def deployment(metadata: dict) -> dict:
    return {
        "metadata": metadata,
        "spec": {
            "replicas": 1.0,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web"}]}},
        },
    }


def test_a_computed_name_is_reported_with_the_pulumi_resource_name():
    args = resource_args(
        DEPLOYMENT, deployment({"namespace": "fulfilment", "name": UNKNOWN_STRING_VALUE}), name="web-deployment"
    )
    [message] = violations(REPLICAS, args)
    assert message.startswith('Deployment "fulfilment/?" (Pulumi resource "web-deployment") runs 1 replica; ')


def test_an_auto_named_object_is_reported_with_the_pulumi_resource_name():
    [message] = violations(REPLICAS, resource_args(DEPLOYMENT, deployment({"namespace": "shop"}), name="api"))
    assert message.startswith('Deployment "shop/?" (Pulumi resource "api") runs 1 replica; ')


def test_a_known_name_is_used_as_it_is():
    [message] = violations(REPLICAS, resource_args(DEPLOYMENT, deployment({"namespace": "shop", "name": "api-v2"})))
    assert message.startswith('Deployment "shop/api-v2" runs 1 replica; ')
