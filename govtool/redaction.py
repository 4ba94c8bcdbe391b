"""Redaction: the one place that removes secrets from text before it is shown or stored.

Tokens, passwords and webhook URLs come from the environment only (DESIGN.md,
"Outside services") and must never appear in output, logs, the outbox or exceptions.
Every error text that may carry one goes through :func:`redact` first: a delivery's
error before it is printed or kept in the outbox, and every message (and, with
``--debug``, every traceback) the command layer prints.

A secret is masked whole and in every part another program may echo on its own
(:func:`secret_parts`): a server that answers "no such hook /services/T0/B0/XYZ" or
percent-encodes the path gives away the webhook URL's path, not the URL; an SMTP
server may echo the base64 of ``AUTH PLAIN``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping

MASK = "***"

#: The environment variables that hold secrets (DESIGN.md, "Outside services").
SECRET_VARIABLES = ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL", "GOVTOOL_SMTP_PASSWORD")

#: Parts of a secret shorter than this are not masked on their own (``api``, ``xoxb``,
#: ``services`` would mask ordinary words); the whole secret always is.
MIN_PART = 6


def secrets_in(env: Mapping[str, str]) -> list[str]:
    """The secret values set in an environment (the command layer passes ``os.environ``).

    Includes the base64 forms an SMTP server may echo for ``AUTH PLAIN`` and ``AUTH LOGIN``.
    """
    found = [env[name] for name in SECRET_VARIABLES if env.get(name)]
    password = env.get("GOVTOOL_SMTP_PASSWORD")
    if password:
        found += smtp_auth_forms(env.get("GOVTOOL_SMTP_USER") or "", password)
    return found


def smtp_auth_forms(user: str, password: str) -> list[str]:
    """What ``AUTH PLAIN`` and ``AUTH LOGIN`` send for these credentials (base64)."""
    return [
        base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii"),
        base64.b64encode(password.encode()).decode("ascii"),
    ]


def secret_parts(secret: str) -> list[str]:
    """Every form and part of one secret worth masking, the whole first.

    - the value, and its percent-encoded forms (a URL echoed in a query or a log);
    - of a URL (``scheme://[user:password@]host/path?query``): the path with its query,
      the path, the user information and password, each path segment and each query
      value of :data:`MIN_PART` characters or more that is not just lowercase letters
      (``services``, ``hooks`` stay; ``T0123ABCD`` and the token go);
    - of a token (``xoxb-1234-5678-AbCd``): each part between ``-``, ``_``, ``.`` or
      ``:`` of :data:`MIN_PART` characters or more.

    Args:
        secret: one secret value.

    Returns:
        The strings to mask (without empty ones).
    """
    from urllib.parse import quote, unquote, urlsplit

    parts = [secret, quote(secret, safe=""), quote(secret)]
    if "://" in secret:
        url = urlsplit(secret)
        path_query = url.path + ("?" + url.query if url.query else "")
        parts += [path_query, url.path, unquote(url.path), url.password or "", url.netloc.rpartition("@")[0]]
        pieces = url.path.split("/") + [value for pair in url.query.split("&") for value in pair.split("=")[1:]]
    else:
        import re

        pieces = re.split(r"[-_.:]", secret)
    parts += [p for p in pieces if len(p) >= MIN_PART and not (p.isalpha() and p.islower())]
    return [p for p in dict.fromkeys(parts) if p and p != "/"]


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every occurrence of each secret, and of each of its parts, replaced by ``***``.

    Args:
        text: any text (an error message, a server's reply, a traceback).
        secrets: the secret values in force (empty strings and None are ignored); the
            parts of each are found by :func:`secret_parts`; longer strings are
            replaced first, so a secret that contains another is masked whole.

    Returns:
        The redacted text.
    """
    values = {part for s in secrets if s for part in secret_parts(s)}
    for value in sorted(values, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
