"""The alarm evaluator against the CloudWatch User Guide's documented examples.

The two tables of "How alarm state is evaluated when data is missing": 5 datapoints retrieved,
oldest first; 0 a non-breaching point, X a breaching one, - missing. "retain" means the
alarm keeps its current state (checked from both OK and ALARM).
"""

from __future__ import annotations

import pytest

from crossdock.alarms import Alarm, AlarmDefinitionError, AlarmEvaluator, MetricStore, State, TreatMissing, evaluate
from crossdock.alarms.evaluator import statistic

OK, ALARM, INSUFFICIENT, RETAIN = State.OK, State.ALARM, State.INSUFFICIENT_DATA, "retain"


def alarm(m: int, n: int, treat: TreatMissing, **overrides) -> Alarm:
    settings = {
        "name": "a",
        "namespace": "Test",
        "metric_name": "Errors",
        "dimensions": {},
        "statistic": "Maximum",
        "period": 300,
        "evaluation_periods": n,
        "datapoints_to_alarm": m,
        "threshold": 3.0,
        "comparison": "GreaterThanThreshold",
        "treat_missing_data": treat,
    }
    settings.update(overrides)
    return Alarm(**settings)


def points(pattern: str) -> list[float | None]:
    return [{"0": 1.0, "X": 5.0, "-": None}[symbol] for symbol in pattern.split()]


TREATMENTS = (TreatMissing.MISSING, TreatMissing.IGNORE, TreatMissing.BREACHING, TreatMissing.NOT_BREACHING)

# Evaluation Periods 3, Datapoints to Alarm 3.
THREE_OF_THREE = [
    ("0 - X - X", (OK, OK, OK, OK)),
    ("0 - - - -", (OK, OK, OK, OK)),
    ("- - - - -", (INSUFFICIENT, RETAIN, ALARM, OK)),
    ("0 X X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("- - - - X", (INSUFFICIENT, RETAIN, ALARM, OK)),
    ("X - - - -", (ALARM, RETAIN, ALARM, OK)),
]
# Evaluation Periods 3, Datapoints to Alarm 2.
TWO_OF_THREE = [
    ("0 - X - X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 0 X 0 X", (ALARM, ALARM, ALARM, ALARM)),
    ("0 - X - -", (OK, OK, ALARM, OK)),
    ("- - - - 0", (OK, OK, ALARM, OK)),
    ("- - - - X", (INSUFFICIENT, RETAIN, ALARM, OK)),
]


@pytest.mark.parametrize(
    ("m", "pattern", "expected"),
    [(3, p, e) for p, e in THREE_OF_THREE] + [(2, p, e) for p, e in TWO_OF_THREE],
)
def test_the_guides_missing_data_tables(m, pattern, expected):
    for treat, want in zip(TREATMENTS, expected, strict=True):
        for current in (OK, ALARM):
            got = evaluate(alarm(m, 3, treat), points(pattern), current)
            assert got == (current if want == RETAIN else want), (pattern, treat.value, current.value)


def test_m_of_n_needs_no_consecutive_breaches():
    assert evaluate(alarm(2, 3, TreatMissing.MISSING), points("X 0 X")) is ALARM
    assert evaluate(alarm(3, 3, TreatMissing.MISSING), points("X 0 X X X")) is ALARM
    assert evaluate(alarm(3, 3, TreatMissing.MISSING), points("X X X 0 X")) is OK


@pytest.mark.parametrize(
    ("comparison", "value", "breaches"),
    [
        ("GreaterThanThreshold", 3.0, False),
        ("GreaterThanOrEqualToThreshold", 3.0, True),
        ("LessThanThreshold", 2.9, True),
        ("LessThanOrEqualToThreshold", 3.1, False),
    ],
)
def test_comparisons(comparison, value, breaches):
    assert alarm(1, 1, TreatMissing.MISSING, comparison=comparison).breaches(value) is breaches


def test_statistics():
    samples = [4.0, 1.0, 3.0, 2.0, 10.0]
    assert [statistic(s, samples) for s in ("SampleCount", "Sum", "Average", "Minimum", "Maximum")] == [
        5.0,
        20.0,
        4.0,
        1.0,
        10.0,
    ]
    assert statistic("p50", samples) == 3.0
    assert statistic("p95", samples) == 10.0
    with pytest.raises(AlarmDefinitionError):
        statistic("tm90", samples)


def test_an_alarm_from_plan_inputs_and_what_it_refuses():
    parsed = Alarm.from_inputs(
        {
            "name": "prod-order-to-shipment-latency",
            "namespace": "Crossdock/Business",
            "metricName": "OrderToShipmentLatencySeconds",
            "dimensions": {"Environment": "prod"},
            "extendedStatistic": "p95",
            "period": 300.0,
            "evaluationPeriods": 3.0,
            "threshold": 14400.0,
            "comparisonOperator": "GreaterThanThreshold",
            "treatMissingData": "breaching",
        }
    )
    assert (parsed.statistic, parsed.period, parsed.evaluation_periods, parsed.datapoints_to_alarm) == (
        "p95",
        300,
        3,
        3,
    )
    assert parsed.treat_missing_data is TreatMissing.BREACHING
    with pytest.raises(AlarmDefinitionError, match="metric math"):
        Alarm.from_inputs({"name": "x", "metricQueries": [{"id": "m1"}], "threshold": 1.0})
    with pytest.raises(AlarmDefinitionError, match="datapoints to alarm"):
        alarm(4, 3, TreatMissing.MISSING)


def test_a_silent_metric_alarms_only_when_missing_data_breaches():
    """The source document's "a platform may appear healthy while orders are not progressing"."""
    store = MetricStore()
    silent = alarm(
        3, 3, TreatMissing.BREACHING, name="silent", period=60, comparison="LessThanThreshold", threshold=1.0
    )
    quiet = alarm(
        3, 3, TreatMissing.NOT_BREACHING, name="quiet", period=60, comparison="LessThanThreshold", threshold=1.0
    )
    evaluator = AlarmEvaluator([silent, quiet], store)
    for minute in range(10):
        store.put("Test", "Errors", {}, minute * 60 + 1, 5.0)
    for minute in range(1, 11):
        evaluator.evaluate_at(minute * 60)
    assert evaluator.state("silent") is OK and evaluator.state("quiet") is OK
    fired = []
    for minute in range(11, 20):  # the metric stops
        fired += [t for t in evaluator.evaluate_at(minute * 60) if t.new is ALARM]
    # The last sample falls in the 540-600 s period; real points stay in the 5-period evaluation range
    # (and keep the alarm OK, like the guide's "0 - - - -") until 900 s, when only missing slots remain.
    assert [(t.alarm, t.at) for t in fired] == [("silent", 900)]
    assert evaluator.state("quiet") is OK
