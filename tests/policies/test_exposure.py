"""Exposure rules: public resource policies, internet-open security groups, bucket guards."""

from __future__ import annotations

import json

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.documents import RESTRICTING_KEYS_TEXT
from policies.rules.exposure import (
    ECR_POLICY_NO_PUBLIC_WRITES,
    INTERNET_ONLY_WEB_ON_LOAD_BALANCERS,
    KMS_POLICY_NOT_PUBLIC,
    LAMBDA_PERMISSION_NOT_PUBLIC,
    NO_INTERNET_DATA_PORTS,
    NO_INTERNET_RDP,
    NO_INTERNET_SSH,
    PUBLIC_ACCESS_BLOCKED,
    S3_POLICY_NOT_PUBLIC,
    SECRET_POLICY_NOT_PUBLIC,
    SNS_POLICY_NOT_PUBLIC,
    SQS_POLICY_NOT_PUBLIC,
    TLS_ONLY_BUCKETS,
)
from tests.policies.harness import policy_resource, resource_args, violations

ACCOUNT = "123456789012"
BUCKET_ARN = "arn:aws:s3:::prod-audit"
QUEUE_ARN = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders"
TOPIC_ARN = f"arn:aws:sns:eu-west-1:{ACCOUNT}:events"
KEYS = "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, aws:SourceOwner or aws:PrincipalAccount"

SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
BUCKET = "aws:s3/bucket:Bucket"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# -- resource policies -------------------------------------------------------------------------

PUBLIC_READ = doc(
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"{BUCKET_ARN}/*"}
)
TLS_ONLY = doc(
    {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [BUCKET_ARN, f"{BUCKET_ARN}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


def test_public_bucket_policy_is_reported():
    args = resource_args(BUCKET_POLICY, {"bucket": "prod-audit", "policy": PUBLIC_READ})
    assert violations(S3_POLICY_NOT_PUBLIC, args) == [
        f'Allow statement "PublicRead" grants "s3:GetObject" to "*" without a condition on {KEYS}'
    ]


def test_inline_bucket_policy_is_checked_too():
    args = resource_args(BUCKET, {"policy": PUBLIC_READ})
    assert len(violations(S3_POLICY_NOT_PUBLIC, args)) == 1


def test_bucket_policy_that_only_denies_public_requests_passes():
    assert (
        violations(S3_POLICY_NOT_PUBLIC, resource_args(BUCKET_POLICY, {"bucket": "prod-audit", "policy": TLS_ONLY}))
        == []
    )


def test_public_queue_policy_with_only_secure_transport_is_reported():
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["sqs:SendMessage", "sqs:ReceiveMessage"],
            "Resource": QUEUE_ARN,
            "Condition": {"Bool": {"aws:SecureTransport": "true"}},
        }
    )
    args = resource_args("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "https://sqs/orders", "policy": policy})
    assert violations(SQS_POLICY_NOT_PUBLIC, args) == [
        f'Allow statement #1 grants "sqs:SendMessage", "sqs:ReceiveMessage" to "*" without a condition on {KEYS}'
    ]


def test_queue_policy_for_a_topic_pinned_by_source_arn_passes():
    policy = doc(
        {
            "Sid": "TopicDelivers",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "sqs:SendMessage",
            "Resource": QUEUE_ARN,
            "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC_ARN}},
        }
    )
    args = resource_args("aws:sqs/queuePolicy:QueuePolicy", {"queueUrl": "https://sqs/orders", "policy": policy})
    assert violations(SQS_POLICY_NOT_PUBLIC, args) == []


def test_public_topic_policy_is_reported_and_service_principal_passes():
    public = doc(
        {"Sid": "Anyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish", "Resource": TOPIC_ARN}
    )
    scoped = doc(
        {
            "Sid": "CloudWatchAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": TOPIC_ARN,
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    )
    topic_policy = "aws:sns/topicPolicy:TopicPolicy"
    assert violations(SNS_POLICY_NOT_PUBLIC, resource_args(topic_policy, {"arn": TOPIC_ARN, "policy": public})) == [
        f'Allow statement "Anyone" grants "sns:Publish" to "*" without a condition on {KEYS}'
    ]
    assert violations(SNS_POLICY_NOT_PUBLIC, resource_args(topic_policy, {"arn": TOPIC_ARN, "policy": scoped})) == []


def test_public_key_policy_is_reported_and_org_pinned_one_passes():
    public = doc({"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"})
    pinned = doc(
        {
            "Sid": "Org",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    )
    for key_type in ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey"):
        assert violations(KMS_POLICY_NOT_PUBLIC, resource_args(key_type, {"policy": public})) == [
            f'Allow statement "Everyone" grants "kms:Decrypt" to "*" without a condition on {KEYS}'
        ]
        assert violations(KMS_POLICY_NOT_PUBLIC, resource_args(key_type, {"policy": pinned})) == []


def test_public_secret_policy_via_not_principal_is_reported():
    policy = doc(
        {
            "Effect": "Allow",
            "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/intruder"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    args = resource_args("aws:secretsmanager/secretPolicy:SecretPolicy", {"secretArn": "arn:secret", "policy": policy})
    assert violations(SECRET_POLICY_NOT_PUBLIC, args) == [
        f'Allow statement #1 grants "secretsmanager:GetSecretValue" to everyone except "arn:aws:iam::{ACCOUNT}:role/intruder" '
        f"without a condition on {KEYS}"
    ]


def test_secret_policy_for_an_account_role_passes():
    policy = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"},
            "Action": "secretsmanager:GetSecretValue",
            "Resource": "*",
        }
    )
    args = resource_args("aws:secretsmanager/secretPolicy:SecretPolicy", {"secretArn": "arn:secret", "policy": policy})
    assert violations(SECRET_POLICY_NOT_PUBLIC, args) == []


def test_unreadable_resource_policy_is_reported_and_unknown_one_skipped():
    assert violations(S3_POLICY_NOT_PUBLIC, resource_args(BUCKET_POLICY, {"policy": "{'Statement': []}"})) == [
        "policy is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)"
    ]
    assert violations(S3_POLICY_NOT_PUBLIC, resource_args(BUCKET_POLICY, {"policy": UNKNOWN_STRING_VALUE})) == []


def test_public_lambda_permission_is_reported_and_source_pinned_one_passes():
    permission = "aws:lambda/permission:Permission"
    public = {"action": "lambda:InvokeFunction", "function": "label-printer", "principal": "*"}
    assert violations(LAMBDA_PERMISSION_NOT_PUBLIC, resource_args(permission, public)) == [
        'permission lets "*" call "lambda:InvokeFunction" without source_arn, source_account or principal_org_id'
    ]
    assert (
        violations(LAMBDA_PERMISSION_NOT_PUBLIC, resource_args(permission, {**public, "sourceAccount": ACCOUNT})) == []
    )
    service = {**public, "principal": "s3.amazonaws.com", "sourceArn": BUCKET_ARN}
    assert violations(LAMBDA_PERMISSION_NOT_PUBLIC, resource_args(permission, service)) == []


# -- security groups -------------------------------------------------------------------------


def sg(*ingress: dict, tags: dict | None = None) -> dict:
    return {"vpcId": "vpc-1", "ingress": list(ingress), **({"tags": tags} if tags else {})}


def tcp(port_from: float, port_to: float | None = None, *, v4: list[str] = (), v6: list[str] = ()) -> dict:
    return {
        "protocol": "tcp",
        "fromPort": float(port_from),
        "toPort": float(port_to if port_to is not None else port_from),
        "cidrBlocks": list(v4),
        "ipv6CidrBlocks": list(v6),
    }


def test_ssh_from_the_internet_is_reported():
    args = resource_args(SG, sg(tcp(22, v4=["0.0.0.0/0"])))
    assert violations(NO_INTERNET_SSH, args) == ["security group allows 0.0.0.0/0 on port 22 (SSH)"]


def test_ssh_from_the_vpc_passes():
    assert violations(NO_INTERNET_SSH, resource_args(SG, sg(tcp(22, v4=["10.0.0.0/16"])))) == []


def test_rdp_over_ipv6_through_a_range_is_reported():
    args = resource_args(SG, sg(tcp(3000, 4000, v6=["::/0"])))
    assert violations(NO_INTERNET_RDP, args) == [
        "security group allows ::/0 on port 3389 (RDP) through ports 3000-4000"
    ]
    assert violations(NO_INTERNET_RDP, resource_args(SG, sg(tcp(3390, 4000, v6=["::/0"])))) == []


def test_database_port_from_the_internet_is_reported():
    args = resource_args(SG, sg(tcp(5432, v4=["0.0.0.0/0"])))
    assert violations(NO_INTERNET_DATA_PORTS, args) == ["security group allows 0.0.0.0/0 on port 5432 (PostgreSQL)"]


@pytest.mark.parametrize("protocol", ["-1", "all", "ALL"])
def test_all_protocols_expand_to_every_port(protocol):
    args = resource_args(SG, sg({"protocol": protocol, "fromPort": 0.0, "toPort": 0.0, "cidrBlocks": ["0.0.0.0/0"]}))
    assert violations(NO_INTERNET_SSH, args) == [
        'security group allows 0.0.0.0/0 on port 22 (SSH) through all ports (protocol "-1")'
    ]
    assert violations(NO_INTERNET_DATA_PORTS, args) == [
        "security group allows 0.0.0.0/0 on ports 1433 (SQL Server), 1521 (Oracle), 3306 (MySQL), 5432 (PostgreSQL), "
        '6379 (Redis), 11211 (Memcached), 27017 (MongoDB) through all ports (protocol "-1")'
    ]


def test_standalone_ingress_rules_are_checked():
    rule = resource_args(
        SG_RULE,
        {
            "type": "ingress",
            "protocol": "6",
            "fromPort": 6379.0,
            "toPort": 6379.0,
            "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": "sg-1",
        },
    )
    assert violations(NO_INTERNET_DATA_PORTS, rule) == ["security group rule allows 0.0.0.0/0 on port 6379 (Redis)"]
    udp = resource_args(
        SG_RULE,
        {
            "type": "ingress",
            "protocol": "udp",
            "fromPort": 11211.0,
            "toPort": 11211.0,
            "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": "sg-1",
        },
    )
    assert violations(NO_INTERNET_DATA_PORTS, udp) == [
        "security group rule allows 0.0.0.0/0 on port 11211 (Memcached) through UDP port 11211"
    ]
    egress = resource_args(
        SG_RULE,
        {
            "type": "egress",
            "protocol": "-1",
            "fromPort": 0.0,
            "toPort": 0.0,
            "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": "sg-1",
        },
    )
    assert violations(NO_INTERNET_SSH, egress) == []
    vpc_rule = resource_args(
        INGRESS_RULE,
        {"ipProtocol": "tcp", "fromPort": 3306.0, "toPort": 3306.0, "cidrIpv6": "::/0", "securityGroupId": "sg-1"},
    )
    assert violations(NO_INTERNET_DATA_PORTS, vpc_rule) == ["security group rule allows ::/0 on port 3306 (MySQL)"]
    vpc_all = resource_args(INGRESS_RULE, {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0", "securityGroupId": "sg-1"})
    assert violations(NO_INTERNET_SSH, vpc_all) == [
        'security group rule allows 0.0.0.0/0 on port 22 (SSH) through all ports (protocol "-1")'
    ]


def test_unknown_ports_are_not_judged():
    args = resource_args(
        SG, sg({"protocol": "tcp", "fromPort": UNKNOWN_STRING_VALUE, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]})
    )
    assert violations(NO_INTERNET_SSH, args) == []


def group(name: str, *ingress: dict, tags: dict | None = None):
    return policy_resource(SG, sg(*ingress, tags=tags), name=name)


def test_https_on_a_load_balancer_group_passes():
    lb = group(
        "alb-sg", tcp(443, v4=["0.0.0.0/0"], v6=["::/0"]), tcp(80, v4=["0.0.0.0/0"]), tags={"role": "load-balancer"}
    )
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [lb]) == []


def test_https_on_a_group_that_is_not_a_load_balancers_is_reported():
    app = group("app-sg", tcp(443, v4=["0.0.0.0/0"]), tags={"role": "app"})
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [app]) == [
        "security group allows 0.0.0.0/0 on port 443 but no internet-facing load balancer uses it (nor is it tagged "
        "role=load-balancer); only security groups that serve internet-facing load balancers alone may be open to "
        "the internet"
    ]


def test_other_ports_and_protocols_are_reported_even_on_load_balancers():
    lb = group(
        "alb-sg",
        tcp(8080, 8090, v4=["0.0.0.0/0"]),
        {"protocol": "icmp", "fromPort": -1.0, "toPort": -1.0, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "-1", "fromPort": 0.0, "toPort": 0.0, "ipv6CidrBlocks": ["::/0"]},
        {"protocol": "udp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]},
        tcp(22, v4=["0.0.0.0/0"]),
        tags={"role": "load-balancer"},
    )
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [lb]) == [
        "security group allows 0.0.0.0/0 on ports 8080-8090; only TCP 80 and 443 may be open to the internet",
        'security group allows 0.0.0.0/0 on protocol "icmp"; only TCP 80 and 443 may be open to the internet',
        'security group allows ::/0 on all ports (protocol "-1"); only TCP 80 and 443 may be open to the internet',
        "security group allows 0.0.0.0/0 on UDP port 443; only TCP 80 and 443 may be open to the internet",
    ]


def test_standalone_rules_take_the_load_balancer_tag_from_their_group():
    lb = group("alb-sg", tags={"role": "load-balancer"})
    app = group("app-sg", tags={"role": "app"})
    on_lb = policy_resource(
        SG_RULE,
        {
            "type": "ingress",
            "protocol": "tcp",
            "fromPort": 443.0,
            "toPort": 443.0,
            "cidrBlocks": ["0.0.0.0/0"],
            "securityGroupId": UNKNOWN_STRING_VALUE,
        },
        name="lb-https",
        property_dependencies={"securityGroupId": [lb]},
    )
    on_app = policy_resource(
        INGRESS_RULE,
        {
            "ipProtocol": "tcp",
            "fromPort": 80.0,
            "toPort": 80.0,
            "cidrIpv4": "0.0.0.0/0",
            "securityGroupId": UNKNOWN_STRING_VALUE,
        },
        name="app-http",
        property_dependencies={"securityGroupId": [app]},
    )
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [lb, app, on_lb, on_app]) == [
        "security group rule allows 0.0.0.0/0 on port 80 but no internet-facing load balancer uses it (nor is it "
        "tagged role=load-balancer); only security groups that serve internet-facing load balancers alone may be "
        "open to the internet"
    ]


LB = "aws:lb/loadBalancer:LoadBalancer"


def attached_to(resource_type: str, name: str, prop: str, target, **props):
    return policy_resource(
        resource_type, {prop: [UNKNOWN_STRING_VALUE], **props}, name=name, property_dependencies={prop: [target]}
    )


def test_a_group_only_internet_facing_load_balancers_use_may_open_443_without_a_tag():
    # A third-party ALB group: no crossdock tag, attached to an internet-facing aws.lb.LoadBalancer only.
    alb_sg = group("alb-sg", tcp(443, v4=["0.0.0.0/0"]), tcp(80, v4=["0.0.0.0/0"]))
    alb = attached_to(LB, "web-lb", "securityGroups", alb_sg, internal=False, loadBalancerType="application")
    app_sg = policy_resource(
        SG,
        sg({"protocol": "tcp", "fromPort": 80.0, "toPort": 80.0, "securityGroups": [UNKNOWN_STRING_VALUE]}),
        name="app-sg",
        property_dependencies={"ingress": [alb_sg]},  # a source reference, not an attachment
    )
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [alb_sg, alb, app_sg]) == []


def test_a_load_balancer_group_also_attached_to_tasks_or_instances_is_reported():
    shared = group("shared-sg", tcp(443, v4=["0.0.0.0/0"]), tags={"role": "load-balancer"})
    alb = attached_to(LB, "web-lb", "securityGroups", shared)
    service = policy_resource(
        "aws:ecs/service:Service",
        {"networkConfiguration": {"securityGroups": [UNKNOWN_STRING_VALUE]}},
        name="web-service",
        property_dependencies={"networkConfiguration": [shared]},
    )
    server = attached_to("aws:ec2/instance:Instance", "bastion", "vpcSecurityGroupIds", shared)
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [shared, alb, service, server]) == [
        'security group allows 0.0.0.0/0 on port 443 but it is also attached to aws.ecs.Service "web-service", '
        'aws.ec2.Instance "bastion"; only security groups that serve internet-facing load balancers alone may be '
        "open to the internet"
    ]


def test_a_group_used_only_by_an_internal_load_balancer_is_reported():
    inner = group("inner-sg", tcp(443, v4=["0.0.0.0/0"]))
    nlb = attached_to(LB, "inner-lb", "securityGroups", inner, internal=True)
    assert violations(INTERNET_ONLY_WEB_ON_LOAD_BALANCERS, [inner, nlb]) == [
        'security group allows 0.0.0.0/0 on port 443 but it is also attached to aws.lb.LoadBalancer "inner-lb"; '
        "only security groups that serve internet-facing load balancers alone may be open to the internet"
    ]


# -- buckets ---------------------------------------------------------------------------------


def bucket(name: str = "audit", **props):
    return policy_resource(BUCKET, props, name=name)


def block(target, name: str = "audit-public-access", **flags):
    props = {
        "bucket": UNKNOWN_STRING_VALUE,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    return policy_resource(BLOCK, {**props, **flags}, name=name, property_dependencies={"bucket": [target]})


def test_bucket_with_a_full_public_access_block_passes():
    audit = bucket()
    assert violations(PUBLIC_ACCESS_BLOCKED, [audit, block(audit)]) == []


def test_bucket_without_a_public_access_block_is_reported():
    assert violations(PUBLIC_ACCESS_BLOCKED, [bucket(bucket="prod-audit")]) == [
        'bucket "prod-audit" has no public-access block with all four settings true'
    ]


def test_partial_public_access_block_names_the_missing_settings():
    audit = bucket()
    partial = block(audit, blockPublicPolicy=False, restrictPublicBuckets=None)
    assert violations(PUBLIC_ACCESS_BLOCKED, [audit, partial]) == [
        'bucket "audit" has a public-access block, but block_public_policy and restrict_public_buckets are not true'
    ]


def test_block_for_another_bucket_does_not_count_and_literal_names_match():
    audit, other = bucket("audit", bucket="prod-audit"), bucket("other", bucket="prod-other")
    by_name = policy_resource(
        BLOCK,
        {
            "bucket": "prod-audit",
            "blockPublicAcls": True,
            "blockPublicPolicy": True,
            "ignorePublicAcls": True,
            "restrictPublicBuckets": True,
        },
        name="by-name",
    )
    assert violations(PUBLIC_ACCESS_BLOCKED, [audit, other, by_name]) == [
        'bucket "prod-other" has no public-access block with all four settings true'
    ]


def test_legacy_bucket_v2_is_covered():
    legacy = policy_resource("aws:s3/bucketV2:BucketV2", {}, name="legacy")
    assert violations(PUBLIC_ACCESS_BLOCKED, [legacy]) == [
        'bucket "legacy" has no public-access block with all four settings true'
    ]


def tls_policy(target, document=TLS_ONLY, name: str = "audit-tls-only"):
    return policy_resource(
        BUCKET_POLICY,
        {"bucket": UNKNOWN_STRING_VALUE, "policy": document},
        name=name,
        property_dependencies={"bucket": [target]},
    )


def test_bucket_with_a_tls_only_policy_passes():
    audit = bucket()
    assert violations(TLS_ONLY_BUCKETS, [audit, tls_policy(audit)]) == []
    rendered = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": "*",
                "Resource": "*",
                "Condition": {"Bool": {"aws:SecureTransport": False}},
            },
        },
        indent=2,
    )
    assert violations(TLS_ONLY_BUCKETS, [audit, tls_policy(audit, rendered)]) == []


MISSING_TLS = 'bucket "audit" has no bucket policy that denies requests without TLS (Deny "s3:*" to "*" when aws:SecureTransport is "false")'


@pytest.mark.parametrize(
    "document",
    [
        PUBLIC_READ,
        doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": BUCKET_ARN,
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
        doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:PutObject",
                "Resource": f"{BUCKET_ARN}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ),
        doc(
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": f"{BUCKET_ARN}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        ),
        "{not json",
    ],
    ids=["allow-only", "bucket-but-not-objects", "one-action", "wrong-value", "invalid"],
)
def test_bucket_policies_that_do_not_refuse_plain_http_are_reported(document):
    audit = bucket()
    assert violations(TLS_ONLY_BUCKETS, [audit, tls_policy(audit, document)]) == [MISSING_TLS]


def test_bucket_without_any_policy_is_reported_and_unknown_policy_skipped():
    audit = bucket()
    assert violations(TLS_ONLY_BUCKETS, [audit]) == [MISSING_TLS]
    assert violations(TLS_ONLY_BUCKETS, [audit, tls_policy(audit, UNKNOWN_STRING_VALUE)]) == []


# -- ECR repository policies ---------------------------------------------------------------------

ECR_POLICY = "aws:ecr/repositoryPolicy:RepositoryPolicy"


def ecr_policy(*statements):
    return resource_args(
        ECR_POLICY,
        {"repository": "app", "policy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})},
    )


def test_public_pull_only_ecr_policy_passes():
    pull = {"Effect": "Allow", "Principal": "*", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}
    push_by_org = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "ecr:*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
    }
    assert violations(ECR_POLICY_NO_PUBLIC_WRITES, ecr_policy(pull, push_by_org)) == []


def test_public_push_in_an_ecr_policy_is_reported():
    push = {"Sid": "Everyone", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": ["ecr:PutImage", "ecr:Get*"]}
    everything = {"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}
    assert violations(ECR_POLICY_NO_PUBLIC_WRITES, ecr_policy(push, everything)) == [
        'Allow statement "Everyone" lets "*" change the repository (ecr:PutImage) without a condition on '
        f"{RESTRICTING_KEYS_TEXT}",
        'Allow statement #2 lets "*" change the repository (ecr:PutImage, ecr:InitiateLayerUpload, '
        f"ecr:UploadLayerPart, ecr:CompleteLayerUpload, ...) without a condition on {RESTRICTING_KEYS_TEXT}",
    ]
