"""Escalating PM decisions that wait too long, or that need a higher level at once.

Source: seeds/pm-notification-process.md, "Escalation Process": no PM response after
5 business days → level 2 (Tech Lead); 5 business days later → level 3 (CTO /
Product Director); a budget blocker (the monthly API cost exceeds the budget) or a
required partnership → level 3 at once. The threshold comes from
``settings.escalation.after_business_days``, the contacts from
``settings.escalation.levels``. Each level is recorded once per notification as an
``escalated`` event, so running it again escalates nothing new; a decision ends it.

:func:`escalation_facts` is the one place that says which level a waiting decision
has reached, why, and since when: `govtool status`, `govtool escalate` and the
weekly report all read it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.business_days import add_business_days, business_days_between
from govtool.lifecycle import last_research_notification
from govtool.model import Broker, Tracker
from govtool.settings import Settings


@dataclass
class Escalation:
    """One escalation that is due.

    Attributes:
        broker, name: the broker; level: 2 or 3; role, contact, email: who it goes to.
        reason: why (``no PM decision in 5 business days``, ``budget blocker: ...``,
            ``partnership required: ...``); notified_on: ISO date of the notification;
        business_days_waiting: as of the reference day; due_on: ISO date the level fell due.
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
    due_on: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class DocFacts(NamedTuple):
    """What a research doc says that escalates at once: its monthly API cost (USD per
    month, or None) and its access (``Public``, ``Partner Program``... or None)."""

    monthly_api_cost_usd: float | None = None
    access: str | None = None


class EscalationStep(NamedTuple):
    """One escalation level a waiting decision reaches: the level, why, and the day it falls due."""

    level: int
    reason: str
    due_on: dt.date


class EscalationFacts(NamedTuple):
    """Where a PM decision stands on the escalation path on a given day.

    Attributes:
        notified_on: the day the PM was asked to decide.
        business_days_waiting: business days since then.
        steps: every level reached by that day, lowest first, one per level (a budget
            blocker or a partnership reaches level 3 on the day of the notification).
        recorded: the highest level recorded (``escalated`` events) since the
            notification; 1 when none.
        next: the next level waiting alone will reach, and when; None at the top.
    """

    notified_on: dt.date
    business_days_waiting: int
    steps: tuple[EscalationStep, ...]
    recorded: int
    next: EscalationStep | None

    @property
    def level(self) -> int:
        """The level reached: 1 (the PM alone), 2 or 3."""
        return self.steps[-1].level if self.steps else 1

    @property
    def reason(self) -> str | None:
        """Why that level (None at level 1)."""
        return self.steps[-1].reason if self.steps else None

    @property
    def due_on(self) -> dt.date | None:
        """The day that level fell due (None at level 1)."""
        return self.steps[-1].due_on if self.steps else None

    @property
    def unrecorded(self) -> tuple[EscalationStep, ...]:
        """The levels reached and not recorded yet: what `govtool escalate` does next."""
        return tuple(step for step in self.steps if step.level > self.recorded)


def level_for_wait(business_days_waiting: int, after: int) -> int:
    """The escalation level a decision has reached by waiting alone: 1 (PM), 2 (Tech Lead)
    from ``after`` business days, 3 (CTO / Product Director) from twice that."""
    return 1 + min(2, business_days_waiting // after)


def _is_amount(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def escalation_facts(
    broker: Broker, events: Sequence[Any], as_of: dt.date, settings: Settings, doc: DocFacts
) -> EscalationFacts | None:
    """Where a broker's PM decision stands on the escalation path on ``as_of``.

    Args:
        broker: the broker (for its id).
        events: its history, or the part of it up to a day (the weekly report's
            week end); only a broker pending at the end of it is escalated.
        as_of: the reference day.
        settings: thresholds, calendar, contacts and the monthly budget.
        doc: the research doc's cost and access (:func:`doc_facts`).

    Returns:
        The facts, or None when the decision is not waiting (not pending at the end of
        ``events``, never notified, or notified after ``as_of``).
    """
    state = lifecycle.replay(events, broker.id) if events else None
    if state is None or state.status != lifecycle.PENDING:
        return None
    found = last_research_notification(events)
    if found is None:
        return None
    index, notified = found
    if notified.date > as_of:
        return None
    calendar = settings.calendar
    after = settings.escalation.after_business_days
    recorded = max(
        (
            e.details.get("level", 0)
            for e in events[index + 1 :]
            if e.event == "escalated" and e.date <= as_of and isinstance(e.details.get("level"), int)
        ),
        default=1,
    )
    waited = business_days_between(notified.date, as_of, calendar)
    notified_on = notified.date.isoformat()
    reached: list[EscalationStep] = []
    upcoming: EscalationStep | None = None
    for level in (2, 3):
        if settings.escalation.contact(level) is None:
            break
        days = (level - 1) * after
        step = EscalationStep(
            level,
            f"no PM decision in {days} business days (notified {notified_on})",
            add_business_days(notified.date, days, calendar),
        )
        if waited >= days:
            reached.append(step)
        else:
            upcoming = step
            break
    if settings.escalation.contact(3) is not None:
        budget = settings.monthly_api_budget_usd
        cost = doc.monthly_api_cost_usd
        if budget is not None and _is_amount(cost) and cost > budget:
            reason = f"budget blocker: API costs ${cost:,.0f}/month exceed the ${budget:,.0f}/month budget"
            reached.append(EscalationStep(3, reason, notified.date))
        access = doc.access or ""
        if "partner" in access.lower():
            reached.append(EscalationStep(3, f"partnership required: access is {access!r}", notified.date))
    steps: list[EscalationStep] = []
    for step in sorted(reached, key=lambda s: (s.level, s.due_on)):
        if not steps or steps[-1].level < step.level:
            steps.append(step)
    if upcoming is not None and steps and steps[-1].level >= upcoming.level:
        upcoming = None
    return EscalationFacts(notified.date, waited, tuple(steps), recorded, upcoming)


def doc_facts(root: Path, rel_path: str | None) -> DocFacts:
    """A research doc's monthly API cost and access (:class:`DocFacts`), empty when it
    has no doc or no readable front matter.

    The two values are cached by the doc's text (:mod:`govtool.cache`), so `govtool
    status` reads them without loading YAML when the doc did not change.

    Args:
        root: the governance root; rel_path: the doc's path under it.

    Raises:
        InputError: the doc leads outside the root, or is too large or not UTF-8
            (:func:`govtool.inputs.read_text`).
    """
    if not rel_path:
        return DocFacts()
    from govtool.inputs import inside_root, read_text

    path = inside_root(root, rel_path, rel_path)  # a pull request can commit a link out of the repo
    try:
        text = read_text(path, rel_path)
    except OSError:
        return DocFacts()
    from govtool import cache

    item = cache.entry("escalation-facts", rel_path, text)
    stored = cache.read_json(item)
    if isinstance(stored, list) and len(stored) == 2:
        cost, access = stored
    else:
        from govtool.research_doc import split_front_matter

        front = split_front_matter(text, rel_path).front_matter
        cost = front.get("monthly_api_cost_usd")
        cost = cost if _is_amount(cost) else None
        access = front.get("access")
        access = str(access) if access is not None else None
        cache.write_json(item, [cost, access], keep=64)
    return DocFacts(cost, access)


def pending_doc_facts(root: Path, tracker: Tracker) -> dict[str, DocFacts]:
    """:func:`doc_facts` of every broker that may wait for a decision (pending ones)."""
    return {
        b.id: doc_facts(root, b.research_doc_path) for b in tracker.brokers.values() if b.status == lifecycle.PENDING
    }


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
    out = []
    for broker in sorted(tracker.brokers.values(), key=lambda b: b.name.lower()):
        if broker.status != lifecycle.PENDING:
            continue
        facts = escalation_facts(broker, broker.history, as_of, settings, doc_facts(root, broker.research_doc_path))
        if facts is None:
            continue
        for step in facts.unrecorded:
            contact = settings.escalation.contact(step.level)
            if contact is None:
                continue
            out.append(
                Escalation(
                    broker=broker.id,
                    name=broker.name,
                    level=step.level,
                    role=contact.role,
                    contact=contact.name,
                    email=contact.email,
                    reason=step.reason,
                    notified_on=facts.notified_on.isoformat(),
                    business_days_waiting=facts.business_days_waiting,
                    due_on=step.due_on.isoformat(),
                )
            )
    return out
