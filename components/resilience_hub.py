"""The declared recovery objectives as AWS Resilience Hub policies, one per data class.

Teams that use Resilience Hub after deploy assess against the very numbers the stack file
declares, and the policy pack reads the same resources to judge what the graph can
achieve (`crossdock assess`, rule CD-RES-050). The v1 policy map needs az, hardware and
software; region only when the class declares it. A class that does not declare hardware
or software gets its AZ targets there, and the `derived-objectives` tag names those keys
so crossdock never judges a number nobody declared.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.tags import base_tags
from crossdock.config.schema import DataClass, Environment, RecoveryObjective

DERIVED_TAG = "derived-objectives"
# Resilience Hub tiers label a policy; crossdock's numbers are the objectives, so none is claimed.
POLICY_TIER = "NotApplicable"


@dataclass
class ResilienceObjectivesArgs:
    environment: Environment
    data_classes: tuple[DataClass, ...]
    # Policy names are <prefix>-<class>; a silo tenant's stack passes its own so names never collide.
    name_prefix: str | None = None


def go_duration(minutes: float) -> str:
    """Minutes as the Go duration Resilience Hub takes, in whole seconds ("300s")."""
    return f"{round(minutes * 60)}s"


def _objective(objective: RecoveryObjective) -> dict[str, str]:
    return {"rpo": go_duration(objective.rpo_minutes), "rto": go_duration(objective.rto_minutes)}


def policy_map(data_class: DataClass) -> tuple[dict[str, dict[str, str]], list[str]]:
    """The v1 policy map of one data class, and the keys filled in from its AZ targets."""
    objectives = data_class.objectives
    derived = [key for key in ("hardware", "software") if getattr(objectives, key) is None]
    policy = {
        "az": _objective(objectives.az),
        "hardware": _objective(objectives.hardware or objectives.az),
        "software": _objective(objectives.software or objectives.az),
    }
    if objectives.region is not None:
        policy["region"] = _objective(objectives.region)
    return policy, derived


class ResilienceObjectives(pulumi.ComponentResource):
    """One aws.resiliencehub.ResiliencyPolicy per data class, named <env>-<class> (or <name_prefix>-<class>)."""

    def __init__(self, name: str, args: ResilienceObjectivesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("crossdock:resilience:ResilienceObjectives", name, None, opts)
        env = args.environment
        self.policies: dict[str, aws.resiliencehub.ResiliencyPolicy] = {}
        for data_class in args.data_classes:
            policy, derived = policy_map(data_class)
            extra = {DERIVED_TAG: " ".join(derived)} if derived else {}
            self.policies[data_class.name] = aws.resiliencehub.ResiliencyPolicy(
                f"{name}-{data_class.name}",
                name=f"{args.name_prefix or env.name}-{data_class.name}",
                description=(data_class.description or f"Recovery objectives of {data_class.name} data")[:500],
                tier=POLICY_TIER,
                policy=policy,
                tags=base_tags(env, data_class=data_class.name, extra=extra),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.policy_arns = {key: policy.arn for key, policy in self.policies.items()}
        self.register_outputs({"policy_arns": self.policy_arns})
