"""The PM loop: notify the PM, record the PM's decision, and deliver what waits in the outbox.

Source: seeds/pm-notification-process.md, "When to Notify PM", "Notification
Template" and "PM Responds with Decision".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from govtool import decisions, lifecycle, notification, outbox, research, signing, slack
from govtool.decision_matrix import band_decision, score_if_complete
from govtool.delivery import DeliveryReport, Services, deliver, flush
from govtool.derived_docs import check_out_file
from govtool.errors import InputError, ViolationError
from govtool.git_repo import author_of, commit_as
from govtool.history import record_event
from govtool.inputs import inside_root, read_text
from govtool.model import Event
from govtool.research_doc import Finding, read_front_matter
from govtool.settings import Settings
from govtool.signing import DecisionVerification, SigningKey
from govtool.storage import read_tracker
from govtool.unit_of_work import update_tracker
from govtool.yamlio import format_timestamp


class ResearchIncomplete(ViolationError):
    """A research-completed notification refused: the research doc fails the checklist (exit 1).

    Attributes:
        findings: what the doc still lacks.
    """

    def __init__(self, broker_id: str, findings: list[Finding]) -> None:
        super().__init__(
            f"{broker_id}: the research doc is not complete ({len(findings)} findings); the PM is not notified",
            hint=f"the checklist comes before the PM: fill what is listed, then `govtool research check {broker_id}`",
        )
        self.findings = findings


@dataclass
class Commit:
    """A commit made by `--commit`: its hexsha and message."""

    sha: str
    message: str


@dataclass
class NotifyOutcome:
    """`govtool notify`: the message (``.eml`` text), where it was written (None for a dry
    run), the commit, and what was delivered."""

    eml: str
    written_to: Path | None = None
    commit: Commit | None = None
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def notify(
    root: Path,
    broker_id: str,
    *,
    kind: str,
    urgent: bool,
    message: str | None,
    out: Path | None,
    force: bool = False,
    send: bool,
    slack_post: bool,
    dry_run: bool,
    commit: bool,
    by: str,
    at: dt.datetime,
    env: Mapping[str, str],
    git_email: str,
) -> NotifyOutcome:
    """Notify the PM of a broker and record ``pm_notified``.

    Args:
        kind: one of :data:`govtool.lifecycle.NOTIFICATION_KINDS`.
        out: where to write the ``.eml`` (default: ``.govtool/outbox/sent/``), an
            absolute path; never a governance file (:func:`govtool.derived_docs.check_out_file`).
        force: overwrite an existing ``out`` file.
        send, slack_post: deliver by SMTP, post to Slack (when configured).
        dry_run: compose only; write and send nothing.
        env: the environment (credentials, SMTP overrides).
        git_email: git's ``user.email``, the commit author's email when ``by`` names none.

    Raises:
        InputError: an unknown kind or broker, a transition the lifecycle forbids, an
            ``out`` that is a governance file or exists (without ``force``).
        ResearchIncomplete: research-completed while the doc fails the checklist.
    """
    if kind not in lifecycle.NOTIFICATION_KINDS:
        raise InputError(
            f"--kind: {kind!r} is not a notification kind", hint=f"one of {', '.join(lifecycle.NOTIFICATION_KINDS)}"
        )
    tracker = read_tracker(root, only=[broker_id])
    tracker.broker(broker_id)
    if kind == lifecycle.DEFAULT_NOTIFICATION_KIND:
        findings = research.check_research(root, tracker, [broker_id])[broker_id]
        if findings:
            raise ResearchIncomplete(broker_id, findings)
    note = notification.compose(root, tracker, broker_id, kind, urgent, by, message)
    eml = note.to_eml(at)
    if dry_run:
        return NotifyOutcome(eml)
    if out is not None:
        path = check_out_file(root, out, tracker, force)
    else:
        path = notification.default_eml_path(root, broker_id, kind, at)
    changed: list[Path] = []
    recipients = ", ".join(note.recipients)
    update_tracker(
        root,
        lambda t: record_event(t, broker_id, "pm_notified", by, at, kind=kind, urgent=urgent or None, to=recipients),
        files={path: eml},
        changed=changed,
        only=[broker_id],
        external=[path] if out is not None else [],
    )
    outcome = NotifyOutcome(eml, path)
    if commit:
        files = [p for p in changed if p != path]
        outcome.commit = Commit(
            *commit_as(root, files, f"govtool: notify PM of {broker_id} ({kind})", by, tracker.settings, git_email)
        )
    deliveries = []
    if send:
        deliveries.append(note.email_delivery(eml))
    if slack_post:
        deliveries.append(note.slack_delivery())
    services = Services.configure(tracker.settings, env)
    outcome.delivery = deliver(root, services, deliveries, "notify", broker_id, format_timestamp(at))
    return outcome


@dataclass
class DecideOutcome:
    """`govtool decide`: the status before and after, the implementation guide written on
    approval (None otherwise), the decision matrix's total (as shown) and band when the
    doc is scored, whether the decision differs from that band, the commit, and what
    was delivered; for a signed decision, the email it was signed as and, where
    approvers are set, its check against the work tree's allowed-signers file."""

    status_before: str
    status_after: str
    guide: Path | None = None
    matrix_total: str | None = None
    matrix_band: str | None = None
    differs_from_band: bool = False
    commit: Commit | None = None
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    signed_as: str | None = None
    signature_check: DecisionVerification | None = None


_DECISION_VERBS = {lifecycle.APPROVED: "approve", lifecycle.REJECTED: "reject", lifecycle.ON_HOLD: "put on hold"}


def decide(
    root: Path,
    broker_id: str,
    decision: str,
    *,
    by: str,
    reason: str | None,
    slack_post: bool,
    commit: bool,
    at: dt.datetime,
    env: Mapping[str, str],
    git_email: str,
    signing_key: SigningKey | None = None,
) -> DecideOutcome:
    """Record the PM's decision with the weighted score of that moment; on approval,
    scaffold the implementation guide; announce it in Slack when configured.

    Args:
        decision: what the user typed (``approved``, ``rejected``, ``on-hold``...).
        git_email: git's ``user.email``: the commit author's, and the decider's email
            when ``by`` names none.
        signing_key: the decider's SSH key: the decision is signed
            (:mod:`govtool.signing`); required where ``settings.gate.approvers`` is set.

    Raises:
        InputError: a bad decision, no reason to reject or hold, unknown broker; no
            signing key where approvers are set; signing failed.
        TransitionError: the broker is not pending or on hold.
    """
    key = decisions.parse_decision(decision)
    tracker = read_tracker(root, only=[broker_id])
    record = tracker.broker(broker_id)
    approvers = tracker.settings.gate.approvers
    if approvers and signing_key is None:
        raise InputError(
            f"{broker_id}: settings.gate.approvers is set, so the decision must be signed, and no signing key is set",
            hint="git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub, or pass "
            "--signing-key PATH; nothing was written",
        )
    email = author_of(by, tracker.settings, git_email)[1] if signing_key is not None else None
    front = read_front_matter(root, record.research_doc_path)
    matrix = score_if_complete(front.get("scores"), tracker.settings.decision_matrix)
    total = float(matrix.total) if matrix else None
    band = matrix.band if matrix else None
    files = {}
    guide = decisions.integration_guide_path(root, broker_id)
    if key == lifecycle.APPROVED and not guide.exists():
        files[guide] = decisions.render_integration_guide(root, tracker, broker_id, at.date().isoformat())
    changed: list[Path] = []
    outcome = DecideOutcome(record.status, key, guide if guide in files else None)
    if matrix:
        outcome.matrix_total, outcome.matrix_band = matrix.total_shown, matrix.band
        outcome.differs_from_band = band_decision(matrix.band) != key
    recorded: list[Event] = []
    update_tracker(
        root,
        lambda t: recorded.append(decisions.decide(t, broker_id, key, by, at, reason, total, band, email, signing_key)),
        files=files,
        changed=changed,
        only=[broker_id],
    )
    if signing_key is not None:
        outcome.signed_as = email
        if approvers:
            outcome.signature_check = check_signature(root, tracker.settings, broker_id, recorded[-1], signing_key, at)
    if commit:
        message = f"govtool: {_DECISION_VERBS[key]} {broker_id} (by {{author}})"
        outcome.commit = Commit(*commit_as(root, changed, message, by, tracker.settings, git_email))
    fields = [("Broker", record.name), ("Decision", key.replace("_", " ")), ("Decided by", by), ("Reason", reason)]
    if matrix:
        fields.append(("Weighted score", f"{matrix.total_shown} ({matrix.band})"))
        if outcome.differs_from_band:
            differs = f"the band is {matrix.band}; the decision is {key.replace('_', ' ')}"
            fields.append(("Differs from the decision matrix", differs))
    title = f"PM decision: {record.name} {key.replace('_', ' ')}"
    deliveries = [("slack", slack.message(tracker.settings.slack_channel, title, fields))] if slack_post else []
    services = Services.configure(tracker.settings, env)
    outcome.delivery = deliver(root, services, deliveries, "decide", broker_id, format_timestamp(at))
    return outcome


def check_signature(
    root: Path, settings: Settings, broker_id: str, event: Event, key: SigningKey, at: dt.datetime
) -> DecisionVerification:
    """A decision just signed, checked as the gate will check it, against the allowed-signers
    file and approvers of the work tree (the gate reads them at the tip of the base branch)."""
    rel = settings.gate.allowed_signers
    try:
        text = read_text(inside_root(root, rel, "settings.gate.allowed_signers"), rel)
    except (OSError, InputError) as exc:
        why = "no such file" if isinstance(exc, FileNotFoundError) else getattr(exc, "message", str(exc))
        return DecisionVerification(signing.BAD_SIGNATURE, f"{rel}: {why}", event.details.get("email"))
    return signing.verify_decision(
        broker_id, event, text, settings.gate.approvers, program=key.program, at=at, signers_shown=rel
    )


def outbox_messages(root: Path) -> list[outbox.OutboxMessage]:
    """The messages waiting in the outbox, oldest first."""
    return [message for _, message in outbox.pending(root)]


def flush_outbox(root: Path, env: Mapping[str, str]) -> DeliveryReport:
    """Resend every message in the outbox; remove what is delivered."""
    return flush(root, Services.configure(read_tracker(root).settings, env))
