"""The lifecycle of DESIGN.md ("Lifecycle"), on the core alone: no CLI, no files.

Every (status, command) pair either moves to the status the table documents or is
refused with a TransitionError whose hint lists the commands allowed from there.
"""

from __future__ import annotations

import re

import pytest

from govtool.lifecycle import LifecycleState, TransitionError, apply_event

STATUSES = ("researching", "pending", "approved", "rejected", "on_hold", "in_progress", "completed")

#: Each command of the table as the history event it appends.
COMMANDS: dict[str, tuple[str, dict]] = {
    "research new": ("research_started", {}),
    "notify": ("pm_notified", {"kind": "research-completed"}),
    "decide approved": ("decision", {"decision": "approved"}),
    "decide rejected": ("decision", {"decision": "rejected"}),
    "decide on-hold": ("decision", {"decision": "on_hold"}),
    "start": ("implementation_started", {}),
    "progress": ("progress", {"percent": 50}),
    "block": ("blocked", {"reason": "Waiting for API access"}),
    "unblock": ("unblocked", {"reason": "Waiting for API access"}),
    "complete": ("completed", {}),
    "reopen": ("reopened", {"reason": "Budget approved"}),
}

#: DESIGN.md's table: (from status, command) -> to status. None is a broker not tracked yet.
TABLE: dict[tuple[str | None, str], str] = {
    (None, "research new"): "researching",
    ("researching", "notify"): "pending",
    ("pending", "decide approved"): "approved",
    ("pending", "decide rejected"): "rejected",
    ("pending", "decide on-hold"): "on_hold",
    ("on_hold", "decide approved"): "approved",
    ("on_hold", "decide rejected"): "rejected",
    ("on_hold", "notify"): "pending",
    ("approved", "start"): "in_progress",
    ("in_progress", "progress"): "in_progress",
    ("in_progress", "block"): "in_progress",
    ("in_progress", "unblock"): "in_progress",
    ("in_progress", "complete"): "completed",
    ("rejected", "reopen"): "researching",
    ("on_hold", "reopen"): "researching",
}


def allowed_from(status: str | None) -> set[str]:
    """The commands of the table allowed from a status, as a user types them (``decide``, not its value)."""
    return {command.split()[0] if command.startswith("decide") else command for s, command in TABLE if s == status}


def state_in(status: str | None) -> LifecycleState:
    state = LifecycleState(status=status)
    if status == "in_progress":
        state.progress, state.blockers = 30, ["Waiting for API access"]
    return state


PAIRS = [(status, command) for status in (None, *STATUSES) for command in COMMANDS]


@pytest.mark.parametrize(("status", "command"), PAIRS, ids=[f"{s}-{c}" for s, c in PAIRS])
def test_every_status_and_command(status, command):
    event, details = COMMANDS[command]
    state = state_in(status)
    expected = TABLE.get((status, command))
    if expected is not None:
        apply_event(state, event, dict(details), "acme")
        assert state.status == expected
        return
    with pytest.raises(TransitionError) as refused:
        apply_event(state, event, dict(details), "acme")
    assert refused.value.exit_code == 2
    assert state.status == status  # a refused event changes nothing
    assert "acme" in refused.value.message
    hint = refused.value.hint or ""
    allowed = allowed_from(status)
    if (status, command) == ("on_hold", "decide on-hold"):
        return  # a decision refused for its value: test_a_refused_decision_from_on_hold_lists_the_allowed_commands
    if allowed:
        missing = [c for c in sorted(allowed) if c not in hint]
        assert not missing, f"the hint does not list {missing}: {hint!r}"
        listed = hint.split(":", 1)[1]
        others = {c.split()[0] if c.startswith("decide") else c for c in COMMANDS} - allowed
        wrong = [c for c in sorted(others) if re.search(rf"(?<![\w-]){c}(?![\w-])", listed)]
        assert not wrong, f"the hint lists {wrong}, which are not allowed from {status}: {hint!r}"
    else:
        assert "no command" in hint, hint


def test_the_hint_lists_the_decisions_allowed_from_pending_and_from_on_hold():
    with pytest.raises(TransitionError) as pending:
        apply_event(state_in("pending"), "implementation_started", {}, "acme")
    assert "decide (approved, rejected, on_hold)" in pending.value.hint
    with pytest.raises(TransitionError) as on_hold:
        apply_event(state_in("on_hold"), "implementation_started", {}, "acme")
    assert "decide (approved, rejected)" in on_hold.value.hint
    assert "on_hold" not in on_hold.value.hint.split("decide")[1].split(")")[0]


def test_a_refused_decision_from_on_hold_lists_the_allowed_commands():
    """DESIGN.md: any other transition is refused with a message that lists the allowed ones:
    from on hold that is decide (approved or rejected), notify and reopen."""
    with pytest.raises(TransitionError) as refused:
        apply_event(state_in("on_hold"), "decision", {"decision": "on_hold"}, "acme")
    text = f"{refused.value.message}\n{refused.value.hint}"
    for allowed in ("approved", "rejected", "notify", "reopen"):
        assert allowed in text, f"{allowed!r} is not in: {text!r}"


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize(
    ("event", "details"),
    [
        ("pm_notified", {"kind": "cost-discovery"}),
        ("pm_notified", {"kind": "access-requirements", "urgent": True}),
        ("pm_notified", {"kind": "implementation-decision"}),
        ("pm_notified", {"kind": "issues-discovered"}),
        ("escalated", {"level": 2, "reason": "no PM decision in 5 business days"}),
        ("scored", {"score": 3.5, "band": "approve (medium priority)"}),
        ("note", {"note": "called the broker"}),
    ],
)
def test_other_notifications_escalations_and_notes_change_no_status(status, event, details):
    state = state_in(status)
    before = (state.status, state.progress, list(state.blockers))
    apply_event(state, event, dict(details), "acme")
    assert (state.status, state.progress, state.blockers) == before


@pytest.mark.parametrize("event", ["pm_notified", "escalated", "scored", "note", "research_completed"])
def test_a_broker_not_tracked_takes_no_other_event(event):
    details = {"kind": "cost-discovery"} if event == "pm_notified" else {}
    with pytest.raises(TransitionError):
        apply_event(LifecycleState(), event, details, "acme")


@pytest.mark.parametrize("status", STATUSES)
def test_research_is_completed_only_while_researching(status):
    state = state_in(status)
    if status == "researching":
        apply_event(state, "research_completed", {}, "acme")
        assert state.status == "researching"
    else:
        with pytest.raises(TransitionError):
            apply_event(state, "research_completed", {}, "acme")


def test_an_unknown_event_is_refused():
    with pytest.raises(TransitionError, match="unknown event"):
        apply_event(state_in("researching"), "teleported", {}, "acme")


def replay(history: list[tuple[str, dict]]) -> LifecycleState:
    state = LifecycleState()
    for event, details in history:
        apply_event(state, event, dict(details), "acme")
    return state


def test_replaying_a_whole_history():
    history = [
        ("research_started", {}),
        ("scored", {"score": 3.5, "band": "approve (medium priority)"}),
        ("research_completed", {}),
        ("pm_notified", {"kind": "research-completed"}),
        ("escalated", {"level": 2, "reason": "no PM decision in 5 business days"}),
        ("decision", {"decision": "on_hold", "reason": "budget"}),
        ("pm_notified", {"kind": "research-completed"}),
        ("decision", {"decision": "approved"}),
        ("implementation_started", {}),
        ("progress", {"percent": 30}),
        ("blocked", {"reason": "Waiting for API access"}),
        ("blocked", {"reason": "Sandbox down"}),
        ("pm_notified", {"kind": "issues-discovered"}),
        ("unblocked", {"reason": "Waiting for API access"}),
        ("progress", {"percent": 80}),
    ]
    state = replay(history)
    assert (state.status, state.progress, state.blockers) == ("in_progress", 80, ["Sandbox down"])
    state = replay([*history, ("unblocked", {"reason": "Sandbox down"}), ("completed", {})])
    assert (state.status, state.progress, state.blockers) == ("completed", 100, [])


def test_replaying_a_rejection_and_a_reopening():
    state = replay(
        [
            ("research_started", {}),
            ("pm_notified", {"kind": "research-completed"}),
            ("decision", {"decision": "rejected", "reason": "out of scope"}),
            ("reopened", {"reason": "back in scope"}),
        ]
    )
    assert (state.status, state.progress, state.blockers) == ("researching", 0, [])
    apply_event(state, "pm_notified", {"kind": "research-completed"}, "acme")
    assert state.status == "pending"


def test_replay_stops_at_the_first_event_the_table_forbids():
    with pytest.raises(TransitionError, match="cannot start"):
        replay(
            [
                ("research_started", {}),
                ("pm_notified", {"kind": "research-completed"}),
                ("implementation_started", {}),  # not approved yet
                ("decision", {"decision": "approved"}),
            ]
        )
