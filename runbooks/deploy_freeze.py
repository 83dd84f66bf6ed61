"""freeze-deploys / unfreeze-deploys: set or clear the environment's deploy freeze.

The flag is the SSM parameter `/crossdock/<env>/deploy-freeze` the blueprint creates;
its value is JSON (`runbooks.contract.freeze_value`): frozen, reason, by, since, until.
The deploy tooling refuses to deploy while it says frozen (and treats an unreadable
value as frozen).
"""

from __future__ import annotations

from datetime import UTC, datetime

from runbooks import contract
from runbooks.core import Param, Run, Runbook, RunbookInputError, error_code


def _parameter(run: Run) -> tuple[str, dict]:
    name = contract.freeze_parameter_name(run.environment)
    try:
        value = run.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]
    except Exception as error:
        if error_code(error) == "ParameterNotFound":
            raise RunbookInputError(
                f"no deploy-freeze parameter {name} in {run.facts.stack}: deploy the stack first"
            ) from None
        raise
    current = contract.parse_freeze(value)
    run.step(
        "read the freeze flag", "checked", f"{name}: {'frozen' if current['frozen'] else 'not frozen'}", before=current
    )
    return name, current


def _freeze(run: Run) -> dict:
    until = run.params["until"]
    try:
        end = datetime.strptime(until, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise RunbookInputError(f"--param until={until}: use UTC ISO-8601, e.g. 2026-12-24T06:00:00Z") from None
    if end.timestamp() <= run.clock():
        raise RunbookInputError(f"--param until={until} is in the past")
    name, current = _parameter(run)
    value = contract.freeze_value(
        frozen=True, reason=run.reason or "(dry run)", by=run.caller, since=run.now_iso(), until=until
    )
    after = contract.parse_freeze(value)
    if not run.execute:
        run.step("set the freeze", "would", f"set {name} frozen until {until}", before=current, after=after)
        return {"parameter": name, "frozen": current["frozen"], "would_set": after}
    run.client("ssm").put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    run.step("set the freeze", "done", f"{name} frozen until {until}", before=current, after=after)
    return {"parameter": name, "frozen": True, "until": until}


def _unfreeze(run: Run) -> dict:
    name, current = _parameter(run)
    value = contract.freeze_value(frozen=False, reason=run.reason or "(dry run)", by=run.caller, since=run.now_iso())
    after = contract.parse_freeze(value)
    if not current["frozen"]:
        run.step("clear the freeze", "skipped", f"{name} is not frozen")
        return {"parameter": name, "frozen": False}
    if not run.execute:
        run.step("clear the freeze", "would", f"clear {name}", before=current, after=after)
        return {"parameter": name, "frozen": True, "would_set": after}
    run.client("ssm").put_parameter(Name=name, Value=value, Type="String", Overwrite=True)
    run.step("clear the freeze", "done", f"{name} cleared", before=current, after=after)
    return {"parameter": name, "frozen": False}


FREEZE = Runbook(
    name=contract.FREEZE_DEPLOYS,
    summary="Freeze deploys to the environment until a time (the deploy-freeze SSM parameter).",
    parameters=(Param("until", "end of the freeze, UTC ISO-8601 (e.g. 2026-12-24T06:00:00Z)", required=True),),
    preconditions=("the environment's deploy-freeze parameter exists", "until is a future UTC time"),
    steps=("read the flag", "write {frozen: true, reason, by, since, until}"),
    stop_conditions=(),
    run=_freeze,
)
UNFREEZE = Runbook(
    name=contract.UNFREEZE_DEPLOYS,
    summary="Lift the environment's deploy freeze.",
    parameters=(),
    preconditions=("the environment's deploy-freeze parameter exists",),
    steps=("read the flag", "write {frozen: false, reason, by, since} (nothing when it is not frozen)"),
    stop_conditions=(),
    run=_unfreeze,
)
