"""Which stacks a set of changed files affects, and `crossdock check` on them (the pre-commit hook).

- `stacks/Pulumi.S.yaml` -> S, plus S's silo tenant stacks (`Pulumi.S-tenant-*.yaml` inherit from S);
- the program, components, policy pack or config schema (`__main__.py`, `Pulumi.yaml`, `components/`,
  `policies/`, `crossdock/config/`) -> every stack;
- anything else (docs, tests, templates) -> none.

`python -m crossdock.deploy.changed_stacks FILE...` runs `crossdock check STACK --no-checkov` for each
affected stack (checkov runs in CI; a commit hook should take seconds, not minutes) and exits with
the worst exit code.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

PROGRAM = re.compile(r"^(__main__\.py|Pulumi\.ya?ml|components/.+|policies/.+|crossdock/config/.+)$")
STACK_FILE = re.compile(r"^stacks/Pulumi\.(?P<stack>[A-Za-z0-9_.-]+)\.yaml$")


def affected_stacks(files: Iterable[str], stacks_dir: Path) -> list[str]:
    existing = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stacks_dir.glob("Pulumi.*.yaml"))
    chosen: set[str] = set()
    for name in files:
        path = Path(name).as_posix().removeprefix("./")
        if PROGRAM.match(path):
            return existing
        match = STACK_FILE.match(path)
        if match and match["stack"] in existing:
            stack = match["stack"]
            chosen.add(stack)
            chosen.update(s for s in existing if s.startswith(f"{stack}-tenant-"))
    return [s for s in existing if s in chosen]


def main(argv: list[str] | None = None) -> int:
    from crossdock.cli import REPO_ROOT
    from crossdock.cli import main as crossdock

    files = sys.argv[1:] if argv is None else argv
    stacks = affected_stacks(files, REPO_ROOT / "stacks")
    worst = 0
    for stack in stacks:
        print(f"crossdock check {stack} --no-checkov", flush=True)
        worst = max(worst, crossdock(["check", stack, "--no-checkov"]))
    return worst


if __name__ == "__main__":
    sys.exit(main())
