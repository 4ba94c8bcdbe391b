"""Benchmark: how fast govtool starts, against importing typer, in one run.

Measures, best of N runs each (after one warm-up run, so the tracker and holiday
caches are warm, as they are for anyone who ran govtool before):

  python -c "import typer"     the floor every typer CLI pays
  govtool --help
  govtool list                 on this repository's tracker.yaml
  govtool status               on this repository's tracker.yaml
  govtool list --json, govtool status --json   the same work without rich's tables

and prints each with its ratio to the typer import. Goal: list and status at most
1.6. It also prints which heavy modules each command imported, list and status on a
pseudo-terminal (what a person waits for), and the first run with an empty cache.
Figures are printed, never asserted.

    python3 benchmarks/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, bench_env, best_of, compile_govtool, govtool_command, run_once  # noqa: E402

COMMANDS = [["--help"], ["list"], ["status"], ["list", "--json"], ["status", "--json"]]
HEAVY = ("git", "slack_sdk", "jinja2", "yaml", "holidays", "pathspec", "rich", "smtplib")

_IMPORTED = """
import json, sys
from govtool.cli import main
sys.argv = ["govtool", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print(json.dumps([m for m in {heavy!r} if m in sys.modules]), file=sys.stderr)
"""


def heavy_imports(argv: list[str], env: dict[str, str]) -> list[str]:
    """The heavy modules a command has imported by the time it exits."""
    code = _IMPORTED.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], cwd=REPO, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stderr.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    compile_govtool()
    with tempfile.TemporaryDirectory() as tmp:
        env = bench_env(GOVTOOL_CACHE_DIR=str(Path(tmp) / "cache"))
        first = {
            " ".join(argv): run_once(
                govtool_command(*argv), REPO, bench_env(GOVTOOL_CACHE_DIR=str(Path(tmp) / f"empty-{index}"))
            )[0]
            for index, argv in enumerate(COMMANDS)
        }
        baseline, _ = best_of([sys.executable, "-c", "import typer"], REPO, args.runs, env)
        print(f"best of {args.runs} runs; {sys.executable}")
        floor = 'python -c "import typer"'
        print(f"  {floor:24s} {baseline * 1000:6.1f} ms  1.00")
        for argv in COMMANDS:
            wall, _ = best_of(govtool_command(*argv), REPO, args.runs, env)
            label = "govtool " + " ".join(argv)
            goal = "  (goal <= 1.6)" if argv in (["list"], ["status"]) else ""
            heavy = ", ".join(heavy_imports(argv, env)) or "none"
            print(f"  {label:24s} {wall * 1000:6.1f} ms  {wall / baseline:.2f}{goal}  heavy imports: {heavy}")
        print("on a 120-column terminal (a pseudo-terminal; rich draws colours):")
        for argv in (["list"], ["status"]):
            wall, _ = best_of(govtool_command(*argv), REPO, args.runs, env, terminal=True)
            print(f"  {'govtool ' + ' '.join(argv):24s} {wall * 1000:6.1f} ms  {wall / baseline:.2f}")
        print("first run with an empty cache (parses tracker.yaml, computes the NYSE calendar):")
        for label, wall in first.items():
            print(f"  {'govtool ' + label:24s} {wall * 1000:6.1f} ms  {wall / baseline:.2f}")


if __name__ == "__main__":
    main()
