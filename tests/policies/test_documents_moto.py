"""The documents our rules accept are documents IAM accepts (moto's implementation of its grammar).

A rule that passes a policy AWS would reject at deploy time gives false comfort,
so the compliant fixtures of the least-privilege tests go through moto's
IAM policy validation in a mocked account.
"""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from policies.documents import PolicyDocumentError, parse_policy
from tests.policies.test_least_privilege import COMPLIANT_IDENTITY_DOCUMENTS, COMPLIANT_TRUST_DOCUMENTS

MALFORMED = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Nope", "Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}],
    }
)


@pytest.fixture(scope="module")
def iam():
    with pytest.MonkeyPatch.context() as env:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            env.setenv(key, value)
        with mock_aws():
            yield boto3.client("iam", region_name="us-east-1")


def test_compliant_identity_documents_are_valid_iam_policies(iam):
    for name, document in COMPLIANT_IDENTITY_DOCUMENTS.items():
        created = iam.create_policy(PolicyName=f"crossdock-{name}", PolicyDocument=document)
        assert created["Policy"]["PolicyName"] == f"crossdock-{name}"


def test_compliant_trust_documents_are_valid_trust_policies(iam):
    """moto validates trust policies on update_assume_role_policy (create_role stores anything)."""
    placeholder = next(iter(COMPLIANT_TRUST_DOCUMENTS.values()))
    for name, document in COMPLIANT_TRUST_DOCUMENTS.items():
        iam.create_role(RoleName=f"crossdock-{name}", AssumeRolePolicyDocument=placeholder)
        iam.update_assume_role_policy(RoleName=f"crossdock-{name}", PolicyDocument=document)
        stored = iam.get_role(RoleName=f"crossdock-{name}")["Role"]["AssumeRolePolicyDocument"]
        assert stored == json.loads(document) or stored == document


def test_a_malformed_document_is_rejected_by_iam_and_by_the_parser(iam):
    with pytest.raises(ClientError) as error:
        iam.create_policy(PolicyName="crossdock-malformed", PolicyDocument=MALFORMED)
    assert error.value.response["Error"]["Code"] == "MalformedPolicyDocument"
    with pytest.raises(PolicyDocumentError):
        parse_policy(MALFORMED)
