"""Slack: Block Kit messages and their delivery through slack_sdk.

Credentials come from the environment only: ``SLACK_BOT_TOKEN`` (Web API
``chat.postMessage``; ``GOVTOOL_SLACK_API_URL`` overrides the API base URL) or
``SLACK_WEBHOOK_URL`` (incoming webhook). Connection errors and 429 responses are
retried by slack_sdk's retry handlers (bounded); what still fails raises
:class:`DeliveryError` for the caller to keep in the outbox. Text that came from
users is escaped for Slack (``&``, ``<``, ``>``), so it cannot mention
``<!channel>`` or forge links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govtool.errors import DeliveryError

MAX_RETRIES = 2
TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class SlackConfig:
    """Where and how to post: a bot token (with an optional API base URL) or a webhook URL."""

    token: str | None = None
    webhook_url: str | None = None
    api_url: str | None = None

    @property
    def configured(self) -> bool:
        return bool(self.token or self.webhook_url)

    @property
    def secrets(self) -> list[str]:
        return [s for s in (self.token, self.webhook_url) if s]

    @classmethod
    def from_env(cls, env: dict[str, str]) -> SlackConfig:
        """Read SLACK_BOT_TOKEN, SLACK_WEBHOOK_URL and GOVTOOL_SLACK_API_URL from ``env``."""
        return cls(
            token=env.get("SLACK_BOT_TOKEN") or None,
            webhook_url=env.get("SLACK_WEBHOOK_URL") or None,
            api_url=env.get("GOVTOOL_SLACK_API_URL") or None,
        )


def escape(text: Any) -> str:
    """Escape user text for Slack mrkdwn and plain text: ``&`` ``<`` ``>`` only (Slack's rule)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def message(channel: str, title: str, fields: list[tuple[str, Any]], body: str = "") -> dict[str, Any]:
    """A Block Kit message with a plain-text fallback.

    Args:
        channel: e.g. ``#broker-integrations``.
        title: the header (plain text, so nothing in it is markup).
        fields: (label, value) pairs; values are user text and are escaped.
        body: a free-text section (escaped).

    Returns:
        ``{channel, text, blocks}`` ready for chat.postMessage or a webhook.
    """
    title = title[:150]
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title}}]
    shown = [(label, value) for label, value in fields if value not in (None, "")]
    for start in range(0, len(shown), 10):  # Slack allows 10 fields per section
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)}"}
                    for label, value in shown[start : start + 10]
                ],
            }
        )
    if body:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": escape(body)[:2900]}})
    fallback = " | ".join([escape(title), *(f"{escape(label)}: {escape(value)}" for label, value in shown)])
    return {"channel": channel, "text": fallback, "blocks": blocks}


def _retry_handlers() -> list[Any]:
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

    return [
        ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES),
        RateLimitErrorRetryHandler(max_retry_count=MAX_RETRIES),
    ]


def post(config: SlackConfig, payload: dict[str, Any]) -> None:
    """Deliver one message (as built by :func:`message`).

    Raises:
        DeliveryError: not configured, or Slack refused it after the retries (the
            message names Slack's error, never the token or webhook URL).
    """
    if not config.configured:
        raise DeliveryError("Slack is not configured (set SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL)")
    try:
        if config.token:
            from slack_sdk import WebClient
            from slack_sdk.errors import SlackApiError

            client = WebClient(
                token=config.token,
                base_url=config.api_url or "https://slack.com/api/",
                timeout=TIMEOUT_SECONDS,
                retry_handlers=_retry_handlers(),
            )
            try:
                client.chat_postMessage(channel=payload["channel"], text=payload["text"], blocks=payload["blocks"])
            except SlackApiError as exc:
                error = exc.response.get("error") if exc.response is not None else None
                status = exc.response.status_code if exc.response is not None else "?"
                raise DeliveryError(f"Slack refused the message: {error or 'HTTP ' + str(status)}") from None
        else:
            from slack_sdk.webhook import WebhookClient

            hook = WebhookClient(config.webhook_url, timeout=TIMEOUT_SECONDS, retry_handlers=_retry_handlers())
            response = hook.send(text=payload["text"], blocks=payload["blocks"])
            if response.status_code != 200:
                raise DeliveryError(f"Slack webhook refused the message: HTTP {response.status_code} {response.body}")
    except DeliveryError:
        raise
    except Exception as exc:  # urllib and socket errors once the retries are spent
        reason = getattr(exc, "reason", None) or exc
        raise DeliveryError(f"Slack is unreachable: {type(exc).__name__}: {reason}") from None
