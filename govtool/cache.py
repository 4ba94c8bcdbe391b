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
compared in full, so a collision or an entry stored for another input is a miss. (A
cryptographic digest would do the same job but importing hashlib's OpenSSL costs
~2.5 ms at every start.) Every use is best effort: an unreadable, corrupt or
unwritable cache only costs the time it would have saved.

Whoever can write the cache directory can plant an entry whose key is right and
whose value is not, so:

- The directory is created ``0700``, and one that is not the user's or that others
  (group or world) may write is refused: :func:`use_directory` turns the cache off and
  says why, and the command layer prints that as one warning line on stderr (the
  command itself runs, without the cache). An entry file must be a regular file of
  the user's that others cannot write, opened without following links.
- Entries are written to a temporary file created with ``O_EXCL | O_NOFOLLOW`` under a
  random name, then renamed: a planted link redirects nothing.
- An entry never changes what a command writes. Reading entries is allowed only for
  the read-only views (`list`, `show`, `status`, `validate`, `escalate --dry-run`: the
  commands whose start-up the cache is for), which the command layer enables with
  :func:`allow_reads`; every other command, and so every command that writes
  (``update_tracker``, `render`, escalations, the weekly report), parses tracker.yaml
  and computes the holidays itself, and only stores what it computed for the views.
  At the scale of 1,000 brokers this costs a writing command the parse it used to
  skip (~0.6 s); the views keep their speed.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govtool import __version__

#: Bump when the meaning of a cached file changes.
CACHE_FORMAT = 2

#: The largest entry read, in bytes (the JSON of the largest tracker govtool reads, with room).
MAX_ENTRY_BYTES = 128 * 1024 * 1024

#: The directory in use, set by the command layer (:func:`use_directory`); None: no cache.
_directory: Path | None = None
#: Whether entries may be read (the read-only views), or only written.
_reads = True


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


def use_directory(directory: Path | None, reads: bool = True) -> str | None:
    """Set the cache directory for this process (None turns the cache off; the default).

    Args:
        directory: the cache directory (made ``0700`` when first written), or None.
        reads: whether entries may be read; False stores what a command computes and
            trusts nothing stored (see :func:`allow_reads`).

    Returns:
        None, or why the directory is refused (not the user's, writable by others,
        not a directory), in which case the cache is off.
    """
    global _directory, _reads
    _reads = reads
    problem = None if directory is None else _unsafe(directory)
    _directory = None if problem else directory
    return problem


def allow_reads() -> None:
    """Let this process read cache entries (the command layer calls it for the read-only views)."""
    global _reads
    _reads = True


def reads_allowed() -> bool:
    """True when a cache is in use and its entries may be read."""
    return _reads and _directory is not None


def cache_dir() -> Path | None:
    """The cache directory in use, or None when the cache is off."""
    return _directory


def _unsafe(directory: Path) -> str | None:
    """Why an existing cache directory may not be trusted, or None.

    Refused: a directory owned by another user, or writable by group or others (anyone
    who can write it can plant entries). A missing directory is made safe when first
    written; one that cannot be made or read (a file in the way) is no risk, only no
    cache, found out quietly on first use.
    """
    try:
        info = os.stat(directory)
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode):
        return None
    uid = getattr(os, "geteuid", lambda: info.st_uid)()
    if info.st_uid != uid:
        return f"cache directory {directory} belongs to another user (uid {info.st_uid}); the cache is off"
    if info.st_mode & 0o022:
        mode = stat.S_IMODE(info.st_mode)
        return (
            f"cache directory {directory} is writable by others (mode {mode:04o}); the cache is off "
            f"(chmod 700 it, or set GOVTOOL_CACHE_DIR)"
        )
    return None


def _trusted(info: os.stat_result) -> bool:
    """A regular file of this user's that no one else may write, and not too large."""
    uid = getattr(os, "geteuid", lambda: info.st_uid)()
    return (
        stat.S_ISREG(info.st_mode)
        and info.st_uid == uid
        and not info.st_mode & 0o022
        and info.st_size <= MAX_ENTRY_BYTES
    )


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


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def read_json(item: Entry) -> Any | None:
    """The value cached for ``item``, or None when reads are not allowed (:func:`allow_reads`),
    or the entry is absent, unreadable, not a trusted file, or stored for another key."""
    directory = cache_dir()
    if directory is None or not _reads:
        return None
    try:
        fd = os.open(directory / item.file_name, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as handle:
            if not _trusted(os.fstat(handle.fileno())):
                return None
            stored = json.loads(handle.read(MAX_ENTRY_BYTES + 1))
    except (OSError, ValueError, RecursionError):
        return None
    if type(stored) is not dict or stored.get("key") != item.key:
        return None
    return stored.get("value")


def _ensure_directory(directory: Path) -> bool:
    """Create the cache directory ``0700`` if missing; True when it exists and is safe to use."""
    try:
        directory.mkdir(mode=0o700, parents=True)
        os.chmod(directory, 0o700)  # whatever the umask
    except FileExistsError:
        pass
    except OSError:
        return False
    return _unsafe(directory) is None


def write_json(item: Entry, value: Any, keep: int = 4) -> None:
    """Store ``value`` (plain JSON types only) for ``item``, atomically; never raises.

    The entry is written to a new temporary file (``O_EXCL | O_NOFOLLOW``, random name,
    mode ``0600``) and renamed into place.

    Args:
        item: the entry; its key is stored with the value and checked on reading.
        value: what :func:`read_json` returns later.
        keep: how many entries of the same kind to keep (the most recently written),
            so the cache does not grow.
    """
    directory = cache_dir()
    if directory is None or not _ensure_directory(directory):
        return
    partial = directory / f".{item.file_name}.{os.urandom(8).hex()}.tmp"
    try:
        text = json.dumps({"key": item.key, "value": value}, ensure_ascii=False, separators=(",", ":"))  # C encoder
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(partial, directory / item.file_name)
        entries = sorted(directory.glob(f"{item.kind}-*.json"), key=lambda p: p.lstat().st_mtime_ns, reverse=True)
        for old in entries[keep:]:
            old.unlink(missing_ok=True)
    except (OSError, TypeError, ValueError, RecursionError):
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


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
