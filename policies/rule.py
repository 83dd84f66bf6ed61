"""How a crossdock rule is declared: a pulumi-policy object plus the metadata reports need.

Rules are ordinary `ResourceValidationPolicy` / `StackValidationPolicy` objects, so
the real CLI (`pulumi preview --policy-pack policies`) and the offline gate run the
very same code. Enforcement levels are not set here: the pack module applies the
profile (production or development) so one rule set serves every tier.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from pulumi_policy import (
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)


class Category(StrEnum):
    """Resilience rules may be advisory outside production; security and tenant rules never are."""

    RESILIENCE = "resilience"
    SECURITY = "security"
    TENANT = "tenant"


@dataclass(frozen=True)
class Rule:
    """A policy object and what a report says about it."""

    policy: ResourceValidationPolicy | StackValidationPolicy
    category: Category
    checkov_id: str | None

    @property
    def id(self) -> str:
        return self.policy.name


def resource_rule(
    rule_id: str,
    *,
    description: str,
    severity: Severity,
    category: Category,
    remediation: str,
    validate: Callable[[ResourceValidationArgs, ReportViolation], None],
    checkov_id: str | None = None,
    config_schema: PolicyConfigSchema | None = None,
) -> Rule:
    """Declare a rule that sees one resource at a time."""
    return _declare(
        ResourceValidationPolicy,
        rule_id,
        description,
        severity,
        category,
        remediation,
        validate,
        checkov_id,
        config_schema,
    )


def stack_rule(
    rule_id: str,
    *,
    description: str,
    severity: Severity,
    category: Category,
    remediation: str,
    validate: Callable[[StackValidationArgs, ReportViolation], None],
    checkov_id: str | None = None,
    config_schema: PolicyConfigSchema | None = None,
) -> Rule:
    """Declare a rule that sees every resource of the stack (relations: alarms, DLQs, DR copies)."""
    return _declare(
        StackValidationPolicy,
        rule_id,
        description,
        severity,
        category,
        remediation,
        validate,
        checkov_id,
        config_schema,
    )


def _declare(
    policy_class: type[ResourceValidationPolicy] | type[StackValidationPolicy],
    rule_id: str,
    description: str,
    severity: Severity,
    category: Category,
    remediation: str,
    validate: Callable,
    checkov_id: str | None,
    config_schema: PolicyConfigSchema | None,
) -> Rule:
    """Build the pulumi-policy object; its tags carry the category and checkov id for the CLI's output."""
    policy = policy_class(
        name=rule_id,
        description=description,
        validate=validate,
        severity=severity,
        remediation_steps=remediation,
        config_schema=config_schema,
        tags=[category.value] + ([f"checkov:{checkov_id}"] if checkov_id else []),
    )
    return Rule(policy=policy, category=category, checkov_id=checkov_id)
