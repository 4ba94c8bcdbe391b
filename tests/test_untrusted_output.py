"""What govtool prints and leaves behind when its input or a server is hostile.

- Redaction covers every part of a secret: a webhook server that echoes the request
  path (or percent-encodes it) gives away no part of the URL, on stderr or in the outbox.
- ``--debug`` adds the traceback, redacted, and keeps the exit code (2 stays 2, 3 stays 3).
- Temporary files are named ``.govtool-tmp-*``, ignored by the ``.gitignore`` of
  `govtool init`, and a stale one is removed by the next command that takes the lock.
- No raw control character reaches a terminal.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote

import pytest
from conftest import filled_research_doc

from govtool.redaction import MASK, redact, secret_parts

WEBHOOK_PATH = "/services/T0SECRETTEAM/B0SECRETHOOK/WebhookSecretPath0123456789"


@pytest.fixture
def echoing_webhook():
    """A webhook that refuses every message with a reply echoing the request path, raw and encoded."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = f"no_such_hook: {self.path} ({quote(self.path, safe='')}); team {self.path.split('/')[2]}"
            data = body.encode()
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}{WEBHOOK_PATH}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def ready(make_repo):
    root = make_repo({"acme": "researching"})
    (root / "docs/brokers/api-research").mkdir(parents=True, exist_ok=True)
    (root / "docs/brokers/api-research/acme.md").write_text(filled_research_doc(), encoding="utf-8")
    return root


def secret_pieces() -> list[str]:
    return [piece for piece in WEBHOOK_PATH.split("/") if "SECRET" in piece.upper()]


def test_a_server_echoing_the_webhook_path_leaks_no_part_of_it(ready, govtool, monkeypatch, echoing_webhook):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", echoing_webhook)
    result = govtool(ready, "notify", "acme")
    assert result.exit_code == 3, result.stderr
    assert "no_such_hook" in result.stderr and MASK in result.stderr
    flushed = govtool(ready, "outbox", "flush")
    assert flushed.exit_code == 3
    listed = govtool(ready, "outbox", "list")
    kept = [p.read_text(encoding="utf-8") for p in (ready / ".govtool/outbox/pending").glob("*.json")]
    assert len(kept) == 1 and json.loads(kept[0])["attempts"] == 2
    everything = "\n".join([result.stdout, result.stderr, flushed.stderr, listed.stdout, *kept])
    for piece in secret_pieces():
        assert piece not in everything
        assert quote(piece) not in everything


def test_debug_keeps_exit_3_and_redacts_its_traceback(ready, govtool, monkeypatch, echoing_webhook):
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_WEBHOOK_URL", echoing_webhook)
    result = govtool(ready, "--debug", "notify", "acme")
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "govtool.errors.ServiceError: 1 not delivered" in result.stderr
    for piece in secret_pieces():
        assert piece not in result.stderr


def test_debug_keeps_exit_2(make_repo, govtool):
    root = make_repo({"acme": "pending"})
    result = govtool(root, "--debug", "start", "acme")
    assert result.exit_code == 2
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-2].startswith("govtool: error: acme: cannot start")


def test_every_part_of_a_secret_is_masked():
    url = "https://user:hunter2pass@hooks.example.com/services/T0ABC123/B0DEF456/XyZ0123456789abcdef?token=tok987654"
    parts = secret_parts(url)
    assert {"/services/T0ABC123/B0DEF456/XyZ0123456789abcdef", "T0ABC123", "B0DEF456", "hunter2pass"} <= set(parts)
    assert "services" not in parts and "hooks.example.com" not in parts
    text = f"refused T0ABC123 at {quote(url, safe='')} with tok987654 and XyZ0123456789abcdef for services"
    assert redact(text, [url]) == f"refused {MASK} at {MASK} with {MASK} and {MASK} for services"
    token = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp"
    assert redact("bad token AbCdEfGhIjKlMnOp (team 1234567890)", [token]) == f"bad token {MASK} (team {MASK})"
    assert redact("secret pw", ["pw"]) == f"secret {MASK}"  # a whole secret, however short


def test_smtp_auth_forms_of_the_password_are_secrets():
    from govtool.email_message import SmtpConfig

    config = SmtpConfig("localhost", 25, "bot", "pass-word-1")
    # base64("\0bot\0pass-word-1"): what AUTH PLAIN sends and a server may echo
    assert "AGJvdABwYXNzLXdvcmQtMQ==" in config.secrets
    assert redact("535 auth failed for AGJvdABwYXNzLXdvcmQtMQ==", config.secrets) == f"535 auth failed for {MASK}"


# ---------------------------------------------------------------- temporary files


def test_a_stale_temporary_file_is_removed_by_the_next_command(make_repo, govtool):
    root = make_repo({"acme": "in_progress"})
    stale = [
        root / ".govtool-tmp-tracker.yaml.k1ll3d.tmp",
        root / "docs/brokers/.govtool-tmp-decision-log.md.x.tmp",
        root / ".tracker.yaml.k3j_x9ab.tmp",  # the name before .govtool-tmp-
    ]
    mine = root / ".notes.md.abcdefgh.tmp"  # no notes.md beside it: not govtool's
    fresh = root / ".govtool-tmp-PROJECT_MEMORY.md.busy.tmp"
    for path in [*stale, fresh, mine]:
        path.write_text("half a file", encoding="utf-8")
    old = time.time() - 3600
    for path in [*stale, mine]:
        os.utime(path, (old, old))
    assert govtool(root, "progress", "acme", "30").exit_code == 0
    assert not any(path.exists() for path in stale)
    assert fresh.exists()  # perhaps another program's write in progress: a minute's grace
    assert mine.exists()


def test_the_gitignore_of_init_covers_temporary_files(make_repo):
    root = make_repo()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    names = [".govtool-tmp-tracker.yaml.abc.tmp", "docs/brokers/.govtool-tmp-decision-log.md.abc.tmp", ".govtool/x"]
    ignored = subprocess.run(["git", "check-ignore", *names], cwd=root, capture_output=True, text=True)
    assert ignored.stdout.split() == names


def test_writes_leave_only_govtool_tmp_names_while_they_run(make_repo, govtool, monkeypatch):
    """The staged file of every write is a .govtool-tmp-* name (seen by stopping before the rename)."""
    from govtool import storage

    root = make_repo({"acme": "in_progress"})
    seen = []

    def no_replace(src, dst):
        if str(dst).startswith(str(root)):  # not the per-user cache's own files
            seen.append(os.path.basename(src))
            raise OSError(28, "No space left on device")
        os.rename(src, dst)

    monkeypatch.setattr(storage.os, "replace", no_replace)
    with pytest.raises(OSError):
        govtool(root, "progress", "acme", "30")
    assert seen and all(name.startswith(".govtool-tmp-") and name.endswith(".tmp") for name in seen)


# ---------------------------------------------------------------- the terminal


def run_on_a_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    """Run govtool with stdout and stderr on a pseudo-terminal; everything it wrote."""
    main, child = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "govtool", *argv], stdout=child, stderr=child, env={**os.environ, **env}
    )
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=60)
    os.close(main)
    return out


def test_no_raw_escape_sequence_reaches_a_terminal(ready):
    doc = ready / "docs/brokers/api-research/acme.md"
    text = doc.read_text(encoding="utf-8").replace("maintenance: Low", 'maintenance: "\\e]0;pwned\\a"')  # in every kind
    doc.write_text(text, encoding="utf-8")
    outbox = ready / ".govtool/outbox"
    outbox.mkdir(parents=True)
    message = {
        "id": "0001",
        "created_at": "2026-01-01T00:00:00Z",
        "channel": "slack",
        "purpose": "notify\x1b[2J",
        "broker": "acme",
        "payload": {},
        "last_error": "HTTP 500 \x1b]0;title\x07\x9b31m",
    }
    (outbox / "0001.json").write_text(json.dumps(message), encoding="utf-8")
    env = {
        "GOVTOOL_ROOT": str(ready),
        "GOVTOOL_CACHE_DIR": "none",
        "GOVTOOL_NOW": "2026-02-02T10:00:00Z",
        "COLUMNS": "250",
    }
    notify = run_on_a_terminal(["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--dry-run"], env)
    assert b"\\x1b]0;pwned\\x07" in notify and b"\x1b]0;" not in notify and b"\x07" not in notify
    listed = run_on_a_terminal(["outbox", "list"], env).decode("utf-8")
    shown = listed.replace("\x1b[1m", "").replace("\x1b[0m", "")  # rich's own bold header, if any
    assert "\\x1b]0;title\\x07\\x9b31m" in shown and "\\x1b[2J" in shown
    assert "\x1b]" not in listed and "\x1b[2J" not in listed and "\x9b" not in listed
