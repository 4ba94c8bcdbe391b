"""Delivering the messages of the process: recorded with their delivery, never without it.

The rule (DESIGN.md, "Delivery and trust"): a command writes its record (the history
event, or the weekly report's ledger) and one outbox entry per channel together,
under the tracker lock, before anything is sent (``update_tracker``'s ``ahead``
files, written before the tracker). Only then does :func:`deliver` send, under the
outbox lock, claiming each message by an atomic rename out of ``pending/`` and
moving it to ``sent/`` the instant the service has taken it. So a crash at any
moment leaves either nothing recorded (entries written ahead of a record that never
came are set aside in ``void/`` and never sent), or the record with its message
waiting in ``pending/`` (or ``inflight/``), which the next delivering command or
`govtool outbox flush` sends.

Guarantee: every recorded message is delivered once, by its id; the one exception is
a process killed between the service taking a message and the rename into
``sent/`` (the reply to the end of SMTP's DATA, or Slack's HTTP reply, and one
``rename``): that message is sent again by the next delivery (at least once;
neither SMTP nor Slack lets a client make it exactly once). Receivers can tell such
a duplicate by its id: the email's Message-ID, the Slack message's metadata.

Channels (:func:`choose_channels`): email where an SMTP host is configured, Slack
where a credential is set, unless a flag opts out; with none, nothing is recorded
(:class:`NoChannel`), unless the message was sent by hand (``by_hand``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from govtool import outbox, slack
from govtool.email_message import SmtpConfig, build_message, send
from govtool.errors import DeliveryError, InputError
from govtool.lifecycle import BY_HAND, EMAIL, SLACK
from govtool.model import Tracker
from govtool.outbox import OutboxMessage
from govtool.redaction import redact
from govtool.settings import Settings
from govtool.slack import SlackConfig

#: A message ready for one channel: ``("email", {eml, from, to})`` or ``("slack", Block Kit payload)``.
Delivery = tuple[str, dict[str, Any]]


def utc_stamp(when: dt.datetime) -> str:
    """``2026-01-17T09:30:00Z``: a time as the outbox and the records write it."""
    return when.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class OutgoingMessage:
    """One message of the process to people, for email and Slack alike: a PM
    notification, an escalation, a decision's announcement, the weekly report.

    Attributes:
        subject: the email subject (and the Slack header).
        body: the plain-text email body.
        sender: From; recipients: To.
        slack: the Block Kit payload for the configured channel (see :func:`govtool.slack.message`).
    """

    subject: str
    body: str
    sender: str
    recipients: list[str]
    slack: dict[str, Any]

    def to_eml(self, when: dt.datetime, message_id: str | None = None) -> str:
        """The RFC 5322 message (``.eml`` text) dated ``when``; its Message-ID carries
        ``message_id`` (the outbox id) when given."""
        message = build_message(self.sender, self.recipients, self.subject, self.body, when, message_id=message_id)
        return message.as_string()

    def for_channels(
        self,
        channels: list[str],
        purpose: str,
        broker: str | None,
        when: dt.datetime,
        record: dict[str, Any] | None = None,
    ) -> list[OutboxMessage]:
        """One outbox entry per channel (``email``, ``slack``), each with its own id.

        Args:
            channels: from :func:`choose_channels` (``by_hand`` makes no entry).
            purpose: ``notify``, ``decide``, ``report`` or ``escalate``.
            broker: the broker id, or None.
            when: the time of the run.
            record: where the message is recorded (see :class:`govtool.outbox.OutboxMessage`);
                set it later (:func:`set_record`) when the record is made under the lock.
        """
        stamp = utc_stamp(when)
        out = []
        for channel in channels:
            if channel not in (EMAIL, SLACK):
                continue
            message_id = outbox.new_id(stamp, purpose, broker, channel)
            if channel == EMAIL:
                payload = {"eml": self.to_eml(when, message_id), "from": self.sender, "to": list(self.recipients)}
            else:
                payload = slack.with_id(self.slack, message_id)
            out.append(OutboxMessage(message_id, stamp, channel, purpose, broker, payload, record))
        return out

    def email_eml(self, messages: list[OutboxMessage], when: dt.datetime) -> str:
        """The ``.eml`` text of this message as sent: the email entry's among ``messages``,
        or (no email channel) the message as it would be mailed."""
        for message in messages:
            if message.channel == EMAIL:
                return str(message.payload["eml"])
        return self.to_eml(when)


def history_record(broker: str, index: int, event: Any) -> dict[str, Any]:
    """The record of a message that a history event holds: ``{file, broker, index, event, at}``.

    Args:
        broker: the broker id; index: the event's place in the history; event: the
            :class:`~govtool.model.Event`.
    """
    return {"file": "tracker", "broker": broker, "index": index, "event": event.event, "at": utc_stamp(event.at)}


def set_record(messages: list[OutboxMessage], record: dict[str, Any]) -> list[OutboxMessage]:
    """Point each message at its record (made under the lock); returns them."""
    for message in messages:
        message.record = dict(record, channel=message.channel) if record.get("file") == "ledger" else dict(record)
    return messages


class ChannelRequest(NamedTuple):
    """What a command's flags ask of the channels.

    Attributes:
        email, slack: True (required: an error when not configured), False (opted
            out), None (the default: used when configured).
        by_hand: the message was sent by hand: record it as such, send nothing.
    """

    email: bool | None = None
    slack: bool | None = None
    by_hand: bool = False


class NoChannel(InputError):
    """No channel to deliver by, and not sent by hand: nothing is recorded (exit 2).

    Attributes:
        text: the message that was not sent, for the command to print.
    """

    def __init__(self, message: str, text: str) -> None:
        super().__init__(
            message,
            hint="configure a channel, or send the message printed above yourself and run again with --sent-by-hand",
        )
        self.text = text


@dataclass
class Services:
    """The outside services of one run, configured from settings and the environment."""

    slack: SlackConfig
    smtp: SmtpConfig

    @property
    def secrets(self) -> list[str]:
        return [*self.slack.secrets, *self.smtp.secrets]

    @classmethod
    def configure(cls, settings: Settings, env: Mapping[str, str]) -> Services:
        """The services of a repo's settings and an environment (credentials, overrides).

        Raises:
            InputError: GOVTOOL_SMTP_PORT is not a port number.
        """
        try:
            smtp = SmtpConfig.from_settings(settings.email, dict(env))
        except ValueError:
            raise InputError(f"GOVTOOL_SMTP_PORT: not a port number (got {env.get('GOVTOOL_SMTP_PORT')!r})") from None
        return cls(slack=SlackConfig.from_env(dict(env)), smtp=smtp)


_HOW_TO_CONFIGURE = {
    EMAIL: "set settings.email.smtp_host in tracker.yaml (or GOVTOOL_SMTP_HOST)",
    SLACK: "set SLACK_BOT_TOKEN (or SLACK_WEBHOOK_URL)",
}


def choose_channels(services: Services, request: ChannelRequest, text: str) -> list[str]:
    """The channels a message goes to: each configured one the flags do not turn off.

    Args:
        services: what is configured.
        request: the flags.
        text: the message, kept in :class:`NoChannel` for the command to print.

    Returns:
        ``["email", "slack"]``, a part of it, or ``["by_hand"]`` (send nothing, record
        that it was sent by hand).

    Raises:
        InputError: a channel asked for explicitly is not configured, or
            ``--sent-by-hand`` together with an explicit channel.
        NoChannel: no channel left and not sent by hand (nothing may be recorded).
    """
    configured = {EMAIL: services.smtp.configured, SLACK: services.slack.configured}
    wanted = {EMAIL: request.email, SLACK: request.slack}
    if request.by_hand:
        explicit = [f"--{name}" for name, flag in wanted.items() if flag]
        if explicit:
            raise InputError(
                f"--sent-by-hand: govtool sends nothing then; drop {' and '.join(explicit)}",
                hint="--sent-by-hand records that you sent the message yourself",
            )
        return [BY_HAND]
    channels = []
    for name in (EMAIL, SLACK):
        if wanted[name] and not configured[name]:
            raise InputError(f"--{name}: {name} is not configured", hint=_HOW_TO_CONFIGURE[name])
        if wanted[name] or (wanted[name] is None and configured[name]):
            channels.append(name)
    if not channels:
        off = [f"--no-{name}" for name, flag in wanted.items() if flag is False and configured[name]]
        why = (
            f"every configured channel is turned off ({', '.join(off)})"
            if off
            else f"no channel is configured: for email {_HOW_TO_CONFIGURE[EMAIL]}; for Slack {_HOW_TO_CONFIGURE[SLACK]}"
        )
        raise NoChannel(f"nothing was sent or recorded: {why}", text)
    return channels


def via(channels: list[str]) -> str:
    """How a message went, as the record writes it: ``email, slack`` or ``by_hand``."""
    return ", ".join(channels)


@dataclass
class DeliveryReport:
    """What happened to the messages of one run.

    Attributes:
        delivered: descriptions of what went out (``slack #broker-integrations``).
        kept: ``(outbox path, redacted error)`` of what failed and waits in the outbox.
        skipped: notes on what was not sent and why.
        voided: ids of messages set aside because their record was never written.
    """

    delivered: list[str] = field(default_factory=list)
    kept: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    voided: list[str] = field(default_factory=list)


def _attempt(services: Services, channel: str, payload: dict[str, Any], accepted: Callable[[], None]) -> None:
    """Send one payload; ``accepted`` is called the moment the service has taken it."""
    if channel == SLACK:
        slack.post(services.slack, payload)
        accepted()
    elif channel == EMAIL:
        send(services.smtp, payload["eml"].encode("utf-8"), payload["from"], payload["to"], on_accepted=accepted)
    else:
        raise DeliveryError(f"unknown channel {channel!r}")


def describe(message: OutboxMessage) -> str:
    """``email to pm@example.com`` or ``slack #broker-integrations``."""
    if message.channel == SLACK:
        return f"slack {message.payload.get('channel')}"
    return f"email to {', '.join(message.payload.get('to', []))}"


def is_recorded(root: Path, record: dict[str, Any] | None, tracker: Tracker | None) -> bool:
    """Whether a message's record exists (read under the tracker lock).

    Args:
        record: the message's :attr:`~govtool.outbox.OutboxMessage.record`; None (a
            message of an older version) counts as recorded.
        tracker: the tracker as it is on disk, or None when it does not read.

    Returns:
        True for an event at the recorded place of the history (or, after a history
        was rewritten, anywhere in it with the same type and time), or a time in the
        ledger for the week and channel equal to the message's.
    """
    if record is None:
        return True
    if record.get("file") == "tracker":
        if tracker is None or record.get("broker") not in tracker.brokers:
            return False
        history = tracker.brokers[record["broker"]].history
        index = record.get("index")

        def matches(event: Any) -> bool:
            return event.event == record.get("event") and utc_stamp(event.at) == record.get("at")

        if isinstance(index, int) and 0 <= index < len(history) and matches(history[index]):
            return True
        return any(matches(event) for event in history)
    if record.get("file") == "ledger":
        from govtool.weekly_report import delivery_times, read_deliveries

        try:
            ledger = read_deliveries(root)
        except InputError:
            return False
        week = ledger.get(record.get("week"))
        return isinstance(week, dict) and record.get("at") in delivery_times(week.get(record.get("channel")))
    return False


def _recover_unclaimed(root: Path, candidates: list[tuple[Path, OutboxMessage]], report: DeliveryReport) -> list:
    """Of the messages written ahead by other runs and never attempted, those whose
    record exists; the others (a run that died before its record) go to ``void/``.

    The tracker lock is taken while checking, so a run between its two writes finishes first.
    """
    if not candidates:
        return []
    from govtool.storage import read_tracker, tracker_lock

    keep = []
    brokers = {str(m.record.get("broker")) for _, m in candidates if m.record and m.record.get("file") == "tracker"}
    with tracker_lock(root):
        try:
            tracker = read_tracker(root, only=sorted(brokers)) if brokers else None
        except InputError:
            tracker = None
        for path, message in candidates:
            if not path.exists():
                continue
            if is_recorded(root, message.record, tracker):
                keep.append((path, message))
            else:
                outbox.void(root, message, path, "never recorded (the command stopped before writing its record)")
                report.voided.append(message.id)
    return keep


def deliver(
    root: Path, services: Services, own: list[OutboxMessage], at: dt.datetime, everything: bool = False
) -> DeliveryReport:
    """Send what waits in the outbox, each message once, under the outbox lock.

    Sends the run's own messages (``own``, already written to ``pending/`` with their
    record), every message an earlier run left behind (never attempted, or claimed
    by a run that died: ``inflight/``), and, with ``everything``, also the messages
    whose delivery failed before (`govtool outbox flush`).

    Args:
        root: the governance root.
        services: the configured services.
        own: this run's messages.
        at: now (the time written as ``delivered_at``).
        everything: retry the failed messages too.

    Returns:
        What was delivered, kept (with redacted errors) and set aside. When another
        process holds the lock for :data:`govtool.outbox.LOCK_TIMEOUT_SECONDS`,
        this run's messages are reported kept: they wait in ``pending/``.
    """
    report = DeliveryReport()
    own_ids = {m.id for m in own}
    stamp = utc_stamp(at)
    with outbox.delivery_lock(root) as held:
        if not held:
            for message in own:
                path = outbox.path_of(root, outbox.PENDING, message.id)
                report.kept.append((path, "another govtool command held the outbox lock; it waits in the outbox"))
            return report
        batch: list[tuple[str, Path, OutboxMessage]] = []
        for path, message in outbox.messages(root, outbox.INFLIGHT):  # their process died mid-delivery
            if any(outbox.path_of(root, state, message.id).exists() for state in (outbox.SENT, outbox.PENDING)):
                path.unlink(missing_ok=True)  # it was sent, or its failure was kept: the claim is stale
                continue
            batch.append((outbox.INFLIGHT, path, message))
        unclaimed = []
        for path, message in outbox.pending(root):
            if message.id in own_ids or (everything and message.attempts > 0):
                batch.append((outbox.PENDING, path, message))  # this run's, or failed before: recorded
            elif message.attempts == 0 and message.record is None:
                batch.append((outbox.PENDING, path, message))  # kept by an older govtool: recorded
            elif message.attempts == 0:
                unclaimed.append((path, message))  # written ahead by another run: recorded, or not yet?
        batch += [(outbox.PENDING, p, m) for p, m in _recover_unclaimed(root, unclaimed, report)]
        batch.sort(key=lambda item: item[2].id)
        for state, path, message in batch:
            _deliver_one(root, services, state, path, message, stamp, message.id not in own_ids, report)
        for message in own:  # taken by another run before this one held the lock
            where = outbox.find(root, message.id)
            if where and where[0] == outbox.SENT and message.id not in {m.id for _, _, m in batch}:
                report.delivered.append(f"{describe(message)} (delivered by another govtool run)")
    return report


def _deliver_one(
    root: Path,
    services: Services,
    state: str,
    path: Path,
    message: OutboxMessage,
    stamp: str,
    left_behind: bool,
    report: DeliveryReport,
) -> None:
    """Claim one message, send it, and move it to ``sent/`` (or back to ``pending/``)."""
    inflight = outbox.claim(root, message, path) if state == outbox.PENDING else path
    if inflight is None:
        return
    sent: list[Path] = []

    def accepted() -> None:
        sent.append(outbox.mark_sent(root, message, inflight, stamp))

    suffix = " (left by an earlier run)" if left_behind and message.attempts == 0 else ""
    try:
        _attempt(services, message.channel, message.payload, accepted)
    except DeliveryError as exc:
        if sent:
            report.delivered.append(f"{message.id}: {describe(message)}{suffix}")
            return
        error = redact(str(exc), services.secrets)
        report.kept.append((outbox.release(root, message, inflight, error), error))
        return
    report.delivered.append(f"{message.id}: {describe(message)}{suffix}")


def flush(root: Path, services: Services, at: dt.datetime) -> DeliveryReport:
    """`govtool outbox flush`: send every message waiting in the outbox, failed ones included."""
    return deliver(root, services, [], at, everything=True)
