"""Loading Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from crossdock.engine import ProjectError, load_project, load_stack

from .conftest import PROGRAMS


def make_project(root: Path, pulumi_yaml: str, stacks: dict[str, str], main: str = "import pulumi\n") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(textwrap.dedent(pulumi_yaml))
    for name, text in stacks.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    (root / "__main__.py").write_text(main)
    return root


def test_config_keys_values_and_secrets(tmp_path):
    root = make_project(
        tmp_path / "p",
        """
        name: shop
        runtime: python
        config:
          size: small
          replicas:
            type: integer
            default: 2
          aws:region: eu-west-1
          tags:
            value: {team: a}
        """,
        {
            "Pulumi.dev.yaml": """
            config:
              replicas: 03
              shop:enabled: true
              aws:config:profile: offline
              shop:window: 2024-01-01
              shop:db:
                user: admin
                password:
                  secure: v1:abc
              shop:ports: [80, 443]
              shop:token:
                secure: v1:xyz
              shop:empty:
            """
        },
    )
    stack = load_stack(load_project(root), "dev")
    assert stack.config == {
        "shop:size": "small",
        "shop:replicas": "03",  # scalars keep their source text, as the CLI passes them
        "aws:region": "eu-west-1",
        "shop:tags": '{"team":"a"}',
        "shop:enabled": "true",
        "aws:profile": "offline",
        "shop:window": "2024-01-01",
        "shop:db": '{"password":"[secret]","user":"admin"}',
        "shop:ports": "[80,443]",
        "shop:token": "[secret]",
        "shop:empty": "",
    }
    assert stack.secret_keys == {"shop:db", "shop:token"}
    assert stack.aws_region == "eu-west-1"
    assert json.loads(stack.config["shop:db"])["user"] == "admin"


def test_stack_config_dir_and_main(tmp_path):
    root = tmp_path / "p"
    (root / "src").mkdir(parents=True)
    (root / "src" / "__main__.py").write_text("")
    (root / "Pulumi.yaml").write_text("name: p\nruntime: {name: python}\nmain: src/\nstackConfigDir: envs\n")
    (root / "envs").mkdir()
    (root / "envs" / "Pulumi.a.yaml").write_text("config: {}\n")
    (root / "envs" / "Pulumi.b.yaml").write_text("")
    project = load_project(root)
    assert project.program == project.program_dir == (root / "src").resolve()
    assert project.stacks() == ["a", "b"]
    assert load_stack(project, "b").config == {}


def test_unknown_stack_names_expected_file_and_available_stacks():
    project = load_project(PROGRAMS / "component-app")
    with pytest.raises(ProjectError) as caught:
        load_stack(project, "qa")
    message = str(caught.value)
    assert message.startswith("unknown stack 'qa': expected stack file ")
    assert message.endswith("component-app/stacks/Pulumi.qa.yaml (available stacks: prod, staging)")


@pytest.mark.parametrize("stack", ["../x", "a b", ""])
def test_invalid_stack_names(stack):
    with pytest.raises(ProjectError, match="invalid stack name"):
        load_stack(load_project(PROGRAMS / "webserver"), stack)


def test_invalid_stack_yaml_names_file_and_line(tmp_path):
    root = make_project(
        tmp_path / "p", "name: p\nruntime: python\n", {"Pulumi.dev.yaml": "config:\n  a: [1, 2\n  b: 3\n"}
    )
    with pytest.raises(ProjectError) as caught:
        load_stack(load_project(root), "dev")
    message = str(caught.value)
    assert "Pulumi.dev.yaml:3: invalid YAML" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("pulumi_yaml", "expected"),
    [
        ("name: p\nruntime: python\nfoo: [\n", "Pulumi.yaml:4: invalid YAML"),
        ("- a\n- b\n", "expected a mapping"),
        ("runtime: python\n", "`name` is required"),
        ("name: p\n", "`runtime` is required"),
        ("name: p\nruntime: nodejs\n", "runtime 'nodejs' is not supported"),
        ("name: p\nruntime: python\nmain: missing/\n", "`main` points to 'missing/'"),
    ],
)
def test_invalid_project_file(tmp_path, pulumi_yaml, expected):
    root = tmp_path / "p"
    root.mkdir()
    (root / "Pulumi.yaml").write_text(pulumi_yaml)
    (root / "__main__.py").write_text("")
    with pytest.raises(ProjectError, match=expected.replace("[", r"\[")):
        load_project(root)


def test_missing_project_file(tmp_path):
    with pytest.raises(ProjectError, match=r"no Pulumi.yaml in .*: not a Pulumi project"):
        load_project(tmp_path)


def test_required_and_secret_project_keys(tmp_path):
    root = make_project(
        tmp_path / "p",
        "name: p\nruntime: python\nconfig:\n  owner:\n    type: string\n  apiKey:\n    type: string\n    secret: true\n",
        {"Pulumi.a.yaml": "config:\n  p:apiKey: plain\n", "Pulumi.b.yaml": "config:\n  owner: me\n  p:apiKey: plain\n"},
    )
    project = load_project(root)
    with pytest.raises(ProjectError, match="missing required config 'p:owner'"):
        load_stack(project, "a")
    with pytest.raises(ProjectError, match=r"declared secret in Pulumi.yaml; set it with `secure:`"):
        load_stack(project, "b")
