"""The derived docs of a governance repo, rendered from the tracker and never edited by hand.

The derived docs (DESIGN.md, "Commands"; process document, "Update Tracking
System"): docs/brokers/broker-integration-tracker.md, docs/brokers/broker-priority-list.md
and the managed block of PROJECT_MEMORY.md.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from govtool import dashboard, lifecycle
from govtool.decisions import decision_entries
from govtool.errors import InputError, ViolationError
from govtool.inputs import inside_root, read_text
from govtool.model import TRACKER_FILE, Tracker
from govtool.research import research_index
from govtool.research_doc import SECTIONS
from govtool.storage import STATE_DIR
from govtool.templating import TEMPLATES_DIR, environment, render_template

MEMORY_FILE = "PROJECT_MEMORY.md"
BLOCK_BEGIN = "<!-- govtool:begin: this block is written by `govtool render`; edit outside it -->"
BLOCK_END = "<!-- govtool:end -->"
_BEGIN_RE = re.compile(r"^<!-- govtool:begin\b.*-->[ \t\r]*$", re.MULTILINE)
_END_RE = re.compile(r"^<!-- govtool:end\b.*-->[ \t\r]*$", re.MULTILINE)

#: Derived docs: path under the root -> template name.
DERIVED_DOCS: dict[str, str] = {
    "docs/brokers/broker-integration-tracker.md": "broker-integration-tracker.md.j2",
    "docs/brokers/broker-priority-list.md": "broker-priority-list.md.j2",
    "docs/brokers/api-research/README.md": "research-readme.md.j2",
    "docs/brokers/decision-log.md": "decision-log.md.j2",
}
MEMORY_TEMPLATE = "project-memory-block.md.j2"


def docs_context(tracker: Tracker) -> dict[str, Any]:
    """The variables every derived-doc template receives.

    ``brokers`` are in priority order; ``tracker_rows`` (the process document's
    tracking table) in the order research started, as that table lists them.
    """
    rows = {bid: dashboard.tracking_row(b) for bid, b in tracker.brokers.items()}
    by_priority = sorted(tracker.brokers.values(), key=dashboard.priority_order)
    # Validation makes research_started every history's first event.
    by_research = sorted(tracker.brokers.values(), key=lambda b: (b.history[0].at, b.name.lower()))
    return {
        "brokers": [
            {**dashboard.broker_summary(b, tracker), **rows[b.id], "depends_on": b.depends_on} for b in by_priority
        ],
        "tracker_rows": [rows[b.id] for b in by_research],
        "status_labels": lifecycle.STATUS_LABELS,
        "statuses": lifecycle.STATUSES,
        "last_updated": dashboard.last_updated(tracker),
        "settings": tracker.settings,
        "operational": {
            "completed": sum(b.status == lifecycle.COMPLETED for b in by_priority),
            "total": len(by_priority),
        },
    }


def render_docs(root: Path, tracker: Tracker, pending: dict[Path, str] | None = None) -> dict[Path, str]:
    """Render every derived doc of a governance repo in memory.

    Args:
        root: the governance root (its templates/ override the defaults; its
            PROJECT_MEMORY.md supplies the text outside the managed block).
        tracker: the tracker to render.
        pending: files about to be written with the docs (path -> text), read
            instead of the disk (a new research doc counts in the research index).

    Returns:
        ``{absolute path: full new content}`` for each derived doc.

    Raises:
        InputError: a template error, or PROJECT_MEMORY.md with broken markers.
    """
    env = environment(root)
    context = docs_context(tracker)
    context["research_docs"] = research_index(root, tracker, pending)
    context["sections"] = SECTIONS
    context["decisions"] = decision_entries(tracker)
    out = {root / rel: render_template(env, name, context) for rel, name in DERIVED_DOCS.items()}
    block = render_template(env, MEMORY_TEMPLATE, context)
    memory = inside_root(root, MEMORY_FILE, MEMORY_FILE)
    try:
        current: str | None = read_text(memory, MEMORY_FILE, universal_newlines=False)
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise InputError(f"{memory}: cannot read: {exc.strerror}") from None
    out[memory] = merge_managed_block(current, block, str(memory.name))
    return out


def merge_managed_block(current: str | None, block: str, filename: str = MEMORY_FILE) -> str:
    """Put ``block`` between the govtool markers of ``current``, keeping all else byte for byte.

    Args:
        current: the file's text, or None when it does not exist yet.
        block: the new content of the managed block.
        filename: for messages.

    Returns:
        The new text. With no markers in ``current`` the block is appended at the end;
        with no file, a new one is started.

    Raises:
        InputError: a begin marker without an end marker (or the reverse, or two of either).
    """
    body = block if block.endswith("\n") else block + "\n"
    managed = f"{BLOCK_BEGIN}\n{body}{BLOCK_END}"
    if current is None:
        return f"# Project Memory\n\n{managed}\n"
    begins = list(_BEGIN_RE.finditer(current))
    ends = list(_END_RE.finditer(current))
    if not begins and not ends:
        sep = "" if current.endswith("\n\n") or not current else ("\n" if current.endswith("\n") else "\n\n")
        return f"{current}{sep}{managed}\n"
    if len(begins) != 1 or len(ends) != 1 or ends[0].start() < begins[0].end():
        line = current.count("\n", 0, (begins or ends)[0].start()) + 1
        raise InputError(
            f"{filename}:{line}: managed block: expected one '<!-- govtool:begin ... -->' line "
            f"followed by one '{BLOCK_END}' line",
            hint="restore the two marker lines (or delete both to have the block appended)",
        )
    return current[: begins[0].start()] + managed + current[ends[0].end() :]


#: What govtool manages under a governance root, besides each broker's research doc:
#: a file here, or anything under a directory here, is never an ``--out`` file.
MANAGED_FILES = (TRACKER_FILE, MEMORY_FILE)
MANAGED_DIRS = ("tracker.d", "docs/brokers", TEMPLATES_DIR, STATE_DIR)


def managed_file(root: Path, path: Path, tracker: Tracker) -> str | None:
    """What governance file ``path`` is (links resolved), or None when govtool does not manage it.

    Managed: tracker.yaml (and a ``tracker.d/`` of per-broker files), PROJECT_MEMORY.md,
    everything under ``docs/brokers/`` (the derived docs, research docs, integration
    guides, weekly reports and their ledger), ``templates/``, ``.govtool/``, and the
    research doc each broker names.

    Args:
        root: the governance root; path: any path; tracker: for the brokers' research docs.
    """
    target = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(root))
    try:
        rel = target.relative_to(real_root).as_posix()
    except ValueError:
        return None
    if rel in MANAGED_FILES:
        return rel
    for directory in MANAGED_DIRS:
        if rel == directory or rel.startswith(directory + "/"):
            return f"{rel} (under {directory}/)"
    for broker in tracker.brokers.values():
        if target == Path(os.path.realpath(root / broker.research_doc_path)):
            return f"{rel} ({broker.id}'s research doc)"
    return None


def check_out_file(root: Path, out: Path, tracker: Tracker, force: bool, option: str = "--out") -> Path:
    """Where ``--out`` may write: not a governance file, and not an existing file unless ``force``.

    Args:
        out: the path as given (relative to the working directory or absolute).
        force: overwrite an existing file that govtool does not manage.

    Returns:
        ``out`` made absolute (not resolved: a link is refused when written, see
        :func:`govtool.storage.write_all`).

    Raises:
        InputError: a governance file (whatever ``force`` says: the command would
            overwrite, or silently lose, what govtool keeps there), or an existing file
            without ``force``.
    """
    target = out.absolute()
    managed = managed_file(root, target, tracker)
    if managed:
        raise InputError(
            f"{option} {out}: {managed} is a governance file that govtool manages; nothing was written",
            hint="write it elsewhere: not tracker.yaml, PROJECT_MEMORY.md, docs/brokers/, templates/ or .govtool/",
        )
    if (target.exists() or target.is_symlink()) and not force:
        raise InputError(f"{option} {out}: already exists; nothing was written", hint="pass --force to overwrite it")
    return target


def stale_docs(root: Path, tracker: Tracker) -> list[Path]:
    """The derived docs whose content on disk differs from a fresh render.

    Returns:
        Paths (absolute), empty when everything is up to date.
    """
    stale = []
    for path, text in render_docs(root, tracker).items():
        try:
            if path.read_bytes() != text.encode("utf-8"):
                stale.append(path)
        except FileNotFoundError:
            stale.append(path)
    return stale


def check_docs(root: Path, tracker: Tracker) -> None:
    """`render --check`: raise when any derived doc is stale.

    Raises:
        ViolationError: lists each stale doc (exit 1).
    """
    stale = stale_docs(root, tracker)
    if stale:
        lines = [f"{p.relative_to(root)}: stale; it differs from what tracker.yaml renders" for p in stale]
        raise ViolationError("\n".join(lines), hint="run `govtool render` and commit the result")
