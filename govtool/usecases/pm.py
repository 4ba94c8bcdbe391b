"""The PM loop: notify the PM, record the PM's decision, and deliver what waits in the outbox.

Source: seeds/pm-notification-process.md, "When to Notify PM", "Notification
Template" and "PM Responds with Decision".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from govtool import decisions, lifecycle, notification, outbox, research, signing
from govtool.decision_matrix import band_decision, score_if_complete
from govtool.delivery import (
    ChannelRequest,
    DeliveryReport,
    NoChannel,
    Services,
    choose_channels,
    deliver,
    flush,
    history_record,
    set_record,
    via,
)
from govtool.derived_docs import check_out_file
from govtool.errors import InputError, ViolationError
from govtool.git_repo import author_of, commit_as, commit_files, decider_author
from govtool.history import record_event
from govtool.inputs import inside_root, read_text
from govtool.model import Event, Tracker
from govtool.research_doc import Finding, read_front_matter
from govtool.settings import Settings
from govtool.signing import DecisionVerification, SigningKey
from govtool.slack_interactions import NotificationRef, add_decision_buttons, offers_buttons
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
            f"{broker_id}: the research doc is not complete "
            f"({len(findings)} finding{'s' if len(findings) != 1 else ''}); the PM is not notified",
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
    """`govtool notify`: the message (``.eml`` text, as mailed when mailed), the channels it
    went to (empty for a dry run), whether research_completed was recorded first, where
    ``--out`` wrote the ``.eml``, the commit, and what was delivered."""

    eml: str
    channels: list[str] = field(default_factory=list)
    research_completed: bool = False
    written_to: Path | None = None
    commit: Commit | None = None
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def recorded(self) -> bool:
        return bool(self.channels)


def notify(
    root: Path,
    broker_id: str,
    *,
    kind: str,
    urgent: bool,
    message: str | None,
    out: Path | None,
    force: bool = False,
    channels: ChannelRequest,
    dry_run: bool,
    commit: bool,
    by: str,
    at: dt.datetime,
    env: Mapping[str, str],
    git_email: str,
) -> NotifyOutcome:
    """Notify the PM of a broker: record ``pm_notified`` with its messages, then deliver them.

    The event and one outbox entry per channel are written together before anything
    is sent (:mod:`govtool.delivery`). For research-completed, the research doc must
    pass the checklist, and ``research_completed`` is recorded first when it was not yet.

    Args:
        kind: one of :data:`govtool.lifecycle.NOTIFICATION_KINDS`.
        out: also write the ``.eml`` here, an absolute path; never a governance file
            (:func:`govtool.derived_docs.check_out_file`).
        force: overwrite an existing ``out`` file.
        channels: the channel flags (default: every configured channel).
        dry_run: compose only; record, write and send nothing.
        env: the environment (credentials, SMTP overrides).
        git_email: git's ``user.email``, the commit author's email when ``by`` names none.

    Raises:
        InputError: an unknown kind or broker, a transition the lifecycle forbids, a
            channel asked for that is not configured, an ``out`` that is a governance
            file or exists (without ``force``).
        NoChannel: no channel to deliver by and not sent by hand (nothing recorded).
        ResearchIncomplete: research-completed while the doc fails the checklist.
    """
    if kind not in lifecycle.NOTIFICATION_KINDS:
        raise InputError(
            f"--kind: {kind!r} is not a notification kind", hint=f"one of {', '.join(lifecycle.NOTIFICATION_KINDS)}"
        )
    tracker = read_tracker(root, only=[broker_id])
    others = [d for d in tracker.broker(broker_id).depends_on if d not in tracker.brokers]
    if others:  # the message names the dependencies the broker still waits for
        tracker = read_tracker(root, only=[broker_id, *others])
    complete_research = False
    if kind == lifecycle.DEFAULT_NOTIFICATION_KIND:
        broker = tracker.broker(broker_id)
        findings = research.check_research(root, tracker, [broker_id])[broker_id]
        if findings:
            raise ResearchIncomplete(broker_id, findings)
        complete_research = research.needs_research_completed(broker)
    note = notification.compose(root, tracker, broker_id, kind, urgent, by, message, at)
    if dry_run:
        return NotifyOutcome(note.to_eml(at))
    path = check_out_file(root, out, tracker, force) if out is not None else None
    services = Services.configure(tracker.settings, env)
    chosen = choose_channels(services, channels, note.to_eml(at))
    messages = note.for_channels(chosen, "notify", broker_id, at)
    eml = note.email_eml(messages, at)
    recipients = ", ".join(note.recipients)

    def change(t: Tracker) -> tuple[int, Any, bool]:
        completed = complete_research and research.needs_research_completed(t.broker(broker_id))
        if completed:
            record_event(t, broker_id, "research_completed", by, at)
        event = record_event(
            t, broker_id, "pm_notified", by, at, kind=kind, urgent=urgent or None, to=recipients, via=via(chosen)
        )
        return len(t.broker(broker_id).history) - 1, event, completed

    buttons = kind == lifecycle.DEFAULT_NOTIFICATION_KIND and offers_buttons(
        tracker.settings.slack_approvers, services.slack.token
    )

    def ahead(t: Tracker, made: tuple[int, Any, bool]) -> dict[Path, str]:
        set_record(messages, history_record(broker_id, made[0], made[1]))
        if buttons:  # the PM decides from the message (`govtool serve`)
            add_decision_buttons(messages, NotificationRef(broker_id, made[0], format_timestamp(made[1].at)))
        return outbox.pending_files(root, messages)

    changed: list[Path] = []
    made = update_tracker(
        root,
        change,
        files={path: eml} if path else None,
        changed=changed,
        ahead=ahead,
        only=[broker_id],
        external=[path] if path else [],
    )
    outcome = NotifyOutcome(eml, chosen, made[2], path)
    if commit:
        files = [p for p in changed if p != path]
        outcome.commit = Commit(
            *commit_as(root, files, f"govtool: notify PM of {broker_id} ({kind})", by, tracker.settings, git_email)
        )
    outcome.delivery = deliver(root, services, messages, at)
    return outcome


@dataclass
class DecideOutcome:
    """`govtool decide`: the status before and after, the implementation guide written on
    approval (None otherwise), the decision matrix's total (as shown) and band when the
    doc is scored, whether the decision differs from that band, the channels it was
    announced on, the commit, and what was delivered; for a signed decision, the email
    it was signed as and, where approvers are set, its check against the work tree's
    allowed-signers file."""

    status_before: str
    status_after: str
    guide: Path | None = None
    matrix_total: str | None = None
    matrix_band: str | None = None
    differs_from_band: bool = False
    channels: list[str] = field(default_factory=list)
    commit: Commit | None = None
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    signed_as: str | None = None
    signature_check: DecisionVerification | None = None
    event: Event | None = None
    messages: list[outbox.OutboxMessage] = field(default_factory=list)
    services: Services | None = None


class SlackOrigin(NamedTuple):
    """A decision made with a button in Slack (`govtool serve`).

    Attributes:
        user: the Slack user id who clicked; email: the approver's email
            (``settings.slack.approvers``), the decision's decider; attester: the
            principal whose key signs it (``settings.gate.attesters``).
    """

    user: str
    email: str
    attester: str


_DECISION_VERBS = {lifecycle.APPROVED: "approve", lifecycle.REJECTED: "reject", lifecycle.ON_HOLD: "put on hold"}


def decide(
    root: Path,
    broker_id: str,
    decision: str,
    *,
    by: str,
    reason: str | None,
    channels: ChannelRequest,
    commit: bool,
    at: dt.datetime,
    env: Mapping[str, str],
    git_email: str = "",
    signing_key: SigningKey | None = None,
    in_slack: SlackOrigin | None = None,
    deliver_now: bool = True,
) -> DecideOutcome:
    """Record the PM's decision with the weighted score of that moment; on approval,
    scaffold the implementation guide; announce it on every configured channel.

    The decision is recorded whatever the channels; its announcements are written to
    the outbox with it and then delivered.

    Args:
        decision: what the user typed (``approved``, ``rejected``, ``on-hold``, ``on hold``...).
        channels: the channel flags (default: every configured channel).
        commit: commit the changed files, authored by the decider (see
            :func:`govtool.git_repo.decider_author`).

        git_email: git's ``user.email``: the decider's email for a signed decision when
            ``by`` names none.
        signing_key: the decider's SSH key: the decision is signed
            (:mod:`govtool.signing`); required where ``settings.gate.approvers`` is set.
            For a decision made in Slack, the attester's key.
        in_slack: the decision was made with a Slack button: the event records where,
            by which Slack user, for which approver's email, and the attester that signs.
        deliver_now: False leaves the announcements in the outbox (``pending/``); the
            outcome's ``messages`` and ``services`` deliver them later (or void them,
            where the decision does not land).

    Raises:
        InputError: a bad decision, no reason to reject or hold, unknown broker, a
            channel asked for that is not configured, a decider ``--commit`` cannot map
            to an email.; no signing key where approvers are set; signing failed.
        TransitionError: the broker is not pending or on hold.
    """
    key = decisions.parse_decision(decision)
    tracker = read_tracker(root, only=[broker_id])
    record = tracker.broker(broker_id)
    author = decider_author(by, tracker.settings) if commit else None
    approvers = tracker.settings.gate.approvers
    if approvers and signing_key is None:
        raise InputError(
            f"{broker_id}: settings.gate.approvers is set, so the decision must be signed, and no signing key is set",
            hint="git config gpg.format ssh && git config user.signingkey ~/.ssh/id_ed25519.pub, or pass "
            "--signing-key PATH; nothing was written",
        )
    if in_slack is not None:
        email: str | None = in_slack.email
    else:
        email = author_of(by, tracker.settings, git_email)[1] if signing_key is not None else None
    front = read_front_matter(root, record.research_doc_path)
    matrix = score_if_complete(front.get("scores"), tracker.settings.decision_matrix)
    total = float(matrix.total) if matrix else None
    band = matrix.band if matrix else None
    files = {}
    guide = decisions.integration_guide_path(root, broker_id)
    if key == lifecycle.APPROVED and not guide.exists():
        files[guide] = decisions.render_integration_guide(root, tracker, broker_id, at.date().isoformat())
    services = Services.configure(tracker.settings, env)
    skipped = []
    try:
        chosen = choose_channels(services, channels, "")
    except NoChannel as exc:
        chosen = []
        skipped.append(f"the decision is recorded but not announced: {exc.message.split(': ', 1)[1]}")
    rel_guide = str(guide.relative_to(root)) if guide in files or guide.exists() else None
    if key != lifecycle.APPROVED:
        rel_guide = None
    note = notification.compose_decision(root, tracker, broker_id, key, by, reason, matrix, rel_guide)
    messages = note.for_channels(chosen, "decide", broker_id, at)
    changed: list[Path] = []
    outcome = DecideOutcome(record.status, key, guide if guide in files else None, channels=chosen)
    if matrix:
        outcome.matrix_total, outcome.matrix_band = matrix.total_shown, matrix.band
        outcome.differs_from_band = band_decision(matrix.band) != key

    recorded: list[Event] = []

    def change(t: Tracker) -> tuple[int, Any]:
        event = decisions.decide(
            t,
            broker_id,
            key,
            by,
            at,
            reason,
            total,
            band,
            email=email,
            key=signing_key,
            via=via(chosen) if chosen else None,
            slack_user=in_slack.user if in_slack else None,
            attested_by=in_slack.attester if in_slack else None,
        )
        recorded.append(event)
        return len(t.broker(broker_id).history) - 1, event

    def ahead(t: Tracker, made: tuple[int, Any]) -> dict[Path, str]:
        return outbox.pending_files(root, set_record(messages, history_record(broker_id, made[0], made[1])))

    update_tracker(root, change, files=files, changed=changed, ahead=ahead, only=[broker_id])
    if signing_key is not None:
        outcome.signed_as = email
        if approvers:
            outcome.signature_check = check_signature(root, tracker.settings, broker_id, recorded[-1], signing_key, at)
    outcome.event = recorded[-1]
    if commit and author is not None:
        where = " in Slack" if in_slack else ""
        message = f"govtool: {_DECISION_VERBS[key]} {broker_id} (by {author[0]}{where})"
        outcome.commit = Commit(commit_files(root, changed, message, author), message)
    outcome.messages, outcome.services = messages, services
    if deliver_now:
        outcome.delivery = deliver(root, services, messages, at)
    outcome.delivery.skipped.extend(skipped)
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
    return signing.verify_decision(broker_id, event, text, program=key.program, at=at, **signing.trusted_by(settings))


def outbox_messages(root: Path) -> list[tuple[str, outbox.OutboxMessage]]:
    """The messages not delivered yet, oldest first: ``(state, message)`` with state
    ``pending`` (waiting, or failed and kept) or ``inflight`` (being sent, or left by a
    process that died while sending it)."""
    found = [(state, m) for state in (outbox.INFLIGHT, outbox.PENDING) for _, m in outbox.messages(root, state)]
    return sorted(found, key=lambda item: item[1].id)


def flush_outbox(root: Path, env: Mapping[str, str], at: dt.datetime) -> DeliveryReport:
    """Deliver every message waiting in the outbox, each once (under the outbox lock)."""
    return flush(root, Services.configure(read_tracker(root).settings, env), at)
