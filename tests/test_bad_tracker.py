"""Bad tracker input: each case exits 2, names file, line and field, and writes nothing."""

from __future__ import annotations

import re

import pytest
from conftest import snapshot

GOOD_HEAD = "version: 1\nbrokers:\n"


def _broker(status: str = "researching", extra: str = "", events: str = "") -> str:
    return (
        "  alpaca:\n"
        "    name: Alpaca\n"
        f"    status: {status}\n"
        f"{extra}"
        "    history:\n"
        "    - at: 2026-01-17T00:00:00Z\n"
        "      event: research_started\n"
        "      by: Dev\n"
        f"{events}"
    )


CASES = {
    "malformed yaml": (
        GOOD_HEAD + "  alpaca: [unclosed\n",
        4,
        "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 3)",
    ),
    "duplicate broker key": (
        GOOD_HEAD + _broker() + _broker(),
        10,
        "brokers.alpaca: duplicate key 'alpaca' (first at line 3)",
    ),
    "wrong type": (
        GOOD_HEAD + _broker(extra="    tier: high\n"),
        6,
        "brokers.alpaca.tier: expected a tier 1-4 (got 'high')",
    ),
    "unknown status": (
        GOOD_HEAD + _broker(status="shipped"),
        5,
        "brokers.alpaca.status: unknown status; expected one of researching",
    ),
    "history does not replay": (
        GOOD_HEAD + _broker(status="approved"),
        5,
        "brokers.alpaca.status: the stored status disagrees with the history, which replays to 'researching' "
        "(got 'approved')",
    ),
    "invalid transition in history": (
        GOOD_HEAD
        + _broker(
            events="    - at: 2026-01-18T00:00:00Z\n      event: implementation_started\n      by: Dev\n",
        ),
        11,
        "brokers.alpaca.history[1].event: implementation_started is not allowed here",
    ),
    "date in the wrong format": (
        GOOD_HEAD + _broker(extra="    eta: 29/01/2026\n"),
        6,
        "brokers.alpaca.eta: expected a date as YYYY-MM-DD (got '29/01/2026')",
    ),
    "progress above 100": (
        GOOD_HEAD + _broker(extra="    progress: 140\n"),
        6,
        "brokers.alpaca.progress: expected a whole percent 0-100 (got 140)",
    ),
    "timestamp without zone": (
        GOOD_HEAD + _broker(events="    - at: 2026-01-18T10:00:00\n      event: note\n      by: Dev\n      note: hi\n"),
        10,
        "brokers.alpaca.history[1].at: the timestamp needs a time zone",
    ),
    "misspelt field": (
        GOOD_HEAD + _broker(extra="    prority: P0\n"),
        6,
        "brokers.alpaca.prority: unknown field; did you mean 'priority'?",
    ),
    "id that is not a slug": (
        GOOD_HEAD + _broker().replace("  alpaca:", "  ../alpaca:"),
        3,
        "brokers.../alpaca: a broker id is lowercase letters and digits",
    ),
    "weights not summing to 1": (
        "version: 1\nsettings:\n  decision_matrix:\n    weights:\n      user_demand: 0.5\n"
        "      cost_benefit: 0.25\n      technical_feasibility: 0.2\n      strategic_fit: 0.15\n"
        "      risk_assessment: 0.1\nbrokers: {}\n",
        4,
        "settings.decision_matrix.weights: the weights must sum to 1 (they sum to 1.2)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_tracker_is_refused_with_location_and_nothing_written(case, make_repo, govtool):
    text, line, message = CASES[case]
    root = make_repo()
    (root / "tracker.yaml").write_text(text, encoding="utf-8")
    before = snapshot(root)
    for command in (["validate"], ["status"], ["render"], ["progress", "alpaca", "10"]):
        result = govtool(root, *command)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert f"tracker.yaml:{line}: " in result.stderr, result.stderr
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert snapshot(root) == before


def test_every_problem_is_reported_at_once(make_repo, govtool):
    root = make_repo()
    text = GOOD_HEAD + _broker(status="shipped", extra="    tier: 9\n    priority: P7\n    eta: soon\n")
    (root / "tracker.yaml").write_text(text, encoding="utf-8")
    result = govtool(root, "validate")
    assert result.exit_code == 2
    lines = [ln for ln in result.stderr.splitlines() if re.match(r"^(govtool: error: )?tracker\.yaml:\d+: ", ln)]
    fields = {re.search(r"tracker\.yaml:\d+: (\S+):", ln).group(1) for ln in lines}
    assert fields == {
        "brokers.alpaca.status",
        "brokers.alpaca.tier",
        "brokers.alpaca.priority",
        "brokers.alpaca.eta",
    }
    # In line order.
    numbers = [int(re.search(r"tracker\.yaml:(\d+):", ln).group(1)) for ln in lines]
    assert numbers == sorted(numbers)


def test_unknown_broker_suggests_the_closest(make_repo, govtool):
    root = make_repo({"alpaca": "approved", "oanda": "researching"})
    before = snapshot(root)
    result = govtool(root, "start", "alpacca")
    assert result.exit_code == 2
    assert "unknown broker 'alpacca'" in result.stderr
    assert "did you mean alpaca?" in result.stderr
    assert snapshot(root) == before
    assert "did you mean" in govtool(root, "show", "Oanda").stderr


def test_invalid_transition_lists_the_allowed_commands(make_repo, govtool):
    root = make_repo({"alpaca": "pending"})
    before = snapshot(root)
    result = govtool(root, "start", "alpaca")
    assert result.exit_code == 2
    assert "alpaca: cannot start a broker that is pending (it needs approved)" in result.stderr
    assert "hint: from pending the allowed commands are: decide (approved, rejected, on_hold)" in result.stderr
    assert snapshot(root) == before


def test_bad_arguments_exit_2(make_repo, govtool):
    root = make_repo({"alpaca": "in_progress"})
    before = snapshot(root)
    assert govtool(root, "progress", "alpaca", "101").exit_code == 2
    assert govtool(root, "progress", "alpaca", "-5").exit_code == 2
    assert govtool(root, "list", "--status", "shipped").exit_code == 2
    result = govtool(root, "status", "--as-of", "23/01/2026")
    assert result.exit_code == 2 and "--as-of: expected a date as YYYY-MM-DD" in result.stderr
    assert snapshot(root) == before


def test_missing_tracker_says_how_to_start(tmp_path, govtool, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = govtool(None, "status")
    assert result.exit_code == 2
    assert "no tracker.yaml in" in result.stderr and "govtool init" in result.stderr
    result = govtool(tmp_path / "nowhere", "status")
    assert result.exit_code == 2 and "no tracker here" in result.stderr


def test_debug_shows_the_traceback_and_keeps_the_exit_code(make_repo, govtool):
    root = make_repo()
    (root / "tracker.yaml").write_text("version: [\n", encoding="utf-8")
    result = govtool(root, "--debug", "validate")
    assert result.exit_code == 2
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert "govtool.yamlio.YAMLInputError: tracker.yaml:2: YAML syntax error" in result.stderr
    assert result.stderr.splitlines()[-2].startswith("govtool: error: tracker.yaml:2: YAML syntax error")


def test_every_problem_of_every_broker_is_reported_at_once(make_repo, govtool):
    """A bad field does not hide a history that does not replay, nor another broker's problems."""
    root = make_repo()
    bad_event = "    - at: 2026-01-18T00:00:00Z\n      event: progress\n      by: Dev\n      percent: 140\n"
    text = (
        GOOD_HEAD
        + _broker(status="approved", extra="    tier: 9\n    depends_on: [nobody]\n")
        + _broker(status="researching", events=bad_event).replace("  alpaca:", "  oanda:").replace("Alpaca", "OANDA")
        + _broker(
            status="pending",
            events="    - at: 2026-01-18T00:00:00Z\n      event: implementation_started\n      by: Dev\n"
            "    - at: 2026-01-15T00:00:00Z\n      event: note\n      by: Dev\n      note: older\n",
        ).replace("  alpaca:", "  ibkr:")
    )
    (root / "tracker.yaml").write_text(text, encoding="utf-8")
    result = govtool(root, "validate")
    assert result.exit_code == 2
    fields = set(re.findall(r"tracker\.yaml:\d+: (\S+):", result.stderr))
    assert fields == {
        "brokers.alpaca.tier",
        "brokers.alpaca.status",  # the history replays to researching
        "brokers.alpaca.depends_on[0]",
        "brokers.oanda.history[1].percent",
        "brokers.ibkr.history[1].event",  # not allowed from researching
        "brokers.ibkr.history[2].at",  # older than the event before it
    }, result.stderr
