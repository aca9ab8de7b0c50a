"""Aggregate step, raw half: the `raw_data` definitions written out as SQL text.

One function per stage returns the text of common table expressions (CTEs); `kpi_query`
chains them into ONE statement that yields the canonical long KPI table. File reads are
isolated in CTEs named `<source>_read` and marked `FILE READ`: they are the only DuckDB
specific table functions, so a team whose records live in a warehouse replaces those few
lines by a SELECT from its own table and runs the same definitions there. Everything after
them is plain SQL (CASE, COALESCE, window functions, GROUP BY, WITH RECURSIVE) apart from
TRY_CAST / TRY_STRPTIME, `AT TIME ZONE`, EPOCH_US, EXTRACT(EPOCH ...) and REGEXP_MATCHES,
which are named in the header so a porter knows where to look.

Stages per source: `_read` (the user's columns renamed to govdocs fields, as text) ->
`_parsed` (text trimmed, local times and times with an offset apart, numbers as DOUBLE) ->
`_hours` (the zone's offset per local hour of the data) -> `_timed` (timestamps as instants,
the month in the source's time zone) -> `_tested` (each row's first reject reason other than
a duplicate id) -> `_dups` (ids with more than one valid row, and the first of them) ->
`_checked` (every row with its reject reason, NULL when accepted) -> `_cube` (sums per
partner, month, channel, programme and reason) and, for repeat measures,
`interactions_repeat` (each accepted contact's next contact of the same customer) -> the
KPI rows. A CTE marked `table` is read by more than one later stage: the engine keeps it as
a temporary table and runs the rest as a few statements, each streamed in one pass.

Modules: text (quoting, reasons, CTE, file read) -> stages (shared per-row stages) -> platforms
(a platform's records, legs and duplicates to one row per customer contact: the interactions'
`_read` stage for `format: amazon-connect`, `genesys-cloud`, `nice-cxone`, `salesforce-voice`,
`zendesk-talk`, `five9`, `talkdesk`, `twilio-flex`) -> sources (one definition per source) ->
measures (KPIs, data-quality cube,
repeats, attrition) -> query (the one statement).
"""

from govdocs.raw.sql import platforms  # noqa: F401
from govdocs.raw.sql.measures import (  # noqa: F401
    REPEAT,
    SAMPLE_FIELDS,
    MeasureSql,
    event_ctes,
    measure_sql,
    samples_aggregate,
    segment_columns,
)
from govdocs.raw.sql.query import HEADER, final_ctes, final_select, kpi_query, kpi_selects, source_ctes  # noqa: F401
from govdocs.raw.sql.sources import CTE_BUILDERS, interactions_ctes, qa_ctes, roster_ctes, surveys_ctes  # noqa: F401
from govdocs.raw.sql.stages import read_cte, seconds  # noqa: F401
from govdocs.raw.sql.text import (  # noqa: F401
    ANSWER_BEFORE_ARRIVAL,
    BAD_VALUE,
    DUPLICATE_ID,
    EVENT_SOURCES,
    IN_PROGRESS,
    LEFT_BEFORE_HIRED,
    MISSING_FIELD,
    NEGATIVE_DURATION,
    NOT_A_NUMBER,
    NOT_QUEUED,
    OUT_OF_RANGE,
    PLATFORM_FIGURES,
    PLATFORM_HANDLE,
    PLATFORM_WAIT,
    PLATFORM_WITHIN,
    SOURCES,
    TABLE_SOURCES,
    UNKNOWN_PARTNER,
    UNPARSEABLE_TIMESTAMP,
    Cte,
    FileRead,
    JoinedFiles,
    identifier,
    literal,
    read_function,
)
