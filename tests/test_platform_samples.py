"""Platform records as the platforms deliver them: public samples nobody on the project wrote
(tests/platform_samples/, their origins in SOURCES there), and the scenario records changed the
way those samples differ from the documentation -- contact attributes whose keys differ only in
case, transfers out of Amazon Connect, Genesys conversations without conversationEnd or still in
progress, outbound-campaign previews, an agent who was alerted and never answered, the CXone
Reporting API's envelope -- each read as delivered, with the KPIs a hand computation gives."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import datetime, timedelta
from pathlib import Path

import pytest

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

SAMPLES = Path(__file__).resolve().parent / "platform_samples"


def _raw(source: dict, partners: dict[str, str] | None = None, zone: str = ZONE) -> RawData:
    section = {"timezone": zone, "partner_values": PARTNERS if partners is None else partners, **source}
    return RawData.model_validate({"sources": {"interactions": section}, "kpis": MEASURES})


def _table(aggregation) -> dict[tuple[str, str, str], float]:
    return {(r.partner, r.period, r.kpi): r.value for r in aggregation.kpis.itertuples()}


def _shifted(stamp: str, seconds: float) -> str:
    """A Genesys timestamp (yyyy-MM-ddTHH:mm:ss.SSSZ) moved by `seconds`."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    wrong = {k: (got[k], want[k]) for k in want if not close(got[k], want[k])}
    assert not wrong


# --- Amazon Connect -------------------------------------------------------------------------------


def test_connect_sample_redelivered_with_case_variant_attributes_and_a_transfer_out() -> None:
    """Three deliveries of one real contact, the last with contact attributes GreetingPlayed and
    greetingPlayed (the file was unreadable: 'Duplicate name ... in struct auto-detected'); the
    agent transferred the customer to an outside number (TransferCompletedTimestamp,
    TransferredToEndpoint), which is a transfer."""
    raw = _raw({"files": "connect-ctr-redelivered.jsonl", "format": "amazon-connect"}, {"TCC Refrig AC LLA": "TCC"})
    aggregation = engine.aggregate(raw, base=SAMPLES, partner_ids=["TCC"])
    (source,) = aggregation.quality.sources
    assert (source.records, source.merged, source.read, source.accepted) == (3, 2, 1, 1)
    got = _table(aggregation)
    # by hand: enqueued 17:14:46, connected to the agent 17:20:32 (346 s, the record's own
    # Queue.Duration); handle = AgentInteractionDuration 239 + CustomerHoldDuration 221 + ACW 5
    assert got[("TCC", "2022-01", "asa")] == 346
    assert got[("TCC", "2022-01", "aht")] == 239 + 221 + 5
    assert got[("TCC", "2022-01", "service_level")] == 0
    assert got[("TCC", "2022-01", "transfer_rate")] == 100


def test_connect_next_contact_not_in_the_files_is_a_transfer(tmp_path: Path) -> None:
    """A leg whose NextContactId names a leg that was not delivered handed the customer on: a
    transfer. A chain whose next leg is in the files (k02) is counted once, as before."""
    records = connect_records(scenarios())
    k01 = next(r for r in records if r["ContactId"] == "k01")
    k01["NextContactId"] = "5b1f0c3e-0000-4000-8000-00000000dead"  # its leg is in another export
    for r in records:  # an outside transfer on k06, as the sample's record has it
        if r["ContactId"] == "k06":
            r["TransferCompletedTimestamp"] = r["DisconnectTimestamp"]
            r["TransferredToEndpoint"] = {"Address": "+18002430000", "Type": "TELEPHONE_NUMBER"}
    write_jsonl(tmp_path / "ctr.jsonl", records)
    got = _table(
        engine.aggregate(_raw({"files": "ctr.jsonl", "format": "amazon-connect"}), base=tmp_path, partner_ids=None)
    )
    # ATL in July answered k01, k02 (transferred within Connect) and k06: all three transferred now
    assert got[("ATL", "2026-07", "transfer_rate")] == pytest.approx(100.0)
    want = expected_kpis(scenarios(), PARTNERS, ZONE)
    assert got[("BRV", "2026-07", "transfer_rate")] == pytest.approx(want[("BRV", "2026-07", "transfer_rate")])


# --- Genesys Cloud --------------------------------------------------------------------------------


def test_genesys_sample_without_conversation_end_and_with_campaign_previews() -> None:
    """The developer tools' sample response (2016): no conversationEnd, no originatingDirection,
    no metrics; outbound-campaign previews (mediaType callback, outboundCampaignId, wrap-up
    ININ-OUTBOUND-PREVIEW-SKIPPED; one left open 44,481 s) and a chat without a queue are not
    inbound contacts of the queue; two inbound calls are, the first after an agent who was
    alerted and failed to connect."""
    queue = "95c9d5f7-ad80-4572-857a-64d241cf4851"  # 'JATest Queue' (no queues export in the sample)
    raw = _raw({"files": "genesys-details-2016.json", "format": "genesys-cloud"}, {queue: "JAT"}, zone="UTC")
    aggregation = engine.aggregate(raw, base=SAMPLES, partner_ids=["JAT"])
    (source,) = aggregation.quality.sources
    assert (source.read, source.accepted, source.rejected, source.not_queued) == (5, 2, 0, 3)
    got = _table(aggregation)
    # by hand from the segments: 585f63eb queued 07:06:19.528, answered 07:06:33.227 (13.699 s),
    # talk 16.072 s, wrap-up 5.000 s; 001ca953 queued 07:07:11.200, answered 07:07:15.541
    # (4.341 s), talk 17.480 s, wrap-up 39.000 s
    assert got[("JAT", "2016-09", "asa")] == pytest.approx((13.699 + 4.341) / 2)
    assert got[("JAT", "2016-09", "aht")] == pytest.approx((16.072 + 5.0 + 17.480 + 39.0) / 2)
    assert got[("JAT", "2016-09", "service_level")] == 100


def _genesys_files(tmp_path: Path, page: dict) -> dict:
    (tmp_path / "details.json").write_text(json.dumps(page, indent=2), encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    return {"files": "details.json", "format": "genesys-cloud", "queues": "queues.json"}


def test_genesys_without_conversation_end_does_not_depend_on_millisecond_order(tmp_path: Path) -> None:
    """An older response (no conversationEnd) whose queue segment ends 2 ms before the agent's
    interact starts, as in the sample: every contact is read, the KPIs the hand computation gives
    (the end was the moment the contact left the queue: 'negative duration' for each answered one)."""
    page = genesys_page(scenarios())
    for conversation in page["conversations"]:
        del conversation["conversationEnd"], conversation["originatingDirection"]
        for participant in conversation["participants"]:
            if participant["purpose"] != "acd":
                continue
            segment = participant["sessions"][0]["segments"][0]
            if segment["disconnectType"] == "transfer":  # answered: the agent's interact starts at its end
                segment["segmentEnd"] = _shifted(segment["segmentEnd"], -0.002)
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    assert aggregation.quality.by_reason() == {}
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_genesys_participant_attributes_differing_only_in_case(tmp_path: Path) -> None:
    """Participant attributes are free form and case-sensitive: keys that differ only in case do
    not make the page unreadable (they did: the structure was auto-detected to list its keys)."""
    page = genesys_page(scenarios())
    for conversation in page["conversations"]:
        conversation["participants"][0]["attributes"] = {"GreetingPlayed": "true", "greetingPlayed": "false"}
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_genesys_conversation_in_progress_is_set_apart_with_its_reason(tmp_path: Path) -> None:
    """A conversation still going on (no conversationEnd, its last segment without segmentEnd) has
    no end yet: rejected as in progress, named, never read with a guessed end."""
    page = genesys_page(scenarios())
    live = page["conversations"][0]  # k01, answered
    del live["conversationEnd"]
    agent = next(p for p in live["participants"] if p["purpose"] == "agent")
    del agent["sessions"][0]["segments"][-1]["segmentEnd"]
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    assert aggregation.quality.by_reason() == {"in_progress": 1}
    (sample,) = aggregation.quality.samples
    assert sample.message == (
        "contact 'k01-0000-4000-8000-000000000000' (record 1 of the file) rejected: "
        "still in progress when exported (no end yet): read it again once it has ended"
    )
    _assert_same(_table(aggregation), expected_kpis(scenarios()[1:], PARTNERS, ZONE))


def test_genesys_handle_time_leaves_out_an_agent_who_never_connected(tmp_path: Path) -> None:
    """An agent alerted who does not answer has a participant of its own, sometimes with a wrap-up
    segment, before the agent who answers: that wrap-up is not handle time (Genesys' tHandle is
    the talk, hold and wrap-up of the agent who handled the contact)."""
    page = genesys_page(scenarios())
    for conversation in page["conversations"]:
        agents = [p for p in conversation["participants"] if p["purpose"] == "agent"]
        if not agents:
            continue
        answering = agents[0]["sessions"][0]["segments"]
        alert = answering[0]
        missed = {
            "purpose": "agent",
            "userId": "user-not-responding",
            "sessions": [
                {
                    "mediaType": "voice",
                    "direction": "inbound",
                    "segments": [
                        {**alert, "disconnectType": "noAnswerTransfer"},
                        {
                            "segmentStart": alert["segmentEnd"],
                            "segmentEnd": _shifted(alert["segmentEnd"], 61),
                            "queueId": alert["queueId"],
                            "segmentType": "wrapup",
                            "wrapUpCode": "ININ-WRAP-UP-TIMEOUT",
                        },
                    ],
                }
            ],
        }
        conversation["participants"].insert(conversation["participants"].index(agents[0]), missed)
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_an_error_in_a_pretty_printed_file_names_the_record_not_a_line(tmp_path: Path) -> None:
    """A pretty-printed page spans thousands of lines: a rejected conversation is named by its
    record number, said as such, never by a line number that is really a record number."""
    page = genesys_page(scenarios())
    bad = page["conversations"][6]
    next(p for p in bad["participants"] if p["purpose"] == "acd")["sessions"][0]["segments"][0]["segmentStart"] = (
        "2026-07-32T08:00:00.000Z"
    )
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    (sample,) = aggregation.quality.samples
    assert (sample.line, sample.record) == (None, 7)
    # the contact still names its queue: rejected for the timestamp, with its text (it was 'a
    # required field is empty', the queue's id being taken from a readable start only)
    assert str(sample.problem()) == (
        f"{tmp_path / 'details.json'}: column 'segments.segmentStart': warning: "
        f"contact '{bad['conversationId']}' (record 7 of the file) rejected: '2026-07-32T08:00:00.000Z' "
        "is not a timestamp (the platform writes ISO 8601) [raw.unparseable_timestamp]"
    )


# --- NICE CXone -----------------------------------------------------------------------------------


def test_cxone_reporting_api_completed_contacts_as_delivered() -> None:
    """GET /contacts/completed as a client library's test receives it: the contacts inside
    {"resultSet": {"completedContacts": [...]}}, every value a string."""
    raw = _raw({"files": "cxone-completed-contacts.json", "format": "nice-cxone"}, {"Main": "MAIN"}, zone="UTC")
    aggregation = engine.aggregate(raw, base=SAMPLES, partner_ids=["MAIN"])
    (source,) = aggregation.quality.sources
    assert (source.read, source.accepted) == (2, 2)
    got = _table(aggregation)
    # by hand: inQueueSeconds 13 each; handle = agentSeconds 277 + ACWSeconds 187
    assert got[("MAIN", "2016-09", "asa")] == 13
    assert got[("MAIN", "2016-09", "aht")] == 277 + 187
    assert got[("MAIN", "2016-09", "abandonment")] == 0


def test_cxone_api_contacts_as_json_lines_outbound_not_queued(tmp_path: Path) -> None:
    """The same contacts unwrapped, one per line (as a pipeline stores them), with an outbound
    contact (isOutbound "True"): dialled by an agent, never queued."""
    page = json.loads((SAMPLES / "cxone-completed-contacts.json").read_text(encoding="utf-8"))
    contacts = page["resultSet"]["completedContacts"]
    outbound = deepcopy(contacts[1])
    outbound.update(contactId="2789879877", masterContactId="2789879877", isOutbound="True", inQueueSeconds="0")
    write_jsonl(tmp_path / "completed.jsonl", [*contacts, outbound])
    raw = _raw({"files": "completed.jsonl", "format": "nice-cxone"}, {"Main": "MAIN"}, zone="UTC")
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["MAIN"])
    (source,) = aggregation.quality.sources
    assert (source.read, source.accepted, source.not_queued) == (3, 2, 1)
    assert _table(aggregation)[("MAIN", "2016-09", "asa")] == 13


def test_cxone_service_level_flags_beside_ours_and_from_platform(tmp_path: Path) -> None:
    """serviceLevelFlag, coded as the download's SLA column (0 within, 1 outside, -1 not counted):
    the platform's service level from it, beside govdocs' own at the KPI's 20 s, contact by contact
    in the data-quality report, and as the KPI with from: platform."""
    page = json.loads((SAMPLES / "cxone-completed-contacts.json").read_text(encoding="utf-8"))
    first, second = page["resultSet"]["completedContacts"]  # 13 s in the queue, flag "0": within

    def copy(contact_id: str, **values: str) -> dict:
        return {**deepcopy(second), "contactId": contact_id, "masterContactId": contact_id, **values}

    contacts = [
        first,
        second,
        copy("2789879878", inQueueSeconds="35", serviceLevelFlag="1"),  # outside, both ways
        # 13 s, within govdocs' 20 s, yet flagged outside (the tenant's threshold is shorter)
        copy("2789879879", serviceLevelFlag="1"),
        copy("2789879880", inQueueSeconds="50", agentSeconds="0", ACWSeconds="0", abandoned="True",
             serviceLevelFlag="1"),  # abandoned after 50 s: outside, both ways
        copy("2789879881", inQueueSeconds="3", agentSeconds="0", ACWSeconds="0", abandoned="True",
             isShortAbandon="True", serviceLevelFlag="-1"),  # a short abandon: not counted
    ]  # fmt: skip
    write_jsonl(tmp_path / "completed.jsonl", contacts)
    section = {
        "files": "completed.jsonl",
        "format": "nice-cxone",
        "timezone": "UTC",
        "partner_values": {"Main": "MAIN"},
    }
    kpis = [
        *MEASURES,
        {"kpi": "sl_cxone", "measure": "service_level", "answered_within_seconds": 20, "from": "platform"},
    ]
    raw = RawData.model_validate({"sources": {"interactions": section}, "kpis": kpis})
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["MAIN"])
    rows = {(r.kpi): (r.value, r.volume) for r in aggregation.kpis.itertuples()}
    # by hand: offered 1-5 (the 3 s abandon is short), answered within 20 s: 1, 2 and 4 -> 3 / 5;
    # the flags: within 1 and 2 of the five counted -> 2 / 5
    assert rows["service_level"] == (pytest.approx(60.0), 5)
    assert rows["sl_cxone"] == (pytest.approx(40.0), 5)
    (agreement,) = aggregation.quality.agreement
    assert (agreement.measure, agreement.compared, agreement.agreeing) == ("within", 5, 4)
    assert agreement.text() == (
        "2016-09 service level (answered within 20 s): 5 contacts compared with the platform's own "
        "serviceLevelFlag, 4 agree: 60.0 % within here, 40.0 % by the platform's flags; contact "
        "'2789879879' within here, outside by the platform's"
    )


def test_cxone_download_with_a_rebranded_tenants_spellings(tmp_path: Path) -> None:
    """Rebranded tenants spell the same columns otherwise (Prequeue, Ani_Dialnum): read alike."""
    spelled = {"PreQueue": "Prequeue", "ANI_DIALNUM": "Ani_Dialnum", "InQueue": "Inqueue"}
    write_csv(tmp_path / "cd.csv", [spelled.get(h, h) for h in CXONE_HEADER], cxone_rows(scenarios(), ZONE))
    aggregation = engine.aggregate(_raw({"files": "cd.csv", "format": "nice-cxone"}), base=tmp_path, partner_ids=None)
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_a_json_file_of_another_shape_under_nice_cxone_is_named(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text(json.dumps({"totalRecords": 0, "skills": []}), encoding="utf-8")
    with pytest.raises(GovdocsError) as caught:
        engine.aggregate(_raw({"files": "x.json", "format": "nice-cxone"}), base=tmp_path, partner_ids=None)
    (problem,) = caught.value.problems
    assert problem.message == (
        "x.json does not look like NICE CXone completed contacts: its records have no 'contactId' "
        "and no 'resultSet' (they have: totalRecords, skills)"
    )


# --- the platform's own figures beside ours --------------------------------------------------------


def _with_genesys_metrics(page: dict) -> dict:
    """Each session's metrics as Genesys writes them (milliseconds): tAnswered or tAbandon on the
    queue's session, tHandle on the answering agent's (talk + hold + wrap-up)."""
    seconds = {c.id: c for c in scenarios()}
    for conversation in page["conversations"]:
        contact = seconds[conversation["conversationId"].split("-")[0]]
        acds = [p for p in conversation["participants"] if p["purpose"] == "acd"]
        agents = [p for p in conversation["participants"] if p["purpose"] == "agent"]
        for leg, acd in zip(contact.legs, acds, strict=True):
            name = "tAnswered" if leg.answered else "tAbandon"
            acd["sessions"][0]["metrics"] = [{"name": name, "value": round(leg.wait * 1000), "emitDate": "x"}]
        answered = [leg for leg in contact.legs if leg.answered]
        for leg, agent in zip(answered, agents, strict=True):
            handle = round((leg.talk + leg.hold + leg.acw) * 1000)
            agent["sessions"][0]["metrics"] = [{"name": "tHandle", "value": handle, "emitDate": "x"}]
    return page


def test_genesys_own_figures_beside_ours(tmp_path: Path) -> None:
    """tAnswered/tAbandon and tHandle against the recomputation from segments: all agree but the
    one contact whose tHandle was made 61 s larger (an agent's wrap-up Genesys would count)."""
    page = _with_genesys_metrics(genesys_page(scenarios()))
    k01 = page["conversations"][0]
    agent = next(p for p in k01["participants"] if p["purpose"] == "agent")
    agent["sessions"][0]["metrics"][0]["value"] += 61_000
    aggregation = engine.aggregate(_raw(_genesys_files(tmp_path, page)), base=tmp_path, partner_ids=["ATL", "BRV"])
    found = {(a.period, a.measure): a for a in aggregation.quality.agreement}
    assert sorted(found) == [("2026-07", "handle"), ("2026-07", "wait"), ("2026-08", "handle"), ("2026-08", "wait")]
    handle = found[("2026-07", "handle")]
    assert (handle.compared, handle.agreeing, handle.contact_id) == (5, 4, k01["conversationId"])
    assert (handle.ours, handle.theirs) == pytest.approx((290.0, 351.0))
    assert handle.text() == (
        "2026-07 handle time: 5 contacts compared with the platform's own tHandle, 4 agree within 1 s; largest "
        f"difference 61.0 s (contact '{k01['conversationId']}': 290.0 s here, 351.0 s the platform's)"
    )
    assert all(a.agreeing == a.compared for key, a in found.items() if key != ("2026-07", "handle"))
    # a KPI never takes the platform's figure: the same table as without it
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_connect_queue_duration_beside_our_wait(tmp_path: Path) -> None:
    records = connect_records(scenarios())
    k06 = next(r for r in records if r["ContactId"] == "k06")
    k06["Queue"]["Duration"] += 5  # the platform's own figure, 5 s longer than its timestamps say
    write_jsonl(tmp_path / "ctr.jsonl", records)
    aggregation = engine.aggregate(
        _raw({"files": "ctr.jsonl", "format": "amazon-connect"}), base=tmp_path, partner_ids=None
    )
    july, august = aggregation.quality.agreement
    # July in Lisbon: k01, k02, k03, k04, k06, k07, k08 queued (k05 never was); August: k09 to k12
    assert (july.period, july.measure, july.figure) == ("2026-07", "wait", "Queue.Duration")
    assert (july.compared, july.agreeing, july.contact_id, july.ours, july.theirs) == (7, 6, "k06", 8.0, 13.0)
    assert (august.compared, august.agreeing) == (4, 4)


def test_genesys_timestamps_with_a_one_digit_day(tmp_path: Path) -> None:
    """Timestamps have been seen with a one-digit day (2021-04-2T...): read as written."""
    text = json.dumps(genesys_page(scenarios()), indent=2)
    for day in range(1, 10):
        text = text.replace(f"-0{day}T", f"-{day}T")
    assert '"2026-07-1T' in text
    (tmp_path / "details.json").write_text(text, encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    raw = _raw({"files": "details.json", "format": "genesys-cloud", "queues": "queues.json"})
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    assert aggregation.quality.by_reason() == {}
    _assert_same(_table(aggregation), expected_kpis(scenarios(), PARTNERS, ZONE))


def test_a_kpi_from_the_platforms_own_figures(tmp_path: Path) -> None:
    """`from: platform`: ASA from tAnswered, AHT from tHandle, as Genesys' own reports compute
    them; the recomputed KPIs beside them are unchanged."""
    page = _with_genesys_metrics(genesys_page(scenarios()))
    agent = next(p for p in page["conversations"][0]["participants"] if p["purpose"] == "agent")
    agent["sessions"][0]["metrics"][0]["value"] += 61_000  # k01: 61 s more in Genesys' tHandle
    source = {"timezone": ZONE, "partner_values": PARTNERS, **_genesys_files(tmp_path, page)}
    kpis = [
        {"kpi": "asa", "measure": "asa"},
        {"kpi": "asa_platform", "measure": "asa", "from": "platform"},
        {"kpi": "aht", "measure": "aht"},
        {"kpi": "aht_platform", "measure": "aht", "from": "platform"},
    ]
    raw = RawData.model_validate({"sources": {"interactions": source}, "kpis": kpis})
    got = _table(engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]))
    # ATL in July answered k01 (290 s; tHandle 351 s), k02 (130 + 335 s) and k06 (215 s)
    assert got[("ATL", "2026-07", "aht")] == pytest.approx((290 + 465 + 215) / 3)
    assert got[("ATL", "2026-07", "aht_platform")] == pytest.approx((351 + 465 + 215) / 3)
    assert got[("ATL", "2026-07", "asa_platform")] == pytest.approx(got[("ATL", "2026-07", "asa")])
    assert got[("BRV", "2026-08", "aht_platform")] == pytest.approx(got[("BRV", "2026-08", "aht")])


@pytest.mark.parametrize(
    ("source", "measure", "message"),
    [
        (
            "{files: a.csv, timezone: UTC, columns: {contact_id: i, partner: p, arrived_at: a, answered_at: b, "
            "ended_at: e}}",
            "asa",
            "from: platform reads the platform's own figure for asa, which a mapped table does not carry "
            "(those that do: amazon-connect (asa), genesys-cloud (asa, aht), zendesk-talk (asa), "
            "nice-cxone (service_level))",
        ),
        (
            "{files: a.jsonl, format: amazon-connect, timezone: UTC}",
            "aht",
            "from: platform reads the platform's own figure for aht, which format: amazon-connect does not carry "
            "(those that do: amazon-connect (asa), genesys-cloud (asa, aht), zendesk-talk (asa), "
            "nice-cxone (service_level))",
        ),
    ],
)
def test_from_platform_without_the_platforms_figure_is_named_with_its_line(
    tmp_path: Path, source: str, measure: str, message: str
) -> None:
    from govdocs.raw.checks import load_raw_data

    path = tmp_path / "mapping.yaml"
    path.write_text(
        f"raw_data:\n  sources:\n    interactions: {source}\n  kpis:\n"
        f"    - kpi: x\n      measure: {measure}\n      from: platform\n",
        encoding="utf-8",
    )
    with pytest.raises(GovdocsError) as caught:
        load_raw_data(path)
    assert [(p.location.line, p.message) for p in caught.value.problems] == [(7, message)]
