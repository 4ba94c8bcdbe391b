"""This repository's own governance data: the brokers of the team's source documents."""

from __future__ import annotations

import datetime as dt

from conftest import REPO, shared_path

from govtool.derived_docs import stale_docs
from govtool.model import dump_broker, dump_tracker_settings, replay_history
from govtool.storage import read_tracker

TWELVE = {
    "IBKR", "Tradovate", "NinjaTrader", "Binance", "Alpaca", "OANDA", "TopstepX",
    "Charles Schwab", "TradeStation", "Zerodha", "Groww", "Angel One",
}  # fmt: skip


def test_the_twelve_brokers_of_the_source_documents():
    tracker = read_tracker(REPO)
    assert {b.name for b in tracker.brokers.values()} == TWELVE


def test_every_broker_is_named_in_the_source_documents():
    """This repo's data against the team's documents (../shared/seeds, see conftest.shared_path)."""
    seeds = "".join(p.read_text(encoding="utf-8") for p in shared_path("seeds").glob("*.md"))
    for name in TWELVE:
        assert name in seeds, name


def test_dates_and_states_from_the_process_document():
    tracker = read_tracker(REPO)
    ibkr = tracker.broker("ibkr")
    assert ibkr.status == "completed"
    assert ibkr.events("research_completed")[0].date == dt.date(2025, 12, 15)
    assert ibkr.events("pm_notified")[0].date == dt.date(2025, 12, 15)
    assert ibkr.events("decision")[0].details["decision"] == "approved"
    tradovate = tracker.broker("tradovate")
    assert tradovate.status == "completed"
    assert tradovate.events("pm_notified")[0].date == dt.date(2025, 12, 20)
    for bid in ("alpaca", "ninjatrader"):
        broker = tracker.broker(bid)
        assert broker.status == "pending"
        assert broker.events("pm_notified")[0].date == dt.date(2026, 1, 17)
        assert broker.events("research_completed")[0].date == dt.date(2026, 1, 17)
    assert tracker.broker("ninjatrader").type == "CSV"
    assert tracker.broker("ninjatrader").notes == "CSV import first"
    assert tracker.broker("binance").status == "completed"


def test_priorities_of_the_workstream_guide():
    tracker = read_tracker(REPO)
    expected = {
        "alpaca": ("P0", "API", "2026-01-29", "1A", True),
        "oanda": ("P0", "API", "2026-01-30", "1B", True),
        "topstepx": ("P1", "API", "2026-02-02", "1C", False),
        "charles-schwab": ("P2", "OAuth2", "2026-02-05", "1D", False),
        "tradestation": ("P2", "API", "2026-02-07", "1E", False),
    }
    for bid, (priority, kind, eta, team, critical) in expected.items():
        b = tracker.broker(bid)
        assert (b.priority, b.type, b.eta.isoformat(), b.team, b.critical) == (priority, kind, eta, team, critical)
    for bid in ("zerodha", "groww", "angel-one"):
        assert tracker.broker(bid).type == "OAuth2"
        assert tracker.broker(bid).regions == ["India"]


def test_settings_carry_the_process_values():
    settings = read_tracker(REPO).settings.to_dict()
    levels = settings["escalation"]["levels"]
    assert [lv["role"] for lv in levels] == ["PM", "Tech Lead", "CTO / Product Director"]
    assert settings["escalation"]["expected_response_business_days"] == {"min": 2, "max": 3}
    assert settings["escalation"]["after_business_days"] == 5
    assert settings["slack"]["channel"] == "#broker-integrations"
    assert settings["email"]["subject_prefix"] == "[BROKER INTEGRATION]"
    assert settings["decision_matrix"]["weights"] == {
        "user_demand": 0.30,
        "cost_benefit": 0.25,
        "technical_feasibility": 0.20,
        "strategic_fit": 0.15,
        "risk_assessment": 0.10,
    }
    assert settings["gate"]["paths"] == ["src/services/broker/{broker}-provider.ts", "src/services/broker/{broker}/**"]


def test_every_history_replays_and_the_files_are_canonical():
    """This repo keeps one file per broker (tracker.d/); each file is exactly what govtool writes."""
    tracker = read_tracker(REPO)
    assert tracker.split and sorted(p.stem for p in (REPO / "tracker.d").glob("*.yaml")) == sorted(tracker.brokers)
    for broker in tracker.brokers.values():
        assert replay_history(broker).status == broker.status
        assert dump_broker(broker) == (REPO / "tracker.d" / f"{broker.id}.yaml").read_text(encoding="utf-8")
    assert dump_tracker_settings(tracker) == (REPO / "tracker.yaml").read_text(encoding="utf-8")
    assert stale_docs(REPO, tracker) == []


def test_every_researched_broker_has_a_doc_and_alpaca_passes_the_checklist():
    from govtool.research import check_research

    tracker = read_tracker(REPO)
    researched = [b for b in tracker.brokers.values() if b.events("research_completed")]
    assert {b.id for b in researched} == {"ibkr", "tradovate", "binance", "alpaca", "ninjatrader"}
    for broker in researched:
        assert broker.research_doc == f"docs/brokers/api-research/{broker.id}.md"
        assert (REPO / broker.research_doc).is_file()
    assert check_research(REPO, tracker, ["alpaca"]) == {"alpaca": []}
    doc = (REPO / "docs/brokers/api-research/alpaca.md").read_text()
    # The source documents' facts: OAuth 2.0, 200 requests/minute, four endpoints, 401/429/500.
    assert "authentication: OAuth 2.0" in doc and "rate_limits: 200 requests/minute" in doc
    for endpoint in ("GET /v2/account`", "GET /v2/positions`", "GET /v2/orders`", "GET /v2/account/activities`"):
        assert endpoint in doc
    for code in ("**401 Unauthorized**", "**429 Too Many Requests**", "**5xx**"):
        assert code in doc
    # And what the real spec gave it.
    assert "`https://paper-api.alpaca.markets`: Paper (**sandbox/paper**)" in doc


def test_the_decision_log_holds_the_approvals_of_the_sources():
    tracker = read_tracker(REPO)
    for bid in ("alpaca", "ninjatrader"):
        notified = tracker.broker(bid).events("pm_notified")
        assert [(e.date.isoformat(), e.details["kind"]) for e in notified] == [("2026-01-17", "research-completed")]
    log = (REPO / "docs/brokers/decision-log.md").read_text(encoding="utf-8")
    assert "### D1: IBKR ✅ APPROVED" in log
    assert "### D2: Tradovate ✅ APPROVED" in log
    assert "| D1 | Should we integrate IBKR? | ✅ APPROVED |" in log
