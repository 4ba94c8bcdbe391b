"""PM notifications: the five triggers of the process document, as email and Slack.

Source: seeds/pm-notification-process.md, "When to Notify PM" (research completed,
cost discovery, access requirements, implementation decision, issues discovered)
and "Notification Template" (every field of the email). The message is rendered
from templates (``pm-notification-subject.txt.j2``, ``pm-notification.txt.j2``);
the facts come from the broker's research doc front matter and the tracker.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govtool import slack
from govtool.decision_matrix import score_if_complete
from govtool.delivery import OutgoingMessage
from govtool.escalation import Escalation
from govtool.model import Tracker
from govtool.outbox import OUTBOX_DIR
from govtool.research_doc import doc_risks, read_doc, user_demand_evidence
from govtool.templating import environment, render_template

#: Subject line of each notification kind (after the subject prefix, before the broker name).
KIND_TITLES: dict[str, str] = {
    "research-completed": "API Research Completed",
    "cost-discovery": "API Costs Identified",
    "access-requirements": "Special Access Required",
    "implementation-decision": "Implementation Decision Needed",
    "issues-discovered": "Issues Discovered",
}


def format_usd_per_month(value: Any) -> str:
    """``Free`` for 0, ``$1,200/month`` otherwise, ``not stated`` when unknown (USD per month)."""
    if value is None or isinstance(value, bool):
        return "not stated"
    if isinstance(value, (int, float)):
        return "Free" if value == 0 else f"${value:,.0f}/month" if float(value).is_integer() else f"${value:,.2f}/month"
    return str(value)


def notification_context(
    root: Path, tracker: Tracker, broker_id: str, kind: str, urgent: bool, by: str, message: str | None
) -> dict[str, Any]:
    """The variables of the notification templates (all plain data)."""
    broker = tracker.broker(broker_id)
    rel = broker.research_doc_path
    doc = read_doc(root, rel)
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
    total = (
        f"{format_usd_per_month(cost)} + {days:g} days dev time"
        if isinstance(days, (int, float)) and not isinstance(days, bool)
        else f"{format_usd_per_month(cost)} + development time not stated"
    )
    return {
        "kind": kind,
        "kind_title": KIND_TITLES[kind],
        "urgent": urgent,
        "prefix": settings.email.subject_prefix,
        "pm_name": pm.name,
        "sender_name": by,
        "message": message,
        "broker": {
            "id": broker.id,
            "name": broker.name,
            "tier": front.get("tier") or broker.tier,
            "priority": broker.priority,
            "eta": broker.eta.isoformat() if broker.eta else None,
        },
        "docs_url": front.get("docs_url"),
        "authentication": front.get("authentication"),
        "rate_limits": front.get("rate_limits"),
        "costs": format_usd_per_month(cost),
        "access": front.get("access"),
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
    }


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
    message: str | None = None,
) -> OutgoingMessage:
    """Render the PM notification of one broker.

    Args:
        root: the governance root (templates, research doc).
        tracker: for the broker and the settings (contacts, prefix, channel).
        kind: one of :data:`KIND_TITLES`.
        urgent: add ``[URGENT]`` (process document, "Response Time").
        by: the sender's name, signed at the end.
        message: free text for the kinds other than research-completed.

    Raises:
        InputError: unknown broker or a template error.
    """
    context = notification_context(root, tracker, broker_id, kind, urgent, by, message)
    env = environment(root)
    subject = " ".join(render_template(env, "pm-notification-subject.txt.j2", context).split())
    body = render_template(env, "pm-notification.txt.j2", context)
    settings = tracker.settings
    fields = [
        ("Broker", context["broker"]["name"]),
        ("Priority Tier", f"Tier {context['broker']['tier']}" if context["broker"]["tier"] else None),
        ("Authentication", context["authentication"]),
        ("Rate Limits", context["rate_limits"]),
        ("Costs", context["costs"]),
        ("Access", context["access"]),
        ("Recommendation", context["recommendation"]),
        ("Risk Assessment", context["risk_level"]),
        ("Key risks", _joined(context["risks"])),
        ("User Demand", context["user_demand"]),
        ("User demand evidence", _joined(context["user_demand_evidence"])),
        ("Weighted score", f"{context['score']['total']} ({context['score']['band']})" if context["score"] else None),
        ("Research doc", context["research_doc"]),
    ]
    payload = slack.message(settings.slack_channel, subject, fields, body=message or "")
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


def default_eml_path(root: Path, broker_id: str, kind: str, when: dt.datetime) -> Path:
    """Where a sent notification's .eml is kept by default: ``.govtool/outbox/sent/``."""
    stamp = when.strftime("%Y%m%dT%H%M%SZ")
    return root / OUTBOX_DIR / "sent" / f"{stamp}-{broker_id}-{kind}.eml"
