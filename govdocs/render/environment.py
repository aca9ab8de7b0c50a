"""Render step, HTML: one Jinja environment (autoescaped, strict) over the template folders.

Templates and CSS are package data (`govdocs.report_templates`); a user template folder,
when given, is searched first and runs in Jinja's sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.formatters import FILTERS


def builtin_templates_dir() -> Path:
    """The installed template folder (a real directory: the package ships unzipped)."""
    try:
        return Path(str(resources.files("govdocs.report_templates")))
    except ModuleNotFoundError:
        # `python -m govdocs` inside a source checkout imports the package from the
        # checkout, where the templates sit beside it rather than inside it.
        return Path(__file__).resolve().parents[2] / "report_templates"


def template_dirs(user_dir: Path | None = None) -> list[Path]:
    dirs = [builtin_templates_dir()]
    if user_dir is not None:
        dirs.insert(0, user_dir.resolve())
    return dirs


@lru_cache(maxsize=4)
def environment(user_dir: Path | None = None) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(d) for d in template_dirs(user_dir)], followlinks=False)
    options: dict[str, Any] = {
        "loader": loader,
        "autoescape": True,
        "undefined": jinja2.StrictUndefined,
        "trim_blocks": True,
        "lstrip_blocks": True,
        "keep_trailing_newline": False,
    }
    env = ImmutableSandboxedEnvironment(**options) if user_dir else jinja2.Environment(**options)
    env.filters.update(FILTERS)
    return env


def render_html(template_name: str, context: Mapping[str, Any], user_dir: Path | None = None) -> str:
    """Render one document template; a template error becomes a GovdocsError (exit 7)."""
    env = environment(user_dir)
    try:
        return env.get_template(template_name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise GovdocsError(
            [
                Problem(
                    "render.template_syntax",
                    exc.message or "syntax error",
                    Location(exc.filename or template_name, exc.lineno),
                    ExitCode.RENDER,
                )
            ]
        ) from None
    except jinja2.UndefinedError as exc:
        raise GovdocsError(
            [Problem("render.undefined", str(exc.message), Location(template_name), ExitCode.RENDER)]
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise GovdocsError(
            [
                Problem(
                    "render.template_missing",
                    f"template '{exc.name}' not found",
                    Location(template_name),
                    ExitCode.RENDER,
                )
            ]
        ) from None
