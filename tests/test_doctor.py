"""`govtool doctor` against a real SMTP server with STARTTLS, the Slack-compatible
server and real git repositories, all on this machine: it passes when the setup works,
and names what is wrong, with a fix, when a piece is missing or stopped."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_process

from govtool.doctor import signing_check

NOW = "2026-02-02T10:00:00Z"


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def isolated_git(monkeypatch, tmp_path):
    """git sees no global or system configuration (a developer's gpg.format cannot leak in)."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(name, "Test Dev" if "NAME" in name else "dev@example.com")


@pytest.fixture
def published(make_repo, tmp_path, isolated_git) -> Path:
    """A governance repo pushed to a bare "GitHub" repository and cloned back: origin,
    origin/HEAD and the full history, as a developer's checkout has them."""
    source = make_repo({"alpaca": "pending"})
    git(source, "init", "-q", "-b", "main")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "governance repo")
    bare = tmp_path / "github" / "gov.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(source, "push", "-q", str(bare), "main")
    git(tmp_path, "clone", "-q", str(bare), "checkout")
    return tmp_path / "checkout"


@pytest.fixture
def services(monkeypatch, smtp_tls_server, slack_server):
    """The environment of a team whose SMTP server and Slack answer on 127.0.0.1."""
    for name in ("SLACK_WEBHOOK_URL", "GOVTOOL_SMTP_USER", "GOVTOOL_SMTP_PASSWORD", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_tls_server.port))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-doctor-test-token")
    monkeypatch.setenv("GOVTOOL_SLACK_API_URL", slack_server.api_url)
    return smtp_tls_server, slack_server


def lines(stdout: str) -> dict[str, tuple[str, str]]:
    """check name -> (status, the rest of its line)."""
    out = {}
    for line in stdout.splitlines():
        status, rest = line.split(None, 1)
        if status in ("ok", "problem", "skipped"):
            name = next(n for n in CHECKS if rest.startswith(n + " "))
            out[name] = (status, rest[len(name) :].strip())
    return out


CHECKS = ("tracker", "docs", "smtp", "slack channel", "slack", "git remote", "git default branch", "git history",
          "signing", "calendar")  # fmt: skip


def test_doctor_passes_when_the_setup_works(published, services, govtool):
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 0, result.stdout + result.stderr
    found = lines(result.stdout)
    assert set(found) == set(CHECKS)
    assert {name for name, (status, _) in found.items() if status != "ok"} == {"signing"}  # no approvers set
    assert found["smtp"][1] == f"127.0.0.1:{services[0].port} answers, STARTTLS works"
    assert found["slack"][1] == "SLACK_BOT_TOKEN valid: govtool in Test Team"
    assert found["slack channel"][1] == "#broker-integrations (C0BROKERS): govtool is a member"
    assert found["git default branch"][1] == "origin/HEAD is origin/main"
    assert found["calendar"][1] == "NYSE: 10 holidays in 2026, 10 holidays in 2027"
    assert "doctor: all 10 checks passed or were not needed" in result.stdout
    called = [r["path"].rsplit("/", 1)[-1] for r in services[1].requests]
    assert called == ["auth.test", "conversations.list"]  # nothing posted
    assert services[0].messages == []  # nothing sent


def test_no_smtp_host_is_skipped_like_no_slack_token(published, services, govtool, monkeypatch):
    """`govtool init` leaves settings.email.smtp_host unset: email is then not a channel, not a problem."""
    monkeypatch.delenv("GOVTOOL_SMTP_HOST")
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 0, result.stdout + result.stderr
    found = lines(result.stdout)
    assert found["smtp"] == (
        "skipped",
        "no SMTP host (settings.email.smtp_host or GOVTOOL_SMTP_HOST): commands skip email",
    )
    assert found["slack"][0] == "skipped"


def test_doctor_as_a_process_with_json(published, services):
    result = run_process("doctor", "--json", cwd=published)
    assert result.exit_code == 0, result.stdout + result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True and len(data["checks"]) == 10
    assert {c["status"] for c in data["checks"]} == {"ok", "skipped"}


def test_a_stopped_smtp_server_fails_naming_smtp(published, services, govtool):
    smtp, _ = services
    smtp.stop()
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 1
    found = lines(result.stdout)
    assert found["smtp"][0] == "problem" and f"127.0.0.1:{smtp.port} unreachable" in found["smtp"][1]
    assert "fix: check settings.email.smtp_host" in found["smtp"][1]
    assert [name for name, (status, _) in found.items() if status == "problem"] == ["smtp"]
    assert "govtool: error: doctor: 1 problem: smtp" in result.stderr


def test_a_stopped_slack_fails_naming_slack(published, services, govtool):
    _, slack = services
    slack.close()
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 1
    found = lines(result.stdout)
    assert found["slack"][0] == "problem" and "unreachable" in found["slack"][1]
    assert found["slack channel"][0] == "skipped"
    assert "doctor: 1 problem: slack" in result.stderr
    assert "xoxb-doctor-test-token" not in result.stdout + result.stderr


def test_smtp_without_starttls_or_with_an_untrusted_certificate(published, services, smtp_server, govtool, monkeypatch):
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))  # a server that offers no STARTTLS
    found = lines(govtool(published, "doctor", now=NOW).stdout)
    assert found["smtp"] == (
        "problem",
        f"127.0.0.1:{smtp_server.port} answers but offers no STARTTLS — fix: use a server that offers STARTTLS "
        "(credentials are never sent without it); check settings.email.smtp_host and smtp_port "
        "(or GOVTOOL_SMTP_HOST / GOVTOOL_SMTP_PORT)",
    )
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(services[0].port))
    monkeypatch.delenv("SSL_CERT_FILE")  # the test authority is no longer trusted
    found = lines(govtool(published, "doctor", now=NOW).stdout)
    assert found["smtp"][0] == "problem" and "STARTTLS failed: CERTIFICATE_VERIFY_FAILED" in found["smtp"][1]


def test_smtp_credentials_are_tried_over_tls(published, services, govtool, monkeypatch):
    monkeypatch.setenv("GOVTOOL_SMTP_USER", "govtool")
    monkeypatch.setenv("GOVTOOL_SMTP_PASSWORD", "s3cret")
    found = lines(govtool(published, "doctor", now=NOW).stdout)
    assert found["smtp"] == ("ok", f"127.0.0.1:{services[0].port} answers, STARTTLS works, govtool logged in")
    monkeypatch.setenv("GOVTOOL_SMTP_PASSWORD", "wrong-password")
    result = govtool(published, "doctor", now=NOW)
    status, line = lines(result.stdout)["smtp"]
    assert status == "problem" and "refused the credentials of govtool: 535" in line
    assert "wrong-password" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda slack: setattr(slack, "mode", "invalid_auth"),
            ("slack", "Slack refused SLACK_BOT_TOKEN: invalid_auth"),
        ),
        (lambda slack: setattr(slack, "channels", []), ("slack channel", "#broker-integrations: no such channel")),
        (
            lambda slack: slack.channels[0].update(is_member=False),
            ("slack channel", "#broker-integrations: govtool is not a member — fix: invite it: /invite @govtool"),
        ),
    ],
)
def test_slack_problems_say_what_to_fix(change, expected, published, services, govtool):
    change(services[1])
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 1
    name, text = expected
    status, line = lines(result.stdout)[name]
    assert status == "problem" and line.startswith(text), line


def test_a_channel_given_by_id_is_looked_up_with_conversations_info(published, services, govtool):
    tracker = published / "tracker.yaml"
    tracker.write_text(tracker.read_text().replace("channel: '#broker-integrations'", "channel: C0BROKERS"))
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 0, result.stdout
    assert lines(result.stdout)["slack channel"] == ("ok", "C0BROKERS (C0BROKERS): govtool is a member")
    assert services[1].requests[-1]["path"].endswith("conversations.info")


def test_git_problems_a_shallow_clone_no_remote_no_repository(published, services, tmp_path, govtool, make_repo):
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{tmp_path / 'github/gov.git'}", "shallow")
    found = lines(govtool(tmp_path / "shallow", "doctor", now=NOW).stdout)
    assert found["git history"][0] == "problem" and "git fetch --unshallow" in found["git history"][1]
    git(published, "remote", "set-head", "origin", "--delete")
    found = lines(govtool(published, "doctor", now=NOW).stdout)
    assert found["git default branch"] == ("problem", "origin/HEAD is not set — fix: git remote set-head origin --auto")
    alone = make_repo(name="alone")
    found = lines(govtool(alone, "doctor", now=NOW).stdout)
    assert found["git remote"][0] == "problem" and found["git remote"][1].startswith("not a git repository")
    git(alone, "init", "-q", "-b", "main")
    found = lines(govtool(alone, "doctor", now=NOW).stdout)
    assert found["git remote"][1].startswith("no git remote — fix: git remote add origin URL")


def test_signing_is_checked_where_approvers_are_set(published, services, govtool, tmp_path):
    tracker = published / "tracker.yaml"
    tracker.write_text(tracker.read_text().replace("approvers: []", "approvers:\n    - pm@example.com"))
    status, line = lines(govtool(published, "doctor", now=NOW).stdout)["signing"]
    assert status == "problem"
    assert line.startswith(
        "gpg.format is unset, not ssh; user.signingkey is not set; .github/allowed_signers: no such file "
        "— fix: git config gpg.format ssh"
    )
    key = tmp_path / "home" / ".ssh" / "id_ed25519.pub"
    key.parent.mkdir(parents=True)
    git(published, "config", "gpg.format", "ssh")
    git(published, "config", "user.signingkey", "~/.ssh/id_ed25519.pub")
    status, line = lines(govtool(published, "doctor", now=NOW).stdout)["signing"]
    assert status == "problem" and "user.signingkey ~/.ssh/id_ed25519.pub: no readable file there" in line
    key.write_text("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOtest pm@example.com\n")
    env = {"HOME": str(tmp_path / "home")}
    assert signing_check(published, ("pm@example.com",), None, env).status == "ok"
    # The allowed-signers file of signed decisions, where the settings name one.
    missing = signing_check(published, ("pm@example.com",), "allowed_signers", env)
    assert (missing.status, missing.detail) == ("problem", "allowed_signers: no such file")
    outside = signing_check(published, ("pm@example.com",), "../elsewhere/allowed_signers", env)
    assert (outside.status, outside.detail) == ("problem", "../elsewhere/allowed_signers: outside the repository")
    (published / "allowed_signers").write_text("# approvers\npm@example.com ssh-ed25519 AAAAC3Nz...\n")
    good = signing_check(published, ("pm@example.com",), "allowed_signers", env)
    assert (good.status, good.detail) == (
        "ok",
        "git signs with SSH key ~/.ssh/id_ed25519.pub, allowed signers in allowed_signers",
    )
    (published / "allowed_signers").write_text(
        "# approvers\npm@example.com ssh-ed25519 AAAAC3Nz...\n*@example.com ssh-ed25519 AAAAC3Nz...\n"
    )
    wildcard = signing_check(published, ("pm@example.com",), "allowed_signers", env)
    assert (wildcard.status, wildcard.detail) == (
        "problem",
        "allowed_signers line 3: a wildcard principal, which govtool does not honour",
    )


def test_an_invalid_tracker_is_a_problem_and_what_needs_it_is_skipped(published, services, govtool):
    (published / "tracker.yaml").write_text("version: 1\nbrokers: [\n")
    result = govtool(published, "doctor", now=NOW)
    assert result.exit_code == 1
    found = lines(result.stdout)
    assert found["tracker"][0] == "problem" and "fix: run `govtool validate`" in found["tracker"][1]
    assert {name for name, (status, _) in found.items() if status == "skipped"} == {
        "docs", "smtp", "slack", "slack channel", "signing", "calendar"
    }  # fmt: skip
    assert found["git remote"][0] == "ok"
