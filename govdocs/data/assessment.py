"""Load step, human half: the vendor manager's offboarding assessment file (YAML).

Ratings of the considerations for staying (1-5, with comment and evidence), the partner
risk factors and how they were handled, the status of each transition-checklist item,
and the improvement plan whose outcome counts as evidence. Missing ratings are allowed:
the document lists them instead of guessing.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictStr

from govdocs.config.model import GovernanceConfig
from govdocs.data.inputs import ContextKind, PlanReference
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.limits import FILE_BYTES, LIST_ENTRIES, Name, Text


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Rating(_Model):
    rating: Annotated[int, Strict()] = Field(ge=1, le=5, description="1 (very poor) to 5 (excellent).")
    comment: Text | None = None
    evidence: Text | None = Field(None, description="Where the evidence is: a link or a document reference.")


class RiskFactor(_Model):
    kind: ContextKind
    summary: Text
    handling: Text | None = Field(None, description="How the partner handled it.")


class ChecklistStatus(StrEnum):
    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class ChecklistEntry(_Model):
    status: ChecklistStatus
    owner: Name | None = None
    note: Text | None = Field(None, description="For a blocked item: what blocks it.")


class Assessment(_Model):
    partner: StrictStr
    assessed_by: Name
    assessed_on: date
    ratings: dict[str, Rating] = Field(default_factory=dict, description="Keyed by consideration id.")
    risk_factors: list[RiskFactor] = Field(default_factory=list, max_length=LIST_ENTRIES)
    checklist: dict[str, ChecklistEntry] = Field(default_factory=dict, description="Keyed by checklist item id.")
    pip: PlanReference | None = Field(
        None, description="No longer read here: plans are recorded in the config, under partners[].plans."
    )


def load_assessment(path: Path, partner_id: str, config: GovernanceConfig) -> Assessment:
    """Load and check one assessment file; every problem with its line (exit code 5)."""
    from govdocs.yamlfile import load_yaml, model_from_document

    doc = load_yaml(path, ExitCode.INPUTS, FILE_BYTES)
    assessment = model_from_document(
        doc,
        Assessment,
        "assessment",
        ExitCode.INPUTS,
        ("assessment.shape", "expected a YAML mapping starting with 'partner:'"),
    )
    problems = []
    if assessment.partner != partner_id:
        problems.append(
            ("assessment.wrong_partner", f"file is for '{assessment.partner}', not '{partner_id}'", ("partner",))
        )
    for key in assessment.ratings:
        if key not in config.offboarding.considerations:
            known = ", ".join(config.offboarding.considerations)
            problems.append(
                (
                    "assessment.unknown_consideration",
                    f"unknown consideration '{key}' (known: {known})",
                    ("ratings", key),
                )
            )
    items = {item.id for item in config.offboarding.checklist}
    for key in assessment.checklist:
        if key not in items:
            problems.append(
                (
                    "assessment.unknown_item",
                    f"unknown checklist item '{key}' (known: {', '.join(items)})",
                    ("checklist", key),
                )
            )
    if assessment.pip is not None:
        problems.append(
            (
                "assessment.plan_moved",
                "plans are recorded in the config now: move this one to partners[].plans of "
                f"'{partner_id}' (quarter, start) so every document and the escalation ladder read it",
                ("pip",),
            )
        )
    if problems:
        raise GovdocsError(
            [Problem(code, message, doc.location(where), ExitCode.INPUTS) for code, message, where in problems]
        )
    return assessment
