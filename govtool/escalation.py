"""Escalating PM decisions that wait too long, or that need a higher level at once.

Source: seeds/pm-notification-process.md, "Escalation Process": no PM response after
5 business days → level 2 (Tech Lead); 5 business days later → level 3 (CTO /
Product Director); a budget blocker (the monthly API cost exceeds the budget) or a
required partnership → level 3 at once. The threshold comes from
``settings.escalation.after_business_days``, the contacts from
``settings.escalation.levels``. Each level is recorded once per notification as an
``escalated`` event, so running it again escalates nothing new; a decision ends it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govtool import lifecycle
from govtool.business_days import add_business_days, business_days_between
from govtool.research_doc import RESEARCH_DIR, split_front_matter
from govtool.tracker import Broker, Tracker


@dataclass
class Escalation:
    """One escalation that is due.

    Attributes:
        broker, name: the broker; level: 2 or 3; role, contact, email: who it goes to.
        reason: why (``no PM decision in 5 business days``, ``budget blocker: ...``,
            ``partnership required: ...``); notified_on: ISO date of the notification;
        business_days_waiting: as of the reference day.
    """

    broker: str
    name: str
    level: int
    role: str
    contact: str
    email: str | None
    reason: str
    notified_on: str
    business_days_waiting: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _notified(broker: Broker) -> tuple[int, Any] | None:
    for index in range(len(broker.history) - 1, -1, -1):
        event = broker.history[index]
        if event.event == "pm_notified" and event.details.get("kind", "research-completed") == "research-completed":
            return index, event
    return None


def _front_matter(root: Path, broker: Broker) -> dict[str, Any]:
    rel = broker.research_doc or f"{RESEARCH_DIR}/{broker.id}.md"
    path = root / rel
    try:
        return split_front_matter(path.read_text(encoding="utf-8"), rel).front_matter
    except (OSError, UnicodeDecodeError):
        return {}


def due_escalations(root: Path, tracker: Tracker, as_of: dt.date) -> list[Escalation]:
    """The escalations due on ``as_of`` that are not recorded yet.

    Args:
        root: the governance root (research docs give the cost and access).
        tracker: the tracker.
        as_of: the reference day.

    Returns:
        Escalations in broker-name order, lower level first; empty when nothing new is due.
    """
    settings = tracker.settings
    calendar = settings["calendar"]
    after = settings["escalation"]["after_business_days"]
    levels = {lv["level"]: lv for lv in settings["escalation"]["levels"]}
    budget = settings["budget"]["monthly_api_usd"]
    out = []
    for broker in sorted(tracker.brokers.values(), key=lambda b: b.name.lower()):
        if broker.status != lifecycle.PENDING:
            continue
        found = _notified(broker)
        if found is None:
            continue
        index, notified = found
        if notified.date > as_of:
            continue
        recorded = max(
            (e.details.get("level", 0) for e in broker.history[index + 1 :] if e.event == "escalated"), default=1
        )
        waited = business_days_between(notified.date, as_of, calendar)
        wanted: list[tuple[int, str]] = []
        if waited >= after:
            wanted.append((2, f"no PM decision in {after} business days (notified {notified.date.isoformat()})"))
        if waited >= 2 * after:
            wanted.append((3, f"no PM decision in {2 * after} business days (notified {notified.date.isoformat()})"))
        front = _front_matter(root, broker)
        cost = front.get("monthly_api_cost_usd")
        if budget is not None and isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost > budget:
            wanted.append((3, f"budget blocker: API costs ${cost:,.0f}/month exceed the ${budget:,.0f}/month budget"))
        access = str(front.get("access") or "")
        if "partner" in access.lower():
            wanted.append((3, f"partnership required: access is {access!r}"))
        for level, reason in wanted:
            if level <= recorded or level not in levels:
                continue
            contact = levels[level]
            out.append(
                Escalation(
                    broker=broker.id,
                    name=broker.name,
                    level=level,
                    role=contact["role"],
                    contact=contact["name"],
                    email=contact.get("email"),
                    reason=reason,
                    notified_on=notified.date.isoformat(),
                    business_days_waiting=waited,
                )
            )
            recorded = level
    return out


def escalation_due_on(tracker: Tracker, broker: Broker) -> dt.date | None:
    """The day a pending broker escalates to level 2 for lack of a decision, or None."""
    found = _notified(broker)
    if broker.status != lifecycle.PENDING or found is None:
        return None
    return add_business_days(
        found[1].date, tracker.settings["escalation"]["after_business_days"], tracker.settings["calendar"]
    )
