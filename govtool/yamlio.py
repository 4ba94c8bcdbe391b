"""YAML in and out: strict loading with line numbers, deterministic dumping.

Loading uses PyYAML's C loader when present. Unlike plain ``yaml.safe_load`` it
refuses duplicate mapping keys (the second ``alpaca:`` is an error, not "last one
wins") and keeps YAML timestamps as the strings that were written, so the model
parses and validates dates itself. Dumping is deterministic: the caller's key
order, no line folding, unicode kept, dates in ISO 8601.

A document of plain mappings, lists and scalars (every tracker govtool writes, and
most API specs) is built straight from the parser's events by :func:`_data_from_events`,
with PyYAML's own resolver and scalar constructors; anything else (anchors, aliases,
tags, merge keys, complex keys, a duplicate key, a syntax error) goes to PyYAML's
loader, which gives the answer or the error. Dumping likewise writes plain data as
events straight to the C emitter (:func:`_dump_as_events`). The results are the same
either way, type for type and byte for byte (tests/test_yaml_events.py); what is
skipped is PyYAML's node graph, which for a 6 MB tracker costs ~3 s and ~250 MB to
load and ~1.6 s to write.

Every file govtool reads may come from a pull request, so loading is bounded
(DESIGN.md, "Delivery and trust"): at most :data:`MAX_YAML_CHARS` of text,
:data:`MAX_DEPTH` levels of nesting (counted with aliases expanded),
:data:`MAX_ANCHORS` anchors, :data:`MAX_ALIASES` aliases that together stand for at
most :data:`MAX_ALIAS_EXPANSION` nodes, no alias inside the node it names, and no
number too long for Python to read. A document over a bound is refused by
:func:`load_yaml` with its file and line (exit 2) after one pass over the parser's
events, before PyYAML builds anything: a 1 KB "billion laughs" or 50,000 nested ``[``
fail in milliseconds instead of hanging or ending in a RecursionError.
:func:`load_json` applies the same bounds to JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from govtool.errors import InputError
from govtool.inputs import MAX_INPUT_BYTES

if TYPE_CHECKING:
    import yaml

#: Where a value sits in a YAML document: the keys and list indexes from the top, e.g.
#: ``("brokers", "alpaca", "history", 3, "at")``.
KeyPath = tuple[str | int, ...]


class YAMLInputError(InputError):
    """YAML that does not load: a syntax error or a duplicate key (exit 2).

    Attributes:
        line: the 1-based line of the problem; detail: the problem without the location.
    """

    def __init__(self, filename: str, line: int, detail: str, hint: str) -> None:
        super().__init__(f"{filename}:{line}: {detail}", hint=hint)
        self.line, self.detail = line, detail


#: The longest YAML or JSON text loaded, in characters.
MAX_YAML_CHARS = MAX_INPUT_BYTES
#: The deepest nesting of mappings and lists, aliases expanded (real API specs: under 20).
MAX_DEPTH = 100
#: The most anchors (``&name``) and aliases (``*name``) in one document.
MAX_ANCHORS = 10_000
MAX_ALIASES = 10_000
#: The most nodes all the aliases of a document may stand for together.
MAX_ALIAS_EXPANSION = 100_000
#: The longest integer read (Python refuses to convert longer ones: 4,300 digits).
MAX_INT_CHARS = 4_000


class YAMLBoundError(YAMLInputError):
    """YAML or JSON over one of the bounds on untrusted input (size, nesting, aliases, numbers; exit 2).

    Unlike a syntax error, which a lenient reader may note and go on, this always stops
    the command: the file is hostile or broken beyond what govtool reads.
    """


class _OverBound(Exception):
    """A document over one of the bounds, at a 1-based line."""

    def __init__(self, line: int, detail: str, hint: str) -> None:
        super().__init__(detail)
        self.line, self.detail, self.hint = line, detail, hint

    def error(self, filename: str) -> YAMLBoundError:
        return YAMLBoundError(filename, self.line, self.detail, self.hint)


_HOSTILE_HINT = "govtool's files and API specs are far smaller; check what wrote this file"
_NUMBER_HINT = "govtool's numbers (percent, tier, cost, days) are small"


def _too_deep(line: int) -> _OverBound:
    return _OverBound(line, f"nested deeper than {MAX_DEPTH} levels", _HOSTILE_HINT)


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int, first_line: int) -> None:
        super().__init__(key)
        self.key, self.line, self.first_line = key, line, first_line


@lru_cache(maxsize=1)
def _loaders() -> tuple[type, type]:
    """(strict loader, plain safe loader), both on PyYAML's C parser when present.

    Built on first use: importing PyYAML costs ~10 ms, which a command answered from
    the cache (:mod:`govtool.cache`) does not pay.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class StrictLoader(base):  # type: ignore[misc, valid-type]
        """Safe loader that refuses duplicate keys and keeps timestamps as strings."""

        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
            seen: dict[Any, yaml.Node] = {}
            for key_node, _ in node.value:
                # Plain scalar keys (nearly all) compare by tag and text without constructing them.
                key: Any = (
                    (key_node.tag, key_node.value)
                    if isinstance(key_node, yaml.ScalarNode)
                    else self.construct_object(key_node, deep=True)
                )
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key; the base class reports it
                    continue
                if first is not None:
                    raise _DuplicateKey(
                        self.construct_object(key_node), key_node.start_mark.line + 1, first.start_mark.line + 1
                    )
                seen[key] = key_node
            return super().construct_mapping(node, deep=deep)

    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", StrictLoader.construct_yaml_str)
    StrictLoader.add_constructor(
        "tag:yaml.org,2002:map",
        lambda loader, node: loader.construct_mapping(node, deep=True),
    )
    return StrictLoader, base


def load_yaml(text: str, filename: str, strict: bool = True) -> Any:
    """Parse YAML text with the C loader when present.

    Args:
        text: the document.
        filename: the name used in error messages (``tracker.yaml``).
        strict: refuse duplicate keys and keep timestamps as strings (govtool's own
            files); False parses other people's documents (API specs) as PyYAML does.

    Returns:
        Plain Python data: dicts, lists, str, int, float, bool, None.

    Raises:
        InputError: a syntax error or a duplicate mapping key, as ``FILE:LINE: ...``.
    """
    import yaml

    _check_size(text, filename)
    strict_loader, plain_loader = _loaders()
    loader_class = strict_loader if strict else plain_loader
    try:
        data = _data_from_events(text, loader_class, strict)
    except yaml.YAMLError:  # PyYAML's loader below reports it, with its line
        data = _NOT_PLAIN
    except _OverBound as over:
        raise over.error(filename) from None
    if data is not _NOT_PLAIN:
        return data
    try:
        _check_bounds(text, loader_class)
    except yaml.YAMLError:  # bounded up to the error, which PyYAML's loader reports below
        pass
    except _OverBound as over:
        raise over.error(filename) from None
    try:
        return yaml.load(text, Loader=loader_class)  # noqa: S506 - safe loaders
    except RecursionError:  # not reached within the bounds; kept so that none can escape
        raise _too_deep(1).error(filename) from None
    except _DuplicateKey as dup:
        path = _path_at_line(text, dup.line)
        where = format_path(path) if path else repr(dup.key)
        raise YAMLInputError(
            filename,
            dup.line,
            f"{where}: duplicate key {dup.key!r} (first at line {dup.first_line})",
            hint="each key may appear once in a mapping; merge the two entries",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        if exc.context and exc.context_mark and exc.problem:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        raise YAMLInputError(
            filename, line, f"YAML syntax error: {problem}", hint="check the indentation and quoting around that line"
        ) from None
    except yaml.YAMLError as exc:
        raise YAMLInputError(filename, 1, f"YAML error: {exc}", hint="check the file's YAML") from None
    except (ValueError, OverflowError) as exc:  # a value _check_bounds lets through; kept so that none escapes
        raise YAMLInputError(filename, 1, f"YAML value cannot be read: {exc}", hint="check the file's values") from None


def _check_size(text: str, filename: str) -> None:
    """Raises YAMLInputError when ``text`` is longer than :data:`MAX_YAML_CHARS` (at the line where it passes it)."""
    if len(text) > MAX_YAML_CHARS:
        line = text.count("\n", 0, MAX_YAML_CHARS) + 1
        raise YAMLBoundError(
            filename, line, f"more than {MAX_YAML_CHARS:,} characters of YAML or JSON", hint=_HOSTILE_HINT
        )


def _scalar_value(loader: Any, tag: str, text: str, line: int) -> Any:
    """A plain scalar built by the loader's constructor for ``tag``.

    Raises:
        _OverBound: the constructor refuses it (an integer of 5,000 digits, the date 2026-02-30).
    """
    import yaml

    if tag == _TAG + "int" and len(text) > MAX_INT_CHARS:
        raise _OverBound(line, f"a number of {len(text):,} characters is too large", _NUMBER_HINT)
    try:
        return loader.yaml_constructors[tag](loader, yaml.ScalarNode(tag, text))
    except (ValueError, OverflowError) as exc:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise _OverBound(line, f"{shown!r} cannot be read as {tag[len(_TAG) :]}: {exc}", "check that value") from None


def _check_bounds(text: str, loader_class: type) -> None:
    """One pass over a document's events, refusing it when it is over a bound.

    Counts nesting with every alias expanded (an alias adds the height of the node it
    names to where it stands), anchors, aliases and the nodes they stand for
    (arithmetically: nothing is expanded), and builds each plain number or date once
    to see that it can be read.

    Raises:
        _OverBound: over :data:`MAX_DEPTH`, :data:`MAX_ANCHORS`, :data:`MAX_ALIASES` or
            :data:`MAX_ALIAS_EXPANSION`; an alias inside the node it names; a value the
            loader cannot build.
        yaml.YAMLError: a syntax error (the document is bounded up to it).
    """
    from yaml import ScalarNode, events

    loader = loader_class(text)
    try:
        named: dict[str, tuple[int, int]] = {}  # anchor -> (nodes, height) of the node it names
        open_nodes: list[list[Any]] = []  # [anchor, nodes, height] of each open mapping or list
        anchors = aliases = expansion = 0
        while True:
            event = loader.get_event()
            kind = type(event)
            line = event.start_mark.line + 1
            if kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                if len(open_nodes) >= MAX_DEPTH:
                    raise _too_deep(line)
                anchors += event.anchor is not None
                open_nodes.append([event.anchor, 1, 1])
                if anchors > MAX_ANCHORS:
                    raise _OverBound(line, f"more than {MAX_ANCHORS:,} YAML anchors", _HOSTILE_HINT)
                continue
            if kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                anchor, nodes, height = open_nodes.pop()
            elif kind is events.ScalarEvent:
                anchor, nodes, height = event.anchor, 1, 0
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(ScalarNode, event.value, event.implicit) if event.implicit[0] else None
                if tag in _SCALAR_TAGS and tag in loader.yaml_constructors:
                    _scalar_value(loader, tag, event.value, line)
            elif kind is events.AliasEvent:
                anchor = None
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _OverBound(line, f"more than {MAX_ALIASES:,} YAML aliases", _HOSTILE_HINT)
                if any(node[0] == event.anchor for node in open_nodes):
                    raise _OverBound(
                        line, f"alias *{event.anchor} stands inside the node it names (a loop)", _HOSTILE_HINT
                    )
                nodes, height = named.get(event.anchor, (1, 0))  # an unknown alias: PyYAML reports it
                expansion += nodes
                if expansion > MAX_ALIAS_EXPANSION:
                    raise _OverBound(
                        line,
                        f"YAML aliases stand for more than {MAX_ALIAS_EXPANSION:,} nodes (an alias bomb?)",
                        "use fewer anchors and aliases (*name); govtool expands them only up to a bound",
                    )
                if len(open_nodes) + height > MAX_DEPTH:
                    raise _too_deep(line)
            elif kind is events.StreamEndEvent:
                return
            else:  # stream and document starts and ends
                continue
            if anchor is not None:
                if kind is events.ScalarEvent:
                    anchors += 1
                    if anchors > MAX_ANCHORS:
                        raise _OverBound(line, f"more than {MAX_ANCHORS:,} YAML anchors", _HOSTILE_HINT)
                named[anchor] = (nodes, height)
            if open_nodes:
                parent = open_nodes[-1]
                parent[1] += nodes
                if height >= parent[2]:
                    parent[2] = height + 1
    finally:
        loader.dispose()


def load_json(text: str, filename: str) -> Any:
    """Parse JSON text with the bounds of :func:`load_yaml` (size, nesting, numbers).

    Args:
        text: the document; filename: the name used in error messages.

    Returns:
        Plain Python data.

    Raises:
        InputError: not JSON (``FILE:LINE: not valid JSON: ...``) or over a bound.
    """
    import json

    _check_size(text, filename)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise YAMLInputError(filename, exc.lineno, f"not valid JSON: {exc.msg}", "check the file's JSON") from None
    except (ValueError, RecursionError) as exc:  # a number too long, or nesting past Python's recursion limit
        _check_json_text(text, filename)
        raise YAMLInputError(filename, 1, f"JSON cannot be read: {exc}", "check the file's JSON") from None
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            _check_json_text(text, filename)
            raise _too_deep(1).error(filename)
        if type(node) is dict:
            stack.extend((child, depth + 1) for child in node.values())
        elif type(node) is list:
            stack.extend((child, depth + 1) for child in node)
    return data


def _check_json_text(text: str, filename: str) -> None:
    """Find where JSON text passes :data:`MAX_DEPTH` or :data:`MAX_INT_CHARS` (run on error only).

    Raises:
        YAMLInputError: at the line of the first bracket too deep or the first number too long.
    """
    import re

    depth = 0
    for match in re.finditer(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]', text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(text.count("\n", 0, match.start()) + 1).error(filename)
        elif token in "]}":
            depth -= 1
    number = re.search(rf"\d{{{MAX_INT_CHARS + 1},}}", text)
    if number:
        line = text.count("\n", 0, number.start()) + 1
        raise YAMLBoundError(filename, line, f"a number of {len(number.group()):,} digits is too large", _NUMBER_HINT)


#: What :func:`_data_from_events` returns for a document it leaves to PyYAML's loader.
_NOT_PLAIN = object()

#: The prefix of YAML's standard tags (``tag:yaml.org,2002:str``).
_TAG = "tag:yaml.org,2002:"

#: Scalar tags built by the loader's own constructors (timestamps: str when strict).
_SCALAR_TAGS = frozenset(_TAG + name for name in ("int", "float", "bool", "null", "timestamp"))


def _data_from_events(text: str, loader_class: type, strict: bool) -> Any:
    """Build a document of plain mappings, lists and scalars from the parser's events.

    Args:
        text: one YAML document.
        loader_class: the loader whose parser, resolver and scalar constructors are used.
        strict: a repeated key sends the document to the full loader (which reports it).

    Returns:
        The data, exactly as ``yaml.load(text, Loader=loader_class)`` would give it,
        or ``_NOT_PLAIN`` when the document uses anything beyond plain collections and
        untagged scalars (or repeats a key under ``strict``).

    Raises:
        yaml.YAMLError: a syntax error (the caller lets the full loader report it).
        _OverBound: nested deeper than :data:`MAX_DEPTH`, or a number or date that
            cannot be read (the other bounds concern what this leaves to the full loader).
    """
    import yaml
    from yaml import events

    loader = loader_class(text)
    try:
        next_event = loader.get_event
        resolve = loader.resolve
        str_tag, scalar_node = _TAG + "str", yaml.ScalarNode
        scalars: dict[str, tuple[Any]] = {}  # plain scalar text -> (value,): repeated keys and values
        containers: list[Any] = []  # the open mappings and lists, innermost last
        keys: list[Any] = []  # for each open mapping, the key waiting for its value
        no_key = _NOT_PLAIN
        next_event()  # StreamStartEvent
        if type(next_event()) is not events.DocumentStartEvent:
            return None  # an empty stream, as yaml.load gives
        while True:
            event = next_event()
            kind = type(event)
            if kind is events.ScalarEvent:
                if event.anchor is not None or event.tag is not None:
                    return _NOT_PLAIN
                item = event.value
                if event.implicit[0]:  # plain: resolved as YAML 1.1 says (yes, 0x1F, ~, 2026-01-17)
                    known = scalars.get(item)
                    if known is None:
                        tag = resolve(scalar_node, item, (True, False))
                        if tag == str_tag:
                            known = (item,)
                        elif tag in _SCALAR_TAGS:
                            known = (_scalar_value(loader, tag, item, event.start_mark.line + 1),)
                        else:
                            return _NOT_PLAIN  # a merge key (<<) or a value key (=)
                        scalars[item] = known
                    item = known[0]
            elif kind is events.MappingStartEvent or kind is events.SequenceStartEvent:
                if event.anchor is not None or event.tag is not None:
                    return _NOT_PLAIN
                if len(containers) >= MAX_DEPTH:
                    raise _too_deep(event.start_mark.line + 1)
                containers.append({} if kind is events.MappingStartEvent else [])
                keys.append(no_key)
                continue
            elif kind is events.MappingEndEvent or kind is events.SequenceEndEvent:
                item = containers.pop()
                keys.pop()
            elif kind is events.DocumentEndEvent:
                break
            else:  # an alias
                return _NOT_PLAIN
            if not containers:
                root = item
                continue
            parent = containers[-1]
            if type(parent) is list:
                parent.append(item)
            elif keys[-1] is no_key:
                if type(item) in (dict, list) or (strict and item in parent):
                    return _NOT_PLAIN
                keys[-1] = item
            else:
                parent[keys[-1]] = item
                keys[-1] = no_key
        if type(next_event()) is not events.StreamEndEvent:
            return _NOT_PLAIN  # a second document: the full loader refuses it
        return root
    finally:
        loader.dispose()


def format_path(path: KeyPath) -> str:
    """Render a data path as ``brokers.alpaca.history[2].at``.

    Args:
        path: keys (str) and list indices (int), outermost first.

    Returns:
        The dotted path; an empty path renders as ``(top level)``.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _walk(node: yaml.Node, path: KeyPath) -> Iterator[tuple[KeyPath, yaml.Node, yaml.Node | None]]:
    """Yield (path, value node, key node) for every node under ``node``."""
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = (*path, key_node.value)
            yield child, value_node, key_node
            yield from _walk(value_node, child)
    elif isinstance(node, yaml.SequenceNode):
        for index, value_node in enumerate(node.value):
            child = (*path, index)
            yield child, value_node, None
            yield from _walk(value_node, child)


def _key_lines(text: str) -> Iterator[tuple[KeyPath, int]]:
    """Yield (path, 1-based line) for every mapping key and list item, duplicates included."""
    import yaml

    try:
        _check_bounds(text, _loaders()[1])  # a text that never went through load_yaml (data from the cache)
        root = yaml.compose(text, Loader=_loaders()[1])
    except (yaml.YAMLError, _OverBound):
        return
    if root is not None:
        for path, value_node, key_node in _walk(root, ()):
            yield path, (key_node or value_node).start_mark.line + 1


def line_index(text: str) -> dict[KeyPath, int]:
    """Map every data path in a YAML document to its 1-based line.

    A mapping entry maps to the line of its key (its first occurrence); a list item
    to the line where it starts. Used only to place messages, so it runs only on error.

    Args:
        text: a YAML document.

    Returns:
        ``{path: line}``; the top level is ``() -> 1``; only that when the text does not compose.
    """
    lines: dict[KeyPath, int] = {(): 1}
    for path, line in _key_lines(text):
        lines.setdefault(path, line)
    return lines


def line_of(lines: dict[KeyPath, int], path: KeyPath) -> int:
    """The line of ``path``, or of its nearest ancestor that exists in the document.

    Args:
        lines: from :func:`line_index`.
        path: the data path of a field (it may be missing from the document).

    Returns:
        A 1-based line number (1 when nothing matches).
    """
    while path and path not in lines:
        path = path[:-1]
    return lines.get(path, 1)


def _path_at_line(text: str, line: int) -> KeyPath | None:
    return next((path for path, at in _key_lines(text) if at == line), None)


@lru_cache(maxsize=1)
def _dumper() -> type:
    """Block-style dumper (C emitter when present) with ISO dates and literal blocks."""
    import yaml

    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
        def ignore_aliases(self, data: Any) -> bool:
            return True

    def represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    def represent_datetime(dumper: yaml.SafeDumper, value: dt.datetime) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", format_timestamp(value))

    def represent_date(dumper: yaml.SafeDumper, value: dt.date) -> yaml.Node:
        return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())

    Dumper.add_representer(str, represent_str)
    Dumper.add_representer(dt.datetime, represent_datetime)
    Dumper.add_representer(dt.date, represent_date)
    return Dumper


def format_timestamp(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` suffix: ``2026-01-17T09:30:00Z``.

    Args:
        value: an aware datetime (naive values are taken as UTC).
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc)
    return value.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def loaded_form(data: Any) -> Any:
    """What ``load_yaml(dump_yaml(data))`` gives, without writing or parsing YAML.

    Datetimes become :func:`format_timestamp` strings and dates ISO strings (the
    loader keeps timestamps as the strings written); containers are copied, other
    values are kept. The round trip is pinned by the property tests.
    """
    kind = type(data)
    if kind is dict:
        return {key: loaded_form(value) for key, value in data.items()}
    if kind in (list, tuple):
        return [loaded_form(value) for value in data]
    if kind is dt.datetime:
        return format_timestamp(data)
    if kind is dt.date:
        return data.isoformat()
    return data


def dump_yaml(data: Any) -> str:
    """Serialise data deterministically: same data, same bytes.

    Args:
        data: plain data whose dict order is the order wanted in the file.

    Returns:
        Block-style YAML text ending in a newline; no folding of long lines.
    """
    import yaml

    text = _dump_as_events(data, DUMP_OPTIONS)
    if text is _NOT_PLAIN:
        text = yaml.dump(data, Dumper=_dumper(), **DUMP_OPTIONS)
    return text


#: How govtool writes YAML: the caller's key order, block style, no folding, unicode kept.
DUMP_OPTIONS: dict[str, Any] = {
    "allow_unicode": True,
    "default_flow_style": False,
    "width": 1 << 30,
    "indent": 2,
    "sort_keys": False,
}


def _scalar_of(value: Any) -> tuple[str, str, str | None]:
    """``(tag, text, style)`` of a scalar as the representers of :func:`_dumper` give it.

    Raises:
        TypeError: a value of a type they do not represent that way (a set, bytes, a subclass).
    """
    kind = type(value)
    if kind is str:
        return _TAG + "str", value, ("|" if "\n" in value else None)
    if kind is bool:
        return _TAG + "bool", ("true" if value else "false"), None
    if kind is int:
        return _TAG + "int", str(value), None
    if value is None:
        return _TAG + "null", "null", None
    if kind is float:  # as yaml.SafeRepresenter.represent_float
        if value != value:
            return _TAG + "float", ".nan", None
        if value in (float("inf"), float("-inf")):
            return _TAG + "float", ".inf" if value > 0 else "-.inf", None
        text = repr(value).lower()
        return _TAG + "float", text.replace("e", ".0e", 1) if "." not in text and "e" in text else text, None
    if kind is dt.datetime:
        return _TAG + "timestamp", format_timestamp(value), None
    if kind is dt.date:
        return _TAG + "timestamp", value.isoformat(), None
    raise TypeError(kind)


def _dump_as_events(data: Any, options: dict[str, Any]) -> Any:
    """Emit plain data (dicts, lists, scalars) as parser events straight to the C emitter.

    The events are the ones PyYAML's representer and serializer would make from
    :func:`_dumper` with ``options``, so the text is the same byte for byte
    (tests/test_yaml_events.py); what is skipped is the node graph, which for a 6 MB
    tracker costs ~1.6 s and ~150 MB.

    Returns:
        The YAML text, or ``_NOT_PLAIN`` for data with another type (the caller uses ``yaml.dump``).
    """
    import io

    import yaml
    from yaml import events

    stream = io.StringIO()
    dumper = _dumper()(stream, **options)
    emit, resolve, scalar_node = dumper.emit, dumper.resolve, yaml.ScalarNode
    implicit_of: dict[tuple[str, str], tuple[bool, bool]] = {}
    map_tag, seq_tag = _TAG + "map", _TAG + "seq"

    def walk(value: Any) -> None:
        kind = type(value)
        if kind is dict:
            emit(events.MappingStartEvent(None, map_tag, True, flow_style=False))
            for key, item in value.items():
                walk(key)
                walk(item)
            emit(events.MappingEndEvent())
        elif kind is list:
            emit(events.SequenceStartEvent(None, seq_tag, True, flow_style=False))
            for item in value:
                walk(item)
            emit(events.SequenceEndEvent())
        else:
            tag, text, style = _scalar_of(value)
            implicit = implicit_of.get((tag, text))
            if implicit is None:  # as yaml.Serializer: may the emitter leave the tag out, plain or quoted?
                implicit = implicit_of[tag, text] = (
                    tag == resolve(scalar_node, text, (True, False)),
                    tag == resolve(scalar_node, text, (False, True)),
                )
            emit(events.ScalarEvent(None, tag, implicit, text, style=style))

    try:
        emit(events.StreamStartEvent())
        emit(events.DocumentStartEvent(explicit=False))
        walk(data)
        emit(events.DocumentEndEvent(explicit=False))
        emit(events.StreamEndEvent())
    except TypeError:
        return _NOT_PLAIN
    finally:
        dumper.dispose()
    return stream.getvalue()
