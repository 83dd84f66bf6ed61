"""Give a program the packages its project declares, as `pulumi up` would.

The Pulumi CLI installs a Python project's `requirements.txt` (or `pyproject.toml`
dependencies) into the project's virtual environment before it runs the program.
Offline, the program runs inside crossdock's own interpreter, so:

- a requirement crossdock's environment already satisfies (`pulumi>=3`, `pulumi-aws>=7`) is
  used as it is; one that crossdock's environment has at another version is a conflict
  (crossdock never changes its own pins): one line naming the package and both sides;
- the rest is installed once, with pip as configured on the machine, into a cache directory
  keyed by the hash of those requirements, the Python version and crossdock's own pins
  (`pip install --prefix`, constrained to crossdock's installed versions, so pip cannot
  touch them); pip's progress goes to stderr while it runs. A complete cache entry is reused
  without pip or network;
- the run appends the cache's site-packages to `sys.path` (after crossdock's own), so the
  program imports `pulumi_random`, `pulumi_tls`, ... from there.

The cache lives in `$CROSSDOCK_CACHE_DIR` (default `$XDG_CACHE_HOME/crossdock`, else
`~/.cache/crossdock`), under `requirements/<hash>/`.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from crossdock.engine.project import Project, display_path
from crossdock.errors import ProjectError

REQUIREMENTS_FILES = ("requirements.txt",)
_COMPLETE = ".crossdock-complete"
_PROGRESS = re.compile(r"^(Collecting|Downloading|Processing|Installing collected packages|Successfully installed)\b")


@dataclass(frozen=True)
class Declared:
    """One requirement as the project declares it, and where."""

    requirement: Requirement
    source: str
    """`requirements.txt:3` or `pyproject.toml`, relative to the working directory."""


@dataclass(frozen=True)
class Resolution:
    """What a run needs beyond crossdock's environment."""

    declared: tuple[Declared, ...]
    missing: tuple[Declared, ...]
    """Requirements crossdock's environment does not provide: installed into the cache."""
    site_dir: Path | None
    """The cache's site-packages, when something had to be installed."""


def declared_requirements(project: Project) -> list[Declared]:
    """The project's requirements: `requirements.txt` beside Pulumi.yaml (or the program), else `pyproject.toml`."""
    for directory in dict.fromkeys((project.directory, project.program_dir)):
        for name in REQUIREMENTS_FILES:
            path = directory / name
            if path.is_file():
                return list(_read_requirements_txt(path, set()))
    pyproject = project.directory / "pyproject.toml"
    if pyproject.is_file():
        return _read_pyproject(pyproject)
    return []


def resolve(
    project: Project,
    *,
    cache_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Resolution:
    """Check the project's requirements against crossdock's environment; install what is missing (cached)."""
    declared = declared_requirements(project)
    missing: list[Declared] = []
    for item in declared:
        req = item.requirement
        if req.marker is not None and not req.marker.evaluate():
            continue
        installed = _installed_version(req.name)
        if installed is None:
            missing.append(item)
        elif req.url or not req.specifier.contains(installed, prereleases=True):
            raise ProjectError(
                f"{item.source}: {req} conflicts with crossdock's {canonicalize_name(req.name)}=={installed} "
                "(programs run in crossdock's environment, whose pins never change): allow that version"
            )
    if not missing:
        return Resolution(tuple(declared), (), None)
    site_dir = _install(missing, cache_dir or default_cache_dir(), progress or _stderr_progress)
    return Resolution(tuple(declared), tuple(missing), site_dir)


def default_cache_dir() -> Path:
    if os.environ.get("CROSSDOCK_CACHE_DIR"):
        return Path(os.environ["CROSSDOCK_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "crossdock"


def cache_key(requirements: list[str]) -> str:
    """Hash of the requirements to install, the interpreter and crossdock's own installed versions."""
    payload = {
        "requirements": sorted(requirements),
        "local_files": sorted(_local_digests(requirements)),
        "python": f"{sys.version_info.major}.{sys.version_info.minor}",
        "platform": sysconfig.get_platform(),
        "pins": _own_pins(),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


# -- installing ------------------------------------------------------------------------------------


def _install(missing: list[Declared], cache_dir: Path, progress: Callable[[str], None]) -> Path:
    lines = [_pip_line(d) for d in missing]
    target = cache_dir / "requirements" / cache_key(lines)
    site_dir = _site_dir(target)
    if (target / _COMPLETE).is_file():
        return site_dir
    names = ", ".join(lines)
    progress(f"crossdock: installing the project's requirements ({names}) into {display_path(target)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        constraints = staging / "constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in _own_pins()), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--prefix",
            str(staging / "prefix"),
            "--no-warn-script-location",
            "--disable-pip-version-check",
            "--progress-bar",
            "off",
            "--constraint",
            str(constraints),
            *lines,
        ]
        output: list[str] = []
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_pip_env()
        ) as process:
            assert process.stdout is not None
            for line in process.stdout:
                line = line.rstrip()
                output.append(line)
                if _PROGRESS.match(line):
                    progress(f"  {line}")
        if process.returncode != 0:
            raise ProjectError(_pip_failure(output, missing))
        (staging / "prefix" / _COMPLETE).write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            os.replace(staging / "prefix", target)  # atomic: a cache entry is complete or absent
        except OSError:
            if not (target / _COMPLETE).is_file():  # another run won the race with a complete entry
                raise
        progress(f"crossdock: installed {names}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return site_dir


def _local_digests(requirements: list[str]) -> list[str]:
    """Content hashes of local wheels/archives the requirements name: a rebuilt wheel is a new cache entry."""
    out = []
    for line in requirements:
        _, sep, url = line.partition(" @ file://")
        path = Path(url) if sep else None
        if path is not None and path.is_file():
            out.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return out


def _pip_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PIP_NO_INPUT"] = "1"
    return env


def _pip_failure(output: list[str], missing: list[Declared]) -> str:
    """One line: pip's first error, with the conflict's cause when pip names one."""
    errors = [line[len("ERROR: ") :].strip() for line in output if line.startswith("ERROR: ")]
    causes: list[str] = []
    collecting = False
    for line in output:
        if line.startswith("The conflict is caused by:"):
            collecting = True
            continue
        if collecting:
            if not line.strip() or line.startswith(("To fix", "Additionally")):
                if causes:
                    break
                continue
            causes.append(line.strip().replace("The user requested (constraint) ", "crossdock pins "))
    first = next((e for e in errors if not e.startswith("ResolutionImpossible")), errors[0] if errors else "")
    sources = sorted({d.source.rsplit(":", 1)[0] for d in missing})
    message = f"cannot install the project's requirements ({', '.join(sources)}): {first or 'pip failed'}"
    if causes:
        message += f" ({'; '.join(causes)})"
    return message


def _site_dir(prefix: Path) -> Path:
    paths = sysconfig.get_paths(vars={"base": str(prefix), "platbase": str(prefix)})
    return Path(paths["purelib"])


def _stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# -- reading --------------------------------------------------------------------------------------------


def _read_requirements_txt(path: Path, seen: set[Path]) -> list[Declared]:
    where = display_path(path)
    if path.resolve() in seen:
        return []
    seen.add(path.resolve())
    out: list[Declared] = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{where}: cannot read file: {exc}") from exc
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-r ", "--requirement ")):
            out.extend(_read_requirements_txt(path.parent / line.split(None, 1)[1], seen))
            continue
        if line.startswith("-"):
            continue  # pip options (--index-url, -c ...): pip as configured on the machine decides
        if line.startswith((".", "/")) or line.endswith((".whl", ".tar.gz", ".zip")):
            local = (path.parent / line).resolve()
            name = local.name.split("-", 1)[0] if local.suffix == ".whl" else local.name
            line = f"{name} @ {local.as_uri()}"
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            raise ProjectError(f"{where}:{number}: invalid requirement {line!r}: {exc}") from exc
        out.append(Declared(requirement, f"{where}:{number}"))
    return out


def _read_pyproject(path: Path) -> list[Declared]:
    where = display_path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProjectError(f"{where}: cannot read dependencies: {exc}") from exc
    out = []
    for line in (data.get("project") or {}).get("dependencies") or []:
        try:
            out.append(Declared(Requirement(line), where))
        except InvalidRequirement as exc:
            raise ProjectError(f"{where}: invalid dependency {line!r}: {exc}") from exc
    return out


def _pip_line(item: Declared) -> str:
    return str(item.requirement)


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


_PINS: list[tuple[str, str]] | None = None


def _own_pins() -> list[tuple[str, str]]:
    """(name, version) of every distribution in crossdock's environment (what pip must not change)."""
    global _PINS  # noqa: PLW0603 - a per-process cache of the environment's pins
    if _PINS is None:
        pins = {}
        for dist in importlib.metadata.distributions():
            name = dist.metadata["Name"]
            if name and canonicalize_name(name) != "crossdock":
                pins[canonicalize_name(name)] = dist.version
        _PINS = sorted(pins.items())
    return _PINS
