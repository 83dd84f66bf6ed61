"""Offline answers for the AWS data-source invokes programs commonly call.

Programs look up AZs, the account, the region, AMIs and IAM policy documents
while they build resources; without answers they would fail or produce empty
subnets. Each handler gets the invoke's camelCase args and the region the call
applies to, and returns the camelCase result the provider would.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from crossdock.engine.aws_resources import ACCOUNT_ID, default_vpc_id
from crossdock.engine.policy_document import render_policy_document
from crossdock.engine.regions import _AZ_TABLE, availability_zones, dns_suffix, partition

Args = dict[str, Any]
Tags = dict[str, str]
Handler = Callable[[Args, str, Tags], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

_REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "Europe (Ireland)",
    "eu-west-2": "Europe (London)",
    "eu-west-3": "Europe (Paris)",
    "eu-central-1": "Europe (Frankfurt)",
    "eu-north-1": "Europe (Stockholm)",
    "ap-southeast-1": "Asia Pacific (Singapore)",
    "ap-southeast-2": "Asia Pacific (Sydney)",
    "ap-northeast-1": "Asia Pacific (Tokyo)",
    "ca-central-1": "Canada (Central)",
    "sa-east-1": "South America (Sao Paulo)",
}
_AMI_OWNERS = {
    "amazon": "137112412989",
    "canonical": "099720109477",
    "self": ACCOUNT_ID,
    "aws-marketplace": "679593333241",
}


def handler(token: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[token] = fn
        return fn

    return register


def answer(token: str, args: dict[str, Any], region: str, default_tags: dict[str, str]) -> dict[str, Any] | None:
    """The invoke result, or None when the token is not modelled offline."""
    fn = HANDLERS.get(token)
    return None if fn is None else fn(args, region, default_tags)


def _hex(*parts: Any, n: int = 16) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:n]


@handler("aws:index/getAvailabilityZones:getAvailabilityZones")
def _availability_zones(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    excluded_names = set(args.get("excludeNames") or [])
    excluded_ids = set(args.get("excludeZoneIds") or [])
    zones = [(n, z) for n, z in availability_zones(region) if n not in excluded_names and z not in excluded_ids]
    return {
        **args,
        "id": region,
        "names": [n for n, _ in zones],
        "zoneIds": [z for _, z in zones],
        "groupNames": [region for _ in zones],
        "region": region,
    }


@handler("aws:index/getAvailabilityZone:getAvailabilityZone")
def _availability_zone(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    zones = availability_zones(region)
    name, zone_id = next(
        ((n, z) for n, z in zones if n == args.get("name") or z == args.get("zoneId")),
        zones[0],
    )
    return {
        **args,
        "id": name,
        "name": name,
        "zoneId": zone_id,
        "nameSuffix": name[len(region) :],
        "region": region,
        "groupName": region,
        "networkBorderGroup": region,
        "state": "available",
        "zoneType": "availability-zone",
        "optInStatus": "opt-in-not-required",
    }


@handler("aws:index/getCallerIdentity:getCallerIdentity")
def _caller_identity(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    return {
        "id": ACCOUNT_ID,
        "accountId": ACCOUNT_ID,
        "arn": f"arn:{partition(region)}:iam::{ACCOUNT_ID}:user/crossdock-offline",
        "userId": "AIDAOFFLINECROSSDOCK1",
    }


@handler("aws:index/getRegion:getRegion")
def _region(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = args.get("region") or args.get("name") or region
    return {
        **args,
        "id": name,
        "name": name,
        "region": name,
        "endpoint": f"ec2.{name}.{dns_suffix(name)}",
        "description": _REGION_NAMES.get(name, name),
    }


@handler("aws:index/getRegions:getRegions")
def _regions(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    names = sorted(r for r in _AZ_TABLE if partition(r) == partition(region))
    return {**args, "id": partition(region), "names": names}


@handler("aws:index/getPartition:getPartition")
def _partition(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    p = partition(region)
    return {
        "id": p,
        "partition": p,
        "dnsSuffix": dns_suffix(region),
        "reverseDnsPrefix": "cn.com.amazonaws" if p == "aws-cn" else "com.amazonaws",
    }


@handler("aws:index/getDefaultTags:getDefaultTags")
def _default_tags(args: Args, region: str, tags: Tags) -> dict[str, Any]:
    return {**args, "id": "aws", "tags": dict(tags)}


@handler("aws:index/getServicePrincipal:getServicePrincipal")
def _service_principal(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    service = args.get("serviceName", "")
    suffix = dns_suffix(region)
    return {**args, "id": f"{service}.{region}", "name": f"{service}.{suffix}", "suffix": suffix, "region": region}


@handler("aws:index/getArn:getArn")
def _arn(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    arn = str(args.get("arn", ""))
    parts = arn.split(":", 5) + [""] * 6
    return {
        **args,
        "id": arn,
        "partition": parts[1],
        "service": parts[2],
        "region": parts[3],
        "account": parts[4],
        "resource": parts[5],
    }


@handler("aws:ec2/getAmi:getAmi")
def _ami(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    filters = {f.get("name"): list(f.get("values") or []) for f in args.get("filters") or [] if isinstance(f, dict)}
    pattern = (filters.get("name") or [args.get("nameRegex") or "offline-image-*"])[0]
    name = str(pattern).replace("*", "20240101.0").replace("?", "0")
    arch = (filters.get("architecture") or ["arm64" if "arm64" in name else "x86_64"])[0]
    owners = list(args.get("owners") or [])
    owner = next((o for o in owners if o.isdigit()), _AMI_OWNERS.get(owners[0], ACCOUNT_ID) if owners else ACCOUNT_ID)
    ami_id = "ami-0" + _hex(region, args.get("filters"), owners, args.get("nameRegex"))
    alias = owners[0] if owners and owners[0] in ("amazon", "aws-marketplace") else None
    return {
        **args,
        "id": ami_id,
        "imageId": ami_id,
        "arn": f"arn:{partition(region)}:ec2:{region}::image/{ami_id}",
        "name": name,
        "description": f"{name} (offline)",
        "architecture": arch,
        "ownerId": owner,
        "imageOwnerAlias": alias,
        "imageLocation": f"{alias or owner}/{name}",
        "imageType": "machine",
        "creationDate": "2024-01-01T00:00:00.000Z",
        "deprecationTime": "2026-01-01T00:00:00.000Z",
        "state": "available",
        "public": True,
        "rootDeviceName": "/dev/xvda",
        "rootDeviceType": "ebs",
        "rootSnapshotId": "snap-0" + _hex("snap", ami_id),
        "virtualizationType": filters.get("virtualization-type", ["hvm"])[0],
        "hypervisor": "xen",
        "enaSupport": True,
        "sriovNetSupport": "simple",
        "platformDetails": "Linux/UNIX",
        "usageOperation": "RunInstances",
        "blockDeviceMappings": [
            {
                "deviceName": "/dev/xvda",
                "ebs": {
                    "volume_size": "8",
                    "volume_type": "gp3",
                    "encrypted": "false",
                    "delete_on_termination": "true",
                    "snapshot_id": "snap-0" + _hex("snap", ami_id),
                },
                "noDevice": "",
                "virtualName": "",
            }
        ],
        "productCodes": [],
        "tags": {},
        "mostRecent": bool(args.get("mostRecent", False)),
    }


@handler("aws:ec2/getVpc:getVpc")
def _vpc(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    default = bool(args.get("default")) or not (
        args.get("id") or args.get("cidrBlock") or args.get("filters") or args.get("tags")
    )
    vpc_id = args.get("id") or (default_vpc_id(region) if default else "vpc-0" + _hex(region, args))
    return {
        **args,
        "id": vpc_id,
        "arn": f"arn:{partition(region)}:ec2:{region}:{ACCOUNT_ID}:vpc/{vpc_id}",
        "cidrBlock": args.get("cidrBlock") or ("172.31.0.0/16" if default else "10.0.0.0/16"),
        "default": default,
        "state": "available",
        "ownerId": ACCOUNT_ID,
        "enableDnsSupport": True,
        "enableDnsHostnames": default,
        "instanceTenancy": "default",
        "mainRouteTableId": "rtb-0" + _hex("main", vpc_id),
        "dhcpOptionsId": "dopt-0" + _hex("dopt", region),
        "tags": args.get("tags") or {},
    }


@handler("aws:ec2/getSubnets:getSubnets")
def _subnets(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    ids = ["subnet-0" + _hex(region, args, zone) for zone, _ in availability_zones(region)]
    return {**args, "id": region, "ids": ids}


@handler("aws:iam/getPolicyDocument:getPolicyDocument")
def _policy_document(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    return render_policy_document(args)


@handler("aws:lb/getLoadBalancer:getLoadBalancer")
def _load_balancer(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    """An application load balancer named as asked (e.g. one the AWS Load Balancer Controller made)."""
    name = args.get("name") or ("lb-" + _hex(region, args, n=8))
    suffix = f"app/{name}/{_hex('lb', region, name)}"
    arn = f"arn:{partition(region)}:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/{suffix}"
    return {
        **args,
        "id": arn,
        "arn": arn,
        "arnSuffix": suffix,
        "name": name,
        "dnsName": f"{name}-{int(_hex('dns', name), 16) % 10**10:010d}.{region}.elb.{dns_suffix(region)}",
        "loadBalancerType": "application",
        "internal": False,
        "tags": args.get("tags") or {},
    }
