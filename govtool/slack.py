"""Slack: Block Kit messages and their delivery through slack_sdk.

Credentials come from the environment only: ``SLACK_BOT_TOKEN`` (Web API
``chat.postMessage``; ``GOVTOOL_SLACK_API_URL`` overrides the API base URL) or
``SLACK_WEBHOOK_URL`` (incoming webhook). Connection errors and 429 responses are
retried by slack_sdk's retry handlers; a 429's ``Retry-After`` is honoured while the
waits of one message add up to at most :data:`RETRY_AFTER_BOUND_SECONDS`, and past
that the message is refused at once (:class:`BoundedRateLimitRetryHandler`). What
still fails raises :class:`DeliveryError` for the caller to keep in the outbox. Each
message carries its outbox id in Slack's message ``metadata`` (``govtool_message``),
so a receiver can tell a message delivered twice. Text that came from
users is escaped for Slack (``&``, ``<``, ``>``), so it cannot mention
``<!channel>`` or forge links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govtool.errors import DeliveryError

MAX_RETRIES = 2
TIMEOUT_SECONDS = 10
#: The longest a message waits in all for Slack's Retry-After (seconds); past it, it waits in the outbox.
RETRY_AFTER_BOUND_SECONDS = 30.0
#: Retries of 429 answers within the bound.
MAX_RATE_LIMIT_RETRIES = 5
#: The ``event_type`` of the metadata that carries a message's outbox id.
METADATA_EVENT_TYPE = "govtool_message"


@dataclass(frozen=True)
class SlackConfig:
    """Where and how to post: a bot token (with an optional API base URL) or a webhook URL."""

    token: str | None = None
    webhook_url: str | None = None
    api_url: str | None = None
    #: The most one message waits in all for Retry-After (seconds).
    retry_after_bound: float = RETRY_AFTER_BOUND_SECONDS

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


def with_id(payload: dict[str, Any], message_id: str) -> dict[str, Any]:
    """The payload with its outbox id in Slack's message metadata."""
    return {**payload, "metadata": {"event_type": METADATA_EVENT_TYPE, "event_payload": {"id": message_id}}}


def retry_after_seconds(headers: Any) -> float | None:
    """The ``Retry-After`` of a response's headers in seconds, or None when absent or not a number.

    Args:
        headers: slack_sdk's headers, a mapping of name to a list of values (or a value).
    """
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            text = value[0] if isinstance(value, (list, tuple)) and value else value
            try:
                seconds = float(str(text).strip())
            except ValueError:
                return None
            return seconds if seconds >= 0 else None
    return None


def bounded_rate_limit_handler(bound: float = RETRY_AFTER_BOUND_SECONDS) -> Any:
    """A slack_sdk retry handler for 429 answers that honours ``Retry-After`` while the
    waits of one message add up to at most ``bound`` seconds, and refuses past it.

    slack_sdk's own :class:`RateLimitErrorRetryHandler` sleeps whatever the server says
    (an hour for ``Retry-After: 3600``). This one retries only when the next wait fits
    in what is left of the bound; otherwise the 429 comes back at once and the message
    waits in the outbox. ``refused`` holds the Retry-After it would not wait for.
    One handler serves one message (it counts that message's waits).
    """
    import time

    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    class BoundedRateLimitRetryHandler(RateLimitErrorRetryHandler):
        def __init__(self) -> None:
            super().__init__(max_retry_count=MAX_RATE_LIMIT_RETRIES)
            self.bound = bound
            self.waited = 0.0
            self.refused: float | None = None

        def _can_retry(self, *, state, request, response=None, error=None) -> bool:  # noqa: ANN001
            if response is None or response.status_code != 429:
                return False
            wait = retry_after_seconds(response.headers)
            wait = 1.0 if wait is None else wait
            if self.waited + wait > self.bound:
                self.refused = wait
                return False
            return True

        def prepare_for_next_attempt(self, *, state, request, response=None, error=None) -> None:  # noqa: ANN001
            wait = retry_after_seconds(response.headers if response is not None else None)
            wait = 1.0 if wait is None else wait
            state.next_attempt_requested = True
            self.waited += wait
            time.sleep(wait)
            state.increment_current_attempt()

    return BoundedRateLimitRetryHandler()


def _retry_handlers(rate_limit: Any) -> list[Any]:
    from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

    return [ConnectionErrorRetryHandler(max_retry_count=MAX_RETRIES), rate_limit]


def _rate_limited(handler: Any) -> str:
    """The error of a message refused by the rate limit handler."""
    return (
        f"Slack rate limit: Retry-After {handler.refused:g} s is past govtool's {handler.bound:g} s bound "
        f"(waited {handler.waited:g} s)"
    )


def post(config: SlackConfig, payload: dict[str, Any]) -> None:
    """Deliver one message (as built by :func:`message`, with :func:`with_id`'s metadata).

    Raises:
        DeliveryError: not configured; Slack asked to wait past
            :data:`RETRY_AFTER_BOUND_SECONDS`; or Slack refused it after the retries
            (the message names Slack's error, never the token or webhook URL).
    """
    if not config.configured:
        raise DeliveryError("Slack is not configured (set SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL)")
    rate_limit = bounded_rate_limit_handler(config.retry_after_bound)
    metadata = payload.get("metadata")
    try:
        if config.token:
            from slack_sdk import WebClient
            from slack_sdk.errors import SlackApiError

            client = WebClient(
                token=config.token,
                base_url=config.api_url or "https://slack.com/api/",
                timeout=TIMEOUT_SECONDS,
                retry_handlers=_retry_handlers(rate_limit),
            )
            try:
                client.chat_postMessage(
                    channel=payload["channel"], text=payload["text"], blocks=payload["blocks"], metadata=metadata
                )
            except SlackApiError as exc:
                if rate_limit.refused is not None:
                    raise DeliveryError(_rate_limited(rate_limit)) from None
                error = exc.response.get("error") if exc.response is not None else None
                status = exc.response.status_code if exc.response is not None else "?"
                raise DeliveryError(f"Slack refused the message: {error or 'HTTP ' + str(status)}") from None
        else:
            from slack_sdk.webhook import WebhookClient

            handlers = _retry_handlers(rate_limit)
            hook = WebhookClient(config.webhook_url, timeout=TIMEOUT_SECONDS, retry_handlers=handlers)
            response = hook.send(text=payload["text"], blocks=payload["blocks"], metadata=metadata)
            if rate_limit.refused is not None and response.status_code == 429:
                raise DeliveryError(_rate_limited(rate_limit))
            if response.status_code != 200:
                raise DeliveryError(f"Slack webhook refused the message: HTTP {response.status_code} {response.body}")
    except DeliveryError:
        raise
    except Exception as exc:  # urllib and socket errors once the retries are spent
        reason = getattr(exc, "reason", None) or exc
        raise DeliveryError(f"Slack is unreachable: {type(exc).__name__}: {reason}") from None
