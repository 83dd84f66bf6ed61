"""Deterministic, realistic outputs for AWS resources created offline.

Dependent inputs (a bucket policy's `bucket`, a redrive policy's `deadLetterTargetArn`,
an instance's `vpcSecurityGroupIds`) are only concrete if the resources they come from
return realistic values. Each model turns (type, logical name, inputs, region) into
the physical id and the computed outputs the real provider would report: ids shaped
like AWS's (vpc-0abc..., sg-..., key UUIDs), ARNs with the right service, partition,
region and account, auto-names (`<name>-<7 hex>`), endpoints and URLs.

Everything is derived from a hash of the type and logical name, so two runs of the
same program give byte-identical plans.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from crossdock.engine.regions import availability_zones, dns_suffix, partition
from crossdock.engine.wire import UNKNOWN, is_unknown

ACCOUNT_ID = "123456789012"
GLOBAL_MODULES = frozenset({"iam", "route53", "cloudfront", "organizations", "globalaccelerator", "budgets", "shield"})
"""Modules of global services: their resources have no `region` attribute."""
_ALNUM_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_ALNUM_LOWER = "abcdefghijklmnopqrstuvwxyz0123456789"

# Regions whose S3 website endpoint uses the legacy dash form (s3-website-<region>).
_S3_WEBSITE_DASH = {
    "us-east-1",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "sa-east-1",
    "us-gov-west-1",
}
_S3_HOSTED_ZONES = {
    "us-east-1": "Z3AQBSTGFYJSTF",
    "us-east-2": "Z2O1EMRO9K5GLX",
    "us-west-1": "Z2F56UZL2M1ACD",
    "us-west-2": "Z3BJ6K6RIION7M",
    "eu-west-1": "Z1BKCTXD74EZPE",
    "eu-central-1": "Z21DNDUVLTQW6Q",
    "eu-west-2": "Z3GKZC51ZF0DB4",
    "ap-southeast-1": "Z3O0J2DXBE1FTB",
    "ap-northeast-1": "Z2M4EHUR26P7ZW",
}
_ELB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-west-2": "ZHURV8PSTC4K8",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-northeast-1": "Z14GRHDCWA56QT",
}
_DB_PORTS = {"postgres": 5432, "aurora-postgresql": 5432, "oracle": 1521, "sqlserver": 1433, "db2": 50000}
# Module name -> ARN service name, where they differ.
_ARN_SERVICE = {
    "lb": "elasticloadbalancing",
    "alb": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "ec2transitgateway": "ec2",
    "ebs": "ec2",
    "vpc": "ec2",
    "efs": "elasticfilesystem",
    "sfn": "states",
    "cognito": "cognito-idp",
    "cloudwatch": "cloudwatch",
    "lambda": "lambda",
    "msk": "kafka",
    "opensearch": "es",
    "apigatewayv2": "apigateway",
    "servicediscovery": "servicediscovery",
}


class Ctx:
    """Inputs of one resource plus deterministic generators seeded by its type and name."""

    __slots__ = ("_seed", "account", "inputs", "name", "partition", "region", "type")

    def __init__(self, type_: str, name: str, inputs: dict[str, Any], region: str, account: str = ACCOUNT_ID):
        self.type = type_
        self.name = name
        self.inputs = inputs
        self.region = region
        self.partition = partition(region)
        self.account = account
        self._seed = f"{type_}\x00{name}"

    # deterministic generators ----------------------------------------------------------
    def digest(self, salt: str = "") -> bytes:
        return hashlib.sha256(f"{self._seed}\x00{salt}".encode()).digest()

    def hex(self, n: int = 17, salt: str = "") -> str:
        return self.digest(salt).hex()[:n]

    def uuid(self, salt: str = "") -> str:
        return str(uuid.UUID(bytes=self.digest(salt)[:16], version=4))

    def digits(self, n: int, salt: str = "") -> str:
        return str(int.from_bytes(self.digest(salt), "big"))[-n:].zfill(n)

    def chars(self, n: int, alphabet: str = _ALNUM_UPPER, salt: str = "") -> str:
        value = int.from_bytes(self.digest(salt), "big")
        out = []
        for _ in range(n):
            value, index = divmod(value, len(alphabet))
            out.append(alphabet[index])
        return "".join(out)

    def ip(self, first: int, salt: str) -> str:
        d = self.digest(salt)
        return f"{first}.{d[0]}.{d[1]}.{max(d[2], 4)}"

    # inputs --------------------------------------------------------------------------
    def get(self, key: str, default: Any = None) -> Any:
        value = self.inputs.get(key, default)
        return default if value is None else value

    def named(self, key: str = "name", *, max_len: int = 0, lower: bool = False, suffix: str = "") -> str:
        """The resource's name input, else `<namePrefix><digits>`, else Pulumi's auto-name."""
        value = self.inputs.get(key)
        if isinstance(value, str) and value:
            return value
        prefix = self.inputs.get(f"{key}Prefix") or (self.inputs.get("namePrefix") if key != "name" else None)
        if isinstance(prefix, str) and prefix:
            return prefix + self.digits(26, "prefix")
        base = self.name.lower() if lower else self.name
        if max_len:
            base = base[: max(1, max_len - 8 - len(suffix))]
        return f"{base}-{self.hex(7, 'autoname')}{suffix}"

    # ARNs ----------------------------------------------------------------------------
    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        return f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account if account else ''}:{resource}"

    @property
    def dns(self) -> str:
        return dns_suffix(self.region)

    def first_az(self) -> str:
        return availability_zones(self.region)[0][0]


State = tuple[str, dict[str, Any]]
"""A model's result: the physical id and the computed outputs."""
Model = Callable[[Ctx], State]
MODELS: dict[str, Model] = {}


def model(*types: str) -> Callable[[Model], Model]:
    def register(fn: Model) -> Model:
        for t in types:
            MODELS[t] = fn
        return fn

    return register


def compute(
    type_: str, name: str, inputs: dict[str, Any], region: str, default_tags: dict[str, str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Physical id and full state (inputs + computed outputs) for one AWS resource."""
    ctx = Ctx(type_, name, inputs, region)
    fn = MODELS.get(type_) or _generic
    id_, extra = fn(ctx)
    state = dict(inputs)
    for key, value in extra.items():
        if isinstance(value, str) and UNKNOWN in value and value != UNKNOWN:
            value = UNKNOWN  # built from a value that is unknown during preview
        state[key] = value
    if type_.split(":", 2)[1].split("/", 1)[0] not in GLOBAL_MODULES:
        state.setdefault("region", region)  # pulumi-aws 7 reports the region of regional resources
    tags = inputs.get("tags")
    if is_unknown(tags):
        state["tagsAll"] = UNKNOWN
    elif default_tags or isinstance(tags, dict):
        state["tagsAll"] = {**(default_tags or {}), **(tags if isinstance(tags, dict) else {})}
    if isinstance(id_, str) and UNKNOWN in id_:
        id_ = UNKNOWN
    return id_, state


def _generic(ctx: Ctx) -> tuple[str, dict[str, Any]]:
    """Unmodelled types: a name-shaped id and a plausible ARN for the service."""
    module, _, rest = ctx.type[len("aws:") :].partition("/")
    kind = rest.split(":", 1)[0]
    service = _ARN_SERVICE.get(module, module)
    id_ = ctx.named("name") if isinstance(ctx.inputs.get("name"), str) else f"{ctx.name}-{ctx.hex(7, 'id')}"
    kebab = "".join("-" + c.lower() if c.isupper() else c for c in kind).lstrip("-")
    return id_, {"arn": ctx.arn(service, f"{kebab}/{id_}")}


# -- S3 ---------------------------------------------------------------------------------


@model("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
def _bucket(ctx: Ctx) -> State:
    bucket = ctx.named("bucket", max_len=63, lower=True)
    global_host = f"s3.{ctx.region}.{ctx.dns}" if ctx.region.startswith("cn-") else f"s3.{ctx.dns}"
    return bucket, {
        "bucket": bucket,
        "arn": ctx.arn("s3", bucket, region=False, account=False),
        "bucketDomainName": f"{bucket}.{global_host}",
        "bucketRegionalDomainName": f"{bucket}.s3.{ctx.region}.{ctx.dns}",
        "hostedZoneId": _S3_HOSTED_ZONES.get(ctx.region, "Z" + ctx.chars(13, salt=ctx.region)),
        "forceDestroy": ctx.get("forceDestroy", False),
        "objectLockEnabled": ctx.get("objectLockEnabled", False),
    }


@model(
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketAcl:BucketAcl",
    "aws:s3/bucketAclV2:BucketAclV2",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
    "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
    "aws:s3/bucketNotification:BucketNotification",
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
    "aws:s3/bucketAccelerateConfiguration:BucketAccelerateConfiguration",
    "aws:s3/bucketRequestPaymentConfiguration:BucketRequestPaymentConfiguration",
)
def _bucket_config(ctx: Ctx) -> State:
    return str(ctx.get("bucket", f"{ctx.name}-bucket")), {}


@model(
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
)
def _bucket_website(ctx: Ctx) -> State:
    bucket = str(ctx.get("bucket", f"{ctx.name}-bucket"))
    sep = "-" if ctx.region in _S3_WEBSITE_DASH else "."
    domain = f"s3-website{sep}{ctx.region}.{ctx.dns}"
    return bucket, {"websiteDomain": domain, "websiteEndpoint": f"{bucket}.{domain}"}


@model("aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2")
def _bucket_object(ctx: Ctx) -> State:
    key = str(ctx.get("key", ctx.name))
    return key, {"key": key, "etag": ctx.hex(32, "etag"), "versionId": ""}


# -- messaging ----------------------------------------------------------------------------


@model("aws:sqs/queue:Queue")
def _queue(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=80, suffix=".fifo" if ctx.get("fifoQueue") else "")
    url = f"https://sqs.{ctx.region}.{ctx.dns}/{ctx.account}/{name}"
    return url, {"name": name, "arn": ctx.arn("sqs", name), "url": url}


@model(
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:sqs/redrivePolicy:RedrivePolicy",
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
)
def _queue_attachment(ctx: Ctx) -> State:
    return str(ctx.get("queueUrl", f"{ctx.name}-queue")), {}


@model("aws:sns/topic:Topic")
def _topic(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=256, suffix=".fifo" if ctx.get("fifoTopic") else "")
    arn = ctx.arn("sns", name)
    return arn, {"name": name, "arn": arn, "owner": ctx.account}


@model("aws:sns/topicSubscription:TopicSubscription")
def _subscription(ctx: Ctx) -> State:
    arn = f"{ctx.get('topicArn', ctx.arn('sns', ctx.name))}:{ctx.uuid('sub')}"
    return arn, {"arn": arn, "ownerId": ctx.account, "confirmationWasAuthenticated": True}


@model("aws:sns/topicPolicy:TopicPolicy")
def _topic_policy(ctx: Ctx) -> State:
    return str(ctx.get("arn", ctx.name)), {"owner": ctx.account}


# -- KMS / secrets / SSM ----------------------------------------------------------------


@model(
    "aws:kms/key:Key",
    "aws:kms/replicaKey:ReplicaKey",
    "aws:kms/externalKey:ExternalKey",
    "aws:kms/replicaExternalKey:ReplicaExternalKey",
)
def _kms_key(ctx: Ctx) -> State:
    key_id = (
        ("mrk-" + ctx.hex(32, "key")) if ctx.get("multiRegion") or "replica" in ctx.type.lower() else ctx.uuid("key")
    )
    return key_id, {
        "keyId": key_id,
        "arn": ctx.arn("kms", f"key/{key_id}"),
        "keyUsage": ctx.get("keyUsage", "ENCRYPT_DECRYPT"),
        "customerMasterKeySpec": ctx.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT"),
        "enableKeyRotation": ctx.get("enableKeyRotation", False),
        "isEnabled": ctx.get("isEnabled", True),
    }


@model("aws:kms/alias:Alias")
def _kms_alias(ctx: Ctx) -> State:
    name = ctx.inputs.get("name") or f"alias/{ctx.named('name')}"
    target = str(ctx.get("targetKeyId", ""))
    target_arn = target if target.startswith("arn:") else ctx.arn("kms", f"key/{target}")
    return name, {"name": name, "arn": ctx.arn("kms", name), "targetKeyArn": target_arn}


@model("aws:secretsmanager/secret:Secret")
def _secret(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=512)
    arn = ctx.arn("secretsmanager", f"secret:{name}-{ctx.chars(6, _ALNUM_UPPER + _ALNUM_LOWER, 'suffix')}")
    return arn, {"name": name, "arn": arn}


@model("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(ctx: Ctx) -> State:
    secret = str(ctx.get("secretId", ctx.name))
    version = ctx.uuid("version")
    return f"{secret}|{version}", {"arn": secret, "versionId": version, "versionStages": ["AWSCURRENT"]}


@model("aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secretRotation:SecretRotation")
def _secret_attachment(ctx: Ctx) -> State:
    return str(ctx.get("secretArn", ctx.get("secretId", ctx.name))), {}


@model("aws:ssm/parameter:Parameter")
def _ssm_parameter(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=2048)
    path = name if name.startswith("/") else f"/{name}"
    return name, {
        "name": name,
        "arn": ctx.arn("ssm", f"parameter{path}"),
        "version": 1,
        "tier": ctx.get("tier", "Standard"),
    }


# -- IAM ------------------------------------------------------------------------------------


def _iam_named(ctx: Ctx, kind: str, id_prefix: str, max_len: int = 64) -> State:
    name = ctx.named("name", max_len=max_len)
    path = ctx.get("path", "/")
    return name, {
        "name": name,
        "path": path,
        "arn": ctx.arn("iam", f"{kind}{path}{name}", region=False),
        "uniqueId": id_prefix + ctx.chars(17, salt="unique"),
        "createDate": "2024-01-01T00:00:00Z",
    }


@model("aws:iam/role:Role")
def _role(ctx: Ctx) -> State:
    name, out = _iam_named(ctx, "role", "AROA")
    out["maxSessionDuration"] = ctx.get("maxSessionDuration", 3600)
    return name, out


@model("aws:iam/user:User")
def _user(ctx: Ctx) -> State:
    return _iam_named(ctx, "user", "AIDA")


@model("aws:iam/group:Group")
def _group(ctx: Ctx) -> State:
    return _iam_named(ctx, "group", "AGPA", 128)


@model("aws:iam/instanceProfile:InstanceProfile")
def _instance_profile(ctx: Ctx) -> State:
    return _iam_named(ctx, "instance-profile", "AIPA", 128)


@model("aws:iam/policy:Policy")
def _policy(ctx: Ctx) -> State:
    _name, out = _iam_named(ctx, "policy", "ANPA", 128)
    out["policyId"] = out.pop("uniqueId")
    out["attachmentCount"] = 0
    return out["arn"], out


@model("aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy")
def _inline_policy(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=128)
    owner = ctx.get("role", ctx.get("user", ctx.get("group", "")))
    return f"{owner}:{name}", {"name": name}


@model(
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
)
def _policy_attachment(ctx: Ctx) -> State:
    owner = ctx.get("role", ctx.get("user", ctx.get("group", ctx.name)))
    return f"{owner}-{ctx.digits(26, 'attach')}", {}


@model("aws:iam/serviceLinkedRole:ServiceLinkedRole")
def _service_linked_role(ctx: Ctx) -> State:
    service = str(ctx.get("awsServiceName", "example.amazonaws.com"))
    name = "AWSServiceRoleFor" + "".join(p.capitalize() for p in service.split(".")[0].split("-"))
    arn = ctx.arn("iam", f"role/aws-service-role/{service}/{name}", region=False)
    return arn, {"name": name, "arn": arn, "path": f"/aws-service-role/{service}/", "uniqueId": "AROA" + ctx.chars(17)}


@model("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
def _oidc_provider(ctx: Ctx) -> State:
    url = str(ctx.get("url", "oidc.example.com")).removeprefix("https://")
    arn = ctx.arn("iam", f"oidc-provider/{url}", region=False)
    return arn, {"arn": arn}


@model("aws:iam/accessKey:AccessKey")
def _access_key(ctx: Ctx) -> State:
    key = "AKIA" + ctx.chars(16)
    return key, {"secret": ctx.chars(40, _ALNUM_UPPER + _ALNUM_LOWER, "secret"), "status": "Active"}


# -- EC2 / VPC ---------------------------------------------------------------------------

_EC2_IDS: dict[str, tuple[str, str | None]] = {
    "aws:ec2/vpc:Vpc": ("vpc", "vpc"),
    "aws:ec2/defaultVpc:DefaultVpc": ("vpc", "vpc"),
    "aws:ec2/subnet:Subnet": ("subnet", "subnet"),
    "aws:ec2/defaultSubnet:DefaultSubnet": ("subnet", "subnet"),
    "aws:ec2/securityGroup:SecurityGroup": ("sg", "security-group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ("sg", "security-group"),
    "aws:ec2/internetGateway:InternetGateway": ("igw", "internet-gateway"),
    "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway": ("eigw", None),
    "aws:ec2/natGateway:NatGateway": ("nat", "natgateway"),
    "aws:ec2/routeTable:RouteTable": ("rtb", "route-table"),
    "aws:ec2/defaultRouteTable:DefaultRouteTable": ("rtb", "route-table"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("rtbassoc", None),
    "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation": ("rtbassoc", None),
    "aws:ec2/networkAcl:NetworkAcl": ("acl", "network-acl"),
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": ("acl", "network-acl"),
    "aws:ec2/networkInterface:NetworkInterface": ("eni", "network-interface"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpce", "vpc-endpoint"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("lt", "launch-template"),
    "aws:ec2/flowLog:FlowLog": ("fl", "vpc-flow-log"),
    "aws:ec2/vpcPeeringConnection:VpcPeeringConnection": ("pcx", "vpc-peering-connection"),
    "aws:ec2/customerGateway:CustomerGateway": ("cgw", "customer-gateway"),
    "aws:ec2/vpnGateway:VpnGateway": ("vgw", "vpn-gateway"),
    "aws:ec2/vpnConnection:VpnConnection": ("vpn", "vpn-connection"),
    "aws:ec2/vpcDhcpOptions:VpcDhcpOptions": ("dopt", "dhcp-options"),
    "aws:ec2/eipAssociation:EipAssociation": ("eipassoc", None),
    "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation": ("vpc-cidr-assoc", None),
    "aws:ec2/ami:Ami": ("ami", "image"),
    "aws:ec2/amiCopy:AmiCopy": ("ami", "image"),
    "aws:ec2/placementGroup:PlacementGroup": ("pg", "placement-group"),
    "aws:ebs/volume:Volume": ("vol", "volume"),
    "aws:ebs/snapshot:Snapshot": ("snap", "snapshot"),
    "aws:ec2transitgateway/transitGateway:TransitGateway": ("tgw", "transit-gateway"),
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": ("tgw-attach", "transit-gateway-attachment"),
    "aws:ec2transitgateway/routeTable:RouteTable": ("tgw-rtb", "transit-gateway-route-table"),
    "aws:ec2transitgateway/peeringAttachment:PeeringAttachment": ("tgw-attach", "transit-gateway-attachment"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("sgr", "security-group-rule"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("sgr", "security-group-rule"),
}


def _ec2_id(ctx: Ctx, prefix: str, salt: str = "id") -> str:
    return f"{prefix}-0{ctx.hex(16, salt)}"


def default_vpc_id(region: str) -> str:
    """The id the mocks give a region's default VPC (used by getVpc and unset vpcId)."""
    return "vpc-0" + hashlib.sha256(f"default-vpc\x00{region}".encode()).hexdigest()[:16]


@model(*_EC2_IDS)
def _ec2(ctx: Ctx) -> State:
    prefix, arn_kind = _EC2_IDS[ctx.type]
    id_ = _ec2_id(ctx, prefix)
    out: dict[str, Any] = {}
    if arn_kind:
        out["arn"] = ctx.arn("ec2", f"{arn_kind}/{id_}", account=ctx.type != "aws:ec2/ami:Ami")
    if ctx.type not in ("aws:ec2/routeTableAssociation:RouteTableAssociation",):
        out["ownerId"] = ctx.account
    extra = _EC2_EXTRAS.get(ctx.type)
    if extra:
        out.update(extra(ctx, id_))
    return id_, out


def _vpc_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    default = ctx.type == "aws:ec2/defaultVpc:DefaultVpc"
    return {
        "cidrBlock": ctx.get("cidrBlock", "172.31.0.0/16" if default else UNKNOWN),
        "defaultSecurityGroupId": _ec2_id(ctx, "sg", "default-sg"),
        "defaultNetworkAclId": _ec2_id(ctx, "acl", "default-acl"),
        "defaultRouteTableId": _ec2_id(ctx, "rtb", "main-rtb"),
        "mainRouteTableId": _ec2_id(ctx, "rtb", "main-rtb"),
        "dhcpOptionsId": _ec2_id(ctx, "dopt", "dopt"),
        "instanceTenancy": ctx.get("instanceTenancy", "default"),
        "enableDnsSupport": ctx.get("enableDnsSupport", True),
        "enableDnsHostnames": ctx.get("enableDnsHostnames", default),
    }


def _subnet_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    zones = dict(availability_zones(ctx.region))
    az = ctx.get("availabilityZone")
    if az is None:
        az_id = ctx.get("availabilityZoneId")
        az = next((n for n, z in zones.items() if z == az_id), ctx.first_az())
    return {
        "availabilityZone": az,
        "availabilityZoneId": zones.get(az, UNKNOWN) if not is_unknown(az) else UNKNOWN,
        "mapPublicIpOnLaunch": ctx.get("mapPublicIpOnLaunch", False),
        "assignIpv6AddressOnCreation": ctx.get("assignIpv6AddressOnCreation", False),
    }


def _sg_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    return {
        "name": ctx.named("name", max_len=255),
        "description": ctx.get("description", "Managed by Pulumi"),
        "vpcId": ctx.get("vpcId", default_vpc_id(ctx.region)),
        "revokeRulesOnDelete": ctx.get("revokeRulesOnDelete", False),
    }


def _nat_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    out = {
        "connectivityType": ctx.get("connectivityType", "public"),
        "networkInterfaceId": _ec2_id(ctx, "eni", "eni"),
        "privateIp": ctx.ip(10, "private"),
    }
    if out["connectivityType"] == "public":
        out["publicIp"] = ctx.ip(3, "public")
    return out


def _eip_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    ip = ctx.ip(3, "public")
    return {"allocationId": id_, "publicIp": ip, "domain": ctx.get("domain", "vpc"), "publicDns": _public_dns(ctx, ip)}


def _rule_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    return {"securityGroupRuleId": id_}


def _launch_template_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    return {"name": ctx.named("name", max_len=128), "latestVersion": 1, "defaultVersion": 1}


def _tgw_extra(ctx: Ctx, id_: str) -> dict[str, Any]:
    return {
        "associationDefaultRouteTableId": _ec2_id(ctx, "tgw-rtb", "rtb"),
        "propagationDefaultRouteTableId": _ec2_id(ctx, "tgw-rtb", "rtb"),
        "amazonSideAsn": ctx.get("amazonSideAsn", 64512),
    }


_EC2_EXTRAS: dict[str, Callable[[Ctx, str], dict[str, Any]]] = {
    "aws:ec2/vpc:Vpc": _vpc_extra,
    "aws:ec2/defaultVpc:DefaultVpc": _vpc_extra,
    "aws:ec2/subnet:Subnet": _subnet_extra,
    "aws:ec2/defaultSubnet:DefaultSubnet": _subnet_extra,
    "aws:ec2/securityGroup:SecurityGroup": _sg_extra,
    "aws:ec2/natGateway:NatGateway": _nat_extra,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template_extra,
    "aws:ec2transitgateway/transitGateway:TransitGateway": _tgw_extra,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _rule_extra,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _rule_extra,
}


@model("aws:ec2/eip:Eip")
def _eip(ctx: Ctx) -> State:
    id_ = _ec2_id(ctx, "eipalloc")
    return id_, {"arn": ctx.arn("ec2", f"elastic-ip/{id_}"), **_eip_extra(ctx, id_)}


def _public_dns(ctx: Ctx, ip: str) -> str:
    dashed = ip.replace(".", "-")
    if ctx.region == "us-east-1":
        return f"ec2-{dashed}.compute-1.{ctx.dns}"
    return f"ec2-{dashed}.{ctx.region}.compute.{ctx.dns}"


def _private_dns(ctx: Ctx, ip: str) -> str:
    dashed = ip.replace(".", "-")
    return f"ip-{dashed}.ec2.internal" if ctx.region == "us-east-1" else f"ip-{dashed}.{ctx.region}.compute.internal"


@model("aws:ec2/instance:Instance")
def _instance(ctx: Ctx) -> State:
    id_ = _ec2_id(ctx, "i")
    private_ip = ctx.get("privateIp", ctx.ip(10, "private"))
    out: dict[str, Any] = {
        "arn": ctx.arn("ec2", f"instance/{id_}"),
        "instanceState": "running",
        "availabilityZone": ctx.get("availabilityZone", ctx.first_az()),
        "privateIp": private_ip,
        "privateDns": _private_dns(ctx, private_ip),
        "primaryNetworkInterfaceId": _ec2_id(ctx, "eni", "eni"),
        "instanceType": ctx.get("instanceType", "t3.micro"),
        "tenancy": ctx.get("tenancy", "default"),
        "ownerId": ctx.account,
    }
    if ctx.get("associatePublicIpAddress", True) is not False:
        public_ip = ctx.ip(3, "public")
        out.update(publicIp=public_ip, publicDns=_public_dns(ctx, public_ip))
    else:
        out.update(publicIp="", publicDns="")
    return id_, out


@model("aws:ec2/keyPair:KeyPair")
def _key_pair(ctx: Ctx) -> State:
    name = ctx.named("keyName", max_len=255)
    fingerprint = ":".join(ctx.hex(32, "fp")[i : i + 2] for i in range(0, 32, 2))
    return name, {
        "keyName": name,
        "keyPairId": "key-0" + ctx.hex(16, "key"),
        "fingerprint": fingerprint,
        "arn": ctx.arn("ec2", f"key-pair/{name}"),
    }


@model("aws:ec2/securityGroupRule:SecurityGroupRule")
def _sg_rule(ctx: Ctx) -> State:
    return f"sgrule-{ctx.digits(10)}", {"securityGroupRuleId": _ec2_id(ctx, "sgr")}


@model("aws:ec2/route:Route")
def _route(ctx: Ctx) -> State:
    return f"r-{ctx.get('routeTableId', 'rtb')}{ctx.digits(10)}", {"origin": "CreateRoute", "state": "active"}


# -- load balancing ----------------------------------------------------------------------


@model("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
def _load_balancer(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=32)
    lb_type = ctx.get("loadBalancerType", "application")
    short = {"application": "app", "network": "net", "gateway": "gwy"}.get(lb_type, "app")
    suffix = f"{short}/{name}/{ctx.hex(16, 'lb')}"
    arn = ctx.arn("elasticloadbalancing", f"loadbalancer/{suffix}")
    internal = "internal-" if ctx.get("internal") else ""
    host = f"{internal}{name}-{ctx.digits(10, 'dns')}"
    dns = f"{host}.elb.{ctx.region}.{ctx.dns}" if short == "net" else f"{host}.{ctx.region}.elb.{ctx.dns}"
    return arn, {
        "name": name,
        "arn": arn,
        "arnSuffix": suffix,
        "dnsName": dns,
        "zoneId": _ELB_HOSTED_ZONES.get(ctx.region, "Z" + ctx.chars(13, salt=ctx.region)),
        "loadBalancerType": lb_type,
        "internal": ctx.get("internal", False),
        "vpcId": ctx.get("vpcId", default_vpc_id(ctx.region)),
    }


@model("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")
def _target_group(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=32)
    suffix = f"targetgroup/{name}/{ctx.hex(16, 'tg')}"
    arn = ctx.arn("elasticloadbalancing", suffix)
    return arn, {"name": name, "arn": arn, "arnSuffix": suffix}


@model("aws:lb/listener:Listener", "aws:alb/listener:Listener")
def _listener(ctx: Ctx) -> State:
    lb_arn = str(ctx.get("loadBalancerArn", ctx.arn("elasticloadbalancing", "loadbalancer/app/lb/0")))
    arn = lb_arn.replace(":loadbalancer/", ":listener/", 1) + "/" + ctx.hex(16, "listener")
    return arn, {"arn": arn}


@model("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
def _listener_rule(ctx: Ctx) -> State:
    listener = str(ctx.get("listenerArn", ctx.arn("elasticloadbalancing", "listener/app/lb/0/0")))
    arn = listener.replace(":listener/", ":listener-rule/", 1) + "/" + ctx.hex(16, "rule")
    return arn, {"arn": arn}


@model("aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment")
def _tg_attachment(ctx: Ctx) -> State:
    return f"{ctx.get('targetGroupArn', 'tg')}-{ctx.digits(20)}", {}


# -- databases ---------------------------------------------------------------------------


def _db_port(ctx: Ctx) -> int:
    engine = str(ctx.get("engine", "aurora-mysql"))
    return int(
        ctx.get(
            "port",
            _DB_PORTS.get(
                engine, 1433 if engine.startswith("sqlserver") else 1521 if engine.startswith("oracle") else 3306
            ),
        )
    )


def _rds_host_suffix(ctx: Ctx) -> str:
    # One random-looking label per account and region, as RDS does.
    return hashlib.sha256(f"{ctx.account}{ctx.region}".encode()).hexdigest()[:12]


@model("aws:rds/cluster:Cluster")
def _rds_cluster(ctx: Ctx) -> State:
    ident = ctx.named("clusterIdentifier", max_len=63, lower=True)
    host = _rds_host_suffix(ctx)
    return ident, {
        "clusterIdentifier": ident,
        "arn": ctx.arn("rds", f"cluster:{ident}"),
        "endpoint": f"{ident}.cluster-{host}.{ctx.region}.rds.{ctx.dns}",
        "readerEndpoint": f"{ident}.cluster-ro-{host}.{ctx.region}.rds.{ctx.dns}",
        "port": _db_port(ctx),
        "clusterResourceId": "cluster-" + ctx.chars(26, salt="resource"),
        "hostedZoneId": "Z2R2ITUGPM61AM",
        "engine": ctx.get("engine", "aurora-mysql"),
        "storageEncrypted": ctx.get("storageEncrypted", False),
    }


@model("aws:rds/clusterInstance:ClusterInstance", "aws:rds/instance:Instance")
def _rds_instance(ctx: Ctx) -> State:
    ident = ctx.named("identifier", max_len=63, lower=True)
    port = _db_port(ctx)
    address = f"{ident}.{_rds_host_suffix(ctx)}.{ctx.region}.rds.{ctx.dns}"
    out = {
        "identifier": ident,
        "arn": ctx.arn("rds", f"db:{ident}"),
        "address": address,
        "endpoint": f"{address}:{port}",
        "port": port,
        "dbiResourceId": "db-" + ctx.chars(26, salt="resource"),
        "availabilityZone": ctx.get("availabilityZone", ctx.first_az()),
    }
    if ctx.type == "aws:rds/instance:Instance":
        out["resourceId"] = out["dbiResourceId"]
    return ident, out


@model("aws:rds/subnetGroup:SubnetGroup")
def _rds_subnet_group(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=255, lower=True)
    return name, {"name": name, "arn": ctx.arn("rds", f"subgrp:{name}")}


@model(
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/optionGroup:OptionGroup",
)
def _rds_group(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=255, lower=True)
    kind = {
        "aws:rds/parameterGroup:ParameterGroup": "pg",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup": "cluster-pg",
    }.get(ctx.type, "og")
    return name, {"name": name, "arn": ctx.arn("rds", f"{kind}:{name}")}


@model("aws:rds/globalCluster:GlobalCluster")
def _rds_global(ctx: Ctx) -> State:
    ident = ctx.named("globalClusterIdentifier", max_len=63, lower=True)
    return ident, {
        "globalClusterIdentifier": ident,
        "arn": ctx.arn("rds", f"global-cluster:{ident}", region=False),
        "globalClusterResourceId": "cluster-" + ctx.chars(26, salt="resource"),
    }


@model("aws:dynamodb/table:Table")
def _dynamodb_table(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=255)
    arn = ctx.arn("dynamodb", f"table/{name}")
    out: dict[str, Any] = {"name": name, "arn": arn, "billingMode": ctx.get("billingMode", "PROVISIONED")}
    if ctx.get("streamEnabled"):
        out["streamLabel"] = "2024-01-01T00:00:00.000"
        out["streamArn"] = f"{arn}/stream/{out['streamLabel']}"
    return name, out


@model("aws:elasticache/replicationGroup:ReplicationGroup")
def _elasticache_rg(ctx: Ctx) -> State:
    ident = ctx.named("replicationGroupId", max_len=40, lower=True)
    label = f"{ident}.{ctx.hex(6, 'ec')}.ng.0001.{_short_region(ctx.region)}.cache.{ctx.dns}"
    return ident, {
        "replicationGroupId": ident,
        "arn": ctx.arn("elasticache", f"replicationgroup:{ident}"),
        "primaryEndpointAddress": f"master.{label}",
        "readerEndpointAddress": f"replica.{label}",
        "port": ctx.get("port", 6379),
    }


@model(
    "aws:elasticache/cluster:Cluster",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:elasticache/serverlessCache:ServerlessCache",
)
def _elasticache_named(ctx: Ctx) -> State:
    key = "clusterId" if ctx.type == "aws:elasticache/cluster:Cluster" else "name"
    kind = {
        "aws:elasticache/cluster:Cluster": "cluster",
        "aws:elasticache/subnetGroup:SubnetGroup": "subnetgroup",
        "aws:elasticache/parameterGroup:ParameterGroup": "parametergroup",
    }.get(ctx.type, "serverlesscache")
    name = ctx.named(key, max_len=40, lower=True)
    return name, {key: name, "arn": ctx.arn("elasticache", f"{kind}:{name}")}


def _short_region(region: str) -> str:
    parts = region.split("-")
    return "".join(p[0] for p in parts[:-1]) + parts[-1] if len(parts) > 2 else region


# -- logs, events, compute -------------------------------------------------------------


@model("aws:cloudwatch/logGroup:LogGroup")
def _log_group(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=512)
    return name, {
        "name": name,
        "arn": ctx.arn("logs", f"log-group:{name}"),
        "retentionInDays": ctx.get("retentionInDays", 0),
    }


@model("aws:cloudwatch/metricAlarm:MetricAlarm", "aws:cloudwatch/compositeAlarm:CompositeAlarm")
def _alarm(ctx: Ctx) -> State:
    key = "alarmName" if ctx.type.endswith("CompositeAlarm") else "name"
    name = ctx.named(key, max_len=255)
    return name, {key: name, "arn": ctx.arn("cloudwatch", f"alarm:{name}")}


@model("aws:cloudwatch/eventRule:EventRule")
def _event_rule(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=64)
    bus = ctx.get("eventBusName", "default")
    resource = f"rule/{name}" if bus == "default" else f"rule/{bus}/{name}"
    return name if bus == "default" else f"{bus}/{name}", {"name": name, "arn": ctx.arn("events", resource)}


@model("aws:cloudwatch/eventBus:EventBus")
def _event_bus(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=256)
    return name, {"name": name, "arn": ctx.arn("events", f"event-bus/{name}")}


@model("aws:cloudwatch/dashboard:Dashboard")
def _dashboard(ctx: Ctx) -> State:
    name = str(ctx.get("dashboardName", ctx.name))
    return name, {"dashboardArn": ctx.arn("cloudwatch", f"dashboard/{name}", region=False)}


@model("aws:lambda/function:Function")
def _lambda(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=64)
    arn = ctx.arn("lambda", f"function:{name}")
    return name, {
        "name": name,
        "arn": arn,
        "invokeArn": f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{arn}/invocations",
        "qualifiedArn": f"{arn}:$LATEST",
        "qualifiedInvokeArn": f"arn:{ctx.partition}:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{arn}:$LATEST/invocations",
        "version": "$LATEST",
        "lastModified": "2024-01-01T00:00:00.000+0000",
        "sourceCodeHash": base64.b64encode(ctx.digest("code")).decode(),
        "memorySize": ctx.get("memorySize", 128),
        "timeout": ctx.get("timeout", 3),
    }


@model("aws:lambda/alias:Alias")
def _lambda_alias(ctx: Ctx) -> State:
    name = ctx.named("name")
    function = str(ctx.get("functionName", "function"))
    base = function if function.startswith("arn:") else ctx.arn("lambda", f"function:{function}")
    arn = f"{base}:{name}"
    return arn, {"name": name, "arn": arn}


@model("aws:lambda/permission:Permission")
def _lambda_permission(ctx: Ctx) -> State:
    sid = ctx.get("statementId") or f"terraform-{ctx.digits(26)}"
    return sid, {"statementId": sid}


@model("aws:lambda/eventSourceMapping:EventSourceMapping")
def _event_source_mapping(ctx: Ctx) -> State:
    id_ = ctx.uuid("esm")
    return id_, {"uuid": id_, "arn": ctx.arn("lambda", f"event-source-mapping:{id_}"), "state": "Enabled"}


@model("aws:ecr/repository:Repository")
def _ecr_repository(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=256, lower=True)
    return name, {
        "name": name,
        "arn": ctx.arn("ecr", f"repository/{name}"),
        "registryId": ctx.account,
        "repositoryUrl": f"{ctx.account}.dkr.ecr.{ctx.region}.{ctx.dns}/{name}",
    }


@model("aws:ecs/cluster:Cluster")
def _ecs_cluster(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=255)
    arn = ctx.arn("ecs", f"cluster/{name}")
    return arn, {"name": name, "arn": arn}


@model("aws:ecs/service:Service")
def _ecs_service(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=255)
    cluster = str(ctx.get("cluster", "default")).rsplit("/", 1)[-1]
    arn = ctx.arn("ecs", f"service/{cluster}/{name}")
    return arn, {"name": name, "arn": arn}


@model("aws:ecs/taskDefinition:TaskDefinition")
def _ecs_task_definition(ctx: Ctx) -> State:
    family = str(ctx.get("family", ctx.name))
    base = ctx.arn("ecs", f"task-definition/{family}")
    return family, {"arn": f"{base}:1", "arnWithoutRevision": base, "revision": 1}


@model("aws:eks/cluster:Cluster")
def _eks_cluster(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=100)
    token = ctx.hex(32, "endpoint").upper()
    return name, {
        "name": name,
        "arn": ctx.arn("eks", f"cluster/{name}"),
        "endpoint": f"https://{token}.gr7.{ctx.region}.eks.{ctx.dns}",
        "version": ctx.get("version", "1.31"),
        "status": "ACTIVE",
        "certificateAuthority": {"data": base64.b64encode(b"-----BEGIN CERTIFICATE-----offline").decode()},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{ctx.region}.{ctx.dns}/id/{token}"}]}],
        "platformVersion": "eks.1",
    }


@model("aws:eks/nodeGroup:NodeGroup")
def _eks_node_group(ctx: Ctx) -> State:
    cluster = str(ctx.get("clusterName", "cluster"))
    name = ctx.named("nodeGroupName", max_len=63)
    return f"{cluster}:{name}", {
        "nodeGroupName": name,
        "arn": ctx.arn("eks", f"nodegroup/{cluster}/{name}/{ctx.uuid('ng')}"),
        "status": "ACTIVE",
    }


@model("aws:sfn/stateMachine:StateMachine")
def _state_machine(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=80)
    arn = ctx.arn("states", f"stateMachine:{name}")
    return arn, {"name": name, "arn": arn, "status": "ACTIVE"}


@model("aws:kinesis/stream:Stream")
def _kinesis_stream(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=128)
    arn = ctx.arn("kinesis", f"stream/{name}")
    return arn, {"name": name, "arn": arn}


@model("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")
def _firehose(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=64)
    arn = ctx.arn("firehose", f"deliverystream/{name}")
    return arn, {"name": name, "arn": arn}


@model("aws:cloudtrail/trail:Trail")
def _trail(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=128)
    arn = ctx.arn("cloudtrail", f"trail/{name}")
    return arn, {"name": name, "arn": arn, "homeRegion": ctx.region}


# -- backup, storage, edge, DNS, certificates ---------------------------------------------


@model("aws:backup/vault:Vault", "aws:backup/logicallyAirGappedVault:LogicallyAirGappedVault")
def _backup_vault(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=50)
    return name, {"name": name, "arn": ctx.arn("backup", f"backup-vault:{name}"), "recoveryPoints": 0}


@model("aws:backup/plan:Plan")
def _backup_plan(ctx: Ctx) -> State:
    id_ = ctx.uuid("plan")
    return id_, {
        "arn": ctx.arn("backup", f"backup-plan:{id_}"),
        "version": ctx.chars(32, _ALNUM_UPPER + _ALNUM_LOWER, "version"),
        "name": ctx.named("name", max_len=50),
    }


@model("aws:backup/selection:Selection")
def _backup_selection(ctx: Ctx) -> State:
    return ctx.hex(24, "selection"), {"name": ctx.named("name", max_len=50)}


@model(
    "aws:backup/vaultPolicy:VaultPolicy",
    "aws:backup/vaultNotifications:VaultNotifications",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
)
def _backup_vault_attachment(ctx: Ctx) -> State:
    vault = str(ctx.get("backupVaultName", ctx.name))
    return vault, {"backupVaultArn": ctx.arn("backup", f"backup-vault:{vault}")}


@model("aws:backup/framework:Framework", "aws:backup/reportPlan:ReportPlan")
def _backup_framework(ctx: Ctx) -> State:
    name = ctx.named("name", max_len=256)
    kind = "framework" if ctx.type.endswith("Framework") else "report-plan"
    return name, {"name": name, "arn": ctx.arn("backup", f"{kind}:{name}-{ctx.uuid(kind)}")}


@model("aws:efs/fileSystem:FileSystem")
def _efs(ctx: Ctx) -> State:
    id_ = "fs-0" + ctx.hex(16)
    return id_, {
        "arn": ctx.arn("elasticfilesystem", f"file-system/{id_}"),
        "dnsName": f"{id_}.efs.{ctx.region}.{ctx.dns}",
        "creationToken": ctx.get("creationToken", ctx.named("creationToken")),
        "ownerId": ctx.account,
    }


@model("aws:efs/mountTarget:MountTarget", "aws:efs/accessPoint:AccessPoint")
def _efs_child(ctx: Ctx) -> State:
    if ctx.type.endswith("AccessPoint"):
        id_ = "fsap-0" + ctx.hex(16)
        return id_, {"arn": ctx.arn("elasticfilesystem", f"access-point/{id_}")}
    id_ = "fsmt-0" + ctx.hex(16)
    return id_, {"ipAddress": ctx.ip(10, "mt"), "networkInterfaceId": _ec2_id(ctx, "eni", "eni")}


@model("aws:cloudfront/distribution:Distribution")
def _distribution(ctx: Ctx) -> State:
    id_ = "E" + ctx.chars(13)
    return id_, {
        "arn": f"arn:{ctx.partition}:cloudfront::{ctx.account}:distribution/{id_}",
        "domainName": f"d{ctx.chars(13, _ALNUM_LOWER, 'domain')}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
        "status": "Deployed",
        "etag": "E" + ctx.chars(13, salt="etag"),
        "callerReference": ctx.uuid("ref"),
    }


@model("aws:cloudfront/originAccessIdentity:OriginAccessIdentity")
def _oai(ctx: Ctx) -> State:
    id_ = "E" + ctx.chars(13)
    return id_, {
        "iamArn": f"arn:{ctx.partition}:iam::cloudfront:user/CloudFront Origin Access Identity {id_}",
        "cloudfrontAccessIdentityPath": f"origin-access-identity/cloudfront/{id_}",
        "s3CanonicalUserId": ctx.hex(64, "canonical"),
    }


@model("aws:cloudfront/originAccessControl:OriginAccessControl")
def _oac(ctx: Ctx) -> State:
    return "E" + ctx.chars(13), {"etag": "E" + ctx.chars(13, salt="etag")}


@model("aws:route53/zone:Zone")
def _zone(ctx: Ctx) -> State:
    zone_id = "Z" + ctx.chars(20)
    d = ctx.digest("ns")
    servers = [
        f"ns-{d[0] * 4}.awsdns-{d[1] % 64:02d}.com",
        f"ns-{d[2] * 4 + 1}.awsdns-{d[3] % 64:02d}.net",
        f"ns-{d[4] * 4 + 1024}.awsdns-{d[5] % 64:02d}.org",
        f"ns-{d[6] * 4 + 1536}.awsdns-{d[7] % 64:02d}.co.uk",
    ]
    return zone_id, {
        "zoneId": zone_id,
        "arn": f"arn:{ctx.partition}:route53:::hostedzone/{zone_id}",
        "nameServers": servers,
    }


@model("aws:route53/record:Record")
def _record(ctx: Ctx) -> State:
    name = str(ctx.get("name", ctx.name))
    return f"{ctx.get('zoneId', 'Z')}_{name}_{ctx.get('type', 'A')}", {"fqdn": name.rstrip(".")}


@model("aws:acm/certificate:Certificate")
def _certificate(ctx: Ctx) -> State:
    arn = ctx.arn("acm", f"certificate/{ctx.uuid('cert')}")
    domains = [ctx.get("domainName", "example.com"), *(ctx.get("subjectAlternativeNames", []) or [])]
    options = [
        {
            "domainName": d,
            "resourceRecordName": f"_{ctx.hex(32, 'rr' + str(d))}.{d}.",
            "resourceRecordType": "CNAME",
            "resourceRecordValue": f"_{ctx.hex(32, 'rv' + str(d))}.{ctx.chars(10, _ALNUM_LOWER, str(d))}.acm-validations.aws.",
        }
        for d in dict.fromkeys(domains)
    ]
    return arn, {
        "arn": arn,
        "domainValidationOptions": options,
        "status": "ISSUED",
        "validationMethod": ctx.get("validationMethod", "DNS"),
    }


@model("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(ctx: Ctx) -> State:
    return str(ctx.get("certificateArn", ctx.name)), {}


@model(
    "aws:wafv2/webAcl:WebAcl",
    "aws:wafv2/ipSet:IpSet",
    "aws:wafv2/ruleGroup:RuleGroup",
    "aws:wafv2/regexPatternSet:RegexPatternSet",
)
def _waf(ctx: Ctx) -> State:
    kind = {
        "aws:wafv2/webAcl:WebAcl": "webacl",
        "aws:wafv2/ipSet:IpSet": "ipset",
        "aws:wafv2/ruleGroup:RuleGroup": "rulegroup",
    }.get(ctx.type, "regexpatternset")
    name = ctx.named("name", max_len=128)
    id_ = ctx.uuid(kind)
    scope = "global" if ctx.get("scope") == "CLOUDFRONT" else "regional"
    region = "us-east-1" if scope == "global" else ctx.region
    arn = f"arn:{ctx.partition}:wafv2:{region}:{ctx.account}:{scope}/{kind}/{name}/{id_}"
    return id_, {"name": name, "arn": arn, "lockToken": ctx.uuid("lock")}


@model("aws:apigateway/restApi:RestApi")
def _rest_api(ctx: Ctx) -> State:
    id_ = ctx.chars(10, _ALNUM_LOWER)
    return id_, {
        "name": ctx.get("name", ctx.name),
        "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/restapis/{id_}",
        "executionArn": ctx.arn("execute-api", id_),
        "rootResourceId": ctx.chars(10, _ALNUM_LOWER, "root"),
    }


@model("aws:apigatewayv2/api:Api")
def _http_api(ctx: Ctx) -> State:
    id_ = ctx.chars(10, _ALNUM_LOWER)
    return id_, {
        "name": ctx.get("name", ctx.name),
        "arn": f"arn:{ctx.partition}:apigateway:{ctx.region}::/apis/{id_}",
        "executionArn": ctx.arn("execute-api", id_),
        "apiEndpoint": f"https://{id_}.execute-api.{ctx.region}.{ctx.dns}",
    }
