"""Evaluate the policy pack's own rule objects in-process, with the Pulumi CLI's semantics.

The real CLI hands a Python pack `ResourceValidationArgs` per resource (inputs in
camelCase wire names, options, provider, per-policy config) and one
`StackValidationArgs` with every resource linked to its parent and dependencies.
This module builds exactly those objects from the offline engine's graph, so a rule
behaves the same under `pulumi preview --policy-pack` and `crossdock check`.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterable, Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError

from crossdock.engine import STACK_TYPE, Plan, Resource
from crossdock.gate.findings import Enforcement, Finding, Source
from crossdock.gate.policy_config import PolicyConfig
from policies.profiles import Profile, enforcement
from policies.rule import Rule


def evaluate(
    plan: Plan,
    rules: Iterable[Rule],
    profile: Profile,
    policy_config: PolicyConfig | None = None,
) -> list[Finding]:
    """Run every rule over the plan and return its violations as findings."""
    policy_config = policy_config or PolicyConfig()
    graph = _PolicyGraph(plan)
    findings: list[Finding] = []
    for rule in rules:
        level = policy_config.enforcement.get(rule.id) or enforcement(rule, profile)
        if level is EnforcementLevel.DISABLED:
            continue
        config = _config_with_defaults(rule, policy_config.values.get(rule.id))
        if isinstance(rule.policy, ResourceValidationPolicy):
            for record in graph.records:
                resource_args = graph.resource_args(record, config)
                findings.extend(_run(rule, level, resource_args, graph, default_urn=record.urn))
        else:
            stack_args = StackValidationArgs(graph.resources, config)
            findings.extend(_run(rule, level, stack_args, graph, default_urn=None))
    return findings


def stack_validation_args(plan: Plan, config: Mapping[str, Any] | None = None) -> StackValidationArgs:
    """The plan as the StackValidationArgs a stack rule sees (for tools that read the graph like a rule)."""
    return StackValidationArgs(_PolicyGraph(plan).resources, dict(config or {}))


def _run(rule: Rule, level: EnforcementLevel, args: Any, graph: _PolicyGraph, default_urn: str | None) -> list[Finding]:
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    try:
        result = rule.policy.validate(args, report)
        if inspect.isawaitable(result):
            asyncio.run(_await(result))
    except _NotApplicableError:
        return []
    except Exception as error:  # noqa: BLE001 - a crashing rule must fail the gate, not the tool
        reported.append((f"rule raised {type(error).__name__}: {error}", None))
    return [graph.finding(rule, level, message, urn or default_urn) for message, urn in reported]


async def _await(awaitable: Any) -> None:
    await awaitable


def _config_with_defaults(rule: Rule, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """Per-policy config as the CLI builds it: schema defaults overlaid with the given values."""
    schema = rule.policy.config_schema
    defaults = {}
    if schema is not None:
        for key, spec in (schema.properties or {}).items():
            if isinstance(spec, Mapping) and "default" in spec:
                defaults[key] = spec["default"]
    return {**defaults, **(given or {})}


class _PolicyGraph:
    """The plan's resources as pulumi-policy objects, linked the way the CLI links them."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.records = [record for record in plan.resources if record.type != STACK_TYPE]
        self.by_urn = {record.urn: record for record in plan.resources}
        self._providers: dict[str, PolicyProviderResource | None] = {}
        self._policy_resources: dict[str, PolicyResource] = {}
        for record in self.records:
            self._policy_resources[record.urn] = PolicyResource(
                record.type,
                record.inputs,
                record.urn,
                record.name,
                self._options(record),
                self._provider(record),
                None,
                [],
                {},
            )
        # Link parents and dependencies once every object exists (the CLI resolves them the same way).
        for record in self.records:
            resource = self._policy_resources[record.urn]
            resource.parent = self._policy_resources.get(record.parent or "")
            resource.dependencies = [
                self._policy_resources[u] for u in record.dependencies if u in self._policy_resources
            ]
            resource.property_dependencies = {
                prop: [self._policy_resources[u] for u in urns if u in self._policy_resources]
                for prop, urns in record.property_dependencies.items()
            }
        self.resources = list(self._policy_resources.values())

    def resource_args(self, record: Resource, config: Mapping[str, Any]) -> ResourceValidationArgs:
        resource = self._policy_resources[record.urn]
        return ResourceValidationArgs(
            record.type, record.inputs, record.urn, record.name, resource.opts, resource.provider, config
        )

    def finding(self, rule: Rule, level: EnforcementLevel, message: str, urn: str | None) -> Finding:
        record = self.by_urn.get(urn or "")
        return Finding(
            rule=rule.id,
            source=Source.POLICY,
            severity=rule.policy.severity.value if rule.policy.severity else "medium",
            enforcement=Enforcement.MANDATORY if level is EnforcementLevel.MANDATORY else Enforcement.ADVISORY,
            urn=urn
            or f"urn:pulumi:{self.plan.stack}::{self.plan.project}::{STACK_TYPE}::{self.plan.project}-{self.plan.stack}",
            name=record.name if record else f"{self.plan.project}-{self.plan.stack}",
            type=record.type if record else STACK_TYPE,
            message=message,
            remediation=rule.policy.remediation_steps or "",
            description=rule.policy.description,
            file=record.source_file if record else None,
            line=record.source_line if record else None,
        )

    def _options(self, record: Resource) -> PolicyResourceOptions:
        options = PolicyResourceOptions(
            record.protect,
            list(record.ignore_changes),
            record.delete_before_replace,
            [alias for alias in record.aliases if isinstance(alias, str)],
            PolicyCustomTimeouts(0, 0, 0),
            [],
            record.parent or None,
        )
        # Not part of the CLI's analyzer options; rules read it with getattr(..., False).
        options.retain_on_delete = record.retain_on_delete  # type: ignore[attr-defined]
        return options

    def _provider(self, record: Resource) -> PolicyProviderResource | None:
        provider_urn = record.provider or ""
        if not provider_urn:
            return self._default_provider(record)
        if provider_urn not in self._providers:
            provider = self.by_urn.get(provider_urn)
            self._providers[provider_urn] = (
                PolicyProviderResource(provider.type, provider.inputs, provider.urn, provider.name)
                if provider
                else None
            )
        return self._providers[provider_urn]

    def _default_provider(self, record: Resource) -> PolicyProviderResource | None:
        """The CLI names the default provider too; for AWS it carries the stack's aws:region."""
        package = record.type.split(":", 1)[0]
        if not record.custom or package in ("pulumi", ""):
            return None
        key = f"default:{package}"
        if key not in self._providers:
            name = f"default_{package}"
            props = (
                {"region": self.plan.config["aws:region"]}
                if package == "aws" and "aws:region" in self.plan.config
                else {}
            )
            urn = f"urn:pulumi:{self.plan.stack}::{self.plan.project}::pulumi:providers:{package}::{name}"
            self._providers[key] = PolicyProviderResource(f"pulumi:providers:{package}", props, urn, name)
        return self._providers[key]
