"""The docs name every rule and every CLI command, so they cannot silently fall behind."""

from pathlib import Path

from crossdock.cli import COMMANDS
from policies.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_policy_reference_lists_every_rule() -> None:
    reference = (ROOT / "docs" / "policies.md").read_text()
    missing = [rule.id for rule in RULES if f"`{rule.id}`" not in reference]
    assert not missing, f"docs/policies.md lacks {missing}"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [name for name in COMMANDS if f"scripts/crossdock {name}" not in readme]
    assert not missing, f"README.md lacks {missing}"
