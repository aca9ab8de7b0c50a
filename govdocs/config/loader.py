"""Load step, config half: YAML text -> GovernanceConfig, every problem with path and line.

YAML is composed into nodes with PyYAML's safe loader (no Python tags), then turned
into plain data by hand so that duplicate keys are refused and every value keeps the
line it came from. Pydantic then validates the shape; `checks.py` the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError, Location, Problem

M = TypeVar("M", bound=BaseModel)


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


YAML_TAG = "tag:yaml.org,2002:"
# Plain YAML only: the scalar types the safe resolver produces, one map and one list type.
SCALAR_TAGS = {YAML_TAG + t for t in ("null", "bool", "int", "float", "str", "timestamp")}
MERGE_TAG = YAML_TAG + "merge"
MAX_VALUES = 100_000  # aliases may not expand a small file into millions of values


class _TooLarge(Exception):
    pass


def _tag_text(tag: str) -> str:
    return "!!" + tag[len(YAML_TAG) :] if tag.startswith(YAML_TAG) else tag


class _Builder:
    """Turn composed YAML nodes into plain data, recording lines and collecting problems."""

    def __init__(self, doc: YamlDocument, problems: list[Problem], category: ExitCode) -> None:
        self.doc = doc
        self.problems = problems
        self.category = category
        self.constructor = yaml.constructor.SafeConstructor()
        self.active: set[int] = set()  # nodes being built: an alias to one of them is a cycle
        self.count = 0

    def problem(self, code: str, message: str, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        location = Location(self.doc.file, node.start_mark.line + 1, path=format_path(path) or None)
        self.problems.append(Problem(code, message, location, self.category))

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooLarge
        if id(node) in self.active:
            self.problem("yaml.recursive_alias", "an alias refers to the value containing it", node, path)
            return None
        self.doc.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        expected = YAML_TAG + ("map" if isinstance(node, yaml.MappingNode) else "seq")
        if node.tag != expected:
            self.problem("yaml.tag", self.tag_message(node.tag), node, path)
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            return self.mapping(node, path)
        finally:
            self.active.discard(id(node))

    @staticmethod
    def tag_message(tag: str) -> str:
        return f"tag {_tag_text(tag)} is not allowed: write plain YAML (no !!python/... or other tags)"

    def scalar(self, node: yaml.ScalarNode, path: tuple[str | int, ...]) -> Any:
        if node.tag not in SCALAR_TAGS:
            self.problem("yaml.tag", self.tag_message(node.tag), node, path)
            return None
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError):  # e.g. 2026-13-01 looks like a date but is not one
            kind = "date" if node.tag == YAML_TAG + "timestamp" else _tag_text(node.tag)[2:]
            self.problem("yaml.bad_value", f"'{node.value}' is not a valid {kind}", node, path)
            return None

    def key(self, node: yaml.Node, path: tuple[str | int, ...]) -> str | None:
        """A mapping key as text; YAML 1.1 surprises (NO, on, 0123, 1:30, ~) are refused."""
        if not isinstance(node, yaml.ScalarNode):
            self.problem("yaml.bad_key", "a key must be text, not a list or a mapping", node, path)
            return None
        before = len(self.problems)
        key = self.scalar(node, path)
        if len(self.problems) > before:
            return None
        if isinstance(key, str):
            return key
        if type(key) is int and str(key) == node.value:  # a plain number such as 2026
            return node.value
        self.problem(
            "yaml.bad_key",
            f'key {node.value} is read as {key!r}, not as text; write it in quotes ("{node.value}")',
            node,
            path,
        )
        return None

    def mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, Any]:
        merged: dict[str, Any] = {}  # from `<<: *anchor`; keys written here override them
        explicit: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == MERGE_TAG:
                self.merge(value_node, path, merged)
                continue
            key = self.key(key_node, path)
            if key is None:
                continue
            line = key_node.start_mark.line + 1
            if key in first_line:
                self.problem(
                    "yaml.duplicate_key",
                    f"duplicate key '{key}' (first on line {first_line[key]})",
                    key_node,
                    (*path, key),
                )
                continue
            first_line[key] = line
            explicit[key] = self.build(value_node, (*path, key))
            self.doc.lines[(*path, key)] = line
        self.doc.lines[path] = node.start_mark.line + 1
        return {**merged, **explicit}

    def merge(self, node: yaml.Node, path: tuple[str | int, ...], merged: dict[str, Any]) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.problem("yaml.bad_merge", "'<<' needs a mapping or a list of mappings", source, path)
                continue
            data = self.build(source, path)
            for key, value in (data or {}).items():
                merged.setdefault(key, value)  # the first mapping listed wins, as in YAML 1.1


# libyaml's composer when PyYAML was built with it (the wheels are): the same nodes and marks,
# ten times faster on a large config. Only composing: values are built by `_Builder` above.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
        node = yaml.compose(text, Loader=_COMPOSER)
        doc.data = None if node is None else _Builder(doc, problems, category).build(node, ())
    except _TooLarge:
        problems.append(
            Problem(
                "yaml.too_large",
                f"the file expands to more than {MAX_VALUES} values (aliases nested too deeply?)",
                Location(name),
                category,
            )
        )
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.problem and exc.context:
            message += f" ({exc.context.strip()})"
        if "'\\t'" in message or "tab character" in message:  # PyYAML's and libyaml's wording
            message += "; indent with spaces, not tabs"
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
        return f'expected text but YAML read {given!r} (write it in quotes, e.g. "NO")'
    if kind in {"string_type"} and isinstance(given, int | float):
        return f"expected text but YAML read the number {given!r}; quote it to keep leading zeros"
    if kind in {"string_type"} and isinstance(given, date):
        return f"expected text but YAML read the date {given}; write it in quotes"
    if kind in {"float_type", "int_type"} and isinstance(given, bool):
        return f"expected a number but YAML read {given!r} (yes/no/on/off are booleans in YAML)"
    if kind in {"float_type", "int_type"} and isinstance(given, str):
        try:
            float(given)
        except ValueError:
            return f"expected a number, got {given!r}"
        return f"expected a number but got the text {given!r}; write it without quotes"
    if kind == "string_pattern_mismatch":
        return f"{given!r} is not a valid value here ({error['msg'].lower()})"
    message = str(error["msg"])
    if given is not None and not isinstance(given, dict | list):
        message += f" (got {given!r})"
    return message


def model_from_document(
    doc: YamlDocument,
    model: type[M],
    prefix: str,
    category: ExitCode,
    not_mapping: tuple[str, str],
) -> M:
    """Validate a YAML document's shape with a pydantic model; every error with its path and line.

    `not_mapping` is the (code, message) reported when the file is not a YAML mapping."""
    if not isinstance(doc.data, dict):
        code, message = not_mapping
        raise GovdocsError([Problem(code, message, Location(doc.file, 1), category)])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise GovdocsError(
            [
                Problem(
                    f"{prefix}.{error['type']}",
                    pydantic_message(error),
                    doc.location(tuple(p for p in error["loc"] if isinstance(p, str | int))),
                    category,
                )
                for error in exc.errors()
            ]
        ) from None


def config_from_document(doc: YamlDocument) -> GovernanceConfig:
    """Validate the shape with pydantic, then the meaning; raise with every problem found."""
    what = "the config file is empty" if doc.data is None else "the config must be a YAML mapping"
    config = model_from_document(
        doc,
        GovernanceConfig,
        "config",
        ExitCode.CONFIG,
        ("config.not_mapping", f"{what}: it needs the keys client, kpis and partners"),
    )

    from govdocs.config.checks import check_config

    problems = check_config(config, doc)
    if problems:
        raise GovdocsError(problems)
    return config


def load_config(path: Path) -> GovernanceConfig:
    return config_from_document(load_yaml(path))
