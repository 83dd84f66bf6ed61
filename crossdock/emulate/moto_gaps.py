"""The APIs moto 5.2.5 lacks that the runbooks call, added once to moto's own backends.

Every gap is listed in docs/runbooks.md. `install()` is idempotent and patches moto's
classes, so it applies both to in-process `mock_aws` and to a moto server started in
this process (`crossdock emulate`); a moto server started elsewhere (`moto_server`)
does not have these additions.

- RDS `SwitchoverGlobalCluster` and `FailoverGlobalCluster`: moto has global clusters
  but cannot move their writer. Both make the target secondary the writer and the old
  primary a secondary (a switchover with no data loss; a failover with
  `AllowDataLoss=true`, which AWS refuses otherwise while the primary answers).
- RDS `CreateGlobalCluster` from an existing cluster leaves moto's source cluster
  marked as a reader of the global cluster; AWS makes it the writer.
- Secrets Manager `StopReplicationToReplica`: promotes a replica secret to a standalone
  secret in its region (what db-failover does when the primary region is down, since a
  replica is read-only).

Two speed-ups, not gaps, with moto's semantics unchanged: for every message a receive
looks at, moto's SQS recomputes all of the queue's attributes (each a scan of every
message) to read its retention period, and asks `unix_time_millis()` (datetime
arithmetic) per message; a 10,000-message replay took hours. The emulator reads the
retention period directly and gives the SQS models the same clock as `time.time() * 1000`.

Not gaps (moto has them, the runbooks use them as is): `FailoverDBCluster`, Secrets
Manager replication and `StopReplicationToReplica`, `SetAlarmState` and stored metrics
(CloudWatch never evaluates alarms by itself: tests and drills set alarm states).
"""

from __future__ import annotations

from typing import Any

_INSTALLED: set[str] = set()  # holds "rds" once the gap operations are installed


class GlobalClusterStateFault(Exception):
    pass


def install() -> None:
    """Add the missing operations to moto's RDS backend and its response handler (once)."""
    if "rds" in _INSTALLED:
        return
    from moto.core.responses import ActionResult
    from moto.rds import models
    from moto.rds.exceptions import InvalidParameterValue, RDSClientError
    from moto.rds.responses import RDSResponse

    backends = models.rds_backends
    original_create_global = models.RDSBackend.create_global_cluster

    def find_global(backend: Any, identifier: str) -> Any:
        key = identifier.split(":")[-1].lower()
        for regional in backends[backend.account_id].values():
            if key in regional.global_clusters:
                return regional.global_clusters[key]
        raise RDSClientError("GlobalClusterNotFoundFault", f"Global cluster {identifier} not found.")

    def move_writer(backend: Any, identifier: str, target: str) -> Any:
        global_cluster = find_global(backend, identifier)
        members = {member.db_cluster_arn: member for member in global_cluster.members}
        if target not in members:
            by_id = {member.db_cluster_identifier: member for member in global_cluster.members}
            if target not in by_id:
                raise InvalidParameterValue(f"{target} is not a member of global cluster {identifier}")
            target = by_id[target].db_cluster_arn
        new_writer = members[target]
        if new_writer.is_writer:
            raise InvalidParameterValue(f"{target} is already the writer of global cluster {identifier}")
        for member in global_cluster.members:
            member.is_writer = member is new_writer
        # The writer first in the member list, as AWS reports it.
        global_cluster.members.sort(key=lambda member: not member.is_writer)
        return global_cluster

    def switchover_global_cluster(self: Any, global_cluster_identifier: str, target_db_cluster_identifier: str) -> Any:
        return move_writer(self, global_cluster_identifier, target_db_cluster_identifier)

    def failover_global_cluster(
        self: Any,
        global_cluster_identifier: str,
        target_db_cluster_identifier: str,
        allow_data_loss: bool = False,
        switchover: bool = False,
    ) -> Any:
        if not allow_data_loss and not switchover:
            raise InvalidParameterValue("Specify AllowDataLoss or Switchover to fail over a global cluster.")
        return move_writer(self, global_cluster_identifier, target_db_cluster_identifier)

    def create_global_cluster(self: Any, *args: Any, **kwargs: Any) -> Any:
        global_cluster = original_create_global(self, *args, **kwargs)
        if len(global_cluster.members) == 1:
            global_cluster.members[0].is_writer = True
        return global_cluster

    def switchover_response(self: Any) -> Any:
        cluster = self.global_backend.switchover_global_cluster(
            global_cluster_identifier=self.params["GlobalClusterIdentifier"],
            target_db_cluster_identifier=self.params["TargetDbClusterIdentifier"],
        )
        return ActionResult({"GlobalCluster": cluster})

    def failover_response(self: Any) -> Any:
        cluster = self.global_backend.failover_global_cluster(
            global_cluster_identifier=self.params["GlobalClusterIdentifier"],
            target_db_cluster_identifier=self.params["TargetDbClusterIdentifier"],
            allow_data_loss=bool(self.params.get("AllowDataLoss")),
            switchover=bool(self.params.get("Switchover")),
        )
        return ActionResult({"GlobalCluster": cluster})

    _install_secrets()
    _speed_up_sqs()
    models.RDSBackend.switchover_global_cluster = switchover_global_cluster  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here
    models.RDSBackend.failover_global_cluster = failover_global_cluster  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here
    models.RDSBackend.create_global_cluster = create_global_cluster  # type: ignore[method-assign]  # extends moto's own method
    RDSResponse.switchover_global_cluster = switchover_response  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here
    RDSResponse.failover_global_cluster = failover_response  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here
    _INSTALLED.add("rds")


def _speed_up_sqs() -> None:
    import time

    from moto.sqs import models

    def unix_time_millis(dt: Any = None) -> float:
        if dt is not None:
            return dt.timestamp() * 1000.0
        return time.time() * 1000.0

    def is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
        retention = int(self.get_queue(queue_name).message_retention_period)
        return retention + message.sent_timestamp / 1000 > time.time()

    models.unix_time_millis = unix_time_millis
    models.SQSBackend.is_message_valid_based_on_retention_period = is_message_valid_based_on_retention_period  # type: ignore[method-assign]  # extends moto's own method


def _install_secrets() -> None:
    import copy
    import json

    from moto.secretsmanager import models
    from moto.secretsmanager.exceptions import InvalidRequestException, SecretNotFoundException
    from moto.secretsmanager.responses import SecretsManagerResponse

    def stop_replication_to_replica(self: Any, secret_id: str) -> str:
        if secret_id not in self.secrets:
            raise SecretNotFoundException()
        replica = self.secrets[secret_id]
        if not isinstance(replica, models.ReplicaSecret):
            raise InvalidRequestException(f"{secret_id} is not a replica secret")
        source = replica.source
        standalone = copy.deepcopy(source)
        standalone.region = replica.region
        standalone.arn = replica.arn
        standalone.replicas = []
        source.replicas = [r for r in source.replicas if r.region != replica.region]
        dict.pop(self.secrets, replica.arn, None)
        self.secrets[standalone.arn] = standalone
        return standalone.arn

    def response(self: Any) -> str:
        arn = self.backend.stop_replication_to_replica(self._get_param("SecretId"))
        return json.dumps({"ARN": arn})

    models.SecretsManagerBackend.stop_replication_to_replica = stop_replication_to_replica  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here
    SecretsManagerResponse.stop_replication_to_replica = response  # type: ignore[attr-defined]  # moto 5.2.5 lacks it: added here


# What docs/runbooks.md lists; a test keeps the two in step.
GAPS = (
    "rds:SwitchoverGlobalCluster",
    "rds:FailoverGlobalCluster",
    "rds:CreateGlobalCluster (source cluster becomes the writer)",
    "secretsmanager:StopReplicationToReplica",
)
