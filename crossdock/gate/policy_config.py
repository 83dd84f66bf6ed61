"""Per-policy configuration in the format of `pulumi preview --policy-pack-config FILE`.

The same JSON file configures the pack under the real CLI and offline:

    {"CD-RES-020": {"maxMaxReceiveCount": 5},
     "CD-RES-003": {"enforcementLevel": "advisory", "minimumBackupRetentionDays": 14},
     "CD-NET-004": "disabled"}

A string value is an enforcement level; an object holds config values and may set
`enforcementLevel`. Unknown rule ids and unknown levels are errors (exit 2), as a
typo would otherwise silently configure nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    if not isinstance(document, dict):
        raise CrossdockError(f"{path}: expected a JSON object of rule id -> config")
    known = {rule.id for rule in rules}
    values: dict[str, dict[str, Any]] = {}
    levels: dict[str, EnforcementLevel] = {}
    for rule_id, entry in document.items():
        if rule_id not in known:
            raise CrossdockError(f"{path}: {rule_id}: unknown rule id")
        if isinstance(entry, str):
            levels[rule_id] = _level(path, rule_id, entry)
        elif isinstance(entry, dict):
            entry = dict(entry)
            if "enforcementLevel" in entry:
                levels[rule_id] = _level(path, rule_id, entry.pop("enforcementLevel"))
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
