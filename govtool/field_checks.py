"""Field checks shared by the validation of tracker settings and broker records.

:class:`Problems` collects every problem of a document as ``(key path, message)``,
so `govtool validate` reports them all at once, each placed at its line later by
:func:`govtool.validation.format_problems`. The checkers add to it and return the
value they accept (or None).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import re
from typing import Any

from govtool.yamlio import KeyPath

#: What one line of text (a name, an email, ``by``, a setting) must not hold: the C0
#: controls (NUL, tab, LF, CR, ESC...), DEL, the C1 controls and the Unicode line and
#: paragraph separators. Such text lands in mail headers, commit messages, Slack
#: messages, file names and terminals, where a line break forges a header or a
#: trailer and an escape sequence rewrites the screen.
ONE_LINE_FORBIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: What free text (a note, a reason) must not hold: the same, but tab and line feed are allowed.
TEXT_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

ONE_LINE_PROBLEM = "expected one line of text without control characters"
TEXT_PROBLEM = "expected text without control characters (escape sequences, NUL, CR)"

#: An email as a decision records its decider's: no spaces, commas or wildcards, which
#: would mean something else in an allowed-signers file.
EMAIL_RE = re.compile(r"^[^\s@,*?!\\\"']+@[^\s@,*?!\\\"']+$")


def control_problem(value: str, one_line: bool = True) -> str | None:
    """Why ``value`` holds a character it must not (see :data:`ONE_LINE_FORBIDDEN`), or None.

    Args:
        value: the text.
        one_line: True for names, emails and settings; False for free text, which may
            hold line feeds and tabs.
    """
    if one_line:
        return ONE_LINE_PROBLEM if ONE_LINE_FORBIDDEN.search(value) else None
    return TEXT_PROBLEM if TEXT_FORBIDDEN.search(value) else None


class Problems:
    """Collects validation problems as ``(key path, message)`` pairs, in the order found."""

    def __init__(self) -> None:
        self.items: list[tuple[KeyPath, str]] = []

    def add(self, path: KeyPath, message: str, got: Any = ...) -> None:
        """Record one problem; ``got`` (when given) is shown as ``(got X)``, cut to 60 characters."""
        if got is not ...:
            shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
            if len(shown) > 60:
                shown = shown[:57] + "..."
            message = f"{message} (got {shown})"
        self.items.append((path, message))


def check_keys(data: dict, allowed: tuple[str, ...], path: KeyPath, problems: Problems) -> None:
    """Report every key of ``data`` not in ``allowed``, with a "did you mean" for a misspelling."""
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            tip = f"; did you mean {close[0]!r}?" if close else ""
            problems.add((*path, key), f"unknown field{tip}")


def check_string(
    value: Any, path: KeyPath, problems: Problems, *, required: bool = True, one_line: bool = True
) -> str | None:
    """A non-empty string without control characters, or None (reported unless ``required``
    is False and the value is None).

    Args:
        one_line: refuse line breaks too (names, emails, settings); False for free
            text (notes, reasons). See :func:`control_problem`.
    """
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(path, "expected a non-empty string", value)
        return None
    problem = control_problem(value, one_line)
    if problem:
        problems.add(path, problem, value)
        return None
    return value


def check_string_list(value: Any, path: KeyPath, problems: Problems) -> list[str]:
    """A list of non-empty one-line strings (None is the empty list); bad items are reported and dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "expected a list of strings", value)
        return []
    out = []
    for index, item in enumerate(value):
        checked = check_string(item, (*path, index), problems)
        if checked is not None:
            out.append(checked)
    return out


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_whole_number(value: Any) -> bool:
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


#: The dates govtool accepts, wherever they come from (the tracker, an option, GOVTOOL_NOW):
#: outside them a typo (0001-01-01, 9999-12-31) would overflow date arithmetic, make
#: business-day counts run for seconds, or date an event after every later one.
FIRST_DATE = dt.date(1970, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)
OUT_OF_RANGE = f"expected a date between {FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()}"


def parse_date(value: Any) -> dt.date:
    """Parse an ISO 8601 calendar date (``2026-01-29``).

    Raises:
        ValueError: not a YYYY-MM-DD date, or outside :data:`FIRST_DATE` to :data:`LAST_DATE`.
    """
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        parsed = None
        with contextlib.suppress(ValueError):
            parsed = dt.date.fromisoformat(value)
        if parsed is not None:
            if not FIRST_DATE <= parsed <= LAST_DATE:
                raise ValueError(OUT_OF_RANGE)
            return parsed
    raise ValueError("expected a date as YYYY-MM-DD")
