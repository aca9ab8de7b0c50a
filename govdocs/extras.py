"""The optional parts of govdocs: which extra holds which package, and the one line that says what to
install when a command needs a part that is not there.

The core renders QBRs, plans and assessments from KPI files (CSV, .xlsx). Raw exports (DuckDB, SQLGlot),
Parquet (pyarrow), signatures (pyHanko) and Spark are extras, imported only inside the functions that
use them; each of those functions asks `require` first, so a missing extra ends the command before any
work with one line and exit code 9, never with an ImportError's traceback.
"""

from __future__ import annotations

import importlib.util

from govdocs.errors import ExitCode, GovdocsError, Location, Problem

# extra -> the top-level modules it must make importable (pyproject.toml's optional-dependencies)
EXTRAS: dict[str, tuple[str, ...]] = {
    "raw": ("duckdb", "sqlglot", "pyarrow"),
    "parquet": ("pyarrow",),
    "sign": ("pyhanko", "pyhanko_certvalidator"),
    "spark": ("pyspark", "duckdb", "sqlglot", "pyarrow"),
}


def missing(extra: str) -> list[str]:
    """The modules of `extra` that cannot be imported here (empty: the extra is installed)."""
    return [module for module in EXTRAS[extra] if not _importable(module)]


def installed(extra: str) -> bool:
    return not missing(extra)


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a module set to None in sys.modules, a broken parent
        return False


def require(extra: str, purpose: str, where: str) -> None:
    """Stop with one line naming the extra to install when `extra` is not installed: `purpose`
    says what needed it ("reading raw exports"), `where` is the option or file that asked."""
    if installed(extra):
        return
    raise GovdocsError([missing_problem(extra, purpose, where)])


def missing_problem(extra: str, purpose: str, where: str) -> Problem:
    message = f"{purpose} needs the {extra} extra: pip install 'govdocs[{extra}]'"
    return Problem("extra.missing", message, Location(where), ExitCode.EXTRA)


# the extra a module comes from, for a ModuleNotFoundError that no `require` caught first
PROVIDER = {
    "duckdb": "raw",
    "sqlglot": "raw",
    "pyarrow": "parquet",
    "pyhanko": "sign",
    "pyhanko_certvalidator": "sign",
    "pyspark": "spark",
    "py4j": "spark",
}


def extra_of(module: str | None) -> str | None:
    """The extra that provides a (dotted) module, or None for a module of the core."""
    return PROVIDER.get((module or "").split(".", 1)[0])
