"""The charts of `govtool site`, drawn with plotly, each with a table of the same figures.

Each function takes the plain data of :mod:`govtool.timelines` (or the dashboard) and
returns a :class:`Chart`: a plotly figure as JSON (drawn in the browser by the
plotly.js that plotly's Python package ships, copied into the site once) and its
text alternative, a table holding every figure the chart draws.

Text a pull request can write (broker names, labels) is drawn by plotly.js, which
reads a little HTML in text (``<b>``, ``<a href>``, entities): every such string goes
through :func:`plot_text` first, so a name shows as written and never becomes markup.
Colours come from the Okabe-Ito palette (told apart by people with a colour-vision
deficiency), readable on the light and the dark page; the site's script sets the
text and grid colours of each chart from the page's colour scheme.

plotly is an optional dependency (``govtool[site]``): it is imported inside the
functions that use it, and :func:`require_plotly` says how to install it.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.decision_matrix import FACTOR_LABELS, MATRIX_FACTORS, MatrixSettings, format_score
from govtool.errors import InputError
from govtool.timelines import PHASE_LABELS, FlowPoint

#: One colour per status (Okabe-Ito), used by every chart and the pages' status badges.
STATUS_COLOURS: dict[str, str] = {
    lifecycle.RESEARCHING: "#56B4E9",
    lifecycle.PENDING: "#E69F00",
    lifecycle.APPROVED: "#F0E442",
    lifecycle.REJECTED: "#D55E00",
    lifecycle.ON_HOLD: "#CC79A7",
    lifecycle.IN_PROGRESS: "#0072B2",
    lifecycle.COMPLETED: "#009E73",
}
#: The decision-matrix factors' colours (Okabe-Ito, in the process document's order).
FACTOR_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9")
#: Stacking order of the cumulative flow, bottom up: done work at the bottom.
FLOW_ORDER = (
    lifecycle.COMPLETED,
    lifecycle.IN_PROGRESS,
    lifecycle.APPROVED,
    lifecycle.PENDING,
    lifecycle.ON_HOLD,
    lifecycle.REJECTED,
    lifecycle.RESEARCHING,
)
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
_DAY_MS = 86_400_000
#: The install line :func:`require_plotly` prints.
INSTALL_HINT = "pip install 'govtool[site]'  (plotly and markdown-it-py)"


class Table(NamedTuple):
    """A chart's text alternative: a caption, column headings and rows of plain values."""

    caption: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


class Chart(NamedTuple):
    """One chart of the site.

    Attributes:
        id: the chart's id in its page (``flow``).
        title: its heading.
        summary: one or two sentences that say what it shows, for screen readers (``aria-label``).
        figure: the plotly figure as JSON text (``{"data": [...], "layout": {...}}``),
            deterministic: the same data gives the same bytes.
        height: the drawing's height in CSS pixels.
        tables: the text alternatives: every figure the chart draws.
        empty: nothing to draw yet (no history, no decision, no scored broker): the page
            says so instead of drawing empty axes.
    """

    id: str
    title: str
    summary: str
    figure: str
    height: int
    tables: tuple[Table, ...]
    empty: bool = False


def require_plotly() -> None:
    """Check that the site's optional dependencies are installed.

    Raises:
        InputError: plotly or markdown-it-py is missing; the hint is the pip line (exit 2).
    """
    import importlib

    missing = []
    for module, package in (("plotly", "plotly"), ("markdown_it", "markdown-it-py")):
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    if missing:
        raise InputError(f"govtool site needs {' and '.join(missing)}, which is not installed", hint=INSTALL_HINT)


def plotly_js() -> tuple[str, str]:
    """The plotly.js that plotly's Python package ships: ``(version, minified source)``."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    return get_plotlyjs_version(), get_plotlyjs()


def plot_text(value: Any) -> str:
    """Text made safe for plotly.js, which reads ``<b>``, ``<a href>``, ``<br>`` and entities in text:
    ``&``, ``<`` and ``>`` escaped, so the text shows as written."""
    return html.escape(str(value), quote=False)


def _figure(data: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    """A figure checked by plotly's schema (a misspelt property raises) and written as JSON."""
    import plotly.graph_objects as go

    base = {
        "template": "none",
        "font": {"family": _FONT, "size": 13},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "hovermode": "closest",
    }
    figure = go.Figure(data=data, layout={**base, **layout})
    return figure.to_json(pretty=False)


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {"title": {"text": title}, "automargin": True, "showgrid": True, **extra}


def cumulative_flow(flow: list[FlowPoint], as_of: dt.date) -> Chart:
    """Brokers by status over time, stacked (a cumulative-flow diagram).

    Args:
        flow: :func:`govtool.timelines.status_flow`.
        as_of: the last day drawn (the counts of the last change hold until then).
    """
    days = [p.day.isoformat() for p in flow]
    if flow and flow[-1].day < as_of:
        days.append(as_of.isoformat())
    points = [*flow, flow[-1]] if flow and len(days) > len(flow) else flow
    data = []
    for status in FLOW_ORDER:
        data.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": lifecycle.STATUS_LABELS[status],
                "x": days,
                "y": [p.counts[status] for p in points],
                "stackgroup": "flow",
                "line": {"shape": "hv", "width": 0.5, "color": STATUS_COLOURS[status]},
                "fillcolor": STATUS_COLOURS[status],
                "hovertemplate": f"{lifecycle.STATUS_LABELS[status]}: %{{y}}<extra>%{{x}}</extra>",
            }
        )
    layout = {"xaxis": _axis("Date", type="date"), "yaxis": _axis("Brokers", rangemode="tozero")}
    last = flow[-1] if flow else None
    summary = "Stacked area chart of the brokers in each status over time"
    if last is not None:
        now = ", ".join(f"{last.counts[s]} {lifecycle.STATUS_LABELS[s].lower()}" for s in lifecycle.STATUSES)
        summary += f", from {days[0]} to {days[-1]}; at the end: {now}."
    else:
        summary += "; the tracker has no history yet."
    table = Table(
        "Brokers by status at the end of each day on which a count changed",
        ("Date", *(lifecycle.STATUS_LABELS[s] for s in lifecycle.STATUSES), "Tracked"),
        [(p.day.isoformat(), *(p.counts[s] for s in lifecycle.STATUSES), p.tracked) for p in flow],
    )
    return Chart("flow", "Brokers by status over time", summary, _figure(data, layout), 420, (table,), not flow)


def burn_up(flow: list[FlowPoint], milestones: list[dict[str, Any]], as_of: dt.date) -> Chart:
    """Operational brokers over time against the brokers tracked and the milestones.

    Args:
        flow: :func:`govtool.timelines.status_flow`.
        milestones: :func:`govtool.timelines.milestone_progress`.
        as_of: the last day drawn.
    """
    days = [p.day.isoformat() for p in flow]
    operational = [p.counts[lifecycle.COMPLETED] for p in flow]
    tracked = [p.tracked for p in flow]
    if flow and flow[-1].day < as_of:
        days.append(as_of.isoformat())
        operational.append(operational[-1])
        tracked.append(tracked[-1])
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Brokers tracked",
            "x": days,
            "y": tracked,
            "line": {"shape": "hv", "dash": "dot", "color": "#999999"},
            "hovertemplate": "Tracked: %{y}<extra>%{x}</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "Operational (completed)",
            "x": days,
            "y": operational,
            "line": {"shape": "hv", "width": 3, "color": STATUS_COLOURS[lifecycle.COMPLETED]},
            "hovertemplate": "Operational: %{y}<extra>%{x}</extra>",
        },
    ]
    if milestones:
        trace = _targets(
            "Milestones",
            [m["date"] for m in milestones],
            [m["operational"] for m in milestones],
            [[plot_text(m["title"]), m["state"]] for m in milestones],
            {"symbol": "diamond", "size": 13, "line": {"width": 1}},
            "%{customdata[0]}: %{customdata[1]}<extra></extra>",
        )
        trace.update(mode="markers+text", textposition="top center")
        trace["text"] = [plot_text(f"{m['operational']}/{m['total']}") for m in milestones]
        data.append(trace)
    layout = {"xaxis": _axis("Date", type="date"), "yaxis": _axis("Brokers", rangemode="tozero")}
    summary = "Line chart of the brokers operational (completed) over time, with the brokers tracked"
    if flow:
        summary += f"; {operational[-1]} of {tracked[-1]} operational on {days[-1]}"
    if milestones:
        summary += "; milestones: " + "; ".join(f"{m['title']} ({m['state']})" for m in milestones)
    series = Table(
        "Operational and tracked brokers at the end of each day on which a count changed",
        ("Date", "Operational", "Tracked"),
        [(p.day.isoformat(), p.counts[lifecycle.COMPLETED], p.tracked) for p in flow],
    )
    targets = Table(
        "Milestones",
        ("Milestone", "Target", "Total", "Operational then", "State", "Reached on"),
        [
            (m["title"], m["operational"], m["total"], m["operational_then"], m["state"], m["reached_on"] or "—")
            for m in milestones
        ],
    )
    return Chart(
        "burnup", "Operational brokers against the milestones", summary + ".", _figure(data, layout), 420,
        (series, targets), not flow and not milestones,
    )  # fmt: skip


def broker_timelines(rows: list[dict[str, Any]]) -> Chart:
    """Each broker's phases (research, waiting for the PM, implementation, done...) as
    horizontal bars on a time axis, with its ETA marked.

    Args:
        rows: :func:`govtool.timelines.timeline_rows`, in the order to show them (top first).
    """
    ids = [r["id"] for r in rows]
    names = {r["id"]: plot_text(r["name"]) for r in rows}
    data: list[dict[str, Any]] = []
    for status in lifecycle.STATUSES:
        bars = [(r, p) for r in rows for p in r["phases"] if p["status"] == status]
        if not bars:
            continue
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": PHASE_LABELS[status],
                "y": [r["id"] for r, _ in bars],
                "base": [p["start"] for _, p in bars],
                "x": [_duration_ms(p["start"], p["end"]) for _, p in bars],
                "customdata": [[names[r["id"]], p["start"][:10], _phase_end(p), p["days"]] for r, p in bars],
                "marker": {"color": STATUS_COLOURS[status]},
                "hovertemplate": f"%{{customdata[0]}}: {PHASE_LABELS[status]}, %{{customdata[1]}} to "
                "%{customdata[2]} (%{customdata[3]} days)<extra></extra>",
            }
        )
    with_eta = [r for r in rows if r["eta"]]
    if with_eta:
        data.append(
            _targets(
                "ETA",
                [r["eta"] for r in with_eta],
                [r["id"] for r in with_eta],
                [names[r["id"]] for r in with_eta],
                {"symbol": "line-ns-open", "size": 16, "line": {"width": 3}},
                "%{customdata}: ETA %{x}<extra></extra>",
            )
        )
    layout = {
        "barmode": "overlay",
        "xaxis": _axis("Date", type="date"),
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ids,
            "tickvals": ids,
            "ticktext": [names[i] for i in ids],
            "autorange": "reversed",
            "automargin": True,
        },
    }
    height = max(260, 24 * len(rows) + 140)
    summary = (
        f"Horizontal bar chart of {len(rows)} brokers' phases over time (research, waiting for the PM, "
        "on hold, approved, implementation, done, rejected), with each broker's ETA marked."
    )
    table = Table(
        "Each broker's phases, oldest first, and its ETA",
        ("Broker", "Phase", "From", "To", "Days", "ETA"),
        [
            (r["name"], p["phase"], p["start"][:10], _phase_end(p), p["days"], r["eta"] or "—")
            for r in rows
            for p in r["phases"]
        ],
    )
    return Chart(
        "timeline", "Each broker's timeline against its ETA", summary, _figure(data, layout), height, (table,), not rows
    )


#: The colour of targets (milestones, ETAs): vermillion, apart from every status colour but rejected.
TARGET_COLOUR = "#D55E00"


def _targets(
    name: str, x: list[Any], y: list[Any], customdata: list[Any], marker: dict[str, Any], hover: str
) -> dict[str, Any]:
    """A trace of target markers (milestones on the burn-up, ETAs on the timelines)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "name": name,
        "x": x,
        "y": y,
        "customdata": customdata,
        "marker": {**marker, "color": TARGET_COLOUR},
        "hovertemplate": hover,
    }


def _phase_end(phase: dict[str, Any]) -> str:
    """The day a phase ended, or ``now`` while it goes on."""
    return "now" if phase["ongoing"] else phase["end"][:10]


def _duration_ms(start: str, end: str) -> int:
    """Milliseconds between two ``...Z`` timestamps (a bar's length on a date axis)."""
    parse = dt.datetime.fromisoformat
    return int((parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds() * 1000)


#: The colours of decision outcomes in the waiting chart.
_OUTCOME_COLOURS = {
    lifecycle.APPROVED: STATUS_COLOURS[lifecycle.COMPLETED],
    lifecycle.REJECTED: STATUS_COLOURS[lifecycle.REJECTED],
    lifecycle.ON_HOLD: STATUS_COLOURS[lifecycle.ON_HOLD],
    None: STATUS_COLOURS[lifecycle.PENDING],
}


def decision_waits(waits: list[dict[str, Any]], as_of: dt.date, escalation_after: int) -> Chart:
    """Business days the PM took to answer each decision (and those still waiting), by the
    day of the answer, with the escalation threshold drawn.

    Args:
        waits: :func:`govtool.timelines.decision_waits`.
        as_of: where the waiting ones are drawn.
        escalation_after: ``settings.escalation.after_business_days`` (the dashed line).
    """
    data = []
    for outcome, colour in _OUTCOME_COLOURS.items():
        shown = [w for w in waits if w["decision"] == outcome and w["business_days"] is not None]
        if not shown:
            continue
        label = lifecycle.STATUS_LABELS[outcome] if outcome else "Still waiting"
        data.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": label,
                "x": [w["answered_on"] or as_of.isoformat() for w in shown],
                "y": [w["business_days"] for w in shown],
                "customdata": [plot_text(w["label"]) for w in shown],
                "marker": {"size": 10, "color": colour, "symbol": "circle" if outcome else "diamond-open"},
                "hovertemplate": f"%{{customdata}}: %{{y}} business days ({label.lower()})<extra>%{{x}}</extra>",
            }
        )
    layout = {
        "xaxis": _axis("Answered on (or today, for those still waiting)", type="date"),
        "yaxis": _axis("Business days waited", rangemode="tozero"),
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": escalation_after,
                "y1": escalation_after,
                "line": {"dash": "dash", "color": "#D55E00", "width": 1},
            }
        ],
        "annotations": [
            {
                "xref": "paper",
                "x": 1,
                "xanchor": "right",
                "y": escalation_after,
                "yanchor": "bottom",
                "text": f"escalation after {escalation_after} business days",
                "showarrow": False,
                "font": {"color": "#D55E00"},
            }
        ],
    }
    answered = [w for w in waits if not w["waiting"]]
    waiting = [w for w in waits if w["waiting"]]
    summary = (
        f"Scatter chart of the business days the PM took to answer each of {len(answered)} decisions, by the day "
        f"of the answer, and of the {len(waiting)} decisions still waiting, drawn on {as_of.isoformat()}; "
        f"the dashed line is the escalation threshold of {escalation_after} business days."
    )
    table = Table(
        "Business days waited for each PM decision",
        ("Decision", "Broker", "Notified", "Answered", "Outcome", "Business days"),
        [
            (
                f"D{w['number']}" if w["number"] else "—",
                w["name"],
                w["notified_on"] or "—",
                w["answered_on"] or "still waiting",
                lifecycle.STATUS_LABELS[w["decision"]] if w["decision"] else "—",
                "—" if w["business_days"] is None else w["business_days"],
            )
            for w in waits
        ],
    )
    return Chart(
        "waits", "Time waiting for the PM, per decision", summary, _figure(data, layout), 400, (table,), not data
    )


def matrix_scores(scored: list[dict[str, Any]], matrix: MatrixSettings) -> Chart:
    """Each researched broker's decision-matrix scores: its weighted total as stacked bars
    of each factor's weighted score, with the bands' thresholds drawn.

    Args:
        scored: ``[{id, name, result: MatrixResult}]`` in the order to show them (top first).
        matrix: the thresholds (``settings.decision_matrix``).
    """
    ids = [s["id"] for s in scored]
    names = [plot_text(s["name"]) for s in scored]
    data = []
    for index, factor in enumerate(MATRIX_FACTORS):
        rows = [s["result"].rows[index] for s in scored]  # (factor, weight, score, weighted)
        label = FACTOR_LABELS[factor]
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": label,
                "y": ids,
                "x": [float(row[3]) for row in rows],
                "customdata": [
                    [name, float(row[2]), float(row[1]) * 100] for name, row in zip(names, rows, strict=True)
                ],
                "marker": {"color": FACTOR_COLOURS[index]},
                "hovertemplate": f"%{{customdata[0]}}: {label} %{{customdata[1]}} × %{{customdata[2]}}% = "
                "%{x:.2f}<extra></extra>",
            }
        )
    thresholds = [
        (matrix.on_hold, "on hold"),
        (matrix.approve_medium, "approve (medium)"),
        (matrix.approve_high, "approve (high)"),
    ]
    layout = {
        "barmode": "stack",
        "xaxis": _axis("Weighted total (1-5)", range=[0, 5]),
        "yaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": ids,
            "tickvals": ids,
            "ticktext": names,
            "autorange": "reversed",
            "automargin": True,
        },
        "shapes": [
            {
                "type": "line",
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "x0": value,
                "x1": value,
                "line": {"dash": "dash", "width": 1, "color": "#999999"},
            }
            for value, _ in thresholds
        ],
        "annotations": [
            {
                "yref": "paper",
                "y": 1,
                "yanchor": "bottom",
                "x": value,
                "text": f"{text} ≥ {value:g}",
                "showarrow": False,
                "font": {"size": 11},
            }
            for value, text in thresholds
        ],
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0, "traceorder": "normal"},
        "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "bargap": 0.35,
    }
    height = max(240, 34 * len(scored) + 160)
    summary = (
        f"Stacked horizontal bar chart of the weighted decision-matrix scores of {len(scored)} researched brokers: "
        "each bar is the weighted total, split by factor; dashed lines mark the bands' thresholds."
    )
    if scored:
        summary += " " + "; ".join(f"{s['name']} {s['result'].total_shown} ({s['result'].band})" for s in scored[:20])
    table = Table(
        "Decision-matrix scores (1-5) and weighted totals",
        ("Broker", *(FACTOR_LABELS[f] for f in MATRIX_FACTORS), "Weighted total", "Band"),
        [
            (s["name"], *(_score(row[2]) for row in s["result"].rows), s["result"].total_shown, s["result"].band)
            for s in scored
        ],
    )
    return Chart("scores", "Decision-matrix scores of each researched broker", summary, _figure(data, layout), height,
                 (table,), not scored)  # fmt: skip


def _score(value: Any) -> str:
    """A factor's score as written (``4``, ``3.5``)."""
    return format_score(value).rstrip("0").rstrip(".")


def json_for_script(text: str) -> str:
    """JSON text made safe inside an HTML ``<script type="application/json">`` element:
    ``<``, ``>`` and ``&`` written as JSON escapes, so no text can end the element."""
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_data(chart: Chart) -> dict[str, Any]:
    """The figure of a chart as data again (for tests and for checking its figures)."""
    return json.loads(chart.figure)
