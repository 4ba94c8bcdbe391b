"""`govtool site`: the workstream's dashboard as a static site, in memory.

Pages (each rendered from a template in ``govtool/templates/site/``, autoescaped):

- ``index.html``: the overview: N/M brokers operational against the milestones of
  ``settings.milestones``, the brokers by status, the decisions waiting for the PM
  (business days waited, escalation level), the open blockers, every broker; the
  cumulative flow and the burn-up against the milestones;
- ``timeline.html``: each broker's phases against its ETA;
- ``decisions.html``: the decision log, searchable, and the PM's time to answer each decision;
- ``scores.html``: the decision-matrix scores of each researched broker;
- ``brokers/<id>.html``: one broker's record, dated history, decisions (with their
  signatures' verification) and research doc rendered.

The site opens from the file system with no network: its pages load only
``assets/site.css``, ``assets/site.js`` and ``assets/plotly.min.js`` (plotly.js, from
plotly's Python package, once for the whole site) by relative path, and a
Content-Security-Policy in each page forbids anything else (no inline script, no
request out). Research docs come from pull requests: they are rendered by
markdown-it-py with raw HTML shown as text, images shown as links (never fetched) and
links marked ``nofollow noopener``.

The output is deterministic: the same tracker, docs and day give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from govtool import __version__, charts, dashboard, lifecycle, timelines
from govtool.decision_matrix import MatrixResult, MatrixSettings, score_if_complete
from govtool.decisions import decision_entries
from govtool.derived_docs import managed_file
from govtool.errors import InputError
from govtool.inputs import inside_root, read_text
from govtool.model import Broker, Tracker
from govtool.research_doc import read_doc
from govtool.templating import PACKAGED_TEMPLATES, environment, render_template

#: The default output directory, under the governance root (ignored by git).
DEFAULT_SITE_DIR = "site"
#: The file a build leaves in its directory: the files it wrote, one per line. Only a
#: directory holding it (or an empty one) is built into, and only the files it lists are
#: ever removed.
MANIFEST = ".govtool-site"
#: The site's static files, packaged beside its templates.
ASSETS_DIR = PACKAGED_TEMPLATES / "site" / "assets"

#: The pages with a chart, in the navigation's order: file -> (title, template).
PAGES: dict[str, tuple[str, str]] = {
    "index.html": ("Overview", "site/index.html"),
    "timeline.html": ("Timelines", "site/timeline.html"),
    "decisions.html": ("Decision log", "site/decisions.html"),
    "scores.html": ("Decision matrix", "site/scores.html"),
}


def site_files(root: Path, tracker: Tracker, now: dt.datetime, as_of: dt.date) -> dict[str, str]:
    """Every file of the site, rendered in memory.

    Args:
        root: the governance root (its templates/ override the site's templates; its
            research docs are rendered).
        tracker: the tracker.
        now: where phases still going on end in the timelines (an aware datetime).
        as_of: the day taken as today: business days waited, milestones, the charts' end.

    Returns:
        ``{path relative to the site: text}``: the pages, the assets and the manifest.

    Raises:
        InputError: plotly or markdown-it-py missing (the hint says how to install
            them); a template error.
    """
    charts.require_plotly()
    plotly_version, plotly_source = charts.plotly_js()
    env = environment(root)
    status = dashboard.status_dashboard(tracker, as_of)
    flow = timelines.status_flow(tracker)
    milestones = timelines.milestone_progress(tracker.settings.milestones, flow, as_of)
    entries = decision_entries(tracker, _allowed_signers(root, tracker))
    waits = timelines.decision_waits(tracker, entries, status["pending_decisions"])
    by_priority = sorted(tracker.brokers.values(), key=dashboard.priority_order)
    docs = {b.id: _research_doc(root, b, tracker.settings.decision_matrix) for b in by_priority}
    scored = [{"id": b.id, "name": b.name, "result": docs[b.id]["result"]} for b in by_priority if docs[b.id]["result"]]
    escalation = tracker.settings.escalation
    common = {
        "version": __version__,
        "plotly_version": plotly_version,
        "as_of": as_of.isoformat(),
        "last_updated": dashboard.last_updated(tracker),
        "pages": [(name, title) for name, (title, _) in PAGES.items()],
        "status_labels": lifecycle.STATUS_LABELS,
        "statuses": lifecycle.STATUSES,
    }
    pending = [
        {**p, "contact": _contact(escalation, p["escalation_level"])} for p in status["pending_decisions"]
    ]  # fmt: skip
    contexts: dict[str, dict[str, Any]] = {
        "index.html": {
            "status": status,
            "pending": pending,
            "milestones": milestones,
            "blocked": [b for b in status["brokers"] if b["blockers"]],
            "charts": [
                _shown(charts.cumulative_flow(flow, as_of)),
                _shown(charts.burn_up(flow, milestones, as_of)),
            ],
        },
        "timeline.html": {
            "charts": [_shown(charts.broker_timelines(timelines.timeline_rows(by_priority, now)))],
        },
        "decisions.html": {
            "decisions": [_logged(e, w) for e, w in zip(entries, waits[: len(entries)], strict=True)],
            "charts": [_shown(charts.decision_waits(waits, as_of, escalation.after_business_days))],
        },
        "scores.html": {
            "unscored": [b.name for b in by_priority if not docs[b.id]["result"]],
            "charts": [_shown(charts.matrix_scores(scored, tracker.settings.decision_matrix))],
        },
    }
    files: dict[str, str] = {}
    for name, (title, template) in PAGES.items():
        context = {**common, **contexts[name], "base": "", "page": name, "title": title}
        files[name] = render_template(env, template, context)
    by_broker: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        by_broker.setdefault(entry["broker"], []).append(entry)
    for broker in by_priority:
        record = dashboard.broker_record(broker, tracker)
        context = {
            **common,
            "base": "../",
            "page": "",
            "title": broker.name,
            "charts": [],
            "broker": record,
            "facts": dashboard.record_facts(record),
            "history": [(e["at"], e["event"], e["by"], dashboard.event_details(e)) for e in record["history"]],
            "decisions": [_logged(e, None) for e in by_broker.get(broker.id, [])],
            "doc": docs[broker.id],
            "pending": next((p for p in pending if p["id"] == broker.id), None),
        }
        files[f"brokers/{broker.id}.html"] = render_template(env, "site/broker.html", context)
    files["assets/plotly.min.js"] = plotly_source
    for asset in ("site.css", "site.js"):
        files[f"assets/{asset}"] = (ASSETS_DIR / asset).read_text(encoding="utf-8")
    files[MANIFEST] = "".join(f"{name}\n" for name in sorted(files))
    return files


def _logged(entry: dict[str, Any], wait: dict[str, Any] | None) -> dict[str, Any]:
    """A decision-log entry with what its row shows: the reason and note, the score and
    band, the business days waited (from :func:`govtool.timelines.decision_waits`)."""
    days = wait["business_days"] if wait else None
    return {
        **entry,
        "reason_shown": "; ".join(filter(None, (entry["reason"], entry["note"]))) or "—",
        "score_text": f"{entry['score_shown']} ({entry['band']})" if entry["score_shown"] else "—",
        "wait_shown": "—" if days is None else days,
    }


def _contact(escalation: Any, level: int) -> str:
    """``Tech Lead`` for level 2, as the settings name it (``level N`` without such a level)."""
    contact = escalation.contact(level)
    return contact.role if contact else f"level {level}"


def _shown(chart: charts.Chart) -> dict[str, Any]:
    """A chart as a template shows it: its figure's JSON safe inside a ``<script>`` element."""
    from markupsafe import Markup

    # The figure is JSON built by plotly from plain data; json_for_script escapes every
    # <, > and & in it, so nothing in it can close the element: safe by construction.
    return {**chart._asdict(), "figure": Markup(charts.json_for_script(chart.figure))}


def _allowed_signers(root: Path, tracker: Tracker) -> str | None:
    """The text of the repo's allowed-signers file (``settings.gate.allowed_signers``), or
    None when it is missing: signed decisions are then shown unverified.

    Raises:
        InputError: the path leads outside the root, or the file is not readable text.
    """
    rel = tracker.settings.gate.allowed_signers
    try:
        return read_text(inside_root(root, rel, "settings.gate.allowed_signers"), rel)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{rel}: cannot read: {exc.strerror}") from None


def _research_doc(root: Path, broker: Broker, matrix: MatrixSettings) -> dict[str, Any]:
    """A broker's research doc for its page: ``{path, exists, error, front_matter: [(key,
    value)], html, result}``; ``html`` the body rendered (see :func:`render_markdown`),
    ``result`` the decision matrix of its scores when all five are set (else None)."""
    path = broker.research_doc_path
    out: dict[str, Any] = {"path": path, "exists": False, "error": None, "front_matter": [], "html": "", "result": None}
    try:
        doc = read_doc(root, path)
    except InputError as exc:
        out["error"] = exc.message
        return out
    if not doc.has_front_matter and not doc.body:
        return out
    out["exists"] = True
    out["front_matter"] = [(str(k), _front_value(v)) for k, v in doc.front_matter.items()]
    out["html"] = render_markdown(doc.body)
    matrix_result: MatrixResult | None = None
    if doc.front_matter_error is None:
        matrix_result = score_if_complete(doc.front_matter.get("scores"), matrix)
    out["result"] = matrix_result
    return out


def _front_value(value: Any) -> str:
    """A front-matter value as one line of text (lists joined, mappings as ``k: v``)."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_front_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_front_value(v) for v in value)
    return "—" if value is None else str(value)


@lru_cache(maxsize=1)
def _markdown() -> Any:
    """The Markdown renderer of research docs: CommonMark with tables and strikethrough;
    raw HTML shown as text (comments dropped), images as links, links ``nofollow noopener``."""
    from markdown_it import MarkdownIt
    from markupsafe import escape

    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])

    def raw_html(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        stripped = content.strip()
        if stripped.startswith("<!--") and stripped.endswith("-->") and "-->" not in stripped[4:-3]:
            return ""
        text = str(escape(content))
        return f"<p class='raw'>{text}</p>\n" if tokens[idx].type == "html_block" else text

    def image(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = self.renderInlineAsText(token.children or [], options, env)
        src = token.attrGet("src") or ""
        return f'<a class="image" href="{escape(src)}" rel="nofollow noopener noreferrer">[image: {escape(alt)}]</a>'

    def link_open(self: Any, tokens: list, idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("rel", "nofollow noopener noreferrer")
        return self.renderToken(tokens, idx, options, env)

    md.add_render_rule("html_block", raw_html)
    md.add_render_rule("html_inline", raw_html)
    md.add_render_rule("image", image)
    md.add_render_rule("link_open", link_open)
    return md


def render_markdown(text: str) -> Any:
    """A research doc's Markdown as HTML that is safe to put in a page.

    markdown-it-py escapes every text; raw HTML in the doc is shown as text (HTML
    comments are dropped), ``javascript:``, ``vbscript:``, ``file:`` and non-image
    ``data:`` links are refused by markdown-it's own check, images become links (a page
    never fetches anything), and links get ``rel="nofollow noopener noreferrer"``.

    Returns:
        ``markupsafe.Markup``: safe by construction, so the template inserts it as is.
    """
    from markupsafe import Markup

    return Markup(_markdown().render(text))


def check_site_dir(root: Path, out: Path, tracker: Tracker) -> Path:
    """Where the site may be built: not the governance root or above it, not a directory
    govtool manages, and either absent, empty, or a site govtool built before.

    Args:
        root: the governance root; out: the directory as given; tracker: for the
            research docs govtool manages.

    Returns:
        ``out`` made absolute.

    Raises:
        InputError: any of the above (exit 2); nothing is written.
    """
    target = out.absolute()
    real = Path(os.path.realpath(target))
    real_root = Path(os.path.realpath(root))
    if real == real_root or real_root.is_relative_to(real):
        raise InputError(
            f"--out {out}: is the governance root or a directory above it; nothing was written",
            hint=f"build the site into a directory of its own, e.g. --out {DEFAULT_SITE_DIR}",
        )
    managed = managed_file(root, target, tracker) or managed_file(root, target / MANIFEST, tracker)
    if managed:
        raise InputError(
            f"--out {out}: {managed} is a governance directory that govtool manages; nothing was written",
            hint=f"build the site elsewhere, e.g. --out {DEFAULT_SITE_DIR}",
        )
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise InputError(f"--out {out}: is not a directory; nothing was written", hint="name a directory")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise InputError(
            f"--out {out}: is not empty and holds no site govtool built ({MANIFEST}); nothing was written",
            hint="name a new or empty directory; govtool removes only files a previous build wrote",
        )
    return target


def stale_files(out: Path, files: dict[str, str]) -> list[Path]:
    """The files a previous build wrote (its manifest) that this build does not: a broker
    no longer tracked. Only regular files inside ``out`` listed in the manifest count.

    Args:
        out: the site directory (absolute); files: this build's files, relative paths.
    """
    try:
        listed = (out / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    stale = []
    for name in listed:
        path = out / name
        if name in files or not name or name.startswith("/") or ".." in Path(name).parts:
            continue
        if (
            path.is_file()
            and not path.is_symlink()
            and Path(os.path.realpath(path)).is_relative_to(Path(os.path.realpath(out)))
        ):
            stale.append(path)
    return stale
