"""Benchmark `crossdock plan` / `crossdock check` on the large generated stack.

    PYTHONPATH=. .venv/bin/python bench/run.py            # full size, 3 runs each
    PYTHONPATH=. .venv/bin/python bench/run.py --quick    # small smoke size

One run measures, each sample in a fresh subprocess (so peak RSS is per phase):

- plan:  `crossdock.engine.run_program(project, stack)` (what `crossdock plan` does),
         wall time and the process's peak RSS right after it;
- gate:  `crossdock.blueprint.check_plan(plan, ...)` on that plan, in the same
         process (as `crossdock check` does), wall time and peak RSS after it;
- floor: the same program file and config under the Pulumi SDK's *plain* mocks:
         stock `pulumi.runtime.mocks.MockMonitor`, a minimal `Mocks` returning
         `(f"{name}-id", inputs)` and fixed invoke answers, run inside
         `pulumi.runtime.stack.run_in_stack` the way the engine does. Nothing recorded.

Plan and floor samples alternate (plan, floor, plan, floor, ...) so machine drift hits
both; CPU time is recorded next to wall time, and samples that waited for a CPU are
flagged. Results: a table on stdout, JSON in bench/results/latest.json (quick.json for
--quick). Exit status 0 when every target passes, 1 when one fails, 2 when a run fails.
`--sdk-wait first-exception` is an experiment that patches the SDK's O(n^2) output wait
on both sides (see docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import re
import resource
import runpy
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.large_stack import DATABASES, QUEUES, STACK, write_project  # noqa: E402

RESULTS_DIR = ROOT / "bench" / "results"
QUICK_DATABASES = 2
QUICK_QUEUES = 20
GIB = 1024**3

TARGET_PLAN_RATIO = 1.3
TARGET_PEAK_RSS = 1 * GIB
TARGET_GATE_RATIO = 0.5
STARVED = 1.15
"""A sample whose wall time exceeds its CPU time by this factor waited for a CPU: other load."""

ORGANIZATION = "organization"
ACCOUNT_ID = "123456789012"


# ---------------------------------------------------------------------------------------------
# Memory
# ---------------------------------------------------------------------------------------------
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def peak_rss_bytes() -> int:
    """This process's peak resident set (VmHWM; ru_maxrss where /proc is missing)."""
    kib = _status_kib("VmHWM")
    if kib is None:
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return kib * 1024


def current_rss_bytes() -> int:
    kib = _status_kib("VmRSS")
    return (kib or 0) * 1024


# ---------------------------------------------------------------------------------------------
# Worker side: one measured phase per process
# ---------------------------------------------------------------------------------------------
def _preimport() -> float:
    """Import what both the engine and the floor need but neither should be timed for.

    The SDK, the provider SDK modules the components use (site-packages, identical for
    both; found by scanning components/*.py for `alias.module.submodule.` chains) and the
    config schema package. The program's own modules (`components.*`) are imported inside
    the timed run in both modes.
    """
    start = time.perf_counter()
    import pkgutil

    import pulumi  # noqa: F401

    import crossdock.config

    sources = [path.read_text() for path in sorted((ROOT / "components").glob("*.py"))]
    sources.append((ROOT / "__main__.py").read_text())
    aliases: dict[str, str] = {}
    for text in sources:
        for package, alias in re.findall(r"^import (pulumi_\w+)(?: as (\w+))?\s*$", text, re.M):
            aliases[alias or package] = package
    for alias, package in aliases.items():
        _try_import(package)
        for text in sources:
            for chain in set(re.findall(rf"\b{re.escape(alias)}\.((?:[a-z][a-z0-9_]*\.)+)", text)):
                module = package
                for part in chain.rstrip(".").split("."):
                    module = f"{module}.{part}"
                    if not _try_import(module):
                        break
    for info in pkgutil.walk_packages(crossdock.config.__path__, "crossdock.config."):
        _try_import(info.name)
    import crossdock.engine.project

    return time.perf_counter() - start


def _try_import(name: str) -> bool:
    import importlib

    try:
        importlib.import_module(name)
        return True
    except ImportError:
        return False


def patch_sdk_wait() -> None:
    """Experiment (--sdk-wait first-exception): make the SDK wait for outstanding outputs in O(n).

    `pulumi.runtime.stack.wait_for_rpcs` loops `asyncio.wait(all pending outputs,
    FIRST_COMPLETED)`: every iteration adds and removes a done-callback on every pending
    task, so a program with n outputs costs O(n^2) callbacks. FIRST_EXCEPTION waits for the
    whole batch in one call and still raises the first failure. Applied to plan and floor
    alike; it changes the SDK, not crossdock.
    """
    from pulumi.runtime import stack as sdk_stack

    real_wait = asyncio.wait

    async def wait(fs, *args, **kwargs):
        if kwargs.get("return_when") == asyncio.FIRST_COMPLETED:
            kwargs["return_when"] = asyncio.FIRST_EXCEPTION
        return await real_wait(fs, *args, **kwargs)

    shim = type(sys)("asyncio")
    shim.__dict__.update(asyncio.__dict__)
    shim.wait = wait
    sdk_stack.asyncio = shim  # only the SDK's stack module sees the patched asyncio.wait


def worker_plan(project_dir: Path, stack: str) -> dict[str, Any]:
    """Time run_program, then check_plan on its plan (the `crossdock check` sequence)."""
    imports = _preimport()
    import crossdock.engine  # noqa: F401
    from crossdock.engine import run_program

    rss_before = current_rss_bytes()
    start = time.perf_counter()
    cpu = time.process_time()
    plan = run_program(project_dir, stack)
    plan_seconds = time.perf_counter() - start
    plan_cpu = time.process_time() - cpu
    plan_peak = peak_rss_bytes()
    resources = len(plan.resources)
    custom = sum(1 for r in plan.resources if r.custom)

    from crossdock.blueprint import check_plan  # imports the policy pack: not part of gate time

    start = time.perf_counter()
    cpu = time.process_time()
    result = check_plan(plan, project_dir)
    gate_seconds = time.perf_counter() - start
    gate_cpu = time.process_time() - cpu
    return {
        "imports_seconds": imports,
        "rss_before_bytes": rss_before,
        "plan_seconds": plan_seconds,
        "plan_cpu_seconds": plan_cpu,
        "plan_peak_rss_bytes": plan_peak,
        "resources": resources,
        "custom_resources": custom,
        "warnings": len(plan.warnings),
        "gate_seconds": gate_seconds,
        "gate_cpu_seconds": gate_cpu,
        "check_peak_rss_bytes": peak_rss_bytes(),
        "findings": len(result.findings),
        "rules": len(result.rules_run),
    }


class PlainMocks:
    """Minimal mocks: inputs echoed as outputs, fixed answers for the program's invokes.

    Invokes: availability zones, caller identity, partition, region, IAM policy document
    and the ALB lookup (public edge). Any other token gets `{}` and is listed in the report.
    """

    def __init__(self, region: str) -> None:
        self.region = region
        self.unanswered: set[str] = set()

    def new_resource(self, args):
        return f"{args.name}-id", args.inputs

    def call(self, args):
        region = self.region
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{region}{s}" for s in "abcdef"]
            return {
                "id": region,
                "names": names,
                "zoneIds": [f"use1-az{i}" for i in range(1, 7)],
                "state": "available",
                "groupNames": [region] * 6,
            }
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "id": ACCOUNT_ID,
                "accountId": ACCOUNT_ID,
                "userId": "AIDABENCH",
                "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/bench",
            }
        if token == "aws:index/getPartition:getPartition":
            return {"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsSuffix": "com.amazonaws"}
        if token == "aws:index/getRegion:getRegion":
            return {
                "id": region,
                "name": region,
                "region": region,
                "description": region,
                "endpoint": f"ec2.{region}.amazonaws.com",
            }
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            doc = json.dumps({"Version": "2012-10-17", "Statement": []})
            return {"id": "policy", "json": doc, "minifiedJson": doc}
        if token == "aws:lb/getLoadBalancer:getLoadBalancer":
            name = args.args.get("name") or "bench"
            arn = f"arn:aws:elasticloadbalancing:{region}:{ACCOUNT_ID}:loadbalancer/app/{name}/0"
            return {
                "id": arn,
                "arn": arn,
                "arnSuffix": f"app/{name}/0",
                "name": name,
                "dnsName": f"{name}.{region}.elb.amazonaws.com",
            }
        self.unanswered.add(token)  # reported by the driver; the program still gets a (empty) result
        return {}


def floor_run(project_dir: Path, stack: str) -> tuple[int, set[str], BaseException | None]:
    """Run the program under the SDK's plain MockMonitor; return (#resources incl. stack, unanswered, error)."""
    from pulumi.runtime import Mocks, set_mocks, settings
    from pulumi.runtime import config as pulumi_config
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.stack import run_in_stack

    # Config loading is the engine's own code (not what is compared); it is timed on both sides.
    from crossdock.engine.project import load_project, load_stack

    stack_config = load_stack(load_project(project_dir), stack)
    project = stack_config.project
    mocks = type("BenchMocks", (PlainMocks, Mocks), {})(stack_config.config.get("aws:region") or "us-east-1")
    monitor = MockMonitor(mocks)
    out: dict[str, Any] = {}

    def target() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            settings.reset_options(
                project=project.name,
                stack=stack,
                root_directory=str(project.directory),
                preview=True,
                organization=ORGANIZATION,
            )
            pulumi_config.set_all_config(dict(stack_config.config), sorted(stack_config.secret_keys))
            # As the engine does: keep set_mocks from creating its own root Stack.
            settings.ROOT.set(object())  # type: ignore[arg-type]
            set_mocks(
                mocks, project=project.name, stack=stack, preview=True, monitor=monitor, organization=ORGANIZATION
            )
            settings.ROOT.set(None)
            try:
                loop.run_until_complete(run_in_stack(lambda: runpy.run_path(str(project.program), run_name="__main__")))
            except BaseException as exc:  # noqa: BLE001
                out["error"] = exc
        finally:
            pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            asyncio.set_event_loop(None)
            loop.close()

    saved_cwd = os.getcwd()
    sys.path.insert(0, str(project.program_dir))
    os.chdir(project.program_dir)
    try:
        thread = threading.Thread(target=target, name=f"floor-{stack}", daemon=True)
        thread.start()
        thread.join()
    finally:
        os.chdir(saved_cwd)
        sys.path.remove(str(project.program_dir))
    return len(monitor.resources) + 1, mocks.unanswered, out.get("error")


def worker_floor(project_dir: Path, stack: str) -> dict[str, Any]:
    imports = _preimport()
    rss_before = current_rss_bytes()
    start = time.perf_counter()
    cpu = time.process_time()
    resources, unanswered, error = floor_run(project_dir, stack)
    seconds = time.perf_counter() - start
    result = {
        "imports_seconds": imports,
        "rss_before_bytes": rss_before,
        "floor_seconds": seconds,
        "floor_cpu_seconds": time.process_time() - cpu,
        "floor_peak_rss_bytes": peak_rss_bytes(),
        "resources": resources,
        "unanswered_invokes": sorted(unanswered),
    }
    if error is not None:
        result["error"] = f"{type(error).__name__}: {error}"
    return result


# ---------------------------------------------------------------------------------------------
# Driver side
# ---------------------------------------------------------------------------------------------
def run_worker(phase: str, project_dir: Path, stack: str, sdk_wait: str) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("r", suffix=".json", prefix=f"bench-{phase}-", delete=False) as handle:
        result_path = Path(handle.name)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        phase,
        "--project",
        str(project_dir),
        "--stack",
        stack,
        "--result",
        str(result_path),
        "--sdk-wait",
        sdk_wait,
    ]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=str(ROOT), env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    try:
        if proc.returncode != 0:
            print(f"error: the {phase} worker failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}", file=sys.stderr)
            raise SystemExit(2)
        data = json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)
    data["process_seconds"] = wall
    return data


def summarize(samples: list[float]) -> dict[str, float]:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples)}


def mib(n: float) -> str:
    return f"{n / 1024**2:,.0f} MiB"


def _version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


def git_revision() -> str | None:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return f"{rev}{'+dirty' if dirty else ''}"
    except (OSError, subprocess.CalledProcessError):
        return None


def drive(args: argparse.Namespace) -> int:
    databases = args.databases if args.databases is not None else (QUICK_DATABASES if args.quick else DATABASES)
    queues = args.queues if args.queues is not None else (QUICK_QUEUES if args.quick else QUEUES)
    default_name = "quick.json" if args.quick else "latest.json"
    if args.sdk_wait != "stock":
        default_name = f"{default_name[:-5]}-sdk-wait-{args.sdk_wait}.json"
    output = Path(args.output) if args.output else RESULTS_DIR / default_name

    with tempfile.TemporaryDirectory(prefix="crossdock-bench-") as scratch:
        project_dir = write_project(Path(scratch) / "project", databases=databases, queues=queues)
        print(
            f"stack: {databases} databases, {queues} queues (project {project_dir}); "
            f"{args.repeats} samples per phase, each in a fresh process",
            flush=True,
        )
        if args.sdk_wait != "stock":
            print(f"experiment: SDK wait_for_rpcs patched ({args.sdk_wait}) in plan and floor", flush=True)
        load_start = os.getloadavg()
        plans: list[dict[str, Any]] = []
        floors: list[dict[str, Any]] = []
        for i in range(args.repeats):
            plans.append(run_worker("plan", project_dir, STACK, args.sdk_wait))
            print(
                f"  [{i + 1}/{args.repeats}] plan  {plans[-1]['plan_seconds']:7.2f} s  "
                f"gate {plans[-1]['gate_seconds']:6.2f} s  peak {mib(plans[-1]['plan_peak_rss_bytes'])}",
                flush=True,
            )
            floors.append(run_worker("floor", project_dir, STACK, args.sdk_wait))
            if "error" in floors[-1]:
                print(f"error: the floor run failed: {floors[-1]['error']}", file=sys.stderr)
                return 2
            print(
                f"  [{i + 1}/{args.repeats}] floor {floors[-1]['floor_seconds']:7.2f} s  "
                f"{'':17}peak {mib(floors[-1]['floor_peak_rss_bytes'])}",
                flush=True,
            )

    load_end = os.getloadavg()

    plan_t = summarize([p["plan_seconds"] for p in plans])
    floor_t = summarize([f["floor_seconds"] for f in floors])
    gate_t = summarize([p["gate_seconds"] for p in plans])
    plan_cpu = summarize([p["plan_cpu_seconds"] for p in plans])
    floor_cpu = summarize([f["floor_cpu_seconds"] for f in floors])
    plan_peak = max(p["plan_peak_rss_bytes"] for p in plans)
    check_peak = max(p["check_peak_rss_bytes"] for p in plans)
    floor_peak = max(f["floor_peak_rss_bytes"] for f in floors)
    plan_base = statistics.median(p["rss_before_bytes"] for p in plans)
    floor_base = statistics.median(f["rss_before_bytes"] for f in floors)
    resources = plans[0]["resources"]
    plan_ratio = plan_t["median"] / floor_t["median"]
    cpu_ratio = plan_cpu["median"] / floor_cpu["median"]
    gate_ratio = gate_t["median"] / plan_t["median"]

    targets = [
        {
            "name": "plan time <= 1.3x floor",
            "value": round(plan_ratio, 3),
            "limit": TARGET_PLAN_RATIO,
            "passed": plan_ratio <= TARGET_PLAN_RATIO,
        },
        {
            "name": "peak RSS < 1 GiB (plan, and plan+gate)",
            "value": check_peak,
            "limit": TARGET_PEAK_RSS,
            "passed": max(plan_peak, check_peak) < TARGET_PEAK_RSS,
        },
        {
            "name": "gate adds <= 50% to plan time",
            "value": round(gate_ratio, 3),
            "limit": TARGET_GATE_RATIO,
            "passed": gate_ratio <= TARGET_GATE_RATIO,
        },
    ]

    rows = [
        ("resources (plan, incl. stack + components)", f"{resources:,} ({plans[0]['custom_resources']:,} custom)"),
        ("resources (floor MockMonitor + stack)", f"{floors[0]['resources']:,}"),
        ("plan   wall  median / min", f"{plan_t['median']:.2f} s / {plan_t['min']:.2f} s"),
        ("floor  wall  median / min", f"{floor_t['median']:.2f} s / {floor_t['min']:.2f} s"),
        ("plan / floor (medians)", f"{plan_ratio:.2f}x"),
        ("plan   CPU   median", f"{plan_cpu['median']:.2f} s"),
        ("floor  CPU   median", f"{floor_cpu['median']:.2f} s"),
        ("plan / floor CPU (medians)", f"{cpu_ratio:.2f}x"),
        ("gate   wall  median / min", f"{gate_t['median']:.2f} s / {gate_t['min']:.2f} s"),
        ("gate / plan (medians)", f"{gate_ratio:.1%}"),
        ("peak RSS plan (after imports)", f"{mib(plan_peak)} ({mib(plan_base)})"),
        ("peak RSS plan+gate", mib(check_peak)),
        ("peak RSS floor (after imports)", f"{mib(floor_peak)} ({mib(floor_base)})"),
    ]
    width = max(len(k) for k, _ in rows)
    print()
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print()
    for t in targets:
        value = mib(t["value"]) if t["limit"] == TARGET_PEAK_RSS else t["value"]
        print(f"{'PASS' if t['passed'] else 'FAIL'}  {t['name']}  (measured {value})")
    counts = {s["resources"] for s in plans + floors}
    if len(counts) > 1:
        print(
            f"note: resource counts differ between samples ({sorted(counts)}): did the program change during the run?"
        )
    starved = [s for s in plans if s["plan_seconds"] > STARVED * s["plan_cpu_seconds"]]
    starved += [s for s in floors if s["floor_seconds"] > STARVED * s["floor_cpu_seconds"]]
    if starved:
        print(
            f"note: {len(starved)} of {len(plans) + len(floors)} samples spent >{STARVED - 1:.0%} of their wall time "
            f"waiting for a CPU (load average {load_start[0]:.1f} at start, {load_end[0]:.1f} at end, "
            f"{os.cpu_count()} CPUs): other work was running; compare the CPU rows, or rerun on an idle machine"
        )
    if floors[0]["unanswered_invokes"]:
        print(f"note: invokes the floor answered with {{}}: {', '.join(floors[0]['unanswered_invokes'])}")

    report = {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "stack": {
            "databases": databases,
            "queues": queues,
            "resources": resources,
            "custom_resources": plans[0]["custom_resources"],
            "floor_resources": floors[0]["resources"],
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "pulumi": _version("pulumi"),
            "pulumi_aws": _version("pulumi_aws"),
            "revision": git_revision(),
            "load_average_start": load_start,
            "load_average_end": load_end,
        },
        "repeats": args.repeats,
        "sdk_wait": args.sdk_wait,
        "plan_seconds": plan_t,
        "floor_seconds": floor_t,
        "gate_seconds": gate_t,
        "plan_cpu_seconds": plan_cpu,
        "floor_cpu_seconds": floor_cpu,
        "plan_floor_ratio": plan_ratio,
        "plan_floor_cpu_ratio": cpu_ratio,
        "gate_plan_ratio": gate_ratio,
        "peak_rss_bytes": {
            "plan": plan_peak,
            "check": check_peak,
            "floor": floor_peak,
            "plan_after_imports": plan_base,
            "floor_after_imports": floor_base,
        },
        "starved_samples": len(starved),
        "targets": targets,
        "samples": {"plan": plans, "floor": floors},
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nwrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0 if all(t["passed"] for t in targets) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke size ({QUICK_DATABASES} databases, {QUICK_QUEUES} queues); writes quick.json",
    )
    parser.add_argument("--repeats", type=int, default=3, help="samples per phase (default 3)")
    parser.add_argument("--databases", type=int, help=f"override the number of databases (default {DATABASES})")
    parser.add_argument("--queues", type=int, help=f"override the number of queues (default {QUEUES})")
    parser.add_argument("--output", help="results file (default bench/results/latest.json)")
    parser.add_argument(
        "--sdk-wait",
        choices=["stock", "first-exception"],
        default="stock",
        help="experiment: patch the SDK's O(n^2) output wait in both plan and floor "
        "(results go to *-sdk-wait-first-exception.json)",
    )
    parser.add_argument("--worker", choices=["plan", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--project", help=argparse.SUPPRESS)
    parser.add_argument("--stack", default=STACK, help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        if args.sdk_wait == "first-exception":
            patch_sdk_wait()
        fn = worker_plan if args.worker == "plan" else worker_floor
        data = fn(Path(args.project), args.stack)
        Path(args.result).write_text(json.dumps(data))
        return 0
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())
