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
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from crossdock.config.rules import check_stack
from crossdock.config.schema import CONFIG_KEYS, StackConfig
from crossdock.errors import dotted_key
from crossdock.safe_yaml import YamlInputError, load_file

M = TypeVar("M", bound=BaseModel)

NAMESPACE = "crossdock"
SECRET_PLACEHOLDER = "[secret]"
"""What a program sees offline for a `secure:` config value (the engine's placeholder)."""
KNOWN_NAMESPACES = ("crossdock", "aws", "kubernetes", "pulumi")
"""Config namespaces a crossdock stack file uses; a namespace close to one of these is a typo."""
OTHER_NAMESPACES = (
    "awsx",
    "aws-native",
    "eks",
    "random",
    "tls",
    "docker",
    "command",
    "std",
    "esc",
    "kubernetes-cert-manager",
)
"""Real Pulumi package namespaces that are near misses of a known one: never reported as typos."""
AWS_PROVIDER_KEYS = (
    "accessKey", "allowedAccountIds", "assumeRoleWithWebIdentity", "assumeRoles", "customCaBundle", "defaultTags",
    "ec2MetadataServiceEndpoint", "ec2MetadataServiceEndpointMode", "endpoints", "forbiddenAccountIds", "httpProxy",
    "httpsProxy", "ignoreTags", "insecure", "maxRetries", "noProxy", "profile", "region", "retryMode",
    "s3UsEast1RegionalEndpoint", "s3UsePathStyle", "secretKey", "sharedConfigFiles", "sharedCredentialsFiles",
    "skipCredentialsValidation", "skipMetadataApiCheck", "skipRegionValidation", "skipRequestingAccountId",
    "stsRegion", "tagPolicyCompliance", "token", "tokenBucketRateLimiterCapacity", "useDualstackEndpoint",
    "useFipsEndpoint", "userAgents",
)  # fmt: skip
"""The `aws:` provider config keys of pulumi-aws (tests compare them with the installed package)."""


class StackConfigError(ValueError):
    """A stack file the blueprint cannot build; the message is the whole explanation."""

    user_error = True
    exit_code = 2


def stack_file_label(project_dir: Path, stack: str) -> str:
    """The stack file's path relative to the project, honouring `stackConfigDir`."""
    config_dir = project_stack_config_dir(project_dir)
    return str(Path(config_dir) / f"Pulumi.{stack}.yaml") if config_dir else f"Pulumi.{stack}.yaml"


def project_stack_config_dir(project_dir: Path) -> str:
    """`stackConfigDir` of the project's Pulumi.yaml ("" when unset or unreadable: the engine reports that)."""
    project_file = project_dir / "Pulumi.yaml"
    try:
        project = load_file(project_file) if project_file.is_file() else {}
    except (YamlInputError, OSError):
        return ""
    value = project.get("stackConfigDir") if isinstance(project, dict) else None
    return value if isinstance(value, str) else ""


def parse_stack_config(
    namespace: Mapping[str, Any],
    source: str,
    aws_region: str | None = None,
    *,
    config: Mapping[str, Any] | None = None,
) -> StackConfig:
    """Validate the `crossdock:*` values of one stack (keys without the namespace).

    `config`, when given, is the stack's whole config (every namespace, fully qualified keys): its other
    namespaces are checked for typos, and `aws:region` must be set and equal `environment.region`.
    """
    other = check_other_namespaces(config, source) if config is not None else None
    if other:
        raise StackConfigError(other)
    unknown = [key for key in namespace if key not in CONFIG_KEYS]
    if unknown:
        raise StackConfigError(f"{source}: {NAMESPACE}:{unknown[0]}: {_unknown_key_message(unknown[0], CONFIG_KEYS)}")
    secret = find_secret(namespace)
    if secret is not None:
        raise StackConfigError(f"{source}: {NAMESPACE}:{secret}: {SECRET_MESSAGE}")
    stack_config = validate_model(StackConfig, namespace, source)
    problems = check_stack(stack_config)
    if config is not None and aws_region is None:
        problems.insert(
            0,
            (
                "environment.region",
                f"is {stack_config.environment.region} but aws:region is not set; set aws:region: "
                f"{stack_config.environment.region} beside it (the provider deploys there)",
            ),
        )
    elif aws_region is not None and aws_region != stack_config.environment.region:
        problems.insert(
            0,
            (
                "environment.region",
                f"is {stack_config.environment.region} but aws:region is {aws_region}; they must match",
            ),
        )
    if problems:
        key, message = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise StackConfigError(f"{source}: {NAMESPACE}:{key}: {message}{more}")
    return stack_config


SECRET_MESSAGE = (
    "is an encrypted (secure:) value, which cannot be read offline; crossdock settings are not secrets: "
    "write the plain value"
)


def find_secret(value: Any, key: str = "") -> str | None:
    """The dotted key of the first `secure:` value (offline: the placeholder) inside `value`, if any."""
    if value == SECRET_PLACEHOLDER or (isinstance(value, Mapping) and set(value) == {"secure"}):
        return key or None
    if isinstance(value, Mapping):
        for name, item in value.items():
            found = find_secret(item, f"{key}.{name}" if key else str(name))
            if found:
                return found
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            found = find_secret(item, f"{key}[{index}]")
            if found:
                return found
    return None


def check_other_namespaces(config: Mapping[str, Any], source: str) -> str | None:
    """One line for a misspelt config namespace (`crossdok:`) or `aws:` provider key (`aws:regon`), else None."""
    for key in config:
        namespace, _, name = str(key).partition(":")
        name = name.removeprefix("config:")  # the legacy `aws:config:region` form (the engine normalizes it)
        if not name or namespace in OTHER_NAMESPACES:
            continue
        if namespace in KNOWN_NAMESPACES:
            if namespace == "aws" and name not in AWS_PROVIDER_KEYS:
                close = difflib.get_close_matches(name, AWS_PROVIDER_KEYS, n=1)
                hint = f"; did you mean 'aws:{close[0]}'?" if close else ""
                return f"{source}: {key}: unknown aws provider key {name!r}{hint}"
            continue
        close = difflib.get_close_matches(namespace, KNOWN_NAMESPACES, n=1, cutoff=0.75)
        if close:
            return f"{source}: {key}: unknown config namespace {namespace!r}; did you mean '{close[0]}:{name}'?"
    return None


def load_stack_file(path: Path, source: str | None = None) -> StackConfig:
    """Read a `Pulumi.<stack>.yaml` file directly (templates, CLI, tests); `source` names it in errors."""
    namespace, config = read_stack_namespace(path, source)
    return parse_stack_config(namespace, source or str(path), config.get("aws:region"), config=config)


def read_stack_namespace(path: Path, source: str | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The `crossdock:*` values (keys without the namespace) and the whole `config:` mapping.

    Bare keys belong to the project's namespace (`crossdock`), as the Pulumi CLI reads them.
    """
    source = source or str(path)
    try:
        document = load_file(path) or {}
    except YamlInputError as error:
        if error.problem == "file not found":
            raise StackConfigError(f"{source}: stack file not found") from None
        raise StackConfigError(f"{error.where(source)}: {_yaml_problem(error.problem)}") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackConfigError(f"{source}: config: expected a mapping of config keys")
    config = {_qualified(str(key)): value for key, value in config.items()}
    namespace = {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith(f"{NAMESPACE}:")}
    return namespace, config


def _qualified(key: str) -> str:
    """The Pulumi CLI's key rules: a bare key is the project's (`crossdock`), `ns:config:key` is `ns:key`."""
    parts = key.split(":")
    if len(parts) == 1:
        return f"{NAMESPACE}:{key}"
    if len(parts) == 3 and parts[1] == "config":
        return f"{parts[0]}:{parts[2]}"
    return key


def _yaml_problem(problem: str) -> str:
    """safe_yaml's `not valid YAML: X` as this module has always said it: `not valid YAML (X)`."""
    if problem.startswith("not valid YAML: "):
        return f"not valid YAML ({problem.removeprefix('not valid YAML: ')})"
    return problem


def from_pulumi_config(source: str) -> StackConfig:
    """Read the stack's config from the Pulumi runtime (real CLI or offline engine)."""
    from pulumi.runtime import config as runtime_config

    values: dict[str, Any] = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    prefix = f"{NAMESPACE}:"
    namespace = {key[len(prefix) :]: _decode(value) for key, value in values.items() if key.startswith(prefix)}
    aws_region = values.get("aws:region") or None
    return parse_stack_config(namespace, source, aws_region, config=values)


def _decode(value: Any) -> Any:
    """The CLI passes structured config values as JSON text."""
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


# The errors strict validation adds that are type confusions (a boolean for an integer, a string for a
# number, a number for a string): only these are taken from the strict pass. Format errors of strict mode
# (a time written "16:00") are not confusions; the lax pass judges those.
_CONFUSIONS = frozenset({"int_type", "int_from_float", "float_type", "bool_type", "string_type"})


def validate_model(model: type[M], data: Any, source: str, *, loc: tuple[int | str, ...] = ()) -> M:
    """Validate `data` against a config model with strict types, or raise one StackConfigError line.

    Strict: a boolean is not an integer, a string is not a number, a number is not a string, a float is
    not an integer. The data is validated twice from its JSON form: strictly, keeping only those type
    confusions, and laxly (enums, CIDRs, times and lists from their plain YAML forms) for everything else.
    Every config model, including sections added later, is validated this way through this function.
    """
    try:
        text = json.dumps(data, default=str, allow_nan=True)
    except (RecursionError, ValueError) as error:  # data json cannot represent (too deep, circular)
        where = f"{NAMESPACE}:{dotted_key(loc)}" if loc else NAMESPACE
        raise StackConfigError(f"{source}: {where}: cannot be read ({error})") from None
    try:
        model.model_validate_json(text, strict=True)
        confusions: list[ErrorDetails] = []
    except ValidationError as error:
        confusions = [problem for problem in error.errors() if problem["type"] in _CONFUSIONS]
    try:
        result = model.model_validate_json(text)
        lax: list[ErrorDetails] = []
    except ValidationError as error:
        lax = list(error.errors())
    except RecursionError:
        where = f"{NAMESPACE}:{dotted_key(loc)}" if loc else NAMESPACE
        raise StackConfigError(f"{source}: {where}: nested too deeply") from None
    if confusions or lax:
        seen = {tuple(problem["loc"]) for problem in confusions}
        problems = confusions + [problem for problem in lax if tuple(problem["loc"]) not in seen]
        raise StackConfigError(format_errors(problems, source, model=model, loc=loc))
    return result


_PREFERENCE = {"extra_forbidden": 0, "missing": 2}
_TYPE_MESSAGES = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "bool_type": "expected true or false",
    "bool_parsing": "expected true or false",
    "string_type": "expected a string",
    "tuple_type": "expected a list",
    "list_type": "expected a list",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "dict_type": "expected a mapping",
    "finite_number": "expected a finite number",
}


def format_validation_error(
    error: ValidationError, source: str, *, model: type[BaseModel] = StackConfig, loc: tuple[int | str, ...] = ()
) -> str:
    """`<source>: crossdock:<dotted key>: <message>`: an unknown key (with a suggestion) before a missing one."""
    return format_errors(list(error.errors()), source, model=model, loc=loc)


def format_errors(
    problems: list[ErrorDetails], source: str, *, model: type[BaseModel] = StackConfig, loc: tuple[int | str, ...] = ()
) -> str:
    """One line for pydantic error dicts. `loc` is where `model` sits in the namespace (`("tenant",)`)."""
    problems = sorted(problems, key=lambda p: _PREFERENCE.get(p["type"], 1))
    first = problems[0]
    key = dotted_key((*loc, *first["loc"]))
    if first["type"] == "extra_forbidden":
        message = _unknown_key_message(str(first["loc"][-1]), allowed_keys(model, first["loc"][:-1]))
    elif first["type"] == "missing":
        message = "required key is missing"
    else:
        message = _TYPE_MESSAGES.get(first["type"]) or first["msg"].removeprefix("Value error, ")
        given = first.get("input")
        if first["type"] in _TYPE_MESSAGES and isinstance(given, (dict, list)):
            kind = "a mapping" if isinstance(given, dict) else "a list"
            message = f"{message}, not {kind}"
        elif "input" in first and not isinstance(given, (dict, list)) and repr(given) not in message:
            message = f"{message} (got {given!r})"
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    return f"{source}: {NAMESPACE}:{key}: {message}{more}"


def allowed_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> tuple[str, ...]:
    """The keys the model at `loc` (inside `model`) accepts, found by walking the schema's annotations."""
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
