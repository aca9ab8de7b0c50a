"""The HTML preview (--format html) is self-contained: every resource it loads is inside the file.

A reader opens the file wherever it was written or moved to, without govdocs installed: so each
reference it holds (CSS url(), src/href of what a browser loads) must be a data: URL or a link
within the document, never a path into the package, an absolute path, or the network.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS

from govdocs.cli import cli

ARGS = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
ARGS += ["--as-of", "2026-10-15", "--partner", "ATL", "--format", "html"]
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)["']?\s*\)""", re.IGNORECASE)
LOADS = {"src", "href", "srcset", "poster", "data", "xlink:href"}


class _References(HTMLParser):
    """Every URL the document refers to: attributes, and url() in <style> and style attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []  # (where, url)
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        for name, value in attrs:
            if value is None:
                continue
            if name in LOADS:
                self.urls.append((f"<{tag} {name}>", value))
            if name == "style":
                self.urls += [(f"<{tag} style>", url) for url in CSS_URL.findall(value)]

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls += [("<style>", url) for url in CSS_URL.findall(data)]


def _render(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, [*ARGS, "--out", str(out), *extra])
    return result.exit_code, result.stderr, out / "2026-Q3" / "qbr-ATL-partner.html"


def _references(html: str) -> list[tuple[str, str]]:
    parser = _References()
    parser.feed(html)
    return parser.urls


def test_every_reference_of_the_preview_is_inside_the_file(tmp_path: Path) -> None:
    code, stderr, written = _render(tmp_path)
    assert code == 0, stderr
    moved = tmp_path / "elsewhere" / "preview.html"  # as a reader gets it: the file alone, anywhere
    moved.parent.mkdir()
    moved.write_bytes(written.read_bytes())
    references = _references(moved.read_text(encoding="utf-8"))

    fonts = [url for where, url in references if url.startswith("data:font/ttf;base64,")]
    charts = [url for where, url in references if url.startswith("data:image/svg+xml;base64,")]
    assert len(fonts) == 5  # IBM Plex Sans: light, regular, italic, semibold, bold
    assert all(base64.b64decode(url.split(",", 1)[1])[:4] == b"\0\1\0\0" for url in fonts)  # TrueType
    assert len(charts) >= 8 and all(b"<svg" in base64.b64decode(url.split(",", 1)[1]) for url in charts)
    outside = [(where, url[:80]) for where, url in references if not url.startswith(("data:", "#"))]
    assert outside == []
    links = {url[1:] for where, url in references if url.startswith("#")}
    html = moved.read_text(encoding="utf-8")
    assert all(f'id="{anchor}"' in html for anchor in links)  # a link within the file lands in it


def test_a_user_templates_asset_is_inlined_and_a_network_one_refused(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    (templates / "assets").mkdir(parents=True)
    mark = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    (templates / "assets" / "mark.svg").write_text(mark, encoding="utf-8")
    css = '{% include "builtin/base.css" %}\nh1 { background: url("assets/mark.svg") no-repeat; }\n'
    (templates / "base.css").write_text(css, encoding="utf-8")
    code, stderr, written = _render(tmp_path, "--templates", str(templates))
    assert code == 0, stderr
    inlined = "data:image/svg+xml;base64," + base64.b64encode(mark.encode()).decode()
    assert ("<style>", inlined) in _references(written.read_text(encoding="utf-8"))

    (templates / "base.css").write_text(css.replace("assets/mark.svg", "https://example.com/mark.svg"))
    code, stderr, written = _render(tmp_path / "again", "--templates", str(templates))
    assert code == 7
    assert stderr == (
        "error: qbr-ATL-partner.html: https://example.com/mark.svg was refused: documents may only use "
        "bundled assets [render.refused_url]\n"
    )
    assert not written.exists()
