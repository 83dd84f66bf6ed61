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


# -- common look-ups of existing resources (answers are deterministic functions of the arguments) --

_SUBNETS: dict[str, tuple[str, int, str]] = {}
"""Subnet ids handed out by getSubnets -> (region, zone index, vpc id), so getSubnet can describe them."""


def _default_subnet_cidr(index: int) -> str:
    return f"172.31.{index * 16}.0/20"  # the default VPC's /20 per zone


def _arn_for(region: str, service: str, resource: str, *, account: str = ACCOUNT_ID, regional: bool = True) -> str:
    return f"arn:{partition(region)}:{service}:{region if regional else ''}:{account}:{resource}"


@handler("aws:route53/getZone:getZone")
def _route53_zone(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    zone_id = args.get("zoneId") or ("Z" + _hex("zone", args.get("name"), args.get("privateZone"), n=20).upper())
    name = str(args.get("name") or "example.com").rstrip(".")
    if name.startswith("example.com") and args.get("zoneId"):
        name = "example.com"
    servers = [
        f"ns-{int(_hex(zone_id, i), 16) % 2048}.awsdns-{i:02d}.{tld}"
        for i, tld in enumerate(("com", "net", "org", "co.uk"))
    ]
    return {
        **args,
        "id": zone_id,
        "zoneId": zone_id,
        "arn": f"arn:{partition(region)}:route53:::hostedzone/{zone_id}",
        "name": name,
        "callerReference": "offline-" + _hex("ref", zone_id, n=8),
        "comment": "",
        "enableAcceleratedRecovery": False,
        "linkedServiceDescription": "",
        "linkedServicePrincipal": "",
        "nameServers": servers,
        "primaryNameServer": servers[0],
        "privateZone": bool(args.get("privateZone", False)),
        "resourceRecordSetCount": 2,
        "tags": args.get("tags") or {},
        "vpcId": args.get("vpcId") or "",
    }


def _subnet_answer(subnet_id: str, region: str, args: dict[str, Any]) -> dict[str, Any]:
    zones = availability_zones(region)
    known = _SUBNETS.get(subnet_id)
    index = known[1] if known else int(_hex("az", subnet_id), 16) % len(zones)
    vpc_id = known[2] if known else (args.get("vpcId") or default_vpc_id(region))
    default = vpc_id == default_vpc_id(region)
    zone, zone_id = zones[index]
    return {
        **args,
        "id": subnet_id,
        "arn": _arn_for(region, "ec2", f"subnet/{subnet_id}"),
        "availabilityZone": zone,
        "availabilityZoneId": zone_id,
        "availableIpAddressCount": 4091,
        "cidrBlock": _default_subnet_cidr(index) if default else f"10.0.{index * 16}.0/20",
        "customerOwnedIpv4Pool": "",
        "defaultForAz": default,
        "enableDns64": False,
        "enableLniAtDeviceIndex": 0,
        "enableResourceNameDnsARecordOnLaunch": False,
        "enableResourceNameDnsAaaaRecordOnLaunch": False,
        "ipv6CidrBlock": "",
        "ipv6CidrBlockAssociationId": "",
        "ipv6Native": False,
        "mapCustomerOwnedIpOnLaunch": False,
        "mapPublicIpOnLaunch": default,
        "outpostArn": "",
        "ownerId": ACCOUNT_ID,
        "privateDnsHostnameTypeOnLaunch": "ip-name",
        "region": region,
        "state": "available",
        "tags": args.get("tags") or {},
        "vpcId": vpc_id,
    }


@handler("aws:ec2/getSubnets:getSubnets")
def _subnets(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    filters = {f.get("name"): list(f.get("values") or []) for f in args.get("filters") or [] if isinstance(f, dict)}
    vpc_id = (filters.get("vpc-id") or [default_vpc_id(region)])[0]
    ids = []
    for index, (zone, _) in enumerate(availability_zones(region)):
        subnet_id = "subnet-0" + _hex(region, args, zone)
        _SUBNETS.setdefault(subnet_id, (region, index, vpc_id))
        ids.append(subnet_id)
    return {**args, "id": region, "ids": ids}


@handler("aws:ec2/getSubnet:getSubnet")
def _subnet(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    subnet_id = args.get("id") or ("subnet-0" + _hex("subnet", region, args))
    return _subnet_answer(subnet_id, region, args)


@handler("aws:ec2/getSecurityGroup:getSecurityGroup")
def _security_group(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    filters = {f.get("name"): list(f.get("values") or []) for f in args.get("filters") or [] if isinstance(f, dict)}
    name = args.get("name") or (filters.get("group-name") or ["default"])[0]
    vpc_id = args.get("vpcId") or (filters.get("vpc-id") or [default_vpc_id(region)])[0]
    group_id = args.get("id") or ("sg-0" + _hex("sg", region, vpc_id, name))
    return {
        **args,
        "id": group_id,
        "arn": _arn_for(region, "ec2", f"security-group/{group_id}"),
        "name": name,
        "description": "default VPC security group" if name == "default" else f"{name} (offline)",
        "region": region,
        "tags": args.get("tags") or {},
        "vpcId": vpc_id,
    }


@handler("aws:ec2/getAmiIds:getAmiIds")
def _ami_ids(args: Args, region: str, tags: Tags) -> dict[str, Any]:
    first = _ami(args, region, tags)["id"]
    return {**args, "id": region, "ids": [first, "ami-0" + _hex("older", first)], "region": region}


_INSTANCE_SIZES = {
    "nano": (2, 0.5),
    "micro": (2, 1),
    "small": (2, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
}


@handler("aws:ec2/getInstanceType:getInstanceType")
def _instance_type(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("instanceType") or "t3.micro")
    family, _, size = name.partition(".")
    if size in _INSTANCE_SIZES:
        vcpus, memory = _INSTANCE_SIZES[size]
    elif size.endswith("xlarge") and size[:-6].isdigit():
        vcpus, memory = 4 * int(size[:-6]), 16 * int(size[:-6])
    else:
        vcpus, memory = 2, 4
    arm = family.endswith("g") or "g." in name or family[:2] in ("a1",)
    return {
        **args,
        "id": name,
        "instanceType": name,
        "defaultVcpus": vcpus,
        "defaultCores": max(vcpus // 2, 1),
        "defaultThreadsPerCore": 2 if vcpus > 1 else 1,
        "memorySize": int(memory * 1024),
        "supportedArchitectures": ["arm64"] if arm else ["x86_64"],
        "currentGeneration": True,
        "burstablePerformanceSupported": family.startswith("t"),
        "freeTierEligible": name in ("t2.micro", "t3.micro"),
        "ebsEncryptionSupport": "supported",
        "ebsOptimizedSupport": "default",
        "ebsNvmeSupport": "required",
        "enaSupport": "required",
        "hypervisor": "nitro",
        "networkPerformance": "Up to 5 Gigabit",
        "maximumNetworkInterfaces": 3,
        "maximumIpv4AddressesPerInterface": 6,
        "maximumIpv6AddressesPerInterface": 6,
        "ipv6Supported": True,
        "supportedRootDeviceTypes": ["ebs"],
        "supportedUsagesClasses": ["on-demand", "spot"],
        "supportedVirtualizationTypes": ["hvm"],
        "region": region,
    }


@handler("aws:acm/getCertificate:getCertificate")
def _certificate(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    domain = str(args.get("domain") or "example.com")
    cert_id = str(uuid_from("acm", region, domain))
    arn = _arn_for(region, "acm", f"certificate/{cert_id}")
    return {
        **args,
        "id": arn,
        "arn": arn,
        "domain": domain,
        "status": "ISSUED",
        "certificate": "",
        "certificateChain": "",
        "keyTypes": args.get("keyTypes") or ["RSA_2048"],
        "types": args.get("types") or ["AMAZON_ISSUED"],
        "mostRecent": bool(args.get("mostRecent", False)),
        "tags": args.get("tags") or {},
        "region": region,
    }


@handler("aws:ecr/getAuthorizationToken:getAuthorizationToken")
def _ecr_token(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    registry = args.get("registryId") or ACCOUNT_ID
    password = "offline-" + _hex("ecr-password", registry, region, n=32)
    import base64

    return {
        **args,
        "id": region,
        "registryId": registry,
        "userName": "AWS",
        "password": password,
        "authorizationToken": base64.b64encode(f"AWS:{password}".encode()).decode(),
        "expiresAt": "2030-01-01T00:00:00Z",
        "proxyEndpoint": f"https://{registry}.dkr.ecr.{region}.{dns_suffix(region)}",
        "region": region,
    }


@handler("aws:ecr/getRepository:getRepository")
def _ecr_repository(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("name") or "repository")
    registry = args.get("registryId") or ACCOUNT_ID
    return {
        **args,
        "id": name,
        "name": name,
        "arn": _arn_for(region, "ecr", f"repository/{name}", account=registry),
        "registryId": registry,
        "repositoryUrl": f"{registry}.dkr.ecr.{region}.{dns_suffix(region)}/{name}",
        "encryptionConfigurations": [{"encryptionType": "AES256", "kmsKey": ""}],
        "imageScanningConfigurations": [{"scanOnPush": True}],
        "imageTagMutability": "MUTABLE",
        "imageTagMutabilityExclusionFilters": [],
        "mostRecentImageTags": ["latest"],
        "tags": args.get("tags") or {},
        "region": region,
    }


@handler("aws:ssm/getParameter:getParameter")
def _ssm_parameter(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("name") or "parameter")
    if name.startswith("/aws/service/") and "ami" in name:
        value = "ami-0" + _hex("ssm-ami", region, name)  # public AMI parameters resolve to an image id
    else:
        value = "offline-" + _hex("ssm", region, name, n=12)
    path = name if name.startswith("/") else "/" + name
    return {
        **args,
        "id": name,
        "name": name,
        "arn": _arn_for(region, "ssm", f"parameter{path}"),
        "type": "String",
        "value": value,
        "insecureValue": value,
        "version": 1,
        "withDecryption": bool(args.get("withDecryption", True)),
        "region": region,
    }


def _secret_arn(region: str, name_or_arn: str) -> tuple[str, str]:
    if name_or_arn.startswith("arn:"):
        name = name_or_arn.rsplit(":", 1)[-1].rsplit("-", 1)[0]
        return name_or_arn, name
    return _arn_for(region, "secretsmanager", f"secret:{name_or_arn}-{_hex('s', name_or_arn, n=6)}"), name_or_arn


@handler("aws:secretsmanager/getSecret:getSecret")
def _secret(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    arn, name = _secret_arn(region, str(args.get("arn") or args.get("name") or "secret"))
    return {
        **args,
        "id": arn,
        "arn": arn,
        "name": name,
        "description": "",
        "kmsKeyId": "",
        "policy": "",
        "createdDate": "2024-01-01T00:00:00Z",
        "lastChangedDate": "2024-01-01T00:00:00Z",
        "tags": args.get("tags") or {},
        "type": "",
        "region": region,
    }


@handler("aws:secretsmanager/getSecretVersion:getSecretVersion")
def _secret_version(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    arn, name = _secret_arn(region, str(args.get("secretId") or "secret"))
    stage = args.get("versionStage") or "AWSCURRENT"
    version = args.get("versionId") or str(uuid_from("secret-version", arn, stage))
    return {
        **args,
        "id": f"{arn}|{stage}",
        "arn": arn,
        "secretArn": arn,
        "secretId": args.get("secretId") or name,
        "secretString": "offline-" + _hex("secret-string", arn, n=24),
        "secretBinary": "",
        "versionId": version,
        "versionStage": stage,
        "versionStages": [stage],
        "createdDate": "2024-01-01T00:00:00Z",
        "region": region,
    }


def _key_id(region: str, seed: str) -> str:
    return str(uuid_from("kms", region, seed))


@handler("aws:kms/getAlias:getAlias")
def _kms_alias(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("name") or "alias/aws/s3")
    key_id = _key_id(region, name)
    return {
        **args,
        "id": _arn_for(region, "kms", name),
        "arn": _arn_for(region, "kms", name),
        "name": name,
        "targetKeyId": key_id,
        "targetKeyArn": _arn_for(region, "kms", f"key/{key_id}"),
        "region": region,
    }


@handler("aws:kms/getKey:getKey")
def _kms_key(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    ref = str(args.get("keyId") or "key")
    if ref.startswith("arn:") and ":key/" in ref:
        key_id = ref.rsplit("/", 1)[-1]
    elif len(ref) == 36 and ref.count("-") == 4:
        key_id = ref
    else:
        key_id = _key_id(region, ref)
    aws_managed = ref.startswith("alias/aws/") or ":alias/aws/" in ref
    return {
        **args,
        "id": key_id,
        "keyId": key_id,
        "arn": _arn_for(region, "kms", f"key/{key_id}"),
        "awsAccountId": ACCOUNT_ID,
        "creationDate": "2024-01-01T00:00:00Z",
        "description": "Default key (offline)" if aws_managed else "",
        "enabled": True,
        "keyManager": "AWS" if aws_managed else "CUSTOMER",
        "keySpec": "SYMMETRIC_DEFAULT",
        "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
        "keyState": "Enabled",
        "keyUsage": "ENCRYPT_DECRYPT",
        "multiRegion": False,
        "multiRegionConfigurations": [],
        "origin": "AWS_KMS",
        "cloudHsmClusterId": "",
        "customKeyStoreId": "",
        "deletionDate": "",
        "expirationModel": "",
        "pendingDeletionWindowInDays": 0,
        "validTo": "",
        "xksKeyConfigurations": [],
        "region": region,
    }


@handler("aws:iam/getRole:getRole")
def _iam_role(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("name") or "role")
    return {
        **args,
        "id": name,
        "name": name,
        "arn": f"arn:{partition(region)}:iam::{ACCOUNT_ID}:role/{name}",
        "assumeRolePolicy": json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
        "createDate": "2024-01-01T00:00:00Z",
        "description": "",
        "maxSessionDuration": 3600,
        "path": "/",
        "permissionsBoundary": "",
        "roleLastUseds": [],
        "tags": args.get("tags") or {},
        "uniqueId": "AROA" + _hex("role", name, n=17).upper(),
    }


@handler("aws:iam/getPolicy:getPolicy")
def _iam_policy(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    arn = args.get("arn")
    name = args.get("name") or (str(arn).rsplit("/", 1)[-1] if arn else "policy")
    prefix = args.get("pathPrefix") or "/"
    if not arn:
        arn = f"arn:{partition(region)}:iam::{ACCOUNT_ID}:policy{prefix}{name}"
    return {
        **args,
        "id": arn,
        "arn": arn,
        "name": name,
        "path": prefix,
        "description": "",
        "attachmentCount": 0,
        "policy": json.dumps({"Version": "2012-10-17", "Statement": []}),
        "policyId": "ANPA" + _hex("policy", arn, n=17).upper(),
        "tags": args.get("tags") or {},
    }


_ELB_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "sa-east-1": "507241528517",
}


@handler("aws:elb/getServiceAccount:getServiceAccount")
def _elb_service_account(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = args.get("region") or region
    account = _ELB_ACCOUNTS.get(name, "127311923021")
    return {**args, "id": account, "arn": f"arn:{partition(name)}:iam::{account}:root", "region": name}


@handler("aws:eks/getCluster:getCluster")
def _eks_cluster(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("name") or "cluster")
    oidc = _hex("oidc", region, name, n=32).upper()
    return {
        **args,
        "id": name,
        "name": name,
        "arn": _arn_for(region, "eks", f"cluster/{name}"),
        "clusterId": str(uuid_from("eks", region, name)),
        "createdAt": "2024-01-01T00:00:00Z",
        "endpoint": f"https://{oidc}.gr7.{region}.eks.{dns_suffix(region)}",
        "certificateAuthorities": [
            {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm9mZmxpbmUKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="}
        ],
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{region}.{dns_suffix(region)}/id/{oidc}"}]}],
        "kubernetesNetworkConfigs": [
            {"ipFamily": "ipv4", "serviceIpv4Cidr": "172.20.0.0/16", "serviceIpv6Cidr": "", "elasticLoadBalancings": []}
        ],
        "platformVersion": "eks.1",
        "roleArn": f"arn:{partition(region)}:iam::{ACCOUNT_ID}:role/{name}-cluster",
        "status": "ACTIVE",
        "version": "1.31",
        "vpcConfig": {
            "clusterSecurityGroupId": "sg-0" + _hex("eks-sg", region, name),
            "endpointPrivateAccess": True,
            "endpointPublicAccess": False,
            "publicAccessCidrs": [],
            "securityGroupIds": [],
            "subnetIds": ["subnet-0" + _hex("eks-subnet", region, name, i) for i in range(2)],
            "vpcId": default_vpc_id(region),
        },
        "enabledClusterLogTypes": [],
        "accessConfigs": [{"authenticationMode": "API_AND_CONFIG_MAP"}],
        "deletionProtection": False,
        "tags": args.get("tags") or {},
        "region": region,
    }


@handler("aws:lambda/getFunction:getFunction")
def _lambda_function(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    name = str(args.get("functionName") or "function")
    if name.startswith("arn:"):
        name = name.split(":")[6]
    arn = _arn_for(region, "lambda", f"function:{name}")
    api = f"arn:{partition(region)}:apigateway:{region}:lambda:path/2015-03-31/functions"
    return {
        **args,
        "id": name,
        "functionName": name,
        "arn": arn,
        "qualifiedArn": f"{arn}:$LATEST",
        "invokeArn": f"{api}/{arn}/invocations",
        "qualifiedInvokeArn": f"{api}/{arn}:$LATEST/invocations",
        "responseStreamingInvokeArn": f"{api}/{arn}/response-streaming-invocations",
        "architectures": ["x86_64"],
        "codeSha256": _hex("code", arn, n=43),
        "sourceCodeHash": _hex("code", arn, n=43),
        "sourceCodeSize": 1024,
        "description": "",
        "handler": "index.handler",
        "runtime": "python3.12",
        "role": f"arn:{partition(region)}:iam::{ACCOUNT_ID}:role/{name}-role",
        "memorySize": 128,
        "timeout": 3,
        "version": "$LATEST",
        "qualifier": args.get("qualifier") or "$LATEST",
        "lastModified": "2024-01-01T00:00:00.000+0000",
        "layers": [],
        "tracingConfig": {"mode": "PassThrough"},
        "vpcConfig": {"securityGroupIds": [], "subnetIds": [], "vpcId": "", "ipv6AllowedForDualStack": False},
        "environment": {"variables": {}},
        "deadLetterConfig": {"targetArn": ""},
        "ephemeralStorages": [{"size": 512}],
        "reservedConcurrentExecutions": -1,
        "tags": args.get("tags") or {},
        "region": region,
    }


_ENGINE_VERSIONS = {
    "postgres": ("16.4", "postgres16"),
    "aurora-postgresql": ("16.4", "aurora-postgresql16"),
    "mysql": ("8.0.39", "mysql8.0"),
    "aurora-mysql": ("8.0.mysql_aurora.3.07.1", "aurora-mysql8.0"),
    "mariadb": ("10.11.9", "mariadb10.11"),
}


@handler("aws:rds/getEngineVersion:getEngineVersion")
def _rds_engine_version(args: Args, region: str, _tags: Tags) -> dict[str, Any]:
    engine = str(args.get("engine") or "postgres")
    default_version, family = _ENGINE_VERSIONS.get(engine, ("1.0", engine))
    preferred = list(args.get("preferredVersions") or [])
    version = args.get("version") or (preferred[0] if preferred else default_version)
    if engine in ("postgres", "aurora-postgresql") and str(version).split(".")[0].isdigit():
        family = f"{engine}{str(version).split('.')[0]}"
    return {
        **args,
        "id": str(version),
        "engine": engine,
        "version": str(version),
        "versionActual": str(version),
        "versionDescription": f"{engine} {version}",
        "engineDescription": engine,
        "parameterGroupFamily": family,
        "status": "available",
        "defaultCharacterSet": "",
        "exportableLogTypes": ["postgresql"] if "postgres" in engine else ["error", "general", "slowquery"],
        "supportedCharacterSets": [],
        "supportedFeatureNames": [],
        "supportedModes": [],
        "supportedTimezones": [],
        "supportsGlobalDatabases": engine.startswith("aurora"),
        "supportsLogExportsToCloudwatch": True,
        "supportsParallelQuery": False,
        "supportsReadReplica": True,
        "validUpgradeTargets": [],
        "validMajorTargets": [],
        "validMinorTargets": [],
        "region": region,
    }


def uuid_from(*parts: Any) -> str:
    import uuid

    return str(uuid.UUID(bytes=hashlib.sha256(json.dumps(parts, default=str).encode()).digest()[:16], version=4))
