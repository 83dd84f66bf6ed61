"""Class 1 of the hostile-input issue: no lost edits, no output over an input, no stale export files.

Refusals are checked in a scratch copy of the project: exit 2, the exact line, and every file
byte-identical afterwards. The concurrency cases start real processes in parallel.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Network
from pathlib import Path

import pytest
import yaml

from crossdock.files import MARKER, OutputError, write_atomic
from tests.export.conftest import SHOP

from .support import ROOT, cli, one_error, run_process, scratch_project, snapshot


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return scratch_project(tmp_path_factory.mktemp("outputs") / "project")


# -- outputs over inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "flag", "target", "what"),
    [
        (["check", "dev", "--no-checkov", "--format", "json", "--output"], "--output", "stacks/Pulumi.dev.yaml",
         "a stack file"),
        (["check", "dev", "--no-checkov", "--output"], "--output", "stacks/Pulumi.prod.yaml", "a stack file"),
        (["check", "dev", "--no-checkov", "--output"], "--output", "policies/waivers.yaml", "the waivers file"),
        (["plan", "dev", "--json"], "--json", "Pulumi.yaml", "the project file"),
        (["plan", "dev", "--json"], "--json", "__main__.py", "the program"),
        (["export", "dev", "--format", "tf-plan", "--output"], "--output", "stacks/Pulumi.staging.yaml",
         "a stack file"),
    ],
)  # fmt: skip
def test_no_output_over_a_file_the_run_reads(project: Path, argv, flag, target, what, monkeypatch) -> None:
    monkeypatch.chdir(project)
    before = snapshot(project)
    code, out, err = cli(*argv, target, "--project", ".")
    assert (code, out) == (2, "")
    assert one_error(err) == (
        f"crossdock: error: {flag} {target} is {what}, which this run reads; refusing to write over it "
        "(pick another path)"
    )
    assert snapshot(project) == before


def test_no_output_over_the_policy_config_or_through_a_link(project: Path, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.chdir(project)
    config = tmp_path / "policy.json"
    config.write_text('{"CD-RES-020": {"maxMaxReceiveCount": 5}}\n')
    link = tmp_path / "report.json"
    link.symlink_to(project / "stacks" / "Pulumi.dev.yaml")
    hard = tmp_path / "hard.yaml"
    os.link(project / "stacks" / "Pulumi.prod.yaml", hard)
    before = snapshot(project), config.read_bytes()
    for output, what in ((config, "the policy config file"), (link, "a stack file"), (hard, "a stack file")):
        code, _, err = cli("check", "dev", "--no-checkov", "--policy-config", str(config), "--output", str(output),
                           "--project", ".")  # fmt: skip
        assert code == 2
        assert one_error(err) == (
            f"crossdock: error: --output {output} is {what}, which this run reads; refusing to write over it "
            "(pick another path)"
        )
    assert (snapshot(project), config.read_bytes()) == before


def test_a_python_source_of_the_program_is_refused(tmp_path: Path, monkeypatch) -> None:
    # The program's packages are copied, not linked: were the guard to fail, only the copy would suffer.
    project = scratch_project(tmp_path / "project")
    (project / "components").unlink()
    shutil.copytree(ROOT / "components", project / "components", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(project)
    before = snapshot(project)
    code, _, err = cli("plan", "dev", "--json", "components/network.py", "--project", ".")
    assert code == 2
    assert one_error(err) == (
        "crossdock: error: --json components/network.py is a source file of the program; refusing to write over it"
    )
    assert snapshot(project) == before


def test_a_k8s_export_into_the_stacks_directory_is_refused(project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    before = snapshot(project)
    code, _, err = cli("export", "dev", "--format", "k8s", "--output", "stacks", "--project", ".")
    assert code == 2
    assert one_error(err) == (
        f"crossdock: error: --output stacks holds a stack file ({project / 'stacks' / 'Pulumi.dev.yaml'}), "
        "which this run reads; pick another directory"
    )
    assert snapshot(project) == before


# -- atomic writes -----------------------------------------------------------------------------------


def test_an_interrupted_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report\n")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OutputError) as caught:
        write_atomic(target, "x" * 100_000, what="report")
    assert str(caught.value) == f"cannot write report to {target}: No space left on device"
    assert target.read_text() == "old report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary file left behind


def test_check_output_to_a_full_disk_is_one_line(project: Path, monkeypatch) -> None:
    monkeypatch.chdir(project)
    code, _, err = cli("check", "dev", "--no-checkov", "--format", "json", "--output", "/dev/full", "--project", ".")
    assert code == 2
    assert one_error(err) == "crossdock: error: cannot write report to /dev/full: No space left on device"


# -- k8s export into a clean directory ---------------------------------------------------------------

SHOP_FILES = ["_cluster--namespace--shop.yaml", "shop--deployment--web.yaml"]


def export_shop(output: Path) -> tuple[int, str, str]:
    return cli("export", "dev", "--project", str(SHOP), "--format", "k8s", "--output", str(output))


def test_k8s_export_refuses_a_directory_it_did_not_write(tmp_path: Path) -> None:
    output = tmp_path / "manifests"
    output.mkdir()
    (output / "old-deployment.yaml").write_text("kind: Deployment\n")
    code, _, err = export_shop(output)
    assert code == 2
    assert one_error(err) == (
        f"crossdock: error: --output {output} is not empty and crossdock did not write it (old-deployment.yaml); "
        "stale files would be scanned with the new ones: give a new or empty directory"
    )
    assert sorted(p.name for p in output.iterdir()) == ["old-deployment.yaml"]


def test_k8s_export_replaces_only_what_it_wrote_before(tmp_path: Path) -> None:
    output = tmp_path / "manifests"
    assert export_shop(output)[0] == 0
    assert sorted(p.name for p in output.iterdir()) == [MARKER, *SHOP_FILES]
    assert (output / MARKER).read_text() == "".join(f"{name}\n" for name in SHOP_FILES)
    # A manifest from an older export (the resource is gone) is listed in the marker: it is removed.
    (output / "shop--deployment--legacy.yaml").write_text("kind: Deployment\n")
    (output / MARKER).write_text((output / MARKER).read_text() + "shop--deployment--legacy.yaml\n")
    assert export_shop(output)[0] == 0
    assert sorted(p.name for p in output.iterdir()) == [MARKER, *SHOP_FILES]


# -- concurrent writers -----------------------------------------------------------------------------

STUB_PROGRAM = "# The program is not what these tests exercise: planning it is instant.\n"


@pytest.fixture()
def stub_project(tmp_path: Path) -> Path:
    """A scratch project whose program does nothing: `new` still reads, decides, writes and validates."""
    project = scratch_project(tmp_path / "project")
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text(STUB_PROGRAM)
    return project


def parallel(commands: list[list[str]]) -> list:
    with ThreadPoolExecutor(max_workers=len(commands)) as pool:
        return list(pool.map(lambda argv: run_process(*argv), commands))


ROUNDS = 2
WRITERS = 6


def test_parallel_new_tenant_runs_lose_no_registration(stub_project: Path) -> None:
    env = stub_project / "stacks" / "Pulumi.dev.yaml"
    expected: list[str] = []
    for round_ in range(ROUNDS):
        ids = [f"racer-{round_}-{index}" for index in range(WRITERS)]
        results = parallel(
            [["new", "tenant", tenant, "--env", "dev", "--isolation", "pool", "--project", str(stub_project)]
             for tenant in ids]
        )  # fmt: skip
        for result in results:
            assert (result.returncode, result.stderr) == (0, ""), result.stderr
            assert result.stdout.startswith("registered tenant racer-")
        expected += ids
        registered = [t["id"] for t in yaml.safe_load(env.read_text())["config"]["crossdock:tenants"]]
        assert sorted(t for t in registered if t.startswith("racer-")) == sorted(expected)
    assert not [p for p in env.parent.iterdir() if p.name.endswith(".tmp")]


def test_parallel_new_region_runs_pick_disjoint_cidrs(stub_project: Path) -> None:
    regions = ["eu-central-1", "eu-west-1", "ap-southeast-2", "us-west-2"]
    results = parallel(
        [["new", "region", "--from", "dev", "--region", region, "--project", str(stub_project)] for region in regions]
    )
    for result in results:
        assert (result.returncode, result.stderr) == (0, ""), result.stderr
    blocks = []
    for path in sorted((stub_project / "stacks").glob("Pulumi.*.yaml")):
        environment = yaml.safe_load(path.read_text())["config"].get("crossdock:environment")
        if environment:
            blocks.append((path.name, IPv4Network(environment["vpcCidr"])))
    assert len(blocks) == 3 + len(regions)
    for index, (name, block) in enumerate(blocks):
        for other_name, other in blocks[index + 1 :]:
            assert not block.overlaps(other), f"{name} {block} overlaps {other_name} {other}"


def test_a_refused_tenant_leaves_every_file_as_it_was(stub_project: Path) -> None:
    before = snapshot(stub_project)
    code, _, err = cli("new", "tenant", "acme", "--env", "dev", "--isolation", "pool", "--project", str(stub_project))
    assert code == 2
    assert one_error(err).startswith("crossdock: error: tenant id 'acme' is already used: ")
    assert snapshot(stub_project) == before


def test_stale_temporary_files_are_not_stacks(stub_project: Path) -> None:
    """A temporary file left by a killed writer is hidden (dot-name, .tmp) and never read as a stack."""
    stacks = stub_project / "stacks"
    shutil.copy(stacks / "Pulumi.dev.yaml", stacks / ".Pulumi.dev.yaml.abc123.tmp")
    code, out, _ = cli("new", "tenant", "late", "--env", "dev", "--isolation", "pool", "--project", str(stub_project))
    assert code == 0 and out.startswith("registered tenant late")
