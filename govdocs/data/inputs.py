"""Load step, human half: the small YAML files holding what no data feed has.

One file per partner, `<inputs dir>/<partner id>.yaml`: partner context, the vendor
manager's commentary, client-side factors, earlier actions and their status, next steps.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, StringConstraints

from govdocs.data.context import ContextKind
from govdocs.errors import ExitCode, GovdocsError, Problem
from govdocs.limits import FILE_BYTES, LIST_ENTRIES, NAME_CHARACTERS, Name, Text
from govdocs.periods import Quarter

if TYPE_CHECKING:
    from govdocs.config.model import Kpi
    from govdocs.yamlfile import YamlDocument

Period = Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContextEvent(_Model):
    kind: ContextKind
    since: Period | None = Field(None, description="Month the event started, YYYY-MM (quote it).")
    summary: Text
    handling: Text | None = Field(None, description="How the partner handled or is handling it.")
    kpis: list[Annotated[StrictStr, StringConstraints(max_length=NAME_CHARACTERS)]] | None = Field(
        None,
        max_length=LIST_ENTRIES,
        description="KPI ids the event bears on (default: every KPI): a plan on one of them must answer it.",
    )


class Commentary(_Model):
    highlights: list[Text] = Field(
        default_factory=list, max_length=LIST_ENTRIES, description="What went well, in the reviewer's words."
    )
    concerns: list[Text] = Field(
        default_factory=list, max_length=LIST_ENTRIES, description="What must improve, in the reviewer's words."
    )
    internal_notes: list[Text] = Field(
        default_factory=list, max_length=LIST_ENTRIES, description="Printed only in the internal-audience document."
    )


class ClientFactor(_Model):
    kpi: StrictStr = Field(description="KPI id the factor affects.")
    factor: Text = Field(description="The client's policy, tooling or process that drives the result.")
    impact: Text | None = Field(None, description="Estimated effect, e.g. '+35 s per call'.")
    since: Period | None = None
    client_owner: Name | None = Field(None, description="Who on the client side owns the fix.")


class ActionStatus(StrEnum):
    DONE = "done"
    ON_TRACK = "on_track"
    LATE = "late"
    NOT_STARTED = "not_started"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class PreviousAction(_Model):
    id: Annotated[StrictStr, StringConstraints(max_length=NAME_CHARACTERS)] | None = None
    action: Text
    owner: Name
    due: date
    status: ActionStatus
    note: Text | None = None
    addresses: list[ContextKind] = Field(
        default_factory=list, max_length=LIST_ENTRIES, description="The kinds of partner context it answers."
    )
    metric: Text | None = Field(None, description="What measures it, when a plan carries it forward.")
    threshold: Text | None = Field(None, description="The level of the metric that counts as done.")
    side: Literal["partner", "client"] | None = Field(
        None, description="Whose action it is (default: the client's when its owner is a client contact)."
    )


class GapCause(StrEnum):
    CLIENT = "client"
    PARTNER = "partner"
    UNKNOWN = "unknown"


class DataGap(_Model):
    """Why a month of the quarter has no data, as the reviewer established it: a gap the client
    caused is never the partner's failure (no delivery asked of it, nothing held against it)."""

    month: Period = Field(description="The month without data, YYYY-MM (quote it); a month of the quarter.")
    cause: GapCause = Field(
        description="client: the client's system or process kept the data from being produced (not the "
        "partner's failure anywhere); partner: the partner did not deliver (a data-delivery step); unknown: "
        "not established yet (treated as the partner's delivery obligation)."
    )
    note: Text | None = Field(None, description="What happened, in the reviewer's words.")


class NextStep(_Model):
    action: Text
    owner: Name
    due: date


class PlanReference(_Model):
    quarter: StrictStr = Field(description="Quarter whose results called for the plan, e.g. 2026-Q1.")
    start: date


class PartnerInputs(_Model):
    partner: StrictStr = Field(description="Partner id; must match the file name.")
    quarter: StrictStr | None = Field(None, description="Quarter these inputs were written for, e.g. 2026-Q3.")
    context: list[ContextEvent] = Field(default_factory=list, max_length=LIST_ENTRIES)
    commentary: Commentary = Commentary()
    client_factors: list[ClientFactor] = Field(default_factory=list, max_length=LIST_ENTRIES)
    previous_actions: list[PreviousAction] = Field(default_factory=list, max_length=LIST_ENTRIES)
    next_steps: list[NextStep] = Field(default_factory=list, max_length=LIST_ENTRIES)
    data_gaps: list[DataGap] = Field(
        default_factory=list,
        max_length=LIST_ENTRIES,
        description="Months of the quarter without data and whose the gap is: client, partner or unknown.",
    )
    open_plan: PlanReference | None = Field(
        None, description="No longer read here: plans are recorded in the config, under partners[].plans."
    )


EMPTY_INPUTS_HASH = hashlib.sha256(b"").hexdigest()


def _dated_problems(inputs: PartnerInputs, doc: YamlDocument, quarter: str | None) -> list[Problem]:
    """Dates that cannot belong to the review the file is for: context that starts after the
    quarter ended, a next step due before the review that agrees it."""
    try:
        reviewed = Quarter.parse(quarter or inputs.quarter or "")
    except ValueError:
        return []  # no quarter to judge by (or a bad one, reported on its own)
    problems = []
    end = reviewed.end_date()
    for key, events in (("context", inputs.context), ("client_factors", inputs.client_factors)):
        for i, event in enumerate(events):
            if event.since is not None and event.since > str(reviewed.last_month):
                problems.append(
                    Problem(
                        "inputs.after_quarter",
                        f"since {event.since} is after {reviewed.label} ended: the review reports what had "
                        "happened by then",
                        doc.location((key, i, "since")),
                        ExitCode.INPUTS,
                    )
                )
    seen: set[str] = set()
    for i, gap in enumerate(inputs.data_gaps):
        if gap.month not in {str(m) for m in reviewed.months}:
            problems.append(
                Problem(
                    "inputs.gap_outside_quarter",
                    f"data gap {gap.month} is not a month of {reviewed.label}: the inputs explain this review's months",
                    doc.location(("data_gaps", i, "month")),
                    ExitCode.INPUTS,
                )
            )
        elif gap.month in seen:
            problems.append(
                Problem(
                    "inputs.gap_twice",
                    f"data gap {gap.month} is given twice: one cause per month",
                    doc.location(("data_gaps", i, "month")),
                    ExitCode.INPUTS,
                )
            )
        seen.add(gap.month)
    for i, step in enumerate(inputs.next_steps):
        if step.due <= end:
            problems.append(
                Problem(
                    "inputs.step_before_review",
                    f"next step due {step.due.isoformat()} is not after {reviewed.label} ended ({end.isoformat()}): "
                    "a next step is agreed at the review, so it falls due after it",
                    doc.location(("next_steps", i, "due")),
                    ExitCode.INPUTS,
                )
            )
    return problems


def named_kpis(text: str, kpis: Sequence[Kpi]) -> list[Kpi]:
    """The KPIs a reviewer's sentence names (by display name, any case)."""
    folded = text.casefold()
    return [k for k in kpis if k.name.casefold() in folded]


def inputs_path(directory: Path, partner_id: str) -> Path:
    return directory / f"{partner_id}.yaml"


def load_partner_inputs(path: Path, partner_id: str, kpi_ids: set[str], quarter: str | None = None) -> PartnerInputs:
    """Load and check one partner's inputs file; raise with every problem (exit code 5)."""
    from govdocs.yamlfile import load_yaml, model_from_document

    doc = load_yaml(path, ExitCode.INPUTS, FILE_BYTES)
    inputs = model_from_document(
        doc,
        PartnerInputs,
        "inputs",
        ExitCode.INPUTS,
        ("inputs.not_mapping", "expected a YAML mapping starting with 'partner:'"),
    )
    problems = []
    if inputs.partner != partner_id:
        problems.append(
            Problem(
                "inputs.wrong_partner",
                f"file is for partner '{inputs.partner}' but is named for '{partner_id}'",
                doc.location(("partner",)),
                ExitCode.INPUTS,
            )
        )
    if inputs.quarter is not None:
        # compare quarters, not spellings: 2026Q3 and 2026-q3 are 2026-Q3
        try:
            written = Quarter.parse(inputs.quarter)
        except ValueError as exc:
            problems.append(Problem("inputs.bad_quarter", str(exc), doc.location(("quarter",)), ExitCode.INPUTS))
        else:
            if quarter is not None and written != Quarter.parse(quarter):
                problems.append(
                    Problem(
                        "inputs.wrong_quarter",
                        f"inputs were written for {written}, the document is for {quarter}",
                        doc.location(("quarter",)),
                        ExitCode.INPUTS,
                    )
                )
    problems += _dated_problems(inputs, doc, quarter)
    if inputs.open_plan is not None:
        problems.append(
            Problem(
                "inputs.plan_moved",
                "plans are recorded in the config now: move this one to partners[].plans of "
                f"'{partner_id}' (quarter, start) so every document and the escalation ladder read it",
                doc.location(("open_plan",)),
                ExitCode.INPUTS,
            )
        )
    for i, factor in enumerate(inputs.client_factors):
        if factor.kpi not in kpi_ids:
            problems.append(
                Problem(
                    "inputs.unknown_kpi",
                    f"unknown KPI '{factor.kpi}'",
                    doc.location(("client_factors", i, "kpi")),
                    ExitCode.INPUTS,
                )
            )
    if problems:
        raise GovdocsError(problems)
    return inputs
