"""The CrossGuard entry point: `pulumi preview --policy-pack policies`.

Only builds the pack: `PolicyPack(...)` starts the analyzer server and blocks, so
tests and the offline gate import the rule objects from `policies.rules` instead.
The profile comes from CROSSDOCK_POLICY_PROFILE (production by default), e.g.
`CROSSDOCK_POLICY_PROFILE=development pulumi preview --stack dev --policy-pack policies`.
"""

import os
import sys
from pathlib import Path

# The CLI runs this file directly; make the repository importable.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import PolicyPack

from policies.profiles import DEFAULT_PROFILE, Profile, enforcement
from policies.rules import RULES

profile = Profile(os.environ.get("CROSSDOCK_POLICY_PROFILE", DEFAULT_PROFILE.value))
for rule in RULES:
    rule.policy.enforcement_level = enforcement(rule, profile)

PolicyPack(name="crossdock", policies=[rule.policy for rule in RULES])
