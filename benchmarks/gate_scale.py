"""Benchmark: the CI gate on a large repository, against git itself, in one run.

Builds (with `git fast-import`) a repository of 50 connector directories, 20,000
files and 5,000 commits, then a branch changing 2,000 connector files of approved
brokers. Measures, best of N runs each:

  gate     `govtool gate --base main --head feature --format json`
  diff     `git diff --name-only main...feature`
  import   `python -c "import typer, git"`

and prints the three and the ratio gate / (diff + import). Goal: at most 1.5.
Figures are printed, never asserted.

    python3 benchmarks/gate_scale.py [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import bench_env, best_of, compile_govtool, govtool_command  # noqa: E402

BROKERS = 50
FILES = 20_000
COMMITS = 5_000
CHANGED = 2_000


def tracker_text() -> str:
    import datetime as dt

    from govtool import history
    from govtool.model import Broker, dump_tracker, new_tracker

    tracker = new_tracker({"gate": {"paths": ["src/services/broker/{broker}/**"]}})
    at = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    for index in range(BROKERS):
        bid = f"broker{index:02d}"
        history.add_broker(tracker, Broker(id=bid, name=bid, status="researching"), "dev", at)
        history.record_event(tracker, bid, "research_completed", "dev", at)
        history.record_event(tracker, bid, "pm_notified", "dev", at, kind="research-completed")
        history.record_event(tracker, bid, "decision", "pm", at, decision="approved", reason="bench")
    return dump_tracker(tracker)


def fast_import_stream(tracker: str) -> bytes:
    """A fast-import stream: 5,000 commits on main, then a feature branch."""
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

    per_dir = FILES // BROKERS
    commit("refs/heads/main", 1, "initial", None)
    blob_inline("tracker.yaml", tracker)
    for index in range(FILES):
        broker = index % BROKERS
        blob_inline(f"src/services/broker/broker{broker:02d}/file{index // BROKERS:04d}.ts", f"// {index}\n")
    for number in range(2, COMMITS + 1):
        commit("refs/heads/main", number, f"commit {number}", f":{number - 1}")
        for k in range(3):
            index = (number * 7 + k * 13) % FILES
            broker = index % BROKERS
            blob_inline(
                f"src/services/broker/broker{broker:02d}/file{index // BROKERS:04d}.ts", f"// {index} v{number}\n"
            )
    commit("refs/heads/feature", COMMITS + 1, "feature", f":{COMMITS}")
    for index in range(CHANGED):
        broker = index % BROKERS
        blob_inline(f"src/services/broker/broker{broker:02d}/file{index // BROKERS:04d}.ts", f"// feature {index}\n")
    assert per_dir
    return b"".join(out)


def build(root: Path) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    stream = fast_import_stream(tracker_text())
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
            start = time.perf_counter()
            build(root)
            print(
                f"built {COMMITS} commits, {FILES} files, {BROKERS} connector dirs "
                f"in {time.perf_counter() - start:.1f} s"
            )
        env = bench_env()
        gate, _ = best_of(
            govtool_command("gate", "--base", "main", "--head", "feature", "--format", "json"), root, args.runs, env
        )
        diff, _ = best_of(["git", "diff", "--name-only", "main...feature"], root, args.runs, env)
        imports, _ = best_of([sys.executable, "-c", "import typer, git"], root, args.runs, env)
        print(f"gate over a {CHANGED}-file change: {gate:.3f} s")
        print(f"git diff --name-only:            {diff:.3f} s")
        print(f"python -c 'import typer, git':   {imports:.3f} s")
        print(f"ratio gate / (diff + import):    {gate / (diff + imports):.2f}  (goal <= 1.5)")


if __name__ == "__main__":
    main()
