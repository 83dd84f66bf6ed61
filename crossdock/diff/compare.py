"""Compare two plans by URN: what is added, removed, updated or replaced, input by input.

URNs encode a resource's type, name and parent chain, so a new parent (or a renamed
component) is a new URN: Pulumi deletes the old resource and creates a new one unless
the new resource declares the old URN as an alias. A different explicit provider or
region replaces it too. Those cases are reported as `replace`, with the old URN.
Secret inputs (and any value that held one on either side) are masked: the diff says
that a secret changed, never what it was or became.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

MASK = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"


@dataclass(frozen=True)
class InputChange:
    """One changed input: dotted path (dict keys; lists compared whole), before -> after."""

    path: str
    before: Any
    after: Any
    secret: bool = False
    removed_items: tuple[Any, ...] | None = None
    """For lists (and JSON-string documents' lists): the elements only in `before`."""
    added_items: tuple[Any, ...] | None = None
    """For lists: the elements only in `after`."""

    @property
    def added(self) -> bool:
        return self.before is _ABSENT

    @property
    def removed(self) -> bool:
        return self.after is _ABSENT

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "before": None if self.before is _ABSENT else self.before,
            "after": None if self.after is _ABSENT else self.after,
            "secret": self.secret,
            **(
                {"removed_items": list(self.removed_items), "added_items": list(self.added_items or ())}
                if self.removed_items is not None
                else {}
            ),
        }


class _Absent:
    def __repr__(self) -> str:
        return "(absent)"


_ABSENT: Any = _Absent()


@dataclass
class Change:
    """One resource that differs between base and head."""

    action: str
    """add | remove | update | replace"""
    urn: str
    type: str
    name: str
    before: dict[str, Any] | None
    """The base resource (plan JSON form); None when added."""
    after: dict[str, Any] | None
    """The head resource; None when removed."""
    inputs: list[InputChange] = field(default_factory=list)
    moved_from: str | None = None
    """For a replace caused by a URN change: the base URN."""
    replace_reasons: list[str] = field(default_factory=list)
    risks: list[tuple[str, str]] = field(default_factory=list)
    """(risk class, reason) pairs filled by the classifier."""

    @property
    def custom(self) -> bool:
        resource = self.after or self.before or {}
        return bool(resource.get("custom"))


def resource_key(resource: dict[str, Any]) -> tuple[str, str]:
    return resource["type"], resource["name"]


def compare(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    """Every difference between two plans (plan JSON dicts), in head order, removals last."""
    before = {r["urn"]: r for r in base["resources"]}
    after = {r["urn"]: r for r in head["resources"]}
    changes: list[Change] = []
    # Resources whose URN changed but that declare the old URN as an alias are not replaced.
    aliased = {alias: urn for urn, r in after.items() for alias in r.get("aliases", ()) if alias in before}
    gone = [urn for urn in before if urn not in after and urn not in aliased]
    # A removed and an added resource of the same type and name: the URN moved (new parent).
    gone_by_key: dict[tuple[str, str], list[str]] = {}
    for urn in gone:
        gone_by_key.setdefault(resource_key(before[urn]), []).append(urn)
    moved_to: dict[str, str] = {}
    for urn, resource in after.items():
        if urn in before or urn in aliased.values():
            continue
        candidates = gone_by_key.get(resource_key(resource))
        if candidates:
            moved_to[candidates.pop(0)] = urn
    moved_from = {new: old for old, new in moved_to.items()}
    old_for = {new: old for old, new in aliased.items()}

    for urn, resource in after.items():
        if resource["type"] == STACK_TYPE:
            continue
        old_urn = urn if urn in before else old_for.get(urn) or moved_from.get(urn)
        if old_urn is None:
            changes.append(Change("add", urn, resource["type"], resource["name"], None, resource))
            continue
        old = before[old_urn]
        inputs = diff_inputs(old, resource)
        reasons = []
        if old_urn in moved_to:
            reasons.append(f"URN changed (parent {_short(old.get('parent'))} -> {_short(resource.get('parent'))})")
        if old.get("provider", "") != resource.get("provider", ""):
            reasons.append(
                f"provider {_short(old.get('provider')) or 'default'} -> {_short(resource.get('provider')) or 'default'}"
            )
        if old.get("region") != resource.get("region"):
            reasons.append(f"region {old.get('region')} -> {resource.get('region')}")
        flags = [
            InputChange(f"({option})", bool(old.get(option)), bool(resource.get(option)))
            for option in ("protect", "retain_on_delete")
            if bool(old.get(option)) != bool(resource.get(option))
        ]
        if not inputs and not reasons and not flags:
            continue
        action = "replace" if reasons else "update"
        changes.append(
            Change(
                action,
                urn,
                resource["type"],
                resource["name"],
                old,
                resource,
                inputs=flags + inputs,
                moved_from=old_urn if old_urn != urn else None,
                replace_reasons=reasons,
            )
        )
    for urn in gone:
        if urn in moved_to:
            continue
        resource = before[urn]
        if resource["type"] == STACK_TYPE:
            continue
        changes.append(Change("remove", urn, resource["type"], resource["name"], resource, None))
    return changes


def diff_inputs(old: dict[str, Any], new: dict[str, Any]) -> list[InputChange]:
    secret = set(old.get("secret_inputs", ())) | set(new.get("secret_inputs", ()))
    out: list[InputChange] = []
    a, b = old.get("inputs") or {}, new.get("inputs") or {}
    for key in _keys(a, b):
        left, right = a.get(key, _ABSENT), b.get(key, _ABSENT)
        if _same(left, right):
            continue
        if key in secret:
            out.append(
                InputChange(
                    key,
                    _ABSENT if left is _ABSENT else MASK,
                    _ABSENT if right is _ABSENT else MASK,
                    secret=True,
                )
            )
            continue
        out.extend(_walk(key, left, right))
    return out


def _walk(path: str, left: Any, right: Any) -> list[InputChange]:
    left_doc, right_doc = _json_object(left), _json_object(right)
    if left_doc is not None and right_doc is not None:
        # A JSON document in a string input (policies, container definitions): compare its structure.
        return _walk(path, left_doc, right_doc)
    if isinstance(left, list) and isinstance(right, list):
        if len(left) == len(right) and all(isinstance(item, dict) for item in [*left, *right]):
            # Same number of objects (statements, containers, rules): compare them position by position.
            out = []
            for index, (l_item, r_item) in enumerate(zip(left, right, strict=True)):
                if not _same(l_item, r_item):
                    out.extend(_walk(f"{path}[{index}]", l_item, r_item))
            return out
        left_keys = [_canonical(item) for item in left]
        right_keys = [_canonical(item) for item in right]
        removed = tuple(item for item, key in zip(left, left_keys, strict=True) if key not in right_keys)
        added = tuple(item for item, key in zip(right, right_keys, strict=True) if key not in left_keys)
        return [InputChange(path, left, right, removed_items=removed, added_items=added)]
    if isinstance(left, dict) and isinstance(right, dict):
        out = []
        for key in _keys(left, right):
            l_value, r_value = left.get(key, _ABSENT), right.get(key, _ABSENT)
            if not _same(l_value, r_value):
                out.extend(_walk(f"{path}.{key}", l_value, r_value))
        return out
    return [InputChange(path, left, right)]


def _json_object(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, str) or not value.lstrip().startswith("{"):
        return None
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=repr)


def _keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def _same(left: Any, right: Any) -> bool:
    if left is _ABSENT or right is _ABSENT:
        return left is right
    return json.dumps(left, sort_keys=True, default=repr) == json.dumps(right, sort_keys=True, default=repr)


def _short(urn: str | None) -> str:
    """The type and name of a URN, for messages."""
    if not urn:
        return ""
    type_part, _, name = urn.rpartition("::")
    type_ = type_part.rsplit("::", 1)[-1].rsplit("$", 1)[-1]
    return f"{type_} {name}" if name else urn
