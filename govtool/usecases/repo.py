"""The governance repo itself: `govtool init` starts one, `govtool render` keeps its
derived docs current and `render --check` says when they are not (DESIGN.md, "Commands").

`init` writes tracker.yaml (version 2: the brokers will live in tracker.d/, one file
each) with the process document's default settings, a templates/ directory for
overrides, the derived docs, and the scaffold of a GitHub-hosted governance repo
(:mod:`govtool.scaffold`: workflows, pre-commit, CODEOWNERS, .gitattributes with the
merge driver, .gitignore). With CI the derived docs are rendered on main; without
(``--no-ci``) every command re-renders them. Temporary files of a killed write are ignored by the .gitignore it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from govtool.derived_docs import check_docs, render_docs
from govtool.errors import InputError
from govtool.git_repo import merge_file_markers, set_config
from govtool.merge import merge_broker_files
from govtool.model import (
    BROKERS_DIR,
    SPLIT_VERSION,
    TRACKER_FILE,
    Tracker,
    broker_file,
    dump_broker,
    dump_tracker_settings,
    new_tracker,
    replay_history,
)
from govtool.scaffold import DEFAULT_GOVTOOL_REF, DEFAULT_GOVTOOL_REPO, merge_lines, render_scaffold
from govtool.storage import STATE_DIR, read_tracker, read_tracker_files, tracker_lock, write_all
from govtool.validation import tracker_from_texts

_TEMPLATES_README = """\
# templates/

govtool renders its docs and messages from Jinja templates. Put a file here with the
name of one of govtool's default templates to override it for this repo; anything
not here comes from govtool's defaults. `govtool render` re-renders the docs.
"""


class InitOutcome(NamedTuple):
    """`govtool init`: the files written, and the scaffold files already there, kept as they were."""

    written: list[Path]
    kept: list[Path]


def init_repo(
    directory: Path, ci: bool = True, govtool_repo: str = DEFAULT_GOVTOOL_REPO, govtool_ref: str = DEFAULT_GOVTOOL_REF
) -> InitOutcome:
    """Create a governance repo in ``directory`` (made if missing).

    Args:
        directory: where tracker.yaml goes.
        ci: a team's repo with CI: also write the CI files (workflows, CODEOWNERS,
            .pre-commit-config.yaml), and let the docs workflow render the derived docs
            on main (``settings.docs.render_on_change: false``). False: no CI files, and
            every command re-renders the docs.
        govtool_repo: ``OWNER/NAME`` of govtool on GitHub, as pre-commit and the workflows install it.
        govtool_ref: the ref of it they install (``main``, or a commit SHA to pin it).

    Returns:
        The files written (absolute, sorted) and the scaffold files left as they were:
        a workflow or config that exists is never overwritten; .gitignore and
        .gitattributes get the lines they lack.

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
    # One file per broker (tracker.d/): the layout a team of parallel pull requests needs
    # (README, "Working in parallel"); with CI the docs are rendered on main.
    tracker = new_tracker({"docs": {"render_on_change": not ci}})
    tracker.version = SPLIT_VERSION
    files = {tracker_file: dump_tracker_settings(tracker), directory / "templates" / "README.md": _TEMPLATES_README}
    kept = []
    for path, (wanted, is_line_file) in render_scaffold(directory, STATE_DIR, ci, govtool_repo, govtool_ref).items():
        current = _read_text(path)
        if is_line_file:
            merged = merge_lines(current, wanted)
            if merged is not None:
                files[path] = merged
        elif current is None:
            files[path] = wanted
        else:
            kept.append(path)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create: {exc.strerror}") from None
    files.update(render_docs(directory, tracker))
    write_all(files, directory)
    return InitOutcome(sorted(files), kept)


def _read_text(path: Path) -> str | None:
    """A file's text, or None when there is no file.

    Raises:
        InputError: it cannot be read as UTF-8 text.
    """
    try:
        return path.read_text(encoding="utf-8") if path.is_file() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


def render(root: Path) -> list[Path]:
    """Re-render every derived doc under the lock.

    Returns:
        The docs whose content changed (absolute paths); empty when all were current.
    """
    with tracker_lock(root):
        return write_all(render_docs(root, read_tracker(root)), root)


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
        written = write_all(files, root)
    events = sum(len(b.history) for b in old.brokers.values())
    return MigrateOutcome(True, len(old.brokers), events, written)


#: The merge driver's name in git's configuration and in .gitattributes.
MERGE_DRIVER = "govtool"
GITATTRIBUTES_LINE = f"{BROKERS_DIR}/*.yaml merge={MERGE_DRIVER}"


@dataclass
class MergeDriverOutcome:
    """`govtool merge-driver`: merged (True) or left as git's conflict, with the reasons."""

    merged: bool
    conflicts: list[str] = field(default_factory=list)
    events_added: int = 0


def run_merge_driver(base: Path, ours: Path, theirs: Path, path_name: str) -> MergeDriverOutcome:
    """Merge a broker file as git's merge driver (``%O %A %B %P``): the result goes to ``ours``.

    Where the sides truly disagree, ``ours`` gets git's usual conflict markers instead.

    Raises:
        InputError: a file that cannot be read or does not load as YAML.
    """
    broker_id = Path(path_name).name.removesuffix(".yaml")
    texts = [_read_text(p) or "" for p in (ours, theirs)]
    base_text = _read_text(base) or ""
    result = merge_broker_files(broker_id, base_text, texts[0], texts[1], path_name)
    if result.text is None:
        merge_file_markers(ours, base, theirs, path_name)
        return MergeDriverOutcome(False, result.conflicts)
    ours.write_text(result.text, encoding="utf-8")
    return MergeDriverOutcome(True, [], result.events_added)


def install_merge_driver(root: Path, command: str) -> list[Path]:
    """Configure this clone to merge broker files with govtool, and mark them in .gitattributes.

    Args:
        command: how git runs govtool (e.g. ``python3 -m govtool``); ``merge-driver %O %A %B %P`` is appended.

    Returns:
        The files written (.gitattributes, when it did not have the line yet).

    Raises:
        InputError: not a git clone.
    """
    set_config(root, f"merge.{MERGE_DRIVER}.name", "govtool: broker files (union of history events, replayed)")
    set_config(root, f"merge.{MERGE_DRIVER}.driver", f"{command} merge-driver %O %A %B %P")
    attributes = root / ".gitattributes"
    current = attributes.read_text(encoding="utf-8") if attributes.is_file() else ""
    if GITATTRIBUTES_LINE in current.splitlines():
        return []
    sep = "" if not current or current.endswith("\n") else "\n"
    return write_all({attributes: f"{current}{sep}{GITATTRIBUTES_LINE}\n"}, root)
