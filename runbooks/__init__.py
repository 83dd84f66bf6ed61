"""Incident runbooks as code: one module per runbook, a shared core, and the naming/tag contract.

Each runbook runs with boto3 against a live (or emulated) account and finds its targets
by the names and tags the blueprint gives resources (`runbooks.contract`), never through
the Pulumi program. `RUNBOOKS` lists them in the order `crossdock runbook list` shows.
"""

from __future__ import annotations

from runbooks.core import Runbook


def _load() -> dict[str, Runbook]:
    from runbooks import db_failover, deploy_freeze, queue_replay, rotate_credentials, tenant_isolation

    books = [
        queue_replay.RUNBOOK,
        db_failover.RUNBOOK,
        rotate_credentials.RUNBOOK,
        tenant_isolation.ISOLATE,
        tenant_isolation.RELEASE,
        deploy_freeze.FREEZE,
        deploy_freeze.UNFREEZE,
    ]
    return {book.name: book for book in books}


RUNBOOKS: dict[str, Runbook] = _load()
