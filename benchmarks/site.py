"""Benchmark: `govtool site` on this repository and on a tracker of 1,000 brokers.

Builds the 1,000-broker governance repo with ``scale.py``'s builder (50 history events
per broker, one file per broker) and a scored research doc for one broker in 20, then
times `govtool site --out DIR`, best of N runs (after one warm-up), wall time and peak
memory of the process: the first build into an empty directory, and a rebuild into the
same directory (files already current are not rewritten).

Goal: at most 10 s and 500 MB for 1,000 brokers on a 2-core machine. Printed, never asserted.

    python3 benchmarks/site.py [--runs 3] [--brokers 1000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, bench_env, compile_govtool, govtool_command, run_once  # noqa: E402
from scale import add_research_docs  # noqa: E402

HERE = Path(__file__).resolve().parent
NOW = "2026-11-20T17:00:00Z"


def measure(root: Path, out: Path, runs: int, fresh: bool) -> tuple[float, float]:
    """Best wall time and largest peak memory of `govtool site` over ``runs`` runs
    (after a warm-up); ``fresh`` empties ``out`` before each run."""
    env = bench_env(GOVTOOL_NOW=NOW, GOVTOOL_ROOT=str(root), GOVTOOL_CACHE_DIR="none")
    results = []
    for n in range(runs + 1):
        if fresh and out.exists():
            shutil.rmtree(out)
        figures = run_once(govtool_command("site", "--out", str(out)), root, env)
        if n:
            results.append(figures)
    return min(w for w, _ in results), max(m for _, m in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--brokers", type=int, default=1000)
    args = parser.parse_args()
    compile_govtool()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "scale"
        subprocess.run(
            [sys.executable, str(HERE / "scale.py"), "--build-only", str(big), "--brokers", str(args.brokers)],
            check=True,
        )
        add_research_docs(big, args.brokers)
        print(f"best of {args.runs} runs (after one warm-up); goal for {args.brokers} brokers: at most 10 s and 500 MB")
        for label, root in (("this repository", REPO), (f"{args.brokers} brokers", big)):
            out = Path(tmp) / f"site-{label.replace(' ', '-')}"
            for mode, fresh in (("first build", True), ("rebuild", False)):
                wall, peak = measure(root, out, args.runs, fresh)
                pages = sum(1 for _ in out.rglob("*.html"))
                size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
                verdict = "ok" if wall <= 10 and peak <= 500 else "OVER GOAL"
                shown = f"{wall:6.2f} s  {peak:6.0f} MB  {pages} pages, {size:.1f} MB"
                print(f"  {label:16s} {mode:12s} {shown}  {verdict}")


if __name__ == "__main__":
    main()
