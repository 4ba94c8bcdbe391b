"""Shared fixtures: govtool run in-process or as a real process, and governance repos
built in temporary directories."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from govtool import history
from govtool.cli import main
from govtool.model import Broker, dump_tracker, new_tracker

REPO = Path(__file__).resolve().parent.parent


def shared_path(*parts: str) -> Path:
    """A path in the shared corpus beside this checkout: the real API specs
    (``real-specs/``) and the team's source documents (``seeds/``).

    The corpus is found at ``$GOVTOOL_SHARED_DIR``, by default ``../shared`` next to the
    repository. When the path is not there the calling test is skipped, with a reason
    that says how to get it; with ``GOVTOOL_REQUIRE_CORPUS=1`` (``.ci/run`` sets it) it
    fails instead, so CI never passes by skipping. Every rule these tests check on the
    corpus is also checked on small inputs the tests write, so a clone with nothing
    beside it still tests every rule.

    Args:
        parts: path components under the corpus directory, e.g. ``("real-specs", "oanda-v20.json")``.

    Returns:
        The existing path.
    """
    base = Path(os.environ.get("GOVTOOL_SHARED_DIR") or REPO.parent / "shared")
    path = base.joinpath(*parts)
    if not path.exists():
        reason = (
            f"the shared corpus is not here ({path} does not exist): "
            "set GOVTOOL_SHARED_DIR to the directory that holds real-specs/ and seeds/ to run this test"
        )
        if os.environ.get("GOVTOOL_REQUIRE_CORPUS") == "1":
            pytest.fail(f"{reason} (GOVTOOL_REQUIRE_CORPUS=1 makes a missing corpus a failure)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """Every test run gets its own govtool cache, never the user's ~/.cache/govtool."""
    os.environ["GOVTOOL_CACHE_DIR"] = str(tmp_path_factory.mktemp("govtool-cache"))


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def govtool(capsys, monkeypatch):
    """Run govtool in-process: ``govtool(root, "status", "--json")`` -> Result."""
    monkeypatch.setenv("GOVTOOL_USER", "Test Dev")
    monkeypatch.delenv("GOVTOOL_ROOT", raising=False)
    monkeypatch.setenv("GOVTOOL_NOW", "2026-02-02T10:00:00Z")

    def run(root: Path | None, *args: str, now: str | None = None) -> Result:
        if now:
            monkeypatch.setenv("GOVTOOL_NOW", now)
        argv = (["--root", str(root)] if root is not None else []) + list(args)
        capsys.readouterr()
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


def run_process(*args: str, cwd: Path | None = None, env: dict | None = None, python: str | None = None) -> Result:
    """Run govtool as a real process (``python -m govtool``)."""
    full_env = {k: v for k, v in os.environ.items() if k != "GOVTOOL_ROOT"}
    full_env.update({"GOVTOOL_USER": "Test Dev", **(env or {})})
    proc = subprocess.run(
        [python or sys.executable, "-m", "govtool", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def new_venv(directory: Path) -> tuple[Path, dict[str, str]]:
    """A new virtual environment with pip and nothing else, whether or not pytest itself runs
    in one: ``(its python, an environment that runs there)``.

    The environment has the venv's ``bin`` first on PATH (so ``python3`` and ``govtool`` are
    the venv's), no PYTHONPATH (nothing of this checkout leaks in), no user site-packages,
    and none of govtool's or CI's settings (GOVTOOL_ROOT, GOVTOOL_REQUIRE_CORPUS,
    GOVTOOL_SHARED_DIR). pip keeps the machine's configuration (index, find-links, cache).
    """
    import venv

    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(directory)
    drop = {
        "PYTHONPATH",
        "PYTHONHOME",
        "GOVTOOL_ROOT",
        "GOVTOOL_REQUIRE_CORPUS",
        "GOVTOOL_SHARED_DIR",
        "__PYVENV_LAUNCHER__",
    }
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(
        VIRTUAL_ENV=str(directory),
        PATH=os.pathsep.join([str(directory / "bin"), env.get("PATH", "")]),
        PYTHONNOUSERSITE="1",
    )
    return directory / "bin" / "python", env


_LOADED_MODULES = """
import json, sys
from govtool.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})), file=sys.stderr)
"""


def modules_loaded_by(argv: list[str], cwd: Path, env: dict | None = None) -> tuple[Result, set[str]]:
    """Run ``govtool ARGV`` in a fresh interpreter: its result, and the top-level modules
    (``yaml``, ``git``, ``asyncio``) it had imported by the time it finished."""
    run = subprocess.run(
        [sys.executable, "-c", _LOADED_MODULES, *argv], cwd=cwd, env=env, capture_output=True, text=True
    )
    *stderr, loaded = run.stderr.rstrip("\n").split("\n")
    return Result(run.returncode, run.stdout, "\n".join(stderr)), set(json.loads(loaded))


def ts(day: str, time: str = "09:00:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}+00:00")


def build_tracker(stages: dict[str, str]):
    """A tracker with one broker per entry, driven through the lifecycle to its stage.

    ``stages`` maps broker id to a status; the history is made by the real lifecycle.
    """
    tracker = new_tracker()
    day = dt.date(2026, 1, 5)
    for bid, stage in stages.items():
        at = ts(day.isoformat())
        history.add_broker(tracker, Broker(id=bid, name=bid.replace("-", " ").title(), status="researching"), "Dev", at)
        steps = {
            "researching": [],
            "pending": ["notify"],
            "approved": ["notify", "approve"],
            "rejected": ["notify", "reject"],
            "on_hold": ["notify", "hold"],
            "in_progress": ["notify", "approve", "start"],
            "completed": ["notify", "approve", "start", "complete"],
        }[stage]
        for step in steps:
            if step == "notify":
                history.record_event(tracker, bid, "research_completed", "Dev", at)
                history.record_event(tracker, bid, "pm_notified", "Dev", at, kind="research-completed")
            elif step in ("approve", "reject", "hold"):
                decision = {"approve": "approved", "reject": "rejected", "hold": "on_hold"}[step]
                history.record_event(tracker, bid, "decision", "PM", at, decision=decision, reason="test")
            elif step == "start":
                history.start(tracker, bid, "Dev", at)
            elif step == "complete":
                history.complete(tracker, bid, "Dev", at)
    return tracker


def ssh_keypair(directory: Path, name: str) -> tuple[Path, str]:
    """A new Ed25519 key pair without a passphrase, made by ssh-keygen in ``directory``:
    ``(the private key's path, the public key's line)``."""
    directory.mkdir(parents=True, exist_ok=True)
    key = directory / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    return key, (directory / f"{name}.pub").read_text().strip()


def sign_approval(tracker, broker_id: str, email: str, key: Path, by: str | None = None) -> None:
    """Sign ``broker_id``'s approving decision in ``tracker`` (in place) as ``email`` with ``key``,
    as `govtool decide` would have."""
    from govtool.signing import SigningKey, approving_decision, sign_decision

    decision = approving_decision(tracker.brokers[broker_id])
    assert decision is not None, broker_id
    decision.by = by or f"PM <{email}>"
    decision.details["email"] = email
    decision.details.pop("signature", None)
    decision.details["signature"] = sign_decision(broker_id, decision, SigningKey(str(key)))


def write_split_tracker(root: Path, tracker) -> None:
    """Write ``tracker`` in the split layout: tracker.yaml (version 2, settings) and one
    ``tracker.d/<id>.yaml`` per broker (files of brokers no longer there are removed)."""
    from govtool.model import SPLIT_VERSION, dump_broker, dump_tracker_settings

    tracker.version = SPLIT_VERSION
    (root / "tracker.yaml").write_text(dump_tracker_settings(tracker), encoding="utf-8")
    brokers = root / "tracker.d"
    brokers.mkdir(exist_ok=True)
    for old in brokers.glob("*.yaml"):
        if old.stem not in tracker.brokers:
            old.unlink()
    for bid, broker in tracker.brokers.items():
        (brokers / f"{bid}.yaml").write_text(dump_broker(broker), encoding="utf-8")


@pytest.fixture
def make_repo(tmp_path, govtool):
    """A governance repo in a temporary directory: ``make_repo({"alpaca": "approved"})`` -> root."""

    def make(stages: dict[str, str] | None = None, name: str = "gov") -> Path:
        root = tmp_path / name
        result = govtool(None, "init", "--no-ci", str(root))  # commands re-render the docs
        assert result.exit_code == 0, result.stderr
        # The single-file layout (version 1), which these tests edit by hand.
        (root / "tracker.yaml").write_text(dump_tracker(build_tracker(stages or {})), encoding="utf-8")
        assert govtool(root, "render").exit_code == 0
        return root

    return make


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root (but .govtool/), by relative path, for byte-identity checks."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".govtool" not in p.relative_to(root).parts
    }


@pytest.fixture
def repo_copy(tmp_path):
    """A copy of this repository's own governance data (tracker, docs, memory)."""
    root = tmp_path / "repo"
    root.mkdir()
    shutil.copy(REPO / "tracker.yaml", root / "tracker.yaml")
    shutil.copytree(REPO / "tracker.d", root / "tracker.d")
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copy(REPO / "PROJECT_MEMORY.md", root / "PROJECT_MEMORY.md")
    return root


def filled_research_doc(broker_id: str = "acme", name: str = "Acme", cost: int = 0, access: str = "Public") -> str:
    """A research doc that passes `research check`: every field set, every section filled."""
    from govtool.research_doc import SECTIONS

    front = f"""---
broker: {broker_id}
name: {name}
tier: 2
asset_classes: [stocks]
regions: [US]
integration_type: API
docs_url: https://example.com/docs
authentication: OAuth 2.0
rate_limits: 100 requests/minute
monthly_api_cost_usd: {cost}
access: {access}
data_coverage: 2 years of fills
development_days: 3
maintenance: Low
risk_level: Medium
user_demand: High
recommendation: Implement
scores: {{user_demand: 4, cost_benefit: 4, technical_feasibility: 4, strategic_fit: 4, risk_assessment: 4}}
---
# {name}
"""
    body = "".join(
        f"\n## {n}. {title}\n\nReal findings for {title.lower()}.\n{FILLED_EXTRAS.get(n, '')}"
        for n, (title, _) in enumerate(SECTIONS, 1)
    )
    return front + body + MATRIX_OF_FOURS


#: What :func:`filled_research_doc` adds to some sections: section 10's risk table, and
#: section 11's user-demand evidence (what a research-completed notification carries).
FILLED_EXTRAS = {
    10: """
| Risk | Level | Notes |
|------|-------|-------|
| API stability | Low | versioned API, changelog published |
| Vendor lock-in | Medium | |
""",
    11: """
- **User demand evidence**: 35% of surveyed users hold an account
  - 120 votes on the feedback board
""",
}


#: Section 11's decision-matrix table for the scores of :func:`filled_research_doc` (all 4s).
MATRIX_OF_FOURS = """
<!-- govtool:decision-matrix:begin (written by `govtool score`: change the scores with it) -->
| Factor | Weight | Score (1-5) | Weighted Score |
|--------|--------|-------------|----------------|
| User Demand | 30% | 4 | 1.20 |
| Cost/Benefit | 25% | 4 | 1.00 |
| Technical Feasibility | 20% | 4 | 0.80 |
| Strategic Fit | 15% | 4 | 0.60 |
| Risk Assessment | 10% | 4 | 0.40 |
| **Total** | **100%** | - | **4.00** |

**Band**: approve (high priority) (weighted total 4.00)
<!-- govtool:decision-matrix:end -->
"""


class SlackServer:
    """A Slack-compatible Web API and webhook on 127.0.0.1, recording what it receives.

    Methods: ``chat.postMessage`` (and any other POST: ok), ``auth.test`` (the bot
    ``U0GOVTOOL`` of team ``Test Team``), ``users.info`` (over ``.users``), ``conversations.list`` and
    ``conversations.info`` (GET, as slack_sdk sends them) over ``.channels``, by default
    ``#broker-integrations`` with the bot a member.

    ``mode``: ``ok``; ``invalid_auth`` (ok: false); ``ratelimit_once`` (one 429 with
    Retry-After: 1, then ok); ``ratelimit`` (always 429 with Retry-After: ``retry_after``).
    ``delay``: seconds each request takes to handle (a message is taken, and counted,
    once handled, even when its client has gone meanwhile, as Slack does).
    """

    def __init__(self) -> None:
        import json
        import threading
        import time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qsl, urlsplit

        self.requests: list[dict] = []
        self.mode = "ok"
        self.retry_after = "3600"
        self.delay = 0.0
        self.channels: list[dict] = [{"id": "C0BROKERS", "name": "broker-integrations", "is_member": True}]
        #: users.info: each Slack user id's profile email; ``users_error`` answers every call with that error.
        self.users: dict[str, str] = {"U0JANE": "jane@example.com", "U0MALLORY": "mallory@example.com"}
        self.users_error: str | None = None
        server = self

        def reply_to(method: str, body: dict) -> dict:
            if server.mode == "invalid_auth":
                return {"ok": False, "error": "invalid_auth"}
            if method == "auth.test":
                return {"ok": True, "user": "govtool", "user_id": "U0GOVTOOL", "team": "Test Team", "team_id": "T0TEST"}
            if method == "conversations.list":
                return {"ok": True, "channels": server.channels, "response_metadata": {"next_cursor": ""}}
            if method == "users.info":
                if server.users_error:
                    return {"ok": False, "error": server.users_error}
                email = server.users.get(body.get("user"))
                if email is None:
                    return {"ok": False, "error": "user_not_found"}
                return {"ok": True, "user": {"id": body["user"], "profile": {"email": email}}}
            if method == "conversations.info":
                found = [c for c in server.channels if c["id"] == body.get("channel")]
                return {"ok": True, "channel": found[0]} if found else {"ok": False, "error": "channel_not_found"}
            return {"ok": True, "channel": body.get("channel"), "ts": "1700000000.000100"}

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output quiet
                pass

            def send_json(self, reply: dict) -> None:
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                # A client killed after sending: Slack took the message all the same.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                body = dict(parse_qsl(url.query))
                server.requests.append(
                    {"path": url.path, "headers": dict(self.headers), "body": body, "delivered": False}
                )
                self.send_json(reply_to(url.path.rsplit("/", 1)[-1], body))

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if len(data) < length:  # the client died mid-request: Slack takes nothing cut short
                    server.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": {}, "delivered": False}
                    )
                    return
                raw = data.decode()
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = dict(parse_qsl(raw))
                if server.delay:
                    time.sleep(server.delay)
                request = {"path": self.path, "headers": dict(self.headers), "body": body, "delivered": False}
                server.requests.append(request)
                limited = server.mode == "ratelimit" or (server.mode == "ratelimit_once" and len(server.requests) == 1)
                if limited:
                    self.send_response(429)
                    self.send_header("Retry-After", "1" if server.mode == "ratelimit_once" else server.retry_after)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"ok": false, "error": "ratelimited"}')
                    return
                request["delivered"] = server.mode != "invalid_auth" or self.path.startswith("/webhook")
                if self.path.startswith("/webhook"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok")
                    return
                self.send_json(reply_to(self.path.rsplit("/", 1)[-1], body))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def posts(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("chat.postMessage")]

    def delivered_ids(self) -> list[str]:
        """The govtool message ids of the messages Slack took (the metadata of each), in order."""
        return [message_id(r["body"]) for r in self.requests if r["delivered"]]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def slack_server():
    server = SlackServer()
    yield server
    server.close()


def message_id(body: dict) -> str:
    """The govtool message id a Slack message carries in its metadata."""
    metadata = body.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    return metadata["event_payload"]["id"]


def eml_id(data: bytes) -> str:
    """The govtool message id of a mail: the left part of its Message-ID."""
    import email
    import email.policy

    value = email.message_from_bytes(data, policy=email.policy.default)["Message-ID"]
    return value.strip().strip("<>").split("@")[0]


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpHandler:
    """aiosmtpd's handler: keeps what the server received in ``.messages``; ``delay`` is
    the seconds it takes to accept a message (it keeps the message even when the client
    has gone meanwhile)."""

    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.delay = 0.0

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        if self.delay:
            await asyncio.sleep(self.delay)
        self.messages.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content})
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on 127.0.0.1; ``.messages`` holds what it received;
    ``.handler.delay`` is the seconds it takes to accept a message (it keeps the message
    even when the client has gone meanwhile)."""
    from aiosmtpd.controller import Controller

    handler = SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    controller.messages = handler.messages
    yield controller
    controller.stop()


@pytest.fixture
def smtp_env(smtp_server, monkeypatch):
    """The SMTP server, configured for govtool through GOVTOOL_SMTP_HOST and GOVTOOL_SMTP_PORT."""
    monkeypatch.setenv("GOVTOOL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVTOOL_SMTP_PORT", str(smtp_server.port))
    return smtp_server


@pytest.fixture
def smtp_tls_server(tmp_path, monkeypatch):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that offers STARTTLS, with a certificate
    for 127.0.0.1 from a test authority (trustme) that this process and its children trust
    (SSL_CERT_FILE). It takes the login ``govtool`` / ``s3cret`` (over TLS only); ``.messages``
    holds what it received."""
    import ssl

    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    def authenticator(server, session, envelope, mechanism, auth_data):
        accepted = (auth_data.login, auth_data.password) == (b"govtool", b"s3cret")
        return AuthResult(success=accepted, handled=False)  # handled=False: the server replies 235 or 535

    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate.configure_cert(context)
    ca_file = tmp_path / "test-ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    handler = SmtpHandler()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=context,
        authenticator=authenticator,
        auth_require_tls=True,
    )
    controller.start()
    controller.messages = handler.messages
    yield controller
    with contextlib.suppress(AssertionError):  # a test may have stopped it already
        controller.stop()
