"""The stack file, as the facts a runbook needs (runbooks/ never reads stack files or imports pydantic models)."""

from __future__ import annotations

from pathlib import Path

from crossdock.config.loader import load_stack_file, read_stack_namespace
from crossdock.config.schema import StackConfig
from crossdock.config.tenant_stack import is_tenant_namespace
from crossdock.errors import CrossdockError
from runbooks.core import DatabaseFacts, Flow, StackFacts, TenantFacts


def stack_path(project_dir: Path, stack: str) -> Path:
    return project_dir / "stacks" / f"Pulumi.{stack}.yaml"


def load_facts(project_dir: Path, stack: str) -> StackFacts:
    path = stack_path(project_dir, stack)
    if not path.is_file():
        known = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in path.parent.glob("Pulumi.*.yaml"))
        raise CrossdockError(f"--stack {stack}: no stack file {path.name} (stacks: {', '.join(known) or 'none'})")
    namespace, _ = read_stack_namespace(path)
    if is_tenant_namespace(namespace):
        raise CrossdockError(
            f"--stack {stack} is a silo tenant stack: run tenant runbooks on its environment stack with "
            "--param tenant=ID (the runbooks find the tenant's resources by its tag)"
        )
    return facts_from_config(stack, load_stack_file(path))


def facts_from_config(stack: str, config: StackConfig) -> StackFacts:
    return StackFacts(
        stack=stack,
        environment=config.environment.name,
        region=config.environment.region,
        dr_region=config.dr.region if config.dr else None,
        flows={
            q.name: Flow(
                name=q.name,
                fifo=q.fifo,
                criticality=q.criticality.value,
                data_class=q.data_class,
                max_receive_count=q.max_receive_count,
                visibility_timeout_seconds=q.visibility_timeout_seconds,
                age_alarm_seconds=q.age_alarm_seconds,
            )
            for q in config.queues
        },
        databases={d.name: DatabaseFacts(d.name, d.data_class) for d in config.databases},
        region_rpo_minutes={
            c.name: (c.objectives.region.rpo_minutes if c.objectives.region is not None else None)
            for c in config.data_classes
        },
        tenants={t.id: TenantFacts(t.id, t.isolation.value, tuple(t.flows)) for t in config.tenants},
        services=tuple(s.name for s in config.services),
    )
