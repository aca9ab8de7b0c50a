"""Spark splits a JSON file that is not JSON lines on the driver, reading it whole: that read is
bounded like every other (decompressed, so a gzip bomb is refused too), with one line saying what
to deliver instead. No Spark session is needed to see it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from govdocs.raw import spark


def test_a_json_array_larger_than_the_whole_file_bound_is_refused_in_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(spark, "WHOLE_FILE_BYTES", 1000)
    records = [{"id": str(i), "note": "x" * 40} for i in range(100)]
    connection = spark.SparkConnection(session=None, folder=str(tmp_path / "values"))
    (tmp_path / "values").mkdir()
    small = tmp_path / "small.json"
    small.write_text(json.dumps(records[:5]), encoding="utf-8")
    lines = Path(connection._as_lines(str(small), inside_array=True)).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["0", "1", "2", "3", "4"]
    for name, data in (
        ("big.json", json.dumps(records).encode()),
        ("bomb.json", gzip.compress(json.dumps(records).encode())),  # under the bound compressed, over it read
    ):
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(spark.EngineError) as caught:
            connection._as_lines(str(path), inside_array=True)
        assert str(caught.value) == (
            f"{path}: a JSON file that is not JSON lines is split on the driver, and this one is larger than 0 MB "
            "read whole: deliver it as JSON lines (one record a line), or in smaller files"
        )
