"""Email: RFC 5322 messages (``email.message.EmailMessage``) and SMTP delivery.

SMTP host and port come from the settings (``settings.email.smtp_host``/``smtp_port``),
overridden by ``GOVTOOL_SMTP_HOST`` and ``GOVTOOL_SMTP_PORT``; STARTTLS is used
whenever the server offers it; credentials come from ``GOVTOOL_SMTP_USER`` and
``GOVTOOL_SMTP_PASSWORD`` and are never sent over a connection without TLS
(DESIGN.md, "Outside services").
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import format_datetime

from govtool.errors import DeliveryError
from govtool.redaction import redact, smtp_auth_forms
from govtool.settings import EmailSettings

TIMEOUT_SECONDS = 20


@dataclass(frozen=True)
class SmtpConfig:
    """Where to send mail and with which credentials (from settings and the environment)."""

    host: str | None
    port: int
    user: str | None = None
    password: str | None = None

    @property
    def configured(self) -> bool:
        """True when a server is named (``settings.email.smtp_host`` or ``GOVTOOL_SMTP_HOST``)."""
        return bool(self.host)

    @property
    def secrets(self) -> list[str]:
        """The password and the base64 forms of it that SMTP authentication sends."""
        return [self.password, *smtp_auth_forms(self.user or "", self.password)] if self.password else []

    @classmethod
    def from_settings(cls, email: EmailSettings, env: dict[str, str]) -> SmtpConfig:
        """Settings' smtp_host/smtp_port, overridden by GOVTOOL_SMTP_HOST/PORT; credentials from env.

        The host is None when neither names one: no mail is sent (:attr:`configured`).

        Args:
            email: ``tracker.settings.email``.
            env: the environment (read by the command layer and passed in).

        Raises:
            ValueError: GOVTOOL_SMTP_PORT is not a port number.
        """
        port_text = env.get("GOVTOOL_SMTP_PORT")
        port = int(port_text) if port_text else int(email.smtp_port)
        return cls(
            host=env.get("GOVTOOL_SMTP_HOST") or email.smtp_host or None,
            port=port,
            user=env.get("GOVTOOL_SMTP_USER") or None,
            password=env.get("GOVTOOL_SMTP_PASSWORD") or None,
        )


#: Headers are not folded below RFC 5322's 998-character limit: when CPython's folder
#: splits a non-ASCII subject into two encoded words at a space, the space is lost on
#: decoding ("Zürich — 東京" arrives as "Zürich— 東京"); a property test pins this.
_POLICY = email_policy.default.clone(max_line_length=998)


def build_message(
    sender: str,
    recipients: list[str],
    subject: str,
    body: str,
    when: dt.datetime,
    domain: str = "govtool.local",
    message_id: str | None = None,
) -> EmailMessage:
    """An RFC 5322 message.

    Args:
        sender: the From address; recipients: the To addresses.
        subject: one line (newlines are folded away).
        body: plain text (UTF-8).
        when: the Date header.
        message_id: the left part of the Message-ID (the outbox id of the message, so
            a receiver can tell a message delivered twice); a random one when None.
    """
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = " ".join(subject.split())
    message["Date"] = format_datetime(when)
    local = message_id or f"{when.strftime('%Y%m%d%H%M%S')}.{secrets.token_hex(8)}"
    message["Message-ID"] = f"<{local}@{domain}>"
    message.set_content(body)
    return message


def send(
    config: SmtpConfig,
    raw_message: bytes,
    sender: str,
    recipients: list[str],
    on_accepted: Callable[[], None] | None = None,
) -> None:
    """Send one message by SMTP.

    Args:
        on_accepted: called the moment the server has accepted the message (its reply
            to the end of DATA), before the connection is closed: the outbox marks the
            message sent there, so a crash can resend it only inside that instant.
            A failure after that point (QUIT) is ignored: the message is delivered.

    Raises:
        DeliveryError: no server configured, the server is unreachable or refused the
            message, or credentials are set and the server offers no STARTTLS (they are
            not sent).
    """
    import smtplib
    import ssl

    if not config.configured:
        raise DeliveryError("SMTP is not configured (set settings.email.smtp_host or GOVTOOL_SMTP_HOST)")
    accepted = False
    try:
        with smtplib.SMTP(config.host, config.port, timeout=TIMEOUT_SECONDS) as smtp:
            smtp.ehlo()
            tls = False
            if smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                tls = True
            if config.user and config.password:
                if not tls:
                    raise DeliveryError(
                        f"SMTP server {config.host}:{config.port} offers no STARTTLS; "
                        "credentials are never sent without TLS"
                    )
                smtp.login(config.user, config.password)
            wire = raw_message.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # RFC 5321 line ends
            smtp.sendmail(sender, recipients, wire)
            accepted = True
            if on_accepted is not None:
                on_accepted()
    except DeliveryError:
        raise
    except (OSError, smtplib.SMTPException) as exc:
        if accepted:
            return  # closing the connection failed; the message was taken
        text = redact(str(exc), config.secrets)
        raise DeliveryError(f"SMTP {config.host}:{config.port}: {type(exc).__name__}: {text}") from None
