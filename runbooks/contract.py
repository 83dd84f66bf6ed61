"""The naming and tag contract between the blueprint and its runbooks.

A runbook runs during an incident against a live account, without the Pulumi program:
it finds what it acts on by the names the components give resources and by their
tags. The components that create the incident-response resources import these
functions, so the two sides cannot drift; the rest (queue, cluster, secret and alarm
names) mirrors what components/ already name them, and the emulator tests prove the
runbooks find every one of them in a plan of the real stacks.

Pure Python: no boto3, no Pulumi SDK.
"""

from __future__ import annotations

import json
from typing import Any

FIFO_SUFFIX = ".fifo"

# -- tag keys (components/tags.py writes them) -------------------------------------------------
TAG_ENVIRONMENT = "environment"
TAG_TENANT = "tenant"
TAG_DATA_CLASS = "data-class"
TAG_FLOW = "flow"
TAG_QUEUE_ROLE = "queue-role"
TAG_DATABASE = "database"
TAG_DR_ROLE = "dr-role"
TAG_SERVICE = "service"
TAG_RUNBOOK = "runbook"
TAG_PURPOSE = "purpose"

QUEUE_ROLE_SOURCE = "source"
QUEUE_ROLE_DEAD_LETTER = "dead-letter"

PURPOSE_REPLAY_LEDGER = "replay-ledger"
PURPOSE_RESPONDER_AUDIT = "responder-audit"
PURPOSE_DEPLOY_FREEZE = "deploy-freeze"
PURPOSE_BREAK_GLASS = "break-glass"
PURPOSE_RESPONDER = "responder"

# The session tag every responder session carries (sts:TagSession), and the message
# attribute every replayed message carries.
SESSION_TAG_RESPONDER = "responder"
REPLAY_ID_ATTRIBUTE = "crossdock-replay-id"

# The ledger's key attribute and its expiry attribute (DynamoDB TTL).
LEDGER_KEY = "pk"
LEDGER_EXPIRES = "expires_at"

# Runbook names, in the order `crossdock runbook list` shows them.
QUEUE_REPLAY = "queue-replay"
DB_FAILOVER = "db-failover"
ROTATE_CREDENTIALS = "rotate-credentials"
ISOLATE_TENANT = "isolate-tenant"
RELEASE_TENANT = "release-tenant"
FREEZE_DEPLOYS = "freeze-deploys"
UNFREEZE_DEPLOYS = "unfreeze-deploys"
RUNBOOK_NAMES = (
    QUEUE_REPLAY,
    DB_FAILOVER,
    ROTATE_CREDENTIALS,
    ISOLATE_TENANT,
    RELEASE_TENANT,
    FREEZE_DEPLOYS,
    UNFREEZE_DEPLOYS,
)
# One IAM role per runbook concern: a release undoes an isolation with the same grants,
# an unfreeze clears the flag the freeze set.
ROLE_OF_RUNBOOK = {
    QUEUE_REPLAY: QUEUE_REPLAY,
    DB_FAILOVER: DB_FAILOVER,
    ROTATE_CREDENTIALS: ROTATE_CREDENTIALS,
    ISOLATE_TENANT: "tenant-isolation",
    RELEASE_TENANT: "tenant-isolation",
    FREEZE_DEPLOYS: "deploy-freeze",
    UNFREEZE_DEPLOYS: "deploy-freeze",
}


# -- resources the incident-response component creates -------------------------------------------
def ledger_table_name(environment: str) -> str:
    return f"{environment}-replay-ledger"


def audit_log_group_name(environment: str) -> str:
    return f"/crossdock/{environment}/responders"


def freeze_parameter_name(environment: str) -> str:
    return f"/crossdock/{environment}/deploy-freeze"


def runbook_role_name(environment: str, role: str) -> str:
    return f"{environment}-runbook-{role}"


def responder_role_name(environment: str) -> str:
    return f"{environment}-responder-readonly"


def break_glass_role_name(environment: str) -> str:
    return f"{environment}-break-glass"


def break_glass_group_name(environment: str) -> str:
    return f"{environment}-break-glass"


def revoke_policy_name(scope: str) -> str:
    """Inline policy a runbook adds to revoke sessions (AWS's documented TokenIssueTime deny)."""
    return f"crossdock-revoke-{scope}"


def isolation_policy_name(tenant: str) -> str:
    return f"crossdock-isolate-{tenant}"


# -- names components/ give existing resources ----------------------------------------------------
def queue_name(environment: str, flow: str, fifo: bool) -> str:
    return f"{environment}-{flow}{FIFO_SUFFIX if fifo else ''}"


def dead_letter_queue_name(environment: str, flow: str, fifo: bool) -> str:
    return f"{environment}-{flow}-dlq{FIFO_SUFFIX if fifo else ''}"


def age_alarm_name(environment: str, flow: str) -> str:
    return f"{environment}-{flow}-oldest-message-age"


def cluster_identifier(environment: str, database: str) -> str:
    return f"{environment}-{database}"


def global_cluster_identifier(environment: str, database: str) -> str:
    return f"{environment}-{database}-global"


def secondary_cluster_identifier(environment: str, database: str) -> str:
    return f"{environment}-{database}-dr-secondary"


def replica_lag_alarm_name(environment: str, database: str) -> str:
    return f"{environment}-{database}-replica-lag"


def connection_secret_name(environment: str, database: str) -> str:
    return f"{environment}/{database}/connection"


def service_role_name(environment: str, service: str) -> str:
    return f"{environment}-{service}"


def tenancy_role_name(environment: str) -> str:
    return f"{environment}-tenancy-access"


def tenant_rule_name(tenant: str) -> str:
    return f"tenant-{tenant}-rate"


# Global-database replication lag: the metric the DR replication-lag alarm watches.
GLOBAL_LAG_NAMESPACE = "AWS/RDS"
GLOBAL_LAG_METRIC = "AuroraGlobalDBReplicationLag"


# -- the deploy-freeze flag ------------------------------------------------------------------------
def freeze_value(
    *, frozen: bool, reason: str = "", by: str = "", until: str | None = None, since: str | None = None
) -> str:
    """The parameter's JSON value: {"frozen", "reason", "by", "since", "until"} (ISO-8601 UTC times)."""
    return json.dumps({"frozen": frozen, "reason": reason, "by": by, "since": since, "until": until}, sort_keys=True)


UNFROZEN = freeze_value(frozen=False)


def parse_freeze(value: str) -> dict[str, Any]:
    """Read the flag; anything unreadable counts as frozen (fail closed)."""
    try:
        document = json.loads(value)
    except ValueError:
        return {"frozen": True, "reason": f"unreadable freeze flag: {value[:80]!r}"}
    if not isinstance(document, dict) or not isinstance(document.get("frozen"), bool):
        return {"frozen": True, "reason": "freeze flag without a boolean 'frozen'"}
    return document
