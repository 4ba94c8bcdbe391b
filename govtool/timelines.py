"""What the dated history draws: each broker's time in each status, the brokers by
status over time, the operational count against the milestones, and how long the PM
took to answer each decision.

The history is the one thing a tracker cannot rebuild later (issue "A dashboard the PM
would rather look at"); these are pure functions of it, replayed through
:func:`govtool.lifecycle.apply_event` so a chart shows exactly the statuses the
tracker holds. They return plain data (named tuples, dicts, ISO strings) for
:mod:`govtool.charts` and the site's templates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.business_days import business_days_between
from govtool.model import Broker, Tracker
from govtool.settings import Milestone

#: The phases of a broker's timeline, by status: what a person calls the time spent in it.
PHASE_LABELS: dict[str, str] = {
    lifecycle.RESEARCHING: "Research",
    lifecycle.PENDING: "Waiting for the PM",
    lifecycle.ON_HOLD: "On hold",
    lifecycle.APPROVED: "Approved, not started",
    lifecycle.IN_PROGRESS: "Implementation",
    lifecycle.COMPLETED: "Done",
    lifecycle.REJECTED: "Rejected",
}


class Span(NamedTuple):
    """A stretch of time a broker spent in one status.

    Attributes:
        status: the status (a key of :data:`PHASE_LABELS`).
        start: when it entered the status (aware UTC datetime).
        end: when it left it, or None while it is still there.
    """

    status: str
    start: dt.datetime
    end: dt.datetime | None


def status_spans(broker: Broker) -> list[Span]:
    """The statuses a broker went through, oldest first, from its history.

    Events that leave the status as it is (progress, notes, scores) do not split a
    span; a status entered and left at the same instant gives a span of no length.

    Returns:
        Spans in order, each ending where the next starts; the last has ``end`` None.
    """
    spans: list[Span] = []
    state = lifecycle.LifecycleState()
    for event in broker.history:
        before = state.status
        lifecycle.apply_event(state, event.event, event.details, broker.id)
        if state.status != before and state.status is not None:
            if spans:
                spans[-1] = spans[-1]._replace(end=event.at)
            spans.append(Span(state.status, event.at, None))
    return spans


class FlowPoint(NamedTuple):
    """The brokers by status at the end of one day (UTC) on which a count changed.

    Attributes:
        day: the day.
        counts: status -> number of brokers, every status of :data:`govtool.lifecycle.STATUSES`.
        tracked: brokers tracked by then (their sum: the scope line of the burn-up).
    """

    day: dt.date
    counts: dict[str, int]
    tracked: int


def status_flow(tracker: Tracker) -> list[FlowPoint]:
    """Brokers by status over time (the cumulative-flow and burn-up data).

    One point per day at whose end some count differs from the day before, oldest
    first; between two points the counts stay as the earlier one says.

    Returns:
        The points; empty for a tracker without history.
    """
    changes: dict[dt.date, dict[str, int]] = {}
    for broker in tracker.brokers.values():
        # The status at the end of each day on which it changed.
        by_day: dict[dt.date, str] = {}
        for span in status_spans(broker):
            by_day[span.start.date()] = span.status
        previous = None
        for day in sorted(by_day):
            status = by_day[day]
            if status == previous:
                continue
            delta = changes.setdefault(day, {})
            delta[status] = delta.get(status, 0) + 1
            if previous is not None:
                delta[previous] = delta.get(previous, 0) - 1
            previous = status
    counts = {status: 0 for status in lifecycle.STATUSES}
    points = []
    for day in sorted(changes):
        for status, delta in changes[day].items():
            counts[status] += delta
        if not points or counts != points[-1].counts:
            points.append(FlowPoint(day, dict(counts), sum(counts.values())))
    return points


def operational_on(flow: list[FlowPoint], day: dt.date) -> int:
    """The number of brokers completed at the end of ``day``, from :func:`status_flow`."""
    count = 0
    for point in flow:
        if point.day > day:
            break
        count = point.counts[lifecycle.COMPLETED]
    return count


def milestone_progress(milestones: tuple[Milestone, ...], flow: list[FlowPoint], as_of: dt.date) -> list[dict]:
    """How each milestone stands on ``as_of``.

    Args:
        milestones: ``settings.milestones``.
        flow: :func:`status_flow` of the tracker.
        as_of: the reference day.

    Returns:
        One dict per milestone, in date order: ``{title, date, operational, total,
        label, reached_on, operational_then, state, days_left}``: ``reached_on`` the
        first day the completed count reached the target (ISO, or None);
        ``operational_then`` the count at the end of the milestone's day, or now when
        that day is still ahead; ``state`` ``met`` (reached by its date), ``missed``
        (its date passed first) or ``open`` (still ahead, not reached);
        ``days_left`` calendar days from ``as_of`` to the date (0 once passed).
    """
    out = []
    for milestone in milestones:
        reached = next((p.day for p in flow if p.counts[lifecycle.COMPLETED] >= milestone.operational), None)
        if milestone.operational == 0 and reached is None:
            reached = milestone.date
        if reached is not None and reached <= min(milestone.date, as_of):
            state = "met"
        elif milestone.date < as_of:
            state = "missed"
        else:
            state = "open"
        out.append(
            {
                "title": milestone.title,
                "date": milestone.date.isoformat(),
                "operational": milestone.operational,
                "total": milestone.total,
                "label": milestone.label,
                "reached_on": reached.isoformat() if reached is not None and reached <= as_of else None,
                "operational_then": operational_on(flow, min(milestone.date, as_of)),
                "state": state,
                "days_left": max(0, (milestone.date - as_of).days),
            }
        )
    return out


def timeline_rows(brokers: list[Broker], as_of: dt.datetime) -> list[dict[str, Any]]:
    """Each broker's phases (research, waiting for the PM, implementation, done...) against its ETA.

    Args:
        brokers: the brokers, in the order to show them.
        as_of: where a phase still going on ends (the build's time).

    Returns:
        ``[{id, name, eta, status, phases: [{phase, status, start, end, days, ongoing}]}]``:
        ``start``/``end`` ISO timestamps (UTC, ``Z``), ``days`` the length in days to one
        decimal, ``ongoing`` True for the current phase (ending at ``as_of``).
    """
    rows = []
    for broker in brokers:
        phases = []
        for span in status_spans(broker):
            end = span.end or max(as_of, span.start)
            phases.append(
                {
                    "phase": PHASE_LABELS[span.status],
                    "status": span.status,
                    "start": _iso(span.start),
                    "end": _iso(end),
                    "days": round((end - span.start).total_seconds() / 86400, 1),
                    "ongoing": span.end is None,
                }
            )
        rows.append(
            {
                "id": broker.id,
                "name": broker.name,
                "eta": broker.eta.isoformat() if broker.eta else None,
                "status": broker.status,
                "phases": phases,
            }
        )
    return rows


def decision_waits(
    tracker: Tracker, entries: list[dict[str, Any]], pending: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """How long the PM took to answer, per decision, and how long those still waiting have waited.

    Args:
        tracker: for the calendar.
        entries: :func:`govtool.decisions.decision_entries` (each with ``notified_on``).
        pending: the dashboard's waiting decisions
            (:func:`govtool.dashboard.status_dashboard`'s ``pending_decisions``).

    Returns:
        ``[{label, number, broker, name, notified_on, answered_on, decision,
        business_days, waiting}]``: the decisions in log order, then the brokers still
        waiting (``number``, ``answered_on`` and ``decision`` None, ``waiting`` True)
        in the dashboard's order. ``business_days`` counts the business days after the
        notification up to the answer, as `govtool status` counts the wait; None when
        the history has no notification before a (backfilled) decision.
    """
    calendar = tracker.settings.calendar
    out = []
    for entry in entries:
        notified = entry.get("notified_on")
        days = None
        if notified:
            answered = dt.date.fromisoformat(entry["date"])
            days = business_days_between(dt.date.fromisoformat(notified), answered, calendar)
        out.append(
            {
                "label": f"D{entry['number']} {entry['name']}",
                "number": entry["number"],
                "broker": entry["broker"],
                "name": entry["name"],
                "notified_on": notified,
                "answered_on": entry["date"],
                "decision": entry["decision"],
                "business_days": days,
                "waiting": False,
            }
        )
    for wait in pending:
        out.append(
            {
                "label": f"{wait['name']} (waiting)",
                "number": None,
                "broker": wait["id"],
                "name": wait["name"],
                "notified_on": wait["notified_on"],
                "answered_on": None,
                "decision": None,
                "business_days": wait["business_days_waiting"],
                "waiting": True,
            }
        )
    return out


def _iso(at: dt.datetime) -> str:
    """An aware datetime as ISO 8601 UTC with ``Z`` (``2026-01-17T09:30:00Z``)."""
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
