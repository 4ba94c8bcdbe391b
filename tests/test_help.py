"""Every command has help text and is documented in README.md.

The command tree is read from the Typer app as click sees it, so a command added,
renamed or moved to another module shows up here whatever the layout of govtool/cli.
(Typer 0.28 runs on a copy of click of its own, so a group is whatever has ``commands``.)
"""

from __future__ import annotations

import re
from typing import Any

import typer
from conftest import REPO

from govtool.cli import app

README = REPO / "README.md"


def is_group(command: Any) -> bool:
    return isinstance(getattr(command, "commands", None), dict)


def command_tree() -> dict[str, Any]:
    """Every command and command group below the root, by path (``research new``)."""
    root = typer.main.get_command(app)
    assert is_group(root), f"the app is not a command group: {root!r}"
    out: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            path = f"{prefix} {name}".strip()
            out[path] = command
            if is_group(command):
                walk(command, path)

    walk(root, "")
    return out


def leaves(tree: dict[str, Any]) -> list[str]:
    return [path for path, command in tree.items() if not is_group(command)]


def test_the_command_tree_is_what_the_design_lists():
    tree = command_tree()
    expected = {
        "init", "validate", "list", "show", "status", "render", "start", "progress", "block", "unblock",
        "complete", "reopen", "research new", "research check", "score", "notify", "decide",
        "outbox list", "outbox flush", "report weekly", "escalate", "gate",
    }  # fmt: skip
    assert expected <= set(leaves(tree)), sorted(expected - set(leaves(tree)))
    assert {"research", "outbox", "report"} <= set(tree)


def test_every_command_has_help_text():
    missing = [
        path
        for path, command in command_tree().items()
        if not command.hidden and not (command.help or command.short_help or "").strip()
    ]
    assert not missing, "commands without help text: " + ", ".join(missing)


def test_every_command_is_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    tree = command_tree()
    missing = [
        f"govtool {path}"
        for path in leaves(tree)
        if not tree[path].hidden and not re.search(rf"govtool {re.escape(path)}(?![\w-])", readme)
    ]
    assert not missing, "commands README.md does not show as `govtool PATH`: " + ", ".join(missing)


def test_the_help_of_each_command_is_printed(govtool):
    """`govtool PATH --help` works for every command and shows its help text."""
    failed = []
    for path, command in command_tree().items():
        result = govtool(None, *path.split(), "--help")
        # Help is wrapped to the terminal's width, at spaces and after hyphens: compare without blanks.
        shown = "".join(result.stdout.split())
        first = "".join((command.help or "").strip().split("\n\n")[0].split())
        usage = "".join(f"Usage: govtool {path}".split())
        if result.exit_code != 0 or not first or first not in shown or usage not in shown:
            failed.append(f"govtool {path} --help: exit {result.exit_code}, {first!r} not in:\n{result.stdout}")
    assert not failed, "\n".join(failed)
