"""Type information for a resource's properties, read from the installed Pulumi SDKs.

The exporters need to know, for every property a program set, whether it is a
number that must be an integer, a list, a map or a nested object, and what the
SDK calls it in snake_case. None of that can be guessed from the recorded values
(a map and an object look the same; `3.0` may be a count or a price), so it is read
from the SDK's own declarations:

- the type token is resolved to the generated resource class through the resource
  modules the SDK registers with `pulumi.runtime` (`aws:rds/cluster:Cluster` ->
  `pulumi_aws.rds.Cluster`, `kubernetes:apps/v1:Deployment` ->
  `pulumi_kubernetes.apps.v1.Deployment`);
- its property types come from the `@pulumi.input_type` class next to it (`_ClusterState`,
  which holds inputs and outputs, else `ClusterArgs`/`ClusterInitArgs`): each property's
  `@pulumi.getter(name="camelCase")` gives the wire name, the Python attribute gives the
  snake_case name, and the return annotation gives the type, which `_shape` reduces to
  `Scalar`/`ListOf`/`MapOf`/`Obj`.

Everything is cached per class, so a large plan pays for each type once.
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import importlib
import keyword
import re
import sys
import typing
from dataclasses import dataclass
from typing import Any, Union

import pulumi
from pulumi import _types as pulumi_types

__all__ = [
    "Field",
    "ListOf",
    "MapOf",
    "Obj",
    "Scalar",
    "Shape",
    "fields_of",
    "resource_class",
    "resource_fields",
    "snake_case",
]


@dataclass(frozen=True, slots=True)
class Scalar:
    """A primitive: `kinds` is a subset of {"str", "int", "float", "bool", "any", "json", "asset"}.

    "json" marks pulumi-aws's `Union[str, PolicyDocumentArgs]` policies: a JSON document
    that the provider (and Terraform) hold as a string. "asset" marks a `pulumi.Asset` or
    `pulumi.Archive` (a file, inline text or a directory), which Terraform names by path.
    """

    kinds: frozenset[str]

    @property
    def is_number(self) -> bool:
        return bool(self.kinds & {"int", "float"})


@dataclass(frozen=True, slots=True)
class ListOf:
    item: Shape


@dataclass(frozen=True, slots=True)
class MapOf:
    item: Shape


@dataclass(frozen=True, slots=True)
class Obj:
    cls: type
    """The SDK's `@pulumi.input_type` class describing the object's properties."""


Shape = Scalar | ListOf | MapOf | Obj

ANY = Scalar(frozenset({"any"}))


@dataclass(frozen=True, slots=True)
class Field:
    """One property of a resource or nested object, as the SDK declares it."""

    wire_name: str
    """camelCase name on the wire (what the engine recorded)."""
    python_name: str
    """The SDK's snake_case name (trailing `_` of keyword-clashing names removed)."""
    shape: Shape


# -- names ------------------------------------------------------------------------------------

_SNAKE_1 = re.compile(r"(.)([A-Z][a-z]+)")
_SNAKE_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """camelCase -> snake_case (the fallback when the SDK has no declaration)."""
    return _SNAKE_2.sub(r"\1_\2", _SNAKE_1.sub(r"\1_\2", name)).lower()


# -- token -> class -----------------------------------------------------------------------------

_PACKAGE_MODULES = {"aws": "pulumi_aws", "kubernetes": "pulumi_kubernetes"}


@functools.cache
def _import_package(package: str) -> bool:
    module = _PACKAGE_MODULES.get(package)
    if module is None:
        return False
    try:
        importlib.import_module(module)  # registers the package's resource modules
    except ImportError:
        return False
    return True


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class generated for a resource type token, or None when the SDK has none."""
    parts = token.split(":")
    if len(parts) != 3 or not _import_package(parts[0]):
        return None
    from pulumi.runtime import rpc

    module = rpc.get_resource_module(parts[0], parts[1], "")
    info = getattr(module, "mod_info", None)
    if not isinstance(info, dict):
        return None
    class_name = info.get("classes", {}).get(token)
    if not class_name:
        return None
    try:
        return getattr(importlib.import_module(info["fqn"]), class_name)
    except (ImportError, AttributeError):
        return None


@functools.cache
def _property_class(token: str) -> type | None:
    """The input type that declares a resource's properties (state class preferred)."""
    cls = resource_class(token)
    if cls is None:
        return None
    module = sys.modules.get(cls.__module__)
    if module is None:
        return None
    for candidate in (f"_{cls.__name__}State", f"{cls.__name__}Args", f"{cls.__name__}InitArgs"):
        found = getattr(module, candidate, None)
        if isinstance(found, type) and pulumi_types.is_input_type(found):
            return found
    return None


def resource_fields(token: str) -> dict[str, Field] | None:
    """Wire name -> Field for a resource type, or None when the SDK has no type information."""
    cls = _property_class(token)
    return fields_of(cls) if cls is not None else None


@functools.cache
def fields_of(cls: type) -> dict[str, Field]:
    """Wire name -> Field for an `@pulumi.input_type` class (empty if its hints cannot be read)."""
    try:
        types = pulumi_types.input_type_types(cls)
        names = pulumi_types.input_type_py_to_pulumi_names(cls)
    except Exception:  # noqa: BLE001 - unresolvable forward reference in generated code
        return {}
    python_names = {wire: python for python, wire in names.items()}
    out: dict[str, Field] = {}
    for wire, hint in types.items():
        python = python_names.get(wire) or snake_case(wire)
        if python.endswith("_") and keyword.iskeyword(python[:-1]):
            python = python[:-1]
        out[wire] = Field(wire, python, _shape(hint))
    return out


# -- annotations -> shapes ------------------------------------------------------------------

_SCALARS = {str: "str", int: "int", float: "float", bool: "bool"}
_SEQUENCES = {list, tuple, collections.abc.Sequence, typing.Sequence, list}
_MAPPINGS = {dict, collections.abc.Mapping, typing.Mapping, dict}


def _is_plumbing(tp: Any) -> bool:
    """Awaitable[...], Output[...], None and the SDK's TypedDict twins carry no shape."""
    if tp is type(None):
        return True
    origin = typing.get_origin(tp)
    if origin in (collections.abc.Awaitable, typing.Awaitable):
        return True
    from pulumi import Output

    if tp is Output or origin is Output:
        return True
    return typing.is_typeddict(tp)


@functools.cache
def _shape(tp: Any) -> Shape:
    origin = typing.get_origin(tp)
    if origin is Union:
        members = [a for a in typing.get_args(tp) if not _is_plumbing(a)]
        objects = [a for a in members if isinstance(a, type) and pulumi_types.is_input_type(a)]
        scalars = [a for a in members if a not in objects]
        if objects and str in scalars:
            return Scalar(frozenset({"str", "json"}))  # Union[str, PolicyDocumentArgs]
        if objects:
            return Obj(objects[0])
        kinds: set[str] = set()
        for member in scalars:
            shape = _shape(member)
            if not isinstance(shape, Scalar):
                return shape
            kinds |= shape.kinds
        return Scalar(frozenset(kinds or {"any"}))
    if origin is typing.Literal:
        kinds = {_SCALARS.get(type(v), "any") for v in typing.get_args(tp)}
        return Scalar(frozenset(kinds))
    if origin in _SEQUENCES:
        args = typing.get_args(tp)
        return ListOf(_shape(args[0]) if args else ANY)
    if origin in _MAPPINGS:
        args = typing.get_args(tp)
        return MapOf(_shape(args[1]) if len(args) == 2 else ANY)
    if isinstance(tp, type):
        if tp in _SCALARS:
            return Scalar(frozenset({_SCALARS[tp]}))
        if issubclass(tp, enum.Enum):
            return Scalar(frozenset({"str"}))
        if issubclass(tp, (pulumi.Asset, pulumi.Archive)):
            return Scalar(frozenset({"asset"}))
        if pulumi_types.is_input_type(tp):
            return Obj(tp)
        if tp in _SEQUENCES:
            return ListOf(ANY)
        if tp in _MAPPINGS:
            return MapOf(ANY)
    return ANY
