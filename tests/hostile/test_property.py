"""Property: any stack file, however hostile, makes `crossdock plan` exit 0 or 2 with at most one error line.

Hypothesis generates stack files three ways: random YAML documents (random types, nesting, unicode keys
and values, sizes), the dev stack with one value anywhere in it replaced by a random one, and raw text.
Each is planned in-process with the real program in a scratch project. Examples are bounded and the run
is derandomized so CI is stable and fast; raise HYPOTHESIS_EXAMPLES to search longer locally.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .support import ROOT, cli, scratch_project

EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "25"))
SEARCHING = "HYPOTHESIS_EXAMPLES" in os.environ
DEV = yaml.safe_load((ROOT / "stacks" / "Pulumi.dev.yaml").read_text())

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["10.0.0.0/16", "0.0.0.0/0", "us-east-1", "production", "[secret]", "", "-", "~", "2026-01-01"]),
)
keys = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(["environment", "azCount", "vpcCidr", "tier", "region", "name", "tenants", "dataClasses",
                     "secure", "objectives", "az", "rpoMinutes"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5)),
    max_leaves=30,
)
config_keys = st.one_of(
    st.sampled_from(["crossdock:environment", "crossdock:dataClasses", "crossdock:queues", "crossdock:tenants",
                     "crossdock:tenant", "crossdock:cluster", "aws:region", "crossdok:environment", "aws:regon"]),
    keys,
)  # fmt: skip
random_documents = st.dictionaries(config_keys, values, max_size=6).map(lambda config: {"config": config})


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


DEV_PATHS = [path for path in _paths(DEV["config"]) if path]


def _replace(document, path, value):
    import copy

    result = copy.deepcopy(document)
    node = result["config"]
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return result


mutated_dev = st.builds(_replace, st.just(DEV), st.sampled_from(DEV_PATHS), values)


def _dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=4096)


stack_texts = st.one_of(
    random_documents.map(_dump),
    mutated_dev.map(_dump),
    st.text(max_size=300),
)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return scratch_project(tmp_path_factory.mktemp("property") / "project")


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not SEARCHING,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(text=stack_texts)
def test_any_stack_file_plans_or_is_refused_in_one_line(project: Path, text: str) -> None:
    (project / "stacks" / "Pulumi.fuzz.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli("plan", "fuzz", "--project", str(project))
    assert code in (0, 2), err
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("crossdock: error: "), err
    assert "internal error" not in err and "Traceback" not in err
