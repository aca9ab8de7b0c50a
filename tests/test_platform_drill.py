"""Platform presets carry the drill-down fields (where a gap is) where the platform does: Genesys
Cloud's answering agent (the agent participant's `userId`), NICE CXone's `Agent_No` and
`Team_Name` (the Call Detail download) or `agentId` and `teamName` (the Reporting API); the
queue or skill is the contact's `programme` as before. The agent joins the roster (tenure, and a
team or site the records lack). A download without `Team_Name` still reads (the column is
optional). Each check is against the scenarios' contacts counted by hand: every answered contact
of a partner names that partner's agent."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from govdocs.raw import engine
from govdocs.raw.model import RawData
from tests.platform_records import (
    CXONE_HEADER,
    MEASURES,
    PARTNERS,
    ZONE,
    cxone_rows,
    genesys_page,
    genesys_queues,
    scenarios,
    write_csv,
)

# the scenarios' answered contacts, counted by hand: (partner, month) -> contacts
# ATL: k01, k02 (its first leg), k06 in July; k09 (1 August in Lisbon), k12 in August.
# BRV: k07, k08 in July; k11 in August (k03, k04, k10 abandoned; k05 never queued)
ANSWERED = {("ATL", "2026-07"): 3, ("ATL", "2026-08"): 2, ("BRV", "2026-07"): 2, ("BRV", "2026-08"): 1}


def _raw(interactions: dict, roster: bool) -> RawData:
    sources: dict = {"interactions": {"timezone": ZONE, "partner_values": PARTNERS, **interactions}}
    if roster:
        sources["roster"] = {
            "files": "roster.csv",
            "partner_values": PARTNERS,
            "columns": {"agent_id": "Agent", "partner": "Vendor", "hired_on": "Hired", "team": "Team"},
        }
    return RawData.model_validate({"sources": sources, "kpis": MEASURES})


def _segments(drill, dimension: str) -> dict[tuple[str, str, str], float]:
    rows = drill[(drill["kpi"] == "asa") & (drill["dimension"] == dimension)]
    return {(r.partner, r.period, None if pd.isna(r.segment) else r.segment): r.volume for r in rows.itertuples()}


def test_genesys_names_the_answering_agent_who_joins_the_roster(tmp_path: Path) -> None:
    (tmp_path / "details.json").write_text(json.dumps(genesys_page(scenarios())), encoding="utf-8")
    (tmp_path / "queues.json").write_text(json.dumps(genesys_queues(list(PARTNERS))), encoding="utf-8")
    # the fixture's agents: user-atl answers Atlas's queue, user-bra Bravo's
    write_csv(
        tmp_path / "roster.csv",
        ["Agent", "Vendor", "Hired", "Team"],
        [
            ["user-atl", "Atlas Lisbon", "2026-06-15", "Lisbon 1"],
            ["user-bra", "Bravo Manila", "2020-01-01", "Manila 4"],
        ],
    )
    raw = _raw({"files": "details.json", "format": "genesys-cloud", "queues": "queues.json"}, roster=True)
    drill = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"]).drill
    assert drill is not None
    team = {"ATL": "Lisbon 1", "BRV": "Manila 4"}
    assert _segments(drill, "team") == {(p, m, team[p]): n for (p, m), n in ANSWERED.items()}
    # hired on 15 June 2026: under 90 days to 31 August; the other agent over a year
    tenure = {"ATL": "under_90_days", "BRV": "over_365_days"}
    assert _segments(drill, "tenure") == {(p, m, tenure[p]): n for (p, m), n in ANSWERED.items()}
    assert {("ATL", "2026-07", "Atlas Lisbon"), ("BRV", "2026-08", "Bravo Manila")} <= set(_segments(drill, "queue"))


@pytest.mark.parametrize("with_team", [True, False])
def test_cxone_download_names_the_agent_and_team(tmp_path: Path, with_team: bool) -> None:
    rows = cxone_rows(scenarios(), ZONE)
    header = list(CXONE_HEADER)
    skill = header.index("Skill_Name")
    agent = header.index("Agent_No")
    if with_team:  # a download with the team column: the leg's agent's team
        header.append("Team_Name")
        rows = [[*r, f"Team {r[skill][:3]}" if r[agent] else ""] for r in rows]
    write_csv(tmp_path / "cd.csv", header, rows)
    write_csv(
        tmp_path / "roster.csv", ["Agent", "Vendor", "Hired", "Team"], [["1001", "Atlas Lisbon", "2025-12-01", ""]]
    )
    raw = _raw({"files": "cd.csv", "format": "nice-cxone"}, roster=True)
    aggregation = engine.aggregate(raw, base=tmp_path, partner_ids=["ATL", "BRV"])
    drill = aggregation.drill
    assert drill is not None
    teams = _segments(drill, "team")
    if with_team:
        # k02's first leg (Atlas's queue) was answered first: the contact's agent and team are that leg's
        team = {"ATL": "Team Atl", "BRV": "Team Bra"}
        assert teams == {(p, m, team[p]): n for (p, m), n in ANSWERED.items()}
    else:  # no team column, none in the roster: every answered contact's team is unrecorded
        assert all(segment is None for _, _, segment in teams)
    # Agent_No joins the roster: agent 1001 is Atlas's, hired 1 Dec 2025 (90-365 days in July);
    # Bravo's contacts name the same number, which Atlas's roster does not list for Bravo
    tenure = _segments(drill, "tenure")
    assert {k: v for k, v in tenure.items() if k[0] == "ATL"} == {
        (p, m, "90_to_365_days"): n for (p, m), n in ANSWERED.items() if p == "ATL"
    }
    assert {k: v for k, v in tenure.items() if k[0] == "BRV"} == {
        (p, m, None): n for (p, m), n in ANSWERED.items() if p == "BRV"
    }


def test_cxone_reporting_api_names_the_agent_and_team(tmp_path: Path) -> None:
    """The public sample of GET /contacts/completed: two answered contacts of skill 'Main', agent
    999999 of team 'Call Center' (tests/platform_samples/SOURCES)."""
    sample = Path(__file__).parent / "platform_samples" / "cxone-completed-contacts.json"
    (tmp_path / "completed.json").write_bytes(sample.read_bytes())
    raw = RawData.model_validate(
        {
            "sources": {
                "interactions": {
                    "files": "completed.json",
                    "format": "nice-cxone",
                    "timezone": ZONE,
                    "partner_values": {"Main": "MAIN"},
                }
            },
            "kpis": MEASURES,
        }
    )
    drill = engine.aggregate(raw, base=tmp_path, partner_ids=["MAIN"]).drill
    assert drill is not None
    assert _segments(drill, "team") == {("MAIN", "2016-09", "Call Center"): 2}
    assert _segments(drill, "queue") == {("MAIN", "2016-09", "Main"): 2}
