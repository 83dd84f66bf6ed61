"""Which profile gates a stack: its tier, or for a silo tenant stack its environment's tier."""

from __future__ import annotations

import json
from pathlib import Path

from crossdock.blueprint import profile_for
from crossdock.engine import Plan
from policies.profiles import Profile


def project(tmp_path: Path, tier: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.dev.yaml").write_text(
        "config:\n  crossdock:environment:\n    name: dev\n    tier: " + tier + "\n"
    )
    return tmp_path


def plan(project_dir: Path | None, config: dict[str, str]) -> Plan:
    return Plan(project="shop", stack="s", resources=[], config=config, project_dir=project_dir)


def test_tier_picks_the_profile(tmp_path):
    for tier, profile in (
        ("production", Profile.PRODUCTION),
        ("staging", Profile.PRODUCTION),
        ("development", Profile.DEVELOPMENT),
    ):
        assert profile_for(plan(None, {"crossdock:environment": json.dumps({"tier": tier})})) is profile


def test_a_silo_tenant_stack_is_gated_like_its_environment(tmp_path):
    tenant = {"crossdock:tenant": json.dumps({"id": "acme", "environmentStack": "dev"})}
    assert profile_for(plan(project(tmp_path, "development"), tenant)) is Profile.DEVELOPMENT


def test_other_projects_default_to_production(tmp_path):
    assert profile_for(plan(None, {})) is Profile.PRODUCTION
    missing_env = {"crossdock:tenant": json.dumps({"id": "acme", "environmentStack": "nope"})}
    assert profile_for(plan(project(tmp_path, "development"), missing_env)) is Profile.PRODUCTION
