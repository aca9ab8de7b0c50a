"""Load step, the programme folder: `govdocs.yaml`, the project file that names a programme's
files (config, data, inputs, actions, assessments, output) and its quarter rule, so that every
command run inside the folder (or given `--project DIR`) needs no paths.

The file is found by walking up from the working folder, as git finds `.git`. Paths in it are
relative to its own folder. Each problem is reported with the file and line (exit 3, as for the
governance config); a path it names that does not exist is one of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictStr, StringConstraints

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.periods import Quarter
from govdocs.yamlfile import YamlDocument, load_yaml, model_from_document

PROJECT_FILE = "govdocs.yaml"
LAST_COMPLETE = "last_complete"

RelativePath = Annotated[StrictStr, StringConstraints(min_length=1, max_length=1_000)]
QuarterText = Annotated[StrictStr, StringConstraints(pattern=r"^(\d{4}-Q[1-4]|last_complete)$")]


class ProjectFile(BaseModel):
    """The project file's shape (`govdocs schema --of project` prints it as JSON Schema)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1] = Field(1, description="Project file format version.")
    config: RelativePath = Field("governance.yaml", description="The governance config.")
    data: list[RelativePath] = Field(
        default_factory=lambda: ["data/kpis.csv"], description="KPI data files (.csv, .xlsx, .parquet)."
    )
    raw: RelativePath | None = Field(None, description="A raw_data mapping to compute the KPIs from instead of data.")
    inputs: RelativePath | None = Field("inputs", description="Folder of human-input files, <PARTNER_ID>.yaml.")
    actions: RelativePath | None = Field("actions", description="Folder of partner-proposed actions.")
    assessments: RelativePath | None = Field("assessments", description="Folder of offboarding assessments.")
    templates: RelativePath | None = Field(None, description="Your template folder, searched first.")
    output: RelativePath = Field("output", description="Where documents go (OUTPUT/<quarter>/).")
    quarter: QuarterText = Field(
        LAST_COMPLETE,
        description="The quarter a command reviews when --quarter is not given: 'last_complete' (the last "
        "quarter that ended before the issue date) or a quarter such as 2026-Q3.",
    )
    as_of: date | None = Field(None, description="Issue date when --as-of is not given (default: today).")


@dataclass(frozen=True)
class Project:
    """A loaded project file: its folder and every path resolved against it."""

    file: Path
    settings: ProjectFile
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict, compare=False)

    def location(self, key: str) -> Location:
        """Where a value of the project file is written: file, line and key (config-path style)."""
        return Location(str(self.file), self.lines.get((key,)), path=key)

    @property
    def root(self) -> Path:
        return self.file.parent

    def path(self, relative: str) -> Path:
        return self.root / relative

    def quarter(self, as_of: date | None) -> Quarter:
        """The quarter under review: the project's fixed quarter, or the last that ended before
        the issue date (today unless --as-of or the project's as_of says otherwise)."""
        if self.settings.quarter != LAST_COMPLETE:
            return Quarter.parse(self.settings.quarter)
        return last_complete_quarter(as_of or self.settings.as_of or date.today())

    def paths(self) -> dict[str, Path | list[Path] | None]:
        s = self.settings
        one = {
            key: (self.path(value) if value is not None else None)
            for key, value in (
                ("config", s.config),
                ("raw", s.raw),
                ("inputs", s.inputs),
                ("actions", s.actions),
                ("assessments", s.assessments),
                ("templates", s.templates),
                ("output", s.output),
            )
        }
        return {**one, "data": [path for path in map(self.path, s.data) if _kind(path) != "nothing"]}

    def missing_data(self) -> list[str]:
        """Data files the project names that do not exist yet: a new programme's data/kpis.csv,
        before its template is filled in. Left out (the config and inputs still validate). A
        folder or a FIFO in a data file's place is not "still to come": `load_project` refuses it."""
        return [p for p in self.settings.data if _kind(self.path(p)) == "nothing"]


def _kind(path: Path) -> str:
    """What is at a path, without opening it: 'file' (regular), 'folder', 'nothing', or 'other'
    (a FIFO, a device, a socket: reading one could block or never end)."""
    try:
        if path.is_file():
            return "file"
        if path.is_dir():
            return "folder"
        return "other" if path.exists() or path.is_symlink() else "nothing"
    except OSError:
        return "other"


_KIND_WORDS = {"folder": "a folder", "other": "not a regular file (a FIFO, device or socket)", "file": "a file"}


def last_complete_quarter(day: date) -> Quarter:
    """The last quarter whose final day is before `day`: on 15 October 2026, 2026-Q3."""
    current = Quarter.parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return current.previous()


def find_project(start: Path | None) -> Path | None:
    """The nearest govdocs.yaml in `start` (default: the working folder) or a folder above it.
    A working folder that no longer exists, or a path that cannot be resolved, has none."""
    try:
        start = (Path.cwd() if start is None else start).resolve()
    except (OSError, RuntimeError):
        return None
    for folder in (start, *start.parents):
        candidate = folder / PROJECT_FILE
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    return None


def _missing(doc: YamlDocument, project: Project) -> list[Problem]:
    """Every path the file names that does not exist, at its line (output is made when needed;
    a data file may be still to come, see `Project.missing_data`)."""
    s = project.settings
    wanted: list[tuple[tuple[str | int, ...], str | None, str]] = [
        (("config",), s.config, "file"),
        (("raw",), s.raw, "file"),
        (("inputs",), s.inputs, "folder"),
        (("actions",), s.actions, "file or folder"),
        (("assessments",), s.assessments, "file or folder"),
        (("templates",), s.templates, "folder"),
    ]
    problems = []
    for key, relative, kind in wanted:
        if relative is None:
            continue
        found = _kind(project.path(relative))
        if found != "nothing" and found not in kind.split(" or "):
            problems.append(_wrong_kind(doc, key, relative, kind, found))
        elif found == "nothing":
            problems.append(
                Problem(
                    "project.missing_path",
                    f"no {kind} '{relative}' in {project.root} (paths are relative to the project file's folder)",
                    doc.location(key),
                    ExitCode.CONFIG,
                )
            )
    for i, relative in enumerate(s.data):
        found = _kind(project.path(relative))
        if found not in ("file", "nothing"):  # nothing: a data file still to come (missing_data)
            problems.append(_wrong_kind(doc, ("data", i), relative, "file", found))
    return problems


def _wrong_kind(doc: YamlDocument, key: tuple[str | int, ...], relative: str, wanted: str, found: str) -> Problem:
    message = f"'{relative}' is {_KIND_WORDS[found]}, where a {wanted} is expected"
    return Problem("project.wrong_kind", message, doc.location(key), ExitCode.CONFIG)


def load_project(path: Path) -> Project:
    """A project file, or a folder holding one; every problem with its line (exit 3)."""
    file = path / PROJECT_FILE if path.is_dir() else path
    if not file.is_file():
        where = f"no {PROJECT_FILE} in this folder" if path.is_dir() else "no such file"
        hint = f"; `govdocs init {path}` writes one" if path.is_dir() else ""
        raise GovdocsError([Problem("project.not_found", where + hint, Location(str(path)), ExitCode.CONFIG)])
    doc = load_yaml(file)
    what = "the project file is empty" if doc.data is None else "the project file must be a YAML mapping"
    settings = model_from_document(doc, ProjectFile, "project", ExitCode.CONFIG, ("project.not_mapping", what))
    project = Project(file, settings, dict(doc.lines))
    problems = _missing(doc, project)
    if problems:
        raise GovdocsError(problems)
    return project
