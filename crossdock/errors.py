"""Error types and message helpers shared by every layer of crossdock (it imports nothing of crossdock).

Every error a user can fix (bad stack name, broken YAML, a failing program)
is a ``CrossdockError``: the CLI prints its one-line message and exits with
``exit_code`` instead of showing a traceback.
"""

from __future__ import annotations


class CrossdockError(Exception):
    """Base class for errors the CLI reports as one line (exit code 2: bad input)."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        # Messages are shown as a single line; collapse any embedded newlines.
        super().__init__(one_line(message))

    @property
    def message(self) -> str:
        return str(self)


class ProjectError(CrossdockError):
    """The Pulumi project or stack files are missing or invalid."""


class ProgramError(CrossdockError):
    """The Pulumi program raised (or logged an error) while it ran offline."""


def one_line(text: str) -> str:
    """Join a possibly multi-line message into one line, dropping blank lines."""
    parts = [line.strip() for line in str(text).splitlines()]
    return " ".join(part for part in parts if part)


def dotted_key(loc: tuple[int | str, ...]) -> str:
    """A pydantic error location as the user typed the key: `("waivers", 0, "expires")` -> `waivers[0].expires`."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        else:
            parts.append(str(part))
    return ".".join(parts)
