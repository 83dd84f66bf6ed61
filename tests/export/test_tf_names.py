"""SDK property -> Terraform attribute names, read from the SDK's own declarations."""

from __future__ import annotations

import pytest

from crossdock.export.sdk_types import ListOf, MapOf, Obj, Scalar, fields_of, resource_fields
from crossdock.export.tf_names import pluralize, singularize, tf_attribute


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("rules", "rule"),
        ("copy_actions", "copy_action"),
        ("metric_queries", "metric_query"),
        ("inline_policies", "inline_policy"),
        ("global_secondary_indexes", "global_secondary_index"),
        ("aliases", "alias"),
        ("addresses", "address"),
        ("ingress", "ingress"),
        ("egress", "egress"),
    ],
)
def test_singular_and_plural_are_inverse(plural, singular):
    assert singularize(plural) == singular
    if singular != plural:
        assert pluralize(singular) == plural


def attribute(token, *path):
    """The Terraform name of a (possibly nested) property, following the SDK's nested types."""
    fields = resource_fields(token)
    for wire in path[:-1]:
        shape = fields[wire].shape
        fields = fields_of((shape.item if isinstance(shape, ListOf) else shape).cls)
    return tf_attribute(token, fields[path[-1]], len(path) == 1)


@pytest.mark.parametrize(
    ("token", "path", "expected"),
    [
        ("aws:backup/plan:Plan", ("rules",), "rule"),
        ("aws:backup/plan:Plan", ("rules", "copyActions"), "copy_action"),
        ("aws:backup/selection:Selection", ("selectionTags",), "selection_tag"),
        ("aws:backup/selection:Selection", ("conditions",), "condition"),
        ("aws:backup/selection:Selection", ("conditions", "stringEquals"), "string_equals"),
        ("aws:backup/selection:Selection", ("conditions", "stringLikes"), "string_like"),
        ("aws:backup/selection:Selection", ("resources",), "resources"),
        ("aws:ec2/securityGroup:SecurityGroup", ("ingress",), "ingress"),
        ("aws:ec2/securityGroup:SecurityGroup", ("ingress", "fromPort"), "from_port"),
        ("aws:ec2/routeTable:RouteTable", ("routes",), "route"),
        ("aws:rds/cluster:Cluster", ("vpcSecurityGroupIds",), "vpc_security_group_ids"),
        ("aws:rds/clusterParameterGroup:ClusterParameterGroup", ("parameters",), "parameter"),
        ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", ("rules",), "rule"),
        ("aws:s3/bucketVersioning:BucketVersioning", ("versioningConfiguration",), "versioning_configuration"),
        ("aws:cloudwatch/metricAlarm:MetricAlarm", ("metricQueries",), "metric_query"),
        ("aws:route53/record:Record", ("aliases",), "alias"),
        ("aws:ecs/service:Service", ("placementConstraints",), "placement_constraints"),
        ("aws:ecs/service:Service", ("loadBalancers",), "load_balancer"),
        ("aws:autoscaling/group:Group", ("vpcZoneIdentifiers",), "vpc_zone_identifier"),
        ("aws:iam/openIdConnectProvider:OpenIdConnectProvider", ("clientIdLists",), "client_id_list"),
        ("aws:sns/topicSubscription:TopicSubscription", ("topic",), "topic_arn"),
        ("aws:lambda/permission:Permission", ("function",), "function_name"),
        ("aws:apigateway/resource:Resource", ("restApi",), "rest_api_id"),
        ("aws:secretsmanager/secret:Secret", ("replicas",), "replica"),
    ],
)
def test_terraform_attribute_names(token, path, expected):
    assert attribute(token, *path) == expected


def test_sdk_shapes_tell_lists_maps_objects_and_integers_apart():
    fields = resource_fields("aws:rds/cluster:Cluster")
    assert fields["port"].shape == Scalar(frozenset({"int"}))
    assert fields["storageEncrypted"].shape == Scalar(frozenset({"bool"}))
    assert isinstance(fields["tags"].shape, MapOf)
    assert isinstance(fields["vpcSecurityGroupIds"].shape, ListOf)
    assert isinstance(resource_fields("aws:s3/bucketVersioning:BucketVersioning")["versioningConfiguration"].shape, Obj)
    # pulumi-aws policies accept a string or a PolicyDocument; Terraform holds a JSON string
    assert "json" in resource_fields("aws:s3/bucket:Bucket")["policy"].shape.kinds
    # Kubernetes IntOrString
    service_port = fields_of(resource_fields("kubernetes:core/v1:Service")["spec"].shape.cls)["ports"].shape.item.cls
    assert fields_of(service_port)["targetPort"].shape.kinds == {"int", "str"}


def test_tokens_without_sdk_classes_have_no_fields():
    assert resource_fields("aws:madeup/thing:Thing") is None
    assert resource_fields("crossdock:data:DataTier") is None
