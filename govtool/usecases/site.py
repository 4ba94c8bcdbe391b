"""`govtool site`: build the static site of the workstream's dashboard (:mod:`govtool.site`)."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple

from govtool.errors import InputError
from govtool.inputs import within
from govtool.site import DEFAULT_SITE_DIR, check_site_dir, site_files, stale_files
from govtool.storage import read_tracker, write_all


class SiteOutcome(NamedTuple):
    """`govtool site`: where the site is, its pages, the files written (changed) and removed."""

    out: Path
    pages: list[str]
    written: list[Path]
    removed: list[Path]


def build_site(root: Path, out: Path | None, now: dt.datetime, as_of: dt.date) -> SiteOutcome:
    """Build the site into ``out`` (default ``ROOT/site``).

    Args:
        root: the governance root.
        out: the site's directory (absolute: the command layer resolves what the user
            typed), or None for ``site/`` under the root.
        now: the time the build takes as now (phases still going on end there).
        as_of: the day taken as today (business days waited, milestones).

    Returns:
        The outcome; files whose content is already current are not rewritten, and files
        a previous build wrote for a broker no longer tracked are removed.

    Raises:
        InputError: the site's dependencies are missing (the hint says how to install
            them); ``out`` is the root, a governance directory, a file, or a non-empty
            directory no build of govtool wrote; a directory in it is a link out of it;
            a template error; nothing is written.
    """
    tracker = read_tracker(root)
    target = check_site_dir(root, out if out is not None else root / DEFAULT_SITE_DIR, tracker)
    files = site_files(root, tracker, now, as_of)
    paths = {target / name: text for name, text in files.items()}
    for path in paths:
        if not within(path.parent, target):  # a linked directory in a site a pull request committed
            raise InputError(
                f"{path.relative_to(target)}: its directory leads outside {target} (a symbolic link); "
                "nothing was written",
                hint="replace the link with a directory, or build into a new directory",
            )
    stale = stale_files(target, files)  # from the previous build's manifest, before it is replaced
    # Named by the user (or the default under the root): written even outside the root,
    # never through a link (storage.write_all); each file atomically, without an fsync
    # each (the site is rebuilt from the tracker at will).
    written = write_all(paths, root, external=list(paths), durable=False)
    removed = []
    for path in stale:
        with suppress(OSError):
            os.unlink(path)
            removed.append(path)
    pages = sorted(name for name in files if name.endswith(".html"))
    return SiteOutcome(target, pages, written, removed)
