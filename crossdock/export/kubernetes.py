"""The planned graph's Kubernetes resources as plain manifests, for checkov's kubernetes framework.

Every custom `kubernetes:<group>/<version>:<Kind>` resource becomes one YAML document
with `apiVersion` (`apps/v1`; `v1` for the core group), `kind`, `metadata` (its `name`
defaulting to the Pulumi name) and the rest of the inputs (`spec`, `data`, `rules`, ...)
exactly as the program declared them: the recorded inputs already are Kubernetes'
own JSON shapes. Numbers crossed the mock boundary as doubles; integers are restored
from pulumi-kubernetes' input types (`replicas`, `containerPort`, `port`, the int
side of `targetPort`). Preview-unknown values are left out (and counted in a warning);
a Secret's `data`/`stringData` and any input the program marked secret are masked.

Files are named `<namespace or _cluster>--<kind>--<name>.yaml`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from crossdock.engine.graph import Plan, Resource
from crossdock.engine.wire import SECRET_MASK, is_unknown
from crossdock.export.sdk_types import ListOf, MapOf, Obj, Scalar, Shape, fields_of, resource_fields

__all__ = ["KubernetesExport", "Manifest", "api_version_kind", "to_kubernetes_manifests"]

_DROPPED = object()
_SKIPPED_GROUPS = {"helm.sh", "yaml", "kustomize"}
"""Token groups that are not Kubernetes API objects (Helm releases, YAML/Kustomize groups)."""
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@dataclass(frozen=True)
class Manifest:
    """One Kubernetes object of the plan, ready to be written as YAML."""

    filename: str
    document: dict[str, Any]
    urn: str
    source: str | None = None

    def dumps(self) -> str:
        return yaml.dump(self.document, Dumper=_DUMPER, sort_keys=False, default_flow_style=False, allow_unicode=True)


@dataclass
class KubernetesExport:
    manifests: list[Manifest] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def resource_count(self) -> int:
        return len(self.manifests)

    def write(self, directory: Path | str) -> list[Path]:
        """Write every manifest into `directory` (created if needed); returns the paths."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for manifest in self.manifests:
            path = out / manifest.filename
            path.write_text(manifest.dumps(), encoding="utf-8")
            paths.append(path)
        return paths


def api_version_kind(token: str) -> tuple[str, str] | None:
    """`kubernetes:apps/v1:Deployment` -> ("apps/v1", "Deployment"); None for non-API tokens."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "kubernetes" or "/" not in parts[1]:
        return None
    group, version = parts[1].split("/", 1)
    if group in _SKIPPED_GROUPS:
        return None
    return (version if group == "core" else f"{group}/{version}"), parts[2]


def to_kubernetes_manifests(plan: Plan) -> KubernetesExport:
    """One manifest per Kubernetes resource of `plan` (providers and components skipped)."""
    export = KubernetesExport()
    taken: set[str] = set()
    for resource in plan.resources:
        if not resource.custom or not resource.type.startswith("kubernetes:"):
            continue
        identity = _identity(resource)
        if identity is None:
            export.warnings.append(f"{resource.type} {resource.name!r} is not a Kubernetes API object; not exported")
            continue
        api_version, kind = identity
        if kind.endswith("Patch"):
            export.warnings.append(
                f"{resource.type} {resource.name!r} patches an existing object; patches are not exported as manifests"
            )
            continue
        converter = _Converter(resource, kind)
        document = converter.document(api_version, kind)
        if converter.dropped:
            export.warnings.append(
                f"{kind} {resource.name!r}: {converter.dropped} value(s) unknown until deploy were left out"
            )
        metadata = document["metadata"]
        namespace = metadata.get("namespace") if isinstance(metadata.get("namespace"), str) else None
        scope = _file_part(namespace) if namespace else "_cluster"
        base = "--".join((scope, _file_part(kind.lower()), _file_part(str(metadata["name"]))))
        filename, n = f"{base}.yaml", 2
        while filename in taken:
            filename, n = f"{base}-{n}.yaml", n + 1
        taken.add(filename)
        export.manifests.append(Manifest(filename, document, resource.urn, _source(resource)))
    return export


def _identity(resource: Resource) -> tuple[str, str] | None:
    api_version = resource.inputs.get("apiVersion")
    kind = resource.inputs.get("kind")
    if isinstance(api_version, str) and isinstance(kind, str) and api_version and kind:
        if resource.type.split(":")[1].split("/")[0] in _SKIPPED_GROUPS:
            return None
        return api_version, kind
    return api_version_kind(resource.type)


def _file_part(text: str) -> str:
    return _FILE_UNSAFE.sub("_", text).strip("_") or "_"


def _source(resource: Resource) -> str | None:
    if not resource.source_file:
        return None
    return f"{resource.source_file}:{resource.source_line}" if resource.source_line else resource.source_file


class _Converter:
    """Inputs -> manifest body with integers restored and unknowns dropped."""

    def __init__(self, resource: Resource, kind: str) -> None:
        self.resource = resource
        self.kind = kind
        self.dropped = 0

    def document(self, api_version: str, kind: str) -> dict[str, Any]:
        fields = resource_fields(self.resource.type) or {}
        inputs = self.resource.inputs
        metadata_field = fields.get("metadata")
        metadata = inputs.get("metadata") if isinstance(inputs.get("metadata"), dict) else {}
        metadata = self.convert(metadata, metadata_field.shape if metadata_field else None)
        if metadata is _DROPPED or not isinstance(metadata, dict):
            metadata = {}
        if not isinstance(metadata.get("name"), str) or not metadata.get("name"):
            metadata = {**metadata, "name": self.resource.name}
        # name and namespace first, as people write them
        metadata = {
            **{k: metadata[k] for k in ("name", "namespace") if k in metadata},
            **{k: v for k, v in metadata.items() if k not in ("name", "namespace")},
        }
        document: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
        for key in sorted(inputs):
            value = inputs[key]
            if key in ("apiVersion", "kind", "metadata"):
                continue
            if key in self.resource.secret_inputs or (kind == "Secret" and key in ("data", "stringData")):
                document[key] = _mask(value, base64_values=(kind == "Secret" and key == "data"))
                continue
            field_ = fields.get(key)
            converted = self.convert(value, field_.shape if field_ else None)
            if converted is not _DROPPED:
                document[key] = converted
        return document

    def convert(self, value: Any, shape: Shape | None) -> Any:
        if is_unknown(value):
            self.dropped += 1
            return _DROPPED
        if isinstance(value, dict):
            if isinstance(shape, Obj):
                fields = fields_of(shape.cls)
                return self._dict(value, lambda k: fields[k].shape if k in fields else None)
            item = shape.item if isinstance(shape, MapOf) else None
            return self._dict(value, lambda _k: item)
        if isinstance(value, list):
            item = shape.item if isinstance(shape, ListOf) else None
            out = []
            for element in value:
                converted = self.convert(element, item)
                if converted is not _DROPPED:
                    out.append(converted)
            return out
        if isinstance(value, float) and value.is_integer():
            kinds = shape.kinds if isinstance(shape, Scalar) else frozenset()
            if "float" not in kinds or "int" in kinds:
                return int(value)
        return value

    def _dict(self, value: dict[str, Any], shape_of) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in sorted(value):  # the wire's key order is arbitrary; sorted keeps files stable
            converted = self.convert(value[key], shape_of(key))
            if converted is not _DROPPED:
                out[key] = converted
        return out


def _mask(value: Any, *, base64_values: bool) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, base64_values=base64_values) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, base64_values=base64_values) for v in value]
    return base64.b64encode(SECRET_MASK.encode()).decode() if base64_values else SECRET_MASK
