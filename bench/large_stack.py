"""Generate the large benchmark stack: 3 AZs, DR, 20 databases, 200 queues.

The stack is written into a scratch project that links the real program, so the
benchmark measures crossdock's own code path with a stack far beyond prod's size.
`databases` and `queues` scale it (bench/run.py --quick uses a small one).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATABASES = 20
QUEUES = 200
STACK = "large"


def large_stack_config(databases: int = DATABASES, queues: int = QUEUES) -> dict:
    """prod's config, scaled to `databases` databases and `queues` queues in total.

    prod's own databases and queues are kept (other settings, such as services and
    KPIs, refer to them by name); generated ones fill up the totals: databases
    alternate transactional/analytics, queues cycle through the criticality tiers.
    """
    prod = yaml.safe_load((ROOT / "stacks" / "Pulumi.prod.yaml").read_text())["config"]
    config = copy.deepcopy(prod)
    config["crossdock:environment"]["name"] = "bench"
    classes = ["transactional", "analytics"]
    kept_databases = list(config.get("crossdock:databases") or [])[:databases]
    config["crossdock:databases"] = kept_databases + [
        {"name": f"db-{i:02d}", "dataClass": classes[i % 2], "instanceClass": "db.r6g.large", "readers": 1}
        for i in range(databases - len(kept_databases))
    ]
    tiers = ["real-time-fulfillment", "near-real-time-integration", "internal-reporting", "deferred-analytics"]
    kept_queues = list(config.get("crossdock:queues") or [])[:queues]
    config["crossdock:queues"] = kept_queues + [
        {
            "name": f"flow-{i:03d}",
            "fifo": i % 5 == 0,
            "criticality": tiers[i % 4],
            "maxReceiveCount": 5,
            "ageAlarmSeconds": 600,
        }
        for i in range(queues - len(kept_queues))
    ]
    return {"config": config}


def write_project(directory: Path, databases: int = DATABASES, queues: int = QUEUES) -> Path:
    """A scratch project dir: the real Pulumi.yaml and program linked, plus the large stack file."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("Pulumi.yaml", "__main__.py", "components"):
        link = directory / name
        if not link.exists():
            link.symlink_to(ROOT / name)
    stacks = directory / "stacks"
    stacks.mkdir(exist_ok=True)
    config = large_stack_config(databases, queues)
    (stacks / f"Pulumi.{STACK}.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return directory
