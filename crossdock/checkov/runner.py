"""Run checkov as a program (its own venv) and read its JSON report.

checkov pins `packaging<24` while pulumi needs `packaging>=26`, so it cannot share
crossdock's environment: `scripts/bootstrap.sh` installs it into `.venv-checkov`
(pinned in `crossdock/checkov/requirements.txt`) and crossdock runs
`.venv-checkov/bin/checkov`, or the executable named by `CROSSDOCK_CHECKOV`.

Every run passes `--skip-download` (no network: no guideline or mapping download),
`-o json`, and never `--quiet`: parity needs the passed checks as well as the failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from crossdock.errors import CrossdockError, one_line

REPO_ROOT = Path(__file__).resolve().parents[2]
CHECKOV_VENV = REPO_ROOT / ".venv-checkov"
CHECKOV_ENV_VAR = "CROSSDOCK_CHECKOV"
REQUIREMENTS = Path(__file__).resolve().parent / "requirements.txt"
DEFAULT_TIMEOUT = 600.0
"""Seconds one checkov run may take (the large benchmark stack needs well under a minute)."""

PASSED = "PASSED"
FAILED = "FAILED"


def pinned_version() -> str:
    """The checkov version crossdock is pinned to (requirements.txt: `checkov==X`)."""
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("checkov=="):
            return line.split("==", 1)[1].strip()
    raise RuntimeError(f"{REQUIREMENTS}: no 'checkov==VERSION' line")


CHECKOV_VERSION = pinned_version()


class CheckovMissing(CrossdockError):
    """checkov is not installed where crossdock looks for it (exit 2, one line)."""


class CheckovFailed(CrossdockError):
    """checkov ran but crashed or printed something that is not its JSON report (exit 3: the gate
    cannot decide, and the input is not at fault)."""

    exit_code = 3


@dataclass(frozen=True)
class CheckResult:
    """One check on one resource, as checkov reported it."""

    check_id: str
    check_name: str
    result: str
    """PASSED or FAILED (skipped checks are not collected)."""
    framework: str
    """checkov's check_type: terraform_plan, terraform, kubernetes."""
    resource: str
    """checkov's resource id: a Terraform address, or Kind.namespace.name for Kubernetes."""
    file: str
    """The scanned file (absolute) that holds the resource."""
    severity: str | None = None
    guideline: str | None = None
    evaluated_keys: tuple[str, ...] = ()
    """The attributes the check looked at (checkov's `check_result.evaluated_keys`)."""

    @property
    def failed(self) -> bool:
        return self.result == FAILED


@dataclass(frozen=True)
class CheckovReport:
    results: tuple[CheckResult, ...]
    version: str | None
    parsing_errors: tuple[str, ...] = ()

    def failed(self) -> list[CheckResult]:
        return [result for result in self.results if result.failed]


def find_checkov() -> Path:
    """The checkov executable: $CROSSDOCK_CHECKOV, else the repository's .venv-checkov."""
    override = os.environ.get(CHECKOV_ENV_VAR, "").strip()
    if override:
        found = shutil.which(override)
        if found is None:
            raise CheckovMissing(
                f"checkov not found: {CHECKOV_ENV_VAR}={override} is not an executable "
                f"(unset it to use {CHECKOV_VENV}/bin/checkov, or pass --no-checkov)"
            )
        return Path(found)
    executable = CHECKOV_VENV / "bin" / "checkov"
    if not os.access(executable, os.X_OK):
        raise CheckovMissing(
            f"checkov is not installed: run scripts/bootstrap.sh (it creates {_display(CHECKOV_VENV)} with "
            f"checkov {CHECKOV_VERSION}), set {CHECKOV_ENV_VAR} to a checkov executable, or pass --no-checkov"
        )
    return executable


def run_checkov(
    *,
    files: Sequence[Path] = (),
    directory: Path | None = None,
    frameworks: Iterable[str],
    executable: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    cwd: Path | None = None,
) -> CheckovReport:
    """Run checkov once over `files` (or one `directory`) with the given frameworks."""
    if bool(files) == (directory is not None):
        raise ValueError("run_checkov needs either files or a directory")
    frameworks = list(frameworks)
    executable = executable or find_checkov()
    command = [str(executable), "--skip-download", "-o", "json", "--soft-fail", "--framework", *frameworks]
    if directory is not None:
        command += ["-d", str(directory)]
    else:
        command += ["-f", *(str(path) for path in files)]
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, env=_environment(), cwd=cwd, check=False
        )
    except FileNotFoundError as error:
        raise CheckovMissing(f"checkov not found: cannot run {executable} ({error.strerror})") from None
    except subprocess.TimeoutExpired:
        raise CheckovFailed(f"checkov did not finish within {timeout:.0f} s ({' '.join(command)})") from None
    if completed.returncode != 0:
        raise CheckovFailed(
            f"checkov exited with {completed.returncode}: {_tail(completed.stderr or completed.stdout)}"
        )
    return parse_report(completed.stdout, completed.stderr)


def parse_report(stdout: str, stderr: str = "") -> CheckovReport:
    """checkov's `-o json`: one report object, a list of them (several frameworks), or a bare summary."""
    try:
        document = json.loads(stdout)
    except json.JSONDecodeError:
        raise CheckovFailed(f"checkov printed no JSON report: {_tail(stdout or stderr)}") from None
    reports = document if isinstance(document, list) else [document]
    results: list[CheckResult] = []
    errors: list[str] = []
    version: str | None = None
    for report in reports:
        if not isinstance(report, dict):
            continue
        version = version or (report.get("summary") or report).get("checkov_version")
        framework = report.get("check_type", "")
        body = report.get("results") or {}
        errors.extend(str(path) for path in body.get("parsing_errors") or ())
        for key in ("passed_checks", "failed_checks"):
            for check in body.get(key) or ():
                results.append(
                    CheckResult(
                        check_id=check["check_id"],
                        check_name=check.get("check_name") or check["check_id"],
                        result=(check.get("check_result") or {}).get(
                            "result", FAILED if key == "failed_checks" else PASSED
                        ),
                        framework=framework,
                        resource=check.get("resource_address") or check.get("resource") or "",
                        file=check.get("file_abs_path") or check.get("file_path") or "",
                        severity=_severity(check.get("severity")),
                        guideline=check.get("guideline") or None,
                        evaluated_keys=tuple(
                            str(key) for key in (check.get("check_result") or {}).get("evaluated_keys") or ()
                        ),
                    )
                )
    return CheckovReport(tuple(results), version, tuple(errors))


def _severity(value: object) -> str | None:
    """checkov reports severity only with a platform key; crossdock's names are lower case."""
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    return None


def _environment() -> dict[str, str]:
    """checkov runs in its own venv: nothing of crossdock's interpreter may leak into it."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP") and not key.startswith("BC_API")
    }
    environment.setdefault("LOG_LEVEL", "ERROR")
    return environment


def _tail(text: str, limit: int = 400) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    tail = one_line("\n".join(lines[-3:])) if lines else "no output"
    return tail if len(tail) <= limit else "..." + tail[-limit:]


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
