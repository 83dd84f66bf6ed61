"""Which AWS region (and provider default tags) apply to a resource or invoke.

pulumi-aws 7 resolves a resource's region as: its own `region` input, else its
explicit provider's `region`, else the stack's `aws:region`. The recorder and
the mocks share one `RegionResolver` so the graph and the computed ARNs agree.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from crossdock.engine.wire import is_unknown

DEFAULT_REGION = "us-east-1"
AWS_PROVIDER_TYPE = "pulumi:providers:aws"

# Real availability-zone letters per region (what a typical account sees), and the
# zone-id prefix AWS uses for the region.
_AZ_TABLE: dict[str, tuple[str, str]] = {
    "us-east-1": ("abcdef", "use1"),
    "us-east-2": ("abc", "use2"),
    "us-west-1": ("ac", "usw1"),
    "us-west-2": ("abcd", "usw2"),
    "ca-central-1": ("abd", "cac1"),
    "ca-west-1": ("abc", "caw1"),
    "sa-east-1": ("abc", "sae1"),
    "eu-west-1": ("abc", "euw1"),
    "eu-west-2": ("abc", "euw2"),
    "eu-west-3": ("abc", "euw3"),
    "eu-central-1": ("abc", "euc1"),
    "eu-central-2": ("abc", "euc2"),
    "eu-north-1": ("abc", "eun1"),
    "eu-south-1": ("abc", "eus1"),
    "eu-south-2": ("abc", "eus2"),
    "ap-south-1": ("abc", "aps1"),
    "ap-south-2": ("abc", "aps2"),
    "ap-southeast-1": ("abc", "apse1"),
    "ap-southeast-2": ("abc", "apse2"),
    "ap-southeast-3": ("abc", "apse3"),
    "ap-southeast-4": ("abc", "apse4"),
    "ap-northeast-1": ("acd", "apne1"),
    "ap-northeast-2": ("abcd", "apne2"),
    "ap-northeast-3": ("abc", "apne3"),
    "ap-east-1": ("abc", "ape1"),
    "me-south-1": ("abc", "mes1"),
    "me-central-1": ("abc", "mec1"),
    "il-central-1": ("abc", "ilc1"),
    "af-south-1": ("abc", "afs1"),
    "cn-north-1": ("abd", "cnn1"),
    "cn-northwest-1": ("abc", "cnnw1"),
    "us-gov-west-1": ("abc", "usgw1"),
    "us-gov-east-1": ("abc", "usge1"),
}


def availability_zones(region: str) -> list[tuple[str, str]]:
    """(zone name, zone id) pairs for a region; unknown regions get three zones a-c."""
    letters, prefix = _AZ_TABLE.get(region, ("abc", "".join(p[:1] for p in region.split("-")[:-1]) + region[-1:]))
    return [(f"{region}{letter}", f"{prefix}-az{i + 1}") for i, letter in enumerate(letters)]


def partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def dns_suffix(region: str) -> str:
    return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"


def is_aws_type(type_: str) -> bool:
    return type_.startswith("aws:") or type_ == AWS_PROVIDER_TYPE


@dataclass
class ProviderSettings:
    region: str
    default_tags: dict[str, str] = field(default_factory=dict)


class RegionResolver:
    """Tracks explicit AWS providers and answers "which region does this apply to?"."""

    def __init__(self, stack_region: str | None, default_tags: dict[str, str] | None = None) -> None:
        self.stack_region = stack_region
        self.default = ProviderSettings(stack_region or DEFAULT_REGION, dict(default_tags or {}))
        self._by_urn: dict[str, ProviderSettings] = {}
        self._by_id: dict[str, ProviderSettings] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> RegionResolver:
        """Build from stack config: `aws:region` and `aws:defaultTags` (a JSON object)."""
        return cls(config.get("aws:region") or None, _default_tags(config.get("aws:defaultTags")))

    def register_provider(
        self, inputs: dict[str, Any], urn: str | None = None, id_: str | None = None
    ) -> ProviderSettings:
        """Remember an explicit aws provider by URN and/or id (provider refs are `urn::id`)."""
        region = inputs.get("region")
        settings = ProviderSettings(
            region if isinstance(region, str) and region and not is_unknown(region) else self.default.region,
            _default_tags(inputs.get("defaultTags")),
        )
        with self._lock:
            if urn:
                self._by_urn[urn] = settings
            if id_:
                self._by_id[id_] = settings
        return settings

    def provider(self, ref: str | None) -> ProviderSettings:
        """Settings of the provider a reference points to ("" or unknown -> the default provider)."""
        if not ref:
            return self.default
        urn, _, id_ = ref.rpartition("::")
        found = self._by_urn.get(urn or ref) or self._by_id.get(id_)
        return found or self.default

    def region_for(self, type_: str, inputs: dict[str, Any], provider_ref: str | None) -> str | None:
        """The region rule for aws types; None for every other package."""
        if not is_aws_type(type_):
            return None
        region = inputs.get("region")
        if isinstance(region, str) and region and not is_unknown(region):
            return region
        if type_ == AWS_PROVIDER_TYPE:
            return self.default.region
        return self.provider(provider_ref).region


def _default_tags(raw: Any) -> dict[str, str]:
    """Provider `defaultTags` arrive as JSON text (`{"tags": {...}}`) or as a dict."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if isinstance(raw, dict):
        tags = raw.get("tags")
        if isinstance(tags, dict):
            return {str(k): v for k, v in tags.items() if isinstance(v, str)}
    return {}
