"""Render step, HTML preview: the document's HTML made self-contained, so the file opens anywhere.

The templates refer to their assets (the fonts, a user template folder's images) by paths relative
to the template folders, which is what the PDF renderer's fetcher resolves. An HTML file written
to the output folder has no such folders beside it, so every such reference is replaced by a
`data:` URL of the file it names, found as the PDF fetcher finds it (a user template folder in
front of the bundled one, nothing outside them). Charts are `data:` URLs already. A reference to
anything else (the network, an absolute path, a file that is not there) is refused, as the PDF
renderer refuses it: the preview shows what the PDF shows, and never reaches outside the file.

Inlined rather than written into an assets folder beside the documents: one file can be moved,
attached or opened from anywhere, and the output folder holds only documents (no shared folder
that the build's protection of the user's files and its journal would have to own). The five
bundled fonts add about 390 KB to each file.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import lru_cache
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.environment import OutsideTemplateFolder, sealed_file, template_dirs

# url(...) in CSS (quoted or not); the tags that load a resource, and their attributes that name it
# (negated classes, not lazy dots: a chart's data: URL is tens of kilobytes, scanned once)
_CSS_URL = re.compile(r"""url\(\s*(?P<q>["']?)(?P<url>[^"')]*)(?P=q)\s*\)""", re.IGNORECASE)
_TAG = re.compile(r"<(?:img|source|script|link|image|use|video|audio|embed|iframe|object)\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(
    r"""(?P<lead>\s(?:src|href|xlink:href|data|poster|srcset)\s*=\s*)(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')""",
    re.IGNORECASE,
)
_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".woff": "font/woff", ".woff2": "font/woff2", ".svg": "image/svg+xml"}


def self_contained(html: str, templates: Path | None = None, document: str = "document") -> str:
    """`html` with every resource it loads inlined as a `data:` URL; GovdocsError (exit 7) when one
    cannot be (a network URL, an absolute path, a file that is in none of the template folders)."""
    folders = tuple(template_dirs(templates))
    refused: list[str] = []

    def inline(url: str) -> str:
        text = url.strip()
        if not text or text.lower().startswith("data:") or text.startswith("#"):
            return url
        found = _asset(text, folders)
        if found is None:
            refused.append(text)
            return url
        return _data_url(found)

    def attribute(m: re.Match[str]) -> str:
        quote, url = ('"', m["dq"]) if m["dq"] is not None else ("'", m["sq"])
        return f"{m['lead']}{quote}{inline(url)}{quote}"

    html = _TAG.sub(lambda tag: _ATTRIBUTE.sub(attribute, tag[0]), html)
    html = _CSS_URL.sub(lambda m: f"url({m['q']}{inline(m['url'])}{m['q']})", html)
    if refused:
        problems = [
            Problem(
                "render.refused_url",
                f"{url[:100]} was refused: documents may only use bundled assets",
                Location(document),
                ExitCode.RENDER,
            )
            for url in dict.fromkeys(refused)
        ]
        raise GovdocsError(problems)
    return html


def _asset(url: str, folders: tuple[Path, ...]) -> Path | None:
    """The file a relative URL names in the first template folder that has it, else None."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^/|^\\", url) or "?" in url:
        return None  # a scheme (http:, file:, ...), an absolute or network-path reference, a query
    for folder in folders:
        try:
            found = sealed_file(folder, url)
        except OutsideTemplateFolder:
            return None
        if found is not None:
            return found
    return None


@lru_cache(maxsize=64)
def _encoded(path: Path, size: int, modified: float) -> str:
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _data_url(path: Path) -> str:
    stat = path.stat()  # keyed by size and time too: a user's asset edited between runs is read again
    return _encoded(path, stat.st_size, stat.st_mtime)
