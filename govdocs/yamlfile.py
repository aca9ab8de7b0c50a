"""Reading YAML written by people: the config, the inputs, assessments and proposed actions.

YAML is composed into nodes with PyYAML's safe loader (no Python tags), then turned into plain
data by hand so that duplicate keys are refused and every value keeps the line it came from;
aliases, nesting and a file's size are bounded. `model_from_document` then validates the shape
with a pydantic model and words each error for the file's author, with its path and line.
Every loader of a YAML file uses this layer; it knows nothing of what the files mean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from govdocs.errors import ExitCode, GovdocsError, Location, Problem
from govdocs.limits import EMAIL_PATTERN, control_character

M = TypeVar("M", bound=BaseModel)


@dataclass
class YamlDocument:
    """Plain data from a YAML file plus the line of every config path."""

    file: str
    data: Any
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)
    # what was written where YAML read something other than text (NO, 0123, 1:30, 2026-07-01)
    written: dict[tuple[str | int, ...], str] = field(default_factory=dict)
    quoted: set[tuple[str | int, ...]] = field(default_factory=set)  # scalars written in quotes

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
# Aliases may not expand a small file into millions of values: the values an alias repeats are
# counted (what is written out is bounded by the file itself: a programme of 10,000 partners
# writes 350,000 values and is not refused).
MAX_VALUES = 100_000
MAX_DEPTH = 64  # the config nests five levels; thousands would overflow the composer's C stack
MAX_SHAPE_PROBLEMS = 50  # lines printed for one file's shape; the rest are counted


class _TooLarge(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line, self.what = line, what


def _shown(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


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
        self.built: set[int] = set()  # nodes built once: building one again is an alias repeating it
        self.repeating = 0  # depth of alias repeats the builder is inside
        self.count = 0  # values built inside a repeat

    def problem(self, code: str, message: str, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        location = Location(self.doc.file, node.start_mark.line + 1, path=format_path(path) or None)
        self.problems.append(Problem(code, message, location, self.category))

    def build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        repeat = id(node) in self.built
        self.built.add(id(node))
        self.repeating += repeat
        try:
            return self._build(node, path)
        finally:
            self.repeating -= repeat

    def _build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self.count += self.repeating > 0
        if self.count > MAX_VALUES:
            what = f"aliases expand the file by more than {MAX_VALUES:,} values (nested too deeply?)"
            raise _TooLarge(node.start_mark.line + 1, what)
        if len(path) > MAX_DEPTH:  # aliases can nest what is written shallow
            raise _TooLarge(node.start_mark.line + 1, f"values are nested more than {MAX_DEPTH} levels deep")
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
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, yaml.YAMLError):  # e.g. 2026-13-01 looks like a date but is not one
            kind = "date" if node.tag == YAML_TAG + "timestamp" else _tag_text(node.tag)[2:]
            self.problem("yaml.bad_value", f"'{_shown(node.value)}' is not a valid {kind}", node, path)
            return None
        if not isinstance(value, str) and value is not None:
            self.doc.written[path] = node.value
        elif node.style in ("'", '"'):
            self.doc.quoted.add(path)
        if isinstance(value, str) and (found := control_character(value)) is not None:
            # YAML refuses most of them written raw, but a quoted "\e", "\0" or "\ud800" makes one
            message = f"the text holds a control character ({found}); remove it"
            self.problem("yaml.control_character", message, node, path)
            return None
        return value

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
        shown = _shown(node.value)
        self.problem(
            "yaml.bad_key", f'key {shown} is read as {key!r}, not as text; write it in quotes ("{shown}")', node, path
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


_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def _line_of(raw: bytes | str, position: int) -> int:
    before = raw[:position]
    newline = "\n" if isinstance(before, str) else b"\n"
    return before.count(newline) + 1  # type: ignore[arg-type]


def decode_text(raw: bytes, name: str, category: ExitCode) -> str:
    """UTF-8 text (a UTF-8 byte-order mark is fine), or one problem saying what the bytes are."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            message = f"the file is {encoding} text (it starts with a {encoding} byte-order mark); save it as UTF-8"
            raise GovdocsError([Problem("file.encoding", message, Location(name, 1), category)])
    head = raw[:4096]
    if len(head) >= 16 and max(head[0::2].count(0), head[1::2].count(0)) >= len(head) // 2 * 0.6:
        message = "the file looks like UTF-16 text (every other byte is NUL); save it as UTF-8"
        raise GovdocsError([Problem("file.encoding", message, Location(name, 1), category)])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        position = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        start = raw.rfind(b"\n", 0, position) + 1
        end = raw.find(b"\n", position)
        shown = raw[start : end if end >= 0 else len(raw)].strip()[:60].decode("cp1252", errors="replace")
        message = (
            f"not UTF-8 text: byte 0x{raw[position]:02X} in '{shown}' (Windows-1252 or Latin-1?); "
            "save the file as UTF-8"
        )
        raise GovdocsError(
            [Problem("file.encoding", message, Location(name, _line_of(raw, position)), category)]
        ) from None


_TOO_DEEP = f"values are nested more than {MAX_DEPTH} levels deep"


def _is_nesting_limit(exc: yaml.MarkedYAMLError) -> bool:
    """The YAML library's own depth limit (always deeper than ours), told from other syntax errors."""
    return "nesting depth" in f"{exc.problem or ''} {exc.context or ''}"


def _check_depth(text: str) -> None:
    """Refuse deep nesting from the parser's events, before the (recursive) composer sees it."""
    depth = 0
    for event in yaml.parse(text, Loader=_COMPOSER):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _TooLarge(event.start_mark.line + 1, _TOO_DEEP)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


CONFIG_BYTES = 32 * 2**20  # a governance config: a programme of 10,000 partners writes about 9 MB


def read_bounded(path: Path, category: ExitCode, max_bytes: int | None = None) -> bytes:
    """A YAML file's bytes, refused with one line when it is not a regular file, cannot be read
    or holds more than `max_bytes` (a human-input file; the config's own limit without it)."""
    from govdocs import limits
    from govdocs.files import read_regular

    if max_bytes is None:
        return read_regular(path, category, CONFIG_BYTES, "a governance config")
    hint = f" ({limits.TEXT_CHARACTERS:,} characters a text, {limits.LIST_ENTRIES} entries a list)"
    return read_regular(path, category, max_bytes, "a human-input file", hint=hint)


def load_yaml(path: Path, category: ExitCode = ExitCode.CONFIG, max_bytes: int | None = None) -> YamlDocument:
    """Read a YAML file safely; raise GovdocsError listing every syntax or key problem."""
    return load_yaml_bytes(read_bounded(path, category, max_bytes), path, category)


def load_yaml_bytes(raw: bytes, path: Path, category: ExitCode) -> YamlDocument:
    """YAML already read from `path` (bounded), parsed as `load_yaml` does."""
    name = str(path)
    text = decode_text(raw, name, category)
    doc = YamlDocument(name, None)
    problems: list[Problem] = []
    try:
        _check_depth(text)
        node = yaml.compose(text, Loader=_COMPOSER)
        doc.data = None if node is None else _Builder(doc, problems, category).build(node, ())
    except _TooLarge as exc:
        problems = [Problem("yaml.too_large", exc.what, Location(name, exc.line), category)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if _is_nesting_limit(exc):
            # libyaml >= 0.2.6 has a nesting limit of its own, and its scanner can reach it while
            # looking ahead, before the parser hands us the 65th event: the same refusal either way.
            raise GovdocsError([Problem("yaml.too_large", _TOO_DEEP, Location(name, line), category)]) from None
        message = (exc.problem or exc.context or "invalid YAML").strip()
        if exc.problem and exc.context:
            message += f" ({exc.context.strip()})"
        if "'\\t'" in message or "tab character" in message:  # PyYAML's and libyaml's wording
            message += "; indent with spaces, not tabs"
        problems.append(Problem("yaml.syntax", message, Location(name, line), category))
    except yaml.reader.ReaderError as exc:
        character = f"#x{exc.character:04x}" if isinstance(exc.character, int) else repr(exc.character)
        message = f"character {character} is not allowed in YAML ({exc.reason}); is this a text file?"
        problems.append(Problem("yaml.syntax", message, Location(name, _line_of(text, exc.position)), category))
    except yaml.YAMLError as exc:
        problems.append(Problem("yaml.syntax", str(exc).splitlines()[0], Location(name), category))
    if problems:
        raise GovdocsError(problems)
    return doc


def _read_as(written: str, given: object) -> str:
    """How YAML 1.1 read a plain scalar, in words: 'NO as False', '1:30 as the number 90 (base 60)'."""
    if isinstance(given, bool):
        return f"{written} as {given!r}"
    if isinstance(given, date):
        return f"{written} as a date"
    if not isinstance(given, int | float):
        return f"{written} as {given!r}"
    digits = written.lstrip("+-").replace("_", "").lower()
    base = (
        "base 60"
        if ":" in digits
        else "hexadecimal"
        if digits.startswith("0x")
        else "binary"
        if digits.startswith("0b")
        else "octal"
        if len(digits) > 1 and digits.startswith("0") and digits.isdigit()
        else None
    )
    return f"{written} as the number {given!r}" + (f" ({base})" if base else "")


# What each pattern of the models asks for, in words: the regular expression itself is no help
# to a config's author.
PATTERN_WORDS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$": "an id: letters, digits, '_', '-' and '.', starting with a letter "
    "or digit, at most 64 characters",
    r"^[A-Z]{3}$": "a three-letter currency code in capitals, e.g. EUR",
    r"^\d{4}-Q[1-4]$": "a quarter written like 2026-Q3",
    r"^(\d{4}-Q[1-4]|last_complete)$": "a quarter written like 2026-Q3, or last_complete (the last quarter "
    "that ended before the issue date)",
    r"^\d{4}-(0[1-9]|1[0-2])$": 'a month written like "2026-07" (in quotes)',
    r"^[A-Z]{2}$": "a two-letter country code in capitals, e.g. NL",
    r"^([01]\d|2[0-3]):[0-5]\d$": 'a 24-hour time written like "09:30" (in quotes)',
    r"^\d+(\.\d+)?\s*(MB|GB|MiB|GiB)$": "a size written like 2GB or 512MB",
    EMAIL_PATTERN: "an e-mail address like name@example.com (one address, no spaces or line breaks)",
}


def _yaml_number(text: str) -> str | None:
    """How YAML 1.1 needs a number written that it read as text: `1e-320` has no decimal point
    and no exponent sign, so YAML 1.1 reads text; `1.0e-320` is the number."""
    import re

    match = re.fullmatch(r"([-+]?)(\d+)(?:\.(\d*))?[eE]([-+]?)(\d+)", text.strip())
    if match is None:
        return None
    sign, whole, fraction, exponent_sign, exponent = match.groups()
    return f"{sign}{whole}.{fraction or '0'}e{exponent_sign or '+'}{exponent}"


# Where the fields of each kind of file are listed: an unknown field points there.
SCHEMA_OF = {
    "config": "govdocs schema",
    "project": "govdocs schema --of project",
    "inputs": "govdocs schema --of inputs",
    "assessment": "govdocs schema --of assessment",
    "actions": "govdocs schema --of actions",
}


def pydantic_message(
    error: dict[str, Any], written: str | None = None, quoted: bool | None = None, kind_of_file: str = "config"
) -> str:
    """One validation error in a YAML author's words; `written` is the scalar as typed, when
    YAML read it as something other than text; `quoted` says whether a text was written in
    quotes (None: not known); `kind_of_file` names the schema an unknown field points to."""
    kind = error["type"]
    given = error.get("input")
    shown = _shown(written) if written is not None else None
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        schema = SCHEMA_OF.get(kind_of_file)
        return f"unknown field (check the spelling; see `{schema}`)" if schema else "unknown field (check the spelling)"
    if kind == "string_type" and shown is not None and isinstance(given, bool | int | float | date):
        return f'expected text but YAML read {_read_as(shown, given)}; write it in quotes ("{shown}")'
    if kind in {"string_type"} and isinstance(given, bool):
        return f'expected text but YAML read {given!r} (write it in quotes, e.g. "NO")'
    if kind in {"string_type"} and isinstance(given, int | float):
        return f"expected text but YAML read the number {given!r}; quote it to keep leading zeros"
    if kind in {"string_type"} and isinstance(given, date):
        return f"expected text but YAML read the date {given}; write it in quotes"
    if kind in {"float_type", "int_type"} and isinstance(given, bool):
        what = shown if shown is not None else "yes/no/on/off"
        return f"expected a number but YAML read {what} as {given!r} (yes/no/on/off are booleans in YAML)"
    if kind in {"float_type", "int_type"} and isinstance(given, str):
        try:
            float(given)
        except ValueError:
            return f"expected a number, got {_shown(given)!r}"
        spelled = _yaml_number(given)
        if quoted is False and spelled is not None:
            return (
                f"expected a number but YAML 1.1 reads {_shown(given)} as text: an exponent needs a decimal "
                f"point and a sign; write {spelled}"
            )
        if quoted is False:
            return f"expected a number but YAML read {_shown(given)!r} as text"
        return f"expected a number but got the text {_shown(given)!r}; write it without quotes"
    if kind.startswith(("date_", "datetime_")) and shown is not None:
        return f"expected a date like 2026-10-15, but YAML read {_read_as(shown, given)}"
    if kind.startswith(("date_", "datetime_")) and isinstance(given, str):
        return f"expected a date like 2026-10-15, got {_shown(given)!r}{_iso_hint(given)}"
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"text of {len(str(given)):,} characters, more than the {limit:,} this field may hold; shorten it"
    if kind == "too_long":
        # pydantic gives no actual length for a mapping (nor for a set): counted here
        context = error.get("ctx", {})
        actual = context.get("actual_length")
        if actual is None and isinstance(given, dict | list | tuple | set):
            actual = len(given)
        what = "mapping" if isinstance(given, dict) else "list"
        held = f"{actual:,} entries" if isinstance(actual, int) else "more entries"
        return (
            f"{held}, more than the {context.get('max_length', 0):,} this {what} may hold; "
            "keep the ones the review needs"
        )
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        # a pattern without words is a bug to fix here: its regular expression is never shown
        wanted = PATTERN_WORDS.get(pattern, "a value of the form `govdocs schema` describes for this field")
        return f"{_shown(str(given))!r} is not a valid value here: expected {wanted}"
    message = str(error["msg"])
    if given is not None and not isinstance(given, dict | list):
        message += f" (got {_shown(repr(given), 60)})"
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
        errors = exc.errors()
        problems = [
            Problem(
                f"{prefix}.{error['type']}",
                pydantic_message(error, doc.written.get(path), path in doc.quoted if path else None, prefix),
                doc.location(path),
                category,
            )
            for error in errors[:MAX_SHAPE_PROBLEMS]
            for path in [tuple(p for p in error["loc"] if isinstance(p, str | int))]
        ]
        if len(errors) > MAX_SHAPE_PROBLEMS:
            hidden = len(errors) - MAX_SHAPE_PROBLEMS
            message = f"{hidden:,} more problems not shown; fix the ones above first"
            problems.append(Problem(f"{prefix}.more_problems", message, Location(doc.file), category))
        raise GovdocsError(problems) from None


def _iso_hint(text: str) -> str:
    """'; write 2027-01-29' for a day-first date that can be read one way only (29/01/2027,
    29.01.2027): a day above 12 leaves no doubt. 01/02/2027 gets no guess."""
    import re
    from datetime import date

    found = re.fullmatch(r"\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*", text)
    if found is None:
        return ""
    first, second, year = (int(g) for g in found.groups())
    day, month = (first, second) if first > 12 else (second, first) if second > 12 else (0, 0)
    try:
        return f"; write {date(year, month, day).isoformat()}" if day else ""
    except ValueError:
        return ""
