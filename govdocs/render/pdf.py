"""Render step, PDF: HTML string in, PDF bytes out, sealed.

The URL fetcher serves only files inside the allowed asset folders (after resolving
symlinks and `..`) and refuses everything else -- http(s), ftp, data, other files --
so rendering can never reach the network or read stray files. `data:` URLs are served
because the charts travel inside the HTML that way; decoding them fetches nothing. Any warning WeasyPrint
logs (a refused URL, bad CSS, a missing font) fails the render instead of quietly
producing a different document.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.variants import PDF_A, PDF_UA, PDF_VARIANTS  # noqa: F401 (PDF_VARIANTS: re-exported)


class RefusedURL(ValueError):
    """A resource outside the asset folders was requested."""


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from govdocs.render.environment import OutsideTemplateFolder, sealed_file

    class SealedFetcher(URLFetcher):  # type: ignore[misc, valid-type]
        """Serves a relative URL from the first folder that has the file (a user template
        folder in front of the bundled one), like the template loader."""

        def __init__(self, roots: Sequence[Path]) -> None:
            super().__init__(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)
            self.roots = [root.resolve() for root in roots]
            self.refused: list[str] = []

        def _refuse(self, url: str, why: str) -> RefusedURL:
            self.refused.append(url)
            return RefusedURL(f"refused URL {url[:80]!r}: {why}")

        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme == "data":  # inline charts: bytes already in the document, nothing fetched
                return super().fetch(url, headers)
            if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
                raise self._refuse(url, "only bundled assets may be loaded")
            # Lexically normalised, not resolved: where a symlink leads is checked per folder.
            path = Path(os.path.normpath(url2pathname(parts.path)))  # url2pathname decodes %xx once
            owner = next((root for root in self.roots if path.is_relative_to(root)), None)
            if owner is None:
                raise self._refuse(url, "outside the template folders")
            relative = path.relative_to(owner)
            for root in self.roots if owner == self.roots[0] else [owner]:
                try:
                    found = sealed_file(root, relative)
                except OutsideTemplateFolder:
                    raise self._refuse(url, "leads outside the template folders") from None
                if found is not None:
                    return URLFetcherResponse(found.as_uri(), found.read_bytes(), headers={})
            raise self._refuse(url, "no such file in the template folders")

    return SealedFetcher


# Notices about the machine, not the document: the output is complete and correct either way.
_ENVIRONMENT_NOTICES = ("Using fontTools instead of HarfBuzz-Subset",)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(_ENVIRONMENT_NOTICES):
            self.messages.append(message.splitlines()[0][:200])


@contextmanager
def _capture_weasyprint_warnings() -> Iterator[_Collect]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@contextmanager
def _source_date(epoch: int) -> Iterator[None]:
    """Pin SOURCE_DATE_EPOCH while rendering: fontTools stamps subset fonts with it
    (instead of the clock), which keeps the PDF byte-identical for the same inputs."""
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous


@dataclass(frozen=True)
class DataFile:
    """A file embedded in a PDF/A-3 document as an associated file (AFRelationship /Data): the
    table the document's figures were computed from."""

    name: str
    description: str
    content: bytes
    mime: str = "text/csv"


def _associated(data: DataFile, timestamp: int, fetcher: object) -> object:
    from weasyprint import Attachment

    stamp = datetime.fromtimestamp(timestamp, UTC)  # not the clock: the same bytes for the same inputs
    return Attachment(
        file_obj=BytesIO(data.content),
        name=data.name,
        description=data.description,
        created=stamp,
        modified=stamp,
        relationship="Data",
        url_fetcher=fetcher,
    )


def _one_entry_per_file(_document: object, pdf: object) -> None:
    """WeasyPrint 70 lists each associated file twice in the catalog's /AF (once from the
    EmbeddedFiles names, once from the file specification): keep each once."""
    catalog = pdf.catalog  # type: ignore[attr-defined]
    if "AF" in catalog:
        import pydyf

        seen: dict[str, object] = {}
        for reference in catalog["AF"]:
            text = reference.decode() if isinstance(reference, bytes) else str(reference)
            seen.setdefault(text.strip(), reference)
        catalog["AF"] = pydyf.Array(seen.values())


def html_to_pdf(
    html: str,
    asset_roots: Sequence[Path],
    document: str,
    timestamp: int = 0,
    variant: str = PDF_UA,
    data: DataFile | None = None,
) -> bytes:
    """Render HTML to PDF bytes; raise GovdocsError (exit 7) on any warning or refused URL.

    Relative URLs resolve against the first asset folder, then the next ones in order.
    `timestamp` (seconds since 1970) is the only time that may enter the file. `variant` is
    one of PDF_VARIANTS; `data` is embedded in a PDF/A-3 file only."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher_class()(asset_roots)
    # pdf_forms: a document's form controls (the partner's response) become PDF form fields
    options: dict[str, object] = {"pdf_forms": True, "pdf_variant": variant, "uncompressed_pdf": False}
    if variant == PDF_A:
        options["pdf_tags"] = True  # archival and accessible: PDF/A-3u carries the structure tree too
        if data is not None:
            options["attachments"] = [_associated(data, timestamp, fetcher)]
    elif variant != PDF_UA:
        raise ValueError(f"unknown PDF variant {variant!r}")
    with _capture_weasyprint_warnings() as warnings, _source_date(timestamp):
        page_set = HTML(string=html, base_url=asset_roots[0].resolve().as_uri() + "/", url_fetcher=fetcher)
        pdf = page_set.write_pdf(font_config=FontConfiguration(), finisher=_one_entry_per_file, **options)
    problems = [
        Problem(
            "render.refused_url",
            f"{url[:100]} was refused: documents may only use bundled assets",
            Location(document),
            ExitCode.RENDER,
        )
        for url in fetcher.refused
    ]
    problems += [
        Problem("render.warning", f"PDF renderer warning: {message}", Location(document), ExitCode.RENDER)
        for message in warnings.messages
        if RefusedURL.__name__ not in message  # already reported above, with the URL
    ]
    if problems:
        raise GovdocsError(problems)
    assert isinstance(pdf, bytes)
    return pdf
