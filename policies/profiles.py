"""Which rules block a deploy: the production profile makes every rule mandatory; the
development profile keeps security and tenant rules mandatory and makes resilience
rules advisory (a dev stack may run one AZ, but may never leak data).
"""

from __future__ import annotations

from enum import StrEnum

from pulumi_policy import EnforcementLevel

from policies.rule import Category, Rule


class Profile(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"


# Stack tiers (crossdock:environment.tier) and the profile that gates them; staging
# rehearses production changes, so it is gated like production.
PROFILE_FOR_TIER: dict[str, Profile] = {
    "production": Profile.PRODUCTION,
    "staging": Profile.PRODUCTION,
    "development": Profile.DEVELOPMENT,
}
DEFAULT_PROFILE = Profile.PRODUCTION


def enforcement(rule: Rule, profile: Profile) -> EnforcementLevel:
    """The enforcement level of one rule under one profile."""
    if profile is Profile.DEVELOPMENT and rule.category is Category.RESILIENCE:
        return EnforcementLevel.ADVISORY
    return EnforcementLevel.MANDATORY
