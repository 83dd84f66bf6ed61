"""Resolve `pulumi.StackReference` offline: plan the referenced stack in the same run.

Under the Pulumi CLI a stack reference reads the deployed stack's outputs. Offline,
the referenced stack is planned with the same engine (its program, its stack file),
so the referencing program sees exactly the outputs that program exports, with the
same deterministic ids, and secret exports stay secret (`secretOutputNames`).

Names are read the way the CLI reads them: `stack` and `org/stack` refer to the
current project, `org/project/stack` to a project found by name in the current
project's directory or its sibling directories. The organization is not checked
(offline there is none). A reference to a project that is not on disk stays
unresolved with a warning, as before; a reference to a stack of a known project
that has no stack file is bad input (`ProjectError`, exit 2). Results are cached
per top-level run, and a reference cycle is an error instead of a hang.

Outputs of stacks the engine cannot run (a TypeScript sibling project, a stack whose
project is not on disk) can be supplied as JSON objects (`pulumi stack output --json
--show-secrets` writes one), keyed by the reference name as the program writes it;
supplied outputs win over planning.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.engine.graph import Plan
from crossdock.engine.project import PROJECT_FILES, Project, StackConfig, display_path, load_project, load_stack
from crossdock.errors import CrossdockError, ProgramError, ProjectError

Resolved = tuple[dict[str, Any], list[str]]
"""(outputs, secret output names) of a referenced stack."""

Planner = Callable[[StackConfig, "StackReferences"], Plan]
"""Plans one stack with the given resolver for its own references (`runner.run_stack`).

Passed in by the runner, so this module never imports it (the runner imports this one)."""


@dataclass
class _RunCache:
    """What one top-level run has resolved, shared by every nested run it starts."""

    results: dict[tuple[str, str], Resolved] = field(default_factory=dict)
    locks: dict[tuple[str, str], threading.Lock] = field(default_factory=dict)
    guard: threading.Lock = field(default_factory=threading.Lock)

    def lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self.guard:
            return self.locks.setdefault(key, threading.Lock())


@dataclass
class StackReferences:
    """The resolver a run's mocks call for each `pulumi:pulumi:StackReference` it registers."""

    project: Project
    stack: str
    planner: Planner
    chain: tuple[tuple[str, str], ...] = ()
    """(project directory, stack) of every run from the top-level one down to this one."""
    cache: _RunCache = field(default_factory=_RunCache)
    cwd: Path = field(default_factory=lambda: Path(os.getcwd()))
    """The caller's working directory (runs change it): messages name files relative to it."""
    supplied: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Reference name -> outputs the user supplied (`--stack-outputs NAME=FILE.json`)."""

    @classmethod
    def root(
        cls, project: Project, stack: str, planner: Planner, supplied: dict[str, dict[str, Any]] | None = None
    ) -> StackReferences:
        return cls(
            project=project,
            stack=stack,
            planner=planner,
            chain=((str(project.directory), stack),),
            supplied=dict(supplied or {}),
        )

    @property
    def nested(self) -> bool:
        """True for a run started to resolve another run's stack reference."""
        return len(self.chain) > 1

    def __call__(self, reference: str) -> Resolved | None:
        """The referenced stack's outputs, or None when its project is not available offline."""
        if reference in self.supplied:
            return dict(self.supplied[reference]), []
        project_name, stack = parse_reference(reference, self.project.name)
        project = self._find_project(project_name)
        if project is None:
            return None
        key = (str(project.directory), stack)
        if key in self.chain:
            names = " -> ".join(s for _, s in (*self.chain, key))
            raise ProjectError(f"stack reference cycle: {names}")
        with self.cache.lock_for(key):
            if key not in self.cache.results:
                self.cache.results[key] = self._plan(reference, project, stack, key)
            return self.cache.results[key]

    def _plan(self, reference: str, project: Project, stack: str, key: tuple[str, str]) -> Resolved:
        path = project.stack_file(stack)
        if not path.is_file():
            listing = ", ".join(project.stacks()) or "none"
            raise ProjectError(
                f"stack reference {reference!r}: unknown stack {stack!r}: expected stack file "
                f"{display_path(path, self.cwd)} (available stacks: {listing})"
            )
        try:
            stack_config = load_stack(project, stack)
            child = StackReferences(
                project=project,
                stack=stack,
                planner=self.planner,
                chain=(*self.chain, key),
                cache=self.cache,
                cwd=self.cwd,
                supplied=self.supplied,
            )
            plan = self.planner(stack_config, child)
        except CrossdockError as error:
            kind = ProgramError if isinstance(error, ProgramError) else ProjectError
            message = str(error)
            prefix = f"stack reference {reference!r}: "
            raise kind(message if message.startswith("stack reference") else prefix + message) from error
        secrets = dict(plan.secret_outputs)
        return {**plan.outputs, **secrets}, sorted(secrets)

    def _find_project(self, name: str) -> Project | None:
        if name == self.project.name:
            return self.project
        for directory in sorted(self.project.directory.parent.iterdir()):
            if directory.is_dir() and any((directory / f).is_file() for f in PROJECT_FILES):
                try:
                    candidate = load_project(directory)
                except ProjectError:
                    continue
                if candidate.name == name:
                    return candidate
        return None


def parse_reference(reference: str, current_project: str) -> tuple[str, str]:
    """(project, stack) of `stack`, `org/stack` or `org/project/stack`."""
    parts = reference.split("/")
    if not all(parts) or len(parts) > 3:
        raise ProjectError(
            f"invalid stack reference {reference!r}: use <stack>, <org>/<stack> or <org>/<project>/<stack>"
        )
    if len(parts) == 3:
        return parts[1], parts[2]
    return current_project, parts[-1]


def load_stack_outputs(spec: str) -> tuple[str, dict[str, Any]]:
    """Parse `NAME=FILE.json` (a `--stack-outputs` value): the reference name and the outputs object."""
    name, sep, file = spec.partition("=")
    if not sep or not name or not file:
        raise ProjectError(f"--stack-outputs {spec!r}: expected NAME=FILE.json (NAME as the program references it)")
    path = Path(file)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProjectError(f"--stack-outputs {name}={file}: cannot read {file}: {exc.strerror or exc}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProjectError(f"--stack-outputs {name}={file}: {file} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ProjectError(
            f"--stack-outputs {name}={file}: expected a JSON object of output names to values "
            "(as `pulumi stack output --json` writes)"
        )
    return name, data


def how_to_supply(reference: str) -> str:
    return f"supply its outputs with --stack-outputs {reference}=FILE.json"
