"""A user template folder (--templates): layered in front of the bundled templates, sandboxed,
and sealed -- nothing outside the folder is read, through `../`, absolute paths or symlinks,
and nothing is fetched from the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CONFIG, DATA, INPUTS, flat, pdf_text

from govdocs.cli import cli

SECRET = "SECRET-7f3a-not-for-the-document"

# A small QBR template: quick to lay out, uses the bundled CSS (and so the bundled fonts).
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{{{ doc.meta.title }}}}</title>
<style>{{% include "base.css" %}}</style></head>
<body><h1>Custom review for {{{{ doc.meta.partner_name }}}}</h1>{body}</body></html>
"""


def qbr(templates: Path, out: Path, fmt: str = "pdf"):
    args = ["qbr", "--config", str(CONFIG), "--data", str(DATA), "--inputs", str(INPUTS), "--quarter", "2026-Q3"]
    args += ["--partner", "BRV", "--as-of", "2026-10-15", "--out", str(out), "--jobs", "0", "--format", fmt]
    return CliRunner().invoke(cli, [*args, "--templates", str(templates)])


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A user template folder and, beside it, a secret the templates must not reach."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (tmp_path / "secret.html").write_text(SECRET, encoding="utf-8")
    (tmp_path / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>{SECRET}</text></svg>', encoding="utf-8"
    )
    return templates, tmp_path / "out"


def refused(result, out: Path, code: str) -> str:
    assert result.exit_code == 7, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert lines and all(f"[{code}]" in line for line in lines), result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*")), "nothing may be written"
    return lines[0]


def test_user_template_and_its_own_assets_render(folders):
    templates, out = folders
    logo = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10"><rect width="40" height="10"/></svg>'
    (templates / "logo.svg").write_text(logo, encoding="utf-8")
    (templates / "qbr.html").write_text(PAGE.format(body='<img src="logo.svg" alt="logo">'), encoding="utf-8")
    result = qbr(templates, out)
    assert result.exit_code == 0, result.output
    text = flat(pdf_text(out / "2026-Q3" / "qbr-BRV-partner.pdf"))
    assert "Custom review for Bravo CX Partners" in text


def test_user_css_builds_on_the_bundled_one(folders):
    templates, out = folders
    (templates / "base.css").write_text('{% include "builtin/base.css" %}\nh1 { color: #7a1f5c; }\n', encoding="utf-8")
    result = qbr(templates, out, fmt="html")
    assert result.exit_code == 0, result.output
    html = (out / "2026-Q3" / "qbr-BRV-partner.html").read_text(encoding="utf-8")
    assert "h1 { color: #7a1f5c; }" in html and "@font-face" in html


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("symlinked template", lambda t: (t / "qbr.html").symlink_to(t.parent / "secret.html")),
        (
            "include through a symlinked folder",
            lambda t: (
                (t / "up").symlink_to(t.parent, target_is_directory=True),
                (t / "qbr.html").write_text(PAGE.format(body='{% include "up/secret.html" %}')),
            ),
        ),
    ],
)
def test_templates_cannot_leave_their_folder(folders, name, make):
    templates, out = folders
    make(templates)
    line = refused(qbr(templates, out, fmt="html"), out, "render.template_outside")
    assert "resolves outside the template folder" in line
    assert SECRET not in line


@pytest.mark.parametrize("include", ["../secret.html", "/etc/passwd", "builtin/../../secret.html"])
def test_template_names_cannot_climb_out(folders, include):
    templates, out = folders
    (templates / "qbr.html").write_text(PAGE.format(body=f'{{% include "{include}" %}}'), encoding="utf-8")
    line = refused(qbr(templates, out, fmt="html"), out, "render.template_missing")
    assert SECRET not in line


@pytest.mark.parametrize(
    "element",
    [
        '<img src="../secret.svg">',
        '<img src="up/secret.svg">',
        '<img src="evil.svg">',
        '<img src="file:///etc/passwd">',
        '<img src="http://127.0.0.1:9/x.png">',
        '<link rel="stylesheet" href="https://example.com/x.css">',
        "<div style=\"background: url('//example.com/x.png')\">x</div>",
    ],
)
def test_assets_cannot_leave_the_folders_or_reach_the_network(folders, element):
    templates, out = folders
    (templates / "up").symlink_to(templates.parent, target_is_directory=True)
    (templates / "evil.svg").symlink_to(templates.parent / "secret.svg")
    (templates / "qbr.html").write_text(PAGE.format(body=element), encoding="utf-8")
    line = refused(qbr(templates, out), out, "render.refused_url")
    assert "was refused" in line


@pytest.mark.parametrize(
    "expression",
    [
        "{{ doc.__class__.__init__.__globals__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ doc.meta.__reduce_ex__(2) }}",
        "{% set kpis = [] %}{{ kpis.append(1) }}",
    ],
)
def test_user_templates_run_in_the_sandbox(folders, expression):
    templates, out = folders
    (templates / "qbr.html").write_text(PAGE.format(body=expression), encoding="utf-8")
    result = qbr(templates, out, fmt="html")
    assert result.exit_code == 7, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert "[render.sandbox]" in result.stderr or "[render.undefined]" in result.stderr, result.stderr


def test_typo_in_a_template_names_its_file_and_line(folders):
    templates, out = folders
    (templates / "qbr.html").write_text(PAGE.format(body="\n\n<p>{{ doc.meta.partnr_name }}</p>"), encoding="utf-8")
    [line] = refused(qbr(templates, out, fmt="html"), out, "render.undefined").splitlines()
    where = f"error: {templates.resolve() / 'qbr.html'}:5: "
    assert line.startswith(where)
    # what is undefined is said in Jinja's words: only that something is said
    assert line.removeprefix(where).removesuffix("[render.undefined]").strip()


def test_a_template_extending_itself_is_an_error_not_a_crash(folders):
    templates, out = folders
    (templates / "qbr.html").write_text('{% extends "qbr.html" %}', encoding="utf-8")
    line = refused(qbr(templates, out, fmt="html"), out, "render.template_recursion")
    assert "builtin/qbr.html" in line


def test_a_fifo_is_not_read(folders):
    templates, out = folders
    os.mkfifo(templates / "qbr.html")  # opening it would block the run forever
    line = refused(qbr(templates, out, fmt="html"), out, "render.template_outside")
    assert "qbr.html" in line
