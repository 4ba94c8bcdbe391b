"""Redaction: the one place that removes secrets from text before it is shown or stored.

Tokens, passwords and webhook URLs come from the environment only (DESIGN.md,
"Outside services") and must never appear in output, logs, the outbox or exceptions.
Every error text that may carry one goes through :func:`redact` first.
"""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each secret replaced by ``***``.

    Args:
        text: any text (an error message, a server's reply).
        secrets: the secret values in force (empty strings and None are ignored);
            longer ones are replaced first, so a secret that contains another is
            masked whole.

    Returns:
        The redacted text.
    """
    for value in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
