"""Validate step, config half: `validate --fix`, the edit `validate` proposes for references to a
KPI or partner the config no longer has, written into the file.

The references are those `checks.remedy_path` names (commercial.allocation, relief_kpis,
watermelon, client_factors, action_library, offboarding.volume_kpi, a partner's targets, ...).
The file is edited as text, at the positions PyYAML's composer gives each node, so every other
line keeps its comments and layout: a block entry's lines are removed, a flow entry (`[a, b]`,
`{a: 1}`) is cut out of its line with its comma. A mapping left empty is removed from its
parent; a list of ids left empty takes the list entry holding it along (a client factor for no
partner), else it is written `[]`. The edit is repeated until no such reference is left.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from govdocs.config.checks import _check, remedy_path
from govdocs.config.model import GovernanceConfig
from govdocs.errors import ExitCode, GovdocsError
from govdocs.yamlfile import _COMPOSER, decode_text, format_path, load_yaml_bytes, model_from_document, read_bounded

Path_ = tuple[str | int, ...]
ROUNDS = 5  # an edit can leave a reference of its own (a list entry that held the last id): checked again


@dataclass
class ConfigFix:
    path: Path
    before: str
    after: str
    changes: list[str] = field(default_factory=list)  # "governance.yaml:312: removed ... (why)"
    skipped: list[str] = field(default_factory=list)  # references to remove by hand (behind an alias)

    @property
    def changed(self) -> bool:
        return self.after != self.before

    def diff(self) -> str:
        name = str(self.path)
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True), self.after.splitlines(keepends=True), name, name
            )
        )


def _dangling(text: str, path: Path) -> list[tuple[Path_, str]]:
    """(what to remove, why) for each reference to a KPI or partner the config does not have;
    none when the file does not load as a config at all (its own errors come first)."""
    try:
        doc = load_yaml_bytes(text.encode("utf-8"), path, ExitCode.CONFIG)
        config = model_from_document(doc, GovernanceConfig, "config", ExitCode.CONFIG, ("config.not_mapping", "-"))
    except GovdocsError:
        return []
    found: dict[Path_, str] = {}
    for code, message, where in _check(config):
        target = remedy_path(code, message, where)
        if target is not None:
            found.setdefault(target, message)
    return list(found.items())


def _child(node: yaml.Node, key: str | int) -> tuple[yaml.Node | None, yaml.Node]:
    """(key node, value node) of a mapping's key or (None, item) of a sequence's index."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
        raise KeyError(key)
    if isinstance(node, yaml.SequenceNode) and isinstance(key, int):
        return None, node.value[key]
    raise KeyError(key)


def _node(root: yaml.Node, path: Path_) -> yaml.Node:
    for key in path:
        root = _child(root, key)[1]
    return root


def _last_line(node: yaml.Node) -> int:
    """The 0-based last line a node's text is on (a block collection's own end mark lies at the
    next token, past any comment lines: its last descendant's is used)."""
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and not node.flow_style and node.value:
        last = node.value[-1]
        return _last_line(last[1] if isinstance(last, tuple) else last)
    end = node.end_mark
    return end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line


class _Editor:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.edits: list[tuple[int, int, str]] = []

    def lines(self, first: int, last: int) -> None:
        self.edits.append((self.starts[first], self.starts[min(last + 1, len(self.starts) - 1)], ""))

    def span(self, start: int, end: int, replacement: str = "") -> None:
        self.edits.append((start, end, replacement))

    def result(self) -> str:
        text, kept = self.text, []
        for start, end, new in sorted(set(self.edits)):
            if kept and start < kept[-1][1]:  # inside an edit already made (an entry and an id of it)
                continue
            kept.append((start, end, new))
        for start, end, new in reversed(kept):
            text = text[:start] + new + text[end:]
        return text


def _remove(root: yaml.Node, path: Path_, editor: _Editor) -> Path_:
    """Schedule the removal of the node at `path`; returns what was removed (an emptied list of
    ids inside a list entry takes the entry along; an emptied mapping is removed from its parent)."""
    parent = _node(root, path[:-1])
    key_node, value = _child(parent, path[-1])
    siblings = parent.value
    alone = len(siblings) == 1
    if alone and len(path) > 1 and isinstance(parent, yaml.MappingNode):
        return _remove(root, path[:-1], editor)  # a mapping left empty: removed from its parent
    if alone and len(path) > 2 and isinstance(path[-3], int):
        return _remove(root, path[:-2], editor)  # a list entry's ids all gone (a factor for no partner): the entry
    index = next(i for i, s in enumerate(siblings) if (s[1] if isinstance(s, tuple) else s) is value)
    if parent.flow_style:
        if alone:
            empty = "{}" if isinstance(parent, yaml.MappingNode) else "[]"
            editor.span(parent.start_mark.index, parent.end_mark.index, empty)
            return path
        first = key_node if key_node is not None else value
        if index < len(siblings) - 1:
            after = siblings[index + 1]
            editor.span(first.start_mark.index, (after[0] if isinstance(after, tuple) else after).start_mark.index)
        else:
            before = siblings[index - 1]
            editor.span((before[1] if isinstance(before, tuple) else before).end_mark.index, value.end_mark.index)
        return path
    first_line = (key_node if key_node is not None else value).start_mark.line
    editor.lines(first_line, _last_line(value))
    if alone:  # a block list left empty at the top or in a section: `key: []`
        holder = _node(root, path[:-2]) if len(path) > 1 else None
        if isinstance(holder, yaml.MappingNode):
            key, _ = _child(holder, path[-2])
            colon = editor.text.index(":", key.end_mark.index)
            editor.span(colon + 1, colon + 1, " []")
    return path


def fix_config(path: Path) -> ConfigFix:
    """The config with every reference to a missing KPI or partner removed (not written)."""
    before = decode_text(read_bounded(path, ExitCode.CONFIG), str(path), ExitCode.CONFIG)
    text = before
    fix = ConfigFix(path, before, before)
    for _ in range(ROUNDS):
        dangling = _dangling(text, path)
        if not dangling:
            break
        root = yaml.compose(text, Loader=_COMPOSER)
        editor = _Editor(text)
        for target, why in dangling:
            try:
                removed = _remove(root, target, editor)
            except (KeyError, IndexError, StopIteration, ValueError):
                # written through a merge key or an alias: not at a place of its own in the text
                fix.skipped.append(f"{path}: {format_path(target)} ({why}): not found in the file's text")
                continue
            line = _node(root, removed).start_mark.line + 1
            fix.changes.append(f"{path}:{line}: removed {format_path(removed)} ({why})")
        if not editor.edits:
            break
        text = editor.result()
    fix.after = text
    return fix
