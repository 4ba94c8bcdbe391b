"""Notifying the PM, recording decisions, delivery by SMTP and Slack, the outbox, --commit."""

from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import subprocess as sp
import sys
import time

import pytest
from conftest import eml_id, filled_research_doc, free_port, message_id, run_process, snapshot

from govtool.storage import read_tracker

TOKEN = "xoxb-secret-token-0123456789"
PASSWORD = "smtp-pass-word-9876"
OUTBOX = ".govtool/outbox"


@pytest.fixture
def ready(make_repo):
    """A repo with acme researched (doc complete) and alpaca approved."""
    root = make_repo({"acme": "researching", "alpaca": "approved"})
    (root / "docs/brokers/api-research").mkdir(parents=True, exist_ok=True)
    (root / "docs/brokers/api-research/acme.md").write_text(filled_research_doc())
    return root


@pytest.fixture
def slack_env(monkeypatch, slack_server):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)
    return slack_server


@pytest.fixture(autouse=True)
def no_services(monkeypatch):
    """No channel configured unless a test configures one."""
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "GOVTOOL_SMTP_HOST", "GOVTOOL_SMTP_PORT"):
        monkeypatch.delenv(name, raising=False)


def files_in(root, state: str) -> list:
    return sorted((root / OUTBOX / state).glob("*.json"))


def entries(root, state: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in files_in(root, state)]


# ---------------------------------------------------------------- channels


def test_notify_refuses_while_research_check_fails(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    before = snapshot(root)
    result = govtool(root, "notify", "acme", "--sent-by-hand")
    assert result.exit_code == 1
    assert "the PM is not notified" in result.stderr
    assert "docs/brokers/api-research/acme.md:" in result.stdout  # the findings are listed
    assert snapshot(root) == before


def test_with_no_channel_nothing_is_recorded_and_the_message_is_printed(ready, govtool):
    before = snapshot(ready)
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 2
    assert "Subject: [BROKER INTEGRATION] API Research Completed - Acme" in result.stdout
    assert "nothing was sent or recorded: no channel is configured" in result.stderr
    assert "--sent-by-hand" in result.stderr
    assert snapshot(ready) == before
    assert not (ready / OUTBOX).exists()
    # Sent by hand: recorded as such, nothing sent, nothing in the outbox.
    by_hand = govtool(ready, "notify", "acme", "--sent-by-hand")
    assert by_hand.exit_code == 0, by_hand.stderr
    assert "sent by hand; govtool sent nothing" in by_hand.stdout
    event = read_tracker(ready).broker("acme").history[-1]
    assert event.event == "pm_notified" and event.details["via"] == "by_hand"
    assert not files_in(ready, "pending") and not files_in(ready, "sent")


def test_notify_records_research_completed_first(ready, govtool, smtp_env):
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 0, result.stderr
    assert "recorded research_completed for acme" in result.stdout
    events = [e.event for e in read_tracker(ready).broker("acme").history]
    assert events == ["research_started", "research_completed", "pm_notified"]
    tracker_doc = (ready / "docs/brokers/broker-integration-tracker.md").read_text()
    assert "| Acme | 2026-02-02 | 2026-02-02 |" in tracker_doc  # research date, then PM notified


def test_notify_mails_every_template_field_by_default(ready, govtool, smtp_env):
    result = govtool(ready, "notify", "acme", "--by", "Dana Dev")
    assert result.exit_code == 0, result.stderr
    assert "recorded pm_notified for acme (by email)" in result.stdout
    (sent,) = smtp_env.messages
    assert sent["to"] == ["pm@example.com"]
    message = email.message_from_bytes(sent["data"], policy=email.policy.default)
    assert message["Subject"] == "[BROKER INTEGRATION] API Research Completed - Acme"
    body = message.get_content()
    for field in (
        "Hi PM,",
        "**Broker**: Acme",
        "**Priority Tier**: Tier 2",
        "**API Documentation**: https://example.com/docs",
        "- Authentication: OAuth 2.0",
        "- Rate Limits: 100 requests/minute",
        "- Costs: Free",
        "- Access: Public",
        "- Data Coverage: 2 years of fills",
        "- API Access: Free",
        "- Development Time: 3 days",
        "- Maintenance: Low",
        "- Total Estimated Cost: Free + 3 days dev time",
        "**Recommendation**: Implement (decision matrix: 4.00, approve (high priority))",
        "**Risk Assessment**: Medium",
        "**User Demand**: High",
        "- [ ] PM approval for implementation",
        "**Full Research Document**: docs/brokers/api-research/acme.md",
        "Please review and let me know if you approve moving forward with implementation.",
        "Dana Dev",
    ):
        assert field in body, field
    broker = read_tracker(ready).broker("acme")
    assert broker.status == "pending"
    assert broker.history[-1].details == {"kind": "research-completed", "to": "pm@example.com", "via": "email"}
    # sent/ holds exactly what was delivered, by its id; nothing waits.
    (entry,) = entries(ready, "sent")
    assert entry["id"] == eml_id(sent["data"]) and entry["delivered_at"] == "2026-02-02T10:00:00Z"
    assert entry["record"] == {
        "file": "tracker",
        "broker": "acme",
        "index": 2,
        "event": "pm_notified",
        "at": "2026-02-02T10:00:00Z",
    }
    assert not files_in(ready, "pending") and not files_in(ready, "inflight")
    assert result.stdout.startswith(entry["payload"]["eml"])  # what notify prints is what it mailed


def test_the_notification_carries_the_risks_and_the_user_demand_evidence(ready, govtool):
    doc = ready / "docs/brokers/api-research/acme.md"
    text = filled_research_doc().replace(
        "| Vendor lock-in | Medium | |",
        "| Vendor lock-in | Medium | |\n| Compliance/legal | High | <!-- ask legal --> KYC data crosses borders |",
    )
    doc.write_text(text)
    body = govtool(ready, "notify", "acme", "--dry-run").stdout
    risks = body.split("**Risk Assessment**: Medium\n", 1)[1].split("\n\n", 1)[0]
    assert risks.split("\n") == [
        "- Real findings for risk assessment.",
        "- API stability: Low (versioned API, changelog published)",
        "- Vendor lock-in: Medium",
        "- Compliance/legal: High (KYC data crosses borders)",
    ]
    demand = body.split("**User Demand**: High\n", 1)[1].split("\n\n", 1)[0]
    assert demand.split("\n") == ["- 35% of surveyed users hold an account", "- 120 votes on the feedback board"]
    assert "see section 10" not in body
    # A doc with neither: the message says where they belong instead of pointing at nothing.
    start, end = text.index("| Risk | Level"), text.index("\n## 11.")
    bare = text[:start] + text[end:]
    bare = bare.replace("- **User demand evidence**: 35% of surveyed users hold an account\n", "")
    doc.write_text(bare.replace("  - 120 votes on the feedback board\n", ""))
    body = govtool(ready, "notify", "acme", "--dry-run").stdout
    assert "**Risk Assessment**: Medium\n- Real findings for risk assessment.\n\n" in body
    assert "- Market share, user base, competitive advantage: not written in the research document" in body


def test_a_notification_of_one_broker_file_still_knows_its_dependencies(make_repo, govtool):
    """In the split layout notify reads the broker's file, and those of the brokers it depends on."""
    root = make_repo({"alpaca": "completed", "oanda": "in_progress", "acme": "in_progress"})
    text = (root / "tracker.yaml").read_text()
    text = text.replace("  acme:\n    name: Acme\n", "  acme:\n    name: Acme\n    depends_on: [alpaca, oanda]\n", 1)
    (root / "tracker.yaml").write_text(text)
    assert govtool(root, "migrate").exit_code == 0
    assert (root / "tracker.d/acme.yaml").is_file()
    result = govtool(root, "notify", "acme", "--kind", "issues-discovered", "--message", "Slow fills", "--dry-run")
    assert result.exit_code == 0, result.stderr
    blockers = result.stdout.split("**Open blockers**:\n", 1)[1].split("\n\n", 1)[0]
    assert blockers == "- Waiting for Oanda", blockers  # alpaca is completed


def test_dry_run_and_the_flags_that_opt_out(ready, govtool, smtp_env):
    before = snapshot(ready)
    dry = govtool(ready, "notify", "acme", "--urgent", "--dry-run")
    assert dry.exit_code == 0
    assert "Subject: [BROKER INTEGRATION] [URGENT] API Research Completed - Acme" in dry.stdout
    assert snapshot(ready) == before and not (ready / OUTBOX).exists()
    off = govtool(ready, "notify", "acme", "--no-email")
    assert off.exit_code == 2 and "every configured channel is turned off (--no-email)" in off.stderr
    missing = govtool(ready, "notify", "acme", "--slack")
    assert missing.exit_code == 2 and "--slack: slack is not configured" in missing.stderr
    both = govtool(ready, "notify", "acme", "--email", "--sent-by-hand")
    assert both.exit_code == 2 and "--sent-by-hand: govtool sends nothing then" in both.stderr
    assert snapshot(ready) == before and smtp_env.messages == []


def test_email_and_slack_by_default_each_message_once_with_its_id(ready, govtool, smtp_env, slack_env):
    assert govtool(ready, "notify", "acme").exit_code == 0
    (post,) = slack_env.posts()
    assert post["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert post["body"]["channel"] == "#broker-integrations"
    assert "API Research Completed - Acme" in post["body"]["text"]
    assert post["body"]["blocks"][0]["type"] == "header"
    sent = {e["channel"]: e["id"] for e in entries(ready, "sent")}
    assert sent == {"email": eml_id(smtp_env.messages[0]["data"]), "slack": message_id(post["body"])}
    assert read_tracker(ready).broker("acme").history[-1].details["via"] == "email, slack"


# ---------------------------------------------------------------- failures and the outbox


def test_a_429_with_retry_after_is_retried_then_delivered(ready, govtool, slack_env):
    slack_env.mode = "ratelimit_once"
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 0, result.stderr
    assert len(slack_env.posts()) == 2 and len(slack_env.delivered_ids()) == 1
    assert not files_in(ready, "pending")


def test_a_retry_after_past_the_bound_keeps_the_message_and_exits_3(ready, govtool, slack_env):
    slack_env.mode = "ratelimit"  # Retry-After: 3600
    started = time.monotonic()
    result = govtool(ready, "notify", "acme")
    assert time.monotonic() - started < 10  # no hour-long sleep
    assert result.exit_code == 3
    assert "Retry-After 3600 s is past govtool's 30 s bound" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"  # recorded with its message waiting
    (waiting,) = entries(ready, "pending")
    assert waiting["attempts"] == 1 and "Retry-After 3600" in waiting["last_error"]
    assert not files_in(ready, "sent")
    slack_env.mode = "ok"
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert slack_env.delivered_ids() == [waiting["id"]]


def test_invalid_auth_keeps_one_outbox_message_and_flush_delivers_it(ready, govtool, slack_env):
    slack_env.mode = "invalid_auth"
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3
    assert "invalid_auth" in result.stderr and "outbox flush" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"  # the change is saved
    (kept,) = files_in(ready, "pending")
    listed = json.loads(govtool(ready, "outbox", "list", "--json").stdout)
    assert [(m["state"], m["channel"], m["broker"]) for m in listed] == [("pending", "slack", "acme")]
    still = govtool(ready, "outbox", "flush")
    assert still.exit_code == 3
    assert json.loads(kept.read_text())["attempts"] == 2
    slack_env.mode = "ok"
    flushed = govtool(ready, "outbox", "flush")
    assert flushed.exit_code == 0, flushed.stderr
    assert not files_in(ready, "pending")
    assert [e["attempts"] for e in entries(ready, "sent")] == [3]
    assert govtool(ready, "outbox", "flush").stdout.strip() == "the outbox is empty"
    assert len(slack_env.posts()) == 3 and len(slack_env.delivered_ids()) == 1


def test_an_unreachable_slack_keeps_one_message(ready, govtool, monkeypatch, slack_server):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3
    assert "Slack is unreachable" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"
    assert len(files_in(ready, "pending")) == 1
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert len(slack_server.posts()) == 1


def test_undeliverable_mail_goes_to_the_outbox(ready, govtool, monkeypatch, smtp_server):
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(free_port()))
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3 and "SMTP 127.0.0.1" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"
    assert not files_in(ready, "sent")  # sent/ means sent
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert len(smtp_server.messages) == 1
    assert b"API Research Completed - Acme" in smtp_server.messages[0]["data"]


def test_no_output_outbox_or_error_contains_a_secret(ready, govtool, monkeypatch, slack_env, smtp_env):
    slack_env.mode = "invalid_auth"
    monkeypatch.setenv("GOVTOOL_SMTP_USER", "bot")
    monkeypatch.setenv("GOVTOOL_SMTP_PASSWORD", PASSWORD)
    outputs = []
    result = govtool(ready, "notify", "acme")
    outputs += [result.stdout, result.stderr]
    assert result.exit_code == 3
    # The server offers no STARTTLS: the password is never sent, the mail waits.
    assert "credentials are never sent without TLS" in result.stderr
    assert smtp_env.messages == []
    for args in (["outbox", "list"], ["outbox", "list", "--json"], ["outbox", "flush"], ["show", "acme", "--json"]):
        r = govtool(ready, *args)
        outputs += [r.stdout, r.stderr]
    files = [p.read_text(errors="replace") for p in ready.rglob("*") if p.is_file()]
    for text in outputs + files:
        assert TOKEN not in text
        assert PASSWORD not in text
    assert len(files_in(ready, "pending")) == 2


# ---------------------------------------------------------------- write-ahead recovery


def _entry(root, govtool, smtp_env) -> dict:
    """A notify whose email is delivered; returns its sent entry (a template for hand-made ones)."""
    assert govtool(root, "notify", "acme").exit_code == 0
    (entry,) = entries(root, "sent")
    return entry


def test_a_message_left_by_a_killed_run_is_delivered_by_the_next_command(ready, govtool, smtp_env):
    entry = _entry(ready, govtool, smtp_env)
    # As if notify had died after its write-ahead: the record exists, the message never went out.
    (ready / OUTBOX / "sent" / f"{entry['id']}.json").unlink()
    left = dict(entry, attempts=0, delivered_at=None)
    (ready / OUTBOX / "pending" / f"{entry['id']}.json").write_text(json.dumps(left))
    result = govtool(ready, "notify", "alpaca", "--kind", "issues-discovered", "--message", "Fills are late")
    assert result.exit_code == 0, result.stderr
    assert f"delivered: {entry['id']}: email to pm@example.com (left by an earlier run)" in result.stdout
    assert [eml_id(m["data"]) for m in smtp_env.messages].count(entry["id"]) == 2  # once before, once now


def test_a_message_whose_record_was_never_written_is_never_sent(ready, govtool, smtp_env):
    entry = _entry(ready, govtool, smtp_env)
    orphan = dict(entry, id="20260202T100001Z-notify-acme-email-000000", attempts=0, delivered_at=None)
    orphan["record"] = dict(entry["record"], index=7, at="2026-02-02T10:00:01Z")  # no such event
    (ready / OUTBOX / "pending" / f"{orphan['id']}.json").write_text(json.dumps(orphan))
    result = govtool(ready, "outbox", "flush")
    assert result.exit_code == 0, result.stderr
    assert "never recorded" in result.stderr
    assert len(smtp_env.messages) == 1  # only the recorded one, earlier
    assert [e["id"] for e in entries(ready, "void")] == [orphan["id"]]


def test_a_claim_left_by_a_killed_flush_is_sent_again(ready, govtool, smtp_env):
    entry = _entry(ready, govtool, smtp_env)
    (ready / OUTBOX / "inflight").mkdir(exist_ok=True)
    (ready / OUTBOX / "sent" / f"{entry['id']}.json").rename(ready / OUTBOX / "inflight" / f"{entry['id']}.json")
    assert json.loads(govtool(ready, "outbox", "list", "--json").stdout)[0]["state"] == "inflight"
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert [e["id"] for e in entries(ready, "sent")] == [entry["id"]]
    assert not files_in(ready, "inflight")


def test_two_flushes_at_once_deliver_each_message_once(ready, govtool, slack_env, tmp_path):
    slack_env.mode = "invalid_auth"
    for kind, message in (("cost-discovery", "Data $99/month"), ("issues-discovered", "Late fills")):
        assert govtool(ready, "notify", "alpaca", "--kind", kind, "--message", message).exit_code == 3
    assert govtool(ready, "notify", "acme").exit_code == 3
    waiting = {e["id"] for e in entries(ready, "pending")}
    assert len(waiting) == 3
    slack_env.mode = "ok"
    env = {"SLACK_BOT_TOKEN": TOKEN, "GOVTOOL_SLACK_API_URL": slack_env.api_url, "GOVTOOL_ROOT": str(ready)}
    full = {**os.environ, **env}
    procs = [
        sp.Popen([sys.executable, "-m", "govtool", "outbox", "flush"], env=full, stdout=sp.PIPE, stderr=sp.PIPE)
        for _ in range(3)
    ]
    results = [p.communicate(timeout=60) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert all(b"Traceback" not in err for _, err in results)
    assert sorted(slack_env.delivered_ids()) == sorted(waiting)
    assert {e["id"] for e in entries(ready, "sent")} == waiting


# ---------------------------------------------------------------- the other kinds


def test_each_kind_says_what_the_process_asks_of_it(ready, govtool, smtp_env):
    tracker = (ready / "tracker.yaml").read_text().replace("monthly_api_usd: null", "monthly_api_usd: 100")
    (ready / "tracker.yaml").write_text(tracker)
    doc = filled_research_doc(cost=150, access="Partner Program")
    (ready / "docs/brokers/api-research/alpaca.md").write_text(doc.replace("acme", "alpaca"))
    assert govtool(ready, "start", "alpaca").exit_code == 0
    assert govtool(ready, "block", "alpaca", "Waiting for paper trading keys").exit_code == 0
    bodies = {}
    for kind in ("cost-discovery", "access-requirements", "implementation-decision", "issues-discovered"):
        result = govtool(ready, "notify", "alpaca", "--kind", kind, "--message", f"About {kind}.")
        assert result.exit_code == 0, result.stderr
        bodies[kind] = email.message_from_bytes(smtp_env.messages[-1]["data"], policy=email.policy.default)
    cost = bodies["cost-discovery"].get_content().replace("\r\n", "\n")
    assert "- API Access: $150/month" in cost and "- Monthly API budget: $100/month" in cost
    assert "- Against the budget: exceeds the $100/month budget by $50/month" in cost
    assert "Please approve these costs against the budget, or tell us to hold." in cost
    access = bodies["access-requirements"].get_content().replace("\r\n", "\n")
    assert "1. Apply to the Alpaca partner program (https://example.com/docs)" in access
    assert "2. Sign the partner agreement (needs your approval)" in access
    assert "Please approve requesting this access and signing the partner agreement." in access
    start = bodies["implementation-decision"].get_content().replace("\r\n", "\n")
    assert "**PM decision**: Approved on 2026-01-05" in start
    assert "- Planned start: 2026-02-03" in start and "- Expected completion: 2026-02-05" in start
    assert "Please confirm we start on 2026-02-03, or tell us when to start." in start
    issue = bodies["issues-discovered"].get_content().replace("\r\n", "\n")
    assert "About issues-discovered." in issue
    assert "**Open blockers**:\n- Waiting for paper trading keys" in issue
    assert "- Status: In Progress, 0% complete" in issue
    assert bodies["issues-discovered"]["Subject"] == "[BROKER INTEGRATION] Issues Discovered - Alpaca"
    for body in bodies.values():
        assert "approve moving forward with implementation" not in body.get_content()
    assert read_tracker(ready).broker("alpaca").status == "in_progress"  # other kinds change no status


# ---------------------------------------------------------------- decisions


def test_decide_records_the_decision_and_renders_the_log(ready, govtool):
    assert govtool(ready, "notify", "acme", "--sent-by-hand").exit_code == 0
    result = govtool(ready, "decide", "acme", "approved", "--by", "John", "--reason", "High demand, free API")
    assert result.exit_code == 0, result.stderr
    assert "recorded but not announced: no channel is configured" in result.stderr  # recorded whatever the channels
    event = read_tracker(ready).broker("acme").history[-1]
    assert event.event == "decision" and event.by == "John"
    assert event.details == {
        "decision": "approved",
        "reason": "High demand, free API",
        "score": 4.0,
        "band": "approve (high priority)",
    }
    assert "differs from the decision matrix" not in result.stdout
    log = (ready / "docs/brokers/decision-log.md").read_text()
    assert "### D1: Alpaca ✅ APPROVED" in log  # alpaca's decision came first
    assert "### D2: Acme ✅ APPROVED" in log
    assert "**Rationale**: High demand, free API" in log
    assert "**Decided by**: John" in log
    assert "| D2 | Should we integrate Acme? | ✅ APPROVED | 2026-02-02 | John |" in log
    guide = (ready / "docs/brokers/integrations/acme.md").read_text()
    for heading in ("## Setup", "## Testing", "## Troubleshooting"):
        assert heading in guide
    assert govtool(ready, "render", "--check").exit_code == 0


def test_a_decision_that_differs_from_the_matrix_band_is_said_and_recorded(ready, govtool):
    doc = ready / "docs/brokers/api-research/acme.md"
    doc.write_text(filled_research_doc())
    flags = ["--user-demand", "3", "--cost-benefit", "2", "--technical-feasibility", "3", "--strategic-fit", "2.5"]
    assert govtool(ready, "score", "acme", *flags, "--risk-assessment", "2").exit_code == 0  # 2.58: on hold
    assert govtool(ready, "notify", "acme", "--sent-by-hand").exit_code == 0
    result = govtool(ready, "decide", "acme", "rejected", "--by", "John", "--reason", "Budget cut")
    assert result.exit_code == 0, result.stderr
    assert (
        "note: the decision (rejected) differs from the decision matrix, whose band is on hold "
        "(weighted total 2.58); recorded, and shown in the decision log" in result.stdout
    )
    event = read_tracker(ready).broker("acme").history[-1]
    assert event.details["band"] == "on hold" and event.details["differs_from_band"] is True
    log = (ready / "docs/brokers/decision-log.md").read_text()
    entry = log.split("### D2: Acme", 1)[1].split("---", 1)[0]
    assert "**Decision**: **Rejected** (decision matrix: 2.58, on hold)" in entry
    assert "**Differs from the decision matrix**: its band was on hold; the PM decided rejected." in entry
    assert "| D2 | Should we integrate Acme? | ❌ REJECTED (matrix: on hold) |" in log
    assert govtool(ready, "validate").exit_code == 0


def test_decide_announces_on_every_configured_channel(ready, govtool, smtp_env, slack_env):
    assert govtool(ready, "notify", "acme").exit_code == 0
    result = govtool(ready, "decide", "acme", "on hold", "--by", "Jane <jane@example.com>", "--reason", "Budget")
    assert result.exit_code == 0, result.stderr
    assert "acme: Pending → On Hold" in result.stdout
    mail = email.message_from_bytes(smtp_env.messages[-1]["data"], policy=email.policy.default)
    assert mail["Subject"] == "[BROKER INTEGRATION] PM Decision - Acme: On Hold"
    assert "**Decided by**: Jane <jane@example.com>" in mail.get_content()
    assert "PM Decision - Acme: On Hold" in slack_env.posts()[-1]["body"]["text"]
    assert read_tracker(ready).broker("acme").history[-1].details["via"] == "email, slack"
    only_mail = govtool(ready, "decide", "acme", "rejected", "--by", "Jane", "--reason", "No", "--no-slack")
    assert only_mail.exit_code == 0 and len(slack_env.posts()) == 2 and len(smtp_env.messages) == 3


def test_reject_and_hold_need_a_reason_and_a_pending_broker(ready, govtool):
    assert govtool(ready, "notify", "acme", "--sent-by-hand").exit_code == 0
    before = snapshot(ready)
    no_reason = govtool(ready, "decide", "acme", "rejected", "--by", "John")
    assert no_reason.exit_code == 2 and "a reason is required to reject" in no_reason.stderr
    assert govtool(ready, "decide", "acme", "maybe", "--by", "John").exit_code == 2
    wrong_state = govtool(ready, "decide", "alpaca", "approved", "--by", "John")
    assert wrong_state.exit_code == 2 and "cannot decide a broker that is approved" in wrong_state.stderr
    assert snapshot(ready) == before
    assert govtool(ready, "decide", "acme", "on_hold", "--by", "John", "--reason", "Budget").exit_code == 0
    assert read_tracker(ready).broker("acme").status == "on_hold"
    assert not (ready / "docs/brokers/integrations/acme.md").exists()


def _git(root, *args):
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def _git_repo(root):
    _git(root, "init", "-q", "-b", "main")
    _git(root, "config", "user.name", "Dev")
    _git(root, "config", "user.email", "dev@example.com")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "start")


def test_commit_puts_exactly_the_changed_files_in_one_commit_by_the_decider(ready, govtool):
    _git_repo(ready)
    assert govtool(ready, "notify", "acme", "--sent-by-hand", "--commit").exit_code == 0
    (ready / "unrelated.txt").write_text("staged but not mine")
    _git(ready, "add", "unrelated.txt")
    result = govtool(ready, "decide", "acme", "approved", "--by", "John <john@example.com>", "--commit")
    assert result.exit_code == 0, result.stderr
    log = _git(ready, "log", "-1", "--format=%an <%ae>|%s")
    assert log.strip() == "John <john@example.com>|govtool: approve acme (by John)"
    files = set(_git(ready, "show", "--name-only", "--format=", "HEAD").split())
    assert files == {
        "tracker.yaml",
        "docs/brokers/decision-log.md",
        "docs/brokers/broker-integration-tracker.md",
        "docs/brokers/broker-priority-list.md",
        "PROJECT_MEMORY.md",
        "docs/brokers/integrations/acme.md",
    }
    assert "unrelated.txt" in _git(ready, "diff", "--cached", "--name-only")
    notify_commit = _git(ready, "log", "-1", "--skip=1", "--format=%s").strip()
    assert notify_commit == "govtool: notify PM of acme (research-completed)"


def test_commit_takes_the_deciders_email_from_the_settings_and_refuses_an_unknown_name(ready, govtool):
    _git_repo(ready)
    assert govtool(ready, "notify", "acme", "--sent-by-hand", "--commit").exit_code == 0
    before = snapshot(ready)
    unknown = govtool(ready, "decide", "acme", "approved", "--by", "Mallory", "--commit")
    assert unknown.exit_code == 2
    assert "'Mallory' is neither a contact (settings.escalation.levels) nor an approver" in unknown.stderr
    assert snapshot(ready) == before
    result = govtool(ready, "decide", "acme", "approved", "--by", "pm", "--commit")  # the level-1 contact
    assert result.exit_code == 0, result.stderr
    assert _git(ready, "log", "-1", "--format=%an <%ae>").strip() == "PM <pm@example.com>"


def test_slack_escapes_user_text(ready, govtool, slack_env):
    assert govtool(ready, "notify", "acme").exit_code == 0
    result = govtool(ready, "decide", "acme", "rejected", "--by", "John", "--reason", "<!channel> & <http://x|click>")
    assert result.exit_code == 0, result.stderr
    post = slack_env.posts()[-1]["body"]
    assert "<!channel>" not in json.dumps(post)
    assert "&lt;!channel&gt; &amp; &lt;http://x|click&gt;" in post["text"]


def test_a_decider_given_as_name_and_email_reads_as_written_in_the_log(ready, govtool):
    assert govtool(ready, "notify", "acme", "--sent-by-hand").exit_code == 0
    assert govtool(ready, "decide", "acme", "approved", "--by", "Jane Doe <jane@example.com>").exit_code == 0
    log = (ready / "docs/brokers/decision-log.md").read_text()
    assert "**Decided by**: Jane Doe \\<jane@example.com>" in log
    assert "&lt;" not in log and "&gt;" not in log


def test_a_real_process_run_of_notify_and_flush(ready, smtp_server):
    env = {"GOVTOOL_SMTP_HOST": "127.0.0.1", "GOVTOOL_SMTP_PORT": str(smtp_server.port), "GOVTOOL_ROOT": str(ready)}
    result = run_process("notify", "acme", env=env)
    assert result.exit_code == 0, result.stderr
    assert len(smtp_server.messages) == 1


def test_init_leaves_the_smtp_host_unset_until_someone_sets_it(ready, govtool, smtp_server):
    text = (ready / "tracker.yaml").read_text()
    assert "    smtp_host: null\n" in text
    assert govtool(ready, "notify", "acme").exit_code == 2  # no SMTP, no Slack: nothing recorded
    set_host = text.replace("    smtp_host: null\n", "    smtp_host: 127.0.0.1\n").replace(
        "    smtp_port: 25\n", f"    smtp_port: {smtp_server.port}\n"
    )
    (ready / "tracker.yaml").write_text(set_host)
    assert govtool(ready, "validate").exit_code == 0
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 0, result.stderr
    assert len(smtp_server.messages) == 1


@pytest.mark.parametrize("via", ["token", "webhook"])
def test_retry_after_is_honoured_until_the_waits_add_up_past_the_bound(slack_server, via):
    """Two 429s with Retry-After 0.3 s and a bound of 0.5 s: the first wait is honoured,
    the second would pass the bound, so the message is refused at once (it waits in the outbox)."""
    from govtool.errors import DeliveryError
    from govtool.slack import SlackConfig, message, post, with_id

    slack_server.mode, slack_server.retry_after = "ratelimit", "0.3"
    if via == "token":
        config = SlackConfig(token=TOKEN, api_url=slack_server.api_url, retry_after_bound=0.5)
    else:
        config = SlackConfig(webhook_url=f"http://127.0.0.1:{slack_server.port}/webhook/x", retry_after_bound=0.5)
    started = time.monotonic()
    with pytest.raises(DeliveryError, match=r"Retry-After 0\.3 s is past govtool's 0\.5 s bound \(waited 0\.3 s\)"):
        post(config, with_id(message("#c", "t", []), "id-1"))
    assert 0.3 <= time.monotonic() - started < 5
    assert len(slack_server.requests) == 2


def test_a_message_kept_by_an_older_version_is_delivered_by_flush(ready, govtool, smtp_env):
    """Older versions kept failed messages directly under .govtool/outbox/, already recorded."""
    old = {
        "id": "20260117T090000-email-abc123",
        "created_at": "2026-01-17T09:00:00Z",
        "channel": "email",
        "purpose": "notify",
        "broker": "acme",
        "payload": {"eml": "Subject: old\n\nkept\n", "from": "govtool@example.com", "to": ["pm@example.com"]},
        "attempts": 1,
        "last_error": "SMTP down",
        "extra": {},
    }
    (ready / OUTBOX).mkdir(parents=True)
    (ready / OUTBOX / f"{old['id']}.json").write_text(json.dumps(old))
    assert [m["state"] for m in json.loads(govtool(ready, "outbox", "list", "--json").stdout)] == ["pending"]
    result = govtool(ready, "outbox", "flush")
    assert result.exit_code == 0, result.stderr
    assert [m["data"] for m in smtp_env.messages] == [b"Subject: old\r\n\r\nkept\r\n"]
    assert [e["id"] for e in entries(ready, "sent")] == [old["id"]]
    assert not list((ready / OUTBOX).glob("*.json"))
