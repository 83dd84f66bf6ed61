"""Running programs back to back in one process gives independent, repeatable results."""

from __future__ import annotations

import os
import sys

import pulumi
import pytest
from pulumi.runtime import settings

from crossdock.engine import ProgramError, run_program

from .conftest import PROGRAMS


def test_two_projects_back_to_back_are_independent(webserver_plan):
    cwd, path = os.getcwd(), list(sys.path)
    site = run_program(PROGRAMS / "static-site", "prod")
    again = run_program(PROGRAMS / "webserver", "dev")
    assert site.project == "static-site" and again.project == "webserver"
    assert again.to_json() == webserver_plan.to_json()  # deterministic, nothing carried over
    assert not any("static-site" in r.urn for r in again.resources)
    assert os.getcwd() == cwd and sys.path == path


def test_failed_run_leaves_no_state_behind():
    with pytest.raises(ProgramError):
        run_program(PROGRAMS / "broken", "apply")
    assert "naming" not in sys.modules  # modules imported from the project are forgotten
    plan = run_program(PROGRAMS / "component-app", "staging")
    assert "app" not in sys.modules
    assert plan.stack == "staging" and len(plan.resources) == 11


def test_caller_context_is_untouched():
    """Runs happen on their own thread: the caller's SDK settings and config stay as they were."""

    def snapshot():
        return (
            settings.get_project(),
            settings.get_stack(),
            settings.get_root_resource(),
            settings.get_monitor(),
            pulumi.Config("aws").get("region"),
        )

    before = snapshot()
    run_program(PROGRAMS / "webserver", "dev")  # sets aws:region us-west-2 inside its own run
    assert snapshot() == before


def test_same_project_different_stacks():
    staging = run_program(PROGRAMS / "component-app", "staging")
    prod = run_program(PROGRAMS / "component-app", "prod")
    assert len(staging.by_type("aws:ec2/subnet:Subnet")) == 2
    assert len(prod.by_type("aws:ec2/subnet:Subnet")) == 3
    assert staging.by_name("orders-vpc").urn.startswith("urn:pulumi:staging::component-app::")
    assert prod.by_name("orders-vpc").urn.startswith("urn:pulumi:prod::component-app::")
