"""The Friday weekly report and PM escalations."""

from __future__ import annotations

import email
import email.policy
import json

import pytest
import yaml
from conftest import REPO, filled_research_doc, free_port, snapshot

from govtool.storage import read_tracker

GOLDEN = REPO / "tests" / "golden"


@pytest.fixture
def no_slack(monkeypatch):
    """No channel configured unless a test configures one."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "GOVTOOL_SMTP_HOST", "GOVTOOL_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)


def test_golden_report_for_the_week_ending_2026_01_23(repo_copy, govtool, no_slack):
    before = snapshot(repo_copy)
    refused = govtool(repo_copy, "report", "weekly", "--week-ending", "2026-01-23")
    assert refused.exit_code == 2 and "nothing was sent or recorded" in refused.stderr
    assert refused.stdout.startswith("# [WEEKLY] Broker Integration Status - Week of 2026-01-19\n")
    assert snapshot(repo_copy) == before  # no channel: the report is printed, nothing recorded
    result = govtool(repo_copy, "report", "weekly", "--week-ending", "2026-01-23", "--sent-by-hand")
    assert result.exit_code == 0, result.stderr
    archived = (repo_copy / "docs/brokers/reports/2026-W04.md").read_text(encoding="utf-8")
    assert archived == (GOLDEN / "report-2026-W04.md").read_text(encoding="utf-8")
    assert archived.startswith("# [WEEKLY] Broker Integration Status - Week of 2026-01-19\n")
    assert "- Alpaca: Notified on 2026-01-17, awaiting decision (4 business days) **OVERDUE**" in archived
    assert "- NinjaTrader: Notified on 2026-01-17, awaiting decision (4 business days) **OVERDUE**" in archived
    data = json.loads(govtool(repo_copy, "report", "weekly", "--week-ending", "2026-01-23", "--json").stdout)
    assert [a["name"] for a in data["awaiting"]] == ["Alpaca", "NinjaTrader"]
    ledger = yaml.safe_load((repo_copy / "docs/brokers/reports/deliveries.yaml").read_text())
    assert set(ledger["2026-W04"]) == {"by_hand"}
    # The same week reproduces byte for byte.
    assert (repo_copy / "docs/brokers/reports/2026-W04.md").read_text(encoding="utf-8") == archived


def test_a_weekend_event_counts_in_the_next_fridays_report(make_repo, govtool, no_slack):
    root = make_repo({"alpaca": "approved"})
    assert govtool(root, "start", "alpaca", now="2026-01-24T10:00:00Z").exit_code == 0  # a Saturday
    this = json.loads(govtool(root, "report", "weekly", "--week-ending", "2026-01-23", "--json").stdout)
    assert all(c["name"] != "Alpaca" or "Implementation started" not in c["items"] for c in this["completed"])
    assert this["in_progress"] == []
    assert "Start Alpaca implementation" in this["next_week"]
    following = json.loads(govtool(root, "report", "weekly", "--week-ending", "2026-01-30", "--json").stdout)
    assert {"name": "Alpaca", "items": ["Implementation started"]} in following["completed"]
    assert following["in_progress"] == [
        {"name": "Alpaca", "stage": "implementation", "progress": 0, "eta": None, "blockers": [], "since": "2026-01-24"}
    ]
    assert following["week"] == {
        "start": "2026-01-24",
        "end": "2026-01-30",
        "monday": "2026-01-26",
        "iso_week": "2026-W05",
        "archive": "docs/brokers/reports/2026-W05.md",
    }


def test_default_week_and_a_week_ending_that_is_not_a_friday(make_repo, govtool, no_slack):
    root = make_repo({"alpaca": "pending"})
    result = govtool(root, "report", "weekly", "--json", now="2026-01-25T08:00:00Z")  # a Sunday
    assert json.loads(result.stdout)["week"]["end"] == "2026-01-23"
    friday = govtool(root, "report", "weekly", "--json", now="2026-01-30T08:00:00Z")
    assert json.loads(friday.stdout)["week"]["end"] == "2026-01-30"
    before = snapshot(root)
    bad = govtool(root, "report", "weekly", "--week-ending", "2026-01-22")
    assert bad.exit_code == 2 and "is a Thursday, not a Friday" in bad.stderr
    assert snapshot(root) == before
    # --as-of DATE takes DATE as today, as in status and escalate: the last week ending on or before it.
    as_of = govtool(root, "report", "weekly", "--json", "--as-of", "2026-01-25", now="2026-03-02T08:00:00Z")
    assert json.loads(as_of.stdout)["week"]["end"] == "2026-01-23"
    both = govtool(root, "report", "weekly", "--as-of", "2026-01-25", "--week-ending", "2026-01-23")
    assert both.exit_code == 2 and "--as-of and --week-ending both name the week: give one" in both.stderr
    assert snapshot(root) == before


def test_report_sends_and_posts_once_per_week_unless_forced(repo_copy, govtool, smtp_server, slack_server, monkeypatch):
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
    args = ("report", "weekly", "--week-ending", "2026-01-23")  # every configured channel by default
    first = govtool(repo_copy, *args)
    assert first.exit_code == 0, first.stderr
    assert "recorded for 2026-W04 (by email and Slack); archived docs/brokers/reports/2026-W04.md" in first.stdout
    again = govtool(repo_copy, *args, "--send", "--slack")  # the older flags still work
    assert again.exit_code == 0 and "already sent for 2026-W04" in again.stderr
    assert len(smtp_server.messages) == 1 and len(slack_server.posts()) == 1
    message = email.message_from_bytes(smtp_server.messages[0]["data"], policy=email.policy.default)
    assert message["Subject"] == "[WEEKLY] Broker Integration Status - Week of 2026-01-19"
    assert "**Awaiting PM Approval**:" in message.get_content()
    ledger = yaml.safe_load((repo_copy / "docs/brokers/reports/deliveries.yaml").read_text())
    assert set(ledger["2026-W04"]) == {"email", "slack"}
    assert govtool(repo_copy, *args, "--force").exit_code == 0
    assert len(smtp_server.messages) == 2 and len(slack_server.posts()) == 2
    # A week delivered again keeps both times in the ledger, which still reads as a ledger.
    ledger = yaml.safe_load((repo_copy / "docs/brokers/reports/deliveries.yaml").read_text())
    assert len(ledger["2026-W04"]["email"]) == 2 and len(ledger["2026-W04"]["slack"]) == 2
    once_more = govtool(repo_copy, *args)
    assert once_more.exit_code == 0 and "already sent for 2026-W04" in once_more.stderr, once_more.stderr


def _pending_repo(make_repo, govtool, cost=0, access="Public", budget=None):
    root = make_repo({"acme": "researching"})
    if budget is not None:
        text = (root / "tracker.yaml").read_text().replace("monthly_api_usd: null", f"monthly_api_usd: {budget}")
        (root / "tracker.yaml").write_text(text)
    (root / "docs/brokers/api-research").mkdir(parents=True, exist_ok=True)
    (root / "docs/brokers/api-research/acme.md").write_text(filled_research_doc(cost=cost, access=access))
    assert govtool(root, "notify", "acme", "--sent-by-hand", now="2026-01-17T09:00:00Z").exit_code == 0
    return root


def test_escalation_after_five_business_days_then_level_3(make_repo, govtool, no_slack):
    root = _pending_repo(make_repo, govtool)
    before = snapshot(root)
    assert "nothing to escalate on 2026-01-23" in govtool(root, "escalate", "--as-of", "2026-01-23").stdout
    due = json.loads(govtool(root, "escalate", "--as-of", "2026-01-26", "--json").stdout)["due"]
    assert [(e["broker"], e["level"], e["role"]) for e in due] == [("acme", 2, "Tech Lead")]
    assert govtool(root, "escalate", "--as-of", "2026-01-26", "--dry-run").exit_code == 0
    assert snapshot(root) == before  # --json and --dry-run change nothing
    refused = govtool(root, "escalate", "--as-of", "2026-01-26")  # no channel: nothing recorded
    assert refused.exit_code == 2 and "[ESCALATION] Level 2 (Tech Lead) - Acme" in refused.stdout
    assert snapshot(root) == before
    result = govtool(root, "escalate", "--as-of", "2026-01-26", "--sent-by-hand")
    assert "acme: escalated to level 2 (Tech Lead" in result.stdout
    assert "nothing to escalate" in govtool(root, "escalate", "--as-of", "2026-01-27").stdout
    assert "nothing to escalate" in govtool(root, "escalate", "--as-of", "2026-01-30").stdout
    level3 = govtool(root, "escalate", "--as-of", "2026-02-02", "--sent-by-hand")  # 10 business days
    assert "acme: escalated to level 3 (CTO / Product Director" in level3.stdout
    events = read_tracker(root).broker("acme").events("escalated")
    assert [(e.details["level"], e.date.isoformat()) for e in events] == [(2, "2026-01-26"), (3, "2026-02-02")]
    assert read_tracker(root).broker("acme").status == "pending"
    assert "nothing to escalate" in govtool(root, "escalate", "--as-of", "2026-03-02").stdout


def test_a_decision_ends_the_escalation(make_repo, govtool, no_slack):
    root = _pending_repo(make_repo, govtool)
    assert govtool(root, "decide", "acme", "approved", "--by", "John", now="2026-01-22T09:00:00Z").exit_code == 0
    assert json.loads(govtool(root, "escalate", "--as-of", "2026-02-02", "--json").stdout)["due"] == []


@pytest.mark.parametrize(
    ("cost", "access", "budget", "reason"),
    [
        (900, "Public", 500, "budget blocker: API costs $900/month exceed the $500/month budget"),
        (0, "Partner Program", None, "partnership required: access is 'Partner Program'"),
    ],
)
def test_budget_and_partnership_escalate_to_level_3_at_once(make_repo, govtool, no_slack, cost, access, budget, reason):
    root = _pending_repo(make_repo, govtool, cost=cost, access=access, budget=budget)
    due = json.loads(govtool(root, "escalate", "--as-of", "2026-01-19", "--json").stdout)["due"]
    assert [(e["level"], e["reason"]) for e in due] == [(3, reason)]
    assert govtool(root, "escalate", "--as-of", "2026-01-19", "--sent-by-hand").exit_code == 0
    assert json.loads(govtool(root, "escalate", "--as-of", "2026-02-02", "--json").stdout)["due"] == []


def test_no_budget_set_means_no_budget_escalation(make_repo, govtool, no_slack):
    root = _pending_repo(make_repo, govtool, cost=900)
    assert json.loads(govtool(root, "escalate", "--as-of", "2026-01-19", "--json").stdout)["due"] == []


def test_escalation_mail_goes_to_the_level_contact(make_repo, govtool, smtp_server, monkeypatch, no_slack):
    root = _pending_repo(make_repo, govtool)
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    result = govtool(root, "escalate", "--as-of", "2026-01-26")  # mailed by default
    assert result.exit_code == 0, result.stderr
    assert "recorded 1 escalation(s) (by email)" in result.stdout
    (sent,) = smtp_server.messages
    assert sent["to"] == ["tech-lead@example.com"]
    message = email.message_from_bytes(sent["data"], policy=email.policy.default)
    assert message["Subject"].startswith("[BROKER INTEGRATION] [ESCALATION] Level 2 (Tech Lead) - Acme")
    assert "escalation level 2" in message.get_content()


def test_this_repos_alpaca_escalates_on_the_26th_not_the_23rd(repo_copy, govtool, no_slack):
    early = json.loads(govtool(repo_copy, "escalate", "--as-of", "2026-01-23", "--json").stdout)["due"]
    assert [e for e in early if e["broker"] == "alpaca"] == []
    late = json.loads(govtool(repo_copy, "escalate", "--as-of", "2026-01-26", "--json").stdout)["due"]
    assert ("alpaca", 2) in [(e["broker"], e["level"]) for e in late]


def test_the_weekly_workflow_is_valid():
    workflow = yaml.safe_load((REPO / ".github/workflows/weekly.yml").read_text())
    assert workflow[True]["schedule"][0]["cron"].endswith("* * 5")  # YAML reads `on:` as True
    runs = " ".join(step.get("run", "") for step in workflow["jobs"]["weekly"]["steps"])
    assert "govtool report weekly" in runs and "govtool escalate" in runs and "govtool outbox flush" in runs


def test_an_escalation_is_recorded_only_with_its_delivery(make_repo, govtool, no_slack, smtp_env, monkeypatch):
    root = _pending_repo(make_repo, govtool)
    monkeypatch.delenv("GOVTOOL_SMTP_HOST")
    assert govtool(root, "escalate", "--as-of", "2026-01-26").exit_code == 2  # nothing recorded...
    assert read_tracker(root).broker("acme").events("escalated") == []
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    result = govtool(root, "escalate", "--as-of", "2026-01-26")  # ...so the next run escalates and mails it
    assert result.exit_code == 0, result.stderr
    assert [m["to"] for m in smtp_env.messages] == [["tech-lead@example.com"]]
    (event,) = read_tracker(root).broker("acme").events("escalated")
    assert event.details == {
        "level": 2,
        "reason": event.details["reason"],
        "to": "tech-lead@example.com",
        "via": "email",
    }


def test_status_and_escalate_show_the_same_level_reason_and_due_date(make_repo, govtool, no_slack):
    root = _pending_repo(make_repo, govtool, cost=900, budget=500)
    (due,) = json.loads(govtool(root, "escalate", "--as-of", "2026-01-20", "--json").stdout)["due"]
    (pending,) = json.loads(govtool(root, "status", "--as-of", "2026-01-20", "--json").stdout)["pending_decisions"]
    assert (
        (pending["escalation_level"], pending["escalation_reason"], pending["escalation_due_on"])
        == (
            due["level"],
            due["reason"],
            due["due_on"],
        )
        == (3, "budget blocker: API costs $900/month exceed the $500/month budget", "2026-01-17")
    )
    assert pending["escalation_recorded"] is False and pending["next_escalation"] is None
    text = govtool(root, "status", "--as-of", "2026-01-20").stdout
    assert "escalation due: level 3 since 2026-01-17 (budget blocker: API costs $900/month" in text
    assert govtool(root, "escalate", "--as-of", "2026-01-20", "--sent-by-hand").exit_code == 0
    after = json.loads(govtool(root, "status", "--as-of", "2026-01-20", "--json").stdout)["pending_decisions"][0]
    assert after["escalation_recorded"] is True
    assert "escalated: level 3 since 2026-01-17" in govtool(root, "status", "--as-of", "2026-01-20").stdout


def test_status_says_level_3_after_ten_business_days_as_escalate_does(make_repo, govtool, no_slack):
    root = _pending_repo(make_repo, govtool)
    text = govtool(root, "status", "--as-of", "2026-02-02").stdout
    assert "escalation due: level 3 since 2026-02-02 (no PM decision in 10 business days (notified 2026-01-17))" in text
    (due3,) = [e for e in json.loads(govtool(root, "escalate", "--as-of", "2026-02-02", "--json").stdout)["due"]
               if e["level"] == 3]  # fmt: skip
    assert due3["reason"] == "no PM decision in 10 business days (notified 2026-01-17)"
    early = json.loads(govtool(root, "status", "--as-of", "2026-01-20", "--json").stdout)["pending_decisions"][0]
    assert early["next_escalation"] == {
        "level": 2,
        "reason": "no PM decision in 5 business days (notified 2026-01-17)",
        "due_on": "2026-01-26",
    }


def test_a_report_that_fails_waits_in_the_outbox_with_its_week(repo_copy, govtool, no_slack, smtp_env, monkeypatch):
    """The week is marked delivered only with its message in the outbox: a report whose
    delivery failed is sent by the next flush, and a second run does not send it again."""
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(free_port()))  # the server is down: the message waits
    result = govtool(repo_copy, "report", "weekly", "--week-ending", "2026-01-23")
    assert result.exit_code == 3
    ledger = yaml.safe_load((repo_copy / "docs/brokers/reports/deliveries.yaml").read_text())
    assert set(ledger["2026-W04"]) == {"email"}
    (waiting,) = (repo_copy / ".govtool/outbox/pending").glob("*.json")
    assert json.loads(waiting.read_text())["record"] == {
        "file": "ledger",
        "week": "2026-W04",
        "at": "2026-02-02T10:00:00Z",
        "channel": "email",
    }
    assert "already sent for 2026-W04" in govtool(repo_copy, "report", "weekly", "--week-ending", "2026-01-23").stderr
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_env.port))
    assert govtool(repo_copy, "outbox", "flush").exit_code == 0
    assert len(smtp_env.messages) == 1
