"""The PM loop's commands: notify, decide, and the outbox."""

from pathlib import Path
from typing import Optional

import typer

from govtool import lifecycle
from govtool.cli import context
from govtool.cli.output import (
    console,
    echo,
    escape,
    one_line_option,
    print_commit,
    print_json,
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
        None, "--message", callback=text_option, help="What to tell the PM (other kinds)."
    ),
    out: Optional[Path] = typer.Option(
        None,
        "--out",
        help="Where to write the .eml (default .govtool/outbox/sent/); a new file, not a governance file.",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing --out file."),
    send: bool = typer.Option(False, "--send", help="Send the email by SMTP."),
    slack_post: bool = typer.Option(True, "--slack/--no-slack", help="Post to the Slack channel when configured."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the message; write and send nothing."),
    commit: bool = typer.Option(False, "--commit", help="Commit the changed files with git."),
    by: Optional[str] = BY,
) -> None:
    """Notify the PM (email and Slack) and record it; research-completed needs a passing research check.

    \b
    Example: govtool notify alpaca --send
    """
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
            send=send,
            slack_post=slack_post,
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
    echo(outcome.eml)
    if outcome.written_to is None:
        print("(dry run: nothing written, nothing sent)")
        return
    print(f"recorded pm_notified for {broker}; message written to {outcome.written_to}")
    print_commit(outcome.commit)
    report_delivery(outcome.delivery, root)


def decide(
    broker: str = broker_argument(),
    decision: str = typer.Argument(
        ...,
        metavar="DECISION",
        help=f"The decision: {one_of(DECISION_VALUES)}.",
        autocompletion=completes(DECISION_VALUES),
    ),
    by: str = typer.Option(..., "--by", callback=one_line_option, help='Who decided: a name, or "Name <email>".'),
    reason: Optional[str] = typer.Option(
        None, "--reason", callback=text_option, help="Why (required to reject or put on hold)."
    ),
    slack_post: bool = typer.Option(True, "--slack/--no-slack", help="Post the decision to Slack when configured."),
    commit: bool = typer.Option(False, "--commit", help="Commit the changed files with git, authored by --by."),
    signing_key: Optional[Path] = typer.Option(
        None,
        "--signing-key",
        metavar="PATH",
        help="Sign the decision with this SSH key (default: git's user.signingkey when gpg.format is ssh).",
    ),
) -> None:
    """Record the PM's decision, signed with the decider's SSH key when one is set; on
    approval, scaffold the implementation guide.

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
        slack_post=slack_post,
        commit=commit,
        at=context.now(),
        env=context.environment(),
        git_email=context.git_email(root) if commit or key else "",
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
    help="Messages an outside service did not take: list them, resend them.\n\n\b\nExample: govtool outbox flush"
)


@outbox_app.command("list")
def outbox_list(as_json: bool = JSON) -> None:
    """List the messages waiting in the outbox.

    \b
    Example: govtool outbox list --json
    """
    from dataclasses import asdict

    from govtool.usecases import pm

    waiting = pm.outbox_messages(context.root_dir())
    if as_json:
        print_json([{k: v for k, v in asdict(m).items() if k != "payload"} for m in waiting])
        return
    if not waiting:
        print("the outbox is empty")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("Id", "Channel", "Purpose", "Broker", "Created", "Attempts", "Last error"):
        table.add_column(column)
    for m in waiting:
        row = (m.id, m.channel, m.purpose, m.broker or "—", m.created_at, str(m.attempts), m.last_error)
        table.add_row(*(escape(cell) for cell in row))
    console().print(table)


@outbox_app.command("flush")
def outbox_flush() -> None:
    """Resend every message in the outbox; remove what is delivered.

    \b
    Example: govtool outbox flush
    """
    from govtool.usecases import pm

    root = context.root_dir()
    report = pm.flush_outbox(root, context.environment())
    if not report.delivered and not report.kept:
        print("the outbox is empty")
    report_delivery(report, root)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command()(notify)
    app.command()(decide)
    app.add_typer(outbox_app, name="outbox")
