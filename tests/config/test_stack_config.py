"""Every stack-config rule, with the exact error line a platform engineer sees."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from crossdock.config import StackConfigError, Tier, load_stack_file, parse_stack_config
from crossdock.config.schema import StackConfig
from crossdock.config.subnets import plan_subnets

ROOT = Path(__file__).resolve().parents[2]
PROD_FILE = ROOT / "stacks" / "Pulumi.prod.yaml"
SOURCE = "stacks/Pulumi.prod.yaml"


def prod_namespace() -> dict:
    config = yaml.safe_load(PROD_FILE.read_text())["config"]
    return {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("crossdock:")}


def error_for(mutate) -> str:
    namespace = prod_namespace()
    mutate(namespace)
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(namespace, SOURCE, "us-east-1")
    return str(caught.value)


@pytest.mark.parametrize("stack", ["prod", "staging", "dev"])
def test_shipped_stacks_are_valid(stack: str) -> None:
    config = load_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml")
    assert isinstance(config, StackConfig)


def test_prod_stack_shape() -> None:
    config = load_stack_file(PROD_FILE)
    assert config.environment.tier is Tier.PRODUCTION
    assert config.environment.az_count == 3
    assert (config.environment.region, config.dr.region) == ("us-east-1", "us-west-2")
    assert {db.data_class for db in config.databases} == {"transactional", "analytics"}
    assert {q.name for q in config.queues} >= {
        "carrier-events",
        "asn-ingestion",
        "shipment-confirmations",
        "billing-triggers",
        "edi-inbound",
        "label-requests",
    }
    assert len(config.kpis) >= 4


def test_models_are_frozen() -> None:
    config = load_stack_file(PROD_FILE)
    with pytest.raises(ValidationError, match="frozen"):
        config.environment.az_count = 1  # type: ignore[misc]


def test_every_field_has_a_description() -> None:
    from pydantic import BaseModel

    import crossdock.config.schema as schema

    models = [
        m for m in vars(schema).values() if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel
    ]
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_unknown_key_is_named_with_a_suggestion() -> None:
    message = error_for(lambda ns: ns["environment"].update(azCont=3))
    assert message.startswith(f"{SOURCE}: crossdock:environment.azCont: unknown key 'azCont'; did you mean 'azCount'?")


def test_unknown_top_level_key_is_named() -> None:
    message = error_for(lambda ns: ns.update(databses=[]))
    assert message.startswith(f"{SOURCE}: crossdock:databses: unknown key 'databses'; did you mean 'databases'?")


def test_unknown_key_in_a_list_item_names_the_index() -> None:
    message = error_for(lambda ns: ns["queues"][2].update(maxRecieveCount=3))
    assert message.startswith(f"{SOURCE}: crossdock:queues[2].maxRecieveCount: unknown key 'maxRecieveCount'")


def test_missing_key() -> None:
    message = error_for(lambda ns: ns["environment"].pop("owner"))
    assert message == f"{SOURCE}: crossdock:environment.owner: required key is missing"


def test_invalid_enum_value() -> None:
    message = error_for(lambda ns: ns["environment"].update(tier="prod"))
    assert message == (
        f"{SOURCE}: crossdock:environment.tier: Input should be 'production', 'staging' or 'development' (got 'prod')"
    )


def test_invalid_cidr() -> None:
    message = error_for(lambda ns: ns["environment"].update(vpcCidr="10.0.0.1/16"))
    assert message == f"{SOURCE}: crossdock:environment.vpcCidr: Input is not a valid IPv4 network (got '10.0.0.1/16')"


def test_cidr_too_small_for_the_subnets() -> None:
    message = error_for(lambda ns: ns["environment"].update(vpcCidr="10.0.0.0/22"))
    assert message == (
        f"{SOURCE}: crossdock:environment.vpcCidr: 10.0.0.0/22 is too small for 9 subnets (3 tiers x 3 AZs): "
        "each would be /26, crossdock needs /24 or larger; use a /20 or larger"
    )


def test_dr_region_must_differ() -> None:
    message = error_for(lambda ns: ns["dr"].update(region="us-east-1"))
    assert message == f"{SOURCE}: crossdock:dr.region: the DR region must differ from the primary region (us-east-1)"


def test_az_count_above_what_the_region_has() -> None:
    def mutate(ns):
        ns["environment"].update(region="us-west-1")
        ns["dr"].update(region="us-east-1")

    namespace = prod_namespace()
    mutate(namespace)
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(namespace, SOURCE, "us-west-1")
    assert str(caught.value) == (
        f"{SOURCE}: crossdock:environment.azCount: us-west-1 has 2 availability zones, 3 requested"
    )


def test_unknown_region() -> None:
    def mutate(ns):
        ns["environment"].update(region="mars-north-1")

    namespace = prod_namespace()
    mutate(namespace)
    with pytest.raises(StackConfigError, match=r"crossdock:environment.region: unknown region 'mars-north-1'"):
        parse_stack_config(namespace, SOURCE, "mars-north-1")


def test_aws_region_must_match_environment_region() -> None:
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(prod_namespace(), SOURCE, "eu-west-1")
    assert str(caught.value) == (
        f"{SOURCE}: crossdock:environment.region: is us-east-1 but aws:region is eu-west-1; they must match"
    )


def test_production_needs_three_zones() -> None:
    message = error_for(lambda ns: ns["environment"].update(azCount=2))
    assert message == f"{SOURCE}: crossdock:environment.azCount: production needs at least 3 availability zones, got 2"


def test_production_needs_dr() -> None:
    def mutate(ns):
        ns.pop("dr")
        for data_class in ns["dataClasses"]:
            data_class["objectives"].pop("region", None)

    assert error_for(mutate) == f"{SOURCE}: crossdock:dr: production needs a dr section (a DR region and strategy)"


def test_region_rpo_that_backup_restore_cannot_meet() -> None:
    message = error_for(lambda ns: ns["dr"].update(strategy="backup-restore"))
    assert message.startswith(
        f"{SOURCE}: crossdock:dataClasses[0].objectives.region.rpoMinutes: a 5-minute region RPO cannot be met "
        "by backup-restore: backup-restore copies recovery points to the DR region at most hourly"
    )


def test_region_rto_that_pilot_light_cannot_meet() -> None:
    message = error_for(lambda ns: ns["dataClasses"][0]["objectives"]["region"].update(rtoMinutes=10))
    assert message.startswith(
        f"{SOURCE}: crossdock:dataClasses[0].objectives.region.rtoMinutes: a 10-minute region RTO cannot be met "
        "by pilot-light"
    )


def test_warm_standby_meets_a_short_rto() -> None:
    namespace = prod_namespace()
    namespace["dr"]["strategy"] = "warm-standby"
    namespace["dataClasses"][0]["objectives"]["region"]["rtoMinutes"] = 10
    assert parse_stack_config(namespace, SOURCE, "us-east-1").dr.strategy.value == "warm-standby"


def test_region_objective_without_dr_in_a_lower_tier() -> None:
    def mutate(ns):
        ns["environment"]["tier"] = "staging"
        ns.pop("dr")

    message = error_for(mutate)
    assert message.startswith(
        f"{SOURCE}: crossdock:dataClasses[0].objectives.region: data class 'transactional' declares a region "
        "RPO/RTO but the stack has no dr section"
    )


def test_duplicate_names() -> None:
    # queues[0] (carrier-events) is used by no service; two business processes name it, so renaming it
    # adds their two unknown-queue problems after the first one.
    message = error_for(lambda ns: ns["queues"][0].update(name="asn-ingestion"))
    assert message == (
        f"{SOURCE}: crossdock:queues[1].name: duplicate name 'asn-ingestion' (already used by queues[0]) "
        "(and 2 more problem(s))"
    )


@pytest.mark.parametrize("bad", ["Carrier_Events", "carrier--events", "-carrier", "9lives", "x" * 41])
def test_names_must_be_dns_safe(bad: str) -> None:
    message = error_for(lambda ns: ns["queues"][0].update(name=bad))
    assert message.startswith(f"{SOURCE}: crossdock:queues[0].name: {bad!r} is not DNS-safe")


def test_unknown_data_class_reference_names_both() -> None:
    message = error_for(lambda ns: ns["databases"][0].update(dataClass="ledger"))
    assert message == (
        f"{SOURCE}: crossdock:databases[0].dataClass: database 'orders' names data class 'ledger', which is not "
        "declared in dataClasses (declared: analytics, audit, integration-payloads, transactional)"
    )


def test_required_data_classes() -> None:
    message = error_for(lambda ns: ns.update(dataClasses=[dc for dc in ns["dataClasses"] if dc["name"] != "audit"]))
    assert message.startswith(f"{SOURCE}: crossdock:dataClasses: a 'audit' data class is required")


def test_age_alarm_must_fire_before_expiry() -> None:
    message = error_for(lambda ns: ns["queues"][0].update(retentionSeconds=600, ageAlarmSeconds=600))
    assert message == (
        f"{SOURCE}: crossdock:queues[0].ageAlarmSeconds: the age alarm (600 s) must fire before messages expire "
        "(retention 600 s)"
    )


def test_derived_queue_name_length() -> None:
    def mutate(ns):
        ns["environment"]["name"] = "e" * 40
        ns["queues"][0].update(name="a" * 40, fifo=True)

    message = error_for(mutate)
    assert message.startswith(f"{SOURCE}: crossdock:queues[0].name: '{'e' * 40}-{'a' * 40}-dlq.fifo' would exceed")
    assert "SQS's 80-character limit" in message


def test_backup_retention_range() -> None:
    message = error_for(lambda ns: ns["dataClasses"][0].update(backupRetentionDays=36))
    assert message == (
        f"{SOURCE}: crossdock:dataClasses[0].backupRetentionDays: Input should be less than or equal to 35 (got 36)"
    )


def test_kpi_period_multiple_of_sixty() -> None:
    message = error_for(lambda ns: ns["kpis"][0].update(periodSeconds=90))
    assert message == f"{SOURCE}: crossdock:kpis[0].periodSeconds: CloudWatch periods are multiples of 60 s, got 90"


def test_several_problems_are_counted() -> None:
    def mutate(ns):
        ns["environment"]["azCount"] = 2
        ns["dr"]["region"] = "us-east-1"

    assert error_for(mutate).endswith("(and 1 more problem(s))")


def test_bad_yaml_names_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "Pulumi.broken.yaml"
    broken.write_text("config:\n  crossdock:environment: {name: x\n")
    with pytest.raises(StackConfigError, match=rf"^{broken}:\d+: not valid YAML"):
        load_stack_file(broken)


def test_missing_stack_file(tmp_path: Path) -> None:
    with pytest.raises(StackConfigError, match="stack file not found"):
        load_stack_file(tmp_path / "Pulumi.nope.yaml")


def test_subnet_plan_is_contiguous_and_per_zone() -> None:
    from ipaddress import IPv4Network

    layout = plan_subnets(IPv4Network("10.10.0.0/16"), 3)
    assert [str(c) for c in layout["public"]] == ["10.10.0.0/20", "10.10.16.0/20", "10.10.32.0/20"]
    assert [str(c) for c in layout["data"]] == ["10.10.96.0/20", "10.10.112.0/20", "10.10.128.0/20"]


def test_configuration_reference_documents_every_key() -> None:
    from pydantic import BaseModel

    import crossdock.config.schema as schema

    reference = (ROOT / "docs" / "configuration.md").read_text()
    models = [
        m for m in vars(schema).values() if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel
    ]
    for model in models:
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in reference, f"docs/configuration.md lacks {model.__name__}.{name}"
