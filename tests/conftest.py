"""Shared fixtures: the example programme, rendered once per test session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from govdocs.documents.common import Audience
from govdocs.periods import Quarter
from govdocs.pipeline import QbrRequest, render_qbrs

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CONFIG = EXAMPLES / "governance.yaml"
DATA = EXAMPLES / "data" / "kpis.csv"
INPUTS = EXAMPLES / "inputs"
QUARTER = Quarter(2026, 3)
AS_OF = date(2026, 10, 15)
PARTNERS = ("ATL", "BRV", "CRN", "DLT", "ECH")


def qbr_request(out: Path, audience: Audience = Audience.PARTNER, partners: tuple[str, ...] = (), **kw) -> QbrRequest:
    options = dict(
        config_path=CONFIG,
        data_paths=(DATA,),
        quarter=QUARTER,
        partner_ids=partners,
        audience=audience,
        out_dir=out,
        fmt="pdf",
        inputs_dir=INPUTS,
        as_of=AS_OF,
        force=False,
    )
    options.update(kw)
    return QbrRequest(**options)


def flat(text: str) -> str:
    """Text with every run of whitespace (PDF line breaks included) as one space."""
    return " ".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every example QBR for the partner audience, plus the internal ones."""
    out = tmp_path_factory.mktemp("qbr")
    documents = render_qbrs(qbr_request(out, Audience.PARTNER))
    documents += render_qbrs(qbr_request(out, Audience.INTERNAL))
    return {(d.partner_id, d.audience): d.path for d in documents}
