"""Fixtures for the checkov integration tests: a fake checkov executable, and the real one."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from crossdock.checkov import scan as checkov_scan
from tests.checkov.support import require_checkov

FAKE = Path(__file__).resolve().parent / "fake_checkov.py"


class FakeCheckov:
    def __init__(self, path: Path, log: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = path
        self.log = log
        self._monkeypatch = monkeypatch

    def fail(self, failures: dict[str, list[str]]) -> None:
        """Which checks fail, per Terraform type (or Kubernetes kind)."""
        self._monkeypatch.setenv("FAKE_CHECKOV_FAIL", json.dumps(failures))

    def crash(self, code: int = 2) -> None:
        self._monkeypatch.setenv("FAKE_CHECKOV_EXIT", str(code))

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]


@pytest.fixture
def fake_checkov(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCheckov:
    """CROSSDOCK_CHECKOV pointing at tests/checkov/fake_checkov.py (run by this interpreter)."""
    executable = tmp_path / "bin" / "checkov"
    executable.parent.mkdir()
    executable.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} "$@"\n')
    executable.chmod(0o755)
    log = tmp_path / "checkov-calls.jsonl"
    monkeypatch.setenv("CROSSDOCK_CHECKOV", str(executable))
    monkeypatch.setenv("FAKE_CHECKOV_LOG", str(log))
    monkeypatch.delenv("FAKE_CHECKOV_EXIT", raising=False)
    monkeypatch.setenv("FAKE_CHECKOV_FAIL", "{}")
    checkov_scan._reports.clear()
    yield FakeCheckov(executable, log, monkeypatch)
    checkov_scan._reports.clear()


@pytest.fixture(scope="session")
def real_checkov() -> Path:
    """The pinned checkov (fails in CI when it is missing, skips elsewhere)."""
    return require_checkov()
