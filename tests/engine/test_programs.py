"""Run the third-party-style sample projects offline and check the recorded graph."""

from __future__ import annotations

import json
import re

import pytest

from crossdock.engine import STACK_TYPE, ProgramError, run_program

from .conftest import PROGRAMS, line_of

SG = "aws:ec2/securityGroup:SecurityGroup"
INSTANCE = "aws:ec2/instance:Instance"
BUCKET = "aws:s3/bucket:Bucket"
QUEUE = "aws:sqs/queue:Queue"


def shape(plan):
    """(type, name, parent name) for every resource, in plan order."""
    names = {r.urn: r.name for r in plan.resources}
    return [(r.type, r.name, names.get(r.parent, "")) for r in plan.resources]


# -- webserver ----------------------------------------------------------------------------------


def test_webserver_resources_and_parents(webserver_plan):
    assert shape(webserver_plan) == [
        (STACK_TYPE, "webserver-dev", ""),
        (SG, "web-secgrp", "webserver-dev"),
        (INSTANCE, "web-server-www", "webserver-dev"),
    ]
    assert webserver_plan.project == "webserver"
    assert webserver_plan.stack == "dev"


def test_webserver_inputs_are_wire_names_and_doubles(webserver_plan):
    group = webserver_plan.by_name("web-secgrp")
    assert group.inputs["ingress"] == [
        {"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "fromPort": 80.0, "toPort": 80.0, "cidrBlocks": ["0.0.0.0/0"]},
    ]
    assert isinstance(group.inputs["ingress"][0]["fromPort"], float)


def test_webserver_instance_uses_security_group_and_ami(webserver_plan):
    group = webserver_plan.by_name("web-secgrp")
    server = webserver_plan.by_name("web-server-www")
    assert re.fullmatch(r"sg-0[0-9a-f]{16}", group.id)
    assert server.inputs["vpcSecurityGroupIds"] == [group.id]
    assert re.fullmatch(r"ami-0[0-9a-f]{16}", server.inputs["ami"])
    assert server.inputs["instanceType"] == "t3.micro"  # Pulumi.yaml config default
    assert server.property_dependencies["vpcSecurityGroupIds"] == [group.urn]
    assert server.dependencies == [group.urn]
    assert server.region == group.region == "us-west-2"
    assert server.provider == ""


def test_webserver_source_positions_point_into_main(webserver_plan):
    main = PROGRAMS / "webserver" / "__main__.py"
    group = webserver_plan.by_name("web-secgrp")
    server = webserver_plan.by_name("web-server-www")
    assert (group.source_file, group.source_line) == ("__main__.py", line_of(main, "group = aws.ec2.SecurityGroup("))
    assert (server.source_file, server.source_line) == ("__main__.py", line_of(main, "server = aws.ec2.Instance("))
    assert webserver_plan.stack_resource.source_file is None


def test_webserver_exports_are_resolved(webserver_plan):
    outputs = webserver_plan.outputs
    assert set(outputs) == {"public_ip", "public_dns", "ami_id"}
    assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", outputs["public_ip"])
    assert outputs["public_dns"] == f"ec2-{outputs['public_ip'].replace('.', '-')}.us-west-2.compute.amazonaws.com"
    assert outputs["ami_id"] == webserver_plan.by_name("web-server-www").inputs["ami"]
    assert webserver_plan.warnings == []


# -- static-site --------------------------------------------------------------------------------


def test_static_site_resources(static_site_plan):
    assert [(t, n) for t, n, _ in shape(static_site_plan)] == [
        (STACK_TYPE, "static-site-prod"),
        (BUCKET, "site-bucket"),
        ("aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration", "site-website"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "site-public-access"),
        ("aws:s3/bucketPolicy:BucketPolicy", "site-policy"),
        ("aws:iam/policy:Policy", "site-deployer"),
    ]
    assert {r.region for r in static_site_plan.custom_resources()} == {"eu-central-1"}


def test_bucket_policy_depends_on_bucket(static_site_plan):
    bucket = static_site_plan.by_name("site-bucket")
    policy = static_site_plan.by_name("site-policy")
    access = static_site_plan.by_name("site-public-access")
    assert policy.property_dependencies["bucket"] == [bucket.urn]
    assert policy.property_dependencies["policy"] == [bucket.urn]  # Output.json_dumps over bucket.arn
    assert set(policy.dependencies) == {bucket.urn, access.urn}  # plus depends_on
    assert policy.inputs["bucket"] == bucket.id == bucket.outputs["bucket"]
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"][0]["Resource"] == [f"arn:aws:s3:::{bucket.id}/*"]


def test_static_site_outputs(static_site_plan):
    bucket = static_site_plan.by_name("site-bucket")
    assert re.fullmatch(r"site-bucket-[0-9a-f]{7}", bucket.id)  # Pulumi auto-name
    assert static_site_plan.outputs["bucket_arn"] == f"arn:aws:s3:::{bucket.id}"
    assert static_site_plan.outputs["website_url"] == f"{bucket.id}.s3-website.eu-central-1.amazonaws.com"
    assert bucket.outputs["bucketRegionalDomainName"] == f"{bucket.id}.s3.eu-central-1.amazonaws.com"
    assert re.fullmatch(
        r"arn:aws:iam::123456789012:policy/site-deployer-[0-9a-f]{7}", static_site_plan.outputs["deployer_policy_arn"]
    )


def test_static_site_reads_config_default_and_stack_value(static_site_plan):
    website = static_site_plan.by_name("site-website")
    assert website.inputs["indexDocument"] == {"suffix": "index.html"}
    assert website.inputs["errorDocument"] == {"key": "error.html"}
    assert static_site_plan.config["static-site:errorDocument"] == "error.html"


def test_get_policy_document_is_rendered_like_the_provider(static_site_plan):
    deployer = static_site_plan.by_name("site-deployer")
    assert deployer.inputs["policy"] == json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "DeployObjects",
                    "Effect": "Allow",
                    "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                    "Resource": "arn:aws:s3:::static-site-*/*",
                },
                {
                    "Sid": "ListBucket",
                    "Effect": "Allow",
                    "Action": "s3:ListBucket",
                    "Resource": "arn:aws:s3:::static-site-*",
                },
            ],
        },
        indent=2,
    )


# -- component-app ------------------------------------------------------------------------------


def test_component_tree(component_plan):
    assert shape(component_plan) == [
        (STACK_TYPE, "component-app-staging", ""),
        ("pulumi:providers:aws", "replica", "component-app-staging"),
        ("example:app:AppStack", "orders", "component-app-staging"),
        ("aws:ec2/vpc:Vpc", "orders-vpc", "orders"),
        ("aws:ec2/subnet:Subnet", "orders-subnet-0", "orders"),
        ("aws:ec2/subnet:Subnet", "orders-subnet-1", "orders"),
        (QUEUE, "orders-dlq", "orders"),
        (QUEUE, "orders-queue", "orders"),
        (BUCKET, "orders-replica", "orders"),
        ("aws:secretsmanager/secret:Secret", "orders-db-password", "component-app-staging"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "orders-db-password", "component-app-staging"),
    ]
    component = component_plan.by_name("orders", "example:app:AppStack")
    assert component.custom is False
    assert [c.name for c in component_plan.children(component.urn)] == [
        "orders-vpc",
        "orders-subnet-0",
        "orders-subnet-1",
        "orders-dlq",
        "orders-queue",
        "orders-replica",
    ]


def test_regions_follow_provider_then_stack(component_plan):
    provider = component_plan.by_name("replica", "pulumi:providers:aws")
    replica = component_plan.by_name("orders-replica")
    assert provider.region == "eu-west-1"
    assert replica.provider == provider.urn
    assert replica.region == "eu-west-1"
    assert component_plan.outputs["replica_bucket_arn"] == f"arn:aws:s3:::{replica.id}"
    stack_region = {
        r.name: r.region for r in component_plan.custom_resources() if not r.provider and r.type.startswith("aws:")
    }
    assert set(stack_region.values()) == {"us-east-2"}
    assert component_plan.by_name("orders", "example:app:AppStack").region is None


def test_subnets_use_availability_zones_of_the_region(component_plan):
    zones = [component_plan.by_name(f"orders-subnet-{i}").inputs["availabilityZone"] for i in range(2)]
    assert zones == ["us-east-2a", "us-east-2b"]
    vpc = component_plan.by_name("orders-vpc")
    assert component_plan.by_name("orders-subnet-0").inputs["vpcId"] == vpc.id
    assert component_plan.by_name("orders-subnet-0").property_dependencies["vpcId"] == [vpc.urn]


def test_queue_redrive_policy_and_urls(component_plan):
    dlq = component_plan.by_name("orders-dlq")
    queue = component_plan.by_name("orders-queue")
    assert re.fullmatch(r"arn:aws:sqs:us-east-2:123456789012:orders-dlq-[0-9a-f]{7}", dlq.outputs["arn"])
    assert json.loads(queue.inputs["redrivePolicy"]) == {
        "deadLetterTargetArn": dlq.outputs["arn"],
        "maxReceiveCount": 5,
    }
    assert queue.property_dependencies["redrivePolicy"] == [dlq.urn]
    assert queue.inputs["visibilityTimeoutSeconds"] == 45.0
    assert (
        component_plan.outputs["queue_url"]
        == f"https://sqs.us-east-2.amazonaws.com/123456789012/{queue.outputs['name']}"
    )
    assert queue.id == component_plan.outputs["queue_url"]


def test_protect_only_on_the_dlq(component_plan):
    assert {r.name for r in component_plan.resources if r.protect} == {"orders-dlq"}


def test_component_source_and_registered_outputs(component_plan):
    app = PROGRAMS / "component-app" / "app.py"
    main = PROGRAMS / "component-app" / "__main__.py"
    vpc = component_plan.by_name("orders-vpc")
    component = component_plan.by_name("orders", "example:app:AppStack")
    provider = component_plan.by_name("replica", "pulumi:providers:aws")
    assert (vpc.source_file, vpc.source_line) == ("app.py", line_of(app, "self.vpc = aws.ec2.Vpc("))
    assert (component.source_file, component.source_line) == ("__main__.py", line_of(main, "app = AppStack("))
    # provider classes add a constructor layer; the position still points at the program
    assert (provider.source_file, provider.source_line) == (
        "__main__.py",
        line_of(main, "replica_provider = aws.Provider("),
    )
    assert component.outputs == {
        "vpc_id": vpc.id,
        "queue_url": component_plan.outputs["queue_url"],
        "dlq_arn": component_plan.outputs["dlq_arn"],
        "replica_bucket": component_plan.by_name("orders-replica").id,
    }


def test_config_object_and_secret(component_plan):
    config = component_plan.config
    assert config["component-app:network"] == '{"cidrBlock":"10.20.0.0/16","publicSubnets":true,"subnetCount":2}'
    assert config["component-app:launchDate"] == "2024-05-01"  # YAML dates stay strings
    assert component_plan.outputs["launch_date"] == "2024-05-01"
    assert component_plan.outputs["public_subnets"] is True
    version = component_plan.by_type("aws:secretsmanager/secretVersion:SecretVersion")[0]
    assert version.inputs["secretString"] == "[secret]"
    assert version.secret_inputs == frozenset({"secretString"})
    assert component_plan.outputs["db_password"] == "[secret]"
    assert component_plan.by_name("orders-vpc").inputs["cidrBlock"] == "10.20.0.0/16"


def test_caller_identity_and_unmodelled_invoke(component_plan):
    assert component_plan.outputs["account_id"] == "123456789012"
    assert component_plan.warnings == [
        "invoke aws:index/getIpRanges:getIpRanges is not modelled offline; returned an empty result"
    ]


def test_project_level_region_default_applies_to_other_stack():
    plan = run_program(PROGRAMS / "component-app", "prod")
    subnets = plan.by_type("aws:ec2/subnet:Subnet")
    assert [s.inputs["availabilityZone"] for s in subnets] == ["us-east-1a", "us-east-1b", "us-east-1c"]
    assert {s.region for s in subnets} == {"us-east-1"}  # aws:region from Pulumi.yaml
    assert plan.by_name("orders-replica").region == "eu-west-1"


# -- broken -------------------------------------------------------------------------------------


def test_program_error_names_file_and_line():
    main = PROGRAMS / "broken" / "__main__.py"
    with pytest.raises(ProgramError) as caught:
        run_program(PROGRAMS / "broken", "dev")
    line = line_of(main, 'raise ValueError(f"bucketCount must be at least 3')
    assert str(caught.value) == f"bucketCount must be at least 3, got 2 (at __main__.py:{line})"


def test_error_inside_apply_names_the_helper_module():
    helper = PROGRAMS / "broken" / "naming.py"
    with pytest.raises(ProgramError) as caught:
        run_program(PROGRAMS / "broken", "apply")
    line = line_of(helper, "raise ValueError")
    assert re.fullmatch(
        rf"bucket name 'logs-[0-9a-f]{{7}}' has no 8-character suffix \(at naming\.py:{line}\)", str(caught.value)
    )
    assert "\n" not in str(caught.value)


# -- runtime-features ---------------------------------------------------------------------------


def test_transforms_run_async_entrypoint_logs_and_reads():
    plan = run_program(PROGRAMS / "runtime-features", "dev")
    queue = plan.by_name("jobs")
    assert queue.inputs["tags"] == {"tier": "batch", "managed-by": "transform"}  # stack transform applied
    assert plan.outputs["queue_tags"] == {"owner": "ops", "tier": "batch", "managed-by": "transform"}  # + defaultTags
    assert plan.outputs["shared_vpc_id"] == "vpc-0123456789abcdef0"  # .get() keeps the id it asked for
    assert plan.by_name("shared-vpc") is None  # reads are not resources the program creates
    assert {r.type: r.id for r in plan.reads} == {
        "aws:ec2/vpc:Vpc": "vpc-0123456789abcdef0",
        "pulumi:pulumi:StackReference": "acme/network/prod",
    }
    assert plan.warnings == [
        "jobs queue has no DLQ (jobs)",
        "stack reference 'acme/network/prod' is not resolved offline (its project is not on disk); its outputs are empty: supply them with --stack-outputs acme/network/prod=FILE.json",
    ]
    assert (queue.source_file, queue.source_line) == (
        "program.py",
        line_of(PROGRAMS / "runtime-features" / "program.py", "queue = aws.sqs.Queue("),
    )


@pytest.mark.parametrize(
    ("stack", "message"),
    [
        (
            "missing",
            "missing required configuration variable 'runtime-features:notSet'; set it in {file} (at program.py:{line})",
        ),
        ("logerror", "the program logged an error: quota exceeded for this account"),
        ("exit", "the program called sys.exit(3) (at program.py:{line})"),
        ("usererror", "Pulumi.usererror.yaml: runtime-features:mode: unsupported value"),
    ],
)
def test_program_failures_are_one_line(stack, message):
    program = PROGRAMS / "runtime-features" / "program.py"
    snippet = {"missing": 'config.require("notSet")', "exit": "sys.exit(3)"}.get(stack, "")
    with pytest.raises(ProgramError) as caught:
        run_program(PROGRAMS / "runtime-features", stack)
    expected = message.format(
        file=f"tests/programs/runtime-features/Pulumi.{stack}.yaml", line=line_of(program, snippet) if snippet else 0
    )
    assert str(caught.value) == expected


def test_urns_carry_the_whole_parent_type_chain_like_the_pulumi_engine():
    """`pulumi stack --show-urns` omits the root stack type and keeps every ancestor's type."""
    from crossdock.engine import run_program

    plan = run_program(PROGRAMS / "component-app", "prod")
    top_level = [r for r in plan.resources if r.parent == plan.stack_resource.urn]
    assert top_level and all("pulumi:pulumi:Stack$" not in r.urn for r in top_level)
    for resource in plan.resources:
        parent = plan.get(resource.parent) if resource.parent else None
        if parent is not None and parent.type != "pulumi:pulumi:Stack":
            parent_chain = parent.urn.split("::")[2]
            assert resource.urn.split("::")[2] == f"{parent_chain}${resource.type}"
