"""Load a Pulumi project and one stack's configuration the way the Pulumi CLI does.

The offline engine has no CLI to read `Pulumi.yaml` and `Pulumi.<stack>.yaml`
for it, so this module reproduces the parts that change what a program sees:
the project name, where the program and stack files live, project-level config
defaults, and the exact strings the CLI hands to `pulumi.Config` (scalars as
written, objects and lists as compact JSON, `secure:` values as secrets).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crossdock.errors import ProjectError
from crossdock.safe_yaml import YamlInputError
from crossdock.safe_yaml import parse as parse_yaml
from crossdock.safe_yaml import read_text as read_user_file

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
SECRET_PLACEHOLDER = "[secret]"
"""Value a program sees for a `secure:` config entry: ciphertext cannot be decrypted offline."""

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_SCHEMA_KEYS = {"type", "description", "default", "value", "secret", "items"}
_NULL_TAG = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Project:
    """A Pulumi project directory: what to run and where its stack files are."""

    name: str
    directory: Path
    """Absolute directory holding Pulumi.yaml."""
    project_file: Path
    program: Path
    """File or directory handed to runpy (a directory runs its __main__.py)."""
    program_dir: Path
    """Working directory of the program (the CLI uses the `main` directory when set)."""
    stack_config_dir: Path
    config_defaults: dict[str, str] = field(default_factory=dict)
    """Fully qualified key -> value string, from Pulumi.yaml `config:`."""
    required_keys: tuple[str, ...] = ()
    """Keys declared with a type but no default: every stack must set them."""
    secret_keys: tuple[str, ...] = ()
    """Keys declared `secret: true`: stacks must set them with `secure:`."""

    def stack_file(self, stack: str) -> Path:
        return self.stack_config_dir / f"Pulumi.{stack}.yaml"

    def stacks(self) -> list[str]:
        """Stack names that have a stack file, sorted."""
        if not self.stack_config_dir.is_dir():
            return []
        names = []
        for path in self.stack_config_dir.glob("Pulumi.*.yaml"):
            stack = path.name[len("Pulumi.") : -len(".yaml")]
            if stack and _STACK_NAME.match(stack) and path.is_file():
                names.append(stack)
        return sorted(names)

    def qualify(self, key: str) -> str:
        """Give a bare config key the project namespace (`key` -> `project:key`)."""
        return normalize_key(key, self.name)


@dataclass(frozen=True)
class StackConfig:
    """One stack's effective configuration, as the CLI would pass it to the program."""

    project: Project
    stack: str
    file: Path
    config: dict[str, str]
    """Fully qualified key -> string value (objects and lists as JSON)."""
    secret_keys: frozenset[str]
    warnings: tuple[str, ...] = ()

    @property
    def aws_region(self) -> str | None:
        return self.config.get("aws:region") or None


def display_path(path: Path, base: Path | str | None = None) -> str:
    """Show a path relative to `base` (default: the working directory) when it lies under it."""
    try:
        base = Path(base) if base is not None else Path.cwd()
        resolved = Path(path).resolve()
        return os.path.relpath(resolved, base) if resolved.is_relative_to(base.resolve()) else str(path)
    except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
        return str(path)


def file_label(path: Path) -> str:
    """Like `display_path`, without following the file itself when it is a symlink (name what the user named)."""
    return str(Path(display_path(path.parent)) / path.name)


def normalize_key(key: str, project_name: str) -> str:
    """Apply the CLI's key rules: bare keys get the project namespace, `ns:config:k` is `ns:k`."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{project_name}:{key}"
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return key


def find_project_dir(start: Path | str | None = None) -> Path:
    """The directory holding Pulumi.yaml: `start` (default: the working directory) or its nearest parent.

    This is how the Pulumi CLI finds the project when none is named; ProjectError when there is none.
    """
    start = Path(start if start is not None else os.getcwd()).resolve()
    for directory in (start, *start.parents):
        if any((directory / name).is_file() for name in PROJECT_FILES):
            return directory
    raise ProjectError(
        f"no Pulumi.yaml in {display_path(start)} or any parent directory: run crossdock inside a Pulumi project "
        "or pass --project DIR"
    )


def load_project(directory: Path | str) -> Project:
    """Read `<directory>/Pulumi.yaml`; raise ProjectError (one line, naming the file) if unusable."""
    try:
        directory = Path(directory).resolve()
    except RuntimeError:  # a symlink loop
        raise ProjectError(f"project directory {directory} is a symlink loop") from None
    if not directory.is_dir():
        problem = "is not a directory" if directory.exists() else "does not exist"
        raise ProjectError(f"project directory {display_path(directory)} {problem}")
    try:
        project_file = next((directory / n for n in PROJECT_FILES if (directory / n).is_file()), None)
    except OSError as exc:  # a project directory crossdock may not enter
        raise ProjectError(f"cannot read project directory {display_path(directory)}: {exc.strerror or exc}") from None
    if project_file is None:
        raise ProjectError(f"no Pulumi.yaml in {display_path(directory)}: not a Pulumi project")

    data, _ = _read_yaml(project_file)
    where = display_path(project_file)
    if not isinstance(data, dict):
        raise ProjectError(f"{where}: expected a mapping with `name` and `runtime`")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ProjectError(f"{where}: `name` is required and must be a string")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name is None:
        raise ProjectError(f"{where}: `runtime` is required")
    if runtime_name != "python":
        raise ProjectError(f"{where}: runtime {runtime_name!r} is not supported; only Python programs run offline")

    program, program_dir = _program_location(directory, data.get("main"), where)

    config_section = data.get("config")
    stack_dir_value = data.get("stackConfigDir")
    if isinstance(config_section, str):  # legacy form: `config: <stack config dir>`
        stack_dir_value, config_section = stack_dir_value or config_section, None
    if stack_dir_value is not None and not isinstance(stack_dir_value, str):
        raise ProjectError(f"{where}: `stackConfigDir` must be a string")
    try:
        stack_config_dir = (directory / stack_dir_value).resolve() if stack_dir_value else directory
    except RuntimeError:  # a symlink loop
        raise ProjectError(f"{where}: `stackConfigDir` {stack_dir_value!r} is a symlink loop") from None

    defaults, required, secret = _project_config(config_section, name, where)
    return Project(
        name=name,
        directory=directory,
        project_file=project_file,
        program=program,
        program_dir=program_dir,
        stack_config_dir=stack_config_dir,
        config_defaults=defaults,
        required_keys=tuple(required),
        secret_keys=tuple(secret),
    )


def load_stack(project: Project, stack: str) -> StackConfig:
    """Merge Pulumi.yaml defaults with `Pulumi.<stack>.yaml`; unknown stack -> ProjectError."""
    parts = stack.split("/")  # accept org/project/stack like the CLI
    short = parts[-1]
    if len(parts) > 3 or not all(_STACK_NAME.match(p) and p not in (".", "..") for p in parts):
        raise ProjectError(f"invalid stack name {stack!r}: use letters, digits, '-', '_' and '.'")
    path = project.stack_file(short)
    try:
        os.lstat(path)
        present = True
    except FileNotFoundError:
        present = False
    except OSError as exc:  # e.g. a stacks directory crossdock may not enter
        raise ProjectError(f"{file_label(path)}: cannot read file: {exc.strerror or exc}") from None
    if present and not path.is_file():
        _read_yaml(path)  # a directory, a dangling symlink, a loop, a FIFO: says which, naming the file
    if not path.is_file():
        available = project.stacks()
        listing = ", ".join(available) if available else "none"
        raise ProjectError(
            f"unknown stack {short!r}: expected stack file {display_path(path)} (available stacks: {listing})"
        )

    data, root = _read_yaml(path)
    where = display_path(path)
    warnings: list[str] = []
    config = dict(project.config_defaults)
    secret_keys: set[str] = set()

    if data is None:
        data, root = {}, None
    if not isinstance(data, dict):
        raise ProjectError(f"{where}: expected a mapping with a `config:` section")
    if data.get("environment"):
        warnings.append(f"{where}: `environment` imports (Pulumi ESC) are not resolved offline")

    section = data.get("config")
    if section is not None:
        if not isinstance(section, dict):
            raise ProjectError(f"{where}: `config` must be a mapping of key: value")
        nodes = _config_value_nodes(root)
        for raw_key, value in section.items():
            if not isinstance(raw_key, str) or not raw_key:
                raise ProjectError(f"{where}: config keys must be non-empty strings (got {raw_key!r})")
            key = normalize_key(raw_key, project.name)
            text, is_secret = _config_string(value, nodes.get(raw_key))
            config[key] = text
            if is_secret:
                secret_keys.add(key)

    for key in project.required_keys:
        if key not in config:
            raise ProjectError(
                f"{where}: stack {short!r} is missing required config {key!r} (declared in "
                f"{project.project_file.name} without a default)"
            )
    for key in project.secret_keys:
        if key in config and key not in secret_keys:
            raise ProjectError(
                f"{where}: config {key!r} is declared secret in {project.project_file.name}; set it with `secure:`"
            )

    return StackConfig(
        project=project,
        stack=short,
        file=path,
        config=config,
        secret_keys=frozenset(secret_keys),
        warnings=tuple(warnings),
    )


# -- helpers ---------------------------------------------------------------------------


def _read_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """Parse YAML (crossdock.safe_yaml: dates kept as text, no aliases, no duplicate keys), returning the
    data and its node tree; errors name file and line."""
    where = file_label(path)
    try:
        return parse_yaml(read_user_file(path))
    except YamlInputError as exc:
        problem = exc.problem.replace("not valid YAML: ", "invalid YAML: ", 1)
        raise ProjectError(f"{exc.where(where)}: {problem}") from None


def _program_location(directory: Path, main: Any, where: str) -> tuple[Path, Path]:
    """Resolve `main:` like the CLI: a directory becomes the working directory, a file runs from its folder."""
    if main is None:
        program = directory
    elif isinstance(main, str) and main.strip():
        try:
            program = (directory / main).resolve()
        except RuntimeError:  # a symlink loop
            raise ProjectError(f"{where}: `main` {main!r} is a symlink loop") from None
        if not program.exists():
            raise ProjectError(f"{where}: `main` points to {main!r}, which does not exist")
    else:
        raise ProjectError(f"{where}: `main` must be a path string")
    if program.is_dir():
        if not (program / "__main__.py").is_file():
            raise ProjectError(f"{where}: no __main__.py in {display_path(program)} to run")
        return program, program
    return program, program.parent


def _project_config(section: Any, name: str, where: str) -> tuple[dict[str, str], list[str], list[str]]:
    """Read Pulumi.yaml `config:` into defaults, required keys and secret keys."""
    if section is None:
        return {}, [], []
    if not isinstance(section, dict):
        raise ProjectError(f"{where}: `config` must be a mapping")
    defaults: dict[str, str] = {}
    required: list[str] = []
    secret: list[str] = []
    for raw_key, spec in section.items():
        if not isinstance(raw_key, str):
            raise ProjectError(f"{where}: config keys must be strings (got {raw_key!r})")
        key = normalize_key(raw_key, name)
        if isinstance(spec, dict) and spec and set(spec) <= _SCHEMA_KEYS:
            if "value" in spec or "default" in spec:
                value = spec["value"] if "value" in spec else spec["default"]
                defaults[key] = _plain_string(value)
            elif "type" in spec and key.startswith(f"{name}:"):
                required.append(key)
            if spec.get("secret") is True:
                secret.append(key)
        else:
            defaults[key] = _plain_string(spec)
    return defaults, required, secret


def _config_value_nodes(root: yaml.Node | None) -> dict[str, yaml.Node]:
    """Map each stack config key to its YAML value node (to keep scalars' source text)."""
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key_node, value_node in root.value:
        if (
            isinstance(key_node, yaml.ScalarNode)
            and key_node.value == "config"
            and isinstance(value_node, yaml.MappingNode)
        ):
            return {k.value: v for k, v in value_node.value if isinstance(k, yaml.ScalarNode)}
    return {}


def _config_string(value: Any, node: yaml.Node | None) -> tuple[str, bool]:
    """Turn one stack config value into the CLI's string form and whether it is secret."""
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(node, yaml.ScalarNode):
        # The CLI keeps scalars exactly as written (`replicas: 03` stays "03").
        return ("" if node.tag == _NULL_TAG else node.value), False
    if isinstance(value, (dict, list)):
        plain, secret = _replace_secure(value)
        return json.dumps(plain, separators=(",", ":"), sort_keys=True, ensure_ascii=False), secret
    return _plain_string(value), False


def _replace_secure(value: Any) -> tuple[Any, bool]:
    """Replace nested `{secure: ...}` entries by the placeholder; report whether any were found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        found = False
        out = {}
        for k, v in value.items():
            out[str(k)], sub = _replace_secure(v)
            found = found or sub
        return out, found
    if isinstance(value, list):
        items = [_replace_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _plain_string(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return str(value)
