"""Terraform plan JSON export: exact translations, references, and what checkov's parser needs."""

from __future__ import annotations

import json
import re

import pulumi
import pulumi_aws as aws
import pytest

from crossdock.engine import UNKNOWN, Plan, Resource, run_callable
from crossdock.export import to_terraform_plan
from crossdock.export.tfplan import PROVIDER_NAME, terraform_name

ASSUME = json.dumps({"Version": "2012-10-17", "Statement": []})


def _program():
    dr = aws.Provider("dr", region="us-west-2", default_tags={"tags": {"owner": "platform", "environment": "dr"}})
    key = aws.kms.Key("key", deletion_window_in_days=10, enable_key_rotation=True)
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    subnets = [aws.ec2.Subnet(f"data-{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24") for i in range(2)]
    sg = aws.ec2.SecurityGroup(
        "db-sg",
        vpc_id=vpc.id,
        description="db",
        ingress=[{"protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}],
    )
    group = aws.rds.SubnetGroup("db-subnets", name="orders", subnet_ids=[s.id for s in subnets])
    cluster = aws.rds.Cluster(
        "orders",
        cluster_identifier="orders",
        engine="aurora-postgresql",
        engine_version="16.4",
        master_username="admin",
        manage_master_user_password=True,
        backup_retention_period=14,
        port=5432,
        storage_encrypted=True,
        kms_key_id=key.arn,
        db_subnet_group_name=group.name,
        vpc_security_group_ids=[sg.id],
        tags={"environment": "test", "data-class": "transactional"},
    )
    bucket = aws.s3.Bucket("archive")
    aws.s3.BucketVersioning("archive-versioning", bucket=bucket.id, versioning_configuration={"status": "Enabled"})
    aws.s3.BucketServerSideEncryptionConfiguration(
        "archive-sse",
        bucket=bucket.id,
        rules=[
            {
                "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn},
                "bucket_key_enabled": True,
            }
        ],
    )
    vault = aws.backup.Vault("vault", name="vault", kms_key_arn=key.arn)
    backup = aws.backup.Plan(
        "backup",
        name="backup",
        rules=[
            {
                "rule_name": "daily",
                "target_vault_name": vault.name,
                "schedule": "cron(0 5 * * ? *)",
                "lifecycle": {"delete_after": 35},
            }
        ],
    )
    role = aws.iam.Role("backup-role", assume_role_policy=ASSUME)
    aws.backup.Selection("selection", name="orders", plan_id=backup.id, iam_role_arn=role.arn, resources=[cluster.arn])
    alarm_topic = aws.sns.Topic("alerts", tags={"severity": "critical"}, opts=pulumi.ResourceOptions(provider=dr))
    aws.sns.TopicSubscription(
        "alerts-email",
        topic=alarm_topic.arn,
        protocol="email",
        endpoint="ops@example.com",
        opts=pulumi.ResourceOptions(provider=dr),
    )
    secret = aws.secretsmanager.Secret("db-secret")
    aws.secretsmanager.SecretVersion(
        "db-secret-value", secret_id=secret.id, secret_string=pulumi.Output.secret("hunter2")
    )


@pytest.fixture(scope="module")
def export():
    return to_terraform_plan(run_callable(_program, config={"aws:region": "eu-central-1"}))


def planned(export, address):
    return next(r for r in export.document["planned_values"]["root_module"]["resources"] if r["address"] == address)


def configured(export, address):
    return next(r for r in export.document["configuration"]["root_module"]["resources"] if r["address"] == address)


def change(export, address):
    return next(r for r in export.document["resource_changes"] if r["address"] == address)["change"]


# -- exact translations ---------------------------------------------------------------------------


def test_rds_cluster_values_are_snake_case_with_integers(export):
    cluster = planned(export, "aws_rds_cluster.orders")
    assert (cluster["type"], cluster["name"], cluster["mode"]) == ("aws_rds_cluster", "orders", "managed")
    assert cluster["provider_name"] == PROVIDER_NAME and cluster["schema_version"] == 0
    assert cluster["values"] == {
        "backup_retention_period": 14,
        "cluster_identifier": "orders",
        "engine": "aurora-postgresql",
        "engine_version": "16.4",
        "manage_master_user_password": True,
        "master_username": "admin",
        "port": 5432,
        "storage_encrypted": True,
        "tags": {"data-class": "transactional", "environment": "test"},
        "tags_all": {"data-class": "transactional", "environment": "test"},
        "region": "eu-central-1",
    }
    assert type(cluster["values"]["backup_retention_period"]) is int and type(cluster["values"]["port"]) is int


def test_values_from_other_resources_are_unknown_and_referenced(export):
    """kms_key_id = aws_kms_key.key.arn: Terraform does not know it before apply and names the reference."""
    expressions = configured(export, "aws_rds_cluster.orders")["expressions"]
    assert expressions == {
        "db_subnet_group_name": {
            "references": ["aws_db_subnet_group.db_subnets.name", "aws_db_subnet_group.db_subnets"]
        },
        "kms_key_id": {"references": ["aws_kms_key.key.arn", "aws_kms_key.key"]},
        "vpc_security_group_ids": {"references": ["aws_security_group.db_sg.id", "aws_security_group.db_sg"]},
    }
    assert change(export, "aws_rds_cluster.orders")["after_unknown"] == {
        "db_subnet_group_name": True,
        "kms_key_id": True,
        "vpc_security_group_ids": True,
        "id": True,
        "arn": True,
    }


def test_bucket_versioning_is_a_block_and_references_the_bucket(export):
    versioning = planned(export, "aws_s3_bucket_versioning.archive_versioning")
    assert versioning["values"] == {"versioning_configuration": [{"status": "Enabled"}], "region": "eu-central-1"}
    references = configured(export, "aws_s3_bucket_versioning.archive_versioning")["expressions"]["bucket"][
        "references"
    ]
    assert references == ["aws_s3_bucket.archive.bucket", "aws_s3_bucket.archive"]


def test_security_group_ingress_is_a_list_of_objects_with_int_ports(export):
    ingress = planned(export, "aws_security_group.db_sg")["values"]["ingress"]
    assert ingress == [{"cidr_blocks": ["10.0.0.0/16"], "from_port": 5432, "protocol": "tcp", "to_port": 5432}]
    assert type(ingress[0]["from_port"]) is int


def test_pluralized_blocks_get_their_terraform_names_back(export):
    """rules -> rule, with nested single blocks as lists of one and nested references."""
    sse = "aws_s3_bucket_server_side_encryption_configuration.archive_sse"
    assert planned(export, sse)["values"]["rule"] == [
        {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}], "bucket_key_enabled": True}
    ]
    assert configured(export, sse)["expressions"]["rule"] == [
        {
            "apply_server_side_encryption_by_default": [
                {"kms_master_key_id": {"references": ["aws_kms_key.key.arn", "aws_kms_key.key"]}}
            ]
        }
    ]
    assert change(export, sse)["after_unknown"]["rule"] == [
        {"apply_server_side_encryption_by_default": [{"kms_master_key_id": True}]}
    ]
    backup = planned(export, "aws_backup_plan.backup")["values"]
    assert backup["rule"] == [
        {"lifecycle": [{"delete_after": 35}], "rule_name": "daily", "schedule": "cron(0 5 * * ? *)"}
    ]


def test_backup_selection_connects_to_the_cluster(export):
    """checkov's CKV2_AWS_8 needs an edge from the selection's `resources` to the cluster."""
    selection = "aws_backup_selection.selection"
    assert "resources" not in planned(export, selection)["values"]
    assert configured(export, selection)["expressions"]["resources"] == {
        "references": ["aws_rds_cluster.orders.arn", "aws_rds_cluster.orders"]
    }


def test_renamed_attributes_and_explicit_providers(export):
    subscription = "aws_sns_topic_subscription.alerts_email"
    assert configured(export, subscription)["expressions"] == {
        "topic_arn": {"references": ["aws_sns_topic.alerts.arn", "aws_sns_topic.alerts"]}
    }
    assert configured(export, subscription)["provider_config_key"] == "aws.dr"
    assert planned(export, subscription)["values"]["region"] == "us-west-2"
    providers = export.document["configuration"]["provider_config"]
    assert providers["aws"]["expressions"]["region"] == {"constant_value": "eu-central-1"}
    assert providers["aws.dr"]["alias"] == "dr"
    assert providers["aws.dr"]["expressions"]["region"] == {"constant_value": "us-west-2"}


def test_tags_are_maps_and_tags_all_merges_provider_default_tags(export):
    topic = planned(export, "aws_sns_topic.alerts")["values"]
    assert topic["tags"] == {"severity": "critical"}
    assert topic["tags_all"] == {"environment": "dr", "owner": "platform", "severity": "critical"}


def test_json_policies_stay_strings(export):
    assert planned(export, "aws_iam_role.backup_role")["values"]["assume_role_policy"] == ASSUME


def test_secret_inputs_are_masked_and_marked_sensitive(export):
    address = "aws_secretsmanager_secret_version.db_secret_value"
    assert planned(export, address)["values"]["secret_string"] == "[secret]"
    assert change(export, address)["after_sensitive"] == {"secret_string": True}
    assert "hunter2" not in export.dumps()


def test_addresses_map_back_to_urns(export):
    urn = export.addresses["aws_rds_cluster.orders"]
    assert urn.endswith("aws:rds/cluster:Cluster::orders")
    assert export.urn_for("aws_rds_cluster.orders") == urn
    assert export.document["crossdock"]["resources"]["aws_rds_cluster.orders"]["urn"] == urn


# -- edge cases on hand-built graphs ----------------------------------------------------------


def _resource(name, type_, inputs, **extra):
    return Resource(
        urn=f"urn:pulumi:t::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        parent="",
        provider="",
        region="us-east-1",
        dependencies=extra.pop("dependencies", []),
        property_dependencies=extra.pop("property_dependencies", {}),
        inputs=inputs,
        **extra,
    )


def test_unknown_values_are_absent_and_listed_in_after_unknown():
    queue = _resource(
        "q", "aws:sqs/queue:Queue", {"name": UNKNOWN, "visibilityTimeoutSeconds": 30.0, "tags": {"a": "b"}}
    )
    export = to_terraform_plan(Plan("p", "t", [queue]))
    assert export.document["planned_values"]["root_module"]["resources"][0]["values"] == {
        "visibility_timeout_seconds": 30,
        "tags": {"a": "b"},
        "tags_all": {"a": "b"},
        "region": "us-east-1",
    }
    assert export.document["resource_changes"][0]["change"]["after_unknown"]["name"] is True


def test_unmapped_types_are_warned_not_dropped_silently():
    resources = [
        _resource("a", "aws:madeup/thing:Thing", {}),
        _resource("b", "aws:madeup/thing:Thing", {}),
        _resource("c", "aws:sqs/queue:Queue", {}),
    ]
    export = to_terraform_plan(Plan("p", "t", resources))
    assert export.warnings == ["no Terraform mapping for aws:madeup/thing:Thing; 2 resource(s) not exported"]
    assert list(export.addresses) == ["aws_sqs_queue.c"]


def test_addresses_are_unique_and_valid_terraform_names():
    resources = [_resource(n, "aws:sqs/queue:Queue", {}) for n in ("orders-dlq", "orders_dlq", "orders.dlq", "9lives")]
    export = to_terraform_plan(Plan("p", "t", resources))
    assert list(export.addresses) == [
        "aws_sqs_queue.orders_dlq",
        "aws_sqs_queue.orders_dlq_2",
        "aws_sqs_queue.orders_dlq_3",
        "aws_sqs_queue.r_9lives",
    ]
    assert terraform_name("prod/orders connection") == "prod_orders_connection"


def test_numbers_are_coerced_to_the_sdk_type():
    """A number given to a string attribute becomes a string, as Terraform converts it; floats stay floats."""
    alarm = _resource(
        "alarm",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        {
            "threshold": 0.5,
            "evaluationPeriods": 2.0,
            "period": 60.0,
            "dimensions": {"QueueName": "q"},
            "namespace": 5.0,
        },
    )
    values = to_terraform_plan(Plan("p", "t", [alarm])).document["planned_values"]["root_module"]["resources"][0][
        "values"
    ]
    assert values["threshold"] == 0.5 and values["evaluation_periods"] == 2 and type(values["period"]) is int
    assert values["dimensions"] == {"QueueName": "q"}
    assert values["namespace"] == "5"


# -- the blueprint's prod stack, as checkov reads it ---------------------------------------------


@pytest.fixture(scope="module")
def prod_export(prod_plan):
    return to_terraform_plan(prod_plan)


def test_document_has_what_checkovs_terraform_plan_parser_reads(prod_export):
    document = json.loads(prod_export.dumps())
    assert {"format_version", "terraform_version", "planned_values", "resource_changes", "configuration"} <= set(
        document
    )
    planned_resources = document["planned_values"]["root_module"]["resources"]
    configured_resources = document["configuration"]["root_module"]["resources"]
    assert (
        len(planned_resources)
        == len(document["resource_changes"])
        == len(configured_resources)
        == prod_export.resource_count
    )
    addresses = [r["address"] for r in planned_resources]
    assert len(set(addresses)) == len(addresses)
    for resource, config in zip(planned_resources, configured_resources, strict=True):
        assert resource["mode"] == "managed" and resource["address"] == f"{resource['type']}.{resource['name']}"
        assert isinstance(resource["values"], dict)
        # checkov pairs planned values and configuration by (type, name)
        assert (config["type"], config["name"], config["address"]) == (
            resource["type"],
            resource["name"],
            resource["address"],
        )
        assert config["provider_config_key"] in document["configuration"]["provider_config"]
    for entry in document["resource_changes"]:
        assert entry["change"]["actions"] == ["create"] and entry["change"]["before"] is None


def test_prod_exports_every_aws_resource(prod_plan, prod_export):
    aws_resources = [r for r in prod_plan.resources if r.custom and r.type.startswith("aws:")]
    assert prod_export.warnings == []
    assert sorted(prod_export.addresses.values()) == sorted(r.urn for r in aws_resources)


def _walk(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v, path)
    else:
        yield path, value


def test_prod_values_have_no_doubles_for_whole_numbers_and_snake_case_attributes(prod_export):
    for resource in prod_export.document["planned_values"]["root_module"]["resources"]:
        assert all(re.fullmatch(r"[a-z0-9_]+", key) for key in resource["values"]), resource["address"]
        whole_floats = [p for p, v in _walk(resource["values"]) if isinstance(v, float) and v.is_integer()]
        assert whole_floats == [], resource["address"]


def test_prod_references_resolve_to_exported_resources(prod_export):
    """Every reference names an address in the document, and every absent value has a reference to stand in."""
    addresses = set(prod_export.addresses)
    changes = {c["address"]: c["change"] for c in prod_export.document["resource_changes"]}
    for config in prod_export.document["configuration"]["root_module"]["resources"]:
        for path, ref in _walk(config["expressions"]):
            assert path[-1] == "references"
            assert ref in addresses or ref.rsplit(".", 1)[0] in addresses, ref
        values = changes[config["address"]]["after"]
        for attr, marker in changes[config["address"]]["after_unknown"].items():
            if marker is True and attr not in ("id", "arn"):
                assert attr not in values and "references" in config["expressions"].get(attr, {}), (
                    config["address"],
                    attr,
                )
        for dependency in config.get("depends_on", []):
            assert dependency in addresses


def test_prod_graph_edges_checkov_needs(prod_export):
    """The connections behind checkov's graph checks: bucket <- public access block / versioning / SSE,
    cluster <- backup selection, security group <- cluster."""
    expressions = {
        c["address"]: c["expressions"] for c in prod_export.document["configuration"]["root_module"]["resources"]
    }

    def first_references(type_prefix, attr):
        return {
            address: exprs[attr]["references"][0]
            for address, exprs in expressions.items()
            if address.startswith(type_prefix) and attr in exprs
        }

    buckets = {a for a in prod_export.addresses if a.startswith("aws_s3_bucket.")}
    for kind in (
        "aws_s3_bucket_public_access_block.",
        "aws_s3_bucket_versioning.",
        "aws_s3_bucket_server_side_encryption_configuration.",
    ):
        targets = {ref.rsplit(".", 1)[0] for ref in first_references(kind, "bucket").values()}
        assert targets == buckets, kind
    selected = {ref.rsplit(".", 1)[0] for ref in first_references("aws_backup_selection.", "resources").values()}
    assert selected and all(t.startswith("aws_rds_cluster.") for t in selected)
    groups = {ref.rsplit(".", 1)[0] for ref in first_references("aws_rds_cluster.", "vpc_security_group_ids").values()}
    assert groups and all(g.startswith("aws_security_group.") for g in groups)


def test_export_is_deterministic(prod_plan, prod_export):
    assert to_terraform_plan(prod_plan).dumps() == prod_export.dumps()
