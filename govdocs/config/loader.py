"""Load step, config half: YAML text -> GovernanceConfig, every problem with path and line.

YAML is composed into nodes with PyYAML's safe loader (no Python tags), then turned
into plain data by hand so that duplicate keys are refused and every value keeps the
line it came from. Pydantic then validates the shape; `checks.py` the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError, Location, Problem


@dataclass
class YamlDocument:
    """Plain data from a YAML file plus the line of every config path."""

    file: str
    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the longest known prefix of `path` (a missing key points at its parent)."""
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return None

    def location(self, path: tuple[str | int, ...]) -> Location:
        return Location(self.file, self.line_of(path), path=format_path(path) or None)


def format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _node_to_data(
    node: yaml.Node,
    path: tuple[str | int, ...],
    doc: YamlDocument,
    constructor: yaml.constructor.SafeConstructor,
    problems: list[Problem],
    category: ExitCode,
) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        constructor.flatten_mapping(node)  # resolve YAML merge keys (<<)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str | int) or isinstance(key, bool):
                problems.append(
                    Problem(
                        "yaml.bad_key",
                        f"key {key!r} must be text; quote it",
                        Location(doc.file, key_node.start_mark.line + 1, path=format_path(path) or None),
                        category,
                    )
                )
                key = str(key)
            key = str(key)
            if key in result:
                problems.append(
                    Problem(
                        "yaml.duplicate_key",
                        f"duplicate key '{key}' (first on line {doc.lines[(*path, key)]})",
                        Location(
                            doc.file, key_node.start_mark.line + 1, path=format_path((*path, key))
                        ),
                        category,
                    )
                )
                continue
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _node_to_data(value_node, (*path, key), doc, constructor, problems, category)
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _node_to_data(item, (*path, i), doc, constructor, problems, category)
            for i, item in enumerate(node.value)
        ]
    return constructor.construct_object(node, deep=True)


def load_yaml(path: Path, category: ExitCode = ExitCode.CONFIG) -> YamlDocument:
    """Read a YAML file safely; raise GovdocsError listing every syntax or key problem."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise GovdocsError(
            [Problem("file.unreadable", f"cannot read file: {exc.strerror}", Location(name), category)]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GovdocsError(
            [
                Problem(
                    "file.encoding",
                    f"not UTF-8 text (byte {exc.start}); save the file as UTF-8",
                    Location(name),
                    category,
                )
            ]
        ) from None
    doc = YamlDocument(name, None)
    problems: list[Problem] = []
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        constructor = yaml.constructor.SafeConstructor()
        doc.data = (
            None if node is None else _node_to_data(node, (), doc, constructor, problems, category)
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = (exc.problem or exc.context or "invalid YAML").strip()
        if "could not determine a constructor" in str(exc):
            message = "tags such as !!python/... are not allowed"
        problems.append(Problem("yaml.syntax", message, Location(name, line), category))
    except yaml.YAMLError as exc:
        problems.append(Problem("yaml.syntax", str(exc).splitlines()[0], Location(name), category))
    if problems:
        raise GovdocsError(problems)
    return doc


def pydantic_message(error: dict[str, Any]) -> str:
    kind = error["type"]
    given = error.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see `govdocs schema`)"
    if kind in {"string_type"} and isinstance(given, bool):
        return f"expected text but YAML read {given!r} (write it in quotes, e.g. \"NO\")"
    if kind in {"string_type"} and isinstance(given, int | float):
        return f"expected text but YAML read the number {given!r}; quote it to keep leading zeros"
    if kind == "string_pattern_mismatch":
        return f"{given!r} is not a valid value here ({error['msg'].lower()})"
    message = str(error["msg"])
    if given is not None and not isinstance(given, dict | list):
        message += f" (got {given!r})"
    return message


def config_from_document(doc: YamlDocument) -> GovernanceConfig:
    """Validate the shape with pydantic, then the meaning; raise with every problem found."""
    if not isinstance(doc.data, dict):
        raise GovdocsError(
            [
                Problem(
                    "config.not_mapping",
                    "the config must be a YAML mapping with client, kpis and partners",
                    Location(doc.file, 1),
                    ExitCode.CONFIG,
                )
            ]
        )
    try:
        config = GovernanceConfig.model_validate(doc.data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            path = tuple(p for p in error["loc"] if isinstance(p, str | int))
            problems.append(
                Problem(
                    f"config.{error['type']}",
                    pydantic_message(error),
                    doc.location(path),
                    ExitCode.CONFIG,
                )
            )
        raise GovdocsError(problems) from None

    from govdocs.config.checks import check_config

    problems = check_config(config, doc)
    if problems:
        raise GovdocsError(problems)
    return config


def load_config(path: Path) -> GovernanceConfig:
    return config_from_document(load_yaml(path))
