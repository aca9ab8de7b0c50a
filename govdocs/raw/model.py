"""Load step, raw half: the `raw_data` section of the governance config as typed, frozen models.

It says where the raw exports are (interaction records, survey responses, QA evaluations,
an agent roster), which of the user's columns hold which govdocs field, in which time zone
their timestamps were written, and which KPI of the catalogue is computed by which built-in
measure with which parameters. Field descriptions double as JSON Schema documentation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictStr, StringConstraints

Identifier = Annotated[
    StrictStr,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"),
    Field(description="Identifier: letters, digits, '_', '-', '.'; quote it in YAML."),
]
Text = Annotated[StrictStr, StringConstraints(min_length=1, strip_whitespace=True)]
ColumnName = Annotated[
    StrictStr,
    StringConstraints(min_length=1),
    Field(
        description="A column name in the file; in JSON or Parquet a dotted path into nested records (Agent.Username)."
    ),
]
DateAndTime = Annotated[
    list[ColumnName],
    Field(min_length=2, max_length=2, description="A date column and a time column, read together (CXone's shape)."),
]
Number = Annotated[float, Strict()]
Count = Annotated[int, Strict()]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class FileFormat(StrEnum):
    AUTO = "auto"  # from the extension: .parquet/.pq -> Parquet, .json/.jsonl/.ndjson (.gz) -> JSON, else CSV
    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"  # JSON lines, or one JSON array of records (detected per file)
    # platform presets (interactions only): the platform's records, legs and rules (govdocs/raw/presets.py)
    AMAZON_CONNECT = "amazon-connect"
    GENESYS_CLOUD = "genesys-cloud"
    NICE_CXONE = "nice-cxone"
    SALESFORCE_VOICE = "salesforce-voice"
    ZENDESK_TALK = "zendesk-talk"
    FIVE9 = "five9"
    TALKDESK = "talkdesk"
    TWILIO_FLEX = "twilio-flex"


PLATFORM_FORMATS = frozenset(
    {
        FileFormat.AMAZON_CONNECT,
        FileFormat.GENESYS_CLOUD,
        FileFormat.NICE_CXONE,
        FileFormat.SALESFORCE_VOICE,
        FileFormat.ZENDESK_TALK,
        FileFormat.FIVE9,
        FileFormat.TALKDESK,
        FileFormat.TWILIO_FLEX,
    }
)


class DurationUnit(StrEnum):
    SECONDS = "seconds"
    MILLISECONDS = "milliseconds"
    HMS = "hh:mm:ss"  # 00:04:31


class _Source(_Model):
    files: Text | list[Text] = Field(
        description="A file or glob (raw/calls-*.csv.gz), or a list of them, relative to the config's folder. "
        "CSV (plain or gzip) or Parquet."
    )
    format: FileFormat = Field(
        FileFormat.AUTO,
        description="auto (from the extension), csv, parquet or json; for interactions also a platform's export: "
        "amazon-connect (contact records), genesys-cloud (analytics conversation details), nice-cxone (the "
        "Call Detail data download, CSV), salesforce-voice (Service Cloud Voice VoiceCall records, JSON or CSV), "
        "zendesk-talk (the Talk API's incremental calls export, JSON), five9 (the Call Log report, CSV), talkdesk "
        "(the Explore API's calls report, JSON or CSV) or twilio-flex (TaskRouter events, JSON).",
    )
    delimiter: Annotated[StrictStr, StringConstraints(min_length=1, max_length=1)] | None = Field(
        None, description="CSV field separator; omit to detect it."
    )
    partner_values: dict[Text, Identifier] = Field(
        default_factory=dict,
        description="The export's names for partners mapped to partner ids, e.g. {'Atlas Lisbon': ATL}; "
        "values not listed are taken as partner ids.",
    )

    partner_lookup: Text | None = Field(
        None,
        description="A lookup file mapping the export's values to partner ids, relative to the config's folder: "
        "a CSV whose first two columns are the value and the partner id (a header row first), or a JSON object "
        "{value: partner id}. For exports that name agents, skills or queue ids by the thousand; partner_values "
        "entries win over it.",
    )

    def file_patterns(self) -> list[str]:
        return [self.files] if isinstance(self.files, str) else list(self.files)


class _EventSource(_Source):
    timezone: Text = Field(
        description="IANA time zone (Europe/Lisbon) the export's local timestamps were written in; timestamps "
        "with an offset (+01:00, Z) keep it. Months are calendar months in this zone."
    )
    timestamp_format: Text | None = Field(
        None,
        description="strptime format of the timestamps (e.g. '%d/%m/%Y %H:%M:%S'; with %z they carry an offset), "
        "or epoch_seconds / epoch_milliseconds (%s: epoch seconds) for numbers counted from 1970-01-01 UTC; "
        "omit for ISO 8601 (2026-07-31 23:30:00, 2026-07-31T23:30:00+01:00).",
    )


class InteractionColumns(_Model):
    """govdocs field -> the export's column name. contact_id, partner, arrived_at, answered_at and
    ended_at are required unless `format` is a platform's (whose fields these then override)."""

    contact_id: ColumnName | None = Field(None, description="Unique id of the contact (call, chat, email).")
    partner: ColumnName | None = Field(None, description="Partner (site, vendor) that handled or was offered it.")
    arrived_at: ColumnName | DateAndTime | None = Field(None, description="When the contact entered the queue.")
    answered_at: ColumnName | DateAndTime | None = Field(
        None, description="When an agent answered; empty for abandoned contacts."
    )
    ended_at: ColumnName | DateAndTime | None = Field(
        None, description="When the contact ended (for abandoned ones: when the customer left)."
    )
    channel: ColumnName | None = Field(None, description="Channel (voice, chat, email).")
    programme: ColumnName | None = Field(None, description="Programme, queue or skill group.")
    type: ColumnName | None = Field(None, description="Contact type or direction (inbound, callback, ...).")
    customer_id: ColumnName | None = Field(None, description="Customer key, for repeat contacts.")
    talk_seconds: ColumnName | None = Field(None, description="Talk time.")
    hold_seconds: ColumnName | None = Field(None, description="Hold time; empty counts as 0.")
    acw_seconds: ColumnName | None = Field(None, description="After-call work (wrap-up) time; empty counts as 0.")
    transfers: ColumnName | None = Field(None, description="Number of transfers; empty counts as 0.")
    # drill-down fields: where a gap is (docs/numbers.md, "Where the gap is"); the queue or skill is `programme`
    agent_id: ColumnName | None = Field(
        None, description="The handling agent's id: joins the roster for the agent's tenure at the contact."
    )
    team: ColumnName | None = Field(None, description="The handling agent's team (else the roster's).")
    site: ColumnName | None = Field(
        None, description="The site (location) that handled the contact, within the partner (else the roster's)."
    )


REQUIRED_INTERACTION_COLUMNS = ("contact_id", "partner", "arrived_at", "answered_at", "ended_at")


class InteractionSource(_EventSource):
    columns: InteractionColumns = Field(default_factory=InteractionColumns)
    queues: Text | None = Field(
        None,
        description="genesys-cloud: the queues export (GET /api/v2/routing/queues, JSON) that names the queue ids, "
        "relative to the config's folder.",
    )
    duration_unit: DurationUnit = Field(DurationUnit.SECONDS, description="How talk/hold/wrap times are written.")


class SurveyColumns(_Model):
    partner: ColumnName
    responded_at: ColumnName = Field(description="When the response was given; its month is the survey's month.")
    response_id: ColumnName | None = Field(None, description="Unique response id (duplicates are rejected).")
    channel: ColumnName | None = None
    programme: ColumnName | None = None
    csat: ColumnName | None = Field(None, description="Satisfaction score, 1 to the scale's maximum.")
    nps: ColumnName | None = Field(None, description="Likelihood to recommend, 0-10.")
    fcr: ColumnName | None = Field(None, description="Resolved on first contact: yes/no.")


class SurveySource(_EventSource):
    columns: SurveyColumns
    csat_scale: Count = Field(5, ge=2, le=100, description="Highest CSAT score (5 on a 1-5 scale).")
    yes_values: list[StrictStr] = Field(
        default_factory=lambda: ["yes", "y", "true", "1"], description="FCR answers meaning yes (any case)."
    )
    no_values: list[StrictStr] = Field(
        default_factory=lambda: ["no", "n", "false", "0"], description="FCR answers meaning no (any case)."
    )


class QaColumns(_Model):
    partner: ColumnName
    evaluated_at: ColumnName = Field(description="When the evaluation was done; its month is the evaluation's month.")
    score: ColumnName
    evaluation_id: ColumnName | None = Field(None, description="Unique evaluation id (duplicates are rejected).")
    auto_fail: ColumnName | None = Field(None, description="Auto-fail (critical error) flag: yes/no.")
    channel: ColumnName | None = None
    programme: ColumnName | None = None
    agent_id: ColumnName | None = Field(
        None, description="The evaluated agent's id: coaching that follows (agents evaluated, low scores coached)."
    )


class QaSource(_EventSource):
    columns: QaColumns
    score_max: Number = Field(100, gt=0, description="Highest possible score.")
    yes_values: list[StrictStr] = Field(
        default_factory=lambda: ["yes", "y", "true", "1"], description="Auto-fail values meaning yes (any case)."
    )
    no_values: list[StrictStr] = Field(
        default_factory=lambda: ["no", "n", "false", "0", ""], description="Auto-fail values meaning no."
    )


class RosterColumns(_Model):
    partner: ColumnName
    agent_id: ColumnName
    hired_on: ColumnName = Field(description="First working day (a date).")
    left_on: ColumnName | None = Field(None, description="Last working day; empty while employed.")
    team: ColumnName | None = Field(None, description="The agent's team: the contacts' team where they carry none.")
    site: ColumnName | None = Field(None, description="The agent's site: the contacts' site where they carry none.")


class RosterSource(_Source):
    columns: RosterColumns
    date_format: Text | None = Field(None, description="strptime format of the dates; omit for ISO (2026-07-31).")


class CalibrationColumns(_Model):
    """One row per evaluation of a contact (or per section of one, when `section` is mapped) by the
    client's or the partner's evaluators: a contact scored by both sides is a calibration pair."""

    partner: ColumnName
    contact_id: ColumnName = Field(description="The contact evaluated: the same id on both sides' rows.")
    side: ColumnName = Field(description="Whose evaluator scored it: one of client_side or partner_side.")
    evaluated_at: ColumnName = Field(description="When it was scored; a pair's month is its later evaluation's.")
    score: ColumnName = Field(description="The score (with `section`: the section's points; the total is their sum).")
    section: ColumnName | None = Field(None, description="The form section the row scores (one row per section).")


class CalibrationSource(_EventSource):
    """QA calibration: the same contacts scored by the client's and the partner's evaluators."""

    columns: CalibrationColumns
    client_side: list[Text] = Field(
        default_factory=lambda: ["client"], description="`side` values meaning the client's evaluator (any case)."
    )
    partner_side: list[Text] = Field(
        default_factory=lambda: ["partner"], description="`side` values meaning the partner's evaluator (any case)."
    )
    score_max: Number = Field(100, gt=0, description="Highest possible score of one row.")
    tolerance: Number = Field(5, ge=0, description="A pair agrees when its totals are at most this many points apart.")
    bias_tolerance: Number = Field(
        2,
        ge=0,
        description="The mean difference (partner minus client) the programme accepts: beyond it, with the "
        "whole interval, is a calibration gap (a finding with a joint session, never a partner failure).",
    )
    min_pairs: Count = Field(20, ge=2, description="No calibration figure from fewer pairs in a quarter.")
    confidence: Number = Field(0.95, gt=0, lt=1, description="Of the mean difference's interval.")


class CoachingColumns(_Model):
    partner: ColumnName
    agent_id: ColumnName = Field(description="The coached agent (as the QA evaluations and the roster name them).")
    coached_on: ColumnName = Field(description="The day of the coaching session (a date).")
    type: ColumnName | None = Field(None, description="Kind of coaching (side-by-side, call review, ...).")


class CoachingSource(_Source):
    """Coaching records: one row per session with an agent."""

    columns: CoachingColumns
    date_format: Text | None = Field(None, description="strptime format of the dates; omit for ISO (2026-07-31).")


class CoachingRules(_Model):
    """Coaching that follows QA: from the QA evaluations (with `agent_id`), the roster and coaching records."""

    low_score: Number = Field(80, ge=0, description="An evaluation scoring below this is a low score.")
    within_days: Count = Field(14, ge=0, description="A low score is followed when coaching comes within these days.")
    min_sample: Count = Field(
        10, ge=1, description="No share from fewer agents or low scores (the product's minimum-sample rule)."
    )
    min_evaluations: Count = Field(3, ge=1, description="Evaluations an agent needs in the quarter to be ranked.")
    name_recognised: bool = Field(
        False, description="Name the top-quartile agents and teams in the documents (else they are only counted)."
    )


class Sources(_Model):
    interactions: InteractionSource | None = None
    surveys: SurveySource | None = None
    qa: QaSource | None = None
    roster: RosterSource | None = None
    calibration: CalibrationSource | None = None
    coaching: CoachingSource | None = None


class Breakdown(StrEnum):
    CHANNEL = "channel"
    PROGRAMME = "programme"


class _Measure(_Model):
    kpi: Identifier = Field(description="KPI id from the catalogue that this measure computes.")
    by: Breakdown | None = Field(
        None, description="Also break the KPI down by channel or programme (for inspection; not scored)."
    )
    channels: list[Text] | None = Field(None, description="Count only these channels (as written in the export).")
    programmes: list[Text] | None = Field(None, description="Count only these programmes.")


class _InteractionMeasure(_Measure):
    types: list[Text] | None = Field(None, description="Count only these contact types.")


class _ShortAbandons(_InteractionMeasure):
    short_abandon_seconds: Number = Field(
        5, ge=0, description="Contacts abandoned before waiting this long are not offered (0: count them all)."
    )


class Offered(_ShortAbandons):
    """Contacts offered: arrived, minus short abandons. Value = volume = the count."""

    measure: Literal["offered"]


class Answered(_InteractionMeasure):
    """Contacts answered. Value = volume = the count."""

    measure: Literal["answered"]


class Abandoned(_ShortAbandons):
    """Contacts abandoned after the short-abandon threshold. Value = the count, volume = offered."""

    measure: Literal["abandoned"]


class AbandonRate(_ShortAbandons):
    """Abandoned (not short) / offered * 100. Volume = offered."""

    measure: Literal["abandon_rate"]


class MeasureFrom(StrEnum):
    RECOMPUTED = "recomputed"  # from the records' timestamps and segments (the default)
    PLATFORM = "platform"  # the platform's own figure, where its records carry one


_FROM_DESCRIPTION = (
    "recomputed (default): from the records' timestamps and segments; platform: the platform's own "
    "figure, as its reports use it (a platform preset whose records carry it; contacts without it "
    "are left out, and the volume says how many were counted)."
)


class ServiceLevelDenominator(StrEnum):
    OFFERED = "offered"  # answered within N / offered (short abandons excluded): abandons count against
    ANSWERED = "answered"  # answered within N / answered: abandons ignored


class ServiceLevel(_ShortAbandons):
    """Answered within N seconds / offered (short abandons excluded) * 100. Volume = the denominator."""

    measure: Literal["service_level"]
    answered_within_seconds: Number = Field(gt=0, description="N: answered at most this many seconds after arrival.")
    denominator: ServiceLevelDenominator = Field(
        ServiceLevelDenominator.OFFERED,
        description="offered (default: abandons count against the service level) or answered.",
    )
    from_: MeasureFrom = Field(MeasureFrom.RECOMPUTED, alias="from", description=_FROM_DESCRIPTION)


class Asa(_InteractionMeasure):
    """Mean seconds from arrival to answer over answered contacts. Volume = answered."""

    measure: Literal["asa"]
    from_: MeasureFrom = Field(MeasureFrom.RECOMPUTED, alias="from", description=_FROM_DESCRIPTION)


class HandlePer(StrEnum):
    CONTACT = "contact"  # a customer contact's handle time, summed over its legs (transfers included)
    LEG = "leg"  # each answered leg on its own, as an ACD counts handled calls


class Aht(_InteractionMeasure):
    """Mean talk + hold + after-call work seconds over answered contacts. Volume = answered."""

    measure: Literal["aht"]
    per: HandlePer = Field(
        HandlePer.CONTACT,
        description="contact (default): per customer contact, summed over its legs; leg: per answered leg "
        "(the same for a mapped table, whose rows are its legs). Volume: answered contacts, or answered legs.",
    )
    from_: MeasureFrom = Field(MeasureFrom.RECOMPUTED, alias="from", description=_FROM_DESCRIPTION)


class TransferRate(_InteractionMeasure):
    """Answered contacts transferred at least once / answered * 100. Volume = answered."""

    measure: Literal["transfer_rate"]


class _Repeat(_InteractionMeasure):
    within_days: Number = Field(7, gt=0, le=90, description="N: a repeat is a contact within N days after.")


class RepeatContactRate(_Repeat):
    """Answered contacts followed by another contact of the same customer within N days / answered * 100.

    Volume = answered contacts with a customer id whose N-day window ends inside the data."""

    measure: Literal["repeat_contact_rate"]


class FcrProxy(_Repeat):
    """100 - repeat contact rate: answered contacts not followed by another within N days."""

    measure: Literal["fcr_proxy"]


class CsatTopBox(_Measure):
    """Responses scoring at least `top_box_min` / responses with a CSAT score * 100. Volume = those responses."""

    measure: Literal["csat_top_box"]
    top_box_min: Number = Field(4, description="Lowest score in the top box (4 on 1-5: top-two box).")


class Nps(_Measure):
    """% promoters (9-10) - % detractors (0-6) over responses with an NPS score. Volume = those responses."""

    measure: Literal["nps"]


class SurveyFcr(_Measure):
    """Responses saying 'resolved first time' / responses answering the question * 100."""

    measure: Literal["survey_fcr"]


class QaScore(_Measure):
    """Mean QA score over evaluations (auto-fails count with their score as written). Volume = evaluations."""

    measure: Literal["qa_score"]


class QaAutoFailRate(_Measure):
    """Evaluations with an auto-fail / evaluations * 100."""

    measure: Literal["qa_auto_fail_rate"]


class QaPassRate(_Measure):
    """Evaluations scoring at least `pass_score` without an auto-fail / evaluations * 100."""

    measure: Literal["qa_pass_rate"]
    pass_score: Number = Field(description="Lowest passing score.")


class Attrition(_Model):
    """Leavers in the month / average headcount * 100, times 12 when annualised. Volume = average headcount.

    Average headcount = (agents employed on the month's first day + on its last day) / 2; a leaver's
    month is the month of the last working day."""

    kpi: Identifier
    measure: Literal["attrition"]
    annualised: bool = Field(True, description="Multiply the monthly rate by 12.")


MeasureSpec = Annotated[
    Offered
    | Answered
    | Abandoned
    | AbandonRate
    | ServiceLevel
    | Asa
    | Aht
    | TransferRate
    | RepeatContactRate
    | FcrProxy
    | CsatTopBox
    | Nps
    | SurveyFcr
    | QaScore
    | QaAutoFailRate
    | QaPassRate
    | Attrition,
    Field(discriminator="measure"),
]


class Engine(StrEnum):
    DUCKDB = "duckdb"
    SPARK = "spark"


class RawData(_Model):
    """Raw exports and the KPIs computed from them (the `raw_data` section of the governance config)."""

    sources: Sources
    kpis: list[MeasureSpec] = Field(min_length=1, description="Which KPI is computed by which measure.")
    memory_limit: Annotated[StrictStr, StringConstraints(pattern=r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$")] = Field(
        "1GB", description="Memory the aggregation may use before it spills to disk (e.g. 1GB, 512MB)."
    )
    engine: Engine = Field(
        Engine.DUCKDB,
        description="What runs the definitions: duckdb (embedded) or spark (pip install 'govdocs[spark]').",
    )
    spark_master: StrictStr | None = Field(
        None, description="The Spark master for engine: spark (default local[*]; SPARK_REMOTE: Spark Connect)."
    )
    coaching: CoachingRules = Field(
        default_factory=CoachingRules, description="Coaching that follows QA: thresholds and whether to name."
    )


# Which source each measure reads, and which optional columns it needs.
MEASURE_SOURCE: dict[str, str] = {
    "offered": "interactions",
    "answered": "interactions",
    "abandoned": "interactions",
    "abandon_rate": "interactions",
    "service_level": "interactions",
    "asa": "interactions",
    "aht": "interactions",
    "transfer_rate": "interactions",
    "repeat_contact_rate": "interactions",
    "fcr_proxy": "interactions",
    "csat_top_box": "surveys",
    "nps": "surveys",
    "survey_fcr": "surveys",
    "qa_score": "qa",
    "qa_auto_fail_rate": "qa",
    "qa_pass_rate": "qa",
    "attrition": "roster",
}
MEASURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "aht": ("talk_seconds",),
    "transfer_rate": ("transfers",),
    "repeat_contact_rate": ("customer_id",),
    "fcr_proxy": ("customer_id",),
    "csat_top_box": ("csat",),
    "nps": ("nps",),
    "survey_fcr": ("fcr",),
    "qa_auto_fail_rate": ("auto_fail",),
}
# The measures whose value is a share (percent) of the contacts, responses or evaluations counted.
PROPORTIONS = frozenset(
    {
        "abandon_rate",
        "service_level",
        "transfer_rate",
        "repeat_contact_rate",
        "fcr_proxy",
        "csat_top_box",
        "survey_fcr",
        "qa_auto_fail_rate",
        "qa_pass_rate",
    }
)
# Of those, the ones measured on a SAMPLE -- the customers who answered a survey, the contacts QA
# evaluated -- rather than on every contact of the month: their KPIs carry a 95% Wilson interval
# unless the catalogue says `proportion: false` (see GovernanceConfig's Kpi.proportion).
SAMPLED = frozenset({"csat_top_box", "survey_fcr", "qa_pass_rate", "qa_auto_fail_rate"})
