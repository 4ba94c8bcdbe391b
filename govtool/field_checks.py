"""Field checks shared by the validation of tracker settings and broker records.

:class:`Problems` collects every problem of a document as ``(key path, message)``,
so `govtool validate` reports them all at once, each placed at its line later by
:func:`govtool.validation.format_problems`. The checkers add to it and return the
value they accept (or None).
"""

from __future__ import annotations

import difflib
from typing import Any

from govtool.yamlio import KeyPath


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


def check_string(value: Any, path: KeyPath, problems: Problems, *, required: bool = True) -> str | None:
    """A non-empty string, or None (reported unless ``required`` is False and the value is None)."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.add(path, "expected a non-empty string", value)
        return None
    return value


def check_string_list(value: Any, path: KeyPath, problems: Problems) -> list[str]:
    """A list of non-empty strings (None is the empty list); bad items are reported and dropped."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(path, "expected a list of strings", value)
        return []
    out = []
    for index, item in enumerate(value):
        if isinstance(item, str) and item.strip():
            out.append(item)
        else:
            problems.add((*path, index), "expected a non-empty string", item)
    return out


def is_number(value: Any) -> bool:
    """True for an int or float that is not a bool."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_whole_number(value: Any) -> bool:
    """True for an int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)
