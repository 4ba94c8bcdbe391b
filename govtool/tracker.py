"""The tracker model: tracker.yaml parsed, validated and written back.

``tracker.yaml`` is the single source of truth of a governance repo (DESIGN.md,
"The data"). :func:`parse_tracker` turns its text into a :class:`Tracker`,
collecting *every* problem, each placed at its line; :func:`dump_tracker` writes
it back deterministically. Reading and writing files, and the lock, are in
:mod:`govtool.store`.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from govtool import lifecycle
from govtool.errors import InputError, ValidationError
from govtool.yamlio import Path, dump_yaml, format_path, format_timestamp, line_index, line_of, load_yaml

TRACKER_FILE = "tracker.yaml"

#: Broker ids: lowercase letters and digits joined by single ``-`` or ``_``.
BROKER_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
PRIORITIES = ("P0", "P1", "P2", "P3")
INTEGRATION_TYPES = ("API", "OAuth2", "CSV", "FIX", "WebSocket")

#: The decision-matrix factors of the process document, in its order.
MATRIX_FACTORS: tuple[str, ...] = (
    "user_demand",
    "cost_benefit",
    "technical_feasibility",
    "strategic_fit",
    "risk_assessment",
)

#: Default settings: the values of seeds/pm-notification-process.md.
DEFAULT_SETTINGS: dict[str, Any] = {
    "escalation": {
        "expected_response_business_days": {"min": 2, "max": 3},
        "after_business_days": 5,
        "levels": [
            {"level": 1, "role": "PM", "name": "PM", "email": "pm@example.com"},
            {"level": 2, "role": "Tech Lead", "name": "Tech Lead", "email": "tech-lead@example.com"},
            {
                "level": 3,
                "role": "CTO / Product Director",
                "name": "CTO",
                "email": "cto@example.com",
            },
        ],
    },
    "calendar": "NYSE",
    "slack": {"channel": "#broker-integrations"},
    "email": {
        "from": "govtool@example.com",
        "to": ["pm@example.com"],
        "subject_prefix": "[BROKER INTEGRATION]",
        "smtp_host": "localhost",
        "smtp_port": 25,
    },
    "decision_matrix": {
        "weights": {
            "user_demand": 0.30,
            "cost_benefit": 0.25,
            "technical_feasibility": 0.20,
            "strategic_fit": 0.15,
            "risk_assessment": 0.10,
        },
        "thresholds": {"approve_high": 4.0, "approve_medium": 3.0, "on_hold": 2.0},
    },
    "budget": {"monthly_api_usd": None},
    "gate": {
        "paths": ["connectors/{broker}/**"],
        "allowed_statuses": [lifecycle.APPROVED, lifecycle.IN_PROGRESS, lifecycle.COMPLETED],
        "approvers": [],
    },
}

# Field specs: name -> (type check, description for messages). Order is the write order.
_BROKER_FIELDS = (
    "name",
    "tier",
    "priority",
    "type",
    "asset_classes",
    "regions",
    "team",
    "eta",
    "critical",
    "status",
    "progress",
    "blockers",
    "depends_on",
    "research_doc",
    "notes",
    "history",
)
_EVENT_BASE = ("at", "event", "by")
#: Extra fields each event type may carry; ``note``, ``source`` and ``backfilled`` fit all.
_EVENT_FIELDS: dict[str, tuple[str, ...]] = {
    "research_started": (),
    "research_completed": (),
    "pm_notified": ("kind", "urgent", "to"),
    "decision": ("decision", "reason", "score"),
    "implementation_started": (),
    "progress": ("percent",),
    "blocked": ("reason",),
    "unblocked": ("reason",),
    "completed": (),
    "reopened": ("reason",),
    "escalated": ("level", "reason", "to"),
    "scored": ("score", "band"),
    "note": (),
}
_EVENT_COMMON = ("note", "source", "backfilled")


def event_field_order(event: str) -> tuple[str, ...]:
    """The fields an event of this type may carry beyond at/event/by, in write order."""
    return _EVENT_FIELDS.get(event, ()) + _EVENT_COMMON


_EVENT_REQUIRED: dict[str, tuple[str, ...]] = {
    "decision": ("decision",),
    "progress": ("percent",),
    "blocked": ("reason",),
    "escalated": ("level", "reason"),
    "scored": ("score", "band"),
    "note": ("note",),
}


@dataclass
class Event:
    """One dated entry of a broker's history.

    Attributes:
        at: when it happened, an aware datetime in UTC.
        event: the event type, one of :data:`govtool.lifecycle.EVENT_TYPES`.
        by: who did it (a name or an email).
        details: the event's other fields in write order (``decision``, ``reason``,
            ``percent``, ``kind``, ``note``, ``source``, ``backfilled``...).
    """

    at: dt.datetime
    event: str
    by: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def date(self) -> dt.date:
        """The UTC calendar date of the event."""
        return self.at.astimezone(dt.timezone.utc).date()

    def to_dict(self) -> dict[str, Any]:
        """The event as written in tracker.yaml: at, event, by, then its fields in canonical order."""
        order = event_field_order(self.event)
        details = sorted(self.details.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order))
        return {"at": self.at, "event": self.event, "by": self.by, **dict(details)}


@dataclass
class Broker:
    """One broker's record in the tracker.

    Attributes:
        id: the slug used as mapping key, in connector paths and file names.
        name: display name ("Charles Schwab").
        tier: 1-4 or None; priority: "P0".."P3" or None; type: one of
            :data:`INTEGRATION_TYPES` or None.
        eta: the planned completion date, or None.
        progress: percent complete (0-100), as replayed from history.
        blockers: the open blockers, as replayed from history.
        depends_on: ids of brokers that must be completed first.
        status: the stored status; it must equal the replay of ``history``.
    """

    id: str
    name: str
    status: str
    tier: int | None = None
    priority: str | None = None
    type: str | None = None
    asset_classes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    team: str | None = None
    eta: dt.date | None = None
    critical: bool = False
    progress: int = 0
    blockers: list[str] = field(default_factory=list)
    depends_on: list[str] = field(default_factory=list)
    research_doc: str | None = None
    notes: str | None = None
    history: list[Event] = field(default_factory=list)

    def events(self, *types: str) -> list[Event]:
        """The history events of the given types (all when none given), oldest first."""
        return [e for e in self.history if not types or e.event in types]

    def last_event(self, *types: str) -> Event | None:
        """The newest history event of the given types, or None."""
        for event in reversed(self.history):
            if event.event in types:
                return event
        return None

    def to_dict(self) -> dict[str, Any]:
        """The record as written in tracker.yaml; empty optional fields are left out."""
        out: dict[str, Any] = {"name": self.name}
        for key in _BROKER_FIELDS[1:]:
            value = getattr(self, key)
            if key == "history":
                value = [e.to_dict() for e in value]
            elif value is None or value == [] or (key == "critical" and value is False):
                continue
            out[key] = value
        return out


@dataclass
class Tracker:
    """The whole of tracker.yaml.

    Attributes:
        settings: the policy, defaults filled in (see :data:`DEFAULT_SETTINGS`).
        brokers: broker id -> record.
        version: the file format version (1).
    """

    settings: dict[str, Any]
    brokers: dict[str, Broker]
    version: int = 1

    def broker(self, broker_id: str) -> Broker:
        """The broker with this id.

        Raises:
            InputError: no such broker; the hint names the closest ids and names.
        """
        found = self.brokers.get(broker_id)
        if found is not None:
            return found
        raise unknown_broker_error(broker_id, self.brokers)

    def to_dict(self) -> dict[str, Any]:
        """The tracker as written: version, settings, brokers sorted by id."""
        return {
            "version": self.version,
            "settings": self.settings,
            "brokers": {bid: self.brokers[bid].to_dict() for bid in sorted(self.brokers)},
        }


def unknown_broker_error(broker_id: str, brokers: dict[str, Broker]) -> InputError:
    """An error for an unknown broker id with a "did you mean" hint.

    Args:
        broker_id: what the user typed.
        brokers: the known brokers; their ids and names are candidates.
    """
    by_name = {b.name.lower(): bid for bid, b in brokers.items()}
    candidates = difflib.get_close_matches(broker_id.lower(), list(brokers) + list(by_name), n=3)
    ids = list(dict.fromkeys(by_name.get(c, c) for c in candidates))
    hint = (
        f"did you mean {' or '.join(ids)}?"
        if ids
        else "`govtool list` shows the brokers; `govtool research new` starts a new one"
    )
    return InputError(f"{TRACKER_FILE}: unknown broker {broker_id!r}", hint=hint)


def parse_timestamp(value: Any) -> dt.datetime:
    """Parse an ISO 8601 timestamp with a time zone into an aware UTC datetime.

    Raises:
        ValueError: not a string, not ISO 8601, or without a time zone.
    """
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 timestamp such as 2026-01-17T09:30:00Z")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 timestamp such as 2026-01-17T09:30:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError("the timestamp needs a time zone (add Z for UTC)")
    return parsed.astimezone(dt.timezone.utc)


def parse_date(value: Any) -> dt.date:
    """Parse an ISO 8601 calendar date (``2026-01-29``).

    Raises:
        ValueError: not a YYYY-MM-DD date.
    """
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value)
    raise ValueError("expected a date as YYYY-MM-DD")


class _Problems:
    """Collects validation problems as (path, message) pairs."""

    def __init__(self) -> None:
        self.items: list[tuple[Path, str]] = []

    def add(self, path: Path, message: str, got: Any = ...) -> None:
        if got is not ...:
            shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
            if len(shown) > 60:
                shown = shown[:57] + "..."
            message = f"{message} (got {shown})"
        self.items.append((path, message))


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def _check_keys(data: dict, allowed: tuple[str, ...], path: Path, problems: _Problems) -> None:
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            problems.add((*path, key), f"unknown field{tip}")


def _string(value: Any, path: Path, problems: _Problems, *, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(path, "expected a non-empty string", value)
        return None
    return value


def _string_list(value: Any, path: Path, problems: _Problems) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "expected a list of strings", value)
        return []
    out = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append(item)
        else:
            problems.add((*path, index), "expected a non-empty string", item)
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _merge_defaults(data: Any, defaults: Any) -> Any:
    """Fill missing keys of ``data`` from ``defaults``, keeping the defaults' key order."""
    if isinstance(defaults, dict) and isinstance(data, dict):
        out = {k: _merge_defaults(data[k], v) if k in data else copy.deepcopy(v) for k, v in defaults.items()}
        out.update({k: v for k, v in data.items() if k not in defaults})
        return out
    return data


def _validate_settings(raw: Any, problems: _Problems) -> dict[str, Any]:
    path: Path = ("settings",)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping", raw)
        return copy.deepcopy(DEFAULT_SETTINGS)
    settings = _merge_defaults(raw, DEFAULT_SETTINGS)
    _check_keys(settings, tuple(DEFAULT_SETTINGS), path, problems)
    for section, default in DEFAULT_SETTINGS.items():
        value = settings[section]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                problems.add((*path, section), "expected a mapping", value)
                settings[section] = copy.deepcopy(default)
                continue
            _check_keys(value, tuple(default), (*path, section), problems)

    esc = settings["escalation"]
    p = (*path, "escalation")
    resp = esc["expected_response_business_days"]
    if not (
        isinstance(resp, dict)
        and set(resp) == {"min", "max"}
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in resp.values())
        and resp["min"] <= resp["max"]
    ):
        problems.add(
            (*p, "expected_response_business_days"), "expected {min: N, max: M} business days, min <= max", resp
        )
    after = esc["after_business_days"]
    if not isinstance(after, int) or isinstance(after, bool) or after < 1:
        problems.add((*p, "after_business_days"), "expected a whole number of business days >= 1", after)
    levels = esc["levels"]
    if not isinstance(levels, list) or not levels:
        problems.add((*p, "levels"), "expected a list of escalation levels", levels)
    else:
        for index, level in enumerate(levels):
            lp = (*p, "levels", index)
            if not isinstance(level, dict):
                problems.add(lp, "expected a mapping with level, role, name, email", level)
                continue
            _check_keys(level, ("level", "role", "name", "email"), lp, problems)
            if level.get("level") != index + 1:
                problems.add(
                    (*lp, "level"), f"expected {index + 1} (levels are numbered from 1 in order)", level.get("level")
                )
            _string(level.get("role"), (*lp, "role"), problems)
            _string(level.get("name"), (*lp, "name"), problems)
            _string(level.get("email"), (*lp, "email"), problems, required=False)

    if settings["calendar"] not in ("NYSE", "none"):
        problems.add((*path, "calendar"), "expected NYSE or none", settings["calendar"])
    channel = settings["slack"].get("channel")
    if not isinstance(channel, str) or not channel.strip():
        problems.add((*path, "slack", "channel"), "expected a channel name such as #broker-integrations", channel)

    email = settings["email"]
    ep = (*path, "email")
    _string(email.get("from"), (*ep, "from"), problems)
    if isinstance(email.get("to"), str):
        email["to"] = [email["to"]]
    _string_list(email.get("to"), (*ep, "to"), problems)
    _string(email.get("subject_prefix"), (*ep, "subject_prefix"), problems)
    _string(email.get("smtp_host"), (*ep, "smtp_host"), problems)
    port = email.get("smtp_port")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        problems.add((*ep, "smtp_port"), "expected a TCP port 1-65535", port)

    matrix = settings["decision_matrix"]
    mp = (*path, "decision_matrix")
    weights = matrix["weights"]
    if isinstance(weights, dict):
        _check_keys(weights, MATRIX_FACTORS, (*mp, "weights"), problems)
        for factor in MATRIX_FACTORS:
            w = weights.get(factor)
            if not _number(w) or not 0 <= w <= 1:
                problems.add((*mp, "weights", factor), "expected a weight between 0 and 1", w)
        values = [weights.get(f) for f in MATRIX_FACTORS]
        if all(_number(w) for w in values) and abs(sum(values) - 1) > 1e-9:
            problems.add((*mp, "weights"), f"the weights must sum to 1 (they sum to {sum(values):.4g})")
    else:
        problems.add((*mp, "weights"), "expected a mapping of factor: weight", weights)
    thresholds = matrix["thresholds"]
    if isinstance(thresholds, dict):
        _check_keys(thresholds, ("approve_high", "approve_medium", "on_hold"), (*mp, "thresholds"), problems)
        t = [thresholds.get(k) for k in ("approve_high", "approve_medium", "on_hold")]
        if not all(_number(x) and 1 <= x <= 5 for x in t):
            problems.add(
                (*mp, "thresholds"), "expected approve_high, approve_medium, on_hold between 1 and 5", thresholds
            )
        elif not t[0] > t[1] > t[2]:
            problems.add((*mp, "thresholds"), "expected approve_high > approve_medium > on_hold", thresholds)
    else:
        problems.add((*mp, "thresholds"), "expected a mapping", thresholds)

    budget = settings["budget"].get("monthly_api_usd")
    if budget is not None and (not _number(budget) or budget < 0):
        problems.add(
            (*path, "budget", "monthly_api_usd"),
            "expected a non-negative amount in USD per month, or null for no budget",
            budget,
        )

    gate = settings["gate"]
    gp = (*path, "gate")
    paths = _string_list(gate.get("paths"), (*gp, "paths"), problems)
    for index, pattern in enumerate(paths):
        if "{broker}" not in pattern:
            problems.add((*gp, "paths", index), "a gate path needs the {broker} placeholder", pattern)
    for index, status in enumerate(_string_list(gate.get("allowed_statuses"), (*gp, "allowed_statuses"), problems)):
        if status not in lifecycle.STATUSES:
            problems.add(
                (*gp, "allowed_statuses", index),
                f"unknown status; expected one of {', '.join(lifecycle.STATUSES)}",
                status,
            )
    _string_list(gate.get("approvers"), (*gp, "approvers"), problems)
    return settings


def _parse_event(raw: Any, path: Path, problems: _Problems) -> Event | None:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with at, event, by", raw)
        return None
    event = raw.get("event")
    if event not in lifecycle.EVENT_TYPES:
        problems.add((*path, "event"), f"unknown event; expected one of {', '.join(lifecycle.EVENT_TYPES)}", event)
        return None
    allowed = _EVENT_BASE + _EVENT_FIELDS[event] + _EVENT_COMMON
    before = len(problems.items)
    _check_keys(raw, allowed, path, problems)
    at = None
    try:
        at = parse_timestamp(raw.get("at"))
    except ValueError as exc:
        problems.add((*path, "at"), str(exc), raw.get("at"))
    by = _string(raw.get("by"), (*path, "by"), problems)
    for key in _EVENT_REQUIRED.get(event, ()):
        if raw.get(key) is None:
            problems.add((*path, key), f"a {event} event needs {key}")
    details = {k: raw[k] for k in allowed[3:] if k in raw}
    for key, value in details.items():
        kp = (*path, key)
        if key in ("note", "source", "reason", "to", "band") and value is not None:
            _string(value, kp, problems)
        elif key in ("urgent", "backfilled") and not isinstance(value, bool):
            problems.add(kp, "expected true or false", value)
        elif key == "decision" and value not in lifecycle.DECISIONS:
            problems.add(kp, f"expected one of {', '.join(lifecycle.DECISIONS)}", value)
        elif key == "kind" and value not in lifecycle.NOTIFICATION_KINDS:
            problems.add(kp, f"expected one of {', '.join(lifecycle.NOTIFICATION_KINDS)}", value)
        elif key == "percent" and (not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100):
            problems.add(kp, "expected a whole percent 0-100", value)
        elif key == "level" and value not in (1, 2, 3):
            problems.add(kp, "expected escalation level 1, 2 or 3", value)
        elif key == "score" and value is not None and (not _number(value) or not 1 <= value <= 5):
            problems.add(kp, "expected a weighted score 1-5", value)
    if len(problems.items) > before or at is None or by is None:
        return None
    return Event(at=at, event=event, by=by, details=details)


def event_problems(event: Event) -> list[str]:
    """What validation would say of this one event once written, as ``field: message``.

    The commands check each event they append with this, so a bad value (an empty
    note, a percent of 140) is refused where it is typed, not later as a line of
    tracker.yaml.

    Returns:
        Messages such as ``note: expected a non-empty string (got '  ')``; empty when valid.
    """
    from govtool.yamlio import loaded_form

    problems = _Problems()
    _parse_event(loaded_form(event.to_dict()), (), problems)
    return [f"{format_path(path)}: {message}" for path, message in problems.items]


def broker_problems(broker: Broker) -> list[str]:
    """What validation would say of this broker record once written, as ``field: message``.

    Checks the record's own fields and history (not its references to other brokers).
    """
    from govtool.yamlio import loaded_form

    problems = _Problems()
    _parse_broker(broker.id, loaded_form(broker.to_dict()), (), problems)
    return [f"{format_path(path)}: {message}" for path, message in problems.items]


def _parse_broker(broker_id: Any, raw: Any, path: Path, problems: _Problems) -> Broker | None:
    if not isinstance(broker_id, str) or not BROKER_ID_RE.match(broker_id):
        problems.add(
            path, "a broker id is lowercase letters and digits joined by single - or _ (e.g. charles-schwab)", broker_id
        )
        return None
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping of broker fields", raw)
        return None
    before = len(problems.items)
    _check_keys(raw, _BROKER_FIELDS, path, problems)
    name = _string(raw.get("name"), (*path, "name"), problems)
    tier = raw.get("tier")
    if tier is not None and tier not in (1, 2, 3, 4):
        problems.add((*path, "tier"), "expected a tier 1-4", tier)
    if raw.get("priority") is not None and raw.get("priority") not in PRIORITIES:
        problems.add((*path, "priority"), "expected P0, P1, P2 or P3", raw.get("priority"))
    if raw.get("type") is not None and raw.get("type") not in INTEGRATION_TYPES:
        problems.add((*path, "type"), f"expected one of {', '.join(INTEGRATION_TYPES)}", raw.get("type"))
    eta = None
    if raw.get("eta") is not None:
        try:
            eta = parse_date(raw["eta"])
        except ValueError as exc:
            problems.add((*path, "eta"), str(exc), raw["eta"])
    if not isinstance(raw.get("critical", False), bool):
        problems.add((*path, "critical"), "expected true or false", raw.get("critical"))
    progress = raw.get("progress", 0)
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        problems.add((*path, "progress"), "expected a whole percent 0-100", progress)
    status = raw.get("status")
    if status not in lifecycle.STATUSES:
        problems.add((*path, "status"), f"unknown status; expected one of {', '.join(lifecycle.STATUSES)}", status)
    for key in ("team", "research_doc", "notes"):
        _string(raw.get(key), (*path, key), problems, required=False)
    lists = {
        k: _string_list(raw.get(k), (*path, k), problems)
        for k in ("asset_classes", "regions", "blockers", "depends_on")
    }
    history_raw = raw.get("history")
    history: list[Event] = []
    if not isinstance(history_raw, list) or not history_raw:
        problems.add((*path, "history"), "expected a list of dated events, starting with research_started", history_raw)
    else:
        for index, item in enumerate(history_raw):
            event = _parse_event(item, (*path, "history", index), problems)
            if event is not None:
                history.append(event)
    if len(problems.items) > before:
        return None
    return Broker(
        id=broker_id,
        name=name or broker_id,
        status=status,
        tier=tier,
        priority=raw.get("priority"),
        type=raw.get("type"),
        asset_classes=lists["asset_classes"],
        regions=lists["regions"],
        team=raw.get("team"),
        eta=eta,
        critical=raw.get("critical", False),
        progress=progress,
        blockers=lists["blockers"],
        depends_on=lists["depends_on"],
        research_doc=raw.get("research_doc"),
        notes=raw.get("notes"),
        history=history,
    )


def last_research_notification(events: list[Event]) -> tuple[int, Event] | None:
    """The last ``pm_notified`` event of kind research-completed: the one a PM decision answers.

    Args:
        events: a history (or a prefix of one), oldest first.

    Returns:
        ``(index, event)``, or None when the PM was never asked to decide.
    """
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if event.event == "pm_notified" and event.details.get("kind", "research-completed") == "research-completed":
            return index, event
    return None


def replay_history(broker: Broker) -> lifecycle.LifecycleState:
    """Replay a broker's history through the lifecycle.

    Returns:
        The state the history leads to.

    Raises:
        TransitionError: an event is not allowed where it stands; the message names it.
    """
    state = lifecycle.LifecycleState()
    for event in broker.history:
        lifecycle.apply_event(state, event.event, event.details, broker.id)
    return state


def check_broker(broker: Broker, brokers: dict[str, Broker], path: Path, problems: _Problems) -> None:
    """Check the rules that span fields: chronology, replay, dependencies."""
    state = lifecycle.LifecycleState()
    previous: dt.datetime | None = None
    for index, event in enumerate(broker.history):
        ep = (*path, "history", index)
        if previous is not None and event.at < previous:
            problems.add(
                (*ep, "at"),
                "history is append-only: this event is older than the one before it",
                format_timestamp(event.at),
            )
        previous = event.at
        if index == 0 and event.event != "research_started":
            problems.add((*ep, "event"), "a history starts with research_started", event.event)
            return
        try:
            lifecycle.apply_event(state, event.event, event.details, broker.id)
        except lifecycle.TransitionError as exc:
            problems.add((*ep, "event"), f"{event.event} is not allowed here: {exc.message}")
            return
    if state.status != broker.status:
        replayed = state.status
        problems.add(
            (*path, "status"),
            f"the stored status disagrees with the history, which replays to {replayed!r}",
            broker.status,
        )
    if state.progress != broker.progress:
        problems.add((*path, "progress"), f"the history replays to progress {state.progress}", broker.progress)
    if state.blockers != broker.blockers:
        problems.add((*path, "blockers"), f"the history replays to blockers {state.blockers}", broker.blockers)
    for index, dep in enumerate(broker.depends_on):
        if dep not in brokers:
            problems.add((*path, "depends_on", index), "unknown broker", dep)
        elif dep == broker.id:
            problems.add((*path, "depends_on", index), "a broker cannot depend on itself", dep)


def validate_data(data: Any) -> tuple[Tracker | None, list[tuple[Path, str]]]:
    """Validate parsed tracker data and build the model.

    Args:
        data: what :func:`govtool.yamlio.load_yaml` returned for tracker.yaml.

    Returns:
        ``(tracker, problems)``: the tracker (None when the data cannot be modelled)
        and every problem as ``(path, message)``; no problems means valid.
    """
    problems = _Problems()
    if not isinstance(data, dict):
        problems.add((), "expected a mapping with version, settings and brokers", data)
        return None, problems.items
    _check_keys(data, ("version", "settings", "brokers"), (), problems)
    if data.get("version") != 1:
        problems.add(("version",), "expected version: 1", data.get("version"))
    settings = _validate_settings(data.get("settings"), problems)
    raw_brokers = data.get("brokers") or {}
    brokers: dict[str, Broker] = {}
    if not isinstance(raw_brokers, dict):
        problems.add(("brokers",), "expected a mapping of broker id to record", raw_brokers)
        raw_brokers = {}
    for broker_id, raw in raw_brokers.items():
        broker = _parse_broker(broker_id, raw, ("brokers", broker_id), problems)
        if broker is not None:
            brokers[broker_id] = broker
    for broker_id, broker in brokers.items():
        check_broker(broker, raw_brokers, ("brokers", broker_id), problems)
    tracker = Tracker(settings=settings, brokers=brokers)
    return tracker, problems.items


def parse_tracker(text: str, filename: str = TRACKER_FILE) -> Tracker:
    """Parse and validate tracker.yaml text.

    Args:
        text: the file's content.
        filename: the name shown in messages.

    Returns:
        The valid tracker.

    Raises:
        InputError: the YAML does not parse, or has a duplicate key.
        ValidationError: one or more rules are broken; every problem is listed as
            ``tracker.yaml:LINE: field.path: what is wrong (got X)``.
    """
    return tracker_from_data(text, load_yaml(text, filename), filename)


def tracker_from_data(text: str, data: Any, filename: str = TRACKER_FILE) -> Tracker:
    """Validate the data loaded from tracker.yaml's ``text`` (see :func:`parse_tracker`).

    Args:
        text: the file's content, to place problems at their lines.
        data: what :func:`govtool.yamlio.load_yaml` gives for ``text``.
        filename: the name shown in messages.

    Raises:
        ValidationError: one or more rules are broken.
    """
    tracker, problems = validate_data(data)
    if problems:
        raise ValidationError(
            format_problems(text, problems, filename),
            hint=f"fix {filename} and run `govtool validate`; nothing was written",
        )
    assert tracker is not None
    return tracker


def format_problems(text: str, problems: list[tuple[Path, str]], filename: str) -> list[str]:
    """Place each problem at its line: ``FILE:LINE: path: message``, in line order."""
    lines = line_index(text)
    placed = [(line_of(lines, path), format_path(path), message) for path, message in problems]
    placed.sort(key=lambda item: item[0])
    return [f"{filename}:{line}: {where}: {message}" for line, where, message in placed]


def dump_tracker(tracker: Tracker) -> str:
    """Serialise a tracker deterministically (same tracker, same bytes).

    Returns:
        YAML text: version, settings, then brokers sorted by id, each with its fields
        in a fixed order and its history oldest first.
    """
    return dump_yaml(tracker.to_dict())


def new_tracker(settings: dict[str, Any] | None = None) -> Tracker:
    """An empty tracker with the default settings (or these, defaults filled in)."""
    return Tracker(settings=_merge_defaults(settings or {}, DEFAULT_SETTINGS), brokers={})
