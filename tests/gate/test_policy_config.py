"""Per-rule config and enforcement from a `pulumi --policy-pack-config` file, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crossdock.blueprint import CheckOptions, check_plan
from crossdock.cli import main
from crossdock.errors import CrossdockError
from crossdock.gate.policy_config import load_policy_config
from policies.rules import RULES

from .conftest import ROOT

pytestmark = pytest.mark.usefixtures("cached_planning")


def write(tmp_path: Path, document) -> Path:
    path = tmp_path / "policy-config.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    return path


def test_config_values_reach_the_rule(prod_plan, tmp_path):
    baseline = check_plan(prod_plan, ROOT)
    assert not [f for f in baseline.findings if f.rule == "CD-RES-003"]
    stricter = write(tmp_path, {"CD-RES-003": {"minimumBackupRetentionDays": 30}})
    result = check_plan(prod_plan, ROOT, CheckOptions(policy_config=stricter))
    flagged = {f.name for f in result.findings if f.rule == "CD-RES-003"}
    assert "prod-data-reporting-cluster" in flagged  # analytics keeps 7 days
    assert "prod-data-orders-cluster" not in flagged  # transactional keeps 35


def test_enforcement_level_overrides_the_profile(prod_plan, tmp_path):
    config = write(tmp_path, {"CD-RES-003": {"enforcementLevel": "advisory", "minimumBackupRetentionDays": 30}})
    result = check_plan(prod_plan, ROOT, CheckOptions(policy_config=config))
    assert all(f.enforcement.value == "advisory" for f in result.findings if f.rule == "CD-RES-003")
    disabled = check_plan(prod_plan, ROOT, CheckOptions(policy_config=write(tmp_path, {"CD-RES-003": "disabled"})))
    assert not [f for f in disabled.findings if f.rule == "CD-RES-003"]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"CD-NOPE-001": {}}, "CD-NOPE-001: unknown rule id"),
        ({"CD-RES-003": "sometimes"}, "CD-RES-003.enforcementLevel: 'sometimes' is not one of"),
        ({"CD-RES-003": 3}, "CD-RES-003: expected an enforcement level or an object"),
        ("{not json", ":1: not valid JSON"),
    ],
)
def test_malformed_config_names_file_and_key(tmp_path, document, message):
    path = write(tmp_path, document)
    with pytest.raises(CrossdockError) as caught:
        load_policy_config(path, RULES)
    assert str(caught.value).startswith(str(path)) and message in str(caught.value)


def test_cli_bad_policy_config_is_exit_2(tmp_path, capsys):
    path = write(tmp_path, {"CD-NOPE-001": {}})
    assert main(["check", "prod", "--no-checkov", "--policy-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "unknown rule id" in err and "Traceback" not in err
