"""db-failover against prod's emulated Aurora clusters and Global Database."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from runbooks.core import RunbookInputError
from tests.runbooks.conftest import AUDIT_GROUP

SECRET = "prod/orders/connection"


def writer(prod, cluster="prod-orders", region="us-east-1"):
    found = prod.client("rds", region).describe_db_clusters(DBClusterIdentifier=cluster)["DBClusters"][0]
    return [m["DBInstanceIdentifier"] for m in found["DBClusterMembers"] if m["IsClusterWriter"]]


def global_writer(prod):
    cluster = prod.client("rds").describe_global_clusters()["GlobalClusters"][0]
    return [m["DBClusterArn"].rsplit(":", 1)[-1] for m in cluster["GlobalClusterMembers"] if m["IsWriter"]]


def lag(prod, clock, milliseconds: float) -> None:
    prod.client("cloudwatch", "us-west-2").put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "AuroraGlobalDBReplicationLag",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "prod-orders-dr-secondary"}],
                "Timestamp": datetime.fromtimestamp(clock() - 30, UTC),
                "Value": milliseconds,
                "Unit": "Milliseconds",
            }
        ],
    )


def test_az_failover_with_two_healthy_readers_and_no_target_is_refused(runbook):
    with pytest.raises(RunbookInputError) as error:
        runbook("db-failover", database="orders", scope="az")
    assert str(error.value) == (
        "2 candidate writer instances in healthy AZs (prod-orders-2 in us-east-1b, prod-orders-3 in us-east-1c); "
        "pass --param target=..."
    )


def test_az_failover_dry_run_changes_nothing_and_execute_moves_the_writer(prod, runbook):
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    dry = runbook("db-failover", database="orders", scope="az", target="prod-orders-3")
    assert dry.status == "dry-run" and dry.result == {
        "cluster": "prod-orders",
        "writer": "prod-orders-1",
        "would_promote": "prod-orders-3",
    }
    assert prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    done = runbook("db-failover", database="orders", scope="az", target="prod-orders-3", execute=True, reason="az")
    assert done.status == "done" and writer(prod) == ["prod-orders-3"]
    assert writer(prod, "prod-reporting") == ["prod-reporting-1"]  # the other database is untouched


def test_az_failover_to_a_target_in_the_impaired_az_stops(prod, runbook):
    outcome = runbook(
        "db-failover",
        database="orders",
        scope="az",
        target="prod-orders-2",
        impaired_az="us-east-1b",
        execute=True,
        reason="x",
    )
    assert (outcome.status, outcome.stopped_by) == ("stopped", "target outside the impaired AZ")
    assert outcome.observed == "prod-orders-2 is in us-east-1b, the impaired AZ"
    assert writer(prod) == ["prod-orders-1"]


def test_az_failover_stops_when_the_readers_lag(prod, runbook):
    prod.client("cloudwatch").set_alarm_state(AlarmName="prod-orders-replica-lag", StateValue="ALARM", StateReason="t")
    outcome = runbook("db-failover", database="orders", scope="az", target="prod-orders-2", execute=True, reason="x")
    assert (outcome.stopped_by, outcome.observed) == (
        "readers current",
        "replica-lag alarm prod-orders-replica-lag is ALARM: the readers trail the writer",
    )
    assert writer(prod) == ["prod-orders-1"]


def test_region_failover_refuses_a_stale_replica(prod, runbook, clock):
    lag(prod, clock, 420_000.0)  # 7 minutes; transactional's region RPO is 5
    outcome = runbook("db-failover", database="orders", scope="region", execute=True, reason="region down")
    assert (outcome.status, outcome.stopped_by) == ("stopped", "replica within RPO")
    assert outcome.observed == "prod-orders-dr-secondary is 420 s behind (region RPO of transactional: 5 min)"
    assert global_writer(prod) == ["prod-orders"]


def test_region_failover_refuses_an_unknown_lag(prod, runbook):
    outcome = runbook("db-failover", database="orders", scope="region")
    assert outcome.stopped_by == "replica within RPO"
    assert outcome.observed == (
        "no AuroraGlobalDBReplicationLag data for prod-orders-dr-secondary in the last 5 minutes: its staleness is unknown"
    )


def test_region_switchover_promotes_the_secondary_and_repoints_the_connection_secret(prod, runbook, clock):
    lag(prod, clock, 800.0)
    secondary = prod.client("rds", "us-west-2").describe_db_clusters(DBClusterIdentifier="prod-orders-dr-secondary")
    endpoint = secondary["DBClusters"][0]["Endpoint"]
    before = prod.state(skip_log_groups=(AUDIT_GROUP,))
    dry = runbook("db-failover", database="orders", scope="region")
    assert dry.result["action"] == "switchover" and prod.state(skip_log_groups=(AUDIT_GROUP,)) == before
    done = runbook("db-failover", database="orders", scope="region", execute=True, reason="us-east-1 degraded")
    assert done.status == "done" and done.result["action"] == "switchover"
    assert global_writer(prod) == ["prod-orders-dr-secondary"]
    value = json.loads(prod.client("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])
    assert value["host"] == endpoint and value["dbname"] == "orders" and value["authentication"] == "iam"


def test_region_failover_without_an_answering_primary_needs_accepted_data_loss(prod, runbook, clock):
    from moto.rds.models import rds_backends

    lag(prod, clock, 1200.0)
    rds_backends["123456789012"]["us-east-1"].clusters["prod-orders"].status = "inaccessible-encryption-credentials"
    refused = runbook("db-failover", database="orders", scope="region", execute=True, reason="region down")
    assert refused.stopped_by == "data loss accepted"
    assert refused.observed == (
        "the primary does not answer (prod-orders is inaccessible-encryption-credentials): a failover may lose up to "
        "1.2 s of writes; rerun with --param accept-data-loss=true --reason TEXT"
    )
    assert global_writer(prod) == ["prod-orders"]
    done = runbook(
        "db-failover", database="orders", scope="region", accept_data_loss="true", execute=True, reason="region down"
    )
    assert done.result["action"] == "failover" and global_writer(prod) == ["prod-orders-dr-secondary"]
    dr_value = prod.client("secretsmanager", "us-west-2").get_secret_value(SecretId=SECRET)["SecretString"]
    assert json.loads(dr_value)["host"].startswith("prod-orders-dr-secondary.")


def test_unknown_database_and_a_database_without_dr_copy_are_bad_input(runbook):
    with pytest.raises(RunbookInputError, match=r"^--param database=billing: no such database in prod"):
        runbook("db-failover", database="billing", scope="az")
    with pytest.raises(RunbookInputError, match=r"^data class analytics of reporting declares no region objective"):
        runbook("db-failover", database="reporting", scope="region")
    with pytest.raises(RunbookInputError, match=r"^--param scope=sideways: must be one of az, region$"):
        runbook("db-failover", database="orders", scope="sideways")
