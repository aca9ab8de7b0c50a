"""Salesforce Service Cloud Voice (`format: salesforce-voice`): VoiceCall records as a SOQL query
returns them give the KPIs a hand computation of the same calls gives -- a transfer's two
records one contact, a copy queried mid-call replaced by the later one, calls never accepted
abandoned when they ended, an IVR-only call not queued -- and what the object cannot tell (after
call work) is left out of handle time, not guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from govdocs.errors import GovdocsError
from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    MEASURES,
    PARTNERS,
    ZONE,
    expected_kpis,
    salesforce_csv,
    salesforce_page,
    salesforce_records,
    scenarios,
    write_jsonl,
)
from tests.platform_records import (
    assert_same as _assert_same,
)
from tests.platform_records import (
    kpi_table as _table,
)


def _raw(files: str) -> RawData:
    source = {"files": files, "format": "salesforce-voice", "timezone": ZONE, "partner_values": PARTNERS}
    return RawData.model_validate({"sources": {"interactions": source}, "kpis": MEASURES})


def _write_page(tmp_path: Path, records: list[dict]) -> str:
    (tmp_path / "voicecalls.json").write_text(json.dumps(salesforce_page(records), indent=2), encoding="utf-8")
    return "voicecalls.json"


def test_voicecall_query_response_gives_the_hand_computed_kpis(tmp_path: Path) -> None:
    aggregation = engine.aggregate(
        _raw(_write_page(tmp_path, salesforce_records(scenarios()))), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    got = _table(aggregation)
    _assert_same(got, expected_kpis(scenarios(), PARTNERS, ZONE, acw=False))
    # by hand: ATL in July has k01 (12 s to accept), k02 (25 s, transferred to BRV's queue), k03
    # (never accepted, ended after 45 s) and k06 (8 s); k04 ended after 3 s (a short abandon, not
    # offered); handle time is talk + hold, the VoiceCall object having no after-call work
    assert got[("ATL", "2026-07", "service_level")] == pytest.approx(50.0)
    assert got[("ATL", "2026-07", "abandonment")] == pytest.approx(25.0)
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)
    assert got[("ATL", "2026-07", "aht")] == pytest.approx(((240 + 20) + (120 + 300 + 15) + 200) / 3)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    (source,) = aggregation.quality.sources
    # 12 contacts in 14 records: k02's Transfer call and k07's copy queried mid-call
    assert (source.records, source.merged, source.read) == (14, 1, 12)
    assert (source.accepted, source.rejected, source.not_queued) == (11, 0, 1)


def test_voicecall_records_as_json_lines_read_alike(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "voicecalls.jsonl", salesforce_records(scenarios()))
    aggregation = engine.aggregate(_raw("voicecalls.jsonl"), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE, acw=False))


def test_bulk_api_csv_results_read_alike(tmp_path: Path) -> None:
    """Bulk API 2.0 query results (and Data Loader exports) are CSV: a column per field queried,
    an empty cell for null; a field's spelling in the header follows the query (CallType, calltype)."""
    records = salesforce_records(scenarios())
    salesforce_csv(tmp_path / "voicecalls.csv", records)
    aggregation = engine.aggregate(_raw("voicecalls.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE, acw=False))
    lowered = [{k.lower(): v for k, v in r.items()} for r in records]
    lowered[0]["customerholdduration"] = "twenty"  # k01, on the file's second line
    salesforce_csv(tmp_path / "voicecalls.csv", lowered)
    aggregation = engine.aggregate(_raw("voicecalls.csv"), base=tmp_path, partner_ids=["ATL", "BRV"])
    (sample,) = aggregation.quality.samples
    assert (sample.line, sample.record, sample.reason) == (2, None, "not_a_number")
    _assert_same(_table(aggregation), expected_kpis(scenarios()[1:], PARTNERS, ZONE, acw=False))


def test_a_transfer_chain_of_three_calls_is_one_contact(tmp_path: Path) -> None:
    """k02 handed on twice: three records linked by PreviousCallId, in the file in reverse order."""
    records = salesforce_records(scenarios())
    k02 = [r for r in records if r["Id"].startswith("0LQk02")]
    first, second = k02
    third = {
        **second,
        "Id": "0LQk02000000000002",
        "CallType": "Transfer",
        "PreviousCallId": second["Id"],
        "NextCallId": None,
        "QueueName": "Atlas Lisbon",
        "CallQueuedDateTime": second["CallEndDateTime"],
        "CallAcceptDateTime": second["CallEndDateTime"],
        "CallEndDateTime": second["CallEndDateTime"].replace("09:", "10:", 1),  # 3,600 s of talk more
        "CustomerHoldDuration": 0,
    }
    second = {**second, "NextCallId": third["Id"]}
    rest = [r for r in records if not r["Id"].startswith("0LQk02")]
    aggregation = engine.aggregate(
        _raw(_write_page(tmp_path, [third, second, first, *rest])), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    got = _table(aggregation)
    assert got[("ATL", "2026-07", "asa")] == pytest.approx((12 + 25 + 8) / 3)  # the first accept only
    assert got[("ATL", "2026-07", "aht")] == pytest.approx((260 + 435 + 3600 + 200) / 3)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)
    assert aggregation.quality.sources[0].read == 12


def test_a_next_call_not_in_the_files_is_still_a_transfer(tmp_path: Path) -> None:
    records = [r for r in salesforce_records(scenarios()) if r["CallType"] != "Transfer"]
    aggregation = engine.aggregate(_raw(_write_page(tmp_path, records)), base=tmp_path, partner_ids=["ATL", "BRV"])
    got = _table(aggregation)
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100 / 3)  # k02's first call names it
    assert got[("ATL", "2026-07", "aht")] == pytest.approx((260 + 120 + 200) / 3)


def test_consult_calls_and_calls_in_progress_are_set_apart(tmp_path: Path) -> None:
    """A Consult call (agent to agent) is no customer's contact, even through a queue; a call
    without an end is in progress, not a short call (and one with an end is over, whatever its
    CallDisposition says)."""
    records = salesforce_records(scenarios())
    consult = {
        **records[0],
        "Id": "0LQconsult000000001",
        "CallType": "Consult",
        "FromPhoneNumber": None,
        "PreviousCallId": None,
        "NextCallId": None,
    }
    live = {**records[0], "Id": "0LQlive0000000000001", "CallDisposition": "in-progress", "CallEndDateTime": None}
    # a call with its end is over whatever its disposition still says
    records[0] = {**records[0], "CallDisposition": "in-progress"}
    aggregation = engine.aggregate(
        _raw(_write_page(tmp_path, [*records, consult, live])), base=tmp_path, partner_ids=["ATL", "BRV"]
    )
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE, acw=False))
    (source,) = aggregation.quality.sources
    assert (source.read, source.not_queued) == (14, 2)
    assert aggregation.quality.by_reason() == {"in_progress": 1}


def test_another_export_under_salesforce_voice_is_named(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "ctr.jsonl", [{"ContactId": "c1", "Channel": "VOICE"}])
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw("ctr.jsonl"), base=tmp_path, partner_ids=None)
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        "ctr.jsonl does not look like Salesforce Service Cloud Voice VoiceCall records: "
        "its records have no 'CallType' (they have: "
    )


def test_salesforce_as_one_sql_statement_gives_the_same_table(tmp_path: Path) -> None:
    raw = _raw(_write_page(tmp_path, salesforce_records(scenarios())))
    text = engine.aggregation_sql(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    rows = engine.run_sql(text)
    alone = rows[rows["segment"].isna()].reset_index(drop=True)
    made = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).kpis
    assert alone[list(made.columns)].equals(made)


def test_an_unreadable_value_rejects_its_contact_with_the_text(tmp_path: Path) -> None:
    """Talk is computed from two timestamps and the hold: a value that cannot be read rejects the
    contact naming that value, never a talk time made without it."""
    records = salesforce_records(scenarios())
    records[0]["CallAcceptDateTime"] = "01/07/2026 08:00"  # k01
    records[2]["CustomerHoldDuration"] = "abc"  # k02's Transfer call
    aggregation = engine.aggregate(_raw(_write_page(tmp_path, records)), base=tmp_path, partner_ids=["ATL", "BRV"])
    assert aggregation.quality.by_reason() == {"not_a_number": 1, "unparseable_timestamp": 1}
    assert sorted(s.message for s in aggregation.quality.samples) == [
        "contact '0LQk01000000000000' (record 1 of the file) rejected: '01/07/2026 08:00' is not a timestamp "
        "(the platform writes ISO 8601)",
        "contact '0LQk02000000000000' (record 2 of the file) rejected: 'abc' is not a number",
    ]


@pytest.mark.parametrize("wrapped", [True, False])
def test_a_query_without_a_field_the_preset_needs_is_named(tmp_path: Path, wrapped: bool) -> None:
    """A SOQL query returns only the fields it selected: without CallAcceptDateTime every call would
    read as never answered, so the file is named with the field to add, not read."""
    records = [{k: v for k, v in r.items() if k != "CallAcceptDateTime"} for r in salesforce_records(scenarios())]
    name = _write_page(tmp_path, records) if wrapped else write_jsonl(tmp_path / "vc.jsonl", records).name
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw(name), base=tmp_path, partner_ids=["ATL", "BRV"])
    (problem,) = caught.value.problems
    assert problem.message.startswith(
        f"{name} lacks the field CallAcceptDateTime that format: salesforce-voice reads: add it to the query's "
        "SELECT (its records have: attributes, Id, FromPhoneNumber, "
    )
