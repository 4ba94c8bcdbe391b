"""The parameters that several commands share, one definition each, so that one idea has
one name across commands:

- ``BROKER``: a broker id, completed in the shell from the tracker's brokers;
- options whose values come from a fixed set (``--status``, ``--kind``, ``--type``,
  ``--priority``, ``--tier``, ``--format``, the decision) list those values in their
  help and complete them in the shell (Typer's completion, ``--install-completion``);
- ``--json`` for machine-readable output, in every command that has any;
- ``--as-of DATE`` for the day a command takes as today;
- the channel flags of the commands that deliver live in :mod:`govtool.cli.channels`.

This module is imported at every start: it imports typer and lifecycle's constants,
nothing else; completion reads the tracker only when the shell asks.
"""

from collections.abc import Callable, Sequence
from typing import Any, Optional

import typer

from govtool import lifecycle

# Typer reads annotations of completion functions with typing.get_type_hints; keep them plain.


#: The fixed sets of values, as typed on the command line. A status or decision is listed
#: and completed in its machine spelling (``on_hold``, as JSON and the gate write it);
#: ``on hold`` and ``on-hold`` are accepted too.
STATUS_VALUES: tuple[str, ...] = lifecycle.STATUSES
DECISION_VALUES: tuple[str, ...] = lifecycle.DECISIONS
KIND_VALUES: tuple[str, ...] = lifecycle.NOTIFICATION_KINDS
#: `govtool gate --format`.
GATE_FORMATS: tuple[str, ...] = ("text", "json", "github")
TIER_VALUES: tuple[str, ...] = tuple(str(t) for t in lifecycle.TIERS)
PRIORITY_VALUES: tuple[str, ...] = lifecycle.PRIORITIES
TYPE_VALUES: tuple[str, ...] = lifecycle.INTEGRATION_TYPES


def one_of(values: Sequence[str]) -> str:
    """``a, b, c or d``: the values of a fixed set, for help text."""
    return ", ".join(values[:-1]) + " or " + values[-1] if len(values) > 1 else values[0]


def completes(values: Sequence[str]) -> Callable[[str], list[str]]:
    """A shell-completion function offering ``values`` that start with what is typed."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.lower().startswith(incomplete.lower())]

    return complete


def complete_broker(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Shell completion of a broker id: the tracker's brokers (id and name), or nothing
    when there is no tracker where the command would look."""
    from govtool.cli import context
    from govtool.errors import GovtoolError

    # The app's callback does not run while the shell completes: --root (or GOVTOOL_ROOT) is here.
    context.OPTIONS.root = ctx.find_root().params.get("root")
    try:
        from govtool.usecases.views import broker_names

        names = broker_names(context.root_dir())
    except (GovtoolError, OSError):
        return []
    return [(bid, name) for bid, name in names if bid.startswith(incomplete)]


def broker_argument(help_text: str = "Broker id.") -> Any:
    """The BROKER argument of a command (completed from the tracker)."""
    return typer.Argument(..., metavar="BROKER", help=help_text, autocompletion=complete_broker)


def status_option(value: Optional[str]) -> Optional[str]:
    """Typer callback: a status as typed (``on-hold``, ``On Hold``) to its key (``on_hold``)."""
    if value is None:
        return None
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in lifecycle.STATUSES:
        raise typer.BadParameter(f"{value!r} is not a status; expected one of {', '.join(STATUS_VALUES)}")
    return key


def fixed_option(default: Any, name: str, values: Sequence[str], what: str, **kwargs: Any) -> Any:
    """An option taking one of ``values``: its help lists them, the shell completes them.

    Args:
        what: the help text before the values, e.g. "Only brokers in this status".
        kwargs: more typer.Option settings (callback, metavar).
    """
    return typer.Option(default, name, help=f"{what}: {one_of(values)}.", autocompletion=completes(values), **kwargs)


JSON = typer.Option(False, "--json", help="Machine-readable output (JSON).")
AS_OF = typer.Option(None, "--as-of", metavar="DATE", help="The day to take as today, YYYY-MM-DD (default: today).")
