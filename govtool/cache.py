"""A per-user cache of work that depends only on its input: parsed YAML and holidays.

Parsing a large tracker.yaml with PyYAML takes seconds (1,000 brokers with 50 events
each: ~4 s and ~300 MB), and computing the NYSE calendar costs more than the rest of
`govtool status`. Both results depend only on their input, so they are kept as JSON
files keyed by a digest of that input, in the user's cache directory:

- ``$GOVTOOL_CACHE_DIR`` when set (``none`` turns the cache off), else
- ``$XDG_CACHE_HOME/govtool``, else ``~/.cache/govtool``.

The cache lives outside the repository on purpose: a cache file committed to a repo
could make govtool see a tracker other than the one in the file (and the CI gate
never reads the cache at all). Every use is best effort: an unreadable, corrupt or
unwritable cache only costs the time it would have saved.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from govtool import __version__

#: Bump when the meaning of a cached file changes.
CACHE_FORMAT = 1


def cache_dir() -> Path | None:
    """The cache directory, or None when the cache is off (``GOVTOOL_CACHE_DIR=none``)."""
    configured = os.environ.get("GOVTOOL_CACHE_DIR")
    if configured:
        return None if configured.lower() == "none" else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "govtool"


def digest(*parts: str) -> str:
    """A hex key for inputs: SHA-256 of the parts, govtool's version and the cache format."""
    import hashlib  # ~2 ms (OpenSSL); commands that never touch the cache do not pay it

    hasher = hashlib.sha256(f"govtool {__version__} cache {CACHE_FORMAT}".encode())
    for part in parts:
        hasher.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()


def read_json(name: str) -> Any | None:
    """The cached value stored under ``name``, or None when absent or unreadable."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        with open(directory / name, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def write_json(name: str, value: Any, kind: str | None = None, keep: int = 4) -> None:
    """Store ``value`` (plain JSON types only) under ``name``, atomically; never raises.

    Args:
        name: the file name inside the cache directory.
        value: what :func:`read_json` returns later.
        kind: a glob of the entries of the same kind (``tracker-*.json``); only the
            ``keep`` most recently written of them are kept, so the cache does not grow.
        keep: how many entries of ``kind`` to keep.
    """
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{name}.{os.getpid()}.tmp"
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # the C encoder; json.dump is not
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, directory / name)
        if kind:
            entries = sorted(directory.glob(kind), key=lambda p: p.stat().st_mtime_ns, reverse=True)
            for old in entries[keep:]:
                old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        return


def plain_json(value: Any) -> bool:
    """True when ``value`` survives a JSON round trip unchanged.

    Only dicts with string keys, lists, strings, ints, floats, booleans and None; a
    YAML mapping with an integer key, a set or bytes is not cached (JSON would turn
    the key into a string and change what validation sees).
    """
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is dict:
            for key, child in item.items():
                if type(key) is not str:
                    return False
                stack.append(child)
        elif kind is list:
            stack.extend(item)
        elif kind not in (str, int, float, bool, type(None)):
            return False
    return True
