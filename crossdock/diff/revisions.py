"""Plan one stack at a git revision (or the working tree), each in its own Python process.

A revision is extracted with `git archive` into a temporary directory and planned by a
child interpreter whose `sys.path` starts with that tree, so the revision's own program,
components, config schema and engine run together: the plan is what that revision would
have produced, whatever the current checkout's code looks like. The child writes the plan
(the plan JSON of the interface contract, plus which inputs held secrets and the aliases)
to a file, so a program that prints cannot corrupt it. Base and head plan concurrently.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crossdock.errors import CrossdockError, one_line

WORKING_TREE = "working tree"

# Runs in the child interpreter with the revision's tree first on sys.path. Uses only the
# engine's public API (`run_program`, `Plan.resources`) so it works with older revisions too.
_WORKER = r"""
import json, sys
project, stack, out = sys.argv[1], sys.argv[2], sys.argv[3]
from crossdock.errors import CrossdockError
try:
    from crossdock.engine import run_program
    plan = run_program(project, stack)
except CrossdockError as exc:
    sys.stderr.write(str(exc) + "\n")
    sys.exit(2)
resources = []
for r in plan.resources:
    item = r.to_json()
    item.pop("source", None)
    item["secret_inputs"] = sorted(getattr(r, "secret_inputs", ()) or ())
    item["aliases"] = [a for a in (getattr(r, "aliases", ()) or ()) if isinstance(a, str)]
    resources.append(item)
with open(out, "w", encoding="utf-8") as handle:
    json.dump({"project": plan.project, "stack": plan.stack, "resources": resources}, handle, default=repr)
"""


@dataclass(frozen=True)
class Revision:
    """What a side of the diff is: the name the user typed and the commit it resolved to."""

    label: str
    """`--base`/`--head` as typed, or "working tree"."""
    commit: str | None
    """Full commit hash; None for the working tree."""

    @property
    def short(self) -> str:
        return self.commit[:12] if self.commit else WORKING_TREE

    def to_json(self) -> dict[str, Any]:
        return {"rev": self.label, "commit": self.commit}


def git(repo: Path, *args: str, binary: bool = False) -> Any:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError:
        raise CrossdockError("git is not installed: crossdock diff needs git to read revisions") from None
    if result.returncode != 0:
        raise CrossdockError(one_line(result.stderr.decode("utf-8", "replace")) or f"git {' '.join(args)} failed")
    return result.stdout if binary else result.stdout.decode("utf-8").strip()


def repository_root(project: Path) -> Path:
    """The git work tree holding the project directory; exit 2 when it is not in one."""
    try:
        return Path(git(project, "rev-parse", "--show-toplevel")).resolve()
    except CrossdockError:
        raise CrossdockError(
            f"--project {project} is not inside a git repository; crossdock diff compares revisions"
        ) from None


def resolve(repo: Path, rev: str, flag: str) -> Revision:
    try:
        commit = git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
    except CrossdockError:
        commit = ""
    if not commit:
        raise CrossdockError(f"{flag} {rev}: not a commit in {repo}")
    return Revision(label=rev, commit=commit)


@contextmanager
def checkout(repo: Path, revision: Revision) -> Iterator[Path]:
    """A directory holding the tree of `revision` (the repository itself for the working tree)."""
    if revision.commit is None:
        yield repo
        return
    with tempfile.TemporaryDirectory(prefix=f"crossdock-diff-{revision.short}-") as tmp:
        archive = git(repo, "archive", "--format=tar", revision.commit, binary=True)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        yield Path(tmp)


def plan_revisions(
    repo: Path, project: Path, stack: str, revisions: list[Revision], timeout: float | None = None
) -> list[dict[str, Any]]:
    """Plan `stack` at every revision, concurrently; the plan dicts in the same order.

    `project` is the project directory inside `repo` (the same relative path is used in each
    revision's tree). A revision whose program does not plan raises CrossdockError naming it.
    """
    relative = project.resolve().relative_to(repo)
    with ExitStack() as stack_:
        trees = [stack_.enter_context(checkout(repo, revision)) for revision in revisions]
        out_dir = Path(stack_.enter_context(tempfile.TemporaryDirectory(prefix="crossdock-diff-plans-")))
        children = []
        for index, (revision, tree) in enumerate(zip(revisions, trees, strict=True)):
            project_dir = tree / relative
            if not (project_dir / "Pulumi.yaml").is_file() and not (project_dir / "Pulumi.yml").is_file():
                raise CrossdockError(f"{_where(revision)}: no Pulumi.yaml in {relative.as_posix() or '.'}")
            out = out_dir / f"plan-{index}.json"
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join([str(tree), *filter(None, [env.get("PYTHONPATH")])])
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            process = subprocess.Popen(
                [sys.executable, "-c", _WORKER, str(project_dir), stack, str(out)],
                cwd=str(tree),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            children.append((revision, process, out))
        plans = []
        for revision, process, out in children:
            try:
                _, stderr = process.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                for _, other, _ in children:
                    other.kill()
                raise CrossdockError(f"{_where(revision)}: planning {stack} took longer than {timeout:g}s") from None
            if process.returncode != 0:
                lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
                reason = lines[-1] if lines else f"exit code {process.returncode}"
                raise CrossdockError(f"{_where(revision)}: stack {stack} does not plan: {reason}")
            plans.append(json.loads(out.read_text(encoding="utf-8")))
        return plans


def _where(revision: Revision) -> str:
    return WORKING_TREE if revision.commit is None else f"revision {revision.label} ({revision.short})"
