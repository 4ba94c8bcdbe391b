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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from govtool import lifecycle
from govtool.dashboard import dependency_waits
from govtool.errors import InputError
from govtool.escalation import DocFacts, EscalationFacts, escalation_facts
from govtool.model import Broker, Tracker
from govtool.settings import Settings

REPORTS_DIR = "docs/brokers/reports"
DELIVERIES_FILE = f"{REPORTS_DIR}/deliveries.yaml"

#: What each event of a week adds under "Completed This Week" (research started, progress,
#: blockers and escalations have their own places: In Progress, Blockers).
_EVENT_TEXT = {
    "research_completed": "Research completed",
    "pm_notified": "PM notified",
    "implementation_started": "Implementation started",
    "completed": "Implementation completed",
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


def _completed_item(event: Any) -> str | None:
    """What one event of the week adds under "Completed This Week", or None."""
    if event.event == "decision":
        return f"PM decision: {lifecycle.STATUS_LABELS[event.details['decision']].lower()}"
    kind = lifecycle.notification_kind(event.details)
    if event.event == "pm_notified" and kind != lifecycle.DEFAULT_NOTIFICATION_KIND:
        return f"PM notified ({event.details['kind'].replace('-', ' ')})"
    if event.event == "unblocked" and event.details.get("reason"):
        return f"Blocker resolved: {event.details['reason']}"
    return _EVENT_TEXT.get(event.event)


def _escalation_items(broker: Broker, events: list[Any], facts: EscalationFacts, settings: Settings) -> dict[str, Any]:
    """The escalation a waiting decision has reached, as the report shows it."""
    contact = settings.escalation.contact(facts.level)
    recorded_on = next(
        (
            e.date.isoformat()
            for e in reversed(events)
            if e.event == "escalated" and e.details.get("level") == facts.level
        ),
        None,
    )
    return {
        "name": broker.name,
        "level": facts.level,
        "role": contact.role if contact else "",
        "reason": facts.reason,
        "due_on": facts.due_on.isoformat() if facts.due_on else None,
        "recorded": facts.recorded >= facts.level,
        "recorded_on": recorded_on,
    }


def _next_escalation_text(facts: EscalationFacts, settings: Settings) -> str:
    """The escalation part of a waiting decision's plan: what is due, or what comes next."""
    parts = []
    pending = facts.unrecorded
    if pending:
        top = pending[-1]
        contact = settings.escalation.contact(top.level)
        parts.append(f"escalate to level {top.level} ({contact.role if contact else '?'}) now: {top.reason}")
    elif facts.level > 1:
        contact = settings.escalation.contact(facts.level)
        parts.append(f"escalated to level {facts.level} ({contact.role if contact else '?'})")
    if facts.next is not None:
        contact = settings.escalation.contact(facts.next.level)
        role = contact.role if contact else "?"
        parts.append(f"escalate to level {facts.next.level} ({role}) on {facts.next.due_on.isoformat()} if undecided")
    return "; ".join(parts)


def build_report(tracker: Tracker, week_ending: dt.date, docs: Mapping[str, DocFacts] | None = None) -> dict[str, Any]:
    """The weekly report's data for the week ending on ``week_ending`` (a Friday).

    Args:
        tracker: the tracker; each broker is shown as its history replays to the week's end.
        week_ending: a Friday.
        docs: broker id -> its research doc's cost and access, for the escalations a
            budget blocker or a partnership causes (:func:`govtool.escalation.pending_doc_facts`).

    Returns:
        ``{week: {...}, subject, completed: [{name, items}], awaiting: [{name,
        notified_on, business_days_waiting, overdue}], in_progress: [{name, stage:
        "implementation"|"research", progress, eta, blockers, since}], blockers:
        [{name, blockers}], escalations: [{name, level, role, reason, due_on,
        recorded, recorded_on}], next_week: [text]}``; dates ISO strings. Escalations
        are those reached by the week's end (:func:`govtool.escalation.escalation_facts`).

    Raises:
        InputError: ``week_ending`` is not a Friday.
    """
    week = week_of(week_ending)
    start, end = week["start"], week["end"]
    settings = tracker.settings
    expected_max = settings.escalation.response_max_days
    docs = docs or {}
    next_start, next_end = end + dt.timedelta(days=1), end + dt.timedelta(days=7)
    completed, awaiting, in_progress, blockers, escalations = [], [], [], [], []
    #: The Next Week Plan, by kind of work, in this order.
    plans: dict[str, list[str]] = {"implementation": [], "start": [], "decision": [], "due": [], "research": []}
    order = sorted(tracker.brokers.values(), key=lambda b: b.name.lower())
    for broker in order:
        state, events = _state_at(broker, end)
        status = state.status
        if status is None:
            continue
        items = []
        for event in events:
            if not (start <= event.date <= end) or event.details.get("backfilled"):
                continue
            text = _completed_item(event)
            if text and text not in items:
                items.append(text)
        if items:
            completed.append({"name": broker.name, "items": items})
        waits = dependency_waits(broker, tracker, lambda other: _state_at(other, end)[0].status)
        open_blockers = [*state.blockers, *waits]
        eta = broker.eta.isoformat() if broker.eta else None
        if status not in (lifecycle.COMPLETED, lifecycle.REJECTED) and open_blockers:
            blockers.append({"name": broker.name, "blockers": open_blockers})
        if status == lifecycle.PENDING:
            facts = escalation_facts(broker, events, end, settings, docs.get(broker.id) or DocFacts())
            if facts is not None:
                waited = facts.business_days_waiting
                awaiting.append(
                    {
                        "name": broker.name,
                        "notified_on": facts.notified_on.isoformat(),
                        "business_days_waiting": waited,
                        "overdue": waited > expected_max,
                    }
                )
                if facts.level > 1:
                    escalations.append(_escalation_items(broker, events, facts, settings))
                days = f"{waited} business day{'s' if waited != 1 else ''}"
                plan = f"{broker.name}: PM decision awaited since {facts.notified_on.isoformat()} ({days})"
                extra = _next_escalation_text(facts, settings)
                plans["decision"].append(f"{plan}; {extra}" if extra else plan)
        elif status == lifecycle.IN_PROGRESS:
            in_progress.append(
                {
                    "name": broker.name,
                    "stage": "implementation",
                    "progress": state.progress,
                    "eta": eta,
                    "blockers": open_blockers,
                    "since": _since(events, "implementation_started"),
                }
            )
            if broker.eta and next_start <= broker.eta <= next_end:
                plan = f"Complete {broker.name} implementation (ETA {eta}; now {state.progress}% complete)"
            elif broker.eta and broker.eta < next_start:
                plan = f"{broker.name} implementation is past its ETA ({eta}; now {state.progress}% complete)"
            else:
                plan = f"Continue {broker.name} implementation ({state.progress}% complete; ETA {eta or 'not set'})"
            if open_blockers:
                plan += f"; resolve: {'; '.join(open_blockers)}"
            plans["implementation"].append(plan)
        elif status == lifecycle.RESEARCHING:
            since = _since(events, "research_started", "reopened")
            in_progress.append(
                {
                    "name": broker.name,
                    "stage": "research",
                    "progress": state.progress,
                    "eta": eta,
                    "blockers": open_blockers,
                    "since": since,
                }
            )
            plans["research"].append(f"Complete research on {broker.name}" + (f" (started {since})" if since else ""))
        elif status == lifecycle.APPROVED:
            plans["start"].append(f"Start {broker.name} implementation" + (f" (ETA {eta})" if eta else ""))
        if (
            broker.eta
            and next_start <= broker.eta <= next_end
            and status not in (lifecycle.COMPLETED, lifecycle.IN_PROGRESS, lifecycle.APPROVED)
        ):
            label = lifecycle.STATUS_LABELS[status].lower()
            plans["due"].append(f"{broker.name} implementation due (ETA {eta}; now {label})")
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
        "escalations": escalations,
        "next_week": [plan for group in plans.values() for plan in group],
    }


def _since(events: list[Any], *types: str) -> str | None:
    """The date of the last event of these types (ISO), or None (none, or a backfilled date
    the sources do not record)."""
    found = next((e for e in reversed(events) if e.event in types), None)
    return found.date.isoformat() if found and not found.details.get("backfilled") else None


def read_deliveries(root: Path) -> dict[str, dict[str, Any]]:
    """The deliveries ledger: ISO week -> {channel: when it was recorded for delivery}.

    A channel's value is the ISO timestamp of the run that recorded it (the message
    then waited in the outbox until delivered), or the list of them, oldest first,
    once ``--force`` delivered the week again (:func:`delivery_times`).

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
        isinstance(week, str) and isinstance(sent, dict) and all(_is_times(v) for v in sent.values())
        for week, sent in ledger.items()
    ):
        raise InputError(
            f"{DELIVERIES_FILE}:1: expected a mapping of ISO week to {{channel: timestamp or list of timestamps}}",
            hint="govtool writes this ledger; restore it from git",
        )
    return ledger


def _is_times(value: Any) -> bool:
    """A ledger entry's value: a timestamp, or the non-empty list of them of a week delivered again."""
    return isinstance(value, str) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    )


def delivery_times(value: Any) -> list[str]:
    """The timestamps of a ledger entry (a string or a list of them), oldest first."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else []


def plan_deliveries(
    ledger: dict[str, dict[str, Any]], week: str, wanted: list[str], force: bool
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
            done_verb, again = {"email": ("sent", "sends"), "slack": ("posted", "posts")}.get(
                channel, ("recorded as sent by hand", "records")
            )
            when = delivery_times(done[channel])[-1:] or ["?"]
            skipped.append(f"{channel}: already {done_verb} for {week} on {when[0]} (--force {again} again)")
        else:
            todo.append(channel)
    return todo, skipped


def record_deliveries(ledger: dict[str, dict[str, Any]], week: str, channels: list[str], at: str) -> str:
    """The ledger's new text with ``channels`` recorded for ``week`` at ``at`` (each
    earlier delivery of the week kept: a list once there are several)."""
    from govtool.yamlio import dump_yaml

    entry = dict(ledger.get(week) or {})
    for channel in channels:
        before = delivery_times(entry.get(channel))
        entry[channel] = [*before, at] if before else at
    return dump_yaml(dict(sorted({**ledger, week: entry}.items())))
