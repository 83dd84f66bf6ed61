"""Exposure: what the internet, or any AWS account, can reach.

Three families, all about "who can get in":
- resource policies (buckets, queues, topics, keys, secrets, Lambda permissions)
  may grant to principal "*" only under a condition that pins the account,
  organisation, source or VPC endpoint;
- security groups may be open to 0.0.0.0/0 or ::/0 only on TCP 80/443, only on a
  load balancer's group, and never on admin, database or cache ports;
- every bucket has a public-access block with all four settings true and a
  bucket policy that refuses requests without TLS.

Load-balancer contract, from the graph: a security group may open TCP 80/443 to the
internet when internet-facing load balancers (`aws.lb.LoadBalancer` and friends, `internal`
not true) use it and nothing else does; one also attached to instances, tasks, functions or
databases may not. A group whose load balancer is not in the program (one a Kubernetes
controller creates) is marked with the tag `role: load-balancer` (a standalone
`vpc.SecurityGroupIngressRule` may carry the tag itself), unless the graph attaches it
elsewhere. Names and descriptions are not consulted: they are free text, and a gate must not
open the internet on a naming accident.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ReportViolation, ResourceValidationArgs, Severity, StackValidationArgs
from pulumi_policy.proxy import UnknownValueError

from policies.documents import (
    RESTRICTING_KEYS_TEXT,
    PolicyDocument,
    PolicyDocumentError,
    Statement,
    action_matches,
    describe_actions,
    has_restricting_condition,
    is_list,
    is_unknown,
    is_wildcard_action,
    known,
    parse_policy,
    peek,
    principal_is_public,
    public_principal_text,
    referenced,
)
from policies.rule import Category, Rule, resource_rule, stack_rule

BUCKET_TYPES = frozenset({"aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"})
PUBLIC_ACCESS_BLOCK_TYPE = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY_TYPE = "aws:s3/bucketPolicy:BucketPolicy"

LOAD_BALANCER_TAG = ("role", "load-balancer")
"""The tag that marks a security group as a load balancer's (see module docstring)."""

# -- resource policies ---------------------------------------------------------------------

S3_POLICY_TYPES = frozenset({BUCKET_POLICY_TYPE, *BUCKET_TYPES})
SQS_POLICY_TYPES = frozenset({"aws:sqs/queuePolicy:QueuePolicy", "aws:sqs/queue:Queue"})
SNS_POLICY_TYPES = frozenset({"aws:sns/topicPolicy:TopicPolicy", "aws:sns/topic:Topic"})
KMS_POLICY_TYPES = frozenset({"aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"})
SECRET_POLICY_TYPES = frozenset({"aws:secretsmanager/secretPolicy:SecretPolicy", "aws:secretsmanager/secret:Secret"})
LAMBDA_PERMISSION_TYPE = "aws:lambda/permission:Permission"
ECR_POLICY_TYPES = frozenset({"aws:ecr/repositoryPolicy:RepositoryPolicy"})
ECR_WRITE_ACTIONS = (
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:BatchDeleteImage",
    "ecr:DeleteRepository",
    "ecr:DeleteRepositoryPolicy",
    "ecr:SetRepositoryPolicy",
    "ecr:PutLifecyclePolicy",
    "ecr:TagResource",
)
"""Actions that change what a repository serves: granted to "*", anyone can replace an image."""


def _resource_policy(
    args: ResourceValidationArgs, report: ReportViolation, types: frozenset[str]
) -> PolicyDocument | None:
    """The parsed `policy` of a resource of one of `types`; None (reported if unreadable) otherwise."""
    if args.resource_type not in types:
        return None
    try:
        return parse_policy(args.props.get("policy"))
    except PolicyDocumentError as exc:
        report(str(exc), None)
        return None


def _check_resource_policy(args: ResourceValidationArgs, report: ReportViolation, types: frozenset[str]) -> None:
    """Report unreadable documents and public Allow statements without a restricting condition."""
    document = _resource_policy(args, report, types)
    if document is None:
        return
    for statement in document.statements:
        if statement.is_allow and principal_is_public(statement) and not has_restricting_condition(statement):
            report(
                f"Allow statement {statement.label} grants {describe_actions(statement)} to "
                f"{public_principal_text(statement)} without a condition on {RESTRICTING_KEYS_TEXT}",
                None,
            )


def _validate_s3_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_resource_policy(args, report, S3_POLICY_TYPES)


def _validate_sqs_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_resource_policy(args, report, SQS_POLICY_TYPES)


def _validate_sns_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_resource_policy(args, report, SNS_POLICY_TYPES)


def _validate_kms_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_resource_policy(args, report, KMS_POLICY_TYPES)


def _validate_secret_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _check_resource_policy(args, report, SECRET_POLICY_TYPES)


def _validate_lambda_permission(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A Permission is one statement in flat inputs: principal "*" needs a source or org restriction."""
    if args.resource_type != LAMBDA_PERMISSION_TYPE:
        return
    principal = args.props.get("principal")
    if not isinstance(principal, str) or is_unknown(principal) or principal != "*":
        return
    if any(args.props.get(key) not in (None, "") for key in ("sourceArn", "sourceAccount", "principalOrgId")):
        return
    action = args.props.get("action")
    report(f'permission lets "*" call "{action}" without source_arn, source_account or principal_org_id', None)


def _validate_ecr_policy(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Public pulls may be intended (a public base image); public pushes never are."""
    document = _resource_policy(args, report, ECR_POLICY_TYPES)
    if document is None:
        return
    for statement in document.statements:
        if not statement.is_allow or not principal_is_public(statement) or has_restricting_condition(statement):
            continue
        writes = [w for w in ECR_WRITE_ACTIONS if any(action_matches(a, w) for a in statement.actions)]
        if writes:
            report(
                f"Allow statement {statement.label} lets {public_principal_text(statement)} change the repository "
                f"({', '.join(writes[:4])}{', ...' if len(writes) > 4 else ''}) without a condition on "
                f"{RESTRICTING_KEYS_TEXT}",
                None,
            )


def _policy_rule(rule_id: str, what: str, validate, severity: Severity, checkov_id: str | None) -> Rule:
    return resource_rule(
        rule_id,
        description=f'{what} grant nothing to principal "*" unless a condition pins the account, organisation, source or VPC endpoint.',
        severity=severity,
        category=Category.SECURITY,
        remediation=(
            "In the policy document, name the principals that need access (an account root ARN, a role ARN, or a "
            'service such as "sns.amazonaws.com") instead of "*", or keep "*" and add a condition on '
            f'{RESTRICTING_KEYS_TEXT} (e.g. {{"StringEquals": {{"aws:SourceAccount": account_id}}}}). '
            "aws:SecureTransport alone does not restrict who."
        ),
        validate=validate,
        checkov_id=checkov_id,
    )


S3_POLICY_NOT_PUBLIC = _policy_rule(
    "CD-EXP-001", "Bucket policies", _validate_s3_policy, Severity.CRITICAL, "CKV_AWS_70"
)
SQS_POLICY_NOT_PUBLIC = _policy_rule("CD-EXP-002", "Queue policies", _validate_sqs_policy, Severity.HIGH, "CKV_AWS_168")
SNS_POLICY_NOT_PUBLIC = _policy_rule("CD-EXP-003", "Topic policies", _validate_sns_policy, Severity.HIGH, "CKV_AWS_169")
KMS_POLICY_NOT_PUBLIC = _policy_rule(
    "CD-EXP-004", "KMS key policies", _validate_kms_policy, Severity.CRITICAL, "CKV_AWS_33"
)
SECRET_POLICY_NOT_PUBLIC = _policy_rule(
    "CD-EXP-005", "Secret policies", _validate_secret_policy, Severity.CRITICAL, None
)

LAMBDA_PERMISSION_NOT_PUBLIC = resource_rule(
    "CD-EXP-006",
    description='Lambda permissions for principal "*" name a source ARN, source account or organisation.',
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        'Set `principal` to the calling service or account, or keep "*" and set `source_arn`, `source_account` '
        "or `principal_org_id` on the aws.lambda_.Permission."
    ),
    validate=_validate_lambda_permission,
    checkov_id="CKV_AWS_301",
)

ECR_POLICY_NO_PUBLIC_WRITES = resource_rule(
    "CD-EXP-007",
    description='ECR repository policies grant no write action (push, delete, policy changes) to principal "*" '
    "unless a condition pins the account, organisation, source or VPC endpoint.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        "Grant ecr:PutImage and the layer-upload actions only to the CI role or account that pushes (its role ARN as "
        "principal); if other accounts must pull, grant them only ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and "
        'ecr:BatchCheckLayerAvailability, or keep "*" with a condition on aws:PrincipalOrgID.'
    ),
    validate=_validate_ecr_policy,
    checkov_id="CKV_AWS_32",
)

# -- security groups -----------------------------------------------------------------------

SECURITY_GROUP_TYPES = frozenset(
    {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
)
SECURITY_GROUP_RULE_TYPE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE_TYPE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
INGRESS_TYPES = frozenset({*SECURITY_GROUP_TYPES, SECURITY_GROUP_RULE_TYPE, INGRESS_RULE_TYPE})

ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
DATA_PORTS = {
    5432: "PostgreSQL",
    3306: "MySQL",
    1433: "SQL Server",
    1521: "Oracle",
    27017: "MongoDB",
    6379: "Redis",
    11211: "Memcached",
}
SENSITIVE_PORTS = {**ADMIN_PORTS, **DATA_PORTS}
WEB_PORTS = frozenset({80, 443})

_ALL = "all"
_PROTOCOLS = {"-1": _ALL, "all": _ALL, "tcp": "tcp", "6": "tcp", "udp": "udp", "17": "udp"}


@dataclass(frozen=True)
class OpenIngress:
    """One ingress permission open to the whole internet through `cidr`."""

    cidr: str
    protocol: str  # "all", "tcp", "udp", or the protocol as written (icmp, 50, ...)
    from_port: int | None
    to_port: int | None

    @property
    def has_ports(self) -> bool:
        return self.protocol in (_ALL, "tcp", "udp") and self.from_port is not None

    def ports(self) -> range:
        return range(self.from_port, self.to_port + 1) if self.has_ports else range(0)

    def describe(self) -> str:
        if self.protocol == _ALL:
            return 'all ports (protocol "-1")'
        if not self.has_ports:
            return f'protocol "{self.protocol}"'
        udp = "UDP " if self.protocol == "udp" else ""
        if self.from_port == self.to_port:
            return f"{udp}port {self.from_port}"
        return f"{udp}ports {self.from_port}-{self.to_port}"


def _protocol(value: Any) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if not isinstance(value, str) or is_unknown(value):
        return None
    return _PROTOCOLS.get(value.strip().lower(), value.strip().lower())


def _port(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _world_cidrs(values: Iterable[Any]) -> list[str]:
    """The CIDRs that cover every address: 0.0.0.0/0 or ::/0, or ranges whose union is the whole internet
    (0.0.0.0/1 + 128.0.0.0/1 opens as much as 0.0.0.0/0)."""
    found = []
    by_version: dict[int, list[tuple[str, Any]]] = {4: [], 6: []}
    for value in values:
        if not isinstance(value, str) or is_unknown(value):
            continue
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            continue
        if network.prefixlen == 0:
            found.append(value)
        else:
            by_version[network.version].append((value, network))
    for pairs in by_version.values():
        union = list(ipaddress.collapse_addresses(network for _, network in pairs))
        if len(union) == 1 and union[0].prefixlen == 0:
            found.extend(value for value, _ in pairs)
    return found


def _entry(cidrs: list[str], protocol_value: Any, from_value: Any, to_value: Any) -> list[OpenIngress]:
    protocol = _protocol(protocol_value)
    if not cidrs or protocol is None:
        return []
    if protocol == _ALL:
        low, high = 0, 65535
    else:
        low, high = _port(from_value), _port(to_value)
        if protocol in ("tcp", "udp") and (low is None or high is None):
            return []  # ports not known yet: nothing to judge
    return [OpenIngress(cidr, protocol, low, high) for cidr in cidrs]


def _list(value: Any) -> list[Any]:
    return list(value) if is_list(value) else []


def open_ingress(resource_type: str, props: Mapping[str, Any]) -> list[OpenIngress]:
    """Internet-open ingress permissions of a security group or standalone ingress rule."""
    if resource_type in SECURITY_GROUP_TYPES:
        found = []
        for block in _list(props.get("ingress")):
            if isinstance(block, Mapping):
                cidrs = _world_cidrs([*_list(block.get("cidrBlocks")), *_list(block.get("ipv6CidrBlocks"))])
                found += _entry(cidrs, block.get("protocol"), block.get("fromPort"), block.get("toPort"))
        return found
    if resource_type == SECURITY_GROUP_RULE_TYPE:
        if props.get("type") != "ingress":
            return []
        cidrs = _world_cidrs([*_list(props.get("cidrBlocks")), *_list(props.get("ipv6CidrBlocks"))])
        return _entry(cidrs, props.get("protocol"), props.get("fromPort"), props.get("toPort"))
    if resource_type == INGRESS_RULE_TYPE:
        cidrs = _world_cidrs([props.get("cidrIpv4"), props.get("cidrIpv6")])
        return _entry(cidrs, props.get("ipProtocol"), props.get("fromPort"), props.get("toPort"))
    return []


def _subject(resource_type: str) -> str:
    return "security group" if resource_type in SECURITY_GROUP_TYPES else "security group rule"


def _report_ports(args: ResourceValidationArgs, report: ReportViolation, ports: Mapping[int, str]) -> None:
    """One message per open permission that reaches any of `ports`, naming each port reached."""
    for ingress in open_ingress(args.resource_type, args.props):
        reached = [port for port in sorted(ports) if port in ingress.ports()]
        if not reached:
            continue
        names = ", ".join(f"{port} ({ports[port]})" for port in reached)
        what = f"port {names}" if len(reached) == 1 else f"ports {names}"
        exact = ingress.from_port == ingress.to_port and ingress.protocol == "tcp"
        through = "" if exact else f" through {ingress.describe()}"
        report(f"{_subject(args.resource_type)} allows {ingress.cidr} on {what}{through}", None)


def _validate_no_internet_ssh(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _report_ports(args, report, {22: ADMIN_PORTS[22]})


def _validate_no_internet_rdp(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _report_ports(args, report, {3389: ADMIN_PORTS[3389]})


def _validate_no_internet_data_ports(args: ResourceValidationArgs, report: ReportViolation) -> None:
    _report_ports(args, report, DATA_PORTS)


def _tags(resource: PolicyResource) -> Mapping[str, Any]:
    tags = known(resource.props, "tags")
    return tags if isinstance(tags, Mapping) else {}


LOAD_BALANCER_TYPES = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"}
)
_NOT_ATTACHMENTS = frozenset(
    {
        *SECURITY_GROUP_TYPES,
        SECURITY_GROUP_RULE_TYPE,
        INGRESS_RULE_TYPE,
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        *LOAD_BALANCER_TYPES,
    }
)
"""Types whose reference to a group is not "the group is attached here" (rules of, or sources for, groups)."""


@dataclass(frozen=True)
class _GroupUse:
    """Who uses a security group, from the graph."""

    internet_load_balancers: tuple[PolicyResource, ...]
    others: tuple[PolicyResource, ...]
    """Anything else the group is attached to: instances, tasks, functions, databases, caches, internal LBs."""


def _uses(group: PolicyResource, resources: list[PolicyResource]) -> _GroupUse:
    load_balancers, others = [], []
    for resource in resources:
        if resource.urn == group.urn or resource.resource_type in _NOT_ATTACHMENTS - LOAD_BALANCER_TYPES:
            continue
        if not resource.resource_type.startswith("aws:"):
            continue  # components and other providers: their AWS children are judged themselves
        if not _refers_to(resource, group):
            continue
        if resource.resource_type in LOAD_BALANCER_TYPES and known(resource.props, "internal") is not True:
            load_balancers.append(resource)
        else:
            others.append(resource)
    return _GroupUse(tuple(load_balancers), tuple(others))


def _refers_to(resource: PolicyResource, group: PolicyResource) -> bool:
    """The resource's inputs depend on the group (or, for literals, hold its known id)."""
    for dependencies in (resource.property_dependencies or {}).values():
        if any(dep.urn == group.urn for dep in dependencies or ()):
            return True
    group_id = known(group.props, "id")
    return isinstance(group_id, str) and bool(group_id) and _holds(resource.props, group_id)


def _holds(value: Any, wanted: str) -> bool:
    if isinstance(value, str):
        return value == wanted
    if isinstance(value, Mapping):
        return any(_holds(v, wanted) for v in value.values())
    if is_list(value):
        return any(_holds(v, wanted) for v in value)
    return False


def _load_balancer_verdict(resource: PolicyResource, groups: list[PolicyResource], resources) -> str | None:
    """None when the permission belongs to a group that only internet-facing load balancers use, else why not.

    Decided from the graph: a group attached to an internet-facing load balancer (`internal` not true) and to
    nothing else may open 80/443. The tag `role=load-balancer` still marks a group whose load balancer is not
    in the program (e.g. one a Kubernetes controller creates), unless the graph attaches the group elsewhere.
    """
    key, value = LOAD_BALANCER_TAG
    if resource.resource_type in SECURITY_GROUP_TYPES:
        owners = [resource]
    else:
        owners = referenced(resource, "securityGroupId", groups)
    tagged = _tags(resource).get(key) == value or any(_tags(group).get(key) == value for group in owners)
    if not owners:
        return None if tagged else "no internet-facing load balancer uses it (nor is it tagged role=load-balancer)"
    for group in owners:
        use = _uses(group, resources)
        if use.others:
            names = ", ".join(f'{_type_name(r.resource_type)} "{r.name}"' for r in use.others[:3])
            return f"it is also attached to {names}"
        if not use.internet_load_balancers and not tagged:
            return "no internet-facing load balancer uses it (nor is it tagged role=load-balancer)"
    return None


def _type_name(token: str) -> str:
    """`aws:ec2/instance:Instance` -> `aws.ec2.Instance`, as a Python program spells it."""
    parts = token.split(":")
    if len(parts) == 3:
        return f"{parts[0]}.{parts[1].split('/')[0]}.{parts[2]}"
    return token


def _validate_internet_only_web_on_load_balancers(args: StackValidationArgs, report: ReportViolation) -> None:
    groups = [r for r in args.resources if r.resource_type in SECURITY_GROUP_TYPES]
    for resource in args.resources:
        if resource.resource_type not in INGRESS_TYPES:
            continue
        try:
            permissions = open_ingress(resource.resource_type, resource.props)
        except UnknownValueError:
            continue  # inputs not known yet (preview): nothing to judge
        subject = _subject(resource.resource_type)
        for ingress in permissions:
            if ingress.has_ports and all(port in SENSITIVE_PORTS for port in ingress.ports()):
                continue  # reported by CD-NET-001..003
            if ingress.protocol != "tcp" or not all(port in WEB_PORTS for port in ingress.ports()):
                report(
                    f"{subject} allows {ingress.cidr} on {ingress.describe()}; only TCP 80 and 443 may be open to the internet",
                    resource.urn,
                )
                continue
            why = _load_balancer_verdict(resource, groups, args.resources)
            if why is not None:
                report(
                    f"{subject} allows {ingress.cidr} on {ingress.describe()} but {why}; only security groups that "
                    "serve internet-facing load balancers alone may be open to the internet",
                    resource.urn,
                )


_SG_REMEDIATION = (
    "Remove the 0.0.0.0/0 / ::/0 entry. Reach instances through SSM Session Manager instead of SSH/RDP, and let "
    "databases and caches accept only the application tier's security group (`security_groups=[app_sg.id]` or "
    "`referenced_security_group_id`)."
)

NO_INTERNET_SSH = resource_rule(
    "CD-NET-001",
    description="No security group allows SSH (port 22) from 0.0.0.0/0 or ::/0.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=_SG_REMEDIATION,
    validate=_validate_no_internet_ssh,
    checkov_id="CKV_AWS_24",
)

NO_INTERNET_RDP = resource_rule(
    "CD-NET-002",
    description="No security group allows RDP (port 3389) from 0.0.0.0/0 or ::/0.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=_SG_REMEDIATION,
    validate=_validate_no_internet_rdp,
    checkov_id="CKV_AWS_25",
)

NO_INTERNET_DATA_PORTS = resource_rule(
    "CD-NET-003",
    description="No security group allows database (5432, 3306, 1433, 1521, 27017) or cache (6379, 11211) ports from 0.0.0.0/0 or ::/0.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=_SG_REMEDIATION,
    validate=_validate_no_internet_data_ports,
)

INTERNET_ONLY_WEB_ON_LOAD_BALANCERS = stack_rule(
    "CD-NET-004",
    description="Ingress from 0.0.0.0/0 or ::/0 is only TCP 80/443, and only on security groups that serve internet-facing load balancers alone.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        "Put internet-facing services behind an internet-facing load balancer with a security group of its own "
        "that opens only TCP 80/443 and is attached to nothing else (tag it "
        '{"role": "load-balancer"} when the load balancer is created outside the program); give instances, tasks '
        'and databases ingress from that security group or from VPC CIDRs only. Protocol "-1" and wide port ranges '
        "are never internet-facing."
    ),
    validate=_validate_internet_only_web_on_load_balancers,
    checkov_id="CKV_AWS_277",
)

# -- buckets -------------------------------------------------------------------------------

_BLOCK_FLAGS = (
    ("blockPublicAcls", "block_public_acls"),
    ("blockPublicPolicy", "block_public_policy"),
    ("ignorePublicAcls", "ignore_public_acls"),
    ("restrictPublicBuckets", "restrict_public_buckets"),
)


def bucket_label(bucket: PolicyResource) -> str:
    """A bucket as messages name it: its `bucket` name input when known, else its resource name."""
    name = known(bucket.props, "bucket")
    return name if isinstance(name, str) and name else bucket.name


def attached(
    resources: list[PolicyResource], resource_type: str | frozenset[str], bucket: PolicyResource
) -> list[PolicyResource]:
    """Resources of `resource_type` whose `bucket` input refers to `bucket`."""
    types = {resource_type} if isinstance(resource_type, str) else resource_type
    return [r for r in resources if r.resource_type in types and referenced(r, "bucket", [bucket], ("bucket", "id"))]


def _validate_public_access_block(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in (r for r in args.resources if r.resource_type in BUCKET_TYPES):
        blocks = attached(args.resources, PUBLIC_ACCESS_BLOCK_TYPE, bucket)
        if not blocks:
            report(
                f'bucket "{bucket_label(bucket)}" has no public-access block with all four settings true', bucket.urn
            )
            continue
        missing_per_block = [
            [snake for wire, snake in _BLOCK_FLAGS if not _set_true(peek(block.props, wire))] for block in blocks
        ]
        if not all(missing_per_block):
            continue
        missing = min(missing_per_block, key=len)
        report(
            f'bucket "{bucket_label(bucket)}" has a public-access block, but {" and ".join(missing)} '
            f"{'is' if len(missing) == 1 else 'are'} not true",
            bucket.urn,
        )


def _set_true(value: Any) -> bool:
    """True, or not known yet (a flag computed from another output cannot be judged in preview)."""
    return value is True or is_unknown(value)


def denies_insecure_transport(statement: Statement) -> bool:
    """Deny every S3 action to everyone, on objects, when aws:SecureTransport is false."""
    if statement.is_allow or not principal_is_public(statement):
        return False
    if not any(is_wildcard_action(action) and action_matches(action, "s3:GetObject") for action in statement.actions):
        return False
    if statement.resources and not any(resource.endswith("*") for resource in statement.resources):
        return False  # names the bucket but not its objects
    for operator, keys in statement.condition.items():
        if operator in ("Bool", "BoolIfExists") and "false" in (
            value.lower() for value in keys.get("aws:securetransport", ())
        ):
            return True
    return False


def _tls_only(policy_value: Any) -> bool | None:
    """True/False when the document is readable, None when it is not known yet."""
    try:
        document = parse_policy(policy_value)
    except PolicyDocumentError:
        return False  # CD-EXP-001 reports the document itself
    except UnknownValueError:
        return None
    if document is None:
        return None if is_unknown(policy_value) else False
    return any(denies_insecure_transport(statement) for statement in document.statements)


def _validate_tls_only(args: StackValidationArgs, report: ReportViolation) -> None:
    for bucket in (r for r in args.resources if r.resource_type in BUCKET_TYPES):
        values = [peek(p.props, "policy") for p in attached(args.resources, BUCKET_POLICY_TYPE, bucket)]
        if peek(bucket.props, "policy") is not None:
            values.append(peek(bucket.props, "policy"))
        verdicts = [_tls_only(value) for value in values]
        if any(verdict is not False for verdict in verdicts):
            continue  # compliant, or not known yet during preview
        report(
            f'bucket "{bucket_label(bucket)}" has no bucket policy that denies requests without TLS '
            '(Deny "s3:*" to "*" when aws:SecureTransport is "false")',
            bucket.urn,
        )


PUBLIC_ACCESS_BLOCKED = stack_rule(
    "CD-S3-001",
    description="Every bucket has a public-access block with all four settings true.",
    severity=Severity.CRITICAL,
    category=Category.SECURITY,
    remediation=(
        "Add an aws.s3.BucketPublicAccessBlock with `bucket=bucket.id` and block_public_acls, block_public_policy, "
        "ignore_public_acls and restrict_public_buckets all True (components.secure_bucket.SecureBucket does this)."
    ),
    validate=_validate_public_access_block,
    checkov_id="CKV2_AWS_6",
)

TLS_ONLY_BUCKETS = stack_rule(
    "CD-S3-002",
    description="Every bucket has a bucket policy that denies all S3 requests made without TLS.",
    severity=Severity.HIGH,
    category=Category.SECURITY,
    remediation=(
        "Add an aws.s3.BucketPolicy with `bucket=bucket.id` and a statement "
        '{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [bucket.arn, bucket.arn + "/*"], '
        '"Condition": {"Bool": {"aws:SecureTransport": "false"}}} (components.secure_bucket.SecureBucket does this).'
    ),
    validate=_validate_tls_only,
)

RULES: list[Rule] = [
    S3_POLICY_NOT_PUBLIC,
    SQS_POLICY_NOT_PUBLIC,
    SNS_POLICY_NOT_PUBLIC,
    KMS_POLICY_NOT_PUBLIC,
    SECRET_POLICY_NOT_PUBLIC,
    ECR_POLICY_NO_PUBLIC_WRITES,
    LAMBDA_PERMISSION_NOT_PUBLIC,
    NO_INTERNET_SSH,
    NO_INTERNET_RDP,
    NO_INTERNET_DATA_PORTS,
    INTERNET_ONLY_WEB_ON_LOAD_BALANCERS,
    PUBLIC_ACCESS_BLOCKED,
    TLS_ONLY_BUCKETS,
]
