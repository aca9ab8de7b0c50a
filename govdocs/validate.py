"""Validate step: config, KPI data and human inputs checked together, every problem collected.

`validate_inputs` is what `govdocs validate` prints (its --json output is exactly
`ValidationReport.to_dict()`); `cross_check` is also run before any document is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from govdocs.config.loader import load_config
from govdocs.config.model import GovernanceConfig, Kpi, Unit
from govdocs.data.actions import ProposedAction
from govdocs.data.inputs import PartnerInputs, load_partner_inputs, named_kpis
from govdocs.data.loader import load_kpi_data
from govdocs.data.problems import MAX_PROBLEMS
from govdocs.data.table import KpiData
from govdocs.errors import ExitCode, GovdocsError, Location, Problem, did_you_mean
from govdocs.isolation import name_index
from govdocs.periods import Month, Quarter

if TYPE_CHECKING:
    from govdocs.planning.pip import Plan
    from govdocs.scoring.engine import PartnerAssessment


def cross_check(config: GovernanceConfig, data: KpiData, data_paths: list[Path]) -> list[Problem]:
    """Data against config: unknown partner/KPI ids are errors; partners without rows are warnings."""
    problems: list[Problem] = []
    frame = data.frame
    known_partners = {p.id for p in config.partners}
    known_kpis = {k.id for k in config.kpis}
    for column, known, what in (("partner", known_partners, "partner"), ("kpi", known_kpis, "KPI")):
        unknown = frame[~frame[column].isin(known)]
        for value, rows in unknown.groupby(column, sort=True):
            first = rows.iloc[0]
            more = f" ({len(rows) - 1} more rows)" if len(rows) > 1 else ""
            hint = did_you_mean(str(value), sorted(known))
            # a typo or a case slip: the fix is the id in the data, never deleting the rows
            advice = (
                f"correct the {what} id in the data to the config's spelling"
                if hint
                else f"remove its rows with the {what} (or add the {what} back to the config)"
            )
            problems.append(
                Problem(
                    f"data.unknown_{column}",
                    f"{what} '{value}' is not in the config{hint}{more}: {advice}",
                    Location(str(data_paths[int(first["file"])]), int(first["line"]), column),
                    ExitCode.DATA,
                )
            )
    problems += domain_problems(config, data, data_paths)
    present = set(frame["partner"].unique())
    for partner in config.partners:
        if partner.id not in present:
            problems.append(
                Problem(
                    "data.partner_without_rows",
                    f"partner '{partner.id}' has no rows in the data",
                    Location(", ".join(p.name for p in data_paths)),
                    ExitCode.DATA,
                    severity="warning",
                )
            )
    return problems


def value_domain(kpi: Kpi) -> tuple[float, float | None]:
    """The values a KPI can take: its declared scale, else 0-100 for a percent, else 0 and up."""
    if kpi.scale is not None:
        return kpi.scale
    return (0.0, 100.0) if kpi.unit is Unit.PERCENT else (0.0, None)


def domain_problems(config: GovernanceConfig, data: KpiData, data_paths: list[Path]) -> list[Problem]:
    """Values the data cannot have (a percent of 173.5, a negative handle time, 12.5 calls, a
    fractional volume): each is refused with its file, line and column, never scored. Found on
    arrays; the first MAX_PROBLEMS in file order are named, the rest counted."""
    frame = data.frame
    values = frame["value"].to_numpy(dtype=float)
    volumes = frame["volume"].to_numpy(dtype=float)
    outside = np.zeros(len(frame), dtype=bool)
    fractional = np.zeros(len(frame), dtype=bool)
    kpi_column = frame["kpi"]
    kpis = {}
    for kpi in config.kpis:
        rows = (kpi_column == kpi.id).to_numpy()
        if not rows.any():
            continue
        kpis[kpi.id] = kpi
        low, high = value_domain(kpi)
        beyond = rows & ((values < low) | (values > high if high is not None else False))
        outside |= beyond
        if kpi.unit is Unit.COUNT:
            fractional |= rows & ~beyond & (values % 1 != 0)
    part_volume = ~np.isnan(volumes) & (volumes % 1 != 0)
    found = [(index, "value") for index in np.flatnonzero(outside | fractional)]
    found += [(index, "volume") for index in np.flatnonzero(part_volume)]
    files, lines = frame["file"].to_numpy(), frame["line"].to_numpy()
    found.sort(key=lambda item: (files[item[0]], lines[item[0]], item[1] == "volume"))
    layouts = [s.layout for s in data.sources]
    problems = []
    for index, what in found[:MAX_PROBLEMS]:
        number = int(files[index])
        line = int(lines[index]) if pd.notna(lines[index]) else None
        if what == "volume":
            message = (
                f"volume {volumes[index]:g} is not a whole number (volumes count contacts, surveys or evaluations)"
            )
            problems.append(
                Problem(
                    "data.fractional_volume", message, Location(str(data_paths[number]), line, "volume"), ExitCode.DATA
                )
            )
            continue
        kpi = kpis[kpi_column.iloc[index]]
        low, high = value_domain(kpi)
        span = f"{low:g} to {high:g}" if high is not None else f"{low:g} or more"
        reason = (
            f"is outside what a {kpi.unit.value} KPI can be ({span})"
            if outside[index]
            else "is not a whole number (a count)"
        )
        column = "value" if number >= len(layouts) or layouts[number] == "long" else kpi.id
        location = Location(str(data_paths[number]), line, column)
        problems.append(
            Problem("data.value_out_of_range", f"{kpi.id} value {values[index]:g} {reason}", location, ExitCode.DATA)
        )
    if len(found) > MAX_PROBLEMS:  # as for a file's own problems: the first ones, then a count
        more = Problem(
            "data.more_problems",
            f"{len(found) - MAX_PROBLEMS:,} more values out of range not shown; fix the ones above first",
            Location(", ".join(str(p) for p in data_paths)),
            ExitCode.DATA,
        )
        problems.append(more)
    return problems


@dataclass
class ValidationReport:
    config: str
    data: list[str]
    inputs: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, object] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> ExitCode:
        return min((p.category for p in self.errors), default=ExitCode.OK)

    def to_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "config": self.config,
            "data": self.data,
            "inputs": self.inputs,
            "summary": self.summary,
            "problems": [p.to_dict() for p in self.problems],
        }


def validate_inputs(
    config_path: Path,
    data_paths: list[Path],
    inputs_dir: Path | None = None,
    quarter: Quarter | None = None,
    raw: Path | None = None,
    actions: Path | None = None,
    as_of: date | None = None,
) -> ValidationReport:
    """Every problem of the config, the data (a KPI table, or raw exports: their rejected rows
    as warnings) and the human inputs, collected into one report."""
    report = ValidationReport(str(config_path), [str(p) for p in data_paths])
    config: GovernanceConfig | None = None
    try:
        config = load_config(config_path)
    except GovdocsError as exc:
        report.problems += exc.problems
    data: KpiData | None = None
    if data_paths:
        try:
            data = load_kpi_data(data_paths, [k.id for k in config.kpis] if config else None)
        except GovdocsError as exc:
            report.problems += exc.problems
    if config is not None and (raw is not None or (not data_paths and config.raw_data is not None)):
        from govdocs.raw.source import join_table, load_raw, raw_warnings

        try:
            config, aggregation = load_raw(config, config_path, raw)
            report.problems += raw_warnings(config, config_path, raw)
            computed = aggregation.kpi_data()
            table_paths = data_paths if data is not None else []  # a table that failed to load adds nothing
            joined = join_table(data, table_paths, computed) if data is not None else computed
        except GovdocsError as exc:
            report.problems += exc.problems
            data = None
        else:
            data, data_paths = joined, [*table_paths, *(f.path for f in aggregation.files)]
            report.data = [str(p) for p in data_paths]
            report.problems += aggregation.quality.problems()
    if config is not None and data is not None:
        report.problems += cross_check(config, data, data_paths)
    if config is not None and inputs_dir is not None:
        kpi_ids = {k.id for k in config.kpis}
        partner_ids = {p.id for p in config.partners}
        for path in sorted(inputs_dir.glob("*.yaml")):
            report.inputs.append(str(path))
            if path.name.endswith(RESPONSE_SUFFIX):  # a partner's imported answers: read as the documents read it
                report.problems += _response_file_problems(path, partner_ids)
                continue
            if path.stem not in partner_ids:
                report.problems.append(
                    Problem(
                        "inputs.unknown_partner",
                        f"no partner '{path.stem}' in the config: remove this file with the partner "
                        "(and its actions and assessment files), or add the partner back",
                        Location(str(path)),
                        ExitCode.INPUTS,
                    )
                )
                continue
            try:
                inputs = load_partner_inputs(path, path.stem, kpi_ids, str(quarter) if quarter else None)
            except GovdocsError as exc:
                report.problems += exc.problems
                continue
            report.problems += [
                replace(p, severity="warning", message=p.message + " (the internal copy is not affected)")
                for p in foreign_mentions(config, config_path, path.stem, inputs, path)
            ]
            report.problems += due_date_warnings(config, path, inputs)
            reviewed = quarter or (Quarter.parse(inputs.quarter) if inputs.quarter else None)
            if data is not None and reviewed is not None:
                report.problems += commentary_warnings(config, data, path, inputs, reviewed)
                from govdocs.scoring.engine import assess_partner

                assessed = assess_partner(config, data, config.partner(inputs.partner), reviewed)
                report.problems += reviewer_text_warnings(path, inputs, assessed)
    if config is not None and actions is not None:
        report.problems += actions_problems(config, config_path, data, quarter, actions, as_of or date.today())
    if config is not None and data is not None:
        report.problems += plan_record_problems(config, data, config_path)
    if config is not None:
        reviewed = quarter or (latest_quarter(data) if data is not None else None)
        if reviewed is not None:
            report.problems += contract_warnings(config, config_path, reviewed.shift(1))
        report.problems += fee_warnings(config, config_path)
        report.problems += unconfirmed_warnings(config, config_path)
        report.problems += benchmark_sla_warnings(config, config_path)
        report.problems += weight_warnings(config, config_path)
    if config is not None:
        report.summary["partners"] = len(config.partners)
        report.summary["kpis"] = len(config.kpis)
    if data is not None:
        months = sorted(data.frame["month"].unique().tolist())
        report.summary["rows"] = len(data.frame)
        if months:
            report.summary["months"] = f"{Month.from_index(months[0])} to {Month.from_index(months[-1])}"
    return report


RESPONSE_SUFFIX = ".response.yaml"
ACTIONS_SUFFIXES = (".yaml", ".yml", ".csv")


def actions_problems(
    config: GovernanceConfig,
    config_path: Path,
    data: KpiData | None,
    quarter: Quarter | None,
    actions: Path,
    as_of: date,
) -> list[Problem]:
    """Every problem of the proposed-actions files, as the build would find them, in one run:
    cells that cannot be read (a due date written 29/01/2027), and each action's SMART checks.
    Where the partner's plan can be worked out (data and a quarter, and a plan called for), the
    due dates are checked against its period and the objectives against its own; otherwise each
    objective must be a KPI of the programme. Build-time checks that need the whole plan (one
    partner action per objective) are left to the build."""
    from govdocs.data.actions import read_proposed_actions
    from govdocs.planning.pip import for_this_plan, not_smart, smart_problems

    single = actions.is_file()
    files = [actions] if single else sorted(p for p in actions.iterdir() if p.suffix.lower() in ACTIONS_SUFFIXES)
    partner_ids = {p.id for p in config.partners}
    programme = [k.id for k in config.kpis]
    problems: list[Problem] = []
    for path in files:
        if not single and path.stem not in partner_ids:
            problems.append(
                Problem(
                    "actions.unknown_partner",
                    f"no partner '{path.stem}' in the config{did_you_mean(path.stem, sorted(partner_ids))}: "
                    "no document reads this actions file (name it <PARTNER_ID>" + path.suffix + ")",
                    Location(str(path)),
                    ExitCode.INPUTS,
                    severity="warning",
                )
            )
            continue
        try:
            proposed, read = read_proposed_actions(path)
        except GovdocsError as exc:
            problems += exc.problems
            continue
        plan = None if single else _plan_for_actions(config, config_path, data, quarter, path.stem, as_of)
        checks: list[tuple[ProposedAction, list[str]]] = []
        if plan is not None:
            taken, aside = for_this_plan(proposed, plan.objectives, programme)
            ids = [o.kpi.id for o in plan.objectives]
            checks += [(a, smart_problems(a, ids, plan.start, plan.final_review.day, programme)) for a in taken]
            checks += [(a, smart_problems(a, None, None, None, programme)) for a in aside]
        else:
            checks += [(a, smart_problems(a, None, None, None, programme)) for a in proposed]
        numbers = {id(a): n for n, a in enumerate(proposed, start=1)}
        found = [*read, *(not_smart(a, numbers[id(a)], issues) for a, issues in checks if issues)]
        problems += sorted(found, key=lambda p: p.location.line or 0)
    return problems


def _plan_for_actions(
    config: GovernanceConfig, config_path: Path, data: KpiData | None, quarter: Quarter | None, pid: str, as_of: date
) -> Plan | None:
    """The plan a build on `as_of` would issue or follow up for the partner, without its actions:
    None when it cannot be told (no data or quarter, no plan called for, or the data cannot be
    scored: that is reported by the data's own checks)."""
    from govdocs.facts import partner_facts

    if data is None or quarter is None:
        return None
    try:
        facts = partner_facts(config, data, config.partner(pid), quarter, as_of, config_path)
    except GovdocsError:
        return None
    if facts.basis is not None and facts.basis.followed is not None:
        return facts.basis.followed.plan
    return facts.new_plan


def _response_file_problems(path: Path, partner_ids: set[str]) -> list[Problem]:
    from govdocs.response import load_responses

    partner = path.name[: -len(RESPONSE_SUFFIX)]
    if partner not in partner_ids:
        message = f"a response file for partner '{partner}', who is not in the config"
        return [Problem("inputs.unknown_partner", message, Location(str(path)), ExitCode.INPUTS)]
    try:
        load_responses(path.parent, partner)
    except GovdocsError as exc:
        return exc.problems
    return []


def _strings(value: object, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(path, value)]
    if isinstance(value, dict):
        return [item for key, child in value.items() for item in _strings(child, (*path, key))]
    if isinstance(value, list):
        return [item for i, child in enumerate(value) for item in _strings(child, (*path, i))]
    return []


def _isolation_problem(mention: tuple[str, str], partner_id: str, location: Location, category: ExitCode) -> Problem:
    form, other = mention
    return Problem(
        "isolation.other_partner_named",
        f"names '{form}', which identifies another partner ('{other}'), in text the partner copy for "
        f"'{partner_id}' prints; reword it or move it to commentary.internal_notes",
        location,
        category,
    )


def _config_texts(config: GovernanceConfig, partner_id: str) -> list[tuple[tuple[str | int, ...], str]]:
    """Config text a partner copy for `partner_id` prints: the programme-wide KPI terms and
    action library, the client factors that apply to it, and its own services, contact roles
    and target sources."""
    texts: list[tuple[tuple[str | int, ...], str | None]] = []
    for i, kpi in enumerate(config.kpis):
        texts += [(("kpis", i, key), getattr(kpi, key)) for key in ("name", "definition", "target_source")]
    for i, action in enumerate(config.action_library):
        texts += [
            (("action_library", i, key), getattr(action, key)) for key in ("action", "metric", "threshold", "owner")
        ]
    for i, factor in enumerate(config.client_factors):
        if factor.partners is None or partner_id in factor.partners:
            texts += [
                (("client_factors", i, key), getattr(factor, key)) for key in ("factor", "impact", "client_owner")
            ]
    index, partner = next((i, p) for i, p in enumerate(config.partners) if p.id == partner_id)
    texts += [(("partners", index, "services", j), service) for j, service in enumerate(partner.services)]
    texts += [(("partners", index, "contacts", j, "role"), c.role) for j, c in enumerate(partner.contacts)]
    texts += [(("partners", index, "targets", k, "target_source"), t.target_source) for k, t in partner.targets.items()]
    return [(path, text) for path, text in texts if text]


def foreign_mentions(
    config: GovernanceConfig,
    config_path: Path,
    partner_id: str,
    inputs: PartnerInputs | None,
    inputs_file: Path | None,
) -> list[Problem]:
    """Text that a partner copy for `partner_id` would print and that names another partner.

    A partner copy is refused rather than redacted: the author should reword it or move it
    to `commentary.internal_notes`, which only the internal copy prints."""
    from govdocs.yamlfile import load_yaml

    index = name_index(config)
    found: list[tuple[Path, tuple[str | int, ...], tuple[str, str]]] = []
    if inputs is not None and inputs_file is not None:
        data = inputs.model_dump(mode="json", exclude={"partner": True, "quarter": True})
        data.get("commentary", {}).pop("internal_notes", None)
        found += [(inputs_file, path, m) for path, text in _strings(data, ()) if (m := index.first(text, partner_id))]
    texts = _config_texts(config, partner_id)
    found += [(config_path, path, m) for path, text in texts if (m := index.first(text, partner_id))]
    problems = []
    documents: dict[Path, object] = {}
    for file, path, mention in found:
        category = ExitCode.INPUTS if file == inputs_file else ExitCode.CONFIG
        if file not in documents:
            documents[file] = load_yaml(file, category)
        location = documents[file].location(path)  # type: ignore[attr-defined]
        problems.append(_isolation_problem(mention, partner_id, location, category))
    return problems


def foreign_mentions_in_actions(
    config: GovernanceConfig, partner_id: str, actions: list[ProposedAction]
) -> list[Problem]:
    """Proposed actions a partner's plan prints that name another partner: one problem per action."""
    index = name_index(config)
    problems = []
    for action in actions:
        fields = action.fields
        texts = (fields.action, fields.metric, fields.threshold, fields.owner, fields.note)
        if match := next((m for text in texts if text and (m := index.first(text, partner_id))), None):
            problems.append(_isolation_problem(match, partner_id, action.location, ExitCode.INPUTS))
    return problems


def foreign_mentions_in_response(
    config: GovernanceConfig, partner_id: str, texts: list[str], path: Path
) -> list[Problem]:
    """A returned response whose text names another partner: a partner copy would print it."""
    index = name_index(config)
    match = next((m for text in texts if text and (m := index.first(text, partner_id))), None)
    return [] if match is None else [_isolation_problem(match, partner_id, Location(str(path)), ExitCode.INPUTS)]


def plan_record_problems(config: GovernanceConfig, data: KpiData, config_path: Path) -> list[Problem]:
    """Each plan on record rebuilt from its quarter's data, as every document will rebuild it."""
    from datetime import date

    from govdocs.planning.history import has_rows, plans_on_record, record_location

    problems: list[Problem] = []
    for i, partner in enumerate(config.partners):
        try:
            plans_on_record(config, data, partner, date.today(), config_path)
        except GovdocsError as exc:
            problems += exc.problems
        for j, record in enumerate(partner.plans):
            if not has_rows(data, partner.id, Quarter.parse(record.quarter)):
                problems.append(
                    Problem(
                        "config.plan_before_data",
                        f"the data has no row of '{partner.id}' in {record.quarter}: this plan cannot be judged, "
                        "so no document names it",
                        record_location(config_path, i, j),
                        ExitCode.CONFIG,
                        severity="warning",
                    )
                )
    return problems


def commentary_warnings(
    config: GovernanceConfig, data: KpiData, path: Path, inputs: PartnerInputs, quarter: Quarter
) -> list[Problem]:
    """The reviewer's words against the computed status: a highlight about a KPI short of target,
    or a concern about one on target, says the opposite of the scorecard beside it."""
    from govdocs.scoring.engine import assess_partner
    from govdocs.scoring.results import Status
    from govdocs.yamlfile import load_yaml

    partner = config.partner(inputs.partner)
    status = {k.kpi.id: k.current.status for k in assess_partner(config, data, partner, quarter).kpis}
    doc = None
    problems = []
    for key, wrong, said in (
        ("highlights", {Status.AMBER, Status.RED}, "below target"),
        ("concerns", {Status.GREEN}, "on target"),
    ):
        for i, text in enumerate(getattr(inputs.commentary, key)):
            for kpi in named_kpis(text, config.kpis):
                if status.get(kpi.id) in wrong:
                    doc = doc or load_yaml(path, ExitCode.INPUTS)
                    problems.append(
                        Problem(
                            f"inputs.{key}_contradict",
                            f"{key[:-1]} about {kpi.name}, which is {said} in {quarter.label} "
                            f"({status[kpi.id].value}): the QBR prints it beside that status",
                            doc.location(("commentary", key, i)),
                            ExitCode.INPUTS,
                            severity="warning",
                        )
                    )
    return problems


def reviewer_text_warnings(path: Path, inputs: PartnerInputs, assessment: PartnerAssessment) -> list[Problem]:
    """The reviewer's free text (commentary, context, notes on earlier actions) against the computed
    facts: a claim the data contradicts (a month's status, 'held at target', 'below the floor since
    ...', a KPI's percentage, a concern about a relieved month) is a warning at its line; so is a
    highlight or concern about the KPIs that states nothing the checker reads, since the partner
    copy leaves it out (govdocs.reviewer_claims says which claims are read)."""
    from govdocs.reviewer_claims import read_text
    from govdocs.yamlfile import load_yaml

    texts = _strings(inputs.model_dump(mode="json", exclude={"partner": True, "quarter": True}), ())
    problems, doc = [], None
    for where, text in texts:
        commentary = where[:2] in (("commentary", "highlights"), ("commentary", "concerns"))
        reading = read_text(text, assessment, concern=where[:2] == ("commentary", "concerns"))
        printed = (
            "the partner copy leaves it out; the internal copy prints it with the data"
            if commentary
            else "the documents print it as the reviewer's note"
        )
        for found in reading.contradicted:
            doc = doc or load_yaml(path, ExitCode.INPUTS)
            problems.append(
                Problem(
                    "inputs.reviewer_text_contradicts",
                    f"the reviewer's '{found.claim}' is contradicted by the data: {found.fact}; {printed}",
                    doc.location(where),
                    ExitCode.INPUTS,
                    severity="warning",
                )
            )
        if commentary and reading.verdict == "not checked":
            doc = doc or load_yaml(path, ExitCode.INPUTS)
            problems.append(
                Problem(
                    "inputs.reviewer_text_not_checked",
                    "the reviewer's sentence is about the KPIs but makes no claim the data can check (a KPI "
                    "held at, above or below its target or floor over named months, a status in a month, a "
                    "value): the partner copy leaves it out; the internal copy prints it as not checked",
                    doc.location(where),
                    ExitCode.INPUTS,
                    severity="warning",
                )
            )
    return problems


def latest_quarter(data: KpiData) -> Quarter | None:
    """The quarter of the data's latest month: the one a run would review."""
    latest = data.latest_month()
    return Quarter(latest.year, (latest.month - 1) // 3 + 1) if latest is not None else None


def contract_warnings(config: GovernanceConfig, config_path: Path, upcoming: Quarter) -> list[Problem]:
    """A contract that ends by the end of `upcoming` (the quarter after the one reviewed) without
    renewing itself, or whose end has passed: a warning at its `end` line. No plan is issued on an
    ended contract, and one that ends next quarter needs its renewal or exit decided now."""
    from govdocs.facts import contract_end_location
    from govdocs.render.formatters import long_date

    problems = []
    first_day = upcoming.months[0].first_day()
    for partner in config.partners:
        contract = partner.contract
        if contract.end > upcoming.end_date():
            continue
        if contract.auto_renew and contract.end >= first_day:
            continue  # it renews itself within the quarter: nothing ends
        if contract.auto_renew:
            code, message = (
                "config.contract_renewed",
                f"the contract of '{partner.id}' ended on {long_date(contract.end)} and renewed automatically "
                f"for {contract.renewal_months} months: set contract.end to the renewed end",
            )
        elif contract.end < first_day:
            code, message = (
                "config.contract_ended",
                f"the contract of '{partner.id}' ended on {long_date(contract.end)} and does not renew "
                "automatically: no improvement plan is issued on it (set contract.end if it was extended)",
            )
        else:
            code, message = (
                "config.contract_ending",
                f"the contract of '{partner.id}' ends on {long_date(contract.end)}, within {upcoming.label}, and "
                "does not renew automatically: decide on its renewal or the exit now",
            )
        location = contract_end_location(config, config_path, partner.id)
        problems.append(Problem(code, message, location, ExitCode.CONFIG, severity="warning"))
    return problems


def due_date_warnings(config: GovernanceConfig, path: Path, inputs: PartnerInputs) -> list[Problem]:
    """A due date a person wrote that falls on a weekend or a holiday of the programme's calendar:
    a warning at its line (the documents print it as written; generated dates fall on business days)."""
    from govdocs.planning.calendar import BusinessCalendar
    from govdocs.yamlfile import load_yaml

    dated = [("previous_actions", i, a.due) for i, a in enumerate(inputs.previous_actions)]
    dated += [("next_steps", i, s.due) for i, s in enumerate(inputs.next_steps)]
    if not dated:
        return []
    years = [due.year for _, _, due in dated]
    business = BusinessCalendar.from_settings(config.pip, range(min(years), max(years) + 2))
    late = [(key, i, due) for key, i, due in dated if not business.is_business_day(due)]
    if not late:
        return []
    doc = load_yaml(path, ExitCode.INPUTS)
    return [
        Problem(
            "inputs.due_not_business_day",
            f"due {due.isoformat()} is a {due.strftime('%A')} ({business.why_not(due)}), not a business day: the "
            f"business day before is {business.previous_before(due).isoformat()}, after "
            f"{business.next_after(due).isoformat()}",
            doc.location((key, i, "due")),
            ExitCode.INPUTS,
            severity="warning",
        )
        for key, i, due in late
    ]


def fee_warnings(config: GovernanceConfig, config_path: Path) -> list[Problem]:
    """A fixed monthly fee whose 12 months do not add up to the contract's annual value: the
    statement charges the fee as written, so the two figures the documents print disagree."""
    from govdocs.commercial import as_decimal as as_decimal_money
    from govdocs.commercial import partner_terms
    from govdocs.config.model import FeeBasis
    from govdocs.render.formatters import money
    from govdocs.yamlfile import load_yaml

    problems = []
    for index, partner in enumerate(config.partners):
        terms = partner_terms(config, partner)
        if terms is None or terms.annual_value is None or terms.fees.basis is not FeeBasis.MONTHLY:
            continue
        monthly = terms.fees.monthly
        if monthly is None or terms.round(terms.annual_value) == terms.round(12 * as_decimal_money(monthly)):
            continue
        own = partner.commercial is not None and partner.commercial.fees is not None
        path: tuple[str | int, ...] = ("partners", index, "commercial", "fees") if own else ("commercial", "fees")
        yearly = money(terms.round(12 * as_decimal_money(terms.fees.monthly)), terms.currency)
        problems.append(
            Problem(
                "config.fees_not_annual_value",
                f"'{partner.id}': 12 monthly fees of {money(terms.fees.monthly, terms.currency)} come to {yearly}, not "
                f"the contract's annual value of {money(terms.annual_value, terms.currency)}: set one from the other",
                load_yaml(config_path, ExitCode.CONFIG).location(path),
                ExitCode.CONFIG,
                severity="warning",
            )
        )
    return problems


def unconfirmed_warnings(config: GovernanceConfig, config_path: Path) -> list[Problem]:
    """A contract term `govdocs init` wrote as a placeholder and nobody confirmed yet (it is
    still in contract.to_confirm): a warning at the term's own line, one per term."""
    from govdocs.planning.contract import defaulted_terms
    from govdocs.yamlfile import format_path, load_yaml

    guessed = [
        (i, p, term)
        for i, p in enumerate(config.partners)
        for term in dict.fromkeys(p.contract.to_confirm)
        # the renewal term of a contract that does not renew itself is printed nowhere
        if term != "renewal_months" or p.contract.auto_renew
    ]
    defaulted = [(i, p) for i, p in enumerate(config.partners) if defaulted_terms(p.contract)]
    if not guessed and not defaulted:
        return []
    doc = load_yaml(config_path, ExitCode.CONFIG)
    problems = [
        Problem(
            "config.unconfirmed",
            f"'{partner.id}': a placeholder of `govdocs init` (covers say 'to be confirmed'): set it from the "
            f"contract, then remove {term} from {format_path(('partners', i, 'contract', 'to_confirm'))}",
            doc.location(("partners", i, "contract", term)),
            ExitCode.CONFIG,
            severity="warning",
        )
        for i, partner, term in guessed
    ]
    problems += [
        Problem(
            "config.renewal_term_default",
            f"'{partner.id}': the contract renews itself but renewal_months is not set: documents assume "
            f"{partner.contract.renewal_months} months and say the term is to be confirmed; set "
            f"{format_path(('partners', i, 'contract', 'renewal_months'))} from the contract",
            doc.location(("partners", i, "contract", "auto_renew")),
            ExitCode.CONFIG,
            severity="warning",
        )
        for i, partner in defaulted
    ]
    return problems


def benchmark_sla_warnings(config: GovernanceConfig, config_path: Path) -> list[Problem]:
    """A KPI marked contractual (an SLA: labelled so, counted towards the offboarding review,
    earning credits) whose target_source is still govdocs' catalogue benchmark, not a contract
    clause: a benchmark is not a contract term. A warning at its `contractual` line."""
    from govdocs.kpi_catalogue import CATALOGUE, COMMON_PRACTICE
    from govdocs.yamlfile import load_yaml

    benchmarks = {k.target_source for k in CATALOGUE} | {COMMON_PRACTICE}
    found = [
        (i, kpi)
        for i, kpi in enumerate(config.kpis)
        if kpi.contractual and kpi.target_source is not None and kpi.target_source.strip() in benchmarks
    ]
    if not found:
        return []
    doc = load_yaml(config_path, ExitCode.CONFIG)
    return [
        Problem(
            "config.benchmark_sla",
            f"KPI '{kpi.id}' is contractual (an SLA) but its target_source is govdocs' catalogue benchmark "
            f"('{kpi.target_source}'), not a contract clause: put the contract's clause in target_source, "
            "or set contractual: false",
            doc.location(("kpis", i, "contractual")),
            ExitCode.CONFIG,
            severity="warning",
        )
        for i, kpi in found
    ]


def weight_warnings(config: GovernanceConfig, config_path: Path) -> list[Problem]:
    """KPI weights that do not add up to 100: the score scales them to 100 (the QBR's method
    appendix says so); a warning at `kpis`, so that the scaling is never a surprise."""
    import math

    from govdocs.documents.qbr_appendix import weight_scaling
    from govdocs.yamlfile import load_yaml

    scaling = weight_scaling(config)
    if scaling is None:
        return []
    total = math.fsum(k.weight for k in config.kpis)
    return [
        Problem(
            "config.weights_not_100",
            f"the KPI weights add up to {total:g}, not 100: {scaling}",
            load_yaml(config_path, ExitCode.CONFIG).location(("kpis",)),
            ExitCode.CONFIG,
            severity="warning",
        )
    ]
