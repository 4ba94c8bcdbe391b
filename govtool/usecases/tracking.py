"""Implementation tracking: start, progress, block, unblock, complete, reopen (DESIGN.md, "Lifecycle")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from govtool import history
from govtool.model import Broker, Event, Tracker
from govtool.unit_of_work import update_tracker


@dataclass
class TrackingOutcome:
    """One recorded event and the broker's status before it and record after it."""

    event: Event
    status_before: str
    broker: Broker


def _change(root: Path, broker_id: str, action: Callable[[Tracker], Event]) -> TrackingOutcome:
    def change(tracker: Tracker) -> TrackingOutcome:
        before = tracker.broker(broker_id).status
        event = action(tracker)
        return TrackingOutcome(event, before, tracker.broker(broker_id))

    return update_tracker(root, change, only=[broker_id])


def start(root: Path, broker_id: str, by: str, at: dt.datetime, note: str | None) -> TrackingOutcome:
    """`govtool start`: approved -> in progress (see :func:`govtool.history.start`)."""
    return _change(root, broker_id, lambda t: history.start(t, broker_id, by, at, note))


def progress(root: Path, broker_id: str, percent: int, by: str, at: dt.datetime, note: str | None) -> TrackingOutcome:
    """`govtool progress`: the implementation is ``percent`` (0-100) complete."""
    return _change(root, broker_id, lambda t: history.record_progress(t, broker_id, percent, by, at, note))


def block(root: Path, broker_id: str, reason: str, by: str, at: dt.datetime) -> TrackingOutcome:
    """`govtool block`: record an open blocker."""
    return _change(root, broker_id, lambda t: history.block(t, broker_id, reason, by, at))


def unblock(
    root: Path, broker_id: str, by: str, at: dt.datetime, blocker: str | None, note: str | None
) -> TrackingOutcome:
    """`govtool unblock`: close a blocker (named by text or 1-based number when several are open)."""
    return _change(root, broker_id, lambda t: history.unblock(t, broker_id, by, at, blocker, note))


def complete(root: Path, broker_id: str, by: str, at: dt.datetime, note: str | None) -> TrackingOutcome:
    """`govtool complete`: in progress -> completed (no open blockers)."""
    return _change(root, broker_id, lambda t: history.complete(t, broker_id, by, at, note))


def reopen(root: Path, broker_id: str, by: str, at: dt.datetime, reason: str | None) -> TrackingOutcome:
    """`govtool reopen`: rejected or on hold -> researching."""
    return _change(root, broker_id, lambda t: history.reopen(t, broker_id, by, at, reason))
