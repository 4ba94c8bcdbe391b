"""Recording history events, and the implementation-tracking commands.

:func:`record_event` is the one way an event enters a broker's history: it checks
the transition against the lifecycle, appends the event, and moves the broker's
status, progress and blockers to what the replay gives, so the stored record and
its history cannot disagree. The commands `start`, `progress`, `block`, `unblock`,
`complete` and `reopen` are thin wrappers (DESIGN.md, "Lifecycle").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from govtool import lifecycle
from govtool.errors import InputError
from govtool.model import Broker, Event, Tracker, replay_history
from govtool.validation import broker_problems, event_problems
from govtool.yamlio import format_timestamp


def record_event(tracker: Tracker, broker_id: str, event: str, by: str, at: dt.datetime, **details: Any) -> Event:
    """Append one event to a broker's history, in place.

    Args:
        tracker: the tracker to change.
        broker_id: an existing broker.
        event: an event type of :data:`govtool.lifecycle.EVENT_TYPES`.
        by: who does it; must not be empty.
        at: when, an aware datetime (UTC); not older than the broker's last event.
        details: the event's fields; None values are left out.

    Returns:
        The appended event.

    Raises:
        InputError: unknown broker, empty ``by``, or ``at`` older than the last event.
        TransitionError: the lifecycle does not allow the event from the current status.
    """
    broker = tracker.broker(broker_id)
    return _append(broker, event, by, at, details)


def _append(broker: Broker, event: str, by: str, at: dt.datetime, details: dict[str, Any]) -> Event:
    if not by or not by.strip():
        raise InputError("who did it is not known", hint="pass --by NAME or set GOVTOOL_USER")
    if at.tzinfo is None:
        raise InputError("event time needs a time zone")
    at = at.astimezone(dt.timezone.utc).replace(microsecond=0)
    if broker.history and at < broker.history[-1].at:
        raise InputError(
            f"{broker.id}: the new event ({format_timestamp(at)}) would be older than the last one "
            f"({format_timestamp(broker.history[-1].at)})",
            hint="history is append-only and in time order; check the clock or GOVTOOL_NOW",
        )
    # An optional text that is only blanks ("--note ' '") is no text at all.
    clean = {k: v for k, v in details.items() if v is not None and not (isinstance(v, str) and not v.strip())}
    record = Event(at=at, event=event, by=by.strip(), details=clean)
    problems = event_problems(record)
    if problems:
        raise InputError(f"{broker.id}: {event}: {problems[0]}", hint="nothing was written")
    state = replay_history(broker) if broker.history else lifecycle.LifecycleState()
    lifecycle.apply_event(state, event, clean, broker.id)
    broker.history.append(record)
    broker.status, broker.progress, broker.blockers = state.status, state.progress, list(state.blockers)
    return record


def add_broker(tracker: Tracker, broker: Broker, by: str, at: dt.datetime, **details: Any) -> Event:
    """Add a new broker to the tracker with its research_started event.

    Args:
        broker: a record with an empty history (its status is set here).

    Raises:
        InputError: the id is taken.
    """
    if broker.id in tracker.brokers:
        raise InputError(f"broker {broker.id!r} is already in the tracker", hint=f"`govtool show {broker.id}`")
    broker.history = []
    event = _append(broker, "research_started", by, at, details)
    problems = broker_problems(broker)
    if problems:
        raise InputError(f"{broker.id}: {problems[0]}", hint="nothing was written")
    tracker.brokers[broker.id] = broker
    return event


def start(tracker: Tracker, broker_id: str, by: str, at: dt.datetime, note: str | None = None) -> Event:
    """`govtool start`: an approved broker's implementation begins (approved -> in_progress)."""
    return record_event(tracker, broker_id, "implementation_started", by, at, note=note)


def record_progress(
    tracker: Tracker, broker_id: str, percent: int, by: str, at: dt.datetime, note: str | None = None
) -> Event:
    """`govtool progress`: the implementation is ``percent`` complete (0-100).

    Raises:
        InputError: percent outside 0-100.
    """
    if not 0 <= percent <= 100:
        raise InputError(f"progress: {percent} is not a percent 0-100")
    return record_event(tracker, broker_id, "progress", by, at, percent=percent, note=note)


def block(tracker: Tracker, broker_id: str, reason: str, by: str, at: dt.datetime) -> Event:
    """`govtool block`: record an open blocker (e.g. "Waiting for API access").

    Raises:
        InputError: an empty reason, or the same blocker already open.
    """
    reason = " ".join(reason.split())
    if not reason:
        raise InputError(
            "block: the reason is empty", hint='say what blocks it: govtool block BROKER "Waiting for API access"'
        )
    broker = tracker.broker(broker_id)
    if reason in broker.blockers:
        raise InputError(f"{broker_id}: blocker {reason!r} is already open")
    return record_event(tracker, broker_id, "blocked", by, at, reason=reason)


def unblock(
    tracker: Tracker, broker_id: str, by: str, at: dt.datetime, blocker: str | None = None, note: str | None = None
) -> Event:
    """`govtool unblock`: close one blocker, or the only one when none is named.

    Args:
        blocker: the blocker's text or its 1-based number in `govtool show`; needed
            when several are open.

    Raises:
        InputError: no open blocker, several open and none named, or no such blocker.
    """
    broker = tracker.broker(broker_id)
    open_ = broker.blockers
    if broker.status == lifecycle.IN_PROGRESS and not open_:
        raise InputError(f"{broker_id}: no open blocker to close")
    reason = None
    if blocker is not None:
        if blocker.isdigit() and 1 <= int(blocker) <= len(open_):
            reason = open_[int(blocker) - 1]
        elif blocker in open_:
            reason = blocker
        else:
            listed = "; ".join(f"{i}. {b}" for i, b in enumerate(open_, 1))
            raise InputError(f"{broker_id}: no open blocker {blocker!r}", hint=f"open blockers: {listed}")
    elif len(open_) > 1:
        listed = "; ".join(f"{i}. {b}" for i, b in enumerate(open_, 1))
        raise InputError(
            f"{broker_id}: {len(open_)} blockers are open; say which", hint=f"--blocker N or TEXT: {listed}"
        )
    elif open_:
        reason = open_[0]
    return record_event(tracker, broker_id, "unblocked", by, at, reason=reason, note=note)


def complete(tracker: Tracker, broker_id: str, by: str, at: dt.datetime, note: str | None = None) -> Event:
    """`govtool complete`: implementation completed and tested (in_progress -> completed).

    Raises:
        InputError: blockers are still open.
    """
    broker = tracker.broker(broker_id)
    if broker.status == lifecycle.IN_PROGRESS and broker.blockers:
        raise InputError(
            f"{broker_id}: cannot complete with open blockers: {'; '.join(broker.blockers)}",
            hint=f"`govtool unblock {broker_id}` first",
        )
    return record_event(tracker, broker_id, "completed", by, at, note=note)


def reopen(tracker: Tracker, broker_id: str, by: str, at: dt.datetime, reason: str | None = None) -> Event:
    """`govtool reopen`: a rejected or on hold broker goes back to research."""
    return record_event(tracker, broker_id, "reopened", by, at, reason=reason)
