"""Terraform attribute names for Pulumi AWS properties.

The SDK's snake_case property names are the Terraform attribute names, with two
systematic differences the bridge introduces, which this module undoes:

1. Renames: pulumi-aws renamed a handful of attributes (`topic_arn` -> `topic` on
   `aws:sns/topicSubscription`, `function_name` -> `function` on `aws:lambda/permission`,
   `rest_api_id` -> `rest_api` across API Gateway). `RENAMES` maps them back.
2. Plurals: a Terraform block that may repeat (`rule { }` twice) becomes a list property
   with a plural name (`rules`). A list of *objects* is therefore named in the singular
   again (`rules` -> `rule`, `copy_actions` -> `copy_action`, `metric_queries` ->
   `metric_query`), but only when the plural is the regular plural of the singular, and
   except for the blocks whose Terraform name is plural already (`KEEP_PLURAL`: the
   backup selection's `string_equals`, ECS's `placement_constraints`, ...). Lists of
   primitives keep their name (`subnet_ids`, `cidr_blocks`), except the few that
   Terraform names in the singular (`SINGULAR_LISTS`).

Blocks limited to one item (`versioning_configuration`) are objects in the SDK and keep
their name; the exporter writes them as lists of one object, as Terraform does.
"""

from __future__ import annotations

import functools

from crossdock.export.sdk_types import Field, ListOf, Obj

__all__ = ["KEEP_PLURAL", "RENAMES", "SINGULAR_LISTS", "pluralize", "singularize", "tf_attribute"]

RENAMES: dict[str, dict[str, str]] = {
    # token (or "module/*" for a whole module) -> {SDK name: Terraform name}
    "aws:sns/topicSubscription:TopicSubscription": {"topic": "topic_arn"},
    "aws:lambda/permission:Permission": {"function": "function_name"},
    "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": {"log_group": "log_group_name"},
    "aws:lambda/function:Function": {"code": "filename"},
    "aws:lambda/layerVersion:LayerVersion": {"code": "filename"},
    "apigateway/*": {"rest_api": "rest_api_id"},
}

KEEP_PLURAL: frozenset[str] = frozenset(
    {
        # Repeatable Terraform blocks whose own name is plural.
        "string_equals",  # aws_backup_selection.condition
        "string_not_equals",
        "placement_constraints",  # aws_ecs_service, aws_ecs_task_definition
        "log_publishing_options",  # aws_elasticsearch_domain, aws_opensearch_domain
        "block_device_mappings",  # aws_launch_template
        "network_interfaces",
        "tag_specifications",
        "elastic_gpu_specifications",
        "partition_keys",  # aws_glue_catalog_table
        "columns",
        "targets",  # aws_ssm_association, aws_ssm_maintenance_window_*
        "route_settings",  # aws_apigatewayv2_stage
        "secondary_sources",  # aws_codebuild_project
        "secondary_artifacts",
        "file_system_locations",
        "redacted_fields",  # aws_wafv2_web_acl_logging_configuration
        "run_command_targets",  # aws_cloudwatch_event_target
    }
)

SINGULAR_LISTS: dict[str, str] = {
    # Lists of primitives that Terraform names in the singular.
    "vpc_zone_identifiers": "vpc_zone_identifier",  # aws_autoscaling_group
    "client_id_lists": "client_id_list",  # aws_iam_openid_connect_provider
    "thumbprint_lists": "thumbprint_list",
}

_IRREGULAR = {"aliases": "alias", "statuses": "status", "addresses": "address", "buses": "bus", "caches": "cache"}


def singularize(word: str) -> str:
    """The regular singular of an English plural (`policies` -> `policy`); the word if none."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    if last in _IRREGULAR:
        return prefix + _IRREGULAR[last]
    if last.endswith("ies") and len(last) > 3:
        return prefix + last[:-3] + "y"
    for ending in ("sses", "shes", "ches", "xes", "zes"):
        if last.endswith(ending):
            return prefix + last[:-2]
    if last.endswith("s") and not last.endswith(("ss", "us", "is")):
        return prefix + last[:-1]
    return word


def pluralize(word: str) -> str:
    """The regular plural (the inverse of `singularize` on the words it changes)."""
    head, _, last = word.rpartition("_")
    prefix = f"{head}_" if head else ""
    reverse = {v: k for k, v in _IRREGULAR.items()}
    if last in reverse:
        return prefix + reverse[last]
    if last.endswith("y") and len(last) > 1 and last[-2] not in "aeiou":
        return prefix + last[:-1] + "ies"
    if last.endswith(("s", "sh", "ch", "x", "z")):
        return prefix + last + "es"
    return prefix + last + "s"


def _renames_for(token: str) -> dict[str, str]:
    module = token.split(":")[1].split("/")[0] if token.count(":") == 2 else ""
    return {**RENAMES.get(f"{module}/*", {}), **RENAMES.get(token, {})}


@functools.cache
def tf_attribute(token: str, field: Field, top_level: bool) -> str:
    """The Terraform name of one SDK property (`top_level`: a resource property, not a nested one)."""
    name = field.python_name
    if top_level:
        renamed = _renames_for(token).get(name)
        if renamed:
            return renamed
    shape = field.shape
    if isinstance(shape, ListOf):
        if isinstance(shape.item, Obj):
            if name in KEEP_PLURAL:
                return name
            singular = singularize(name)
            return singular if singular != name and pluralize(singular) == name else name
        return SINGULAR_LISTS.get(name, name)
    return name
