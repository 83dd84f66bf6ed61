"""Policy documents parse to one normal form whatever shape they arrive in."""

from __future__ import annotations

import asyncio
import json

import pulumi
import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.documents import (
    PolicyDocumentError,
    Statement,
    action_matches,
    has_restricting_condition,
    iam_policy_sources,
    is_wildcard_action,
    known,
    parse_policy,
    peek,
    principal_is_public,
    referenced,
)
from tests.policies.harness import policy_resource

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:orders"
TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:events"

# One policy, four shapes: a dict, hand-written JSON, Output.json_dumps, and what the
# provider renders for aws.iam.get_policy_document (indented, one-element lists
# collapsed to strings, longer lists reverse-sorted, principals grouped by type).
AS_DICT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DeliverFromTopic",
            "Effect": "Allow",
            "Principal": {"Service": ["sns.amazonaws.com"]},
            "Action": ["sqs:SendMessage"],
            "Resource": [QUEUE_ARN],
            "Condition": {"ArnEquals": {"aws:SourceArn": [TOPIC_ARN]}},
        },
        {
            "Sid": "ConsumersRead",
            "Effect": "Allow",
            "Principal": {"AWS": ["arn:aws:iam::123456789012:role/worker", "arn:aws:iam::123456789012:role/audit"]},
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
            "Resource": [QUEUE_ARN],
        },
    ],
}
PROVIDER_RENDERED = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DeliverFromTopic",
      "Effect": "Allow",
      "Action": "sqs:SendMessage",
      "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders",
      "Principal": {
        "Service": "sns.amazonaws.com"
      },
      "Condition": {
        "ArnEquals": {
          "aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:events"
        }
      }
    },
    {
      "Sid": "ConsumersRead",
      "Effect": "Allow",
      "Action": [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage"
      ],
      "Resource": "arn:aws:sqs:eu-west-1:123456789012:orders",
      "Principal": {
        "AWS": [
          "arn:aws:iam::123456789012:role/worker",
          "arn:aws:iam::123456789012:role/audit"
        ]
      }
    }
  ]
}"""


def _json_dumps_rendered() -> str:
    """What `pulumi.Output.json_dumps` really produces when ARNs are Outputs."""

    async def render() -> str:
        queue_arn = pulumi.Output.from_input(QUEUE_ARN)
        document = json.loads(json.dumps(AS_DICT))
        document["Statement"][0]["Resource"] = [queue_arn]
        document["Statement"][0]["Condition"]["ArnEquals"]["aws:SourceArn"] = [pulumi.Output.from_input(TOPIC_ARN)]
        document["Statement"][1]["Resource"] = [queue_arn]
        return await pulumi.Output.json_dumps(document).future()

    return asyncio.run(render())


EXPECTED = (
    Statement(
        index=1,
        sid="DeliverFromTopic",
        effect="Allow",
        actions=("sqs:SendMessage",),
        resources=(QUEUE_ARN,),
        principals={"Service": ("sns.amazonaws.com",)},
        condition={"ArnEquals": {"aws:sourcearn": (TOPIC_ARN,)}},
    ),
    Statement(
        index=2,
        sid="ConsumersRead",
        effect="Allow",
        actions=("sqs:ReceiveMessage", "sqs:DeleteMessage"),
        resources=(QUEUE_ARN,),
        principals={"AWS": ("arn:aws:iam::123456789012:role/worker", "arn:aws:iam::123456789012:role/audit")},
    ),
)


def _plain(statement: Statement) -> tuple:
    """Compare statements by value (mapping proxies and dicts compare equal as dicts)."""
    return (
        statement.index,
        statement.sid,
        statement.effect,
        statement.actions,
        statement.not_actions,
        statement.resources,
        statement.not_resources,
        dict(statement.principals),
        dict(statement.not_principals),
        {op: dict(keys) for op, keys in statement.condition.items()},
    )


@pytest.mark.parametrize(
    "shape",
    [AS_DICT, json.dumps(AS_DICT), json.dumps(AS_DICT, indent=4), PROVIDER_RENDERED, "json_dumps"],
    ids=["dict", "json-string", "indented-json", "get_policy_document", "Output.json_dumps"],
)
def test_every_shape_parses_to_the_same_statements(shape):
    value = _json_dumps_rendered() if shape == "json_dumps" else shape
    document = parse_policy(value)
    assert document.version == "2012-10-17"
    assert [_plain(s) for s in document.statements] == [_plain(s) for s in EXPECTED]


def test_statement_may_be_a_single_object_and_values_single_strings():
    document = parse_policy(
        {
            "Statement": {
                "Effect": "Deny",
                "NotAction": "s3:GetObject",
                "NotResource": "arn:aws:s3:::logs/*",
                "Principal": "*",
            }
        }
    )
    (statement,) = document.statements
    assert statement.effect == "Deny"
    assert statement.not_actions == ("s3:GetObject",)
    assert statement.not_resources == ("arn:aws:s3:::logs/*",)
    assert statement.actions == () and statement.resources == ()
    assert statement.label == "#1"
    assert document.version is None


@pytest.mark.parametrize(
    ("principal", "expected"),
    [
        ("*", {"AWS": ("*",)}),
        ({"AWS": "*"}, {"AWS": ("*",)}),
        (
            {"AWS": ["arn:aws:iam::111122223333:root", "444455556666"]},
            {"AWS": ("arn:aws:iam::111122223333:root", "444455556666")},
        ),
        ({"Service": "logs.eu-west-1.amazonaws.com"}, {"Service": ("logs.eu-west-1.amazonaws.com",)}),
        ({"Federated": "cognito-identity.amazonaws.com"}, {"Federated": ("cognito-identity.amazonaws.com",)}),
    ],
)
def test_principal_shapes(principal, expected):
    (statement,) = parse_policy(
        {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Principal": principal}]}
    ).statements
    assert dict(statement.principals) == expected


def test_condition_keys_are_lowercased_and_values_become_string_tuples():
    raw = {
        "Effect": "Deny",
        "Action": "s3:*",
        "Principal": "*",
        "Condition": {
            "Bool": {"aws:SecureTransport": False},
            "NumericLessThan": {"s3:TlsVersion": 1.2},
            "StringEquals": {"AWS:SourceAccount": ["111122223333", "444455556666"]},
            "NumericEquals": {"s3:max-keys": 10.0},
        },
    }
    (statement,) = parse_policy({"Statement": raw}).statements
    assert {op: dict(keys) for op, keys in statement.condition.items()} == {
        "Bool": {"aws:securetransport": ("false",)},
        "NumericLessThan": {"s3:tlsversion": ("1.2",)},
        "StringEquals": {"aws:sourceaccount": ("111122223333", "444455556666")},
        "NumericEquals": {"s3:max-keys": ("10",)},
    }


def test_statement_without_condition_has_an_empty_condition():
    (statement,) = parse_policy(
        {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    ).statements
    assert dict(statement.condition) == {}
    assert not has_restricting_condition(statement)


@pytest.mark.parametrize("value", [None, "", "   ", UNKNOWN_STRING_VALUE])
def test_absent_or_unknown_documents_are_none(value):
    assert parse_policy(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('{"Statement": [', "policy is not valid JSON (Expecting value at line 1 column 16)"),
        ("not json", "policy is not valid JSON (Expecting value at line 1 column 1)"),
        ("[1, 2]", "policy is not a JSON object"),
        ({"Statement": "Allow"}, "policy has a Statement that is neither an object nor a list"),
        ({"Statement": ["Allow"]}, "policy statement #1 is not a JSON object"),
        (
            {"Statement": [{"Action": "s3:GetObject"}]},
            'policy statement #1 has Effect null; expected "Allow" or "Deny"',
        ),
        ({"Statement": [{"Effect": "Permit"}]}, 'policy statement #1 has Effect "Permit"; expected "Allow" or "Deny"'),
        (
            {"Statement": [{"Effect": "Allow", "Action": 7}]},
            "policy statement #1 Action must be a string or a list of strings",
        ),
        (
            {"Statement": [{"Effect": "Allow", "Principal": "arn:aws:iam::1:root"}]},
            'policy statement #1 Principal must be "*" or an object such as {"AWS": [...]}',
        ),
        ({"Statement": [{"Effect": "Allow", "Condition": ["x"]}]}, "policy statement #1 Condition must be an object"),
    ],
)
def test_invalid_documents_raise_a_clear_error(value, message):
    with pytest.raises(PolicyDocumentError) as error:
        parse_policy(value)
    assert str(error.value) == message


def test_error_names_the_labelled_document():
    with pytest.raises(PolicyDocumentError, match=r'^inline policy "reader" is not valid JSON'):
        parse_policy("{", 'inline policy "reader"')


def test_effect_is_case_insensitive_and_normalised():
    (statement,) = parse_policy({"Statement": [{"Effect": "allow", "Action": "s3:GetObject"}]}).statements
    assert statement.effect == "Allow" and statement.is_allow


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("s3:GetObject", "s3:getobject", True),
        ("S3:GetObject", "s3:GetObject", True),
        ("s3:Get*", "s3:GetObjectVersion", True),
        ("s3:*", "s3:PutObject", True),
        ("*", "iam:PassRole", True),
        ("iam:Pass*", "iam:PassRole", True),
        ("iam:?assRole", "iam:PassRole", True),
        ("iam:?assRole", "iam:PPassRole", False),
        ("s3:Get*", "s3:PutObject", False),
        ("s3:GetObject", "s3:GetObjectAcl", False),
        ("s3:Get.bject", "s3:GetObject", False),
    ],
)
def test_action_matches_uses_iam_wildcards_case_insensitively(pattern, action, matches):
    assert action_matches(pattern, action) is matches


@pytest.mark.parametrize(
    ("action", "wildcard"),
    [
        ("*", True),
        ("s3:*", True),
        ("IAM:*", True),
        ("*:*", True),
        ("s3:Get*", False),
        ("s3:GetObject", False),
        ("s3:*Object", False),
    ],
)
def test_is_wildcard_action(action, wildcard):
    assert is_wildcard_action(action) is wildcard


def _statement(**raw) -> Statement:
    (statement,) = parse_policy({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", **raw}]}).statements
    return statement


@pytest.mark.parametrize(
    ("raw", "public"),
    [
        ({"Principal": "*"}, True),
        ({"Principal": {"AWS": "*"}}, True),
        ({"Principal": {"AWS": ["arn:aws:iam::123456789012:root", "*"]}}, True),
        ({"Principal": {"AWS": "arn:aws:iam::*:root"}}, True),
        ({"NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}}, True),
        ({"Principal": {"AWS": "arn:aws:iam::123456789012:root"}}, False),
        ({"Principal": {"AWS": "arn:aws:iam::123456789012:role/*"}}, False),
        ({"Principal": {"Service": "sns.amazonaws.com"}}, False),
        ({}, False),
    ],
)
def test_principal_is_public(raw, public):
    assert principal_is_public(_statement(**raw)) is public


@pytest.mark.parametrize(
    ("condition", "restricts"),
    [
        ({"ArnEquals": {"aws:SourceArn": TOPIC_ARN}}, True),
        ({"StringEquals": {"aws:SourceAccount": "123456789012"}}, True),
        ({"StringEquals": {"AWS:SOURCEACCOUNT": "123456789012"}}, True),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}, True),
        ({"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}, True),
        ({"StringEquals": {"aws:SourceOwner": "123456789012"}}, True),
        ({"StringEquals": {"aws:PrincipalAccount": "123456789012"}}, True),
        ({"ForAnyValue:StringLike": {"aws:PrincipalOrgID": ["o-abc*"]}}, True),
        ({"StringEqualsIfExists": {"aws:SourceAccount": "123456789012"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:*"}}, True),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        ({"StringNotEquals": {"aws:SourceAccount": "123456789012"}}, False),
        ({"Null": {"aws:SourceArn": "false"}}, False),
        ({"StringLike": {"aws:SourceArn": "*"}}, False),
        ({"StringEquals": {"aws:username": "alice"}}, False),
    ],
)
def test_has_restricting_condition(condition, restricts):
    assert has_restricting_condition(_statement(Principal="*", Condition=condition)) is restricts


def test_role_documents_are_its_inline_policies_and_trust_policy():
    props = {
        "assumeRolePolicy": '{"Statement": []}',
        "inlinePolicies": [{"name": "reader", "policy": "{}"}, {"policy": "{}"}],
    }
    sources = iam_policy_sources("aws:iam/role:Role", props)
    assert [(s.label, s.kind) for s in sources] == [
        ('inline policy "reader"', "identity"),
        ("inline policy #2", "identity"),
        ("trust policy", "trust"),
    ]
    assert [s.label for s in iam_policy_sources("aws:iam/rolePolicy:RolePolicy", {"policy": "{}"})] == ["policy"]
    assert iam_policy_sources("aws:s3/bucketPolicy:BucketPolicy", {"policy": "{}"}) == []


def test_known_and_peek_treat_unknowns_without_raising():
    props = unknown_checking_proxy({"arn": UNKNOWN_STRING_VALUE, "name": "orders"})
    with pytest.raises(UnknownValueError):
        props.get("arn")
    assert known(props, "arn") is None
    assert known(props, "name") == "orders"
    assert peek(props, "arn") == UNKNOWN_STRING_VALUE
    assert known({"arn": UNKNOWN_STRING_VALUE}, "arn") is None
    assert peek({}, "arn") is None


def test_referenced_prefers_property_dependencies_and_falls_back_to_equal_values():
    bucket = policy_resource("aws:s3/bucket:Bucket", {"bucket": "prod-audit"}, name="audit")
    other = policy_resource("aws:s3/bucket:Bucket", {"bucket": "prod-other"}, name="other")
    by_dependency = policy_resource(
        "aws:s3/bucketPolicy:BucketPolicy",
        {"bucket": UNKNOWN_STRING_VALUE},
        name="p1",
        property_dependencies={"bucket": [bucket]},
    )
    by_value = policy_resource("aws:s3/bucketPolicy:BucketPolicy", {"bucket": "prod-audit"}, name="p2")
    # A dependency on another bucket wins over an accidental equal literal.
    elsewhere = policy_resource(
        "aws:s3/bucketPolicy:BucketPolicy",
        {"bucket": "prod-audit"},
        name="p3",
        property_dependencies={"bucket": [other]},
    )
    candidates = [bucket, other]
    assert referenced(by_dependency, "bucket", candidates, ("bucket",)) == [bucket]
    assert referenced(by_value, "bucket", candidates, ("bucket",)) == [bucket]
    assert referenced(elsewhere, "bucket", [bucket], ("bucket",)) == []
