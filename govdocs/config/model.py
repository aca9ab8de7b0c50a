"""Load step, config half: the governance config as typed, frozen pydantic models.

Field descriptions double as the JSON Schema documentation (`govdocs schema`).
Identifiers are strict strings so YAML 1.1 surprises (`NO` -> false, `0123` -> 83)
are reported instead of silently converted. Counts that drive date arithmetic or loops
have upper bounds: a typo'd 100000000 is a config error, not an overflow or a hang.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictStr, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from govdocs.data.context import ContextKind
from govdocs.limits import Email, Text
from govdocs.raw.model import RawData

Identifier = Annotated[
    StrictStr,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
    Field(description="Identifier: letters, digits, '_', '-', '.'; quote it in YAML."),
]
# Numbers are strict too: YAML reads `yes`/`on` as true, which must not become 1.
Number = Annotated[float, Strict()]
Count = Annotated[int, Strict()]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Direction(StrEnum):
    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"


class Aggregation(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"  # volume-weighted where every month has a volume, else mean
    MEAN = "mean"
    SUM = "sum"
    LAST = "last"


class Unit(StrEnum):
    PERCENT = "percent"
    SECONDS = "seconds"
    MINUTES = "minutes"
    SCORE = "score"
    COUNT = "count"
    RATIO = "ratio"


class Controller(StrEnum):
    PARTNER = "partner"
    CLIENT = "client"
    SHARED = "shared"


class Client(_Model):
    name: Text = Field(description="The client organisation that buys the outsourced service.")
    programme: Text | None = Field(None, description="Programme or service line, shown on covers.")
    classification: Text = Field("Confidential", description="Classification printed in every running header/footer.")


class Kpi(_Model):
    id: Identifier = Field(description="Identifier used in the data files.")
    name: Text = Field(description="Display name.")
    definition: Text = Field(description="How the KPI is measured; printed in every appendix.")
    unit: Unit
    direction: Direction
    target: Number = Field(description="Contract target: green when met.")
    floor: Number | None = Field(
        None,
        description="Edge of the amber band: amber between floor and target, red beyond it. Omit for no amber band.",
    )
    weight: Number = Field(gt=0, description="Relative weight in the partner score.")
    aggregation: Aggregation = Aggregation.WEIGHTED_MEAN
    min_sample: Count = Field(0, ge=0, description="A month whose volume is below this is 'insufficient sample'.")
    proportion: bool | None = Field(
        None,
        description="The value is a share (%) of the volume's sample, e.g. CSAT top-box, survey FCR, QA pass rate: "
        "a month or quarter whose 95% Wilson interval reaches across the target is 'not statistically clear', "
        "counted neither as a pass nor as a failure. Unset: true for a percent KPI computed from raw survey or QA "
        "records (csat_top_box, survey_fcr, qa_pass_rate, qa_auto_fail_rate), false otherwise.",
    )
    contractual: bool = Field(False, description="A contractual SLA: its red months are failures.")
    controlled_by: Controller = Field(
        Controller.PARTNER, description="Who mainly controls the result: partner, client or shared."
    )
    target_source: Text | None = Field(None, description="Where the target comes from (contract clause).")
    decimals: Count = Field(1, ge=0, le=4, description="Decimals shown in documents.")
    scale: tuple[Number, Number] | None = Field(
        None,
        description="The values the KPI can take, [lowest, highest], e.g. [0, 100] for a 100-point QA form. "
        "Default: 0-100 for percent, 0 and up for every other unit. A data value outside it is refused.",
    )
    achievable_monthly_change: Number | None = Field(
        None,
        gt=0,
        description="Catalogue rate: the most an improvement plan may ask this KPI to improve per month, in its "
        "unit (e.g. 1.5 for 1.5 pp, 5 for 5 s). Used when the partner's own history shows no sustained "
        "improvement to set the plan's glide path from.",
    )


class TargetOverride(_Model):
    target: Number | None = None
    floor: Number | None = None
    target_source: Text | None = None


class Contact(_Model):
    name: Text
    role: Text
    email: Email | None = Field(None, description="An e-mail address: name@example.com.")
    side: Controller = Field(Controller.PARTNER, description="partner or client side.")


class CauseConditions(_Model):
    """The termination-for-cause clause in a form the data can test: it is met when any condition holds."""

    notice_days: Count = Field(ge=0, le=3650, description="Notice the clause requires, in calendar days.")
    sla_red_months: Count | None = Field(
        None,
        ge=1,
        le=12,
        description="Met when a contractual SLA was red (relieved months left out) in at least this many of the "
        "last 12 months.",
    )
    plan_unmet: bool = Field(False, description="Met when an improvement plan on record ended with a target unmet.")


GuessedTerm = Literal["start", "end", "notice_days", "auto_renew", "renewal_months"]


class Contract(_Model):
    start: date
    end: date
    notice_days: Count = Field(ge=0, le=3650, description="Notice period in calendar days.")
    auto_renew: bool = False
    to_confirm: list[GuessedTerm] = Field(
        default_factory=list,
        max_length=5,
        description="Terms written by `govdocs init` as placeholders, not read from the contract: `validate` "
        "warns for each until it is removed from this list, and a partner's cover prints it as 'to be "
        "confirmed', never as a fact.",
    )
    renewal_months: Count = Field(
        12,
        gt=0,
        le=120,
        description="Term added by an automatic renewal. Not set on a contract that renews itself: documents "
        "assume 12 months and say the term is to be confirmed (`validate` warns).",
    )
    annual_value: Number | None = Field(None, ge=0)
    currency: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{3}$")] = "EUR"
    termination_for_cause: Text | None = Field(
        None, description="The contract's termination-for-cause conditions, quoted in the offboarding assessment."
    )
    cause_conditions: CauseConditions | None = Field(
        None,
        description="The same clause as conditions the data is checked against: the offboarding assessment's "
        "decision page says whether ending for cause is open.",
    )


class PlanRecord(_Model):
    """An improvement plan issued to the partner: the documents name it with its outcome, worked
    out from the data, and a plan that ended with its targets unmet triggers an offboarding review."""

    quarter: Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-Q[1-4]$")] = Field(
        description="Quarter whose results called for the plan, e.g. 2026-Q1."
    )
    start: date = Field(description="The plan's first day; its dates follow from pip settings.")
    final_review: date | None = Field(
        None,
        description="The final review as issued (default: the length today's pip settings and achievable "
        "rates give). Record it so later changes to the settings do not move a plan already issued.",
    )
    kpis: list[StrictStr] = Field(
        default_factory=list,
        description="KPI ids the plan covered beyond those the quarter's results called for (added with --kpi).",
    )


MonthKey = Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]


class FeeBasis(StrEnum):
    ANNUAL_VALUE = "annual_value"  # the contract's annual value spread evenly over the months
    MONTHLY = "monthly"  # a fixed monthly fee
    PER_CONTACT = "per_contact"  # a rate per handled contact times the month's volume of a KPI


class Fees(_Model):
    basis: FeeBasis = Field(
        FeeBasis.ANNUAL_VALUE,
        description="annual_value (contract.annual_value / 12), monthly (a fixed fee) or per_contact "
        "(per_contact x the month's volume of volume_kpi).",
    )
    monthly: Number | None = Field(None, ge=0, description="The monthly fee, with basis: monthly.")
    per_contact: Number | None = Field(None, gt=0, description="The fee per handled contact, with basis: per_contact.")
    volume_kpi: StrictStr | None = Field(
        None, description="With basis: per_contact, the KPI id whose monthly volume counts the billed contacts."
    )
    months: dict[MonthKey, Annotated[Number, Field(ge=0)]] = Field(
        default_factory=dict, description='The fee invoiced for a month, "YYYY-MM": amount, where it differs.'
    )


class Forecast(_Model):
    volume_kpi: StrictStr = Field(description="KPI id whose monthly volume is set against the forecast.")
    tolerance_percent: Number = Field(
        10, ge=0, le=100, description="The band around the forecast, +/- this share, that counts as on forecast."
    )
    months: dict[MonthKey, Annotated[Number, Field(gt=0)]] = Field(
        default_factory=dict, description='The forecast volume per month, "YYYY-MM": contacts.'
    )


class CreditStatus(StrEnum):
    RED = "red"
    AMBER = "amber"


class ExitCosts(_Model):
    """What leaving the partner costs, for the offboarding assessment's cost of leaving."""

    termination_fee: Number | None = Field(None, ge=0, description="Fee the contract charges for ending it early.")
    transition: dict[Identifier, Annotated[Number, Field(ge=0)]] = Field(
        default_factory=dict, description="Transition cost per checklist item id (e.g. knowledge_transfer: 45000)."
    )
    parallel_run_monthly: Number | None = Field(
        None, ge=0, description="Monthly cost of running the replacement alongside the partner."
    )


class Commercial(_Model):
    """How service levels tie to money. At the programme level every field is a default; a partner's
    own `commercial:` replaces the fields it sets."""

    fees: Fees | None = Field(None, description="How the month's fee is known (default: the annual value / 12).")
    at_risk_percent: Number | None = Field(
        None, ge=0, le=100, description="Share of the month's fee at risk against the SLAs: the credit pool."
    )
    allocation: dict[StrictStr, Annotated[Number, Field(gt=0, le=500)]] | None = Field(
        None,
        description="Percent of the pool each contractual SLA earns when missed, by KPI id; they may add up "
        "to more than 100 (an over-allocation), the monthly cap still holds.",
    )
    cap_percent: Number | None = Field(
        None,
        ge=0,
        le=100,
        description="Most a month's credits may reach, as a share of its fee (default: at_risk_percent).",
    )
    earn_back_months: Count | None = Field(
        None,
        ge=0,
        le=12,
        description="A credit is waived when its SLA meets target in each of the next N months (0: no earn-back).",
    )
    credit_statuses: list[CreditStatus] | None = Field(
        None,
        description="Month statuses that earn a credit: red (default), amber. No data, a low sample or a "
        "result that is not statistically clear never does.",
    )
    forecast: Forecast | None = Field(None, description="The forecast volumes and their band (per partner).")
    relief_kpis: list[StrictStr] | None = Field(
        None,
        description="SLAs whose credit is suspended (relief) in a month whose volume is above the forecast band.",
    )
    exit: ExitCosts | None = Field(None, description="What leaving the partner costs.")


class Partner(_Model):
    id: Identifier
    name: Text = Field(description="Display name of the partner.")
    services: list[Text] = Field(default_factory=list, description="Channels or services delivered.")
    contract: Contract
    contacts: list[Contact] = Field(default_factory=list)
    targets: dict[str, TargetOverride] = Field(
        default_factory=dict, description="Per-KPI target/floor overrides, keyed by KPI id."
    )
    aliases: list[Text] = Field(
        default_factory=list,
        description="Other names the partner goes by (e.g. 'Atlas'): a partner copy for anyone else that "
        "mentions one of them is refused.",
    )
    peer_group: Text = Field(
        "all", description="Partners are compared only with peers of the same group (e.g. voice, digital)."
    )
    commercial: Commercial | None = Field(
        None, description="The partner's fees, credit terms and forecast, over the programme's commercial defaults."
    )
    plans: list[PlanRecord] = Field(
        default_factory=list,
        description="Improvement plans issued to the partner, oldest first: the latest one still running (or "
        "ended on or after the reviewed quarter's first day) is followed up with its progress and outcome; "
        "earlier ones are named with their outcome.",
    )


class Points(_Model):
    green: Number = Field(100, ge=0, le=100)
    amber: Number = Field(60, ge=0, le=100)
    red: Number = Field(0, ge=0, le=100)


class ScoringMethod(StrEnum):
    BANDED = "banded"  # green/amber/red points
    LINEAR = "linear"  # amber points at the floor rising linearly to green points at the target


class Uncertainty(StrEnum):
    """How a proportion's 95% interval decides whether its status is stated."""

    BOTH_WAYS = "both_ways"  # every status needs the whole interval in its band: a failure as clear as a pass
    PASS_ONLY = "pass_only"  # only a pass needs to be clear: a miss counts amber or red as measured


class Tier(_Model):
    name: Text
    min_score: Number = Field(ge=0, le=100, description="Lowest score in this tier.")
    description: Text | None = None


def _default_tiers() -> list[Tier]:
    return [
        Tier(name="Strategic", min_score=90),
        Tier(name="Healthy", min_score=75),
        Tier(name="Watch", min_score=60),
        Tier(name="At risk", min_score=0),
    ]


class Scoring(_Model):
    method: ScoringMethod = ScoringMethod.BANDED
    points: Points = Points()
    incomplete_share: Number = Field(
        0.25,
        ge=0,
        le=1,
        description="Share of KPI weight without data above which the score is marked incomplete.",
    )
    tiers: list[Tier] = Field(default_factory=_default_tiers, min_length=1)
    uncertainty: Uncertainty = Field(
        Uncertainty.BOTH_WAYS,
        description="both_ways: a proportion's status (green, amber or red) is stated only when its whole 95% "
        "interval lies in that band, else it is not clear (neither a pass nor a failure); pass_only: only a pass "
        "must be clear, a miss whose interval reaches the floor still counts as measured. The documents state "
        "the rule that applies.",
    )


class Escalation(_Model):
    consecutive_red_for_pip: Count = Field(
        2, ge=1, le=36, description="A KPI red this many months running calls for a PIP."
    )
    pip_score_below: Number = Field(60, ge=0, le=100, description="A quarter score below this calls for a PIP.")
    failures_allowed_12m: Count = Field(
        6,
        ge=1,
        description="Failures (red months of contractual KPIs) in the trailing 12 months that "
        "trigger an offboarding review.",
    )
    at_risk_tier: Text = Field("At risk", description="Tier name whose repetition triggers a review.")
    at_risk_quarters: Count = Field(2, ge=1, le=20, description="Quarters running in the at-risk tier.")


class ClientFactor(_Model):
    """Something the client's own policy, tooling or process does to a KPI, for every partner it affects."""

    kpi: StrictStr = Field(description="KPI id the factor affects.")
    factor: Text = Field(description="The client's policy, tooling or process that drives the result.")
    impact: Text | None = Field(None, description="Estimated effect, e.g. 'about +25 s per call'.")
    since: Annotated[StrictStr, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = Field(
        None, description='Month it started, "YYYY-MM" (quoted).'
    )
    client_owner: Text | None = Field(None, description="Who on the client side owns the fix.")
    partners: list[StrictStr] | None = Field(None, description="Partner ids it affects; omit for every partner.")
    relieves: bool = Field(
        False,
        description="True: the KPI's red months from `since` on are relieved (a client cause), never a partner "
        "failure, plan trigger or credit; they are shown as relieved with this factor as the reason.",
    )


class Cadence(StrEnum):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"
    BUSINESS_DAYS = "business_days"  # every `every_business_days` business days


class PipSettings(_Model):
    duration_days: Count = Field(90, ge=14, le=366, description="Calendar days from the start to the final review.")
    max_duration_days: Count = Field(
        180,
        ge=14,
        le=732,
        description="Longest a plan is lengthened to when a target cannot be reached at the achievable rate "
        "within duration_days; a target still out of reach is split (this plan asks for what the rate allows).",
    )
    cadence: Cadence = Field(Cadence.FORTNIGHTLY, description="How often check-ins are held.")
    every_business_days: Count = Field(10, ge=1, le=260, description="With cadence business_days: the interval.")
    holiday_country: Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="ISO country whose public holidays are not business days (holidays library)."
    )
    holiday_subdivision: StrictStr | None = Field(None, description="State or province code, if holidays differ.")
    extra_holidays: list[date] = Field(default_factory=list, description="Further non-business days.")
    acknowledge_business_days: Count = Field(
        5, ge=1, le=60, description="Business days the partner has to sign the acknowledgment."
    )
    data_lag_business_days: Count = Field(
        5,
        ge=0,
        le=60,
        description="Business days after a month ends before its KPI data is available: a meeting reviews "
        "only the months whose data is available by its date.",
    )
    sustain_months: Count = Field(
        1,
        ge=1,
        le=12,
        description="Months in a row each target must be met, up to the final review, to close the plan.",
    )
    meeting_owner: Text | None = Field(None, description="Who chairs the check-ins (default: the client contact).")
    meeting_time: Annotated[StrictStr, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = Field(
        "10:00", description="Local start time of check-ins, HH:MM (quoted)."
    )
    meeting_minutes: Count = Field(45, ge=15, le=240)
    timezone: Text = Field("Europe/Amsterdam", description="IANA time zone of the meetings.")


class ActionCategory(StrEnum):
    TRAINING = "training"
    STAFFING = "staffing_attrition"
    LEADERSHIP = "leadership_turnover"
    PROCESS = "process_knowledge"
    TOOLING = "tooling"
    CLIENT_POLICY = "client_policy"

    @property
    def label(self) -> str:
        return {
            "training": "Training",
            "staffing_attrition": "Staffing and attrition",
            "leadership_turnover": "Leadership turnover",
            "process_knowledge": "Process and knowledge",
            "tooling": "Tooling",
            "client_policy": "Client-side policy",
        }[self.value]


class ActionDriver(StrEnum):
    """Where a gap comes from, as the drill-down finds it (govdocs/gaps.py): what an action can
    be aimed at. Each driver is the segments of one or two dimensions of the records."""

    INTERVALS = "interval_staffing"
    NEW_HIRES = "new_hire_proficiency"
    QUEUE = "queue_process"
    SITE_TEAM = "site_team"
    CHANNEL = "channel"

    @property
    def label(self) -> str:
        return {
            "interval_staffing": "staffing in intervals (time of day, weekday)",
            "new_hire_proficiency": "new-hire proficiency (agent tenure)",
            "queue_process": "a queue's process",
            "site_team": "a site or team",
            "channel": "a channel's handling",
        }[self.value]

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The drill-down dimensions (govdocs/raw/sql/drill.py) whose segments it addresses."""
        return {
            "interval_staffing": ("hour_band", "weekday"),
            "new_hire_proficiency": ("tenure",),
            "queue_process": ("queue",),
            "site_team": ("site", "team"),
            "channel": ("channel",),
        }[self.value]


class ActionTemplate(_Model):
    """A reusable improvement action, proposed for every plan with an objective on its KPI."""

    id: Identifier
    kpi: StrictStr = Field(description="KPI id the action serves.")
    category: ActionCategory
    action: Text = Field(description="What will be done, specifically.")
    metric: Text = Field(description="What measures that it was done or worked.")
    threshold: Text = Field(description="The level of the metric that counts as done, e.g. '>= 92% each week'.")
    owner: Text = Field(description="Owner role or name, e.g. 'Partner operations manager'.")
    side: Controller = Field(Controller.PARTNER, description="partner, or client for a client-side commitment.")
    due_days: Count = Field(ge=1, description="Days after the plan start the action is due.")
    addresses: list[ContextKind] = Field(
        default_factory=list,
        description="The kinds of partner context (attrition, acquisition, offshore_move, ...) the action answers: "
        "a plan whose inputs record one that no action answers says so in its internal copy.",
    )
    driver: ActionDriver | None = Field(
        None,
        description="Where in the records the gap it closes lies: interval_staffing (time of day, weekday), "
        "new_hire_proficiency (agent tenure), queue_process, site_team or channel. When the records show "
        "the plan's gap concentrated there, the plan aims the action at that segment with a measure on it; "
        "a concentration no action addresses is said in the internal copy.",
    )


class Consideration(_Model):
    label: Text
    weight: Number = Field(gt=0)
    question: Text | None = Field(None, description="What the rater is asked to judge.")


def _default_considerations() -> dict[str, Consideration]:
    items = [
        ("commitment", "Commitment to improvement", 15),
        ("review_response", "Response to the performance review", 15),
        ("proactive_measures", "Proactive measures", 10),
        ("improvement_initiatives", "Improvement initiatives (training, technology, willingness to change)", 15),
        ("performance_history", "Performance history", 15),
        ("strengths", "Strengths the partnership relies on", 10),
        ("open_communication", "Open communication", 10),
        ("collaboration", "Collaborative approach", 10),
    ]
    return {key: Consideration(label=label, weight=weight) for key, label, weight in items}


class ChecklistItem(_Model):
    id: Identifier
    label: Text
    weeks: Count = Field(ge=0, le=520, description="Weeks this item needs in a transition.")
    internal: bool = Field(False, description="About the client's own readiness rather than the partner's.")
    after: list[Identifier] = Field(
        default_factory=list,
        description="Ids of the items that must finish before this one starts (a parallel run needs the "
        "knowledge transfer done); items without it run alongside the others.",
    )


def _default_checklist() -> list[ChecklistItem]:
    items = [
        ("knowledge_transfer", "Knowledge transfer", 8, False),
        ("data_return", "Data return and deletion", 4, False),
        ("access_revocation", "Access revocation", 1, False),
        ("replacement_partner", "Replacement partner identified", 12, True),
        ("parallel_run", "Parallel run", 6, True),
        ("customer_communication", "Customer communication", 2, True),
        ("internal_readiness", "Internal readiness", 4, True),
    ]
    after = {
        "knowledge_transfer": ["replacement_partner"],
        "parallel_run": ["knowledge_transfer", "internal_readiness"],  # our own side ready before it runs
        "data_return": ["parallel_run"],
        "access_revocation": ["parallel_run"],
        "customer_communication": ["replacement_partner"],
    }
    return [
        ChecklistItem(id=i, label=label, weeks=weeks, internal=internal, after=after.get(i, []))
        for i, label, weeks, internal in items
    ]


class RecommendationRules(_Model):
    """Net = stay score - exit evidence, both 0-100; bands from the top."""

    retain_from: Number = Field(20, description="Net at or above this: retain.")
    retain_with_pip_from: Number = Field(0, description="Net at or above this: retain with an improvement plan.")
    prepare_exit_from: Number = Field(-25, description="Net at or above this: prepare exit; below it: exit.")
    min_readiness_to_exit: Number = Field(
        0.5, ge=0, le=1, description="Below this transition readiness an 'exit' becomes 'prepare exit'."
    )


class OffboardingSettings(_Model):
    considerations: dict[str, Consideration] = Field(
        default_factory=_default_considerations, description="Qualitative considerations for staying, weighted."
    )
    checklist: list[ChecklistItem] = Field(default_factory=_default_checklist, min_length=1)
    satisfaction_kpi: StrictStr | None = Field(
        None, description="KPI id whose trend is the customer-satisfaction evidence."
    )
    volume_kpi: StrictStr | None = Field(None, description="KPI id whose volume measures the partner's share of work.")
    evidence_weights: dict[str, Number] = Field(
        default_factory=lambda: {"failures": 35, "pip_outcome": 25, "score": 25, "satisfaction": 15},
        description="Weights of the exit evidence: failures, pip_outcome, score, satisfaction.",
    )
    rules: RecommendationRules = RecommendationRules()

    @model_validator(mode="after")
    def _checklist_order_is_a_sequence(self) -> OffboardingSettings:
        ids = [item.id for item in self.checklist]
        for item in self.checklist:
            unknown = [a for a in item.after if a not in ids]
            if unknown:
                message = f"checklist item '{item.id}': 'after' names no checklist item {', '.join(unknown)}"
                raise PydanticCustomError("checklist_order", message)
        after = {item.id: item.after for item in self.checklist}

        def reaches(start: str, goal: str, seen: frozenset[str]) -> bool:
            return any(a == goal or (a not in seen and reaches(a, goal, seen | {a})) for a in after[start])

        for item in self.checklist:
            if reaches(item.id, item.id, frozenset()):
                message = f"checklist item '{item.id}' comes after itself through its 'after' items"
                raise PydanticCustomError("checklist_order", message)
        return self


class PeerComparison(_Model):
    min_peers: Count = Field(
        5,
        ge=3,
        le=1000,
        description="Fewest peers with data for the quarter before a partner copy shows where its peers lie on a "
        "KPI (as a band of whole steps, never a peer's figure); with fewer it shows none and says why.",
    )


class WatermelonPair(_Model):
    sla: StrictStr = Field(description="KPI id of the contractual KPI that holds.")
    outcome: StrictStr = Field(description="KPI id of the customer outcome that may get worse meanwhile.")
    min_change: Number | None = Field(
        None,
        gt=0,
        description="Least change of the outcome, in its unit, that counts as getting worse; for a proportion KPI "
        "without it, the two quarters' 95% Wilson intervals must not overlap.",
    )
    note: Text | None = Field(None, description="Why the pair matters, printed with a flag.")


class Signing(_Model):
    trusted: list[Annotated[StrictStr, StringConstraints(min_length=1, max_length=1_000)]] = Field(
        min_length=1,
        max_length=20,
        description="Certificate files (PEM or DER, relative to the config's folder) a certified document must "
        "chain to: `response import` refuses a returned plan or review whose certification does not, or that "
        "comes back without its certification.",
    )


class GovernanceConfig(_Model):
    version: Count = Field(1, description="Config format version.")
    client: Client
    kpis: list[Kpi] = Field(min_length=1)
    partners: list[Partner] = Field(min_length=1)
    scoring: Scoring = Scoring()
    escalation: Escalation = Escalation()
    client_factors: list[ClientFactor] = Field(
        default_factory=list,
        description="Programme-wide client-side factors, printed for every partner they affect.",
    )
    pip: PipSettings = PipSettings()
    action_library: list[ActionTemplate] = Field(
        default_factory=list, description="Improvement actions proposed for plans, keyed by KPI and category."
    )
    offboarding: OffboardingSettings = OffboardingSettings()
    commercial: Commercial | None = Field(
        None, description="Programme defaults for service credits: at-risk share, allocation, cap, earn-back, relief."
    )
    peer_comparison: PeerComparison = Field(
        PeerComparison(), description="What a partner copy may show about its anonymous peers."
    )
    watermelon: list[WatermelonPair] = Field(
        default_factory=list,
        description="Pairs of a contractual KPI and an outcome KPI: flagged when the SLA holds while the outcome "
        "gets worse beyond its noise.",
    )
    signing: Signing | None = Field(
        None, description="The trust list the certification of a returned document is checked against."
    )
    raw_data: RawData | None = Field(
        None,
        description="Compute the KPIs from raw exports (interactions, surveys, QA, roster) instead of a KPI "
        "table; paths are relative to the config's folder.",
    )

    def kpi(self, kpi_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == kpi_id)

    def partner(self, partner_id: str) -> Partner:
        return next(p for p in self.partners if p.id == partner_id)

    def effective_kpi(self, partner: Partner, kpi: Kpi) -> Kpi:
        """The KPI with the partner's target/floor overrides applied."""
        override = partner.targets.get(kpi.id)
        if override is None:
            return kpi
        changes = {k: v for k, v in override.model_dump().items() if v is not None}
        return kpi.model_copy(update=changes)
