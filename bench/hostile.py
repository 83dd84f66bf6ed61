"""Measure what docs/hostile-input.md quotes: refusing a YAML alias bomb, and concurrent `new` runs.

    PYTHONPATH=. .venv/bin/python bench/hostile.py                    # 5 rounds x 6 writers
    PYTHONPATH=. .venv/bin/python bench/hostile.py --rounds 20 --writers 8

- bomb: a 10-line stack file whose aliases expand to 9**9 (387 million) strings. Times the strict
  reader refusing it, and `crossdock plan bomb` in-process (project and stack loading included),
  best of 20. (PyYAML's plain `safe_load` of the same file runs for minutes and ends in MemoryError;
  that is not re-run here.)
- tenants: each round starts WRITERS `crossdock new tenant` processes at once on one environment
  stack of a scratch project (its program is a stub: planning is instant, the stack files are what
  is measured), then counts the registrations in the file. Lost edits must be 0.
- regions: WRITERS `crossdock new region` processes at once from one source stack; every VPC CIDR in
  the stacks directory must be disjoint.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from ipaddress import IPv4Network
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crossdock.cli import main  # noqa: E402
from crossdock.safe_yaml import YamlInputError, parse  # noqa: E402
from tests.tenancy.support import scratch_project  # noqa: E402

BOMB_LINES = ['  crossdock:a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
    BOMB_LINES.append(f"  crossdock:{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
BOMB = "config:\n" + "\n".join(BOMB_LINES) + "\n"
REGIONS = ["eu-central-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-west-2", "ap-northeast-1", "us-east-2",
           "ca-central-1"]  # fmt: skip


def stub_project(directory: Path) -> Path:
    project = scratch_project(directory)
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text("# stub program: planning is instant\n")
    return project


def crossdock(*argv: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "crossdock.cli", *argv], env=env, capture_output=True, text=True, check=False
    )


def bench_bomb(directory: Path) -> dict:
    parse_times = []
    for _ in range(20):
        started = time.perf_counter()
        with contextlib.suppress(YamlInputError):
            parse(BOMB)
        parse_times.append(time.perf_counter() - started)
    project = stub_project(directory / "bomb")
    (project / "stacks" / "Pulumi.bomb.yaml").write_text(BOMB)
    cli_times, code = [], None
    for _ in range(20):
        started = time.perf_counter()
        with contextlib.redirect_stderr(io.StringIO()):
            code = main(["plan", "bomb", "--project", str(project)])
        cli_times.append(time.perf_counter() - started)
    return {"lines": BOMB.count("\n"), "parse_ms": min(parse_times) * 1000, "cli_ms": min(cli_times) * 1000,
            "exit": code}  # fmt: skip


def bench_tenants(directory: Path, rounds: int, writers: int) -> dict:
    project = stub_project(directory / "tenants")
    env = project / "stacks" / "Pulumi.dev.yaml"
    started, failures, expected = time.perf_counter(), 0, set()
    for round_ in range(rounds):
        ids = [f"bench-{round_}-{index}" for index in range(writers)]
        argv = [["new", "tenant", tenant, "--env", "dev", "--isolation", "pool", "--project", str(project)]
                for tenant in ids]  # fmt: skip
        with ThreadPoolExecutor(max_workers=writers) as pool:
            failures += sum(result.returncode != 0 for result in pool.map(lambda a: crossdock(*a), argv))
        expected.update(ids)
    registered = {t["id"] for t in yaml.safe_load(env.read_text())["config"]["crossdock:tenants"]}
    return {"runs": rounds * writers, "failed_runs": failures, "lost_edits": len(expected - registered),
            "seconds": time.perf_counter() - started}  # fmt: skip


def bench_regions(directory: Path, writers: int) -> dict:
    project = stub_project(directory / "regions")
    regions = REGIONS[:writers]
    argv = [["new", "region", "--from", "dev", "--region", region, "--project", str(project)] for region in regions]
    with ThreadPoolExecutor(max_workers=len(argv)) as pool:
        failures = sum(result.returncode != 0 for result in pool.map(lambda a: crossdock(*a), argv))
    blocks = []
    for path in (project / "stacks").glob("Pulumi.*.yaml"):
        environment = yaml.safe_load(path.read_text())["config"].get("crossdock:environment")
        if environment:
            blocks.append(IPv4Network(environment["vpcCidr"]))
    overlaps = sum(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
    return {"runs": len(argv), "failed_runs": failures, "stacks": len(blocks), "overlapping_pairs": overlaps}


def run() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--writers", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crossdock-hostile-") as temporary:
        directory = Path(temporary)
        bomb = bench_bomb(directory)
        print(f"alias bomb ({bomb['lines']} lines, 9**9 strings): refused by the reader in {bomb['parse_ms']:.2f} ms, "
              f"by `crossdock plan` in {bomb['cli_ms']:.1f} ms (exit {bomb['exit']})")  # fmt: skip
        tenants = bench_tenants(directory, args.rounds, min(args.writers, 50))
        print(f"new tenant: {tenants['runs']} runs ({args.rounds} rounds x {args.writers} parallel processes) in "
              f"{tenants['seconds']:.1f} s: {tenants['failed_runs']} failed, {tenants['lost_edits']} lost edits")  # fmt: skip
        regions = bench_regions(directory, min(args.writers, len(REGIONS)))
        print(f"new region: {regions['runs']} parallel runs: {regions['failed_runs']} failed, {regions['stacks']} "
              f"stacks, {regions['overlapping_pairs']} overlapping VPC pairs")  # fmt: skip
    ok = bomb["exit"] == 2 and not tenants["lost_edits"] and not tenants["failed_runs"]
    ok = ok and not regions["overlapping_pairs"] and not regions["failed_runs"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(run())
