"""The Friday cron's commands: report weekly, escalate."""

import sys
from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import echo, print_json, report_delivery

report_app = typer.Typer(help="Reports: the Friday weekly status report.")


@report_app.command("weekly")
def report_weekly(
    week_ending: Optional[str] = typer.Option(
        None, "--week-ending", help="The Friday ending the week (default: the last)."
    ),
    out: Optional[Path] = typer.Option(
        None, "--out", help="Also write the report here (a new file; never tracker.yaml or docs/brokers/)."
    ),
    send: bool = typer.Option(False, "--send", help="Mail it to the PM (once per week unless --force)."),
    slack_post: bool = typer.Option(
        False, "--slack", help="Post it to the Slack channel (once per week unless --force)."
    ),
    force: bool = typer.Option(
        False, "--force", help="Send and post again for a week already delivered; overwrite an existing --out file."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report's data as JSON."),
) -> None:
    """The weekly report (Saturday to Friday), archived under its ISO week; cron-safe."""
    from govtool.usecases.cron import publish_weekly_report

    root = context.root_dir()
    now = context.now()
    outcome = publish_weekly_report(
        root,
        week_ending=None if week_ending is None else context.parse_day(week_ending, "--week-ending"),
        today=now.date(),
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
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; change and send nothing."),
    send: bool = typer.Option(False, "--send", help="Mail each escalation to its level's contact."),
    slack_post: bool = typer.Option(False, "--slack", help="Post each escalation to the Slack channel."),
    as_json: bool = typer.Option(False, "--json", help="Print what is due as JSON (changes nothing)."),
) -> None:
    """Escalate PM decisions left waiting (level 2 after 5 business days, level 3 after 10, or at once)."""
    from govtool.usecases.cron import escalate as escalate_due

    if dry_run or as_json:  # writes nothing: may answer from the cache
        context.read_cache()
    root = context.root_dir()
    outcome = escalate_due(
        root,
        as_of=None if as_of is None else context.parse_day(as_of, "--as-of"),
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
