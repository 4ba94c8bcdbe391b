"""Benchmark: do the event-level YAML loader and dumper, and the tracker parse cache,
pay for their code?

On the 1,000-broker tracker of ``scale.py`` (6 MB of YAML), in one process, best of
N runs each:

- load: govtool's event-level loader (:func:`govtool.yamlio.load_yaml`) against
  PyYAML's C loader (``yaml.load`` with a C loader, through its node graph);
- dump: govtool's event-level dumper (:func:`govtool.yamlio.dump_yaml`) against
  ``yaml.dump`` with the same C dumper and options (through its node graph);
- cache hit: reading the cached loaded form (:mod:`govtool.cache`, JSON) against the
  event-level loader it saves.

Figures are printed, never asserted; compare the ratios of one run.

    python3 benchmarks/yaml_paths.py [--runs 3] [--brokers 1000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scale import build_repo  # noqa: E402


def best(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--brokers", type=int, default=1000)
    args = parser.parse_args()

    import yaml

    from govtool import yamlio
    from govtool.model import dump_tracker
    from govtool.storage import read_tracker

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build_repo(root, args.brokers)
        whole = read_tracker(root)
        whole.version = 1  # all brokers in one text, to weigh the loaders on one large document
        text = dump_tracker(whole)
    data = yamlio.load_yaml(text, "tracker.yaml")
    strict_loader, _ = yamlio._loaders()
    cached = json.dumps({"key": text, "value": data}, separators=(",", ":"))

    rows = [
        ("load: event-level loader", best(args.runs, lambda: yamlio.load_yaml(text, "tracker.yaml"))),
        ("load: PyYAML C loader (node graph)", best(args.runs, lambda: yaml.load(text, Loader=strict_loader))),
        ("dump: event-level dumper", best(args.runs, lambda: yamlio.dump_yaml(data))),
        (
            "dump: PyYAML C dumper (node graph)",
            best(args.runs, lambda: yaml.dump(data, Dumper=yamlio._dumper(), **yamlio.DUMP_OPTIONS)),
        ),
        ("cache hit: JSON entry read and checked", best(args.runs, lambda: json.loads(cached)["key"] == text)),
    ]
    print(f"{args.brokers} brokers, {len(text) / 1e6:.1f} MB of YAML; best of {args.runs}")
    for label, seconds in rows:
        print(f"  {label:<42} {seconds:6.2f} s")
    print(f"  loader ratio (PyYAML / events):  {rows[1][1] / rows[0][1]:.1f}x")
    print(f"  dumper ratio (PyYAML / events):  {rows[3][1] / rows[2][1]:.1f}x")
    print(f"  cache ratio (events / cache hit): {rows[0][1] / rows[4][1]:.1f}x")


if __name__ == "__main__":
    main()
