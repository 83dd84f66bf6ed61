"""`crossdock check` and checkov: on by default, `--no-checkov` skips it, a missing checkov is exit 2."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from crossdock.checkov import runner
from crossdock.cli import main

ROOT = Path(__file__).resolve().parents[2]
WEBSERVER = ROOT / "tests" / "programs" / "webserver"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_check_runs_checkov_by_default(capsys, fake_checkov) -> None:
    fake_checkov.fail({"aws_security_group": ["CKV_AWS_23"]})
    _, out, _ = run(capsys, "check", "dev", "--project", str(WEBSERVER), "--format", "json")
    report = json.loads(out)
    checkov = [f for f in report["findings"] if f["source"] == "checkov"]
    assert checkov and {f["rule"] for f in checkov} == {"CKV_AWS_23"}
    assert all(f["file"] == "__main__.py" and f["line"] for f in checkov)
    assert len(fake_checkov.calls()) == 1


def test_no_checkov_skips_it_and_does_not_need_it(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("CROSSDOCK_CHECKOV", str(tmp_path / "missing"))
    _, out, err = run(capsys, "check", "dev", "--project", str(WEBSERVER), "--format", "json", "--no-checkov")
    assert err == ""
    report = json.loads(out)
    assert all(f["source"] == "policy" for f in report["findings"])
    assert not any(note.startswith("checkov") for note in report["notes"])


def test_a_missing_checkov_is_bad_input_with_one_line_saying_how_to_install_it(capsys, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("CROSSDOCK_CHECKOV", raising=False)
    monkeypatch.setattr(runner, "CHECKOV_VENV", tmp_path / ".venv-checkov")
    code, out, err = run(capsys, "check", "dev", "--project", str(WEBSERVER))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "crossdock: error: checkov is not installed: run scripts/bootstrap.sh"
    )
    assert "--no-checkov" in lines[0] and "Traceback" not in err


def test_a_checkov_crash_is_exit_3_with_one_line(capsys, fake_checkov) -> None:
    fake_checkov.crash(1)
    code, out, err = run(capsys, "check", "dev", "--project", str(WEBSERVER))
    assert code == 3 and out == ""
    assert err.strip().startswith("crossdock: error: checkov exited with 1: ") and len(err.strip().splitlines()) == 1


def test_the_help_documents_the_flag(capsys) -> None:
    with contextlib.suppress(SystemExit):
        main(["check", "--help"])
    out = capsys.readouterr().out
    assert "--no-checkov" in out and "policies/checkov.yaml" in out
