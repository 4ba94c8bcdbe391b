"""PM decisions: recording them, the decision log, and the implementation guide.

Source: seeds/pm-notification-process.md, "PM Responds with Decision" (approved →
implementation; rejected → document the reason, backlog; on hold → wait for
budget/partnership) and "Implementation Guide (After Approval)"; the decision log
follows the format of seeds/product-owner-decision-log.md (numbered questions,
decision, rationale, date, decider, and a summary table).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govtool import lifecycle
from govtool.decision_matrix import band_decision, format_score
from govtool.errors import InputError
from govtool.history import record_event
from govtool.lifecycle import last_research_notification
from govtool.model import Event, Tracker
from govtool.settings import Settings
from govtool.signing import SigningKey, sign_decision
from govtool.templating import environment, render_template
from govtool.yamlio import format_timestamp

INTEGRATIONS_DIR = "docs/brokers/integrations"


def parse_decision(text: str) -> str:
    """``approved``, ``rejected`` or ``on_hold`` from what a user typed: the machine spelling
    (``on_hold``), the people's (``on hold``, ``On Hold``), ``on-hold``, or a verb (``approve``).

    Raises:
        InputError: anything else.
    """
    key = text.strip().lower().replace("-", "_").replace(" ", "_")
    aliases = {"approve": "approved", "reject": "rejected", "hold": "on_hold"}
    key = aliases.get(key, key)
    if key not in lifecycle.DECISIONS:
        raise InputError(f"decision {text!r}: expected approved, rejected or on_hold")
    return key


def decide(
    tracker: Tracker,
    broker_id: str,
    decision: str,
    by: str,
    at: dt.datetime,
    reason: str | None = None,
    score: float | None = None,
    band: str | None = None,
    email: str | None = None,
    key: SigningKey | None = None,
    via: str | None = None,
    slack_user: str | None = None,
    attested_by: str | None = None,
) -> Event:
    """Record a PM decision (status pending/on hold → the decision).

    Args:
        decision: ``approved``, ``rejected`` or ``on_hold``.
        by: who decided (the PM).
        reason: why; required to reject or put on hold (the process document asks to
            "document reason").
        score: the weighted decision-matrix total at this moment, if the doc has scores.
        band: that total's band; a decision other than the one the band points to is
            recorded with ``differs_from_band: true``, so the decision log shows it.
        email: the decider's email, recorded with a signed decision (the signer's principal).
        key: the decider's SSH key: the decision is signed with it
            (:func:`govtool.signing.sign_decision`); None records it unsigned.
        via: the channels it is announced on (``email, slack``), if any.
        slack_user: the Slack user who decided with a button (`govtool serve`): the
            event records ``decided_in: slack`` and this id.
        attested_by: with ``slack_user``, the attester whose ``key`` signs the decision
            for the approver ``email`` (``settings.gate.attesters``).

    Raises:
        InputError: no reason for a rejection or hold; a key without an email; signing failed.
        TransitionError: the broker is not pending or on hold.
    """
    if slack_user is not None and (key is None or not attested_by or not email):
        raise InputError(f"{broker_id}: a decision made in Slack is signed by an attester for the approver's email")
    if key is not None and not email:
        raise InputError(
            f"{broker_id}: a signed decision records the decider's email, and none is known",
            hint='pass --by "Name <email>", or set git config user.email',
        )
    if decision in (lifecycle.REJECTED, lifecycle.ON_HOLD) and not (reason and reason.strip()):
        label = "reject" if decision == lifecycle.REJECTED else "put on hold"
        raise InputError(f"{broker_id}: a reason is required to {label}", hint='pass --reason "..."')
    differs = band is not None and band_decision(band) != decision
    event = record_event(
        tracker,
        broker_id,
        "decision",
        by,
        at,
        decision=decision,
        reason=reason,
        score=score,
        band=band,
        differs_from_band=True if differs else None,
        via=via,
        email=email if key is not None else None,
        decided_in="slack" if slack_user is not None else None,
        slack_user=slack_user,
        attested_by=attested_by if slack_user is not None else None,
    )
    if key is not None:
        event.details["signature"] = sign_decision(broker_id, event, key)
    return event


def decision_entries(tracker: Tracker, allowed_signers: str | None = None) -> list[dict[str, Any]]:
    """Every PM decision in the tracker, oldest first, numbered D1, D2, ...

    Args:
        tracker: the tracker.
        allowed_signers: the text of the repo's allowed-signers file, to verify the signed
            decisions against (with ``settings.gate.approvers``); None leaves them
            unverified (the Markdown decision log does not show signatures).

    Returns:
        ``[{number, broker, name, question, decision, reason, date, by, score,
        band, differs_from_band, backfilled, source, notified_on, signature}]``;
        ``date`` is an ISO date; ``notified_on`` the ISO date of the research-completed
        notification the decision answers (None when the history has none before it);
        ``signature`` :func:`signature_verifications`' result for it.
    """
    found = [
        (event, broker, index)
        for broker in tracker.brokers.values()
        for index, event in enumerate(broker.history)
        if event.event == "decision"
    ]
    found.sort(key=lambda item: (item[0].at, item[1].history[0].at, item[1].name.lower()))
    signatures = signature_verifications(
        [(broker.id, event) for event, broker, _ in found], allowed_signers, tracker.settings
    )
    entries = []
    for number, (event, broker, index) in enumerate(found, 1):
        notified = last_research_notification(broker.history[:index])
        entries.append(
            {
                "number": number,
                "broker": broker.id,
                "name": broker.name,
                "question": f"Should we integrate {broker.name}?",
                "decision": event.details["decision"],
                "reason": event.details.get("reason"),
                "note": event.details.get("note"),
                "date": event.date.isoformat(),
                "at": format_timestamp(event.at),
                "by": event.by,
                "score": event.details.get("score"),
                "score_shown": None if event.details.get("score") is None else format_score(event.details["score"]),
                "band": event.details.get("band"),
                "differs_from_band": bool(event.details.get("differs_from_band")),
                "backfilled": bool(event.details.get("backfilled")),
                "source": event.details.get("source"),
                "notified_on": notified[1].date.isoformat() if notified else None,
                "signature": signatures[number - 1],
            }
        )
    return entries


#: What :func:`signature_verifications` says of a decision that carries no signature.
NOT_SIGNED = "not signed"


#: What :func:`signature_verifications` says of a signed decision it had nothing to check against.
UNVERIFIED = "unverified"


def signature_verifications(
    decisions: list[tuple[str, Event]], allowed_signers: str | None, settings: Settings
) -> list[dict[str, Any]]:
    """The verification of each decision's signature, as the site shows it: ``{state, detail}``.

    The one place a decision's signature is judged for people: ``not signed``; or, with
    the allowed-signers text, :mod:`govtool.signing`'s verdict (``verified``,
    ``bad_signature``, ``not_an_approver``) and its reason; or ``unverified`` when there
    is no allowed-signers file to check against.

    Args:
        decisions: ``(broker id, decision event)`` pairs.
        allowed_signers: the allowed-signers file's text, or None.
        settings: whose approvers (``settings.gate.approvers``; none: the signature alone
            is checked), attesters and Slack approvers a signature is judged against.

    Raises:
        InputError: ssh-keygen is missing or does not answer in time.
    """
    unsigned = {"state": NOT_SIGNED, "detail": "the decision carries no signature"}
    out: list[dict[str, Any]] = [dict(unsigned) for _ in decisions]
    signed = [i for i, (_, event) in enumerate(decisions) if event.details.get("signature") is not None]
    if not signed:
        return out
    if allowed_signers is None:
        for i in signed:
            out[i] = {"state": UNVERIFIED, "detail": "no allowed-signers file to check the signature against"}
        return out
    from govtool.signing import trusted_by, verify_decisions

    results = verify_decisions([decisions[i] for i in signed], allowed_signers, **trusted_by(settings))
    for i, result in zip(signed, results, strict=True):
        out[i] = {"state": result.state.replace("_", " "), "detail": result.reason}
    return out


def integration_guide_path(root: Path, broker_id: str) -> Path:
    """``docs/brokers/integrations/BROKER.md`` of a governance root."""
    return root / INTEGRATIONS_DIR / f"{broker_id}.md"


def render_integration_guide(root: Path, tracker: Tracker, broker_id: str, decided_on: str) -> str:
    """The implementation guide scaffold of an approved broker (setup, testing, troubleshooting)."""
    broker = tracker.broker(broker_id)
    context = {
        "broker": {"id": broker.id, "name": broker.name, "type": broker.type, "eta": broker.eta},
        "decided_on": decided_on,
        "research_doc": broker.research_doc,
        "gate_paths": [p.replace("{broker}", broker.id) for p in tracker.settings.gate.paths],
    }
    return render_template(environment(root), "integration-guide.md.j2", context)
