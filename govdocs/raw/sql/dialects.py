"""The definitions in other SQL dialects. govdocs writes its KPI definitions once, as DuckDB SQL
(the rest of this package); SQLGlot parses that text and writes it for Spark (run by
`--engine spark`) or for a warehouse (`aggregate --sql --dialect`). SQLGlot's own translation is
right for the portable part (CASE, COALESCE, windows, GROUP BY, WITH RECURSIVE, casts); the few
DuckDB functions whose meaning it would change or not know are rewritten here, each by what it
means rather than by its name:

- `CAST(x AS TIMESTAMP) AT TIME ZONE z` reads a local time in zone z as an instant, and
  `CAST(x AS TIMESTAMPTZ) AT TIME ZONE z` gives an instant's local time in z. The definitions
  always write the CAST, so the direction is in the text; an AT TIME ZONE without one is refused.
- `EPOCH_US(t)`: microseconds since 1970 of a timestamp (a local one read as UTC).
- `TRY_STRPTIME(x, fmt)`: a strftime pattern, NULL when the text does not fit.
- `ARG_MIN(x, key, n)`: the n values of x with the smallest keys (the data-quality samples).
- decimal literals (`100.0`): DOUBLE, as DuckDB computes `100.0 * n / d`, never Spark's DECIMAL
  with its rounded scale.
- `ARG_MIN(x, key)` / `ARG_MAX`: the x of the smallest (largest) key among the rows whose x is
  not NULL, as DuckDB skips them; Spark's MIN_BY would give the NULL.
- `EPOCH_MS(t)` of a timestamp: milliseconds since 1970 (UNIX_MILLIS; SQLGlot would read it the
  other way, as milliseconds to a timestamp); `TO_MICROSECONDS(n)`: an interval of n microseconds.
- `STRFTIME(t, fmt)`: the pattern written for Spark's DATE_FORMAT with its literal text quoted
  (`T`, `Z`), `%f` six digits of the second and `%g` three.
- `json_valid(x)`: x parses as JSON.
- `UNNEST(x) AS a, GENERATE_SUBSCRIPTS(x, 1) AS i` in one SELECT (a list's items with their
  places): Spark's `POSEXPLODE(x) AS (i, a)`, whose places count from 0, not 1 (the definitions
  only order by them).
- the platform presets' JSON reads (`read_json(path, format, columns)`, and a subquery unnesting
  an envelope's array of records from it) name the view the Spark session reads the file into
  (govdocs.raw.spark: every record's leaves as text, numbered in file order), as a CSV read does.

Timestamps are one type on Spark: TIMESTAMP (LTZ) in a session whose time zone is UTC, so a
local time is held as if it were UTC, exactly as DuckDB's TIMESTAMP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

DIALECTS = ("duckdb", "spark", "trino", "bigquery", "snowflake", "postgres")

# the dialects whose text govdocs runs and compares in its tests; the others are written and
# parsed back, not run here
EXECUTED = ("duckdb", "spark")


class DialectError(ValueError):
    """The DuckDB text uses a form this module cannot carry into the dialect (a bug in govdocs)."""


def _anonymous(name: str, *args):
    from sqlglot import exp

    return exp.Anonymous(this=name, expressions=list(args))


def _local_to_instant(dialect: str, value, zone):
    """A local time (TIMESTAMP) in `zone` as the instant it names."""
    from sqlglot import exp

    if dialect == "spark":
        return _spark_local_to_instant(value, zone)
    if dialect == "trino":
        return _anonymous("WITH_TIMEZONE", value, zone)
    if dialect == "bigquery":
        return _anonymous("TIMESTAMP", value, zone)
    if dialect == "snowflake":
        return _anonymous("CONVERT_TIMEZONE", zone, exp.Literal.string("UTC"), value)
    raise DialectError(f"no local-time rule for {dialect}")


def _spark_local_to_instant(value, zone):
    """TO_UTC_TIMESTAMP, except for a local time the clocks show twice (the hour repeated when they
    go back), which it reads as the first of the two instants and DuckDB as the second: the second
    here too. That second instant is the one read three hours later, less three hours (no zone
    changes its clocks twice in three hours), when it still shows the same local time."""
    from sqlglot import exp

    def hours(node, sign):
        interval = exp.Interval(this=exp.Literal.string("3"), unit=exp.var("HOURS"))
        return (exp.Add if sign > 0 else exp.Sub)(this=node, expression=interval)

    plain = _anonymous("TO_UTC_TIMESTAMP", value.copy(), zone.copy())
    later = hours(_anonymous("TO_UTC_TIMESTAMP", hours(value.copy(), 1), zone.copy()), -1)
    shows = exp.EQ(this=_anonymous("FROM_UTC_TIMESTAMP", later.copy(), zone.copy()), expression=value.copy())
    twice = exp.And(this=exp.NEQ(this=later.copy(), expression=plain.copy()), expression=shows)
    return exp.Paren(this=exp.Case(ifs=[exp.If(this=twice, true=later)], default=plain))


def _instant_to_local(dialect: str, value, zone):
    """An instant (TIMESTAMPTZ) as its local time in `zone`."""
    from sqlglot import exp

    if dialect == "spark":
        return _anonymous("FROM_UTC_TIMESTAMP", value, zone)
    if dialect == "trino":
        return exp.cast(_anonymous("AT_TIMEZONE", value, zone), "TIMESTAMP")
    if dialect == "bigquery":
        return _anonymous("DATETIME", value, zone)
    if dialect == "snowflake":
        return _anonymous("CONVERT_TIMEZONE", exp.Literal.string("UTC"), zone, value)
    raise DialectError(f"no local-time rule for {dialect}")


def _epoch_us(dialect: str, value):
    from sqlglot import exp

    if dialect in ("spark", "bigquery"):
        return _anonymous("UNIX_MICROS", value)
    if dialect == "snowflake":
        return _anonymous("DATE_PART", exp.var("EPOCH_MICROSECOND"), value)
    if dialect == "trino":
        return exp.cast(
            exp.Mul(this=_anonymous("TO_UNIXTIME", value), expression=exp.Literal.number(1000000)), "BIGINT"
        )
    return exp.cast(
        exp.Mul(this=exp.Extract(this=exp.var("EPOCH"), expression=value), expression=exp.Literal.number(1000000)),
        "BIGINT",
    )


def _timezone_direction(node) -> str:
    from sqlglot import exp

    inner = node.this
    if isinstance(inner, exp.Cast | exp.TryCast):
        kind = inner.to.this
        if kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ):  # DuckDB's TIMESTAMP
            return "local"
        if kind in (exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.TIMESTAMPLTZ):
            return "instant"
    raise DialectError(f"AT TIME ZONE needs an explicit CAST to TIMESTAMP or TIMESTAMPTZ: {node.sql('duckdb')}")


def _first_n(node):
    """ARG_MIN(x, key, n) on Spark: the sample structs start with their key, so the sorted list of
    them is in key order."""
    from sqlglot import exp

    collected = _anonymous("COLLECT_LIST", node.this)
    return _anonymous("SLICE", _anonymous("ARRAY_SORT", collected), exp.Literal.number(1), node.args["count"])


@dataclass(frozen=True)
class JsonRead:
    """A DuckDB `read_json` of one file as the Spark session reads it: the file's top-level values
    (`layout` 'array': the elements of its array; else values one after another), each parsed with
    `columns` (name -> DuckDB type, every leaf text). With `records`, the path to an array of
    records in each value (an API response's envelope): its records, one row each (a struct
    column `value`), else the values' columns; either way numbered 1, 2, ... in file order
    (`govdocs_row`)."""

    path: str
    layout: str
    columns: tuple[tuple[str, str], ...]
    records: tuple[str, ...] = ()


def _json_read(node) -> JsonRead | None:
    """The file, layout and columns of a `read_json(...)` table function, else None."""
    from sqlglot import exp

    if not (isinstance(node, exp.Anonymous) and node.name.lower() == "read_json"):
        return None
    path, *options = node.expressions
    named = {o.this.name.lower(): o.expression for o in options if isinstance(o, exp.EQ)}
    columns = tuple((p.this.name, p.expression.name) for p in named["columns"].expressions)
    return JsonRead(path.name, named["format"].name, columns)


def _records(node) -> tuple[JsonRead, bool, str] | None:
    """`SELECT UNNEST(envelope.records) [AS alias] FROM read_json(...)` (an API response's records):
    the read with the records' path, whether the records' fields are unnested too (recursive),
    and the alias."""
    from sqlglot import exp

    if not isinstance(node, exp.Select) or len(node.expressions) != 1 or node.args.get("joins"):
        return None
    source = node.args.get("from_") or node.args.get("from")
    table = source.this if source is not None else None
    read = _json_read(table.this) if isinstance(table, exp.Table) else None
    projection = node.expressions[0]
    unnest = projection.this if isinstance(projection, exp.Alias) else projection
    if read is None or not isinstance(unnest, exp.Explode) or not isinstance(unnest.this, exp.Column):
        return None
    recursive = any(isinstance(e, exp.PropertyEQ) and e.this.name == "recursive" for e in unnest.expressions)
    path = tuple(part.name for part in unnest.this.parts)
    return replace(read, records=path), recursive, projection.alias


def _numbered_unnest(node):
    """A SELECT with `UNNEST(x) AS a` and `GENERATE_SUBSCRIPTS(x, 1) AS i` as one POSEXPLODE
    (Spark allows one generator in a SELECT), else None."""
    from sqlglot import exp

    if not isinstance(node, exp.Select):
        return None
    items = {
        p.this.sql(): p
        for p in node.expressions
        if isinstance(p, exp.Alias) and isinstance(p.this, exp.Explode) and not p.this.expressions
    }
    for place in node.expressions:
        call = place.this if isinstance(place, exp.Alias) else None
        if isinstance(call, exp.Anonymous) and call.name.upper() == "GENERATE_SUBSCRIPTS":
            listed = call.expressions[0]
            item = items.get(exp.Explode(this=listed.copy()).sql())
            if item is None:
                raise DialectError(f"GENERATE_SUBSCRIPTS without the UNNEST of its list: {node.sql('duckdb')}")
            both = exp.Aliases(
                this=exp.Posexplode(this=listed.copy()), expressions=[place.args["alias"], item.args["alias"]]
            )
            kept = [both if p is item else p for p in node.expressions if p is not place]
            return node.copy().select(*kept, append=False)
    return None


def _view(tables: Mapping, key, sql_text: str) -> str:
    try:
        return tables[key]
    except KeyError:
        raise DialectError(f"no table stands for the file read {sql_text}") from None


_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss", "%f": "SSSSSS", "%g": "SSS"}


def _date_format(pattern: str) -> str:
    """A DuckDB strftime pattern as Spark's DATE_FORMAT pattern: the fields mapped, the rest quoted."""
    import re

    out = []
    for piece in re.split(r"(%.)", pattern):
        if piece in _STRFTIME:
            out.append(_STRFTIME[piece])
        elif piece.startswith("%") and len(piece) == 2:
            raise DialectError(f"no Spark pattern for strftime {piece}")
        elif any(c.isalpha() or c in "[]{}#'" for c in piece):  # a letter is a field in Java's patterns
            out.append("'" + piece.replace("'", "''") + "'")
        else:
            out.append(piece)
    return "".join(out)


def rewriter(dialect: str, tables: Mapping[str, str] | None = None) -> Callable:
    """The node rewrite carrying DuckDB's meaning into `dialect`; `tables` names the table or view
    standing for a DuckDB file read (keyed by the file's path)."""
    from sqlglot import exp

    def rewrite(node):
        if isinstance(node, exp.AtTimeZone) and dialect != "postgres":  # postgres: DuckDB's meaning
            direction = _timezone_direction(node)
            convert = _local_to_instant if direction == "local" else _instant_to_local
            return convert(dialect, node.this, node.args["zone"])
        if isinstance(node, exp.Anonymous):
            name = node.name.upper()
            if name == "EPOCH_US":
                return _epoch_us(dialect, node.expressions[0])
            if name == "TRY_STRPTIME":
                value, fmt = node.expressions
                return exp.StrToTime(this=value, format=fmt, safe=True)
        if isinstance(node, exp.UnixToTime) and dialect == "spark":
            if node.args.get("scale") is not None and node.args["scale"].name == "3":
                # EPOCH_MS(t): every EPOCH_MS of the definitions is of a timestamp
                return _anonymous("UNIX_MILLIS", node.this)
            # MAKE_TIMESTAMP(us): microseconds since 1970 as a timestamp
            return _anonymous("TIMESTAMP_MICROS", node.this)
        if dialect == "spark" and isinstance(node, exp.Anonymous) and node.name.upper() == "TO_MICROSECONDS":
            micro = exp.Interval(this=exp.Literal.string("0.000001"), unit=exp.var("SECOND"))
            return exp.Paren(this=exp.Mul(this=exp.Paren(this=node.expressions[0]), expression=micro))
        if dialect == "spark" and isinstance(node, exp.Anonymous) and node.name.upper() == "JSON_VALID":
            return exp.Paren(
                this=exp.Not(this=exp.Is(this=_anonymous("TRY_PARSE_JSON", node.expressions[0]), expression=exp.Null()))
            )
        if dialect == "spark" and (numbered := _numbered_unnest(node)) is not None:
            return numbered
        if dialect == "spark" and isinstance(node, exp.TimeToStr):
            return _anonymous("DATE_FORMAT", node.this, exp.Literal.string(_date_format(node.args["format"].name)))
        minmax = isinstance(node, exp.ArgMin | exp.ArgMax) and node.args.get("count") is None
        if minmax and dialect == "spark" and not node.meta.get("nulls_skipped"):
            # DuckDB skips the rows whose value is NULL; MIN_BY and MAX_BY would return it
            key = exp.Case(
                ifs=[
                    exp.If(
                        this=exp.Not(this=exp.Is(this=node.this.copy(), expression=exp.Null())), true=node.expression
                    )
                ]
            )
            node.set("expression", key)
            node.meta["nulls_skipped"] = True
            return node
        if tables is not None and dialect == "spark" and (records := _records(node)) is not None:
            envelope, recursive, alias = records
            view = _view(tables, envelope, node.sql("duckdb"))
            whole = exp.Column(this=exp.Star(), table=exp.to_identifier("value"))  # the records' fields
            value = whole if recursive else exp.alias_(exp.column("value"), alias or "value")
            return exp.select(value, exp.column("govdocs_row")).from_(exp.to_table(view, dialect=dialect))
        json_read = dialect == "spark" and tables is not None and isinstance(node, exp.Table)
        if json_read and (json_file := _json_read(node.this)) is not None:
            return exp.to_table(_view(tables, json_file, node.this.sql("duckdb")), dialect=dialect)
        if (
            isinstance(node, exp.Filter)
            and isinstance(node.this, exp.ArgMin)
            and node.this.args.get("count") is not None
            and dialect == "spark"
        ):
            # the value is NULL for the rows the filter leaves out, and COLLECT_LIST skips NULLs
            return _first_n(node.this)
        if isinstance(node, exp.ArgMin) and node.args.get("count") is not None:
            if dialect != "spark":
                raise DialectError("the data-quality samples (ARG_MIN with a count) are written for Spark only")
            return _first_n(node)
        if isinstance(node, exp.Literal) and not node.is_string and dialect == "spark":
            text = node.this
            done = isinstance(node.parent, exp.Cast) and node.parent.to.this is exp.DataType.Type.DOUBLE
            if any(c in text for c in ".eE") and not done:
                return exp.cast(exp.Literal.number(text), "DOUBLE")
        timestamps = (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ, exp.DataType.Type.TIMESTAMPTZ)
        if isinstance(node, exp.DataType) and dialect == "spark" and node.this in timestamps:
            return exp.DataType.build("TIMESTAMPLTZ")
        if isinstance(node, exp.Anonymous) and node.name.upper() == "LIST_POSITION" and dialect == "spark":
            values, item = node.expressions
            return _anonymous("ARRAY_POSITION", values, item)
        if tables is not None and isinstance(node, exp.Table) and isinstance(node.this, exp.ReadCSV | exp.ReadParquet):
            read = node.this
            first = read.this if read.args.get("this") is not None else read.expressions[0]
            paths = tuple(e.this for e in (first.expressions if isinstance(first, exp.Array) else [first]))
            if paths not in tables:
                raise DialectError(f"no table stands for the file read {read.sql('duckdb')}")
            return exp.to_table(tables[paths], dialect=dialect)
        numbered = isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber)
        if numbered and not node.args.get("partition_by") and not node.args.get("order"):
            if tables is not None:
                return exp.column("govdocs_row")  # a file's rows, numbered in file order as it was read
            if dialect == "spark":  # a table's rows in the order Spark reads them (it wants an ORDER BY)
                order = exp.Order(expressions=[exp.Ordered(this=_anonymous("MONOTONICALLY_INCREASING_ID"))])
                return exp.Window(this=node.this, order=order)
        return node

    return rewrite


def header(dialect: str) -> str:
    """The comment above a translated statement: what it is, and what was checked of it."""
    checked = (
        "run by govdocs' tests on Spark and compared with DuckDB's result, number for number"
        if dialect in EXECUTED
        else "parsed back by SQLGlot in govdocs' tests, not run there: try it on a month you know first"
    )
    return (
        f"-- govdocs: KPIs from raw records, as one {dialect} SQL statement (translated from DuckDB by SQLGlot).\n"
        "-- Output: partner, period (YYYY-MM, in each source's time zone), kpi, value, volume, source,\n"
        "--   segment (NULL for the partner's total; 'channel'/'programme' value for breakdown rows).\n"
        f"-- This text is {checked}.\n"
    )


def translate(text: str, dialect: str, tables: Mapping[str, str] | None = None, *, pretty: bool = False) -> str:
    """DuckDB SQL (one statement) as `dialect` SQL with the same meaning."""
    if dialect == "duckdb":
        return text
    if dialect not in DIALECTS:
        raise DialectError(f"unknown dialect {dialect!r}")
    import sqlglot

    tree = sqlglot.parse_one(text, read="duckdb")
    rewrite = rewriter(dialect, tables)
    changed = True

    def once(node):
        nonlocal changed
        new = rewrite(node)
        changed = changed or new is not node
        return new

    # SQLGlot's transform does not look inside a node it has just replaced (an AT TIME ZONE inside
    # EPOCH_US): again until nothing changes. Each rewrite gives a node no rule matches again, and
    # a parent is seen before its children, so an AT TIME ZONE is read before its CAST is rewritten.
    for _ in range(50):
        if not changed:
            break
        changed = False
        tree = tree.transform(once, copy=False)
    else:
        raise DialectError(f"the {dialect} rewrite does not settle")
    return tree.sql(dialect=dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)
