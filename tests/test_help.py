"""Every command has help text with an example, lists the values of its fixed-value
options, and is documented in README.md.

The command tree is read from the Typer app as click sees it, so a command added,
renamed or moved to another module shows up here whatever the layout of govtool/cli.
(Typer 0.28 runs on a copy of click of its own, so a group is whatever has ``commands``.)
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest
import typer
from conftest import REPO

from govtool.cli import app
from govtool.cli.params import one_of

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


EXAMPLE = re.compile(r"^Example: (govtool\b.*)$", re.M)


def resolve(words: list[str]) -> tuple[Any, str, list[str]]:
    """The command that ``govtool WORDS`` runs, its path and its own arguments."""
    command, path = typer.main.get_command(app), []
    while words and is_group(command) and words[0] in command.commands:
        command = command.commands[words[0]]
        path.append(words.pop(0))
    return command, " ".join(path), words


def test_every_command_has_a_one_line_example_that_parses(govtool):
    """`govtool PATH --help` ends with ``Example: govtool PATH ...`` on a line of its own, and
    the example's arguments are ones the command accepts."""
    failed = []
    for path, command in {"": typer.main.get_command(app), **command_tree()}.items():
        examples = EXAMPLE.findall(command.help or "")
        if len(examples) != 1:
            failed.append(f"govtool {path}: {len(examples)} examples in its help")
            continue
        shown = govtool(None, *path.split(), "--help").stdout
        if f"Example: {examples[0]}" not in [line.strip() for line in shown.splitlines()]:
            failed.append(f"govtool {path} --help does not show the example on one line:\n{shown}")
        words = shlex.split(examples[0])[1:]
        target, target_path, args = resolve(list(words))
        if not target_path.startswith(path) or is_group(target):
            failed.append(f"govtool {path}: the example runs {target_path or 'no command'!r}")
            continue
        try:
            target.make_context(f"govtool {target_path}", args)
        except Exception as exc:  # click's usage errors, whatever copy of click typer runs on
            failed.append(f"govtool {path}: the example does not parse: {exc}")
    assert not failed, "\n".join(failed)


#: The options and arguments that take one of a fixed set of values (one name for one idea).
FIXED_VALUES = {
    ("list", "status"),
    ("notify", "kind"),
    ("decide", "decision"),
    ("gate", "output_format"),
    ("research new", "tier"),
    ("research new", "priority"),
    ("research new", "integration_type"),
}


def static_completions(tmp_path, monkeypatch) -> dict[tuple[str, str], list[str]]:
    """(command path, parameter) -> the values the shell completes for it, where there is no
    tracker (so only fixed sets complete; broker ids need one)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GOVTOOL_ROOT", raising=False)
    found = {}
    tree = command_tree()
    for path in leaves(tree):
        command = tree[path]
        ctx = command.make_context(f"govtool {path}", [], resilient_parsing=True)
        for param in command.params:
            values = [item.value for item in param.shell_complete(ctx, "") if item.value]
            if values:
                found[(path, param.name)] = values
    return found


def test_every_option_with_fixed_values_lists_them_and_completes_them(govtool, tmp_path, monkeypatch):
    found = static_completions(tmp_path, monkeypatch)
    assert set(found) >= FIXED_VALUES, sorted(FIXED_VALUES - set(found))
    failed = []
    for (path, name), values in sorted(found.items()):
        shown = "".join(govtool(None, *path.split(), "--help").stdout.split())
        if "".join(one_of(values).split()) not in shown:
            failed.append(f"govtool {path} --help does not list the values of {name}: {one_of(values)}")
    assert not failed, "\n".join(failed)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["list", "--status", "on-hold"], "on_hold"),
        (["list", "--status", "On Hold"], "on_hold"),
        (["decide", "acme", "hold", "--by", "PM"], "hold"),  # decide's synonyms stay accepted
    ],
)
def test_listed_values_do_not_narrow_what_is_accepted(argv, expected):
    command, _, args = resolve(list(argv))
    ctx = command.make_context("govtool", args)
    assert expected in ctx.params.values()


def test_one_name_for_one_idea():
    """Dates, output formats and channels are named the same in every command: ``--as-of DATE``
    (the day taken as today; `report weekly --week-ending` names a week), ``--json``, and
    ``--email/--no-email`` with ``--slack/--no-slack`` (the channels; ``--send`` is a hidden
    alias of ``--email`` for older scripts), ``--sent-by-hand`` and ``--dry-run``."""
    options = {}
    for path in leaves(command_tree()):
        for param in command_tree()[path].params:
            for name in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]:
                if name.startswith("--"):
                    options.setdefault(name, set()).add(path)
            help_text = (getattr(param, "help", None) or "").lower()
            if getattr(param, "metavar", None) == "DATE" or "yyyy-mm-dd" in help_text:
                assert param.opts in (["--as-of"], ["--week-ending"]), (path, param.opts)
            if "json" in help_text and param.name != "output_format":
                assert param.opts == ["--json"], (path, param.opts)
            if "slack" in help_text:
                assert (param.opts, param.secondary_opts) == (["--slack"], ["--no-slack"]), (path, param.opts)
    assert options["--as-of"] == {"status", "escalate", "report weekly", "site"}
    assert {
        "list",
        "show",
        "status",
        "research check",
        "score",
        "outbox list",
        "report weekly",
        "escalate",
        "gate",
    } <= (options["--json"])
    posting = {"notify", "decide", "report weekly", "escalate"}
    assert options["--slack"] == options["--no-slack"] == options["--email"] == options["--no-email"] == posting
    assert options["--sent-by-hand"] == options["--send"] == {"notify", "report weekly", "escalate"}
    assert {"notify", "report weekly", "escalate"} <= options["--dry-run"]


def test_each_command_runs_in_an_app_of_its_own_group_only(capsys):
    """main() builds only the named command's group (Typer builds a whole command tree at
    every run); every top-level command and group must still be found and helped there."""
    import typer

    from govtool.cli import _app_for, app, main

    names = sorted(typer.main.get_command(app).commands)
    assert len(names) >= 20
    for name in names:
        slim = _app_for([name])
        assert slim is not app, name
        assert name in typer.main.get_command(slim).commands, name
        with pytest.raises(SystemExit) as done:
            main(["--root", ".", name, "--help"])
        assert done.value.code == 0, name
        assert f"Usage: govtool {name}" in capsys.readouterr().out, name
    assert _app_for(["--root", "x", "nosuch"]) is app and _app_for(["--help"]) is app
