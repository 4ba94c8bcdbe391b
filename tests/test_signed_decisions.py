"""Signed decisions: `govtool decide` signs with the decider's SSH key (ssh-keygen, real keys
made here), `validate --verify-signatures` checks them, and `govtool.signing` is the API
other views (a static site) read verification results through."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import build_tracker, sign_approval, snapshot, ssh_keypair

from govtool import signing
from govtool.model import dump_tracker
from govtool.settings import Settings
from govtool.storage import read_tracker

PM = "pm@example.com"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    directory = tmp_path_factory.mktemp("keys")
    return {"pm": ssh_keypair(directory, "pm"), "mallory": ssh_keypair(directory, "mallory")}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def pending(tmp_path, govtool, keys):
    """A governance repo (a git clone) with alpaca pending; approvers unset."""

    def make(approvers=(), signers: str | None = None) -> Path:
        root = tmp_path / "gov"
        assert govtool(None, "init", "--no-ci", str(root)).exit_code == 0
        tracker = build_tracker({"alpaca": "pending", "oanda": "pending"})
        tracker.settings = Settings.with_defaults({"gate": {"approvers": list(approvers)}})
        (root / "tracker.yaml").write_text(dump_tracker(tracker), encoding="utf-8")
        if signers is not None:
            (root / ".github").mkdir(exist_ok=True)
            (root / ".github/allowed_signers").write_text(signers, encoding="utf-8")
        git(root, "init", "-q", "-b", "main")
        return root

    return make


def decision_of(root: Path, broker: str = "alpaca"):
    return read_tracker(root).brokers[broker].history[-1]


def ssh_verify(broker: str, event, email: str, allowed: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """ssh-keygen itself, run by hand on the canonical form: no govtool code in the check."""
    (tmp_path / "signers").write_text(allowed)
    (tmp_path / "sig").write_text(signing.armor(event.details["signature"]))
    return subprocess.run(
        ["ssh-keygen", "-Y", "verify", "-f", tmp_path / "signers", "-I", email, "-n", "govtool-decision"]
        + ["-s", tmp_path / "sig"],
        input=signing.canonical_decision(broker, event),
        capture_output=True,
    )


def test_decide_signs_with_signing_key_and_ssh_keygen_verifies_it(pending, govtool, keys, tmp_path):
    root = pending()
    key, public = keys["pm"]
    reason = "High demand,\nfree API: 100% sure"
    result = govtool(
        root, "decide", "alpaca", "approved", "--by", f"Jane PM <{PM}>", "--reason", reason,
        "--signing-key", str(key), "--no-slack",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert f"signed as {PM} with {key}" in result.stdout
    event = decision_of(root)
    assert event.details["email"] == PM and event.details["reason"] == reason
    assert signing.SIGNATURE_RE.match(event.details["signature"])
    checked = ssh_verify("alpaca", event, PM, f"{PM} {public}\n", tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert b'Good "govtool-decision" signature for pm@example.com' in checked.stdout
    # The canonical form: one line of JSON, keys sorted, everything that was decided.
    canonical = signing.canonical_decision("alpaca", event).decode()
    assert "\n" not in canonical
    assert canonical == (
        '{"at":"2026-02-02T10:00:00Z","broker":"alpaca","by":"Jane PM <pm@example.com>","decision":"approved",'
        '"email":"pm@example.com","format":"govtool-decision/1","reason":"High demand,\\nfree API: 100% sure",'
        '"score":null}'
    )
    assert govtool(root, "validate").exit_code == 0


def test_decide_signs_with_gits_own_signing_configuration(pending, govtool, keys, tmp_path):
    root = pending()
    git(root, "config", "gpg.format", "ssh")
    git(root, "config", "user.signingkey", str(keys["pm"][0]))
    git(root, "config", "user.email", PM)
    result = govtool(root, "decide", "alpaca", "approved", "--by", "Jane PM", "--no-slack")
    assert result.exit_code == 0, result.stderr
    event = decision_of(root)
    assert event.details["email"] == PM  # git's user.email: --by names none
    assert ssh_verify("alpaca", event, PM, f"{PM} {keys['pm'][1]}\n", tmp_path).returncode == 0


def test_a_key_in_ssh_agent_signs_through_a_key_literal(pending, govtool, keys, tmp_path, monkeypatch):
    """git's `user.signingkey = key::ssh-ed25519 AAAA...` with the private key in ssh-agent."""
    root = pending()
    socket = tmp_path / "agent.sock"
    agent = subprocess.Popen(["ssh-agent", "-D", "-a", str(socket)], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if socket.exists():
                break
            subprocess.run(["sleep", "0.02"])
        monkeypatch.setenv("SSH_AUTH_SOCK", str(socket))
        subprocess.run(["ssh-add", "-q", str(keys["pm"][0])], check=True, capture_output=True)
        git(root, "config", "gpg.format", "ssh")
        git(root, "config", "user.signingkey", "key::" + keys["pm"][1])
        result = govtool(root, "decide", "alpaca", "approved", "--by", f"Jane <{PM}>", "--no-slack")
        assert result.exit_code == 0, result.stderr
    finally:
        agent.terminate()
        agent.wait()
    assert ssh_verify("alpaca", decision_of(root), PM, f"{PM} {keys['pm'][1]}\n", tmp_path).returncode == 0


def test_where_approvers_are_set_an_unsigned_decision_is_refused(pending, govtool):
    root = pending(approvers=[PM])
    before = snapshot(root)
    result = govtool(root, "decide", "alpaca", "approved", "--by", f"Jane <{PM}>", "--no-slack")
    assert result.exit_code == 2
    assert "settings.gate.approvers is set, so the decision must be signed" in result.stderr
    assert "--signing-key" in result.stderr
    assert snapshot(root) == before


def test_a_key_that_cannot_sign_changes_nothing(pending, govtool, tmp_path):
    root = pending()
    before = snapshot(root)
    result = govtool(root, "decide", "alpaca", "approved", "--by", f"J <{PM}>", "--signing-key", str(tmp_path / "no"))
    assert result.exit_code == 2 and "ssh-keygen -Y sign with" in result.stderr
    assert snapshot(root) == before


def test_decide_warns_when_the_gate_will_not_accept_the_signature(pending, govtool, keys):
    root = pending(approvers=[PM], signers=f"{PM} {keys['pm'][1]}\n")
    result = govtool(
        root, "decide", "alpaca", "approved", "--by", f"M <{PM}>", "--signing-key", str(keys["mallory"][0]),
        "--no-slack",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "warning: the gate will not accept this signature: signed with ED25519 key" in result.stderr
    ok = govtool(root, "decide", "oanda", "approved", "--by", f"J <{PM}>", "--signing-key", str(keys["pm"][0]))
    assert ok.exit_code == 0 and "warning" not in ok.stderr


def test_validate_verify_signatures_checks_every_signed_decision(pending, govtool, keys):
    root = pending(signers=f"{PM} {keys['pm'][1]}\n")
    for broker in ("alpaca", "oanda"):
        assert govtool(root, "decide", broker, "approved", "--by", f"J <{PM}>", "--signing-key", str(keys["pm"][0]))
    result = govtool(root, "validate", "--verify-signatures")
    assert result.exit_code == 0, result.stderr
    assert "signatures: 2 verified, 0 bad, 0 decisions unsigned" in result.stdout
    tracker = root / "tracker.yaml"
    text = tracker.read_text()
    forged = re.sub(r"decision: approved\n( +)email", r"decision: approved\n\1reason: forged\n\1email", text, count=1)
    tracker.write_text(forged)
    result = govtool(root, "validate", "--verify-signatures")
    assert result.exit_code == 1
    line = next(line for line in result.stdout.splitlines() if "bad signature" in line)
    assert line.startswith("tracker.yaml:") and "alpaca.history[3]: alpaca: bad signature" in line
    assert "edited after signing" in line
    assert "signatures: 1 verified, 1 bad" in result.stdout
    assert govtool(root, "validate").exit_code == 0  # the data itself is valid
    (root / ".github/allowed_signers").unlink()
    missing = govtool(root, "validate", "--verify-signatures")
    assert missing.exit_code == 2 and ".github/allowed_signers: no such file" in missing.stderr


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("signature", "not base64!", "expected an SSH signature"),
        ("email", "pm@example.com, *@evil", "expected an email address"),
    ],
)
def test_validation_refuses_a_malformed_signature_or_email(pending, govtool, field, value, message):
    root = pending()
    tracker = build_tracker({"alpaca": "approved"})
    event = tracker.brokers["alpaca"].history[-1]
    event.details[field] = value
    (root / "tracker.yaml").write_text(dump_tracker(tracker), encoding="utf-8")
    result = govtool(root, "validate")
    assert result.exit_code == 2 and message in result.stderr and f".{field}:" in result.stderr


def test_verify_decision_reports_each_state(keys, tmp_path):
    """The API a static site reads: verified, unsigned, bad signature, not an approver."""
    tracker = build_tracker({"alpaca": "approved", "oanda": "approved", "ibkr": "approved", "ibkr-lite": "approved"})
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    sign_approval(tracker, "oanda", "mallory@example.com", keys["mallory"][0])
    sign_approval(tracker, "ibkr-lite", PM, keys["pm"][0])
    tracker.brokers["ibkr-lite"].history[-1].details["score"] = 4.5  # edited after signing
    allowed = f"{PM} {keys['pm'][1]}\nmallory@example.com {keys['mallory'][1]}\n"
    items = [(b, signing.approving_decision(tracker.brokers[b])) for b in ("alpaca", "oanda", "ibkr", "ibkr-lite")]
    results = signing.verify_decisions(items, allowed, [PM], at=dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc))
    assert [r.state for r in results] == [
        signing.VERIFIED,
        signing.NOT_AN_APPROVER,
        signing.UNSIGNED,
        signing.BAD_SIGNATURE,
    ]
    assert results[0].verified and results[0].key.startswith("ED25519 key SHA256:")
    assert results[0].to_dict()["state"] == "verified" and results[0].to_dict()["email"] == PM
    assert "edited after signing" in results[3].reason
    one = signing.verify_decision("alpaca", items[0][1], allowed)  # no approvers: the signature alone
    assert one.verified and one.email == PM


def test_a_key_with_a_validity_window_is_checked_at_the_time_given(keys, tmp_path):
    tracker = build_tracker({"alpaca": "approved"})
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    event = signing.approving_decision(tracker.brokers["alpaca"])
    allowed = f'{PM} valid-before="20260101" {keys["pm"][1]}\n'
    before = signing.verify_decision("alpaca", event, allowed, at=dt.datetime(2025, 6, 1, tzinfo=dt.timezone.utc))
    after = signing.verify_decision("alpaca", event, allowed, at=dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc))
    assert before.verified and after.state == signing.BAD_SIGNATURE


def test_no_ssh_keygen_is_one_line_exit_2(keys):
    from govtool.errors import InputError

    tracker = build_tracker({"alpaca": "approved"})
    sign_approval(tracker, "alpaca", PM, keys["pm"][0])
    event = signing.approving_decision(tracker.brokers["alpaca"])
    with pytest.raises(InputError) as raised:
        signing.verify_decision("alpaca", event, "x", program="/nonexistent/ssh-keygen")
    assert raised.value.exit_code == 2 and "not found" in raised.value.message
    assert os.path.basename("/nonexistent/ssh-keygen") in raised.value.message
