"""Benchmark: `govtool research new --from-openapi` on the 1 MB Binance spot API spec.

Prints wall time and peak memory (max RSS of the child process), best of N runs, next
to a baseline in the same run: parsing the same file with PyYAML's C loader alone.
Figures are printed, never asserted.

    python3 benchmarks/research_from_openapi.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO.parent / "shared" / "real-specs" / "binance-spot-api.yaml"


def measure(args: list[str], cwd: Path) -> tuple[float, float]:
    """Run a child process; return (wall seconds, peak RSS in MB)."""
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "wall = time.perf_counter() - t\n"
        "assert r.returncode == 0, r.stderr.decode()\n"
        "print(wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, check=True)
    wall, rss_kb = out.stdout.split()
    return float(wall), int(rss_kb) / 1024


def main() -> None:
    # Measure govtool as installed: with bytecode (an installed wheel has it; a checkout
    # run with PYTHONDONTWRITEBYTECODE would recompile every module on every start).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "govtool")], check=True)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"spec: {SPEC.name}, {SPEC.stat().st_size / 1e6:.2f} MB; best of {runs} runs")
    baseline_code = f"import yaml; yaml.load(open({str(SPEC)!r}).read(), Loader=yaml.CSafeLoader)"
    results = {"govtool research new --from-openapi": [], "PyYAML C loader alone": []}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            env_root = ["--root", str(root)]
            subprocess.run([sys.executable, "-m", "govtool", "init", str(root)], check=True, capture_output=True)
            args = [sys.executable, "-m", "govtool", *env_root, "research", "new", f"binance{run}",
                    "--name", "Binance", "--from-openapi", str(SPEC)]  # fmt: skip
            results["govtool research new --from-openapi"].append(measure(args, root))
            results["PyYAML C loader alone"].append(measure([sys.executable, "-c", baseline_code], root))
    best = {name: (min(w for w, _ in values), max(m for _, m in values)) for name, values in results.items()}
    for name, (wall, rss) in best.items():
        print(f"{name:40s} wall {wall:6.3f} s   peak RSS {rss:7.1f} MB")
    (gw, gm), (bw, bm) = best.values()
    print(f"ratio govtool / baseline: wall {gw / bw:.2f}, memory {gm / bm:.2f}")


if __name__ == "__main__":
    os.environ.setdefault("GOVTOOL_USER", "benchmark")
    main()
