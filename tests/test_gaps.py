"""Where the gap is: the drill-down sums per segment (hour band, weekday, queue, channel, site,
team, agent tenure) and the split of each red or amber KPI's quarter gap over them.

- on generated records (a few seeded programmes), every dimension's contributions add up to the
  whole shortfall (exactly, in rationals, from the drill-down's integer and microsecond sums; and
  to 1e-9 in the SQL's doubles), and the split's whole is the KPI table's quarter value;
- a hand-made month: the figures of each segment by hand (hour band and weekday in the source's
  zone, tenure from the roster's hire date, the abandoned contact kept out of the team split);
- DuckDB and Spark give the same drill-down table and the same split (one Spark session);
- the example: Bravo's Q3 service-level miss printed in its QBR (both copies) and its plan with
  the morning peak and the Outages queue and their figures; no other partner's copy holds them;
- the plan's actions aimed at where the gap is: Bravo's interval actions at the morning peak with
  a measure on it, the Outages queue no action addresses named in the internal copy; Corona's gap
  spread, said as such; a check-in's segment value once its month's records are in.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from govdocs import pipeline
from govdocs.config.loader import load_config
from govdocs.documents.common import Audience
from govdocs.facts import run_facts
from govdocs.gaps import gap_view, split_gaps
from govdocs.periods import Quarter
from govdocs.pipeline import PipRequest, QbrRequest, load_workspace, render_pips, render_qbrs
from govdocs.raw import engine
from govdocs.raw.model import RawData
from govdocs.raw.sql.drill import GAP_QUERY
from govdocs.scoring.results import Status
from tests.test_raw_engine import write_csv

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "examples" / "governance.yaml"
MAPPING = ROOT / "examples" / "raw" / "mapping.yaml"
INPUTS = ROOT / "examples" / "inputs"
PARTNER_DATA = ROOT / "examples" / "raw" / "partner_reported.csv"
Q3 = Quarter(2026, 3)
AS_OF = date(2026, 10, 15)

HEADER = ["Id", "Vendor", "Media", "Queue", "Arrived", "Answered", "Ended", "Talk", "Hold", "Wrap", "Agent", "Team"]
COLUMNS = {
    "contact_id": "Id",
    "partner": "Vendor",
    "channel": "Media",
    "programme": "Queue",
    "arrived_at": "Arrived",
    "answered_at": "Answered",
    "ended_at": "Ended",
    "talk_seconds": "Talk",
    "hold_seconds": "Hold",
    "acw_seconds": "Wrap",
    "agent_id": "Agent",
    "team": "Team",
}
MEASURES = [
    {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20},
    {"kpi": "abandonment", "measure": "abandon_rate"},
    {"kpi": "asa", "measure": "asa"},
    {"kpi": "aht", "measure": "aht"},
    {"kpi": "sl_answered", "measure": "service_level", "answered_within_seconds": 20, "denominator": "answered"},
]
SCALE = {"service_level": 100.0, "abandonment": 100.0, "asa": 1.0, "aht": 1.0, "sl_answered": 100.0}


def _raw(roster: bool = True) -> RawData:
    sources: dict = {
        "interactions": {"files": "calls.csv", "timezone": "Europe/Amsterdam", "columns": COLUMNS},
    }
    if roster:
        sources["roster"] = {
            "files": "roster.csv",
            "columns": {"agent_id": "Agent", "partner": "Vendor", "hired_on": "Hired", "site": "Site"},
        }
    return RawData.model_validate({"sources": sources, "kpis": MEASURES})


def _programme(folder: Path, seed: int) -> None:
    """Contacts of two partners over July-September 2026: random waits, queues, hours, agents."""
    rng = random.Random(seed)
    agents = {
        p: [(f"{p}{n}", date(2026, 7, 1) - timedelta(days=rng.randrange(0, 900))) for n in range(8)] for p in "AB"
    }
    rows = []
    for n in range(rng.randrange(300, 600)):
        partner = rng.choice("AB")
        arrived = datetime(2026, 7, 1, 7) + timedelta(days=rng.randrange(0, 91), seconds=rng.randrange(0, 14 * 3600))
        wait = int(rng.expovariate(1 / 25))
        queue = rng.choice(("Billing", "Moves", "Outages"))
        if rng.random() < 0.1:  # abandoned (or a short abandon: not offered)
            rows.append([f"x{n}", partner, "voice", queue, f"{arrived}", "", f"{arrived + timedelta(seconds=wait)}"])
            rows[-1] += ["", "", "", "", ""]
            continue
        talk, hold, wrap = rng.randrange(60, 900), rng.choice((0, 0, rng.randrange(1, 90))), rng.randrange(5, 60)
        answered = arrived + timedelta(seconds=wait)
        ended = answered + timedelta(seconds=talk + hold + wrap)
        agent = rng.choice(agents[partner])[0] if rng.random() < 0.95 else ""  # a few not recorded
        team = rng.choice(("T1", "T2", "")) if agent else ""
        rows.append([f"x{n}", partner, "voice", queue, f"{arrived}", f"{answered}", f"{ended}"])
        rows[-1] += [str(talk), str(hold), str(wrap), agent, team]
    write_csv(folder / "calls.csv", HEADER, rows)
    staff = [[a, p, h.isoformat(), rng.choice(("North", "South"))] for p in "AB" for a, h in agents[p][:-1]]
    write_csv(folder / "roster.csv", ["Agent", "Vendor", "Hired", "Site"], staff)


def _targets(partners: list[str], kpis: list[str], rng: random.Random) -> pd.DataFrame:
    rows = [
        (p, k, rng.uniform(0, 100) if SCALE[k] == 100 else rng.uniform(5, 600), rng.choice((1, -1)))
        for p in partners
        for k in kpis
    ]
    frame = pd.DataFrame(rows, columns=["partner", "kpi", "target", "sign"])
    return frame.assign(first_period="2026-07", last_period="2026-09")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_split_adds_up_exactly_to_each_gap_on_generated_records(tmp_path: Path, seed: int) -> None:
    _programme(tmp_path, seed)
    agg = engine.aggregate(_raw(), base=tmp_path, partner_ids=["A", "B"])
    drill = agg.drill
    assert set(drill["dimension"]) == {"hour_band", "weekday", "queue", "channel", "site", "team", "tenure"}
    targets = _targets(["A", "B"], list(SCALE), random.Random(seed))
    table = split_gaps(drill, targets, SCALE)
    for (partner, kpi, dimension), rows in table.groupby(["partner", "kpi", "dimension"]):
        target = targets[(targets["partner"] == partner) & (targets["kpi"] == kpi)].iloc[0]
        # exact: the drill-down's sums are integers or whole microseconds, read as rationals, per
        # segment over the quarter's months
        mine = drill[(drill["partner"] == partner) & (drill["kpi"] == kpi) & (drill["dimension"] == dimension)]
        sums: dict[str, list[Fraction]] = {}
        for r in mine.itertuples():
            key = "" if pd.isna(r.segment) else r.segment  # not recorded: sorted first, as the SQL does
            total = sums.setdefault(key, [Fraction(0), Fraction(0)])
            total[0] += Fraction(r.numerator)
            total[1] += Fraction(r.volume)
        n = [sums[k][0] for k in sorted(sums)]
        d = [sums[k][1] for k in sorted(sums)]
        scale, goal = Fraction(SCALE[kpi]), Fraction(target["target"])
        whole = scale * sum(n) / sum(d)
        parts = [int(target["sign"]) * (di / sum(d)) * (goal - scale * ni / di) for ni, di in zip(n, d, strict=True)]
        assert sum(parts) == int(target["sign"]) * (goal - whole)
        # the SQL's doubles: each contribution as the rational one, their sum the shortfall
        assert rows["contribution"].sum() == pytest.approx(float(rows["shortfall"].iloc[0]), abs=1e-9)
        assert rows["contribution"].tolist() == pytest.approx([float(p) for p in parts], abs=1e-12)
        assert rows["share"].sum() == pytest.approx(1.0, abs=1e-12)
        # the whole is the KPI table's quarter value: the months' values weighted by their volumes
        months = agg.kpis[(agg.kpis["partner"] == partner) & (agg.kpis["kpi"] == kpi)]
        weighted = (months["value"] * months["volume"]).sum() / months["volume"].sum()
        assert float(rows["whole_value"].iloc[0]) == pytest.approx(weighted, rel=1e-12)


def _one_month(folder: Path) -> RawData:
    # Europe/Amsterdam local times; 6 July 2026 is a Monday
    rows = [
        ["c1", "A", "voice", "Billing", "2026-07-06 08:10:00", "2026-07-06 08:10:10", "2026-07-06 08:15:00"],
        ["c2", "A", "voice", "Billing", "2026-07-06 09:59:00", "2026-07-06 10:00:00", "2026-07-06 10:05:00"],
        ["c3", "A", "voice", "Outages", "2026-07-07 14:00:00", "", "2026-07-07 14:01:00"],  # abandoned
        ["c4", "A", "voice", "Outages", "2026-07-07 15:00:00", "2026-07-07 15:00:05", "2026-07-07 15:04:00"],
    ]
    staff = [["a1", "T1"], ["a2", "T2"], ["", ""], ["a2", "T2"]]
    handling = [["200", "0", "20"], ["250", "10", "30"], ["", "", ""], ["150", "0", "10"]]
    write_csv(folder / "calls.csv", HEADER, [r + h + s for r, h, s in zip(rows, handling, staff, strict=True)])
    write_csv(
        folder / "roster.csv",
        ["Agent", "Vendor", "Hired", "Site"],
        [["a1", "A", "2026-05-01", "North"], ["a2", "A", "2024-01-15", "South"]],
    )
    return _raw()


def test_each_segment_by_hand(tmp_path: Path) -> None:
    agg = engine.aggregate(_one_month(tmp_path), base=tmp_path, partner_ids=["A"])
    drill = agg.drill.set_index(["kpi", "dimension", "segment"])
    sl = drill.loc["service_level"]
    # c1 (10 s) and c2 (60 s) arrive 08:00-10:00 on Monday; c3 (abandoned) and c4 (5 s) 14:00-16:00 Tuesday
    assert sl.loc[("hour_band", "08"), ["numerator", "volume"]].tolist() == [1, 2]
    assert sl.loc[("hour_band", "14"), ["numerator", "volume"]].tolist() == [1, 2]
    assert sl.loc[("weekday", "1"), "volume"] == 2 and sl.loc[("weekday", "2"), "volume"] == 2
    # service level counts the abandoned contact: not split by the agents' team, tenure or site
    assert set(sl.index.get_level_values(0)) == {"hour_band", "weekday", "queue", "channel"}
    answered = drill.loc["sl_answered"]
    # a1 hired 1 May: 66 days in post on 6 July; a2 since January 2024
    assert answered.loc[("tenure", "under_90_days"), ["numerator", "volume"]].tolist() == [1, 1]
    assert answered.loc[("tenure", "over_365_days"), ["numerator", "volume"]].tolist() == [1, 2]
    assert answered.loc[("site", "South"), "volume"] == 2 and answered.loc[("team", "T1"), "volume"] == 1
    aht = drill.loc["aht"]
    assert aht.loc[("queue", "Billing"), ["numerator", "volume"]].tolist() == [220 + 290, 2]

    targets = pd.DataFrame(
        [("A", "service_level", 80.0, 1, "2026-07", "2026-09")],
        columns=["partner", "kpi", "target", "sign", "first_period", "last_period"],
    )
    split = split_gaps(agg.drill, targets, SCALE).set_index(["dimension", "segment"])
    # 2 of 4 within 20 s: 50%, 30 points short; 08:00-10:00 holds half the contacts at 50%: 15 points
    assert split.loc[("hour_band", "08"), "contribution"] == pytest.approx(15.0)
    assert split.loc[("hour_band", "08"), "shortfall"] == pytest.approx(30.0)


def test_duckdb_and_spark_give_the_same_split(tmp_path: Path) -> None:
    pytest.importorskip("pyspark")
    from govdocs.raw import spark
    from govdocs.raw.sql import dialects

    _programme(tmp_path, 7)
    raw = _raw()
    duck = engine.aggregate(raw, base=tmp_path, partner_ids=["A", "B"])
    on_spark = engine.aggregate(raw, base=tmp_path, partner_ids=["A", "B"], engine="spark", spark_master="local[2]")
    pd.testing.assert_frame_equal(duck.drill, on_spark.drill, check_exact=True)

    targets = _targets(["A", "B"], list(SCALE), random.Random(7)).assign(scale=lambda f: f["kpi"].map(SCALE))
    expected = split_gaps(duck.drill, targets.drop(columns="scale"), SCALE)
    session = spark.start_session("local[2]")
    session.createDataFrame(duck.drill).createOrReplaceTempView("gap_drill")
    session.createDataFrame(targets).createOrReplaceTempView("gap_targets")
    try:
        got = session.sql(dialects.translate(GAP_QUERY, "spark")).toPandas()
    finally:
        for view in ("gap_drill", "gap_targets"):
            session.catalog.dropTempView(view)
    got["segment"] = got["segment"].where(got["segment"].notna(), None)
    expected["segment"] = expected["segment"].where(expected["segment"].notna(), None)
    numbers = ["numerator", "volume", "share", "value", "whole_value", "contribution", "shortfall"]
    assert (
        got[["partner", "kpi", "dimension", "segment"]].astype(object).values.tolist()
        == expected[["partner", "kpi", "dimension", "segment"]].astype(object).values.tolist()
    )
    for column in numbers:
        assert got[column].tolist() == pytest.approx(expected[column].tolist(), rel=1e-12, abs=1e-12)


# --- the example: Bravo's service-level miss in the morning peak on the Outages queue ---------


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory):
    """The example from its raw exports, aggregated once; the documents rendered as HTML."""
    workspace = load_workspace(CONFIG, [PARTNER_DATA], INPUTS, raw=MAPPING)
    out = tmp_path_factory.mktemp("gaps")
    patch = pytest.MonkeyPatch()
    patch.setattr(pipeline, "workspace_for", lambda request: workspace)
    try:
        qbrs = {}
        for audience in (Audience.PARTNER, Audience.INTERNAL):
            request = QbrRequest(
                config_path=CONFIG,
                data_paths=(PARTNER_DATA,),
                quarter=Q3,
                partner_ids=(),
                audience=audience,
                out_dir=out / audience.value,
                fmt="html",
                inputs_dir=INPUTS,
                as_of=AS_OF,
                raw=MAPPING,
            )
            for written in render_qbrs(request):
                qbrs[(written.partner_id, audience)] = visible(written.path.read_text(encoding="utf-8"))
        plans = {}
        for audience in (Audience.PARTNER, Audience.INTERNAL):
            written, _ = render_pips(
                PipRequest(
                    config_path=CONFIG,
                    data_paths=(PARTNER_DATA,),
                    quarter=Q3,
                    partner_ids=("BRV", "CRN"),
                    audience=audience,
                    out_dir=out / f"plan-{audience.value}",
                    fmt="html",
                    inputs_dir=INPUTS,
                    actions=ROOT / "examples" / "actions",
                    start=None,
                    extra_kpis=(),
                    as_of=AS_OF,
                    raw=MAPPING,
                )
            )
            for w in written:
                plans[(w.partner_id, audience)] = visible(w.path.read_text(encoding="utf-8"))
    finally:
        patch.undo()
    facts = run_facts(workspace.config, workspace.data, Q3, AS_OF, CONFIG, drill=workspace.run.drill)
    return facts, qbrs, plans


def visible(html: str) -> str:
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    for entity, char in (("&amp;", "&"), ("&#39;", "'"), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"')):
        text = text.replace(entity, char)
    return " ".join(text.split())


def test_bravos_miss_is_in_the_morning_peak_on_the_outages_queue(example) -> None:
    facts, qbrs, plans = example
    plan = plans[("BRV", Audience.PARTNER)]
    gaps = {g.kpi_id: g for g in facts["BRV"].gaps}
    sl = gaps["service_level"]
    assert sl.value == pytest.approx(facts["BRV"].assessment.kpis[0].current.value, abs=1e-9)
    named = {(s.dimension, s.segment) for s in sl.segments}
    assert {("queue", "Outages"), ("hour_band", "08")} <= named
    for dimension, segments in sl.split.items():
        assert sum(s.contribution for s in segments) == pytest.approx(sl.shortfall, abs=1e-9), dimension
    view = gap_view(facts["BRV"].gaps)
    assert view is not None
    for audience in (Audience.PARTNER, Audience.INTERNAL):
        text = qbrs[("BRV", audience)]
        assert "Where the gap is" in text
        # the segment with its figures, as the fact gives them
        peak = next(s for s in sl.segments if s.dimension == "hour_band")
        sentence = next(line for line in view.lines[0].segments if line.startswith("08:00–10:00"))
        assert sentence in text
        assert f"(time of day), {peak.share * 100:.0f}% of the contacts at {peak.value:.1f}%, holds " in sentence
        assert f"holds {peak.contribution:.1f} points ({peak.contribution / sl.shortfall * 100:.0f}%)" in sentence
        assert view.lines[0].headline in text
    # docs/raw.md quotes the line as the QBR prints it
    line = view.lines[0]
    quoted = " ".join((ROOT / "docs" / "raw.md").read_text(encoding="utf-8").split())
    assert f"`{line.headline} {'; '.join(line.segments)}.`" in quoted
    # the plan shows it beside the objectives, and each document says how in its appendix
    assert "Where the gap is" in plan and sentence in plan
    assert f"Where the gap is: {view.method}" in plan and f"Where the gap is: {view.method}" in text


def test_a_partner_copy_holds_only_its_own_segments(example) -> None:
    facts, qbrs, _ = example
    sentences = {
        pid: {s for line in (gap_view(f.gaps).lines if f.gaps else ()) for s in (line.headline, *line.segments)}
        for pid, f in facts.items()
    }
    assert sentences["BRV"]
    for (pid, audience), text in qbrs.items():
        for other, theirs in sentences.items():
            if other == pid:
                assert all(s in text for s in theirs), pid
                continue
            # a sentence with figures (a KPI's name alone is every partner's)
            leaked = {s for s in theirs - sentences[pid] if any(c.isdigit() for c in s) and s in text}
            assert not leaked, (pid, audience.value, other, leaked)


def test_a_partner_without_red_or_amber_kpis_has_no_panel(example) -> None:
    facts, qbrs, _ = example
    calm = [pid for pid, f in facts.items() if not f.gaps]
    assert calm  # Atlas is green on every KPI the records measure
    for pid in calm:
        assert "Where the gap is" not in qbrs[(pid, Audience.PARTNER)]


# --- the plan's actions aimed at where the gap is ----------------------------------------------


def test_bravos_plan_aims_its_interval_actions_at_the_morning_peak(example) -> None:
    """SL-WFM-1 and SL-FCST-1 (driver: interval_staffing) aim at 08:00–10:00, measured on it from
    its Q3 value to the plan's target; the Outages queue, where no action's driver points, is
    named in the internal copy only, and so is SL-ADH-1 (site_team), whose driver the records
    do not show."""
    facts, _, plans = example
    sl = next(g for g in facts["BRV"].gaps if g.kpi_id == "service_level")
    peak = next(s for s in sl.segments if s.dimension == "hour_band")
    queue = next(s for s in sl.segments if s.dimension == "queue")
    aimed = (
        f"SL-WFM-1 and SL-FCST-1 are aimed at 08:00–10:00 (Service level): Service level in the 08:00–10:00 "
        f"interval from {peak.value:.1f}% to 80.0% by the final review on "
    )
    unaddressed = (
        f"Service level: Outages (queue) holds {queue.contribution / sl.shortfall * 100:.0f}% of the gap, and no "
        "action of the plan addresses a queue's process (driver: queue_process)."
    )
    off_target = "SL-ADH-1 addresses a site or team, where the records do not show Service level's gap concentrated"
    for audience in (Audience.PARTNER, Audience.INTERNAL):
        text = plans[("BRV", audience)]
        assert aimed in text, audience
        # the check-ins' table: the quarter's value, then every meeting with a month to review (none held yet)
        # (check-in 1 reviews September, before the plan: its meeting reviews the actions only)
        assert f"Measured – Q3 2026 {peak.value:.1f}% Check-in 2 " in text
        assert "to come" in text and "no records for" not in text
        assert "Actions aimed at where the gap is: An action aimed at a segment" in text  # the rule, in the appendix
        assert (unaddressed in text) is (audience is Audience.INTERNAL)
        assert (off_target in text) is (audience is Audience.INTERNAL)
    # docs/raw.md tells the story with the plan's figures
    quoted = " ".join((ROOT / "docs" / "raw.md").read_text(encoding="utf-8").split())
    assert f"measured on it from {peak.value:.1f}% to the plan's 80.0% target" in quoted


def test_coronas_plan_says_its_gap_is_spread(example) -> None:
    """Corona's gaps hold no concentration: no action is aimed at a segment, said in both copies;
    the internal copy names the actions whose driver the records do not show. Nothing of Bravo's."""
    facts, _, plans = example
    names = [g.name for g in facts["CRN"].gaps if not g.segments]
    assert names and not any(g.segments for g in facts["CRN"].gaps)
    for audience in (Audience.PARTNER, Audience.INTERNAL):
        text = plans[("CRN", audience)]
        assert "the records show the gap spread across the contacts" in text
        assert not re.search(r"(is|are) aimed at (?!one segment)", text)
        assert "08:00–10:00 interval from" not in text and "Outages" not in text
        internal = "SL-WFM-1 addresses staffing in intervals (time of day, weekday), where the records do not show"
        assert (internal in text) is (audience is Audience.INTERNAL)


def test_a_check_in_reports_the_segment_once_its_records_are_in() -> None:
    """After the check-ins are held: the month the records hold gives the segment's value, a month
    they do not yet hold says so, a month below the minimum sample is too small to say."""
    from dataclasses import replace

    from govdocs.documents.segment_aims import segment_aims_view
    from govdocs.gaps import KpiGap, SegmentGap
    from govdocs.planning.pip import build_plan

    config = load_config(CONFIG)
    facts = run_facts(config, load_workspace(CONFIG, [ROOT / "examples" / "data" / "kpis.csv"]).data, Q3, AS_OF)
    plan = build_plan(config=config, assessment=facts["BRV"].assessment, issued=AS_OF, start=None)
    peak = SegmentGap("hour_band", "08", 800.0, 0.13, 58.2, 2.9)
    gap = KpiGap(
        "service_level", "Service level", "percent", 1, Status.RED, 80.0, 74.1, 5.9, ("hour_band",),
        {"hour_band": (peak,)}, (peak,), min_sample=100.0,
        monthly={("hour_band", "08"): {"2026-10": (57.0, 300.0), "2026-12": (66.5, 40.0)}},
    )  # fmt: skip
    later = date(2027, 6, 1)  # every meeting held
    view = segment_aims_view(plan, [gap], later, Audience.PARTNER)
    assert view is not None
    cells = {row.reviewed: row.cells[0] for row in view.checkins}
    assert "Sep 2026" not in cells  # the month before the plan: its meeting reviews the actions only
    assert cells["Oct 2026"] == "57.0%"
    assert cells["Nov 2026"] == "no records for Nov 2026 yet"
    assert cells["Dec 2026"] == "too small to say (40 contacts)"
    # before any meeting: each is to come
    assert {row.cells[0] for row in segment_aims_view(plan, [gap], AS_OF, Audience.PARTNER).checkins} == {"to come"}
    # without an interval action, the morning peak is unaddressed: said in the internal copy only
    bare = replace(plan, actions=tuple(a for a in plan.actions if a.driver is None))
    assert segment_aims_view(bare, [gap], AS_OF, Audience.PARTNER) is None
    internal = segment_aims_view(bare, [gap], AS_OF, Audience.INTERNAL)
    assert internal is not None and internal.unaddressed == (
        "Service level: 08:00–10:00 (time of day) holds 49% of the gap, and no action of the plan addresses "
        "staffing in intervals (time of day, weekday) (driver: interval_staffing)",
    )


def test_a_kpi_table_without_records_has_no_split(tmp_path: Path) -> None:
    config = load_config(CONFIG)
    # the split reads only the drill-down rows: none, no split
    facts = run_facts(config, load_workspace(CONFIG, [ROOT / "examples" / "data" / "kpis.csv"]).data, Q3, AS_OF)
    assert all(not f.gaps for f in facts.values())


def test_amazon_connect_records_name_the_answering_agent(tmp_path: Path) -> None:
    """Connect's Agent.Username joins the roster (tenure); a hierarchy level, mapped by the user,
    is the team (here the username stands in for it: the example's records carry no hierarchy)."""
    connect = ROOT / "examples" / "raw" / "connect"
    write_csv(
        tmp_path / "roster.csv",
        ["Agent", "Vendor", "Hired"],
        [["agent-bra", "Bravo Manila", "2026-06-01"], ["agent-atl", "Atlas Lisbon", "2020-01-01"]],
    )
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": str(connect / "ctr-2026-*.jsonl.gz"),
                    "format": "amazon-connect",
                    "timezone": "Europe/Lisbon",
                    "partner_values": {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"},
                    "columns": {"team": "Agent.Username"},
                },
                "roster": {
                    "files": "roster.csv",
                    "partner_values": {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"},
                    "columns": {"agent_id": "Agent", "partner": "Vendor", "hired_on": "Hired"},
                },
            },
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    drill = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).drill
    july = drill[(drill["period"] == "2026-07") & (drill["partner"] == "BRV")].set_index(["dimension", "segment"])
    answered = july.loc[("channel", "VOICE"), "volume"]
    assert july.loc[("team", "agent-bra"), "volume"] == answered  # every answered contact names its agent
    # hired on 1 June: under 90 days in post throughout July
    assert july.loc[("tenure", "under_90_days"), "volume"] == answered
