"""CloudWatch alarm semantics, offline (moto stores metrics but never evaluates alarms)."""

from crossdock.alarms.evaluator import (
    Alarm,
    AlarmDefinitionError,
    AlarmEvaluator,
    MetricStore,
    State,
    Transition,
    TreatMissing,
    evaluate,
    statistic,
)

__all__ = [
    "Alarm",
    "AlarmDefinitionError",
    "AlarmEvaluator",
    "MetricStore",
    "State",
    "Transition",
    "TreatMissing",
    "evaluate",
    "statistic",
]
