"""Notifying the PM, recording decisions, Slack and SMTP delivery, the outbox, --commit."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess

import pytest
from conftest import filled_research_doc, free_port, snapshot

from govtool.storage import read_tracker

TOKEN = "xoxb-secret-token-0123456789"
PASSWORD = "smtp-pass-word-9876"


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


@pytest.fixture
def no_slack(monkeypatch):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.delenv("SLACK_WEBHOOK_URL", raising=False)


def test_notify_refuses_while_research_check_fails(make_repo, govtool, no_slack):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    before = snapshot(root)
    result = govtool(root, "notify", "acme")
    assert result.exit_code == 1
    assert "the PM is not notified" in result.stderr
    assert "docs/brokers/api-research/acme.md:" in result.stdout  # the findings are listed
    assert snapshot(root) == before


def test_notify_sends_every_template_field_by_smtp(ready, govtool, smtp_server, monkeypatch, no_slack):
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    result = govtool(ready, "notify", "acme", "--send", "--by", "Dana Dev")
    assert result.exit_code == 0, result.stderr
    assert "Slack: no SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL set" in result.stderr
    (sent,) = smtp_server.messages
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
        "Dana Dev",
    ):
        assert field in body, field
    broker = read_tracker(ready).broker("acme")
    assert broker.status == "pending"
    assert broker.history[-1].event == "pm_notified"
    assert broker.history[-1].details["kind"] == "research-completed"
    emls = list((ready / ".govtool/outbox/sent").glob("*.eml"))
    assert len(emls) == 1 and "API Research Completed - Acme" in emls[0].read_text()


def test_the_notification_carries_the_risks_and_the_user_demand_evidence(ready, govtool, no_slack):
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


def test_urgent_and_other_kinds_have_their_own_subjects(ready, govtool, no_slack):
    result = govtool(ready, "notify", "acme", "--urgent", "--dry-run")
    assert "Subject: [BROKER INTEGRATION] [URGENT] API Research Completed - Acme" in result.stdout
    before = snapshot(ready)
    assert snapshot(ready) == before  # --dry-run wrote nothing
    assert not (ready / ".govtool/outbox").exists()
    cost = govtool(ready, "notify", "alpaca", "--kind", "cost-discovery", "--message", "Data costs $99/month")
    assert cost.exit_code == 0, cost.stderr
    assert "Subject: [BROKER INTEGRATION] API Costs Identified - Alpaca" in cost.stdout
    assert "Data costs $99/month" in cost.stdout
    assert read_tracker(ready).broker("alpaca").status == "approved"  # other kinds change no status


def test_slack_post_arrives_with_channel_and_text(ready, govtool, slack_env):
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 0, result.stderr
    (post,) = slack_env.posts()
    assert post["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert post["body"]["channel"] == "#broker-integrations"
    assert "API Research Completed - Acme" in post["body"]["text"]
    assert post["body"]["blocks"][0]["type"] == "header"


def test_a_429_with_retry_after_is_retried_then_delivered(ready, govtool, slack_env):
    slack_env.mode = "ratelimit_once"
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 0, result.stderr
    assert len(slack_env.posts()) == 2
    assert not list((ready / ".govtool/outbox").glob("*.json"))


def test_invalid_auth_keeps_one_outbox_message_and_flush_delivers_it(ready, govtool, slack_env):
    slack_env.mode = "invalid_auth"
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3
    assert "invalid_auth" in result.stderr and "outbox flush" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"  # the change is saved
    kept = list((ready / ".govtool/outbox").glob("*.json"))
    assert len(kept) == 1
    listed = json.loads(govtool(ready, "outbox", "list", "--json").stdout)
    assert [m["channel"] for m in listed] == ["slack"] and listed[0]["broker"] == "acme"
    still = govtool(ready, "outbox", "flush")
    assert still.exit_code == 3
    assert json.loads(kept[0].read_text())["attempts"] == 2
    slack_env.mode = "ok"
    flushed = govtool(ready, "outbox", "flush")
    assert flushed.exit_code == 0, flushed.stderr
    assert not list((ready / ".govtool/outbox").glob("*.json"))
    assert govtool(ready, "outbox", "flush").stdout.strip() == "the outbox is empty"
    ok_posts = [p for p in slack_env.posts()]
    assert len(ok_posts) == 3  # refused, refused again, delivered once


def test_an_unreachable_slack_keeps_one_message(ready, govtool, monkeypatch, slack_server):
    monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", f"http://127.0.0.1:{free_port()}/api/")
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3
    assert "Slack is unreachable" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"
    assert len(list((ready / ".govtool/outbox").glob("*.json"))) == 1
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert len(slack_server.posts()) == 1


def test_undeliverable_mail_goes_to_the_outbox(ready, govtool, monkeypatch, smtp_server, no_slack):
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(free_port()))
    result = govtool(ready, "notify", "acme", "--send")
    assert result.exit_code == 3 and "SMTP 127.0.0.1" in result.stderr
    assert read_tracker(ready).broker("acme").status == "pending"
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    assert govtool(ready, "outbox", "flush").exit_code == 0
    assert len(smtp_server.messages) == 1
    assert b"API Research Completed - Acme" in smtp_server.messages[0]["data"]


def test_no_output_outbox_or_error_contains_a_secret(ready, govtool, monkeypatch, slack_env, smtp_server):
    slack_env.mode = "invalid_auth"
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("GOVTOOL_SMTP_USER", "bot")
    monkeypatch.setenv("GOVTOOL_SMTP_PASSWORD", PASSWORD)
    outputs = []
    result = govtool(ready, "notify", "acme", "--send")
    outputs += [result.stdout, result.stderr]
    assert result.exit_code == 3
    # The server offers no STARTTLS: the password is never sent, the mail waits.
    assert "credentials are never sent without TLS" in result.stderr
    assert smtp_server.messages == []
    for args in (["outbox", "list"], ["outbox", "list", "--json"], ["outbox", "flush"], ["show", "acme", "--json"]):
        r = govtool(ready, *args)
        outputs += [r.stdout, r.stderr]
    files = [p.read_text(errors="replace") for p in ready.rglob("*") if p.is_file()]
    for text in outputs + files:
        assert TOKEN not in text
        assert PASSWORD not in text
    assert len(list((ready / ".govtool/outbox").glob("*.json"))) == 2


def test_decide_records_the_decision_and_renders_the_log(ready, govtool, no_slack):
    assert govtool(ready, "notify", "acme").exit_code == 0
    result = govtool(ready, "decide", "acme", "approved", "--by", "John", "--reason", "High demand, free API")
    assert result.exit_code == 0, result.stderr
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


def test_a_decision_that_differs_from_the_matrix_band_is_said_and_recorded(ready, govtool, no_slack):
    doc = ready / "docs/brokers/api-research/acme.md"
    doc.write_text(filled_research_doc())
    flags = ["--user-demand", "3", "--cost-benefit", "2", "--technical-feasibility", "3", "--strategic-fit", "2.5"]
    assert govtool(ready, "score", "acme", *flags, "--risk-assessment", "2").exit_code == 0  # 2.58: on hold
    assert govtool(ready, "notify", "acme").exit_code == 0
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


def test_reject_and_hold_need_a_reason_and_a_pending_broker(ready, govtool, no_slack):
    assert govtool(ready, "notify", "acme").exit_code == 0
    before = snapshot(ready)
    no_reason = govtool(ready, "decide", "acme", "rejected", "--by", "John")
    assert no_reason.exit_code == 2 and "a reason is required to reject" in no_reason.stderr
    assert govtool(ready, "decide", "acme", "maybe", "--by", "John").exit_code == 2
    wrong_state = govtool(ready, "decide", "alpaca", "approved", "--by", "John")
    assert wrong_state.exit_code == 2 and "cannot decide a broker that is approved" in wrong_state.stderr
    assert snapshot(ready) == before
    assert govtool(ready, "decide", "acme", "on-hold", "--by", "John", "--reason", "Budget").exit_code == 0
    assert read_tracker(ready).broker("acme").status == "on_hold"
    assert not (ready / "docs/brokers/integrations/acme.md").exists()


def test_commit_puts_exactly_the_changed_files_in_one_commit_by_the_decider(ready, govtool, no_slack):
    def git(*args):
        return subprocess.run(["git", *args], cwd=ready, capture_output=True, text=True, check=True).stdout

    git("init", "-q", "-b", "main")
    git("config", "user.name", "Dev")
    git("config", "user.email", "dev@example.com")
    git("add", "-A")
    git("commit", "-qm", "start")
    assert govtool(ready, "notify", "acme", "--commit").exit_code == 0
    (ready / "unrelated.txt").write_text("staged but not mine")
    git("add", "unrelated.txt")
    result = govtool(ready, "decide", "acme", "approved", "--by", "John <john@example.com>", "--commit")
    assert result.exit_code == 0, result.stderr
    log = git("log", "-1", "--format=%an <%ae>|%s")
    assert log.strip() == "John <john@example.com>|govtool: approve acme (by John)"
    files = set(git("show", "--name-only", "--format=", "HEAD").split())
    assert files == {
        "tracker.yaml",
        "docs/brokers/decision-log.md",
        "docs/brokers/broker-integration-tracker.md",
        "docs/brokers/broker-priority-list.md",
        "PROJECT_MEMORY.md",
        "docs/brokers/integrations/acme.md",
    }
    assert "unrelated.txt" in git("diff", "--cached", "--name-only")
    notify_commit = git("log", "-1", "--skip=1", "--format=%s").strip()
    assert notify_commit == "govtool: notify PM of acme (research-completed)"


def test_slack_escapes_user_text(ready, govtool, slack_env):
    assert govtool(ready, "notify", "acme").exit_code == 0
    result = govtool(ready, "decide", "acme", "rejected", "--by", "John", "--reason", "<!channel> & <http://x|click>")
    assert result.exit_code == 0, result.stderr
    post = slack_env.posts()[-1]["body"]
    assert "<!channel>" not in json.dumps(post)
    assert "&lt;!channel&gt; &amp; &lt;http://x|click&gt;" in post["text"]
