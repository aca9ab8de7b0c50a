"""The set claims checker: every count and every "all / every / no KPI ..." sentence of a QBR
recomputed from the scorecard, read from the rendered text (PDF or HTML).

The sets are worked out here apart from govdocs.scoring.standing: each KPI's quarter status as the
scorecard prints it and, for a result that is not statistically clear, the threshold its 95%
interval reaches across (the target: it may be on target; only the floor: it is below target for
certain). Used by test_claims_sets.py (the example build, a programme made by `govdocs init`) and
by test_claims_generated.py (generated portfolios).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from govdocs.config.model import Direction
from govdocs.scoring.engine import PartnerAssessment
from govdocs.scoring.results import Status
from govdocs.scoring.stats import kpi_interval


@dataclass(frozen=True)
class Sets:
    met: tuple[str, ...]
    amber: tuple[str, ...]
    red: tuple[str, ...]
    unclear_target: tuple[str, ...]
    unclear_floor: tuple[str, ...]
    no_data: tuple[str, ...]
    total: int

    @property
    def short(self) -> set[str]:
        """Below the target for certain."""
        return {*self.amber, *self.red, *self.unclear_floor}


def reaches_target(direction: Direction, target: float, low: float, high: float) -> bool:
    """The interval holds a value that meets the target."""
    return high >= target if direction is Direction.HIGHER else low <= target


def sets_of(assessment: PartnerAssessment) -> Sets:
    groups: dict[str, list[str]] = {k: [] for k in ("met", "amber", "red", "unclear_target", "unclear_floor", "no")}
    for item in assessment.kpis:
        kpi, current = item.kpi, item.current
        status = current.status
        if status is Status.NOT_CLEAR:
            assert current.value is not None and current.volume
            interval = kpi_interval(current.value, current.volume)
            on_target = reaches_target(kpi.direction, kpi.target, interval.low, interval.high)
            key = "unclear_target" if on_target else "unclear_floor"
        else:
            key = {Status.GREEN: "met", Status.AMBER: "amber", Status.RED: "red"}.get(status, "no")
        groups[key].append(kpi.name)
    return Sets(*(tuple(v) for v in groups.values()), total=len(assessment.kpis))


def _names(text: str) -> set[str]:
    """'A, B and C' -> {A, B, C}."""
    return {n.strip() for n in re.split(r",\s*|\s+and\s+", text) if n.strip()}


# the sections after the scorecard: the summary's points end before the first of them (pypdf reads
# the summary's right-hand column after a scorecard that starts on the same page)
AFTER_SUMMARY = (
    "What the partner controls",
    "Service credits owed",
    "What happens next ",
    "What happens next\n",
    "Follow-up of earlier",
)


def summary_page(text: str) -> str:
    """The executive summary and the scorecard, up to the section after them (a PDF's text reading
    order within the page follows its layout boxes, so the summary's points are found on the page,
    not under a heading)."""
    at = text.find("Executive summary")
    if at < 0:
        return ""
    ends = [e for e in (text.find(marker, at) for marker in AFTER_SUMMARY) if e > 0]
    return text[at : min(ends) if ends else len(text)]


def normal(text: str) -> str:
    """One space between words, a word broken at its hyphen over two lines joined again, a tile's
    number run into its label ('4KPIs') parted."""
    text = " ".join(text.split())
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)
    return re.sub(r"(\d)(KPI)", r"\1 \2", text)


def set_claim_failures(name: str, text: str, assessment: PartnerAssessment) -> list[str]:
    """Each false count or universal sentence in one QBR's text: '<document>: <printed> | <fact>'.
    Empty when every one agrees with the sets."""
    sets = sets_of(assessment)
    short = sets.short
    failures: list[str] = []
    text = normal(text)

    def check(ok: bool, printed: str, fact: str) -> None:
        if not ok:
            failures.append(f"{name}: '{printed}' | {fact}")

    # 1. the summary's tiles: on target (and the ones too close to the target), below target and
    #    not beyond the floor for certain, beyond the floor
    tile = re.search(r"(\d+) KPIs? on target(?:; (\d+) more too close to the target to call)?", text)
    check(tile is not None, "no 'N KPIs on target' tile", "the summary counts the KPIs on target")
    if tile:
        check(int(tile.group(1)) == len(sets.met), tile.group(0), f"{len(sets.met)} met")
        unsure = sets.unclear_target
        check(int(tile.group(2) or 0) == len(unsure), tile.group(0), f"{unsure} unclear at the target")
    tile = re.search(
        r"(\d+) KPIs? below target"
        r"(?:(, within the floor)|: (\d+) within the floor, (\d+) too close to the floor to call)?",
        text,
    )
    check(tile is not None, "no 'N KPIs below target' tile", "the summary counts the KPIs below target")
    if tile:
        within = len(sets.amber) + len(sets.unclear_floor)
        check(int(tile.group(1)) == within, tile.group(0), f"{within} below target, not beyond the floor for certain")
        if tile.group(3):
            check(
                (int(tile.group(3)), int(tile.group(4))) == (len(sets.amber), len(sets.unclear_floor)),
                tile.group(0),
                f"{sets.amber} amber, {sets.unclear_floor} unclear at floor",
            )
        else:
            check(
                tile.group(2) is not None and not sets.unclear_floor,
                tile.group(0),
                f"the tile says which KPIs it counts ({sets.unclear_floor} unclear at the floor)",
            )
    tile = re.search(r"(\d+) KPIs? beyond the floor", text)
    check(tile is not None and int(tile.group(1)) == len(sets.red), tile.group(0) if tile else "-", f"{sets.red} red")

    # 2. the split of responsibility: counts the KPIs below target for certain
    one = "The one KPI below target is" in text
    check(not one or len(short) == 1, "The one KPI below target", f"{len(short)} below target: {sorted(short)}")
    for match in re.finditer(r"All (\d+) KPIs below target are", text):
        check(int(match.group(1)) == len(short), match.group(0), f"{len(short)} below target: {sorted(short)}")
    for match in re.finditer(r"Of the (\d+) KPIs below target, ([^.]*)\.", text):
        parts = sum(int(n) for n in re.findall(r"(\d+) (?:in the|shared|driven|relieved)", match.group(2)))
        check(int(match.group(1)) == len(short) == parts, match.group(0), f"{len(short)} below target: {sorted(short)}")
    if "Every KPI with data met its target" in text:
        check(
            not short and not sets.unclear_target,
            "Every KPI with data met its target",
            f"below target {sorted(short)}, unclear at target {sets.unclear_target}",
        )
    for match in re.finditer(r"No KPI is below target for certain[^;.]*(?:; ([^.:]*?) (?:is|are) too close)?", text):
        check(not short, match.group(0), f"below target for certain: {sorted(short)}")
        if match.group(1):
            check(_names(match.group(1)) == set(sets.unclear_target), match.group(0), f"{sets.unclear_target}")

    # 3. what must improve names every KPI below target for certain ('Customer satisfaction at 81.6%:
    #    3.4 pp short of the 85.0% target'), and gives such a gap to no other
    improve = summary_page(text)
    if improve:
        for kpi in short:
            stated = re.search(rf"{re.escape(kpi)} at [^:]{{1,20}}: \S+ ?\S* (?:short of|above) the", improve)
            check(stated is not None, f"What must improve without {kpi}", f"{kpi} is below target for certain")
        for kpi in {*sets.met, *sets.unclear_target}:
            gap = re.search(rf"{re.escape(kpi)} at [^:]{{1,20}}: \S+ ?\S* (?:short of|above) the", improve)
            check(gap is None, gap.group(0) if gap else "", f"{kpi} is not below target for certain")
    if "Nothing is below target this quarter" in text:
        check(
            not short and not sets.unclear_target and not sets.no_data,
            "Nothing is below target this quarter",
            f"below {sorted(short)}, unclear at target {sets.unclear_target}, no data {sets.no_data}",
        )

    # 4. what went well
    for match in re.finditer(r"No KPI met its target( for certain)? in", text):
        check(not sets.met, match.group(0), f"met: {sets.met}")
        if not match.group(1):
            check(not sets.unclear_target, match.group(0), f"may be on target: {sets.unclear_target}")
    if "performance is on target" in text:
        check(len(sets.met) == sets.total, "performance is on target", f"met {len(sets.met)} of {sets.total}")

    # 5. the data notes: a result too close to call names the threshold its interval reaches across
    for match in re.finditer(r"too close to the (target|floor) to call \(([^)]*)\)", text):
        group = sets.unclear_target if match.group(1) == "target" else sets.unclear_floor
        check(_names(match.group(2)) == set(group), match.group(0), f"unclear at the {match.group(1)}: {group}")

    # 6. the cover: what the score is weighed over
    for match in re.finditer(r"weighted over (\d+) of (\d+) KPIs", text):
        counted = sets.total - len(sets.no_data)
        check((int(match.group(1)), int(match.group(2))) == (counted, sets.total), match.group(0), f"{counted} counted")
    return failures
