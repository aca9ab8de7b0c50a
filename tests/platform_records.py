"""Customer contacts written as the platforms deliver them, and the KPIs computed from the contacts
by hand (plain Python), for the preset tests and the example's Connect export.

Records follow the platforms' documented shapes: Amazon Connect's contact records data model
(docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html: PascalCase keys, Queue{Name,
EnqueueTimestamp, DequeueTimestamp, Duration}, Agent{ConnectedToAgentTimestamp,
AgentInteractionDuration, CustomerHoldDuration, AfterContactWorkDuration}, a new record per
transfer linked by InitialContactId/PreviousContactId, timestamps yyyy-mm-ddThh:mm:ssZ) and
Genesys Cloud's analytics conversation (the GenesysCloudBlueprints conversation-model-to-sql
sample: participants[purpose] -> sessions[mediaType, ani] -> segments[segmentStart, segmentEnd,
segmentType, queueId, disconnectType], times yyyy-MM-ddTHH:mm:ss.SSSZ).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Leg:
    queue: str
    wait: float  # seconds in this queue before an agent answered (or the customer left)
    answered: bool = True
    alert: float = 0.0  # seconds the agent's phone rang, inside the wait (Genesys: the alert segment)
    talk: float = 0.0
    hold: float = 0.0
    acw: float = 0.0


@dataclass(frozen=True)
class Contact:
    id: str
    customer: str
    arrived: datetime  # UTC: entering the first queue (ivr seconds after the call began)
    legs: tuple[Leg, ...] = ()  # empty: self-service in the IVR, never queued
    ivr: float = 30.0
    channel: str = "VOICE"
    redelivered: bool = False  # an earlier, incomplete copy of the first record is delivered too

    @property
    def answered(self) -> bool:
        return any(leg.answered for leg in self.legs)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def scenarios(queue_a: str = "Atlas Lisbon", queue_b: str = "Bravo Manila") -> list[Contact]:
    """Every case the presets must get right, at two partners over two months."""
    return [
        Contact("k01", "+351210000001", t("2026-07-01T08:00:00"), (Leg(queue_a, 12, talk=240, hold=20, acw=30),)),
        # transferred by the agent to the other partner's queue: one contact, two legs, handle time summed
        Contact(
            "k02",
            "+351210000002",
            t("2026-07-01T09:00:00"),
            (Leg(queue_a, 25, alert=6, talk=120, acw=10), Leg(queue_b, 40, talk=300, hold=15, acw=20)),
        ),
        Contact("k03", "+351210000003", t("2026-07-02T10:00:00"), (Leg(queue_a, 45, answered=False),)),  # abandoned
        Contact("k04", "+351210000004", t("2026-07-02T10:05:00"), (Leg(queue_a, 3, answered=False),)),  # short
        Contact("k05", "+351210000005", t("2026-07-02T11:00:00")),  # IVR only: never queued
        # the same customer again within 7 days: a repeat (the transfer leg above is not)
        Contact("k06", "+351210000002", t("2026-07-05T09:00:00"), (Leg(queue_a, 8, talk=200, acw=15),)),
        Contact(
            "k07",
            "+351210000007",
            t("2026-07-06T12:00:00"),
            (Leg(queue_b, 19, alert=4, talk=400, acw=25),),
            redelivered=True,
        ),
        Contact("k08", "+351210000008", t("2026-07-07T12:00:00"), (Leg(queue_b, 75, talk=180, hold=40),)),
        # 23:30 UTC on 31 July is 00:30 on 1 August in Lisbon: an August contact there
        Contact("k09", "+351210000009", t("2026-07-31T23:30:00"), (Leg(queue_a, 5, talk=100, acw=5),)),
        Contact("k10", "+351210000010", t("2026-08-10T15:00:00"), (Leg(queue_b, 30, answered=False),)),
        Contact("k11", "+351210000011", t("2026-08-20T15:00:00"), (Leg(queue_b, 10, talk=260, acw=20),)),
        # the data's last contact
        Contact("k12", "+351210000012", t("2026-08-31T18:00:00"), (Leg(queue_a, 15, talk=150),)),
    ]


# --- Amazon Connect contact records --------------------------------------------------------------


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect_records(contacts: list[Contact]) -> list[dict]:
    records = []
    for c in contacts:
        start = c.arrived - timedelta(seconds=c.ivr)
        base = {
            "AWSAccountId": "123456789012",
            "AWSContactTraceRecordFormatVersion": "2017-03-10",
            "Channel": c.channel,
            "CustomerEndpoint": {"Address": c.customer, "Type": "TELEPHONE_NUMBER"},
            "SystemEndpoint": {"Address": "+351210999999", "Type": "TELEPHONE_NUMBER"},
            "Attributes": {},
        }
        if not c.legs:
            end = c.arrived
            records.append(
                {
                    **base,
                    "ContactId": c.id,
                    "InitialContactId": None,
                    "PreviousContactId": None,
                    "NextContactId": None,
                    "InitiationMethod": "INBOUND",
                    "InitiationTimestamp": _z(start),
                    "ConnectedToSystemTimestamp": _z(start),
                    "DisconnectTimestamp": _z(end),
                    "LastUpdateTimestamp": _z(end + timedelta(seconds=40)),
                    "DisconnectReason": "CONTACT_FLOW_DISCONNECT",
                    "Queue": None,
                    "Agent": None,
                }
            )
            continue
        enqueue = c.arrived
        ids = [c.id if i == 0 else f"{c.id}-t{i}" for i in range(len(c.legs))]
        for i, leg in enumerate(c.legs):
            dequeue = enqueue + timedelta(seconds=leg.wait)
            end = dequeue + timedelta(seconds=leg.talk + leg.hold) if leg.answered else dequeue
            record = {
                **base,
                "ContactId": ids[i],
                "InitialContactId": None if i == 0 else ids[0],
                "PreviousContactId": None if i == 0 else ids[i - 1],
                "NextContactId": ids[i + 1] if i + 1 < len(ids) else None,
                "InitiationMethod": "INBOUND" if i == 0 else "TRANSFER",
                "InitiationTimestamp": _z(start if i == 0 else enqueue),
                "ConnectedToSystemTimestamp": _z(start) if i == 0 else None,
                "DisconnectTimestamp": _z(end),
                "LastUpdateTimestamp": _z(end + timedelta(seconds=leg.acw + 60)),
                "DisconnectReason": "CUSTOMER_DISCONNECT",
                "Queue": {
                    "Name": leg.queue,
                    "ARN": f"arn:aws:connect:eu-west-1:123456789012:instance/i/queue/{leg.queue.replace(' ', '-')}",
                    "EnqueueTimestamp": _z(enqueue),
                    "DequeueTimestamp": _z(dequeue),
                    "Duration": int(leg.wait),
                },
                "Agent": {
                    "Username": f"agent-{leg.queue[:3].lower()}",
                    "ConnectedToAgentTimestamp": _z(dequeue),
                    "AgentInteractionDuration": int(leg.talk),
                    "CustomerHoldDuration": int(leg.hold),
                    "AfterContactWorkDuration": int(leg.acw),
                    "AfterContactWorkStartTimestamp": _z(end),
                    "AfterContactWorkEndTimestamp": _z(end + timedelta(seconds=leg.acw)),
                    "NumberOfHolds": 1 if leg.hold else 0,
                }
                if leg.answered
                else None,
            }
            if c.redelivered and i == 0:
                # at-least-once delivery: an earlier copy, before the agent's part was known
                early = {**record, "Agent": None, "LastUpdateTimestamp": _z(dequeue)}
                records.append(early)
            records.append(record)
            # a transfer is dialled from the agent's call: the next queue starts as this leg ends
            enqueue = end
    return records


# --- Salesforce Service Cloud Voice VoiceCall records ----------------------------------------------


def _sf(moment: datetime) -> str:
    """A dateTime as the REST API writes it: 2026-07-01T08:00:00.000+0000 (UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def salesforce_records(contacts: list[Contact]) -> list[dict]:
    """VoiceCall records as a SOQL query returns them (object reference, VoiceCall): one per call,
    a transfer creating another (CallType Transfer) linked by PreviousCallId and NextCallId; a call
    never accepted has no CallAcceptDateTime and stays CallDisposition 'new'. No after-call work
    (the object has no field for it)."""
    records = []
    for c in contacts:
        start = c.arrived - timedelta(seconds=c.ivr)
        base = {"FromPhoneNumber": c.customer, "ToPhoneNumber": "+351210999999", "VendorType": "ContactCenter"}
        ids = [f"0LQ{c.id}{i:012d}" for i in range(max(1, len(c.legs)))]
        if not c.legs:
            records.append(
                {
                    "attributes": {"type": "VoiceCall", "url": f"/services/data/v60.0/sobjects/VoiceCall/{ids[0]}"},
                    "Id": ids[0],
                    **base,
                    "CallType": "Inbound",
                    "CallDisposition": "completed",
                    "CallStartDateTime": _sf(start),
                    "CallQueuedDateTime": None,
                    "CallAcceptDateTime": None,
                    "CallEndDateTime": _sf(c.arrived),
                    "CallDurationInSeconds": int(c.ivr),
                    "QueueName": None,
                    "PreviousCallId": None,
                    "NextCallId": None,
                    "CustomerHoldDuration": None,
                    "LastModifiedDate": _sf(c.arrived + timedelta(seconds=5)),
                }
            )
            continue
        enqueue = c.arrived
        for i, leg in enumerate(c.legs):
            dequeue = enqueue + timedelta(seconds=leg.wait)
            end = dequeue + timedelta(seconds=leg.talk + leg.hold) if leg.answered else dequeue
            began = start if i == 0 else enqueue
            record = {
                "attributes": {"type": "VoiceCall", "url": f"/services/data/v60.0/sobjects/VoiceCall/{ids[i]}"},
                "Id": ids[i],
                **base,
                "CallType": "Inbound" if i == 0 else "Transfer",
                "CallDisposition": "completed" if leg.answered else "new",
                "CallStartDateTime": _sf(began),
                "CallQueuedDateTime": _sf(enqueue),
                "CallAcceptDateTime": _sf(dequeue) if leg.answered else None,
                "CallEndDateTime": _sf(end),
                "CallDurationInSeconds": int((end - began).total_seconds()),
                "QueueName": leg.queue,
                "PreviousCallId": ids[i - 1] if i else None,
                "NextCallId": ids[i + 1] if i + 1 < len(c.legs) else None,
                "CustomerHoldDuration": int(leg.hold) if leg.answered else None,
                "NumberOfHolds": (1 if leg.hold else 0) if leg.answered else None,
                "LastModifiedDate": _sf(end + timedelta(seconds=60)),
            }
            if c.redelivered and i == 0:
                # an earlier copy, queried while the agent was still on the call
                early = {**record, "CallDisposition": "in-progress", "CallEndDateTime": None}
                records.append({**early, "LastModifiedDate": _sf(dequeue)})
            records.append(record)
            enqueue = end  # the transfer is dialled from the agent's call
    return records


def salesforce_page(records: list[dict]) -> dict:
    """A REST API query response, as GET /services/data/vXX.X/query?q=SELECT ... FROM VoiceCall gives it."""
    return {"totalSize": len(records), "done": True, "records": records}


def salesforce_csv(path: Path, records: list[dict]) -> Path:
    """The records as Bulk API 2.0 query results (CSV): a header of the fields queried, every value
    quoted, an empty value for null, dateTimes as 2026-07-01T08:00:00.000Z."""
    fields = [k for k in records[0] if k != "attributes"]

    def cell(value: object) -> str:
        if value is None:
            return ""
        text = str(value)
        if text.endswith("+0000"):
            text = text[: -len("+0000")] + "Z"
        return '"' + text.replace('"', '""') + '"'

    lines = [",".join(f'"{f}"' for f in fields)] + [",".join(cell(r.get(f)) for f in fields) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --- Five9 Call Log report ------------------------------------------------------------------------

# the columns of Five9's standard Call Log report, in its order (the report's CSV as the web
# services' getReportResultCsv returns it; a public sample of its rows: tests/platform_samples/SOURCES)
FIVE9_HEADER = [
    "CALL ID", "TIMESTAMP", "CAMPAIGN", "CALL TYPE", "AGENT", "AGENT NAME", "DISPOSITION", "ANI",
    "CUSTOMER NAME", "DNIS", "CALL TIME", "BILL TIME (ROUNDED)", "COST", "IVR TIME", "QUEUE WAIT TIME",
    "RING TIME", "TALK TIME", "HOLD TIME", "PARK TIME", "AFTER CALL WORK TIME", "TRANSFERS",
    "CONFERENCES", "HOLDS", "ABANDONED", "RECORDINGS",
]  # fmt: skip


def _hms(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def five9_rows(contacts: list[Contact], zone: str, first: int = 0) -> list[list[str]]:
    """Each contact as a row of the Call Log report: one row per call (a transfer stays in the
    call, counted in TRANSFERS), TIMESTAMP the call's start in the domain's zone, durations as
    HH:MM:SS; the wait to the first answer split into QUEUE WAIT TIME and RING TIME (the agent's
    phone ringing); an abandoned call ABANDONED 1. A call in two overlapping reports comes twice."""
    rows = []
    for n, c in enumerate(contacts):
        start = (c.arrived - timedelta(seconds=c.ivr)).astimezone(ZoneInfo(zone))
        waited = 0.0
        for leg in c.legs:  # to the first answer
            waited += leg.wait
            if leg.answered:
                break
        ring = next((leg.alert for leg in c.legs if leg.answered), 0.0)
        talk = sum(leg.talk for leg in c.legs if leg.answered)
        hold = sum(leg.hold for leg in c.legs if leg.answered)
        after = sum(leg.wait for leg in c.legs) - waited if c.answered else 0.0  # later queues
        call = c.ivr + (waited + after + talk + hold if c.answered else sum(leg.wait for leg in c.legs))
        row = {
            "CALL ID": str(300000 + first + n),
            "TIMESTAMP": start.strftime("%a, %d %b %Y %H:%M:%S"),
            "CAMPAIGN": c.legs[0].queue if c.legs else "Main IVR",
            "CALL TYPE": "Inbound",
            "AGENT": "agent@example.com" if c.answered else "[None]",
            "DISPOSITION": "Resolved" if c.answered else "Abandon" if c.legs else "Caller Disconnected",
            "ANI": c.customer.lstrip("+"),
            "DNIS": "351210999999",
            "CALL TIME": _hms(call),
            "BILL TIME (ROUNDED)": _hms(-(-call // 60) * 60),
            "COST": "0",
            "IVR TIME": _hms(c.ivr),
            "QUEUE WAIT TIME": _hms(waited - ring if c.answered else sum(leg.wait for leg in c.legs)),
            "RING TIME": _hms(ring) if ring else "",
            "TALK TIME": _hms(talk),
            "HOLD TIME": _hms(hold),
            "PARK TIME": "00:00:00",
            "AFTER CALL WORK TIME": _hms(sum(leg.acw for leg in c.legs)),
            "TRANSFERS": str(len(c.legs) - 1) if len(c.legs) > 1 else "",
            "HOLDS": "1" if hold else "",
            "ABANDONED": "1" if c.legs and not c.answered else "0" if c.legs else "",
        }
        cells = [row.get(column, "") for column in FIVE9_HEADER]
        rows.append(cells)
        if c.redelivered:
            rows.append(list(cells))  # the same call in the next day's overlapping report
    return rows


# --- Talkdesk calls report ----------------------------------------------------------------------


def talkdesk_entries(contacts: list[Contact]) -> list[dict]:
    """Calls as the Explore API's calls report gives them (its v1 example,
    tests/platform_samples/talkdesk-calls-report.json): one entry per call, start_at and end_at
    in UTC, durations in whole seconds; wait_time the queue and ringing before the first answer
    (or before the caller left), a transfer staying in the call (is_transfer); type inbound for
    an answered call, abandoned (short_abandoned within 5 s) otherwise; no after-call work."""
    entries = []
    for c in contacts:
        start = c.arrived - timedelta(seconds=c.ivr)
        waited = 0.0
        for leg in c.legs:  # to the first answer
            waited += leg.wait
            if leg.answered:
                break
        talk = sum(leg.talk for leg in c.legs if leg.answered)
        hold = sum(leg.hold for leg in c.legs if leg.answered)
        later = sum(leg.wait for leg in c.legs) - waited if c.answered else 0.0
        if not c.legs:
            kind, waited = "abandoned", 0.0  # left in the IVR: waited for no one
        elif c.answered:
            kind = "inbound"
        else:
            kind = "short_abandoned" if waited < 5 else "abandoned"
        total = c.ivr + waited + later + talk + hold
        entries.append(
            {
                "call_id": f"td{c.id}",
                "callsid": f"CA{c.id}",
                "type": kind,
                "start_at": _z(start),
                "end_at": _z(start + timedelta(seconds=total)),
                "talkdesk_phone_number": "+351210999999",
                "contact_phone_number": c.customer,
                "total_time": int(total),
                "talk_time": int(talk),
                "wait_time": int(waited),
                "hold_time": int(hold),
                "abandon_time": 0 if c.answered else int(waited),
                "total_ringing_time": int(next((leg.alert for leg in c.legs if leg.answered), 0)),
                "ring_groups": c.legs[0].queue if c.legs else "",
                "is_transfer": len(c.legs) > 1,
                "data_status": "Valid",
            }
        )
        if c.redelivered:
            entries.append(dict(entries[-1]))  # in the next day's overlapping report too
    return entries


def talkdesk_report(entries: list[dict]) -> dict:
    return {"type": "calls", "version": "v1", "entries": entries, "total": len(entries)}


# --- Zendesk Talk incremental calls export ------------------------------------------------------

# a Zendesk group's id for each queue of the scenarios (call_group_id: Zendesk names groups by id)
ZENDESK_GROUPS = {"Atlas Lisbon": "360001000001", "Bravo Manila": "360001000002"}
ZENDESK_PARTNERS = {"360001000001": "ATL", "360001000002": "BRV"}  # the groups of PARTNERS


def zendesk_calls(contacts: list[Contact]) -> list[dict]:
    """Calls as the Talk API's incremental calls export gives them (the record Airbyte's connector
    reads, tests/platform_samples/zendesk-talk-calls.jsonl): one record per call, a transfer staying
    in the same call; created_at (UTC, whole seconds) and durations in whole seconds from it --
    ivr_time_spent, time_to_answer (IVR included, to the first answer), duration (to the end);
    wait_time the first queue's wait; talk_time, hold_time, wrap_up_time summed over the agents."""
    records = []
    for c in contacts:
        start = c.arrived - timedelta(seconds=c.ivr)
        first_answer = 0.0
        for leg in c.legs:  # the wait to the first answer
            first_answer += leg.wait
            if leg.answered:
                break
        waited = sum(leg.wait for leg in c.legs)
        talked = sum(leg.talk + leg.hold for leg in c.legs if leg.answered)
        status = "abandoned_in_ivr" if not c.legs else "completed" if c.answered else "abandoned_in_queue"
        record = {
            "id": int(c.id[1:]) + 360120000000,
            "created_at": _z(start),
            "updated_at": _z(start + timedelta(seconds=c.ivr + waited + talked + 120)),
            "agent_id": 360786799676 if c.answered else None,
            "completion_status": status,
            "customer_id": int(c.customer.lstrip("+")),
            "direction": "inbound",
            "duration": int(c.ivr + (first_answer + talked if c.answered else waited)),
            "hold_time": int(sum(leg.hold for leg in c.legs)),
            "phone_number": "+351210999999",
            "time_to_answer": int(c.ivr + first_answer) if c.answered else None,
            "wait_time": int(c.legs[0].wait) if c.legs else 0,
            "wrap_up_time": int(sum(leg.acw for leg in c.legs)),
            "ivr_time_spent": int(c.ivr),
            "talk_time": int(sum(leg.talk for leg in c.legs)),
            "call_group_id": int(ZENDESK_GROUPS[c.legs[0].queue]) if c.legs else None,
            "quality_issues": ["none"],
        }
        if c.redelivered:
            # an earlier copy, exported while the agent was still on the call
            early = {**record, "completion_status": None, "duration": None, "wrap_up_time": 0}
            records.append({**early, "updated_at": _z(c.arrived + timedelta(seconds=first_answer + 5))})
        records.append(record)
    return records


def zendesk_page(records: list[dict]) -> dict:
    """A page of the export as delivered: {"calls": [...], "next_page", "count", "end_time"}."""
    return {
        "calls": records,
        "next_page": "https://example.zendesk.com/api/v2/channels/voice/stats/incremental/calls.json?start_time=1",
        "count": len(records),
        "end_time": 1,
    }


# --- Genesys Cloud conversations -----------------------------------------------------------------


def _g(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def queue_id(name: str) -> str:
    return {
        "Atlas Lisbon": "a623d83c-96d7-4baa-af1f-d46ad6700d8b",
        "Bravo Manila": "5e0d2c1b-77a4-4c1e-9f61-0c2b8d7e4a10",
    }[name]


def genesys_conversation(c: Contact) -> dict:
    start = c.arrived - timedelta(seconds=c.ivr)
    media = c.channel.lower()
    participants: list[dict] = []
    customer_segments = []
    ivr = {
        "purpose": "ivr",
        "sessions": [
            {
                "mediaType": media,
                "direction": "inbound",
                "segments": [{"segmentStart": _g(start), "segmentEnd": _g(c.arrived), "segmentType": "ivr"}],
            }
        ],
    }
    participants.append(ivr)
    moment = c.arrived
    for leg in c.legs:
        qid = queue_id(leg.queue)
        leaves = moment + timedelta(seconds=leg.wait)
        participants.append(
            {
                "purpose": "acd",
                "participantName": leg.queue,
                "sessions": [
                    {
                        "mediaType": media,
                        "direction": "inbound",
                        "segments": [
                            {
                                "segmentStart": _g(moment),
                                "segmentEnd": _g(leaves),
                                "queueId": qid,
                                "segmentType": "interact",
                                "disconnectType": "transfer" if leg.answered else "peer",
                            }
                        ],
                        "metrics": [{"name": "nOffered", "value": 1, "emitDate": _g(moment)}],
                    }
                ],
            }
        )
        if leg.answered:
            talk_end = leaves + timedelta(seconds=leg.talk)
            hold_end = talk_end + timedelta(seconds=leg.hold)
            segments = [
                {
                    "segmentStart": _g(leaves - timedelta(seconds=leg.alert)),
                    "segmentEnd": _g(leaves),
                    "queueId": qid,
                    "segmentType": "alert",
                },
                {"segmentStart": _g(leaves), "segmentEnd": _g(talk_end), "queueId": qid, "segmentType": "interact"},
            ]
            if leg.hold:
                segments.append(
                    {"segmentStart": _g(talk_end), "segmentEnd": _g(hold_end), "queueId": qid, "segmentType": "hold"}
                )
            last = leg is c.legs[-1]
            segments[-1]["disconnectType"] = "peer" if last else "transfer"
            if leg.acw:
                segments.append(
                    {
                        "segmentStart": _g(hold_end),
                        "segmentEnd": _g(hold_end + timedelta(seconds=leg.acw)),
                        "queueId": qid,
                        "segmentType": "wrapup",
                        "wrapUpCode": "7fb334b0-0e9e-11e4-9191-0800200c9a66",
                    }
                )
            participants.append(
                {
                    "purpose": "agent",
                    "userId": f"user-{leg.queue[:3].lower()}",
                    "sessions": [{"mediaType": media, "direction": "inbound", "segments": segments}],
                }
            )
            moment = hold_end
        else:
            moment = leaves
    customer_segments.append({"segmentStart": _g(start), "segmentEnd": _g(moment), "segmentType": "interact"})
    customer = {
        "purpose": "customer",
        "participantName": "Customer",
        "sessions": [
            {"mediaType": media, "direction": "inbound", "ani": f"tel:{c.customer}", "segments": customer_segments}
        ],
    }
    return {
        "conversationId": f"{c.id}-0000-4000-8000-000000000000",
        "conversationStart": _g(start),
        "conversationEnd": _g(moment),
        "originatingDirection": "inbound",
        "divisionIds": ["1b6b98a6-3d70-47be-9406-61a5aa8cc570"],
        "participants": [customer, *participants],
    }


def genesys_page(contacts: list[Contact]) -> dict:
    conversations = [genesys_conversation(c) for c in contacts]
    return {"conversations": conversations, "totalHits": len(conversations)}


def genesys_queues(names: list[str]) -> dict:
    entities = [{"id": queue_id(n), "name": n, "memberCount": 12} for n in names]
    return {"entities": entities, "pageSize": 25, "pageNumber": 1, "total": len(entities), "pageCount": 1}


# --- NICE CXone Call Detail data download ------------------------------------------------------

CXONE_HEADER = [
    "Contact_ID", "Master_Contact_ID", "Media_Name", "ANI_DIALNUM", "Skill_No", "Skill_Name", "Campaign_Name",
    "Agent_No", "Agent_Name", "Start_Date", "Start_Time", "PreQueue", "InQueue", "Agent_Time", "PostQueue",
    "ACW_Seconds", "Abandon", "Abandon_Time", "Active_Talk_Time",
]  # fmt: skip


def cxone_rows(contacts: list[Contact], zone: str, first: int = 0) -> list[list[str]]:
    """One row per leg, local times in `zone`; a re-delivered contact's rows are not repeated here
    (a test gives the same rows in a second, overlapping download)."""
    local = ZoneInfo(zone)
    rows = []
    skills = {"Atlas Lisbon": "4101", "Bravo Manila": "4102"}
    for n, c in enumerate(contacts):
        master = str(500_000_000 + (first + n) * 10)
        if not c.legs:
            start = (c.arrived - timedelta(seconds=c.ivr)).astimezone(local)
            rows.append(
                [master, master, "Call", c.customer, "", "", "Main", "", "", start.strftime("%m/%d/%Y"),
                 start.strftime("%H:%M:%S"), str(int(c.ivr)), "0", "0", "0", "0", "N", "0", "0"]
            )  # fmt: skip
            continue
        moment = c.arrived
        for i, leg in enumerate(c.legs):
            ivr = c.ivr if i == 0 else 0
            start = (moment - timedelta(seconds=ivr)).astimezone(local)
            leg_id = master if i == 0 else str(int(master) + i)
            handled = leg.talk + leg.hold if leg.answered else 0
            rows.append(
                [leg_id, master, "Call", c.customer, skills[leg.queue], leg.queue, "Main",
                 "1001" if leg.answered else "", f"agent {leg.queue[:3]}" if leg.answered else "",
                 start.strftime("%m/%d/%Y"), start.strftime("%H:%M:%S"), str(int(ivr)), str(int(leg.wait)),
                 str(int(handled)), "0", str(int(leg.acw)), "N" if leg.answered else "Y",
                 "0" if leg.answered else str(int(ivr + leg.wait)), str(int(leg.talk))]
            )  # fmt: skip
            moment = moment + timedelta(seconds=leg.wait + handled)
    return rows


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    import csv

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# --- the KPIs by hand ----------------------------------------------------------------------------


@dataclass
class Expected:
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    within: int = 0
    waits: list[float] = field(default_factory=list)
    handles: list[float] = field(default_factory=list)
    transferred: int = 0


def expected_kpis(
    contacts: list[Contact],
    partner_of: dict[str, str],
    zone: str,
    *,
    sl_seconds: float = 20,
    short: float = 5,
    acw: bool = True,
) -> dict[tuple[str, str, str], float]:
    """(partner, YYYY-MM, kpi) -> value, from the contacts: each the first queue's partner's, in the
    month of its arrival in `zone`; ASA and service level to the first answer, handle time summed over
    the legs, short abandons not offered, never-queued contacts not counted at all."""
    groups: dict[tuple[str, str], Expected] = {}
    for c in contacts:
        if not c.legs:
            continue
        partner = partner_of[c.legs[0].queue]
        month = c.arrived.astimezone(ZoneInfo(zone)).strftime("%Y-%m")
        g = groups.setdefault((partner, month), Expected())
        if c.answered:
            wait = 0.0
            for leg in c.legs:  # to the first answer (a queue left unanswered adds its wait)
                wait += leg.wait
                if leg.answered:
                    break
            g.offered += 1
            g.answered += 1
            g.waits.append(wait)
            g.within += wait <= sl_seconds
            # acw=False: an export without after-call work (Salesforce's VoiceCall) gives talk + hold
            g.handles.append(sum(leg.talk + leg.hold + (leg.acw if acw else 0) for leg in c.legs))
            g.transferred += len(c.legs) > 1
        else:
            wait = sum(leg.wait for leg in c.legs)
            if wait >= short:
                g.offered += 1
                g.abandoned += 1
    queued = sorted(
        (c for c in contacts if c.legs and (c.answered or sum(leg.wait for leg in c.legs) >= 0)),
        key=lambda c: c.arrived,
    )
    data_end = max(c.arrived for c in queued)
    window = timedelta(days=7)
    repeats: dict[tuple[str, str], list[int]] = {}
    for c in queued:
        if not c.answered or c.arrived + window > data_end:
            continue
        later = [o.arrived for o in queued if o.customer == c.customer and o.arrived > c.arrived]
        key = (partner_of[c.legs[0].queue], c.arrived.astimezone(ZoneInfo(zone)).strftime("%Y-%m"))
        counts = repeats.setdefault(key, [0, 0])
        counts[0] += bool(later) and min(later) - c.arrived <= window
        counts[1] += 1
    out = {}
    for (partner, month), (repeated, counted) in repeats.items():
        out[(partner, month, "repeat_rate")] = 100.0 * repeated / counted
    for (partner, month), g in groups.items():
        out[(partner, month, "service_level")] = 100.0 * g.within / g.offered
        out[(partner, month, "abandonment")] = 100.0 * g.abandoned / g.offered
        if g.answered:
            out[(partner, month, "asa")] = sum(g.waits) / len(g.waits)
            out[(partner, month, "aht")] = sum(g.handles) / len(g.handles)
            out[(partner, month, "transfer_rate")] = 100.0 * g.transferred / g.answered
    return out


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


# The queue names, zone and KPI measures every platform test reads its records with.
PARTNERS = {"Atlas Lisbon": "ATL", "Bravo Manila": "BRV"}
ZONE = "Europe/Lisbon"
MEASURES = [
    {"kpi": "service_level", "measure": "service_level", "answered_within_seconds": 20},
    {"kpi": "abandonment", "measure": "abandon_rate", "short_abandon_seconds": 5},
    {"kpi": "asa", "measure": "asa"},
    {"kpi": "aht", "measure": "aht"},
    {"kpi": "transfer_rate", "measure": "transfer_rate"},
    {"kpi": "repeat_rate", "measure": "repeat_contact_rate", "within_days": 7},
]


# --- Twilio Flex: TaskRouter events -----------------------------------------------------------------

TWILIO_WORKSPACE = "WS" + "0" * 32


def _twilio_sid(prefix: str, *parts: object) -> str:
    """A sid of the Twilio shape (two letters, 32 hex digits), the same for the same parts."""
    return prefix + hashlib.md5("/".join(str(p) for p in parts).encode()).hexdigest()


def _twilio_event(kind: str, moment: datetime, resource: str, data: dict, entered: datetime, **extra: object) -> dict:
    """One event of a task as the Event resource gives it; data the task's event_data."""
    return {
        "account_sid": "AC" + "a" * 32,
        "actor_sid": TWILIO_WORKSPACE,
        "actor_type": "workspace",
        "description": f"{kind} for {data['task_sid']}",
        "event_data": {**data, "task_age": int((moment - entered).total_seconds()), **extra},
        "event_date": _z(moment),
        "event_date_ms": int(moment.timestamp() * 1000),
        "event_type": kind,
        "resource_sid": resource,
        "resource_type": "reservation" if kind.startswith("reservation") else "task",
        "sid": _twilio_sid("EV", data["task_sid"], kind),
        "source": "twilio",
        "source_ip_address": "1.2.3.4",
    }


def twilio_events(contacts: list[Contact]) -> list[dict]:
    """Tasks as TaskRouter's Event resource lists them (its fields as the SDKs' fixture of a
    fetched event, tests/platform_samples/SOURCES; event_data spelled as the Event Streams task
    payloads): per task task.created and task-queue.entered on entering a queue, then
    reservation.created and reservation.accepted the wait later (the agent's phone ringing between
    them), task.wrapup when the call ends (talk and hold) and task.completed after the wrap-up; a
    task not answered is canceled when the caller hangs up. A transfer is a new task of the same
    conversation (attribute conversations.conversation_id) entering the next queue as the agent's
    call ends. A call ending in the IVR never makes a task."""
    events: list[dict] = []
    for c in contacts:
        made: list[dict] = []
        conversation = _twilio_sid("WT", c.id, 0)
        attributes = json.dumps(
            {
                "from": c.customer,
                "to": "+351210999999",
                "direction": "inbound",
                "call_sid": _twilio_sid("CA", c.id),
                "conversations": {"conversation_id": conversation},
            }
        )
        enter = c.arrived
        for i, leg in enumerate(c.legs):
            task = _twilio_sid("WT", c.id, i)
            queue = _twilio_sid("WQ", leg.queue)
            reservation = _twilio_sid("WR", c.id, i)
            worker = _twilio_sid("WK", leg.queue)
            data = {
                "task_sid": task,
                "task_attributes": attributes,
                "task_priority": 0,
                "task_channel_unique_name": "voice",
                "task_queue_sid": queue,
                "workspace_sid": TWILIO_WORKSPACE,
                "workspace_name": "Flex Task Assignment",
            }

            made.append(_twilio_event("task.created", enter, task, data, enter, task_assignment_status="pending"))
            made.append(
                _twilio_event(
                    "task-queue.entered",
                    enter,
                    task,
                    data,
                    enter,
                    task_queue_name=leg.queue,
                    task_assignment_status="pending",
                )
            )
            if not leg.answered:
                left = enter + timedelta(seconds=leg.wait)
                made.append(
                    _twilio_event(
                        "task.canceled",
                        left,
                        task,
                        data,
                        enter,
                        task_assignment_status="canceled",
                        task_canceled_reason="hangup",
                    )
                )
                enter = left
                continue
            agent = {"reservation_sid": reservation, "worker_sid": worker, "worker_name": f"agent-{leg.queue}"}
            accepted = enter + timedelta(seconds=leg.wait)
            rang = accepted - timedelta(seconds=leg.alert)
            made.append(_twilio_event("reservation.created", rang, reservation, data, enter, **agent))
            made.append(
                _twilio_event(
                    "reservation.accepted",
                    accepted,
                    reservation,
                    data,
                    enter,
                    task_assignment_status="assigned",
                    **agent,
                )
            )
            wrapup = accepted + timedelta(seconds=leg.talk + leg.hold)
            made.append(_twilio_event("task.wrapup", wrapup, task, data, enter, task_assignment_status="wrapping"))
            made.append(
                _twilio_event(
                    "task.completed",
                    wrapup + timedelta(seconds=leg.acw),
                    task,
                    data,
                    enter,
                    task_assignment_status="completed",
                    task_completed_reason="Task completed",
                )
            )
            enter = wrapup  # a transfer: the next task enters its queue as this call ends
        events.extend(made)
        if c.redelivered:
            events.extend(dict(e) for e in made)  # in the next export, whose window overlaps
    events.sort(key=lambda e: e["event_date_ms"], reverse=True)  # the list gives the latest first
    return events


def twilio_list(events: list[dict]) -> dict:
    return {
        "events": events,
        "meta": {
            "page": 0,
            "page_size": len(events),
            "first_page_url": "https://taskrouter.twilio.com/v1/Workspaces/" + TWILIO_WORKSPACE + "/Events",
            "previous_page_url": None,
            "url": "https://taskrouter.twilio.com/v1/Workspaces/" + TWILIO_WORKSPACE + "/Events",
            "next_page_url": None,
            "key": "events",
        },
    }


# --- what every platform test does with a preset's result --------------------------------------


def preset_raw(fmt: str, files: str, kpis: list[dict] | None = None, partners: dict[str, str] | None = None):
    """The mapping of one interactions source read through `format: fmt`."""
    from govdocs.raw.model import RawData

    source = {"files": files, "format": fmt, "timezone": ZONE, "partner_values": partners or PARTNERS}
    return RawData.model_validate({"sources": {"interactions": source}, "kpis": MEASURES if kpis is None else kpis})


def kpi_table(aggregation) -> dict[tuple[str, str, str], float]:
    """The KPI table as (partner, period, kpi) -> value."""
    return {(r.partner, r.period, r.kpi): r.value for r in aggregation.kpis.itertuples()}


def assert_same(got: dict, want: dict) -> None:
    """The same cells, every value equal to the last digit a float keeps."""
    assert set(got) == set(want)
    wrong = {k: (got[k], want[k]) for k in want if not close(got[k], want[k])}
    assert not wrong
