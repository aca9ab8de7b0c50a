"""Every platform preset on Spark from the definitions DuckDB runs: for each preset, its test
records in the shapes the platform delivers them (JSON lines, a JSON array, an API response's
envelope pretty-printed, records concatenated as Firehose writes them, CSV) beside the public
sample of tests/platform_samples/, read by both engines in one Spark session; the KPI tables are
the same, cell for cell, and so are the data-quality counts and the rejected records' samples.
Among the records: contact attributes (Connect) and participant attributes (Genesys) whose keys
differ only in case, nested structs and arrays (Connect's Queue and Agent, Genesys'
participants, sessions, segments and metrics), a value no timestamp reading accepts. The
drill-down rows (where a gap is) are the same too, the platforms' agent and team fields among them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    CXONE_HEADER,
    FIVE9_HEADER,
    MEASURES,
    PARTNERS,
    ZENDESK_PARTNERS,
    ZONE,
    assert_same,
    connect_records,
    cxone_rows,
    five9_rows,
    genesys_conversation,
    genesys_queues,
    kpi_table,
    salesforce_csv,
    salesforce_page,
    salesforce_records,
    scenarios,
    talkdesk_entries,
    talkdesk_report,
    twilio_events,
    twilio_list,
    write_csv,
    write_jsonl,
    zendesk_calls,
    zendesk_page,
)

pytest.importorskip("pyspark")

SAMPLES = Path(__file__).resolve().parent / "platform_samples"
# the public samples' queues and skills, beside the scenario records' own
SAMPLE_PARTNERS = {
    "TCC Refrig AC LLA": "TCC",  # Connect
    "95c9d5f7-ad80-4572-857a-64d241cf4851": "JAT",  # Genesys' 'JATest Queue', by id
    "Main": "MAIN",  # CXone
}
IDS = ["ATL", "BRV", "TCC", "JAT", "MAIN"]


def _sample(folder: Path, name: str) -> None:
    shutil.copyfile(SAMPLES / name, folder / name)


def _dump(path: Path, value: object, indent: int | None = None) -> None:
    path.write_text(json.dumps(value, indent=indent), encoding="utf-8")


def _connect(folder: Path) -> str:
    records = connect_records(scenarios())
    records[0]["Attributes"] = {"GreetingPlayed": "true", "greetingPlayed": "false"}
    records[3]["Queue"]["EnqueueTimestamp"] = "soon"  # rejected, its text among the samples
    write_jsonl(folder / "ctr-lines.jsonl", records[:5])
    _dump(folder / "ctr-array.json", records[5:9])
    (folder / "ctr-firehose").write_text("".join(json.dumps(r) for r in records[9:]), encoding="utf-8")
    _sample(folder, "connect-ctr-redelivered.jsonl")
    return "*ctr*"


def _roster(folder: Path) -> None:
    """The agents the Genesys and CXone records name (userId; Agent_No), for the drill-down's tenure and team."""
    rows = [
        ["user-atl", "Atlas Lisbon", "2026-06-15", "Lisbon 1"],
        ["user-bra", "Bravo Manila", "2020-01-01", ""],
        ["1001", "Atlas Lisbon", "2025-12-01", ""],
    ]
    write_csv(folder / "roster.csv", ["Agent", "Vendor", "Hired", "Team"], rows)


def _genesys(folder: Path) -> str:
    _roster(folder)
    conversations = [genesys_conversation(c) for c in scenarios()]
    conversations[0]["participants"][0]["attributes"] = {"Queue": "a", "queue": "b"}
    _dump(folder / "details-page.json", {"conversations": conversations[:8], "totalHits": 8}, indent=2)
    write_jsonl(folder / "details-lines.json", conversations[8:])
    _dump(folder / "queues.json", genesys_queues(list(PARTNERS)))
    _sample(folder, "genesys-details-2016.json")
    return "*details*.json"


def _cxone(folder: Path) -> str:
    _roster(folder)
    write_csv(folder / "cx-download.csv", CXONE_HEADER, cxone_rows(scenarios(), ZONE))
    _sample(folder, "cxone-completed-contacts.json")  # the Reporting API's envelope, in the same source
    return "cx*"


def _salesforce(folder: Path) -> str:
    records = salesforce_records(scenarios())
    _dump(folder / "voicecalls-page.json", salesforce_page(records[:8]), indent=2)
    salesforce_csv(folder / "voicecalls-bulk.csv", records[8:])
    return "voicecalls-*"


def _zendesk(folder: Path) -> str:
    calls = zendesk_calls(scenarios())
    _dump(folder / "calls-page.json", zendesk_page(calls), indent=2)
    _sample(folder, "zendesk-talk-calls.jsonl")
    return "*calls*"


def _five9(folder: Path) -> str:
    write_csv(folder / "call-log.csv", FIVE9_HEADER, five9_rows(scenarios(), ZONE))
    _sample(folder, "five9-call-log.csv")
    return "*call-log.csv"


def _talkdesk(folder: Path) -> str:
    _dump(folder / "calls-report.json", talkdesk_report(talkdesk_entries(scenarios())), indent=2)
    _sample(folder, "talkdesk-calls-report.json")
    return "*calls-report.json"


def _twilio(folder: Path) -> str:
    _dump(folder / "events-list.json", twilio_list(twilio_events(scenarios())), indent=2)
    _sample(folder, "twilio-taskrouter-events.json")
    return "*events*.json"


WRITERS: dict[str, Callable[[Path], str]] = {
    "amazon-connect": _connect,
    "genesys-cloud": _genesys,
    "nice-cxone": _cxone,
    "salesforce-voice": _salesforce,
    "zendesk-talk": _zendesk,
    "five9": _five9,
    "talkdesk": _talkdesk,
    "twilio-flex": _twilio,
}


def _raw(fmt: str, files: str) -> RawData:
    partners = ZENDESK_PARTNERS if fmt == "zendesk-talk" else PARTNERS
    source = {"files": files, "format": fmt, "timezone": ZONE, "partner_values": {**partners, **SAMPLE_PARTNERS}}
    if fmt == "genesys-cloud":
        source["queues"] = "queues.json"
    # Zendesk's calls record no transfers: no transfer rate from them
    kpis = [m for m in MEASURES if fmt != "zendesk-talk" or m["kpi"] != "transfer_rate"]
    sources: dict = {"interactions": source}
    if fmt in ("genesys-cloud", "nice-cxone"):  # their agent joins the roster: team and tenure
        sources["roster"] = {
            "files": "roster.csv",
            "partner_values": PARTNERS,
            "columns": {"agent_id": "Agent", "partner": "Vendor", "hired_on": "Hired", "team": "Team"},
        }
    return RawData.model_validate({"sources": sources, "kpis": kpis})


def test_every_preset_gives_the_same_kpis_counts_and_samples_on_spark(tmp_path: Path) -> None:
    tables: dict[str, dict] = {}
    samples: dict[str, list] = {}
    for fmt, write in WRITERS.items():
        folder = tmp_path / fmt
        folder.mkdir()
        raw = _raw(fmt, write(folder))
        duck = engine.aggregate(raw, base=folder, partner_ids=IDS)
        spark = engine.aggregate(raw, base=folder, partner_ids=IDS, engine="spark", spark_master="local[2]")
        tables[fmt] = kpi_table(duck)
        assert_same(kpi_table(spark), tables[fmt])
        assert spark.quality == duck.quality, fmt
        # the drill-down rows too (where a gap is): Genesys' answering agent, CXone's agent and team
        pd.testing.assert_frame_equal(duck.drill, spark.drill, check_exact=True, obj=fmt)
        if fmt in ("genesys-cloud", "nice-cxone"):
            assert {"team", "tenure"} <= set(duck.drill["dimension"]), fmt
        samples[fmt] = [(Path(s.file).name, s.record, s.reason, s.value) for s in spark.quality.samples]
        # every file written was read (the public sample beside the scenario's records), and the
        # table is not empty: both partners' two months, every KPI
        source = next(s for s in duck.quality.sources if s.source == "interactions")
        written = [p for p in folder.iterdir() if p.name not in ("queues.json", "roster.csv")]
        assert len(source.files) == len(written), fmt
        assert len(duck.kpis) >= 20, fmt
    # the public samples' contacts among them: Connect's redelivered contact and Genesys' two
    # inbound calls of 'JATest Queue' (by hand: test_platform_samples.py)
    assert tables["amazon-connect"][("TCC", "2022-01", "asa")] == 346
    assert ("JAT", "2016-09", "aht") in tables["genesys-cloud"]
    # the Connect record whose EnqueueTimestamp is 'soon', named by both engines (compared above)
    assert [(f, r, v) for f, r, _, v in samples["amazon-connect"]] == [("ctr-lines.jsonl", 4, "soon")]
