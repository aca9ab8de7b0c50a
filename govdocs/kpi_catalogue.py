"""Set-up step: the catalogue of standard contact-centre and back-office KPIs `govdocs init`
writes into a new programme's config.

Each entry is a KPI as the config describes it (definition, unit, direction, a default target
and floor) with where the default comes from. Sources are named only where a published
benchmark was found; everything else says "common industry practice", which is what it is:
80/20, say, is a convention, not a standard anyone published. A contract's own SLA beats every
default here, and `target_source` is the line to change when you put yours in.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatalogueKpi:
    id: str
    name: str
    definition: str
    unit: str  # percent | seconds | minutes | score | count | ratio
    direction: str  # higher_is_better | lower_is_better
    target: float
    floor: float
    target_source: str
    source_url: str | None  # the public page the default was checked against, or None
    family: str  # contact_centre | back_office
    volume: str  # what the data's volume column holds for it
    weight: float = 10
    aggregation: str = "weighted_mean"
    min_sample: int = 0
    proportion: bool = False
    contractual: bool = True
    controlled_by: str = "partner"
    decimals: int = 1
    achievable_monthly_change: float | None = None
    scale: tuple[float, float] | None = None


COMMON_PRACTICE = "common industry practice (no published standard)"

CATALOGUE: tuple[CatalogueKpi, ...] = (
    CatalogueKpi(
        "service_level",
        "Service level",
        "Share of offered contacts answered within 20 seconds.",
        "percent",
        "higher_is_better",
        80,
        75,
        "80% in 20 s: " + COMMON_PRACTICE + ", a convention since the 1980s",
        "http://www.offcenterinsight.com/off-center-blog/service-level-the-indispensable-call-center-accessibility-metric",
        "contact_centre",
        "contacts offered",
        weight=20,
        min_sample=500,
        achievable_monthly_change=2.0,
    ),
    CatalogueKpi(
        "asa",
        "Average speed of answer",
        "Mean seconds from queue entry to answer, over answered contacts.",
        "seconds",
        "lower_is_better",
        30,
        45,
        COMMON_PRACTICE,
        None,
        "contact_centre",
        "contacts answered",
        min_sample=500,
        contractual=False,
        decimals=0,
        achievable_monthly_change=8,
    ),
    CatalogueKpi(
        "aht",
        "Average handle time",
        "Talk + hold + after-contact work, in seconds, averaged over handled contacts.",
        "seconds",
        "lower_is_better",
        420,
        480,
        COMMON_PRACTICE,
        None,
        "contact_centre",
        "contacts handled",
        min_sample=500,
        contractual=False,
        controlled_by="shared",
        decimals=0,
        achievable_monthly_change=10,
    ),
    CatalogueKpi(
        "abandonment",
        "Abandonment rate",
        "Share of offered contacts abandoned after 5 seconds in queue.",
        "percent",
        "lower_is_better",
        5,
        8,
        "5–8% is commonly cited as normal: " + COMMON_PRACTICE,
        "https://www.uniphore.com/glossary/abandonment-rate/",
        "contact_centre",
        "contacts offered",
        min_sample=500,
        achievable_monthly_change=1.0,
    ),
    CatalogueKpi(
        "fcr",
        "First-contact resolution",
        "Share of surveyed customers who say the issue was resolved on the first contact.",
        "percent",
        "higher_is_better",
        75,
        70,
        "SQM Group 2022 FCR benchmark: 70-79% good, 80% or more world class (post-contact surveys)",
        "https://www.headlinesoftoday.com/topic/press-releases/sqms-2022-benchmark-research-uncovers-what-a-good-fcr-rate-is.html",
        "contact_centre",
        "survey responses",
        weight=15,
        min_sample=100,
        proportion=True,
        controlled_by="shared",
        achievable_monthly_change=1.5,
    ),
    CatalogueKpi(
        "csat",
        "Customer satisfaction",
        "Share of post-contact survey responses rating 4 or 5 on a 5-point scale (top-two box).",
        "percent",
        "higher_is_better",
        85,
        80,
        "SQM Group: world-class call-centre customer satisfaction is 85% or more (top box)",
        "https://www.sqmgroup.com/resources/library/blog/learn-best-call-centers-improve-fcr-csat-and-reduce-cost",
        "contact_centre",
        "survey responses",
        weight=15,
        min_sample=100,
        proportion=True,
        achievable_monthly_change=1.5,
    ),
    CatalogueKpi(
        "nps",
        "Net promoter score",
        "Share of promoters (9-10) minus share of detractors (0-6) among post-contact survey responses.",
        "score",
        "higher_is_better",
        30,
        20,
        "SurveyMonkey's global NPS benchmark averages +32 (as cited by Observe.AI)",
        "https://observe.ai/contact-center-glossary/what-is-net-promoter-score",
        "contact_centre",
        "survey responses",
        min_sample=100,
        contractual=False,
        scale=(-100, 100),
        achievable_monthly_change=3.0,
    ),
    CatalogueKpi(
        "qa_score",
        "Quality assurance score",
        "Mean score of calibrated QA evaluations against the client's 100-point quality form.",
        "score",
        "higher_is_better",
        90,
        85,
        COMMON_PRACTICE,
        None,
        "contact_centre",
        "evaluations",
        min_sample=30,
        scale=(0, 100),
        achievable_monthly_change=2.0,
    ),
    CatalogueKpi(
        "transfer_rate",
        "Transfer rate",
        "Share of handled contacts transferred to another queue or team.",
        "percent",
        "lower_is_better",
        10,
        15,
        COMMON_PRACTICE,
        None,
        "contact_centre",
        "contacts handled",
        min_sample=500,
        contractual=False,
        controlled_by="shared",
        achievable_monthly_change=1.0,
    ),
    CatalogueKpi(
        "schedule_adherence",
        "Schedule adherence",
        "Share of scheduled time agents spent in the activity they were scheduled for.",
        "percent",
        "higher_is_better",
        90,
        85,
        "OpsDog call-centre benchmark: average 92.4% (118 organisations)",
        "https://opsdog.com/products/schedule-adherence",
        "contact_centre",
        "scheduled agent hours",
        contractual=False,
        achievable_monthly_change=1.5,
    ),
    CatalogueKpi(
        "attrition",
        "Agent attrition (annualised)",
        "Leavers in the month divided by average headcount, multiplied by 12.",
        "percent",
        "lower_is_better",
        35,
        45,
        "SQM Group 2022/23: average agent turnover 38% (as reported by SalesTechStar)",
        "https://salestechstar.com/amp/lead-distribution-call-management/call-center-attrition-rate-it-is-now-the-most-important-kpi",
        "contact_centre",
        "average headcount",
        aggregation="mean",
        contractual=False,
        achievable_monthly_change=3.0,
    ),
    CatalogueKpi(
        "turnaround",
        "Turnaround within SLA",
        "Share of back-office items (cases, claims, e-mails) completed within the agreed turnaround time.",
        "percent",
        "higher_is_better",
        95,
        90,
        COMMON_PRACTICE,
        None,
        "back_office",
        "items completed",
        weight=20,
        min_sample=100,
        achievable_monthly_change=2.0,
    ),
    CatalogueKpi(
        "backlog",
        "Aged backlog",
        "Share of open back-office items older than the agreed turnaround time at month end.",
        "percent",
        "lower_is_better",
        5,
        10,
        COMMON_PRACTICE,
        None,
        "back_office",
        "open items at month end",
        weight=15,
        min_sample=100,
        achievable_monthly_change=1.5,
    ),
    CatalogueKpi(
        "accuracy",
        "Processing accuracy",
        "Share of audited back-office items processed without an error.",
        "percent",
        "higher_is_better",
        98,
        95,
        COMMON_PRACTICE,
        None,
        "back_office",
        "items audited",
        weight=15,
        min_sample=50,
        proportion=True,
        achievable_monthly_change=1.0,
    ),
)

BY_ID = {kpi.id: kpi for kpi in CATALOGUE}
FAMILY_LABEL = {"contact_centre": "contact centre", "back_office": "back office"}
