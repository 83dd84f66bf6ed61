"""`crossdock diagram`: the rendered SVG holds the expected nodes and edges, laid out by Graphviz's dot.

Rendering SVG or PNG needs the `dot` binary (Debian's graphviz; scripts/bootstrap.sh installs it). Without
it these tests skip on a developer machine, and fail with the reason under CI=1: CI must draw.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET

import pytest

from crossdock.cli import main
from crossdock.diagram.build import build

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def needs_dot(request):
    if request.node.get_closest_marker("no_dot") or shutil.which("dot"):
        return
    if os.environ.get("CI"):
        pytest.fail("Graphviz's `dot` is not installed: scripts/bootstrap.sh installs the Debian package graphviz")
    pytest.skip("Graphviz's `dot` is not installed (apt-get install graphviz)")


def drawn(svg: bytes) -> tuple[set[str], set[tuple[str, str]], set[str]]:
    """Node ids, (tail, head) edges and cluster titles of an SVG that dot rendered."""
    root = ET.fromstring(svg)
    nodes, edges, clusters = set(), set(), set()
    for group in root.iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if title is None:
            continue
        kind = group.get("class")
        if kind == "node":
            nodes.add(title.text)
        elif kind == "edge":
            tail, head = title.text.split("->")
            edges.add((tail, head))
        elif kind == "cluster":
            clusters.add(title.text)
    return nodes, edges, clusters


def test_prod_services_view(prod_config, prod_plan):
    nodes, edges, clusters = drawn(build(prod_config, prod_plan, "services").pipe(format="svg"))
    services = {f"svc__{s.name}" for s in prod_config.services}
    queues = {f"q__{q.name}" for q in prod_config.queues} | {f"dlq__{q.name}" for q in prod_config.queues}
    assert services <= nodes and queues <= nodes
    assert {"db__orders", "db__reporting", "drdb__orders", "drvault", "edge", "internet", "silo__acme"} <= nodes
    assert {"bucket__archive", "drbucket__archive", "bucket__audit", "drbucket__audit"} <= nodes
    # Data paths from the stack file, replication paths from the plan.
    assert {
        ("internet", "edge"),
        ("edge", "svc__shipment-api"),
        ("svc__shipment-api", "q__label-requests"),
        ("q__label-requests", "svc__label-printer"),
        ("svc__label-printer", "q__shipment-confirmations"),
        ("q__shipment-confirmations", "svc__billing-worker"),
        ("svc__shipment-api", "db__orders"),
        ("svc__reporting-api", "db__reporting"),
        ("q__label-requests", "dlq__label-requests"),
        ("db__orders", "drdb__orders"),
        ("db__orders", "drvault"),
        ("bucket__archive", "drbucket__archive"),
        ("silo__acme", "q__edi-inbound"),
    } <= edges
    # reporting has no Global Database secondary (its analytics class has no region objective).
    assert "drdb__reporting" not in nodes
    assert {
        "cluster_primary",
        "cluster_dr",
        "cluster_queues",
        "cluster_data",
        "cluster_silo_acme",
        "cluster_tier_real-time-fulfillment",
        "cluster_tier_near-real-time-integration",
        "cluster_tier_internal-reporting",
        "cluster_tier_deferred-analytics",
    } <= clusters
    # No hairball: alarms, policies and topics are not drawn.
    # 6 services, 6 queues + 6 DLQs, 2 databases, the DR secondary, vault and 3 replicated bucket pairs (archive,
    # audit, load balancer access logs), edge, internet, the silo tenant and the 4-tier legend.
    assert len(nodes) == 35


def test_dev_services_view(dev_config, dev_plan):
    nodes, edges, clusters = drawn(build(dev_config, dev_plan, "services").pipe(format="svg"))
    assert {"svc__shipment-api", "svc__label-printer", "q__carrier-events", "q__label-requests", "db__orders"} <= nodes
    assert ("svc__label-printer", "q__carrier-events") in edges
    # dev has no DR region and no tenants.
    assert "cluster_dr" not in clusters and not [n for n in nodes if n.startswith(("drdb__", "silo__"))]


def test_prod_dr_view_shows_copies_and_rpo(prod_config, prod_plan):
    graph = build(prod_config, prod_plan, "dr")
    assert 'label="Aurora Global Database\nRPO 5 min, RTO 60 min"' in graph.source
    _, edges, _ = drawn(graph.pipe(format="svg"))
    assert ("db__orders", "drdb__orders") in edges and ("bucket__audit", "drbucket__audit") in edges


def test_prod_network_view_has_a_cluster_per_zone(prod_config, prod_plan):
    nodes, _, clusters = drawn(build(prod_config, prod_plan, "network").pipe(format="svg"))
    assert {f"cluster_az_us-east-1{z}" for z in "abc"} | {f"cluster_az_us-west-2{z}" for z in "abc"} <= clusters
    assert {"subnet__prod-network-public-0", "nat__prod-network-nat-0", "inst__prod-data-orders-instance-1"} <= nodes


def test_prod_tenants_view(prod_config, prod_plan):
    nodes, edges, clusters = drawn(build(prod_config, prod_plan, "tenants").pipe(format="svg"))
    assert ("tenant__globex", "q__label-requests") in edges
    assert "cluster_silo_acme" in clusters and "silodb__acme" in nodes


def test_cli_writes_svg_png_and_dot(cached_plans, tmp_path, capsys):
    assert main(["diagram", "prod", "--output", str(tmp_path / "prod.svg")]) == 0
    assert (tmp_path / "prod.svg").read_bytes().lstrip().startswith(b"<?xml")
    assert main(["diagram", "prod", "--output", str(tmp_path / "prod.png"), "--view", "dr"]) == 0
    assert (tmp_path / "prod.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["diagram", "dev", "--output", str(tmp_path / "dev.dot")]) == 0
    assert (tmp_path / "dev.dot").read_text().startswith("digraph ")
    assert capsys.readouterr().out.splitlines()[0].startswith(f"wrote {tmp_path / 'prod.svg'} (services view of prod, ")


@pytest.mark.no_dot
def test_cli_bad_output_is_one_line_exit_2(cached_plans, tmp_path, capsys):
    assert main(["diagram", "prod", "--output", str(tmp_path / "prod.jpg")]) == 2
    assert (
        capsys.readouterr().err
        == f"crossdock: error: --output: {tmp_path / 'prod.jpg'} must end in .svg, .png or .dot\n"
    )


@pytest.mark.no_dot
def test_cli_without_dot_says_what_to_install(cached_plans, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["diagram", "prod", "--output", str(tmp_path / "prod.svg")]) == 2
    assert capsys.readouterr().err == (
        "crossdock: error: --output: rendering prod.svg needs Graphviz's `dot` (Debian: apt-get install graphviz; "
        "scripts/bootstrap.sh installs it); --output FILE.dot writes the source without it\n"
    )
