"""Which checkov ids block the gate: the project's catalog (crossdock's is `policies/checkov.yaml`).

Every entry names a checkov id, the category that decides its enforcement under the
stack's profile (the same rule as the pack's: resilience ids are advisory under the
development profile, security ids never are), and a one-line `why`. Every checkov id
that is not listed is advisory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from crossdock.errors import CrossdockError, dotted_key
from policies.profiles import Profile
from policies.rule import Category

CHECK_ID = re.compile(r"^CKV2?_[A-Z0-9]+_\d+$")
MIN_WHY_LENGTH = 20


class CatalogError(CrossdockError):
    """The catalog file is malformed: the gate refuses to guess which ids block."""


class _Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(description="checkov id (CKV_AWS_..., CKV2_AWS_..., CKV_K8S_...).")
    why: str = Field(min_length=MIN_WHY_LENGTH, description="One line for reviewers: why.")

    @field_validator("id")
    @classmethod
    def _check_id(cls, value: str) -> str:
        if not CHECK_ID.match(value):
            raise ValueError(f"not a checkov id: {value!r} (expected CKV_<FAMILY>_<n> or CKV2_<FAMILY>_<n>)")
        return value

    @field_validator("why")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return " ".join(value.split())


class MandatoryCheck(_Entry):
    """A checkov id that blocks the gate."""

    category: Category = Field(
        description="security or tenant: mandatory in every profile; resilience: production only."
    )


class AdvisoryCheck(_Entry):
    """An id considered and deliberately left advisory (documentation; no effect at run time)."""


class CatalogFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    mandatory: tuple[MandatoryCheck, ...] = Field(default=(), description="The checkov ids that block the gate.")
    advisory: tuple[AdvisoryCheck, ...] = Field(default=(), description="Ids deliberately left advisory, with why.")


@dataclass(frozen=True)
class Catalog:
    mandatory: dict[str, MandatoryCheck]
    path: Path
    advisory: dict[str, AdvisoryCheck] = field(default_factory=dict)

    def is_mandatory(self, check_id: str, profile: Profile) -> bool:
        entry = self.mandatory.get(check_id)
        if entry is None:
            return False
        return not (profile is Profile.DEVELOPMENT and entry.category is Category.RESILIENCE)

    def why(self, check_id: str) -> str:
        entry = self.mandatory.get(check_id) or self.advisory.get(check_id)
        return entry.why if entry else ""


def load_catalog(path: Path) -> Catalog:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise CatalogError(f"{path}: cannot read the checkov catalog ({error.strerror or error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise CatalogError(f"{path}{where}: not valid YAML ({getattr(error, 'problem', error)})") from None
    try:
        catalog = CatalogFile.model_validate(document)
    except ValidationError as error:
        problem = error.errors()[0]
        raise CatalogError(f"{path}: {dotted_key(problem['loc']) or 'mandatory'}: {problem['msg']}") from None
    mandatory: dict[str, MandatoryCheck] = {}
    advisory: dict[str, AdvisoryCheck] = {}
    for section, entries, seen in (
        ("mandatory", catalog.mandatory, mandatory),
        ("advisory", catalog.advisory, advisory),
    ):
        for index, entry in enumerate(entries):
            if entry.id in mandatory or entry.id in advisory:
                raise CatalogError(f"{path}: {section}[{index}].id: {entry.id} is listed twice")
            seen[entry.id] = entry  # type: ignore[assignment]  # each section's entries go to its own dict
    return Catalog(mandatory, path, advisory)
