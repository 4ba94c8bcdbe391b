"""Benchmark: the CI gate on a large repository with signed approvals, against git itself.

Builds (with `git fast-import`) a repository of 50 connector directories, 20,000 files
and 5,000 commits, 400 of which change the tracker (split layout: tracker.yaml and one
file per broker in tracker.d/). 25 brokers are approved, each approval signed with a
real SSH key made here (`ssh-keygen -Y sign`); settings.gate.approvers names the PM and
.github/allowed_signers holds the PM's key. Then a branch changes 2,000 connector files
of the 25 approved brokers. Measures, best of N runs each:

  gate     `govtool gate --base main --head feature --format json` (25 brokers, each
           approval verified with `ssh-keygen -Y verify`)
  diff     `git diff --name-only main...feature`
  import   `python -c "import typer, git"`

and prints the three and the ratio gate / (diff + import). Goal: at most 1.5. Also
prints the gate's CPU time beside its wall time (steadier on a shared machine).
Figures are printed, never asserted.

    python3 benchmarks/gate_scale.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import bench_env, best_of, compile_govtool, govtool_command, run_measured  # noqa: E402

BROKERS = 50
APPROVED = 25
FILES = 20_000
COMMITS = 5_000
TRACKER_COMMITS = 400
CHANGED = 2_000
PM = "pm@example.com"


def trackers(key: Path) -> tuple[str, dict[str, str], list[tuple[str, str]], str]:
    """tracker.yaml's text, each broker's file as it starts, the 400 tracker commits as
    (broker id, that broker's file's text after it), and the allowed-signers line. Every
    broker's history is made through the lifecycle; the approvals are signed with ``key``."""
    from govtool import history
    from govtool.model import SPLIT_VERSION, Broker, dump_broker, dump_tracker_settings, new_tracker
    from govtool.signing import SigningKey, sign_decision

    tracker = new_tracker(
        {"gate": {"paths": ["src/services/broker/{broker}/**"], "approvers": [PM]}, "docs": {"render_on_change": False}}
    )
    tracker.version = SPLIT_VERSION
    at = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    for index in range(BROKERS):
        bid = f"broker{index:02d}"
        history.add_broker(tracker, Broker(id=bid, name=bid, status="researching"), "dev", at)
        history.record_event(tracker, bid, "research_completed", "dev", at)
        history.record_event(tracker, bid, "pm_notified", "dev", at, kind="research-completed")
        if index < APPROVED:
            event = history.record_event(
                tracker, bid, "decision", f"PM <{PM}>", at, decision="approved", reason="bench", email=PM
            )
            event.details["signature"] = sign_decision(bid, event, SigningKey(str(key)))
    initial = {bid: dump_broker(broker) for bid, broker in tracker.brokers.items()}
    commits = []
    for number in range(TRACKER_COMMITS):
        bid = f"broker{number % BROKERS:02d}"
        when = at + dt.timedelta(hours=number + 1)
        history.record_event(tracker, bid, "note", "dev", when, note=f"tracker commit {number}")
        commits.append((bid, dump_broker(tracker.brokers[bid])))
    public = key.with_suffix(".pub").read_text().strip()
    return dump_tracker_settings(tracker), initial, commits, f"{PM} {public}\n"


def fast_import_stream(
    settings: str, initial: dict[str, str], tracker_commits: list[tuple[str, str]], signers: str
) -> bytes:
    """A fast-import stream: 5,000 commits on main (every 12th or so changes a broker's file
    of the tracker), then a feature branch changing 2,000 files of the approved brokers."""
    out: list[bytes] = []

    def blob_inline(path: str, text: str) -> None:
        data = text.encode()
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")

    def commit(ref: str, number: int, message: str, parent: str | None) -> None:
        msg = message.encode()
        out.append(
            f"commit {ref}\nmark :{number}\ncommitter Bench <bench@example.com> {1700000000 + number} +0000\n".encode()
        )
        out.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if parent:
            out.append(f"from {parent}\n".encode())

    commit("refs/heads/main", 1, "initial", None)
    blob_inline("tracker.yaml", settings)
    blob_inline(".github/allowed_signers", signers)
    for bid, text in initial.items():
        blob_inline(f"tracker.d/{bid}.yaml", text)
    for index in range(FILES):
        broker = index % BROKERS
        blob_inline(f"src/services/broker/broker{broker:02d}/file{index // BROKERS:04d}.ts", f"// {index}\n")
    every = (COMMITS - 1) // TRACKER_COMMITS
    pending = list(tracker_commits)
    for number in range(2, COMMITS + 1):
        commit("refs/heads/main", number, f"commit {number}", f":{number - 1}")
        if pending and number % every == 0:
            bid, text = pending.pop(0)
            blob_inline(f"tracker.d/{bid}.yaml", text)
        for k in range(3):
            index = (number * 7 + k * 13) % FILES
            broker = index % BROKERS
            blob_inline(
                f"src/services/broker/broker{broker:02d}/file{index // BROKERS:04d}.ts", f"// {index} v{number}\n"
            )
    assert not pending, f"{len(pending)} tracker commits left"
    commit("refs/heads/feature", COMMITS + 1, "feature", f":{COMMITS}")
    for index in range(CHANGED):
        broker = index % APPROVED
        blob_inline(f"src/services/broker/broker{broker:02d}/file{index // APPROVED:04d}.ts", f"// feature {index}\n")
    return b"".join(out)


def build(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    key = root.parent / "pm-key"
    if not key.exists():
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pm", "-f", str(key)], check=True)
    stream = fast_import_stream(*trackers(key))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "feature"], cwd=root, check=True)


def main() -> None:
    compile_govtool()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "bench"
        if not (root / ".git").exists():
            root.parent.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            build(root)
            print(
                f"built {COMMITS} commits ({TRACKER_COMMITS} of the tracker), {FILES} files, {BROKERS} connector dirs, "
                f"{APPROVED} signed approvals in {time.perf_counter() - start:.1f} s"
            )
        env = bench_env()
        command = govtool_command("gate", "--base", "main", "--head", "feature", "--format", "json")
        check = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        data = json.loads(check.stdout)
        verified = sum(1 for b in data["brokers"] if (b.get("signature") or {}).get("verified"))
        assert data["passed"] and verified == APPROVED, check.stdout[-2000:] + check.stderr
        diff_command = ["git", "diff", "--name-only", "main...feature"]
        import_command = [sys.executable, "-c", "import typer, git"]
        gate, _ = best_of(command, root, args.runs, env)
        diff, _ = best_of(diff_command, root, args.runs, env)
        imports, _ = best_of(import_command, root, args.runs, env)
        cpu = {
            name: min(run_measured(argv, root, env)[2] for _ in range(args.runs))
            for name, argv in (("gate", command), ("diff", diff_command), ("import", import_command))
        }
        print(f"gate over a {CHANGED}-file change, {verified} signatures verified:")
        print(f"  govtool gate:                  {gate:.3f} s ({cpu['gate']:.3f} s CPU)")
        print(f"git diff --name-only:            {diff:.3f} s ({cpu['diff']:.3f} s CPU)")
        print(f"python -c 'import typer, git':   {imports:.3f} s ({cpu['import']:.3f} s CPU)")
        print(f"ratio gate / (diff + import):    {gate / (diff + imports):.2f}  (goal <= 1.5)")
        print(f"the same ratio of CPU time:      {cpu['gate'] / (cpu['diff'] + cpu['import']):.2f}")


if __name__ == "__main__":
    main()
