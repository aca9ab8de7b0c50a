"""Platform presets: each platform's export, read as delivered, gives the KPIs a hand computation of
the same contacts gives -- transfer legs, re-deliveries, IVR-only contacts, abandons short and long,
a contact across a month end in the source's zone -- and files of the wrong shape are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from govdocs.cli import cli
from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    CXONE_HEADER,
    MEASURES,
    PARTNERS,
    ZONE,
    close,
    connect_records,
    cxone_rows,
    expected_kpis,
    genesys_page,
    genesys_queues,
    scenarios,
    write_csv,
    write_jsonl,
)


def _raw(source: dict) -> RawData:
    return RawData.model_validate(
        {"sources": {"interactions": {"timezone": ZONE, "partner_values": PARTNERS, **source}}, "kpis": MEASURES}
    )


def _table(aggregation) -> dict[tuple[str, str, str], float]:
    return {(r.partner, r.period, r.kpi): r.value for r in aggregation.kpis.itertuples()}


def _assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    wrong = {k: (got[k], want[k]) for k in want if not close(got[k], want[k])}
    assert not wrong


def test_connect_contact_records_give_the_hand_computed_kpis(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "ctr" / "2026-07.jsonl", connect_records(scenarios()))
    aggregation = engine.aggregate(
        _raw({"files": "ctr/*.jsonl", "format": "amazon-connect"}), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    want = expected_kpis(scenarios(), PARTNERS, ZONE)
    _assert_same(_table(aggregation), want)
    # pinned by hand as well: ATL in July has k01 (12 s), k02 (25 s, transferred), k03 (abandoned
    # after 45 s) and k06 (8 s); k04 gave up after 3 s (not offered); k09 is August in Lisbon
    got = _table(aggregation)
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)  # k01, k06 of 4 offered
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    assert got[("ATL", "2026-07", "aht")] == pytest.approx((290 + 130 + 335 + 215) / 3)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    assert got[("ATL", "2026-08", "asa")] == pytest.approx((5 + 15) / 2)
    (source,) = aggregation.quality.sources
    # 12 contacts in 14 records: k02's transfer leg and k07's earlier copy
    assert (source.records, source.merged, source.read) == (14, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_connect_arrays_and_firehose_concatenation_read_alike(tmp_path: Path) -> None:
    records = connect_records(scenarios())
    (tmp_path / "array.json").write_text(json.dumps(records), encoding="utf-8")
    (tmp_path / "firehose").write_text("".join(json.dumps(r) for r in records), encoding="utf-8")
    want = expected_kpis(scenarios(), PARTNERS, ZONE)
    for name in ("array.json", "firehose"):
        aggregation = engine.aggregate(
            _raw({"files": name, "format": "amazon-connect"}), base=tmp_path, partner_ids=["ATL", "BRV"]
        )
        _assert_same(_table(aggregation), want)


def test_connect_partner_from_another_path(tmp_path: Path) -> None:
    records = connect_records(scenarios())
    for r in records:
        if r["Agent"]:
            r["Agent"]["HierarchyGroups"] = {"Level1": {"GroupName": "ATL"}}
    write_jsonl(tmp_path / "ctr.jsonl", records)
    raw = _raw(
        {
            "files": "ctr.jsonl",
            "format": "amazon-connect",
            "columns": {"partner": "Agent.HierarchyGroups.Level1.GroupName"},
        }
    )
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    # every answered contact is ATL's now; abandoned ones have no agent, hence no partner: rejected
    assert set(aggregation.kpis["partner"]) == {"ATL"}
    assert aggregation.quality.by_reason() == {"missing_field": 3}


def test_genesys_conversations_give_the_hand_computed_kpis(tmp_path: Path) -> None:
    (tmp_path / "details.json").write_text(json.dumps(genesys_page(scenarios()), indent=2), encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    raw = _raw({"files": "details.json", "format": "genesys-cloud", "queues": "queues.json"})
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))
    (source,) = aggregation.quality.sources
    assert (source.read, source.accepted, source.rejected, source.not_queued) == (12, 11, 0, 1)


def test_genesys_without_the_queues_export_names_the_queue_ids(tmp_path: Path) -> None:
    (tmp_path / "details.json").write_text(json.dumps(genesys_page(scenarios())), encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw({"files": "details.json", "format": "genesys-cloud"}), base=tmp_path, partner_ids=["ATL"])
    (problem,) = caught.value.problems
    assert (
        "every one of the 11 interactions contacts was rejected, 11 for 'partner not in the config'" in problem.message
    )
    assert "partner 'a623d83c-96d7-4baa-af1f-d46ad6700d8b' is not a partner id in the config" in problem.message


def test_a_json_file_given_as_csv_is_named_in_one_line(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "ctr-07.csv", connect_records(scenarios()))
    columns = {f: f for f in ("contact_id", "partner", "arrived_at", "answered_at", "ended_at")}
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw({"files": "ctr-07.csv", "columns": columns}), base=tmp_path, partner_ids=None)
    (problem,) = caught.value.problems
    assert problem.message == (
        "ctr-07.csv looks like JSON lines; set format: amazon-connect, format: genesys-cloud, format: nice-cxone, "
        "format: salesforce-voice, format: zendesk-talk, format: five9, format: talkdesk, format: twilio-flex or "
        "format: json"
    )


def test_another_export_under_a_preset_is_named(tmp_path: Path) -> None:
    (tmp_path / "details.json").write_text(json.dumps(genesys_page(scenarios())), encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw({"files": "details.json", "format": "amazon-connect"}), base=tmp_path, partner_ids=None)
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "details.json does not look like Amazon Connect contact records: its records have no 'ContactId'"
    )


def _flat(records: list[dict]) -> list[dict]:
    """Connect records flattened the way a user's own JSON export might hold them, times in epoch ms."""
    from datetime import datetime

    def ms(text: str | None) -> int | None:
        return None if text is None else int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)

    out = []
    for r in records:
        if not r["Queue"] or r["InitialContactId"]:
            continue
        agent = r["Agent"] or {}
        out.append(
            {
                "id": r["ContactId"],
                "queue": {"name": r["Queue"]["Name"], "entered": ms(r["Queue"]["EnqueueTimestamp"])},
                "answered": ms(agent.get("ConnectedToAgentTimestamp")),
                "ended": ms(r["Queue"]["DequeueTimestamp"] if not agent else r["DisconnectTimestamp"]),
                "talk": agent.get("AgentInteractionDuration"),
            }
        )
    return out


def test_generic_json_with_dotted_paths_and_epoch_milliseconds(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "calls.jsonl", _flat(connect_records(scenarios())))
    columns = {
        "contact_id": "id",
        "partner": "queue.name",
        "arrived_at": "queue.entered",
        "answered_at": "answered",
        "ended_at": "ended",
        "talk_seconds": "talk",
    }
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": "calls.jsonl",
                    "timezone": ZONE,
                    "timestamp_format": "epoch_milliseconds",
                    "partner_values": PARTNERS,
                    "columns": columns,
                }
            },
            "kpis": [MEASURES[2]],
        }
    )
    got = _table(engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]))
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)  # the first records only
    assert got[("ATL", "2026-08", "asa")] == pytest.approx((5 + 15) / 2)


def test_every_row_rejected_fails_with_exit_4(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "calls.jsonl", _flat(connect_records(scenarios())))
    mapping = {
        "raw_data": {
            "sources": {
                "interactions": {
                    "files": "calls.jsonl",
                    "timezone": ZONE,
                    "partner_values": PARTNERS,
                    "columns": {
                        "contact_id": "id",
                        "partner": "queue.name",
                        "arrived_at": "queue.entered",
                        "answered_at": "answered",
                        "ended_at": "ended",
                    },
                }
            },
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    }
    (tmp_path / "mapping.yaml").write_text(json.dumps(mapping), encoding="utf-8")
    config = Path(__file__).resolve().parent.parent / "examples" / "governance.yaml"
    result = CliRunner().invoke(
        cli,
        [
            "aggregate",
            "--config",
            str(config),
            "--raw",
            str(tmp_path / "mapping.yaml"),
            "--out",
            str(tmp_path / "k.csv"),
        ],
    )
    assert result.exit_code == 4
    assert not (tmp_path / "k.csv").exists()
    (line,) = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert "every one of the 12 interactions rows was rejected, 12 for 'unreadable timestamp'" in line
    assert "it looks like epoch milliseconds: set timestamp_format: epoch_milliseconds" in line


def test_the_example_connect_export_gives_the_hand_computed_kpis() -> None:
    """examples/raw/connect/ as make demo reads it: the KPIs equal a hand computation of the contacts
    the generator wrote, and the files are the generator's bytes."""
    import gzip
    import importlib.util
    import random

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_connect_example", root / "scripts" / "make_connect_example.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rng = random.Random(20260930)
    contacts = []
    for month in (7, 8, 9):
        made = script.contacts_of(month, rng)
        text = "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in connect_records(made)).encode()
        assert (
            gzip.decompress((root / "examples" / "raw" / "connect" / f"ctr-2026-{month:02d}.jsonl.gz").read_bytes())
            == text
        )
        contacts += made
    from govdocs.raw.checks import load_raw_data

    raw = load_raw_data(root / "examples" / "raw" / "connect" / "mapping.yaml")
    got = _table(engine.aggregate(raw, base=root / "examples" / "raw" / "connect", partner_ids=["ATL", "BRV"]))
    want = expected_kpis(contacts, PARTNERS, ZONE)
    want = {
        (p, m, "fcr" if k == "repeat_rate" else k): 100.0 - v if k == "repeat_rate" else v
        for (p, m, k), v in want.items()
        if k != "transfer_rate"
    }
    _assert_same(got, want)


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        (
            "    interactions:\n      files: a.csv\n      timezone: UTC\n      columns: {contact_id: id, partner: p}\n",
            8,
            "columns needs arrived_at, answered_at, ended_at (the export's columns for them), unless format names "
            "a platform's export (amazon-connect, genesys-cloud, nice-cxone, salesforce-voice, zendesk-talk, five9, "
            "talkdesk, twilio-flex)",
        ),
        (
            "    interactions:\n      files: a.jsonl\n      format: amazon-connect\n      timezone: UTC\n"
            "      columns:\n        contact_id: Id\n",
            10,
            "format: amazon-connect reads contact_id from the platform's own model; remove them from columns",
        ),
        (
            "    interactions:\n      files: a.jsonl\n      format: amazon-connect\n      timezone: UTC\n"
            "      timestamp_format: '%s'\n",
            9,
            "format: amazon-connect reads the platform's own timestamps; remove timestamp_format",
        ),
        (
            "    qa:\n      files: a.jsonl\n      format: genesys-cloud\n      timezone: UTC\n"
            "      columns: {partner: p, evaluated_at: t, score: s}\n",
            7,
            "format: genesys-cloud is a platform's contact export: it can be read for interactions only",
        ),
    ],
)
def test_platform_config_mistakes_are_named_with_their_line(
    tmp_path: Path, source: str, line: int, message: str
) -> None:
    from govdocs.raw.checks import load_raw_data

    kpi = "qa_score" if "qa:" in source else "asa"
    path = tmp_path / "mapping.yaml"
    path.write_text(f"raw_data:\n  kpis:\n    - {{kpi: x, measure: {kpi}}}\n  sources:\n{source}", encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        load_raw_data(path)
    assert [(p.location.line, p.message) for p in caught.value.problems] == [(line, message)]


def test_cxone_call_detail_download_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    rows = cxone_rows(scenarios(), ZONE)
    write_csv(tmp_path / "cxone" / "call-detail-1.csv", CXONE_HEADER, rows)
    # an overlapping second download repeats k07's row: the same Contact_ID, kept once
    again = [r for r in rows if r[3] == "+351210000007"]
    write_csv(tmp_path / "cxone" / "call-detail-2.csv", [h.lower() for h in CXONE_HEADER], again)
    raw = _raw({"files": "cxone/*.csv", "format": "nice-cxone"})
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))
    (source,) = aggregation.quality.sources
    assert (source.records, source.merged, source.read) == (14, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_cxone_without_its_columns_is_named(tmp_path: Path) -> None:
    header = [h for h in CXONE_HEADER if h != "InQueue"]
    rows = [[v for h, v in zip(CXONE_HEADER, r, strict=True) if h != "InQueue"] for r in cxone_rows(scenarios(), ZONE)]
    write_csv(tmp_path / "cd.csv", header, rows)
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw({"files": "cd.csv", "format": "nice-cxone"}), base=tmp_path, partner_ids=None)
    (problem,) = caught.value.problems
    assert problem.message.startswith("cd.csv lacks the column InQueue that format: nice-cxone reads (it has: ")


def _write_each(tmp_path: Path) -> dict[str, dict]:
    """The scenarios in each platform's export; the source section that reads each."""
    write_jsonl(tmp_path / "ctr.jsonl", connect_records(scenarios()))
    (tmp_path / "details.json").write_text(json.dumps(genesys_page(scenarios())), encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    write_csv(tmp_path / "cd.csv", CXONE_HEADER, cxone_rows(scenarios(), ZONE))
    return {
        "amazon-connect": {"files": "ctr.jsonl", "format": "amazon-connect"},
        "genesys-cloud": {"files": "details.json", "format": "genesys-cloud", "queues": "queues.json"},
        "nice-cxone": {"files": "cd.csv", "format": "nice-cxone"},
    }


def test_handle_time_per_leg_on_request(tmp_path: Path) -> None:
    for name, source in _write_each(tmp_path).items():
        raw = RawData.model_validate(
            {
                "sources": {"interactions": {"timezone": ZONE, "partner_values": PARTNERS, **source}},
                "kpis": [{"kpi": "aht", "measure": "aht"}, {"kpi": "aht_leg", "measure": "aht", "per": "leg"}],
            }
        )
        rows = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis.set_index(
            ["partner", "period", "kpi"]
        )
        # ATL, July: k01 290 s, k02 130 s + 335 s on two legs (the second at BRV's queue), k06 215 s
        assert rows.loc[("ATL", "2026-07", "aht"), "value"] == pytest.approx(970 / 3), name
        assert rows.loc[("ATL", "2026-07", "aht_leg"), ["value", "volume"]].tolist() == pytest.approx([970 / 4, 4]), (
            name
        )


def test_partner_from_a_lookup_file(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "ctr.jsonl", connect_records(scenarios()))
    (tmp_path / "agents.csv").write_text("Username,Partner\nagent-atl,ATL\nagent-bra,BRV\n", encoding="utf-8")
    source = {"files": "ctr.jsonl", "format": "amazon-connect", "columns": {"partner": "Agent.Username"}}
    raw = RawData.model_validate(
        {
            "sources": {"interactions": {"timezone": ZONE, "partner_lookup": "agents.csv", **source}},
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    got = _table(engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]))
    # k02 is answered first by ATL's agent; abandoned contacts have no agent: rejected, not guessed
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    assert got[("BRV", "2026-07", "asa")] == pytest.approx((19 + 75) / 2)
    (tmp_path / "agents.csv").write_text("Username,Partner\nagent-atl,ATL\nagent-bra,XYZ\n", encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    assert [str(p) for p in caught.value.problems] == [
        f"{tmp_path / 'agents.csv'}:3: 'XYZ' (for 'agent-bra') is not a partner id in the config [raw.bad_lookup]"
    ]


def test_each_preset_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    """`aggregate --sql` for a platform's export: the printed statement, run on its own, gives the
    table the engine gives (the file reads are its only DuckDB-specific part)."""
    for name, source in _write_each(tmp_path).items():
        raw = _raw(source)
        text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
        assert "FILE READ (interactions)" in text, name
        rows = engine.run_sql(text)
        alone = rows[rows["segment"].isna()].reset_index(drop=True)
        made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
        assert alone[list(made.columns)].equals(made), name


def test_a_large_single_line_genesys_page_reads_within_the_memory_limit(tmp_path: Path) -> None:
    """A details response of 3 MB on one line (the trial that failed with DuckDB's 'Out of Memory
    Error'): read whole, at the default memory_limit."""
    from dataclasses import replace
    from datetime import timedelta

    many = [
        replace(c, id=f"{c.id}-{n:04d}", customer=f"{c.customer}{n:04d}", arrived=c.arrived + timedelta(minutes=n))
        for n in range(160)
        for c in scenarios()
    ]
    text = json.dumps(genesys_page(many), separators=(",", ":"))
    assert len(text) > 2_600_000 and "\n" not in text
    (tmp_path / "page.json").write_text(text, encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    raw = _raw({"files": "page.json", "format": "genesys-cloud", "queues": "queues.json"})
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    (source,) = aggregation.quality.sources
    assert (source.read, source.not_queued) == (1920, 160)
    _assert_same(_table(aggregation), expected_kpis(many, PARTNERS, ZONE))


def test_connect_records_in_parquet_and_nested_parquet_columns(tmp_path: Path) -> None:
    """Firehose can convert the records to Parquet: the same KPIs; and a mapped Parquet file's
    struct fields are read by their dotted path (the trial's "no column 'Agent.ConnectedTo...'")."""
    import duckdb

    write_jsonl(tmp_path / "ctr.jsonl", connect_records(scenarios()))
    duckdb.sql(
        f"COPY (SELECT * FROM read_json('{tmp_path / 'ctr.jsonl'}', format = 'newline_delimited')) "
        f"TO '{tmp_path / 'ctr.parquet'}' (FORMAT parquet)"
    )
    want = expected_kpis(scenarios(), PARTNERS, ZONE)
    aggregation = engine.aggregate(
        _raw({"files": "ctr.parquet", "format": "amazon-connect"}), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    _assert_same(_table(aggregation), want)
    columns = {
        "contact_id": "ContactId",
        "partner": "Queue.Name",
        "arrived_at": "Queue.EnqueueTimestamp",
        "answered_at": "Agent.ConnectedToAgentTimestamp",
        "ended_at": "Queue.DequeueTimestamp",
        "talk_seconds": "Agent.AgentInteractionDuration",
    }
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": "ctr.parquet",
                    "timezone": ZONE,
                    "partner_values": PARTNERS,
                    "columns": columns,
                }
            },
            "kpis": [{"kpi": "asa", "measure": "asa"}],
        }
    )
    got = _table(engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]))
    # one row per record here (no legs): the IVR-only record has no queue and is rejected
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
