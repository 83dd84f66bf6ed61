"""Turns the `crossdock` config namespace into a StackConfig, or one clear error line.

The same parser serves three callers: the Pulumi program (config handed over by the
CLI or the offline engine), the `crossdock` CLI reading a stack file directly, and
tests. Errors always name the stack file and the dotted key, e.g.
`stacks/Pulumi.prod.yaml: crossdock:environment.azCount: production needs ...`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from crossdock.config.rules import check_stack
from crossdock.config.schema import CONFIG_KEYS, StackConfig
from crossdock.errors import dotted_key

NAMESPACE = "crossdock"


class StackConfigError(ValueError):
    """A stack file the blueprint cannot build; the message is the whole explanation."""

    user_error = True
    exit_code = 2


def stack_config_dir(project_dir: Path) -> str:
    """`stackConfigDir` of the project's Pulumi.yaml ("" when unset: the stack files sit beside it).

    The blueprint's own reading; the offline engine validates the whole project file itself
    (`crossdock.engine.project`), which this layer may not import.
    """
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        return ""
    project = yaml.safe_load(project_file.read_text()) or {}
    return str(project.get("stackConfigDir") or "")


def stacks_dir(project_dir: Path) -> Path:
    """The project's stack config directory (`stackConfigDir` of Pulumi.yaml, else the project)."""
    config_dir = stack_config_dir(project_dir)
    return (project_dir / config_dir) if config_dir else project_dir


def stack_file_label(project_dir: Path, stack: str) -> str:
    """The stack file's path relative to the project, honouring `stackConfigDir`."""
    config_dir = stack_config_dir(project_dir)
    return str(Path(config_dir) / f"Pulumi.{stack}.yaml") if config_dir else f"Pulumi.{stack}.yaml"


def parse_stack_config(namespace: Mapping[str, Any], source: str, aws_region: str | None = None) -> StackConfig:
    """Validate the `crossdock:*` values of one stack (keys without the namespace)."""
    unknown = [key for key in namespace if key not in CONFIG_KEYS]
    if unknown:
        raise StackConfigError(f"{source}: {NAMESPACE}:{unknown[0]}: {_unknown_key_message(unknown[0], CONFIG_KEYS)}")
    try:
        config = StackConfig.model_validate(dict(namespace))
    except ValidationError as error:
        raise StackConfigError(format_validation_error(error, source)) from None
    problems = check_stack(config)
    if aws_region is not None and aws_region != config.environment.region:
        problems.insert(
            0,
            ("environment.region", f"is {config.environment.region} but aws:region is {aws_region}; they must match"),
        )
    if problems:
        key, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise StackConfigError(f"{source}: {NAMESPACE}:{key}: {message}{more}")
    return config


def load_stack_file(path: Path) -> StackConfig:
    """Read a `Pulumi.<stack>.yaml` file directly (templates, CLI, tests)."""
    namespace, config = read_stack_namespace(path)
    return parse_stack_config(namespace, str(path), config.get("aws:region"))


def read_stack_namespace(path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `crossdock:*` values (keys without the namespace) and the whole `config:` mapping."""
    source = str(path)
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise StackConfigError(f"{source}: stack file not found") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise StackConfigError(f"{source}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackConfigError(f"{source}: config: expected a mapping of config keys")
    namespace = {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith(f"{NAMESPACE}:")}
    return namespace, config


def from_pulumi_config(source: str) -> StackConfig:
    """Read the stack's config from the Pulumi runtime (real CLI or offline engine)."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    namespace = {key[len(prefix) :]: _decode(value) for key, value in values.items() if key.startswith(prefix)}
    aws_region = values.get("aws:region")
    return parse_stack_config(namespace, source, aws_region)


def _decode(value: Any) -> Any:
    """The CLI passes structured config values as JSON text."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def format_validation_error(
    error: ValidationError, source: str, root: type[BaseModel] = StackConfig, prefix: tuple[str, ...] = ()
) -> str:
    """The first problem as one line: `<file>: crossdock:<dotted key>: <message> (and N more problem(s))`.

    `root` is the model that was validated (for the keys an unknown key could have meant) and
    `prefix` the keys above it in the stack file (`("tenant",)` for a silo tenant stack).
    """
    problems = error.errors()
    first = problems[0]
    key = dotted_key((*prefix, *first["loc"]))
    if first["type"] == "extra_forbidden":
        message = _unknown_key_message(str(first["loc"][-1]), _allowed_keys(first["loc"][:-1], root))
    elif first["type"] == "missing":
        message = "required key is missing"
    elif first["type"] in ("model_type", "dict_type"):
        message = f"expected a mapping (got {json.dumps(first.get('input'))})"
    else:
        message = first["msg"].removeprefix("Value error, ")
        if "input" in first and not isinstance(first["input"], (dict, list)) and repr(first["input"]) not in message:
            message = f"{message} (got {first['input']!r})"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{source}: {NAMESPACE}:{key}: {message}{more}"


def _allowed_keys(loc: tuple[int | str, ...], root: type[BaseModel]) -> tuple[str, ...]:
    """The keys a model at `loc` accepts, found by walking the schema's annotations from `root`."""
    model = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = next(f for name, f in model.model_fields.items() if (f.alias or name) == part)
        model = _model_of(field.annotation)
    return tuple(f.alias or name for name, f in model.model_fields.items())


def _model_of(annotation: Any) -> type[BaseModel]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()):
        try:
            return _model_of(argument)
        except TypeError:
            continue
    raise TypeError(f"no model in {annotation!r}")


def _unknown_key_message(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
