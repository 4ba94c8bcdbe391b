"""Validation of tracker data: every field, every event, and that each stored status
is what its history replays to.

:func:`validate_data` collects *every* problem as ``(key path, message)``;
:func:`format_problems` places each at its line (``tracker.yaml:LINE: field.path:
what is wrong (got X)``). :func:`event_problems` and :func:`broker_problems` apply
the same rules to one event or record before a command appends it, so a bad value
is refused where it is typed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from typing import Any

from govtool import lifecycle
from govtool.errors import ValidationError
from govtool.field_checks import (
    EMAIL_RE,
    Problems,
    check_keys,
    check_string,
    check_string_list,
    is_number,
    is_whole_number,
)
from govtool.inputs import relative_path_problem
from govtool.model import (
    BROKER_FIELDS,
    BROKER_ID_RE,
    BROKERS_DIR,
    SINGLE_FILE_VERSION,
    SPLIT_VERSION,
    TRACKER_FILE,
    Broker,
    Event,
    Tracker,
    broker_file,
    integration_type_problem,
    parse_date,
    parse_timestamp,
    priority_problem,
    tier_problem,
)
from govtool.settings import SLACK_USER_RE, Settings, validate_settings
from govtool.yamlio import KeyPath, format_path, format_timestamp, line_index, line_of, load_yaml

_EVENT_BASE = ("at", "event", "by")
#: A decision's signature: the base64 body of an SSH signature, at most 16 KB.
SIGNATURE_RE = re.compile(r"^[A-Za-z0-9+/]{16,16384}={0,2}$")


def _parse_event(raw: Any, path: KeyPath, problems: Problems) -> Event | None:
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping with at, event, by", raw)
        return None
    event = raw.get("event")
    if event not in lifecycle.EVENT_TYPES:
        problems.add((*path, "event"), f"unknown event; expected one of {', '.join(lifecycle.EVENT_TYPES)}", event)
        return None
    allowed = _EVENT_BASE + lifecycle.EVENT_FIELDS[event] + lifecycle.EVENT_COMMON_FIELDS
    before = len(problems.items)
    check_keys(raw, allowed, path, problems)
    at = None
    try:
        at = parse_timestamp(raw.get("at"))
    except ValueError as exc:
        problems.add((*path, "at"), str(exc), raw.get("at"))
    by = check_string(raw.get("by"), (*path, "by"), problems)
    for key in lifecycle.EVENT_REQUIRED_FIELDS.get(event, ()):
        if raw.get(key) is None:
            problems.add((*path, key), f"a {event} event needs {key}")
    details = {k: raw[k] for k in allowed[3:] if k in raw}
    for key, value in details.items():
        kp = (*path, key)
        if key in ("note", "source", "reason") and value is not None:
            check_string(value, kp, problems, one_line=False)
        elif key in ("to", "band") and value is not None:
            check_string(value, kp, problems)
        elif key in ("urgent", "backfilled", "differs_from_band") and not isinstance(value, bool):
            problems.add(kp, "expected true or false", value)
        elif key == "decision" and value not in lifecycle.DECISIONS:
            problems.add(kp, f"expected one of {', '.join(lifecycle.DECISIONS)}", value)
        elif key == "via" and (
            not isinstance(value, str)
            or not value.strip()
            or any(part.strip() not in lifecycle.VIA_CHANNELS for part in value.split(","))
        ):
            problems.add(kp, f"expected one or more of {', '.join(lifecycle.VIA_CHANNELS)}, comma-separated", value)
        elif key == "kind" and value not in lifecycle.NOTIFICATION_KINDS:
            problems.add(kp, f"expected one of {', '.join(lifecycle.NOTIFICATION_KINDS)}", value)
        elif key == "percent" and (not is_whole_number(value) or not 0 <= value <= 100):
            problems.add(kp, "expected a whole percent 0-100", value)
        elif key == "level" and value not in (1, 2, 3):
            problems.add(kp, "expected escalation level 1, 2 or 3", value)
        elif key == "score" and value is not None and (not is_number(value) or not 1 <= value <= 5):
            problems.add(kp, "expected a weighted score 1-5", value)
        elif key == "decided_in" and value not in lifecycle.DECIDED_IN:
            problems.add(kp, f"expected {' or '.join(lifecycle.DECIDED_IN)}", value)
        elif key == "slack_user" and not (isinstance(value, str) and SLACK_USER_RE.match(value)):
            problems.add(kp, "expected a Slack user id (U0123ABCD)", value)
        elif (
            key in ("email", "attested_by")
            and check_string(value, kp, problems) is not None
            and not EMAIL_RE.match(value)
        ):
            problems.add(kp, "expected an email address (name@example.com)", value)
        elif key == "signature" and not (isinstance(value, str) and SIGNATURE_RE.match(value)):
            problems.add(kp, "expected an SSH signature (the base64 of `ssh-keygen -Y sign`, one line)", value)
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

    problems = Problems()
    _parse_event(loaded_form(event.to_dict()), (), problems)
    return [f"{format_path(path)}: {message}" for path, message in problems.items]


def broker_problems(broker: Broker) -> list[str]:
    """What validation would say of this broker record once written, as ``field: message``.

    Checks the record's own fields and history (not its references to other brokers).
    """
    from govtool.yamlio import loaded_form

    problems = Problems()
    _parse_broker(broker.id, loaded_form(broker.to_dict()), (), problems)  # the problems are what counts
    return [f"{format_path(path)}: {message}" for path, message in problems.items]


def parse_broker_data(broker_id: str, raw: Any) -> tuple[Broker | None, list[str]]:
    """Validate one broker record as loaded from its file: fields, history, replay.

    References to other brokers (``depends_on``) are not checked.

    Returns:
        ``(broker, problems as "field: message")``: the broker is None when there is
        any problem.
    """
    problems = Problems()
    broker, readable = _parse_broker(broker_id, raw, (), problems)
    if broker is not None:
        check_broker(broker, [*broker.depends_on, broker_id], (), problems, readable=readable)
    found = [f"{format_path(path)}: {message}" for path, message in problems.items]
    return (None if found else broker), found


def _parse_broker(broker_id: Any, raw: Any, path: KeyPath, problems: Problems) -> tuple[Broker | None, bool]:
    """A broker record from its raw mapping, every problem of its fields and events recorded.

    Returns:
        ``(broker, replayable)``: the broker is None when the id or the record cannot
        be read at all, otherwise built from what could be read (an event that does
        not parse is left out), for the checks that span fields; ``replayable`` is
        False when the history, status, progress or blockers did not read whole, so
        comparing them with the replay would only repeat a problem already reported.
    """
    if not isinstance(broker_id, str) or not BROKER_ID_RE.match(broker_id):
        problems.add(
            path, "a broker id is lowercase letters and digits joined by single - or _ (e.g. charles-schwab)", broker_id
        )
        return None, False
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping of broker fields", raw)
        return None, False
    before = len(problems.items)
    check_keys(raw, BROKER_FIELDS, path, problems)
    name = check_string(raw.get("name"), (*path, "name"), problems)
    tier = raw.get("tier")
    for key, rule in (("tier", tier_problem), ("priority", priority_problem), ("type", integration_type_problem)):
        if raw.get(key) is not None and rule(raw[key]):
            problems.add((*path, key), rule(raw[key]), raw[key])
    eta = None
    if raw.get("eta") is not None:
        try:
            eta = parse_date(raw["eta"])
        except ValueError as exc:
            problems.add((*path, "eta"), str(exc), raw["eta"])
    if not isinstance(raw.get("critical", False), bool):
        problems.add((*path, "critical"), "expected true or false", raw.get("critical"))
    progress = raw.get("progress", 0)
    if not is_whole_number(progress) or not 0 <= progress <= 100:
        problems.add((*path, "progress"), "expected a whole percent 0-100", progress)
    status = raw.get("status")
    if status not in lifecycle.STATUSES:
        problems.add((*path, "status"), f"unknown status; expected one of {', '.join(lifecycle.STATUSES)}", status)
    for key in ("team", "research_doc", "notes"):
        check_string(raw.get(key), (*path, key), problems, required=False, one_line=key != "notes")
    doc = raw.get("research_doc")
    if isinstance(doc, str) and doc.strip() and relative_path_problem(doc):
        problems.add((*path, "research_doc"), relative_path_problem(doc), doc)
    lists = {
        k: check_string_list(raw.get(k), (*path, k), problems)
        for k in ("asset_classes", "regions", "blockers", "depends_on")
    }
    history_raw = raw.get("history")
    history: list[Event] = []
    readable = True
    if not isinstance(history_raw, list) or not history_raw:
        problems.add((*path, "history"), "expected a list of dated events, starting with research_started", history_raw)
        readable = False
    else:
        for index, item in enumerate(history_raw):
            event = _parse_event(item, (*path, "history", index), problems)
            if event is not None:
                history.append(event)
            else:
                readable = False
    stateful = {(*path, key) for key in ("status", "progress", "blockers")}
    readable = readable and not any(p[: len(path) + 1] in stateful for p, _ in problems.items[before:])
    broker = Broker(
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
    return broker, readable


def check_broker(
    broker: Broker, brokers: Collection[str], path: KeyPath, problems: Problems, readable: bool = True
) -> None:
    """Check the rules that span fields: chronology, replay, dependencies; every one of them.

    Args:
        brokers: the ids of every broker (for ``depends_on``).
        readable: False when some of the record did not parse (an event left out, a
            bad status): the replay is then not compared with the stored status,
            progress and blockers (the problems already reported explain it).
    """
    state = lifecycle.LifecycleState()
    previous: dt.datetime | None = None
    replayable = readable
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
            replayable = False
        if not replayable:
            continue
        try:
            lifecycle.apply_event(state, event.event, event.details, broker.id)
        except lifecycle.TransitionError as exc:
            problems.add((*ep, "event"), f"{event.event} is not allowed here: {exc.message}")
            replayable = False
    _check_dependencies(broker, brokers, path, problems)
    if not replayable:
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


def _check_dependencies(broker: Broker, brokers: Collection[str], path: KeyPath, problems: Problems) -> None:
    for index, dep in enumerate(broker.depends_on):
        if dep not in brokers:
            problems.add((*path, "depends_on", index), "unknown broker", dep)
        elif dep == broker.id:
            problems.add((*path, "depends_on", index), "a broker cannot depend on itself", dep)


def validate_data(
    data: Any, known_ids: Collection[str] = (), version: int = SINGLE_FILE_VERSION
) -> tuple[Tracker | None, list[tuple[KeyPath, str]]]:
    """Validate parsed tracker data and build the model.

    Args:
        data: the tracker as one mapping: what :func:`govtool.yamlio.load_yaml` returned
            for a single-file tracker.yaml, or tracker.yaml's mapping with ``brokers``
            filled from the files of ``tracker.d/`` (the split layout, version 2).
        known_ids: ids of brokers that exist but were not read (a command on one broker
            of the split layout reads that broker only); ``depends_on`` may name them.
        version: the version the layout on disk needs: 1 for one file, 2 for tracker.yaml
            with ``tracker.d/``.

    Returns:
        ``(tracker, problems)``: the tracker (None when the data cannot be modelled)
        and every problem as ``(path, message)``; no problems means valid.
    """
    problems = Problems()
    if not isinstance(data, dict):
        problems.add((), "expected a mapping with version, settings and brokers", data)
        return None, problems.items
    check_keys(data, ("version", "settings", "brokers"), (), problems)
    if data.get("version") != version:
        where = "one file per broker in tracker.d/" if version == SPLIT_VERSION else "every broker in tracker.yaml"
        hint = "" if data.get("version") in (SINGLE_FILE_VERSION, SPLIT_VERSION) else f" ({where})"
        problems.add(("version",), f"expected version: {version}{hint}", data.get("version"))
    settings = validate_settings(data.get("settings"), problems)
    raw_brokers = data.get("brokers") or {}
    brokers: dict[str, Broker] = {}
    if not isinstance(raw_brokers, dict):
        problems.add(("brokers",), "expected a mapping of broker id to record", raw_brokers)
        raw_brokers = {}
    replayable: dict[str, bool] = {}
    for broker_id, raw in raw_brokers.items():
        broker, replayable[broker_id] = _parse_broker(broker_id, raw, ("brokers", broker_id), problems)
        if broker is not None:
            brokers[broker_id] = broker
    every_id = set(raw_brokers) | set(known_ids)
    for broker_id, broker in brokers.items():
        check_broker(broker, every_id, ("brokers", broker_id), problems, readable=replayable[broker_id])
    if problems.items:
        return None, problems.items
    return Tracker(settings=Settings.from_validated(settings), brokers=brokers, version=data["version"]), []


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


_SPLIT_VERSION_LINE = re.compile(rf"^version:[ \t]*{SPLIT_VERSION}[ \t]*(?:#.*)?$", re.MULTILINE)
_BROKERS_LINE = re.compile(r"^brokers:", re.MULTILINE)


def is_split_layout_text(settings_text: str) -> bool:
    """True when tracker.yaml's text says ``version: 2`` and holds no ``brokers:`` itself:
    the split layout, even before ``tracker.d/`` has a file (git keeps no empty directory)."""
    return bool(_SPLIT_VERSION_LINE.search(settings_text)) and not _BROKERS_LINE.search(settings_text)


def tracker_from_texts(
    settings_text: str,
    broker_texts: dict[str, str] | None,
    load: Callable[[str, str], Any] = load_yaml,
    known_ids: Collection[str] = (),
    where: str = "",
) -> Tracker:
    """Load and validate a tracker from the texts of its files.

    Args:
        settings_text: tracker.yaml's text.
        broker_texts: the split layout's broker files by broker id (``tracker.d/ID.yaml``),
            or None for the single-file layout.
        load: ``load(text, filename)`` -> data; :func:`govtool.yamlio.load_yaml`, or a
            cached equivalent.
        known_ids: brokers that exist but whose files were not read.
        where: appended to each file name in messages (``@COMMIT`` for a tracker read from git).

    Returns:
        The valid tracker (``version`` 2 for the split layout).

    Raises:
        InputError: a file that does not load as YAML (``FILE:LINE``).
        ValidationError: every problem, each placed in its file at its line.
    """
    data = load(settings_text, TRACKER_FILE + where)
    if broker_texts is None:
        return tracker_from_data(settings_text, data, TRACKER_FILE + where)
    early: list[tuple[KeyPath, str]] = []
    if isinstance(data, dict):
        if "brokers" in data and data.get("version") == SPLIT_VERSION:
            early.append(
                (("brokers",), f"in the split layout (version {SPLIT_VERSION}) brokers live in {BROKERS_DIR}/")
            )
        data = {**data, "brokers": {bid: load(text, broker_file(bid) + where) for bid, text in broker_texts.items()}}
    tracker, problems = validate_data(data, known_ids, SPLIT_VERSION)
    problems = early + problems
    if problems:
        raise ValidationError(
            place_problems(problems, settings_text, broker_texts, where),
            hint="fix what is listed and run `govtool validate`; nothing was written",
        )
    assert tracker is not None
    return tracker


def place_problems(
    problems: list[tuple[KeyPath, str]], settings_text: str, broker_texts: dict[str, str] | None, where: str = ""
) -> list[str]:
    """Place each problem in its file and at its line, in file and line order.

    Args:
        problems: as :func:`validate_data` returns them, paths from the top of the
            tracker as one mapping.
        settings_text: tracker.yaml's text.
        broker_texts: in the split layout, each broker file's text by broker id (a
            problem under ``brokers.ID`` is placed in ``tracker.d/ID.yaml``); None for
            the single-file layout.

    Returns:
        Lines ``FILE:LINE: field.path: message``.
    """
    if broker_texts is None:
        return format_problems(settings_text, problems, TRACKER_FILE + where)
    by_file: dict[str, list[tuple[KeyPath, str]]] = {}
    for path, message in problems:
        if len(path) >= 2 and path[0] == "brokers" and path[1] in broker_texts:
            by_file.setdefault(str(path[1]), []).append((path[2:], message))
        else:
            by_file.setdefault("", []).append((path, message))
    lines = format_problems(settings_text, by_file.pop("", []), TRACKER_FILE + where)
    for broker_id in sorted(by_file):
        lines += format_problems(broker_texts[broker_id], by_file[broker_id], broker_file(broker_id) + where)
    return lines


def format_problems(text: str, problems: list[tuple[KeyPath, str]], filename: str) -> list[str]:
    """Place each problem at its line: ``FILE:LINE: path: message``, in line order."""
    lines = line_index(text)
    placed = [(line_of(lines, path), format_path(path), message) for path, message in problems]
    placed.sort(key=lambda item: item[0])
    return [f"{filename}:{line}: {where}: {message}" for line, where, message in placed]
