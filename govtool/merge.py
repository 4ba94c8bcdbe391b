"""Merging one broker's file changed on two branches: union the history, replay it.

Used by `govtool merge-driver`, git's custom merge driver for ``tracker.d/*.yaml``
(DESIGN.md, "The data"; the issue on parallel work). History is append-only, so two
branches that each appended events merge into the union of their events, ordered by
time, replayed through the lifecycle; status, progress and blockers are what the
replay gives. The merge refuses, leaving git's conflict, wherever the two sides truly
disagree: an event of the common ancestor missing on one side, a field both sides
set differently, or a union that does not replay (two different decisions, say).
Nothing is ever dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from govtool import lifecycle
from govtool.errors import InputError
from govtool.model import BROKER_FIELDS, dump_broker, event_identity, parse_timestamp, removed_events
from govtool.validation import broker_problems, parse_broker_data
from govtool.yamlio import load_yaml

#: Fields replayed from the history, never merged on their own.
_REPLAYED = ("status", "progress", "blockers", "history")


@dataclass
class MergeResult:
    """The merge of one broker file: the merged text, or the reasons it conflicts.

    Attributes:
        text: the merged file (None when it conflicts).
        conflicts: one line per disagreement, for the person who resolves it.
        events_added: events the merge took from the other side.
    """

    text: str | None
    conflicts: list[str] = field(default_factory=list)
    events_added: int = 0


def _load(text: str | None, name: str) -> dict[str, Any]:
    if not text or not text.strip():
        return {}
    data = load_yaml(text, name)
    if not isinstance(data, dict):
        raise InputError(f"{name}: not a broker record (expected a mapping)")
    return data


def _time(event: dict[str, Any]) -> tuple[int, Any]:
    """An event's place in time for merging histories: the instant it names (however its
    zone is written), and after every readable time one govtool does not read, as written."""
    try:
        return 0, parse_timestamp(event.get("at"))
    except ValueError:
        return 1, str(event.get("at"))


def merge_broker_files(
    broker_id: str, base_text: str | None, ours_text: str, theirs_text: str, filename: str
) -> MergeResult:
    """Three-way merge of a broker file.

    Args:
        broker_id: the broker (the file's name).
        base_text: the common ancestor's text (None or "" when both sides added the file).
        ours_text, theirs_text: the two sides.
        filename: the file's path, for messages.

    Returns:
        The merged text, or the conflicts.

    Raises:
        InputError: a side does not load as YAML.
    """
    base = _load(base_text, f"{filename} (base)")
    ours = _load(ours_text, f"{filename} (ours)")
    theirs = _load(theirs_text, f"{filename} (theirs)")
    conflicts: list[str] = []
    merged: dict[str, Any] = {}
    for key in BROKER_FIELDS:
        if key in _REPLAYED:
            continue
        b, o, t = base.get(key), ours.get(key), theirs.get(key)
        value = t if o == b else o if t == b or o == t else None
        if o != b and t != b and o != t:
            conflicts.append(f"{filename}: {key}: both sides changed it ({o!r} and {t!r})")
        if value is not None:
            merged[key] = value
    base_events = [e for e in base.get("history") or [] if isinstance(e, dict)]
    ours_events = [e for e in ours.get("history") or [] if isinstance(e, dict)]
    theirs_events = [e for e in theirs.get("history") or [] if isinstance(e, dict)]
    for side, events in (("ours", ours_events), ("theirs", theirs_events)):
        for event in removed_events(base_events, events):
            conflicts.append(
                f"{filename}: {side} removed or changed the event of {event.get('at')} ({event.get('event')}); "
                "history is append-only"
            )
    ours_ids = {event_identity(e) for e in ours_events}
    added = [e for e in theirs_events if event_identity(e) not in ours_ids]
    union = sorted([*ours_events, *added], key=_time)  # stable: ours keep their order
    merged["history"] = union
    if conflicts:
        return MergeResult(None, conflicts)
    state = lifecycle.LifecycleState()
    for event in union:
        try:
            lifecycle.apply_event(state, str(event.get("event")), event, broker_id)
        except lifecycle.TransitionError as exc:
            return MergeResult(
                None,
                [f"{filename}: the two sides' histories do not replay together: at {event.get('at')}: {exc.message}"],
            )
    merged.update(status=state.status, progress=state.progress, blockers=list(state.blockers))
    broker, problems = parse_broker_data(broker_id, merged)
    if broker is None or problems:
        return MergeResult(None, [f"{filename}: the merged record is invalid: {p}" for p in problems])
    more = broker_problems(broker)
    if more:
        return MergeResult(None, [f"{filename}: the merged record is invalid: {p}" for p in more])
    return MergeResult(dump_broker(broker), [], len(added))
