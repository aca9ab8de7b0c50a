"""Peer figures an adversary cannot recover: every partner copy of generated portfolios read as a
partner trying to learn a competitor's result would read it.

Portfolios of 3 to 9 partners in one peer group (2 to 8 peers each) are drawn from the example's
KPI catalogue with random quarter values (some partners without data on some KPIs), at the
default minimum of five peers and at the lowest allowed (three). Each partner's QBR, partner copy,
is rendered as the pipeline renders it (HTML: the same context and template as the PDF) and its
peer section is read back as text. The adversary knows the rule the page states and everything
the page prints: the partner's own value, how many peers have data, a band's edges, and -- in the
layout this replaced -- a median and a rank. From these it narrows every peer's value (sorted, as
order statistics) to an interval; a peer is recovered when an interval is narrower than the
KPI's printed precision, and the test fails on any recovery. A positive control shows the
adversary recovering a peer from the median-and-rank layout the example printed before.
"""

from __future__ import annotations

import copy
import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import pytest
import yaml
from conftest import AS_OF, CONFIG, QUARTER
from test_claims_generated import _quick_rendering, visible_text

EXAMPLE = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
KPIS = EXAMPLE["kpis"]
MONTHS = ["2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]
# (partners, minimum peers, seed): 2 to 8 peers, each at the default minimum and at the lowest one
PORTFOLIOS = [(n, minimum, 1000 * n + minimum) for n in range(3, 10) for minimum in (3, 5)]


# --- the portfolios -----------------------------------------------------------------------------


def _scale(kpi: dict[str, Any]) -> tuple[float, float]:
    if kpi.get("scale"):
        return tuple(kpi["scale"])  # type: ignore[return-value]
    return (0.0, 100.0) if kpi["unit"] == "percent" else (0.0, math.inf)


def _value(kpi: dict[str, Any], rng: Random) -> float:
    target, floor = kpi["target"], kpi.get("floor", kpi["target"])
    spread = max(abs(target - floor), 10 ** -kpi.get("decimals", 1)) * 3
    low, high = _scale(kpi)
    value = rng.uniform(target - spread, target + spread)
    if rng.random() < 0.1:  # a value right on the grid the band is drawn on
        value = round(value, max(kpi.get("decimals", 1) - 1, 0))
    return round(min(max(value, low), high), 4)


def write_portfolio(folder: Path, partners: int, min_peers: int, seed: int) -> tuple[Path, Path, list[str]]:
    rng = Random(seed)
    config = copy.deepcopy(EXAMPLE)
    template = next(p for p in config["partners"] if p["id"] == "ATL")
    template.pop("plans", None)
    ids = [f"P{i:02d}" for i in range(1, partners + 1)]
    config["partners"] = []
    for pid in ids:
        entry = copy.deepcopy(template)
        entry.update(id=pid, name=f"Partner {pid} Services", aliases=[], peer_group="voice", contacts=[])
        config["partners"].append(entry)
    config["client_factors"] = [f for f in config.get("client_factors", []) if not f.get("partners")]
    config["peer_comparison"] = {"min_peers": min_peers}
    folder.mkdir(parents=True)
    config_path, data_path = folder / "governance.yaml", folder / "kpis.csv"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    with data_path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["partner", "period", "kpi", "value", "volume", "source"])
        for pid in ids:
            for kpi in KPIS:
                if rng.random() < 0.15:
                    continue  # no data for the quarter on this KPI: one peer fewer for it
                level = _value(kpi, rng)
                for period in MONTHS:
                    minimum = kpi.get("min_sample", 0)
                    volume = "" if not minimum else str(minimum * 20)
                    out.writerow([pid, period, kpi["id"], repr(level), volume, "measured"])
    return config_path, data_path, ids


# --- the page as the adversary reads it -----------------------------------------------------------


NUMBER = r"(−?[\d,]+(?:\.\d+)?)"


@dataclass(frozen=True)
class PeerRow:
    kpi: dict[str, Any]
    own: float | None
    peers: int | None
    band: tuple[float, float] | None
    median: float | None
    rank: tuple[int, int] | None


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def peer_section(text: str) -> str:
    start = text.index("Peer comparison")
    ends = [i for h in ("What the SLA doesn't show", "What the partner controls") if (i := text.find(h, start)) > 0]
    return text[start : min(ends)]


def peer_rows(section: str) -> list[PeerRow]:
    """One row per KPI, in catalogue order, read from the table's text (the rule above it aside)."""
    names = [k["name"] for k in KPIS]
    table_start = section.find(f"{names[0]} ", section.find("Status"))
    rows = []
    if table_start < 0:
        return rows
    table = section[table_start:]
    starts = []
    position = 0
    for name in names:
        found = table.find(f"{name} ", position)
        starts.append(found)
        position = max(found, position)
    for i, (kpi, start) in enumerate(zip(KPIS, starts, strict=True)):
        end = starts[i + 1] if i + 1 < len(starts) else len(table)
        row = table[start + len(kpi["name"]) : end]
        values = re.findall(NUMBER + r"(?:%| s| min)?", row)
        own = _number(values[0]) if values and not row.lstrip().startswith("–") else None
        band = re.search(NUMBER + "–" + NUMBER, row)
        peers = re.search(r"\s(\d+)\s+(?:not shown|" + NUMBER + "–)", row)
        rank = re.search(r"(\d+) of (\d+)", row) if "Rank" in section else None
        median = None
        if "Peer median" in section and not band:
            numbers = [_number(v) for v in re.findall(NUMBER + r"(?:%| s| min)", row)]
            median = numbers[1] if len(numbers) > 1 else None
        rows.append(
            PeerRow(
                kpi,
                own,
                int(peers.group(1)) if peers else None,
                (_number(band.group(1)), _number(band.group(2))) if band else None,
                median,
                (int(rank.group(1)), int(rank.group(2))) if rank and not band else None,
            )
        )
    return rows


# --- the adversary ---------------------------------------------------------------------------------


@dataclass
class Intervals:
    """What the adversary knows of each peer's value, sorted lowest first: [low, high]."""

    low: list[float]
    high: list[float]

    def tighten(self) -> None:
        for _ in range(len(self.low) + 1):  # the order of the sorted values
            for i in range(1, len(self.low)):
                self.low[i] = max(self.low[i], self.low[i - 1])
            for i in range(len(self.high) - 2, -1, -1):
                self.high[i] = min(self.high[i], self.high[i + 1])


def narrowed(row: PeerRow, peers: int, decimals: int, higher: bool) -> Intervals:
    """What the page tells of each peer's value, sorted."""
    low, high = _scale(row.kpi)
    known = Intervals([low] * peers, [high] * peers)
    half = 0.5 * 10**-decimals
    if row.median is not None:
        m = (peers + 1) // 2 - 1
        if peers % 2:
            known.low[m], known.high[m] = row.median - half, row.median + half
    if row.rank is not None and row.own is not None:
        better = row.rank[0] - 1  # peers strictly better than the partner's own value
        for i in range(peers):
            beats = i >= peers - better if higher else i < better
            if beats == higher:  # at or above the partner's own value
                known.low[i] = max(known.low[i], row.own - half)
            else:
                known.high[i] = min(known.high[i], row.own + half)
    if row.band is not None:
        step = 10.0 ** (1 - decimals)
        a = math.ceil(peers / 4)
        lo, hi = row.band
        # The rule on the page: the edges are the grid lines strictly around the a-th lowest and
        # the a-th highest peer (an edge on the scale's end may be the value itself).
        known.low[a - 1] = max(known.low[a - 1], lo if lo > low else low)
        known.high[a - 1] = min(known.high[a - 1], lo + step)
        known.low[peers - a] = max(known.low[peers - a], hi - step)
        known.high[peers - a] = min(known.high[peers - a], hi)
    known.tighten()
    return known


def attack(row: PeerRow, peers: int, decimals: int, higher: bool) -> list[float]:
    """The peer values (as printed to `decimals`) the adversary can derive from `row`."""
    half = 0.5 * 10**-decimals
    known = narrowed(row, peers, decimals, higher)
    return [
        round((lo + hi) / 2, decimals)
        for lo, hi in zip(known.low, known.high, strict=True)
        if hi - lo <= 2 * half + 1e-9
    ]


def recovered(row: PeerRow, true_values: list[float]) -> list[float]:
    """The peers' values the adversary derives and that are right."""
    if not true_values or row.peers is None and row.median is None:
        return []
    decimals = row.kpi.get("decimals", 1)
    higher = row.kpi["direction"] == "higher_is_better"
    claims = attack(row, len(true_values), decimals, higher)
    printed = {round(v, decimals) for v in true_values}
    return [c for c in claims if c in printed]


# --- the run ---------------------------------------------------------------------------------------


def partner_pages(folder: Path, config_path: Path, data_path: Path) -> dict[str, str]:
    from govdocs.documents.common import Audience
    from govdocs.pipeline import QbrRequest, render_qbrs

    request = QbrRequest(
        config_path=config_path,
        data_paths=(data_path,),
        quarter=QUARTER,
        partner_ids=(),
        audience=Audience.PARTNER,
        out_dir=folder / "out",
        fmt="html",
        inputs_dir=None,
        as_of=AS_OF,
        force=False,
    )
    written = render_qbrs(request)
    return {d.partner_id: visible_text(d.path.read_text(encoding="utf-8")) for d in written}


def quarter_values(config_path: Path, data_path: Path) -> dict[str, list[float | None]]:
    from govdocs.facts import assess_portfolio
    from govdocs.pipeline import load_workspace

    workspace = load_workspace(config_path, [data_path])
    portfolio = assess_portfolio(workspace.config, workspace.data, QUARTER, AS_OF)
    return {pid: [k.current.value for k in a.kpis] for pid, a in portfolio.items()}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, int, dict[str, str], dict]]:
    found = []
    base = tmp_path_factory.mktemp("peer-privacy")
    with pytest.MonkeyPatch.context() as patch:
        _quick_rendering(patch)
        for partners, minimum, seed in PORTFOLIOS:
            folder = base / f"portfolio-{partners}-{minimum}"
            config_path, data_path, _ = write_portfolio(folder, partners, minimum, seed)
            texts = partner_pages(folder, config_path, data_path)
            found.append((folder.name, minimum, texts, quarter_values(config_path, data_path)))
    return found


def test_no_peer_value_can_be_recovered_from_a_partner_copy(pages, capsys):
    recoveries, rows_read, bands = [], 0, 0
    for name, minimum, texts, values in pages:
        for pid, text in texts.items():
            rows = peer_rows(peer_section(text))
            with_data = [sum(1 for o, v in values.items() if o != pid and v[i] is not None) for i in range(len(KPIS))]
            if not rows:  # no table: no KPI has enough peers
                assert max(with_data) < minimum, (name, pid)
                continue
            assert len(rows) == len(KPIS), (name, pid)
            for index, row in enumerate(rows):
                rows_read += 1
                peers = sorted(v[index] for other, v in values.items() if other != pid and v[index] is not None)
                if found := recovered(row, peers):
                    recoveries.append(f"{name} {pid} {row.kpi['id']}: {found} of {peers}")
                    continue
                bands += row.band is not None
                # the adversary's reading of the rule is sound: every peer lies where it says
                known = narrowed(
                    row, len(peers), row.kpi.get("decimals", 1), row.kpi["direction"] == "higher_is_better"
                )
                inside = zip(known.low, peers, known.high, strict=True)
                assert all(lo - 1e-9 <= v <= hi + 1e-9 for lo, v, hi in inside), (name, pid, row, peers)
                assert row.peers == len(peers), (name, pid, row)
                assert (row.band is not None) == (len(peers) >= minimum), (name, pid, row)
                assert row.median is None and row.rank is None, (name, pid, row)  # no statistic, no rank
    with capsys.disabled():
        print(
            f"\npeer privacy: {rows_read} KPI rows of {sum(len(t) for _, _, t, _ in pages)} partner copies read, "
            f"{bands} bands attacked, {len(recoveries)} peer values recovered"
        )
    assert recoveries == [], "\n".join(recoveries)
    assert bands > 50 and rows_read > 300, (bands, rows_read)


def test_the_partner_copy_states_the_rule_and_why_no_figure_is_shown(pages):
    for name, minimum, texts, values in pages:
        for pid, text in texts.items():
            section = peer_section(text)
            with_data = [sum(1 for o, v in values.items() if o != pid and v[i] is not None) for i in range(len(KPIS))]
            if max(with_data) >= minimum:
                assert f"Where at least {minimum} peers have data for a KPI, the band shows" in section, (name, pid)
            else:
                assert f"Peer figures are shown only where at least {minimum} peers have data" in section
                assert f"No peer figure is shown this quarter: at most {max(with_data)} other partner" in section
                assert f"fewer than the {minimum} needed" in section


def test_the_adversary_recovers_a_peer_from_a_median_and_rank():
    """The positive control: the layout the example printed before (median of three peers, rank)
    gives a peer's value away, and the adversary finds it."""
    kpi = next(k for k in KPIS if k["id"] == "service_level")
    peers = [70.35, 74.12, 81.9]
    row = PeerRow(kpi, own=78.2, peers=None, band=None, median=74.1, rank=(2, 4))
    assert recovered(row, peers) == [74.1]
    # and a band drawn by the rule leaves every peer a step wide
    row = PeerRow(kpi, own=78.2, peers=3, band=(70.0, 82.0), median=None, rank=None)
    assert recovered(row, peers) == []
