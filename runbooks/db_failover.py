"""db-failover: move a database's writer to a healthy AZ, or to the DR region.

`--param scope=az`: Aurora writer failover (`FailoverDBCluster` with an explicit target)
to a reader in a healthy AZ. It refuses when there is no reader, when more than one
candidate qualifies and none is named (`--param target=`), when the named target sits
in the impaired AZ, and stops when the readers lag the writer (the replica-lag alarm is
in ALARM: failing over to a lagging reader loses the writes it has not seen).

`--param scope=region`: promote the Aurora Global Database secondary in the DR region.
A switchover (no data loss) while the primary region answers; a failover with data
loss only with `--param accept-data-loss=true` and a reason, when it does not. Stale
replica stop: the global replication lag (the metric the DR replication-lag alarm
watches) must be known and within the data class's region RPO. After the promotion the
database's connection secret (which holds the writer endpoint) is pointed at the new
writer and read back to verify it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from runbooks import contract
from runbooks.core import Param, Run, Runbook, RunbookInputError, Stopped, error_code

LAG_WINDOW_MINUTES = 5


def _database(run: Run) -> Any:
    name = run.params["database"]
    if name not in run.facts.databases:
        known = ", ".join(sorted(run.facts.databases)) or "none"
        raise RunbookInputError(f"--param database={name}: no such database in {run.facts.stack} (databases: {known})")
    return run.facts.databases[name]


def _cluster(run: Run, identifier: str, region: str | None = None) -> dict:
    try:
        return run.client("rds", region).describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    except Exception as error:
        if error_code(error) == "DBClusterNotFoundFault":
            raise RunbookInputError(f"no Aurora cluster {identifier} in {region or run.facts.region}") from None
        raise


def _find_primary(run: Run, database: Any) -> str:
    tagged = run.tagged("rds:cluster", {contract.TAG_DATABASE: database.name})
    primaries = [c for c in tagged if c["tags"].get(contract.TAG_DR_ROLE) != "secondary"]
    found = run.one(
        f"Aurora cluster of database {database.name}",
        primaries,
        lambda c: c["arn"].rsplit(":", 1)[-1],
        f"expected {contract.cluster_identifier(run.environment, database.name)} tagged "
        f"{contract.TAG_DATABASE}={database.name}",
    )
    return found["arn"].rsplit(":", 1)[-1]


# -- AZ scope ------------------------------------------------------------------------------------
def _az(run: Run, database: Any) -> dict:
    identifier = _find_primary(run, database)
    cluster = _cluster(run, identifier)
    rds = run.client("rds")
    members = {m["DBInstanceIdentifier"]: m for m in cluster["DBClusterMembers"]}
    instances = {
        i["DBInstanceIdentifier"]: i
        for i in rds.describe_db_instances(Filters=[{"Name": "db-cluster-id", "Values": [identifier]}])["DBInstances"]
    }
    writers = [name for name, m in members.items() if m["IsClusterWriter"]]
    writer = writers[0] if writers else None
    writer_az = instances[writer]["AvailabilityZone"] if writer else None
    impaired = run.params.get("impaired-az") or writer_az
    run.step("resolve targets", "checked", f"{identifier}: writer {writer} in {writer_az}; impaired AZ {impaired}")
    readers = [name for name in members if name != writer]
    run.check(
        "a reader exists",
        bool(readers),
        f"{identifier} readers: {', '.join(sorted(readers))}"
        if readers
        else f"{identifier} has no reader to fail over to",
    )
    healthy = sorted(
        name
        for name in readers
        if instances[name]["AvailabilityZone"] != impaired and instances[name]["DBInstanceStatus"] == "available"
    )
    target = run.params.get("target")
    if target:
        if target not in members:
            raise RunbookInputError(
                f"--param target={target}: not an instance of {identifier} ({', '.join(sorted(members))})"
            )
        if target == writer:
            raise RunbookInputError(f"--param target={target} is already the writer of {identifier}")
        target_az = instances[target]["AvailabilityZone"]
        run.check(
            "target outside the impaired AZ",
            target_az != impaired,
            f"{target} is in {target_az}" + (", the impaired AZ" if target_az == impaired else f", not {impaired}"),
        )
    else:
        run.check(
            "a reader in a healthy AZ",
            bool(healthy),
            f"healthy candidates: {', '.join(healthy)}"
            if healthy
            else f"every reader of {identifier} is in {impaired} or unavailable",
        )
        if len(healthy) > 1:
            described = ", ".join(f"{n} in {instances[n]['AvailabilityZone']}" for n in healthy)
            raise RunbookInputError(
                f"{len(healthy)} candidate writer instances in healthy AZs ({described}); pass --param target=..."
            )
        target = healthy[0]
    lag_alarm = contract.replica_lag_alarm_name(run.environment, database.name)
    alarms = run.client("cloudwatch").describe_alarms(AlarmNames=[lag_alarm])["MetricAlarms"]
    state = alarms[0]["StateValue"] if alarms else "missing"
    run.check(
        "readers current",
        state != "ALARM",
        f"replica-lag alarm {lag_alarm} is {state}" + (": the readers trail the writer" if state == "ALARM" else ""),
    )
    before = {"writer": writer, "az": writer_az}
    after = {"writer": target, "az": instances[target]["AvailabilityZone"]}
    if not run.execute:
        run.step("fail over", "would", f"FailoverDBCluster {identifier} -> {target}", before=before, after=after)
        return {"cluster": identifier, "writer": writer, "would_promote": target}
    rds.failover_db_cluster(DBClusterIdentifier=identifier, TargetDBInstanceIdentifier=target)
    now = _cluster(run, identifier)
    new_writer = [m["DBInstanceIdentifier"] for m in now["DBClusterMembers"] if m["IsClusterWriter"]]
    run.check("writer moved", new_writer == [target], f"{identifier} writer is now {', '.join(new_writer) or 'none'}")
    run.step("fail over", "done", f"{identifier} writer {writer} -> {target}", before=before, after=after)
    return {"cluster": identifier, "writer": target, "previous_writer": writer}


# -- region scope ----------------------------------------------------------------------------------
def _lag_ms(run: Run, secondary: str) -> float | None:
    assert run.facts.dr_region
    end = datetime.fromtimestamp(run.clock(), UTC)
    stats = run.client("cloudwatch", run.facts.dr_region).get_metric_statistics(
        Namespace=contract.GLOBAL_LAG_NAMESPACE,
        MetricName=contract.GLOBAL_LAG_METRIC,
        Dimensions=[{"Name": "DBClusterIdentifier", "Value": secondary}],
        StartTime=end - timedelta(minutes=LAG_WINDOW_MINUTES),
        EndTime=end,
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    if not stats:
        return None
    latest = max(stats, key=lambda point: point["Timestamp"])
    return float(latest["Maximum"])


def _primary_answers(run: Run, identifier: str) -> tuple[bool, str]:
    try:
        cluster = run.client("rds").describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    except Exception as error:  # noqa: BLE001 - an unreachable region is exactly what this checks
        return False, f"{type(error).__name__}: {error}"
    return cluster["Status"] == "available", f"{identifier} is {cluster['Status']}"


def _region(run: Run, database: Any) -> dict:
    if not run.facts.dr_region:
        raise RunbookInputError(f"{run.facts.stack} has no dr section: there is no DR region to fail over to")
    rpo = run.facts.region_rpo_minutes.get(database.data_class)
    if rpo is None:
        raise RunbookInputError(
            f"data class {database.data_class} of {database.name} declares no region objective: it has no DR copy"
        )
    env = run.environment
    global_id = contract.global_cluster_identifier(env, database.name)
    rds = run.client("rds")
    found = [g for g in rds.describe_global_clusters()["GlobalClusters"] if g["GlobalClusterIdentifier"] == global_id]
    if not found:
        raise RunbookInputError(f"no global cluster {global_id} for {database.name}")
    members = found[0]["GlobalClusterMembers"]
    writer = next((m["DBClusterArn"] for m in members if m["IsWriter"]), None)
    secondary_id = contract.secondary_cluster_identifier(env, database.name)
    secondary = _cluster(run, secondary_id, run.facts.dr_region)
    if writer == secondary["DBClusterArn"]:
        raise RunbookInputError(f"{secondary_id} in {run.facts.dr_region} is already the writer of {global_id}")
    run.step("resolve targets", "checked", f"{global_id}: writer {writer}; promote {secondary['DBClusterArn']}")
    lag = _lag_ms(run, secondary_id)
    limit_ms = rpo * 60_000
    run.check(
        "replica within RPO",
        lag is not None and lag <= limit_ms,
        f"no {contract.GLOBAL_LAG_METRIC} data for {secondary_id} in the last {LAG_WINDOW_MINUTES} minutes: "
        "its staleness is unknown"
        if lag is None
        else f"{secondary_id} is {lag / 1000:g} s behind (region RPO of {database.data_class}: {rpo:g} min)",
    )
    primary_id = writer.rsplit(":", 1)[-1] if writer else contract.cluster_identifier(env, database.name)
    answers, observed = _primary_answers(run, primary_id)
    accept_loss = run.params.get("accept-data-loss") == "true"
    if answers:
        action = "switchover"
    else:
        run.check(
            "data loss accepted",
            accept_loss,
            f"the primary does not answer ({observed}): a failover may lose up to {'an unknown number of' if lag is None else f'{lag / 1000:g}'} s of writes; "
            "rerun with --param accept-data-loss=true --reason TEXT",
        )
        action = "failover"
    secret_name = contract.connection_secret_name(env, database.name)
    before = {"writer": writer}
    after = {"writer": secondary["DBClusterArn"], "host": secondary["Endpoint"]}
    if not run.execute:
        run.step(
            "promote",
            "would",
            f"{action} {global_id} -> {secondary_id} ({run.facts.dr_region}); point {secret_name} at "
            f"{secondary['Endpoint']}",
            before=before,
            after=after,
        )
        return {"global_cluster": global_id, "action": action, "would_promote": secondary_id}
    if action == "switchover":
        rds.switchover_global_cluster(
            GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=secondary["DBClusterArn"]
        )
    else:
        rds.failover_global_cluster(
            GlobalClusterIdentifier=global_id, TargetDbClusterIdentifier=secondary["DBClusterArn"], AllowDataLoss=True
        )
    now = [g for g in rds.describe_global_clusters()["GlobalClusters"] if g["GlobalClusterIdentifier"] == global_id]
    new_writer = next((m["DBClusterArn"] for m in now[0]["GlobalClusterMembers"] if m["IsWriter"]), None)
    run.check("secondary promoted", new_writer == secondary["DBClusterArn"], f"{global_id} writer is {new_writer}")
    run.step(
        "promote", "done", f"{action} {global_id}: writer {secondary_id}", before=before, after={"writer": new_writer}
    )
    _repoint_secret(run, secret_name, secondary, primary_region_up=answers)
    return {"global_cluster": global_id, "action": action, "writer": secondary_id, "secret": secret_name}


def _repoint_secret(run: Run, name: str, cluster: dict, *, primary_region_up: bool) -> None:
    """Write the new writer's endpoints into the connection secret and read them back.

    With the primary region up, the primary secret is updated and replicates; without it,
    the DR replica is promoted to a standalone secret first (a replica is read-only)."""
    dr = run.facts.dr_region
    region = run.facts.region if primary_region_up else dr
    sm = run.client("secretsmanager", region)
    if not primary_region_up:
        try:
            run.client("secretsmanager", dr).stop_replication_to_replica(SecretId=name)
        except Exception as error:
            if error_code(error) not in ("InvalidRequestException",):
                raise
    current = json.loads(sm.get_secret_value(SecretId=name)["SecretString"])
    updated = {
        **current,
        "host": cluster["Endpoint"],
        "readerHost": cluster.get("ReaderEndpoint", current.get("readerHost")),
    }
    sm.put_secret_value(SecretId=name, SecretString=json.dumps(updated))
    check = json.loads(run.client("secretsmanager", region).get_secret_value(SecretId=name)["SecretString"])
    run.check(
        "connection secret points at the new writer",
        check.get("host") == cluster["Endpoint"],
        f"{name} host is {check.get('host')}",
    )
    run.step(
        "repoint connection secret",
        "done",
        f"{name} ({region}) host {current.get('host')} -> {check['host']}",
        before={"host": current.get("host")},
        after={"host": check["host"]},
    )


def run(run: Run) -> dict:
    database = _database(run)
    if run.params["scope"] == "az":
        if run.params.get("accept-data-loss"):
            raise RunbookInputError("--param accept-data-loss applies to --param scope=region only")
        return _az(run, database)
    if run.params.get("target") or run.params.get("impaired-az"):
        raise RunbookInputError("--param target and impaired-az apply to --param scope=az only")
    if run.params.get("accept-data-loss") == "true" and run.execute and not run.reason.strip():
        raise RunbookInputError("--param accept-data-loss=true needs --reason TEXT")
    return _region(run, database)


RUNBOOK = Runbook(
    name=contract.DB_FAILOVER,
    summary="Move a database's writer: to a reader in a healthy AZ, or to the Global Database secondary in the DR region.",
    parameters=(
        Param("database", "the database's name in the stack file (crossdock:databases[].name)", required=True),
        Param(
            "scope",
            "az (writer to a healthy AZ) or region (promote the DR secondary)",
            required=True,
            choices=("az", "region"),
        ),
        Param("target", "scope=az: the reader instance to promote (required when several qualify)"),
        Param("impaired-az", "scope=az: the impaired AZ (default: the writer's AZ)"),
        Param(
            "accept-data-loss",
            "scope=region: fail over although the primary does not answer",
            choices=("true", "false"),
        ),
    ),
    preconditions=(
        "az: the cluster has a reader in a healthy AZ, exactly one qualifies or --param target names it",
        "az: the replica-lag alarm is not in ALARM",
        "region: the DR secondary's global replication lag is known and within the data class's region RPO",
        "region: the primary answers (switchover), or --param accept-data-loss=true and a reason (failover)",
    ),
    steps=(
        "find the cluster by tags (environment, database), its instances and their AZs",
        "az: FailoverDBCluster to the target and verify the writer moved",
        "region: SwitchoverGlobalCluster (or FailoverGlobalCluster with AllowDataLoss) and verify the promotion",
        "region: point the connection secret at the new writer's endpoints and read it back",
    ),
    stop_conditions=(
        "stale replica: replication lag above the region RPO, or unknown",
        "the target is in the impaired AZ",
        "the writer did not move, or the secret does not read back the new endpoint",
    ),
    run=run,
)

__all__ = ["RUNBOOK", "Stopped"]
