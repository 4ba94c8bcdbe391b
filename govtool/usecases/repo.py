"""The governance repo itself: `govtool init` starts one, `govtool render` keeps its
derived docs current and `render --check` says when they are not (DESIGN.md, "Commands").

`init` writes tracker.yaml with the process document's default settings and no
brokers, a templates/ directory for overrides, the derived docs, and the scaffold of a
GitHub-hosted governance repo (:mod:`govtool.scaffold`: workflows, pre-commit, CODEOWNERS,
.gitattributes, .gitignore).
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from govtool.derived_docs import check_docs, render_docs
from govtool.errors import InputError
from govtool.model import TRACKER_FILE, new_tracker
from govtool.scaffold import DEFAULT_GOVTOOL_REPO, merge_lines, render_scaffold
from govtool.storage import STATE_DIR, read_tracker, tracker_lock, write_all
from govtool.yamlio import dump_yaml

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


def init_repo(directory: Path, ci: bool = True, govtool_repo: str = DEFAULT_GOVTOOL_REPO) -> InitOutcome:
    """Create a governance repo in ``directory`` (made if missing).

    Args:
        directory: where tracker.yaml goes.
        ci: also write the CI files (workflows, CODEOWNERS, .pre-commit-config.yaml).
        govtool_repo: ``OWNER/NAME`` of govtool on GitHub, as pre-commit and the workflows install it.

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
    tracker = new_tracker()
    text = dump_yaml(tracker.to_dict())
    files = {tracker_file: text, directory / "templates" / "README.md": _TEMPLATES_README}
    kept = []
    for path, (wanted, is_line_file) in render_scaffold(directory, STATE_DIR, ci, govtool_repo).items():
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
    write_all(files)
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
        return write_all(render_docs(root, read_tracker(root)))


def check_rendered(root: Path) -> None:
    """`render --check`: write nothing; raise when a derived doc is stale.

    Raises:
        ViolationError: lists each stale doc (exit 1).
    """
    check_docs(root, read_tracker(root))
