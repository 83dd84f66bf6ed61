"""The one YAML reader for files a user hands crossdock: stack files, Pulumi.yaml, waivers.

It is PyYAML's SafeLoader made stricter, so a hostile or mistaken file is refused
fast with one line naming the file and line instead of being read wrongly or slowly:

- a key written twice in one mapping is an error naming both lines (the Pulumi CLI
  rejects it too; otherwise the last value silently wins);
- aliases (`*name`) are refused: a few lines of aliases can expand to billions of
  nodes (the "billion laughs" bomb), and stack files have no need for them;
- nesting deeper than `MAX_DEPTH` and files larger than `MAX_BYTES` are refused;
- only JSON's types are built: dates stay text (as the Pulumi CLI reads them), and
  explicit tags for binary, sets, ordered maps and timestamps are refused.

This module sits below every layer (like `crossdock.errors`): the engine, the config
loader, the templates and the gate all read user YAML through it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
import yaml.reader
from yaml.events import AliasEvent, CollectionStartEvent

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted (crossdock's stack files use 5)."""
MAX_BYTES = 4 * 1024 * 1024
"""Largest file accepted (crossdock's largest stack file is under 10 KiB)."""

_REFUSED_TAGS = (
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:set",
    "tag:yaml.org,2002:omap",
    "tag:yaml.org,2002:pairs",
    "tag:yaml.org,2002:timestamp",
)


class YamlInputError(Exception):
    """The text is not YAML crossdock accepts; `line` is 1-based when known."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line

    def where(self, source: str) -> str:
        """`source:line` (or `source`) for the start of a one-line message."""
        return f"{source}:{self.line}" if self.line else source


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, duplicate keys, deep nesting, dates or non-JSON tags."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise YamlInputError(
                f"alias *{event.anchor} is not allowed (aliases can expand a few lines into billions of values; "
                "write the value out)",
                event.start_mark.line + 1,
            )
        nested = self.check_event(CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise YamlInputError(f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark.line + 1)
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                line = key_node.start_mark.line + 1
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: SafeLoader reports it below
                    continue
                if first is not None:
                    raise YamlInputError(f"duplicate key {key!r} (first at line {first}; the last would win)", line)
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


def _refuse(loader: StrictLoader, node: yaml.Node) -> Any:
    raise YamlInputError(f"tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed", node.start_mark.line + 1)


for _tag in _REFUSED_TAGS:
    StrictLoader.add_constructor(_tag, _refuse)
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse(text: str) -> tuple[Any, yaml.Node | None]:
    """The document's data and its node tree; YamlInputError (with a line) for anything refused."""
    try:
        loader = StrictLoader(text)
    except yaml.reader.ReaderError as exc:  # a control character: the reader refuses the text up front
        raise YamlInputError(f"not valid YAML: {exc.reason} (character {exc.character!r})") from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except YamlInputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlInputError(f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None) from None
    except yaml.reader.ReaderError as exc:
        raise YamlInputError(f"not valid YAML: {exc.reason} (character {exc.character!r})") from None
    except yaml.YAMLError as exc:
        raise YamlInputError(f"not valid YAML: {' '.join(str(exc).split())}") from None
    except RecursionError:
        raise YamlInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    finally:
        loader.dispose()
    return data, node


def read_text(path: Path) -> str:
    """A user file's text, or YamlInputError saying why it cannot be read (never blocks on a FIFO)."""
    import os
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise YamlInputError(f"is a symlink to {os.readlink(path)}, which does not exist") from None
        raise YamlInputError("file not found") from None
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            raise YamlInputError("is a symlink loop") from None
        raise YamlInputError(f"cannot read file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise YamlInputError("is a directory, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise YamlInputError("is not a regular file")
    if info.st_size > MAX_BYTES:
        raise YamlInputError(f"is {info.st_size} bytes; crossdock reads files of at most {MAX_BYTES} bytes")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlInputError(f"is not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise YamlInputError(f"cannot read file: {exc.strerror or exc}") from None


def load_file(path: Path) -> Any:
    """Read and parse a user YAML file; YamlInputError (with a line when known) when refused."""
    data, _ = parse(read_text(path))
    return data
