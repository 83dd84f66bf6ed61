"""The deploy-freeze flag: the SSM parameter `/crossdock/<environment>/deploy-freeze`.

The `freeze-deploys` runbook sets it during an incident; `crossdock deploy-gate` reads it and
refuses every deploy while it is on. The value is a String parameter; the reader accepts:

- `off` (also `false`, `0`, `none`, empty): not frozen (the value the stack creates it with);
- `on` (also `true`, `1`, `frozen`): frozen until someone sets it back;
- a JSON object `{"frozen": true, "until": "2026-12-24T06:00:00Z", "reason": "...", "by": "..."}`
  (what `format_flag` writes): frozen until `until` (absent: until cleared);
- an ISO 8601 instant with an offset: frozen until then.

Anything else is treated as frozen (the gate fails closed) and its value shown. A missing
parameter means the environment has no flag yet: not frozen, reported as such.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

OFF = frozenset({"", "off", "false", "0", "none", "no"})
ON = frozenset({"on", "true", "1", "frozen", "yes"})


def parameter_name(environment: str) -> str:
    return f"/crossdock/{environment}/deploy-freeze"


@dataclass(frozen=True)
class FreezeFlag:
    name: str
    """The SSM parameter name."""
    frozen: bool
    until: dt.datetime | None = None
    reason: str = ""
    by: str = ""
    raw: str | None = None
    """The parameter value as read; None when the parameter does not exist."""

    def describe(self) -> str:
        if not self.frozen:
            return f"{self.name} is off" if self.raw is not None else f"{self.name} does not exist (no freeze)"
        text = f"{self.name} is on"
        if self.until:
            text += f" until {self.until.isoformat()}"
        if self.by:
            text += f" (set by {self.by})"
        if self.reason:
            text += f": {self.reason}"
        return text


def format_flag(until: dt.datetime | None, reason: str, by: str) -> str:
    """The value the freeze-deploys runbook writes to switch the flag on."""
    body: dict[str, Any] = {"frozen": True, "reason": reason, "by": by}
    if until is not None:
        body["until"] = until.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return json.dumps(body, sort_keys=True)


def _instant(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else None


def parse_flag(name: str, raw: str | None, at: dt.datetime) -> FreezeFlag:
    """Interpret a parameter value at the instant `at` (an expired `until` is off)."""
    if raw is None:
        return FreezeFlag(name, frozen=False, raw=None)
    text = raw.strip()
    if text.lower() in OFF:
        return FreezeFlag(name, frozen=False, raw=raw)
    if text.lower() in ON:
        return FreezeFlag(name, frozen=True, raw=raw)
    until = _instant(text)
    if until is not None:
        return FreezeFlag(name, frozen=at < until, until=until, raw=raw)
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict):
        frozen = body.get("frozen", True)
        frozen = frozen if isinstance(frozen, bool) else str(frozen).lower() not in OFF
        until = _instant(str(body["until"])) if body.get("until") else None
        if body.get("until") and until is None:
            return FreezeFlag(name, frozen=True, reason=f"unreadable until {body['until']!r}", raw=raw)
        if until is not None and at >= until:
            frozen = False
        return FreezeFlag(
            name, frozen=frozen, until=until, reason=str(body.get("reason", "")), by=str(body.get("by", "")), raw=raw
        )
    return FreezeFlag(name, frozen=True, reason=f"unrecognised value {raw!r} (fails closed)", raw=raw)


class FlagUnreadable(Exception):
    """The flag could not be read (credentials, permissions, network): the gate fails closed."""


def read_flag(environment: str, at: dt.datetime, *, region: str | None, endpoint_url: str | None = None) -> FreezeFlag:
    """Read the flag with boto3 (the default credential chain; `endpoint_url` for an emulator)."""
    import boto3
    import botocore.exceptions

    name = parameter_name(environment)
    try:
        client = boto3.client("ssm", region_name=region, endpoint_url=endpoint_url)
        value = client.get_parameter(Name=name)["Parameter"]["Value"]
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ParameterNotFound":
            return parse_flag(name, None, at)
        raise FlagUnreadable(f"cannot read {name}: {exc.response.get('Error', {}).get('Message') or exc}") from None
    except botocore.exceptions.BotoCoreError as exc:
        raise FlagUnreadable(f"cannot read {name}: {exc}") from None
    return parse_flag(name, value, at)
