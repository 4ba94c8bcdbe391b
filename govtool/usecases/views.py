"""Reading the tracker: validate, list, show, status. Read-only; nothing is written.

The outcomes here are named tuples, not dataclasses: `list` and `status` load this
module at every start, and a named tuple costs a seventh of a dataclass to define.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

from govtool import dashboard
from govtool.model import TRACKER_FILE
from govtool.storage import read_tracker


class ValidateOutcome(NamedTuple):
    """`govtool validate`: the tracker file checked, with its broker and event counts."""

    path: Path
    brokers: int
    events: int


def validate(root: Path) -> ValidateOutcome:
    """Read and validate the tracker of ``root``.

    Raises:
        InputError, ValidationError: the tracker is invalid; every problem is listed.
    """
    tracker = read_tracker(root)
    events = sum(len(b.history) for b in tracker.brokers.values())
    return ValidateOutcome(root / TRACKER_FILE, len(tracker.brokers), events)


def list_brokers(root: Path, status: str | None) -> list[dict[str, Any]]:
    """The brokers in priority order (see :func:`govtool.dashboard.broker_summary`), of one status or all."""
    tracker = read_tracker(root)
    brokers = sorted(tracker.brokers.values(), key=dashboard.priority_order)
    return [dashboard.broker_summary(b, tracker) for b in brokers if status is None or b.status == status]


def broker_names(root: Path) -> list[tuple[str, str]]:
    """``(id, name)`` of every broker, by id: what shell completion offers for BROKER."""
    return sorted((b.id, b.name) for b in read_tracker(root).brokers.values())


def show_broker(root: Path, broker_id: str) -> dict[str, Any]:
    """One broker's summary, record and dated history (timestamps as ISO 8601 UTC strings).

    Raises:
        InputError: unknown broker.
    """
    tracker = read_tracker(root)
    return dashboard.broker_record(tracker.broker(broker_id), tracker)


class StatusOutcome(NamedTuple):
    """`govtool status`: the dashboard (:func:`govtool.dashboard.status_dashboard`) and the
    escalation threshold in business days, for the text that explains a due escalation."""

    dashboard: dict[str, Any]
    escalation_after_business_days: int


def status(root: Path, as_of: dt.date) -> StatusOutcome:
    """The dashboard of `govtool status` as of a day."""
    tracker = read_tracker(root)
    return StatusOutcome(dashboard.status_dashboard(tracker, as_of), tracker.settings.escalation.after_business_days)
