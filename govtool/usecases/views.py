"""Reading the tracker: validate, list, show, status. Read-only; nothing is written.

The outcomes here are named tuples, not dataclasses: `list` and `status` load this
module at every start, and a named tuple costs a seventh of a dataclass to define.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, NamedTuple

from govtool import dashboard
from govtool.model import TRACKER_FILE
from govtool.storage import read_tracker


class SignatureCheck(NamedTuple):
    """One signed decision checked by `validate --verify-signatures`.

    Attributes:
        place: where it is: ``tracker.d/alpaca.yaml:17: history[3]``.
        broker: the broker's id.
        result: what checking found (a :class:`govtool.signing.DecisionVerification`).
    """

    place: str
    broker: str
    result: Any


class ValidateOutcome(NamedTuple):
    """`govtool validate`: the tracker file checked, with its broker and event counts; with
    ``--verify-signatures``, each signed decision's check and the number of unsigned ones."""

    path: Path
    brokers: int
    events: int
    signatures: list[SignatureCheck] | None = None
    unsigned: int = 0


def validate(root: Path, verify_signatures: bool = False, at: dt.datetime | None = None) -> ValidateOutcome:
    """Read and validate the tracker of ``root``.

    Args:
        verify_signatures: also check every signed decision with ``ssh-keygen -Y verify``
            against the allowed-signers file of ``settings.gate.allowed_signers`` in the
            work tree, and the approvers of the work tree's settings.
        at: the time the signing keys must be valid at.

    Raises:
        InputError, ValidationError: the tracker is invalid (every problem listed), or
            the allowed-signers file is missing, outside the root or not UTF-8.
    """
    if not verify_signatures:
        tracker = read_tracker(root)
        events = sum(len(b.history) for b in tracker.brokers.values())
        return ValidateOutcome(root / TRACKER_FILE, len(tracker.brokers), events)
    from govtool import signing
    from govtool.errors import InputError
    from govtool.inputs import inside_root, read_text
    from govtool.storage import read_tracker_files, tracker_from_files
    from govtool.validation import place_problems

    files = read_tracker_files(root)
    tracker = tracker_from_files(files)
    events = sum(len(b.history) for b in tracker.brokers.values())
    signed = [
        (broker.id, index, event)
        for broker in tracker.brokers.values()
        for index, event in enumerate(broker.history)
        if event.event == "decision"
    ]
    unsigned = sum(1 for _, _, event in signed if not event.details.get("signature"))
    signed = [item for item in signed if item[2].details.get("signature")]
    checks: list[SignatureCheck] = []
    if signed:
        gate = tracker.settings.gate
        path = inside_root(root, gate.allowed_signers, "settings.gate.allowed_signers")
        try:
            text = read_text(path, gate.allowed_signers)
        except OSError:
            raise InputError(
                f"{gate.allowed_signers}: no such file (settings.gate.allowed_signers); signed decisions are verified "
                "against it",
                hint="each line is an approver's 'EMAIL KEYTYPE KEY'",
            ) from None
        results = signing.verify_decisions(
            [(bid, event) for bid, _, event in signed], text, at=at, **signing.trusted_by(tracker.settings)
        )
        for (bid, index, _), result in zip(signed, results, strict=True):
            where = [(("brokers", bid, "history", index), "")]
            (place,) = place_problems(where, files.settings_text, files.broker_texts)
            checks.append(SignatureCheck(place.rsplit(": ", 1)[0], bid, result))
    return ValidateOutcome(root / TRACKER_FILE, len(tracker.brokers), events, checks, unsigned)


def list_brokers(root: Path, status: str | None) -> list[dict[str, Any]]:
    """The brokers in priority order (see :func:`govtool.dashboard.broker_summary`), of one status or all."""
    tracker = read_tracker(root)
    brokers = sorted(tracker.brokers.values(), key=dashboard.priority_order)
    return [dashboard.broker_summary(b, tracker) for b in brokers if status is None or b.status == status]


def broker_names(root: Path) -> list[tuple[str, str]]:
    """``(id, name)`` of every broker, by id: what shell completion offers for BROKER."""
    return sorted((b.id, b.name) for b in read_tracker(root).brokers.values())


def show_broker(root: Path, broker_id: str) -> dict[str, Any]:
    """One broker's summary, record and dated history (timestamps as ISO 8601 UTC strings).

    Raises:
        InputError: unknown broker.
    """
    tracker = read_tracker(root)
    return dashboard.broker_record(tracker.broker(broker_id), tracker)


class StatusOutcome(NamedTuple):
    """`govtool status`: the dashboard (:func:`govtool.dashboard.status_dashboard`)."""

    dashboard: dict[str, Any]


def status(root: Path, as_of: dt.date) -> StatusOutcome:
    """The dashboard of `govtool status` as of a day (escalations as `govtool escalate` sees them)."""
    from govtool.escalation import pending_doc_facts

    tracker = read_tracker(root)
    return StatusOutcome(dashboard.status_dashboard(tracker, as_of, pending_doc_facts(root, tracker)))
