"""govtool at a terminal and in a pipe: styling and NO_COLOR (through a real
pseudo-terminal), output that is never wrapped when it is not a terminal, and shell
completion through Typer's own protocol."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest
from conftest import run_process

NOW = {"GOVTOOL_NOW": "2026-02-02T10:00:00Z"}


def run_in_terminal(args: list[str], env: dict[str, str], columns: int = 100) -> tuple[int, bytes]:
    """Run ``python -m govtool ARGS`` with a pseudo-terminal as stdin, stdout and stderr: (exit code, bytes shown)."""
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "GOVTOOL_ROOT", "COLUMNS")}
    full_env.update({"TERM": "xterm-256color", **env})
    child = subprocess.Popen(
        [sys.executable, "-m", "govtool", *args], stdin=secondary, stdout=secondary, stderr=secondary, env=full_env
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(primary)
    return child.wait(timeout=60), shown


@pytest.mark.parametrize("argv", [["status"], ["list"], ["show", "alpaca"]])
def test_no_color_removes_all_styling_at_a_terminal(argv, repo_copy):
    env = {**NOW, "GOVTOOL_ROOT": str(repo_copy)}
    code, styled = run_in_terminal(argv, env)
    assert code == 0, styled
    assert b"\x1b[" in styled  # a terminal gets colour and bold...
    code, plain = run_in_terminal(argv, {**env, "NO_COLOR": "1"})
    assert code == 0, plain
    assert b"\x1b[" not in plain, plain  # ...and with NO_COLOR no escape at all: no bold, no italic
    assert b"Alpaca" in plain


def test_output_that_is_not_a_terminal_is_never_wrapped(repo_copy):
    result = run_process("status", env={**NOW, "GOVTOOL_ROOT": str(repo_copy), "COLUMNS": "40"})
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    alpaca = [line for line in lines if "Alpaca: notified" in line]
    assert len(alpaca) == 1 and "escalation due: level 3 since 2026-02-02 (no PM decision in 10" in alpaca[0]
    assert any("Charles Schwab" in line and "2026-02-05" in line for line in lines)
    assert max(len(line) for line in lines) > 40


def complete(words: str, env: dict[str, str]) -> list[str]:
    """What bash completion offers for the command line ``words`` (the last word is being typed)."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    result = run_process(
        env={**env, "_GOVTOOL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    )
    assert result.exit_code == 0, result.stderr
    return result.stdout.split()


def test_shell_completion_of_commands_broker_ids_and_fixed_values(repo_copy, tmp_path):
    env = {"GOVTOOL_ROOT": str(repo_copy)}
    assert complete("govtool sh", env) == ["show"]
    assert complete("govtool show a", env) == ["alpaca", "angel-one"]
    assert complete("govtool research check ib", env) == ["ibkr"]
    assert complete("govtool list --status o", env) == ["on_hold"]
    assert complete("govtool decide alpaca ", env) == ["approved", "rejected", "on_hold"]
    assert complete("govtool gate --format g", env) == ["github"]
    assert complete("govtool notify alpaca --kind cost", env) == ["cost-discovery"]
    # --root on the command line names the tracker; with no tracker there is nothing to offer.
    assert complete(f"govtool --root {repo_copy} show z", {}) == ["zerodha"]
    assert complete("govtool show a", {"GOVTOOL_ROOT": str(tmp_path)}) == []


def test_completion_scripts_come_from_typer(tmp_path):
    script = run_process("--show-completion", "bash")
    assert script.exit_code == 0 and "_GOVTOOL_COMPLETE=complete_bash" in script.stdout
    assert "--install-completion" in run_process("--help").stdout
