"""`govtool serve` under load: how fast Slack's requests are answered, and how long the
decisions take to land on the remote.

    python3 benchmarks/slack_decisions.py            # 10, 50 and 100 brokers
    python3 benchmarks/slack_decisions.py 50         # one size

For each size, a governance repo with that many brokers notified through the
Slack-compatible server of the tests (tests/conftest.py), a bare remote, and
`govtool serve` as a real process (the same set-up as tests/test_serve.py, whose
Governance class this reuses). Then one approval per broker, all clicked within about
five seconds, signed as Slack signs them. Printed: the answer times of the clicks
(median, 95th percentile, slowest: Slack gives up after 3 s), the time from the first
click until every decision is on the remote, the commits, and the batches it took (the worker
takes every decision waiting at a moment as one batch, one push). Compare the ratios
between sizes in one run: the machines are shared and noisy.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

import pytest  # noqa: E402
from conftest import Result, SlackServer, run_process  # noqa: E402
from test_serve import Governance, git  # noqa: E402


def _govtool(root: Path | None, *args: str, now: str | None = None) -> Result:
    """Run govtool as a process (as the tests' in-process runner does)."""
    argv = (["--root", str(root)] if root is not None else []) + list(args)
    return run_process(*argv, env={"GOVTOOL_NOW": now} if now else {})


def measure(size: int) -> dict[str, float]:
    """One run: ``{p50, p95, slowest, landed}`` in seconds, ``{commits, batches}`` counts."""
    slack = SlackServer()
    patch = pytest.MonkeyPatch()
    try:
        with tempfile.TemporaryDirectory(prefix="govtool-bench-serve-") as tmp:
            brokers = [f"broker-{n:03d}" for n in range(size)]
            gov = Governance(Path(tmp), _govtool, slack, patch, brokers)
            gov.start()
            before = int(git(gov.remote, "rev-list", "--count", "main"))
            payloads = [gov.click_payload(bid, "approved") for bid in brokers]
            times: list[float] = []
            threads = []
            started = time.monotonic()
            for payload in payloads:
                thread = threading.Thread(target=lambda p=payload: times.append(gov.send(p)[2]))
                thread.start()
                threads.append(thread)
                time.sleep(5.0 / size)
            for thread in threads:
                thread.join()

            def landed() -> bool:
                return all(gov.remote_file(b)["status"] == "approved" for b in brokers)

            gov.wait_for(landed, timeout=600, message="every decision on the remote")
            took = time.monotonic() - started
            commits = int(git(gov.remote, "rev-list", "--count", "main")) - before
            batches = len([line for line in gov.log.read_text().splitlines() if "a batch of" in line])
            gov.stop()
            times.sort()
            return {
                "p50": statistics.median(times),
                "p95": times[int(0.95 * (len(times) - 1))],
                "slowest": times[-1],
                "landed": took,
                "commits": commits,
                "batches": batches,
            }
    finally:
        patch.undo()
        slack.close()


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [10, 50, 100]
    print("govtool serve: one approval per broker, clicked within ~5 s")
    print(
        f"{'brokers':>8} {'answer p50':>11} {'p95':>8} {'slowest':>8} {'all landed':>11} {'commits':>8} {'batches':>8}"
    )
    for size in sizes:
        f = measure(size)
        print(
            f"{size:>8} {f['p50'] * 1000:>9.1f}ms {f['p95'] * 1000:>6.1f}ms {f['slowest'] * 1000:>6.1f}ms "
            f"{f['landed']:>10.1f}s {f['commits']:>8.0f} {f['batches']:>8.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
