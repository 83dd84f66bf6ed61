"""Deterministic stand-ins for the `random` provider's resources (pulumi-random).

A real deploy draws the values once and keeps them in state; offline each one is derived
from the resource's name and inputs, so plans are reproducible and policies and exports see
realistic values (a bucket named `uploads-3f9a0c1d`, a 24-character password). Which outputs
are secret (`RandomPassword.result`, ...) is the SDK's `additionalSecretOutputs`, honoured by
the recorder.
"""

from __future__ import annotations

import base64
import hashlib
import json
import string
import uuid
from typing import Any

_WORDS = (
    "amber", "brisk", "calm", "deft", "eager", "fair", "gentle", "hardy", "ideal", "jolly", "keen", "lucid",
    "merry", "noble", "prime", "quick", "rapid", "sunny", "tidy", "vivid", "witty", "zesty",
)  # fmt: skip
_ANIMALS = (
    "otter", "heron", "lynx", "badger", "falcon", "marten", "ibis", "gecko", "koala", "puffin", "tapir", "wombat",
)  # fmt: skip


def compute(typ: str, name: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(id, state) for a `random:` resource type, or None when the type is not modelled."""
    seed = hashlib.sha256(json.dumps([typ, name, inputs], sort_keys=True, default=str).encode()).digest()
    kind = typ.rsplit(":", 1)[-1]
    if kind == "RandomId":
        raw = seed[: int(inputs.get("byteLength") or 8)]
        prefix = inputs.get("prefix") or ""
        b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
        return b64, {
            **inputs,
            "hex": prefix + raw.hex(),
            "b64Url": prefix + b64,
            "b64Std": prefix + base64.b64encode(raw).decode(),
            "dec": prefix + str(int.from_bytes(raw, "big")),
        }
    if kind in ("RandomPassword", "RandomString"):
        result = _characters(seed, inputs)
        state = {**inputs, "result": result}
        if kind == "RandomPassword":
            state["bcryptHash"] = "$2a$10$" + base64.b64encode(hashlib.sha256(seed).digest()).decode()[:53]
        return ("none" if kind == "RandomPassword" else result), state
    if kind == "RandomInteger":
        low, high = int(inputs.get("min") or 0), int(inputs.get("max") or 0)
        value = low + int.from_bytes(seed[:8], "big") % max(high - low + 1, 1)
        return str(value), {**inputs, "result": value}
    if kind == "RandomPet":
        length = int(inputs.get("length") or 2)
        words = [_WORDS[b % len(_WORDS)] for b in seed[: length - 1]] + [_ANIMALS[seed[-1] % len(_ANIMALS)]]
        pet = (inputs.get("separator") or "-").join(words)
        if inputs.get("prefix"):
            pet = f"{inputs['prefix']}{inputs.get('separator') or '-'}{pet}"
        return pet, {**inputs, "id": pet}
    if kind == "RandomUuid":
        text = str(uuid.UUID(bytes=seed[:16], version=4))
        return text, {**inputs, "result": text}
    if kind == "RandomShuffle":
        items = list(inputs.get("inputs") or [])
        ordered = sorted(items, key=lambda item: hashlib.sha256(seed + str(item).encode()).digest())
        count = int(inputs.get("resultCount") or len(ordered))
        return "-", {**inputs, "results": ordered[:count]}
    return None


def _characters(seed: bytes, inputs: dict[str, Any]) -> str:
    length = int(inputs.get("length") or 16)
    pools = []
    if inputs.get("upper", True):
        pools.append(string.ascii_uppercase)
    if inputs.get("lower", True):
        pools.append(string.ascii_lowercase)
    if inputs.get("numeric", inputs.get("number", True)):
        pools.append(string.digits)
    if inputs.get("special", True):
        pools.append(inputs.get("overrideSpecial") or "!@#$%&*()-_=+[]{}<>:?")
    alphabet = "".join(pools) or string.ascii_lowercase
    stream = hashlib.shake_256(seed).digest(length)
    return "".join(alphabet[b % len(alphabet)] for b in stream)
