"""Loading an OpenAPI / Swagger spec and resolving its ``$ref`` pointers, across files too.

A spec may be split over several files (``$ref: schemas/order.yaml#/Order``). Files
referenced by relative path are read when they lie inside the spec's own directory
tree (``..`` is allowed as long as the resolved file stays inside it; symbolic links
are followed and judged by where they land), are YAML or JSON (``.yaml``, ``.yml``,
``.json``), and stay within :data:`MAX_REF_FILES` files and :data:`MAX_REF_BYTES` bytes in
all. Nothing else is read: no absolute path, no file outside the tree, and no URL is
ever fetched; each such reference is named in a warning instead.

Every ``$ref`` of every file read is rewritten to one canonical form, ``FILE#POINTER``
with FILE relative to the spec's directory (``#POINTER`` for the spec itself), so that
a pointer means the same thing wherever it was written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from govtool.errors import InputError
from govtool.inputs import read_text
from govtool.yamlio import load_json, load_yaml

#: At most this many other files are read for one spec.
MAX_REF_FILES = 200
#: At most this many bytes are read from other files, all together.
MAX_REF_BYTES = 20_000_000
#: File types a relative ``$ref`` may point at.
REF_SUFFIXES = (".yaml", ".yml", ".json")
#: How deep a chain of ``$ref`` to ``$ref`` is followed.
MAX_REF_CHAIN = 32

_UNRESOLVED = "!unresolved:"
_MISSING = object()
#: A ``$ref`` whose value does not start with ``#``, in YAML or JSON text.
_EXTERNAL_REF_RE = re.compile(r"""["']?\$ref["']?\s*:\s*["']?(?!#)[^\s"',}]""")
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def parse_document(text: str, name: str) -> Any:
    """Parse a JSON or YAML document (JSON when it starts with ``{``).

    Raises:
        InputError: ``NAME:LINE: ...`` for a syntax error.
    """
    if text.lstrip().startswith("{"):
        return load_json(text, name)
    return load_yaml(text, name, strict=False)


def load_spec(path: Path) -> tuple[dict[str, Any], str]:
    """Read a spec file (JSON or YAML).

    Returns:
        ``(document, text)``: the parsed mapping and the file's text.

    Raises:
        InputError: unreadable, not parseable, or not OpenAPI 3.x / Swagger 2.0.
    """
    try:
        text = read_text(path, str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    name = path.name
    data = parse_document(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: not an OpenAPI document (the top level is not a mapping)")
    version = str(data.get("openapi") or data.get("swagger") or "")
    if not (version.startswith("3.") or version == "2.0"):
        raise InputError(
            f"{name}:1: not an OpenAPI 3.x or Swagger 2.0 document (no 'openapi: 3.x' or 'swagger: \"2.0\"' field)",
            hint="--from-openapi takes an OpenAPI 3.x or Swagger 2.0 file, YAML or JSON",
        )
    if not isinstance(data.get("paths", {}), dict):
        raise InputError(f"{name}: 'paths' is not a mapping")
    return data, text


@dataclass
class SpecBundle:
    """A spec and the files its relative ``$ref``s reach.

    Attributes:
        document: the spec's own document.
        text: the spec's text.
        files: other files read, by path relative to the spec's directory -> document.
        texts: the text of every file read, the spec's first.
        skipped: ``$ref`` -> why it was not followed (outside the tree, a URL, missing...).
        broken: ``$ref`` pointers that lead nowhere (no such key in the target).
    """

    document: dict[str, Any]
    text: str
    files: dict[str, Any] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)
    _targets: dict[str, Any] = field(default_factory=dict, repr=False)

    def resolve(self, node: Any) -> Any:
        """``node``, or what its ``$ref`` (a chain of them) points at; ``{}`` where it leads nowhere."""
        depth = 0
        while isinstance(node, dict) and "$ref" in node and depth < MAX_REF_CHAIN:
            ref = node["$ref"]
            if not isinstance(ref, str) or ref.startswith(_UNRESOLVED):
                return {}
            target = self._targets.get(ref, _MISSING)
            if target is _MISSING:
                target = self._targets[ref] = self._follow(ref)
            if target is _MISSING:
                return {}
            node = target
            depth += 1
        return node

    def _follow(self, ref: str) -> Any:
        """What one canonical ``$ref`` points at, or ``_MISSING`` (recorded in ``broken``)."""
        file_key, _, pointer = ref.partition("#")
        target: Any = self.document if not file_key else self.files.get(file_key)
        if target is None:
            self.broken.append(ref)
            return _MISSING
        for part in pointer.split("/")[1:] if pointer else []:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                self.broken.append(ref)
                return _MISSING
        return target

    def warnings(self) -> list[str]:
        """One line per kind of reference that was not followed, naming them."""
        by_reason: dict[str, list[str]] = {}
        for ref, reason in self.skipped.items():
            by_reason.setdefault(reason, []).append(ref)
        out = [f"$ref not resolved ({reason}): {', '.join(sorted(refs))}" for reason, refs in sorted(by_reason.items())]
        broken = sorted({ref for ref in self.broken if ref.partition("#")[0] not in self.skipped})
        if broken:
            out.append(f"$ref pointing at nothing: {', '.join(broken[:20])}" + (" ..." if len(broken) > 20 else ""))
        return out


def _ref_holders(node: Any) -> list[dict[str, Any]]:
    """Every mapping with a string ``$ref`` under ``node``, each once (iteratively: documents
    can be deep; and YAML aliases can make one mapping reachable by many paths)."""
    holders = []
    stack = [node]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, dict):
            if isinstance(item.get("$ref"), str):
                holders.append(item)
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
    return holders


def _locate(ref_file: str, from_dir: Path, base: Path) -> tuple[Path | None, str]:
    """The file a relative reference names, or ``(None, why not)``."""
    if _URL_RE.match(ref_file) and not re.match(r"^[A-Za-z]:[\\/]", ref_file):
        return None, "a URL: govtool fetches nothing"
    if ref_file.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", ref_file):
        return None, "an absolute path"
    if not ref_file.lower().endswith(REF_SUFFIXES):
        return None, f"not a {'/'.join(REF_SUFFIXES)} file"
    try:
        target = (from_dir / ref_file).resolve()
        if "%" in ref_file and not target.exists():  # a reference is a URI: %7B is {
            target = (from_dir / unquote(ref_file)).resolve()
    except (OSError, RuntimeError, ValueError):
        return None, "cannot be resolved"
    if not target.is_relative_to(base):
        return None, "outside the spec's directory"
    if not target.is_file():
        return None, "no such file beside the spec"
    return target, ""


def load_bundle(path: Path) -> SpecBundle:
    """Read a spec and every file its relative ``$ref``s reach, within the bounds.

    Args:
        path: the spec file.

    Returns:
        The bundle; references not followed are in ``skipped`` (see :meth:`SpecBundle.warnings`).

    Raises:
        InputError: the spec itself is unreadable or not OpenAPI/Swagger.
    """
    document, text = load_spec(path)
    bundle = SpecBundle(document, text, texts=[text])
    if not _EXTERNAL_REF_RE.search(text):
        return bundle  # the common case: one file, local pointers only
    spec_file = path.resolve()
    base = spec_file.parent
    budget = MAX_REF_BYTES
    queue: list[tuple[Any, Path]] = [(document, spec_file)]
    while queue:
        doc, file = queue.pop()
        for holder in _ref_holders(doc):
            ref = holder["$ref"]
            ref_file, _, pointer = ref.partition("#")
            if not ref_file:  # a pointer into the file it is written in
                if file != spec_file:
                    holder["$ref"] = f"{file.relative_to(base).as_posix()}#{pointer}"
                continue
            target, why = _locate(ref_file, file.parent, base)
            if target is None:
                bundle.skipped.setdefault(ref_file, why)
                holder["$ref"] = _UNRESOLVED + ref
                continue
            key = "" if target == spec_file else target.relative_to(base).as_posix()
            holder["$ref"] = f"{key}#{pointer}"
            if key == "" or key in bundle.files or key in bundle.skipped:
                if key in bundle.skipped:
                    holder["$ref"] = _UNRESOLVED + ref
                continue
            size = target.stat().st_size
            if len(bundle.files) >= MAX_REF_FILES or size > budget:
                bundle.skipped[key] = f"over the limit of {MAX_REF_FILES} files or {MAX_REF_BYTES // 1_000_000} MB"
                holder["$ref"] = _UNRESOLVED + ref
                continue
            budget -= size
            try:
                other_text = read_text(target, key)
                other = parse_document(other_text, key)
            except (OSError, UnicodeDecodeError, InputError) as exc:
                bundle.skipped[key] = f"unreadable: {getattr(exc, 'message', exc)}"
                holder["$ref"] = _UNRESOLVED + ref
                continue
            bundle.files[key] = other
            bundle.texts.append(other_text)
            queue.append((other, target))
    return bundle
