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
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi.config
from google.protobuf import empty_pb2
from pulumi.runtime import config as pulumi_config
from pulumi.runtime import set_mocks, settings
from pulumi.runtime.mocks import MockEngine
from pulumi.runtime.proto import engine_pb2
from pulumi.runtime.stack import run_in_stack

from crossdock.engine.graph import STACK_TYPE, Plan, tree_order
from crossdock.engine.mocks import OfflineMocks
from crossdock.engine.project import Project, StackConfig, display_path, load_project, load_stack
from crossdock.engine.recorder import RecordingMonitor
from crossdock.engine.references import StackReferences, how_to_supply
from crossdock.engine.regions import DEFAULT_REGION, RegionResolver
from crossdock.engine.requirements import resolve as resolve_requirements
from crossdock.errors import CrossdockError, ProgramError, one_line

ORGANIZATION = "organization"
"""What `pulumi.get_organization()` returns offline (the SDK's own default)."""

_LOG = logging.getLogger("crossdock.engine")
_RUN_LOCK = threading.RLock()
_ENGINE_DIR = str(Path(__file__).resolve().parent) + os.sep
_PLACEHOLDER_ROOT = object()
_SDK_INVOKE_FILE = os.path.join("pulumi", "runtime", "invoke.py")


def run_program(project_dir: Path | str, stack: str, stack_outputs: Mapping[str, dict[str, Any]] | None = None) -> Plan:
    """Load the project and stack files, run the program offline, return its Plan.

    Raises ProjectError for missing/invalid project or stack files and ProgramError
    when the program raises or logs an error; both carry a one-line message.
    `stack_outputs` supplies the outputs of referenced stacks by reference name.
    """
    project = load_project(project_dir)
    return run_stack(load_stack(project, stack), stack_outputs=stack_outputs)


def run_stack(
    stack_config: StackConfig,
    references: StackReferences | None = None,
    stack_outputs: Mapping[str, dict[str, Any]] | None = None,
) -> Plan:
    """Run an already-loaded stack (see `load_project`/`load_stack`).

    Stack references are resolved from `stack_outputs`, else by planning the referenced
    stacks (see `references`); `references` is passed only by that resolver, for the
    nested runs it starts.
    """
    project = stack_config.project
    program = str(project.program)
    references = references or StackReferences.root(
        project, stack_config.stack, planner=run_stack, supplied=dict(stack_outputs or {})
    )
    site_dir = resolve_requirements(project).site_dir  # the project's own dependencies (cached install)
    # A nested run happens inside its parent's run, which already holds the lock.
    with nullcontext() if references.nested else _RUN_LOCK, _program_environment(project, site_dir):
        session = _in_thread(
            lambda: runpy.run_path(program, run_name="__main__"),
            project=project.name,
            stack=stack_config.stack,
            config=stack_config.config,
            secret_keys=stack_config.secret_keys,
            project_dir=project.directory,
            references=references,
        )
    # Back in the caller's working directory: file names in messages are relative to it.
    if session.mocks.failure is not None:  # e.g. a stack reference to a stack that does not exist
        raise session.mocks.failure
    if session.error is not None:
        if isinstance(session.error, (KeyboardInterrupt, CrossdockError)):
            raise session.error
        message = describe_failure(session.error, project, stack_config, session.first_seen)
        if isinstance(session.error, KeyError) and session.mocks.unresolved_references:
            reference = session.mocks.unresolved_references[-1]
            message = (
                f"the program asked for output {session.error.args[0]!r} of stack reference {reference!r}, "
                f"which is not available offline (its project is not on disk): {how_to_supply(reference)}"
            )
            raise ProgramError(message) from session.error
        raise ProgramError(session.with_invoke_hint(message)) from session.error
    session.raise_logged_error()
    return session.plan(
        warnings=list(stack_config.warnings),
        missing_region=None
        if stack_config.aws_region
        else f"aws:region is not set in {display_path(stack_config.file)}",
    )


def run_callable(
    fn: Callable[[], Any],
    *,
    config: Mapping[str, str] | None = None,
    secret_keys: Iterable[str] = (),
    project: str = "crossdock",
    stack: str = "test",
    project_dir: Path | str | None = None,
) -> Plan:
    """Run `fn` as a Pulumi program (inside a stack, with the offline mocks) and return its Plan.

    For component tests: build resources in `fn`, assert on the recorded graph. `config`
    holds fully qualified keys (`aws:region`, `crossdock:environment`, ...). Exceptions
    from `fn` (directly or inside an apply) propagate unchanged; a `pulumi.log.error`
    raises ProgramError. Source files are reported relative to `project_dir` (default:
    the working directory).
    """
    config = dict(config or {})
    with _RUN_LOCK:
        session = _in_thread(
            fn,
            project=project,
            stack=stack,
            config=config,
            secret_keys=frozenset(secret_keys),
            project_dir=Path(project_dir or os.getcwd()).resolve(),
            references=None,
        )
    if session.error is not None:
        raise session.error
    session.raise_logged_error()
    return session.plan(warnings=[], missing_region=None if config.get("aws:region") else "aws:region is not set")


class RecordingEngine(MockEngine):
    """Collects `pulumi.log` warnings and errors instead of printing them."""

    def __init__(self) -> None:
        super().__init__(None)
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def Log(self, request: Any) -> None:
        message = one_line(request.message)
        if request.urn:
            message = f"{message} ({request.urn.rsplit('::', 1)[-1]})"
        if request.severity == engine_pb2.WARNING:
            self.warnings.append(message)
        elif request.severity == engine_pb2.ERROR:
            self.errors.append(message)

    def RequirePulumiVersion(self, request: Any) -> empty_pb2.Empty:
        return empty_pb2.Empty()


@dataclass
class _Session:
    """One program run: what the monitor, mocks and engine recorded, and how it ended."""

    project: str
    stack: str
    config: dict[str, str]
    project_dir: Path
    monitor: RecordingMonitor
    mocks: OfflineMocks
    engine: RecordingEngine
    error: BaseException | None = None
    first_seen: dict[int, traceback.StackSummary] = field(default_factory=dict)
    invoke_sites: dict[str, str] = field(default_factory=dict)

    def raise_logged_error(self) -> None:
        if self.engine.errors:
            raise ProgramError(self.with_invoke_hint(f"the program logged an error: {self.engine.errors[0]}"))

    def with_invoke_hint(self, message: str) -> str:
        """Name what the mocks could not answer (an invoke, a stack reference): the likely cause."""
        if self.mocks.unresolved_references and ("None" in message or "Missing required property" in message):
            reference = self.mocks.unresolved_references[-1]
            return f"{message} (stack reference {reference!r} is not available offline: {how_to_supply(reference)})"
        if not self.mocks.unanswered:
            return message
        token = self.mocks.unanswered[-1]
        site = self.invoke_sites.get(token)
        where = f" at {site}" if site else ""
        return f"{message} (the invoke {token}{where} is not modelled offline and returned nothing)"

    def plan(self, warnings: list[str], missing_region: str | None) -> Plan:
        records = list(self.monitor.records)
        stack_outputs: dict[str, Any] = {}
        stack_urn = ""
        for record in records:
            if record.type == STACK_TYPE:
                stack_urn = record.urn
                stack_outputs = self.monitor.registered_outputs.get(record.urn, {})
                record.outputs = stack_outputs
            elif not record.custom:
                record.outputs = self.monitor.registered_outputs.get(record.urn, record.outputs)
        if missing_region and any(r.region for r in records):
            warnings.append(
                f"{missing_region}; AWS resources without an explicit region are planned in {DEFAULT_REGION}"
            )
        warnings.extend(self.engine.warnings)
        warnings.extend(self.monitor.warnings)
        warnings.extend(self.mocks.warnings)
        return Plan(
            project=self.project,
            stack=self.stack,
            resources=tree_order(records),
            outputs=stack_outputs,
            warnings=list(dict.fromkeys(warnings)),
            project_dir=self.project_dir,
            config=dict(self.config),
            reads=list(self.monitor.reads),
            secret_outputs=dict(self.monitor.secret_outputs.get(stack_urn, {})) if stack_urn else {},
        )


def _in_thread(program: Callable[[], Any], **kwargs: Any) -> _Session:
    """Run `_execute` on a fresh thread, whose empty context isolates the SDK's state."""
    result: list[_Session] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(_execute(program, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - engine bug; re-raised in the caller
            failure.append(exc)

    thread = threading.Thread(target=target, name=f"crossdock-{kwargs['stack']}", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


def _execute(
    program: Callable[[], Any],
    *,
    project: str,
    stack: str,
    config: Mapping[str, str],
    secret_keys: frozenset[str],
    project_dir: Path,
    references: StackReferences | None,
) -> _Session:
    """Configure the SDK for an offline preview and run `program` inside the stack."""
    resolver = RegionResolver.from_config(config)
    mocks = OfflineMocks(resolver, stack_references=references)
    session = _Session(
        project=project,
        stack=stack,
        config=dict(config),
        project_dir=project_dir,
        monitor=RecordingMonitor(mocks, project_dir, resolver),
        mocks=mocks,
        engine=RecordingEngine(),
    )
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # A failed program leaves futures whose exceptions nobody retrieved; asyncio would print each
    # one ("Future exception was never retrieved", thousands of lines) when they are collected.
    # The run's one-line error says what failed: keep the rest for `--debug` (the debug log).
    loop.set_exception_handler(_quiet_exception_handler)
    failures = _FailureTracebacks((str(project_dir) + os.sep,))
    loop.set_task_factory(failures.task_factory)
    try:
        settings.reset_options(
            project=project, stack=stack, root_directory=str(project_dir), preview=True, organization=ORGANIZATION
        )
        pulumi_config.set_all_config(dict(config), sorted(secret_keys))
        # set_mocks creates and finishes a root Stack when none exists; run_in_stack must
        # create the real one (it owns the exports), so hold the slot during set_mocks.
        settings.ROOT.set(_PLACEHOLDER_ROOT)  # type: ignore[arg-type]
        set_mocks(mocks, project=project, stack=stack, preview=True, monitor=session.monitor, organization=ORGANIZATION)
        settings.ROOT.set(None)
        settings.SETTINGS.engine = session.engine
        try:
            loop.run_until_complete(run_in_stack(program))
        except BaseException as exc:  # noqa: BLE001 - the caller decides how to report it
            session.error = exc
    finally:
        _close_loop(loop)
    session.first_seen = failures.first_seen
    session.invoke_sites = failures.invoke_sites
    return session


class _FailureTracebacks:
    """Remembers each exception's traceback when the task that raised it first fails,
    and where the program called each invoke.

    An exception raised inside an apply travels through several awaiting tasks, and
    asyncio re-raises it without its original frames; the program frame that failed
    is only visible at the first failure. Likewise an invoke's RPC runs on a worker
    thread: the program line that asked for it is only on the stack when the SDK
    creates the invoke's task.
    """

    def __init__(self, roots: tuple[str, ...] = ()) -> None:
        self.first_seen: dict[int, traceback.StackSummary] = {}
        self.invoke_sites: dict[str, str] = {}
        """Invoke token -> `file:line` of the program line that last called it."""
        self._roots = roots
        self._keep: list[BaseException] = []  # keep ids valid while the run lasts

    def task_factory(self, loop: Any, coro: Any, context: Any = None) -> asyncio.Task[Any]:
        if self._roots:
            self._note_invoke_site(sys._getframe(1))
        task = asyncio.Task(coro, loop=loop, context=context)
        task.add_done_callback(self._done)
        return task

    def _note_invoke_site(self, frame: Any) -> None:
        for _ in range(6):  # ensure_future <- _sync_await <- invoke, or ensure_future <- invoke_output
            if frame is None:
                return
            if frame.f_code.co_filename.endswith(_SDK_INVOKE_FILE):
                token = frame.f_locals.get("tok")
                break
            frame = frame.f_back
        else:
            return
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith(_ENGINE_DIR) and "-packages" not in filename:
                for root in self._roots:
                    if filename.startswith(root):
                        self.invoke_sites[str(token)] = f"{os.path.relpath(filename, self._roots[0])}:{frame.f_lineno}"
                        return
            frame = frame.f_back

    def _done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and id(exc) not in self.first_seen:
            self.first_seen[id(exc)] = traceback.extract_tb(exc.__traceback__)
            self._keep.append(exc)


def describe_failure(
    error: BaseException,
    project: Project,
    stack_config: StackConfig | None = None,
    first_seen: dict[int, traceback.StackSummary] | None = None,
) -> str:
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
        text = (
            f"missing required configuration variable '{error.key}'; set it {how}in {display_path(stack_config.file)}"
        )
    elif stack_config is not None and isinstance(error, pulumi.config.ConfigTypeError):
        text = f"{text}; fix it in {display_path(stack_config.file)}"
    location = None
    for exc in _chain(error):
        frames = (first_seen or {}).get(id(exc)) or traceback.extract_tb(exc.__traceback__)
        location = _innermost_project_frame(frames, project)
        if location:
            break
    return f"{text} (at {location})" if location else text


def _chain(error: BaseException) -> Iterator[BaseException]:
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
def _program_environment(project: Project, site_dir: Path | None = None) -> Iterator[None]:
    """cwd = program dir, program dir first on sys.path, the project's installed requirements
    (if any) last; afterwards restore both and forget modules the program imported from the
    project, so the next run is fresh."""
    saved_cwd = os.getcwd()
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    program_dir = str(project.program_dir)
    os.chdir(program_dir)
    sys.path.insert(0, program_dir)
    if site_dir is not None and str(site_dir) not in sys.path:
        sys.path.append(str(site_dir))  # after crossdock's own packages: its pins always win
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


def _quiet_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exception = context.get("exception")
    _LOG.debug("%s", context.get("message", "unhandled exception in the event loop"), exc_info=exception or None)


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
