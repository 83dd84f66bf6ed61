"""IAM and resource policy documents, read the same way whatever shape they arrive in.

A rule sees a policy as a JSON string (hand-written, `pulumi.Output.json_dumps`,
or the provider-rendered `aws.iam.get_policy_document` JSON with single values
collapsed to strings), or as a dict. `Statement` may be one object or a list,
`Action`/`Resource` a string or a list, `Principal` `"*"` or a map. Rules should
reason about one normal form, so this module parses every shape into small
frozen dataclasses and offers the IAM matching helpers the rules share.

Matching follows IAM: action names are case-insensitive (`S3:GetObject` ==
`s3:getobject`), `*` and `?` are wildcards, and condition keys are
case-insensitive (so they are stored lowercased).

It also knows which inputs of which resource types hold documents, and how to
read an input that may be unknown during preview (offline the engine hands
rules the SDK's unknown sentinel; under the CLI the props proxy raises).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from pulumi_policy import PolicyResource
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

_UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)

# Condition keys that pin WHO may use an otherwise public grant (an account, an
# organisation, a source resource or a VPC endpoint). `aws:SecureTransport` only
# says how a request travels, so it is deliberately absent.
RESTRICTING_CONDITION_KEYS = frozenset(
    {
        "aws:sourcearn",
        "aws:sourceaccount",
        "aws:principalorgid",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:principalaccount",
    }
)


class PolicyDocumentError(ValueError):
    """A policy input that is not a readable policy document; rules report it, never crash on it."""


# -- reading inputs that may be unknown ------------------------------------------------------


def is_unknown(value: Any) -> bool:
    """True for the SDK's "not known during preview" sentinels (what the offline engine passes)."""
    return isinstance(value, str) and value in _UNKNOWN_SENTINELS


def known(props: Mapping[str, Any] | None, key: str) -> Any:
    """`props[key]`, or None when it is absent or unknown (offline sentinel or CLI proxy).

    Stack rules use this for values they only need to relate resources, so one
    unknown ARN during preview does not stop the whole stack check.
    """
    if not isinstance(props, Mapping):
        return None
    try:
        value = props.get(key)
    except UnknownValueError:
        return None
    return None if is_unknown(value) else value


def is_list(value: Any) -> bool:
    """A JSON array as rules see it: a list, or the CLI's read-only sequence proxy."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def peek(props: Mapping[str, Any] | None, key: str) -> Any:
    """`props[key]` with "not known yet" kept distinct from "absent".

    Returns the unknown sentinel where the CLI's proxy would raise, so a stack rule
    can skip one undecidable resource instead of aborting for the whole stack.
    """
    if not isinstance(props, Mapping):
        return None
    try:
        return props.get(key)
    except UnknownValueError:
        return UNKNOWN_STRING_VALUE


def referenced(
    resource: PolicyResource,
    prop: str,
    candidates: Sequence[PolicyResource],
    match_props: Sequence[str] = ("arn", "id"),
) -> list[PolicyResource]:
    """The candidates that `resource`'s input `prop` refers to.

    Primarily by property dependency (`bucket=bucket.id` records the bucket under
    "bucket"), which works even while physical names and ARNs are unknown. Only when
    the input depends on no resource at all (a literal), fall back to an equal value:
    the input's known value equal to a candidate's known `match_props`.
    """
    dependencies = (resource.property_dependencies or {}).get(prop) or ()
    if dependencies:
        urns = {candidate.urn for candidate in candidates}
        return [dep for dep in dependencies if dep.urn in urns]
    value = known(resource.props, prop)
    if not isinstance(value, str) or not value:
        return []
    return [c for c in candidates if any(known(c.props, key) == value for key in match_props)]


# -- normal form -----------------------------------------------------------------------------


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Statement:
    """One statement in normal form; `index` is its 1-based position, for messages without a Sid."""

    index: int
    sid: str | None
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    not_principals: Mapping[str, tuple[str, ...]] = field(default_factory=_empty)
    condition: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=_empty)

    @property
    def is_allow(self) -> bool:
        return self.effect == "Allow"

    @property
    def label(self) -> str:
        """How messages name the statement: its Sid in quotes, else its position."""
        return f'"{self.sid}"' if self.sid else f"#{self.index}"


@dataclass(frozen=True)
class PolicyDocument:
    version: str | None
    statements: tuple[Statement, ...]


def parse_policy(value: Any, label: str = "policy") -> PolicyDocument | None:
    """Normalise a policy input; None when it is absent or not known yet.

    Raises PolicyDocumentError with a sentence that starts with `label`
    (e.g. 'policy is not valid JSON (Expecting value at line 1 column 1)').
    """
    if value is None or is_unknown(value):
        return None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            data = json.loads(value)
        except json.JSONDecodeError as exc:
            raise PolicyDocumentError(
                f"{label} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            ) from None
    else:
        data = value
    if not isinstance(data, Mapping):
        raise PolicyDocumentError(f"{label} is not a JSON object")

    raw_statements = data.get("Statement", ())
    if isinstance(raw_statements, Mapping):
        raw_statements = [raw_statements]
    elif not is_list(raw_statements):
        raise PolicyDocumentError(f"{label} has a Statement that is neither an object nor a list")
    statements = tuple(_statement(raw, index, label) for index, raw in enumerate(raw_statements, start=1))
    version = data.get("Version")
    return PolicyDocument(version=version if isinstance(version, str) else None, statements=statements)


def _statement(raw: Any, index: int, label: str) -> Statement:
    where = f"{label} statement #{index}"
    if not isinstance(raw, Mapping):
        raise PolicyDocumentError(f"{where} is not a JSON object")
    effect = raw.get("Effect")
    if not isinstance(effect, str) or effect.lower() not in ("allow", "deny"):
        raise PolicyDocumentError(f'{where} has Effect {json.dumps(effect)}; expected "Allow" or "Deny"')
    sid = raw.get("Sid")
    return Statement(
        index=index,
        sid=str(sid) if sid not in (None, "") else None,
        effect=effect.capitalize(),
        actions=_strings(raw.get("Action"), f"{where} Action"),
        not_actions=_strings(raw.get("NotAction"), f"{where} NotAction"),
        resources=_strings(raw.get("Resource"), f"{where} Resource"),
        not_resources=_strings(raw.get("NotResource"), f"{where} NotResource"),
        principals=_principals(raw.get("Principal"), f"{where} Principal"),
        not_principals=_principals(raw.get("NotPrincipal"), f"{where} NotPrincipal"),
        condition=_condition(raw.get("Condition"), f"{where} Condition"),
    )


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if is_list(value) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise PolicyDocumentError(f"{where} must be a string or a list of strings")


def _principals(value: Any, where: str) -> Mapping[str, tuple[str, ...]]:
    if value is None:
        return MappingProxyType({})
    if value == "*":
        return MappingProxyType({"AWS": ("*",)})
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f'{where} must be "*" or an object such as {{"AWS": [...]}}')
    return MappingProxyType({str(kind): _strings(ids, f"{where} {kind}") for kind, ids in value.items()})


def _condition(value: Any, where: str) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise PolicyDocumentError(f"{where} must be an object")
    out: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for operator, entries in value.items():
        if not isinstance(entries, Mapping):
            raise PolicyDocumentError(f"{where} {operator} must be an object of condition keys")
        keys: dict[str, tuple[str, ...]] = {}
        for key, values in entries.items():
            items = values if is_list(values) else [values]
            keys[str(key).lower()] = keys.get(str(key).lower(), ()) + tuple(_condition_value(v) for v in items)
        out[str(operator)] = MappingProxyType(keys)
    return MappingProxyType(out)


def _condition_value(value: Any) -> str:
    """IAM compares condition values as strings: true -> "true", 1.0 -> "1"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- IAM matching helpers --------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts = (".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern (with `*`/`?`) covers `action`, case-insensitively."""
    return _wildcard_regex(pattern).fullmatch(action) is not None


def is_wildcard_action(action: str) -> bool:
    """`*` or a whole-service wildcard like `s3:*` (or `*:*`): every action of some service."""
    _, sep, name = action.partition(":")
    if not sep:
        return set(action) == {"*"}
    return set(name) == {"*"}


def _is_public_id(identifier: str) -> bool:
    """`*`, or an AWS ARN whose account field is a wildcard (any account's principals)."""
    if identifier == "*":
        return True
    parts = identifier.split(":")
    return len(parts) >= 6 and parts[0] == "arn" and "*" in parts[4]


def principal_is_public(statement: Statement) -> bool:
    """Whether the statement's principal is everyone: `*`, any account, or a NotPrincipal."""
    if statement.not_principals:
        return True
    return any(_is_public_id(identifier) for ids in statement.principals.values() for identifier in ids)


def _is_negated(operator: str) -> bool:
    base = operator.split(":", 1)[-1]
    return "Not" in base or base.startswith("Null")


def has_restricting_condition(statement: Statement) -> bool:
    """Whether a condition pins who may use the grant (see RESTRICTING_CONDITION_KEYS).

    Any positive operator counts, including `ForAnyValue:`/`ForAllValues:` and
    `...IfExists` forms. Negated operators (`StringNotEquals`, `ArnNotLike`, ...)
    and `Null` say who is excluded rather than who is allowed, and a value of
    only `*` matches everyone, so neither restricts.
    """
    for operator, keys in statement.condition.items():
        if _is_negated(operator):
            continue
        for key, values in keys.items():
            if key in RESTRICTING_CONDITION_KEYS and any(value.strip("*") for value in values):
                return True
    return False


RESTRICTING_KEYS_TEXT = (
    "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, aws:SourceOwner or aws:PrincipalAccount"
)
"""The restricting keys as messages name them."""


def public_principal_text(statement: Statement) -> str:
    """Which principal makes the statement public, for a message: `"*"` or `everyone except "..."`."""
    if statement.not_principals:
        excluded = [identifier for ids in statement.not_principals.values() for identifier in ids]
        return "everyone except " + ", ".join(f'"{identifier}"' for identifier in excluded)
    public = [identifier for ids in statement.principals.values() for identifier in ids if _is_public_id(identifier)]
    return ", ".join(f'"{identifier}"' for identifier in public)


def describe_actions(statement: Statement) -> str:
    """The statement's actions for a message: `"s3:GetObject", "s3:ListBucket"` or `every action except ...`."""
    if statement.not_actions:
        return "every action except " + ", ".join(f'"{a}"' for a in statement.not_actions)
    return ", ".join(f'"{a}"' for a in statement.actions)


# -- where documents live in resource inputs -------------------------------------------------


@dataclass(frozen=True)
class PolicySource:
    """One document held by a resource: how messages name it, its raw value, and its kind."""

    label: str
    value: Any
    kind: str  # "identity" (what a principal may do) or "trust" (who may assume a role)


IAM_POLICY_TYPES = frozenset(
    {
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/userPolicy:UserPolicy",
        "aws:iam/groupPolicy:GroupPolicy",
        "aws:iam/role:Role",
    }
)


def iam_policy_sources(resource_type: str, props: Mapping[str, Any]) -> list[PolicySource]:
    """Identity documents (and a role's trust policy) of an IAM resource, in input order."""
    if resource_type not in IAM_POLICY_TYPES:
        return []
    if resource_type != "aws:iam/role:Role":
        return [PolicySource("policy", props.get("policy"), "identity")]
    sources = []
    inline = props.get("inlinePolicies")
    for position, entry in enumerate(inline if is_list(inline) else (), start=1):
        if isinstance(entry, Mapping):
            name = entry.get("name")
            label = (
                f'inline policy "{name}"'
                if isinstance(name, str) and name and not is_unknown(name)
                else f"inline policy #{position}"
            )
            sources.append(PolicySource(label, entry.get("policy"), "identity"))
    sources.append(PolicySource("trust policy", props.get("assumeRolePolicy"), "trust"))
    return sources
