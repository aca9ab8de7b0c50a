"""A QBR built from a platform's export says, in its provenance appendix, which figure a KPI used
where the platform's records carry one of their own: the platform's (`from: platform`) or
govdocs' recomputation from the records -- on the partner copy and the internal copy alike."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

from click.testing import CliRunner

from govdocs.cli import cli

ROOT = Path(__file__).resolve().parent.parent
CONNECT = ROOT / "examples" / "raw" / "connect"


def _qbr(tmp_path: Path, mapping: Path, audience: str) -> str:
    out = tmp_path / "out"
    args = [
        "qbr", "--config", str(ROOT / "examples" / "governance.yaml"), "--raw", str(mapping),
        "--data", str(ROOT / "examples" / "raw" / "partner_reported.csv"),
        "--inputs", str(ROOT / "examples" / "inputs"),
        "--quarter", "2026-Q3", "--partner", "ATL", "--audience", audience, "--format", "html", "--out", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    page = (out / "2026-Q3" / f"qbr-ATL-{audience}.html").read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _rows(text: str) -> list[str]:
    return [" ".join(m.split()) for m in re.findall(r"Figure used(.*?)(?=Figure used|Row hash)", text, re.S)]


def test_the_partner_copy_names_the_platforms_own_figure(tmp_path: Path) -> None:
    exports = tmp_path / "connect"
    shutil.copytree(CONNECT, exports)
    mapping = exports / "mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace("{kpi: asa, measure: asa}", "{kpi: asa, measure: asa, from: platform}"), "utf-8")
    assert _rows(_qbr(tmp_path, mapping, "partner")) == [
        "Average speed of answer the platform's own queue time (Amazon Connect Queue.Duration)"
    ]


def test_the_internal_copy_says_a_kpi_was_recomputed(tmp_path: Path) -> None:
    assert _rows(_qbr(tmp_path, CONNECT / "mapping.yaml", "internal")) == [
        "Average speed of answer recomputed from the Amazon Connect records, from entering the queue to the answer "
        "(not the platform's own queue time, Queue.Duration)"
    ]
