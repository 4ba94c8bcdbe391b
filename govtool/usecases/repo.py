"""The governance repo itself: `govtool init` starts one, `govtool render` keeps its
derived docs current and `render --check` says when they are not (DESIGN.md, "Commands").

`init` writes tracker.yaml with the process document's default settings and no
brokers, a templates/ directory for overrides, .gitignore entries for govtool's
local state and temporary files, and the derived docs.
"""

from __future__ import annotations

from pathlib import Path

from govtool.derived_docs import check_docs, render_docs
from govtool.errors import InputError
from govtool.inputs import TEMP_PREFIX
from govtool.model import TRACKER_FILE, new_tracker
from govtool.storage import STATE_DIR, read_tracker, tracker_lock, write_all
from govtool.yamlio import dump_yaml

_TEMPLATES_README = """\
# templates/

govtool renders its docs and messages from Jinja templates. Put a file here with the
name of one of govtool's default templates to override it for this repo; anything
not here comes from govtool's defaults. `govtool render` re-renders the docs.
"""

#: Ignored in a new repo: govtool's local state, and the temporary files of a write
#: that was killed (anywhere govtool writes; the next command removes them).
_GITIGNORE_LINES = (f"/{STATE_DIR}/", f"{TEMP_PREFIX}*")


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
    missing = [line for line in _GITIGNORE_LINES if line not in current.splitlines()]
    if missing:
        files[gitignore] = current + ("" if not current or current.endswith("\n") else "\n") + "\n".join(missing) + "\n"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{directory}: cannot create: {exc.strerror}") from None
    files.update(render_docs(directory, tracker))
    write_all(files, directory)
    return sorted(files)


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
