"""Benchmark: `govtool research new --from-openapi` on the 1 MB Binance spot API spec.

Prints wall time, CPU time (user + system) and peak memory (max RSS of the child
process), best of N runs, next to a baseline in the same run: parsing the same file with
PyYAML's C loader alone. The goal: govtool takes at most the baseline's time. CPU time
is the steadier figure on a shared machine, and leaves out waiting for the disk (govtool
fsyncs the files it writes; the baseline writes none). Figures are printed, never asserted.

    python3 benchmarks/research_from_openapi.py [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import SHARED, bench_env, compile_govtool, govtool_command, run_measured, run_once  # noqa: E402

SPEC = SHARED / "real-specs" / "binance-spot-api.yaml"


def main() -> None:
    compile_govtool()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    print(f"spec: {SPEC.name}, {SPEC.stat().st_size / 1e6:.2f} MB; best of {runs} runs")
    baseline_code = f"import yaml; yaml.load(open({str(SPEC)!r}).read(), Loader=yaml.CSafeLoader)"
    results = {"govtool research new --from-openapi": [], "PyYAML C loader alone": []}
    for run in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            env = bench_env(GOVTOOL_ROOT=str(root))
            run_once(govtool_command("init", str(root)), root, env)
            args = govtool_command("research", "new", f"binance{run}", "--name", "Binance", "--from-openapi", str(SPEC))
            results["govtool research new --from-openapi"].append(run_measured(args, root, env))
            results["PyYAML C loader alone"].append(run_measured([sys.executable, "-c", baseline_code], root, env))
    best = {
        name: (min(w for w, _, _ in values), max(m for _, m, _ in values), min(c for _, _, c in values))
        for name, values in results.items()
    }
    for name, (wall, rss, cpu) in best.items():
        print(f"{name:40s} wall {wall:6.3f} s   CPU {cpu:6.3f} s   peak RSS {rss:7.1f} MB")
    (gw, gm, gc), (bw, bm, bc) = best.values()
    print(f"ratio govtool / baseline: wall {gw / bw:.2f}, CPU {gc / bc:.2f}, memory {gm / bm:.2f}")


if __name__ == "__main__":
    main()
