"""CD-SVC-*: service roles use only declared resources; only their own service account assumes them."""

from __future__ import annotations

import json

import pytest

from policies.rules import service_identity as svc
from tests.policies.harness import policy_resource, resource_args, violations

ACCOUNT = "123456789012"
ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC123"
PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
LABELS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:prod-label-requests"
CONFIRMATIONS = f"arn:aws:sqs:us-east-1:{ACCOUNT}:prod-shipment-confirmations.fifo"
CARRIER = f"arn:aws:sqs:us-east-1:{ACCOUNT}:prod-carrier-events"
DB_USER = f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:cluster-ABC/orders_app"
WHO = 'service role "prod-label-printer" (service label-printer)'


def trust(
    subject="system:serviceaccount:real-time-fulfillment:label-printer",
    audience="sts.amazonaws.com",
    principal=None,
    action="sts:AssumeRoleWithWebIdentity",
):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": principal or {"Federated": PROVIDER},
                    "Action": action,
                    "Condition": {"StringEquals": {f"{ISSUER}:sub": subject, f"{ISSUER}:aud": audience}},
                }
            ],
        }
    )


def role(database="orders", **extra_props):
    tags = {
        "service": "label-printer",
        "declared-queues": "prod-label-requests prod-shipment-confirmations.fifo",
        "declared-database": database,
        "declared-data-classes": "integration-payloads transactional",
    }
    return policy_resource(
        svc.ROLE,
        {"name": "prod-label-printer", "assumeRolePolicy": trust(), "tags": tags, **extra_props},
        name="prod-label-printer-identity-role",
    )


def key(name, data_class):
    tags = {"data-class": data_class} if data_class else {"purpose": "operations"}
    return policy_resource(svc.KMS_KEY, {"tags": tags}, name=name)


PAYLOADS_KEY = key("prod-security-integration-payloads-key", "integration-payloads")
TRANSACTIONAL_KEY = key("prod-security-transactional-key", "transactional")
ANALYTICS_KEY = key("prod-security-analytics-key", "analytics")


def statements(*extra):
    return [
        {
            "Sid": "ConsumeQueues",
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes",
            ],
            "Resource": [LABELS],
        },
        {"Sid": "ProduceQueues", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [CONFIRMATIONS]},
        {"Sid": "ConnectAsServiceUser", "Effect": "Allow", "Action": "rds-db:connect", "Resource": DB_USER},
        {
            "Sid": "DecryptQueueMessages",
            "Effect": "Allow",
            "Action": "kms:Decrypt",
            "Resource": [
                "arn:aws:kms:us-east-1:123456789012:key/payloads",
                "arn:aws:kms:us-east-1:123456789012:key/tx",
            ],
        },
        *extra,
    ]


def role_policy(target, document_statements, keys=(PAYLOADS_KEY, TRANSACTIONAL_KEY)):
    return policy_resource(
        svc.ROLE_POLICY,
        {
            "name": "prod-label-printer-access",
            "policy": json.dumps({"Version": "2012-10-17", "Statement": document_statements}),
        },
        name="prod-label-printer-identity-access",
        property_dependencies={"role": [target], "policy": list(keys)},
    )


def stack(document_statements, keys=(PAYLOADS_KEY, TRANSACTIONAL_KEY), target=None, extra=()):
    target = target or role()
    return [target, *keys, role_policy(target, document_statements, keys), *extra]


# --- CD-SVC-001 -----------------------------------------------------------------------------------


def test_declared_resources_pass():
    assert violations(svc.DECLARED_RESOURCES, stack(statements())) == []


def test_roles_without_a_service_tag_are_not_service_roles():
    other = policy_resource(svc.ROLE, {"name": "ops", "tags": {"owner": "x"}}, name="ops")
    assert (
        violations(
            svc.DECLARED_RESOURCES, stack([{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}], target=other)
        )
        == []
    )


def test_sqs_star_on_a_declared_queue_fails():
    wide = statements()
    wide[1] = {"Sid": "ProduceQueues", "Effect": "Allow", "Action": "sqs:*", "Resource": [CONFIRMATIONS]}
    assert violations(svc.DECLARED_RESOURCES, stack(wide)) == [
        f'{WHO}: policy "prod-label-printer-access" statement "ProduceQueues" grants "sqs:*", beyond what a service '
        "does with its declared resources"
    ]


def test_undeclared_queue_and_wildcard_resource_fail():
    extra = {"Sid": "Extra", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": [CARRIER, "*"]}
    assert violations(svc.DECLARED_RESOURCES, stack(statements(extra))) == [
        f'{WHO}: policy "prod-label-printer-access" statement "Extra" names queue "prod-carrier-events", which is not '
        "among its declared queues (prod-label-requests, prod-shipment-confirmations.fifo)",
        f'{WHO}: policy "prod-label-printer-access" statement "Extra" names "*", a wildcard; service roles name exact '
        "resources",
    ]


def test_other_database_user_fails():
    doc = statements()
    doc[2] = {**doc[2], "Resource": f"arn:aws:rds-db:us-east-1:{ACCOUNT}:dbuser:cluster-ABC/reporting_app"}
    assert violations(svc.DECLARED_RESOURCES, stack(doc)) == [
        f'{WHO}: policy "prod-label-printer-access" statement "ConnectAsServiceUser" names database user '
        '"reporting_app", but its declared database is "orders" (user "orders_app")'
    ]
    assert violations(svc.DECLARED_RESOURCES, stack(statements(), target=role(database=""))) == [
        f'{WHO}: policy "prod-label-printer-access" statement "ConnectAsServiceUser" names database user '
        '"orders_app", but it declares no database'
    ]


def test_key_of_an_undeclared_data_class_fails():
    keys = (PAYLOADS_KEY, ANALYTICS_KEY)
    assert violations(svc.DECLARED_RESOURCES, stack(statements(), keys=keys)) == [
        f'{WHO}: policy "prod-label-printer-access" names the key of data class "analytics", which is not among its '
        "declared data classes (integration-payloads, transactional)"
    ]


def test_untraceable_key_arn_fails():
    assert violations(svc.DECLARED_RESOURCES, stack(statements(), keys=())) == [
        f'{WHO}: policy "prod-label-printer-access" names KMS key "arn:aws:kms:us-east-1:123456789012:key/payloads", '
        "which cannot be traced to a key of its declared data classes (integration-payloads, transactional)",
        f'{WHO}: policy "prod-label-printer-access" names KMS key "arn:aws:kms:us-east-1:123456789012:key/tx", '
        "which cannot be traced to a key of its declared data classes (integration-payloads, transactional)",
    ]


def test_inline_policy_and_managed_attachments_are_checked():
    inline = role(
        inlinePolicies=[
            {
                "name": "extra",
                "policy": json.dumps(
                    {
                        "Statement": [
                            {
                                "Sid": "Logs",
                                "Effect": "Allow",
                                "Action": "logs:PutLogEvents",
                                "Resource": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:x",
                            }
                        ]
                    }
                ),
            }
        ]
    )
    attachment = policy_resource(
        svc.ATTACHMENT,
        {"role": "prod-label-printer", "policyArn": "arn:aws:iam::aws:policy/AmazonSQSFullAccess"},
        name="attach",
    )
    assert violations(svc.DECLARED_RESOURCES, [inline, attachment]) == [
        f'{WHO}: inline policy "extra" statement "Logs" grants "logs:PutLogEvents", beyond what a service does with '
        "its declared resources",
        f'{WHO}: inline policy "extra" statement "Logs" names "arn:aws:logs:us-east-1:{ACCOUNT}:log-group:x", which is '
        "not a queue, database user or key it declared",
        f'{WHO} attaches the managed policy "arn:aws:iam::aws:policy/AmazonSQSFullAccess"; a service role carries '
        "only its own policy",
    ]


# --- CD-SVC-002 -----------------------------------------------------------------------------------


def trust_violations(document):
    props = {"name": "prod-label-printer", "assumeRolePolicy": document, "tags": {"service": "label-printer"}}
    return violations(
        svc.SERVICE_ACCOUNT_TRUST, resource_args(svc.ROLE, props, name="prod-label-printer-identity-role")
    )


def test_trust_of_the_service_account_passes():
    assert trust_violations(trust()) == []


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (
            trust(subject="system:serviceaccount:real-time-fulfillment:shipment-api"),
            'does not pin the subject (StringEquals <issuer>:sub) to the "label-printer" service account',
        ),
        (
            trust(audience="sts.example.com"),
            'does not pin the audience (StringEquals <issuer>:aud) to "sts.amazonaws.com"',
        ),
        (
            trust(action=["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]),
            "allows actions other than sts:AssumeRoleWithWebIdentity",
        ),
    ],
    ids=["other-service-account", "other-audience", "extra-action"],
)
def test_trust_that_is_too_wide_fails(document, problem):
    assert trust_violations(document) == [f"trust policy statement #1 of service role for label-printer {problem}"]


def test_trust_of_an_aws_principal_fails():
    assert trust_violations(trust(principal={"AWS": f"arn:aws:iam::{ACCOUNT}:root"})) == [
        "trust policy statement #1 of service role for label-printer trusts a principal other than the cluster's OIDC provider",
    ]


def test_trust_rule_skips_roles_without_service_tag():
    props = {"name": "ops", "assumeRolePolicy": trust(principal={"AWS": "*"}), "tags": {}}
    assert violations(svc.SERVICE_ACCOUNT_TRUST, resource_args(svc.ROLE, props)) == []
