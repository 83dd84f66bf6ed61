"""Build the argument objects pulumi-policy hands to rules, for unit-testing one rule at a time.

The shapes mirror what the real CLI passes: camelCase wire-name props, numbers as
floats, options with protect and parent, a provider when one is explicit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError

from policies.rule import Rule

STACK = "test"
PROJECT = "crossdock"


def urn_of(resource_type: str, name: str) -> str:
    return f"urn:pulumi:{STACK}::{PROJECT}::{resource_type}::{name}"


def options(protect: bool = False, parent: str | None = None) -> PolicyResourceOptions:
    return PolicyResourceOptions(protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], parent)


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "subject",
    protect: bool = False,
    parent: str | None = None,
    provider_region: str | None = None,
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    provider = None
    if provider_region is not None:
        provider = PolicyProviderResource(
            "pulumi:providers:aws", {"region": provider_region}, urn_of("pulumi:providers:aws", "p"), "p"
        )
    return ResourceValidationArgs(
        resource_type, dict(props), urn_of(resource_type, name), name, options(protect, parent), provider, config
    )


def policy_resource(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str,
    protect: bool = False,
    parent: PolicyResource | None = None,
    dependencies: Sequence[PolicyResource] = (),
    property_dependencies: Mapping[str, Sequence[PolicyResource]] | None = None,
    provider_region: str | None = None,
) -> PolicyResource:
    """A stack-policy resource; parent and dependencies are other PolicyResources, as in the SDK."""
    provider = None
    if provider_region is not None:
        provider = PolicyProviderResource(
            "pulumi:providers:aws", {"region": provider_region}, urn_of("pulumi:providers:aws", "p"), "p"
        )
    return PolicyResource(
        resource_type,
        dict(props),
        urn_of(resource_type, name),
        name,
        options(protect, parent.urn if parent else None),
        provider,
        parent,
        list(dependencies),
        {key: list(value) for key, value in (property_dependencies or {}).items()},
    )


def violations(
    rule: Rule, subject: ResourceValidationArgs | Sequence[PolicyResource], config: Mapping[str, Any] | None = None
) -> list[str]:
    """Run one rule and return its violation messages ([] when compliant or not applicable)."""
    found: list[str] = []

    def report(message: str, urn: str | None = None) -> None:
        found.append(message)

    if isinstance(subject, ResourceValidationArgs):
        args = subject
    else:
        args = StackValidationArgs(list(subject), config)
    try:
        rule.policy.validate(args, report)
    except _NotApplicableError:
        return []
    return found
