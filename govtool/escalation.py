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
from govtool.business_days import business_days_between
from govtool.lifecycle import last_research_notification
from govtool.model import Tracker


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


def level_for_wait(business_days_waiting: int, after: int) -> int:
    """The escalation level a decision has reached by waiting alone: 1 (PM), 2 (Tech Lead)
    from ``after`` business days, 3 (CTO / Product Director) from twice that."""
    return 1 + min(2, business_days_waiting // after)


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
    calendar = settings.calendar
    after = settings.escalation.after_business_days
    budget = settings.monthly_api_budget_usd
    out = []
    for broker in sorted(tracker.brokers.values(), key=lambda b: b.name.lower()):
        if broker.status != lifecycle.PENDING:
            continue
        found = last_research_notification(broker.history)
        if found is None:
            continue
        index, notified = found
        if notified.date > as_of:
            continue
        recorded = max(
            (e.details.get("level", 0) for e in broker.history[index + 1 :] if e.event == "escalated"), default=1
        )
        waited = business_days_between(notified.date, as_of, calendar)
        notified_on = notified.date.isoformat()
        wanted = [
            (level, f"no PM decision in {(level - 1) * after} business days (notified {notified_on})")
            for level in range(2, level_for_wait(waited, after) + 1)
        ]
        from govtool.research_doc import read_front_matter  # here: `status` and `list` never need it

        front = read_front_matter(root, broker.research_doc_path)
        cost = front.get("monthly_api_cost_usd")
        if budget is not None and isinstance(cost, (int, float)) and not isinstance(cost, bool) and cost > budget:
            wanted.append((3, f"budget blocker: API costs ${cost:,.0f}/month exceed the ${budget:,.0f}/month budget"))
        access = str(front.get("access") or "")
        if "partner" in access.lower():
            wanted.append((3, f"partnership required: access is {access!r}"))
        for level, reason in wanted:
            contact = settings.escalation.contact(level)
            if level <= recorded or contact is None:
                continue
            out.append(
                Escalation(
                    broker=broker.id,
                    name=broker.name,
                    level=level,
                    role=contact.role,
                    contact=contact.name,
                    email=contact.email,
                    reason=reason,
                    notified_on=notified.date.isoformat(),
                    business_days_waiting=waited,
                )
            )
            recorded = level
    return out
