"""Load step, the first byte: every file govdocs reads is opened here.

A path on the command line or in a config can name anything: a FIFO that never ends (a read
hangs), /dev/zero (a read grows without bound), a directory. Only regular files are read, each
with a size limit fit for what it holds, and each refusal is one line naming the file.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from govdocs.errors import ExitCode, GovdocsError, Location, Problem


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def size_text(size: int) -> str:
    if size >= 2**30:
        return f"{size / 2**30:.1f} GB"
    if size >= 2**20:
        return f"{size / 2**20:.1f} MB" if size % 2**20 else f"{size // 2**20} MB"
    return f"{size / 2**10:.0f} KB" if size >= 2**10 else f"{size} bytes"


def open_regular(path: Path, category: ExitCode, follow_symlinks: bool = True) -> int:
    """A file descriptor of `path`, which must be a regular file. Opened without blocking, so
    that a FIFO is refused instead of waiting forever for a writer."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    name = str(path)
    try:
        if not follow_symlinks and path.is_symlink():
            raise GovdocsError(
                [
                    Problem(
                        "file.not_regular",
                        "is a symbolic link; govdocs reads and writes this file only in place",
                        Location(name),
                        category,
                    )
                ]
            )
        descriptor = os.open(path, flags)
    except IsADirectoryError:
        raise GovdocsError(
            [Problem("file.not_regular", "is a directory, not a file", Location(name), category)]
        ) from None
    except OSError as exc:
        message = f"cannot read file: {exc.strerror}"
        raise GovdocsError([Problem("file.unreadable", message, Location(name), category)]) from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        message = f"is {_kind(mode)}, not a file; give a regular file"
        raise GovdocsError([Problem("file.not_regular", message, Location(name), category)])
    os.set_blocking(descriptor, True)
    return descriptor


def read_regular(
    path: Path,
    category: ExitCode,
    max_bytes: int,
    what: str = "this file",
    follow_symlinks: bool = True,
    hint: str = "",
) -> bytes:
    """A regular file's bytes, no more than `max_bytes` of them (a larger file is refused having
    read one byte past the limit, never whole)."""
    descriptor = open_regular(path, category, follow_symlinks)
    try:
        with os.fdopen(descriptor, "rb") as handle:
            raw = handle.read(max_bytes + 1)
            size = os.fstat(handle.fileno()).st_size
    except OSError as exc:
        message = f"cannot read file: {exc.strerror}"
        raise GovdocsError([Problem("file.unreadable", message, Location(str(path)), category)]) from None
    if len(raw) > max_bytes:
        message = (
            f"the file is {size_text(max(size, len(raw)))}, more than the {size_text(max_bytes)} {what} may hold{hint}"
        )
        raise GovdocsError([Problem("file.too_large", message, Location(str(path)), category)])
    return raw
