"""How the command layer prints: rich tables on a terminal, compact JSON for pipes,
and delivery reports."""

import json
import re
import sys
from pathlib import Path
from typing import Any, Optional

import typer

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


def one_line_option(value: Optional[str]) -> Optional[str]:
    """Typer callback: a name, an email or ``--by``: one line without control characters.

    Such text lands in mail headers, commit messages and trailers, file names and the
    terminal (see :func:`govtool.field_checks.control_problem`).
    """
    return _checked_text(value, one_line=True)


def text_option(value: Optional[str]) -> Optional[str]:
    """Typer callback: free text (a note, a reason, a message): line feeds and tabs, no other control character."""
    return _checked_text(value, one_line=False)


def _checked_text(value: Optional[str], one_line: bool) -> Optional[str]:
    from govtool.field_checks import control_problem

    # Blank text is no text (the core drops a blank note, refuses a blank reason): only
    # what would be kept is checked.
    problem = None if value is None or not value.strip() else control_problem(value, one_line)
    if problem:
        shown = repr(value) if len(value) <= 60 else repr(value[:57]) + "..."
        raise typer.BadParameter(f"{problem} (got {shown})")
    return value


def styled_status(status: str) -> str:
    """A status label in rich markup, coloured by status."""
    return f"[{_STATUS_STYLES[status]}]{lifecycle.STATUS_LABELS[status]}[/]"


#: What :func:`terminal_safe` makes visible: every control character but line feed and
#: tab, and the Unicode line and paragraph separators.
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def terminal_safe(text: str) -> str:
    """``text`` with each control character shown as an escape (ESC as ``\\x1b``), so
    none reaches the terminal: an escape sequence in a broker's name or a research doc
    cannot move the cursor, recolour or retitle the screen."""
    if not _TERMINAL_CONTROL.search(text):
        return text
    return _TERMINAL_CONTROL.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}", text
    )


def escape(text: Any) -> str:
    """User text made literal for rich markup, control characters shown as escapes (None is "")."""
    from rich.markup import escape as rich_escape

    return rich_escape(terminal_safe("" if text is None else str(text)))


def echo(text: str) -> None:
    """Print text that may hold user text (an .eml, a report): on a terminal, control
    characters are shown as escapes (:func:`terminal_safe`); a pipe gets the text as it is."""
    print(terminal_safe(text) if sys.stdout.isatty() else text)


def print_via(channels: list[str]) -> str:
    """How a message went, for people: ``by email and Slack``, ``sent by hand``."""
    if channels == [lifecycle.BY_HAND]:
        return "sent by hand; govtool sent nothing"
    names = {lifecycle.EMAIL: "email", lifecycle.SLACK: "Slack"}
    return "by " + " and ".join(names.get(c, c) for c in channels)


def report_delivery(report: Any, root: Path) -> None:
    """Print what was delivered and skipped; raise ServiceError (exit 3) when something was kept."""
    from govtool.errors import ServiceError

    for line in report.delivered:
        print(f"delivered: {line}")
    for line in report.skipped:
        sys.stderr.write(f"govtool: {line}\n")
    for message_id in report.voided:
        sys.stderr.write(f"govtool: {message_id}: never recorded (a command stopped first); set aside, not sent\n")
    if report.kept:
        kept = "; ".join(f"{path.relative_to(root)} ({error})" for path, error in report.kept)
        raise ServiceError(
            f"{len(report.kept)} not delivered, kept in the outbox: {kept}",
            hint="the record is saved with its message; `govtool outbox flush` delivers it",
        )


def print_warning(message: str) -> None:
    """One line on stderr: ``govtool: warning: MESSAGE``."""
    sys.stderr.write(f"govtool: warning: {message}\n")


def print_commit(commit: Any) -> None:
    """One line for a commit made by --commit."""
    if commit is not None:
        print(f"committed {commit.sha[:10]}: {commit.message}")
