"""Many small raw files at the cost of one (issue 33, point 10): CSV files with one header line are
described once and read together, and every row is still named by its own file and line."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_raw_engine import CALLS, HEADER, MEASURES, at_atl, interactions_config, write_csv

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.engines import duck

FILES = 200


class CountingConnection:
    """A DuckDB connection that keeps every statement it is given."""

    def __init__(self, con, statements: list[str]) -> None:
        self._con, self._statements = con, statements

    def execute(self, text: str, *args):
        self._statements.append(text)
        return self._con.execute(text, *args)

    def __getattr__(self, name: str):
        return getattr(self._con, name)


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    connect = duck.connect
    monkeypatch.setattr(duck, "connect", lambda *a, **k: CountingConnection(connect(*a, **k), seen))
    return seen


def rows() -> list[list[str]]:
    """FILES contacts: the hand-checked calls again and again, each copy under new ids, with an
    unknown partner in the 138th and the 57th contact's id again in the 171st."""
    out = []
    for i in range(FILES):
        call = at_atl([CALLS[i % len(CALLS)]])[0]
        out.append([f"k{i:03d}", *call[1:]])
    out[137][1] = "Nowhere Ltd"
    out[170][0] = out[56][0]
    return out


def test_files_of_one_header_are_described_once_and_read_in_one_scan(tmp_path: Path, statements: list[str]) -> None:
    one, many = tmp_path / "one", tmp_path / "many"
    one.mkdir()
    many.mkdir()
    write_csv(one / "calls.csv", HEADER, rows())
    for i, row in enumerate(rows()):
        write_csv(many / f"call-{i:03d}.csv", HEADER, [row])
    alone = engine.aggregate(interactions_config("one/calls.csv", MEASURES), base=tmp_path, partner_ids=["ATL"])
    statements.clear()
    agg = engine.aggregate(interactions_config("many/*.csv", MEASURES), base=tmp_path, partner_ids=["ATL"])

    # the cost does not grow with the files: one DESCRIBE, one scan (today: 200 of each)
    assert sum(s.startswith("DESCRIBE") for s in statements) == 1
    assert sum(s.count("read_csv(") for s in statements if not s.startswith("DESCRIBE")) == 1
    pd.testing.assert_frame_equal(agg.kpis, alone.kpis)
    assert len(agg.files) == FILES and agg.quality.sources[0].read == FILES
    # each rejected row is named by its own file and line, as when the files are read one by one
    named = {(s.reason, Path(s.file).name, s.line, s.record_id) for s in agg.quality.samples}
    assert named == {
        ("unknown_partner", "call-137.csv", 2, "k137"),
        ("duplicate_id", "call-170.csv", 2, "k056"),
    }


def test_a_file_read_unlike_its_header_among_many_is_named(tmp_path: Path) -> None:
    """A quoted field left open makes DuckDB read the file with other columns than its header
    line says: named as unreadable (one by one, its rows were all rejected as empty)."""
    for i, row in enumerate(rows()[:50]):
        write_csv(tmp_path / f"call-{i:03d}.csv", HEADER, [row])
    (tmp_path / "call-031.csv").write_bytes((tmp_path / "call-031.csv").read_bytes() + b'c99,ATL,"voice\n')
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(interactions_config("call-*.csv", MEASURES), base=tmp_path, partner_ids=["ATL"])
    assert "call-031.csv" in str(caught.value)
