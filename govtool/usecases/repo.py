"""The governance repo itself: `govtool init` starts one, `govtool render` keeps its
derived docs current and `render --check` says when they are not (DESIGN.md, "Commands").

`init` writes tracker.yaml with the process document's default settings and no
brokers, a templates/ directory for overrides, a .gitignore entry for govtool's
local state, and the derived docs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from govtool.derived_docs import check_docs, render_docs
from govtool.errors import InputError
from govtool.model import (
    SPLIT_VERSION,
    TRACKER_FILE,
    Tracker,
    broker_file,
    dump_broker,
    dump_tracker_settings,
    new_tracker,
    replay_history,
)
from govtool.storage import STATE_DIR, read_tracker, read_tracker_files, tracker_lock, write_all
from govtool.validation import tracker_from_texts
from govtool.yamlio import dump_yaml

_TEMPLATES_README = """\
# templates/

govtool renders its docs and messages from Jinja templates. Put a file here with the
name of one of govtool's default templates to override it for this repo; anything
not here comes from govtool's defaults. `govtool render` re-renders the docs.
"""

_GITIGNORE_LINE = f"/{STATE_DIR}/"


def init_repo(directory: Path) -> list[Path]:
    """Create a governance repo in ``directory`` (made if missing).

    Args:
        directory: where tracker.yaml goes.

    Returns:
        The files written, absolute.

    Raises:
        InputError: tracker.yaml already exists there, or the directory is not writable.
    """
    directory = directory.resolve()
    tracker_file = directory / TRACKER_FILE
    if tracker_file.exists():
        raise InputError(
            f"{tracker_file}: already exists", hint="this is a governance repo already; `govtool status` shows it"
        )
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory}: not a directory")
    tracker = new_tracker()
    text = dump_yaml(tracker.to_dict())
    files = {tracker_file: text, directory / "templates" / "README.md": _TEMPLATES_README}
    gitignore = directory / ".gitignore"
    current = gitignore.read_text(encoding="utf-8") if gitignore.is_file() else ""
    if _GITIGNORE_LINE not in current.splitlines():
        files[gitignore] = current + ("" if not current or current.endswith("\n") else "\n") + _GITIGNORE_LINE + "\n"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create: {exc.strerror}") from None
    files.update(render_docs(directory, tracker))
    write_all(files)
    return sorted(files)


def render(root: Path) -> list[Path]:
    """Re-render every derived doc under the lock.

    Returns:
        The docs whose content changed (absolute paths); empty when all were current.
    """
    with tracker_lock(root):
        return write_all(render_docs(root, read_tracker(root)))


def check_rendered(root: Path) -> None:
    """`render --check`: write nothing; raise when a derived doc is stale.

    Raises:
        ViolationError: lists each stale doc (exit 1).
    """
    check_docs(root, read_tracker(root))


@dataclass
class MigrateOutcome:
    """`govtool migrate`: whether anything changed, the brokers and events moved, and the
    files written (absolute paths)."""

    migrated: bool
    brokers: int = 0
    events: int = 0
    written: list[Path] = field(default_factory=list)


def migrate(root: Path) -> MigrateOutcome:
    """Convert a single-file tracker to the split layout (tracker.yaml with version and
    settings, one ``tracker.d/<id>.yaml`` per broker), and prove it: the new files are
    read back and every broker's record, history and replayed state must equal the old.

    Running it again changes nothing.

    Raises:
        InputError, ValidationError: the tracker is invalid (fix it first), or the proof
            failed; nothing was written.
    """
    with tracker_lock(root):
        before = read_tracker_files(root)
        if before.split:
            return MigrateOutcome(False)
        old = tracker_from_texts(before.settings_text, None)
        new = Tracker(settings=old.settings, brokers=old.brokers, version=SPLIT_VERSION)
        settings_text = dump_tracker_settings(new)
        broker_texts = {bid: dump_broker(broker) for bid, broker in sorted(new.brokers.items())}
        check = tracker_from_texts(settings_text, broker_texts)
        for bid, broker in old.brokers.items():
            moved = check.brokers.get(bid)
            if moved is None or moved.to_dict() != broker.to_dict() or replay_history(moved) != replay_history(broker):
                raise InputError(
                    f"{broker_file(bid)}: the migrated record differs from tracker.yaml's; nothing was written"
                )
        if set(check.brokers) != set(old.brokers) or check.settings.to_dict() != old.settings.to_dict():
            raise InputError("migrate: the migrated tracker differs from tracker.yaml's; nothing was written")
        files = {root / TRACKER_FILE: settings_text}
        files.update({root / broker_file(bid): text for bid, text in broker_texts.items()})
        written = write_all(files)
    events = sum(len(b.history) for b in old.brokers.values())
    return MigrateOutcome(True, len(old.brokers), events, written)
