"""The gate's mutation test, extended to the transaction tier.

The real prod program runs once through the offline engine with three breaks applied
the way a careless change would make them:
- a stack transformation drops the critical `shipment-api` Deployment to one replica;
- the `billing-worker` PodDisruptionBudget is never created (the component's call to
  PodDisruptionBudget is intercepted);
- a stack transformation widens `label-printer`'s produce statement to `sqs:*`.
Each break must be blocked by its own rule, on the resource that carries it.
"""

from __future__ import annotations

import json
import runpy

import pulumi
import pulumi_kubernetes as k8s
import pytest

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.engine import load_project, load_stack, run_callable
from tests.transaction_tier.helpers import ROOT


def _widen_produce(policy: str) -> str:
    document = json.loads(policy)
    for statement in document["Statement"]:
        if statement.get("Sid") == "ProduceQueues":
            statement["Action"] = "sqs:*"
    return json.dumps(document)


def _break(args: pulumi.ResourceTransformationArgs):
    if args.type_ == "kubernetes:apps/v1:Deployment" and args.name == "prod-shipment-api":
        props = dict(args.props)
        props["spec"] = {**props["spec"], "replicas": 1}
        return pulumi.ResourceTransformationResult(props, args.opts)
    if args.type_ == "aws:iam/rolePolicy:RolePolicy" and args.name == "prod-label-printer-identity-access":
        props = dict(args.props)
        props["policy"] = pulumi.Output.from_input(props["policy"]).apply(_widen_produce)
        return pulumi.ResourceTransformationResult(props, args.opts)
    return None


@pytest.fixture(scope="module")
def mutated():
    stack = load_stack(load_project(ROOT), "prod")
    original = k8s.policy.v1.PodDisruptionBudget

    def without_billing_pdb(resource_name, *args, **kwargs):
        if resource_name == "prod-billing-worker-pdb":
            return None
        return original(resource_name, *args, **kwargs)

    def program() -> None:
        pulumi.runtime.register_stack_transformation(_break)
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(k8s.policy.v1, "PodDisruptionBudget", without_billing_pdb)
        plan = run_callable(
            program,
            config=stack.config,
            secret_keys=stack.secret_keys,
            project="crossdock",
            stack="prod",
            project_dir=ROOT,
        )
    return plan, check_plan(plan, ROOT, CheckOptions())


def blocking(result, rule: str) -> list[tuple[str, str]]:
    return [
        (finding.name, finding.message)
        for finding in result.findings
        if finding.rule == rule and finding.enforcement.value == "mandatory" and not finding.waived
    ]


def test_the_mutated_prod_stack_fails_the_gate(mutated):
    plan, result = mutated
    assert not result.passed
    # The breaks happened, and nothing else broke.
    assert not plan.by_type("kubernetes:policy/v1:PodDisruptionBudget") or all(
        r.name != "prod-billing-worker-pdb" for r in plan.by_type("kubernetes:policy/v1:PodDisruptionBudget")
    )
    assert {f.rule for f in result.findings if not f.waived and f.enforcement.value == "mandatory"} == {
        "CD-K8S-001",
        "CD-K8S-003",
        "CD-SVC-001",
        # One shipment-api replica: the real-time tier's AZ RTO (5 min) is breached (docs/resilience-model.md).
        "CD-RES-050",
    }


def test_one_replica_critical_deployment_is_blocked_by_the_replica_rule(mutated):
    _, result = mutated
    assert blocking(result, "CD-K8S-001") == [
        (
            "prod-shipment-api",
            'Deployment "real-time-fulfillment/shipment-api" runs 1 replica; real-time-fulfillment workloads in '
            "production need at least 3",
        )
    ]


def test_missing_pdb_is_blocked_by_the_disruption_budget_rule(mutated):
    _, result = mutated
    assert blocking(result, "CD-K8S-003") == [
        (
            "prod-billing-worker",
            'Deployment "near-real-time-integration/billing-worker" has no PodDisruptionBudget selecting its pods in '
            'namespace "near-real-time-integration"',
        )
    ]


def test_sqs_star_service_role_is_blocked_by_the_service_identity_rule(mutated):
    _, result = mutated
    assert blocking(result, "CD-SVC-001") == [
        (
            "prod-label-printer-identity-role",
            'service role "prod-label-printer" (service label-printer): policy "prod-label-printer-access" statement '
            '"ProduceQueues" grants "sqs:*", beyond what a service does with its declared resources',
        )
    ]
