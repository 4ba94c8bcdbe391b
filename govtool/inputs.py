"""Files a pull request can write, read as data: inside the governance root, bounded, UTF-8.

In CI govtool reads what a pull request wrote: the tracker, research docs, templates,
specs, the deliveries ledger, even a committed ``.govtool/`` (DESIGN.md, "Delivery and
trust"). Everything here treats such files as untrusted:

- :func:`within` and :func:`inside_root` keep a path inside the governance root once
  symbolic links are resolved, so ``research_doc: ../secret.md`` or a ``docs`` link
  to ``/etc`` is refused instead of read or written;
- :func:`read_text` reads at most :data:`MAX_INPUT_BYTES`, only from a regular file
  (never a FIFO or a device that would block or never end), and refuses text that is
  not UTF-8 with the file and line;
- :data:`TEMP_PREFIX` names every temporary file govtool makes beside the files it
  writes, so that the ``.gitignore`` of `govtool init` covers them and the next
  command can sweep what a killed one left.

This module is a leaf: it imports nothing of govtool but the errors.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from govtool.errors import InputError

#: The most govtool reads of any one input file (tracker, doc, spec, template, ledger):
#: five times a tracker of 1,000 brokers with 50 events each (~6 MB).
MAX_INPUT_BYTES = 32 * 1024 * 1024

#: How every temporary file govtool creates is named (``.govtool-tmp-tracker.yaml.3f2a9c.tmp``).
TEMP_PREFIX = ".govtool-tmp-"


def within(path: Path, base: Path) -> bool:
    """True when ``path`` is ``base`` or lies under it, both with symbolic links resolved.

    Args:
        path: any path (it need not exist; the existing part is resolved).
        base: the directory it must stay in.
    """
    real = os.path.realpath(path)
    real_base = os.path.realpath(base)
    return real == real_base or real.startswith(real_base.rstrip(os.sep) + os.sep)


def relative_path_problem(text: str) -> str | None:
    """Why ``text`` is not a path inside the governance root as a file names it, or None.

    A path there is relative, uses ``/``, and has no ``..`` or empty parts
    (``docs/brokers/api-research/acme.md``); symbolic links are checked where it is
    used (:func:`inside_root`).
    """
    parts = text.split("/")
    if text.startswith("/") or "\\" in text or (len(text) > 1 and text[1] == ":"):
        return "expected a relative path inside the governance root, with / between parts"
    if ".." in parts or "" in parts:
        return "expected a path inside the governance root, without '..' or empty parts"
    return None


def inside_root(root: Path, rel: str | Path, what: str) -> Path:
    """``root / rel``, refused unless it stays inside the governance root.

    Args:
        root: the governance root.
        rel: a path under it as written in a file (``docs/brokers/api-research/acme.md``).
        what: how the message names the path (``brokers.acme.research_doc``, ``templates/x.j2``).

    Returns:
        The joined path (not resolved).

    Raises:
        InputError: ``rel`` is absolute, climbs out with ``..``, or a symbolic link on
            the way leads outside the root.
    """
    path = root / rel
    if not within(path, root):
        shown = f"{what}: {str(rel)!r}" if str(rel) != what else what
        raise InputError(
            f"{shown} leads outside the governance root (a symbolic link or '..' on the way)",
            hint="govtool reads and writes only files inside the repo; nothing was written",
        )
    return path


def read_text(path: Path, shown: str, limit: int = MAX_INPUT_BYTES, universal_newlines: bool = True) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes.

    Args:
        path: the file.
        shown: how messages name it (``tracker.yaml``, ``docs/brokers/api-research/acme.md``).
        limit: the most bytes read.
        universal_newlines: turn ``\r\n`` and ``\r`` into ``\n``, as Python's text mode
            does; False keeps the bytes as they are (a file govtool rewrites in part).

    Returns:
        The text.

    Raises:
        OSError: the file cannot be opened (FileNotFoundError when missing), for the
            caller to word.
        InputError: not a regular file, larger than ``limit``, or not UTF-8
            (``FILE:LINE: not UTF-8 text``).
    """
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{shown}: not a regular file", hint="govtool reads text files only")
    if info.st_size > limit:
        raise InputError(
            f"{shown}: {info.st_size:,} bytes is more than govtool reads ({limit:,} bytes)",
            hint="a governance file this large is not one govtool wrote; check what put it there",
        )
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:  # it grew since the stat
        raise InputError(f"{shown}: more than {limit:,} bytes", hint="govtool reads files of at most that size")
    text = decode_utf8(data, shown)
    if universal_newlines and "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def decode_utf8(data: bytes, shown: str) -> str:
    """``data`` decoded as UTF-8.

    Raises:
        InputError: not UTF-8, as ``FILE:LINE: not UTF-8 text (byte 0xE9 at column 12)``.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"{shown}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at column {column})",
            hint="save the file as UTF-8",
        ) from None
