"""Scratch projects, file snapshots and in-process CLI runs for the hostile-input tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.tenancy.support import ROOT, cli, scratch_project

__all__ = ["ROOT", "cli", "one_error", "run_process", "scratch_project", "snapshot"]


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every regular file under `directory` (symlinked program files excluded) -> its bytes."""
    files = {}
    for path in sorted(directory.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        files[str(path.relative_to(directory))] = path.read_bytes()
    return files


def one_error(err: str) -> str:
    """The single stderr line of a refused command (asserting there is exactly one)."""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and "internal error" not in err, err
    return lines[0]


def run_process(*argv: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`crossdock ARGV` as a separate process (for parallel writers and --timeout)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(  # noqa: PLW1510 - callers assert on returncode
        [sys.executable, "-m", "crossdock.cli", *argv],
        cwd=cwd or ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
