"""Run any Pulumi Python program for one stack, in-process, with no CLI and no cloud.

This mirrors what `pulumi preview` does through the Python language host: set the
stack's config, point the SDK at a resource monitor (here the recording mock
monitor), run the program file with runpy semantics inside `run_in_stack`, and
wait for every outstanding RPC and Output. The result is a `Plan`.

Runs happen on a fresh thread: the SDK keeps its settings, config and root
resource in context variables, and a new thread starts from an empty context, so
nothing leaks into the caller or into the next run. What is process-wide (working
directory, sys.path, modules imported from the project) is saved and restored
around each run under a lock.
"""

from __future__ import annotations

import asyncio
import os
import runpy
import sys
import threading
import traceback
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pulumi.config
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import set_mocks, settings
from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack
from google.protobuf import empty_pb2

from crossdock.engine.graph import STACK_TYPE, Plan, tree_order
from crossdock.engine.mocks import OfflineMocks
from crossdock.engine.project import Project, StackConfig, display_path, load_project, load_stack
from crossdock.engine.recorder import RecordingMonitor
from crossdock.engine.regions import DEFAULT_REGION, RegionResolver, is_aws_type
from crossdock.errors import CrossdockError, ProgramError, one_line

ORGANIZATION = "organization"
"""What `pulumi.get_organization()` returns offline (the SDK's own default)."""

_RUN_LOCK = threading.RLock()
_ENGINE_DIR = str(Path(__file__).resolve().parent) + os.sep
_PLACEHOLDER_ROOT = object()


def run_program(project_dir: Path | str, stack: str) -> Plan:
    """Load the project and stack files, run the program offline, return its Plan.

    Raises ProjectError for missing/invalid project or stack files and ProgramError
    when the program raises or logs an error; both carry a one-line message.
    """
    project = load_project(project_dir)
    return run_stack(load_stack(project, stack))


def run_stack(stack_config: StackConfig) -> Plan:
    """Run an already-loaded stack (see `load_project`/`load_stack`)."""
    outcome: dict[str, Any] = {}
    caller_cwd = os.getcwd()  # messages name files relative to where the user is, not the program dir

    def target() -> None:
        try:
            outcome["plan"] = _run(stack_config, caller_cwd)
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            outcome["error"] = exc

    with _RUN_LOCK, _program_environment(stack_config.project):
        thread = threading.Thread(target=target, name=f"crossdock-{stack_config.stack}", daemon=True)
        thread.start()
        thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["plan"]


class RecordingEngine(MockEngine):
    """Collects `pulumi.log` warnings and errors instead of printing them."""

    def __init__(self) -> None:
        super().__init__(None)
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def Log(self, request):
        message = one_line(request.message)
        if request.urn:
            message = f"{message} ({request.urn.rsplit('::', 1)[-1]})"
        if request.severity == engine_pb2.WARNING:
            self.warnings.append(message)
        elif request.severity == engine_pb2.ERROR:
            self.errors.append(message)

    def RequirePulumiVersion(self, request):
        return empty_pb2.Empty()


def _run(stack_config: StackConfig, caller_cwd: str) -> Plan:
    project = stack_config.project
    resolver = RegionResolver.from_config(stack_config.config)
    mocks = OfflineMocks(resolver)
    monitor = RecordingMonitor(mocks, project.directory, resolver)
    engine = RecordingEngine()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    failures = _FailureTracebacks()
    loop.set_task_factory(failures.task_factory)
    try:
        settings.reset_options(
            project=project.name,
            stack=stack_config.stack,
            root_directory=str(project.directory),
            preview=True,
            organization=ORGANIZATION,
        )
        pulumi_config.set_all_config(dict(stack_config.config), sorted(stack_config.secret_keys))
        # set_mocks creates and finishes a root Stack when none exists; run_in_stack must
        # create the real one (it owns the exports), so hold the slot during set_mocks.
        settings.ROOT.set(_PLACEHOLDER_ROOT)  # type: ignore[arg-type]
        set_mocks(mocks, project=project.name, stack=stack_config.stack, preview=True, monitor=monitor,
                  organization=ORGANIZATION)
        settings.ROOT.set(None)
        settings.SETTINGS.engine = engine

        program = str(project.program)
        error: BaseException | None = None
        try:
            loop.run_until_complete(run_in_stack(lambda: runpy.run_path(program, run_name="__main__")))
        except BaseException as exc:  # noqa: BLE001 - reported as ProgramError below
            error = exc
    finally:
        _close_loop(loop)

    if error is not None:
        if isinstance(error, (KeyboardInterrupt, CrossdockError)):
            raise error
        raise ProgramError(describe_failure(error, project, stack_config, failures.first_seen, caller_cwd)) from error
    if engine.errors:
        raise ProgramError(f"the program logged an error: {engine.errors[0]}")
    return _build_plan(stack_config, monitor, mocks, engine, caller_cwd)


def _build_plan(stack_config: StackConfig, monitor: RecordingMonitor, mocks: OfflineMocks, engine: RecordingEngine,
                caller_cwd: str) -> Plan:
    records = list(monitor.records)
    stack_outputs: dict[str, Any] = {}
    for record in records:
        if record.type == STACK_TYPE:
            stack_outputs = monitor.registered_outputs.get(record.urn, {})
            record.outputs = stack_outputs
        elif not record.custom:
            record.outputs = monitor.registered_outputs.get(record.urn, record.outputs)

    warnings = list(stack_config.warnings)
    if stack_config.aws_region is None and any(r.region for r in records):
        warnings.append(
            f"aws:region is not set in {display_path(stack_config.file, caller_cwd)}; AWS resources without an "
            f"explicit region are planned in {DEFAULT_REGION}"
        )
    warnings.extend(engine.warnings)
    warnings.extend(mocks.warnings)

    return Plan(
        project=stack_config.project.name,
        stack=stack_config.stack,
        resources=tree_order(records),
        outputs=stack_outputs,
        warnings=list(dict.fromkeys(warnings)),
        project_dir=stack_config.project.directory,
        config=dict(stack_config.config),
    )


class _FailureTracebacks:
    """Remembers each exception's traceback when the task that raised it first fails.

    An exception raised inside an apply travels through several awaiting tasks, and
    asyncio re-raises it without its original frames; the program frame that failed
    is only visible at the first failure.
    """

    def __init__(self) -> None:
        self.first_seen: dict[int, traceback.StackSummary] = {}
        self._keep: list[BaseException] = []  # keep ids valid while the run lasts

    def task_factory(self, loop, coro, context=None):
        task = asyncio.Task(coro, loop=loop, context=context)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and id(exc) not in self.first_seen:
            self.first_seen[id(exc)] = traceback.extract_tb(exc.__traceback__)
            self._keep.append(exc)


def describe_failure(error: BaseException, project: Project, stack_config: StackConfig | None = None,
                     first_seen: dict[int, traceback.StackSummary] | None = None, base: str | None = None) -> str:
    """One line: the exception text and `(at file:line)` of the innermost project frame."""
    for exc in _chain(error):
        if getattr(exc, "user_error", False) is True:
            return one_line(str(exc))
    if isinstance(error, SystemExit):
        text = f"the program called sys.exit({error.code!r})"
    else:
        text = one_line(str(error))
        if not text or isinstance(error, (KeyError, IndexError)):
            text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    if stack_config is not None and isinstance(error, pulumi.config.ConfigMissingError):
        how = "with `secure:` " if error.secret else ""
        text = f"missing required configuration variable '{error.key}'; set it {how}in {display_path(stack_config.file, base)}"
    elif stack_config is not None and isinstance(error, pulumi.config.ConfigTypeError):
        text = f"{text}; fix it in {display_path(stack_config.file, base)}"
    location = None
    for exc in _chain(error):
        frames = (first_seen or {}).get(id(exc)) or traceback.extract_tb(exc.__traceback__)
        location = _innermost_project_frame(frames, project)
        if location:
            break
    return f"{text} (at {location})" if location else text


def _chain(error: BaseException):
    seen: set[int] = set()
    exc: BaseException | None = error
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _innermost_project_frame(frames: traceback.StackSummary, project: Project) -> str | None:
    roots = {str(project.directory) + os.sep, str(project.program_dir) + os.sep}
    for frame in reversed(frames):
        filename = os.path.abspath(frame.filename)
        if filename.startswith(_ENGINE_DIR) or "site-packages" in filename or "dist-packages" in filename:
            continue
        for root in roots:
            if filename.startswith(root):
                rel = os.path.relpath(filename, project.directory)
                return f"{rel}:{frame.lineno}"
    return None


@contextmanager
def _program_environment(project: Project):
    """cwd = program dir, program dir first on sys.path; afterwards restore both and
    forget modules the program imported from the project, so the next run is fresh."""
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    program_dir = str(project.program_dir)
    os.chdir(program_dir)
    sys.path.insert(0, program_dir)
    try:
        yield
    finally:
        os.chdir(saved_cwd)
        sys.path[:] = saved_path
        _purge_modules(saved_modules, (str(project.directory) + os.sep, program_dir + os.sep))


def _purge_modules(before: set[str], roots: tuple[str, ...]) -> None:
    for name in [n for n in list(sys.modules) if n not in before]:
        module = sys.modules.get(name)
        locations = [getattr(module, "__file__", None) or ""]
        locations.extend(getattr(module, "__path__", None) or [])
        for location in locations:
            if location and "site-packages" not in location and any(location.startswith(r) for r in roots):
                sys.modules.pop(name, None)
                break


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel what the program left behind and close the loop and its executor."""
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.run_until_complete(loop.shutdown_default_executor())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
