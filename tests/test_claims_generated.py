"""Every sentence true, on portfolios nobody wrote: the claims checker of test_claims.py run over
generated programmes.

Hypothesis draws 150 portfolios of 2-4 of the example partners, each with its contract moved
(end date, notice period, auto-renewal), its plans on record kept or dropped, and fifteen months
of KPI data (Jul 2025 - Sep 2026) drawn around each KPI's target and floor: green, amber and red
months, values on the rounding edge of a target or floor, proportions too close to the target to
call on a small sample, volumes below the minimum sample, missing months and missing quarters.
Each portfolio is built in-process as `govdocs build --format html` builds it (quarter 2026-Q3,
as of 15 October 2026, no inputs, actions or assessments), every written document is read back as
the text a reader sees, and its statements are checked against facts worked out apart from the
documents:

1. gap sentences ("5.9 pp short of the 80.0% target") belong to an amber or red KPI, with the gap
   the printed quarter value and target give; every amber or red KPI has one;
2. every date printed as a partner's notice deadline (QBR, plan, offboarding assessment, portfolio
   summary) is partner_clock()'s, with the days left counted from the as-of date;
3. counts agree with their nouns ("1 KPI", "2 KPIs") and with the statuses they count;
4. the cover says "without data" / "too close to call" exactly when the score rests on weight
   without data / weight too close to call;
5. the QBR cover's and the portfolio summary's score, tier and escalation status are the
   assessment's;
6. a partner copy names no other partner (name, alias or id) and carries none of the words kept
   out of partner copies (nor the internal copy's contract decisions);
and, beside them: no sentence contradicts itself as printed (an amber quarter that prints as its
target, "0 s above the 30 s target"; a red one that prints as its floor, "at 75.0% ... beyond the
75.0% floor"), "What went well" names no red KPI, and the build fails no document except for want
of data (no exception, no template error).

The facts: the quarter value and status of each KPI recomputed from the generated rows with the
config's rules written out here (weighted mean, pooled sample, Wilson interval), which must agree
with `assess_partner`; the score, tier, escalation and failures from `assess_partner`; the
deadline from `partner_clock`.

Failures are collected, not raised, so one run reports every class of false statement: each class
is its own test below, listing the failing portfolios (smallest first) with the document, the
sentence and the fact; the folders of the first failing portfolios of each class are kept under
the pytest basetemp (`claims-generated/`). The run ends with "claims checked: N statements over
M portfolios" on the terminal and in `claims-generated/summary.txt`.

Speed: the documents are the real context builders and templates, rendered to HTML. Only what puts
no words into the text is replaced: the matplotlib charts (an <img> with the chart's own alt text
instead of its drawing), the plan's .ics attachment and fsync; and two pure functions the build
calls again and again with the same arguments (the business calendar, the hash of a partner's
rows) are worked out once per portfolio. GOVDOCS_FUZZ_EXAMPLES=N runs N random portfolios instead
of the 150 derandomized ones.
"""

from __future__ import annotations

import copy
import csv
import math
import os
import re
import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import pytest
import yaml
from conftest import AS_OF, CONFIG, QUARTER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_set_claims import set_claim_failures, sets_of
from markupsafe import Markup
from test_claims import EXIT_PREPARATION, GAP, MEETING, PLUMBING, owner_of, score_statements

from govdocs.errors import ExitCode, GovdocsError

# --- Hypothesis profiles (the pattern of test_fuzz.py) -------------------------------------------

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
LONG_RUN = os.environ.get("GOVDOCS_FUZZ_EXAMPLES")
PORTFOLIOS = 150
settings.register_profile(
    "govdocs-claims-suite",
    max_examples=PORTFOLIOS,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=_QUIET,
)
settings.register_profile(
    "govdocs-claims-fuzz",
    max_examples=int(LONG_RUN or PORTFOLIOS),
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=_QUIET,
    print_blob=True,
)
CLAIMS = settings(settings.get_profile("govdocs-claims-fuzz" if LONG_RUN else "govdocs-claims-suite"))

# --- the programme the portfolios are drawn from -----------------------------------------------

EXAMPLE = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
PARTNER_IDS = [p["id"] for p in EXAMPLE["partners"]]
EXAMPLE_PLANS = {p["id"]: p.get("plans") for p in EXAMPLE["partners"]}
KPIS = {k["id"]: k for k in EXAMPLE["kpis"]}
MONTHS = [f"{y}-{m:02d}" for y, m in [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 10)]]
QUARTER_MONTHS = [str(m) for m in QUARTER.months]  # 2026-07 .. 2026-09
PREVIOUS_MONTHS = [str(m) for m in QUARTER.previous().months]
UNIT = {"percent": "%", "seconds": " s", "minutes": " min", "score": "", "count": "", "ratio": ""}
PROPORTION_Z = 1.959963984540054  # the 97.5% point of the normal distribution: a 95% interval

LEVELS = ["green", "amber", "red", "near", "edge", "mixed", "mixed"]
SAMPLES = ["normal", "normal", "normal", "small", "low_month", "low_quarter"]
GAPS = ["none", "none", "none", "some", "month", "quarter"]
# Contract deadlines that fall on a weekend or a Dutch public holiday (the plan calendar's): the
# deadline moves to the business day before. And the days right around the as-of date.
SPECIAL_DEADLINES = [
    date(2026, 12, 24),
    date(2026, 12, 25),
    date(2026, 12, 26),
    date(2026, 12, 31),
    date(2027, 1, 1),
    date(2027, 1, 3),
    date(2027, 4, 27),
    date(2027, 5, 5),
    date(2027, 12, 25),
    AS_OF - timedelta(days=1),
    AS_OF,
    AS_OF + timedelta(days=1),
    AS_OF + timedelta(days=180),
    AS_OF + timedelta(days=181),
]


@dataclass(frozen=True)
class ContractChange:
    deadline: date  # the contract's own notice date: end minus the notice period
    notice_days: int
    auto_renew: bool
    renewal_months: int


@dataclass(frozen=True)
class PartnerSpec:
    partner_id: str
    contract: ContractChange | None  # None: the example's contract
    plans: bool  # keep the example's plans on record (CRN, ECH), judged on the generated data
    profiles: tuple[tuple[str, str, str], ...]  # per KPI, catalogue order: (level, sample, gaps)


@dataclass(frozen=True)
class PortfolioSpec:
    partners: tuple[PartnerSpec, ...]
    seed: int  # the month-by-month noise around each profile
    data_lag: int = 5  # business days after a month ends before its data is available (late data: 10)

    def short(self) -> str:
        parts = []
        for p in self.partners:
            c = p.contract
            clock = (
                "example contract"
                if c is None
                else f"deadline {c.deadline}, {c.notice_days} days' notice, "
                f"{'auto-renew ' + str(c.renewal_months) + 'm' if c.auto_renew else 'no renewal'}"
            )
            record = ", plans on record" if p.plans and EXAMPLE_PLANS.get(p.partner_id) else ""
            parts.append(f"{p.partner_id} ({clock}{record})")
        return f"seed {self.seed}, data lag {self.data_lag}: " + "; ".join(parts)


contracts = st.builds(
    ContractChange,
    deadline=st.one_of(
        st.sampled_from(SPECIAL_DEADLINES),
        st.integers(-60, 700).map(lambda d: AS_OF + timedelta(days=d)),
        # long past: the contract has ended by the as-of date, or renewed itself (issue 34)
        st.integers(-400, -200).map(lambda d: AS_OF + timedelta(days=d)),
    ),
    notice_days=st.sampled_from([30, 60, 90, 120, 180]),
    auto_renew=st.booleans(),
    renewal_months=st.sampled_from([12, 24]),
)
profiles = st.tuples(st.sampled_from(LEVELS), st.sampled_from(SAMPLES), st.sampled_from(GAPS))


@st.composite
def portfolios(draw: st.DrawFn) -> PortfolioSpec:
    chosen = draw(st.lists(st.sampled_from(PARTNER_IDS), min_size=2, max_size=4, unique=True))
    partners = tuple(
        PartnerSpec(
            pid,
            draw(st.one_of(st.none(), contracts)),
            draw(st.booleans()),
            tuple(draw(profiles) for _ in KPIS),
        )
        for pid in sorted(chosen, key=PARTNER_IDS.index)
    )
    return PortfolioSpec(partners, draw(st.integers(0, 2**32 - 1)), draw(st.sampled_from([0, 2, 5, 10])))


# --- a spec written out: governance.yaml and kpis.csv --------------------------------------------


def effective_bounds(partner: dict[str, Any], kpi: dict[str, Any]) -> tuple[float, float | None]:
    override = (partner.get("targets") or {}).get(kpi["id"], {})
    return override.get("target", kpi["target"]), override.get("floor", kpi.get("floor"))


def month_value(kpi: dict[str, Any], target: float, floor: float, level: str, edge: float, rng: Random) -> float:
    higher = 1 if kpi["direction"] == "higher_is_better" else -1
    band = abs(target - floor)
    if level == "mixed":
        level = rng.choice(["green", "amber", "red", "near"])
    value = {
        "green": lambda: target + higher * rng.uniform(0, band),
        "amber": lambda: target - higher * rng.uniform(0.02, 0.98) * band,
        "red": lambda: floor - higher * rng.uniform(0.02, 1.0) * band,
        "near": lambda: target + higher * rng.uniform(-0.6, 0.6) * band,
        "edge": lambda: edge,
    }[level]()
    if kpi["unit"] in ("percent", "score"):
        value = min(max(value, 0.0), 100.0)
    return round(max(value, 0.0), 4)


def month_volume(kpi: dict[str, Any], sample: str, in_quarter: bool, rng: Random) -> float | None:
    minimum = kpi.get("min_sample", 0)
    if not minimum:
        return None  # attrition: a rate without a sample
    if sample == "low_quarter" and in_quarter:
        return float(rng.randint(1, max(1, minimum // 4)))  # pooled, still below the minimum
    if sample == "low_month" and rng.random() < 0.4:
        return float(rng.randint(max(1, minimum // 5), minimum - 1))
    if sample == "small":
        return float(rng.randint(minimum, minimum * 3))
    return float(rng.randint(minimum + minimum // 2, minimum * 10))


@dataclass
class Programme:
    spec: PortfolioSpec
    config: dict[str, Any]
    rows: list[tuple[str, str, str, float, float | None]]  # partner, period, kpi, value, volume

    def series(self, partner_id: str, kpi_id: str) -> dict[str, tuple[float, float | None]]:
        return {m: (v, vol) for p, m, k, v, vol in self.rows if p == partner_id and k == kpi_id}


def programme(spec: PortfolioSpec) -> Programme:
    rng = Random(spec.seed)
    config = copy.deepcopy(EXAMPLE)
    ids = {p.partner_id for p in spec.partners}
    entries = {p["id"]: p for p in config["partners"]}
    config["partners"] = []
    config.setdefault("pip", {})["data_lag_business_days"] = spec.data_lag
    rows: list[tuple[str, str, str, float, float | None]] = []
    for ps in spec.partners:
        entry = entries[ps.partner_id]
        if not ps.plans:
            entry.pop("plans", None)
        if ps.contract is not None:
            change = ps.contract
            contract = entry["contract"]
            contract["end"] = change.deadline + timedelta(days=change.notice_days)
            contract["notice_days"] = change.notice_days
            contract["auto_renew"] = change.auto_renew
            contract["renewal_months"] = change.renewal_months
            contract["start"] = min(contract["start"], contract["end"] - timedelta(days=365))
        config["partners"].append(entry)
        for kpi, (level, sample, gaps) in zip(KPIS.values(), ps.profiles, strict=True):
            target, floor = effective_bounds(entry, kpi)
            higher = 1 if kpi["direction"] == "higher_is_better" else -1
            step = 0.4 * 10 ** -kpi.get("decimals", 1)  # rounds onto the printed target or floor
            edge = rng.choice([target, target - higher * step, floor, floor - higher * step])
            gap_month = rng.choice(QUARTER_MONTHS)
            for period in MONTHS:
                in_quarter = period in QUARTER_MONTHS
                if (gaps == "quarter" and in_quarter) or (gaps == "month" and period == gap_month):
                    continue
                if gaps == "some" and rng.random() < 0.2:
                    continue
                value = month_value(kpi, target, floor, level, edge, rng)
                rows.append((ps.partner_id, period, kpi["id"], value, month_volume(kpi, sample, in_quarter, rng)))
    for factor in config.get("client_factors", []):
        if factor.get("partners") is not None:
            factor["partners"] = [p for p in factor["partners"] if p in ids]
    config["client_factors"] = [f for f in config.get("client_factors", []) if f.get("partners") != []]
    return Programme(spec, config, rows)


def write_programme(prog: Programme, folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    config_path, data_path = folder / "governance.yaml", folder / "kpis.csv"
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    config_path.write_text(yaml.dump(prog.config, Dumper=dumper, sort_keys=False), encoding="utf-8")
    with data_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["partner", "period", "kpi", "value", "volume", "source"])
        for partner, period, kpi, value, volume in prog.rows:
            source = "partner-reported" if kpi == "attrition" else "measured"
            out.writerow([partner, period, kpi, repr(value), "" if volume is None else f"{volume:.0f}", source])
    return config_path, data_path


# --- what a reader sees: the HTML's text -------------------------------------------------------

_MARKUP = re.compile(r"<(style|script|title)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.S | re.I)


def visible_text(html: str) -> str:
    """Tags out (each one a word break, as the laid-out page breaks there), head-only text out,
    entities decoded, every run of whitespace one space."""
    from html import unescape

    return " ".join(unescape(_MARKUP.sub(" ", html)).split())


# --- the facts, worked out apart from the documents --------------------------------------------


def fmt(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return "0" + text[2:] if text.startswith("-0") and float(text) == 0 else text


def printed(kpi: dict[str, Any], value: float) -> str:
    return fmt(value, kpi.get("decimals", 1)) + UNIT[kpi["unit"]]


def wilson(value_percent: float, n: float) -> tuple[float, float]:
    p = min(max(value_percent / 100, 0.0), 1.0)
    z2 = PROPORTION_Z**2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = PROPORTION_Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half) * 100, min(1.0, centre + half) * 100


def band_of(kpi: dict[str, Any], target: float, floor: float | None, value: float) -> str:
    """green / amber / red by the value alone."""
    higher = kpi["direction"] == "higher_is_better"

    def meets(threshold: float) -> bool:
        return value >= threshold if higher else value <= threshold

    if meets(target):
        return "green"
    if floor is not None and meets(floor):
        return "amber"
    return "red"


def clear_band(kpi: dict[str, Any], target: float, floor: float | None, value: float, n: float | None) -> str:
    """The status of a value with its sample, one rule both ways (the config's default): a
    proportion's status stands only when both ends of its 95% interval fall in the same band."""
    if kpi.get("proportion") and n:
        low, high = wilson(value, n)
        if band_of(kpi, target, floor, low) != band_of(kpi, target, floor, high):
            return "not_clear"
    return band_of(kpi, target, floor, value)


def month_fact(kpi: dict[str, Any], target: float, floor: float | None, value: float, volume: float | None) -> str:
    if volume is not None and volume < kpi.get("min_sample", 0):
        return "insufficient_sample"
    return clear_band(kpi, target, floor, value, volume)


POINTS = {"green": 100.0, "amber": 60.0, "red": 0.0}  # the example's banded points


def unclear_range(
    kpi: dict[str, Any], target: float, floor: float | None, value: float, n: float
) -> tuple[float, float, float]:
    """The least, measured and most points an unclear quarter may earn: its interval's ends, its value."""
    earned = [POINTS[band_of(kpi, target, floor, end)] for end in wilson(value, n)]
    return min(earned), POINTS[band_of(kpi, target, floor, value)], max(earned)


def quarter_fact(
    kpi: dict[str, Any], target: float, floor: float | None, months: list[tuple[float, float | None]]
) -> tuple[float | None, str]:
    """The quarter value and status by the rules the config's comments state."""
    value, status, _ = quarter_facts(kpi, target, floor, months)
    return value, status


def quarter_facts(
    kpi: dict[str, Any], target: float, floor: float | None, months: list[tuple[float, float | None]]
) -> tuple[float | None, str, float | None]:
    """The quarter value, status and pooled sample."""
    if not months:
        return None, "no_data", None
    values = [v for v, _ in months]
    volumes = [w for _, w in months]
    total = sum(volumes) if all(w is not None for w in volumes) else None  # type: ignore[misc]
    if kpi.get("aggregation", "weighted_mean") == "weighted_mean" and total:
        value = sum(v * w for v, w in months) / total  # type: ignore[operator]
    else:
        value = sum(values) / len(values)
    if total is not None and total < kpi.get("min_sample", 0):
        return value, "insufficient_sample", total
    return value, clear_band(kpi, target, floor, value, total), total


def relieved_months(config: dict[str, Any], entry: dict[str, Any], prog: Programme) -> dict[str, set[str]]:
    """KPI id -> months relieved for volume above the forecast band (the credit terms' relief)."""
    from decimal import Decimal

    own, programme_terms = entry.get("commercial") or {}, config.get("commercial") or {}
    forecast = own.get("forecast")
    relief = own.get("relief_kpis") or programme_terms.get("relief_kpis") or []
    at_risk = own.get("at_risk_percent", programme_terms.get("at_risk_percent"))
    if (
        not forecast
        or not relief
        or at_risk is None
        or not (own.get("allocation") or programme_terms.get("allocation"))
    ):
        return {}
    series = prog.series(entry["id"], forecast["volume_kpi"])
    tolerance = Decimal(repr(float(forecast.get("tolerance_percent", 10)))) / 100
    months = set()
    for month, expected in forecast.get("months", {}).items():
        volume = series.get(month, (None, None))[1]
        if volume is not None and Decimal(repr(float(volume))) > Decimal(repr(float(expected))) * (1 + tolerance):
            months.add(month)
    return {kpi_id: months for kpi_id in relief}


HISTORY = MONTHS[-12:]  # the trailing 12 months to the quarter's end


@dataclass
class Facts:
    assessment: Any  # PartnerAssessment
    clock: Any  # Clock
    name: str
    aliases: tuple[str, ...]
    kpis: dict[str, dict[str, Any]]  # KPI name -> the catalogue entry, with target/floor effective
    failures: int = 0  # red months of contractual KPIs in 12 months, clear both ways, relieved left out
    score_high: float | None = None  # the score with every unclear KPI at its interval's better end
    runs_ok: dict[str, set[str]] = field(default_factory=dict)  # KPI name -> months clearly red, not relieved
    trend: str = ""  # the satisfaction KPI's trend word, the engine's one fact


# --- the checker -----------------------------------------------------------------------------

CLASSES = {
    "crash": "the build raised something other than a GovdocsError, or failed a document internally",
    "facts": "the assessment agrees with the quarter recomputed from the generated rows",
    "gap": "a gap sentence belongs to an amber/red KPI and states the printed gap",
    "rounding_edge": "a sentence does not contradict itself as printed ('at 80.0%: 0.0 pp short of the 80.0% "
    "target', 'at 75.0% ... beyond the 75.0% floor')",
    "went_well": "'What went well' names no KPI that is red for the quarter",
    "deadline": "every notice deadline printed is the partner's, with the days left",
    "counts": "counts agree with their nouns and with what they count",
    "sets": "every count and all/every/no-KPI sentence agrees with one set per quarter standing",
    "cover_note": "the cover's incomplete/provisional note says which weight is missing and which unclear",
    "score": "the score, tier and escalation status printed are the assessment's",
    "partner_copy": "a partner copy names no other partner and keeps internal words out",
    "peers": "a partner copy's peer section lets no peer's value be recovered (test_peer_privacy's adversary), "
    "shows a band only with enough peers and says why it shows none",
    "timeline": "a meeting reviews only a month whose data is available by its date; a plan that outlives the "
    "notice deadline or the contract says so in both copies, with the days; no new plan on an ended contract; an "
    "ended plan asks for no signature",
    "uncertainty": "one rule both ways: a month is red only when its whole 95% interval is beyond the floor, and "
    "a score trigger acts only when it holds over the score's range (else it is printed as provisional)",
    "relief": "a month relieved for a client cause is in no failure count and no run of red months printed",
    "trend": "the satisfaction trend is one fact: the QBR, the offboarding assessment and the engine agree",
}

NOUNS = (
    "KPI",
    "KPI-month",
    "month",
    "check-in",
    "failure",
    "action",
    "day",
    "week",
    "partner",
    "plan",
    "rating",
    "quarter",
    "objective",
    "item",
    "commitment",
    "meeting",
)
_NOUN = "|".join(sorted((re.escape(n) for n in NOUNS), key=len, reverse=True))
COUNTED = re.compile(rf"(?<![\d.,\w-])(\d+) (?:further |more |other )?((?:{_NOUN})s?)(?![\w-])")
# After a number other than one, a singular is only a mistake where the noun cannot be a table's
# next cell (the header "KPI" after a row of figures, "KPI 4" of a contract schedule, "2026 plan").
SINGULAR_CHECKED = {"KPI-month", "check-in", "failure", "month", "day", "week", "rating", "objective"}
DATE = (
    r"\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
)
DEADLINE_MENTION = re.compile(
    rf"(?i:notice deadline(?: of)?|notice must be given by|notice by) ({DATE})|before the ({DATE}) notice deadline"
)
INTERNAL_ONLY = (
    "Internal: not for the partner",
    "Contract clock (internal)",
    "This plan and the contract (internal)",
    "Decide on renewal or exit",
    "Decide whether to renew",
    "Internal notes",
)
KEEP_FOLDERS = 3  # failing portfolios kept per class
SCORE_TRIGGER = re.compile(
    r"(Provisional \(no action on its own\): )?Score (\d+\.\d)(?: \(provisional, [\d.]+–[\d.]+\))? "
    r"(?:is|may be) below the improvement-plan threshold of (\d+(?:\.\d+)?)"
)
# a count of failures, never the allowance a rule names ("when 6 failures (...) accumulate")
FAILURE_COUNT = re.compile(
    r"(?<![\d.,])(\d+) failures? (?:in 12 months|\(red months of contractual KPIs(?:, relieved months left out)?\) "
    r"in the 12 months to)"
)


def parse_date(text: str) -> date:
    for pattern in ("%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class Failure:
    portfolio: int
    spec: str
    document: str
    sentence: str
    fact: str
    size: int  # partners in the portfolio: smaller examples are listed first


@dataclass
class Survey:
    base: Path
    portfolios: int = 0
    documents: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)  # documents the build refused, by reason
    checked: Counter[str] = field(default_factory=Counter)  # statements checked, by class
    seen: Counter[str] = field(default_factory=Counter)  # what the portfolios exercised
    failures: dict[str, list[Failure]] = field(default_factory=lambda: defaultdict(list))
    _current: tuple[int, str, int] = (0, "", 0)
    _kept: Counter[str] = field(default_factory=Counter)
    _config: Any = None  # the portfolio's config, while its documents are checked

    # -- bookkeeping --

    def claim(self, kind: str, holds: bool, document: str, sentence: str, fact: str) -> bool:
        self.checked[kind] += 1
        if not holds:
            number, spec, size = self._current
            self.failures[kind].append(Failure(number, spec, document, sentence, fact, size))
        return holds

    @property
    def statements(self) -> int:
        return sum(self.checked.values())

    def describe(self, kind: str, limit: int = 12) -> str:
        """The false statements of a class, one (the smallest portfolio's) per kind of mistake."""
        failures = sorted(self.failures[kind], key=lambda f: (f.size, f.portfolio))
        groups: dict[str, list[Failure]] = {}
        for f in failures:
            groups.setdefault(shape_of(f), []).append(f)
        lines = [
            f"{CLASSES[kind]}: {len(failures)} false statements in {len({f.portfolio for f in failures})} "
            f"portfolios, {len(groups)} kinds (all of them in {self.base / 'failures.json'})"
        ]
        for shape, members in sorted(groups.items(), key=lambda g: -len(g[1]))[:limit]:
            f = members[0]
            lines += [
                f"- {len(members)}x {shape}",
                f"    e.g. portfolio {f.portfolio:03d} ({f.spec})",
                f"    {f.document}: {f.sentence!r}",
                f"    fact: {f.fact}",
            ]
        return "\n".join(lines)

    def write_failures(self) -> None:
        import json
        from dataclasses import asdict

        found = {kind: [asdict(f) for f in items] for kind, items in self.failures.items() if items}
        (self.base / "failures.json").write_text(json.dumps(found, indent=1), encoding="utf-8")

    # -- one portfolio --

    def run(self, spec: PortfolioSpec) -> None:
        FINGERPRINTS.clear()
        self.portfolios += 1
        number = self.portfolios
        self._current = (number, spec.short(), len(spec.partners))
        before = {k: len(v) for k, v in self.failures.items()}
        folder = self.base / f"portfolio-{number:03d}"
        prog = programme(spec)
        config_path, data_path = write_programme(prog, folder)
        try:
            self._build_and_check(prog, folder, config_path, data_path)
        finally:
            failed = [k for k, v in self.failures.items() if len(v) > before.get(k, 0)]
            keep = False
            for kind in failed:
                if self._kept[kind] < KEEP_FOLDERS:
                    self._kept[kind] += 1
                    keep = True
            if not keep:
                shutil.rmtree(folder, ignore_errors=True)

    def _build_and_check(self, prog: Programme, folder: Path, config_path: Path, data_path: Path) -> None:
        import govdocs.build as build_module
        from govdocs.build import BuildRequest
        from govdocs.documents.common import Audience
        from govdocs.render.workers import RenderPool

        request = BuildRequest(
            config_path=config_path,
            data_paths=(data_path,),
            quarter=QUARTER,
            partner_ids=(),
            out_dir=folder / "out",
            inputs_dir=None,
            actions_dir=None,
            assessments_dir=None,
            audiences=(Audience.PARTNER, Audience.INTERNAL),
            as_of=AS_OF,
            fmt="html",
        )
        workspaces: list[Any] = []
        load = build_module.workspace_for

        def capture(*args: Any, **kwargs: Any) -> Any:
            workspace = load(*args, **kwargs)
            workspaces.append(workspace)
            return workspace

        build_module.workspace_for = capture
        try:
            with RenderPool(0) as pool:
                result = build_module.build(request, pool)
        except GovdocsError as exc:  # a problem that stops every document: only data can cause it here
            # Only the data can stop the whole build of a generated portfolio: no row for the quarter,
            # or a plan on record its quarter's data cannot rebuild (the config must then name its KPIs).
            codes = {p.code for p in exc.problems}
            self.claim(
                "crash",
                exc.exit_code is ExitCode.DATA or codes <= {"config.plan_record"},
                "(build)",
                "; ".join(str(p) for p in exc.problems)[:300],
                "a generated portfolio is a valid config; only its data may stop the whole build",
            )
            self.refused[f"whole build: {exc.problems[0].code}"] += 1
            return
        except Exception as exc:  # noqa: BLE001 -- the class of claim this test exists for
            self.claim(
                "crash", False, "(build)", f"{type(exc).__name__}: {exc}"[:300], "build raises GovdocsError only"
            )
            return
        finally:
            build_module.workspace_for = load
        for failed in result.failed:
            # A document the data cannot support is refused (no baseline for a plan: exit 2-5); the
            # bundled templates render whatever the data (exit 7 is theirs), and nothing else fails.
            broken = failed.exit_code in (ExitCode.INTERNAL, ExitCode.RENDER, ExitCode.OUTPUT)
            self.claim(
                "crash",
                not broken,
                failed.path.name,
                failed.reason[:300],
                f"exit {int(failed.exit_code)}: only a document the data cannot support is refused",
            )
            self.refused[f"{failed.kind}: {re.sub(r'[0-9]+', 'N', failed.reason)[:90]}"] += 1
        if workspaces:
            config, data = workspaces[0].config, workspaces[0].data
        else:  # the build loads its inputs some other way now: load them here
            from govdocs.config.loader import load_config
            from govdocs.data.loader import load_kpi_data

            config = load_config(config_path)
            data = load_kpi_data([data_path], [k.id for k in config.kpis])
        facts = self._facts(prog, config, data)
        self._config = config
        for document in sorted(result.written, key=lambda d: d.path.name):
            if document.path.suffix != ".html":
                continue
            self.documents[document.kind] += 1
            text = visible_text(document.path.read_text(encoding="utf-8"))
            self._check_document(
                document.path.name, document.kind, document.partner_id, document.audience, text, facts, config
            )

    def _facts(self, prog: Programme, config: Any, data: Any) -> dict[str, Facts]:
        from govdocs.planning.contract import partner_clock
        from govdocs.scoring.engine import assess_partner

        facts = {}
        for partner in config.partners:
            ended = ()
            if partner.plans:  # a plan on record that ended unmet is a reason of the ladder
                from govdocs.planning.history import ended_unmet, plans_on_record

                record = plans_on_record(config, data, partner, AS_OF)
                ended = ended_unmet(record, QUARTER, AS_OF)
                self.seen["plan on record"] += 1
                self.seen["plan on record ended unmet"] += bool(ended)
            assessment = assess_partner(config, data, partner, QUARTER, ended_plans=ended)
            clock = partner_clock(partner.contract, AS_OF, config.pip)
            entry = next(p for p in prog.config["partners"] if p["id"] == partner.id)
            kpis = {}
            relieved = relieved_months(prog.config, entry, prog)
            failures, runs_ok, scored, unclear = 0, {}, [], []
            for item, (kpi_id, kpi) in zip(assessment.kpis, KPIS.items(), strict=True):
                target, floor = effective_bounds(entry, kpi)
                kpis[kpi["name"]] = {**kpi, "target": target, "floor": floor}
                series = prog.series(partner.id, kpi_id)
                value, status, pooled = quarter_facts(
                    kpi, target, floor, [series[m] for m in QUARTER_MONTHS if m in series]
                )
                if status in POINTS:
                    scored.append((kpi["weight"], POINTS[status]))
                elif status == "not_clear" and value is not None and pooled:
                    unclear.append((kpi["weight"], *unclear_range(kpi, target, floor, value, pooled)))
                clear_red = set()
                for month, result in zip(HISTORY, item.history, strict=True):
                    if month not in series:
                        continue
                    fact = month_fact(kpi, target, floor, *series[month])
                    self.claim(
                        "uncertainty",
                        result.status.value == fact,
                        f"assess_partner({partner.id})",
                        f"{kpi['name']} {month}: {result.status.value}",
                        f"from the row, both ways: {fact}",
                    )
                    if fact == "red" and month in relieved.get(kpi_id, set()):
                        self.seen["relieved red month"] += 1
                    elif fact == "red":
                        clear_red.add(month)
                        failures += bool(kpi.get("contractual"))
                    band = band_of(kpi, target, floor, series[month][0])
                    if fact == "not_clear" and band == "red":
                        self.seen["red month not clear both ways"] += 1
                runs_ok[kpi["name"]] = clear_red
                self.seen[f"quarter {status}"] += 1
                engine = item.current
                same_value = (value is None) == (engine.value is None) and (
                    value is None or math.isclose(value, engine.value, rel_tol=1e-9, abs_tol=1e-9)
                )
                self.claim(
                    "facts",
                    same_value and engine.status.value == status and item.kpi.id == kpi_id,
                    f"assess_partner({partner.id})",
                    f"{kpi['name']}: {engine.value!r} {engine.status.value}",
                    f"from the rows: {value!r} {status}",
                )
            self.seen[f"escalation {assessment.decision.level.label}"] += 1
            self.seen["deadline moved" if clock.moved else "deadline on its own date"] += 1
            self.seen["deadline passed" if clock.passed else "deadline ahead"] += 1
            self.seen["contract ended"] += clock.ended
            if assessment.score.incomplete:
                self.seen["score incomplete"] += 1
            high = None
            if scored or unclear:  # the score counts the unclear KPIs at their measured values
                value = round(
                    sum(w * p for w, p in scored + [(w, m) for w, _, m, _ in unclear])
                    / sum(w for w, _ in scored + [(w, 0) for w, *_ in unclear]),
                    1,
                )
                self.claim(
                    "facts",
                    assessment.score.value == value,
                    f"assess_partner({partner.id})",
                    f"score {assessment.score.value}",
                    f"from the rows, unclear KPIs at their measured values: {value}",
                )
                counted = scored + [(w, hi) for w, _, _, hi in unclear]
                high = round(sum(w * p for w, p in counted) / sum(w for w, _ in counted), 1)
            self.claim(
                "relief",
                len(assessment.failures_12m) == failures,
                f"assess_partner({partner.id})",
                f"{len(assessment.failures_12m)} failures in 12 months",
                f"from the rows: {failures} clearly red, unrelieved months of contractual KPIs",
            )
            self.seen["provisional trigger"] += bool(getattr(assessment.decision, "provisional", ()))
            sat = config.offboarding.satisfaction_kpi
            # getattr: the checker also runs against code without the one trend fact, to show it fails there
            item = next((k for k in assessment.kpis if k.kpi.id == sat), None)
            trend = "" if item is None else str(getattr(getattr(item, "trend", None), "word", "none"))
            facts[partner.id] = Facts(
                assessment, clock, partner.name, tuple(partner.aliases), kpis, failures, high, runs_ok, trend
            )
        return facts

    # -- the documents --

    def _check_document(
        self, name: str, kind: str, partner_id: str, audience: str, text: str, facts: dict[str, Facts], config: Any
    ) -> None:
        self._check_counts(name, text)
        # a printed score inside its printed range, a tier the range supports (issue 35), in every document
        for statement, why in score_statements(text, [(t.name, float(t.min_score)) for t in config.scoring.tiers]):
            self.claim("score", False, name, statement, why)
        self.seen["score statement read"] += len(re.findall(r"\(provisional, \d|Score \d+\.\d / 100|scored \d", text))
        if kind == "portfolio":
            self._check_portfolio(name, text, facts)
            return
        fact = facts[partner_id]
        self._check_deadline_mentions(name, text, fact)
        if kind in ("qbr", "offboarding"):  # a plan may follow up an earlier quarter's triggers
            self._check_triggers(name, text, fact, config)
        self._check_trend(name, kind, text, fact)
        if kind == "qbr":
            self._check_gaps(name, text, fact)
            self._check_went_well(name, text, fact)
            self._check_cover(name, text, fact, config, audience)
            self._check_qbr_deadline(name, text, fact, audience)
        if kind == "pip":
            self._check_plan_timeline(name, text, fact, audience, config)
        if kind == "offboarding":
            self._check_offboarding_clock(name, text, fact)
        if audience == "partner":
            self._check_partner_copy(name, text, partner_id, facts)
        if kind == "qbr" and audience == "partner":
            self._check_peers(name, text, partner_id, facts, config.peer_comparison.min_peers)

    def _check_triggers(self, name: str, text: str, fact: Facts, config: Any) -> None:
        """Score triggers against the score's range, failure counts and red runs against the rows."""
        threshold = config.escalation.pip_score_below
        for match in SCORE_TRIGGER.finditer(text):
            provisional = bool(match.group(1)) or "may be below" in match.group(0)
            high = fact.score_high
            holds = high is not None and (high >= threshold if provisional else high < threshold)
            self.seen["score trigger provisional" if provisional else "score trigger firm"] += 1
            self.claim(
                "uncertainty",
                holds,
                name,
                context(text, match),
                f"score with the unclear KPIs at their better ends: {high} against {threshold:g}",
            )
        for match in FAILURE_COUNT.finditer(text):
            self.claim(
                "relief",
                int(match.group(1)) == fact.failures,
                name,
                context(text, match),
                f"{fact.failures} clearly red, unrelieved months of contractual KPIs in 12 months",
            )
        for kpi_name, months in fact.runs_ok.items():
            pattern = re.escape(kpi_name) + r" red (\d+) months running \((\w{3} \d{4})(?: – (\w{3} \d{4}))?\)"
            for match in re.finditer(pattern, text):
                start = datetime.strptime(match.group(2), "%b %Y").date()
                end = datetime.strptime(match.group(3) or match.group(2), "%b %Y").date()
                run = [m for m in MONTHS if start <= date(int(m[:4]), int(m[5:]), 1) <= end]
                self.claim(
                    "relief",
                    len(run) == int(match.group(1)) and set(run) <= months,
                    name,
                    context(text, match),
                    f"months clearly red and not relieved: {sorted(set(run) & months)} of {run}",
                )

    def _check_trend(self, name: str, kind: str, text: str, fact: Facts) -> None:
        if not fact.trend:
            return
        words = []
        if kind == "offboarding":
            words = [
                m.group(1) for m in re.finditer(r"Customer satisfaction (improving|declining|flat|not clear) \(", text)
            ]
        elif kind == "qbr":
            pattern = (
                r"Customer satisfaction went from .*?Trend \w{2} \d{4} to \w{2} \d{4}: "
                r"(improving|declining|flat|not clear)"
            )
            words = [m.group(1) for m in re.finditer(pattern, text)]
        for word in words:
            self.seen[f"trend {word} printed"] += 1
            self.claim(
                "trend", word == fact.trend, name, f"Customer satisfaction ... {word}", f"the engine: {fact.trend}"
            )

    def _check_counts(self, name: str, text: str) -> None:
        for match in COUNTED.finditer(text):
            number, noun = int(match.group(1)), match.group(2)
            plural = noun.endswith("s") and noun[:-1] in NOUNS
            base = noun[:-1] if plural else noun
            if number == 1:
                self.claim("counts", not plural, name, context(text, match), f"1 takes the singular: '1 {base}'")
            elif base in SINGULAR_CHECKED and not (1900 <= number <= 2100):
                self.claim("counts", plural, name, context(text, match), f"{number} takes the plural: '{base}s'")

    def _check_gaps(self, name: str, text: str, fact: Facts) -> None:
        items = {k.kpi.name: k for k in fact.assessment.kpis}
        short = sets_of(fact.assessment).short  # amber, red, and not clear only about the floor
        owners: set[str] = set()
        for match in GAP.finditer(text):
            owner = owner_of(text, match.start(), list(items))
            sentence = context(text, match, before=90)
            if not self.claim("gap", owner is not None, name, sentence, "a gap sentence names its KPI"):
                continue
            owners.add(owner)
            item, kpi = items[owner], fact.kpis[owner]
            status = item.current.status.value
            if not self.claim(
                "gap", owner in short, name, sentence, f"{owner} is {status} for the quarter, not surely short"
            ):
                continue
            base = kpi.get("decimals", 1)
            value, target, floor = item.current.value, kpi["target"], kpi["floor"]
            shown = re.search(
                r"(?: at | to )(-?[\d,]+(?:\.\d+)?)(%| s| min)?(?::|, still)\s*$", text[: match.start()][-60:]
            )
            # A value that would print as its target (or floor) is printed with the decimals that
            # tell them apart: the sentence's own decimals, at least the KPI's.
            decimals = len(shown.group(1).partition(".")[2]) if shown else base
            self.claim(
                "gap",
                shown is not None
                and base <= decimals <= base + 3
                and f"{shown.group(1)}{shown.group(2) or ''}" == fmt(value, decimals) + UNIT[kpi["unit"]],
                name,
                sentence,
                f"the quarter value prints as {printed(kpi, value)} (or with more decimals)",
            )
            size = abs(round(value, decimals) - round(target, decimals))
            unit = " pp" if kpi["unit"] == "percent" else UNIT[kpi["unit"]]
            side = "short of" if kpi["direction"] == "higher_is_better" else "above"
            expected = f"{fmt(size, decimals)}{unit} {side} the {printed(kpi, target)}"
            stated = f"{match.group(1)} {match.group(2)} the {match.group(3)}"
            self.claim(
                "gap",
                stated == expected,
                name,
                sentence,
                f"quarter value {value!r}, target {target}: '{expected} target'",
            )
            self.claim(
                "rounding_edge",
                size > 0.5 * 10**-decimals,
                name,
                sentence,
                f"{owner} is {status} at {value!r}, which prints as its {printed(kpi, target)} target",
            )
            tail = text[match.end() : match.end() + 40]
            if floor is not None and tail.startswith(f" and beyond the {printed(kpi, floor)} floor"):
                self.claim(
                    "rounding_edge",
                    round(value, decimals) != round(floor, decimals),
                    name,
                    context(text, match, before=90, after=45),
                    f"{owner} is red at {value!r}, which prints as its {printed(kpi, floor)} floor",
                )
        for owner, item in items.items():
            if owner in short:
                self.claim(
                    "gap",
                    owner in owners,
                    name,
                    f"What must improve: {owner}",
                    f"{owner} is {item.current.status.value}: its gap is stated",
                )

    def _check_went_well(self, name: str, text: str, fact: Facts) -> None:
        start = text.find("What went well")
        ends = [
            e for e in (text.find(stop, start) for stop in ("What must improve", "Escalation status:")) if e > start
        ]
        if not self.claim("went_well", start >= 0 and bool(ends), name, text[:100], "the summary has 'What went well'"):
            return
        well = text[start : min(ends)]
        for item in fact.assessment.kpis:
            if item.current.status.value == "red":
                self.claim(
                    "went_well", item.kpi.name not in well, name, well[:300], f"{item.kpi.name} is red for the quarter"
                )

    def _check_cover(self, name: str, text: str, fact: Facts, config: Any, audience: str) -> None:
        from govdocs.scoring.results import Status

        assessment = fact.assessment
        score = assessment.score
        at = text.find(" Contract ")
        cover = text[: at if at > 0 else 1500]
        # 4. the note under the score
        missing, unclear = score.no_data_share, score.not_clear_share
        self.claim(
            "cover_note",
            ("without data" in cover) == (score.incomplete and missing > 0),
            name,
            note_of(cover),
            f"incomplete={score.incomplete}, weight without data {missing:.3f}",
        )
        close = re.search(r"too close to (?:the target|the floor|the target or the floor) to call", cover)
        self.claim(
            "cover_note",
            (close is not None) == (unclear > 0),
            name,
            note_of(cover),
            f"weight too close to call {unclear:.3f}: the threshold its intervals reach across named",
        )
        if score.incomplete and missing > 0:
            self.claim(
                "cover_note",
                f"{missing * 100:.0f}% of weight without data" in cover,
                name,
                note_of(cover),
                f"{missing * 100:.0f}% of the weight has no data",
            )
        if unclear > 0:
            self.claim(
                "cover_note",
                f"{unclear * 100:.0f}% of weight too close to the" in cover,
                name,
                note_of(cover),
                f"{unclear * 100:.0f}% of the weight is too close to call",
            )
        if not score.incomplete:
            # a KPI too close to call is weighed at its measured value
            weighed = sum(1 for k in assessment.kpis if k.current.status.scored or k.current.status is Status.NOT_CLEAR)
            expected = f"weighted over {weighed} of {len(assessment.kpis)} KPIs"
            self.claim("cover_note", expected in cover, name, note_of(cover), expected)
        if unclear > 0 and missing == 0:
            self.claim(
                "cover_note",
                "no data or too small a sample" not in text,
                name,
                "no data or too small a sample",
                "no KPI weight lacks data",
            )
        # 5. score, tier, escalation
        shown = re.search(r"Score (\S+) / 100", cover)
        value = "–" if score.value is None else f"{score.value:,.1f}"
        self.claim(
            "score",
            shown is not None and shown.group(1) == value,
            name,
            shown.group(0) if shown else cover[:200],
            f"score {value}",
        )
        tiers = "|".join(re.escape(t.name) for t in config.scoring.tiers)
        tier = re.search(rf"Tier ((?:{tiers})(?:(?:, | or )(?:{tiers}))*(?:, provisional)?|–)(?![\w-])", cover)
        expected_tier = score.tier_words  # the tiers the score's range reaches, provisional when more than one
        self.claim(
            "score",
            tier is not None and tier.group(1) == expected_tier,
            name,
            tier.group(0) if tier else cover[:200],
            f"tier {expected_tier}",
        )
        level = assessment.decision.level
        escalation = re.search(
            r"Escalation status (.+?) (\d+) failures? in 12 months \((\d+) trigger a review\)", cover
        )
        self.claim(
            "score",
            escalation is not None
            and escalation.group(1) == level.label
            and int(escalation.group(2)) == len(assessment.failures_12m)
            and int(escalation.group(3)) == config.escalation.failures_allowed_12m,
            name,
            escalation.group(0) if escalation else cover[:200],
            f"escalation {level.label}, {len(assessment.failures_12m)} failures in 12 months",
        )
        if score.value is not None:
            mark = " (provisional)" if score.provisional else ""
            phrase = score.tier_names if score.tier_firm else f"{score.tier_names} (provisional)"
            headline = f"scored {score.value:.1f}{mark} out of 100 in {QUARTER.label}, tier {phrase}"
            self.claim("score", headline in text, name, excerpt(text, "scored "), headline)
        # 3. the executive summary's counts, and every count or "all / every / no KPI" sentence of
        #    the QBR, against one set per quarter standing (kpi_set_claims.py)
        failures = set_claim_failures(name, text, assessment)
        if audience == "partner":
            sets = sets_of(assessment)
            self.seen["quarter not clear at the target"] += len(sets.unclear_target)
            self.seen["quarter not clear at the floor"] += len(sets.unclear_floor)
        self.claim("sets", not failures, name, "; ".join(failures)[:600], "the KPI sets of the scorecard")
        gap_months = sum(1 for k in assessment.kpis for m in k.months if not m.status.scored)
        tile = re.search(r"(\d+) KPI-months? without data", text)
        self.claim(
            "counts",
            tile is not None and int(tile.group(1)) == gap_months,
            name,
            tile.group(0) if tile else "KPI-months",
            f"{gap_months} KPI-months without a scored status",
        )

    def _check_deadline_mentions(self, name: str, text: str, fact: Facts) -> None:
        from govdocs.render.formatters import long_date

        deadline = fact.clock.notice_deadline
        for match in DEADLINE_MENTION.finditer(text):
            day = parse_date(match.group(1) or match.group(2))
            self.claim(
                "deadline", day == deadline, name, context(text, match), f"notice deadline {long_date(deadline)}"
            )

    def _days_claim(self, name: str, sentence: str, left: str | None, ago: str | None, fact: Facts) -> None:
        days = fact.clock.days_left
        stated = int(left) if left is not None else -int(ago) if ago is not None else None
        self.claim("deadline", stated == days, name, sentence, f"{days} days from {AS_OF} to the deadline")

    def _check_qbr_deadline(self, name: str, text: str, fact: Facts, audience: str) -> None:
        from govdocs.render.formatters import long_date, short_date

        clock = fact.clock
        cover = re.search(rf"Notice deadline ({DATE}) \((?:(\d+) days? left|passed (\d+) days? ago)\)", text)
        if self.claim(
            "deadline",
            cover is not None,
            name,
            excerpt(text, "Notice deadline "),
            f"Notice deadline {long_date(clock.notice_deadline)} on the cover",
        ):
            self._days_claim(name, cover.group(0), cover.group(2), cover.group(3), fact)
        # in the summary's first three steps ("date · action"), or else on the next-steps page's table
        step = re.search(rf"({DATE}) · Decide (?:on renewal or exit|whether to renew)", text) or re.search(
            rf"Decide (?:on renewal or exit|whether to renew)[^·]*? ({DATE}) Contract clock", text
        )
        wanted = audience == "internal" and 0 <= clock.days_left <= 180
        self.claim(
            "deadline",
            (step is not None) == wanted,
            name,
            step.group(0) if step else "(no renewal step)",
            f"renewal step {'due' if wanted else 'not due'}: {clock.days_left} days left, {audience} copy",
        )
        if step is not None:
            self.claim(
                "deadline",
                step.group(1) == short_date(clock.notice_deadline),
                name,
                step.group(0),
                f"due on the notice deadline {short_date(clock.notice_deadline)}",
            )

    def _check_plan_timeline(self, name: str, text: str, fact: Facts, audience: str, config: Any) -> None:
        """The plan's dates against the data calendar and the contract (issue 34)."""
        from govdocs.periods import Month
        from govdocs.planning.calendar import BusinessCalendar
        from govdocs.planning.contract import PlanInTerm
        from govdocs.render.formatters import counted, long_date

        clock = fact.clock
        span = re.search(rf"({DATE}) – ({DATE}) · following the (Q\d \d{{4}}) review", text)
        if not self.claim("timeline", span is not None, name, text[:200], "the cover states the plan's span"):
            return
        final = parse_date(span.group(2))
        new_plan = span.group(3) == QUARTER.label
        self.claim(
            "timeline",
            not (clock.ended and new_plan),
            name,
            span.group(0),
            f"the contract ended on {clock.end}: no new plan is issued on it",
        )
        business = BusinessCalendar.from_settings(config.pip, range(2024, 2030))
        meetings = MEETING.findall(text[text.find("Check-ins and the value expected") :])
        self.claim("timeline", bool(meetings), name, text[:120], "the schedule lists the meetings")
        for meeting, day_text, month_text, _ in meetings:
            day, shown = parse_date(day_text), datetime.strptime(month_text, "%b %Y").date()
            month = Month(shown.year, shown.month)
            self.claim(
                "timeline",
                business.data_available(month) <= day < business.data_available(month.shift(1)),
                name,
                f"{meeting} {day_text} reviews {month_text}",
                f"the latest month available on {day} with a {config.pip.data_lag_business_days}-day lag is "
                f"{business.latest_available(day)}",
            )
        ended = final <= AS_OF
        self.seen["plan ended: outcome report"] += ended
        self.claim(
            "timeline",
            ("asked to sign" in text) != ended and ("Outcome Report" in text) == ended,
            name,
            excerpt(text, "sign by") if "sign by" in text else text[:120],
            f"final review {final}, as of {AS_OF}: {'an outcome report' if ended else 'a plan to sign'}",
        )
        term = PlanInTerm(final, clock)
        self.seen["plan outlives the notice deadline or the contract"] += term.outlives
        heading = "This plan and the contract"
        shown = heading in text
        self.claim(
            "timeline",
            shown == (term.outlives or audience == "internal"),
            name,
            excerpt(text, heading) if shown else "(no contract line)",
            f"final review {final}: {term.days_after_deadline} days after the deadline, {term.days_after_end} "
            "after the term",
        )
        if not shown:
            return
        line = text[text.index(heading) : text.index(heading) + 700]
        if term.days_after_end and not clock.auto_renew:
            wanted = f"that is {counted(term.days_after_end, 'day')} before this plan's final review"
        elif term.days_after_end and clock.passed:
            wanted = f"falls {counted(term.days_after_end, 'day')} after the renewed term ends"
        elif term.days_after_deadline:
            wanted = f"falls {counted(term.days_after_deadline, 'day')} after {long_date(clock.notice_deadline)}"
        elif clock.passed:
            wanted = f"The notice deadline, {long_date(clock.notice_deadline)}, has passed"
        else:
            days = (clock.notice_deadline - final).days
            wanted = f"falls {counted(days, 'day')} before the notice deadline of {long_date(clock.notice_deadline)}"
        self.claim("timeline", wanted in line, name, line[:240], wanted)

    def _check_offboarding_clock(self, name: str, text: str, fact: Facts) -> None:
        from govdocs.render.formatters import short_date

        clock = fact.clock
        tile = re.search(rf"Notice deadline ({DATE}) (?:(\d+) days? left|passed (\d+) days? ago)", text)
        if self.claim(
            "deadline",
            tile is not None,
            name,
            excerpt(text, "Notice deadline "),
            f"the cover's deadline tile {short_date(clock.notice_deadline)}",
        ):
            self._days_claim(name, tile.group(0), tile.group(2), tile.group(3), fact)
        left = re.search(r"(\d+) days? (?:are|is) left from", text)
        if left is not None:
            self._days_claim(name, left.group(0), left.group(1), None, fact)

    def _check_portfolio(self, name: str, text: str, facts: dict[str, Facts]) -> None:
        from govdocs.render.formatters import short_date

        table_end = text.find("Notice deadlines in the next")
        table = text[: table_end if table_end > 0 else len(text)]
        starts = {}
        for pid, fact in facts.items():
            group = fact.assessment.partner.peer_group
            found = re.search(rf"(\d+) {re.escape(fact.name)} {pid}(?: · {re.escape(group)})?", table)
            if self.claim("score", found is not None, name, fact.name, f"{pid} has a row"):
                starts[pid] = found
        order = sorted(starts.items(), key=lambda item: item[1].start())
        for i, (pid, found) in enumerate(order):
            end = order[i + 1][1].start() if i + 1 < len(order) else len(table)
            row = table[found.start() : end]
            fact = facts[pid]
            assessment, clock = fact.assessment, fact.clock
            score = "–" if assessment.score.value is None else f"{assessment.score.value:,.1f}"
            if assessment.score.provisional and assessment.score.value is not None:
                score += f" (provisional, {assessment.score.range_words})"
            tier = assessment.score.tier_words if assessment.score.tier else "–"
            head = row[found.end() - found.start() :].lstrip()
            self.claim("score", head.startswith(f"{score} {tier} "), name, row[:160], f"score {score}, tier {tier}")
            self.claim(
                "score",
                f" {assessment.decision.level.label}" in row,
                name,
                row[:200],
                f"escalation {assessment.decision.level.label}",
            )
            notice = re.search(rf"({DATE}) (?:in (\d+) days?|passed (\d+) days? ago)", row)
            if self.claim(
                "deadline", notice is not None, name, row[:300], f"notice by {short_date(clock.notice_deadline)}"
            ):
                self.claim(
                    "deadline",
                    notice.group(1) == short_date(clock.notice_deadline),
                    name,
                    notice.group(0),
                    f"notice by {short_date(clock.notice_deadline)}",
                )
                self._days_claim(name, notice.group(0), notice.group(2), notice.group(3), fact)
        upcoming = text[table_end:] if table_end > 0 else ""
        for fact in facts.values():
            clock = fact.clock
            listed = re.search(rf"{re.escape(fact.name)} ({DATE}) ({DATE}) (?:(\d+)|passed (\d+) days? ago) ", upcoming)
            due = clock.days_left <= 180 and clock.end >= AS_OF
            self.claim(
                "deadline",
                (listed is not None) == due,
                name,
                listed.group(0) if listed else f"{fact.name} (not listed)",
                f"{clock.days_left} days left, contract ends {clock.end}: {'listed' if due else 'not listed'}",
            )
            if listed is not None:
                self.claim(
                    "deadline",
                    listed.group(2) == short_date(clock.notice_deadline) and listed.group(1) == short_date(clock.end),
                    name,
                    listed.group(0),
                    f"ends {short_date(clock.end)}, notice by {short_date(clock.notice_deadline)}",
                )
                self._days_claim(name, listed.group(0), listed.group(3), listed.group(4), fact)

    def _check_peers(self, name: str, text: str, partner_id: str, facts: dict[str, Facts], minimum: int) -> None:
        from test_peer_privacy import peer_rows, peer_section, recovered

        group = facts[partner_id].assessment.partner.peer_group
        peers = [
            f.assessment for pid, f in facts.items() if pid != partner_id and f.assessment.partner.peer_group == group
        ]
        with_data = [sorted(v for p in peers if (v := p.kpis[i].current.value) is not None) for i in range(len(KPIS))]
        section = peer_section(text)
        rows = peer_rows(section)
        if not rows:
            most = max(len(v) for v in with_data)
            self.claim("peers", most < minimum, name, section[:200], f"{most} peers with data for a KPI")
            if not peers:  # alone in its group: said plainly, with no count of nobody
                said = "No other partner is in" in section and "so there is no one to compare with" in section
                self.claim("peers", said, name, section[:300], "no other partner in the peer group")
                return
            why = "no other partner of the peer group has data" if most == 0 else f"at most {most} other partner"
            self.claim("peers", f"No peer figure is shown this quarter: {why}" in section, name, section[:300], why)
            return
        for row, values in zip(rows, with_data, strict=True):
            found = recovered(row, values)
            self.claim("peers", not found, name, f"{row.kpi['name']}: {row.band}", f"recovers {found} of {values}")
            shown = row.band is not None
            self.claim("peers", shown == (len(values) >= minimum), name, row.kpi["name"], f"{len(values)} peers")

    def _check_partner_copy(self, name: str, text: str, partner_id: str, facts: dict[str, Facts]) -> None:
        at = text.find("Appendix")
        body = text[:at] if at > 0 else text
        for pid, other in facts.items():
            if pid == partner_id:
                continue
            for word in (other.name, *other.aliases):
                self.claim(
                    "partner_copy", word not in text, name, excerpt(text, word), f"{word} is another partner ({pid})"
                )
            found = re.search(rf"\b{pid}\b", text)
            self.claim(
                "partner_copy",
                found is None,
                name,
                context(text, found) if found else pid,
                f"{pid} is another partner's id",
            )
        # and in no other spelling the isolation check knows (case, accents, suffix, identifying word)
        from govdocs.isolation import name_index

        index = name_index(self._config)
        for written, pid in index.mentions(text, partner_id):
            self.claim("partner_copy", False, name, excerpt(text, written), f"{written} is another partner ({pid})")
        self.claim("partner_copy", True, name, "", "no other partner in any spelling")
        for word in PLUMBING:
            where = text if word in ("Python", "repr") else body
            self.claim(
                "partner_copy", word not in where, name, excerpt(where, word), f"'{word}' is kept out of partner copies"
            )
        for phrase in (*EXIT_PREPARATION, "On track, overdue", *INTERNAL_ONLY):
            self.claim("partner_copy", phrase not in text, name, excerpt(text, phrase), f"'{phrase}' is internal")


def shape_of(failure: Failure) -> str:
    """A false statement with its figures and names blanked: one line per kind of mistake."""
    shape = re.sub(r"\d[\d,.]*", "N", failure.fact)
    return f"{failure.document.split('-')[0]}: {shape}"


def context(text: str, match: re.Match[str] | None, before: int = 50, after: int = 40) -> str:
    if match is None:
        return ""
    return text[max(0, match.start() - before) : match.end() + after]


def excerpt(text: str, word: str, width: int = 80) -> str:
    at = text.find(word)
    return word if at < 0 else text[max(0, at - width // 2) : at + len(word) + width]


def note_of(cover: str) -> str:
    found = re.search(r"Score \S+ / 100 (.*?) Tier ", cover)
    return found.group(1) if found else cover[:200]


# --- the run -----------------------------------------------------------------------------------


def _quick_rendering(patch: pytest.MonkeyPatch) -> None:
    """Replace what puts no words into a document's text: the chart drawings (the <img> keeps the
    chart's own alt text), the plan's calendar attachment, fsync."""
    import govdocs.documents.offboarding as offboarding
    import govdocs.documents.pip as pip
    import govdocs.documents.qbr as qbr
    import govdocs.render.ics as ics

    def image(alt: str) -> Markup:
        return Markup('<img class="chart" alt="{}" src="data:,">').format(alt)

    patch.setattr(qbr, "trend_svg", lambda chart, *a, **k: image(f"{chart.title}: trend against target"))
    patch.setattr(qbr, "score_history_svg", lambda *a, **k: image("Partner score by quarter"))
    patch.setattr(offboarding, "score_history_svg", lambda *a, **k: image("Partner score by quarter"))
    patch.setattr(pip, "glide_svg", lambda chart, *a, **k: image(f"{chart.title}: glide path to target"))
    patch.setattr(ics, "plan_calendar", lambda *a, **k: b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
    patch.setattr(os, "fsync", lambda fd: None)
    # The business calendar is a pure function of the pip settings and the years; the holidays
    # package rebuilds the Dutch holidays on every call (a fifth of a build). Same calendar, once.
    from govdocs.planning.calendar import BusinessCalendar

    original = BusinessCalendar.from_settings.__func__  # type: ignore[attr-defined]
    made: dict[tuple[str, int, int, int], BusinessCalendar] = {}

    def from_settings(cls: type[BusinessCalendar], settings: Any, years: range) -> BusinessCalendar:
        key = (settings.model_dump_json(), years.start, years.stop, years.step)
        if key not in made:
            made[key] = original(cls, settings, years)
        return made[key]

    patch.setattr(BusinessCalendar, "from_settings", classmethod(from_settings))
    # The hash of a partner's rows, a pure function of the run's data, is worked out per document
    # (a fifth of a build): once per partner and months of a portfolio (FINGERPRINTS is emptied
    # before each portfolio, so a key's id() always names the same data).
    import govdocs.documents.common as common

    fingerprint = common.partner_fingerprint

    def once(data: Any, partner_id: str, months: list[Any]) -> Any:
        key = (id(data), partner_id, tuple(m.index for m in months))
        if key not in FINGERPRINTS:
            FINGERPRINTS[key] = fingerprint(data, partner_id, months)
        return FINGERPRINTS[key]

    for module in (qbr, pip, offboarding):
        patch.setattr(module, "partner_fingerprint", once)


FINGERPRINTS: dict[tuple[int, str, tuple[int, ...]], Any] = {}


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Survey:
    found = Survey(tmp_path_factory.mktemp("claims-generated", numbered=True))

    @CLAIMS
    @given(spec=portfolios())
    def explore(spec: PortfolioSpec) -> None:
        found.run(spec)

    with pytest.MonkeyPatch.context() as patch:
        _quick_rendering(patch)
        explore()
    found.write_failures()
    return found


@pytest.mark.parametrize("kind", [k for k in CLASSES if k != "crash"])
def test_generated_documents_state_only_true_claims(survey: Survey, kind: str) -> None:
    assert survey.checked[kind] > 0, f"no statement of class {kind} was checked"
    assert not survey.failures[kind], survey.describe(kind)


def test_generated_portfolios_build_without_crashing(survey: Survey) -> None:
    assert not survey.failures["crash"], survey.describe("crash")


def test_generated_portfolios_exercise_every_case(survey: Survey) -> None:
    """The generator reaches what the checker is for: every quarter status, every escalation level,
    moved and passed deadlines, every document type."""
    assert survey.portfolios >= (int(LONG_RUN) if LONG_RUN else PORTFOLIOS)
    for status in ("green", "amber", "red", "not_clear", "insufficient_sample", "no_data"):
        assert survey.seen[f"quarter {status}"] >= 20, (status, survey.seen)
    for level in ("None", "Watch", "Performance-improvement plan", "Offboarding review"):
        assert survey.seen[f"escalation {level}"] >= 5, (level, survey.seen)
    for case in ("deadline moved", "deadline passed", "score incomplete", "plan on record"):
        assert survey.seen[case] >= 5, (case, survey.seen)
    # the set claims meet both kinds of unclear quarter: across the target, across the floor only
    for case in ("quarter not clear at the target", "quarter not clear at the floor"):
        assert survey.seen[case] >= 5, (case, survey.seen)
    timeline = ("contract ended", "plan outlives the notice deadline or the contract", "plan ended: outcome report")
    for case in timeline:
        assert survey.seen[case] >= 3, (case, survey.seen)
    for kind in ("portfolio", "qbr", "pip", "offboarding"):
        assert survey.documents[kind] >= 20, (kind, survey.documents)
    # the fairness classes meet what they check: relieved and unclear red months, provisional and
    # firm score triggers, the trend printed in both documents
    for case in ("relieved red month", "red month not clear both ways", "provisional trigger", "score trigger firm"):
        assert survey.seen[case] >= 5, (case, survey.seen)
    assert sum(n for k, n in survey.seen.items() if k.startswith("trend ")) >= 5, survey.seen


def test_claims_checked_summary(survey: Survey, capsys: pytest.CaptureFixture[str]) -> None:
    """Last: the figure for the closing note, on the terminal and in claims-generated/summary.txt."""
    by_class = ", ".join(f"{k} {n}" for k, n in sorted(survey.checked.items()))
    documents = ", ".join(f"{n} {k}" for k, n in sorted(survey.documents.items()))
    false = sum(len(v) for v in survey.failures.values())
    lines = [
        f"claims checked: {survey.statements} statements over {survey.portfolios} portfolios "
        f"({sum(survey.documents.values())} documents: {documents}); {false} false",
        f"by class: {by_class}",
        "exercised: " + ", ".join(f"{k} {n}" for k, n in sorted(survey.seen.items())),
        "refused documents: " + (", ".join(f"{n}x {r}" for r, n in survey.refused.most_common()) or "none"),
    ]
    (survey.base / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert survey.statements > 0
