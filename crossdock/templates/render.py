"""What both templates share: the stacks directory, templates, YAML round-trips, writing and validating.

A new stack is written, then validated by planning it offline with the project's own
program (the same run `crossdock plan` does). If planning fails, every file the
command wrote or changed is restored and the error is reported (exit 2): a template
never leaves a stack behind that does not plan.
"""

from __future__ import annotations

import io
import os
import shutil
import string
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from crossdock.engine import Plan, load_project, load_stack, run_stack
from crossdock.engine.project import display_path
from crossdock.errors import CrossdockError
from crossdock.files import write_atomic

TEMPLATES_DIR = "templates"
REPO_STACKS = Path(__file__).resolve().parents[2] / "stacks"


class TemplateError(CrossdockError):
    """The template cannot write the stack asked for (bad option, existing stack, duplicate id); exit 2."""


def round_trip() -> YAML:
    """ruamel.yaml configured like crossdock's stack files, so a load/dump keeps them byte for byte."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    return yaml


def dump(data: Any, yaml: YAML | None = None) -> str:
    stream = io.StringIO()
    (yaml or round_trip()).dump(data, stream)
    return stream.getvalue()


def indent(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "".join(pad + line if line.strip() else line for line in text.splitlines(True))


def template(stacks: Path, name: str) -> string.Template:
    """`<stacks>/templates/<name>.yaml`, else the repository's (a scratch stacks directory may have none)."""
    for directory in (stacks / TEMPLATES_DIR, REPO_STACKS / TEMPLATES_DIR):
        path = directory / f"{name}.yaml"
        if path.is_file():
            return string.Template(path.read_text(encoding="utf-8"))
    raise TemplateError(f"template {name}.yaml not found in {display_path(stacks / TEMPLATES_DIR)}")


def stack_path(stacks: Path, stack: str) -> Path:
    return stacks / f"Pulumi.{stack}.yaml"


def refuse_existing(path: Path, stack: str) -> None:
    if path.exists():
        raise TemplateError(f"{display_path(path)} already exists; refusing to overwrite stack {stack!r}")


@dataclass
class Written:
    """Files a template wrote (new) or changed (with their previous text), for reports and rollback.

    Every write is atomic (a temporary file renamed into place), so a reader or an interrupted run never
    sees half a stack file; the caller holds the stacks directory's lock (`crossdock.files.directory_lock`).
    """

    created: list[Path] = field(default_factory=list)
    changed: dict[Path, str] = field(default_factory=dict)

    def create(self, path: Path, text: str) -> None:
        """Write a new file; never over an existing one, even one another program created meanwhile."""
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, 0o644)
            os.link(temporary, path)  # fails if `path` exists: a hard link never replaces a file
        except FileExistsError:
            raise TemplateError(f"{display_path(path)} already exists; refusing to overwrite it") from None
        finally:
            os.unlink(temporary)
        self.created.append(path)

    def change(self, path: Path, text: str) -> None:
        self.changed.setdefault(path, path.read_text(encoding="utf-8"))
        write_atomic(path, text, what="stack file")

    def rollback(self) -> None:
        for path in self.created:
            path.unlink(missing_ok=True)
        for path, previous in self.changed.items():
            write_atomic(path, previous, what="stack file")


def validate_by_planning(project_dir: Path, stacks: Path, stack: str) -> Plan:
    """Plan `stack` offline with the project's program, reading stack files from `stacks`."""
    with _project_for(project_dir, stacks) as directory:
        project = load_project(directory)
        return run_stack(load_stack(project, stack))


@contextmanager
def _project_for(project_dir: Path, stacks: Path) -> Iterator[Path]:
    """The project itself when its stackConfigDir is `stacks`; else a temporary overlay that points there.

    The overlay links every top-level entry of the project and copies Pulumi.yaml with
    `stackConfigDir` set to `stacks`, so the program (which finds an environment's stack
    file next to a tenant's) reads the same directory the template wrote to.
    """
    project = load_project(project_dir)
    if project.stack_config_dir == stacks.resolve():
        yield project.directory
        return
    with tempfile.TemporaryDirectory(prefix="crossdock-new-") as temporary:
        overlay = Path(temporary)
        for entry in project.directory.iterdir():
            if entry.name not in ("Pulumi.yaml", "Pulumi.yml", ".git"):
                os.symlink(entry, overlay / entry.name)
        yaml = round_trip()
        document = yaml.load(project.project_file.read_text())
        document["stackConfigDir"] = str(stacks.resolve())
        (overlay / "Pulumi.yaml").write_text(dump(document, yaml))
        yield overlay
        shutil.rmtree(overlay, ignore_errors=True)
