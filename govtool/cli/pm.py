"""The PM loop's commands: notify, decide, and the outbox."""

from pathlib import Path
from typing import Optional

import typer

from govtool import lifecycle
from govtool.cli import channels, context
from govtool.cli.output import (
    console,
    echo,
    escape,
    one_line_option,
    print_commit,
    print_json,
    print_via,
    print_warning,
    report_delivery,
    text_option,
)
from govtool.cli.params import DECISION_VALUES, JSON, KIND_VALUES, broker_argument, completes, fixed_option, one_of
from govtool.cli.tracking import BY


def notify(
    broker: str = broker_argument(),
    kind: str = fixed_option(
        lifecycle.DEFAULT_NOTIFICATION_KIND, "--kind", KIND_VALUES, "What to notify", metavar="KIND"
    ),
    urgent: bool = typer.Option(False, "--urgent", help="Tag the subject [URGENT] for a same-day answer."),
    message: Optional[str] = typer.Option(
        None, "--message", callback=text_option, help="What to tell the PM (the cost, the issue...)."
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Also write the .eml to this file: a new file, not a governance file."
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
    email: Optional[bool] = channels.EMAIL,
    slack_post: Optional[bool] = channels.SLACK,
    send: bool = channels.SEND,
    sent_by_hand: bool = channels.SENT_BY_HAND,
    dry_run: bool = channels.DRY_RUN,
    commit: bool = typer.Option(False, "--commit", help="Commit the changed files with git."),
    by: Optional[str] = BY,
) -> None:
    """Notify the PM by every configured channel and record it; research-completed needs a passing research check.

    With no channel configured nothing is recorded (exit 2) and the message is printed:
    send it yourself and run again with --sent-by-hand.

    \b
    Example: govtool notify alpaca --no-slack
    """
    from govtool.delivery import NoChannel
    from govtool.usecases import pm

    root = context.root_dir()
    try:
        outcome = pm.notify(
            root,
            broker,
            kind=kind,
            urgent=urgent,
            message=message,
            out=context.absolute(out),
            force=force,
            channels=channels.request(email, slack_post, send, sent_by_hand),
            dry_run=dry_run,
            commit=commit,
            by=context.current_user(by),
            at=context.now(),
            env=context.environment(),
            git_email=context.git_email(root) if commit else "",
        )
    except pm.ResearchIncomplete as exc:
        for finding in exc.findings:
            print(str(finding))
        raise
    except NoChannel as exc:
        echo(exc.text)
        raise
    echo(outcome.eml)
    if not outcome.recorded:
        print("(dry run: nothing recorded, nothing sent)")
        return
    if outcome.research_completed:
        print(f"recorded research_completed for {broker} (the research doc passes the checklist)")
    print(f"recorded pm_notified for {broker} ({print_via(outcome.channels)})")
    if outcome.written_to is not None:
        print(f"message written to {outcome.written_to}")
    print_commit(outcome.commit)
    report_delivery(outcome.delivery, root)


def decide(
    broker: str = broker_argument(),
    decision: str = typer.Argument(
        ...,
        metavar="DECISION",
        help=f"The decision: {one_of(DECISION_VALUES)} (on hold and on-hold work too).",
        autocompletion=completes(DECISION_VALUES),
    ),
    by: str = typer.Option(..., "--by", callback=one_line_option, help='Who decided: a name, or "Name <email>".'),
    reason: Optional[str] = typer.Option(
        None, "--reason", callback=text_option, help="Why (required to reject or put on hold)."
    ),
    email: Optional[bool] = channels.EMAIL,
    slack_post: Optional[bool] = channels.SLACK,
    commit: bool = typer.Option(
        False, "--commit", help="Commit the changed files, authored by the decider (their email from the settings)."
    ),
    signing_key: Optional[Path] = typer.Option(
        None,
        "--signing-key",
        metavar="PATH",
        help="Sign the decision with this SSH key (default: git's user.signingkey when gpg.format is ssh).",
    ),
) -> None:
    """Record the PM's decision, signed with the decider's SSH key when one is set, and announce
    it on every configured channel; on approval, scaffold the implementation guide.

    \b
    Example: govtool decide alpaca approved --by "Jane PM <jane@example.com>" --commit
    """
    from govtool.usecases import pm

    root = context.root_dir()
    key = context.signing_key(root, signing_key)
    outcome = pm.decide(
        root,
        broker,
        decision,
        by=by,
        reason=reason,
        channels=channels.request(email, slack_post),
        commit=commit,
        at=context.now(),
        env=context.environment(),
        git_email=context.git_email(root) if key else "",
        signing_key=key,
    )
    labels = lifecycle.STATUS_LABELS
    print(f"{broker}: {labels[outcome.status_before]} → {labels[outcome.status_after]} (decided by {by})")
    if outcome.differs_from_band:
        decided = lifecycle.STATUS_LABELS[outcome.status_after].lower()
        print(
            f"note: the decision ({decided}) differs from the decision matrix, whose band is {outcome.matrix_band} "
            f"(weighted total {outcome.matrix_total}); recorded, and shown in the decision log"
        )
    if outcome.guide is not None:
        print(f"wrote {outcome.guide.relative_to(root)}")
    if outcome.signed_as:
        print(f"signed as {outcome.signed_as} with {key.key if key else ''}")
    check = outcome.signature_check
    if check is not None and not check.verified:
        print_warning(f"the gate will not accept this signature: {check.reason}")
    print_commit(outcome.commit)
    report_delivery(outcome.delivery, root)


outbox_app = typer.Typer(
    help="Messages recorded and not delivered yet: list them, deliver them.\n\n\b\nExample: govtool outbox flush"
)


@outbox_app.command("list")
def outbox_list(as_json: bool = JSON) -> None:
    """List the messages not delivered yet (pending, or in flight when a delivery was cut short).

    \b
    Example: govtool outbox list --json
    """
    from dataclasses import asdict

    from govtool.usecases import pm

    waiting = pm.outbox_messages(context.root_dir())
    if as_json:
        print_json([{"state": state, **{k: v for k, v in asdict(m).items() if k != "payload"}} for state, m in waiting])
        return
    if not waiting:
        print("the outbox is empty")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("Id", "State", "Channel", "Purpose", "Broker", "Created", "Attempts", "Last error"):
        table.add_column(column)
    for state, m in waiting:
        row = (m.id, state, m.channel, m.purpose, m.broker or "—", m.created_at, str(m.attempts), m.last_error)
        table.add_row(*(escape(cell) for cell in row))
    console().print(table)


@outbox_app.command("flush")
def outbox_flush() -> None:
    """Deliver every message waiting in the outbox, each once; what still fails stays (exit 3).

    \b
    Example: govtool outbox flush
    """
    from govtool.usecases import pm

    root = context.root_dir()
    report = pm.flush_outbox(root, context.environment(), context.now())
    if not report.delivered and not report.kept:
        print("the outbox is empty")
    report_delivery(report, root)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command()(notify)
    app.command()(decide)
    app.add_typer(outbox_app, name="outbox")
