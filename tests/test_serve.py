"""`govtool serve`: the PM decides from the notification's buttons in Slack.

Each test starts `govtool serve` as a real process on 127.0.0.1, in a clone of a
governance repo whose remote is a bare repository in a temporary directory, with the
Slack-compatible server of conftest.py on 127.0.0.1 for Slack's Web API. The
interaction payloads are built from the buttons `govtool notify` actually posted to
that server, and signed as Slack signs them (HMAC-SHA256 of ``v0:TIMESTAMP:BODY``
with the signing secret), by this file's own code.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml
from conftest import build_tracker, filled_research_doc, free_port, run_process, ssh_keypair, write_split_tracker

pytest.importorskip("slack_bolt", reason="govtool serve needs the serve extra: pip install 'govtool[serve]'")
pytest.importorskip("uvicorn", reason="govtool serve needs the serve extra: pip install 'govtool[serve]'")

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-serve-token"
APPROVER = ("U0JANE", "jane@example.com")
ATTESTER = "govtool-serve@example.com"


def git(cwd: Path, *args: str, check: bool = True) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": "dev@example.com",
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": "dev@example.com",
    }
    run = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and run.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {run.stderr}")
    return run.stdout


class Governance:
    """A governance repo pushed to a bare remote, its brokers notified through the Slack
    server, and a clone of its own for the service."""

    def __init__(self, tmp_path: Path, govtool, slack_server, monkeypatch, brokers: list[str]) -> None:
        self.tmp, self.slack, self.govtool = tmp_path, slack_server, govtool
        self.remote = tmp_path / "remote.git"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(self.remote))
        self.dev = tmp_path / "dev"
        assert govtool(None, "init", str(self.dev)).exit_code == 0
        git(self.dev, "init", "-q", "-b", "main")
        git(self.dev, "remote", "add", "origin", str(self.remote))
        keys = tmp_path / "keys"
        self.serve_key, serve_pub = ssh_keypair(keys, "serve")
        self.jane_key, jane_pub = ssh_keypair(keys, "jane")
        signers = self.dev / ".github" / "allowed_signers"
        signers.parent.mkdir(parents=True, exist_ok=True)
        signers.write_text(f"{APPROVER[1]} {jane_pub}\n{ATTESTER} {serve_pub}\n")
        tracker = build_tracker({b: "researching" for b in brokers})
        data = tracker.settings.to_dict()
        data["gate"]["approvers"] = [APPROVER[1]]
        data["gate"]["attesters"] = [ATTESTER]
        data["slack"]["approvers"] = {APPROVER[0]: APPROVER[1]}
        data["docs"]["render_on_change"] = False
        from govtool.settings import Settings

        tracker.settings = Settings.with_defaults(data)
        write_split_tracker(self.dev, tracker)
        for bid in brokers:
            doc = self.dev / "docs" / "brokers" / "api-research" / f"{bid}.md"
            doc.parent.mkdir(parents=True, exist_ok=True)
            doc.write_text(filled_research_doc(bid, tracker.brokers[bid].name))
        monkeypatch.setenv("SLACK_BOT_TOKEN", TOKEN)
        monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
        notified = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for bid in brokers:
            result = govtool(self.dev, "notify", bid, now=notified)
            assert result.exit_code == 0, result.stderr
        self.commit_and_push("research done; PM notified")
        self.clone = tmp_path / "serve"
        git(tmp_path, "clone", "-q", str(self.remote), str(self.clone))
        git(self.clone, "config", "user.name", "govtool serve")
        git(self.clone, "config", "user.email", ATTESTER)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = tmp_path / "serve.log"

    def decide_at_the_terminal(self, broker: str, decision: str, reason: str) -> None:
        """The PM decides with `govtool decide` in the developer's clone, signed with the PM's key."""
        args = ["decide", broker, decision, "--by", APPROVER[1], "--reason", reason]
        result = self.govtool(self.dev, *args, "--signing-key", str(self.jane_key), "--no-email", "--no-slack")
        assert result.exit_code == 0, result.stderr

    def commit_and_push(self, message: str) -> None:
        git(self.dev, "add", "-A")
        git(self.dev, "commit", "-q", "-m", message)
        git(self.dev, "push", "-q", "origin", "main")

    # --- the service ---

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("GOVTOOL_NOW", "GOVTOOL_ROOT")}
        env.update(
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_BOT_TOKEN=TOKEN,
            GOVTOOL_SLACK_API_URL=self.slack.api_url,
            GOVTOOL_USER="serve",
        )
        args = [sys.executable, "-m", "govtool", "serve", "--port", str(self.port), "--attester", ATTESTER]
        args += ["--signing-key", str(self.serve_key)]
        self.process = subprocess.Popen(
            args, cwd=self.clone, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"govtool serve exited {self.process.returncode}: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=1) as reply:
                    if reply.read() == b"ok":
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"govtool serve did not answer: {self.log.read_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # --- Slack's side ---

    def posted(self, broker: str) -> dict:
        """The notification `govtool notify` posted for a broker (chat.postMessage's body)."""
        for request in reversed(self.slack.posts()):
            blocks = request["body"].get("blocks") or []
            if isinstance(blocks, str):
                blocks = json.loads(blocks)
            for block in blocks:
                if block.get("type") == "actions" and f'"b":"{broker}"' in block["elements"][0]["value"]:
                    return {**request["body"], "blocks": blocks}
        raise AssertionError(f"no notification with buttons for {broker}")

    def click_payload(self, broker: str, action: str, user: str = APPROVER[0]) -> dict:
        """A block_actions payload as Slack sends it when ``user`` clicks a button of the notification."""
        message = self.posted(broker)
        actions = next(b for b in message["blocks"] if b["type"] == "actions")
        button = next(e for e in actions["elements"] if e["action_id"] == f"govtool_decide_{action}")
        return {
            "type": "block_actions",
            "team": {"id": "T0TEST", "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0TEST"},
            "api_app_id": "A0GOVTOOL",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0BROKERS"},
            "trigger_id": f"trigger-{broker}-{action}",
            "channel": {"id": "C0BROKERS", "name": "broker-integrations"},
            "message": {
                "type": "message",
                "ts": "1700000000.000100",
                "text": message["text"],
                "blocks": message["blocks"],
            },
            "response_url": f"http://127.0.0.1:{self.slack.port}/response/{broker}/{action}/{user}",
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": actions["block_id"],
                    "value": button["value"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }

    def send(self, payload: dict, *, timestamp: int | None = None, secret: str = SECRET) -> tuple[int, str, float]:
        """POST a payload to /slack/events signed as Slack signs it: ``(status, body, seconds)``."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events",
            data=body.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": f"v0={digest}",
            },
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, reply.read().decode(), time.monotonic() - started
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(), time.monotonic() - started

    def submit_reason(self, broker: str, reason: str, user: str = APPROVER[0]) -> tuple[int, str, float]:
        """Submit the reason's modal that the service opened (views.open) for ``broker``."""
        view = self.opened_view(broker)
        payload = {
            "type": "view_submission",
            "team": {"id": "T0TEST", "domain": "test"},
            "user": {"id": user, "username": user.lower(), "team_id": "T0TEST"},
            "api_app_id": "A0GOVTOOL",
            "token": "legacy-verification-token",
            "trigger_id": "trigger-submit",
            "view": {
                "id": "V0REASON",
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"],
                "blocks": view["blocks"],
                "state": {"values": {"reason": {"reason_input": {"type": "plain_text_input", "value": reason}}}},
            },
        }
        return self.send(payload)

    def opened_view(self, broker: str) -> dict:
        for request in reversed(self.requests("views.open")):
            view = request["body"]["view"]
            view = json.loads(view) if isinstance(view, str) else view
            if json.loads(json.loads(view["private_metadata"])["ref"])["b"] == broker:
                return view
        raise AssertionError(f"no modal opened for {broker}")

    def requests(self, method: str) -> list[dict]:
        return [r for r in self.slack.requests if r["path"].endswith(method)]

    def answers_to(self, broker: str) -> list[str]:
        """What the service told people ephemerally about ``broker`` (through the response URLs)."""
        return [r["body"].get("text", "") for r in self.slack.requests if r["path"].startswith(f"/response/{broker}/")]

    # --- git's side ---

    def remote_file(self, broker: str) -> dict:
        text = git(self.remote, "show", f"main:tracker.d/{broker}.yaml")
        return yaml.safe_load(text)

    def remote_decisions(self, broker: str) -> list[dict]:
        return [e for e in self.remote_file(broker)["history"] if e["event"] == "decision"]

    def wait_for(self, what, timeout: float = 30.0, message: str = ""):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = what()
            if found:
                return found
            time.sleep(0.1)
        raise AssertionError(f"timed out: {message}\n{self.log.read_text()}")


@pytest.fixture
def governance(tmp_path, govtool, slack_server, monkeypatch):
    made: list[Governance] = []

    def make(brokers: list[str]) -> Governance:
        made.append(Governance(tmp_path, govtool, slack_server, monkeypatch, brokers))
        return made[-1]

    yield make
    for gov in made:
        gov.stop()


def _fresh_clone(gov: Governance, name: str = "check") -> Path:
    where = gov.tmp / name
    git(gov.tmp, "clone", "-q", str(gov.remote), str(where))
    return where


def test_notify_posts_three_buttons_that_name_the_broker_and_the_notification(governance):
    gov = governance(["alpaca"])
    actions = next(b for b in gov.posted("alpaca")["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "govtool_decide_approved",
        "govtool_decide_on_hold",
        "govtool_decide_rejected",
    ]
    assert [e["text"]["text"] for e in actions["elements"]] == ["Approve", "On hold", "Reject"]
    value = json.loads(actions["elements"][0]["value"])
    history = gov.remote_file("alpaca")["history"]
    notified = history[value["n"]]
    assert value["b"] == "alpaca" and notified["event"] == "pm_notified"
    assert value["at"] == notified["at"].strftime("%Y-%m-%dT%H:%M:%SZ")


def test_an_escalation_carries_the_buttons_of_the_notification_it_chases(governance, govtool):
    gov = governance(["alpaca"])
    notified = json.loads(
        next(b for b in gov.posted("alpaca")["blocks"] if b["type"] == "actions")["elements"][0]["value"]
    )
    later = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    result = govtool(gov.dev, "escalate", "--as-of", later, "--no-email", now=f"{later}T12:00:00Z")
    assert result.exit_code == 0, result.stderr
    escalation = gov.slack.posts()[-1]["body"]
    assert "[ESCALATION]" in escalation["text"]
    actions = next(b for b in escalation["blocks"] if b["type"] == "actions")
    assert {json.dumps(json.loads(e["value"]), sort_keys=True) for e in actions["elements"]} == {
        json.dumps(notified, sort_keys=True)
    }


def test_a_webhook_message_carries_no_buttons(governance, govtool, monkeypatch):
    gov = governance(["alpaca"])
    gov.decide_at_the_terminal("alpaca", "on-hold", "budget")
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", f"http://127.0.0.1:{gov.slack.port}/webhook/T/B/X")
    assert govtool(gov.dev, "notify", "alpaca").exit_code == 0
    hook = [r for r in gov.slack.requests if r["path"].startswith("/webhook")][-1]["body"]
    assert hook["blocks"] and not [b for b in hook["blocks"] if b["type"] == "actions"]


def test_approve_lands_on_the_remote_verifies_and_opens_the_gate(governance):
    gov = governance(["alpaca", "oanda"])
    gov.start()
    status, _, seconds = gov.send(gov.click_payload("alpaca", "approved"))
    assert status == 200 and seconds < 3
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval on the remote")
    (decision,) = gov.remote_decisions("alpaca")
    assert decision["decision"] == "approved"
    assert decision["by"] == decision["email"] == APPROVER[1]
    assert decision["decided_in"] == "slack" and decision["slack_user"] == APPROVER[0]
    assert decision["attested_by"] == ATTESTER and decision["signature"]
    assert gov.remote_decisions("oanda") == []
    log = git(gov.remote, "log", "-1", "--format=%an <%ae>|%s", "main")
    assert log == f"{APPROVER[1]} <{APPROVER[1]}>|govtool: approve alpaca (by {APPROVER[1]} in Slack)\n"

    check = _fresh_clone(gov)
    result = run_process("validate", "--verify-signatures", cwd=check)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "signatures: 1 verified, 0 bad" in result.stdout

    # The gate lets alpaca's connector code through, and still refuses oanda's.
    git(check, "switch", "-q", "-c", "connectors")
    for bid in ("alpaca", "oanda"):
        (check / "connectors" / bid).mkdir(parents=True)
        (check / "connectors" / bid / "client.py").write_text("print('hello')\n")
    git(check, "add", "-A")
    git(check, "commit", "-q", "-m", "connectors")
    gate = run_process("gate", "--base", "main", "--json", cwd=check)
    verdicts = {v["broker"]: v for v in json.loads(gate.stdout)["brokers"]}
    assert verdicts["alpaca"]["passed"] is True, verdicts["alpaca"]
    assert verdicts["alpaca"]["signature"]["attester"] == ATTESTER
    assert f"decided in Slack by {APPROVER[1]}, attested by {ATTESTER}" in verdicts["alpaca"]["message"]
    assert verdicts["oanda"]["passed"] is False
    assert gate.exit_code == 1

    # The Slack user taken out of settings.slack.approvers on main: the decision no longer opens the gate.
    git(check, "switch", "-q", "main")
    data = yaml.safe_load((check / "tracker.yaml").read_text())
    data["settings"]["slack"]["approvers"] = {"U0OTHER": APPROVER[1]}
    (check / "tracker.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    git(check, "commit", "-q", "-am", "another Slack user decides for the PM")
    gate = run_process("gate", "--base", "main", "--head", "connectors", "--json", cwd=check)
    verdict = {v["broker"]: v for v in json.loads(gate.stdout)["brokers"]}["alpaca"]
    assert verdict["passed"] is False
    assert verdict["message"].endswith(
        f"was made in Slack by {APPROVER[0]}, whom settings.slack.approvers does not give {APPROVER[1]}, at main"
    )
    git(check, "reset", "-q", "--hard", "HEAD~1")

    # The attester revoked on main (its principal removed): listing it again in the change
    # does not bring the approval back; the gate reads settings.gate.attesters at the base.
    def attesters(where: Path, names: list[str]) -> None:
        data = yaml.safe_load((where / "tracker.yaml").read_text())
        data["settings"]["gate"]["attesters"] = names
        (where / "tracker.yaml").write_text(yaml.safe_dump(data, sort_keys=False))

    git(check, "switch", "-q", "main")
    attesters(check, [])
    git(check, "commit", "-q", "-am", "revoke the service's key")
    git(check, "switch", "-q", "connectors")
    git(check, "rebase", "-q", "main")
    attesters(check, [ATTESTER])
    git(check, "commit", "-q", "-am", "and list it again")
    gate = run_process("gate", "--base", "main", "--json", cwd=check)
    verdicts = {v["broker"]: v for v in json.loads(gate.stdout)["brokers"]}
    assert verdicts["alpaca"]["passed"] is False
    assert f"attested by {ATTESTER}, who is not in settings.gate.attesters" in verdicts["alpaca"]["message"]

    # The message: the buttons replaced by who decided what and when.
    updates = gov.wait_for(lambda: gov.requests("chat.update"), message="chat.update")
    body = updates[-1]["body"]
    blocks = body["blocks"] if isinstance(body["blocks"], list) else json.loads(body["blocks"])
    assert body["channel"] == "C0BROKERS" and body["ts"] == "1700000000.000100"
    assert not [b for b in blocks if b["type"] == "actions"]
    assert body["text"].startswith(f"Approved by {APPROVER[1]}, ") and body["text"].endswith(" UTC")
    assert blocks[0]["type"] == "header"  # the notification itself stays


def test_reject_opens_a_modal_and_records_only_with_a_reason(governance):
    gov = governance(["alpaca"])
    gov.start()
    status, _, _ = gov.send(gov.click_payload("alpaca", "rejected"))
    assert status == 200
    opened = gov.wait_for(lambda: gov.requests("views.open"), message="views.open")
    assert opened[-1]["body"]["trigger_id"] == "trigger-alpaca-rejected"

    status, body, _ = gov.submit_reason("alpaca", "   ")
    assert status == 200
    assert json.loads(body)["response_action"] == "errors"
    assert "reason is required" in json.loads(body)["errors"]["reason"]
    time.sleep(1)
    assert gov.remote_decisions("alpaca") == []

    status, body, _ = gov.submit_reason("alpaca", "Too expensive for the value")
    assert status == 200 and body == ""
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the rejection on the remote")
    (decision,) = gov.remote_decisions("alpaca")
    assert decision["decision"] == "rejected" and decision["reason"] == "Too expensive for the value"
    assert gov.remote_file("alpaca")["status"] == "rejected"
    update = gov.wait_for(lambda: gov.requests("chat.update"), message="chat.update")[-1]["body"]
    assert update["text"].startswith(f"Rejected by {APPROVER[1]}, ")
    assert update["text"].endswith("UTC: Too expensive for the value")


def test_on_hold_asks_for_the_reason_too(governance):
    gov = governance(["alpaca"])
    gov.start()
    gov.send(gov.click_payload("alpaca", "on_hold"))
    view = gov.wait_for(lambda: gov.requests("views.open"), message="views.open")[-1]["body"]["view"]
    assert (json.loads(view) if isinstance(view, str) else view)["submit"]["text"] == "Put on hold"
    gov.submit_reason("alpaca", "Waiting for the partnership")
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the hold on the remote")
    assert gov.remote_file("alpaca")["status"] == "on_hold"
    assert gov.remote_decisions("alpaca")[0]["reason"] == "Waiting for the partnership"


def test_bad_signature_old_timestamp_and_non_approver_change_nothing(governance):
    gov = governance(["alpaca"])
    gov.start()
    before = git(gov.remote, "rev-parse", "main")
    payload = gov.click_payload("alpaca", "approved")
    status, _, _ = gov.send(payload, secret="not-the-signing-secret")
    assert status == 401
    status, _, _ = gov.send(payload, timestamp=int(time.time()) - 6 * 60)
    assert status == 401
    status, _, _ = gov.send(gov.click_payload("alpaca", "approved", user="U0MALLORY"))
    assert status == 200
    answers = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the ephemeral answer")
    assert answers == [
        "Only the approvers can decide (settings.slack.approvers lists them by Slack user id). Nothing was recorded."
    ]
    time.sleep(1)
    assert git(gov.remote, "rev-parse", "main") == before
    assert git(gov.clone, "status", "--porcelain") == ""
    assert not gov.requests("chat.update") and not gov.requests("views.open")


def test_a_double_click_records_one_decision_and_a_stale_button_none(governance):
    gov = governance(["alpaca"])
    gov.start()
    payload = gov.click_payload("alpaca", "approved")
    results = []
    threads = [threading.Thread(target=lambda: results.append(gov.send(payload))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r[0] for r in results] == [200, 200]
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval")
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the second click's answer")
    assert len(answer) == 1 and answer[0].startswith(f"Already decided: Approved by {APPROVER[1]}, ")
    # A third click, later, on the same button: the same answer, nothing recorded.
    gov.send(gov.click_payload("alpaca", "rejected"))
    gov.wait_for(lambda: len(gov.answers_to("alpaca")) == 2, message="the third click's answer")
    assert gov.answers_to("alpaca")[1].startswith("Already decided: Approved by")
    assert len(gov.remote_decisions("alpaca")) == 1
    assert not gov.requests("views.open")


def test_a_button_of_an_older_notification_is_stale(governance, govtool):
    gov = governance(["alpaca"])
    old = gov.click_payload("alpaca", "approved")
    # The PM puts it on hold at the terminal; the developer notifies again; the old button is stale.
    gov.decide_at_the_terminal("alpaca", "on-hold", "budget")
    assert govtool(gov.dev, "notify", "alpaca", "--kind", "research-completed").exit_code == 0
    gov.commit_and_push("on hold, notified again")
    git(gov.clone, "pull", "-q")
    gov.start()
    gov.send(old)
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the stale button's answer")
    assert answer[0].startswith(f"Already decided: On Hold by {APPROVER[1]}, ")
    assert "UTC: budget. The PM was notified again on " in answer[0]
    assert answer[0].endswith("decide from the latest message. Nothing more was recorded.")
    assert [d["decision"] for d in gov.remote_decisions("alpaca")] == ["on_hold"]
    # The new notification's button works.
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: len(gov.remote_decisions("alpaca")) == 2, message="the approval")
    assert gov.remote_file("alpaca")["status"] == "approved"


def test_the_remote_moved_on_meanwhile_is_fetched_rebased_and_pushed(governance, govtool):
    gov = governance(["alpaca", "oanda"])
    gov.start()
    # A developer pushes a change the service's clone has not seen.
    (gov.dev / "docs" / "note.md").write_text("a developer's change\n")
    gov.commit_and_push("a developer's change")
    moved = git(gov.remote, "rev-parse", "main").strip()
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval after a rebase")
    history = git(gov.remote, "log", "--format=%s", "main").splitlines()
    assert history[:2] == [f"govtool: approve alpaca (by {APPROVER[1]} in Slack)", "a developer's change"]
    assert git(gov.remote, "merge-base", "--is-ancestor", moved, "main", check=False) == ""
    assert git(gov.remote, "rev-list", "--merges", "main") == ""  # rebased, not merged


def test_a_decision_made_at_the_terminal_meanwhile_wins_and_the_click_is_told(governance, govtool):
    gov = governance(["alpaca"])
    gov.start()
    gov.decide_at_the_terminal("alpaca", "rejected", "no")
    gov.commit_and_push("rejected at the terminal")
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the answer")
    assert answer[0].startswith(f"Already decided: Rejected by {APPROVER[1]}, ")
    assert [d["decision"] for d in gov.remote_decisions("alpaca")] == ["rejected"]
    assert git(gov.clone, "status", "--porcelain") == ""


def test_a_remote_that_refuses_records_nothing_and_tells_the_pm(governance):
    gov = governance(["alpaca"])
    gov.start()
    hook = gov.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'main is protected' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = git(gov.remote, "rev-parse", "main")
    gov.send(gov.click_payload("alpaca", "approved"))
    answer = gov.wait_for(lambda: gov.answers_to("alpaca"), message="the PM told")
    assert "could not be saved to the governance repo (origin/main)" in answer[0]
    assert "Nothing was recorded" in answer[0]
    assert git(gov.remote, "rev-parse", "main") == before
    # The clone is back to what the remote has: no decision in it, no commit ahead.
    assert git(gov.clone, "rev-parse", "HEAD") == before
    assert "decision" not in (gov.clone / "tracker.d" / "alpaca.yaml").read_text()
    assert not gov.requests("chat.update")
    # Once the remote takes it again, a click lands.
    hook.unlink()
    gov.send(gov.click_payload("alpaca", "approved"))
    gov.wait_for(lambda: gov.remote_decisions("alpaca"), message="the approval")


def test_fifty_clicks_on_fifty_brokers_each_land_once(governance):
    brokers = [f"broker-{n:02d}" for n in range(50)]
    gov = governance(brokers)
    gov.start()
    payloads = [gov.click_payload(bid, "approved") for bid in brokers]
    results: list[tuple[int, str, float]] = []
    lock = threading.Lock()

    def click(payload: dict) -> None:
        found = gov.send(payload)
        with lock:
            results.append(found)

    started = time.monotonic()
    threads = []
    for payload in payloads:  # 50 clicks spread over about 5 seconds
        thread = threading.Thread(target=click, args=(payload,))
        thread.start()
        threads.append(thread)
        time.sleep(0.1)
    for thread in threads:
        thread.join()
    assert time.monotonic() - started < 10
    assert [r[0] for r in results] == [200] * 50
    slowest = max(r[2] for r in results)
    assert slowest < 3, f"the slowest answer took {slowest:.2f} s; Slack waits 3 s"

    def all_landed() -> bool:
        files = git(gov.remote, "ls-tree", "--name-only", "main", "tracker.d/").split()
        return len(files) == 50 and all(gov.remote_file(b)["status"] == "approved" for b in brokers)

    gov.wait_for(all_landed, timeout=120, message="all 50 approvals on the remote")
    assert all(len(gov.remote_decisions(b)) == 1 for b in brokers)
    check = _fresh_clone(gov)
    result = run_process("validate", "--verify-signatures", cwd=check)
    assert result.exit_code == 0, result.stdout + result.stderr


def test_serve_refuses_to_start_without_what_it_needs(governance):
    gov = governance(["alpaca"])
    env = {"SLACK_SIGNING_SECRET": SECRET, "SLACK_BOT_TOKEN": TOKEN, "GOVTOOL_SLACK_API_URL": gov.slack.api_url}
    base = ["serve", "--port", str(gov.port), "--signing-key", str(gov.serve_key)]
    result = run_process(*base, "--attester", "someone@example.com", cwd=gov.clone, env=env)
    assert result.exit_code == 2
    assert "someone@example.com is not in settings.gate.attesters" in result.stderr
    result = run_process(*base[:3], "--signing-key", str(gov.jane_key), "--attester", ATTESTER, cwd=gov.clone, env=env)
    assert result.exit_code == 2 and "would not pass the gate" in result.stderr
    result = run_process(*base, "--attester", ATTESTER, cwd=gov.clone, env={**env, "SLACK_SIGNING_SECRET": ""})
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET is not set" in result.stderr
    gov.slack.users_error = "missing_scope"  # an app installed without users:read.email
    result = run_process(*base, "--attester", ATTESTER, cwd=gov.clone, env=env)
    assert result.exit_code == 2, result.stderr
    assert "Slack refuses users.info (missing_scope)" in result.stderr and "users:read.email" in result.stderr
    gov.slack.users_error = None
    gov.start()  # one service per clone
    result = run_process(*base, "--attester", ATTESTER, cwd=gov.clone, env=env)
    assert result.exit_code == 2 and "another govtool serve runs in" in result.stderr
    gov.stop()
    (gov.clone / "tracker.yaml").write_text((gov.clone / "tracker.yaml").read_text() + "\n")
    result = run_process(*base, "--attester", ATTESTER, cwd=gov.clone, env=env)
    assert result.exit_code == 2 and "uncommitted changes" in result.stderr


def test_slack_manifest(govtool):
    result = govtool(None, "slack", "manifest", "--url", "https://govtool.example.com")
    assert result.exit_code == 0
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["interactivity"] == {
        "is_enabled": True,
        "request_url": "https://govtool.example.com/slack/events",
    }
    assert manifest["oauth_config"]["scopes"]["bot"] == [
        "chat:write",
        "chat:write.public",
        "users:read",
        "users:read.email",
    ]
    assert manifest["features"]["bot_user"]["display_name"] == "govtool"
    as_json = govtool(None, "slack", "manifest", "--url", "https://govtool.example.com/slack/events", "--json")
    assert json.loads(as_json.stdout) == manifest
    refused = govtool(None, "slack", "manifest", "--url", "http://govtool.example.com")
    assert refused.exit_code == 2 and "not an https:// URL" in refused.stderr
