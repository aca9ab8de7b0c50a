"""Render step, output: documents appear atomically (temp file + rename) or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem


def check_targets(paths: Iterable[Path], force: bool) -> None:
    """Refuse, before any work, to overwrite existing documents unless forced."""
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise GovdocsError(
            [
                Problem(
                    "output.exists", "document exists; pass --force to replace it", Location(str(p)), ExitCode.OUTPUT
                )
                for p in existing
            ]
        )


def write_atomic(path: Path, content: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over the target."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise GovdocsError(
            [Problem("output.unwritable", f"cannot write here: {exc.strerror}", Location(str(path)), ExitCode.OUTPUT)]
        ) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        if isinstance(exc, OSError):
            raise GovdocsError(
                [Problem("output.write_failed", f"write failed: {exc.strerror}", Location(str(path)), ExitCode.OUTPUT)]
            ) from None
        raise
