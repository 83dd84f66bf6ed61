"""Class 2 of the hostile-input issue: nothing a user can cause is an internal error (exit 3).

Each case: exit 2, the exact line naming the file (and key), and every file unchanged.
"""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

import pytest

from crossdock.safe_yaml import MAX_BYTES, MAX_DEPTH

from .support import ROOT, cli, one_error, run_process, scratch_project, snapshot

STUB_PROGRAM = "# planning this program is instant: these tests exercise what happens before and around it\n"


@pytest.fixture()
def project(tmp_path: Path, monkeypatch) -> Path:
    """A scratch project (the working directory) whose program does nothing."""
    project = scratch_project(tmp_path / "project")
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text(STUB_PROGRAM)
    monkeypatch.chdir(project)
    return project


def refused(project: Path, *argv: str) -> str:
    before = snapshot(project)
    code, out, err = cli(*argv)
    assert code == 2, (code, out, err)
    assert snapshot(project) == before
    return one_error(err)


# -- stack files that are not files --------------------------------------------------------------------


@pytest.mark.parametrize("command", [["plan"], ["check", "--no-checkov"], ["export", "--format", "tf-plan",
                                                                            "--output", "out.json"]])  # fmt: skip
@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.symlink_to(p.name), "stacks/Pulumi.qa.yaml: is a symlink loop"),
        (lambda p: p.symlink_to("Pulumi.gone.yaml"),
         "stacks/Pulumi.qa.yaml: is a symlink to Pulumi.gone.yaml, which does not exist"),
        (lambda p: p.mkdir(), "stacks/Pulumi.qa.yaml: is a directory, not a file"),
        (os.mkfifo, "stacks/Pulumi.qa.yaml: is not a regular file"),
    ],
)  # fmt: skip
def test_a_stack_file_that_is_not_a_file(project: Path, command, make, message) -> None:
    make(project / "stacks" / "Pulumi.qa.yaml")
    name, *rest = command
    assert refused(project, name, "qa", *rest, "--project", ".") == f"crossdock: error: {message}"


def test_an_unreadable_stacks_directory(project: Path, monkeypatch) -> None:
    # root reads any directory, whatever its mode: the permission error is what a user meets
    real = os.lstat

    def denied(path, *args, **kwargs):
        if str(path).endswith("Pulumi.dev.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "lstat", denied)
    assert refused(project, "plan", "dev", "--project", ".") == (
        "crossdock: error: stacks/Pulumi.dev.yaml: cannot read file: Permission denied"
    )


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        (0o555, "stacks directory stacks is read-only; crossdock new writes stack files there"),
        (0o000, "stacks directory stacks cannot be read (permission denied)"),
    ],
)
@pytest.mark.parametrize(
    "argv",
    [
        ["tenant", "initech", "--env", "dev", "--isolation", "pool"],
        ["region", "--from", "dev", "--region", "eu-west-1"],
    ],
)
def test_a_read_only_or_unreadable_stacks_directory_for_new(project: Path, mode: int, message: str, argv) -> None:
    stacks = project / "stacks"
    before = snapshot(project)
    stacks.chmod(mode)
    try:
        code, out, err = cli("new", *argv, "--project", ".")
    finally:
        stacks.chmod(0o755)
    assert (code, out) == (2, "")
    assert one_error(err) == f"crossdock: error: {message}"
    assert snapshot(project) == before


def test_a_read_only_stack_file_for_new_tenant(project: Path) -> None:
    env = project / "stacks" / "Pulumi.dev.yaml"
    env.chmod(0o444)
    assert refused(project, "new", "tenant", "initech", "--env", "dev", "--isolation", "pool", "--project", ".") == (
        "crossdock: error: stacks/Pulumi.dev.yaml is read-only; crossdock new would change it"
    )
    assert stat.S_IMODE(env.stat().st_mode) == 0o444


# -- outputs -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("/dev/full", "cannot write report to /dev/full: No space left on device"),
        ("stacks/templates", "cannot write report to stacks/templates: it is a directory"),
    ],
)
def test_check_output_that_cannot_be_written(project: Path, output: str, message: str) -> None:
    argv = ("check", "dev", "--no-checkov", "--format", "json", "--output", output, "--project", ".")
    assert refused(project, *argv) == f"crossdock: error: {message}"


# -- new meets stack files it cannot use ----------------------------------------------------------------


def test_new_tenant_meets_an_invalid_environment(project: Path) -> None:
    env = project / "stacks" / "Pulumi.dev.yaml"
    env.write_text(env.read_text().replace("azCount: 2", "azCount: 50"))
    assert refused(project, "new", "tenant", "initech", "--env", "dev", "--isolation", "pool", "--project", ".") == (
        "crossdock: error: stacks/Pulumi.dev.yaml: crossdock:environment.azCount: Input should be less than or "
        "equal to 6 (got 50)"
    )


def test_new_tenant_meets_an_empty_tenants_value(project: Path) -> None:
    env = project / "stacks" / "Pulumi.prod.yaml"
    text = env.read_text()
    start = text.index("  crossdock:tenants:")
    end = text.index("\n  crossdock:", start + 1) if "\n  crossdock:" in text[start + 1 :] else len(text)
    env.write_text(text[:start] + "  crossdock:tenants:\n" + text[end + 1 :])
    for path in (project / "stacks").glob("Pulumi.prod-tenant-*.yaml"):
        path.unlink()
    assert refused(project, "new", "tenant", "initech", "--env", "prod", "--isolation", "pool", "--project", ".") == (
        "crossdock: error: stacks/Pulumi.prod.yaml: crossdock:tenants: expected a list (got None)"
    )


def test_a_broken_neighbour_is_named_and_blocks_only_what_needs_it(project: Path) -> None:
    (project / "stacks" / "Pulumi.scratch.yaml").write_text("config:\n  crossdock:environment: [unclosed\n")
    assert refused(project, "new", "tenant", "initech", "--env", "dev", "--isolation", "pool", "--project", ".") == (
        "crossdock: error: stacks/Pulumi.scratch.yaml:3: not valid YAML: expected ',' or ']', but got '<stream end>'; "
        "crossdock new reads every stack file to keep tenant ids unique: fix or move it"
    )
    code, _, err = cli("plan", "dev", "--project", ".")  # planning dev does not read the broken file
    assert (code, err) == (0, "")


# -- YAML that is too much -------------------------------------------------------------------------------

BOMB = """config:
  crossdock:a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
  crossdock:b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
  crossdock:c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
  crossdock:d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
  crossdock:e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
  crossdock:f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
  crossdock:g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
  crossdock:h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
  crossdock:i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


@pytest.mark.parametrize("command", [["plan"], ["check", "--no-checkov"]])
def test_an_alias_bomb_is_refused_in_well_under_a_second(project: Path, command) -> None:
    import crossdock.blueprint
    import crossdock.engine.view  # noqa: F401 - the refusal's, not the first import of the policy pack
    from crossdock.cli import build_parser

    build_parser()  # imports every command's argument module
    (project / "stacks" / "Pulumi.bomb.yaml").write_text(BOMB)  # 9 lines, 9**9 = 387 million strings
    before = snapshot(project)
    started = time.perf_counter()
    code, out, err = cli(command[0], "bomb", *command[1:], "--project", ".")
    elapsed = time.perf_counter() - started
    assert (code, out) == (2, "")
    assert one_error(err) == (
        "crossdock: error: stacks/Pulumi.bomb.yaml:3: alias *a is not allowed (aliases can expand a few lines into "
        "billions of values; write the value out)"
    )
    assert elapsed < 1.0
    assert snapshot(project) == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("config:\n  crossdock:x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n",
         f"stacks/Pulumi.odd.yaml:2: nested deeper than {MAX_DEPTH} levels"),
        ("config:\n  crossdock:x: !!binary aGVsbG8=\n", "stacks/Pulumi.odd.yaml:2: tag !!binary is not allowed"),
        ("config:\n  crossdock:x: !!set {a: null}\n", "stacks/Pulumi.odd.yaml:2: tag !!set is not allowed"),
        (b"config:\n  crossdock:x: \xff\xfe\n", "stacks/Pulumi.odd.yaml: is not UTF-8 text (invalid start byte at byte 23)"),
        ("#" * (MAX_BYTES + 1), f"stacks/Pulumi.odd.yaml: is {MAX_BYTES + 1} bytes; crossdock reads files of at most "
         f"{MAX_BYTES} bytes"),
    ],
)  # fmt: skip
def test_yaml_crossdock_will_not_read(project: Path, text, message: str) -> None:
    path = project / "stacks" / "Pulumi.odd.yaml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert refused(project, "plan", "odd", "--project", ".") == f"crossdock: error: {message}"


# -- a program that never returns ---------------------------------------------------------------------------

WAIT_PROGRAM = """import os, time
while not os.path.exists({release!r}):  # never returns until the test releases it
    time.sleep(0.01)
"""
BUSY_PROGRAM = "while True:  # a program stuck in a busy loop\n    pass\n"


@pytest.mark.parametrize(
    "argv",
    [["plan", "dev"], ["check", "dev", "--no-checkov"], ["export", "dev", "--format", "k8s", "--output", "k8s"]],
)
def test_timeout_stops_a_program_that_never_returns(tmp_path: Path, monkeypatch, argv) -> None:
    import threading

    import crossdock.export.kubernetes
    import crossdock.gate.check  # noqa: F401 - one second is the program's alone

    project = scratch_project(tmp_path / "project")
    release = tmp_path / "release"
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text(WAIT_PROGRAM.format(release=str(release)))
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    try:
        code, out, err = cli(*argv, "--project", str(project), "--timeout", "1")
    finally:
        release.touch()
        for thread in threading.enumerate():
            if thread.name == "crossdock-dev":
                thread.join(10)
    assert 1.0 <= time.perf_counter() - started < 5.0
    assert (code, out) == (2, "")
    assert one_error(err) == (
        f"crossdock: error: {argv[0]} dev: stopped after 1 s (--timeout) while running the Pulumi program of dev "
        "offline"
    )
    assert not (tmp_path / "k8s").exists()


def test_timeout_stops_a_busy_loop_in_a_real_process(tmp_path: Path) -> None:
    project = scratch_project(tmp_path / "project")
    (project / "__main__.py").unlink()
    (project / "__main__.py").write_text(BUSY_PROGRAM)
    result = run_process("plan", "dev", "--project", str(project), "--timeout", "3", timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    # Under a loaded machine the interpreter may still be importing crossdock when the time is up.
    assert result.stderr.startswith("crossdock: error: plan dev: stopped after 3 s (--timeout) while ")
    assert result.stderr.count("\n") == 1


def test_timeout_must_be_a_positive_number(capsys) -> None:
    with pytest.raises(SystemExit) as caught:
        cli("plan", "dev", "--timeout", "soon")
    assert caught.value.code == 2


def test_the_readme_documents_every_exit_code() -> None:
    readme = (ROOT / "README.md").read_text()
    for code in ("`0`", "`1`", "`2`", "`3`"):
        assert code in readme
    assert "`3` a bug in crossdock" in " ".join(readme.split())


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plan", "dev", "--project", "loop"], "project directory loop is a symlink loop"),
        (["check", "dev", "--no-checkov", "--project", "loop"], "project directory loop is a symlink loop"),
        (["new", "tenant", "x", "--env", "dev", "--isolation", "pool", "--project", "loop"],
         "--project or --stacks-dir is a symlink loop"),
        (["new", "region", "--from", "dev", "--region", "eu-west-1", "--stacks-dir", "loop"],
         "--project or --stacks-dir is a symlink loop"),
    ],
)  # fmt: skip
def test_a_project_or_stacks_directory_that_is_a_symlink_loop(project: Path, argv, message: str) -> None:
    (project / "loop").symlink_to("loop")
    assert refused(project, *argv) == f"crossdock: error: {message}"
