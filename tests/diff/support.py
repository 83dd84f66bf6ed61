"""A scratch git repository holding a copy of the blueprint, for `crossdock diff` and `deploy-gate` tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COPIED = ("Pulumi.yaml", "__main__.py", "components", "crossdock", "policies", "stacks")


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=crossdock-test", "-c", "user.email=test@example.com", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def scratch_repository(directory: Path) -> Path:
    """A git repository whose first commit is a copy of the current project (program, tooling, stacks)."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, directory / name, ignore=ignore)
        else:
            shutil.copy(source, directory / name)
    git(directory, "init", "-q", "-b", "main")
    git(directory, "add", "-A")
    git(directory, "commit", "-q", "-m", "base")
    return directory


def remove_queue_and_widen_policy(repo: Path) -> None:
    """The change of the issue's acceptance test: prod loses the edi-inbound queue, flow logs get logs:*."""
    stack = repo / "stacks" / "Pulumi.prod.yaml"
    text = stack.read_text()
    block = (
        "    - name: edi-inbound\n"
        "      team: integrations\n"
        "      criticality: near-real-time-integration\n"
        "      maxReceiveCount: 5\n"
        "      visibilityTimeoutSeconds: 300\n"
        "      ageAlarmSeconds: 900\n"
    )
    assert block in text
    text = text.replace(block, "")
    text = text.replace("consumes: [asn-ingestion, edi-inbound]", "consumes: [asn-ingestion]")
    text = text.replace("queues: [asn-ingestion, edi-inbound]", "queues: [asn-ingestion]")
    text = text.replace(
        "flows: [shipment-confirmations, billing-triggers, edi-inbound]",
        "flows: [shipment-confirmations, billing-triggers]",
    )
    stack.write_text(text)
    flow_logs = repo / "components" / "flow_logs.py"
    source = flow_logs.read_text()
    old = '"Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],'
    assert old in source
    flow_logs.write_text(source.replace(old, '"Action": ["logs:*"],'))
