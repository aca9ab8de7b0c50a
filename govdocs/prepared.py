"""One document on its way out: prepared (its HTML built, in this process) and written (the file,
its attachments and the inputs it was built from). Read by the pipeline, the build and the
journal of what a build wrote; its own module, below all three, so none imports another for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govdocs.documents.common import InputFile
from govdocs.render.pdf import DataFile
from govdocs.render.variants import PDF_UA


@dataclass(frozen=True)
class WrittenDocument:
    partner_id: str
    kind: str
    audience: str
    document_id: str
    path: Path
    attachments: tuple[Path, ...] = ()  # files written beside the document, e.g. the plan's .ics
    inputs: tuple[InputFile, ...] = ()  # every file the document was built from, hashed
    cause: str = ""  # the escalation status that called for the document
    sha256: str = ""  # of the file as written
    kept: bool = False  # an earlier run's file, unchanged and still what the inputs call for: not rendered again


@dataclass(frozen=True)
class Prepared:
    """A document whose HTML is built; the pool turns it into the final file."""

    document: WrittenDocument
    html: str
    attachments: tuple[bytes, ...] = ()  # contents of document.attachments, in order
    templates: Path | None = None  # the user template folder its HTML came from
    variant: str = PDF_UA  # the PDF variant it is rendered as
    data: DataFile | None = None  # embedded as an associated file (PDF/A-3u)
