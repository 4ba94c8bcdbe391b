"""The PM's decision in Slack: the buttons on a notification, the reason's modal, and
what Slack's interaction payloads say (pure functions over Block Kit and JSON).

Source: seeds/pm-notification-process.md, "PM Responds with Decision": approve,
reject or on hold, a reason documented for a rejection (and, as on the command line,
for a hold).

A research-completed notification (and an escalation of it) posted with a bot token,
where ``settings.slack.approvers`` is set, carries three buttons. Each button's value
is a :class:`NotificationRef`: the broker, and the ``pm_notified`` event it answers
(its place in the history and its time), so a click on a button of an older
notification, or on one already answered, is told apart from a decision that is due
(:func:`button_state`). The action ids are :data:`ACTION_IDS`.

Everything here reads payloads that Slack signed; they are still checked field by
field (bounded JSON, a broker id, a Slack user id) and refused with ``ValueError``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.model import BROKER_ID_RE, Broker
from govtool.settings import SLACK_USER_RE
from govtool.slack import escape
from govtool.yamlio import format_timestamp

#: The buttons' action ids and the decision each records.
ACTION_IDS: dict[str, str] = {
    "govtool_decide_approved": lifecycle.APPROVED,
    "govtool_decide_on_hold": lifecycle.ON_HOLD,
    "govtool_decide_rejected": lifecycle.REJECTED,
}
#: The block id of the buttons (replaced once the decision is recorded).
ACTIONS_BLOCK_ID = "govtool_decision"
#: The modal that asks for the reason of a rejection or a hold.
REASON_CALLBACK_ID = "govtool_reason"
REASON_BLOCK_ID = "reason"
REASON_ACTION_ID = "reason_input"
#: The longest reason the modal takes (characters).
MAX_REASON_CHARS = 2000
#: The most bytes of a button value or a modal's private metadata this module reads.
MAX_VALUE_BYTES = 2000

_LABELS = {lifecycle.APPROVED: "Approve", lifecycle.ON_HOLD: "On hold", lifecycle.REJECTED: "Reject"}
_STYLES = {lifecycle.APPROVED: "primary", lifecycle.REJECTED: "danger"}
_STAMP_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")

#: What :func:`button_state` says of a click.
OPEN = "open"
DECIDED = "decided"
STALE = "stale"


class NotificationRef(NamedTuple):
    """The notification a button answers: the broker, and its ``pm_notified`` event.

    Attributes:
        broker: the broker id.
        index: the event's place in the broker's history (0-based).
        at: the event's time, ``2026-01-17T09:30:00Z``.
    """

    broker: str
    index: int
    at: str

    def to_value(self) -> str:
        """The button's value: compact JSON ``{"b": broker, "n": index, "at": time}``."""
        return json.dumps({"b": self.broker, "n": self.index, "at": self.at}, separators=(",", ":"))

    @classmethod
    def from_value(cls, text: Any) -> NotificationRef:
        """Read a button's value (:meth:`to_value`).

        Raises:
            ValueError: not a value govtool wrote.
        """
        data = _small_json(text, "the button's value")
        broker, index, at = data.get("b"), data.get("n"), data.get("at")
        if not (isinstance(broker, str) and BROKER_ID_RE.match(broker)):
            raise ValueError("the button names no broker")
        if not (isinstance(index, int) and not isinstance(index, bool) and 0 <= index < 100_000):
            raise ValueError("the button names no notification")
        if not (isinstance(at, str) and _STAMP_RE.match(at)):
            raise ValueError("the button names no notification time")
        return cls(broker, index, at)


def _small_json(text: Any, what: str) -> dict[str, Any]:
    if not isinstance(text, str) or len(text.encode()) > MAX_VALUE_BYTES:
        raise ValueError(f"{what} is not govtool's")
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError(f"{what} is not govtool's") from None
    if not isinstance(data, dict):
        raise ValueError(f"{what} is not govtool's")
    return data


def notification_ref(broker: Broker) -> NotificationRef | None:
    """The research-completed notification a decision on ``broker`` would answer now, or None."""
    found = lifecycle.last_research_notification(broker.history)
    if found is None:
        return None
    index, event = found
    return NotificationRef(broker.id, index, format_timestamp(event.at))


def decision_buttons(ref: NotificationRef) -> dict[str, Any]:
    """The actions block of Approve, On hold and Reject for one notification."""
    elements = []
    for action_id, decision in ACTION_IDS.items():
        button: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "text": {"type": "plain_text", "text": _LABELS[decision]},
            "value": ref.to_value(),
        }
        if decision in _STYLES:
            button["style"] = _STYLES[decision]
        elements.append(button)
    return {"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": elements}


def with_decision_buttons(payload: dict[str, Any], ref: NotificationRef) -> dict[str, Any]:
    """A Block Kit message (:func:`govtool.slack.message`) with the decision buttons added."""
    blocks = [b for b in payload.get("blocks", []) if b.get("block_id") != ACTIONS_BLOCK_ID]
    return {**payload, "blocks": [*blocks, decision_buttons(ref)]}


def button_state(broker: Broker, ref: NotificationRef) -> tuple[str, Any]:
    """Whether a button may still record a decision.

    Returns:
        ``(OPEN, None)``: the notification is the last one and no decision answered it;
        ``(DECIDED, event)``: the decision that answered it; ``(STALE, event)``: the PM
        was notified again since (the newer ``pm_notified`` event), or the
        notification is not in the history (None).
    """
    history = broker.history
    here = history[ref.index] if ref.index < len(history) else None
    if here is None or here.event != "pm_notified" or format_timestamp(here.at) != ref.at:
        return STALE, None
    for event in history[ref.index + 1 :]:
        if event.event == "decision":
            return DECIDED, event
    latest = lifecycle.last_research_notification(history)
    if latest is not None and latest[0] != ref.index:
        return STALE, latest[1]
    return OPEN, None


def decided_text(decision: str, by: str, at: dt.datetime, reason: str | None = None) -> str:
    """``Approved by jane@example.com, 2026-01-20 14:02 UTC`` (``: reason`` where there is one)."""
    label = lifecycle.STATUS_LABELS[decision]
    text = f"{label} by {by}, {at.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
    return f"{text}: {reason}" if reason else text


def decided_blocks(blocks: Any, text: str) -> list[dict[str, Any]]:
    """A message's blocks with the buttons replaced by who decided what and when.

    Args:
        blocks: the message's blocks as Slack sent them back (anything not a list of
            blocks is dropped).
        text: :func:`decided_text` (user text in it is escaped here).
    """
    kept = [b for b in blocks if isinstance(b, dict) and b.get("type") != "actions"] if isinstance(blocks, list) else []
    return [*kept, {"type": "section", "text": {"type": "mrkdwn", "text": f":ballot_box_with_check: {escape(text)}"}}]


class Click(NamedTuple):
    """A click on a decision button, as Slack's ``block_actions`` payload says it.

    Attributes:
        user: the Slack user id; decision: what the button records; ref: the notification.
        channel, message_ts: where the message is (to update it); response_url: where
            to answer (ephemerally); trigger_id: for the reason's modal; blocks: the
            message's blocks.
        profile_email: the email of the user's Slack profile, as Slack's ``users.info``
            gives it (the payload carries none: `govtool serve` looks it up); None when
            not looked up or not readable.
    """

    user: str
    decision: str
    ref: NotificationRef
    channel: str | None
    message_ts: str | None
    response_url: str | None
    trigger_id: str | None
    blocks: list[Any]
    profile_email: str | None = None


def _user(body: dict[str, Any]) -> str:
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else None
    if not (isinstance(user_id, str) and SLACK_USER_RE.match(user_id)):
        raise ValueError("the payload names no Slack user")
    return user_id


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value and len(value) < MAX_VALUE_BYTES else None


def parse_click(body: Any) -> Click:
    """Read a ``block_actions`` payload of a decision button.

    Raises:
        ValueError: not a click on one of govtool's decision buttons.
    """
    if not isinstance(body, dict):
        raise ValueError("not a Slack interaction")
    actions = body.get("actions")
    action = actions[0] if isinstance(actions, list) and actions and isinstance(actions[0], dict) else {}
    decision = ACTION_IDS.get(action.get("action_id"))  # type: ignore[arg-type]
    if decision is None:
        raise ValueError("not one of govtool's decision buttons")
    ref = NotificationRef.from_value(action.get("value"))
    container = body.get("container") if isinstance(body.get("container"), dict) else {}
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    blocks = message.get("blocks") if isinstance(message.get("blocks"), list) else []
    return Click(
        _user(body),
        decision,
        ref,
        _text_or_none(container.get("channel_id") or channel.get("id")),
        _text_or_none(container.get("message_ts") or message.get("ts")),
        _text_or_none(body.get("response_url")),
        _text_or_none(body.get("trigger_id")),
        blocks,
    )


def reason_modal(click: Click, broker_name: str, token: str) -> dict[str, Any]:
    """The modal that asks for the reason of a rejection or a hold.

    Args:
        click: the click that opened it (its decision, notification and message are
            kept in the modal's private metadata).
        broker_name: shown in the modal's text.
        token: an opaque key under which the server keeps the message's blocks.
    """
    label = lifecycle.STATUS_LABELS[click.decision]
    verb = "Reject" if click.decision == lifecycle.REJECTED else "Put on hold"
    metadata = {
        "d": click.decision,
        "ref": click.ref.to_value(),
        "c": click.channel,
        "ts": click.message_ts,
        "r": click.response_url,
        "k": token,
    }
    return {
        "type": "modal",
        "callback_id": REASON_CALLBACK_ID,
        "private_metadata": json.dumps(metadata, separators=(",", ":")),
        "title": {"type": "plain_text", "text": label[:24]},
        "submit": {"type": "plain_text", "text": verb[:24]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"{verb} *{escape(broker_name)}*: the reason is recorded with it."},
            },
            {
                "type": "input",
                "block_id": REASON_BLOCK_ID,
                "label": {"type": "plain_text", "text": "Reason"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": REASON_ACTION_ID,
                    "multiline": True,
                    "max_length": MAX_REASON_CHARS,
                },
            },
        ],
    }


class Submission(NamedTuple):
    """The reason's modal submitted (``view_submission``).

    Attributes:
        click: the click it completes (user: who submitted; trigger_id: None).
        reason: the reason typed, stripped ("" when none).
        token: the key of the message's blocks kept by the server.
    """

    click: Click
    reason: str
    token: str | None


def parse_submission(body: Any) -> Submission:
    """Read a ``view_submission`` payload of the reason's modal.

    Raises:
        ValueError: not govtool's modal, or its metadata does not read.
    """
    view = body.get("view") if isinstance(body, dict) else None
    if not isinstance(view, dict) or view.get("callback_id") != REASON_CALLBACK_ID:
        raise ValueError("not govtool's reason modal")
    meta = _small_json(view.get("private_metadata"), "the modal's metadata")
    decision = meta.get("d")
    if decision not in (lifecycle.REJECTED, lifecycle.ON_HOLD):
        raise ValueError("the modal names no decision that takes a reason")
    ref = NotificationRef.from_value(meta.get("ref"))
    values = (view.get("state") or {}).get("values") if isinstance(view.get("state"), dict) else None
    block = values.get(REASON_BLOCK_ID) if isinstance(values, dict) else None
    field = block.get(REASON_ACTION_ID) if isinstance(block, dict) else None
    typed = field.get("value") if isinstance(field, dict) else None
    reason = typed.strip() if isinstance(typed, str) else ""
    click = Click(
        _user(body),
        decision,
        ref,
        _text_or_none(meta.get("c")),
        _text_or_none(meta.get("ts")),
        _text_or_none(meta.get("r")),
        None,
        [],
    )
    return Submission(click, reason[: MAX_REASON_CHARS + 1], _text_or_none(meta.get("k")))


#: The bot scopes `govtool serve` and `govtool notify` need: post messages (and update
#: them), post in a public channel the bot has not joined, answer ephemerally.
#: The bot's scopes: post and update messages, and read a user's profile email (``users.info``),
#: which must be the email settings.slack.approvers gives that user.
BOT_SCOPES = ("chat:write", "chat:write.public", "users:read", "users:read.email")


def app_manifest(request_url: str, name: str = "govtool") -> dict[str, Any]:
    """The Slack app manifest of `govtool serve` (paste it into api.slack.com/apps).

    Args:
        request_url: where Slack sends interactions: ``https://HOST/slack/events``.
        name: the app's and its bot user's display name.
    """
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Broker integration decisions: the PM approves, rejects or holds from the notification.",
        },
        "features": {"bot_user": {"display_name": name, "always_online": True}},
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "interactivity": {"is_enabled": True, "request_url": request_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }


def offers_buttons(slack_approvers: dict[str, str], bot_token: str | None) -> bool:
    """Whether a notification carries the decision buttons: posted with a bot token (a
    webhook's message cannot be updated) where ``settings.slack.approvers`` names who may click."""
    return bool(bot_token and slack_approvers)


def add_decision_buttons(messages: list[Any], ref: NotificationRef) -> None:
    """Add the buttons to the Slack messages among outbox messages (in place)."""
    for message in messages:
        if message.channel == "slack":
            message.payload = with_decision_buttons(message.payload, ref)
