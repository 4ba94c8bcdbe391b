"""How the command layer prints: rich tables on a terminal, compact JSON for pipes,
and delivery reports."""

import json
import sys
from pathlib import Path
from typing import Any

from govtool import lifecycle

#: The width given to rich when the output is not a terminal: wide enough that nothing wraps.
UNWRAPPED_WIDTH = 100_000

_STATUS_STYLES = {
    "researching": "cyan",
    "pending": "yellow",
    "approved": "green",
    "rejected": "red",
    "on_hold": "magenta",
    "in_progress": "blue",
    "completed": "bold green",
}


def console(stderr: bool = False) -> Any:
    """A rich console for stdout (or stderr): no emoji shortcodes, no highlighting.

    On a terminal it fits the terminal; output to a file or a pipe is never wrapped
    (whatever COLUMNS says), so a line of a table stays one line for grep and diff.
    With ``NO_COLOR`` set (https://no-color.org) nothing is styled: no colour, and no
    bold, italic or underline either (rich's own ``no_color`` keeps those).
    """
    from rich.console import Console

    from govtool.cli.context import environment

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() else UNWRAPPED_WIDTH
    plain = bool(environment().get("NO_COLOR"))
    return Console(
        stderr=stderr,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        width=width,
        no_color=plain,
        color_system=None if plain else "auto",
    )


def print_json(data: Any) -> None:
    """JSON on stdout: indented for a terminal, compact (and fast) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


def styled_status(status: str) -> str:
    """A status label in rich markup, coloured by status."""
    return f"[{_STATUS_STYLES[status]}]{lifecycle.STATUS_LABELS[status]}[/]"


def escape(text: Any) -> str:
    """User text made literal for rich markup (None is "")."""
    from rich.markup import escape as rich_escape

    return rich_escape("" if text is None else str(text))


def report_delivery(report: Any, root: Path) -> None:
    """Print what was delivered and skipped; raise ServiceError (exit 3) when something was kept."""
    from govtool.errors import ServiceError

    for line in report.delivered:
        print(f"delivered: {line}")
    for line in report.skipped:
        sys.stderr.write(f"govtool: {line}\n")
    if report.kept:
        kept = "; ".join(f"{path.relative_to(root)} ({error})" for path, error in report.kept)
        raise ServiceError(
            f"{len(report.kept)} not delivered, kept in the outbox: {kept}",
            hint="the tracker change is saved; `govtool outbox flush` retries",
        )


def print_warning(message: str) -> None:
    """One line on stderr: ``govtool: warning: MESSAGE``."""
    sys.stderr.write(f"govtool: warning: {message}\n")


def print_commit(commit: Any) -> None:
    """One line for a commit made by --commit."""
    if commit is not None:
        print(f"committed {commit.sha[:10]}: {commit.message}")
