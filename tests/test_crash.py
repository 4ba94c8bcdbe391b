"""Crash safety of delivery: notify, escalate, report weekly and outbox flush killed with
SIGKILL at random moments, then one `outbox flush`.

Each shard runs four lanes side by side; a lane is a repo with twenty pending brokers
whose escalations fall due while its virtual clock advances, with email and Slack
pointed at the servers on 127.0.0.1 (which count deliveries by message id), and eighteen
commands (notify, escalate, report weekly --force, and outbox flush when something
waits) run as real child processes forked from a warm server, each but the lane's
first sent SIGKILL at a random moment of its expected run (some finish first; the
moment each killed run had reached is counted). Then one flush per lane, and:

- every recorded message (an event's ``via``, a time in the report's ledger) is in
  ``sent/`` exactly once per channel, and nothing waits in the outbox;
- the servers received each of those ids at least once, and more than once only in the
  window the delivery module documents (killed between the service taking a message
  and its rename into ``sent/``): such duplicates are counted and reported;
- nothing unrecorded was sent: every id a server received is a recorded message's.

Two shards of 72 runs each; a run that finished before its kill does not count, and each
shard must kill at least 25 (50 in all). They take some ten seconds each, side by side
on two xdist workers.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import eml_id

from govtool import history
from govtool.model import Broker, dump_tracker, new_tracker
from govtool.storage import read_tracker
from govtool.weekly_report import delivery_times, read_deliveries

RUNS_PER_SHARD = 72
LANES = 4
BROKERS = 20
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
STEP = dt.timedelta(hours=4)
COMMANDS = ("notify", "escalate", "report", "flush")


def _stamp(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _repo(root: Path, smtp_port: int) -> None:
    """A governance repo whose brokers were notified on successive days before the runs."""
    tracker = new_tracker()
    for number in range(BROKERS):
        bid = f"b{number:02d}"
        at = dt.datetime(2026, 2, 16, 9, 0, tzinfo=dt.timezone.utc) + dt.timedelta(hours=18 * number)
        history.add_broker(tracker, Broker(id=bid, name=f"Broker {number:02d}", status="researching"), "Dev", at)
        history.record_event(tracker, bid, "research_completed", "Dev", at)
        history.record_event(tracker, bid, "pm_notified", "Dev", at, kind="research-completed", via="by_hand")
    text = dump_tracker(tracker).replace("    smtp_host: null\n", "    smtp_host: 127.0.0.1\n")
    root.mkdir(parents=True)
    (root / "tracker.yaml").write_text(text.replace("    smtp_port: 25\n", f"    smtp_port: {smtp_port}\n"))


def _argv(command: str, run: int) -> list[str]:
    if command == "notify":
        return ["notify", f"b{run % BROKERS:02d}", "--kind", "issues-discovered", "--message", f"run {run}"]
    if command == "escalate":
        return ["escalate"]
    if command == "report":
        return ["report", "weekly", "--force"]
    return ["outbox", "flush"]


def _expected(root: Path) -> set[tuple]:
    """Every recorded message, by where it is recorded and its channel."""
    expected = set()
    for broker in read_tracker(root).brokers.values():
        for index, event in enumerate(broker.history):
            for channel in (c.strip() for c in str(event.details.get("via", "")).split(",")):
                if channel in ("email", "slack"):
                    expected.add(("tracker", broker.id, index, channel))
    for week, channels in read_deliveries(root).items():
        for channel, value in channels.items():
            expected.update(("ledger", week, at, channel) for at in delivery_times(value))
    return expected


def _key(record: dict, channel: str) -> tuple:
    if record["file"] == "tracker":
        return ("tracker", record["broker"], record["index"], channel)
    return ("ledger", record["week"], record["at"], channel)


#: A fork server: it imports govtool and everything a delivering command loads (and warms
#: what a long-lived process would have: the year's holidays, the compiled templates), then,
#: for each request on its stdin, forks a child that runs the command (a real process
#: with its own pid, which the test kills with SIGKILL), prints the child's pid, and
#: once the child is gone its wait status. Forking skips Python's start-up, so the
#: random kill lands in the command's own work: reading, the write-ahead, the record,
#: sending.
_SERVER = """
import json, os, sys, traceback
import email.message, filelock, jinja2, slack_sdk.web, slack_sdk.webhook, smtplib, yaml
import govtool.usecases.cron, govtool.usecases.pm
from govtool.business_days import holidays_in
from govtool.cli import main
from govtool.templating import environment
from pathlib import Path
holidays_in("NYSE", 2026)  # what any process of the same day has computed or cached
templates = environment(Path(sys.argv[1]))
for name in templates.list_templates():
    templates.get_template(name)
while True:
    line = sys.stdin.readline()
    if not line:
        break
    request = json.loads(line)
    pid = os.fork()
    if pid == 0:
        os.environ.update(request["env"])
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        os.dup2(os.open(request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
        code = 0
        try:
            main(request["argv"])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 99
        sys.stderr.flush()
        os._exit(code)
    print(pid, flush=True)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


def _record_state(root: Path) -> tuple[bytes, bytes]:
    """What holds the records: the tracker and the report's ledger, as bytes."""
    ledger = root / "docs/brokers/reports/deliveries.yaml"
    return (root / "tracker.yaml").read_bytes(), ledger.read_bytes() if ledger.exists() else b""


def _waiting(root: Path, stamp: str | None) -> int:
    """Messages of the run at ``stamp`` (of any run: None) still pending or in flight."""
    outbox = root / ".govtool/outbox"
    return sum(
        stamp is None or json.loads(p.read_text())["created_at"] == stamp
        for state in ("pending", "inflight")
        for p in (outbox / state).glob("*.json")
    )


class Lane:
    """One repo and its sequence of runs (a shard runs several lanes side by side).

    ``moments`` counts where each killed run stopped: before it recorded anything, after
    its write-ahead but before its record (``write-ahead only``: set aside later), after
    its record with messages still waiting (``recorded, delivery cut``), or after
    delivering them (``recorded and delivered``); a killed flush counts as ``flush``.
    """

    def __init__(self, root: Path, env: dict[str, str], seed: int, durations: dict[str, list[float]]) -> None:
        self.root, self.env, self.rng, self.durations = root, env, random.Random(seed), durations
        self.killed: collections.Counter = collections.Counter()
        self.finished: collections.Counter = collections.Counter()
        self.moments: collections.Counter = collections.Counter()
        self.errors: list[str] = []
        self.server = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(root)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def one(self, run: int, command: str, kill: bool) -> None:
        stamp = _stamp(START + run * STEP)
        stderr = self.root.parent / f"{self.root.name}-run-{run}.err"
        before = _record_state(self.root)
        request = {"argv": _argv(command, run), "env": {"GOVTOOL_NOW": stamp}, "stderr": str(stderr)}
        started = time.monotonic()
        self.server.stdin.write(json.dumps(request) + "\n")
        self.server.stdin.flush()
        pid = int(self.server.stdout.readline())
        share = self.rng.uniform(0.0, 0.95)
        if kill:
            time.sleep(share * min(self.durations[command][-3:] or [0.2]))
            with contextlib.suppress(ProcessLookupError):  # it may have finished already
                os.kill(pid, signal.SIGKILL)
        code = int(self.server.stdout.readline())
        elapsed = time.monotonic() - started
        if code == -signal.SIGKILL:
            self.killed[command] += 1
            if list((self.root / ".govtool/outbox/inflight").glob("*.json")):
                self.moments["mid-send (a claim left in inflight/)"] += 1
            recorded, waiting = _record_state(self.root) != before, _waiting(self.root, stamp)
            if command == "flush":
                self.moments["flush"] += 1
            elif recorded:
                self.moments["recorded, delivery cut" if waiting else "recorded and delivered"] += 1
            else:
                self.moments["write-ahead only" if waiting else "before the record"] += 1
            return
        self.finished[command] += 1
        self.durations[command].append(elapsed)  # the shortest of the last few sets the kill window
        err = stderr.read_text()
        if code not in (0, 3) or "Traceback" in err:
            self.errors.append(f"{command} exited {code}: {err}")

    def run(self, first: str, runs: int) -> None:
        try:
            self.one(0, first, kill=False)  # measures the command, under the load of the other lanes
            for run in range(1, runs):
                # A flush when something waits in the outbox; a command that records otherwise.
                busy = _waiting(self.root, None) > 0
                command = "flush" if busy and self.rng.random() < 0.5 else self.rng.choice(COMMANDS[:3])
                self.one(run, command, kill=True)
        finally:
            self.server.stdin.close()
            self.server.wait(timeout=60)
        stamp = _stamp(START + runs * STEP)
        final = subprocess.run(
            [sys.executable, "-m", "govtool", "outbox", "flush"],
            env=dict(self.env, GOVTOOL_NOW=stamp),
            capture_output=True,
        )
        if final.returncode != 0:
            self.errors.append(f"the final flush exited {final.returncode}: {final.stderr.decode()}")


@pytest.mark.parametrize("shard", [1, 2])
def test_killed_at_random_moments_every_recorded_message_is_delivered_once(
    shard, tmp_path, smtp_server, slack_server, capsys
):
    base = {k: v for k, v in os.environ.items() if k not in ("GOVTOOL_ROOT", "SLACK_WEBHOOK_URL", "GOVTOOL_SMTP_HOST")}
    base.update(
        GOVTOOL_USER="Crash Test",
        SLACK_BOT_TOKEN="xoxb-crash-test",
        GOVTOOL_SLACK_API_URL=slack_server.api_url,
        GOVTOOL_CACHE_DIR="none",
    )
    lanes = []
    durations: dict[str, list[float]] = {command: [] for command in COMMANDS}
    slack_server.delay = smtp_server.handler.delay = 0.01  # the services take their time, as real ones do
    for number in range(LANES):
        root = tmp_path / f"gov-{number}"
        _repo(root, smtp_server.port)
        seed = 20260302 + 10 * shard + number
        lanes.append(Lane(root, dict(base, GOVTOOL_ROOT=str(root)), seed, durations))
    # The first run of each lane (one of each command) finishes, to learn how long a run
    # takes; every other run is killed at a random moment of it (some finish before).
    threads = [
        threading.Thread(target=lane.run, args=(COMMANDS[n % len(COMMANDS)], RUNS_PER_SHARD // LANES))
        for n, lane in enumerate(lanes)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not [e for lane in lanes for e in lane.errors], [e for lane in lanes for e in lane.errors]

    received = collections.Counter(eml_id(m["data"]) for m in smtp_server.messages)
    received.update(slack_server.delivered_ids())
    all_sent: set[str] = set()
    voided: set[str] = set()
    recorded = 0
    for lane in lanes:
        outbox = lane.root / ".govtool/outbox"
        for state in ("pending", "inflight"):
            assert not list((outbox / state).glob("*.json")), f"left in {state}/"
        sent = [json.loads(p.read_text()) for p in sorted((outbox / "sent").glob("*.json"))]
        voided |= {json.loads(p.read_text())["id"] for p in (outbox / "void").glob("*.json")}
        by_key = collections.Counter(_key(m["record"], m["channel"]) for m in sent)
        expected = _expected(lane.root)
        assert set(by_key) == expected, set(by_key) ^ expected  # every recorded message, and only those
        assert max(by_key.values(), default=1) == 1  # one outbox message per record and channel
        recorded += len(expected)
        all_sent |= {m["id"] for m in sent}
    assert recorded, "no message was recorded at all"
    assert set(received) <= all_sent, f"sent without a record: {set(received) - all_sent}"
    assert not voided & set(received), "a message whose record never came was sent"
    assert not all_sent - set(received), f"in sent/, never received: {all_sent - set(received)}"
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    killed = sum((lane.killed for lane in lanes), collections.Counter())
    finished = sum((lane.finished for lane in lanes), collections.Counter())
    moments = sum((lane.moments for lane in lanes), collections.Counter())
    with capsys.disabled():
        print(
            f"\n[crash shard {shard}] runs={sum(killed.values()) + sum(finished.values())} killed={dict(killed)} "
            f"finished={dict(finished)} recorded messages={recorded} delivered={len(all_sent)} "
            f"voided={len(voided)} duplicates (at-least-once window)={len(duplicates)} killed at={dict(moments)}"
        )
    # The documented window is between the service taking a message and its rename into
    # sent/: each kill during a delivery can send one message once more, no more.
    extra = sum(n - 1 for n in duplicates.values())
    assert extra <= moments["mid-send (a claim left in inflight/)"], (duplicates, moments)
    assert sum(killed.values()) >= 25, (killed, finished)  # at least 50 runs killed by the two shards
    assert moments["recorded, delivery cut"] + moments["recorded and delivered"] + moments["flush"], moments
