"""Render `aws.iam.get_policy_document` offline, byte-for-byte like the AWS provider.

Policies and least-privilege rules read the rendered JSON, so the offline result
must match what the Terraform-bridged provider produces: statement key order,
single-element action/resource/identifier lists collapsed to a string, longer
lists reverse-sorted (the provider sorts its sets that way), principals grouped
by type, conditions keyed test -> variable, source/override documents merged by
Sid, `&{var}` rewritten to `${var}`, Go's JSON escaping, and an id that is the
CRC-32 of the indented JSON.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

DEFAULT_VERSION = "2012-10-17"
_STATEMENT_KEYS = (
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
)


class PolicyDocumentError(ValueError):
    """An input the provider itself rejects (duplicate Sid, bad JSON source document)."""


def render_policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """Answer the `aws:iam/getPolicyDocument:getPolicyDocument` invoke from its (camelCase) args."""
    version = args.get("version") or DEFAULT_VERSION
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}

    if args.get("sourceJson"):
        _merge(merged, _parse_document(args["sourceJson"], "sourceJson"))
    seen_sids = {s["Sid"] for s in merged["Statement"] if s.get("Sid")}
    for index, source in enumerate(args.get("sourcePolicyDocuments") or []):
        if not source:
            continue
        doc = _parse_document(source, f"sourcePolicyDocuments[{index}]")
        for stmt_index, stmt in enumerate(doc["Statement"]):
            sid = stmt.get("Sid")
            if sid:
                if sid in seen_sids:
                    raise PolicyDocumentError(
                        f"duplicate Sid ({sid}) in source_policy_documents (item {index}; statement {stmt_index}). "
                        "Remove the Sid or ensure Sids are unique."
                    )
                seen_sids.add(sid)
        _merge(merged, doc)

    statements: list[dict[str, Any]] = []
    current = {"Version": version, "Id": args.get("policyId") or "", "Statement": statements}
    sids: set[str] = set()
    for raw in args.get("statements") or []:
        stmt = _statement_from_args(raw, version)
        sid = stmt.get("Sid")
        if sid:
            if sid in sids:
                raise PolicyDocumentError(
                    f"found duplicate sid ({sid}), either remove the sid or ensure the sid is unique across all statements"
                )
            sids.add(sid)
        statements.append(stmt)
    _merge(merged, current)

    for index, override in enumerate(args.get("overridePolicyDocuments") or []):
        if override:
            _merge(merged, _parse_document(override, f"overridePolicyDocuments[{index}]"))
    if args.get("overrideJson"):
        _merge(merged, _parse_document(args["overrideJson"], "overrideJson"))

    document = _document_json(merged)
    text = _go_escape(json.dumps(document, indent=2, ensure_ascii=False))
    minified = _go_escape(json.dumps(document, separators=(",", ":"), ensure_ascii=False))
    result = dict(args)
    result.update(
        {"id": str(zlib.crc32(text.encode("utf-8"))), "json": text, "minifiedJson": minified, "version": version}
    )
    return result


# -- building statements from invoke arguments -------------------------------------------


def _statement_from_args(raw: dict[str, Any], version: str) -> dict[str, Any]:
    stmt: dict[str, Any] = {"Sid": raw.get("sid") or "", "Effect": raw.get("effect") or "Allow"}
    for key, arg, replace_vars in (
        ("Action", "actions", False),
        ("NotAction", "notActions", False),
        ("Resource", "resources", True),
        ("NotResource", "notResources", True),
    ):
        values = _string_set(raw.get(arg))
        if values:
            stmt[key] = _collapse(_replace_vars(values, version) if replace_vars else values)
    for key, arg in (("Principal", "principals"), ("NotPrincipal", "notPrincipals")):
        principals = [
            (p.get("type", ""), _collapse(_replace_vars(_string_set(p.get("identifiers")), version)))
            for p in raw.get(arg) or []
        ]
        if principals:
            stmt[key] = principals
    conditions = [
        (c.get("test", ""), c.get("variable", ""), _replace_vars([str(v) for v in c.get("values") or []], version))
        for c in raw.get("conditions") or []
    ]
    if conditions:
        stmt["Condition"] = conditions
    return stmt


def _string_set(values: Any) -> list[str]:
    """Provider schema sets: unique strings (order is fixed later by sorting)."""
    if not values:
        return []
    return list(dict.fromkeys(str(v) for v in values))


def _collapse(values: list[str]) -> Any:
    """One element -> the string; more -> reverse-sorted list (as the provider emits)."""
    if len(values) == 1:
        return values[0]
    return sorted(values, reverse=True)


def _replace_vars(values: Any, version: str) -> Any:
    if version != DEFAULT_VERSION:
        return values
    if isinstance(values, str):
        return values.replace("&{", "${")
    return [v.replace("&{", "${") for v in values]


# -- source / override documents -----------------------------------------------------------


def _parse_document(text: Any, where: str) -> dict[str, Any]:
    """Parse a JSON policy into the internal statement form used for merging."""
    try:
        data = json.loads(text) if isinstance(text, str) else text
    except ValueError as exc:
        raise PolicyDocumentError(f"{where}: invalid JSON policy document: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyDocumentError(f"{where}: a policy document must be a JSON object")
    statements = data.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    parsed = []
    for stmt in statements:
        out: dict[str, Any] = {"Sid": stmt.get("Sid", ""), "Effect": stmt.get("Effect", "")}
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            if stmt.get(key):
                out[key] = stmt[key]
        for key in ("Principal", "NotPrincipal"):
            if stmt.get(key):
                out[key] = _parse_principals(stmt[key])
        if stmt.get("Condition"):
            out["Condition"] = [
                (test, variable, [_go_string(v) for v in (values if isinstance(values, list) else [values])])
                for test, variables in stmt["Condition"].items()
                for variable, values in variables.items()
            ]
        parsed.append(out)
    return {"Version": data.get("Version", ""), "Id": data.get("Id", ""), "Statement": parsed}


def _go_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _parse_principals(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, str):
        return [("*", "*")]
    principals = []
    for type_, identifiers in value.items():
        principals.append((type_, list(identifiers) if isinstance(identifiers, list) else identifiers))
    return principals


def _merge(target: dict[str, Any], new: dict[str, Any]) -> None:
    """The provider's IAMPolicyDoc.Merge: adopt Id, upgrade Version, replace statements by Sid."""
    if new.get("Id"):
        target["Id"] = new["Id"]
    if new.get("Version", "") > target["Version"]:
        target["Version"] = new["Version"]
    statements = target["Statement"]
    for stmt in new["Statement"]:
        sid = stmt.get("Sid")
        if sid:
            for i, existing in enumerate(statements):
                if existing.get("Sid") == sid:
                    statements[i] = stmt
                    break
            else:
                statements.append(stmt)
        else:
            statements.append(stmt)


# -- JSON rendering ------------------------------------------------------------------------


def _document_json(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if doc["Version"]:
        out["Version"] = doc["Version"]
    if doc["Id"]:
        out["Id"] = doc["Id"]
    if doc["Statement"]:
        out["Statement"] = [_statement_json(s) for s in doc["Statement"]]
    return out


def _statement_json(stmt: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _STATEMENT_KEYS:
        value = stmt.get(key)
        if not value:
            continue
        if key in ("Principal", "NotPrincipal"):
            value = _principals_json(value)
        elif key == "Condition":
            value = _conditions_json(value)
        out[key] = value
    return out


def _principals_json(principals: list[tuple[str, Any]]) -> Any:
    if len(principals) == 1:
        type_, identifiers = principals[0]
        if type_ == "*" and identifiers in ("*", ["*"]):
            return "*"
    grouped: dict[str, Any] = {}
    for type_, identifiers in principals:
        current = grouped.get(type_)
        if isinstance(identifiers, list):
            merged = [] if current is None else ([current] if isinstance(current, str) else list(current))
            grouped[type_] = merged + sorted(identifiers, reverse=True)
        elif current is None:
            grouped[type_] = identifiers
        elif isinstance(current, str):
            grouped[type_] = [current, identifiers]
        else:
            grouped[type_] = [*current, identifiers]
    return {k: grouped[k] for k in sorted(grouped)}


def _conditions_json(conditions: list[tuple[str, str, list[str]]]) -> dict[str, Any]:
    raw: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        raw.setdefault(test, {}).setdefault(variable, []).extend(values)
    return {
        test: {var: (vals[0] if len(vals) == 1 else vals) for var, vals in sorted(raw[test].items())}
        for test in sorted(raw)
    }


def _go_escape(text: str) -> str:
    """encoding/json escapes HTML-significant characters and line/paragraph separators."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
