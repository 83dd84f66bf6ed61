"""How crossdock writes files: atomically, never over its own inputs, and under a lock where others write too.

- `write_atomic`: a temporary file beside the target, flushed and fsynced, then renamed over it, so a
  reader (or an interrupted run) sees the old file or the new one, never half of one. Special files
  (`/dev/stdout`, a FIFO) are written in place: renaming over them would replace the device node.
- `refuse_inputs`: an output path that is (or links to) a file the run reads is refused before anything
  is written, so `check dev --output stacks/Pulumi.dev.yaml` cannot replace the stack file.
- `write_directory`: the files of a directory export, into a directory that is new, empty, or one that
  crossdock wrote before (marked by `MARKER`, which lists the files it wrote: only those are replaced).
- `directory_lock`: an advisory lock (flock) on a directory, held by every writer of the stacks
  directory (`crossdock new`), so two runs read, decide and write one after the other.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path

from crossdock.errors import CrossdockError

MARKER = ".crossdock-export"
"""File a directory export leaves beside its files: one written file name per line."""
LOCK_WAIT_SECONDS = 120.0


class OutputError(CrossdockError):
    """An output that cannot or must not be written (exit 2)."""


def write_atomic(path: Path, text: str, *, what: str = "file") -> None:
    """Write `text` to `path` all at once (temp file + rename), or raise OutputError naming the path."""
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(f"cannot write {what} to {path}: it is a directory")
    if info is not None and not stat.S_ISREG(info.st_mode):
        _write_special(path, text, what)
        return
    if info is not None and not info.st_mode & 0o222:
        raise OutputError(f"cannot write {what} to {path}: the file is read-only")
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info is not None else _default_mode())
        os.replace(temporary, path)
    except OSError as exc:
        _unlink_quietly(temporary)
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    except BaseException:
        _unlink_quietly(temporary)
        raise


def _write_special(path: Path, text: str, what: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
    except OSError as exc:
        raise OutputError(f"cannot write {what} to {path}: {exc.strerror or exc}") from None


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _unlink_quietly(path: str | Path) -> None:
    with suppress(OSError):
        os.unlink(path)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def refuse_inputs(output: Path, inputs: Iterable[tuple[Path, str]], *, flag: str = "--output") -> None:
    """OutputError when `output` is one of `inputs` ((path, what it is) pairs): by name, link or hard link."""
    target = Path(output)
    resolved = Path(os.path.realpath(target))
    identity = _identity(target)
    for path, what in inputs:
        same = Path(os.path.realpath(path)) == resolved or (identity is not None and _identity(path) == identity)
        if same:
            raise OutputError(
                f"{flag} {output} is {what}, which this run reads; refusing to write over it (pick another path)"
            )


def refuse_inputs_under(output: Path, directory: Path, inputs: Iterable[tuple[Path, str]], *, flag: str) -> None:
    """For a directory output: refuse it when any input lies inside it (its files could be replaced)."""
    root = Path(os.path.realpath(directory))
    for path, what in inputs:
        real = Path(os.path.realpath(path))
        if real == root or root in real.parents:
            raise OutputError(f"{flag} {output} holds {what} ({path}), which this run reads; pick another directory")


def check_directory_output(directory: Path, *, flag: str = "--output") -> None:
    """Refuse a directory that exists, is not empty and was not written by crossdock (see `MARKER`)."""
    directory = Path(directory)
    if not directory.exists():
        return
    if not directory.is_dir():
        raise OutputError(f"{flag} {directory} is a file; a directory export writes a directory")
    try:
        entries = sorted(entry.name for entry in directory.iterdir())
    except OSError as exc:
        raise OutputError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    if entries and MARKER not in entries:
        shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise OutputError(
            f"{flag} {directory} is not empty and crossdock did not write it ({shown}); stale files would be "
            "scanned with the new ones: give a new or empty directory"
        )


def write_directory(directory: Path, files: Mapping[str, str], *, flag: str = "--output") -> None:
    """Write `files` (name -> text) into `directory` atomically each; remove what crossdock wrote there before."""
    directory = Path(directory)
    check_directory_output(directory, flag=flag)
    previous: list[str] = []
    marker = directory / MARKER
    if marker.is_file():
        previous = [line.strip() for line in marker.read_text(encoding="utf-8").splitlines() if line.strip()]
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write to {directory}: {exc.strerror or exc}") from None
    for name, text in files.items():
        write_atomic(directory / name, text, what="manifest")
    for name in previous:
        if name not in files and "/" not in name and name not in (".", "..", MARKER):
            _unlink_quietly(directory / name)
    listing = "".join(f"{name}\n" for name in files)
    write_atomic(marker, listing, what="export marker")


@contextmanager
def directory_lock(directory: Path, *, wait: float = LOCK_WAIT_SECONDS, purpose: str = "write") -> Iterator[None]:
    """Hold an exclusive advisory lock (flock) on `directory` itself; OutputError if it cannot be had."""
    try:
        descriptor = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        raise OutputError(f"cannot lock {directory}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise OutputError(f"cannot lock {directory}: {exc.strerror or exc}") from None
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"{directory} is locked by another crossdock run for {wait:.0f} s; try again when it ends"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock
