"""Run every benchmark, one after the other, and print their figures.

    python3 benchmarks/run.py            # all of them (a few minutes)
    python3 benchmarks/run.py startup    # only those whose name contains "startup"

Each benchmark is also a script of its own (see its docstring for its options).
Figures are printed, never asserted: these machines are shared and noisy, so compare
the ratios printed in one run, not absolute times across runs.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = [
    "startup.py",
    "scale.py",
    "one_broker_change.py",
    "yaml_paths.py",
    "gate_scale.py",
    "research_from_openapi.py",
    "site.py",
    "slack_decisions.py",
]


def main() -> int:
    wanted = sys.argv[1:]
    failed = 0
    for name in BENCHMARKS:
        if wanted and not any(w in name for w in wanted):
            continue
        print(f"== {name}", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / name)]).returncode != 0
        print(flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
