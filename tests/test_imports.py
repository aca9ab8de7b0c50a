"""No import circle in govdocs/: every import of every module, read from its source (ast).

Module-level imports, imports inside a function and imports only for type checking all count: a
circle through any of them is two modules that each need the other, which a newcomer cannot
change one at a time. The test names each circle it finds as a path of modules back to the first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "govdocs"


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its __init__.py)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported(node: ast.AST, here: str, is_package: bool) -> Iterator[str]:
    """The dotted names an import statement reads: for `from a import b`, a.b (a module or a name in a)."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
    elif isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:  # relative: from the module's own package upwards
            package = here.split(".") if is_package else here.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join(package + ([base] if base else []))
        yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(found: Mapping[str, Path]) -> dict[str, set[str]]:
    """Each module's imports of other modules of the package, wherever in the module they are."""
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):  # every statement, in functions and `if TYPE_CHECKING:` too
            for target in _imported(node, name, path.name == "__init__.py"):
                while target and target not in found:  # a name in a module: the module
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """One circle per strongly connected group of modules, as a path back to its first module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan; the package's graph is shallow enough to recurse
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_path_back(graph, group) for group in groups]


def _path_back(graph: Mapping[str, set[str]], group: set[str]) -> list[str]:
    """A shortest path inside the group from its first module back to itself."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph[node] & group):
                if other == start:
                    return [*paths[node], start]
                if other not in paths:
                    paths[other] = [*paths[node], other]
                    following.append(other)
        frontier = following
    raise AssertionError(f"no circle in {sorted(group)}")


def test_no_module_of_govdocs_imports_itself_round_a_circle() -> None:
    found = circles(import_graph(modules()))
    assert not found, "import circles: " + "; ".join(" -> ".join(circle) for circle in found)


def test_the_walk_sees_function_level_and_type_checking_imports_and_names_the_circle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "b.py").write_text("def later():\n    from ..c import thing\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    (package / "d.py").write_text("import pkg.a\n")  # imports into the circle, not part of it
    graph = import_graph(modules(package))
    assert graph["pkg.sub.b"] == {"pkg.c"}  # a relative import inside a function
    assert circles(graph) == [["pkg.a", "pkg.sub.b", "pkg.c", "pkg.a"]]
    (package / "c.py").write_text("THING = 1\n")
    assert circles(import_graph(modules(package))) == []


# The raw step's users of an engine, and what only an engine adapter may import.
ENGINE_USERS = ("govdocs.raw.engine", "govdocs.raw.report", "govdocs.raw.sql.drill", "govdocs.gaps")
ENGINE_ONLY = ("duckdb", "pyspark", "govdocs.raw.spark")


def test_the_kpis_the_report_and_the_drill_downs_reach_an_engine_through_its_interface_only() -> None:
    found = modules()
    for name in ENGINE_USERS:
        tree = ast.parse(found[name].read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            for target in _imported(node, name, False):
                assert not target.startswith(ENGINE_ONLY), f"{name} imports {target}: use govdocs.raw.engines"
        text = found[name].read_text(encoding="utf-8")
        assert "is duck" not in text and '== "spark"' not in text, f"{name} branches on the engine"
