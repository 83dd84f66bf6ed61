"""`crossdock export`: both formats, the summary line, warnings, exit codes and one-line errors."""

from __future__ import annotations

import json

import pytest
import yaml

from crossdock.cli import build_parser, main

from .conftest import SHOP

ARGS = ["export", "dev", "--project", str(SHOP)]


def test_tf_plan_export_writes_the_document(tmp_path, capsys):
    target = tmp_path / "out" / "plan.json"
    assert main([*ARGS, "--format", "tf-plan", "--output", str(target)]) == 0
    out, err = capsys.readouterr()
    assert out == f"crossdock export dev: 3 AWS resource(s) exported as Terraform plan JSON to {target}; 0 warning(s)\n"
    assert err == ""
    document = json.loads(target.read_text())
    assert [r["address"] for r in document["planned_values"]["root_module"]["resources"]] == [
        "aws_s3_bucket.orders_archive",
        "aws_s3_bucket_versioning.orders_archive_versioning",
        "aws_sqs_queue.orders",
    ]
    queue = document["planned_values"]["root_module"]["resources"][2]["values"]
    assert queue == {"sqs_managed_sse_enabled": True, "visibility_timeout_seconds": 60, "region": "eu-west-1"}


def test_k8s_export_writes_a_directory_of_manifests(tmp_path, capsys):
    target = tmp_path / "manifests"
    assert main([*ARGS, "--format", "k8s", "--output", str(target)]) == 0
    assert "2 Kubernetes resource(s) exported as manifests" in capsys.readouterr().out
    assert sorted(p.name for p in target.iterdir()) == [
        ".crossdock-export",  # lists the files crossdock wrote: the next export replaces only those
        "_cluster--namespace--shop.yaml",
        "shop--deployment--web.yaml",
    ]
    deployment = yaml.safe_load((target / "shop--deployment--web.yaml").read_text())
    assert deployment["spec"]["replicas"] == 2


def test_warnings_are_printed(tmp_path, capsys, monkeypatch):
    from crossdock.export import tf_types, tfplan

    def without_queues(token):
        return None if token == "aws:sqs/queue:Queue" else tf_types.terraform_type(token)

    monkeypatch.setattr(tfplan, "terraform_type", without_queues)
    assert main([*ARGS, "--format", "tf-plan", "--output", str(tmp_path / "plan.json")]) == 0
    out, err = capsys.readouterr()
    assert "2 AWS resource(s) exported" in out and "1 warning(s)" in out
    assert err == "warning: no Terraform mapping for aws:sqs/queue:Queue; 1 resource(s) not exported\n"


@pytest.mark.parametrize(
    ("output", "fmt", "message"),
    [
        ("blocker/plan.json", "tf-plan", "is not a directory"),
        (".", "tf-plan", "is a directory; --format tf-plan writes one JSON file"),
        ("blocker", "k8s", "is a file; --format k8s writes a directory of manifests"),
    ],
)
def test_unwritable_output_is_bad_input(tmp_path, capsys, monkeypatch, output, fmt, message):
    (tmp_path / "blocker").write_text("a file, not a directory\n")
    monkeypatch.chdir(tmp_path)
    assert main([*ARGS, "--format", fmt, "--output", output]) == 2
    err = capsys.readouterr().err
    assert err.startswith("crossdock: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_unknown_stack_is_bad_input(tmp_path, capsys):
    assert (
        main(["export", "nope", "--project", str(SHOP), "--format", "tf-plan", "--output", str(tmp_path / "p.json")])
        == 2
    )
    assert "unknown stack 'nope'" in capsys.readouterr().err


def test_format_and_output_are_required(capsys):
    with pytest.raises(SystemExit) as exc:
        main([*ARGS, "--output", "x.json"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main([*ARGS, "--format", "yaml", "--output", "x.json"])
    assert exc.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_help_describes_the_command():
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    export = subparsers.choices["export"]
    text = export.format_help()
    assert "--format {tf-plan,k8s}" in text and "--output PATH" in text and "--project DIR" in text
    assert "Exit codes: 0 ok; 2 bad input" in " ".join(text.split())
