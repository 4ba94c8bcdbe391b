"""The tracker model: brokers, their dated history, and the tracker that holds them.

Plain dataclasses with no I/O. Reading and validating the files is
:mod:`govtool.validation` and :mod:`govtool.storage`; the policy (``settings:``) is
:mod:`govtool.settings`; what a history replays to is :mod:`govtool.lifecycle`.
The field rules that a user can meet in three places (a tracker field, a command
option, a research doc's front matter) live here once: :func:`tier_problem`,
:func:`priority_problem`, :func:`integration_type_problem`.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import difflib
import json
import re
from dataclasses import dataclass, field
from typing import Any

from govtool import lifecycle
from govtool.errors import InputError
from govtool.field_checks import FIRST_DATE, LAST_DATE, OUT_OF_RANGE, parse_date  # noqa: F401 (parse_date re-exported)
from govtool.settings import Settings
from govtool.yamlio import dump_yaml, format_timestamp

#: The tracker file at the governance root: version and settings (DESIGN.md, "The data").
TRACKER_FILE = "tracker.yaml"

#: Where the split layout keeps one file per broker (record and history), beside
#: tracker.yaml, so that parallel pull requests on different brokers never touch the
#: same file (DESIGN.md, "The data").
BROKERS_DIR = "tracker.d"
#: tracker.yaml's ``version``: 1 holds every broker in tracker.yaml itself; 2 keeps
#: tracker.yaml to the version and settings, and each broker in ``tracker.d/<id>.yaml``.
SINGLE_FILE_VERSION = 1
SPLIT_VERSION = 2

#: Broker ids: lowercase letters and digits joined by single ``-`` or ``_``.
BROKER_ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
TIERS = lifecycle.TIERS
PRIORITIES = lifecycle.PRIORITIES
INTEGRATION_TYPES = lifecycle.INTEGRATION_TYPES

#: Where research docs live under a governance root (DESIGN.md, "The research document").
RESEARCH_DIR = "docs/brokers/api-research"

#: A broker record's fields, in write order.
BROKER_FIELDS = (
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


def research_doc_rel_path(broker_id: str) -> str:
    """Where a broker's research doc lives by default, relative to the governance root:
    ``docs/brokers/api-research/<id>.md``."""
    return f"{RESEARCH_DIR}/{broker_id}.md"


def tier_problem(value: Any) -> str | None:
    """Why ``value`` is not a tier (1-4), or None when it is one."""
    return None if value in TIERS and not isinstance(value, bool) else "expected a tier 1-4"


def priority_problem(value: Any) -> str | None:
    """Why ``value`` is not a priority (P0-P3), or None when it is one."""
    return None if value in PRIORITIES else "expected P0, P1, P2 or P3"


def integration_type_problem(value: Any) -> str | None:
    """Why ``value`` is not an integration type (API, OAuth2, CSV, FIX, WebSocket), or None."""
    return None if value in INTEGRATION_TYPES else f"expected one of {', '.join(INTEGRATION_TYPES)}"


def parse_priority(text: str) -> str:
    """A priority from what a user typed (``p1`` is ``P1``).

    Raises:
        ValueError: not P0-P3; the message is :func:`priority_problem`'s.
    """
    value = text.strip().upper()
    problem = priority_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def parse_integration_type(text: str) -> str:
    """An integration type from what a user typed, in its canonical spelling (``oauth2`` is ``OAuth2``).

    Raises:
        ValueError: not one of :data:`INTEGRATION_TYPES`.
    """
    by_lower = {t.lower(): t for t in INTEGRATION_TYPES}
    value = by_lower.get(text.strip().lower())
    if value is None:
        raise ValueError(integration_type_problem(text))
    return value


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
        order = lifecycle.event_field_order(self.event)
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

    @property
    def research_doc_path(self) -> str:
        """The research doc's path under the governance root: ``research_doc``, or the
        default ``docs/brokers/api-research/<id>.md``."""
        return self.research_doc or research_doc_rel_path(self.id)

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
        for key in BROKER_FIELDS[1:]:
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
        settings: the policy, validated and with defaults filled in.
        brokers: broker id -> record.
        version: the layout: 1, one file; 2, tracker.yaml and one file per broker.
        other_ids: brokers that exist but were not read (a command on one broker of the
            split layout reads that broker's file only).
    """

    settings: Settings
    brokers: dict[str, Broker]
    version: int = SINGLE_FILE_VERSION
    other_ids: tuple[str, ...] = ()

    def broker(self, broker_id: str) -> Broker:
        """The broker with this id.

        Raises:
            InputError: no such broker; the hint names the closest ids and names.
        """
        found = self.brokers.get(broker_id)
        if found is not None:
            return found
        raise unknown_broker_error(broker_id, self.brokers, self.other_ids)

    @property
    def split(self) -> bool:
        """True in the split layout (one file per broker in ``tracker.d/``)."""
        return self.version == SPLIT_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The tracker as one mapping: version, settings, brokers sorted by id (the single-file
        layout writes exactly this; the split layout writes it in pieces)."""
        return {
            "version": self.version,
            "settings": self.settings.to_dict(),
            "brokers": {bid: self.brokers[bid].to_dict() for bid in sorted(self.brokers)},
        }


def unknown_broker_error(broker_id: str, brokers: dict[str, Broker], other_ids: tuple[str, ...] = ()) -> InputError:
    """An error for an unknown broker id with a "did you mean" hint.

    Args:
        broker_id: what the user typed.
        brokers: the known brokers; their ids and names are candidates.
        other_ids: ids of brokers not read; candidates too.
    """
    by_name = {b.name.lower(): bid for bid, b in brokers.items()}
    candidates = difflib.get_close_matches(broker_id.lower(), list(brokers) + list(other_ids) + list(by_name), n=3)
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
        ValueError: not a string, not ISO 8601, without a time zone, or outside
            :data:`FIRST_DATE` to :data:`LAST_DATE`.
    """
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 timestamp such as 2026-01-17T09:30:00Z")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("expected an ISO 8601 timestamp such as 2026-01-17T09:30:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError("the timestamp needs a time zone (add Z for UTC)")
    if not FIRST_DATE.year <= parsed.year <= LAST_DATE.year:  # before converting: 0001 with +01:00 overflows
        raise ValueError(OUT_OF_RANGE)
    parsed = parsed.astimezone(dt.timezone.utc)
    if not FIRST_DATE <= parsed.date() <= LAST_DATE:
        raise ValueError(OUT_OF_RANGE)
    return parsed


def dump_tracker(tracker: Tracker) -> str:
    """Serialise a tracker as one file, deterministically (same tracker, same bytes).

    Returns:
        YAML text: version, settings, then brokers sorted by id, each with its fields
        in a fixed order and its history oldest first.
    """
    return dump_yaml(tracker.to_dict())


def dump_tracker_settings(tracker: Tracker) -> str:
    """tracker.yaml of the split layout: its version and settings only."""
    return dump_yaml({"version": tracker.version, "settings": tracker.settings.to_dict()})


def dump_broker(broker: Broker) -> str:
    """One broker's file of the split layout (``tracker.d/<id>.yaml``): its record and history."""
    return dump_yaml(broker.to_dict())


def broker_file(broker_id: str) -> str:
    """A broker's file in the split layout, relative to the governance root."""
    return f"{BROKERS_DIR}/{broker_id}.yaml"


def new_tracker(settings: dict[str, Any] | None = None) -> Tracker:
    """An empty tracker with the default settings (or these, defaults filled in).

    Raises:
        ValueError: ``settings`` do not validate.
    """
    return Tracker(settings=Settings.with_defaults(settings or {}), brokers={})


def event_identity(event: dict[str, Any]) -> str:
    """A history event's identity, as loaded from YAML (a mapping): all its fields,
    canonically (keys sorted, the time as govtool writes it: UTC, to the second), so two
    identical events are one whatever their layout or how the time is written
    (``2026-01-05T09:00:00Z``, ``2026-01-05 10:00:00+01:00``, ``2026-01-05T09:00:00.250Z``,
    which every govtool command rewrites as the first). Keys and values keep their type
    (``1`` and ``"1"`` differ)."""
    with contextlib.suppress(ValueError):  # a time govtool does not read is compared as written
        event = {**event, "at": format_timestamp(parse_timestamp(event.get("at")))}
    return json.dumps(_typed(event), sort_keys=True, ensure_ascii=False, default=_typed_scalar)


def _typed(value: Any) -> Any:
    """``value`` with every mapping key made a string that keeps its type (``s:at``, ``int:1``),
    so that keys of mixed types sort and ``1`` and ``"1"`` stay apart."""
    if isinstance(value, dict):
        return {
            (f"s:{key}" if isinstance(key, str) else f"{type(key).__name__}:{key!r}"): _typed(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_typed(item) for item in value]
    return value


def _typed_scalar(value: Any) -> str:
    """A value JSON has no form for, as its type and repr."""
    return f"{type(value).__name__}:{value!r}"


def removed_events(before: list[Any], after: list[Any]) -> list[dict[str, Any]]:
    """The events of ``before`` that ``after`` does not hold, in ``before``'s order: what a
    change removed, edited or moved of a history.

    History is append-only (DESIGN.md, "The data"): an event, once recorded, stays as
    it was and where it was; a later event (a new decision, a reopen) changes what it
    means. So ``before`` must be, event for event, a subsequence of ``after`` (events
    may be added anywhere, as a merge interleaves two branches' events by time; none
    may be taken out or put in another order: events at the same second replay in list
    order). An event ``after`` holds only out of order counts as removed here (see
    :func:`event_identity`: the caller can tell a move by it). Both lists are histories
    as loaded from YAML; items that are not mappings are ignored.
    """
    places: dict[str, list[int]] = {}
    for index, event in enumerate(after):
        if isinstance(event, dict):
            places.setdefault(event_identity(event), []).append(index)
    removed = []
    cursor = -1
    for event in before:
        if not isinstance(event, dict):
            continue
        found = places.get(event_identity(event), [])
        at = bisect.bisect_right(found, cursor)
        if at < len(found):
            cursor = found[at]
        else:
            removed.append(event)
    return removed


def replay_history(broker: Broker) -> lifecycle.LifecycleState:
    """Replay a broker's history through the lifecycle (see :func:`govtool.lifecycle.replay`).

    Raises:
        TransitionError: an event is not allowed where it stands.
    """
    return lifecycle.replay(broker.history, broker.id)
