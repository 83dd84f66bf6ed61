"""Third-party-style programs that used to stop: archives, look-ups, foreign stack references, secrets."""

from __future__ import annotations

import json
import re

import pytest

from crossdock.cli import main
from crossdock.engine import ProgramError, run_program
from crossdock.export.tfplan import to_terraform_plan

from .conftest import PROGRAMS, line_of

FUNCTION = "aws:lambda/function:Function"


@pytest.fixture(autouse=True)
def wide_console(monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture(scope="module")
def lambda_plan():
    return run_program(PROGRAMS / "lambda-api", "dev")


@pytest.fixture(scope="module")
def access_key_plan():
    return run_program(PROGRAMS / "access-key", "dev")


# -- assets and archives -----------------------------------------------------------------------


def test_archives_survive_the_round_trip_into_the_plan_json(lambda_plan):
    resources = json.loads(lambda_plan.dumps())["resources"]
    code = {r["name"]: r["inputs"]["code"] for r in resources if r["type"] == FUNCTION}
    assert code == {
        "hello": {"archive": {"assets": {".": {"archive": {"path": "./hello_lambda"}}}}},
        "worker": {
            "archive": {
                "assets": {
                    "main.py": {"asset": {"text": "def handler(event, context):\n    return event\n"}},
                    "shared": {"archive": {"path": "./shared"}},
                    "README.txt": {"asset": {"path": "./hello_lambda/hello.py"}},
                    "vendor": {"archive": {"assets": {"LICENSE": {"asset": {"uri": "https://example.com/LICENSE"}}}}},
                }
            }
        },
    }


def test_archives_come_back_to_the_program_as_archives(lambda_plan):
    # The program exported `worker.code`: the SDK accepted it as a pulumi.Archive (it used to fail with
    # "expected a value of type <class 'pulumi.asset.Archive'> but got ... dict"), and it reads back the same.
    assert lambda_plan.outputs["worker_code"] == lambda_plan.by_name("worker", FUNCTION).inputs["code"]
    assert [(r.type, r.name, r.source_file) for r in lambda_plan.resources if r.custom] == [
        (FUNCTION, "hello", "__main__.py"),
        (FUNCTION, "worker", "__main__.py"),
        ("aws:apigateway/restApi:RestApi", "api", "__main__.py"),
        ("aws:apigateway/deployment:Deployment", "api-deployment", "__main__.py"),
        ("aws:apigateway/stage:Stage", "api-stage", "__main__.py"),
        ("aws:lambda/permission:Permission", "api-permission", "__main__.py"),
        ("aws:apigatewayv2/api:Api", "http-api", "__main__.py"),
        ("aws:apigatewayv2/integration:Integration", "http-integration", "__main__.py"),
        ("aws:apigatewayv2/route:Route", "http-route", "__main__.py"),
        ("aws:iam/role:Role", "lambda-role", "iam.py"),
        ("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "lambda-logs", "iam.py"),
    ]
    assert lambda_plan.warnings == []


def test_archives_in_the_terraform_export(lambda_plan):
    values = {
        r["name"]: r["values"]["filename"]
        for r in to_terraform_plan(lambda_plan).document["planned_values"]["root_module"]["resources"]
        if r["type"] == "aws_lambda_function"
    }
    assert values == {"hello": "<archive of 1 file(s)>", "worker": "<archive of 4 file(s)>"}


# -- invokes ---------------------------------------------------------------------------------


def test_common_look_ups_have_realistic_answers():
    plan = run_program(PROGRAMS / "zone-site", "prod")
    outputs = plan.outputs
    assert re.fullmatch(r"Z[0-9A-F]{20}", outputs["zone_id"])
    assert plan.by_name("www").inputs["zoneId"] == outputs["zone_id"]
    assert [re.sub(r"\d+", "N", ns) for ns in outputs["name_servers"]] == [
        "ns-N.awsdns-N.com",
        "ns-N.awsdns-N.net",
        "ns-N.awsdns-N.org",
        "ns-N.awsdns-N.co.uk",
    ]
    assert outputs["subnet_zone"] == "us-east-1a"
    certificate = plan.by_name("cdn").inputs["viewerCertificate"]["acmCertificateArn"]
    assert re.fullmatch(r"arn:aws:acm:us-east-1:123456789012:certificate/[0-9a-f-]{36}", certificate)
    assert plan.warnings == []
    assert run_program(PROGRAMS / "zone-site", "prod").outputs == outputs  # deterministic


def test_an_unmodelled_invoke_before_a_failure_is_named():
    program = PROGRAMS / "zone-site" / "__main__.py"
    with pytest.raises(ProgramError) as caught:
        run_program(PROGRAMS / "zone-site", "legacy")
    assert str(caught.value) == (
        f"Missing required property 'parent_id' (at __main__.py:{line_of(program, 'aws.apigateway.Resource(')}) "
        f"(the invoke aws:apigateway/getRestApi:getRestApi at __main__.py:{line_of(program, 'get_rest_api(')} "
        "is not modelled offline and returned nothing)"
    )


# -- stack references the engine cannot run ---------------------------------------------------------


def test_a_foreign_stack_reference_fails_with_one_line_saying_how_to_supply_it(capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "ts-network-ref")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "crossdock: error: the program asked for output 'pulumi_vpc_public_subnet_ids' of stack reference "
        "'acme/network-ts/dev', which is not available offline (its project is not on disk): supply its outputs "
        "with --stack-outputs acme/network-ts/dev=FILE.json\n"
    )


def test_stack_outputs_supplied_from_a_file(capsys):
    project = PROGRAMS / "ts-network-ref"
    outputs = project / "network-dev.outputs.json"
    args = ["plan", "dev", "--project", str(project), "--stack-outputs", f"acme/network-ts/dev={outputs}"]
    assert main([*args, "--json", "-"]) == 0
    plan = json.loads(capsys.readouterr().out)
    by_name = {(r["type"], r["name"]): r for r in plan["resources"]}
    assert by_name[("aws:ec2/securityGroup:SecurityGroup", "app")]["inputs"]["vpcId"] == "vpc-0a1b2c3d4e5f60718"
    assert by_name[("aws:ec2/instance:Instance", "app")]["inputs"]["subnetId"] == "subnet-0aaa1111bbbb2222c"
    assert plan["outputs"] == {"server_subnet": "subnet-0aaa1111bbbb2222c"}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "acme/network-ts/dev",
            "--stack-outputs 'acme/network-ts/dev': expected NAME=FILE.json (NAME as the program references it)",
        ),
        ("x=missing.json", "--stack-outputs x=missing.json: cannot read missing.json: No such file or directory"),
        (
            f"x={PROGRAMS / 'ts-network-ref' / 'Pulumi.yaml'}",
            f"--stack-outputs x={PROGRAMS / 'ts-network-ref' / 'Pulumi.yaml'}: "
            f"{PROGRAMS / 'ts-network-ref' / 'Pulumi.yaml'} is not valid JSON: Expecting value: line 1 column 1 (char 0)",
        ),
    ],
)
def test_bad_stack_outputs_are_one_line(capsys, spec, message):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "ts-network-ref"), "--stack-outputs", spec]) == 2
    assert capsys.readouterr().err == f"crossdock: error: {message}\n"


# -- one error, one line ----------------------------------------------------------------------------


def test_a_failing_program_prints_one_line_and_nothing_else(capsys):
    # Before: about 10,000 lines of "Future exception was never retrieved" and RuntimeWarnings.
    assert main(["plan", "legacy", "--project", str(PROGRAMS / "zone-site")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("crossdock: error: Missing required property")


# -- faithful values ----------------------------------------------------------------------------------


def test_provider_secrets_and_what_derives_from_them_are_masked(access_key_plan):
    document = json.loads(access_key_plan.dumps())
    by_name = {r["name"]: r for r in document["resources"]}
    assert by_name["ci-credentials-v1"]["inputs"]["secretString"] == "[secret]"
    assert by_name["notifier"]["inputs"]["environment"] == {
        "variables": {"KEY_ID": access_key_plan.outputs["access_key_id"], "KEY_SECRET": "[secret]"}
    }
    assert document["outputs"]["secret_access_key"] == "[secret]"
    assert document["outputs"]["credentials"] == {"id": access_key_plan.outputs["access_key_id"], "secret": "[secret]"}
    secret = access_key_plan.by_name("ci-key").outputs["secret"]
    assert secret and secret not in access_key_plan.dumps()
    # Rules still see the real value (as pulumi-policy hands them the unwrapped input).
    assert json.loads(access_key_plan.by_name("ci-credentials-v1").inputs["secretString"])["secret"] == secret


def test_integers_stay_integers_and_nested_unknowns_read_known_after_apply(access_key_plan, capsys):
    document = json.loads(access_key_plan.dumps())
    assert document["outputs"]["timeout"] == 30 and isinstance(document["outputs"]["timeout"], int)
    assert document["outputs"]["limits"]["retries"] == 3 and document["outputs"]["limits"]["ratio"] == 0.5
    assert {r["name"]: r["inputs"].get("timeout") for r in document["resources"]}["notifier"] == 30
    assert access_key_plan.by_name("notifier").inputs["timeout"] == 30.0  # what policies see: a double

    assert main(["plan", "dev", "--project", str(PROGRAMS / "access-key")]) == 0
    text = capsys.readouterr().out
    assert "    timeout: 30\n" in text
    assert "    limits: {'retries': 3, 'ratio': 0.5, 'pending': 'arn:aws:lambda:eu-central-1:" in text
    assert "    secret_access_key: [secret]\n" in text
    assert access_key_plan.by_name("ci-key").outputs["secret"] not in text


def test_text_output_never_turns_arns_into_emoji(access_key_plan, capsys):
    assert main(["plan", "dev", "--project", str(PROGRAMS / "access-key")]) == 0
    text = capsys.readouterr().out
    assert f"    secret_arn: {access_key_plan.outputs['secret_arn']}\n" in text
    assert ":secret:ci-credentials-" in text


def test_unknowns_nested_in_outputs_render_as_known_after_apply():
    from crossdock.engine import UNKNOWN
    from crossdock.engine.view import _short

    assert _short({"url": UNKNOWN, "port": 443.0, "ids": [UNKNOWN]}, 200) == (
        "{'url': (known after apply), 'port': 443, 'ids': [(known after apply)]}"
    )


# -- the default project ------------------------------------------------------------------------------


def test_the_default_project_is_the_nearest_pulumi_yaml_upward(monkeypatch, capsys):
    monkeypatch.chdir(PROGRAMS / "lambda-api" / "hello_lambda")
    assert main(["plan", "dev", "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["project"] == "lambda-api"


def test_no_project_found_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["plan", "dev"]) == 2
    assert capsys.readouterr().err == (
        "crossdock: error: no Pulumi.yaml in . or any parent directory: run crossdock inside a Pulumi project "
        "or pass --project DIR\n"
    )


def test_every_modelled_look_up_answers_realistically_and_deterministically():
    plan = run_program(PROGRAMS / "look-ups", "dev")
    answers = plan.outputs["r"]
    assert plan.warnings == []
    assert (answers["vpc"], answers["subnet"], answers["itype"], answers["rds"]) == (
        "172.31.0.0/16",
        "172.31.16.0/20",
        8,
        "postgres16",
    )
    assert answers["elb"] == "arn:aws:iam::156460612806:root"  # the ELB account of eu-west-1
    assert answers["ecrtok"] == "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"
    assert answers["repo"] == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app"
    assert answers["role"] == "arn:aws:iam::123456789012:role/admin"
    assert answers["pol"] == "ReadOnlyAccess"
    assert answers["fn"] == (
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:123456789012:function:worker/invocations"
    )
    assert re.fullmatch(r"ami-0[0-9a-f]{16}", answers["ssm"])  # public AMI parameters hold an image id
    assert re.fullmatch(r"https://oidc\.eks\.eu-west-1\.amazonaws\.com/id/[0-9A-F]{32}", answers["eks"])
    assert re.fullmatch(r"arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-[0-9a-f]{6}", answers["secret"])
    assert answers["zone"] != plan.outputs["zone_out"]  # different names, different zones
    assert run_program(PROGRAMS / "look-ups", "dev").outputs == plan.outputs
