"""Third-party-style Pulumi programs through `crossdock check --project`: no crash, real defects found.

These projects are not crossdock blueprints (no crossdock:environment tier), so they
are gated with the default production profile: every finding is mandatory.
Expected findings, and why they are real:
- webserver (Pulumi's aws-py-webserver style): the security group opens TCP 22 to
  0.0.0.0/0 (CD-NET-001, checkov CKV_AWS_24) and TCP 80 to 0.0.0.0/0 on a group that
  is not a load balancer's (CD-NET-004, CKV_AWS_277).
- static-site (aws-py-s3-folder style): the bucket policy grants s3:GetObject to "*"
  with no condition (CD-EXP-001, CKV_AWS_70); the public-access block sets all four
  flags to false (CD-S3-001, CKV2_AWS_6); the bucket has no SSE-KMS configuration
  (CD-ENC-005, CKV_AWS_145) and no policy denying non-TLS requests (CD-S3-002).
- component-app: both queues lack a customer KMS key (CD-ENC-003); the replica bucket
  has no public-access block, SSE-KMS or TLS-only policy (CD-S3-001, CD-ENC-005,
  CD-S3-002); the DB password secret uses the AWS-managed key (CD-ENC-007); the source
  queue has no age alarm (CD-RES-030) and the DLQ no depth alarm (CD-RES-031).
"""

from __future__ import annotations

import json

import pytest

from crossdock.cli import main

from .conftest import COMPONENT_APP, ROOT, STATIC_SITE, WEBSERVER, line_of

pytestmark = pytest.mark.usefixtures("cached_planning")

EXPECTED = {
    "webserver": {
        ("CD-NET-001", "web-secgrp"),
        ("CD-NET-004", "web-secgrp"),
    },
    "static-site": {
        ("CD-EXP-001", "site-policy"),
        ("CD-S3-001", "site-bucket"),
        ("CD-ENC-005", "site-bucket"),
        ("CD-S3-002", "site-bucket"),
    },
    "component-app": {
        ("CD-ENC-003", "orders-queue"),
        ("CD-ENC-003", "orders-dlq"),
        ("CD-S3-001", "orders-replica"),
        ("CD-ENC-005", "orders-replica"),
        ("CD-S3-002", "orders-replica"),
        ("CD-ENC-007", "orders-db-password"),
        ("CD-RES-030", "orders-queue"),
        ("CD-RES-031", "orders-dlq"),
    },
}
PROJECTS = {
    "webserver": (WEBSERVER, "dev"),
    "static-site": (STATIC_SITE, "prod"),
    "component-app": (COMPONENT_APP, "staging"),
}


def check(capsys, name, *extra):
    project, stack = PROJECTS[name]
    # The pack's findings only; checkov's on the same programs are tested in tests/checkov.
    code = main(["check", stack, "--project", str(project), "--no-checkov", *extra])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_third_party_programs_are_gated_and_their_defects_found(capsys, name):
    code, out, err = check(capsys, name, "--format", "json")
    assert err == "", err  # no internal error, no traceback
    report = json.loads(out)
    assert (report["project"], report["stack"]) == (name, PROJECTS[name][1])
    assert report["profile"] == "production"  # not a crossdock blueprint: the default profile
    found = {(f["rule"], f["name"]) for f in report["findings"]}
    assert found == EXPECTED[name]
    assert all(f["enforcement"] == "mandatory" and not f["waived"] for f in report["findings"])
    assert report["summary"] == {"mandatory": len(EXPECTED[name]), "advisory": 0, "waived": 0}
    assert code == 1


def findings(capsys, name):
    return {(f["rule"], f["name"]): f for f in json.loads(check(capsys, name, "--format", "json")[1])["findings"]}


def test_webserver_ssh_and_http_open_to_the_internet(capsys):
    found = findings(capsys, "webserver")
    assert found[("CD-NET-001", "web-secgrp")]["message"] == "security group allows 0.0.0.0/0 on port 22 (SSH)"
    assert found[("CD-NET-001", "web-secgrp")]["severity"] == "critical"
    assert found[("CD-NET-004", "web-secgrp")]["message"] == (
        'security group allows 0.0.0.0/0 on port 80 but it is also attached to aws.ec2.Instance "web-server-www"; '
        "only security groups that serve internet-facing load balancers alone may be open to the internet"
    )


def test_static_site_public_policy_and_disabled_public_access_block(capsys):
    found = findings(capsys, "static-site")
    public = found[("CD-EXP-001", "site-policy")]
    assert public["type"] == "aws:s3/bucketPolicy:BucketPolicy"
    assert public["message"].startswith(
        'Allow statement #1 grants "s3:GetObject" to "*" without a condition on aws:SourceArn'
    )
    block = found[("CD-S3-001", "site-bucket")]["message"]
    assert block == (
        'bucket "site-bucket" has a public-access block, but block_public_acls and block_public_policy and '
        "ignore_public_acls and restrict_public_buckets are not true"
    )


def test_third_party_sarif_points_into_the_project(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = check(capsys, "webserver", "--format", "sarif")
    assert code == 1 and err == ""
    results = json.loads(out)["runs"][0]["results"]
    expected_line = line_of(WEBSERVER / "__main__.py", "group = aws.ec2.SecurityGroup(")
    assert {r["ruleId"] for r in results} == {"CD-NET-001", "CD-NET-004"}
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "tests/programs/webserver/__main__.py"
        assert physical["region"]["startLine"] == expected_line
        assert result["level"] == "error"


def test_third_party_text_report(capsys):
    code, out, err = check(capsys, "static-site")
    assert code == 1 and err == ""
    policy_line = line_of(STATIC_SITE / "__main__.py", "bucket_policy = aws.s3.BucketPolicy(")
    assert f"at __main__.py:{policy_line}" in out
    assert "MANDATORY CD-EXP-001 site-policy:" in out
    assert out.splitlines()[-1] == "gate FAILED: 4 mandatory, 0 advisory, 0 waived"


def test_a_program_that_raises_is_bad_input_not_a_crash(capsys):
    code = main(["check", "dev", "--project", str(ROOT / "tests" / "programs" / "broken")])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("crossdock: error: ")
    assert "Traceback" not in err and "internal error" not in err
