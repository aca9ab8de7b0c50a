"""Build-context step: one module per document type, registered here.

A document type names its template and its context builder; adding a fourth
document is one module, one template and one entry in `DOCUMENT_TYPES`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentType:
    kind: str  # short name used in file names and document ids
    title: str
    template: str  # file in report_templates/


DOCUMENT_TYPES = {
    "qbr": DocumentType("qbr", "Quarterly Business Review", "qbr.html"),
    "pip": DocumentType("pip", "Performance-Improvement Plan", "pip.html"),
    "offboarding": DocumentType("offboarding", "Offboarding-Readiness Assessment", "offboarding.html"),
    "portfolio": DocumentType("portfolio", "Portfolio Summary", "portfolio.html"),
}
