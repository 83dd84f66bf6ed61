"""The recorded resource graph of one offline run (`Plan`) and its JSON form.

Policies, exporters and the plan view all read this one structure, so it keeps
what the resource monitor saw (camelCase inputs, doubles for numbers, URNs for
parents, providers and dependencies) rather than a reinterpretation of it.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.engine.wire import SECRET_MASK, UNKNOWN, is_unknown

STACK_TYPE = "pulumi:pulumi:Stack"

__all__ = ["STACK_TYPE", "UNKNOWN", "Plan", "Resource", "is_unknown"]


@dataclass(slots=True)
class Resource:
    """One RegisterResource request as the monitor saw it, plus the mocks' answer."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    """Parent URN ("" only for the stack itself)."""
    provider: str
    """URN of the explicit provider, "" for the default provider."""
    region: str | None
    """AWS region the resource lives in; None for non-AWS types."""
    dependencies: list[str]
    property_dependencies: dict[str, list[str]]
    inputs: dict[str, Any]
    """Inputs with wire (camelCase) names; secrets unwrapped, unknowns are `UNKNOWN`."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """State returned by the mocks (custom) or passed to register_outputs (components)."""
    id: str = ""
    protect: bool = False
    retain_on_delete: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    aliases: list[Any] = field(default_factory=list)
    secret_inputs: frozenset[str] = frozenset()
    """Top-level input names whose value was (or contained) a secret."""
    source_file: str | None = None
    """File that declared the resource, relative to the project dir when inside it."""
    source_line: int | None = None
    masked_inputs: dict[str, Any] = field(default_factory=dict)
    """For each key in `secret_inputs`: its value with the secret parts shown as `[secret]`."""
    secret_outputs: frozenset[str] = frozenset()
    """Output names the provider marks secret (`additionalSecretOutputs`)."""
    remote: bool = False
    """A multi-language component (pulumi_awsx, pulumi_eks): a provider plugin builds its children, not planned offline."""

    def display_inputs(self) -> dict[str, Any]:
        """`inputs` as a plan may show them: secrets (however deep) as `[secret]`."""
        if not self.secret_inputs:
            return self.inputs
        return {
            k: self.masked_inputs.get(k, SECRET_MASK) if k in self.secret_inputs else v for k, v in self.inputs.items()
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "custom": self.custom,
            "parent": self.parent,
            "provider": self.provider,
            "region": self.region,
            "dependencies": self.dependencies,
            "property_dependencies": self.property_dependencies,
            "inputs": whole_numbers(self.display_inputs()),
            "protect": self.protect,
            "retain_on_delete": self.retain_on_delete,
            "source": {"file": self.source_file, "line": self.source_line},
        }


@dataclass
class Plan:
    """Everything one program run registered, in a stable tree order (parents first)."""

    project: str
    stack: str
    resources: list[Resource]
    outputs: dict[str, Any] = field(default_factory=dict)
    """Stack exports, resolved (unknown values are `UNKNOWN`)."""
    warnings: list[str] = field(default_factory=list)
    project_dir: Path | None = None
    config: dict[str, str] = field(default_factory=dict)
    """The stack config the program saw (secure values are placeholders)."""
    reads: list[Resource] = field(default_factory=list)
    """Existing resources the program looked up with `.get()` (not created, not in `resources`)."""
    secret_outputs: dict[str, Any] = field(default_factory=dict, repr=False)
    """Real values of the secret stack exports (masked in `outputs`): what a stack reference to this stack reads."""
    _by_urn: dict[str, Resource] | None = field(default=None, init=False, repr=False, compare=False)
    _children: dict[str, list[Resource]] | None = field(default=None, init=False, repr=False, compare=False)

    # -- lookups ---------------------------------------------------------------------------
    def get(self, urn: str) -> Resource | None:
        if self._by_urn is None:
            self._by_urn = {r.urn: r for r in self.resources}
        return self._by_urn.get(urn)

    def by_type(self, type_: str) -> list[Resource]:
        return [r for r in self.resources if r.type == type_]

    def children(self, urn: str) -> list[Resource]:
        if self._children is None:
            index: dict[str, list[Resource]] = defaultdict(list)
            for r in self.resources:
                index[r.parent].append(r)
            self._children = dict(index)
        return list(self._children.get(urn, ()))

    def by_name(self, name: str, type_: str | None = None) -> Resource | None:
        """The resource with this logical name (and type, when names repeat across types)."""
        return next((r for r in self.resources if r.name == name and (type_ is None or r.type == type_)), None)

    @property
    def stack_resource(self) -> Resource | None:
        return next((r for r in self.resources if r.type == STACK_TYPE), None)

    def custom_resources(self) -> list[Resource]:
        """Resources a provider manages (no stack, no components)."""
        return [r for r in self.resources if r.custom]

    # -- JSON --------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """The plan JSON of the interface contract (plus `outputs` and `warnings`)."""
        return {
            "project": self.project,
            "stack": self.stack,
            "resources": [r.to_json() for r in self.resources],
            "outputs": whole_numbers(self.outputs),
            "warnings": self.warnings,
        }

    def dumps(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_json(), indent=indent, default=_json_default, sort_keys=False)

    def write_json(self, path: Path | str) -> None:
        Path(path).write_text(self.dumps() + "\n", encoding="utf-8")


def whole_numbers(value: Any) -> Any:
    """`value` with whole-number doubles as integers (`50.0` -> `50`), as the Pulumi CLI's JSON shows them.

    Numbers cross the wire as doubles, so a program's `50` arrives as `50.0`; policies compare
    numbers as numbers and keep the doubles, the plan JSON and the text view show integers.
    """
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [whole_numbers(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Path):
        return str(value)
    return repr(value)


_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[int | str, ...]:
    """Sort `subnet-10` after `subnet-9`."""
    return tuple(int(p) if p.isdigit() else p for p in _NUMBER.split(text))


def tree_order(resources: list[Resource]) -> list[Resource]:
    """Parents before children; siblings by source position, then name, then type.

    Registration order depends on thread scheduling in the SDK, so it is not stable
    between runs; this order is, and it follows the program text.
    """
    children: dict[str, list[Resource]] = defaultdict(list)
    urns = {r.urn for r in resources}
    roots: list[Resource] = []
    for r in resources:
        if r.parent and r.parent in urns:
            children[r.parent].append(r)
        else:
            roots.append(r)

    def key(r: Resource) -> tuple[bool, str, int, tuple[int | str, ...], str]:
        return (r.type != STACK_TYPE, r.source_file or "\uffff", r.source_line or 0, natural_key(r.name), r.type)

    ordered: list[Resource] = []
    stack = sorted(roots, key=key, reverse=True)
    while stack:
        r = stack.pop()
        ordered.append(r)
        stack.extend(sorted(children.get(r.urn, ()), key=key, reverse=True))
    return ordered
