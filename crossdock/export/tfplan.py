"""The planned graph as Terraform plan JSON (`terraform show -json` shape), for checkov.

pulumi-aws is bridged from the Terraform AWS provider, so every AWS resource of a
Plan is a Terraform resource under another name. `to_terraform_plan` writes each one
as Terraform would plan its creation:

- `planned_values.root_module.resources[]`: `address` (`<tf type>.<name>`, unique),
  `mode: "managed"`, `type`, `name`, `provider_name`, `schema_version` and `values`
  with Terraform's attribute names (see `tf_names`), integers restored and values
  coerced from the SDK's type information (see `sdk_types`), nested objects as lists
  of objects (Terraform blocks), maps as maps, JSON policies as strings;
- `resource_changes[]`: one `create` per resource, `after` = the values;
- `configuration`: the providers (region, default tags) and, per resource, the
  `expressions.<attr>.references` that the graph's property dependencies imply.

Values that come from another resource (a versioning's `bucket`, a cluster's
`kms_key_id`, a backup selection's `resources`) are written the way Terraform writes a
value it only learns at apply time: absent from `values`/`after`, `true` in
`after_unknown`, and referenced in `configuration` as `["<dep address>.<attr>",
"<dep address>"]`, the attribute picked by comparing the value with the dependency's
id and outputs (`id`, `arn`, `name`, `bucket`...). checkov substitutes such references
for the missing values and builds its graph edges from them, so connection checks (a
bucket and its public-access block, a cluster in a backup selection, a security group
attached to a database) see the same graph they would see for the Terraform code.
Preview-unknown values are treated the same way. Secret inputs are masked.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crossdock.engine.graph import Plan, Resource
from crossdock.engine.regions import AWS_PROVIDER_TYPE, DEFAULT_REGION
from crossdock.engine.wire import SECRET_MASK, is_unknown
from crossdock.export.sdk_types import Field, ListOf, MapOf, Obj, Scalar, Shape, fields_of, resource_fields, snake_case
from crossdock.export.tf_names import tf_attribute
from crossdock.export.tf_types import terraform_type

__all__ = [
    "FORMAT_VERSION",
    "PROVIDER_NAME",
    "TERRAFORM_VERSION",
    "TerraformPlanExport",
    "to_terraform_plan",
]

FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.0"
PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"

_ABSENT = object()
"""A value Terraform would not know before apply (dependency-derived or preview-unknown)."""
_ATTR_PREFERENCE = ("id", "arn", "name", "bucket")
_MIN_EMBEDDED = 12
"""Shortest dependency value searched for inside a longer string (policies, JSON)."""


@dataclass
class TerraformPlanExport:
    """A Terraform plan JSON document, plus what could not be exported and where things came from."""

    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    addresses: dict[str, str] = field(default_factory=dict)
    """Terraform address -> Pulumi URN, for every exported resource (plan order)."""

    @property
    def resource_count(self) -> int:
        return len(self.addresses)

    def urn_for(self, address: str) -> str | None:
        """The URN of the resource behind a Terraform address (also accepts `<address>[0]`-style suffixes)."""
        return self.addresses.get(address) or self.addresses.get(re.sub(r"\[[^\]]*\]$", "", address))

    def dumps(self, indent: int | None = 2) -> str:
        return json.dumps(self.document, indent=indent, ensure_ascii=False)

    def write(self, path: Path | str) -> None:
        Path(path).write_text(self.dumps() + "\n", encoding="utf-8")


# -- the export -------------------------------------------------------------------------------


def to_terraform_plan(plan: Plan, *, terraform_version: str = TERRAFORM_VERSION) -> TerraformPlanExport:
    """Translate every AWS resource of `plan` into one Terraform plan JSON document."""
    warnings: list[str] = []
    unmapped: dict[str, int] = defaultdict(int)
    untyped: set[str] = set()
    exported: list[tuple[Resource, str]] = []
    for resource in plan.resources:
        if not (resource.custom and resource.type.startswith("aws:")):
            continue
        tf_type = terraform_type(resource.type)
        if tf_type is None:
            unmapped[resource.type] += 1
            continue
        exported.append((resource, tf_type))
    for token, count in sorted(unmapped.items()):
        warnings.append(f"no Terraform mapping for {token}; {count} resource(s) not exported")

    providers = _Providers(plan)
    addresses = _assign_addresses(exported)
    deps = {r.urn: _Dependency(addresses[r.urn], r) for r, _ in exported}

    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    by_address: dict[str, str] = {}
    for resource, tf_type in exported:
        address = addresses[resource.urn]
        name = address.split(".", 1)[1]
        fields = resource_fields(resource.type)
        if fields is None:
            untyped.add(resource.type)
        translator = _Translator(resource.type, deps)
        values, unknown, sensitive, expressions = translator.resource(resource, fields or {})
        _add_computed(values, unknown, resource, fields, providers)
        provider_key = providers.key_for(resource)
        planned.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": PROVIDER_NAME,
                "schema_version": 0,
                "values": values,
                "sensitive_values": sensitive,
            }
        )
        changes.append(
            {
                "address": address,
                "mode": "managed",
                "type": tf_type,
                "name": name,
                "provider_name": PROVIDER_NAME,
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": values,
                    "after_unknown": unknown,
                    "before_sensitive": False,
                    "after_sensitive": sensitive,
                },
            }
        )
        config: dict[str, Any] = {
            "address": address,
            "mode": "managed",
            "type": tf_type,
            "name": name,
            "provider_config_key": provider_key,
            "expressions": expressions,
            "schema_version": 0,
        }
        depends_on = _explicit_dependencies(resource, deps)
        if depends_on:
            config["depends_on"] = depends_on
        configured.append(config)
        by_address[address] = resource.urn
    for token in sorted(untyped):
        warnings.append(f"no SDK type information for {token}; attribute names and numbers were guessed")

    document: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "terraform_version": terraform_version,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": providers.config(),
            "root_module": {"resources": configured},
        },
        "applyable": bool(changes),
        "complete": True,
        "errored": False,
        "crossdock": {
            "project": plan.project,
            "stack": plan.stack,
            "resources": {
                address: {
                    "urn": urn,
                    "source": _source(deps[urn].resource),
                }
                for address, urn in by_address.items()
            },
        },
    }
    return TerraformPlanExport(document=document, warnings=warnings, addresses=by_address)


def _source(resource: Resource) -> str | None:
    if not resource.source_file:
        return None
    return f"{resource.source_file}:{resource.source_line}" if resource.source_line else resource.source_file


# -- addresses --------------------------------------------------------------------------------

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def terraform_name(name: str) -> str:
    """A Pulumi logical name as a Terraform resource name (letters, digits, underscores)."""
    cleaned = _NAME_UNSAFE.sub("_", name).strip("_") or "resource"
    return cleaned if cleaned[0].isalpha() or cleaned[0] == "_" else f"r_{cleaned}"


def _assign_addresses(exported: list[tuple[Resource, str]]) -> dict[str, str]:
    """URN -> unique `<type>.<name>`, in plan order (the first of a clash keeps the plain name)."""
    taken: set[str] = set()
    out: dict[str, str] = {}
    for resource, tf_type in exported:
        base = f"{tf_type}.{terraform_name(resource.name)}"
        address, n = base, 2
        while address in taken:
            address, n = f"{base}_{n}", n + 1
        taken.add(address)
        out[resource.urn] = address
    return out


# -- providers --------------------------------------------------------------------------------


class _Providers:
    """The default AWS provider and every explicit one, as Terraform provider configurations."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._aliases: dict[str, str] = {}
        self._configs: dict[str, dict[str, Any]] = {
            "aws": self._provider_config(
                plan.config.get("aws:region") or DEFAULT_REGION, _json_object(plan.config.get("aws:defaultTags"))
            )
        }

    def key_for(self, resource: Resource) -> str:
        urn = resource.provider
        if not urn:
            return "aws"
        if urn in self._aliases:
            return self._aliases[urn]
        provider = self._plan.get(urn)
        if provider is None or provider.type != AWS_PROVIDER_TYPE:
            return "aws"
        alias = terraform_name(provider.name)
        taken = set(self._configs)
        key, n = f"aws.{alias}", 2
        while key in taken:
            key, n = f"aws.{alias}_{n}", n + 1
        region = provider.inputs.get("region")
        config = self._provider_config(
            region
            if isinstance(region, str) and region and not is_unknown(region)
            else resource.region or DEFAULT_REGION,
            _json_object(provider.inputs.get("defaultTags")),
        )
        config["alias"] = key.split(".", 1)[1]
        self._configs[key] = config
        self._aliases[urn] = key
        return key

    @staticmethod
    def _provider_config(region: str, default_tags: dict[str, Any] | None) -> dict[str, Any]:
        expressions: dict[str, Any] = {"region": {"constant_value": region}}
        tags = (default_tags or {}).get("tags")
        if isinstance(tags, dict) and tags:
            expressions["default_tags"] = [{"tags": {"constant_value": tags}}]
        return {"name": "aws", "full_name": PROVIDER_NAME, "expressions": expressions}

    def config(self) -> dict[str, Any]:
        return dict(self._configs)

    def default_tags(self, resource: Resource) -> dict[str, Any]:
        config = self._configs.get(self.key_for(resource), {})
        default = config.get("expressions", {}).get("default_tags")
        return dict(default[0]["tags"]["constant_value"]) if default else {}


def _json_object(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


# -- dependencies -------------------------------------------------------------------------------


class _Dependency:
    """An exported resource others may reference: its address and attribute values."""

    __slots__ = ("_values", "address", "resource")

    def __init__(self, address: str, resource: Resource) -> None:
        self.address = address
        self.resource = resource
        self._values: dict[str, list[str]] | None = None

    @property
    def values(self) -> dict[str, list[str]]:
        """String value -> Terraform attributes holding it (`id` first, then by preference)."""
        if self._values is None:
            fields = resource_fields(self.resource.type) or {}
            index: dict[str, list[str]] = defaultdict(list)
            if isinstance(self.resource.id, str) and self.resource.id:
                index[self.resource.id].append("id")
            for key, value in self.resource.outputs.items():
                if not isinstance(value, str) or len(value) < 3 or is_unknown(value):
                    continue
                field_ = fields.get(key)
                attr = tf_attribute(self.resource.type, field_, True) if field_ else snake_case(key)
                if _identifies(attr, value, self.resource) and attr not in index[value]:
                    index[value].append(attr)
            self._values = dict(index)
        return self._values

    def attribute_for(self, value: str, hint: str) -> str | None:
        attrs = self.values.get(value)
        if not attrs:
            return None
        return _pick_attribute(attrs, hint, value)

    def embedded_in(self, text: str) -> list[str]:
        """Attributes whose value occurs inside `text` (an ARN in a policy document).

        A match inside a longer match (the bucket name inside the bucket ARN) is dropped.
        """
        found = [value for value in self.values if len(value) >= _MIN_EMBEDDED and value in text]
        return [
            _pick_attribute(self.values[value], "", value)
            for value in found
            if not any(value != other and value in other for other in found)
        ]


_IDENTIFYING = ("id", "arn", "name", "bucket", "url", "endpoint", "address", "key_id")
_IDENTIFYING_SUFFIXES = ("_id", "_arn", "_name", "_url", "_endpoint", "identifier")
_SHARED = frozenset({"owner_id", "account_id", "region", "hosted_zone_id", "availability_zone", "availability_zone_id"})
_ACCOUNT_ID = re.compile(r"^\d{12}$")


def _identifies(attr: str, value: str, resource: Resource) -> bool:
    """Whether an output names this resource (an id, ARN, name, endpoint) rather than holding a
    value many resources share (a region, an account id, a status), so that an equal input
    value means a reference to it."""
    if attr in _SHARED or value == resource.region or _ACCOUNT_ID.match(value):
        return False
    return attr in _IDENTIFYING or attr.endswith(_IDENTIFYING_SUFFIXES)


def _pick_attribute(attrs: list[str], hint: str, value: str) -> str:
    """The attribute a person would reference: the one the property is named after, else `arn`
    for an ARN, else id/arn/name/bucket."""
    if hint in attrs:
        return hint
    suffixed = [a for a in attrs if hint.endswith(f"_{a}")]
    if suffixed:
        return max(suffixed, key=len)
    if value.startswith("arn:") and "arn" in attrs:
        return "arn"
    for preferred in _ATTR_PREFERENCE:
        if preferred in attrs:
            return preferred
    return sorted(attrs)[0]


def _explicit_dependencies(resource: Resource, deps: dict[str, _Dependency]) -> list[str]:
    """Addresses of `depends_on` resources that no property already references."""
    referenced = {urn for urns in resource.property_dependencies.values() for urn in urns}
    return sorted(
        {
            deps[urn].address
            for urn in resource.dependencies
            if urn in deps and urn not in referenced and urn != resource.urn
        }
    )


# -- values -------------------------------------------------------------------------------------


class _Translator:
    """Converts one resource's inputs; collects unknown markers and reference expressions."""

    def __init__(self, token: str, deps: dict[str, _Dependency]) -> None:
        self.token = token
        self.all_deps = deps
        self.deps: list[_Dependency] = []
        self.hint = ""

    def resource(
        self, resource: Resource, fields: dict[str, Field]
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        values: dict[str, Any] = {}
        unknown: dict[str, Any] = {}
        sensitive: dict[str, Any] = {}
        expressions: dict[str, Any] = {}
        for wire in sorted(resource.inputs):
            raw = resource.inputs[wire]
            field_ = fields.get(wire)
            name = tf_attribute(self.token, field_, True) if field_ else snake_case(wire)
            shape = field_.shape if field_ else None
            self.deps = [self.all_deps[u] for u in resource.property_dependencies.get(wire, ()) if u in self.all_deps]
            self.hint = name
            if wire in resource.secret_inputs:
                value, marker, expression = _mask(raw), None, None
                sensitive[name] = True
            else:
                value, marker, expression = self.convert(raw, shape)
            if value is not _ABSENT:
                values[name] = value
            if marker:
                unknown[name] = marker
            if self.deps and not expression:
                # The value derives from these resources in a way no single attribute shows.
                expression = {"references": _references(self.deps, self.hint)}
            if expression:
                expressions[name] = expression
        return values, unknown, sensitive, expressions

    def convert(self, value: Any, shape: Shape | None) -> tuple[Any, Any, Any]:
        """(value or _ABSENT, after_unknown marker or None, configuration expression or None)."""
        if isinstance(shape, Obj):
            if isinstance(value, dict):
                v, m, e = self._object(value, shape.cls)
                return [v], ([m] if m else None), ([e] if e else None)
            if isinstance(value, list):  # already a list of one block
                return self._list_of_objects(value, shape.cls)
        if isinstance(shape, ListOf) and isinstance(value, list):
            if isinstance(shape.item, Obj):
                return self._list_of_objects(value, shape.item.cls)
            return self._list(value, shape.item)
        if isinstance(shape, MapOf) and isinstance(value, dict):
            return self._map(value, shape.item)
        if isinstance(value, dict):
            if isinstance(shape, Scalar) and "json" in shape.kinds:
                return self._leaf(json.dumps(value, separators=(",", ":")), shape)
            if isinstance(shape, Scalar) and "asset" in shape.kinds:
                return _asset_path(value), None, None
            return self._map(value, None)
        if isinstance(value, list):
            return self._list(value, None)
        return self._leaf(value, shape if isinstance(shape, Scalar) else None)

    def _object(self, value: dict[str, Any], cls: type) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        fields = fields_of(cls)
        out: dict[str, Any] = {}
        markers: dict[str, Any] = {}
        expressions: dict[str, Any] = {}
        for wire in sorted(value):
            field_ = fields.get(wire)
            name = tf_attribute(self.token, field_, False) if field_ else snake_case(wire)
            hint, self.hint = self.hint, name
            v, m, e = self.convert(value[wire], field_.shape if field_ else None)
            self.hint = hint
            if v is not _ABSENT:
                out[name] = v
            if m:
                markers[name] = m
            if e:
                expressions[name] = e
        return out, markers, expressions

    def _list_of_objects(self, items: list[Any], cls: type) -> tuple[Any, Any, Any]:
        if any(is_unknown(item) for item in items):
            return _ABSENT, True, self._expression_for_unknown()
        converted = [self._object(item, cls) if isinstance(item, dict) else (item, {}, {}) for item in items]
        values = [v for v, _, _ in converted]
        markers = [m for _, m, _ in converted]
        expressions = [e for _, _, e in converted]
        return values, (markers if any(markers) else None), (expressions if any(expressions) else None)

    def _list(self, items: list[Any], item_shape: Shape | None) -> tuple[Any, Any, Any]:
        values: list[Any] = []
        refs: list[str] = []
        absent = False
        for item in items:
            v, _, e = self.convert(item, item_shape)
            if v is _ABSENT:
                absent = True
            else:
                values.append(v)
            if isinstance(e, dict):
                refs.extend(r for r in e.get("references", ()) if r not in refs)
        if absent:
            # Terraform does not know a collection with an unknown member: the whole list is unknown.
            return _ABSENT, True, ({"references": refs} if refs else self._expression_for_unknown())
        return values, None, ({"references": refs} if refs else None)

    def _map(self, value: dict[str, Any], item_shape: Shape | None) -> tuple[Any, Any, Any]:
        out: dict[str, Any] = {}
        refs: list[str] = []
        for key in sorted(value):
            item = value[key]
            if is_unknown(item):
                continue
            if isinstance(item, (dict, list)):
                v, _, _ = self.convert(item, item_shape)
                out[key] = item if v is _ABSENT else v
                continue
            out[key] = _coerce(item, item_shape if isinstance(item_shape, Scalar) else None)
            if isinstance(item, str):
                refs.extend(r for r in self._references_for(item) if r not in refs)
        # Map members stay known (Terraform knows a map whose values it can resolve); references recorded.
        return out, None, ({"references": refs} if refs else None)

    def _leaf(self, value: Any, shape: Scalar | None) -> tuple[Any, Any, Any]:
        if is_unknown(value):
            return _ABSENT, True, self._expression_for_unknown()
        if isinstance(value, str) and self.deps:
            for dep in self.deps:
                attr = dep.attribute_for(value, self.hint)
                if attr:
                    return _ABSENT, True, {"references": [f"{dep.address}.{attr}", dep.address]}
            refs = self._embedded_references(value)
            return _coerce(value, shape), None, ({"references": refs} if refs else None)
        return _coerce(value, shape), None, None

    def _references_for(self, value: str) -> list[str]:
        for dep in self.deps:
            attr = dep.attribute_for(value, self.hint)
            if attr:
                return [f"{dep.address}.{attr}", dep.address]
        return self._embedded_references(value)

    def _embedded_references(self, value: str) -> list[str]:
        refs: list[str] = []
        for dep in self.deps:
            for attr in dep.embedded_in(value):
                for ref in (f"{dep.address}.{attr}", dep.address):
                    if ref not in refs:
                        refs.append(ref)
        return refs

    def _expression_for_unknown(self) -> dict[str, Any] | None:
        return {"references": _references(self.deps, self.hint)} if self.deps else None


def _references(deps: list[_Dependency], hint: str) -> list[str]:
    attr = "arn" if hint.endswith(("arn", "arns")) else "id"
    refs: list[str] = []
    for dep in deps:
        refs.extend((f"{dep.address}.{attr}", dep.address))
    return refs


def _coerce(value: Any, shape: Scalar | None) -> Any:
    """A primitive as Terraform would hold it for the attribute's type."""
    kinds = shape.kinds if shape is not None else frozenset()
    if isinstance(value, bool):
        if kinds and "bool" not in kinds and "str" in kinds and "any" not in kinds:
            return "true" if value else "false"
        return value
    if isinstance(value, float):
        if kinds and not (kinds & {"int", "float", "any"}) and "str" in kinds:
            return str(int(value)) if value.is_integer() else repr(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, int):
        if kinds and not (kinds & {"int", "float", "any"}) and "str" in kinds:
            return str(value)
        return value
    if isinstance(value, str) and kinds and "str" not in kinds and "any" not in kinds:
        if kinds <= {"bool"} and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if kinds & {"int", "float"}:
            try:
                number = float(value)
            except ValueError:
                return value
            return int(number) if number.is_integer() else number
    return value


def _asset_path(asset: dict[str, Any]) -> str:
    """An asset or archive as Terraform names it: its path or URI (inline content has neither)."""
    if len(asset) == 1 and isinstance(asset.get("asset", asset.get("archive")), dict):
        asset = asset.get("asset", asset.get("archive")) or {}  # the engine's readable form
    for key in ("path", "uri"):
        if isinstance(asset.get(key), str):
            return asset[key]
    if isinstance(asset.get("assets"), dict):
        return f"<archive of {len(asset['assets'])} file(s)>"
    return "<inline content>"


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return SECRET_MASK


# -- computed attributes --------------------------------------------------------------------------


def _add_computed(
    values: dict[str, Any],
    unknown: dict[str, Any],
    resource: Resource,
    fields: dict[str, Field] | None,
    providers: _Providers,
) -> None:
    """Attributes Terraform plans without configuration: tags_all, region, and the unknown id."""
    unknown.setdefault("id", True)
    if fields is None:
        return
    if "tagsAll" in fields and "tags_all" not in values:
        tags_all = resource.outputs.get("tagsAll")
        if not isinstance(tags_all, dict):
            tags = values.get("tags")
            tags_all = {**providers.default_tags(resource), **(tags if isinstance(tags, dict) else {})}
        if tags_all:
            values["tags_all"] = {k: v for k, v in sorted(tags_all.items()) if not is_unknown(v)}
    if "region" in fields and "region" not in values and resource.region:
        values["region"] = resource.region
    if "arn" in fields and "arn" not in values:
        unknown.setdefault("arn", True)
