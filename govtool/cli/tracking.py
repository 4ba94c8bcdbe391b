"""Implementation tracking commands: start, progress, block, unblock, complete, reopen."""

from typing import Any, Optional

import typer

from govtool import lifecycle
from govtool.cli import context
from govtool.cli.output import one_line_option, text_option
from govtool.cli.params import broker_argument

BY = typer.Option(None, "--by", callback=one_line_option, help="Who (default: GOVTOOL_USER, git user.name, login).")
NOTE = typer.Option(None, "--note", callback=text_option, help="A note kept with the event.")
BROKER = broker_argument()


def _print(outcome: Any) -> None:
    before, after = outcome.status_before, outcome.broker
    moved = (
        f"{lifecycle.STATUS_LABELS[before]} → {lifecycle.STATUS_LABELS[after.status]}"
        if before != after.status
        else lifecycle.STATUS_LABELS[after.status]
    )
    extra = f", {after.progress}%" if after.status == lifecycle.IN_PROGRESS else ""
    print(f"{after.id}: {outcome.event.event} recorded by {outcome.event.by} ({moved}{extra})")


def start(broker: str = BROKER, by: Optional[str] = BY, note: Optional[str] = NOTE) -> None:
    """Start implementing an approved broker (approved → in progress).

    \b
    Example: govtool start alpaca
    """
    from govtool.usecases import tracking

    _print(tracking.start(context.root_dir(), broker, context.current_user(by), context.now(), note))


def progress(
    broker: str = BROKER,
    percent: int = typer.Argument(..., min=0, max=100, help="Percent complete, 0-100."),
    by: Optional[str] = BY,
    note: Optional[str] = NOTE,
) -> None:
    """Record implementation progress in percent.

    \b
    Example: govtool progress alpaca 40 --note "orders endpoint done"
    """
    from govtool.usecases import tracking

    _print(tracking.progress(context.root_dir(), broker, percent, context.current_user(by), context.now(), note))


def block(
    broker: str = BROKER,
    reason: str = typer.Argument(..., callback=text_option, help='What blocks it, e.g. "Waiting for API access".'),
    by: Optional[str] = BY,
) -> None:
    """Record a blocker on a broker in progress.

    \b
    Example: govtool block alpaca "Waiting for API access"
    """
    from govtool.usecases import tracking

    _print(tracking.block(context.root_dir(), broker, reason, context.current_user(by), context.now()))


def unblock(
    broker: str = BROKER,
    blocker: Optional[str] = typer.Option(
        None, "--blocker", help="Which blocker (text or number) when several are open."
    ),
    by: Optional[str] = BY,
    note: Optional[str] = NOTE,
) -> None:
    """Close a blocker.

    \b
    Example: govtool unblock alpaca --blocker 1
    """
    from govtool.usecases import tracking

    _print(tracking.unblock(context.root_dir(), broker, context.current_user(by), context.now(), blocker, note))


def complete(broker: str = BROKER, by: Optional[str] = BY, note: Optional[str] = NOTE) -> None:
    """Mark an implementation completed and tested (in progress → completed).

    \b
    Example: govtool complete alpaca
    """
    from govtool.usecases import tracking

    _print(tracking.complete(context.root_dir(), broker, context.current_user(by), context.now(), note))


def reopen(
    broker: str = BROKER,
    reason: Optional[str] = typer.Option(None, "--reason", callback=text_option, help="Why research starts again."),
    by: Optional[str] = BY,
) -> None:
    """Send a rejected or on hold broker back to research.

    \b
    Example: govtool reopen tradovate --reason "New pricing tier"
    """
    from govtool.usecases import tracking

    _print(tracking.reopen(context.root_dir(), broker, context.current_user(by), context.now(), reason))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    for command in (start, progress, block, unblock, complete, reopen):
        app.command()(command)
