"""What the benchmarks share: byte-compiling govtool, and timing a child process.

Every figure is the wall time and peak resident memory of one child process, measured
with ``os.wait4`` (the child's own rusage, not the sum of all children). Benchmarks
print their figures; nothing here asserts a goal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The shared corpus (real specs), where the tests find it too: $GOVTOOL_SHARED_DIR, else ../shared.
SHARED = Path(os.environ.get("GOVTOOL_SHARED_DIR") or REPO.parent / "shared")


def compile_govtool() -> None:
    """Byte-compile the govtool package, as a wheel install does.

    This machine sets PYTHONDONTWRITEBYTECODE; a checkout run without bytecode would
    recompile every module on every start and measure the compiler, not govtool.
    """
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "govtool")], check=True)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of measured commands: govtool importable from this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env.setdefault("GOVTOOL_USER", "benchmark")
    env.update(extra)
    return env


def run_once(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, terminal: bool = False
) -> tuple[float, float]:
    """Run ``command`` once with its output discarded.

    Args:
        terminal: give the child a 120x40 pseudo-terminal as stdout, as a person at a
            terminal does (rich then draws colours), instead of a discarded pipe.

    Returns:
        (wall time in seconds, peak resident memory in MB) of that one child.

    Raises:
        SystemExit: the command failed (its stderr's tail is shown).
    """
    wall, rss, _ = run_measured(command, cwd, env, terminal)
    return wall, rss


def run_measured(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, terminal: bool = False
) -> tuple[float, float, float]:
    """:func:`run_once`, with the child's CPU time (user + system, seconds) as a third figure:
    on a busy machine it varies far less than the wall time, and it leaves out the
    time the child waits for the disk (govtool fsyncs every file it writes)."""
    stdout, drain = subprocess.DEVNULL, None
    if terminal:
        import fcntl
        import pty
        import struct
        import termios
        import threading

        primary, stdout = pty.openpty()
        fcntl.ioctl(stdout, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        drain = threading.Thread(target=_drain, args=(primary,), daemon=True)
        drain.start()
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=cwd, env=env or bench_env(), stdout=stdout, stderr=subprocess.PIPE)
    assert child.stderr is not None
    error = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if drain is not None:
        os.close(stdout)
        drain.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {child.returncode}: {error.decode()[-500:]}")
    return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def _drain(primary: int) -> None:
    """Read and discard a pseudo-terminal's output until its other side is closed."""
    from contextlib import suppress

    with open(primary, "rb", buffering=0) as terminal, suppress(OSError):  # EIO once closed
        terminal.readall()


def best_of(
    command: list[str], cwd: Path, runs: int, env: dict[str, str] | None = None, terminal: bool = False
) -> tuple[float, float]:
    """The fastest wall time and the largest peak memory over ``runs`` runs (one warm-up first)."""
    run_once(command, cwd, env, terminal)
    results = [run_once(command, cwd, env, terminal) for _ in range(runs)]
    return min(w for w, _ in results), max(m for _, m in results)


def govtool_command(*args: str) -> list[str]:
    """The installed ``govtool`` script beside this interpreter, else ``python -m govtool``."""
    script = Path(sys.executable).with_name("govtool")
    if script.is_file():
        return [str(script), *args]
    return [sys.executable, "-m", "govtool", *args]
