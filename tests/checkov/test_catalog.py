"""policies/checkov.yaml: the curated mandatory checkov ids, each with a category and a why."""

from __future__ import annotations

import re
import subprocess
import textwrap

import pytest

from crossdock.blueprint import CHECKOV_CATALOG
from crossdock.checkov import CatalogError, load_catalog
from policies.profiles import Profile
from policies.rule import Category
from policies.rules import RULES


def write(tmp_path, text: str):
    path = tmp_path / "checkov.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def test_the_catalog_loads_and_every_entry_says_why() -> None:
    catalog = load_catalog(CHECKOV_CATALOG)
    assert catalog.path == CHECKOV_CATALOG
    assert len(catalog.mandatory) >= 40
    for entry in [*catalog.mandatory.values(), *catalog.advisory.values()]:
        assert len(entry.why) >= 20 and "\n" not in entry.why, entry.id
    assert not set(catalog.mandatory) & set(catalog.advisory)


def test_security_ids_block_in_every_profile_resilience_ids_only_in_production() -> None:
    catalog = load_catalog(CHECKOV_CATALOG)
    assert catalog.mandatory["CKV_AWS_27"].category is Category.SECURITY
    assert catalog.is_mandatory("CKV_AWS_27", Profile.DEVELOPMENT)
    assert catalog.mandatory["CKV_AWS_21"].category is Category.RESILIENCE
    assert catalog.is_mandatory("CKV_AWS_21", Profile.PRODUCTION)
    assert not catalog.is_mandatory("CKV_AWS_21", Profile.DEVELOPMENT)
    assert not catalog.is_mandatory("CKV2_AWS_61", Profile.PRODUCTION)  # not listed: advisory


def test_the_packs_checkov_ids_are_mandatory_or_documented_as_advisory() -> None:
    """A pack rule names its checkov twin; the catalog must have decided about each twin."""
    catalog = load_catalog(CHECKOV_CATALOG)
    undecided = sorted(
        {rule.checkov_id for rule in RULES if rule.checkov_id}
        - set(catalog.mandatory)
        - set(catalog.advisory)
        - PACK_TWINS_NOT_IN_THE_BLUEPRINT
    )
    assert not undecided, f"decide in policies/checkov.yaml: {undecided}"


PACK_TWINS_NOT_IN_THE_BLUEPRINT = {
    # Twins of pack rules for resource types the blueprint does not declare (standalone RDS
    # instances, DynamoDB, Lambda permissions): they stay advisory until a component uses them.
    "CKV_AWS_157",
    "CKV_AWS_293",
    "CKV_AWS_16",
    "CKV_AWS_119",
    "CKV_AWS_301",
    # Stores third-party programs bring (Redshift, EFS, ElastiCache, OpenSearch, Kinesis, EBS volumes; pack
    # CD-ENC-101..106) and public ECR pushes (CD-EXP-007): the blueprint declares none of them.
    "CKV_AWS_64",
    "CKV_AWS_42",
    "CKV_AWS_29",
    "CKV_AWS_5",
    "CKV_AWS_43",
    "CKV_AWS_3",
    "CKV_AWS_32",
}


def test_every_listed_id_is_a_real_checkov_check(real_checkov) -> None:
    listing = subprocess.run(
        [str(real_checkov), "--list", "--skip-download"], capture_output=True, text=True, timeout=300, check=True
    ).stdout
    known = set(re.findall(r"\|\s*(CKV2?_[A-Z0-9]+_\d+)\s*\|", listing))
    assert len(known) > 1000
    catalog = load_catalog(CHECKOV_CATALOG)
    listed = set(catalog.mandatory) | set(catalog.advisory) | {rule.checkov_id for rule in RULES if rule.checkov_id}
    assert not listed - known, f"not checkov {real_checkov} ids: {sorted(listed - known)}"


@pytest.mark.parametrize(
    "body, fragment",
    [
        ("mandatory:\n  - id: CKV_AWS_27\n    category: security\n    why: short\n", "mandatory[0].why"),
        (
            "mandatory:\n  - id: CD-ENC-003\n    category: security\n    why: a long enough reason to pass\n",
            "not a checkov id",
        ),
        (
            "mandatory:\n  - id: CKV_AWS_27\n    category: style\n    why: a long enough reason to pass\n",
            "mandatory[0].category",
        ),
        ("mandatory:\n  - id: CKV_AWS_27\n    why: a long enough reason to pass\n", "mandatory[0].category"),
        (
            (
                "mandatory:\n  - id: CKV_AWS_27\n    category: security\n    why: a long enough reason to pass\n"
                "advisory:\n  - id: CKV_AWS_27\n    why: a long enough reason to pass\n"
            ),
            "CKV_AWS_27 is listed twice",
        ),
        ("mandatory: [\n", "not valid YAML"),
        ("blocking: []\n", "blocking"),
    ],
    ids=["short-why", "not-a-checkov-id", "bad-category", "missing-category", "twice", "bad-yaml", "unknown-key"],
)
def test_a_malformed_catalog_is_one_line_error(tmp_path, body: str, fragment: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(CatalogError) as raised:
        load_catalog(path)
    assert str(path) in str(raised.value) and fragment in str(raised.value)
    assert "\n" not in str(raised.value)
