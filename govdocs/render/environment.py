"""Render step, HTML: one Jinja environment (autoescaped, strict) over the template folders.

Templates and CSS are package data (`govdocs.report_templates`). A user template folder
(`--templates DIR`), when given, is searched first, runs in Jinja's immutable sandbox, and
is sealed: a template name or symlink that resolves outside its folder is refused before
the file is opened, as is anything that is not a regular file (a FIFO, a device).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path
from types import TracebackType
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.formatters import FILTERS, finalize


def builtin_templates_dir() -> Path:
    """The installed template folder (a real directory: the package ships unzipped)."""
    try:
        return Path(str(resources.files("govdocs.report_templates")))
    except ModuleNotFoundError:
        # `python -m govdocs` inside a source checkout imports the package from the
        # checkout, where the templates sit beside it rather than inside it.
        return Path(__file__).resolve().parents[2] / "report_templates"


def template_dirs(user_dir: Path | None = None) -> list[Path]:
    """The folders templates and assets are looked up in, first match wins."""
    dirs = [builtin_templates_dir().resolve()]
    if user_dir is not None:
        dirs.insert(0, user_dir.resolve())
    return dirs


class OutsideTemplateFolder(jinja2.TemplateError):
    """A template name or symlink leads outside the folder it was found in."""

    def __init__(self, name: str, folder: Path) -> None:
        super().__init__(f"template '{name}' resolves outside the template folder {folder}; refused")
        self.name = name


def sealed_file(folder: Path, relative: str | Path) -> Path | None:
    """`folder/relative` if it is a regular file inside `folder` after resolving symlinks and
    `..`; None if there is nothing there; OutsideTemplateFolder if it leads elsewhere."""
    candidate = folder / relative
    if not os.path.lexists(candidate):
        return None
    real = candidate.resolve()
    if not real.is_relative_to(folder) or not real.is_file():
        raise OutsideTemplateFolder(str(relative), folder)
    return real


def _unchanged(path: Path, modified: float) -> bool:
    try:
        return path.stat().st_mtime == modified
    except OSError:
        return False


BUILTIN_PREFIX = "builtin/"


class SealedLoader(jinja2.BaseLoader):
    """Like Jinja's FileSystemLoader over several folders, but checks where a name leads
    before opening it: `../`, absolute names and symlinks out of the folder are refused.

    `builtin/<name>` always means the bundled template, so a user's `base.css` can start
    with `{% include "builtin/base.css" %}` and add to it."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [f.resolve() for f in folders]

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        folders = self.folders
        if template.startswith(BUILTIN_PREFIX):
            template, folders = template.removeprefix(BUILTIN_PREFIX), self.folders[-1:]
        pieces = split_template_path(template)  # raises TemplateNotFound for '..' segments
        for folder in folders:
            path = sealed_file(folder, Path(*pieces))
            if path is None:
                continue
            return path.read_text(encoding="utf-8"), str(path), partial(_unchanged, path, path.stat().st_mtime)
        raise jinja2.TemplateNotFound(template)


@lru_cache(maxsize=4)
def environment(user_dir: Path | None = None) -> jinja2.Environment:
    options: dict[str, Any] = {
        "loader": SealedLoader(template_dirs(user_dir)),
        "autoescape": True,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": False,
        "finalize": finalize,  # one typographic convention for signs and comparisons (formatters.typeset)
    }
    env = ImmutableSandboxedEnvironment(**options) if user_dir else jinja2.Environment(**options)
    env.filters.update(FILTERS)
    return env


def _template_line(trace: TracebackType | None, fallback: str) -> Location:
    """The innermost template frame of a render error (Jinja rewrites tracebacks so that
    template code shows with its file and line)."""
    location = Location(fallback)
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css", ".txt")):
            location = Location(name, trace.tb_lineno)
        trace = trace.tb_next
    return location


def _problem(code: str, message: str, location: Location) -> GovdocsError:
    return GovdocsError([Problem(code, message, location, ExitCode.RENDER)])


def render_html(template_name: str, context: Mapping[str, Any], user_dir: Path | None = None) -> str:
    """Render one document template; a template error becomes a GovdocsError (exit 7)."""
    env = environment(user_dir)
    try:
        return env.get_template(template_name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise _problem(
            "render.template_syntax", exc.message or "syntax error", Location(exc.filename or template_name, exc.lineno)
        ) from None
    except jinja2.UndefinedError as exc:
        raise _problem("render.undefined", str(exc.message), _template_line(exc.__traceback__, template_name)) from None
    except OutsideTemplateFolder as exc:
        raise _problem("render.template_outside", str(exc.message), Location(exc.name)) from None
    except jinja2.TemplateNotFound as exc:
        raise _problem("render.template_missing", f"template '{exc.name}' not found", Location(template_name)) from None
    except RecursionError:
        raise _problem(
            "render.template_recursion",
            f"template '{template_name}' includes or extends itself; to build on a bundled template "
            f"use '{BUILTIN_PREFIX}{template_name}'",
            Location(template_name),
        ) from None
    except SecurityError as exc:
        raise _problem(
            "render.sandbox",
            f"template refused by the sandbox: {exc}",
            _template_line(exc.__traceback__, template_name),
        ) from None
