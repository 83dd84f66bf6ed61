"""What the checkov and parity suites share: finding the pinned checkov, or failing loudly in CI.

The suites need `.venv-checkov` (scripts/test runs scripts/bootstrap.sh, which creates
it). Without it they fail when `CI` is set, so a CI machine that lost checkov cannot
pass silently, and skip with the reason (and the fix) on a developer's machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crossdock.checkov import CheckovMissing, find_checkov


def require_checkov() -> Path:
    try:
        return find_checkov()
    except CheckovMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs checkov: {missing}", pytrace=False)
        pytest.skip(f"{missing} (CI runs these tests: scripts/test bootstraps checkov)")
