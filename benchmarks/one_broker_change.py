"""Benchmark: a change on one broker costs the same in a repo of 12 brokers and of 1,000.

Builds two governance repos with ``scale.py``'s builder (50 history events per broker),
moves them to one file per broker with ``govtool migrate``, sets
``settings.docs.render_on_change: false`` (a team whose docs are rendered on main),
and times ``govtool progress`` on one in-progress broker of each, best of N runs.

Goal: the 1,000-broker figure at most 1.2 times the 12-broker one. Printed, never asserted.

    python3 benchmarks/one_broker_change.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import bench_env, compile_govtool, govtool_command, run_once  # noqa: E402

HERE = Path(__file__).resolve().parent


def team_repo(root: Path, brokers: int, env: dict[str, str]) -> str:
    """Build, migrate and set up a repo; return the id of one broker in progress."""
    subprocess.run(
        [sys.executable, str(HERE / "scale.py"), "--build-only", str(root), "--brokers", str(brokers)], check=True
    )
    subprocess.run(govtool_command("migrate"), cwd=root, env=env, check=True, capture_output=True)
    tracker = root / "tracker.yaml"
    tracker.write_text(tracker.read_text().replace("render_on_change: true", "render_on_change: false"))
    listed = subprocess.run(
        govtool_command("list", "--status", "in-progress", "--json"), cwd=root, env=env, capture_output=True, check=True
    )
    return json.loads(listed.stdout)[0]["id"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    compile_govtool()
    figures: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        repos = {}
        for brokers in (12, 1000):
            root = Path(tmp) / f"repo-{brokers}"
            env = bench_env(GOVTOOL_CACHE_DIR=str(Path(tmp) / f"cache-{brokers}"))
            repos[brokers] = (root, env, team_repo(root, brokers, env))
        runs: dict[int, list[tuple[float, float]]] = {12: [], 1000: []}
        for n in range(args.runs + 1):  # the first of each is a warm-up; the two repos take turns
            for brokers, (root, env, broker) in repos.items():
                env["GOVTOOL_NOW"] = f"2026-12-01T10:{n:02d}:00Z"
                runs[brokers].append(run_once(govtool_command("progress", broker, str(50 + n)), root, env))
        for brokers, measured in runs.items():
            figures[brokers] = (min(w for w, _ in measured[1:]), max(m for _, m in measured[1:]))
            wall, peak = figures[brokers]
            print(f"  govtool progress, {brokers:5d} brokers: {wall * 1000:7.1f} ms  {peak:5.0f} MB")
    print(f"ratio 1,000 / 12 brokers: {figures[1000][0] / figures[12][0]:.2f}  (goal <= 1.2)")


if __name__ == "__main__":
    main()
