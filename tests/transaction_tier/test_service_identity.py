"""ServiceIdentity: the IRSA role's policy statement by statement, its trust policy and its contract tags."""

from __future__ import annotations

import json

import pytest

from components.service_identity import ServiceIdentity, ServiceIdentityArgs
from crossdock.config.schema import Service
from crossdock.engine import run_callable
from tests.transaction_tier.helpers import ACCOUNT, KEY_ARNS, OIDC_ARN, OIDC_ISSUER, PROD, queue_arn, record_service

ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
VIA_SQS = {"StringEquals": {"kms:ViaService": "sqs.us-east-1.amazonaws.com"}}


@pytest.fixture(scope="module")
def label_printer():
    """Consumes label-requests (integration-payloads), produces shipment-confirmations (FIFO, transactional)."""
    _, records = record_service("label-printer")
    return records


def test_consumer_and_producer_policy_statement_by_statement(label_printer):
    policy = label_printer[(ROLE_POLICY, "prod-label-printer-identity-access")]
    assert policy.inputs["name"] == "prod-label-printer-access"
    document = json.loads(policy.inputs["policy"])
    assert document["Version"] == "2012-10-17"
    consume, produce, decrypt, encrypt = document["Statement"]
    assert consume == {
        "Sid": "ConsumeQueues",
        "Effect": "Allow",
        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        "Resource": [f"arn:aws:sqs:us-east-1:{ACCOUNT}:prod-label-requests"],
    }
    assert produce == {
        "Sid": "ProduceQueues",
        "Effect": "Allow",
        "Action": ["sqs:SendMessage"],
        "Resource": [f"arn:aws:sqs:us-east-1:{ACCOUNT}:prod-shipment-confirmations.fifo"],
    }
    assert decrypt == {
        "Sid": "DecryptQueueMessages",
        "Effect": "Allow",
        "Action": "kms:Decrypt",
        "Resource": [KEY_ARNS["integration-payloads"], KEY_ARNS["transactional"]],
        "Condition": VIA_SQS,
    }
    assert encrypt == {
        "Sid": "EncryptProducedMessages",
        "Effect": "Allow",
        "Action": "kms:GenerateDataKey",
        "Resource": [KEY_ARNS["transactional"]],
        "Condition": VIA_SQS,
    }
    # Nothing on "*", and no DLQ: a service never touches its flows' dead-letter queues.
    resources = [r for statement in document["Statement"] for r in statement["Resource"]]
    assert "*" not in resources and not any("dlq" in r for r in resources)


def test_database_user_statement_names_the_cluster_resource_id():
    _, records = record_service("shipment-api")
    document = json.loads(records[(ROLE_POLICY, "prod-shipment-api-identity-access")].inputs["policy"])
    assert [s["Sid"] for s in document["Statement"]] == [
        "ProduceQueues",
        "ConnectAsServiceUser",
        "DecryptQueueMessages",
        "EncryptProducedMessages",
    ]
    assert document["Statement"][1] == {
        "Sid": "ConnectAsServiceUser",
        "Effect": "Allow",
        "Action": "rds-db:connect",
        "Resource": f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:cluster-ORDERSRESOURCEID/orders_app",
    }


def test_database_only_service_gets_no_key_grant():
    _, records = record_service("reporting-api")
    document = json.loads(records[(ROLE_POLICY, "prod-reporting-api-identity-access")].inputs["policy"])
    assert [s["Sid"] for s in document["Statement"]] == ["ConnectAsServiceUser"]


def test_trust_policy_admits_only_the_service_account(label_printer):
    role = label_printer[(ROLE, "prod-label-printer-identity-role")]
    assert role.inputs["name"] == "prod-label-printer"
    assert json.loads(role.inputs["assumeRolePolicy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ServiceAccountViaClusterOidc",
                "Effect": "Allow",
                "Principal": {"Federated": OIDC_ARN},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{OIDC_ISSUER}:sub": "system:serviceaccount:real-time-fulfillment:label-printer",
                        f"{OIDC_ISSUER}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ],
    }


def test_role_carries_the_declared_resources_contract(label_printer):
    tags = label_printer[(ROLE, "prod-label-printer-identity-role")].inputs["tags"]
    assert tags == {
        "environment": "prod",
        "tier": "production",
        "owner": "platform-team",
        "cost-center": "logistics-platform",
        "managed-by": "crossdock",
        "service": "label-printer",
        "criticality": "real-time-fulfillment",
        "declared-queues": "prod-label-requests prod-shipment-confirmations.fifo",
        "declared-database": "",
        "declared-data-classes": "integration-payloads transactional",
        "Name": "prod-label-printer",
    }


def test_service_that_declares_nothing_has_a_role_but_no_policy():
    bare = Service(name="status-page", image="registry.example/status-page:1.0.0", criticality="internal-reporting")

    def build() -> None:
        ServiceIdentity(
            "prod-status-page-identity",
            ServiceIdentityArgs(
                service=bare,
                environment=PROD.environment,
                namespace="internal-reporting",
                oidc_provider_arn=OIDC_ARN,
                oidc_issuer=OIDC_ISSUER,
                region="us-east-1",
                account_id=ACCOUNT,
            ),
        )

    plan = run_callable(build, config={"aws:region": "us-east-1"})
    assert [(r.type, r.name) for r in plan.resources if r.custom] == [(ROLE, "prod-status-page-identity-role")]


def test_missing_key_for_a_data_class_is_an_error():
    spec = next(s for s in PROD.services if s.name == "label-printer")
    queue = next(q for q in PROD.queues if q.name == "label-requests")

    def build() -> None:
        ServiceIdentity(
            "prod-label-printer-identity",
            ServiceIdentityArgs(
                service=spec,
                environment=PROD.environment,
                namespace="real-time-fulfillment",
                oidc_provider_arn=OIDC_ARN,
                oidc_issuer=OIDC_ISSUER,
                consumed={"label-requests": (queue, queue_arn("label-requests"))},
                key_arns={},
            ),
        )

    with pytest.raises(ValueError, match="no KMS key for data class"):
        run_callable(build, config={"aws:region": "us-east-1"})
