"""`aws:iam/getPolicyDocument` rendered offline like the AWS provider renders it."""

from __future__ import annotations

import json
import zlib

import pytest

from crossdock.engine.policy_document import PolicyDocumentError, render_policy_document


def statements(result):
    return json.loads(result["json"])["Statement"]


def test_single_values_collapse_and_lists_are_reverse_sorted():
    result = render_policy_document(
        {
            "statements": [
                {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"]},
                {
                    "sid": "Many",
                    "actions": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:GetObject"],
                    "resources": ["arn:aws:s3:::a", "arn:aws:s3:::b"],
                },
            ]
        }
    )
    assert statements(result) == [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
        {
            "Sid": "Many",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::a"],
        },
    ]


def test_exact_text_minified_and_id():
    result = render_policy_document(
        {
            "statements": [
                {"sid": "Read", "effect": "Deny", "actions": ["sqs:*"], "notResources": ["arn:aws:sqs:*:*:x"]}
            ],
            "policyId": "doc-1",
        }
    )
    expected = (
        "{\n"
        '  "Version": "2012-10-17",\n'
        '  "Id": "doc-1",\n'
        '  "Statement": [\n'
        "    {\n"
        '      "Sid": "Read",\n'
        '      "Effect": "Deny",\n'
        '      "Action": "sqs:*",\n'
        '      "NotResource": "arn:aws:sqs:*:*:x"\n'
        "    }\n"
        "  ]\n"
        "}"
    )
    assert result["json"] == expected
    assert result["minifiedJson"] == json.dumps(json.loads(expected), separators=(",", ":"))
    assert result["id"] == str(zlib.crc32(expected.encode()))


def test_principals():
    result = render_policy_document(
        {
            "statements": [
                {
                    "actions": ["sts:AssumeRole"],
                    "principals": [{"type": "Service", "identifiers": ["ec2.amazonaws.com"]}],
                },
                {"actions": ["s3:GetObject"], "principals": [{"type": "AWS", "identifiers": ["*"]}]},
                {"actions": ["s3:GetObject"], "principals": [{"type": "*", "identifiers": ["*"]}]},
                {
                    "actions": ["kms:Decrypt"],
                    "principals": [
                        {
                            "type": "AWS",
                            "identifiers": ["arn:aws:iam::111111111111:root", "arn:aws:iam::222222222222:root"],
                        },
                        {"type": "Service", "identifiers": ["logs.amazonaws.com"]},
                        {"type": "AWS", "identifiers": ["arn:aws:iam::333333333333:root"]},
                    ],
                },
                {
                    "actions": ["s3:*"],
                    "effect": "Deny",
                    "notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::1:role/admin"]}],
                },
            ]
        }
    )
    got = statements(result)
    assert got[0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert got[1]["Principal"] == {"AWS": "*"}
    assert got[2]["Principal"] == "*"
    assert got[3]["Principal"] == {
        "AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::111111111111:root", "arn:aws:iam::333333333333:root"],
        "Service": "logs.amazonaws.com",
    }
    assert got[4]["NotPrincipal"] == {"AWS": "arn:aws:iam::1:role/admin"}
    assert list(got[4]) == ["Effect", "Action", "NotPrincipal"]


def test_conditions_group_by_test_and_variable():
    result = render_policy_document(
        {
            "statements": [
                {
                    "actions": ["s3:*"],
                    "effect": "Deny",
                    "resources": ["*"],
                    "conditions": [
                        {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]},
                        {"test": "StringNotEquals", "variable": "aws:SourceVpce", "values": ["vpce-2", "vpce-1"]},
                        {"test": "StringNotEquals", "variable": "aws:PrincipalAccount", "values": ["123456789012"]},
                    ],
                }
            ]
        }
    )
    assert statements(result)[0]["Condition"] == {
        "Bool": {"aws:SecureTransport": "false"},
        "StringNotEquals": {"aws:PrincipalAccount": "123456789012", "aws:SourceVpce": ["vpce-2", "vpce-1"]},
    }


def test_not_actions_and_policy_variables():
    result = render_policy_document(
        {
            "statements": [
                {"notActions": ["iam:*", "organizations:*"], "resources": ["arn:aws:s3:::home/&{aws:username}/*"]}
            ]
        }
    )
    assert statements(result) == [
        {
            "Effect": "Allow",
            "NotAction": ["organizations:*", "iam:*"],
            "Resource": "arn:aws:s3:::home/${aws:username}/*",
        }
    ]


def test_source_and_override_documents_merge_by_sid():
    source = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "Keep", "Effect": "Allow", "Action": ["a:B", "a:A"], "Resource": "*"},
                {"Sid": "Replace", "Effect": "Allow", "Action": "x:Old", "Resource": "*"},
            ],
        }
    )
    override = json.dumps(
        {
            "Statement": [
                {
                    "Sid": "Replace",
                    "Effect": "Deny",
                    "Action": "x:New",
                    "Resource": "*",
                    "Principal": {"AWS": ["arn:a", "arn:b"]},
                }
            ]
        }
    )
    result = render_policy_document(
        {
            "sourcePolicyDocuments": [source],
            "overridePolicyDocuments": [override],
            "statements": [{"sid": "Own", "actions": ["c:D"], "resources": ["*"]}],
        }
    )
    assert statements(result) == [
        {"Sid": "Keep", "Effect": "Allow", "Action": ["a:B", "a:A"], "Resource": "*"},  # source lists keep their order
        {
            "Sid": "Replace",
            "Effect": "Deny",
            "Action": "x:New",
            "Resource": "*",
            "Principal": {"AWS": ["arn:b", "arn:a"]},
        },
        {"Sid": "Own", "Effect": "Allow", "Action": "c:D", "Resource": "*"},
    ]


def test_duplicate_sids_are_rejected_like_the_provider():
    with pytest.raises(PolicyDocumentError, match=r"found duplicate sid \(A\)"):
        render_policy_document({"statements": [{"sid": "A", "actions": ["a:b"]}, {"sid": "A", "actions": ["a:c"]}]})
    doc = json.dumps({"Statement": [{"Sid": "S", "Effect": "Allow", "Action": "a:b"}]})
    with pytest.raises(
        PolicyDocumentError, match=r"duplicate Sid \(S\) in source_policy_documents \(item 1; statement 0\)"
    ):
        render_policy_document({"sourcePolicyDocuments": [doc, doc]})


def test_go_json_escaping():
    result = render_policy_document(
        {"version": "2008-10-17", "statements": [{"actions": ["a:b"], "resources": ["arn:x:<&{y}>"]}]}
    )
    assert '"Resource": "arn:x:\\u003c\\u0026{y}\\u003e"' in result["json"]
    assert json.loads(result["json"])["Version"] == "2008-10-17"
