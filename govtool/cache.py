"""A per-user cache of work that depends only on its input: parsed YAML and holidays.

Loading a large tracker.yaml takes most of a second (1,000 brokers with 50 events
each: ~0.6 s), importing PyYAML ~10 ms of every start, and computing the NYSE
calendar more than the rest of `govtool status`. Both results depend only on their input, so they are kept as JSON
files in the user's cache directory, each holding its input and the result:

- ``$GOVTOOL_CACHE_DIR`` when set (``none`` turns the cache off), else
- ``$XDG_CACHE_HOME/govtool``, else ``~/.cache/govtool``.

The command layer reads that from the environment and passes it in
(:func:`use_directory`); without it the cache is off.

The cache lives outside the repository on purpose: a cache file committed to a repo
could make govtool see a tracker other than the one in the file (and the CI gate
never reads the cache at all). An entry's file name comes from a CRC-32 of its input,
which only spreads entries over names: what decides a hit is the input stored inside,
compared in full, so a collision or a forged file is a miss. (A cryptographic digest
would do the same job but importing hashlib's OpenSSL costs ~2.5 ms at every start.)
Every use is best effort: an unreadable, corrupt or unwritable cache only costs the
time it would have saved.
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govtool import __version__

#: Bump when the meaning of a cached file changes.
CACHE_FORMAT = 2


#: The directory in use, set by the command layer (:func:`use_directory`); None: no cache.
_directory: Path | None = None


def directory_from_env(env: Mapping[str, str]) -> Path | None:
    """Where the cache lives for this environment, or None when it is off (``GOVTOOL_CACHE_DIR=none``).

    Args:
        env: the environment (the command layer passes ``os.environ``).
    """
    configured = env.get("GOVTOOL_CACHE_DIR")
    if configured:
        return None if configured.lower() == "none" else Path(configured)
    if env.get("XDG_CACHE_HOME"):
        return Path(env["XDG_CACHE_HOME"]) / "govtool"
    return Path(env["HOME"]) / ".cache" / "govtool" if env.get("HOME") else None


def use_directory(directory: Path | None) -> None:
    """Set the cache directory for this process (None turns the cache off; the default)."""
    global _directory
    _directory = directory


def cache_dir() -> Path | None:
    """The cache directory in use, or None when the cache is off."""
    return _directory


@dataclass(frozen=True)
class Entry:
    """One cache entry: ``kind`` (``tracker``, ``holidays``) and ``key``, the exact input.

    The key starts with govtool's version and the cache format, so an upgrade misses
    every older entry.
    """

    kind: str
    key: str

    @property
    def file_name(self) -> str:
        """``KIND-CRC32.json``: where the entry lives (not what identifies it)."""
        return f"{self.kind}-{zlib.crc32(self.key.encode('utf-8', 'surrogatepass')):08x}.json"


def entry(kind: str, *parts: str) -> Entry:
    """The cache entry of the inputs ``parts`` (strings; their order matters)."""
    return Entry(kind, "\0".join((f"govtool {__version__} cache {CACHE_FORMAT}", *parts)))


def read_json(item: Entry) -> Any | None:
    """The value cached for ``item``, or None when absent, unreadable or stored for another key."""
    directory = cache_dir()
    if directory is None:
        return None
    try:
        with open(directory / item.file_name, encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return None
    if type(stored) is not dict or stored.get("key") != item.key:
        return None
    return stored.get("value")


def write_json(item: Entry, value: Any, keep: int = 4) -> None:
    """Store ``value`` (plain JSON types only) for ``item``, atomically; never raises.

    Args:
        item: the entry; its key is stored with the value and checked on reading.
        value: what :func:`read_json` returns later.
        keep: how many entries of the same kind to keep (the most recently written),
            so the cache does not grow.
    """
    directory = cache_dir()
    if directory is None:
        return
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f".{item.file_name}.{os.getpid()}.tmp"
        text = json.dumps({"key": item.key, "value": value}, ensure_ascii=False, separators=(",", ":"))  # C encoder
        with open(partial, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, directory / item.file_name)
        entries = sorted(directory.glob(f"{item.kind}-*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
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
