"""Fast conversion between protobuf Structs and plain Python values.

The SDK's own `rpc.deserialize_properties`/`serialize_properties` are async and
build SDK objects (Unknown, Resource, secret wrappers); the recorder only needs
plain data, and doing it synchronously keeps recording cheap. Conventions:

- unknown values (preview) stay the SDK's sentinel string `UNKNOWN`, which is
  also what pulumi-policy hands rules;
- secrets are unwrapped; `decode_struct` reports which top-level keys held one;
- resource references become their URN; assets/archives become small dicts.
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

_Struct = struct_pb2.Struct
_ListValue = struct_pb2.ListValue


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value == UNKNOWN


def decode_struct(struct: struct_pb2.Struct) -> tuple[dict[str, Any], set[str]]:
    """Decode a top-level property Struct; return (values, keys whose value held a secret)."""
    out: dict[str, Any] = {}
    secret_keys: set[str] = set()
    for key, value in struct.fields.items():
        holder = [False]
        decoded = _decode_value(value, holder)
        if decoded is not None:  # like the SDK, null means "not set"
            out[key] = decoded
        if holder[0]:
            secret_keys.add(key)
    return out, secret_keys


def _decode_value(value: struct_pb2.Value, secret: list[bool]) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return value.number_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return _decode_struct_value(value.struct_value, secret)
    if kind == "list_value":
        return [_decode_value(v, secret) for v in value.list_value.values]
    return None


def _decode_struct_value(struct: struct_pb2.Struct, secret: list[bool]) -> Any:
    fields = struct.fields
    if _SIG in fields:
        sig = fields[_SIG].string_value
        if sig == _SECRET:
            secret[0] = True
            return _decode_value(fields["value"], secret) if "value" in fields else None
        if sig == _RESOURCE:
            return fields["urn"].string_value
        if sig == _OUTPUT:
            if "secret" in fields and fields["secret"].bool_value:
                secret[0] = True
            return _decode_value(fields["value"], secret) if "value" in fields else UNKNOWN
        # assets and archives: keep their describing fields (path/text/uri/assets)
        return {k: _decode_value(v, secret) for k, v in fields.items() if k != _SIG}
    out = {}
    for k, v in fields.items():
        decoded = _decode_value(v, secret)
        if decoded is not None:
            out[k] = decoded
    return out


def wrap_secret(value: Any) -> dict[str, Any]:
    """The wire form of a secret, for returning secret outputs from mocks."""
    return {_SIG: _SECRET, "value": value}


def encode_struct(values: dict[str, Any]) -> struct_pb2.Struct:
    """Encode plain values into a Struct; fall back to the SDK for SDK objects."""
    struct = struct_pb2.Struct()
    try:
        struct.update(values)
        return struct
    except (ValueError, TypeError, AttributeError):
        pass
    # Non-plain values (Resource, Unknown, Asset...) from third-party mocks: let the SDK
    # serialize them on a private event loop, since this runs on a worker thread.
    return asyncio.run(rpc.serialize_properties(values, {}))
