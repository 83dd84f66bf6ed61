"""The stack configuration contract: schema, cross-section rules and loading."""

from crossdock.config.loader import (
    StackConfigError,
    from_pulumi_config,
    load_stack_file,
    parse_stack_config,
    stack_file_label,
)
from crossdock.config.schema import (
    Criticality,
    Database,
    DataClass,
    DrStrategy,
    Kpi,
    Queue,
    Severity,
    StackConfig,
    Tier,
)

__all__ = [
    "Criticality",
    "DataClass",
    "Database",
    "DrStrategy",
    "Kpi",
    "Queue",
    "Severity",
    "StackConfig",
    "StackConfigError",
    "Tier",
    "from_pulumi_config",
    "load_stack_file",
    "parse_stack_config",
    "stack_file_label",
]
