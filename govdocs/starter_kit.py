"""`govdocs init`: copy the example programme (shipped as package data) into a new folder."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.render.output import write_atomic

STARTER_FILES = ("governance.yaml", "README.md", "data", "inputs", "actions", "assessments")


def _walk(node: Traversable, relative: Path) -> list[tuple[Path, Traversable]]:
    if node.is_file():
        return [(relative, node)]
    found = []
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        if child.name.startswith((".", "__")):
            continue
        found += _walk(child, relative / child.name)
    return found


def create_starter(directory: Path, force: bool = False) -> list[Path]:
    """Write the starter files; never overwrite an existing file."""
    if directory.exists() and any(directory.iterdir()) and not force:
        raise GovdocsError(
            [
                Problem(
                    "output.not_empty",
                    "folder is not empty; choose a new folder or pass --force",
                    Location(str(directory)),
                    ExitCode.OUTPUT,
                )
            ]
        )
    try:
        root: Traversable = resources.files("govdocs.starter")
    except ModuleNotFoundError:  # source checkout imported without an install: see builtin_templates_dir
        root = Path(__file__).resolve().parents[1] / "examples"
    files = [item for name in STARTER_FILES for item in _walk(root / name, Path(name))]
    written = []
    for relative, source in files:
        target = directory / relative
        if target.exists():
            continue
        write_atomic(target, source.read_bytes())
        written.append(target)
    return written
