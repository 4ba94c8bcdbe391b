"""Benchmark: govtool on a tracker of 1,000 brokers with 50 history events each.

Generates a governance repo (through govtool's own tracking functions, so every
history replays) and measures, best of N runs each, wall time and peak memory of:

  validate, list, status, render, report weekly, escalate --dry-run

once with the per-user cache warm (the usual case) and once with it off (the
first command after the tracker's files changed by hand or by a pull).

Goal: each under 2 s and 200 MB on a 2-core machine. Figures are printed, never
asserted.

    python3 benchmarks/scale.py [--runs 3] [--brokers 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import bench_env, best_of, compile_govtool, govtool_command  # noqa: E402

EVENTS = 50
NOW = "2026-11-20T17:00:00Z"  # a Friday: `report weekly` covers the week ending that day

COMMANDS: list[tuple[str, list[str]]] = [
    ("validate", ["validate"]),
    ("list", ["list"]),
    ("status", ["status"]),
    ("render", ["render"]),
    ("report weekly", ["report", "weekly"]),
    ("escalate --dry-run", ["escalate", "--dry-run"]),
]


def broker_history(tracker, bid: str, index: int, start: dt.datetime) -> None:
    """Append 50 events that the lifecycle allows; four shapes of history in turn."""
    from govtool import history

    clock = iter(start + dt.timedelta(hours=6 * n) for n in range(1, EVENTS + 1))
    shape = index % 4

    def event(name: str, **details) -> None:
        history.record_event(tracker, bid, name, "Dev Team", next(clock), **details)

    event("research_completed")
    event("pm_notified", kind="research-completed")
    if shape in (0, 1):  # approved, then built: completed or still in progress
        event("decision", decision="approved", reason="meets the matrix")
        event("implementation_started")
        for n in range(EVENTS - 6):
            if n % 10 == 3:
                event("blocked", reason=f"Waiting for API access ({n})")
            elif n % 10 == 4:
                event("unblocked", reason=f"Waiting for API access ({n - 1})")
            else:
                event("progress", percent=min(99, 2 * n + 2), note=f"step {n} | `code` <b>")
        event("note", note="ready for review")
        if shape == 0:
            event("completed")
        else:
            event("progress", percent=99)
    elif shape == 2:  # on hold and re-notified, again and again; ends pending
        for n in range(EVENTS - 4):
            if n % 2 == 0:
                event("decision", decision="on_hold", reason=f"budget review {n}")
            else:
                event("pm_notified", kind="research-completed")
        event("note", note="awaiting the PM")
        event("pm_notified", kind="cost-discovery")
    else:  # pending, with many notes
        for n in range(EVENTS - 3):
            event("note", note=f"follow-up {n}: <!channel> | *bold*")


def build_repo(root: Path, brokers: int) -> None:
    """A governance repo with ``brokers`` brokers and 50 events each, docs rendered."""
    from govtool import history
    from govtool.derived_docs import render_docs
    from govtool.model import SPLIT_VERSION, Broker, broker_file, dump_broker, dump_tracker_settings, new_tracker
    from govtool.storage import write_all
    from govtool.usecases.repo import init_repo

    init_repo(root)
    tracker = new_tracker()
    first = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    for index in range(brokers):
        bid = f"broker-{index:04d}"
        start = first + dt.timedelta(hours=5 * index)
        broker = Broker(
            id=bid,
            name=f"Broker {index} | Ltd <Markets>",
            status="researching",
            priority=f"P{index % 4}",
            type=("API", "OAuth2", "CSV", "FIX", "WebSocket")[index % 5],
            notes=f"note {index}: `x` | y",
        )
        history.add_broker(tracker, broker, "Dev Team", start)
        broker_history(tracker, bid, index, start)
    # One file per broker (tracker.d/), as `govtool init` and `govtool migrate` leave it.
    tracker.version = SPLIT_VERSION
    files = {root / "tracker.yaml": dump_tracker_settings(tracker)}
    files.update({root / broker_file(bid): dump_broker(b) for bid, b in tracker.brokers.items()})
    files.update(render_docs(root, tracker))
    write_all(files, root)


def add_research_docs(root: Path, brokers: int, every: int = 20) -> int:
    """A scored research doc for every ``every``-th broker, at its default path, with
    Markdown a real doc has (headings, lists, a table, code, a link) and text that must
    stay text; returns how many were written."""
    from govtool.decision_matrix import MATRIX_FACTORS

    written = 0
    for index in range(0, brokers, every):
        bid = f"broker-{index:04d}"
        scores = "".join(f"  {f}: {1 + (index // every + n) % 9 / 2:g}\n" for n, f in enumerate(MATRIX_FACTORS))
        body = "".join(
            f"## {n}. Section {n}\n\nText of section {n} with `code`, **bold** and <b>raw HTML</b>; "
            f"see [the docs](https://broker{index}.example/docs).\n\n- a point\n- another point\n\n"
            "| Endpoint | Purpose |\n|---|---|\n| GET /v2/orders | order history |\n\n"
            for n in range(1, 12)
        )
        text = (
            f"---\nbroker: {bid}\nname: Broker {index}\nscores:\n{scores}---\n# Broker {index}: API research\n\n{body}"
        )
        path = root / f"docs/brokers/api-research/{bid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--brokers", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the repo here (or reuse it) and keep it")
    parser.add_argument("--build-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_only:
        build_repo(args.build_only, args.brokers)
        return
    compile_govtool()
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "scale"
        if not (root / "tracker.yaml").exists():
            started = time.perf_counter()
            # In a child: Linux counts a forked child's peak memory from its parent's, so
            # a parent that built 1,000 brokers in memory would inflate every figure.
            build = [sys.executable, __file__, "--build-only", str(root), "--brokers", str(args.brokers)]
            subprocess.run(build, check=True)
            size = sum(p.stat().st_size for p in (root / "tracker.d").glob("*.yaml")) / 1e6
            print(
                f"built a tracker of {args.brokers} brokers x {EVENTS} events "
                f"({size:.1f} MB) in {time.perf_counter() - started:.1f} s"
            )
        cache = Path(tmp) / "cache"
        env = bench_env(GOVTOOL_NOW=NOW, GOVTOOL_ROOT=str(root), GOVTOOL_CACHE_DIR=str(cache))
        print(f"best of {args.runs} runs (after one warm-up run); goal: each under 2 s and 200 MB")
        for label, argv in COMMANDS:
            report(label, best_of(govtool_command(*argv), root, args.runs, env))
        print("cold: tracker files never parsed before (after a hand edit or a pull), cache off")
        cold = dict(env, GOVTOOL_CACHE_DIR="none")
        for label, argv in COMMANDS:
            report(label, best_of(govtool_command(*argv), root, args.runs, cold))
        load = (
            "import pathlib, yaml\n"
            "for p in sorted(pathlib.Path('tracker.d').glob('*.yaml')):\n"
            "    yaml.load(p.read_text(), Loader=yaml.CSafeLoader)"
        )
        report("PyYAML C loader alone", best_of([sys.executable, "-c", load], root, 1, env), goal=False)


def report(label: str, figures: tuple[float, float], goal: bool = True) -> None:
    wall, peak = figures
    verdict = ("ok" if wall < 2 and peak < 200 else "OVER GOAL") if goal else ""
    print(f"  {label:22s} {wall:6.2f} s  {peak:6.0f} MB  {verdict}")


if __name__ == "__main__":
    main()
