"""Parity: checkov gives crossdock's export of a Pulumi program the verdicts it gives the
equivalent Terraform.

For every case (a resource kind the blueprint uses) there is a Pulumi program
(`programs.py`) and its HCL twin (`hcl/<case>/<variant>/main.tf`), in a passing and a
failing variant. checkov runs on the HCL (`--framework terraform`) and on the export
(`--framework terraform_plan`); for every resource, the two must agree on every check
id: same ids evaluated, same PASSED/FAILED. A difference is a bug in the export (an
attribute named, shaped or valued differently from Terraform, or a missing reference),
and the failure message says which check, which attributes it read, and what the
export emitted for them.
"""

from __future__ import annotations

import json

import pytest

from tests.parity.harness import HCL_ROOT, VARIANTS, Parity
from tests.parity.programs import CASES

CASE_IDS = [(case, variant) for case in CASES for variant in VARIANTS]

REQUIRED_KINDS = {
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_db_subnet_group",
    "aws_sqs_queue",
    "aws_sqs_queue_policy",
    "aws_sns_topic",
    "aws_s3_bucket",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_replication_configuration",
    "aws_s3_bucket_policy",
    "aws_kms_key",
    "aws_iam_role",
    "aws_iam_policy",
    "aws_iam_role_policy",
    "aws_security_group",
    "aws_cloudwatch_metric_alarm",
    "aws_cloudwatch_log_group",
    "aws_backup_plan",
    "aws_backup_selection",
    "aws_lb",
}


def test_the_cases_cover_the_kinds_the_blueprint_uses() -> None:
    declared = {kind for case in CASES.values() for kind in case.kinds}
    assert declared >= REQUIRED_KINDS, f"no parity case for {sorted(REQUIRED_KINDS - declared)}"
    assert len(declared) >= 15
    for case in CASES.values():
        assert set(case.programs) == set(VARIANTS), f"{case.name}: needs a program per variant"
        for variant in VARIANTS:
            main = HCL_ROOT / case.name / variant / "main.tf"
            assert main.is_file(), f"missing {main.relative_to(HCL_ROOT.parent)}"
    on_disk = {path.name for path in HCL_ROOT.iterdir() if path.is_dir()}
    assert on_disk == set(CASES), f"HCL cases without a program (or the reverse): {sorted(on_disk ^ set(CASES))}"


@pytest.mark.parametrize("case, variant", CASE_IDS, ids=[f"{c}-{v}" for c, v in CASE_IDS])
def test_both_sides_declare_the_same_resources(parity: Parity, case: str, variant: str) -> None:
    key = (case, variant)
    hcl = parity.hcl.resources.get(key, set())
    exported = parity.export.resources.get(key, set())
    assert hcl == exported, (
        f"{case}/{variant}: only in HCL {sorted(hcl - exported)}, only in the export {sorted(exported - hcl)}"
    )
    kinds = {tf_type for tf_type, _ in hcl}
    assert set(CASES[case].kinds) <= kinds, f"{case}/{variant} declares no {sorted(set(CASES[case].kinds) - kinds)}"


@pytest.mark.parametrize("case, variant", CASE_IDS, ids=[f"{c}-{v}" for c, v in CASE_IDS])
def test_checkov_gives_the_export_the_verdicts_it_gives_the_hcl(parity: Parity, case: str, variant: str) -> None:
    key = (case, variant)
    hcl = parity.hcl.verdicts.get(key, {})
    exported = parity.export.verdicts.get(key, {})
    mismatches = []
    for resource in sorted(parity.hcl.resources.get(key, set()) | parity.export.resources.get(key, set())):
        want, got = hcl.get(resource, {}), exported.get(resource, {})
        for check_id in sorted(set(want) | set(got)):
            if want.get(check_id) != got.get(check_id):
                mismatches.append(_describe(parity, key, resource, check_id, want.get(check_id), got.get(check_id)))
    assert not mismatches, f"{case}/{variant}: {len(mismatches)} verdict(s) differ\n" + "\n".join(mismatches)


@pytest.mark.parametrize("case", list(CASES))
def test_each_case_exercises_both_verdicts(parity: Parity, case: str) -> None:
    """The passing variant passes checks its failing twin fails, so both verdicts are compared."""
    passed = {
        check
        for verdicts in parity.hcl.verdicts.get((case, "pass"), {}).values()
        for check, result in verdicts.items()
        if result == "PASSED"
    }
    failed = {
        check
        for verdicts in parity.hcl.verdicts.get((case, "fail"), {}).values()
        for check, result in verdicts.items()
        if result == "FAILED"
    }
    assert passed & failed, f"{case}: no check passes in the passing variant and fails in the failing one"


def test_the_export_maps_every_parity_type(parity: Parity) -> None:
    assert parity.export_warnings == []


def test_the_suite_compares_a_meaningful_number_of_verdicts(parity: Parity) -> None:
    compared = sum(len(checks) for per_case in parity.hcl.verdicts.values() for checks in per_case.values())
    assert compared >= 200, compared
    assert parity.checkov_version is not None


def _describe(parity: Parity, key, resource, check_id: str, want: str | None, got: str | None) -> str:
    tf_type, local = resource
    keys = (
        parity.hcl.evaluated.get((key, resource, check_id))
        or parity.export.evaluated.get((key, resource, check_id))
        or ()
    )
    values = parity.export.values.get((key, resource), {})
    shown = {k: values.get(k.split("/")[0].split(".")[0], "<absent>") for k in keys} if keys else values
    return (
        f"  {check_id} on {tf_type}.{local}: HCL {want or 'not evaluated'}, export {got or 'not evaluated'}; "
        f"checkov read {list(keys) or '?'}; the export emitted {json.dumps(shown, sort_keys=True)[:600]}"
    )
