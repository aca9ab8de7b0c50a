"""Load step, raw half: platform presets -- a platform's export read as it is delivered.

A preset (`format: amazon-connect`, `format: genesys-cloud` on the interactions source) knows the
platform's records: their field names and nesting, their timestamps (ISO 8601 in UTC), their units,
how one customer contact is spread over several records or participants (its legs), and how the
platform says duplicates are resolved. It writes the SQL that turns those records into the one
row per customer contact every later stage reads (`interactions_read`, the same fields a mapped
CSV gives), so every KPI, reject reason and data-quality count after it is the one definition
govdocs has. `columns:` still overrides a field's path (Agent.HierarchyGroups.Level1.GroupName
for the partner, say).

Per contact, for every preset:
- it belongs to the partner whose queue it entered first (the queue's name, through
  `partner_values`): the partner it was offered to, who answers for its wait;
- arrived = entering that first queue; answered = the first moment an agent was connected to the
  customer (after the alert, when the conversation starts: the moment the platforms' own
  service-level and answer-time metrics count to); abandoned = never answered, ended when the
  customer left the last queue;
- handle time (talk + hold + after-contact work) and transfers are summed over the legs;
- a contact that never entered a queue (self-service in the IVR, an outbound dial) is "not
  queued": neither offered nor rejected, counted on its own.

Each preset's section of docs/data.md cites the platform documentation it follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from govdocs.raw.model import FileFormat, InteractionSource

# govdocs fields a preset's contact row has (all as text; the parsing stage reads them)
CONTACT_FIELDS = (
    "contact_id",
    "partner",
    "channel",
    "programme",
    "type",
    "customer_id",
    "arrived_at",
    "answered_at",
    "ended_at",
    "talk_seconds",
    "hold_seconds",
    "acw_seconds",
    "transfers",
)


@dataclass(frozen=True)
class Preset:
    name: str
    title: str  # "Amazon Connect contact records"
    paths: Mapping[str, str]  # field -> dotted path in one record (govdocs fields may be overridden)
    fixed: tuple[str, ...]  # the fields `columns:` may not override (the leg model reads them)
    key: str  # a top-level key every record of this export has: how a file is recognised
    fields: tuple[str, ...] = CONTACT_FIELDS  # the contact row's fields (what the export can tell)
    # an API response's key holding the records ({"records": [...]}, {"calls": [...]}), unwrapped
    envelope: str | None = None
    # a file not starting with { or [ is CSV, a column per field (header names matched regardless of case)
    csv: bool = False
    # the fields a file must have (else every contact would read as not queued or never answered),
    # and where the user adds a missing one
    needed: tuple[str, ...] = ()
    add_to: str = ""
    # the drill-down fields (where a gap is) the contact row carries when they have a path, the
    # preset's or the user's `columns:` (a Connect hierarchy level for the team, say)
    drill: tuple[str, ...] = ()


AMAZON_CONNECT = Preset(
    name=FileFormat.AMAZON_CONNECT.value,
    title="Amazon Connect contact records",
    paths={
        "contact_id": "ContactId",
        "initial_contact_id": "InitialContactId",
        "initiation_method": "InitiationMethod",
        "last_updated_at": "LastUpdateTimestamp",
        "next_contact_id": "NextContactId",
        "transferred_out_at": "TransferCompletedTimestamp",
        "queue_duration": "Queue.Duration",  # the platform's own wait, compared with ours
        "partner": "Queue.Name",
        "programme": "Queue.Name",
        "channel": "Channel",
        "type": "InitiationMethod",
        "customer_id": "CustomerEndpoint.Address",
        "arrived_at": "Queue.EnqueueTimestamp",
        "left_queue_at": "Queue.DequeueTimestamp",
        "answered_at": "Agent.ConnectedToAgentTimestamp",
        "ended_at": "DisconnectTimestamp",
        "talk_seconds": "Agent.AgentInteractionDuration",
        "hold_seconds": "Agent.CustomerHoldDuration",
        "acw_seconds": "Agent.AfterContactWorkDuration",
        "agent_id": "Agent.Username",  # the agent who handled the leg (the queue is Queue.Name)
    },
    fixed=(
        "contact_id",
        "initial_contact_id",
        "initiation_method",
        "last_updated_at",
        "left_queue_at",
        "next_contact_id",
        "transferred_out_at",
        "queue_duration",
    ),
    key="ContactId",
    # teams and sites are levels of the instance's own agent hierarchy: mapped by the user, e.g.
    # columns: {team: Agent.HierarchyGroups.Level3.GroupName}
    drill=("agent_id", "team", "site"),
)

GENESYS_CLOUD = Preset(
    name=FileFormat.GENESYS_CLOUD.value,
    title="Genesys Cloud conversation details",
    # the conversation model is read whole (participants -> sessions -> segments): no paths to override
    paths={},
    fixed=CONTACT_FIELDS,
    key="conversationId",
    # the agent who answered (the agent participant's userId); the queue is `programme`; a team or
    # site comes from the roster (the conversation records carry neither)
    drill=("agent_id",),
)

NICE_CXONE = Preset(
    name=FileFormat.NICE_CXONE.value,
    title="a NICE CXone Call Detail data download",
    paths={
        "contact_id": "Contact_ID",
        "master_contact_id": "Master_Contact_ID",
        "partner": "Skill_Name",
        "programme": "Skill_Name",
        "channel": "Media_Name",
        "customer_id": "ANI_DIALNUM",
        "start_date": "Start_Date",
        "start_time": "Start_Time",
        "pre_queue_seconds": "PreQueue",
        "in_queue_seconds": "InQueue",
        "talk_seconds": "Agent_Time",
        "acw_seconds": "ACW_Seconds",
        "abandoned": "Abandon",
        # the drill-down's (where a gap is), read when the download has them: the agent of the leg
        # first answered and its team (the skill is `programme`); a site is the user's to map
        "agent_id": "Agent_No",
        "team": "Team_Name",
    },
    fixed=(
        "contact_id",
        "master_contact_id",
        "start_date",
        "start_time",
        "pre_queue_seconds",
        "in_queue_seconds",
        "abandoned",
    ),
    key="Master_Contact_ID",
    # hold time is inside Agent_Time (Active_Talk_Time is documented as talk without hold); no direction
    fields=tuple(f for f in CONTACT_FIELDS if f not in ("hold_seconds", "type")),
    drill=("agent_id", "team", "site"),
)

SALESFORCE_VOICE = Preset(
    name=FileFormat.SALESFORCE_VOICE.value,
    title="Salesforce Service Cloud Voice VoiceCall records",
    paths={
        "contact_id": "Id",
        "previous_call_id": "PreviousCallId",
        "next_call_id": "NextCallId",
        "last_updated_at": "LastModifiedDate",
        "partner": "QueueName",
        "programme": "QueueName",
        "type": "CallType",
        # the caller: the customer on an inbound, transfer or callback call (outbound calls are
        # dialled, never queued, so never counted)
        "customer_id": "FromPhoneNumber",
        "arrived_at": "CallQueuedDateTime",
        "answered_at": "CallAcceptDateTime",
        "ended_at": "CallEndDateTime",
        "hold_seconds": "CustomerHoldDuration",
    },
    fixed=(
        "contact_id",
        "previous_call_id",
        "next_call_id",
        "last_updated_at",
        "type",
        "arrived_at",
        "answered_at",
        "ended_at",
    ),
    key="CallType",  # not nillable on VoiceCall: every record has it
    # the VoiceCall object has no after-call-work duration (Omni-Channel's AgentWork holds it): a
    # handle time from these records is talk + hold
    fields=tuple(f for f in CONTACT_FIELDS if f != "acw_seconds"),
    envelope="records",  # a REST or Bulk API query response: {"totalSize", "done", "records": [...]}
    csv=True,  # Bulk API 2.0 query results and Data Loader exports
    needed=("contact_id", "type", "arrived_at", "answered_at", "ended_at", "partner", "previous_call_id"),
    add_to="the query's SELECT",
)

ZENDESK_TALK = Preset(
    name=FileFormat.ZENDESK_TALK.value,
    title="Zendesk Talk incremental calls export",
    paths={
        "contact_id": "id",
        "last_updated_at": "updated_at",
        "created_at": "created_at",
        "direction": "direction",
        "completion_status": "completion_status",
        "ivr_seconds": "ivr_time_spent",
        "answer_seconds": "time_to_answer",
        "duration_seconds": "duration",
        "wait_seconds": "wait_time",  # the platform's own queue wait, compared with ours
        "partner": "call_group_id",
        "programme": "call_group_id",
        "type": "direction",
        "customer_id": "customer_id",
        "talk_seconds": "talk_time",
        "hold_seconds": "hold_time",
        "acw_seconds": "wrap_up_time",
    },
    fixed=(
        "contact_id",
        "last_updated_at",
        "created_at",
        "direction",
        "completion_status",
        "ivr_seconds",
        "answer_seconds",
        "duration_seconds",
        "wait_seconds",
    ),
    key="completion_status",  # every call of the export has it (null while the call is going on)
    # a call record says nothing of transfers (the call legs export does): no transfer rate
    fields=tuple(f for f in CONTACT_FIELDS if f != "transfers"),
    envelope="calls",  # GET /api/v2/channels/voice/stats/incremental/calls: {"calls": [...], "next_page", ...}
)

FIVE9 = Preset(
    name=FileFormat.FIVE9.value,
    title="a Five9 Call Log report",
    # the Call Log report of Five9's standard reports (folder 'Call Log Reports'), as its CSV
    paths={
        "contact_id": "CALL ID",
        "started_at": "TIMESTAMP",
        "call_time": "CALL TIME",
        "ivr_time": "IVR TIME",
        "queue_wait_time": "QUEUE WAIT TIME",
        "ring_time": "RING TIME",
        "abandoned": "ABANDONED",
        "partner": "CAMPAIGN",
        "programme": "CAMPAIGN",
        "type": "CALL TYPE",
        "customer_id": "ANI",
        "talk_seconds": "TALK TIME",
        "hold_seconds": "HOLD TIME",
        "acw_seconds": "AFTER CALL WORK TIME",
        "transfers": "TRANSFERS",
    },
    fixed=("contact_id", "started_at", "call_time", "ivr_time", "queue_wait_time", "ring_time", "abandoned", "type"),
    key="CALL ID",
    csv=True,
    needed=("contact_id", "started_at", "call_time", "queue_wait_time", "abandoned", "type", "partner", "talk_seconds"),
    add_to="the report template",
)

TALKDESK = Preset(
    name=FileFormat.TALKDESK.value,
    title="a Talkdesk calls report",
    # the Explore API's calls report (POST /data/reports/calls/jobs), its fields as its v1 payload
    paths={
        "contact_id": "call_id",
        "started_at": "start_at",
        "finished_at": "end_at",
        "wait_seconds": "wait_time",
        "call_type": "type",
        "is_transfer": "is_transfer",
        "partner": "ring_groups",
        "programme": "ring_groups",
        "type": "type",
        "customer_id": "contact_phone_number",
        "talk_seconds": "talk_time",
        "hold_seconds": "hold_time",
    },
    fixed=("contact_id", "started_at", "finished_at", "wait_seconds", "call_type", "is_transfer"),
    key="talkdesk_phone_number",
    # the calls report has no after-call work (wrap-up): a handle time from it is talk + hold
    fields=tuple(f for f in CONTACT_FIELDS if f != "acw_seconds"),
    envelope="entries",  # the report as the API returns it: {"type": "calls", "version", "entries": [...], "total"}
    csv=True,  # the same report requested with format csv
    needed=("contact_id", "started_at", "finished_at", "wait_seconds", "call_type", "partner", "talk_seconds"),
    add_to="the report's fields",
)

TWILIO_FLEX = Preset(
    name=FileFormat.TWILIO_FLEX.value,
    title="Twilio TaskRouter events",
    # the Event resource (GET /v1/Workspaces/{WorkspaceSid}/Events): one event per step of a task,
    # its details in event_data (snake_case, as the resource and Event Streams' payloads spell them)
    paths={
        "event_sid": "sid",
        "event_type": "event_type",
        "event_date": "event_date",
        "event_date_ms": "event_date_ms",
        "contact_id": "event_data.task_sid",
        "task_attributes": "event_data.task_attributes",
        "partner": "event_data.task_queue_name",
        "programme": "event_data.task_queue_name",
        "channel": "event_data.task_channel_unique_name",
    },
    fixed=("event_sid", "event_type", "event_date", "event_date_ms", "contact_id", "task_attributes"),
    key="event_type",
    # the events carry no hold: talk (accepted to wrap-up) includes it, so hold is not offered
    fields=tuple(f for f in CONTACT_FIELDS if f != "hold_seconds"),
    envelope="events",  # the list response as delivered: {"events": [...], "meta": {...}}
    needed=("event_type", "event_date", "contact_id"),
    add_to="the export (the Event resource's fields)",
)

PRESETS: dict[str, Preset] = {
    p.name: p
    for p in (AMAZON_CONNECT, GENESYS_CLOUD, NICE_CXONE, SALESFORCE_VOICE, ZENDESK_TALK, FIVE9, TALKDESK, TWILIO_FLEX)
}


def preset_of(src: object) -> Preset | None:
    """The preset a source's `format` names, or None for a mapped table (csv, parquet, json)."""
    fmt = getattr(src, "format", None)
    return PRESETS.get(fmt.value if isinstance(fmt, FileFormat) else str(fmt))


def leg_paths(src: InteractionSource) -> dict[str, str]:
    """Each field's path in one record: the preset's, overridden by `columns:`."""
    preset = preset_of(src)
    assert preset is not None
    paths = dict(preset.paths)
    for field, column in src.columns.model_dump(exclude_none=True).items():
        if field not in preset.fixed and isinstance(column, str):
            paths[field] = column
    return paths


def fields_of(src: object) -> dict[str, object]:
    """govdocs field -> where it comes from: the mapped columns, or for a preset the contact row's
    fields with the record path each is made from (the measures ask which fields a source has)."""
    preset = preset_of(src)
    if preset is None:
        return src.columns.model_dump(exclude_none=True)  # type: ignore[attr-defined]
    paths = leg_paths(src)  # type: ignore[arg-type]
    fields = {field: paths.get(field, DERIVED[preset.name].get(field, "legs")) for field in preset.fields}
    derived = DERIVED[preset.name]
    return fields | {
        field: paths.get(field, derived.get(field)) for field in preset.drill if field in paths or field in derived
    }


# where a preset's contact fields come from when no single record field holds them (named in samples)
DERIVED: dict[str, dict[str, str]] = {
    AMAZON_CONNECT.name: {"transfers": "InitiationMethod + NextContactId + TransferCompletedTimestamp"},
    GENESYS_CLOUD.name: {
        "contact_id": "conversationId",
        "partner": "segments.queueId",
        "programme": "segments.queueId",
        "channel": "sessions.mediaType",
        "type": "originatingDirection",
        "customer_id": "sessions.ani",
        "arrived_at": "segments.segmentStart",
        "answered_at": "segments.segmentStart",
        "ended_at": "segments.segmentEnd",
        "talk_seconds": "segments.segmentEnd",
        "hold_seconds": "segments.segmentEnd",
        "acw_seconds": "segments.segmentEnd",
        "transfers": "segments.disconnectType",
        "agent_id": "participants.userId",
    },
    NICE_CXONE.name: {
        "arrived_at": "Start_Date + Start_Time + PreQueue",
        "answered_at": "Start_Date + Start_Time + PreQueue + InQueue",
        "ended_at": "Start_Date + Start_Time + PreQueue + InQueue",
        "transfers": "Master_Contact_ID",
    },
    SALESFORCE_VOICE.name: {
        "channel": "VoiceCall (a call)",
        "talk_seconds": "CallEndDateTime - CallAcceptDateTime - CustomerHoldDuration",
        "transfers": "CallType + PreviousCallId + NextCallId",
    },
    TALKDESK.name: {
        "channel": "a call (voice)",
        "arrived_at": "start_at",
        "answered_at": "start_at + wait_time",
        "ended_at": "end_at (unanswered: start_at + wait_time)",
        "transfers": "is_transfer",
    },
    TWILIO_FLEX.name: {
        "arrived_at": "the first task-queue.entered (else task.created)",
        "answered_at": "the first reservation.accepted",
        "ended_at": "task.completed (unanswered: task.canceled)",
        "talk_seconds": "reservation.accepted to task.wrapup (else to task.completed)",
        "acw_seconds": "task.wrapup to task.completed",
        "transfers": "the tasks of one conversation after the first",
        "customer_id": "task_attributes from",
    },
    FIVE9.name: {
        "channel": "a call (voice)",
        "arrived_at": "TIMESTAMP + IVR TIME",
        "answered_at": "TIMESTAMP + IVR TIME + QUEUE WAIT TIME + RING TIME",
        "ended_at": "TIMESTAMP + CALL TIME (abandoned: + IVR TIME + QUEUE WAIT TIME + RING TIME)",
    },
    ZENDESK_TALK.name: {
        "channel": "a call (voice)",
        "arrived_at": "created_at + ivr_time_spent",
        "answered_at": "created_at + time_to_answer",
        "ended_at": "created_at + duration",
    },
}


def contact_types(preset: Preset) -> dict[str, str]:
    """The contact row's field types for the parsing stage: text, taken as written (trimmed already)."""
    return {field: "VARCHAR NOTRIM" for field in preset.fields}


def record_paths(src: InteractionSource) -> tuple[str, ...]:
    return tuple(dict.fromkeys(leg_paths(src).values()))
