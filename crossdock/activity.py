"""What a crossdock command is doing right now, for the one line `--timeout` prints when it stops a run.

Commands and the gate set it as they move from phase to phase; nothing else reads it.
"""

from __future__ import annotations

_CURRENT = ["starting"]


def doing(what: str) -> None:
    """Record the phase now under way, e.g. "running the Pulumi program offline"."""
    _CURRENT[0] = what


def current() -> str:
    return _CURRENT[0]
