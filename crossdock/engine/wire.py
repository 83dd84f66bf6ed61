"""Fast conversion between protobuf Structs and plain Python values.

The SDK's own `rpc.deserialize_properties`/`serialize_properties` are async and
build SDK objects (Unknown, Resource, secret wrappers); the recorder only needs
plain data, and doing it synchronously keeps recording cheap. Conventions:

- unknown values (preview) stay the SDK's sentinel string `UNKNOWN`, which is
  also what pulumi-policy hands rules;
- secrets are unwrapped; `decode_struct` reports which top-level keys held one;
- resource references become their URN;
- assets and archives become `WireAsset`s: readable dicts (`{"archive": {"path": "./app"}}`,
  `{"asset": {"text": "..."}}`, archives of assets nested the same way) that remember their
  wire form, so `encode_struct` hands the SDK an asset again and the program's outputs keep
  their `pulumi.Asset`/`pulumi.Archive` types.
"""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime import rpc

UNKNOWN = rpc.UNKNOWN
"""The SDK's sentinel for a value that is not known during preview."""

SECRET_MASK = "[secret]"
"""How secret stack/component outputs appear in a plan."""

_SIG = "4dabf18193072939515e22adb298388d"
_SECRET = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_ASSET = "c44067f5952c0a294b673a41bacd8c17"
_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7"
_ASSET_KINDS = {_ASSET: "asset", _ARCHIVE: "archive"}

_Struct = struct_pb2.Struct
_ListValue = struct_pb2.ListValue


class WireAsset(dict[str, Any]):
    """An asset or archive as plain data: `{"asset"|"archive": {"path"|"text"|"uri"|"assets": ...}}`.

    A dict, so JSON, policies and exporters read it like any other value; `wire()` gives back
    the signed form the SDK deserializes into `pulumi.FileArchive`, `pulumi.StringAsset`, ...
    """

    __slots__ = ()

    @property
    def kind(self) -> str:
        return str(next(iter(self)))

    @property
    def fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = self[self.kind]
        return fields

    def wire(self) -> dict[str, Any]:
        sig = _ASSET if self.kind == "asset" else _ARCHIVE
        return {_SIG: sig, **{k: _to_wire(v) for k, v in self.fields.items()}}


def is_asset(value: Any) -> bool:
    return isinstance(value, WireAsset)


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def decode_struct(struct: struct_pb2.Struct, masked: dict[str, Any] | None = None) -> tuple[dict[str, Any], set[str]]:
    """Decode a top-level property Struct; return (values, keys whose value held a secret).

    When `masked` is given, it receives, for each key that held a secret, the value with
    every secret part (however deep) replaced by `[secret]`: what a plan may show.
    """
    out: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for key, value in struct.fields.items():
        holder = [False]
        decoded = _decode_value(value, holder)
        if decoded is not None:  # like the SDK, null means "not set"
            out[key] = decoded
        if holder[0]:
            secret_keys.add(key)
            if masked is not None and decoded is not None:
                masked[key] = _decode_value(value, [False], mask=True)
    return out, secret_keys


def _decode_value(value: struct_pb2.Value, secret: list[bool], mask: bool = False) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return _decode_struct_value(value.struct_value, secret, mask)
    if kind == "list_value":
        return [_decode_value(v, secret, mask) for v in value.list_value.values]
    return None


def _decode_struct_value(struct: struct_pb2.Struct, secret: list[bool], mask: bool = False) -> Any:
    fields = struct.fields
    if _SIG in fields:
        sig = fields[_SIG].string_value
        if sig == _SECRET:
            secret[0] = True
            if mask:
                return SECRET_MASK
            return _decode_value(fields["value"], secret) if "value" in fields else None
        if sig == _RESOURCE:
            return fields["urn"].string_value
        if sig == _OUTPUT:
            if "secret" in fields and fields["secret"].bool_value:
                secret[0] = True
                if mask:
                    return SECRET_MASK
            return _decode_value(fields["value"], secret, mask) if "value" in fields else UNKNOWN
        kind = _ASSET_KINDS.get(sig)
        if kind is not None:  # keep the describing fields (path/text/uri, or nested `assets`)
            return WireAsset({kind: {k: _decode_value(v, secret, mask) for k, v in fields.items() if k != _SIG}})
        return {k: _decode_value(v, secret, mask) for k, v in fields.items() if k != _SIG}
    out = {}
    for k, v in fields.items():
        decoded = _decode_value(v, secret, mask)
        if decoded is not None:
            out[k] = decoded
    return out


def wrap_secret(value: Any) -> dict[str, Any]:
    """The wire form of a secret, for returning secret outputs from mocks."""
    return {_SIG: _SECRET, "value": value}


def encode_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    """Encode plain values into a Struct; fall back to the SDK for SDK objects."""
    struct = struct_pb2.Struct()
    values = _to_wire(values)
    try:
        struct.update(values)
        return struct
    except (ValueError, TypeError, AttributeError):
        pass
    # Non-plain values (Resource, Unknown, Asset...) from third-party mocks: let the SDK
    # serialize them on a private event loop, since this runs on a worker thread.
    return asyncio.run(rpc.serialize_properties(values, {}))


def _to_wire(value: Any) -> Any:
    """`value` with every WireAsset in its signed wire form; the same object when there is none."""
    if isinstance(value, WireAsset):
        return value.wire()
    if isinstance(value, dict):
        out = None
        for key, item in value.items():
            new = _to_wire(item)
            if new is not item:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, list):
        items = [_to_wire(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=False)) else items
    return value
