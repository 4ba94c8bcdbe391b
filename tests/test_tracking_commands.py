"""The implementation-tracking commands through the real CLI, on real files."""

from __future__ import annotations

import json

from conftest import snapshot

from govtool.storage import read_tracker


def test_implementation_path_from_approved_to_completed(make_repo, govtool):
    root = make_repo({"alpaca": "approved"})
    assert govtool(root, "start", "alpaca", now="2026-02-02T09:00:00Z").exit_code == 0
    result = govtool(root, "progress", "alpaca", "40", "--note", "OAuth done", now="2026-02-03T09:00:00Z")
    assert result.exit_code == 0, result.stderr
    assert "alpaca: progress recorded by Test Dev (In Progress, 40%)" in result.stdout
    assert govtool(root, "block", "alpaca", "Waiting for API access", now="2026-02-03T10:00:00Z").exit_code == 0
    assert govtool(root, "block", "alpaca", "Budget approval needed", now="2026-02-03T11:00:00Z").exit_code == 0

    refused = govtool(root, "complete", "alpaca")
    assert refused.exit_code == 2 and "open blockers" in refused.stderr
    several = govtool(root, "unblock", "alpaca")
    assert several.exit_code == 2 and "2 blockers are open" in several.stderr
    assert govtool(root, "unblock", "alpaca", "--blocker", "2", now="2026-02-04T09:00:00Z").exit_code == 0
    assert govtool(root, "unblock", "alpaca", now="2026-02-04T10:00:00Z").exit_code == 0
    assert govtool(root, "complete", "alpaca", "--by", "Dana", now="2026-02-05T09:00:00Z").exit_code == 0

    broker = read_tracker(root).broker("alpaca")
    assert broker.status == "completed" and broker.progress == 100 and broker.blockers == []
    assert [e.event for e in broker.history][-7:] == [
        "implementation_started",
        "progress",
        "blocked",
        "blocked",
        "unblocked",
        "unblocked",
        "completed",
    ]
    unblocked = broker.events("unblocked")
    assert [e.details["reason"] for e in unblocked] == ["Budget approval needed", "Waiting for API access"]
    assert broker.history[-1].by == "Dana" and broker.history[1].by == "Dev"
    assert broker.events("progress")[0].details == {"percent": 40, "note": "OAuth done"}
    # Every change re-rendered the docs.
    assert govtool(root, "render", "--check").exit_code == 0
    assert "| Alpaca |" in (root / "docs/brokers/broker-integration-tracker.md").read_text()
    assert "✅ Completed" in (root / "docs/brokers/broker-integration-tracker.md").read_text()


def test_blocked_broker_shows_its_blocker_on_the_dashboard(make_repo, govtool):
    root = make_repo({"alpaca": "in_progress", "oanda": "researching"})
    (root / "tracker.yaml").write_text(
        (root / "tracker.yaml").read_text().replace("  oanda:\n", "  oanda:\n    depends_on:\n    - alpaca\n")
    )
    govtool(root, "render")
    assert govtool(root, "block", "alpaca", "Waiting for API access").exit_code == 0
    data = json.loads(govtool(root, "status", "--json").stdout)
    rows = {row["id"]: row for row in data["brokers"]}
    assert rows["alpaca"]["blockers"] == ["Waiting for API access"]
    assert rows["oanda"]["blockers"] == ["Waiting for Alpaca"]


def test_reopen_sends_rejected_and_on_hold_back_to_research(make_repo, govtool):
    root = make_repo({"alpaca": "rejected", "oanda": "on_hold", "ibkr": "completed"})
    assert govtool(root, "reopen", "alpaca", "--reason", "New pricing").exit_code == 0
    assert govtool(root, "reopen", "oanda").exit_code == 0
    tracker = read_tracker(root)
    assert tracker.broker("alpaca").status == "researching"
    assert tracker.broker("alpaca").history[-1].details == {"reason": "New pricing"}
    assert tracker.broker("oanda").status == "researching"
    before = snapshot(root)
    refused = govtool(root, "reopen", "ibkr")
    assert refused.exit_code == 2
    assert "cannot reopen a broker that is completed (it needs rejected or on hold)" in refused.stderr
    assert snapshot(root) == before


def test_every_transition_the_table_forbids_is_refused(make_repo, govtool):
    stages = ["researching", "pending", "approved", "rejected", "on_hold", "in_progress", "completed"]
    root = make_repo({s.replace("_", "-"): s for s in stages})
    allowed = {
        ("start", "approved"),
        ("progress", "in-progress"),
        ("block", "in-progress"),
        ("complete", "in-progress"),
        ("reopen", "rejected"),
        ("reopen", "on-hold"),
    }
    args = {"start": [], "progress": ["10"], "block": ["x"], "unblock": [], "complete": [], "reopen": []}
    for command, extra in args.items():
        for broker in [s.replace("_", "-") for s in stages]:
            if (command, broker) in allowed:
                continue
            before = snapshot(root)
            result = govtool(root, command, broker, *extra)
            assert result.exit_code == 2, (command, broker, result.stdout)
            assert snapshot(root) == before, (command, broker)


def test_list_and_show(make_repo, govtool):
    root = make_repo({"alpaca": "pending", "oanda": "researching", "ibkr": "completed"})
    listed = json.loads(govtool(root, "list", "--json").stdout)
    assert {row["id"] for row in listed} == {"alpaca", "oanda", "ibkr"}
    pending = json.loads(govtool(root, "list", "--status", "pending", "--json").stdout)
    assert [row["id"] for row in pending] == ["alpaca"]
    text = govtool(root, "list", "--status", "on-hold").stdout
    assert "no brokers with status on_hold" in text
    shown = json.loads(govtool(root, "show", "alpaca", "--json").stdout)
    assert shown["status"] == "pending"
    assert [e["event"] for e in shown["history"]] == ["research_started", "research_completed", "pm_notified"]
    assert shown["history"][0]["at"] == "2026-01-05T09:00:00Z"
    human = govtool(root, "show", "alpaca").stdout
    assert "Alpaca (alpaca)" in human and "pm_notified" in human


def test_root_from_environment_and_from_a_subdirectory(make_repo, govtool, monkeypatch):
    root = make_repo({"alpaca": "pending"})
    sub = root / "docs" / "brokers"
    monkeypatch.chdir(sub)
    assert "Alpaca" in govtool(None, "status").stdout
    monkeypatch.chdir(root.parent)
    monkeypatch.setenv("GOVTOOL_ROOT", str(root))
    assert "Alpaca" in govtool(None, "status").stdout


def test_a_blank_note_is_no_note_and_a_blank_reason_is_refused(make_repo, govtool):
    root = make_repo({"acme": "in_progress"})
    assert govtool(root, "progress", "acme", "40", "--note", " \u0085 ").exit_code == 0
    last = read_tracker(root).brokers["acme"].history[-1]
    assert last.event == "progress" and last.details == {"percent": 40}
    before = snapshot(root)
    result = govtool(root, "block", "acme", "\u2003")
    assert result.exit_code == 2 and "reason" in result.stderr
    assert snapshot(root) == before
