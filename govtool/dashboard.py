"""The views of the tracker that people read: the dashboard of `govtool status`,
the rows of `govtool list`, and the rows of the rendered tracking docs.

Pure functions of a :class:`~govtool.tracker.Tracker` and a reference date; they
return plain data (dicts, lists, str, int) that the CLI prints as tables or JSON and
the templates render. Sources: the "Workstream 1 Dashboard" of
seeds/workstream-broker-integration-guide.md (Broker, Status, Progress, ETA,
Blockers; "N/M brokers operational") and the "Tracking System" of
seeds/pm-notification-process.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from govtool import lifecycle
from govtool.business_days import add_business_days, business_days_between
from govtool.decision_matrix import format_score
from govtool.escalation import DocFacts, escalation_facts
from govtool.lifecycle import last_research_notification
from govtool.model import PRIORITIES, Broker, Tracker
from govtool.yamlio import format_timestamp

_DECIDED = (lifecycle.APPROVED, lifecycle.IN_PROGRESS, lifecycle.COMPLETED)


def priority_order(broker: Broker) -> tuple:
    """Sort key: priority P0 first (none last), then ETA (none last), then name."""
    rank = PRIORITIES.index(broker.priority) if broker.priority in PRIORITIES else len(PRIORITIES)
    return (rank, broker.eta or dt.date.max, broker.name.lower())


def dependency_waits(broker: Broker, tracker: Tracker, status_of: Callable[[Broker], str | None]) -> list[str]:
    """ "Waiting for X" for each broker this one depends on that is not completed.

    Args:
        broker: the broker whose ``depends_on`` is read.
        tracker: where the other brokers are looked up (an unknown id waits by its id).
        status_of: the status of another broker at the moment that matters (now, or
            the end of a report's week).

    Returns:
        Texts such as ``Waiting for Alpaca``, in ``depends_on`` order.
    """
    waits = []
    for dep in broker.depends_on:
        other = tracker.brokers.get(dep)
        if other is None or status_of(other) != lifecycle.COMPLETED:
            waits.append(f"Waiting for {other.name if other else dep}")
    return waits


def open_blockers(broker: Broker, tracker: Tracker) -> list[str]:
    """The open blockers of a broker, then "Waiting for X" for each dependency not completed."""
    return [*broker.blockers, *dependency_waits(broker, tracker, lambda other: other.status)]


def last_notified(broker: Broker) -> dt.date | None:
    """The date the PM was last notified that research was completed, or None."""
    found = last_research_notification(broker.history)
    return found[1].date if found else None


def pending_decision(broker: Broker, tracker: Tracker, as_of: dt.date, doc: DocFacts | None = None) -> dict[str, Any]:
    """How long a pending broker's PM decision has waited, and where it stands on the
    escalation path (:func:`govtool.escalation.escalation_facts`, the facts `govtool
    escalate` acts on).

    Args:
        broker: a broker in status pending.
        tracker: for the settings (calendar, expected response, escalation threshold).
        as_of: the reference day.
        doc: the research doc's cost and access (a budget blocker or a partnership
            escalates at once); None when unknown.

    Returns:
        ``{id, name, notified_on, business_days_waiting, expected_by, overdue,
        escalation_level, escalation_reason, escalation_due_on, escalation_recorded,
        next_escalation}``: dates as ISO strings; ``overdue`` once the expected
        response time (its max, in business days) has passed; ``escalation_level`` 1
        (the PM alone), 2 (Tech Lead) or 3 (CTO / Product Director), with its reason
        and the day it fell due (None at level 1); ``escalation_recorded`` whether
        `govtool escalate` has recorded that level; ``next_escalation`` ``{level,
        reason, due_on}`` that waiting reaches next, or None.
    """
    settings = tracker.settings
    calendar = settings.calendar
    facts = escalation_facts(broker, broker.history, as_of, settings, doc or DocFacts())
    notified = facts.notified_on if facts else (last_notified(broker) or broker.history[-1].date)
    waited = facts.business_days_waiting if facts else business_days_between(notified, as_of, calendar)
    expected_max = settings.escalation.response_max_days
    upcoming = facts.next if facts else None
    return {
        "id": broker.id,
        "name": broker.name,
        "notified_on": notified.isoformat(),
        "business_days_waiting": waited,
        "expected_by": add_business_days(notified, expected_max, calendar).isoformat(),
        "overdue": waited > expected_max,
        "escalation_level": facts.level if facts else 1,
        "escalation_reason": facts.reason if facts else None,
        "escalation_due_on": facts.due_on.isoformat() if facts and facts.due_on else None,
        "escalation_recorded": bool(facts and facts.level > 1 and facts.recorded >= facts.level),
        "next_escalation": (
            {"level": upcoming.level, "reason": upcoming.reason, "due_on": upcoming.due_on.isoformat()}
            if upcoming
            else None
        ),
    }


def broker_summary(broker: Broker, tracker: Tracker) -> dict[str, Any]:
    """One broker as the dashboard and `list --json` show it.

    Returns:
        ``{id, name, status, status_label, progress, eta, priority, tier, type, team,
        critical, blockers}``; ``eta`` an ISO date or None; ``blockers`` as
        :func:`open_blockers`.
    """
    return {
        "id": broker.id,
        "name": broker.name,
        "status": broker.status,
        "status_label": lifecycle.STATUS_LABELS[broker.status],
        "progress": broker.progress,
        "eta": broker.eta.isoformat() if broker.eta else None,
        "priority": broker.priority,
        "tier": broker.tier,
        "type": broker.type,
        "team": broker.team,
        "critical": broker.critical,
        "blockers": open_blockers(broker, tracker),
    }


def broker_record(broker: Broker, tracker: Tracker) -> dict[str, Any]:
    """One broker as `govtool show` and the site's broker page show it: its summary, record
    and dated history.

    Returns:
        :func:`broker_summary` plus ``asset_classes, regions, depends_on, research_doc,
        notes, history``; ``history`` is the events as written in the tracker, timestamps
        as ISO 8601 UTC strings.
    """
    summary = broker_summary(broker, tracker)
    summary.update(
        asset_classes=broker.asset_classes,
        regions=broker.regions,
        depends_on=broker.depends_on,
        research_doc=broker.research_doc,
        notes=broker.notes,
        history=[{**e.to_dict(), "at": format_timestamp(e.at)} for e in broker.history],
    )
    return summary


def record_facts(record: dict[str, Any]) -> list[tuple[str, str]]:
    """The facts of a :func:`broker_record` as `show` and the broker page list them:
    ``(label, text)``, empty ones left out."""
    facts = [
        ("Priority", record["priority"]),
        ("Tier", record["tier"]),
        ("Type", record["type"]),
        ("Team", record["team"]),
        ("ETA", record["eta"]),
        ("Critical", "yes" if record["critical"] else "no"),
        ("Progress", f"{record['progress']}%"),
        ("Asset classes", ", ".join(record["asset_classes"])),
        ("Regions", ", ".join(record["regions"])),
        ("Depends on", ", ".join(record["depends_on"])),
        ("Blockers", "; ".join(record["blockers"])),
        ("Research doc", record["research_doc"]),
        ("Notes", record["notes"]),
    ]
    return [(label, str(value)) for label, value in facts if value not in (None, "")]


def event_details(event: dict[str, Any]) -> str:
    """An event of :func:`broker_record`'s history beyond at, event and by: ``key=value, ...``."""
    return ", ".join(
        f"{k}={format_score(v) if k == 'score' and v is not None else v}"
        for k, v in event.items()
        if k not in ("at", "event", "by")
    )


def status_dashboard(tracker: Tracker, as_of: dt.date, docs: Mapping[str, DocFacts] | None = None) -> dict[str, Any]:
    """The data of `govtool status`.

    Args:
        tracker: the tracker.
        as_of: the reference day for business days waited.
        docs: broker id -> its research doc's cost and access, for the escalations
            that are due at once (:func:`govtool.escalation.pending_doc_facts`).

    Returns:
        ``{as_of, brokers: [broker_summary...] in priority order,
        operational: {completed, total}, counts: {status: n},
        pending_decisions: [pending_decision...] longest wait first}``.
    """
    brokers = sorted(tracker.brokers.values(), key=priority_order)
    docs = docs or {}
    pending = [pending_decision(b, tracker, as_of, docs.get(b.id)) for b in brokers if b.status == lifecycle.PENDING]
    pending.sort(key=lambda p: (-p["business_days_waiting"], p["name"].lower()))
    counts = {s: 0 for s in lifecycle.STATUSES}
    for broker in brokers:
        counts[broker.status] += 1
    return {
        "as_of": as_of.isoformat(),
        "brokers": [broker_summary(b, tracker) for b in brokers],
        "operational": {"completed": counts[lifecycle.COMPLETED], "total": len(brokers)},
        "counts": counts,
        "pending_decisions": pending,
    }


def tracking_row(broker: Broker) -> dict[str, Any]:
    """One row of docs/brokers/broker-integration-tracker.md (process document,
    "Broker Integration Tracker"): Broker, Research Date, PM Notified, PM Decision,
    Implementation Status, Notes.

    Returns:
        ``{id, name, research_date, research_started, pm_notified, decision,
        implementation, progress, notes}``; dates are ISO strings or None
        (``research_date`` is when research was completed); ``decision`` and ``implementation`` are
        status keys (``pending``, ``approved``...; ``not_started``) for the template
        to label.
    """
    status = broker.status
    if status in _DECIDED:
        decision = lifecycle.APPROVED
    elif status in (lifecycle.PENDING, lifecycle.REJECTED, lifecycle.ON_HOLD):
        decision = status
    else:
        decision = None
    implementation = status if status in (lifecycle.IN_PROGRESS, lifecycle.COMPLETED) else "not_started"
    research = broker.last_event("research_completed")
    started = broker.last_event("research_started", "reopened")
    notified = last_notified(broker)
    notes = broker.notes
    if notes is None:
        notes = {
            lifecycle.RESEARCHING: "Research in progress",
            lifecycle.PENDING: "Awaiting PM approval",
            lifecycle.APPROVED: "Ready for implementation",
            lifecycle.IN_PROGRESS: f"{broker.progress}% complete",
            lifecycle.COMPLETED: "Production ready",
        }.get(status, "")
    return {
        "id": broker.id,
        "name": broker.name,
        "research_date": research.date.isoformat() if research else None,
        "research_started": started.date.isoformat() if started else None,
        "pm_notified": notified.isoformat() if notified else None,
        "decision": decision,
        "implementation": implementation,
        "progress": broker.progress,
        "notes": notes,
    }


def last_updated(tracker: Tracker) -> str | None:
    """The date of the newest event in the tracker (ISO), or None when there is none.

    The rendered docs show this instead of today's date, so rendering is deterministic.
    """
    newest = max((e.at for b in tracker.brokers.values() for e in b.history), default=None)
    return newest.date().isoformat() if newest else None
