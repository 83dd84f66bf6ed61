"""Static facts about AWS regions that stack validation and templates rely on.

A static table keeps validation offline and deterministic; it lists the commercial
regions a logistics platform is likely to run in. Extend it when AWS adds zones.
"""

from __future__ import annotations

# Number of availability zones AWS offers to every account in each region.
AZ_COUNT: dict[str, int] = {
    "us-east-1": 6,
    "us-east-2": 3,
    "us-west-1": 2,
    "us-west-2": 4,
    "ca-central-1": 3,
    "sa-east-1": 3,
    "eu-west-1": 3,
    "eu-west-2": 3,
    "eu-west-3": 3,
    "eu-central-1": 3,
    "eu-central-2": 3,
    "eu-north-1": 3,
    "eu-south-1": 3,
    "ap-south-1": 3,
    "ap-southeast-1": 3,
    "ap-southeast-2": 3,
    "ap-northeast-1": 3,
    "ap-northeast-2": 4,
    "me-central-1": 3,
}

# The DR partner each primary region fails over to: same legal area, different
# power grid and seismic zone. Used by templates and documented in docs/regions.md.
DR_PAIRING: dict[str, str] = {
    "us-east-1": "us-west-2",
    "us-east-2": "us-west-2",
    "us-west-1": "us-east-2",
    "us-west-2": "us-east-1",
    "ca-central-1": "us-east-2",
    "sa-east-1": "us-east-1",
    "eu-west-1": "eu-central-1",
    "eu-west-2": "eu-west-1",
    "eu-west-3": "eu-central-1",
    "eu-central-1": "eu-west-1",
    "eu-central-2": "eu-central-1",
    "eu-north-1": "eu-central-1",
    "eu-south-1": "eu-central-1",
    "ap-south-1": "ap-southeast-1",
    "ap-southeast-1": "ap-northeast-1",
    "ap-southeast-2": "ap-southeast-1",
    "ap-northeast-1": "ap-northeast-2",
    "ap-northeast-2": "ap-northeast-1",
    "me-central-1": "eu-central-1",
}
