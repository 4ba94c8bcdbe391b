"""PM notifications: the five triggers of the process document, as email and Slack;
the escalation message; the announcement of a PM decision.

Source: seeds/pm-notification-process.md, "When to Notify PM" (research completed,
cost discovery, access requirements, implementation decision, issues discovered),
"Notification Template" (every field of the research-completed email) and
"Escalation Process". Each kind has a template of its own
(``pm-notification-<kind>.txt.j2``, over ``pm-notification-base.txt.j2``) with what
the process asks of that kind, and asks the PM only what that kind needs
(:data:`KIND_ASKS`): costs against the monthly budget for cost discovery, the
partner-program steps for access requirements, the start and timeline for an
implementation decision, the blocker and its impact for issues discovered. The facts
come from the broker's research doc and the tracker.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

from govtool import lifecycle, slack
from govtool.business_days import add_business_days
from govtool.dashboard import open_blockers
from govtool.decision_matrix import MatrixResult, band_decision, score_if_complete
from govtool.delivery import OutgoingMessage
from govtool.escalation import Escalation
from govtool.model import Tracker
from govtool.research_doc import doc_risks, read_doc_text, section_text, split_front_matter, user_demand_evidence
from govtool.templating import environment, render_template

#: Subject line of each notification kind (after the subject prefix, before the broker name).
KIND_TITLES: dict[str, str] = {
    "research-completed": "API Research Completed",
    "cost-discovery": "API Costs Identified",
    "access-requirements": "Special Access Required",
    "implementation-decision": "Implementation Decision Needed",
    "issues-discovered": "Issues Discovered",
}

#: What each kind asks of the PM, and only that.
KIND_ASKS: dict[str, str] = {
    "research-completed": "Please review and let me know if you approve moving forward with implementation.",
    "cost-discovery": "Please approve these costs against the budget, or tell us to hold.",
    "access-requirements": "Please approve requesting this access{agreement}.",
    "implementation-decision": "Please confirm we start on {start}, or tell us when to start.",
    "issues-discovered": "Please acknowledge, and tell us if the priority or the ETA should change.",
}


def format_usd_per_month(value: Any) -> str:
    """``Free`` for 0, ``$1,200/month`` otherwise, ``not stated`` when unknown (USD per month)."""
    if value is None or isinstance(value, bool):
        return "not stated"
    if isinstance(value, (int, float)):
        return "Free" if value == 0 else f"${value:,.0f}/month" if float(value).is_integer() else f"${value:,.2f}/month"
    return str(value)


def _amount(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def budget_check(cost: Any, budget: float | None) -> str:
    """The monthly API cost against the monthly budget, in words.

    Args:
        cost: USD per month (the research doc's ``monthly_api_cost_usd``).
        budget: ``settings.budget.monthly_api_usd``, or None when no budget is set.
    """
    amount = _amount(cost)
    if budget is None:
        return "no monthly API budget is set (settings.budget.monthly_api_usd)"
    if amount is None:
        return f"the cost is not stated; the budget is {format_usd_per_month(budget)}"
    if amount > budget:
        return f"exceeds the {format_usd_per_month(budget)} budget by {format_usd_per_month(amount - budget)}"
    return f"within the {format_usd_per_month(budget)} budget ({format_usd_per_month(budget - amount)} left)"


def notification_context(
    root: Path,
    tracker: Tracker,
    broker_id: str,
    kind: str,
    urgent: bool,
    by: str,
    message: str | None,
    when: dt.datetime,
) -> dict[str, Any]:
    """The variables of the notification templates (all plain data).

    Args:
        when: the time of the notification (the planned start of an implementation
            decision is the next business day after it).
    """
    broker = tracker.broker(broker_id)
    rel = broker.research_doc_path
    text = read_doc_text(root, rel) or ""
    doc = split_front_matter(text, rel)
    front = doc.front_matter
    cost = front.get("monthly_api_cost_usd")
    days = front.get("development_days")
    access = str(front.get("access") or "")
    settings = tracker.settings
    pm = settings.escalation.pm
    next_steps = ["PM approval for implementation"]
    if isinstance(cost, (int, float)) and cost > 0:
        next_steps.append("Budget approval (API costs are involved)")
    if "partner" in access.lower():
        next_steps.append("API access request (partner program)")
    next_steps.append(
        f"Implementation timeline (ETA {broker.eta.isoformat()})" if broker.eta else "Implementation timeline"
    )
    score = score_if_complete(front.get("scores"), settings.decision_matrix)
    dev_days = _amount(days)
    total = (
        f"{format_usd_per_month(cost)} + {days:g} days dev time"
        if dev_days is not None
        else f"{format_usd_per_month(cost)} + development time not stated"
    )
    start = add_business_days(when.date(), 1, settings.calendar)
    finish = add_business_days(start, max(0, math.ceil(dev_days) - 1), settings.calendar) if dev_days else None
    decision = broker.last_event("decision")
    budget = settings.monthly_api_budget_usd
    context = {
        "kind": kind,
        "kind_title": KIND_TITLES[kind],
        "urgent": urgent,
        "prefix": settings.email.subject_prefix,
        "pm_name": pm.name,
        "sender_name": by,
        "message": message,
        "ask": KIND_ASKS[kind].format(
            start=start.isoformat(),
            agreement=" and signing the partner agreement" if "partner" in access.lower() else "",
        ),
        "broker": {
            "id": broker.id,
            "name": broker.name,
            "tier": front.get("tier") or broker.tier,
            "priority": broker.priority,
            "eta": broker.eta.isoformat() if broker.eta else None,
            "status": lifecycle.STATUS_LABELS[broker.status],
            "progress": broker.progress,
            "blockers": open_blockers(broker, tracker),
        },
        "docs_url": front.get("docs_url"),
        "authentication": front.get("authentication"),
        "rate_limits": front.get("rate_limits"),
        "costs": format_usd_per_month(cost),
        "budget": format_usd_per_month(budget) if budget is not None else None,
        "budget_check": budget_check(cost, budget),
        "access": front.get("access"),
        "partner_program": "partner" in access.lower(),
        "access_details": section_text(text, rel, 2) if text else "",
        "cost_details": section_text(text, rel, 8) if text else "",
        "data_coverage": front.get("data_coverage"),
        "development_days": days,
        "maintenance": front.get("maintenance"),
        "total_cost": total,
        "recommendation": front.get("recommendation"),
        "risk_level": front.get("risk_level"),
        "risks": doc_risks(doc.body),
        "user_demand": front.get("user_demand"),
        "user_demand_evidence": user_demand_evidence(doc.body),
        "score": {"total": score.total_shown, "band": score.band} if score else None,
        "next_steps": next_steps,
        "research_doc": rel,
        "decision": (
            {"label": lifecycle.STATUS_LABELS[decision.details["decision"]], "date": decision.date.isoformat()}
            if decision
            else None
        ),
        "start": start.isoformat(),
        "finish": finish.isoformat() if finish else None,
    }
    return context


def _slack_fields(kind: str, c: dict[str, Any]) -> list[tuple[str, Any]]:
    """The Slack fields of each kind: what that kind is about."""
    b = c["broker"]
    tier = f"Tier {b['tier']}" if b["tier"] else None
    doc = ("Research doc", c["research_doc"])
    if kind == "cost-discovery":
        return [("Broker", b["name"]), ("Costs", c["costs"]), ("Budget", c["budget_check"]), doc]
    if kind == "access-requirements":
        return [("Broker", b["name"]), ("Access", c["access"]), ("API Documentation", c["docs_url"]), doc]
    if kind == "implementation-decision":
        days = c["development_days"]
        return [
            ("Broker", b["name"]),
            ("Planned start", c["start"]),
            ("Development time", f"{days:g} days" if isinstance(days, (int, float)) else None),
            ("Expected completion", c["finish"]),
            ("ETA", b["eta"]),
            doc,
        ]
    if kind == "issues-discovered":
        return [
            ("Broker", b["name"]),
            ("Status", b["status"]),
            ("Progress", f"{b['progress']}%"),
            ("ETA", b["eta"]),
            ("Open blockers", "; ".join(b["blockers"])),
            doc,
        ]
    return [
        ("Broker", b["name"]),
        ("Priority Tier", tier),
        ("Authentication", c["authentication"]),
        ("Rate Limits", c["rate_limits"]),
        ("Costs", c["costs"]),
        ("Access", c["access"]),
        ("Recommendation", c["recommendation"]),
        ("Risk Assessment", c["risk_level"]),
        ("Key risks", _joined(c["risks"])),
        ("User Demand", c["user_demand"]),
        ("User demand evidence", _joined(c["user_demand_evidence"])),
        ("Weighted score", f"{c['score']['total']} ({c['score']['band']})" if c["score"] else None),
        doc,
    ]


def _joined(lines: list[str], limit: int = 600) -> str | None:
    """Lines as one Slack field value ("a; b; c"), cut at ``limit`` characters; None when empty."""
    text = "; ".join(lines)
    return (text if len(text) <= limit else text[: limit - 3] + "...") or None


def compose(
    root: Path,
    tracker: Tracker,
    broker_id: str,
    kind: str,
    urgent: bool,
    by: str,
    message: str | None,
    when: dt.datetime,
) -> OutgoingMessage:
    """Render the PM notification of one broker from its kind's template.

    Args:
        root: the governance root (templates, research doc).
        tracker: for the broker and the settings (contacts, prefix, channel).
        kind: one of :data:`KIND_TITLES`.
        urgent: add ``[URGENT]`` (process document, "Response Time").
        by: the sender's name, signed at the end.
        message: free text: what the developer has to say (the issue, the cost...).
        when: the time of the notification.

    Raises:
        InputError: unknown broker or a template error.
    """
    context = notification_context(root, tracker, broker_id, kind, urgent, by, message, when)
    env = environment(root)
    subject = " ".join(render_template(env, "pm-notification-subject.txt.j2", context).split())
    body = render_template(env, f"pm-notification-{kind}.txt.j2", context)
    settings = tracker.settings
    text = "\n\n".join(part for part in (message, context["ask"]) if part)
    payload = slack.message(settings.slack_channel, subject, _slack_fields(kind, context), body=text)
    return OutgoingMessage(subject, body, settings.email.sender, list(settings.email.recipients), payload)


def compose_escalation(root: Path, tracker: Tracker, escalation: Escalation) -> OutgoingMessage:
    """The email and Slack message of one escalation, from ``escalation.txt.j2``.

    The email goes to the level's contact, or to ``settings.email.to`` when the level
    has no email (process document, "Escalation Process").

    Raises:
        InputError: a template error.
    """
    settings = tracker.settings
    e = escalation
    subject = f"{settings.email.subject_prefix} [ESCALATION] Level {e.level} ({e.role}) - {e.name}: "
    subject += e.reason.split(":")[0]
    doc = tracker.broker(e.broker).research_doc_path
    body = render_template(environment(root), "escalation.txt.j2", {"e": e, "research_doc": doc})
    fields = [
        ("Broker", e.name),
        ("Level", f"{e.level} ({e.role})"),
        ("Contact", e.contact),
        ("Reason", e.reason),
        ("PM notified", e.notified_on),
    ]
    recipients = [e.email] if e.email else list(settings.email.recipients)
    return OutgoingMessage(
        subject, body, settings.email.sender, recipients, slack.message(settings.slack_channel, subject, fields)
    )


def compose_decision(
    root: Path,
    tracker: Tracker,
    broker_id: str,
    decision: str,
    by: str,
    reason: str | None,
    matrix: MatrixResult | None,
    guide: str | None,
) -> OutgoingMessage:
    """The announcement of a PM decision (``decision.txt.j2``), to ``settings.email.to`` and the Slack channel.

    Args:
        decision: ``approved``, ``rejected`` or ``on_hold``.
        matrix: the decision matrix of the research doc at that moment (its total and
            band are announced, and whether the decision differs from the band), or
            None when the doc is not scored.
        guide: the implementation guide written on approval (relative path), or None.

    Raises:
        InputError: a template error.
    """
    settings = tracker.settings
    broker = tracker.broker(broker_id)
    label = lifecycle.STATUS_LABELS[decision]
    subject = f"{settings.email.subject_prefix} PM Decision - {broker.name}: {label}"
    differs = matrix is not None and band_decision(matrix.band) != decision
    context = {
        "broker": {"id": broker.id, "name": broker.name},
        "decision": decision,
        "label": label,
        "by": by,
        "reason": reason,
        "score": matrix.total_shown if matrix else None,
        "band": matrix.band if matrix else None,
        "differs_from_band": differs,
        "guide": guide,
        "research_doc": broker.research_doc_path,
    }
    body = render_template(environment(root), "decision.txt.j2", context)
    fields = [("Broker", broker.name), ("Decision", label.lower()), ("Decided by", by), ("Reason", reason)]
    if matrix is not None:
        fields.append(("Weighted score", f"{matrix.total_shown} ({matrix.band})"))
        if differs:
            fields.append(
                ("Differs from the decision matrix", f"the band is {matrix.band}; the decision is {label.lower()}")
            )
    payload = slack.message(settings.slack_channel, subject, fields)
    return OutgoingMessage(subject, body, settings.email.sender, list(settings.email.recipients), payload)
