"""What every runbook shares: the stack facts, parameters, targets by tag, stop conditions and the audit record.

A runbook is one module with a `RUNBOOK` (`Runbook`): its parameters, the preconditions,
steps and stop conditions it documents, and a `run(Run) -> dict` function. `Run` gives
it AWS clients, the stack's facts, target lookup by tag, `check` (a precondition or stop
condition that halts the run with its name and what it observed) and `step` (one line of
the audit record: the decision, and the state before and after).

Dry-run is the default: a runbook calls only reads unless `run.execute` is true. Every
run appends one audit record, however it ends.

boto3 and the naming/tag contract only: never the Pulumi SDK.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runbooks import contract


class RunbookInputError(ValueError):
    """Bad input: an unknown runbook or parameter, a bad value, a missing or ambiguous target (exit 2)."""


class Stopped(Exception):
    """A precondition or stop condition halted the run (exit 1)."""

    def __init__(self, condition: str, observed: str) -> None:
        super().__init__(f"stopped by {condition}: {observed}")
        self.condition = condition
        self.observed = observed


# -- the stack's facts (from the stack file, translated by the CLI) ------------------------------------
@dataclass(frozen=True)
class Flow:
    name: str
    fifo: bool
    criticality: str
    data_class: str
    max_receive_count: int
    visibility_timeout_seconds: int
    age_alarm_seconds: int


@dataclass(frozen=True)
class DatabaseFacts:
    name: str
    data_class: str


@dataclass(frozen=True)
class TenantFacts:
    id: str
    isolation: str
    flows: tuple[str, ...] = ()


@dataclass(frozen=True)
class StackFacts:
    stack: str
    environment: str
    region: str
    dr_region: str | None
    flows: Mapping[str, Flow]
    databases: Mapping[str, DatabaseFacts]
    # Region RPO (minutes) per data class; None when the class declares no region objective.
    region_rpo_minutes: Mapping[str, float | None]
    tenants: Mapping[str, TenantFacts] = field(default_factory=dict)
    services: tuple[str, ...] = ()


# -- runbook definitions --------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    name: str
    help: str
    required: bool = False
    choices: tuple[str, ...] = ()
    default: str | None = None


@dataclass(frozen=True)
class Runbook:
    name: str
    summary: str
    parameters: tuple[Param, ...]
    preconditions: tuple[str, ...]
    steps: tuple[str, ...]
    stop_conditions: tuple[str, ...]
    run: Callable[[Run], dict]
    requires_reason_for: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, str]) -> dict[str, str]:
        """The parameters with defaults applied; RunbookInputError names the first bad one."""
        known = {p.name: p for p in self.parameters}
        for name in params:
            if name not in known:
                raise RunbookInputError(
                    f"unknown parameter --param {name}=... for {self.name} (known: {', '.join(known) or 'none'})"
                )
        values: dict[str, str] = {}
        for param in self.parameters:
            value = params.get(param.name, param.default)
            if value is None:
                if param.required:
                    raise RunbookInputError(f"{self.name} needs --param {param.name}=... ({param.help})")
                continue
            if param.choices and value not in param.choices:
                raise RunbookInputError(f"--param {param.name}={value}: must be one of {', '.join(param.choices)}")
            values[param.name] = value
        return values


@dataclass
class Step:
    name: str
    decision: str  # "checked", "would", "done", "skipped", "stopped"
    detail: str
    before: Any = None
    after: Any = None


# -- AWS access ---------------------------------------------------------------------------------------
ClientFactory = Callable[[str, str], Any]


def boto3_clients(endpoint_url: str | None = None) -> ClientFactory:
    """A (service, region) -> client factory over one boto3 session; `endpoint_url` points every
    client at an emulator (moto server) for rehearsals."""
    import boto3

    # An emulator gets fixed dummy credentials: real ones are never sent to a rehearsal endpoint,
    # and a rehearsal needs none configured.
    dummy = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"} if endpoint_url else {}
    session = boto3.session.Session(**dummy)
    cache: dict[tuple[str, str], Any] = {}

    def client(service: str, region: str) -> Any:
        if (service, region) not in cache:
            cache[(service, region)] = session.client(service, region_name=region, endpoint_url=endpoint_url)
        return cache[(service, region)]

    return client


def error_code(error: Exception) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


# -- one run --------------------------------------------------------------------------------------------
class Run:
    """One execution of a runbook: parameters, facts, clients, the steps taken and the audit record."""

    def __init__(
        self,
        runbook: Runbook,
        facts: StackFacts,
        params: Mapping[str, str],
        *,
        clients: ClientFactory,
        execute: bool = False,
        reason: str | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.runbook = runbook
        self.facts = facts
        self.params = runbook.validate(params)
        self.clients = clients
        self.execute = execute
        self.reason = reason or ""
        self.clock = clock
        self.sleep = sleep
        self.id = uuid.uuid4().hex[:16]
        self.steps: list[Step] = []
        self.caller = ""

    # clients and lookups
    def client(self, service: str, region: str | None = None) -> Any:
        return self.clients(service, region or self.facts.region)

    @property
    def environment(self) -> str:
        return self.facts.environment

    def now_iso(self) -> str:
        return datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def tagged(self, resource_type: str, tags: Mapping[str, str], region: str | None = None) -> list[dict]:
        """Resources of one type ("sqs", "rds:cluster", ...) carrying every tag given, plus `environment`."""
        filters = [{"Key": contract.TAG_ENVIRONMENT, "Values": [self.environment]}]
        filters += [{"Key": key, "Values": [value]} for key, value in tags.items()]
        tagging = self.client("resourcegroupstaggingapi", region)
        found: list[dict] = []
        token = ""
        while True:
            page = tagging.get_resources(TagFilters=filters, ResourceTypeFilters=[resource_type], PaginationToken=token)
            for item in page.get("ResourceTagMappingList", []):
                found.append({"arn": item["ResourceARN"], "tags": {t["Key"]: t["Value"] for t in item.get("Tags", [])}})
            token = page.get("PaginationToken") or ""
            if not token:
                return found

    def one(self, what: str, candidates: Sequence[Any], describe: Callable[[Any], str], hint: str) -> Any:
        """The single candidate, or a one-line refusal: none found, or several and none named."""
        if not candidates:
            raise RunbookInputError(f"no {what} in {self.facts.stack} ({self.environment}): {hint}")
        if len(candidates) > 1:
            names = ", ".join(describe(c) for c in candidates)
            raise RunbookInputError(f"{len(candidates)} candidate {what}s ({names}); {hint}")
        return candidates[0]

    # decisions
    def step(self, name: str, decision: str, detail: str, before: Any = None, after: Any = None) -> None:
        self.steps.append(Step(name, decision, detail, before, after))

    def check(self, condition: str, ok: bool, observed: str) -> None:
        """A precondition or stop condition: records it, and stops the run when it does not hold."""
        self.steps.append(Step(condition, "checked" if ok else "stopped", observed))
        if not ok:
            raise Stopped(condition, observed)

    def require_execute_reason(self) -> None:
        if self.execute and not self.reason.strip():
            raise RunbookInputError("--execute needs --reason TEXT (it goes into the audit record)")


@dataclass
class Outcome:
    runbook: str
    stack: str
    run_id: str
    mode: str  # "dry-run" | "execute"
    status: str  # "done" | "dry-run" | "stopped"
    params: dict[str, str]
    reason: str
    caller: str
    started: str
    finished: str
    steps: list[Step]
    result: dict
    stopped_by: str | None = None
    observed: str | None = None
    audit: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.status == "stopped" else 0

    def record(self) -> dict:
        data = asdict(self)
        data.pop("audit", None)
        return data


def perform(run: Run, *, audit: AuditLog | None = None) -> Outcome:
    """Run a runbook and write its audit record, however it ends (exceptions propagate after the record)."""
    run.require_execute_reason()
    started = run.now_iso()
    try:
        run.caller = run.client("sts").get_caller_identity().get("Arn", "")
    except Exception as error:  # noqa: BLE001 - an unknown caller is recorded, not fatal
        run.caller = f"unknown ({type(error).__name__})"
    outcome = Outcome(
        runbook=run.runbook.name,
        stack=run.facts.stack,
        run_id=run.id,
        mode="execute" if run.execute else "dry-run",
        status="running",
        params=dict(run.params),
        reason=run.reason,
        caller=run.caller,
        started=started,
        finished="",
        steps=run.steps,
        result={},
    )
    try:
        outcome.result = run.runbook.run(run) or {}
        outcome.status = "done" if run.execute else "dry-run"
    except Stopped as stop:
        outcome.status = "stopped"
        outcome.stopped_by = stop.condition
        outcome.observed = stop.observed
        outcome.result = getattr(stop, "result", {}) or {}
    except BaseException as error:
        outcome.status = "failed"
        outcome.observed = f"{type(error).__name__}: {error}"
        outcome.finished = run.now_iso()
        if audit is not None:
            outcome.audit = audit.write(run, outcome)
        raise
    outcome.finished = run.now_iso()
    if audit is not None:
        outcome.audit = audit.write(run, outcome)
    return outcome


class AuditLog:
    """Appends each run's record as one JSON line to a local file and, when the account has it,
    to the environment's responders' log group (`/crossdock/<env>/responders`)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path

    def write(self, run: Run, outcome: Outcome) -> list[str]:
        line = json.dumps(outcome.record(), sort_keys=True, default=str)
        written = []
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
            written.append(str(self.path))
        group = contract.audit_log_group_name(run.environment)
        stream = f"{run.runbook.name}/{outcome.started.replace(':', '')}/{run.id}"
        logs = run.client("logs")
        try:
            logs.create_log_stream(logGroupName=group, logStreamName=stream)
            logs.put_log_events(
                logGroupName=group,
                logStreamName=stream,
                logEvents=[{"timestamp": int(run.clock() * 1000), "message": line}],
            )
            written.append(f"{group}:{stream}")
        except Exception as error:  # noqa: BLE001 - the local record still exists; say why the remote one does not
            written.append(f"not written to {group}: {error_code(error) or type(error).__name__}")
        return written


def read_records(run: Run, runbook: str) -> list[dict]:
    """Earlier audit records of one runbook in this environment's responders' log group, oldest first."""
    logs = run.client("logs")
    group = contract.audit_log_group_name(run.environment)
    records = []
    kwargs: dict[str, Any] = {"logGroupName": group, "logStreamNamePrefix": f"{runbook}/"}
    while True:
        page = logs.filter_log_events(**kwargs)
        for event in page.get("events", []):
            try:
                record = json.loads(event["message"])
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("runbook") == runbook:
                records.append(record)
        if not page.get("nextToken"):
            break
        kwargs["nextToken"] = page["nextToken"]
    return sorted(records, key=lambda r: (r.get("started", ""), r.get("run_id", "")))
