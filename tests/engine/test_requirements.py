"""The project's own dependencies: used from crossdock's environment, installed into a cache, or refused."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from crossdock.cli import main
from crossdock.engine import ProjectError, run_program

from .conftest import PROGRAMS


def build_wheel(directory: Path, name: str, version: str, module: str, requires: list[str] = ()) -> Path:
    """A minimal pure-Python wheel, written by hand (no build backend, no network)."""
    dist = f"{name.replace('-', '_')}-{version}"
    files = {
        f"{name.replace('-', '_')}.py": module,
        f"{dist}.dist-info/METADATA": "Metadata-Version: 2.1\n"
        f"Name: {name}\nVersion: {version}\n" + "".join(f"Requires-Dist: {r}\n" for r in requires),
        f"{dist}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: crossdock-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).decode().rstrip("=")
        record.append(f"{path},sha256={digest},{len(text.encode())}")
    record.append(f"{dist}.dist-info/RECORD,,")
    files[f"{dist}.dist-info/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{dist}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture
def vendored(tmp_path, monkeypatch):
    """A copy of tests/programs/vendored-deps whose requirements.txt names a local wheel; pip never goes online."""
    project = tmp_path / "vendored-deps"
    shutil.copytree(PROGRAMS / "vendored-deps", project)
    (project / "wheels").mkdir()
    build_wheel(
        project / "wheels",
        "crossdock-greeting",
        "1.0",
        "def bucket_name(team):\n    return f'greetings-{team}'\n",
    )
    (project / "requirements.txt").write_text(
        "pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n./wheels/crossdock_greeting-1.0-py3-none-any.whl\n"
    )
    monkeypatch.setenv("CROSSDOCK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    return project


def test_requirements_crossdock_already_has_are_used_as_they_are():
    plan = run_program(PROGRAMS / "random-app", "dev")  # requirements.txt: pulumi, pulumi-aws, pulumi-random
    assert [(r.type, r.name) for r in plan.resources if r.custom] == [
        ("random:index/randomId:RandomId", "suffix"),
        ("random:index/randomPassword:RandomPassword", "db-password"),
        ("aws:s3/bucket:Bucket", "uploads"),
        ("aws:rds/instance:Instance", "db"),
    ]
    suffix = plan.by_name("suffix").outputs["hex"]
    assert len(suffix) == 8 and plan.outputs["bucket"] == f"uploads-{suffix}"
    password = plan.by_name("db-password").outputs["result"]
    assert len(password) == 24 and password.isalnum()
    document = json.loads(plan.dumps())
    assert {r["name"]: r["inputs"].get("password") for r in document["resources"]}["db"] == "[secret]"
    assert (document["outputs"]["db_password"], document["outputs"]["connection"]) == ("[secret]", "[secret]")
    assert password not in plan.dumps()
    assert run_program(PROGRAMS / "random-app", "dev").outputs["bucket"] == plan.outputs["bucket"]  # deterministic


def test_a_requirement_that_conflicts_with_crossdocks_pins_is_one_line(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "old-pins")]) == 2
    assert capsys.readouterr().err == (
        "crossdock: error: tests/programs/old-pins/requirements.txt:2: pulumi-aws<7.0.0,>=6.0.2 conflicts with "
        "crossdock's pulumi-aws==7.51.1 (programs run in crossdock's environment, whose pins never change): "
        "allow that version\n"
    )


def test_missing_requirements_are_installed_once_into_the_cache_then_used_offline(vendored, monkeypatch, capsys):
    assert main(["plan", "dev", "--project", str(vendored), "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["outputs"] == {"bucket": "greetings-team"}
    progress = captured.err.splitlines()
    cache = sorted((vendored.parent / "cache" / "requirements").iterdir())
    assert len(cache) == 1 and (cache[0] / ".crossdock-complete").is_file()
    assert progress[0].startswith("crossdock: installing the project's requirements (crossdock_greeting @ file://")
    assert progress[-1].startswith("crossdock: installed crossdock_greeting @ file://")
    assert "  Successfully installed crossdock_greeting-1.0" in progress, progress
    # crossdock's own packages were not copied into the cache: pip saw them as installed.
    assert not list(cache[0].rglob("pulumi_aws"))

    def no_pip(*args, **kwargs):
        raise AssertionError("pip ran although the requirements are cached")

    monkeypatch.setattr(subprocess, "Popen", no_pip)
    assert main(["plan", "dev", "--project", str(vendored), "--json", "-"]) == 0
    captured = capsys.readouterr()
    assert (json.loads(captured.out)["outputs"], captured.err) == ({"bucket": "greetings-team"}, "")


def test_a_requirement_pip_cannot_install_is_one_line(vendored, capsys):
    build_wheel(vendored / "wheels", "crossdock-greeting", "2.0", "", requires=["pulumi<3"])
    (vendored / "requirements.txt").write_text("./wheels/crossdock_greeting-2.0-py3-none-any.whl\n")
    with pytest.raises(ProjectError) as caught:
        run_program(vendored, "dev")
    assert str(caught.value) == (
        f"cannot install the project's requirements ({vendored / 'requirements.txt'}): Cannot install "
        "crossdock-greeting==2.0 because these package versions have conflicting dependencies. "
        "(crossdock-greeting 2.0 depends on pulumi<3; crossdock pins pulumi==3.272.0)"
    )
    assert not (vendored.parent / "cache" / "requirements").exists() or not any(
        (p / ".crossdock-complete").is_file() for p in (vendored.parent / "cache" / "requirements").iterdir()
    )
