"""Isolation canary: no artefact of one partner carries another partner's marker.

The example programme is rewritten so that every partner carries unique markers: its id (so
every data row carries it), its name, aliases, partner-side contacts (name, role, e-mail),
services, target sources, contract clause, a client factor of its own in the config, every free
text of its inputs file (context, commentary, client factors, earlier actions, next steps), its
proposed actions and its offboarding assessment. One real `govdocs build` writes every document
type; then each artefact is read the way a recipient could read it -- PDF text, every string in
the PDF's object tree (metadata, outline, link targets, names), embedded files, the .ics, the
manifest entries -- and checked against the rule its audience promises:

* partner-facing (QBR partner copy, the plan, its .ics): no other partner's marker at all;
* the plan's internal copy and the offboarding memo are about one partner: no other marker
  either. (The memo is internal and has no partner copy, so the vendor manager's own text may
  name another partner -- the example's CRN checklist names Atlas as a possible replacement --
  but no marker is put there, so a peer's marker could only come from the code.)
* the internal QBR names its peers (README: "peers named") but no peer's own text;
* the portfolio summary names every partner and no partner's text.

Marker tokens: the partner id ``<TAG><4 hex>`` (e.g. ``ATL7F3A``; every tag has a letter that is
not a hex digit, so no hash or document id can contain one) is inside every marker of the
partner; ``TXT<id>`` marks its free text, ``INT<id>`` its internal notes.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import CONFIG, DATA, EXAMPLES, INPUTS
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from govdocs.cli import cli

IDS = {"ATL": "ATL7F3A", "BRV": "BRV2C9E", "CRN": "CRN5B1D", "DLT": "DLT8E4C", "ECH": "ECH3A6F"}
PARTNERS = tuple(IDS.values())
VOICE = ("ATL7F3A", "BRV2C9E", "CRN5B1D", "ECH3A6F")  # DLT is alone in the digital group
# Free-text keys of inputs, actions and assessment files (ids, dates, kinds and statuses are not text).
FREE_TEXT = {
    "summary",
    "handling",
    "highlights",
    "concerns",
    "factor",
    "impact",
    "client_owner",
    "action",
    "metric",
    "threshold",
    "owner",
    "note",
    "comment",
    "evidence",
}


# Lists of ids, not text: the context kinds an action answers, the KPIs a context event bears on.
NOT_TEXT = {"addresses", "kpis"}


def text_marker(pid: str) -> str:
    return f"TXT{pid}"


def internal_marker(pid: str) -> str:
    return f"INT{pid}"


def _mark(value: object, token: str) -> object:
    """Every free text in `value` (recursively) gets `token` appended."""
    if isinstance(value, str):
        return f"{value} {token}"
    if isinstance(value, list):
        return [_mark(item, token) for item in value]
    if isinstance(value, dict):
        return {
            k: _mark(v, token) if k in FREE_TEXT or (isinstance(v, list | dict) and k not in NOT_TEXT) else v
            for k, v in value.items()
        }
    return value


def _dump(path: Path, data: object) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8")


# --- the canary programme ---------------------------------------------------------------------


def _config(target: Path) -> None:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for factor in config["client_factors"]:
        if factor.get("partners"):
            factor["partners"] = [IDS[p] for p in factor["partners"]]
    for partner in config["partners"]:
        pid = IDS[partner["id"]]
        partner["id"] = pid
        partner["name"] = f"{partner['name']} {pid}"
        # ATL and DLT without aliases: their isolation may not depend on them
        partner["aliases"] = [] if pid in (IDS["ATL"], IDS["DLT"]) else [*partner["aliases"], f"Alias{pid}"]
        partner["services"] = [f"{s} {text_marker(pid)}" for s in partner["services"]]
        for contact in partner["contacts"]:
            if contact["side"] == "partner":  # client-side people are shared by design
                first, last = contact["name"].split(" ", 1)
                contact["name"] = f"{first} {pid} {last}"
                contact["role"] = f"{contact['role']} {text_marker(pid)}"
                contact["email"] = f"lead@{pid.lower()}.example"
        for override in partner.get("targets", {}).values():
            override["target_source"] = f"{override['target_source']} {text_marker(pid)}"
        contract = partner["contract"]
        if "termination_for_cause" in contract:
            contract["termination_for_cause"] += f" {text_marker(pid)}"
        # A programme-level client factor for this partner only: must reach nobody else.
        config["client_factors"].append(
            {
                "kpi": "service_level",
                "factor": f"Routing rule for this partner only {text_marker(pid)}",
                "impact": f"about 1 pp {text_marker(pid)}",
                "client_owner": "Helios Customer Operations",
                "partners": [pid],
            }
        )
    _dump(target, config)


def _data(target: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(DATA.read_text(encoding="utf-8"))))
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "partner": IDS[row["partner"]]})


def _inputs(folder: Path) -> None:
    folder.mkdir()
    for old, pid in IDS.items():
        inputs = yaml.safe_load((INPUTS / f"{old}.yaml").read_text(encoding="utf-8"))
        notes = inputs.get("commentary", {}).pop("internal_notes", [])
        marked = _mark(inputs, text_marker(pid))
        marked["partner"] = pid
        commentary = marked.setdefault("commentary", {})
        commentary.setdefault("highlights", []).append(f"Highlight of the quarter {text_marker(pid)}")
        commentary["internal_notes"] = [*notes, f"Internal note {internal_marker(pid)}"]
        marked.setdefault("context", []).append(
            {"kind": "other", "since": "2026-07", "summary": f"Context {text_marker(pid)}", "handling": "In hand"}
        )
        _dump(folder / f"{pid}.yaml", marked)


def _actions(folder: Path) -> None:
    folder.mkdir()
    pid = IDS["BRV"]
    rows = list(csv.DictReader(io.StringIO((EXAMPLES / "actions" / "BRV.csv").read_text(encoding="utf-8"))))
    with (folder / f"{pid}.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            marked = {k: f"{v} {text_marker(pid)}".strip() if k in FREE_TEXT else v for k, v in row.items()}
            writer.writerow(marked)
    ech = yaml.safe_load((EXAMPLES / "actions" / "ECH.yaml").read_text(encoding="utf-8"))
    _dump(folder / f"{IDS['ECH']}.yaml", _mark(ech, text_marker(IDS["ECH"])))


def _assessments(folder: Path) -> None:
    folder.mkdir()
    for old in ("BRV", "CRN"):
        pid = IDS[old]
        review = yaml.safe_load((EXAMPLES / "assessments" / f"{old}.yaml").read_text(encoding="utf-8"))
        review = _mark(review, text_marker(pid))
        review["partner"] = pid
        _dump(folder / f"{pid}.yaml", review)


def canary_programme(root: Path) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    paths = {
        "config": root / "governance.yaml",
        "data": root / "kpis.csv",
        "inputs": root / "inputs",
        "actions": root / "actions",
        "assessments": root / "assessments",
    }
    _config(paths["config"])
    _data(paths["data"])
    _inputs(paths["inputs"])
    _actions(paths["actions"])
    _assessments(paths["assessments"])
    return paths


def build_args(paths: dict[str, Path], out: Path) -> list[str]:
    # PDF/A-3u: every document carries its scorecard as an embedded file, read and checked like the rest
    args = ["build", "--quarter", "2026-Q3", "--as-of", "2026-10-15", "--jobs", "2", "--out", str(out)]
    args += ["--pdf-variant", "pdf/a-3u"]
    for option in ("config", "data", "inputs", "actions", "assessments"):
        args += [f"--{option}", str(paths[option])]
    return args


# --- reading an artefact as its recipient could ---------------------------------------------


def _pdf_object_strings(reader: PdfReader) -> list[str]:
    """Every string and name in the PDF's object tree: metadata, outline, annotations and
    their targets, named destinations, embedded-file names (stream data aside)."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if (obj.idnum, obj.generation) in seen:
                continue
            seen.add((obj.idnum, obj.generation))
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):  # streams too: their dictionaries
            found += [str(key) for key in obj]
            stack += list(obj.values())
        elif isinstance(obj, ArrayObject):
            stack += list(obj)
        elif isinstance(obj, NameObject | str):
            found.append(str(obj))
        elif isinstance(obj, bytes):
            found.append(obj.decode("latin-1"))
    return found


def pdf_artefact(path: Path) -> dict[str, str]:
    """The readable parts of a PDF, by where they were found."""
    reader = PdfReader(path)
    parts = {
        "text": "\n".join(page.extract_text() for page in reader.pages),
        "metadata": json.dumps({k: str(v) for k, v in (reader.metadata or {}).items()}, ensure_ascii=False),
        "objects": "\n".join(_pdf_object_strings(reader)),
    }
    xmp = reader.xmp_metadata
    if xmp is not None:
        parts["xmp"] = xmp.stream.get_data().decode("utf-8", "replace")
    for name, contents in reader.attachments.items():
        parts[f"attachment {name}"] = name + "\n" + "\n".join(c.decode("utf-8", "replace") for c in contents)
    return parts


def ics_text(path: Path) -> str:
    """The calendar unfolded (RFC 5545 folds lines at 75 octets) and unescaped."""
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\\\", "\\")


def _squash(text: str) -> str:
    """Lower case without whitespace: a marker wrapped or spaced by text extraction still matches."""
    return re.sub(r"\s+", "", text).lower()


def markers_in(text: str, tokens: list[str]) -> list[str]:
    squashed = _squash(text)
    return [t for t in tokens if t.lower() in squashed]


def others(pid: str | None) -> list[str]:
    return [p for p in PARTNERS if p != pid]


def forbidden(entry: dict) -> list[str]:
    """The markers an artefact of `entry` may not carry, by the rule its audience promises."""
    pid = entry["partner"]
    if pid is None:  # the portfolio summary names every partner, never their text
        return [m(p) for p in PARTNERS for m in (text_marker, internal_marker)]
    if entry["type"] == "qbr" and entry["audience"] == "internal":  # peers named, not their text
        return [m(p) for p in others(pid) for m in (text_marker, internal_marker)]
    # Partner-facing, the plan's internal copy and the offboarding memo: nobody else at all.
    # (Every marker of a partner contains its id.)
    leaks = others(pid)
    if entry["audience"] == "partner":
        leaks.append(internal_marker(pid))  # nor the partner's own internal notes
    return leaks


# --- the build, once ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Canary:
    out: Path
    manifest: dict
    pdfs: dict[str, dict[str, str]]  # manifest path -> its readable parts, read once

    def entries(self, kind: str, audience: str) -> dict[str | None, dict]:
        return {e["partner"]: e for e in self.manifest["documents"] if e["type"] == kind and e["audience"] == audience}


@pytest.fixture(scope="module")
def canary(tmp_path_factory: pytest.TempPathFactory) -> Canary:
    root = tmp_path_factory.mktemp("canary")
    paths = canary_programme(root / "programme")
    out = root / "out"
    result = CliRunner().invoke(cli, build_args(paths, out), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "2026-Q3" / "manifest.json").read_text(encoding="utf-8"))
    pdfs = {e["path"]: pdf_artefact(out / e["path"]) for e in manifest["documents"]}
    return Canary(out, manifest, pdfs)


def test_the_canary_build_writes_every_document_type(canary):
    out, manifest = canary.out, canary.manifest
    documents = manifest["documents"]
    assert manifest["failed"] == []
    assert set(canary.entries("qbr", "partner")) == set(PARTNERS)
    assert set(canary.entries("qbr", "internal")) == set(PARTNERS)
    plans = canary.entries("pip", "partner")
    # one called for (CRN), one open (ECH, from Q2); BRV's is not (August relieved, its score's trigger
    # provisional: issue 32)
    assert set(plans) == {IDS["CRN"], IDS["ECH"]}
    assert plans[IDS["ECH"]]["cause"].startswith("open plan from Q2 2026")
    assert set(canary.entries("pip", "internal")) == set(plans)
    assert set(canary.entries("offboarding", "internal")) == {IDS["CRN"]}
    assert set(canary.entries("portfolio", "internal")) == {None}
    calendars = [a["path"] for e in documents for a in e["attachments"]]
    # ECH's plan has had its final review: it publishes no calendar again (issue 35)
    assert sorted(calendars) == [f"2026-Q3/pip-{IDS['CRN']}.ics"]
    assert len(documents) == 16
    assert len(list((out / "2026-Q3").glob("*.pdf"))) == 16


def test_no_artefact_carries_another_partners_marker(canary):
    out, manifest = canary.out, canary.manifest
    leaks: list[tuple[str, str, str]] = []
    checked = 0

    def check(what: str, where: str, text: str, banned: list[str]) -> None:
        nonlocal checked
        checked += 1
        leaks.extend((what, where, marker) for marker in markers_in(text, banned))

    for entry in manifest["documents"]:
        pid = entry["partner"]
        for where, text in canary.pdfs[entry["path"]].items():
            check(entry["path"], where, text, forbidden(entry))
        for attachment in entry["attachments"]:  # the plan's .ics goes to the partner
            check(attachment["path"], "ics", ics_text(out / attachment["path"]), [*others(pid), internal_marker(pid)])
        if pid is not None:
            check(entry["path"], "manifest entry", json.dumps(entry), others(pid))
    for skipped in manifest["skipped"]:
        check(skipped["partner"], "manifest, skipped", json.dumps(skipped), others(skipped["partner"]))
    assert leaks == [], "\n".join(f"{what} ({where}) carries {marker}" for what, where, marker in leaks)
    # 16 PDFs x (text, metadata, object tree, XMP, the embedded scorecard) + 1 calendar (CRN's;
    # ECH's plan has ended and writes none) + 15 partner entries + 7 skipped entries
    assert checked == 16 * 5 + 1 + 15 + 7


def test_markers_are_readable_where_they_belong(canary):
    """The positive control: the check above can only pass honestly if the markers it looks for
    are found where they were put."""
    out, manifest = canary.out, canary.manifest
    for entry in manifest["documents"]:
        pid = entry["partner"]
        parts = canary.pdfs[entry["path"]]
        if pid is None:
            assert markers_in(parts["text"], list(PARTNERS)) == list(PARTNERS)  # names every partner
            continue
        assert markers_in(parts["text"], [pid, text_marker(pid)]) == [pid, text_marker(pid)], entry["path"]
        assert markers_in(parts["metadata"], [pid]) == [pid], entry["path"]  # the title names the partner
        (data,) = [text for where, text in parts.items() if where.startswith("attachment ")]
        assert markers_in(data, [pid]) == [pid], entry["path"]  # its own scorecard
        assert markers_in(data, others(pid)) == [], entry["path"]  # and no one else's, internal copies too
        if entry["type"] == "qbr":
            notes = markers_in(parts["text"], [internal_marker(pid)])
            assert notes == ([internal_marker(pid)] if entry["audience"] == "internal" else []), entry["path"]
        if entry["type"] == "qbr" and entry["audience"] == "internal":
            assert markers_in(parts["text"], others(pid)) == others(pid)  # peers named
        for attachment in entry["attachments"]:
            assert markers_in(ics_text(out / attachment["path"]), [pid]) == [pid]


def test_partner_facing_peer_comparison_is_anonymous(canary):
    for pid, entry in canary.entries("qbr", "partner").items():
        text = " ".join(canary.pdfs[entry["path"]]["text"].split())
        start = text.index("Appendix · Peer comparison")  # in the appendix since issue 35
        end = text.index("Appendix · ", start + 1)
        section = re.sub(r"Page \d+ of \d+", "", text[start:end])  # not the footer
        assert "Best peer" not in section and "Best partner" not in section
        assert "Peer median" not in section and "Rank" not in section  # three peers: no figure at all
        assert not re.search(r"\b\d+ of \d+\b", section)
        if pid in VOICE:
            assert "against the 3 other partners of its peer group (voice), who are not named" in section
            assert "at most 3 other partners of the peer group have data for any KPI, fewer than the 5" in section
        else:
            # alone in its group: said plainly, not "against the 0 other partners"
            assert "No other partner is in" in section and "peer group (digital), so there is no one to" in section
            assert "0 other partners" not in section
    internal = " ".join(canary.pdfs[canary.entries("qbr", "internal")[IDS["BRV"]]["path"]]["text"].split())
    assert "Best peer" in internal  # the internal copy keeps best values and names


def test_the_scanner_reads_metadata_outline_names_and_attachments(tmp_path: Path):
    """A marker outside the page text is still found: the checks above are not blind there."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Subject": f"about {IDS['CRN']}"})
    writer.add_outline_item(title=f"Peer {IDS['ATL']}", page_number=0)
    writer.add_named_destination(f"peer-{IDS['DLT']}", 0)
    writer.add_attachment(f"notes-{IDS['BRV']}.txt", text_marker(IDS["ECH"]).encode())
    path = tmp_path / "probe.pdf"
    writer.write(path)
    parts = pdf_artefact(path)
    assert markers_in(parts["metadata"], list(PARTNERS)) == [IDS["CRN"]]
    assert markers_in(parts["objects"], list(PARTNERS)) == [IDS[p] for p in ("ATL", "BRV", "CRN", "DLT")]
    attachment = parts[f"attachment notes-{IDS['BRV']}.txt"]
    assert markers_in(attachment, [text_marker(IDS["ECH"])]) == [text_marker(IDS["ECH"])]


def test_partner_plan_refuses_proposed_actions_naming_another_partner(tmp_path: Path):
    actions = tmp_path / "BRV.csv"
    original = (EXAMPLES / "actions" / "BRV.csv").read_text(encoding="utf-8")
    actions.write_text(original.replace("Onboard the second", "Copy the Atlas model and onboard the second"))
    out = tmp_path / "out"
    args = ["pip", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
    args += ["--partner", "BRV", "--actions", str(actions), "--as-of", "2026-10-15", "--out", str(out), "--jobs", "0"]
    result = CliRunner().invoke(cli, args)
    assert not (out / "2026-Q3" / "pip-BRV-partner.pdf").exists()
    assert result.exit_code == 5, result.output
    assert f"{actions}:2:" in result.output and "'Atlas'" in result.output


# --- names in every spelling, without aliases (issue 32 point 2, issue 33 point 5) ------------------

CONCERN = "    - Intraday re-forecasting was not used during the August peaks, when service level fell to 73%.\n"
# ATL as the programme below names it: "Atlas Contact Solutions B.V.", no aliases, contact Mara Lindqvist.
DISGUISES = {
    "suffix dropped, lower case": "atlas contact solutions",
    "identifying word": "Atlas",
    "accented": "Atlás",
    "upper case": "ATLAS CONTACT SOLUTIONS BV",
    "id": "ATL",
    "contact, line break in a block scalar": "Mara\n      Lindqvist",
    "contact, double space": "Mara  Lindqvist",
    "contact, non-breaking space": "Mara\u00a0Lindqvist",
    "contact, tab": "Mara\tLindqvist",
    "contact, soft hyphen": "Mara Lind\u00adqvist",
    "contact, zero-width space": "Mara Lind\u200bqvist",
    "contact, Cyrillic look-alike": "M\u0430ra Lindqvist",
    "contact, Greek look-alike": "Mara Lindqvist".replace("a", "\u03b1", 1),
    "contact e-mail": "M.Lindqvist@atlas-cs.example",
    "reversed behind a right-to-left override": "\u202eV.B snoituloS tcatnoC saltA\u202c",
}


def _aliasless_config(folder: Path) -> Path:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for partner in config["partners"]:
        partner["aliases"] = []
    config["partners"][0]["name"] = "Atlas Contact Solutions B.V."
    path = folder / "governance.yaml"
    _dump(path, config)
    return path


@pytest.mark.parametrize("how", list(DISGUISES))
def test_another_partner_is_recognised_in_any_spelling_without_aliases(tmp_path: Path, how: str):
    config = _aliasless_config(tmp_path)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    original = (INPUTS / "BRV.yaml").read_text(encoding="utf-8")
    mention = f"    - |\n      Staffing still lags {DISGUISES[how]}'s team.\n"
    (inputs / "BRV.yaml").write_text(original.replace(CONCERN, mention), encoding="utf-8")
    line = original[: original.index(CONCERN)].count("\n") + 1
    programme = ["--config", str(config), "--data", str(DATA), "--inputs", str(inputs)]
    checked = CliRunner().invoke(cli, ["validate", *programme, "--quarter", "2026-Q3"])
    assert f"{inputs / 'BRV.yaml'}:{line}: commentary.concerns[0]" in checked.output, checked.output
    assert "identifies another partner ('ATL')" in checked.output
    out = tmp_path / "out"
    args = ["qbr", *programme, "--quarter", "2026-Q3", "--partner", "BRV", "--as-of", "2026-10-15", "--out", str(out)]
    refused = CliRunner().invoke(cli, [*args, "--jobs", "0"])
    assert refused.exit_code == 5, refused.output
    assert f"{inputs / 'BRV.yaml'}:{line}:" in refused.output and "('ATL')" in refused.output
    assert not out.exists()


def test_a_programme_without_aliases_keeps_alpha_and_beta_apart(tmp_path: Path):
    """The issue's case: partners "Alpha" and "Beta Services Ltd", no aliases, and "Beta Services
    still lags behind us" in Alpha's inputs."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    for partner in config["partners"]:
        partner["aliases"] = []
    config["partners"][0]["name"], config["partners"][1]["name"] = "Alpha", "Beta Services Ltd"
    path = tmp_path / "governance.yaml"
    _dump(path, config)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "ATL.yaml").write_text(
        "partner: ATL\nquarter: 2026-Q3\ncommentary:\n  concerns:\n    - Beta Services still lags behind us.\n",
        encoding="utf-8",
    )
    programme = ["--config", str(path), "--data", str(DATA), "--inputs", str(inputs), "--quarter", "2026-Q3"]
    checked = CliRunner().invoke(cli, ["validate", *programme])
    assert f"{inputs / 'ATL.yaml'}:5: commentary.concerns[0]  names 'Beta Services'" in checked.output, checked.output
    out = tmp_path / "out"
    refused = CliRunner().invoke(cli, ["qbr", *programme, "--partner", "ATL", "--out", str(out), "--jobs", "0"])
    assert refused.exit_code == 5 and not out.exists(), refused.output


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("\u202eOPB enotsrenroC", "bidirectional control character"),
        ("Cornerstone\u200b BPO", "invisible character"),
        ("C\u043ernerstone BPO", "mixes Latin and Cyrillic letters"),
        ("Cornerst\u03bfne BPO", "mixes Latin and Greek letters"),
    ],
)
def test_a_disguised_partner_name_is_refused_with_its_line(tmp_path: Path, name: str, why: str):
    text = CONFIG.read_text(encoding="utf-8")
    config = tmp_path / "governance.yaml"
    config.write_text(text.replace("name: Cornerstone BPO", f'name: "{name}"'), encoding="utf-8")
    line = text[: text.index("name: Cornerstone BPO")].count("\n") + 1
    result = CliRunner().invoke(cli, ["validate", "--config", str(config)])
    assert result.exit_code == 3, result.output
    assert f"{config}:{line}: partners[2].name" in result.output and why in result.output


def test_the_canary_partners_without_aliases_are_recognised(tmp_path: Path):
    """The canary programme's ATL and DLT have no aliases: a disguised mention of either in any
    other partner's inputs is found, at its line."""
    paths = canary_programme(tmp_path / "programme")
    config = yaml.safe_load(paths["config"].read_text(encoding="utf-8"))
    aliasless = {p["id"]: p["name"] for p in config["partners"] if not p["aliases"]}
    assert set(aliasless) == {IDS["ATL"], IDS["DLT"]}
    for pid in PARTNERS:
        file = paths["inputs"] / f"{pid}.yaml"
        inputs = yaml.safe_load(file.read_text(encoding="utf-8"))
        mentions = [
            f"Behind {name.split()[0].upper()}\u200b's pace" for other, name in aliasless.items() if other != pid
        ]
        inputs["commentary"]["concerns"] = [*inputs["commentary"].get("concerns", []), *mentions]
        _dump(file, inputs)
    args = [
        "validate",
        "--config",
        str(paths["config"]),
        "--data",
        str(paths["data"]),
        "--inputs",
        str(paths["inputs"]),
    ]
    result = CliRunner().invoke(cli, [*args, "--quarter", "2026-Q3"])
    found = re.findall(
        r"(\w+)\.yaml:\d+: commentary\.concerns\[\d+\]  names '\w+', which identifies another partner \('(\w+)'\)",
        result.output,
    )
    expected = {(pid, other) for pid in PARTNERS for other in aliasless if other != pid}
    assert set(found) == expected, result.output


# --- provenance names only the partner's own files (issue 33 point 6) -------------------------------

SPLIT_FILES = {
    "ATL": "atlas-contact.csv",
    "BRV": "bravo-cx.csv",
    "CRN": "cornerstone-bpo.csv",
    "DLT": "delta-digital.csv",
    "ECH": "echo-offshore.csv",
}


def _visible(path: Path) -> str:
    import html

    text = re.sub(r"(?s)<style.*?</style>", " ", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_provenance_names_only_the_partners_own_data_files(tmp_path: Path):
    """The data split per partner, as the README suggests for several files: a partner copy names
    its own file with its own rows, never another partner's file."""
    rows = list(csv.DictReader(io.StringIO(DATA.read_text(encoding="utf-8"))))
    data: list[str] = []
    for pid, name in SPLIT_FILES.items():
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(r for r in rows if r["partner"] == pid)
        data += ["--data", str(path)]
    own = sum(1 for r in rows if r["partner"] == "BRV")
    out = tmp_path / "out"
    common = ["--config", str(CONFIG), *data, "--inputs", str(INPUTS), "--quarter", "2026-Q3", "--partner", "BRV"]
    common += ["--as-of", "2026-10-15", "--out", str(out), "--format", "html", "--jobs", "0"]
    for command in (["qbr"], ["pip", "--actions", str(EXAMPLES / "actions")]):
        for audience in ("partner", "internal"):
            result = CliRunner().invoke(cli, [*command, *common, "--audience", audience, "--force"])
            assert result.exit_code == 0, result.output
    for kind in ("qbr", "pip"):
        partner = _visible(out / "2026-Q3" / f"{kind}-BRV-partner.html")
        assert "bravo-cx.csv" in partner and f"{own} rows of BRV" in partner, kind
        named = [n for pid, n in SPLIT_FILES.items() if pid != "BRV" and n in partner]
        assert named == [], (kind, named)
        assert "4 files without BRV's rows" in partner
        internal = _visible(out / "2026-Q3" / f"{kind}-BRV-internal.html")
        assert "bravo-cx.csv" in internal and "4 files without BRV's rows" in internal, kind
