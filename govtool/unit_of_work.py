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
from govtool.model import Tracker
from govtool.storage import (
    read_tracker,
    read_tracker_files,
    serialise_checked,
    tracker_from_files,
    tracker_lock,
    write_all,
)

T = TypeVar("T")


def update_tracker(
    root: Path,
    change: Callable[[Tracker], T],
    files: dict[Path, str] | None = None,
    changed: list[Path] | None = None,
    ahead: Callable[[Tracker, T], dict[Path, str]] | None = None,
    only: Collection[str] | None = None,
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
        ahead: files to write *before* the tracker (write-ahead), computed from the
            changed tracker and ``change``'s result: the outbox entries of the
            messages a change records (DESIGN.md, "Delivery and trust"). A crash
            between them and the tracker leaves them without their record, which
            the delivery sets aside unsent; a failure to write the rest removes them.
        only: the brokers the change touches (a command on one broker). In the split
            layout only their files are read and written, and the derived docs are
            rendered only where ``settings.docs.render_on_change`` asks for it, so the
            cost grows with the work, not with the repo. None: all brokers.
        external: paths among ``files`` that the user named outside the governance
            tree (``notify --out``); see :func:`govtool.storage.write_all`.

    Returns:
        What ``change`` returned.

    Raises:
        GovtoolError: from ``change``, validation, rendering or writing.
    """
    files = files or {}
    with tracker_lock(root):
        before = read_tracker_files(root) if only is None else read_tracker_files(root, only)
        tracker = tracker_from_files(before)
        result = change(tracker)
        data_files = serialise_checked(tracker, before)
        docs: dict[Path, str] = {}
        if tracker.settings.render_on_change:
            whole = tracker if not (before.split and only is not None) else _with_all_brokers(root, tracker)
            docs = render_docs(root, whole, pending=files)
        first = ahead(tracker, result) if ahead is not None else {}
        write_all(first, root)
        try:
            written = write_all({**data_files, **files, **docs}, root, external)
        except BaseException:
            for path in first:
                path.unlink(missing_ok=True)
            raise
    if changed is not None:
        changed.extend(written)
    return result


def _with_all_brokers(root: Path, changed: Tracker) -> Tracker:
    """The whole tracker with the changed brokers in place of what is on disk (for rendering)."""
    whole = read_tracker(root)
    whole.brokers.update(changed.brokers)
    return whole
