"""`govdocs init`: a new programme folder written for the user's own partners and KPIs.

The folder holds the project file (`govdocs.yaml`, which every command run inside it reads),
a governance config naming only the partners and KPIs given (so it validates as written, with
the optional features present as commented-out sections), a KPI data template with a row to
fill per partner, month and KPI, an inputs file and an actions file per partner, and a README
saying what to fill in. Nothing of the example programme is copied: no client, partner,
commercial term, client factor or action text of it can reach a user's documents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govdocs.data.actions import FIELDS as ACTION_FIELDS
from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.kpi_catalogue import BY_ID, CATALOGUE, FAMILY_LABEL, CatalogueKpi
from govdocs.periods import Quarter
from govdocs.project import PROJECT_FILE, last_complete_quarter
from govdocs.render.output import write_together

DEFAULT_KPIS = ("service_level", "abandonment", "fcr", "csat")
PARTNER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class StarterPartner:
    id: str
    name: str

    @classmethod
    def parse(cls, text: str) -> StarterPartner:
        """'ID=Name' (or just 'ID', named after itself)."""
        pid, _, name = text.partition("=")
        pid, name = pid.strip(), name.strip()
        if not PARTNER_ID.match(pid):
            raise ValueError(f"'{pid}' is not a partner id: letters, digits, '_', '-', '.', at most 32")
        return cls(pid, name or pid)


@dataclass(frozen=True)
class StarterRequest:
    directory: Path
    client: str
    partners: tuple[StarterPartner, ...]
    kpis: tuple[str, ...]
    today: date  # the day the folder is made (or --as-of): contract placeholders, the inputs' quarter
    force: bool = False
    as_of: date | None = None  # written to the project file: every run's issue date


def _q(text: str) -> str:
    """A YAML scalar that is read back as exactly this text (a JSON string is YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _weights(kpis: tuple[CatalogueKpi, ...]) -> dict[str, int]:
    """The catalogue's relative weights as whole numbers adding up to 100 (largest remainder):
    the config's weights are what the QBR prints, and weights of another total are scaled."""
    total = sum(k.weight for k in kpis)
    exact = {k.id: k.weight * 100 / total for k in kpis}
    whole = {kid: int(share) for kid, share in exact.items()}
    for kid in sorted(exact, key=lambda kid: whole[kid] - exact[kid])[: 100 - sum(whole.values())]:
        whole[kid] += 1
    return whole


def _kpi_block(kpi: CatalogueKpi, weight: int) -> str:
    lines = [
        f"  - id: {kpi.id}",
        f"    name: {_q(kpi.name)}",
        f"    definition: {_q(kpi.definition)}",
        f"    unit: {kpi.unit}",
        f"    direction: {kpi.direction}",
        f"    target: {_number(kpi.target)}",
        f"    floor: {_number(kpi.floor)}",
        f"    weight: {weight}",
        f"    aggregation: {kpi.aggregation}",
        f"    min_sample: {kpi.min_sample}            # volume = {kpi.volume}",
    ]
    if kpi.proportion:
        lines.append("    proportion: true           # a share of a sample: judged with its 95% interval")
    lines += [
        # A catalogue target is a benchmark, not a contract term: never written as an SLA. The
        # user sets contractual: true with the contract's clause (validate warns for a benchmark).
        "    contractual: false         # "
        + ("usually an SLA: " if kpi.contractual else "")
        + "true once your contract sets this target (its clause in target_source)",
        f"    controlled_by: {kpi.controlled_by}",
        f"    target_source: {_q(kpi.target_source)}   # replace with your contract's clause",
    ]
    if kpi.source_url:
        lines.append(f"    # default target checked against: {kpi.source_url}")
    if kpi.decimals != 1:
        lines.append(f"    decimals: {kpi.decimals}")
    if kpi.scale is not None:
        lines.append(f"    scale: [{_number(kpi.scale[0])}, {_number(kpi.scale[1])}]")
    if kpi.achievable_monthly_change is not None:
        lines.append(f"    achievable_monthly_change: {_number(kpi.achievable_monthly_change)}")
    return "\n".join(lines)


def _partner_block(partner: StarterPartner, today: date) -> str:
    start = date(today.year, 1, 1)
    end = date(today.year + 2, 12, 31)
    return "\n".join(
        [
            f"  - id: {_q(partner.id)}",
            f"    name: {_q(partner.name)}",
            "    # aliases: []                 # other names it goes by: kept out of other partners' copies",
            "    # peer_group: all             # partners are compared only within their group",
            "    contract:",
            f"      start: {start.isoformat()}",
            f"      end: {end.isoformat()}",
            "      notice_days: 90",
            "      auto_renew: false",
            "      renewal_months: 12          # the term an automatic renewal adds",
            "      # Placeholders, not your contract's terms: `validate` warns for each one listed here and",
            "      # the partner's documents print it as 'to be confirmed'. Set it from the contract, then",
            "      # remove it from this list.",
            "      to_confirm: [start, end, notice_days, auto_renew, renewal_months]",
            "    # contacts:",
            "    #   - {name: ..., role: Account Director, email: ..., side: partner}",
            "    #   - {name: ..., role: Vendor Manager, email: ..., side: client}",
        ]
    )


def config_text(client: str, partners: tuple[StarterPartner, ...], kpis: tuple[CatalogueKpi, ...], today: date) -> str:
    """The governance config for these partners and KPIs, every optional feature commented out."""
    first, ids = kpis[0].id, [k.id for k in kpis]
    contractual = [k.id for k in kpis if k.contractual] or [first]
    survey = next((k.id for k in kpis if k.id in ("csat", "nps", "fcr")), first)
    partner_list = ", ".join(_q(p.id) for p in partners)
    allocation = ", ".join(f"{k}: {round(100 / len(contractual))}" for k in contractual)
    sections = [
        f"""# govdocs governance config, written by `govdocs init` on {today.isoformat()}.
#
# It validates as written: `govdocs validate` (run in this folder) checks it with your data.
# The full reference of every field: `govdocs schema`, and docs/config.md. The KPIs come from
# govdocs' catalogue with their usual definitions and default targets; each target_source says
# where the default comes from: put your contract's SLAs and clauses in their place.
# Sections below that are commented out are optional features: uncomment one to use it.

version: 1

client:
  name: {_q(client)}
  # programme: Customer Care Outsourcing     # shown on every cover
  classification: Confidential              # printed in every running header/footer

# --- KPIs: one entry per KPI the data file holds (its `kpi` column) --------------------------
kpis:
""",
        "\n\n".join(_kpi_block(k, weight) for k, weight in zip(kpis, _weights(kpis).values(), strict=True)),
        "\n\n# --- Partners ------------------------------------------------------------------------------\n"
        "partners:\n",
        "\n\n".join(_partner_block(p, today) for p in partners),
        f"""

# --- Scoring and the escalation ladder (the defaults, written out to change) ----------------
scoring:
  method: banded
  points: {{green: 100, amber: 60, red: 0}}
  tiers:
    - {{name: Strategic, min_score: 90}}
    - {{name: Healthy, min_score: 75}}
    - {{name: Watch, min_score: 60}}
    - {{name: At risk, min_score: 0}}

escalation:
  consecutive_red_for_pip: 2        # a KPI red two months running calls for an improvement plan
  pip_score_below: 60
  failures_allowed_12m: 6           # red months of contractual KPIs before an offboarding review
  at_risk_tier: At risk
  at_risk_quarters: 2

# --- Improvement plans ---------------------------------------------------------------------
pip:
  duration_days: 90
  cadence: fortnightly              # weekly | fortnightly | monthly | business_days
  # holiday_country: NL             # ISO code: check-ins skip its public holidays
  meeting_time: "10:00"
  timezone: Europe/Amsterdam

# --- Optional features: uncomment and fill in to use them ------------------------------------

# Actions proposed for every plan with an objective on the action's KPI (else the partner's
# actions file, actions/<ID>.csv, must hold one per objective):
# action_library:
#   - id: {first.upper()[:8]}-1
#     kpi: {first}
#     category: process_knowledge   # training | staffing_attrition | leadership_turnover |
#                                   # process_knowledge | tooling | client_policy
#     action: ...                   # what will be done, specifically
#     metric: ...                   # what shows it was done
#     threshold: ...                # e.g. ">= 90% of intervals, each week"
#     owner: ...
#     due_days: 30

# Service credits (needs contract.annual_value or fees on each partner):
# commercial:
#   at_risk_percent: 10
#   allocation: {{{allocation}}}
#   cap_percent: 10
#   earn_back_months: 2
#   credit_statuses: [red]

# An SLA that holds while the customer outcome gets worse:
# watermelon:
#   - {{sla: {contractual[0]}, outcome: {survey}}}

# What your own policy or tooling does to a KPI, printed for every partner it affects:
# client_factors:
#   - kpi: {first}
#     factor: ...
#     since: "{today.year}-01"
#     partners: [{partner_list}]

# The offboarding-readiness assessment's evidence:
# offboarding:
#   satisfaction_kpi: {survey}
#   volume_kpi: {first}

# KPIs computed from raw platform exports instead of data/kpis.csv: see docs/raw.md.
# raw_data: ...
""",
    ]
    text = "".join(sections)
    assert all(k in text for k in ids)
    return text


def data_template(partners: tuple[StarterPartner, ...], kpis: tuple[CatalogueKpi, ...], quarter: Quarter) -> bytes:
    """One row to fill per partner, month of the quarter and KPI: value and volume left blank."""
    lines = ["partner,period,kpi,value,volume"]
    lines += [f"{p.id},{m},{k.id},," for p in partners for m in quarter.months for k in kpis]
    return ("\n".join(lines) + "\n").encode("utf-8")


def actions_template() -> bytes:
    """The columns of a partner's proposed-actions file, ready for rows."""
    return (",".join(ACTION_FIELDS) + "\n").encode("utf-8")


def inputs_text(partner: StarterPartner, quarter: Quarter) -> str:
    # the id, not the name, in a comment: a name is checked as the config checks it, but a line
    # break in it would end a YAML comment and start keys of its own
    return f"""# What no data feed holds about partner {partner.id} for {quarter.label}: printed in its documents.
# Every section is optional; the fields are described in docs/data.md (human inputs).
partner: {_q(partner.id)}
quarter: {quarter}

# context:
#   - kind: attrition        # attrition | acquisition | leadership_turnover | offshore_move |
#                            # strategic_change | volume_change | other
#     since: "{quarter.months[0]}"
#     summary: ...
#     handling: ...

# commentary:
#   highlights: [...]
#   concerns: [...]
#   internal_notes: [...]     # internal copy only

# next_steps:
#   - action: ...
#     owner: ...
#     due: {quarter.end_date().isoformat()}
"""


def project_text(quarter: Quarter, as_of: date | None) -> str:
    pinned = f"as_of: {as_of.isoformat()}" if as_of else "# as_of: 2026-10-15"
    return f"""# govdocs project file: every govdocs command run in this folder (or below it, or with
# --project FOLDER) takes its paths and quarter from here; an option given on the command line wins.
# Paths are relative to this file's folder.
version: 1
config: governance.yaml
data: [data/kpis.csv]               # fill data/kpis-template.csv and save it under this name
inputs: inputs
actions: actions
assessments: assessments
output: output
# The quarter reviewed when --quarter is not given: last_complete is the last quarter that
# ended before the issue date ({quarter} on the day this folder was made), or name one: 2026-Q3.
quarter: last_complete
{pinned}          # the issue date when --as-of is not given (default: today)
"""


def readme_text(request: StarterRequest, quarter: Quarter) -> str:
    partners = ", ".join(f"{p.name} ({p.id})" for p in request.partners)
    return f"""# {request.client}: vendor governance with govdocs

Partners: {partners}. KPIs: {", ".join(request.kpis)}.

1. `governance.yaml`: check each KPI's target, floor and target_source against your contract,
   and each partner's contract dates.
2. `data/kpis-template.csv`: fill in value (and volume: the sample behind it) for every row and
   save it as `data/kpis.csv`; add rows for earlier months to show trends. Leave out the row of a
   month without data.
3. `inputs/<ID>.yaml`: context and commentary for each partner's review (optional).
4. `actions/<ID>.csv`: the partner's proposed actions when a plan is called for; one row per
   action, every column but replaces, status and note filled in.
5. Run, in this folder: `govdocs validate`, then `govdocs build` (documents in `output/{quarter}/`).
"""


def _refuse(directory: Path, message: str) -> GovdocsError:
    return GovdocsError([Problem("output.not_empty", message, Location(str(directory)), ExitCode.OUTPUT)])


def catalogue_kpis(ids: tuple[str, ...]) -> tuple[CatalogueKpi, ...]:
    unknown = [k for k in ids if k not in BY_ID]
    if unknown:
        known = ", ".join(k.id for k in CATALOGUE)
        raise GovdocsError(
            [
                Problem(
                    "usage.unknown_kpi",
                    f"no KPI '{k}' in the catalogue (known: {known})",
                    Location("--kpi"),
                    ExitCode.USAGE,
                )
                for k in unknown
            ]
        )
    return tuple(BY_ID[k] for k in dict.fromkeys(ids))


def check_names(config: bytes, request: StarterRequest) -> None:
    """The config about to be written, checked by the config's own loader (its model and
    checks: control and bidi characters, reserved and duplicate ids, names shared by two
    partners): a name `validate` would refuse is refused here, before anything is written, as
    the option that gave it (exit 2)."""
    from govdocs.config.loader import config_from_document
    from govdocs.yamlfile import load_yaml_bytes

    try:
        config_from_document(load_yaml_bytes(config, Path("governance.yaml"), ExitCode.CONFIG))
    except GovdocsError as exc:
        raise GovdocsError([_as_option(problem, request) for problem in exc.problems]) from None


def _as_option(problem: Problem, request: StarterRequest) -> Problem:
    """A problem of the written config, said of the option that gave the value."""
    path = problem.location.path or ""
    code = problem.code.replace("config.", "usage.", 1).replace("yaml.", "usage.", 1)
    if path.startswith("client"):
        return Problem(code, problem.message, Location("--client"), ExitCode.USAGE)
    if path.startswith("partners["):
        index = int(path[len("partners[") : path.index("]")])
        partner = request.partners[index]
        given = f"--partner {partner.id}={partner.name}" if partner.name != partner.id else f"--partner {partner.id}"
        return Problem(code, problem.message, Location(given), ExitCode.USAGE)
    return problem  # not a value the user gave: a fault of the starter itself, said as it is


def starter_files(request: StarterRequest) -> list[tuple[Path, bytes]]:
    """Every file of the new folder with its content."""
    if not request.partners:
        problem = Problem("usage.no_partner", "name at least one partner", Location("--partner"), ExitCode.USAGE)
        raise GovdocsError([problem])
    ids = [p.id for p in request.partners]
    twice = sorted({p for p in ids if ids.count(p) > 1})
    if twice:
        raise GovdocsError(
            [
                Problem("usage.duplicate_partner", f"partner '{p}' given twice", Location("--partner"), ExitCode.USAGE)
                for p in twice
            ]
        )
    kpis = catalogue_kpis(request.kpis or DEFAULT_KPIS)
    quarter = last_complete_quarter(request.today)
    root = request.directory
    config = config_text(request.client, request.partners, kpis, request.today).encode("utf-8")
    check_names(config, request)
    files = [
        (root / PROJECT_FILE, project_text(quarter, request.as_of).encode("utf-8")),
        (root / "governance.yaml", config),
        (root / "README.md", readme_text(request, quarter).encode("utf-8")),
        (root / "data" / "kpis-template.csv", data_template(request.partners, kpis, quarter)),
        (root / "assessments" / ".keep", b""),
    ]
    for partner in request.partners:
        files.append((root / "inputs" / f"{partner.id}.yaml", inputs_text(partner, quarter).encode("utf-8")))
        files.append((root / "actions" / f"{partner.id}.csv", actions_template()))
    return files


def create_starter(request: StarterRequest) -> list[Path]:
    """Write the folder, all files or none; never over an existing file."""
    directory = request.directory
    if directory.is_symlink() and not directory.exists():
        raise _refuse(directory, "is a symbolic link to nothing (or a loop); choose a new folder")
    if directory.exists() and not directory.is_dir():
        raise _refuse(directory, "is a file; choose a new folder")
    files = starter_files(request)
    existing = [path for path, _ in files if path.exists()]
    if existing:
        raise _refuse(existing[0], "exists already; choose a new folder (init never overwrites a file)")
    if directory.exists() and any(directory.iterdir()) and not request.force:
        raise _refuse(directory, "folder is not empty; choose a new folder or pass --force")
    write_together(files)
    return [path for path, _ in files]


def catalogue_table() -> list[tuple[str, str, str, str]]:
    """(id, name, family, default target) for `govdocs init --list-kpis` and the prompt."""
    arrow = {"higher_is_better": ">=", "lower_is_better": "<="}
    unit = {"percent": "%", "seconds": " s", "minutes": " min", "score": "", "count": "", "ratio": ""}
    return [
        (k.id, k.name, FAMILY_LABEL[k.family], f"{arrow[k.direction]} {_number(k.target)}{unit[k.unit]}")
        for k in CATALOGUE
    ]
