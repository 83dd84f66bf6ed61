"""The parity results, computed once per test run.

checkov runs twice (HCL and export, in parallel, ~10 s together). Under pytest-xdist
every worker that runs a parity test needs the results, so the first worker computes
them under a file lock in the run's shared temporary directory and the others read them.
"""

from __future__ import annotations

import fcntl
import os
import pickle

import pytest

from tests.checkov.support import require_checkov
from tests.parity.harness import Parity, run_parity


@pytest.fixture(scope="session")
def parity(tmp_path_factory) -> Parity:
    executable = require_checkov()
    # Under xdist each worker's basetemp is a child of the run's directory; alone, it is the run's.
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    cached = shared / "crossdock-parity.pickle"
    with open(shared / "crossdock-parity.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if cached.exists():
                return pickle.loads(cached.read_bytes())
            result = run_parity(tmp_path_factory.mktemp("parity"), executable)
            cached.write_bytes(pickle.dumps(result))
            return result
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
