"""The outbox: messages an outside service did not take, kept until `govtool outbox flush`.

One JSON file per message under ``.govtool/outbox/`` (DESIGN.md, "Outside services"):
``{id, created_at, channel: "slack"|"email", purpose, broker, payload, attempts,
last_error}``. Payloads hold what is needed to resend (the Slack channel, text and
blocks; the RFC 5322 message and its recipients) and never a token or password:
errors are redacted before they are stored.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from govtool.errors import InputError
from govtool.inputs import inside_root, read_text
from govtool.storage import STATE_DIR, atomic_write
from govtool.yamlio import load_json

OUTBOX_DIR = f"{STATE_DIR}/outbox"


@dataclass
class OutboxMessage:
    """A message waiting to be delivered.

    Attributes:
        id: unique, sortable by creation (``20260117T090000-slack-3f2a``).
        created_at: ISO 8601 UTC.
        channel: ``slack`` or ``email``.
        purpose: what sent it (``notify``, ``decide``, ``report``, ``escalate``).
        broker: the broker id, or None.
        payload: what the channel needs to resend it.
        attempts: delivery attempts so far; last_error: the last failure, redacted.
    """

    id: str
    created_at: str
    channel: str
    purpose: str
    broker: str | None
    payload: dict[str, Any]
    attempts: int = 1
    last_error: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def outbox_dir(root: Path) -> Path:
    """The outbox directory of a governance root.

    Raises:
        InputError: it is a link out of the root (a pull request can commit one).
    """
    return inside_root(root, OUTBOX_DIR, OUTBOX_DIR)


def put(root: Path, message: OutboxMessage) -> Path:
    """Write a message to the outbox (atomically); returns its path."""
    path = outbox_dir(root) / f"{message.id}.json"
    atomic_write(root, path, json.dumps(asdict(message), indent=2, ensure_ascii=False) + "\n")
    return path


def new_message(
    channel: str, purpose: str, broker: str | None, payload: dict[str, Any], error: str, now_iso: str
) -> OutboxMessage:
    """A new outbox message for a delivery that just failed."""
    stamp = now_iso.replace("-", "").replace(":", "").replace("Z", "")
    return OutboxMessage(
        id=f"{stamp}-{channel}-{secrets.token_hex(3)}",
        created_at=now_iso,
        channel=channel,
        purpose=purpose,
        broker=broker,
        payload=payload,
        last_error=error,
    )


def pending(root: Path) -> list[tuple[Path, OutboxMessage]]:
    """Every message waiting in the outbox, oldest first.

    Raises:
        InputError: a file in the outbox is not a readable message.
    """
    directory = outbox_dir(root)
    if not directory.is_dir():
        return []
    out = []
    for path in sorted(directory.glob("*.json")):
        try:
            data = load_json(read_text(path, path.name), path.name)
            out.append((path, OutboxMessage(**data)))
        except InputError as exc:
            raise InputError(
                f"{path}: not an outbox message: {exc.message}", hint="move it away and run again"
            ) from None
        except (OSError, TypeError) as exc:
            raise InputError(f"{path}: not an outbox message: {exc}", hint="move it away and run again") from None
    return out
