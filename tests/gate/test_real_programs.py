"""The gate on third-party-style programs: exact findings for an ALB + ECS app and a Redshift + Glue warehouse."""

from __future__ import annotations

import pytest

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.engine import run_program
from policies.actions import catalogue_version
from policies.profiles import Profile

PROGRAMS = __import__("pathlib").Path(__file__).resolve().parents[1] / "programs"
OPTIONS = CheckOptions(checkov=False, profile=Profile("production"))


def gate(name: str):
    project = PROGRAMS / name
    return check_plan(run_program(project, "dev"), project, OPTIONS)


@pytest.fixture(scope="module")
def alb_ecs():
    return gate("alb-ecs")


@pytest.fixture(scope="module")
def redshift_glue():
    return gate("redshift-glue")


def test_an_alb_group_that_serves_only_the_internet_facing_alb_is_not_flagged(alb_ecs):
    # web-alb opens 80/443 to the internet, carries no crossdock tag, and only aws.lb.LoadBalancer "web" uses it.
    assert [(f.rule, f.name, f.message) for f in alb_ecs.sorted_findings()] == [
        (
            "CD-NET-004",
            "admin",
            'security group allows 0.0.0.0/0 on port 443 but it is also attached to aws.ec2.Instance "bastion"; '
            "only security groups that serve internet-facing load balancers alone may be open to the internet",
        )
    ]
    assert alb_ecs.notes == [f"AWS action catalogue for CD-IAM-003, CD-IAM-007: {catalogue_version()}"]


def test_a_warehouse_with_managed_policies_typos_and_unencrypted_stores(redshift_glue):
    version = catalogue_version()
    assert [(f.rule, f.name, f.message) for f in redshift_glue.sorted_findings()] == [
        (
            "CD-IAM-008",
            "glue",
            'attaches AWS-managed policy "AmazonS3FullAccess", which grants "s3:*", "s3-object-lambda:*" on resource "*"',
        ),
        (
            "CD-IAM-008",
            "glue-admin",
            'attaches AWS-managed policy "AdministratorAccess", which grants "*" on resource "*"',
        ),
        ("CD-S3-001", "scripts", 'bucket "scripts" has no public-access block with all four settings true'),
        (
            "CD-ENC-005",
            "scripts",
            'bucket "scripts" has no server-side encryption configuration with sse_algorithm "aws:kms" and a '
            "customer kms_master_key_id",
        ),
        ("CD-ENC-101", "warehouse", "Redshift cluster is not encrypted at rest (encrypted is not true)"),
        ("CD-ENC-105", "events", 'Kinesis stream is not encrypted at rest (encryption_type is not "KMS")'),
        (
            "CD-IAM-003",
            "glue-scripts",
            'Allow statement #2 grants write action "redshift:GetClusterCredentials" on resource "*"',
        ),
        (
            "CD-IAM-007",
            "glue-scripts",
            'Allow statement #1 names "s3:GetObjet": AWS has no such action (did you mean "s3:GetObject"?); it grants '
            f"nothing (catalogue: {version})",
        ),
        (
            "CD-S3-002",
            "scripts",
            'bucket "scripts" has no bucket policy that denies requests without TLS (Deny "s3:*" to "*" when '
            'aws:SecureTransport is "false")',
        ),
    ]


def test_the_warehouse_password_never_appears_in_clear(redshift_glue):
    plan = run_program(PROGRAMS / "redshift-glue", "dev")
    password = plan.by_name("warehouse-password").outputs["result"]
    assert plan.outputs["password"] == "[secret]"
    assert password not in plan.dumps()
