"""Load step, human half: the partner's proposed improvement actions (YAML or CSV).

Fields are read leniently here (all optional) so that a missing metric or owner is
reported by the SMART check as exactly that, one line per action, with its location.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from govdocs.config.model import ActionCategory, ActionDriver, Controller
from govdocs.data.inputs import ActionStatus, ContextKind
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.limits import FILE_BYTES, NAME_CHARACTERS, PROPOSED_ACTIONS, TEXT_CHARACTERS

FIELDS = (
    "id",
    "objective",
    "category",
    "action",
    "metric",
    "threshold",
    "owner",
    "due",
    "side",
    "replaces",
    "status",
    "note",
)


class ProposedActionFields(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = Field(None, max_length=NAME_CHARACTERS)
    objective: str | None = Field(
        None, max_length=NAME_CHARACTERS, description="KPI id of the objective the action serves."
    )
    category: ActionCategory | None = None
    action: str | None = Field(None, max_length=TEXT_CHARACTERS)
    metric: str | None = Field(None, max_length=TEXT_CHARACTERS)
    threshold: str | None = Field(None, max_length=TEXT_CHARACTERS)
    owner: str | None = Field(None, max_length=NAME_CHARACTERS)
    due: date | None = None
    side: Controller = Controller.PARTNER
    replaces: str | None = Field(
        None, max_length=NAME_CHARACTERS, description="Id of a library action this one replaces."
    )
    status: ActionStatus | None = None
    note: str | None = Field(None, max_length=TEXT_CHARACTERS)
    addresses: tuple[ContextKind, ...] = Field(
        (), max_length=10, description="Kinds of partner context the action answers ('attrition; offshore_move')."
    )
    driver: ActionDriver | None = Field(
        None, description="Where in the records the gap it closes lies (queue_process, interval_staffing, ...)."
    )

    @field_validator("addresses", mode="before")
    @classmethod
    def _kinds(cls, value: object) -> object:
        """A CSV cell lists them separated by ';' or ','; YAML gives a list."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.replace(",", ";").split(";") if part.strip())
        return () if value is None else value

    @field_validator("id", "objective", "action", "metric", "threshold", "owner", "replaces", "note", mode="before")
    @classmethod
    def _text(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("category", "status", "side", "due", "driver", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value


@dataclass(frozen=True)
class ProposedAction:
    fields: ProposedActionFields
    location: Location
    unreadable: frozenset[str] = frozenset()  # fields whose cell could not be read (reported already)


def _csv_problem(path: Path, code: str, message: str, line: int | None) -> GovdocsError:
    return GovdocsError([Problem(code, message, Location(str(path), line), ExitCode.INPUTS)])


def _csv_rows(path: Path, text: str) -> list[tuple[dict[str, str], int]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows = []
    header: list[str] | None = None
    start = 1  # physical line on which the record being read starts
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                header = [h.strip().lower() for h in record]
                unknown = [h for h in record if h.strip().lower() not in FIELDS]
                if unknown:
                    message = f"unknown column '{unknown[0]}' (columns: {', '.join(FIELDS)})"
                    raise _csv_problem(path, "actions.unknown_column", message, 1)
                twice = [h for i, h in enumerate(header) if h in header[:i]]
                if twice:
                    raise _csv_problem(path, "actions.duplicate_column", f"column '{twice[0]}' appears twice", 1)
                continue
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != len(header):
                fewer = "fewer" if len(record) < len(header) else "more"
                message = f"row has {len(record)} fields, {fewer} than the {len(header)} in the header"
                raise _csv_problem(path, "actions.ragged", message, line)
            rows.append((dict(zip(header, record, strict=True)), line))
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            message = 'unterminated quoted field (a " is never closed)'
        raise _csv_problem(path, "actions.malformed", f"cannot read CSV: {message}", start) from None
    return rows


def load_proposed_actions(path: Path) -> list[ProposedAction]:
    """Read a YAML file (`actions:` list) or a CSV file of proposed actions; raises with every
    problem of its rows (one line each) when any row cannot be read."""
    actions, problems = read_proposed_actions(path)
    if problems:
        raise GovdocsError(problems)
    return actions


def read_proposed_actions(path: Path) -> tuple[list[ProposedAction], list[Problem]]:
    """The actions of a file, and the problems of its rows. A row with a field that cannot be read
    (a due date written 29/01/2027) is given back too, that field left empty, so that the SMART
    checks of its other fields can be reported in the same run (`unreadable` names the fields).
    A problem with the file as a whole (not CSV, an unknown column) raises."""
    from govdocs.yamlfile import decode_text, load_yaml, pydantic_message, read_bounded

    problems: list[Problem] = []
    entries: list[tuple[object, Location]] = []
    if path.suffix.lower() == ".csv":
        raw = read_bounded(path, ExitCode.INPUTS, FILE_BYTES)
        text = decode_text(raw, str(path), ExitCode.INPUTS)
        if "\x00" in text:
            line = text[: text.index("\x00")].count("\n") + 1
            message = "file contains a NUL byte; is it really a CSV text file?"
            raise _csv_problem(path, "actions.nul_byte", message, line)
        for row, line in _csv_rows(path, text):
            entries.append((row, Location(str(path), line)))
    else:
        doc = load_yaml(path, ExitCode.INPUTS, FILE_BYTES)
        items = doc.data.get("actions") if isinstance(doc.data, dict) else None
        if not isinstance(items, list):
            raise GovdocsError(
                [
                    Problem(
                        "actions.shape",
                        "expected a mapping with an 'actions:' list",
                        Location(str(path), 1),
                        ExitCode.INPUTS,
                    )
                ]
            )
        entries = [(item, doc.location(("actions", i))) for i, item in enumerate(items)]
    if len(entries) > PROPOSED_ACTIONS:
        message = (
            f"{len(entries):,} proposed actions, more than the {PROPOSED_ACTIONS} one file may hold; "
            "a plan needs a few actions per objective"
        )
        raise GovdocsError([Problem("actions.too_many", message, entries[PROPOSED_ACTIONS][1], ExitCode.INPUTS)])
    actions = []
    for item, location in entries:
        try:
            actions.append(ProposedAction(ProposedActionFields.model_validate(item), location))
        except ValidationError as exc:
            bad: set[str] = set()
            for error in exc.errors():
                field = ".".join(str(p) for p in error["loc"])
                bad.add(str(error["loc"][0]) if error["loc"] else "")
                problems.append(
                    Problem(
                        f"actions.{error['type']}",
                        f"{field}: {pydantic_message(error, kind_of_file='actions')}",
                        location,
                        ExitCode.INPUTS,
                    )
                )
            if isinstance(item, dict) and not bad - set(FIELDS) - {"addresses"}:
                kept = {k: v for k, v in item.items() if k not in bad}
                try:
                    fields = ProposedActionFields.model_validate(kept)
                except ValidationError:
                    continue
                actions.append(ProposedAction(fields, location, frozenset(bad)))
    seen: dict[str, Location] = {}
    for action in actions:
        ref = action.fields.id
        if ref is None:
            continue
        if ref in seen:
            problems.append(
                Problem(
                    "actions.duplicate_id",
                    f"action id '{ref}' is used twice (first at line {seen[ref].line}): the plan would list two",
                    action.location,
                    ExitCode.INPUTS,
                )
            )
        seen.setdefault(ref, action.location)
    return actions, problems
