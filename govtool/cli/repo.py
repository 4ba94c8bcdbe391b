"""Commands on the governance repo and its views: init, validate, list, show, status, render, site."""

from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import console, echo, escape, print_json, styled_status
from govtool.cli.params import AS_OF, JSON, STATUS_VALUES, broker_argument, fixed_option, status_option


def init(
    directory: Path = typer.Argument(Path("."), help="Where to create the governance repo."),
    ci: bool = typer.Option(
        True, "--ci/--no-ci", help="Write the GitHub workflows, CODEOWNERS and .pre-commit-config.yaml (default)."
    ),
    govtool_repo: str = typer.Option(
        "OWNER/govtool", "--govtool-repo", metavar="OWNER/NAME", help="govtool on GitHub, for pre-commit and CI."
    ),
    govtool_ref: str = typer.Option(
        "main", "--govtool-ref", metavar="REF", help="The ref of it they install: main, or a commit SHA to pin it."
    ),
) -> None:
    """Start a governance repo: tracker.yaml, templates/, docs/brokers/, CI workflows, pre-commit.

    \b
    Example: govtool init broker-governance --govtool-repo acme/govtool
    """
    from govtool.usecases.repo import init_repo

    base = directory.expanduser().resolve()
    outcome = init_repo(base, ci=ci, govtool_repo=govtool_repo, govtool_ref=govtool_ref)
    for path in outcome.written:
        print(f"wrote {path.relative_to(base)}")
    for path in outcome.kept:
        print(f"kept {path.relative_to(base)} (already there)")
    print(f"governance repo ready in {base}; next: `govtool research new BROKER --name NAME`")
    if ci:
        print("then: `govtool doctor` checks the setup (git remote, SMTP, Slack, signing)")


def validate(
    verify_signatures: bool = typer.Option(
        False,
        "--verify-signatures",
        help="Also verify every signed decision (ssh-keygen -Y verify) against settings.gate.allowed_signers.",
    ),
) -> None:
    """Check tracker.yaml: every field, and that each status replays from its history;
    with --verify-signatures, every signed decision's signature (exit 1 when one fails).

    \b
    Example: govtool validate --verify-signatures
    """
    from govtool.usecases.views import validate as validate_tracker

    context.read_cache()
    outcome = validate_tracker(context.root_dir(), verify_signatures, context.now() if verify_signatures else None)
    print(f"{outcome.path}: valid ({outcome.brokers} brokers, {outcome.events} history events)")
    if outcome.signatures is None:
        return
    from govtool.errors import ViolationError
    from govtool.signing import BAD_SIGNATURE

    bad = [check for check in outcome.signatures if check.result.state == BAD_SIGNATURE]
    for check in outcome.signatures:
        if not check.result.verified:
            label = "bad signature" if check.result.state == BAD_SIGNATURE else "note"
            echo(f"{check.place}: {check.broker}: {label}: {check.result.reason}")
    verified = sum(1 for check in outcome.signatures if check.result.verified)
    print(f"signatures: {verified} verified, {len(bad)} bad, {outcome.unsigned} decisions unsigned")
    if bad:
        raise ViolationError(
            f"{len(bad)} signed decision(s) do not verify: " + "; ".join(f"{c.place} ({c.broker})" for c in bad),
            hint="a decision edited after signing, or signed by a key the allowed-signers file does not give its email",
        )


def list_brokers(
    status: Optional[str] = fixed_option(
        None, "--status", STATUS_VALUES, "Only brokers in this status", callback=status_option, metavar="STATUS"
    ),
    as_json: bool = JSON,
) -> None:
    """List the brokers, in priority order.

    \b
    Example: govtool list --status pending
    """
    from govtool.usecases.views import list_brokers as brokers_in_order

    context.read_cache()
    rows = brokers_in_order(context.root_dir(), status)
    if as_json:
        print_json(rows)
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("Broker", "Name", "Status", "Priority", "Type", "Progress", "ETA"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            row["id"],
            escape(row["name"]),
            styled_status(row["status"]),
            row["priority"] or "—",
            row["type"] or "—",
            f"{row['progress']}%",
            row["eta"] or "—",
        )
    console().print(table)
    if not rows:
        print("no brokers" + (f" with status {status}" if status else ""))


def show(broker: str = broker_argument(), as_json: bool = JSON) -> None:
    """Show one broker: its record and its dated history.

    \b
    Example: govtool show alpaca --json
    """
    from govtool import dashboard
    from govtool.usecases.views import show_broker

    context.read_cache()
    summary = show_broker(context.root_dir(), broker)
    if as_json:
        print_json(summary)
        return
    out = console()
    out.print(f"[bold]{escape(summary['name'])}[/] ({summary['id']}) — {styled_status(summary['status'])}")
    for label, value in dashboard.record_facts(summary):
        out.print(f"  {label + ':':<15}{escape(value)}")
    from rich.table import Table

    table = Table(title="History", title_justify="left", box=None, pad_edge=False)
    for column in ("At", "Event", "By", "Details"):
        table.add_column(column)
    for event in summary["history"]:
        table.add_row(event["at"], event["event"], escape(event["by"]), escape(dashboard.event_details(event)))
    out.print(table)


def status(
    as_of: Optional[str] = AS_OF,
    as_json: bool = JSON,
) -> None:
    """The dashboard: every broker's status, progress, ETA, blockers; pending PM decisions.

    \b
    Example: govtool status --as-of 2026-01-23
    """
    from govtool.usecases.views import status as dashboard

    context.read_cache()
    outcome = dashboard(context.root_dir(), context.as_of_date(as_of))
    data = outcome.dashboard
    if as_json:
        print_json(data)
        return
    from rich.table import Table

    out = console()
    table = Table(title=f"Broker integrations — as of {data['as_of']}", title_justify="left")
    for column in ("Broker", "Status", "Progress", "ETA", "Blockers"):
        table.add_column(column, justify="right" if column == "Progress" else "left")
    for row in data["brokers"]:
        table.add_row(
            escape(row["name"]),
            styled_status(row["status"]),
            f"{row['progress']}%",
            row["eta"] or "—",
            escape("; ".join(row["blockers"]) or "None"),
        )
    out.print(table)
    op = data["operational"]
    out.print(f"Overall: [bold]{op['completed']}/{op['total']}[/] brokers operational")
    pending = data["pending_decisions"]
    if not pending:
        out.print("No PM decision pending.")
        return
    out.print(f"Awaiting PM decision ({len(pending)}):")
    for p in pending:
        waited = p["business_days_waiting"]
        days = f"{waited} business day{'s' if waited != 1 else ''}"
        line = f"  {escape(p['name'])}: notified {p['notified_on']}, {days} waiting"
        level = p["escalation_level"]
        if level > 1:
            state = "escalated" if p["escalation_recorded"] else "escalation due"
            reason = escape(p["escalation_reason"])
            line += f" — [red]{state}: level {level}[/] since {p['escalation_due_on']} ({reason})"
        elif p["overdue"]:
            line += f" — [yellow]overdue[/] (answer expected by {p['expected_by']})"
        else:
            line += f" (answer expected by {p['expected_by']})"
        upcoming = p["next_escalation"]
        if upcoming:
            line += f"; escalates to level {upcoming['level']} on {upcoming['due_on']} if undecided"
        out.print(line)


def render(
    check: bool = typer.Option(False, "--check", help="Exit 1 if a rendered doc is stale; write nothing."),
) -> None:
    """Re-render the derived docs from tracker.yaml (or check they are current).

    \b
    Example: govtool render --check
    """
    from govtool.usecases import repo

    root = context.root_dir()
    if check:
        repo.check_rendered(root)
        print("rendered docs are up to date")
        return
    changed = repo.render(root)
    for path in changed:
        print(f"rendered {path.relative_to(root)}")
    if not changed:
        print("rendered docs are up to date")


def site(
    out: Optional[Path] = typer.Option(
        None, "--out", metavar="DIR", help="Where to build the site (default: site/ under the governance root)."
    ),
    as_of: Optional[str] = AS_OF,
) -> None:
    """Build the dashboard as a static site: overview, charts, a page per broker, the decision log.

    It opens from the file system with no network (plotly.js is copied into it once).
    Needs the optional dependencies: pip install 'govtool[site]'.

    \b
    Example: govtool site --out site
    """
    import datetime as dt

    from govtool.usecases.site import build_site

    root = context.root_dir()
    day = context.as_of_date(as_of)
    now = context.now() if as_of is None else dt.datetime.combine(day, dt.time(23, 59, 59), dt.timezone.utc)
    outcome = build_site(root, context.absolute(out), now, day)
    print(f"built {len(outcome.pages)} pages in {outcome.out} ({len(outcome.written)} files written)")
    for path in outcome.removed:
        print(f"removed {path.relative_to(outcome.out)} (no longer in the tracker)")
    print(f"open {outcome.out / 'index.html'}")


def migrate() -> None:
    """Move every broker of a single-file tracker.yaml into tracker.d/, one file each, and prove it.

    Then commit tracker.yaml and tracker.d/. A second run changes nothing.

    \b
    Example: govtool migrate
    """
    from govtool.usecases.repo import migrate as migrate_tracker

    root = context.root_dir()
    outcome = migrate_tracker(root)
    if not outcome.migrated:
        print("already one file per broker (tracker.d/): nothing to do")
        return
    print(
        f"migrated {outcome.brokers} brokers ({outcome.events} history events) to tracker.d/; every replay is identical"
    )
    for path in outcome.written:
        print(f"wrote {path.relative_to(root)}")


def merge_driver(
    base: Optional[Path] = typer.Argument(None, help="%O: the common ancestor's version."),
    ours: Optional[Path] = typer.Argument(None, help="%A: our version; the result is written here."),
    theirs: Optional[Path] = typer.Argument(None, help="%B: their version."),
    path: Optional[str] = typer.Argument(None, help="%P: the file's path in the repo (tracker.d/ID.yaml)."),
    install: bool = typer.Option(False, "--install", help="Configure this clone to use it, and add .gitattributes."),
) -> None:
    """git's merge driver for tracker.d/ files: unite both sides' history events and replay them.

    --install configures this clone once; git merge and git rebase then call it.

    \b
    Example: govtool merge-driver --install
    """
    import sys

    from govtool.errors import InputError, ViolationError
    from govtool.usecases.repo import install_merge_driver, run_merge_driver

    if install:
        root = context.root_dir()
        written = install_merge_driver(root, f"{sys.executable} -m govtool")
        for p in written:
            print(f"wrote {p.relative_to(root)}")
        print("git merges and rebases in this clone now merge tracker.d/ files with govtool")
        return
    if base is None or ours is None or theirs is None:
        raise InputError("merge-driver: git passes %O %A %B %P", hint="run `govtool merge-driver --install` once")
    outcome = run_merge_driver(base, ours, theirs, path or ours.name)
    if not outcome.merged:
        raise ViolationError(
            "\n".join(outcome.conflicts), hint="resolve the conflict in that file, then `govtool validate`"
        )
    print(f"govtool merged {path or ours.name}: {outcome.events_added} event(s) from the other side", file=sys.stderr)


def doctor(as_json: bool = JSON) -> None:
    """Check the setup: tracker and docs, SMTP, Slack, git remote and history, signing, calendar.

    One line per check (ok, problem and what to fix, or skipped); exit 1 when any is a problem.

    \b
    Example: govtool doctor --json
    """
    from govtool.errors import ViolationError
    from govtool.usecases.doctor import doctor as check_setup

    outcome = check_setup(context.root_dir(), context.environment(), context.today())
    if as_json:
        print_json({"ok": not outcome.problems, "checks": [c.to_dict() for c in outcome.checks]})
    else:
        width = max(len(c.name) for c in outcome.checks)
        for c in outcome.checks:
            print(f"{c.status:<8} {c.name:<{width}}  {c.detail}" + (f" — fix: {c.fix}" if c.fix else ""))
    if outcome.problems:
        names = ", ".join(c.name for c in outcome.problems)
        count = len(outcome.problems)
        raise ViolationError(
            f"doctor: {count} problem{'s' if count != 1 else ''}: {names}",
            hint="fix what each line says, then run it again",
        )
    if not as_json:
        print(f"doctor: all {len(outcome.checks)} checks passed or were not needed")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command()(init)
    app.command()(validate)
    app.command("list")(list_brokers)
    app.command()(show)
    app.command()(status)
    app.command()(render)
    app.command()(site)
    app.command()(migrate)
    app.command("merge-driver")(merge_driver)
    app.command()(doctor)
