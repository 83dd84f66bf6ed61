"""`crossdock plan`: output, JSON contract, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from crossdock.cli import main

from .conftest import PROGRAMS, line_of


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    """Rich sizes output from COLUMNS; make it wide and fixed so assertions do not depend on the runner."""
    monkeypatch.setenv("COLUMNS", "200")


CONTRACT_RESOURCE_KEYS = {
    "urn",
    "type",
    "name",
    "custom",
    "parent",
    "provider",
    "region",
    "dependencies",
    "property_dependencies",
    "inputs",
    "protect",
    "source",
}


def test_plan_prints_tree_counts_and_outputs(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "webserver")]) == 0
    out = capsys.readouterr().out
    assert "Previewing (offline) stack dev of project webserver" in out
    assert "├─ aws:ec2:SecurityGroup" in out and "└─ aws:ec2:Instance" in out
    assert "web-server-www" in out and "us-west-2" in out
    assert "Resources by type and region" in out
    assert "Outputs: 3 (ami_id, public_dns, public_ip)" in out


def test_plan_shows_warnings(capsys):
    assert main(["plan", "staging", "--project", str(PROGRAMS / "component-app")]) == 0
    out = capsys.readouterr().out
    assert "warning: invoke aws:index/getIpRanges:getIpRanges is not modelled offline" in out
    assert "protected" in out and "provider=replica" in out


def test_json_output_matches_contract(tmp_path, capsys):
    target = tmp_path / "out" / "plan.json"
    assert main(["plan", "prod", "--project", str(PROGRAMS / "static-site"), "--json", str(target)]) == 0
    data = json.loads(target.read_text())
    assert {"project", "stack", "resources"} <= set(data)
    assert (data["project"], data["stack"]) == ("static-site", "prod")
    for resource in data["resources"]:
        assert set(resource) - {"retain_on_delete"} == CONTRACT_RESOURCE_KEYS
        assert set(resource["source"]) == {"file", "line"}
    policy = next(r for r in data["resources"] if r["name"] == "site-policy")
    bucket = next(r for r in data["resources"] if r["name"] == "site-bucket")
    assert policy["property_dependencies"]["bucket"] == [bucket["urn"]]
    assert policy["source"] == {
        "file": "__main__.py",
        "line": line_of(PROGRAMS / "static-site" / "__main__.py", "bucket_policy = aws.s3.BucketPolicy("),
    }
    assert f"Plan JSON written to {target}" in capsys.readouterr().out


def test_json_to_stdout(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "webserver"), "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["name"] for r in data["resources"]] == ["webserver-dev", "web-secgrp", "web-server-www"]


def test_unknown_stack_is_exit_2_with_one_line(capsys):
    assert main(["plan", "qa", "--project", str(PROGRAMS / "webserver")]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("crossdock: error: unknown stack 'qa'")
    assert "Pulumi.qa.yaml" in lines[0] and "available stacks: dev" in lines[0]
    assert captured.out == ""


def test_broken_program_is_exit_2_without_traceback(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "broken")]) == 2
    err = capsys.readouterr().err
    line = line_of(PROGRAMS / "broken" / "__main__.py", "raise ValueError")
    assert err == f"crossdock: error: bucketCount must be at least 3, got 2 (at __main__.py:{line})\n"
    assert "Traceback" not in err


def test_debug_shows_traceback(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "broken"), "--debug"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError" in err
    assert err.rstrip().splitlines()[-1].startswith("crossdock: error: bucketCount must be at least 3")


def test_invalid_yaml_is_exit_2(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n")
    (tmp_path / "__main__.py").write_text("")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  key: [unclosed\n")
    assert main(["plan", "dev", "--project", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crossdock: error: ") and "Pulumi.dev.yaml:3: invalid YAML" in err
    assert len(err.strip().splitlines()) == 1


def test_bad_flag_and_missing_command(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["plan", "dev", "--bogus"])
    assert caught.value.code == 2
    assert main([]) == 2
    assert "usage: crossdock" in capsys.readouterr().err


def test_help_describes_plan(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["plan", "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "--project DIR" in out and "--json FILE" in out and "no Pulumi CLI" in out


def test_plan_json_is_reproducible_across_processes():
    """Hash randomisation changes the SDK's set orders; the plan JSON must not change."""
    root = PROGRAMS.parent.parent
    runs = []
    for seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": seed,
            "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
        }
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "crossdock.cli",
                "plan",
                "prod",
                "--project",
                str(PROGRAMS / "static-site"),
                "--json",
                "-",
            ],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        runs.append(result.stdout)
    assert runs[0] == runs[1]
    policy = next(r for r in json.loads(runs[0])["resources"] if r["name"] == "site-policy")
    assert policy["dependencies"] == sorted(policy["dependencies"]) and len(policy["dependencies"]) == 2
