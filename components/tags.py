"""The one base tag map every resource carries.

Tags are how policies, dashboards, cost reports and runbooks find things, so every
component builds its tags here instead of inventing keys.
"""

from __future__ import annotations

from collections.abc import Mapping

from crossdock.config.schema import Environment


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
