"""The broker lifecycle: statuses, history events, and the transitions between them.

Source: DESIGN.md "Lifecycle" (the status legend of seeds/pm-notification-process.md,
"Tracking System", plus the research phase before the PM is asked). The status of a
broker is what replaying its history gives; :func:`replay` is that replay, and every
command that appends an event goes through :func:`apply_event`, so no command can
reach a transition the table forbids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from govtool.errors import InputError

RESEARCHING = "researching"
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
ON_HOLD = "on_hold"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"

#: Every status, in lifecycle order.
STATUSES: tuple[str, ...] = (
    RESEARCHING,
    PENDING,
    APPROVED,
    REJECTED,
    ON_HOLD,
    IN_PROGRESS,
    COMPLETED,
)

#: Human labels, as the process document's status legend writes them.
STATUS_LABELS: dict[str, str] = {
    RESEARCHING: "Researching",
    PENDING: "Pending",
    APPROVED: "Approved",
    REJECTED: "Rejected",
    ON_HOLD: "On Hold",
    IN_PROGRESS: "In Progress",
    COMPLETED: "Completed",
}

#: The PM decisions `decide` accepts, as stored in history.
DECISIONS: tuple[str, ...] = (APPROVED, REJECTED, ON_HOLD)

#: The five notification triggers of the process document ("When to Notify PM").
NOTIFICATION_KINDS: tuple[str, ...] = (
    "research-completed",
    "cost-discovery",
    "access-requirements",
    "implementation-decision",
    "issues-discovered",
)

#: The fixed values of a broker record's tier, priority and integration type (DESIGN.md,
#: "The data"); :mod:`govtool.model` checks them, the command layer lists and completes them.
TIERS: tuple[int, ...] = (1, 2, 3, 4)
PRIORITIES: tuple[str, ...] = ("P0", "P1", "P2", "P3")
INTEGRATION_TYPES: tuple[str, ...] = ("API", "OAuth2", "CSV", "FIX", "WebSocket")

#: The notification kind of a ``pm_notified`` event that does not name one: the PM is
#: asked to decide (process document, "When to Notify PM", trigger 1).
DEFAULT_NOTIFICATION_KIND = "research-completed"

#: How a message of the process went out, as a ``via`` field records it: by email, in
#: Slack, or sent by hand (govtool sent nothing). ``via: email, slack`` lists several.
EMAIL = "email"
SLACK = "slack"
BY_HAND = "by_hand"
VIA_CHANNELS: tuple[str, ...] = (EMAIL, SLACK, BY_HAND)

#: History event types (DESIGN.md "The data"), plus ``reopened`` for `govtool reopen`
#: and ``scored`` for `govtool score` (the decision matrix's weighted total), each with
#: the extra fields it may carry beyond ``at``, ``event`` and ``by``, in write order.
#: A decision's ``email`` is the decider's, and ``signature`` their SSH signature of the
#: decision (:mod:`govtool.signing`).
EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "research_started": (),
    "research_completed": (),
    "pm_notified": ("kind", "urgent", "to", "via"),
    "decision": (
        "decision",
        "reason",
        "score",
        "band",
        "differs_from_band",
        "email",
        "decided_in",
        "slack_user",
        "attested_by",
        "signature",
        "via",
    ),
    "implementation_started": (),
    "progress": ("percent",),
    "blocked": ("reason",),
    "unblocked": ("reason",),
    "completed": (),
    "reopened": ("reason",),
    "escalated": ("level", "reason", "to", "via"),
    "scored": ("score", "band"),
    "note": (),
}

#: Where a decision was made, when not at a terminal (``decided_in``): Slack's buttons (`govtool serve`).
DECIDED_IN = ("slack",)

#: Every event type, in lifecycle order.
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_FIELDS)

#: Fields every event type may carry: a note, the source of a backfilled date, and
#: ``backfilled`` for dates the team's documents do not record.
EVENT_COMMON_FIELDS: tuple[str, ...] = ("note", "source", "backfilled")

#: The fields each event type must carry.
EVENT_REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "decision": ("decision",),
    "progress": ("percent",),
    "blocked": ("reason",),
    "escalated": ("level", "reason"),
    "scored": ("score", "band"),
    "note": ("note",),
}


def event_field_order(event: str) -> tuple[str, ...]:
    """The fields an event of this type may carry beyond at/event/by, in write order."""
    return EVENT_FIELDS.get(event, ()) + EVENT_COMMON_FIELDS


def notification_kind(details: dict) -> str:
    """The notification kind of a ``pm_notified`` event's fields (the default when unnamed)."""
    return details.get("kind") or DEFAULT_NOTIFICATION_KIND


#: The transition table of DESIGN.md: command -> {from status: to status}.
#: ``decide`` moves to the decision given; its targets are checked in :func:`apply_event`.
TRANSITIONS: dict[str, dict[str | None, str | None]] = {
    "research new": {None: RESEARCHING},
    "notify": {RESEARCHING: PENDING, ON_HOLD: PENDING},
    "decide": {PENDING: None, ON_HOLD: None},
    "start": {APPROVED: IN_PROGRESS},
    "progress": {IN_PROGRESS: IN_PROGRESS},
    "block": {IN_PROGRESS: IN_PROGRESS},
    "unblock": {IN_PROGRESS: IN_PROGRESS},
    "complete": {IN_PROGRESS: COMPLETED},
    "reopen": {REJECTED: RESEARCHING, ON_HOLD: RESEARCHING},
}

#: Which command appends which event type (for messages).
EVENT_COMMAND: dict[str, str] = {
    "research_started": "research new",
    "pm_notified": "notify",
    "decision": "decide",
    "implementation_started": "start",
    "progress": "progress",
    "blocked": "block",
    "unblocked": "unblock",
    "completed": "complete",
    "reopened": "reopen",
}

#: Decisions allowed from each status (on hold may not be put on hold again).
_DECISIONS_FROM: dict[str, tuple[str, ...]] = {
    PENDING: (APPROVED, REJECTED, ON_HOLD),
    ON_HOLD: (APPROVED, REJECTED),
}


@dataclass
class LifecycleState:
    """What replaying a history gives.

    Attributes:
        status: the current status (None before the first event).
        progress: percent complete, 0-100.
        blockers: the open blockers, oldest first.
    """

    status: str | None = None
    progress: int = 0
    blockers: list[str] = field(default_factory=list)


class TransitionError(InputError):
    """An event that the lifecycle does not allow from the current status (exit 2)."""


def allowed_commands(status: str | None) -> list[str]:
    """The commands that may run on a broker in ``status``, in table order.

    Args:
        status: a status from :data:`STATUSES`, or None for a broker not yet tracked.

    Returns:
        Command names such as ``["decide"]``; ``notify --kind`` other than
        research-completed is always allowed and not listed.
    """
    out = []
    for command, moves in TRANSITIONS.items():
        if status in moves:
            if command == "decide":
                options = ", ".join(_DECISIONS_FROM[status])
                command = f"decide ({options})"
            out.append(command)
    return out


def _refuse(status: str | None, command: str, broker: str) -> TransitionError:
    allowed = allowed_commands(status)
    shown = STATUS_LABELS.get(status or "", "not tracked")
    needs = [s for s in TRANSITIONS.get(command, {}) if s]
    needs_text = " or ".join(STATUS_LABELS[s].lower() for s in needs) if needs else "a new broker"
    return TransitionError(
        f"{broker}: cannot {command} a broker that is {shown.lower()} (it needs {needs_text})",
        hint=(
            f"from {shown.lower()} the allowed commands are: {', '.join(allowed)}"
            if allowed
            else f"no command moves a broker on from {shown.lower()}"
        ),
    )


def apply_event(state: LifecycleState, event: str, details: dict, broker: str) -> None:
    """Apply one history event to a lifecycle state, in place.

    Args:
        state: the state before the event; updated to the state after it.
        event: an event type from :data:`EVENT_TYPES`.
        details: the event's fields (``decision``, ``kind``, ``percent``, ``reason``...).
        broker: the broker id, for messages.

    Raises:
        TransitionError: the event is not allowed from ``state.status``; the message
            lists the commands that are.
    """
    status = state.status
    if event in ("escalated", "scored", "note"):
        if status is None:
            raise _refuse(status, "research new", broker)
        return
    if event == "research_completed":
        if status != RESEARCHING:
            raise TransitionError(
                f"{broker}: research can be completed only while researching "
                f"(it is {STATUS_LABELS.get(status or '', 'not tracked').lower()})"
            )
        return
    if event == "pm_notified" and notification_kind(details) != DEFAULT_NOTIFICATION_KIND:
        if status is None:
            raise _refuse(status, "notify", broker)
        return
    command = EVENT_COMMAND.get(event)
    if command is None:
        raise TransitionError(f"{broker}: unknown event {event!r}")
    moves = TRANSITIONS[command]
    if status not in moves:
        raise _refuse(status, command, broker)
    if command == "decide":
        decision = details.get("decision")
        if decision not in _DECISIONS_FROM[status]:
            options = ", ".join(_DECISIONS_FROM[status])
            raise TransitionError(
                f"{broker}: a broker that is {STATUS_LABELS[status].lower()} cannot be "
                f"decided {STATUS_LABELS.get(str(decision), str(decision)).lower()}",
                hint=f"the decisions allowed from {STATUS_LABELS[status].lower()} are: {options}; "
                f"the allowed commands are: {', '.join(allowed_commands(status))}",
            )
        state.status = decision
        return
    state.status = moves[status]
    if event == "research_started" or event == "reopened":
        state.progress, state.blockers = 0, []
    elif event == "progress":
        state.progress = int(details["percent"])
    elif event == "blocked":
        state.blockers.append(str(details["reason"]))
    elif event == "unblocked":
        reason = details.get("reason")
        state.blockers = [b for b in state.blockers if reason is not None and b != reason]
    elif event == "completed":
        state.progress = 100


def replay(events: Iterable[Any], broker: str) -> LifecycleState:
    """Replay a history through the lifecycle.

    Args:
        events: history events, oldest first (anything with ``event`` and ``details``).
        broker: the broker id, for messages.

    Returns:
        The state the history leads to.

    Raises:
        TransitionError: an event is not allowed where it stands; the message names it.
    """
    state = LifecycleState()
    for event in events:
        apply_event(state, event.event, event.details, broker)
    return state


def last_research_notification(events: Sequence[Any]) -> tuple[int, Any] | None:
    """The last ``pm_notified`` event of kind research-completed: the one a PM decision answers.

    Args:
        events: a history (or a prefix of one), oldest first.

    Returns:
        ``(index, event)``, or None when the PM was never asked to decide.
    """
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.event == "pm_notified" and notification_kind(event.details) == DEFAULT_NOTIFICATION_KIND:
            return index, event
    return None
