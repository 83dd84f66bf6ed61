"""CloudWatch metric alarm evaluation, offline: the semantics of the CloudWatch User Guide.

moto stores metrics but never evaluates alarms, so drills evaluate the stack's own alarm
definitions here. What this module implements, from "Using Amazon CloudWatch alarms" /
"Configuring how CloudWatch alarms treat missing data":

- Each period yields one datapoint: the alarm's statistic (SampleCount, Sum, Average,
  Minimum, Maximum, or a percentile pNN) over the samples published in that period, or
  missing when none were.
- The alarm evaluates its Evaluation Periods (N) most recent datapoints; it is ALARM when at
  least Datapoints to Alarm (M) of them breach the threshold (not necessarily consecutive),
  else OK.
- CloudWatch retrieves more datapoints than N (the evaluation range; the guide's examples use
  5 for N = 3, so the default here is N + 2). When at least N of them exist, the N most recent
  existing ones are evaluated and treat-missing-data does not matter. When fewer exist, every
  existing one is evaluated and the most recent missing slots fill the rest, as few as
  possible, treated per `treatMissingData`:
  * `breaching` / `notBreaching`: the filled slots breach / do not breach;
  * `ignore`: the filled slots decide nothing: ALARM when the real points already reach M,
    OK when a real point does not breach, otherwise the current state is kept;
  * `missing` (the default): as `ignore`, but where the state would be kept it becomes
    INSUFFICIENT_DATA, except that an alarm whose oldest evaluated point is a breaching one
    with only missing data after it goes to ALARM (the guide's sixth example).
Tests reproduce the guide's two example tables (tests/alarms/test_evaluator.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class State(StrEnum):
    OK = "OK"
    ALARM = "ALARM"
    INSUFFICIENT_DATA = "INSUFFICIENT_DATA"


class TreatMissing(StrEnum):
    MISSING = "missing"
    IGNORE = "ignore"
    BREACHING = "breaching"
    NOT_BREACHING = "notBreaching"


COMPARISONS = {
    "GreaterThanThreshold": lambda value, threshold: value > threshold,
    "GreaterThanOrEqualToThreshold": lambda value, threshold: value >= threshold,
    "LessThanThreshold": lambda value, threshold: value < threshold,
    "LessThanOrEqualToThreshold": lambda value, threshold: value <= threshold,
}
STATISTICS = ("SampleCount", "Sum", "Average", "Minimum", "Maximum")
# How many datapoints beyond Evaluation Periods CloudWatch retrieves (the guide's examples: 5 for 3).
EXTRA_RETRIEVED_DATAPOINTS = 2


class AlarmDefinitionError(ValueError):
    """An alarm this evaluator cannot evaluate (metric math, anomaly bands, a bad statistic)."""


@dataclass(frozen=True)
class Alarm:
    """The parts of an aws.cloudwatch.MetricAlarm that decide its state."""

    name: str
    namespace: str
    metric_name: str
    dimensions: Mapping[str, str]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing_data: TreatMissing = TreatMissing.MISSING
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.comparison not in COMPARISONS:
            raise AlarmDefinitionError(f"alarm {self.name}: comparison {self.comparison!r} is not supported")
        if not (self.statistic in STATISTICS or _percentile(self.statistic) is not None):
            raise AlarmDefinitionError(f"alarm {self.name}: statistic {self.statistic!r} is not supported")
        if not 1 <= self.datapoints_to_alarm <= self.evaluation_periods:
            raise AlarmDefinitionError(
                f"alarm {self.name}: datapoints to alarm ({self.datapoints_to_alarm}) must be 1..evaluation periods "
                f"({self.evaluation_periods})"
            )
        if self.period <= 0:
            raise AlarmDefinitionError(f"alarm {self.name}: period must be positive")

    @classmethod
    def from_inputs(cls, inputs: Mapping[str, Any], fallback_name: str = "") -> Alarm:
        """An alarm from a plan's MetricAlarm inputs (camelCase wire names, numbers as floats)."""
        name = inputs.get("name") or fallback_name
        if inputs.get("metricQueries"):
            raise AlarmDefinitionError(f"alarm {name}: metric math alarms are not supported")
        if inputs.get("thresholdMetricId"):
            raise AlarmDefinitionError(f"alarm {name}: anomaly detection alarms are not supported")
        periods = int(inputs.get("evaluationPeriods") or 1)
        treat = inputs.get("treatMissingData") or TreatMissing.MISSING.value
        try:
            treat_missing = TreatMissing(treat)
        except ValueError as error:
            raise AlarmDefinitionError(f"alarm {name}: treatMissingData {treat!r} is not supported") from error
        return cls(
            name=name,
            namespace=str(inputs.get("namespace") or ""),
            metric_name=str(inputs.get("metricName") or ""),
            dimensions=dict(inputs.get("dimensions") or {}),
            statistic=str(inputs.get("extendedStatistic") or inputs.get("statistic") or ""),
            period=int(inputs.get("period") or 60),
            evaluation_periods=periods,
            datapoints_to_alarm=int(inputs.get("datapointsToAlarm") or periods),
            threshold=float(inputs["threshold"]),
            comparison=str(inputs.get("comparisonOperator") or ""),
            treat_missing_data=treat_missing,
            tags=dict(inputs.get("tags") or {}),
        )

    def breaches(self, value: float) -> bool:
        return COMPARISONS[self.comparison](value, self.threshold)

    @property
    def evaluation_range(self) -> int:
        return self.evaluation_periods + EXTRA_RETRIEVED_DATAPOINTS


def evaluate(alarm: Alarm, datapoints: Sequence[float | None], current: State = State.INSUFFICIENT_DATA) -> State:
    """The alarm's state from the datapoints of its evaluation range, oldest first (None = missing)."""
    window = list(datapoints)[-alarm.evaluation_range :]
    n, m = alarm.evaluation_periods, alarm.datapoints_to_alarm
    real = [(index, value) for index, value in enumerate(window) if value is not None]
    if len(real) >= n:
        breaching = sum(1 for _, value in real[-n:] if alarm.breaches(value))
        return State.ALARM if breaching >= m else State.OK
    # Fewer real points than N: all of them count, the most recent missing slots fill the rest.
    filled = n - len(real)
    missing_slots = [index for index, value in enumerate(window) if value is None][-filled:]
    real_breaching = sum(1 for _, value in real if alarm.breaches(value))
    treat = alarm.treat_missing_data
    if treat is TreatMissing.BREACHING:
        return State.ALARM if real_breaching + len(missing_slots) >= m else State.OK
    if treat is TreatMissing.NOT_BREACHING:
        return State.ALARM if real_breaching >= m else State.OK
    if real_breaching >= m:
        return State.ALARM
    if real_breaching < len(real):
        return State.OK  # a real point within the threshold: the missing ones cannot make m
    if treat is TreatMissing.IGNORE:
        return current
    oldest_is_breaching = bool(real) and (not missing_slots or real[0][0] < missing_slots[0])
    return State.ALARM if oldest_is_breaching else State.INSUFFICIENT_DATA


# --- metrics and time ----------------------------------------------------------------------------


def statistic(name: str, samples: Sequence[float]) -> float:
    """One period's datapoint from its samples (CloudWatch statistics; percentiles by nearest rank)."""
    if name == "SampleCount":
        return float(len(samples))
    if name == "Sum":
        return float(sum(samples))
    if name == "Average":
        return float(sum(samples) / len(samples))
    if name == "Minimum":
        return float(min(samples))
    if name == "Maximum":
        return float(max(samples))
    percentile = _percentile(name)
    if percentile is None:
        raise AlarmDefinitionError(f"statistic {name!r} is not supported")
    ordered = sorted(samples)
    rank = max(1, math.ceil(percentile / 100 * len(ordered)))
    return float(ordered[rank - 1])


def _percentile(name: str) -> float | None:
    if not name.startswith("p"):
        return None
    try:
        value = float(name[1:])
    except ValueError:
        return None
    return value if 0 < value <= 100 else None


@dataclass
class MetricStore:
    """Samples published per metric (namespace, name, dimensions), at simulated times in seconds."""

    samples: dict[tuple[str, str, frozenset], list[tuple[float, float]]] = field(default_factory=dict)

    def put(self, namespace: str, metric: str, dimensions: Mapping[str, str], at: float, value: float) -> None:
        key = (namespace, metric, frozenset(dimensions.items()))
        self.samples.setdefault(key, []).append((at, float(value)))

    def datapoints(self, alarm: Alarm, now: float) -> list[float | None]:
        """The alarm's evaluation range ending at `now` (periods aligned to multiples of the period)."""
        key = (alarm.namespace, alarm.metric_name, frozenset(alarm.dimensions.items()))
        samples = self.samples.get(key, [])
        end = math.floor(now / alarm.period) * alarm.period
        points: list[float | None] = []
        for index in range(alarm.evaluation_range, 0, -1):
            start = end - index * alarm.period
            inside = [value for at, value in samples if start <= at < start + alarm.period]
            points.append(statistic(alarm.statistic, inside) if inside else None)
        return points


@dataclass(frozen=True)
class Transition:
    alarm: str
    at: float
    old: State
    new: State


@dataclass
class AlarmEvaluator:
    """Evaluates a set of alarms against a MetricStore on a simulated clock, like CloudWatch every minute."""

    alarms: Iterable[Alarm]
    store: MetricStore
    states: dict[str, State] = field(default_factory=dict)
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.alarms = list(self.alarms)
        for alarm in self.alarms:
            self.states.setdefault(alarm.name, State.INSUFFICIENT_DATA)

    def evaluate_at(self, now: float) -> list[Transition]:
        changed = []
        for alarm in self.alarms:
            old = self.states[alarm.name]
            new = evaluate(alarm, self.store.datapoints(alarm, now), old)
            if new is not old:
                self.states[alarm.name] = new
                changed.append(Transition(alarm.name, now, old, new))
        self.transitions.extend(changed)
        return changed

    def state(self, name: str) -> State:
        return self.states[name]
