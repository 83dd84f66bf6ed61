"""The offline engine: run a Pulumi Python program with SDK mocks and record its graph.

Public API:
    run_program(project_dir, stack) -> Plan
    run_callable(fn, *, config=None, secret_keys=(), project="crossdock", stack="test") -> Plan
    load_project(dir) -> Project; load_stack(project, stack) -> StackConfig; run_stack(stack_config) -> Plan
    Plan, Resource (the recorded graph), UNKNOWN / is_unknown (preview-unknown values)
"""

from crossdock.engine.graph import STACK_TYPE, UNKNOWN, Plan, Resource, is_unknown
from crossdock.engine.project import Project, StackConfig, load_project, load_stack
from crossdock.engine.runner import run_callable, run_program, run_stack
from crossdock.errors import CrossdockError, ProgramError, ProjectError

__all__ = [
    "STACK_TYPE",
    "UNKNOWN",
    "CrossdockError",
    "Plan",
    "ProgramError",
    "Project",
    "ProjectError",
    "Resource",
    "StackConfig",
    "is_unknown",
    "load_project",
    "load_stack",
    "run_callable",
    "run_program",
    "run_stack",
]
