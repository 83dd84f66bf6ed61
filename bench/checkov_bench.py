"""Benchmark the checkov half of `crossdock check` on the large generated stack.

    PYTHONPATH=. .venv/bin/python bench/checkov_bench.py             # full size (bench/large_stack.py)
    PYTHONPATH=. .venv/bin/python bench/checkov_bench.py --quick     # 2 databases, 20 queues

One run, in this process, the way `crossdock check` runs them:

- plan:    `crossdock.engine.run_program(project, stack)` (what `crossdock plan` does);
- export:  the Terraform-plan JSON and Kubernetes manifests of that plan, written to a
           directory, as `crossdock check` writes them for checkov (median of --export-repeats);
- checkov: the pinned checkov (.venv-checkov, or $CROSSDOCK_CHECKOV) over that export,
           one process, `terraform_plan` + `kubernetes` frameworks;
- merge:   the failed checks turned into gate findings (`crossdock.checkov.checkov_findings`).

Target: export under 10% of plan time. Results: a table on stdout and JSON in
bench/results/checkov.json (checkov-quick.json for --quick). Exit status 0 when the
target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.large_stack import DATABASES, QUEUES, STACK, write_project  # noqa: E402 - after the sys.path set-up

RESULTS_DIR = ROOT / "bench" / "results"
TARGET_EXPORT_RATIO = 0.10
QUICK_DATABASES = 2
QUICK_QUEUES = 20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a small stack (smoke test)")
    parser.add_argument("--export-repeats", type=int, default=5, help="export samples (median reported)")
    parser.add_argument("--output", type=Path, default=None, help="JSON results file")
    args = parser.parse_args(argv)

    from crossdock.blueprint import CHECKOV_CATALOG
    from crossdock.checkov import CHECKOV_VERSION, checkov_findings, find_checkov, load_catalog, run_checkov
    from crossdock.checkov.scan import export_plan, map_results
    from crossdock.engine import run_program
    from crossdock.gate.evaluate import evaluate
    from policies.profiles import Profile
    from policies.rules import RULES

    databases, queues = (QUICK_DATABASES, QUICK_QUEUES) if args.quick else (DATABASES, QUEUES)
    executable = find_checkov()
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="crossdock-checkov-bench-") as scratch:
        project = write_project(Path(scratch) / "project", databases, queues)

        started = time.perf_counter()
        plan = run_program(project, STACK)
        plan_seconds = time.perf_counter() - started

        export_samples = []
        export = None
        for index in range(max(1, args.export_repeats)):
            directory = Path(scratch) / f"export-{index}"
            directory.mkdir()
            started = time.perf_counter()
            export = export_plan(plan, directory)
            export_samples.append(time.perf_counter() - started)
        export_seconds = statistics.median(export_samples)
        export_bytes = sum(path.stat().st_size for path in export.files)

        started = time.perf_counter()
        report = run_checkov(files=export.files, frameworks=export.frameworks, executable=executable, cwd=directory)
        checkov_seconds = time.perf_counter() - started

        started = time.perf_counter()
        pack = evaluate(plan, RULES, Profile.PRODUCTION)
        pack_seconds = time.perf_counter() - started

        started = time.perf_counter()
        from crossdock.checkov.scan import CheckovScan

        scan = CheckovScan(map_results(report, export, plan), report.version)
        findings = checkov_findings(plan, scan, load_catalog(CHECKOV_CATALOG), Profile.PRODUCTION, RULES, pack)
        merge_seconds = time.perf_counter() - started

    ratio = export_seconds / plan_seconds
    unmapped = sum(1 for result in scan.results if result.urn is None)
    results = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "stack": {
            "databases": databases,
            "queues": queues,
            "resources": len(plan.resources),
            "custom_resources": sum(1 for r in plan.resources if r.custom),
            "exported_terraform": len(export.addresses),
            "exported_manifests": len(export.manifests),
            "export_bytes": export_bytes,
            "export_warnings": export.warnings,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "checkov": report.version,
            "checkov_pinned": CHECKOV_VERSION,
            "load_average_start": list(load_start),
            "load_average_end": list(os.getloadavg()),
        },
        "seconds": {
            "plan": plan_seconds,
            "export": export_seconds,
            "export_samples": export_samples,
            "checkov": checkov_seconds,
            "pack": pack_seconds,
            "merge": merge_seconds,
        },
        "checkov": {
            "results": len(report.results),
            "failed": len(report.failed()),
            "unmapped": unmapped,
            "findings": len(findings),
            "mandatory_findings": sum(1 for f in findings if f.blocks),
        },
        "targets": {"export_ratio": ratio, "export_ratio_max": TARGET_EXPORT_RATIO, "met": ratio < TARGET_EXPORT_RATIO},
    }
    _print(results)
    output = args.output or RESULTS_DIR / ("checkov-quick.json" if args.quick else "checkov.json")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {output}")
    return 0 if results["targets"]["met"] else 1


def _print(results: dict) -> None:
    stack, seconds, checkov = results["stack"], results["seconds"], results["checkov"]
    print(
        f"stack: {stack['databases']} databases, {stack['queues']} queues -> {stack['resources']} resources "
        f"({stack['exported_terraform']} Terraform resources, {stack['exported_manifests']} manifests, "
        f"{stack['export_bytes'] / 1e6:.1f} MB exported)"
    )
    load = results["machine"]["load_average_start"][0]
    print(
        f"machine: {results['machine']['cpus']} cpus, load {load:.1f} at start, checkov {results['machine']['checkov']}"
    )
    rows = [
        ("plan (run_program)", seconds["plan"], ""),
        ("export (tf-plan JSON + manifests)", seconds["export"], f"{seconds['export'] / seconds['plan']:.1%} of plan"),
        ("checkov (one process)", seconds["checkov"], f"{checkov['results']} results, {checkov['failed']} failed"),
        ("pack (in-process rules)", seconds["pack"], ""),
        ("merge into findings", seconds["merge"], f"{checkov['findings']} findings, {checkov['unmapped']} unmapped"),
    ]
    for label, value, note in rows:
        print(f"  {label:36s} {value:8.2f} s  {note}")
    target = results["targets"]
    verdict = "met" if target["met"] else "MISSED"
    print(f"target: export < {target['export_ratio_max']:.0%} of plan time: {target['export_ratio']:.1%} ({verdict})")


if __name__ == "__main__":
    sys.exit(main())
