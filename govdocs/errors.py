"""Errors as records: every input problem has a stable code, a location and a message.

The loaders collect problems instead of stopping at the first one; a `GovdocsError`
carries all of them to the CLI, which prints one line per problem and exits with the
code of the problem's category.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from enum import IntEnum

MESSAGE_CHARACTERS = 1_000  # one problem's line on a terminal: an echoed 1 MB field is cut here


def terminal_safe(text: str, limit: int = MESSAGE_CHARACTERS) -> str:
    """Text that came from an input, fit to print: control, bidi and other format characters
    (an ESC that clears the screen, a BEL, a NUL, a right-to-left override, a lone surrogate)
    shown as escapes, and cut to `limit` characters with the length said."""
    out = []
    for character in text:
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            code = ord(character)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(character)
    safe = "".join(out)
    if len(safe) > limit:
        safe = f"{safe[: limit - 40]}... ({len(safe) - limit + 40:,} more characters)"
    return safe


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """' (did you mean 'csat'?)' when `name` is a known name in another case, or close to one
    (a typo); '' when nothing is close."""
    import difflib

    names = list(known)
    folded = {n.casefold(): n for n in names}
    match = folded.get(name.casefold())
    if match is None:
        close = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.75)
        match = folded[close[0]] if close else None
    return f" (did you mean '{match}'?)" if match is not None and match != name else ""


class ExitCode(IntEnum):
    """Documented process exit codes (docs/exit-codes.md)."""

    OK = 0
    INTERNAL = 1  # a bug in govdocs: please report it (run with --debug for the traceback)
    USAGE = 2  # bad command-line usage (Click's own code)
    CONFIG = 3  # the governance config is invalid
    DATA = 4  # a KPI data file is invalid
    INPUTS = 5  # a human-input file (context, commentary, actions) is invalid
    OUTPUT = 6  # a document exists already (use --force) or cannot be written
    RENDER = 7  # a template or the PDF renderer failed
    ENGINE = 8  # the raw-data engine cannot run (Spark too old, no Java, master unreachable)
    EXTRA = 9  # the command needs an optional part (an extra: raw, parquet, sign, spark) that is not installed


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file plus a line/row, column and/or config path."""

    file: str
    line: int | None = None  # 1-based line in the file (CSV: the physical line, header = 1)
    column: str | None = None  # data column name
    path: str | None = None  # config path such as kpis[2].floor

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
        if self.path:
            text += f": {self.path}"
        if self.column:
            text += f": column '{self.column}'"
        return text


@dataclass(frozen=True)
class Problem:
    code: str  # stable, dotted: config.duplicate_key, data.not_a_number, ...
    message: str
    location: Location
    category: ExitCode = ExitCode.CONFIG
    severity: str = "error"  # "error" stops a command; "warning" is reported by validate only

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return terminal_safe(f"{self.location}: {prefix}{self.message}", 2 * MESSAGE_CHARACTERS) + f" [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "category": self.category.name.lower(),
            "severity": self.severity,
            "location": {k: v for k, v in asdict(self.location).items() if v is not None},
        }


@dataclass
class GovdocsError(Exception):
    """One or more problems that stop a command; raised by the core, printed by the CLI."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[GovdocsError], tuple[list[Problem]]]:
        # Crosses process boundaries intact (a render worker's error reaches the build as-is).
        return (GovdocsError, (self.problems,))

    @property
    def exit_code(self) -> ExitCode:
        return min((p.category for p in self.problems), default=ExitCode.INTERNAL)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def fail(code: str, message: str, location: Location, category: ExitCode) -> GovdocsError:
    """Shorthand for a single-problem error."""
    return GovdocsError([Problem(code, message, location, category)])


class Terminated(KeyboardInterrupt):
    """SIGTERM as an exception, so a stopped run cleans up exactly as after Ctrl-C."""
