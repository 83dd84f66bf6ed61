"""The services and cluster sections: defaults, and every validation error as the engineer sees it."""

from __future__ import annotations

import pytest
import yaml

from crossdock.config import StackConfigError, parse_stack_config
from crossdock.config.schema import Criticality, DatabaseAccess, Service
from tests.transaction_tier.helpers import DEV, PROD, ROOT

SOURCE = "stacks/Pulumi.prod.yaml"
PROD_QUEUES = "asn-ingestion, billing-triggers, carrier-events, edi-inbound, label-requests, shipment-confirmations"


def namespace() -> dict:
    config = yaml.safe_load((ROOT / SOURCE).read_text())["config"]
    return {key.split(":", 1)[1]: value for key, value in config.items() if key.startswith("crossdock:")}


def error_for(mutate) -> str:
    ns = namespace()
    mutate(ns)
    with pytest.raises(StackConfigError) as caught:
        parse_stack_config(ns, SOURCE, "us-east-1")
    return str(caught.value)


def service(ns: dict, name: str) -> dict:
    return next(s for s in ns["services"] if s["name"] == name)


def test_prod_declares_a_service_of_every_criticality():
    assert {s.criticality for s in PROD.services} == set(Criticality)
    assert [s.name for s in PROD.services if s.public] == ["shipment-api"]
    printer = next(s for s in PROD.services if s.name == "label-printer")
    assert (printer.consumes, printer.produces) == (("label-requests",), ("shipment-confirmations",))
    assert PROD.cluster.public_endpoint_cidrs == () and PROD.cluster.waf_rate_limit == 50000
    assert DEV.cluster.waf_rate_limit == 2000


def test_defaults_are_sensible():
    bare = Service(name="x-api", image="registry.example/x-api:1.2.3", criticality="internal-reporting")
    assert (bare.port, bare.cpu, bare.memory, bare.health_path, bare.public) == (
        8080,
        "250m",
        "512Mi",
        "/healthz",
        False,
    )
    assert (bare.replicas.min, bare.replicas.max) == (2, 6)
    assert bare.consumes == bare.produces == () and bare.database is None


def test_unknown_consumed_queue_names_service_and_queue():
    message = error_for(lambda ns: service(ns, "label-printer").update(consumes=["label-request"]))
    assert message == (
        f"{SOURCE}: crossdock:services[1].consumes[0]: service 'label-printer' consumes queue 'label-request', "
        f"which is not declared in queues (declared: {PROD_QUEUES})"
    )


def test_unknown_produced_queue_names_service_and_queue():
    message = error_for(lambda ns: service(ns, "shipment-api").update(produces=["label-requests", "invoices"]))
    assert message == (
        f"{SOURCE}: crossdock:services[0].produces[1]: service 'shipment-api' produces queue 'invoices', "
        f"which is not declared in queues (declared: {PROD_QUEUES})"
    )


def test_unknown_database_names_service_and_database():
    message = error_for(
        lambda ns: service(ns, "reporting-api").update(database={"name": "warehouse", "access": "read"})
    )
    assert message == (
        f"{SOURCE}: crossdock:services[4].database.name: service 'reporting-api' uses database 'warehouse', "
        "which is not declared in databases (declared: orders, reporting)"
    )


def test_database_access_is_read_or_write():
    message = error_for(
        lambda ns: service(ns, "reporting-api").update(database={"name": "reporting", "access": "admin"})
    )
    assert message.startswith(f"{SOURCE}: crossdock:services[4].database.access: Input should be 'read' or 'write'")
    assert {a.value for a in DatabaseAccess} == {"read", "write"}


def test_real_time_in_production_needs_three_replicas():
    message = error_for(lambda ns: service(ns, "label-printer").update(replicas={"min": 2, "max": 9}))
    assert message == (
        f"{SOURCE}: crossdock:services[1].replicas.min: service 'label-printer' (real-time-fulfillment) needs at "
        "least 3 replicas in production, one per availability zone, got 2"
    )


def test_every_service_needs_two_replicas():
    message = error_for(lambda ns: service(ns, "reporting-api").update(replicas={"min": 1, "max": 4}))
    assert message == (
        f"{SOURCE}: crossdock:services[4].replicas.min: service 'reporting-api' (internal-reporting) needs at least "
        "2 replicas so one pod can fail or be drained while the other serves, got 1"
    )


def test_max_replicas_at_least_min():
    message = error_for(lambda ns: service(ns, "reporting-api").update(replicas={"min": 3, "max": 2}))
    assert (
        message == f"{SOURCE}: crossdock:services[4].replicas.max: replicas.max (2) must be at least replicas.min (3)"
    )


@pytest.mark.parametrize("image", ["registry.example/reporting-api", "registry.example/reporting-api:latest"])
def test_images_are_pinned(image):
    message = error_for(lambda ns: service(ns, "reporting-api").update(image=image))
    assert message == (
        f"{SOURCE}: crossdock:services[4].image: image {image!r} is not pinned: use a digest (@sha256:...) or a tag "
        "other than latest"
    )


def test_public_service_needs_hostname_and_certificate():
    message = error_for(lambda ns: service(ns, "shipment-api").pop("hostname"))
    assert message == (
        f"{SOURCE}: crossdock:services[0].hostname: public service 'shipment-api' needs a hostname (ingress host "
        "and canary URL)"
    )
    message = error_for(lambda ns: ns["cluster"].pop("certificateArn"))
    assert (
        message
        == f"{SOURCE}: crossdock:cluster.certificateArn: public services need an ACM certificate ARN for their HTTPS listener"
    )


def test_internal_service_takes_no_hostname():
    message = error_for(lambda ns: service(ns, "reporting-api").update(hostname="reports.example.com"))
    assert message == (
        f"{SOURCE}: crossdock:services[4].hostname: service 'reporting-api' is internal; only public services take a hostname"
    )


def test_public_endpoint_never_open_to_the_internet():
    message = error_for(lambda ns: ns["cluster"].update(publicEndpointCidrs=["10.0.0.0/8", "0.0.0.0/0"]))
    assert message == (
        f"{SOURCE}: crossdock:cluster.publicEndpointCidrs[1]: 0.0.0.0/0 would open the Kubernetes API endpoint to "
        "the whole internet; list the networks that need it"
    )


def test_derived_names_fit_aws_limits():
    long = "shipment-api-for-north-american-ops"
    message = error_for(lambda ns: service(ns, "shipment-api").update(name=long))
    # The four business processes that name shipment-api now name an unknown service: reported after it.
    assert message == (
        f"{SOURCE}: crossdock:services[0].name: 'prod-{long}' would exceed the 32-character load balancer name limit"
        " (and 4 more problem(s))"
    )


def test_duplicate_service_names():
    message = error_for(lambda ns: service(ns, "analytics-exporter").update(name="reporting-api"))
    # The reporting process still names analytics-exporter, now unknown: reported after it.
    assert message == (
        f"{SOURCE}: crossdock:services[5].name: duplicate name 'reporting-api' (already used by services[4]) "
        "(and 1 more problem(s))"
    )


def test_unknown_service_key_suggests_the_right_one():
    message = error_for(lambda ns: service(ns, "reporting-api").update(healthpath="/ready"))
    assert message.startswith(
        f"{SOURCE}: crossdock:services[4].healthpath: unknown key 'healthpath'; did you mean 'healthPath'?"
    )
