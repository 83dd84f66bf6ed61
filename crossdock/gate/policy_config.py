"""Per-policy configuration in the format of `pulumi preview --policy-pack-config FILE`.

The same JSON file configures the pack under the real CLI and offline:

    {"CD-RES-020": {"maxMaxReceiveCount": 5},
     "CD-RES-003": {"enforcementLevel": "advisory", "minimumBackupRetentionDays": 14},
     "CD-NET-004": "disabled"}

A string value is an enforcement level; an object holds config values and may set
`enforcementLevel`. Unknown rule ids and unknown levels are errors (exit 2), as a
typo would otherwise silently configure nothing. Each object is validated (with the
`jsonschema` library) against the config schema its rule declares, closed to unknown
keys: a wrong type, an out-of-range value or a misspelt key is an error naming the
rule and the key. A `minX` above its `maxX` is an error too.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match
from pulumi_policy import EnforcementLevel

from crossdock.errors import CrossdockError
from policies.rule import Rule


@dataclass(frozen=True)
class PolicyConfig:
    values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    enforcement: Mapping[str, EnforcementLevel] = field(default_factory=dict)


def load_policy_config(path: Path, rules: Iterable[Rule]) -> PolicyConfig:
    """Parse and check a policy-pack config file against the rule ids."""
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise CrossdockError(f"{path}: policy config file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CrossdockError(f"{path}: cannot read the policy config ({error})") from None
    except json.JSONDecodeError as error:
        raise CrossdockError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    except RecursionError:
        raise CrossdockError(f"{path}: nested too deeply to be a policy config") from None
    if not isinstance(document, dict):
        raise CrossdockError(f"{path}: expected a JSON object of rule id -> config")
    known = {rule.id: rule for rule in rules}
    values: dict[str, dict[str, Any]] = {}
    levels: dict[str, EnforcementLevel] = {}
    for rule_id, entry in document.items():
        if rule_id not in known:
            close = difflib.get_close_matches(rule_id, list(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise CrossdockError(f"{path}: {rule_id}: unknown rule id{hint}")
        if isinstance(entry, str):
            levels[rule_id] = _level(path, rule_id, entry)
        elif isinstance(entry, dict):
            entry = dict(entry)
            if "enforcementLevel" in entry:
                levels[rule_id] = _level(path, rule_id, entry.pop("enforcementLevel"))
            _validate(path, known[rule_id], entry)
            values[rule_id] = entry
        else:
            raise CrossdockError(f"{path}: {rule_id}: expected an enforcement level or an object")
    return PolicyConfig(values, levels)


def _level(path: Path, rule_id: str, value: Any) -> EnforcementLevel:
    try:
        return EnforcementLevel(value)
    except ValueError:
        allowed = ", ".join(level.value for level in EnforcementLevel)
        raise CrossdockError(f"{path}: {rule_id}.enforcementLevel: {value!r} is not one of {allowed}") from None


def rule_config_schema(rule: Rule) -> dict[str, Any]:
    """The JSON schema of a rule's config object: its declared properties, closed to any other key."""
    declared = rule.policy.config_schema
    properties = dict(declared.properties or {}) if declared is not None else {}
    required = list(declared.required or []) if declared is not None else []
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def _validate(path: Path, rule: Rule, entry: Mapping[str, Any]) -> None:
    schema = rule_config_schema(rule)
    error = best_match(jsonschema.Draft7Validator(schema).iter_errors(entry))
    if error is not None:
        key = _key(error)
        if error.validator == "additionalProperties" and not error.absolute_path:
            key = f".{sorted(set(error.instance) - set(schema['properties']))[0]}"
        raise CrossdockError(f"{path}: {rule.id}{key}: {_message(error, schema)}")
    for key, low in entry.items():
        high_key = "max" + key[3:] if key.startswith("min") else None
        high = entry.get(high_key, _default(schema, high_key)) if high_key else None
        if isinstance(low, int | float) and isinstance(high, int | float) and low > high:
            raise CrossdockError(f"{path}: {rule.id}.{key}: {low} is above {high_key} ({high})")
    for key, high in entry.items():
        low_key = "min" + key[3:] if key.startswith("max") else None
        low = entry.get(low_key, _default(schema, low_key)) if low_key else None
        if isinstance(high, int | float) and isinstance(low, int | float) and high < low:
            raise CrossdockError(f"{path}: {rule.id}.{key}: {high} is below {low_key} ({low})")


def _default(schema: Mapping[str, Any], key: str | None) -> Any:
    spec = schema["properties"].get(key) if key else None
    return spec.get("default") if isinstance(spec, Mapping) else None


def _key(error: jsonschema.ValidationError) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)


def _message(error: jsonschema.ValidationError, schema: Mapping[str, Any]) -> str:
    if error.validator == "additionalProperties" and not error.absolute_path:
        allowed = sorted(schema["properties"])
        instance: Mapping[str, Any] = error.instance  # type: ignore[assignment]  # additionalProperties: an object
        unknown = sorted(set(instance) - set(allowed))
        name = unknown[0] if unknown else "?"
        if not allowed:
            return f"unknown key {name!r}: the rule takes no config (only enforcementLevel)"
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {name!r}{hint} (allowed: {', '.join(['enforcementLevel', *allowed])})"
    if error.validator == "type":
        return f"expected {_type_name(error.validator_value)}, got {json.dumps(error.instance)}"
    return str(error.message)


def _type_name(kind: Any) -> str:
    names = {"number": "a number", "integer": "an integer", "string": "a string", "boolean": "true or false",
             "array": "a list", "object": "an object"}  # fmt: skip
    if isinstance(kind, list):
        return " or ".join(names.get(k, str(k)) for k in kind)
    return names.get(kind, str(kind))
