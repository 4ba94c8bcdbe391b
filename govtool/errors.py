"""The one exception family of govtool, and the exit codes it maps to.

Every error a user can cause or meet is a :class:`GovtoolError`; the CLI has one
handler that prints ``message`` (and ``hint``) on stderr and exits with
``exit_code``. Exit codes follow DESIGN.md: 1 a check found a violation, 2 bad
input or usage, 3 an outside service failed and the message was kept.
"""

from __future__ import annotations

EXIT_VIOLATION = 1
EXIT_BAD_INPUT = 2
EXIT_SERVICE = 3


class GovtoolError(Exception):
    """Base class of every error govtool reports to a user.

    Args:
        message: one line saying what is wrong, with ``file:line: field`` where known.
        hint: an optional second line saying what to do about it.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nhint: {self.hint}"


class InputError(GovtoolError):
    """Bad input or usage: malformed YAML, unknown broker, invalid transition (exit 2)."""

    exit_code = EXIT_BAD_INPUT


class ValidationError(InputError):
    """The tracker breaks one or more rules; ``problems`` lists every one (exit 2).

    Args:
        problems: one string per problem, each ``tracker.yaml:LINE: field.path: what (got X)``.
    """

    def __init__(self, problems: list[str], hint: str | None = None) -> None:
        self.problems = problems
        super().__init__("\n".join(problems), hint)


class ViolationError(GovtoolError):
    """A check found a violation: gate, research check, render --check (exit 1)."""

    exit_code = EXIT_VIOLATION


class ServiceError(GovtoolError):
    """An outside service (Slack, SMTP) failed; the message was kept in the outbox (exit 3)."""

    exit_code = EXIT_SERVICE


class DeliveryError(GovtoolError):
    """A message could not be delivered to Slack or by SMTP (exit 3 when it reaches the user).

    ``str()`` is safe to show: the message names the service's error, never a token,
    password or webhook URL (see :func:`govtool.redaction.redact`).
    """

    exit_code = EXIT_SERVICE
