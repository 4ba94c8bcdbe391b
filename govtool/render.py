"""Rendering: one Jinja environment, and the derived docs of a governance repo.

Templates are looked up in the governance repo's own ``templates/`` first, then in
the defaults packaged with govtool, so a repo overrides any template by adding a
file of the same name. Undefined variables are errors (StrictUndefined); HTML
templates are autoescaped; Markdown table cells go through the ``md_cell`` filter
so user text cannot break a table or inject markup.

The derived docs (DESIGN.md, "Commands"; process document, "Update Tracking
System"): docs/brokers/broker-integration-tracker.md, docs/brokers/broker-priority-list.md
and the managed block of PROJECT_MEMORY.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from govtool.errors import InputError, ViolationError

if TYPE_CHECKING:
    import jinja2

    from govtool.tracker import Tracker

PACKAGE_DIR = Path(__file__).resolve().parent

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


def packaged_templates_dir() -> Path:
    """The default templates: inside the installed wheel, or the source tree's templates/."""
    inside = PACKAGE_DIR / "templates"
    return inside if inside.is_dir() else PACKAGE_DIR.parent / "templates"


_MD_ESCAPES = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "_": "\\_",
        "[": "\\[",
        "]": "\\]",
        "#": "\\#",
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
    }
)


def md_cell(value: Any, empty: str = "—") -> str:
    """Text made safe for one Markdown table cell.

    Escapes the characters that would end the cell (``|``), start markup
    (backticks, ``*``, ``_``, ``[``, ``#``) or inject HTML (``<``, ``>``, ``&``),
    and joins lines (any line break: ``\r``, form feed, U+2028...) with ``<br>``.

    Args:
        value: any value; None and "" render as ``empty``.
        empty: what to show for no value.
    """
    if value is None or value == "":
        return empty
    # splitlines: \r, \v, \f, U+2028 and the like end a line in some viewers as well.
    lines = str(value).splitlines()
    return "<br>".join(line.strip().translate(_MD_ESCAPES) for line in lines if line.strip()) or empty


def md_text(value: Any) -> str:
    """User text made safe for a Markdown paragraph or list item (one line, markup escaped)."""
    return md_cell(value, empty="").replace("<br>", " ")


def environment(root: Path | None) -> jinja2.Environment:
    """The one Jinja environment: repo templates/ over packaged defaults.

    Args:
        root: the governance root, or None for the packaged templates only.
    """
    import jinja2

    search = [str(root / "templates")] if root is not None else []
    search.append(str(packaged_templates_dir()))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"), default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["md_cell"] = md_cell
    env.filters["md_text"] = md_text
    return env


def render_template(env: jinja2.Environment, name: str, context: dict[str, Any]) -> str:
    """Render one template, turning template errors into a located InputError.

    Raises:
        InputError: a missing template, a syntax error (``FILE:LINE: message``) or an
            undefined variable.
    """
    import jinja2

    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = _template_shown(exc.filename or name)
        raise InputError(
            f"{where}:{exc.lineno}: template syntax error: {exc.message}",
            hint="fix the template, or delete it to use govtool's default",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"template {exc.name} not found in templates/ or govtool's defaults") from None
    except jinja2.UndefinedError as exc:
        raise InputError(
            f"templates/{name}: {exc.message}",
            hint="the template uses a variable govtool does not provide; compare it with the default",
        ) from None


def _template_shown(filename: str) -> str:
    """A template file as a user finds it: ``templates/NAME`` in the repo, else the full path."""
    path = Path(filename)
    if path.parent.name == "templates" and path.parent != packaged_templates_dir():
        return f"templates/{path.name}"
    return filename


def docs_context(tracker: Tracker) -> dict[str, Any]:
    """The variables every derived-doc template receives.

    ``brokers`` are in priority order; ``tracker_rows`` (the process document's
    tracking table) in the order research started, as that table lists them.
    """
    from govtool import dashboard, lifecycle

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
    from govtool.decisions import decision_entries
    from govtool.research import research_index
    from govtool.research_doc import SECTIONS

    env = environment(root)
    context = docs_context(tracker)
    context["research_docs"] = research_index(root, tracker, pending)
    context["sections"] = SECTIONS
    context["decisions"] = decision_entries(tracker)
    out = {root / rel: render_template(env, name, context) for rel, name in DERIVED_DOCS.items()}
    block = render_template(env, MEMORY_TEMPLATE, context)
    memory = root / MEMORY_FILE
    try:
        current = memory.read_bytes().decode("utf-8") if memory.exists() else None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{memory}: cannot read: {exc}") from None
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
