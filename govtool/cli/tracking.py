"""Implementation tracking commands: start, progress, block, unblock, complete, reopen."""

from typing import Any, Optional

import typer

from govtool import lifecycle
from govtool.cli import context
from govtool.cli.output import one_line_option, text_option

BY = typer.Option(None, "--by", callback=one_line_option, help="Who (default: GOVTOOL_USER, git user.name, login).")
NOTE = typer.Option(None, "--note", callback=text_option, help="A note kept with the event.")
BROKER = typer.Argument(..., help="Broker id.")


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
    """Start implementing an approved broker (approved → in progress)."""
    from govtool.usecases import tracking

    _print(tracking.start(context.root_dir(), broker, context.current_user(by), context.now(), note))


def progress(
    broker: str = BROKER,
    percent: int = typer.Argument(..., min=0, max=100, help="Percent complete, 0-100."),
    by: Optional[str] = BY,
    note: Optional[str] = NOTE,
) -> None:
    """Record implementation progress in percent."""
    from govtool.usecases import tracking

    _print(tracking.progress(context.root_dir(), broker, percent, context.current_user(by), context.now(), note))


def block(
    broker: str = BROKER,
    reason: str = typer.Argument(..., callback=text_option, help='What blocks it, e.g. "Waiting for API access".'),
    by: Optional[str] = BY,
) -> None:
    """Record a blocker on a broker in progress."""
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
    """Close a blocker."""
    from govtool.usecases import tracking

    _print(tracking.unblock(context.root_dir(), broker, context.current_user(by), context.now(), blocker, note))


def complete(broker: str = BROKER, by: Optional[str] = BY, note: Optional[str] = NOTE) -> None:
    """Mark an implementation completed and tested (in progress → completed)."""
    from govtool.usecases import tracking

    _print(tracking.complete(context.root_dir(), broker, context.current_user(by), context.now(), note))


def reopen(
    broker: str = BROKER,
    reason: Optional[str] = typer.Option(None, "--reason", callback=text_option, help="Why research starts again."),
    by: Optional[str] = BY,
) -> None:
    """Send a rejected or on-hold broker back to research."""
    from govtool.usecases import tracking

    _print(tracking.reopen(context.root_dir(), broker, context.current_user(by), context.now(), reason))


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    for command in (start, progress, block, unblock, complete, reopen):
        app.command()(command)
