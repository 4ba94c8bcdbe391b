"""The unit of work of every change: read, change, render, write.

:func:`update_tracker` takes the lock, reads the tracker, applies the change,
validates the result, renders every derived doc in memory, and only then writes the
tracker, the command's own files and the docs, all or none. A failure before the
writes leaves every file as it was; concurrent commands are serialised by the lock
and lose no update (DESIGN.md, "Architecture"). It sits above the derived docs and
the storage it joins.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

from govtool.derived_docs import render_docs
from govtool.model import TRACKER_FILE, Tracker
from govtool.storage import read_tracker, serialise_checked, tracker_lock, write_all

T = TypeVar("T")


def update_tracker(
    root: Path,
    change: Callable[[Tracker], T],
    files: dict[Path, str] | None = None,
    changed: list[Path] | None = None,
    external: Collection[Path] = (),
) -> T:
    """Apply ``change`` to the tracker under the lock, then write it, ``files`` and the docs.

    Args:
        root: the governance root.
        change: mutates the tracker in place and returns a result; raising leaves
            every file untouched.
        files: other files the command writes with the change (path -> full text),
            such as a research doc; the derived docs are rendered as if they were
            already written.
        changed: if given, the paths whose content changed are appended to it
            (for `--commit`).
        external: paths among ``files`` that the user named outside the governance
            tree (``notify --out``); see :func:`govtool.storage.write_all`.

    Returns:
        What ``change`` returned.

    Raises:
        GovtoolError: from ``change``, validation, rendering or writing.
    """
    files = files or {}
    with tracker_lock(root):
        tracker = read_tracker(root)
        result = change(tracker)
        text = serialise_checked(tracker)
        docs = render_docs(root, tracker, pending=files)
        written = write_all({root / TRACKER_FILE: text, **files, **docs}, root, external)
    if changed is not None:
        changed.extend(written)
    return result
