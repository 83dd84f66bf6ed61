"""Every IAM and resource policy document the prod blueprint generates is one AWS would accept.

moto implements IAM's policy grammar (moto.iam.policy_validation): `create_policy` and
`put_role_policy` validate identity policies, `update_assume_role_policy` trust policies
(moto's `create_role` stores its trust policy unchecked). moto's S3, SQS, SNS and
KMS APIs store resource policies without validating them (S3 and KMS accept any
string, SQS and SNS only parse the JSON), so each resource policy is applied through
its own API in a mocked account (and must read back unchanged), and also validated
with moto's IAMPolicyDocumentValidator, the grammar checks IAM uses (version, effect,
statement elements, condition operators, action prefixes, ARN formats). Resource
policies must also name a principal in every statement, which moto does not check.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.iam.exceptions import MalformedPolicyDocument
from moto.iam.policy_validation import IAMPolicyDocumentValidator, IAMTrustPolicyDocumentValidator

from crossdock.engine import Plan, is_unknown

TRUST = "aws:iam/role:Role"
IDENTITY_TYPES = ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
KEY_TYPES = ("aws:kms/key:Key", "aws:kms/replicaKey:ReplicaKey")
RESOURCE_TYPES = (BUCKET_POLICY, QUEUE_POLICY, TOPIC_POLICY, *KEY_TYPES)
# What prod generates today; a document type disappearing from the plan must be noticed.
EXPECTED_TYPES = {TRUST, "aws:iam/rolePolicy:RolePolicy", BUCKET_POLICY, QUEUE_POLICY, TOPIC_POLICY, *KEY_TYPES}


@dataclass(frozen=True)
class Document:
    type: str
    name: str
    region: str
    text: str

    @property
    def json(self) -> dict:
        return json.loads(self.text)


def documents(plan: Plan) -> list[Document]:
    found = []
    for resource in plan.resources:
        if resource.type == TRUST:
            value = resource.inputs.get("assumeRolePolicy")
        elif resource.type in IDENTITY_TYPES or resource.type in RESOURCE_TYPES:
            value = resource.inputs.get("policy")
        else:
            continue
        if value is None:
            continue  # e.g. a KMS key without an explicit policy gets AWS's default
        assert not is_unknown(value), f"{resource.name}: policy unknown at preview"
        text = value if isinstance(value, str) else json.dumps(value)
        found.append(Document(resource.type, resource.name, resource.region or "us-east-1", text))
    return found


@pytest.fixture(scope="module")
def prod_documents(prod_plan) -> list[Document]:
    return documents(prod_plan)


def of(prod_documents, *types):
    selected = [d for d in prod_documents if d.type in types]
    assert selected, f"prod generates no {types}"
    return selected


@pytest.fixture(scope="module")
def aws_account():
    with pytest.MonkeyPatch.context() as env:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
        }.items():
            env.setenv(key, value)
        env.delenv("AWS_PROFILE", raising=False)
        with mock_aws():
            yield lambda service, region="us-east-1": boto3.client(service, region_name=region)


SCRATCH_TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)


# -- checks (each has a negative control below) --------------------------------------------------


def create_identity_policy(iam, name: str, text: str) -> None:
    for statement in _statements(json.loads(text)):
        assert "Principal" not in statement and "NotPrincipal" not in statement, (
            f"{name}: identity policies name no principal"
        )
    iam.create_policy(PolicyName=_iam_name(name), PolicyDocument=text)


def create_trust_policy(iam, name: str, text: str) -> None:
    # moto's create_role stores the trust policy unvalidated; update_assume_role_policy validates it.
    iam.create_role(RoleName=_iam_name(name), AssumeRolePolicyDocument=text)
    iam.update_assume_role_policy(RoleName=_iam_name(name), PolicyDocument=text)


def validate_resource_policy(text: str) -> None:
    """IAM's grammar (moto) plus what moto skips for resource policies: a principal in every statement."""
    IAMPolicyDocumentValidator(text).validate()
    for statement in _statements(json.loads(text)):
        if "Principal" not in statement and "NotPrincipal" not in statement:
            raise MalformedPolicyDocument("Resource policy statements must name a Principal.")


def _statements(document: dict) -> list[dict]:
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def _iam_name(name: str) -> str:
    return re.sub(r"[^\w+=,.@-]", "-", name)[:64]


def _resource_arn(document: dict, service: str) -> str:
    for statement in _statements(document):
        resources = statement.get("Resource", [])
        for arn in [resources] if isinstance(resources, str) else resources:
            if arn.startswith(f"arn:aws:{service}:"):
                return arn
    raise AssertionError(f"no {service} ARN in {document}")


# -- the blueprint's documents -------------------------------------------------------------------


def test_prod_generates_every_kind_of_policy_document(prod_documents):
    assert {d.type for d in prod_documents} >= EXPECTED_TYPES
    for document in prod_documents:
        assert document.json["Version"] == "2012-10-17", document.name


def test_identity_policies_are_valid_iam_policies(prod_documents, aws_account):
    iam = aws_account("iam")
    iam.create_role(RoleName="crossdock-inline-policies", AssumeRolePolicyDocument=SCRATCH_TRUST)
    for document in of(prod_documents, *IDENTITY_TYPES):
        create_identity_policy(iam, document.name, document.text)
        if document.type == "aws:iam/rolePolicy:RolePolicy":  # what the provider calls for an inline policy
            iam.put_role_policy(
                RoleName="crossdock-inline-policies", PolicyName=_iam_name(document.name), PolicyDocument=document.text
            )
    names = {p["PolicyName"] for p in iam.list_policies(Scope="Local")["Policies"]}
    assert {_iam_name(d.name) for d in of(prod_documents, *IDENTITY_TYPES)} <= names


def test_trust_policies_are_valid_role_trust_policies(prod_documents, aws_account):
    iam = aws_account("iam")
    for document in of(prod_documents, TRUST):
        IAMTrustPolicyDocumentValidator(document.text).validate()
        create_trust_policy(iam, document.name, document.text)
        stored = iam.get_role(RoleName=_iam_name(document.name))["Role"]["AssumeRolePolicyDocument"]
        assert stored == document.json


def test_bucket_policies_apply_to_buckets(prod_documents, aws_account):
    for document in of(prod_documents, BUCKET_POLICY):
        validate_resource_policy(document.text)
        s3 = aws_account("s3", document.region)
        bucket = _resource_arn(document.json, "s3").split(":::", 1)[1].split("/", 1)[0]
        location = (
            {}
            if document.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": document.region}}
        )
        s3.create_bucket(Bucket=bucket, **location)
        s3.put_bucket_policy(Bucket=bucket, Policy=document.text)
        assert json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]) == document.json


def test_queue_policies_apply_to_queues(prod_documents, aws_account):
    for document in of(prod_documents, QUEUE_POLICY):
        validate_resource_policy(document.text)
        arn = _resource_arn(document.json, "sqs")
        region, name = arn.split(":")[3], arn.split(":")[5]
        sqs = aws_account("sqs", region)
        attributes = {"FifoQueue": "true"} if name.endswith(".fifo") else {}
        url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": document.text})
        stored = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])["Attributes"]["Policy"]
        assert json.loads(stored) == document.json


def test_topic_policies_apply_to_topics(prod_documents, aws_account):
    for document in of(prod_documents, TOPIC_POLICY):
        validate_resource_policy(document.text)
        arn = _resource_arn(document.json, "sns")
        region, name = arn.split(":")[3], arn.split(":")[5]
        sns = aws_account("sns", region)
        topic = sns.create_topic(Name=name)["TopicArn"]
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=document.text)
        stored = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
        assert json.loads(stored) == document.json


def test_key_policies_apply_to_keys(prod_documents, aws_account):
    for document in of(prod_documents, *KEY_TYPES):
        validate_resource_policy(document.text)
        kms = aws_account("kms", document.region)
        key = kms.create_key(Policy=document.text, Description=document.name)["KeyMetadata"]["KeyId"]
        stored = kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"]
        assert json.loads(stored) == document.json
        # The account root keeps administering the key (no lock-out).
        assert any(
            s.get("Effect") == "Allow"
            and "root" in json.dumps(s.get("Principal"))
            and s.get("Action") in ("kms:*", ["kms:*"])
            for s in _statements(document.json)
        ), document.name


# -- negative controls: the same checks reject broken documents ----------------------------------

MALFORMED_IDENTITY = {
    "bad effect": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Permit", "Action": "s3:GetObject", "Resource": "*"}],
    },
    "no resource": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]},
    "old version": {
        "Version": "2008-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    },
    "action without service": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}],
    },
    "principal in identity policy": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}],
    },
}


@pytest.mark.parametrize("case", sorted(MALFORMED_IDENTITY))
def test_a_malformed_identity_policy_is_rejected(aws_account, case):
    with pytest.raises((ClientError, AssertionError)) as error:
        create_identity_policy(aws_account("iam"), f"malformed-{case}", json.dumps(MALFORMED_IDENTITY[case]))
    if isinstance(error.value, ClientError):
        assert error.value.response["Error"]["Code"] == "MalformedPolicyDocument"


def test_a_malformed_trust_policy_is_rejected(aws_account):
    trust_with_resource = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "backup.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Resource": "*",
            }
        ],
    }
    wrong_action = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "backup.amazonaws.com"}, "Action": "s3:GetObject"}],
    }
    for name, document in (("resource", trust_with_resource), ("action", wrong_action)):
        with pytest.raises(ClientError) as error:
            create_trust_policy(aws_account("iam"), f"malformed-trust-{name}", json.dumps(document))
        assert error.value.response["Error"]["Code"] == "MalformedPolicyDocument"


MALFORMED_RESOURCE = {
    "no principal": {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}
        ],
    },
    "bad condition operator": {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "arn:aws:s3:::b/*",
                "Condition": {"BoolEquals": {"aws:SecureTransport": "false"}},
            }
        ],
    },
    "bad arn": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3"}],
    },
    "not json": '{"Version": "2012-10-17", "Statement": [',
}


@pytest.mark.parametrize("case", sorted(MALFORMED_RESOURCE))
def test_a_malformed_resource_policy_is_rejected(case):
    document = MALFORMED_RESOURCE[case]
    with pytest.raises(MalformedPolicyDocument):
        validate_resource_policy(document if isinstance(document, str) else json.dumps(document))


def test_moto_create_role_s3_and_kms_alone_would_accept_garbage(aws_account):
    """Why the tests above also call update_assume_role_policy and moto's validator: these APIs store anything."""
    aws_account("iam").create_role(RoleName="crossdock-garbage", AssumeRolePolicyDocument='{"Statement": "nonsense"}')
    s3 = aws_account("s3")
    s3.create_bucket(Bucket="crossdock-garbage")
    s3.put_bucket_policy(Bucket="crossdock-garbage", Policy='{"Statement": "nonsense"}')
    aws_account("kms").create_key(Policy="not a policy")
