"""The Friday cron's commands: report weekly, escalate."""

import sys
from pathlib import Path
from typing import Optional

import typer

from govtool.cli import channels, context
from govtool.cli.output import echo, print_json, print_via, report_delivery
from govtool.cli.params import AS_OF
from govtool.errors import InputError

report_app = typer.Typer(
    help="Reports: the Friday weekly status report.\n\n\b\nExample: govtool report weekly --dry-run"
)


@report_app.command("weekly")
def report_weekly(
    week_ending: Optional[str] = typer.Option(
        None, "--week-ending", metavar="DATE", help="The Friday that ends the week to report (default: the last)."
    ),
    as_of: Optional[str] = typer.Option(
        None,
        "--as-of",
        metavar="DATE",
        help="The day to take as today, YYYY-MM-DD: the report is of the last week ending on or before it.",
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Also write the report here (a new file; never tracker.yaml or docs/brokers/)."
    ),
    email: Optional[bool] = channels.EMAIL,
    slack_post: Optional[bool] = channels.SLACK,
    send: bool = channels.SEND,
    sent_by_hand: bool = channels.SENT_BY_HAND,
    force: bool = typer.Option(
        False, "--force", help="Deliver again for a week already delivered; overwrite an existing --out file."
    ),
    dry_run: bool = channels.DRY_RUN,
    as_json: bool = typer.Option(False, "--json", help="Print the report's data as JSON (records and sends nothing)."),
) -> None:
    """The weekly report (Saturday to Friday), delivered once per week and channel and archived; cron-safe.

    \b
    Example: govtool report weekly --week-ending 2026-01-23 --no-slack
    """
    from govtool.delivery import NoChannel
    from govtool.usecases.cron import publish_weekly_report

    if as_of is not None and week_ending is not None:
        raise InputError(
            "--as-of and --week-ending both name the week: give one",
            hint="--week-ending FRIDAY names the week; --as-of DATE reports the last week ending on or before DATE",
        )
    root = context.root_dir()
    now = context.now()
    try:
        outcome = publish_weekly_report(
            root,
            week_ending=None if week_ending is None else context.parse_day(week_ending, "--week-ending"),
            today=context.as_of_date(as_of),
            at=now,
            out=context.absolute(out),
            channels=channels.request(email, slack_post, send, sent_by_hand),
            force=force,
            dry_run=dry_run or as_json,
            env=context.environment(),
        )
    except NoChannel as exc:
        echo(exc.text)
        raise
    if as_json:
        print_json(outcome.report)
        return
    echo(outcome.text)
    if dry_run:
        print("(dry run: nothing recorded, nothing sent)")
        return
    if outcome.archive is not None:
        week = outcome.report["week"]["iso_week"]
        print(f"recorded for {week} ({print_via(outcome.channels)}); archived {outcome.archive}")
    if outcome.out is not None:
        print(f"wrote {outcome.out}")
    for line in outcome.skipped:
        sys.stderr.write(f"govtool: {line}\n")
    report_delivery(outcome.delivery, root)


def escalate(
    as_of: Optional[str] = AS_OF,
    email: Optional[bool] = channels.EMAIL,
    slack_post: Optional[bool] = channels.SLACK,
    send: bool = channels.SEND,
    sent_by_hand: bool = channels.SENT_BY_HAND,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; record and send nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print what is due as JSON (records and sends nothing)."),
) -> None:
    """Escalate PM decisions left waiting (level 2 after 5 business days, level 3 after 10, or at once),
    by every configured channel.

    \b
    Example: govtool escalate --as-of 2026-01-26 --dry-run
    """
    from govtool.delivery import NoChannel
    from govtool.usecases.cron import escalate as escalate_due

    if dry_run or as_json:  # writes nothing: may answer from the cache
        context.read_cache()
    root = context.root_dir()
    try:
        outcome = escalate_due(
            root,
            as_of=None if as_of is None else context.as_of_date(as_of),
            at=context.now(),
            dry_run=dry_run or as_json,
            channels=channels.request(email, slack_post, send, sent_by_hand),
            env=context.environment(),
        )
    except NoChannel as exc:
        echo(exc.text)
        raise
    day = outcome.as_of.isoformat()
    if as_json:
        print_json({"as_of": day, "due": [e.to_dict() for e in outcome.due]})
        return
    if not outcome.recorded:
        if dry_run:
            for e in outcome.due:
                print(f"{e.broker}: level {e.level} ({e.role}: {e.contact}) due since {e.due_on}: {e.reason}")
            print(f"{len(outcome.due)} escalation(s) due on {day} (dry run: nothing recorded)")
        else:
            print(f"nothing to escalate on {day}")
            report_delivery(outcome.delivery, root)
        return
    for e in outcome.due:
        print(f"{e.broker}: escalated to level {e.level} ({e.role}: {e.contact}): {e.reason}")
    print(f"recorded {len(outcome.due)} escalation(s) ({print_via(outcome.channels)})")
    report_delivery(outcome.delivery, root)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(report_app, name="report")
    app.command()(escalate)
