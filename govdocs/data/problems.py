"""Load step, data: the problems found in one KPI file, collected and reported in file order."""

from __future__ import annotations

from govdocs.errors import ExitCode, GovdocsError, Location, Problem

MAX_PROBLEMS = 50


def shown(text: str, limit: int = 40) -> str:
    """A cell as quoted in a message: long ones cut, so that one line stays one line."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.hidden = 0

    def add(self, code: str, message: str, line: int | None = None, column: str | None = None) -> None:
        self.add_problem(Problem(code, message, Location(self.file, line, column), ExitCode.DATA))

    def add_problem(self, problem: Problem) -> None:
        if len(self.problems) >= MAX_PROBLEMS:
            self.hidden += 1
            return
        self.problems.append(problem)

    def raise_if_any(self) -> None:
        if self.hidden:
            self.problems.append(
                Problem(
                    "data.more_problems",
                    f"{self.hidden} more problems not shown; fix the ones above first",
                    Location(self.file),
                    ExitCode.DATA,
                )
            )
        if self.problems:
            # report in file order (files as given, then lines); checks run column by column
            files: dict[str, int] = {}
            for problem in self.problems:
                files.setdefault(problem.location.file, len(files))
            self.problems.sort(
                key=lambda p: (
                    p.code == "data.more_problems",
                    files[p.location.file],
                    p.location.line or 0,
                )
            )
            raise GovdocsError(self.problems)
