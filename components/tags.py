"""The one base tag map every resource carries.

Tags are how policies, dashboards, cost reports and runbooks find things, so every
component builds its tags here instead of inventing keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from crossdock.config.operations import OperatingModel
from crossdock.config.schema import Environment, StackConfig


def base_tags(
    environment: Environment,
    *,
    data_class: str | None = None,
    tenant: str | None = None,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """environment, tier, owner, cost-center and managed-by, plus the optional keys."""
    tags = {
        "environment": environment.name,
        "tier": environment.tier.value,
        "owner": environment.owner,
        "cost-center": environment.cost_center,
        "managed-by": "crossdock",
    }
    if data_class is not None:
        tags["data-class"] = data_class
    if tenant is not None:
        tags["tenant"] = tenant
    return {**tags, **(extra or {})}


def data_store_tags(config: StackConfig, data_class: str, *, tenant: str | None = None) -> dict[str, str]:
    """Tags for a data store: its class, and whether that class needs a copy in the DR region.

    `dr-copy: required` is the contract with the policy pack's DR-copy rule: a store
    so tagged must have a replica, global secondary or backup copy in another region.
    """
    objectives = config.data_class(data_class).objectives
    dr_copy = "required" if objectives.region is not None else "none"
    return base_tags(config.environment, data_class=data_class, tenant=tenant, extra={"dr-copy": dr_copy})


def ownership_tags(config: StackConfig, kind: str, name: str) -> dict[str, str]:
    """`team`, `business-process` and `process-criticality` of a service, queue, database or tenant.

    `business-process` lists every declared process that depends on the thing (space-separated, sorted);
    `process-criticality` is the highest tier among them. Empty when the stack declares no operating model.
    """
    return OperatingModel(config).ownership(kind, name).tags()
