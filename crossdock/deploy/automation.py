"""`crossdock preview` and `crossdock up`: a thin wrapper over the Pulumi Automation API.

`preview` runs `pulumi preview` through `pulumi.automation` with the crossdock policy pack
(`policy_packs=["policies"]`) and saves the update plan. `up` does the same preview, then the
deploy gate (`crossdock deploy-gate`: freeze flag, windows, approvals), then `pulumi up`
constrained to the saved plan (`--plan`), then records a deployment marker. The Automation API
drives the real Pulumi CLI: without it nothing can happen, so both commands look for `pulumi` on
PATH first and stop with one line when it is missing.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from crossdock.errors import CrossdockError, one_line

POLICY_PACK = "policies"
INSTALL_HINT = "https://www.pulumi.com/docs/iac/download-install/"


class DeployFailed(CrossdockError):
    """pulumi preview/up ran and failed (policy violations, provider errors): exit 1."""

    exit_code = 1


def require_cli(command: str) -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise CrossdockError(
            f"crossdock {command} needs the Pulumi CLI, and no `pulumi` is on PATH; install it ({INSTALL_HINT}) "
            "and log in to a backend; `crossdock check` and `crossdock diff` work without it"
        )
    return path


def select_stack(project: Path, stack: str):
    from pulumi import automation as auto

    try:
        return auto.select_stack(stack_name=stack, work_dir=str(project))
    except auto.errors.CommandError as exc:
        raise CrossdockError(f"pulumi could not select stack {stack}: {_reason(exc)}") from None


def _reason(exc: Exception) -> str:
    """The last line the CLI wrote to stderr (CommandError's text is `code: N stdout: ... stderr: ...`)."""
    text = str(exc)
    stderr = text.split("stderr:", 1)[1] if "stderr:" in text else text
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return one_line(lines[-1] if lines else text)


def run_preview(stack, plan_file: Path, on_output: Callable[[str], None]) -> dict[str, int]:
    """`pulumi preview --policy-pack policies --save-plan FILE`; the change summary (e.g. {"create": 3})."""
    from pulumi import automation as auto

    try:
        result = stack.preview(policy_packs=[POLICY_PACK], plan=str(plan_file), on_output=on_output)
    except auto.errors.CommandError as exc:
        raise DeployFailed(f"pulumi preview failed: {_reason(exc)}") from None
    return {str(k): int(v) for k, v in (result.change_summary or {}).items()}


def run_up(stack, plan_file: Path, message: str, on_output: Callable[[str], None]) -> dict[str, int]:
    """`pulumi up --yes --skip-preview --policy-pack policies --plan FILE`; the update's resource changes."""
    from pulumi import automation as auto

    try:
        result = stack.up(policy_packs=[POLICY_PACK], plan=str(plan_file), message=message, on_output=on_output)
    except auto.errors.CommandError as exc:
        raise DeployFailed(f"pulumi up failed: {_reason(exc)}") from None
    changes = getattr(result.summary, "resource_changes", None) or {}
    return {str(k): int(v) for k, v in changes.items()}


def plan_path(explicit: Path | None, stack: str) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    if explicit is not None:
        explicit.parent.mkdir(parents=True, exist_ok=True)
        return explicit, None
    holder = tempfile.TemporaryDirectory(prefix=f"crossdock-plan-{stack}-")
    return Path(holder.name) / f"{stack}.plan.json", holder
