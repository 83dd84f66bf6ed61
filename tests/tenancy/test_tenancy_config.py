"""The tenancy model in the stack config: every rule with the exact error line, and the silo stack contract."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from crossdock.config import StackConfigError, load_stack_file, parse_stack_config
from crossdock.config.schema import Isolation, Risk
from crossdock.config.tenancy import TenantNamespace, TenantStackSpec
from crossdock.config.tenant_stack import load_tenant_stack_file

from .support import ACME_FILE, PROD_FILE, ROOT, namespace

SOURCE = "stacks/Pulumi.prod.yaml"


def prod_error(mutate) -> str:
    values = namespace(PROD_FILE)
    mutate(values)
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(values, SOURCE, "us-east-1")
    return str(caught.value)


def tenant(values: dict, tenant_id: str) -> dict:
    return next(t for t in values["tenants"] if t["id"] == tenant_id)


# -- the environment's `tenants` ------------------------------------------------------------------


def test_prod_registers_a_pool_and_a_high_risk_silo_tenant() -> None:
    config = load_stack_file(PROD_FILE)
    by_id = {t.id: t for t in config.tenants}
    assert set(by_id) == {"globex", "acme"}
    assert (by_id["globex"].isolation, by_id["globex"].risk) == (Isolation.POOL, Risk.STANDARD)
    assert (by_id["acme"].isolation, by_id["acme"].risk) == (Isolation.SILO, Risk.HIGH)
    assert by_id["acme"].flows == ("shipment-confirmations", "billing-triggers", "edi-inbound")
    assert by_id["globex"].quotas.requests_per_five_minutes == 3000


def test_high_risk_must_be_silo() -> None:
    message = prod_error(lambda v: tenant(v, "acme").update(isolation="pool"))
    assert message == (
        f"{SOURCE}: crossdock:tenants[1].isolation: tenant 'acme' is high-risk, so it must be isolation: silo "
        "(its own stack, database, keys and queues), not pool"
    )


def test_unknown_flow_names_the_tenant_the_flow_and_the_queues() -> None:
    message = prod_error(lambda v: tenant(v, "globex")["flows"].append("customs-filings"))
    assert message == (
        f"{SOURCE}: crossdock:tenants[0].flows[2]: tenant 'globex' uses flow 'customs-filings', which is not a queue "
        "of environment 'prod' (queues: asn-ingestion, billing-triggers, carrier-events, edi-inbound, label-requests, "
        "shipment-confirmations)"
    )


def test_tenant_ids_are_unique_in_the_file() -> None:
    message = prod_error(lambda v: tenant(v, "acme").update(id="globex"))
    assert message.startswith(
        f"{SOURCE}: crossdock:tenants[1].id: duplicate tenant id 'globex' (already used by tenants[0])"
    )


def test_a_flow_listed_twice() -> None:
    message = prod_error(lambda v: tenant(v, "globex")["flows"].append("label-requests"))
    assert message == f"{SOURCE}: crossdock:tenants[0].flows[2]: flow 'label-requests' is listed twice (also flows[0])"


def test_tenant_id_is_dns_safe() -> None:
    message = prod_error(lambda v: tenant(v, "globex").update(id="Globex_Freight"))
    assert message.startswith(f"{SOURCE}: crossdock:tenants[0].id: 'Globex_Freight' is not DNS-safe")


def test_silo_prefix_must_fit_forty_characters() -> None:
    long_id = "a" * 30  # prod-tenant- + 30 = 42
    message = prod_error(lambda v: tenant(v, "acme").update(id=long_id))
    assert message == (
        f"{SOURCE}: crossdock:tenants[1].id: the silo stack and resource prefix 'prod-tenant-{long_id}' would "
        "exceed 40 characters; use a shorter tenant id"
    )


def test_unknown_tenant_key_suggests_the_right_one() -> None:
    message = prod_error(lambda v: tenant(v, "globex").update(displayname="Globex"))
    assert message.startswith(
        f"{SOURCE}: crossdock:tenants[0].displayname: unknown key 'displayname'; did you mean 'displayName'?"
    )


def test_quota_bounds() -> None:
    message = prod_error(lambda v: tenant(v, "globex")["quotas"].update(requestsPerFiveMinutes=5))
    assert message.startswith(
        f"{SOURCE}: crossdock:tenants[0].quotas.requestsPerFiveMinutes: Input should be greater than or equal to 10"
    )


# -- the silo tenant stack -------------------------------------------------------------------------


def test_the_shipped_silo_stack_inherits_from_its_environment() -> None:
    config = load_tenant_stack_file(ACME_FILE)
    assert (config.stack, config.name, config.id, config.environment_stack) == (
        "prod-tenant-acme",
        "prod-tenant-acme",
        "acme",
        "prod",
    )
    assert config.tenant.risk is Risk.HIGH
    assert config.dr_strategy == "pilot-light" and config.is_production
    silo = config.silo
    assert silo.environment.name == "prod-tenant-acme"
    assert silo.environment.region == "us-east-1" and silo.dr.region == "us-west-2"
    assert [q.name for q in silo.queues] == ["shipment-confirmations", "billing-triggers", "edi-inbound"]
    assert [db.name for db in silo.databases] == ["orders", "reporting"]
    assert silo.data_classes == config.environment.data_classes and silo.kpis == config.environment.kpis
    assert str(config.spec.dr_vpc_cidr) == "10.12.0.0/20"


def _tenant_file(tmp_path: Path, mutate=None, name: str = "Pulumi.prod-tenant-acme.yaml", env_mutate=None) -> Path:
    stacks = tmp_path / "stacks"
    stacks.mkdir(exist_ok=True)
    env = yaml.safe_load(PROD_FILE.read_text())
    if env_mutate:
        env_mutate(env["config"])
    (stacks / "Pulumi.prod.yaml").write_text(yaml.safe_dump(env, sort_keys=False))
    document = yaml.safe_load(ACME_FILE.read_text())
    if mutate:
        mutate(document["config"])
    path = stacks / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def tenant_error(tmp_path: Path, mutate=None, **kwargs) -> str:
    path = _tenant_file(tmp_path, mutate, **kwargs)
    with pytest.raises(StackConfigError) as caught:
        load_tenant_stack_file(path)
    return str(caught.value).replace(str(path.parent) + "/", "stacks/")


def test_tenant_not_registered(tmp_path: Path) -> None:
    message = tenant_error(
        tmp_path, lambda c: c["crossdock:tenant"].update(id="initech"), name="Pulumi.prod-tenant-initech.yaml"
    )
    assert message == (
        "stacks/Pulumi.prod-tenant-initech.yaml: crossdock:tenant.id: tenant 'initech' is not registered in "
        "stacks/Pulumi.prod.yaml crossdock:tenants; register it there first "
        "(crossdock new tenant initech --env prod --isolation silo)"
    )


def test_a_pool_tenant_has_no_stack(tmp_path: Path) -> None:
    message = tenant_error(
        tmp_path,
        lambda c: c["crossdock:tenant"].update(id="globex"),
        name="Pulumi.prod-tenant-globex.yaml",
    )
    assert message == (
        "stacks/Pulumi.prod-tenant-globex.yaml: crossdock:tenant.id: tenant 'globex' is registered in "
        "stacks/Pulumi.prod.yaml as isolation: pool; only silo tenants have a stack of their own"
    )


def test_environment_stack_file_must_exist(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"].update(environmentStack="prod-eu"))
    assert message == (
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.environmentStack: no stack file "
        "stacks/Pulumi.prod-eu.yaml for environment stack 'prod-eu'"
    )


def test_stack_name_follows_the_convention(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, name="Pulumi.acme.yaml")
    assert message == (
        "stacks/Pulumi.acme.yaml: crossdock:tenant.id: the stack of silo tenant 'acme' of 'prod' must be named "
        "'prod-tenant-acme', not 'acme'"
    )


def test_environment_keys_are_not_restated(tmp_path: Path) -> None:
    message = tenant_error(
        tmp_path, lambda c: c.update({"crossdock:dr": {"region": "us-west-2", "strategy": "warm-standby"}})
    )
    assert message == (
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:dr: a silo tenant stack declares only crossdock:tenant; "
        "environment settings (tier, region, data classes, DR, KPIs) are inherited from the environment stack"
    )


def test_region_must_be_the_environments(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c.update({"aws:region": "us-east-2"}))
    assert message == (
        "stacks/Pulumi.prod-tenant-acme.yaml: aws:region: is us-east-2 but environment stack 'prod' runs in "
        "us-east-1; a silo tenant lives in its environment's region"
    )


def test_dr_vpc_is_required_for_a_global_secondary(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"].pop("drVpcCidr"))
    assert message.startswith(
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.drVpcCidr: environment 'prod' replicates these data "
        "classes continuously to us-west-2 (Aurora Global Database), so the tenant needs its own DR VPC there"
    )


def test_dr_vpc_is_not_required_without_continuous_replication(tmp_path: Path) -> None:
    def analytics_only(config: dict) -> None:
        config["crossdock:tenant"].pop("drVpcCidr")
        config["crossdock:tenant"]["databases"] = [
            db for db in config["crossdock:tenant"]["databases"] if db["dataClass"] == "analytics"
        ]

    path = _tenant_file(tmp_path, analytics_only)
    config = load_tenant_stack_file(path)
    assert config.spec.dr_vpc_cidr is None and not config.needs_dr_vpc()


@pytest.mark.parametrize(
    ("cidr", "problem"),
    [
        ("10.11.16.0/20", "10.11.16.0/20 overlaps the environment's DR VPC in us-west-2 (10.11.0.0/16)"),
        ("10.10.0.0/20", "10.10.0.0/20 overlaps the environment's VPC (10.10.0.0/16)"),
        ("10.12.0.0/24", "10.12.0.0/24 is too small for 9 subnets"),
    ],
)
def test_dr_vpc_must_be_free_and_large_enough(tmp_path: Path, cidr: str, problem: str) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"].update(drVpcCidr=cidr))
    assert message.startswith(f"stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.drVpcCidr: {problem}")


def test_databases_use_the_environments_data_classes(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"]["databases"][0].update(dataClass="ledger"))
    assert message.startswith(
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.databases[0].dataClass: database 'orders' names data "
        "class 'ledger', which is not declared in dataClasses"
    )


def test_a_silo_needs_a_database(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"].update(databases=[]))
    assert message.startswith(
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.databases: Tuple should have at least 1 item"
    )


def test_namespace_limits_fit_the_quota(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"]["namespace"].update(cpu="1"))
    assert (
        message
        == "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.namespace.maxContainerCpu: 2 is more than cpu (1)"
    )


def test_unknown_key_in_the_tenant_section(tmp_path: Path) -> None:
    message = tenant_error(tmp_path, lambda c: c["crossdock:tenant"].update(enviromentStack="prod"))
    assert message.startswith(
        "stacks/Pulumi.prod-tenant-acme.yaml: crossdock:tenant.enviromentStack: unknown key 'enviromentStack'; "
        "did you mean 'environmentStack'?"
    )


def test_configuration_reference_documents_the_tenant_stack_keys() -> None:
    reference = (ROOT / "docs" / "configuration.md").read_text()
    for model in (TenantStackSpec, TenantNamespace):
        for name, field in model.model_fields.items():
            assert f"`{field.alias or name}`" in reference, f"docs/configuration.md lacks {model.__name__}.{name}"
            assert field.description, f"{model.__name__}.{name} has no description"
