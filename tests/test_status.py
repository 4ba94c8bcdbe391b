"""`govtool status`: the dashboard, business days waited, and JSON."""

from __future__ import annotations

import datetime as dt
import json

from govtool.business_days import add_business_days, business_days_between


def test_business_days_skip_weekends_and_nyse_holidays():
    saturday = dt.date(2026, 1, 17)
    # Monday 2026-01-19 is Martin Luther King Jr. Day: the market is closed.
    assert business_days_between(saturday, dt.date(2026, 1, 19)) == 0
    assert business_days_between(saturday, dt.date(2026, 1, 23)) == 4
    assert business_days_between(saturday, dt.date(2026, 1, 26)) == 5
    assert add_business_days(saturday, 5) == dt.date(2026, 1, 26)
    assert business_days_between(saturday, dt.date(2026, 1, 23), "none") == 5
    # Over a year: 2026 has 261 weekdays, 10 of them NYSE holidays.
    assert business_days_between(dt.date(2025, 12, 31), dt.date(2026, 12, 31)) == 251
    assert business_days_between(dt.date(2026, 1, 23), dt.date(2026, 1, 17)) == 0


def test_status_of_this_repo_on_the_day_of_the_source_documents(repo_copy, govtool):
    data = json.loads(govtool(repo_copy, "status", "--as-of", "2026-01-23", "--json").stdout)
    assert data["operational"] == {"completed": 3, "total": 12}
    pending = {p["id"]: p for p in data["pending_decisions"]}
    assert set(pending) == {"alpaca", "ninjatrader"}
    assert pending["alpaca"]["notified_on"] == "2026-01-17"
    assert pending["alpaca"]["business_days_waiting"] == 4
    assert pending["alpaca"]["escalation_level"] == 1
    assert pending["alpaca"]["escalation_due_on"] is None
    assert pending["alpaca"]["next_escalation"]["level"] == 2
    assert pending["alpaca"]["next_escalation"]["due_on"] == "2026-01-26"
    later = json.loads(govtool(repo_copy, "status", "--as-of", "2026-01-26", "--json").stdout)
    assert {p["id"]: p["escalation_level"] for p in later["pending_decisions"]} == {"alpaca": 2, "ninjatrader": 2}


def test_status_table_shows_the_dashboard(repo_copy, govtool):
    out = govtool(repo_copy, "status", "--as-of", "2026-01-23").stdout
    for header in ("Broker", "Status", "Progress", "ETA", "Blockers"):
        assert header in out
    assert "Overall: 3/12 brokers operational" in out
    assert "Alpaca: notified 2026-01-17, 4 business days waiting" in out
    assert "Waiting for Alpaca" in out  # OANDA depends on Alpaca
    late = govtool(repo_copy, "status", "--as-of", "2026-01-26").stdout
    assert "escalation due: level 2" in late


def test_status_defaults_to_today(repo_copy, govtool):
    data = json.loads(govtool(repo_copy, "status", "--json", now="2026-03-02T12:00:00Z").stdout)
    assert data["as_of"] == "2026-03-02"


def test_tables_show_names_and_notes_as_written(make_repo, govtool):
    """Rich markup, emoji shortcodes and escapes in user text reach the terminal literally."""
    root = make_repo({"rocket": "in_progress"})
    name = "Rocket :rocket: [bold red]Co[/] \\[x]"
    tracker = root / "tracker.yaml"
    tracker.write_text(tracker.read_text().replace("name: Rocket", f"name: '{name}'"))
    assert govtool(root, "block", "rocket", "waiting on :lock: [link=https://x.test]keys[/link]").exit_code == 0
    for argv in (["list"], ["status"], ["show", "rocket"]):
        out = govtool(root, *argv).stdout
        assert name in out, (argv, out)
        assert "🚀" not in out and "🔒" not in out
    assert "waiting on :lock: [link=https://x.test]keys[/link]" in govtool(root, "show", "rocket").stdout
