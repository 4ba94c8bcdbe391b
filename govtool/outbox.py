"""The outbox: every message govtool delivers, written before it is sent.

One JSON file per message and channel under ``.govtool/outbox/`` (DESIGN.md,
"Delivery and trust"), in the directory that says where it stands:

- ``pending/``: recorded, not delivered yet: written together with the record (the
  history event, or the weekly report's ledger) under the tracker lock, before
  anything is sent; a delivery that failed goes back here with its error;
- ``inflight/``: claimed by the one process delivering it (an atomic rename out of
  ``pending/``, under the outbox lock);
- ``sent/``: delivered; nothing else is ever written here;
- ``void/``: written ahead by a command that crashed before its record was
  written: never recorded, so never sent (kept for a person to look at).

A message is ``{id, created_at, channel: "email"|"slack", purpose, broker, payload,
record, attempts, last_error, delivered_at}``. Payloads hold what is needed to send
it (the RFC 5322 message and its recipients; the Slack channel, text and blocks) and
never a token or password: errors are redacted before they are stored. ``record``
says where the message is recorded, so a message whose record was never written is
never sent (:func:`govtool.delivery.is_recorded`).
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from govtool.errors import InputError
from govtool.inputs import inside_root, read_text
from govtool.storage import STATE_DIR, atomic_write, lock_path
from govtool.yamlio import load_json

OUTBOX_DIR = f"{STATE_DIR}/outbox"
PENDING = "pending"
INFLIGHT = "inflight"
SENT = "sent"
VOID = "void"
LOCK_NAME = "outbox.lock"
#: How long a command waits for another one that is delivering (seconds).
LOCK_TIMEOUT_SECONDS = 90


@dataclass
class OutboxMessage:
    """One message for one channel.

    Attributes:
        id: unique, sortable by creation (``20260117T090000Z-notify-acme-email-3f2a1b``);
            it is also the message's identity at the receiver (the email's Message-ID,
            the Slack message's metadata).
        created_at: ISO 8601 UTC.
        channel: ``email`` or ``slack``.
        purpose: what sent it (``notify``, ``decide``, ``report``, ``escalate``).
        broker: the broker id, or None.
        payload: what the channel needs to send it.
        record: where it is recorded: ``{"file": "tracker", "broker", "index",
            "event", "at"}`` (a history event) or ``{"file": "ledger", "week",
            "channel", "at"}`` (the weekly report's ledger); None for messages of
            older versions, recorded before they were kept.
        attempts: delivery attempts so far; last_error: the last failure, redacted.
        delivered_at: when the service took it (ISO 8601 UTC), once sent.
    """

    id: str
    created_at: str
    channel: str
    purpose: str
    broker: str | None
    payload: dict[str, Any]
    record: dict[str, Any] | None = None
    attempts: int = 0
    last_error: str = ""
    delivered_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """The file's text."""
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"


_FIELDS = {f.name for f in fields(OutboxMessage)}


def outbox_dir(root: Path, state: str | None = None) -> Path:
    """The outbox directory of a governance root, or one of its states (``pending``...).

    Raises:
        InputError: it leads out of the root by a symbolic link (a pull request can
            commit a ``.govtool/`` link).
    """
    base = inside_root(root, OUTBOX_DIR, OUTBOX_DIR)
    if not state:
        return base
    rel = f"{OUTBOX_DIR}/{state}"
    return inside_root(root, rel, rel)


def path_of(root: Path, state: str, message_id: str) -> Path:
    """Where a message in ``state`` lives."""
    return outbox_dir(root, state) / f"{message_id}.json"


def new_id(now_iso: str, purpose: str, broker: str | None, channel: str) -> str:
    """A new message id: the time, what and whom it is about, the channel, and 24 random bits."""
    stamp = now_iso.replace("-", "").replace(":", "")
    return "-".join(p for p in (stamp, purpose, broker, channel, secrets.token_hex(3)) if p)


def pending_files(root: Path, messages: list[OutboxMessage]) -> dict[Path, str]:
    """The files that put ``messages`` in ``pending/`` (for a write-ahead with the record)."""
    return {path_of(root, PENDING, m.id): m.to_json() for m in messages}


def read_message(path: Path) -> OutboxMessage:
    """One message file.

    Raises:
        InputError: the file is not a readable message.
    """
    try:
        data = load_json(read_text(path, path.name), path.name)
        if not isinstance(data, dict):
            raise TypeError("not a JSON object")
        return OutboxMessage(**{k: v for k, v in data.items() if k in _FIELDS})
    except InputError as exc:
        raise InputError(f"{path}: not an outbox message: {exc.message}", hint="move it away and run again") from None
    except (OSError, TypeError) as exc:
        raise InputError(f"{path}: not an outbox message: {exc}", hint="move it away and run again") from None


def messages(root: Path, state: str) -> list[tuple[Path, OutboxMessage]]:
    """The messages in one state, oldest first (a file that vanished meanwhile is skipped).

    ``pending`` includes the messages of older versions, kept directly under the
    outbox directory.

    Raises:
        InputError: a file there is not a readable message.
    """
    directories = [outbox_dir(root, state)]
    if state == PENDING:
        directories.append(outbox_dir(root))
    out = []
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            if not path.exists():
                continue
            out.append((path, read_message(path)))
    out.sort(key=lambda item: item[1].id)
    return out


def pending(root: Path) -> list[tuple[Path, OutboxMessage]]:
    """Every message waiting for delivery (``pending/``), oldest first."""
    return messages(root, PENDING)


def find(root: Path, message_id: str) -> tuple[str, Path] | None:
    """Where a message is: ``(state, path)``, or None."""
    for state in (SENT, INFLIGHT, PENDING, VOID):
        path = path_of(root, state, message_id)
        if path.exists():
            return state, path
    legacy = outbox_dir(root) / f"{message_id}.json"
    return (PENDING, legacy) if legacy.exists() else None


def claim(root: Path, message: OutboxMessage, source: Path) -> Path | None:
    """Take a pending message for delivery: an atomic rename into ``inflight/``.

    Returns:
        Its path in ``inflight/``, or None when it was no longer there (another
        process took it).
    """
    target = path_of(root, INFLIGHT, message.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.rename(source, target)
    except FileNotFoundError:
        return None
    return target


def mark_sent(root: Path, message: OutboxMessage, inflight: Path, delivered_at: str) -> Path:
    """Move a delivered message from ``inflight/`` to ``sent/`` (one rename: the instant
    after the service took it), then note when it was delivered.

    Returns:
        Its path in ``sent/``.
    """
    target = path_of(root, SENT, message.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(inflight, target)
    message.delivered_at = delivered_at
    message.attempts += 1
    message.last_error = ""
    with suppress(InputError):  # the rename above is what counts
        atomic_write(root, target, message.to_json())
    return target


def release(root: Path, message: OutboxMessage, inflight: Path, error: str) -> Path:
    """Put a message whose delivery failed back in ``pending/`` with its error.

    Returns:
        Its path in ``pending/``.
    """
    message.attempts += 1
    message.last_error = error
    return _write_into(root, PENDING, message, inflight)


def void(root: Path, message: OutboxMessage, source: Path, reason: str) -> Path:
    """Set aside a message that was never recorded: it is never sent.

    Returns:
        Its path in ``void/``.
    """
    message.last_error = reason
    return _write_into(root, VOID, message, source)


def _write_into(root: Path, state: str, message: OutboxMessage, source: Path) -> Path:
    """Write ``message`` (as it is now) into ``state``, then remove its file at ``source``."""
    target = path_of(root, state, message.id)
    atomic_write(root, target, message.to_json())
    with suppress(FileNotFoundError):
        source.unlink()
    return target


@contextmanager
def delivery_lock(root: Path, timeout: float = LOCK_TIMEOUT_SECONDS) -> Iterator[bool]:
    """Hold the outbox lock (``.govtool/outbox.lock``) while delivering.

    One process delivers at a time, so two never send the same message; the lock is
    the operating system's (released when its holder dies), never a stale file.

    Yields:
        True when the lock is held; False when another process held it for ``timeout``
        seconds (deliver nothing then: the messages wait in ``pending/``).
    """
    from filelock import FileLock, Timeout

    path = lock_path(root, LOCK_NAME)
    lock = FileLock(str(path), timeout=timeout)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
