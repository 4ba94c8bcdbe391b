"""Delivering messages to Slack and by SMTP, keeping what fails in the outbox.

A command first saves its tracker change, then calls :func:`deliver`; every message
that an outside service does not take goes to the outbox and is reported back, and
the command exits 3 (DESIGN.md, "Exit codes"). `govtool outbox flush` calls
:func:`flush` to resend and remove what was delivered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool import outbox, slack
from govtool.email_message import SmtpConfig, build_message, send
from govtool.errors import DeliveryError, InputError
from govtool.redaction import redact
from govtool.settings import Settings
from govtool.slack import SlackConfig

#: A message ready for one channel: ``("email", {eml, from, to})`` or ``("slack", Block Kit payload)``.
Delivery = tuple[str, dict[str, Any]]


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

    def to_eml(self, when: dt.datetime) -> str:
        """The RFC 5322 message (``.eml`` text) dated ``when``."""
        return build_message(self.sender, self.recipients, self.subject, self.body, when).as_string()

    def email_delivery(self, eml: str) -> Delivery:
        """The email delivery of this message, given its ``.eml`` text (:meth:`to_eml`)."""
        return ("email", {"eml": eml, "from": self.sender, "to": list(self.recipients)})

    def slack_delivery(self) -> Delivery:
        """The Slack delivery of this message."""
        return ("slack", self.slack)


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


@dataclass
class DeliveryReport:
    """What happened to the messages of one run.

    Attributes:
        delivered: descriptions of what went out (``slack #broker-integrations``).
        kept: ``(outbox path, redacted error)`` of what failed and waits in the outbox.
        skipped: notes such as "Slack is not configured".
    """

    delivered: list[str] = field(default_factory=list)
    kept: list[tuple[Path, str]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _attempt(services: Services, channel: str, payload: dict[str, Any]) -> None:
    if channel == "slack":
        slack.post(services.slack, payload)
    elif channel == "email":
        send(services.smtp, payload["eml"].encode("utf-8"), payload["from"], payload["to"])
    else:
        raise DeliveryError(f"unknown channel {channel!r}")


def _describe(channel: str, payload: dict[str, Any]) -> str:
    if channel == "slack":
        return f"slack {payload.get('channel')}"
    return f"email to {', '.join(payload.get('to', []))}"


def deliver(
    root: Path,
    services: Services,
    messages: list[Delivery],
    purpose: str,
    broker: str | None,
    now_iso: str,
) -> DeliveryReport:
    """Send messages; keep each failure in the outbox.

    Args:
        messages: ``(channel, payload)`` pairs; channel ``slack`` or ``email``. Slack
            messages are skipped (and noted) when Slack is not configured.
        purpose: ``notify``, ``decide``, ``report`` or ``escalate`` (kept with the message).
        now_iso: the time of the run, ISO 8601 UTC.

    Returns:
        What was delivered, kept and skipped; errors are redacted of every secret.
    """
    report = DeliveryReport()
    for channel, payload in messages:
        if channel == "slack" and not services.slack.configured:
            report.skipped.append("Slack: no SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL set; not posted")
            continue
        try:
            _attempt(services, channel, payload)
            report.delivered.append(_describe(channel, payload))
        except DeliveryError as exc:
            error = redact(str(exc), services.secrets)
            message = outbox.new_message(channel, purpose, broker, payload, error, now_iso)
            report.kept.append((outbox.put(root, message), error))
    return report


def flush(root: Path, services: Services) -> DeliveryReport:
    """Resend every message in the outbox; remove what is delivered, count attempts on the rest."""
    report = DeliveryReport()
    for path, message in outbox.pending(root):
        try:
            _attempt(services, message.channel, message.payload)
        except DeliveryError as exc:
            message.attempts += 1
            message.last_error = redact(str(exc), services.secrets)
            outbox.put(root, message)
            report.kept.append((path, message.last_error))
            continue
        path.unlink()
        report.delivered.append(f"{message.id}: {_describe(message.channel, message.payload)}")
    return report
