"""The Friday weekly report of the process document ("Reporting", "Weekly Report").

A report covers the seven days that end on its week-ending Friday (Saturday through
Friday, UTC), so what happens at a weekend counts in the next Friday's report; it is
titled by that week's Monday and archived under its ISO week
(``docs/brokers/reports/<ISO year>-W<ISO week>.md``). It is built from the history
events inside the week and the state each broker's history replays to at the week's
end, so any past week reproduces exactly. Backfilled events (dates the sources do
not record) are never reported as "this week".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govtool import lifecycle
from govtool.business_days import add_business_days, business_days_between
from govtool.dashboard import dependency_waits
from govtool.errors import InputError
from govtool.lifecycle import last_research_notification
from govtool.model import Broker, Tracker

REPORTS_DIR = "docs/brokers/reports"
DELIVERIES_FILE = f"{REPORTS_DIR}/deliveries.yaml"

_EVENT_TEXT = {
    "research_started": "Research started",
    "research_completed": "Research completed",
    "pm_notified": "PM notified",
    "implementation_started": "Implementation started",
    "completed": "Implementation completed",
    "reopened": "Reopened for research",
}


def last_friday(today: dt.date) -> dt.date:
    """The most recent Friday on or before ``today``."""
    return today - dt.timedelta(days=(today.weekday() - 4) % 7)


def week_of(week_ending: dt.date) -> dict[str, Any]:
    """The report week ending on a Friday.

    Returns:
        ``{start, end, monday, iso_year, iso_week, archive}``: the Saturday and Friday
        it covers, the Monday that titles it, and its ISO week file name.

    Raises:
        InputError: ``week_ending`` is not a Friday.
    """
    if week_ending.weekday() != 4:
        raise InputError(
            f"--week-ending: {week_ending.isoformat()} is a {week_ending.strftime('%A')}, not a Friday",
            hint=f"the week ending on the Friday before it is {last_friday(week_ending).isoformat()}",
        )
    monday = week_ending - dt.timedelta(days=4)
    iso_year, iso_week, _ = monday.isocalendar()
    return {
        "start": week_ending - dt.timedelta(days=6),
        "end": week_ending,
        "monday": monday,
        "iso_year": iso_year,
        "iso_week": iso_week,
        "archive": f"{REPORTS_DIR}/{iso_year}-W{iso_week:02d}.md",
    }


def _state_at(broker: Broker, end: dt.date) -> tuple[lifecycle.LifecycleState, list[Any]]:
    """The lifecycle state replayed from the events up to the end of ``end`` (UTC)."""
    state = lifecycle.LifecycleState()
    events = [e for e in broker.history if e.date <= end]
    for event in events:
        lifecycle.apply_event(state, event.event, event.details, broker.id)
    return state, events


def build_report(tracker: Tracker, week_ending: dt.date) -> dict[str, Any]:
    """The weekly report's data for the week ending on ``week_ending`` (a Friday).

    Returns:
        ``{week: {...}, subject, completed: [{name, items}], awaiting: [{name,
        notified_on, business_days_waiting, overdue}], in_progress: [{name, progress,
        eta}], blockers: [{name, blockers}], next_week: [text]}``; dates ISO strings.

    Raises:
        InputError: ``week_ending`` is not a Friday.
    """
    week = week_of(week_ending)
    start, end = week["start"], week["end"]
    settings = tracker.settings
    calendar = settings.calendar
    expected_max = settings.escalation.response_max_days
    after = settings.escalation.after_business_days
    next_start, next_end = end + dt.timedelta(days=1), end + dt.timedelta(days=7)
    completed, awaiting, in_progress, blockers, next_week = [], [], [], [], []
    order = sorted(tracker.brokers.values(), key=lambda b: b.name.lower())
    for broker in order:
        state, events = _state_at(broker, end)
        if state.status is None:
            continue
        items = []
        for event in events:
            if not (start <= event.date <= end) or event.details.get("backfilled"):
                continue
            if event.event == "decision":
                text = f"PM decision: {lifecycle.STATUS_LABELS[event.details['decision']].lower()}"
            elif (
                event.event == "pm_notified"
                and lifecycle.notification_kind(event.details) != lifecycle.DEFAULT_NOTIFICATION_KIND
            ):
                text = f"PM notified ({event.details['kind'].replace('-', ' ')})"
            elif event.event == "progress":
                text = f"Implementation {event.details['percent']}% complete"
            else:
                text = _EVENT_TEXT.get(event.event)
            if text and text not in items:
                items.append(text)
        if items:
            completed.append({"name": broker.name, "items": items})
        if state.status == lifecycle.PENDING:
            found = last_research_notification(events)
            notified = found[1].date if found else events[-1].date
            waited = business_days_between(notified, end, calendar)
            awaiting.append(
                {
                    "name": broker.name,
                    "notified_on": notified.isoformat(),
                    "business_days_waiting": waited,
                    "overdue": waited > expected_max,
                }
            )
            due = add_business_days(notified, after, calendar)
            if next_start <= due <= next_end and waited < after:
                next_week.append(f"{broker.name}: escalate to level 2 on {due.isoformat()} if the PM has not decided")
        if state.status == lifecycle.IN_PROGRESS:
            in_progress.append(
                {"name": broker.name, "progress": state.progress, "eta": broker.eta.isoformat() if broker.eta else None}
            )
        waits = dependency_waits(broker, tracker, lambda other: _state_at(other, end)[0].status)
        if state.status not in (lifecycle.COMPLETED, lifecycle.REJECTED) and (state.blockers or waits):
            blockers.append({"name": broker.name, "blockers": [*state.blockers, *waits]})
        if state.status == lifecycle.APPROVED:
            next_week.append(f"Start {broker.name} implementation")
        if broker.eta and next_start <= broker.eta <= next_end and state.status != lifecycle.COMPLETED:
            if state.status == lifecycle.IN_PROGRESS:
                next_week.append(f"Complete {broker.name} implementation (ETA {broker.eta.isoformat()})")
            else:
                label = lifecycle.STATUS_LABELS[state.status].lower()
                next_week.append(f"{broker.name} implementation due (ETA {broker.eta.isoformat()}; now {label})")
    return {
        "week": {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "monday": week["monday"].isoformat(),
            "iso_week": f"{week['iso_year']}-W{week['iso_week']:02d}",
            "archive": week["archive"],
        },
        "subject": f"[WEEKLY] Broker Integration Status - Week of {week['monday'].isoformat()}",
        "completed": completed,
        "awaiting": awaiting,
        "in_progress": in_progress,
        "blockers": blockers,
        "next_week": next_week,
    }


def read_deliveries(root: Path) -> dict[str, dict[str, str]]:
    """The deliveries ledger: ISO week -> {channel: ISO timestamp it was sent or queued}.

    Raises:
        InputError: the ledger does not parse, is not such a mapping, or lies outside the root.
    """
    from govtool.inputs import inside_root, read_text
    from govtool.yamlio import load_yaml

    path = inside_root(root, DELIVERIES_FILE, DELIVERIES_FILE)
    try:
        text = read_text(path, DELIVERIES_FILE)
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InputError(f"{DELIVERIES_FILE}: cannot read: {exc.strerror}") from None
    ledger = load_yaml(text, DELIVERIES_FILE) or {}
    if not isinstance(ledger, dict) or not all(
        isinstance(week, str) and isinstance(sent, dict) and all(isinstance(v, str) for v in sent.values())
        for week, sent in ledger.items()
    ):
        raise InputError(
            f"{DELIVERIES_FILE}:1: expected a mapping of ISO week to {{channel: timestamp}}",
            hint="govtool writes this ledger; restore it from git",
        )
    return ledger


def plan_deliveries(
    ledger: dict[str, dict[str, str]], week: str, wanted: list[str], force: bool
) -> tuple[list[str], list[str]]:
    """Which channels to deliver a week's report to, once per week unless forced.

    Args:
        ledger: from :func:`read_deliveries`; week: ``2026-W04``; wanted: ``email``, ``slack``.

    Returns:
        ``(channels to deliver, notes on the ones skipped)``.
    """
    done = ledger.get(week) or {}
    todo, skipped = [], []
    for channel in wanted:
        if done.get(channel) and not force:
            done_verb, again = ("sent", "sends") if channel == "email" else ("posted", "posts")
            skipped.append(f"{channel}: already {done_verb} for {week} on {done[channel]} (--force {again} again)")
        else:
            todo.append(channel)
    return todo, skipped


def record_deliveries(ledger: dict[str, dict[str, str]], week: str, channels: list[str], at: str) -> str:
    """The ledger's new text with ``channels`` delivered (or queued) for ``week`` at ``at``."""
    from govtool.yamlio import dump_yaml

    entry = dict(ledger.get(week) or {})
    entry.update({channel: at for channel in channels})
    return dump_yaml(dict(sorted({**ledger, week: entry}.items())))
