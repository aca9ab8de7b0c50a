"""Fuzzing the loaders: whatever bytes they are given, they return data or raise GovdocsError.

Any other exception is a bug. A GovdocsError must carry problems, each with a message, the
input's category (data, config, inputs) and a location in the input file itself.

The suite runs a small, derandomized budget (profile `govdocs-suite`); `make fuzz` sets
GOVDOCS_FUZZ_EXAMPLES (default 5,000 per target), which selects the profile `govdocs-fuzz`,
random on each run. Inputs that once broke a loader are kept below as `@example`s.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
import math
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from conftest import CONFIG, EXAMPLES, INPUTS
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from govdocs import limits
from govdocs.config.loader import load_config
from govdocs.data.actions import load_proposed_actions
from govdocs.data.assessment import load_assessment
from govdocs.data.inputs import load_partner_inputs
from govdocs.data.loader import load_kpi_data
from govdocs.errors import ExitCode, GovdocsError
from govdocs.validate import cross_check, value_domain

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture]
LONG_RUN = os.environ.get("GOVDOCS_FUZZ_EXAMPLES")  # set by `make fuzz`
settings.register_profile(
    "govdocs-suite", max_examples=150, deadline=None, derandomize=True, database=None, suppress_health_check=_QUIET
)
settings.register_profile(
    "govdocs-fuzz",
    max_examples=int(LONG_RUN or 5000),
    deadline=None,
    derandomize=False,
    database=None,
    suppress_health_check=_QUIET,
    print_blob=True,
)
# Applied per test (not loaded globally) so that the other property tests keep their own settings.
FUZZ = settings(settings.get_profile("govdocs-fuzz" if LONG_RUN else "govdocs-suite"))

KPI_IDS = ["service_level", "asa", "abandonment", "aht", "fcr", "csat", "qa_score", "attrition"]
CONFIG_TEXT = CONFIG.read_text(encoding="utf-8")
CONFIG_DATA = yaml.safe_load(CONFIG_TEXT)
EXAMPLE_CONFIG = load_config(CONFIG)


def loads_or_refuses(call: Callable[[], Any], path: Path, category: ExitCode) -> Any:
    """Call a loader; a refusal must be well formed. Returns the result, or None if refused."""
    try:
        return call()
    except GovdocsError as exc:
        assert exc.problems, "a GovdocsError without problems"
        for problem in exc.problems:
            assert problem.message.strip(), problem
            assert problem.category is category, problem
            assert problem.location.file == str(path), problem
        return None


# --- byte-level mutation, shared by every target ----------------------------------------------

EDITS = st.lists(
    st.tuples(st.integers(0, 2**20), st.integers(0, 4), st.binary(max_size=4)),
    max_size=6,
)


def mutate(raw: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Delete `cut` bytes at a position and insert `paste` there, for each edit."""
    for position, cut, paste in edits:
        at = position % (len(raw) + 1)
        raw = raw[:at] + paste + raw[at + cut :]
    return raw


# --- KPI data: CSV ----------------------------------------------------------------------------

COLUMNS = [
    "partner",
    "period",
    "kpi",
    "value",
    "volume",
    "source",
    "Partner",
    " VALUE ",
    "service_level",
    "aht",
    "service_level__volume",
    "AHT__Volume",
    "",
    "comment",
    "2026-07",
    "12.5",
]
HEADERS = st.one_of(
    st.just(["partner", "period", "kpi", "value", "volume", "source"]),
    st.just(["partner", "period", "service_level", "aht", "service_level__volume"]),
    st.lists(st.sampled_from(COLUMNS), max_size=8),
)
CELLS = st.one_of(
    st.sampled_from(["ATL", "BRV", "NA", "N/A", "null", "00123", "0123", "", " ", *KPI_IDS]),
    st.sampled_from(
        ["2026-07", "2026-7", "07/2026", "7/1/2026", "46204", "2026-07-01", "0000-01", "9999-12", "202607"]
    ),
    st.floats().map(repr),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(
        ["inf", "-inf", "nan", "1e400", "-0", "85,5", "1,250", "1,250,000.5", "measured", "Partner_Reported"]
    ),
    st.sampled_from(['"', '""', "\x00", "\r", "\n", "\r\n", ",", ";", "\t", "\ufeff", "=1+1", "\x85", "\u2028"]),
    st.text(max_size=8),
)
ROWS = st.lists(st.lists(CELLS, max_size=8), max_size=12)


@st.composite
def csv_bytes(draw: st.DrawFn) -> bytes:
    header, rows = draw(HEADERS), draw(ROWS)
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
        csv.writer(buffer, delimiter=delimiter, lineterminator=ending).writerows([header, *rows])
        text = buffer.getvalue()
    else:  # as a careless script writes it: no quoting at all
        text = ending.join(",".join(cells) for cells in [header, *rows]) + ending
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "latin-1", "utf-16", "utf-16-le"]))
    return mutate(text.encode(encoding, errors="replace"), draw(EDITS))


def check_kpi_file(path: Path, raw: bytes, kpi_ids: list[str] | None) -> None:
    path.write_bytes(raw)
    data = loads_or_refuses(lambda: load_kpi_data([path], kpi_ids), path, ExitCode.DATA)
    if data is None:
        return
    frame = data.frame
    assert frame["value"].map(math.isfinite).all()
    assert ((frame["volume"] >= 0) | frame["volume"].isna()).all()
    assert (frame["partner"] != "").all() and (frame["kpi"] != "").all()
    assert not frame.duplicated(["partner", "month", "kpi"]).any()
    for partner in data.partners():
        for kpi in data.kpis():
            data.series(partner, kpi)
    assert data.latest_month() is not None


EXAMPLE_ROWS = (EXAMPLES / "data" / "kpis.csv").read_text(encoding="utf-8").splitlines()[:60]


@st.composite
def example_csv_bytes(draw: st.DrawFn) -> bytes:
    """The example data with some cells replaced, rows repeated or dropped, then bytes edited."""
    rows = [line.split(",") for line in EXAMPLE_ROWS]
    for _ in range(draw(st.integers(0, 6))):
        row = draw(st.integers(0, len(rows) - 1))
        op = draw(st.sampled_from(["cell", "cell", "repeat", "drop"]))
        if op == "cell" and rows[row]:
            rows[row][draw(st.integers(0, len(rows[row]) - 1))] = draw(CELLS)
        elif op == "repeat":
            rows.insert(row, list(rows[row]))
        elif op == "drop" and len(rows) > 1:
            del rows[row]
    return mutate("\n".join(",".join(cells) for cells in rows).encode("utf-8", errors="replace"), draw(EDITS))


@FUZZ
@given(raw=st.one_of(csv_bytes(), example_csv_bytes()), with_ids=st.booleans())
@example(raw=b"partner,period,kpi,value\nA,0000-01,sl,1\n", with_ids=False)
@example(raw=b"partner,period\nA,2026-07\n", with_ids=False)  # found: KeyError with no KPI column
@example(raw=b"partner,period,aht\nA,2026-07,\n", with_ids=True)  # found: loaded with no rows at all
def test_fuzz_csv(tmp_path: Path, raw: bytes, with_ids: bool) -> None:
    check_kpi_file(tmp_path / "kpis.csv", raw, KPI_IDS if with_ids else None)


@FUZZ
@given(raw=st.binary(max_size=600), suffix=st.sampled_from([".csv", ".xlsx", ".parquet"]))
def test_fuzz_random_bytes(tmp_path: Path, raw: bytes, suffix: str) -> None:
    check_kpi_file(tmp_path / f"kpis{suffix}", raw, None)


# --- KPI data: spreadsheets ---------------------------------------------------------------------

XLSX_VALUES = st.one_of(
    CELLS.map(lambda text: ILLEGAL_CHARACTERS_RE.sub("", text)),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**15), 10**15),
    st.booleans(),
    st.none(),
    st.datetimes(min_value=datetime.datetime(1900, 3, 1), max_value=datetime.datetime(9999, 1, 1)),
    st.dates(min_value=datetime.date(1900, 3, 1)),
    st.times(),
    st.sampled_from(["=A1", "=1/0", "=SUM(D:D)", '=HYPERLINK("http://example.com")', "=D2*1"]),
)


@st.composite
def xlsx_bytes(draw: st.DrawFn) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    titles = draw(
        st.lists(st.sampled_from(["kpis", "Data", "Sheet1", "Q3", "Notes"]), min_size=1, max_size=3, unique=True)
    )
    for title in titles:
        sheet = book.create_sheet(title)
        sheet.append(draw(HEADERS))
        for row in draw(st.lists(st.lists(XLSX_VALUES, max_size=8), max_size=8)):
            sheet.append(row)
        for _ in range(draw(st.integers(0, 2))):
            first_row, first_col = draw(st.integers(1, 6)), draw(st.integers(1, 6))
            rows, cols = draw(st.integers(0, 3)), draw(st.integers(0, 3))
            sheet.merge_cells(
                start_row=first_row, start_column=first_col, end_row=first_row + rows, end_column=first_col + cols
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@st.composite
def xlsx_with_mutated_part(draw: st.DrawFn) -> bytes:
    """A workbook whose zip is intact but one XML part is damaged: reaches the XML readers."""
    with zipfile.ZipFile(io.BytesIO(draw(xlsx_bytes()))) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = mutate(parts[name], draw(EDITS))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part, content in parts.items():
            target.writestr(part, content)
    return buffer.getvalue()


def zip_version(raw: bytes, version: int) -> bytes:
    """The workbook with its first central-directory entry claiming `version` as needed to extract."""
    at = raw.index(b"PK\x01\x02") + 6
    return raw[:at] + version.to_bytes(2, "little") + raw[at + 2 :]


def small_workbook() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["partner", "period", "kpi", "value"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@FUZZ
@given(
    raw=st.one_of(
        xlsx_bytes(), xlsx_with_mutated_part(), xlsx_bytes().flatmap(lambda b: EDITS.map(lambda e: mutate(b, e)))
    )
)
@example(raw=zip_version(small_workbook(), 188))  # found: NotImplementedError("zip file version 18.8")
def test_fuzz_xlsx(tmp_path: Path, raw: bytes) -> None:
    check_kpi_file(tmp_path / "kpis.xlsx", raw, KPI_IDS)


# --- KPI data: Parquet --------------------------------------------------------------------------

ARROW_COLUMNS = {
    "string": (pa.string(), CELLS),
    "int64": (pa.int64(), st.integers(-(2**63), 2**63 - 1)),
    "float64": (pa.float64(), st.floats()),
    "bool": (pa.bool_(), st.booleans()),
    "date": (pa.date32(), st.dates()),
    "timestamp": (pa.timestamp("us"), st.datetimes(max_value=datetime.datetime(2262, 1, 1))),
    "list": (pa.list_(pa.float64()), st.lists(st.floats(), max_size=2)),
    "dictionary": (pa.dictionary(pa.int32(), pa.string()), CELLS),
    "null": (pa.null(), st.none()),
    "binary": (pa.binary(), st.binary(max_size=4)),
}


@st.composite
def parquet_bytes(draw: st.DrawFn) -> bytes:
    names = draw(st.one_of(HEADERS, st.lists(st.sampled_from(COLUMNS), max_size=6)))
    length = draw(st.integers(0, 6))
    arrays = []
    for _ in names:
        kind, values = ARROW_COLUMNS[draw(st.sampled_from(sorted(ARROW_COLUMNS)))]
        cells = draw(st.lists(st.one_of(st.none(), values), min_size=length, max_size=length))
        if pa.types.is_dictionary(kind):
            arrays.append(pa.array(cells, pa.string()).dictionary_encode())
        else:
            arrays.append(pa.array(cells, kind))
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_arrays(arrays, names=names), buffer)
    return mutate(buffer.getvalue().to_pybytes(), draw(EDITS))


@FUZZ
@given(raw=parquet_bytes())
def test_fuzz_parquet(tmp_path: Path, raw: bytes) -> None:
    check_kpi_file(tmp_path / "kpis.parquet", raw, KPI_IDS)


# --- YAML: the config and the human-input files -------------------------------------------------

SNIPPETS = [
    "NO",
    "yes",
    "0123",
    "1:30",
    "0x1F",
    "~",
    "null",
    "[]",
    "{}",
    "!!python/object/apply:os.system ['true']",
    "!!binary aGk=",
    "!!set {a, b}",
    "!!float x",
    "&anchor value",
    "*anchor",
    "*undefined",
    "<<: {a: 1}",
    "'",
    '"',
    "- item",
    "\t",
    ": :",
    "2026-13-01",
    "2026-02-30",
    "9999-12-31",
    ".nan",
    "-.inf",
    "1e400",
    "9" * 30,
    "? [a]\n: b",
    "---",
    "...",
    "%YAML 1.1",
    "[" * 100,
    "\x00",
    "\ufeff",
    "\x85",
]
HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [None, True, False, 0, -1, 10**20, 1e308, -1e308, float("nan"), float("inf"), "", "x", "ATL", "service_level"]
    ),
    st.sampled_from(
        ["NL", "XX", "Mars/Phobos", "../../etc/passwd", "UTC", "2026-Q3", "Q3", "10:00", "25:00", "EUR", "At risk"]
    ),
    st.sampled_from([[], {}, [None], {"a": 1}, datetime.date(1, 1, 1), datetime.date(9999, 12, 31)]),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.dates(),
    # around the limits of govdocs/limits.py: texts and names at and past them, long lists
    st.sampled_from([199, 200, 201, 1_999, 2_000, 2_001, 50_000]).map(lambda n: "w" * n),
    st.sampled_from([49, 50, 51, 2_000]).map(lambda n: ["Too slow."] * n),
)


@st.composite
def text_mutations(draw: st.DrawFn, text: str) -> str:
    """Line-level edits of a YAML file: delete, repeat, re-indent, replace a value, insert a snippet."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        at = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "repeat", "indent", "value", "insert", "bytes"]))
        if op == "delete":
            del lines[at]
        elif op == "repeat":
            lines.insert(at, lines[at])
        elif op == "indent":
            lines[at] = " " * draw(st.integers(0, 5)) + lines[at].lstrip()
        elif op == "value" and ": " in lines[at]:
            key = lines[at].split(": ", 1)[0]
            lines[at] = f"{key}: {draw(st.one_of(st.sampled_from(SNIPPETS), st.text(max_size=8)))}"
        elif op == "insert":
            lines.insert(at, " " * draw(st.integers(0, 6)) + draw(st.sampled_from(SNIPPETS)))
        else:
            lines[at] = mutate(lines[at].encode(), draw(EDITS)).decode("utf-8", errors="replace")
    return "\n".join(lines) + "\n"


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        found += [p for key, child in value.items() for p in _paths(child, (*path, key))]
    elif isinstance(value, list):
        found += [p for i, child in enumerate(value) for p in _paths(child, (*path, i))]
    return found


@st.composite
def structure_mutations(draw: st.DrawFn, data: Any) -> str:
    """A valid document with some values replaced by hostile ones (or deleted), dumped as YAML:
    gets past the YAML and shape checks into the meaning checks."""
    data = copy.deepcopy(data)
    paths = [p for p in _paths(data) if p]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(paths))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.integers(0, 4)) == 0:
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(HOSTILE_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


RANDOM_YAML = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6), st.dates()),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=20,
).map(lambda value: yaml.safe_dump(value, allow_unicode=True))


def yaml_inputs(text: str) -> st.SearchStrategy[bytes]:
    data = yaml.safe_load(text)
    return st.one_of(
        text_mutations(text),
        structure_mutations(data),
        RANDOM_YAML,
        st.text(max_size=200),
        st.sampled_from(SNIPPETS),
    ).map(lambda document: document.encode("utf-8", errors="surrogatepass")) | st.binary(max_size=200)


@FUZZ
@given(raw=yaml_inputs(CONFIG_TEXT))
def test_fuzz_config(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "governance.yaml"
    path.write_bytes(raw)
    config = loads_or_refuses(lambda: load_config(path), path, ExitCode.CONFIG)
    if config is not None:
        for partner in config.partners:
            for kpi in config.kpis:
                config.effective_kpi(partner, kpi)


@FUZZ
@given(raw=yaml_inputs((INPUTS / "ATL.yaml").read_text(encoding="utf-8")))
def test_fuzz_partner_inputs(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "ATL.yaml"
    path.write_bytes(raw)
    inputs = loads_or_refuses(lambda: load_partner_inputs(path, "ATL", set(KPI_IDS), "2026-Q3"), path, ExitCode.INPUTS)
    if inputs is not None:
        within_limits(inputs.model_dump())


def within_limits(value: Any) -> None:
    """What a loader accepted holds no text and no list past the limits."""
    if isinstance(value, str):
        assert len(value) <= limits.TEXT_CHARACTERS, len(value)
    elif isinstance(value, list):
        assert len(value) <= limits.LIST_ENTRIES, len(value)
        for item in value:
            within_limits(item)
    elif isinstance(value, dict):
        for item in value.values():
            within_limits(item)


@FUZZ
@given(raw=yaml_inputs((EXAMPLES / "assessments" / "BRV.yaml").read_text(encoding="utf-8")))
def test_fuzz_assessment(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "BRV.yaml"
    path.write_bytes(raw)
    assessment = loads_or_refuses(lambda: load_assessment(path, "BRV", EXAMPLE_CONFIG), path, ExitCode.INPUTS)
    if assessment is not None:
        within_limits(assessment.model_dump())


ACTIONS_CSV = (EXAMPLES / "actions" / "BRV.csv").read_bytes()


@FUZZ
@given(
    raw=st.one_of(
        yaml_inputs((EXAMPLES / "actions" / "ECH.yaml").read_text(encoding="utf-8")).map(lambda r: (r, ".yaml")),
        EDITS.map(lambda edits: (mutate(ACTIONS_CSV, edits), ".csv")),
        csv_bytes().map(lambda r: (r, ".csv")),
    )
)
def test_fuzz_proposed_actions(tmp_path: Path, raw: tuple[bytes, str]) -> None:
    content, suffix = raw
    path = tmp_path / f"actions{suffix}"
    path.write_bytes(content)
    actions = loads_or_refuses(lambda: load_proposed_actions(path), path, ExitCode.INPUTS)
    if actions is not None:
        assert len(actions) <= limits.PROPOSED_ACTIONS
        for action in actions:
            within_limits(action.fields.model_dump(mode="json"))


# --- every unit's domain: values at and past its edges ----------------------------------------

EDGE_VALUES = st.sampled_from(
    [
        "-5",
        "-1e-9",
        "-0",
        "0",
        "1e-320",
        "5e-324",
        "12.5",
        "99.99999999999999",
        "100",
        "100.0000001",
        "173.5",
        "140",
        "1e308",
        "1000000",
        "0.5",
        "419.5",
    ]
)
EDGE_VOLUMES = st.sampled_from(["", "0", "1", "12.5", "3.0000000001", "1e15", "42648"])
EXAMPLE_KPIS = {k.id: k for k in EXAMPLE_CONFIG.kpis}


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(1, len(EXAMPLE_ROWS) - 1), EDGE_VALUES, EDGE_VOLUMES), max_size=4))
def test_fuzz_values_at_the_edges_of_their_domains(tmp_path: Path, edits: list[tuple[int, str, str]]) -> None:
    """The example data with values and volumes at the edges of each unit's domain (percent
    0-100, seconds 0 or more, a score within its scale, a count whole): what the checks pass
    lies inside every domain; what they refuse is refused with this file's name."""
    rows = [line.split(",") for line in EXAMPLE_ROWS]
    for row, value, volume in edits:
        rows[row][3], rows[row][4] = value, volume
    path = tmp_path / "kpis.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    data = loads_or_refuses(lambda: load_kpi_data([path], KPI_IDS), path, ExitCode.DATA)
    if data is None:
        return
    errors = [p for p in cross_check(EXAMPLE_CONFIG, data, [path]) if p.severity == "error"]
    for problem in errors:
        assert problem.location.file == str(path) and problem.message.strip(), problem
    if errors:
        return
    for kpi_id, values in data.frame.groupby("kpi")["value"]:
        kpi = EXAMPLE_KPIS[kpi_id]
        low, high = value_domain(kpi)
        assert (values >= low).all() and (high is None or (values <= high).all()), (kpi_id, list(values))
    volumes = data.frame["volume"].dropna()
    assert (volumes % 1 == 0).all(), list(volumes)


# --- the returned form and the response file (issue 33) ---------------------------------------

RESPONSE_TEXT = """partner: BRV
responses:
- document: PIP-2026Q3-BRV-P-C38677
  inputs_hash: c38677a94d8d
  plan: {start: 2026-10-16, final_review: 2027-03-01}
  acknowledged: {name: Daniel Okafor, role: Client Services Director, date: 2026-10-20}
  root_causes: {service_level: Wave-1 attrition left the billing queues short.}
  proposed_actions:
  - {id: BRV-R1, objective: service_level, action: Cross-skill twelve agents, metric: Agents on billing,
     threshold: 12 of 12, owner: Partner training lead, due: 2026-11-30}
  checkin: {date: 2026-10-30, actions: [{id: BRV-1, status: on_track, note: 18 of 25 hired}]}
  disputes:
  - {kpi: service_level, month: 2026-08, issue: The IVR outage counted as abandons, decision: pending}
"""


@FUZZ
@given(raw=yaml_inputs(RESPONSE_TEXT))
def test_fuzz_response_file(tmp_path: Path, raw: bytes) -> None:
    """The response file `response import` writes and every later run reads."""
    from govdocs.response import load_responses

    path = tmp_path / "BRV.response.yaml"
    path.write_bytes(raw)
    found = loads_or_refuses(lambda: load_responses(tmp_path, "BRV"), path, ExitCode.INPUTS)
    if found is not None:
        within_limits([r.model_dump() for r in found[1]])


def _form_pdf() -> bytes:
    """A small PDF with text fields named as govdocs names them, and metadata like an issued copy's."""
    import io

    from pypdf import PdfWriter
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

    writer = PdfWriter()
    page = writer.add_blank_page(200, 200)
    fields = ArrayObject()
    for number, name in enumerate(
        ["govdocs:document", "govdocs:partner", "govdocs:inputs", "govdocs:plan", "ack:name"]
    ):
        field = DictionaryObject(
            {
                NameObject("/FT"): NameObject("/Tx"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/V"): TextStringObject(
                    ["PIP-2026Q3-BRV-P-C38677", "BRV", "c38677a94d8d", "2026-10-16/2027-03-01", "Daniel Okafor"][number]
                ),
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/Rect"): ArrayObject(
                    [NumberObject(0), NumberObject(0), NumberObject(10), NumberObject(10)]
                ),
            }
        )
        reference = writer._add_object(field)
        fields.append(reference)
    page[NameObject("/Annots")] = fields
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    writer.add_metadata({"/Keywords": "PIP-2026Q3-BRV-P-C38677, partner, plan 2026-10-16/2027-03-01"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


FORM_PDF = _form_pdf()


@FUZZ
@given(raw=st.one_of(st.builds(mutate, st.just(FORM_PDF), EDITS), st.binary(max_size=600)))
def test_fuzz_returned_form(tmp_path: Path, raw: bytes) -> None:
    """What `response import` reads first: the returned file's signatures and its form. Any
    refusal is govdocs' own (exit 5, naming the file); anything else is a crash."""
    from govdocs.response import read_form, read_returned
    from govdocs.signing import verify

    path = tmp_path / "returned.pdf"
    path.write_bytes(raw)
    try:
        data = read_returned(path)
        read_form(path, data)
        verify(path, None, data)
    except GovdocsError as exc:
        for problem in exc.problems:
            assert problem.message.strip() and problem.category is ExitCode.INPUTS, problem
            assert problem.location.file in (path.name, str(path)), problem
