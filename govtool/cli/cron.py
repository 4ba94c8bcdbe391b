"""The Friday cron's commands: report weekly, escalate."""

import sys
from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import echo, print_json, report_delivery
from govtool.cli.params import AS_OF, JSON
from govtool.errors import InputError

report_app = typer.Typer(
    help="Reports: the Friday weekly status report.\n\n\b\nExample: govtool report weekly --send --slack"
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
    send: bool = typer.Option(False, "--send", help="Mail it to the PM (once per week unless --force)."),
    slack_post: bool = typer.Option(
        False, "--slack/--no-slack", help="Post it to the Slack channel (once per week unless --force)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Send and post again for a week already delivered; overwrite an existing --out file."
    ),
    as_json: bool = JSON,
) -> None:
    """The weekly report (Saturday to Friday), archived under its ISO week; cron-safe.

    \b
    Example: govtool report weekly --week-ending 2026-01-23 --send --slack
    """
    from govtool.usecases.cron import publish_weekly_report

    if as_of is not None and week_ending is not None:
        raise InputError(
            "--as-of and --week-ending both name the week: give one",
            hint="--week-ending FRIDAY names the week; --as-of DATE reports the last week ending on or before DATE",
        )
    root = context.root_dir()
    now = context.now()
    outcome = publish_weekly_report(
        root,
        week_ending=None if week_ending is None else context.parse_day(week_ending, "--week-ending"),
        today=context.as_of_date(as_of),
        at=now,
        out=context.absolute(out),
        send=send,
        slack_post=slack_post,
        force=force,
        env=context.environment(),
    )
    if as_json:
        print_json(outcome.report)
    else:
        echo(outcome.text)
        print(f"archived {outcome.archive}")
        if outcome.out is not None:
            print(f"wrote {outcome.out}")
    for line in outcome.skipped:
        sys.stderr.write(f"govtool: {line}\n")
    report_delivery(outcome.delivery, root)


def escalate(
    as_of: Optional[str] = AS_OF,
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; change and send nothing."),
    send: bool = typer.Option(False, "--send", help="Mail each escalation to its level's contact."),
    slack_post: bool = typer.Option(False, "--slack/--no-slack", help="Post each escalation to the Slack channel."),
    as_json: bool = typer.Option(
        False, "--json", help="Machine-readable output (JSON) of what is due; changes nothing."
    ),
) -> None:
    """Escalate PM decisions left waiting (level 2 after 5 business days, level 3 after 10, or at once).

    \b
    Example: govtool escalate --as-of 2026-01-26 --dry-run
    """
    from govtool.usecases.cron import escalate as escalate_due

    if dry_run or as_json:  # writes nothing: may answer from the cache
        context.read_cache()
    root = context.root_dir()
    outcome = escalate_due(
        root,
        as_of=None if as_of is None else context.as_of_date(as_of),
        at=context.now(),
        dry_run=dry_run or as_json,
        send=send,
        slack_post=slack_post,
        env=context.environment(),
    )
    day = outcome.as_of.isoformat()
    if as_json:
        print_json({"as_of": day, "due": [e.to_dict() for e in outcome.due]})
        return
    if not outcome.recorded:
        if dry_run:
            for e in outcome.due:
                print(f"{e.broker}: level {e.level} ({e.role}: {e.contact}) due: {e.reason}")
            print(f"{len(outcome.due)} escalation(s) due on {day} (dry run: nothing recorded)")
        else:
            print(f"nothing to escalate on {day}")
        return
    for e in outcome.due:
        print(f"{e.broker}: escalated to level {e.level} ({e.role}: {e.contact}): {e.reason}")
    report_delivery(outcome.delivery, root)


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(report_app, name="report")
    app.command()(escalate)
