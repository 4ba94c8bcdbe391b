"""Commands on the governance repo and its views: init, validate, list, show, status, render."""

from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import console, escape, print_json, status_option, styled_status

_JSON = typer.Option(False, "--json", help="Machine-readable output.")


def init(directory: Path = typer.Argument(Path("."), help="Where to create the governance repo.")) -> None:
    """Start a governance repo: tracker.yaml, templates/, docs/brokers/."""
    from govtool.usecases.repo import init_repo

    base = directory.expanduser().resolve()
    written = init_repo(base)
    for path in written:
        print(f"wrote {path.relative_to(base)}")
    print(f"governance repo ready in {base}; next: `govtool research new BROKER --name NAME`")


def validate() -> None:
    """Check tracker.yaml: every field, and that each status replays from its history."""
    from govtool.usecases.views import validate as validate_tracker

    context.read_cache()
    outcome = validate_tracker(context.root_dir())
    print(f"{outcome.path}: valid ({outcome.brokers} brokers, {outcome.events} history events)")


def list_brokers(
    status: Optional[str] = typer.Option(None, "--status", callback=status_option, help="Only brokers in this status."),
    as_json: bool = _JSON,
) -> None:
    """List the brokers, in priority order."""
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


def show(broker: str = typer.Argument(..., help="Broker id."), as_json: bool = _JSON) -> None:
    """Show one broker: its record and its dated history."""
    from govtool.usecases.views import show_broker

    context.read_cache()
    summary = show_broker(context.root_dir(), broker)
    if as_json:
        print_json(summary)
        return
    out = console()
    out.print(f"[bold]{escape(summary['name'])}[/] ({summary['id']}) — {styled_status(summary['status'])}")
    facts = [
        ("Priority", summary["priority"]),
        ("Tier", summary["tier"]),
        ("Type", summary["type"]),
        ("Team", summary["team"]),
        ("ETA", summary["eta"]),
        ("Critical", "yes" if summary["critical"] else "no"),
        ("Progress", f"{summary['progress']}%"),
        ("Asset classes", ", ".join(summary["asset_classes"])),
        ("Regions", ", ".join(summary["regions"])),
        ("Depends on", ", ".join(summary["depends_on"])),
        ("Blockers", "; ".join(summary["blockers"])),
        ("Research doc", summary["research_doc"]),
        ("Notes", summary["notes"]),
    ]
    for label, value in facts:
        if value not in (None, ""):
            out.print(f"  {label + ':':<15}{escape(value)}")
    from rich.table import Table

    table = Table(title="History", title_justify="left", box=None, pad_edge=False)
    for column in ("At", "Event", "By", "Details"):
        table.add_column(column)
    for event in summary["history"]:
        details = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("at", "event", "by"))
        table.add_row(event["at"], event["event"], escape(event["by"]), escape(details))
    out.print(table)


def status(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
    as_json: bool = _JSON,
) -> None:
    """The dashboard: every broker's status, progress, ETA, blockers; pending PM decisions."""
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
    threshold = outcome.escalation_after_business_days
    for p in pending:
        waited = p["business_days_waiting"]
        days = f"{waited} business day{'s' if waited != 1 else ''}"
        line = f"  {escape(p['name'])}: notified {p['notified_on']}, {days} waiting"
        if p["escalation_level"] > 1:
            line += f" — [red]escalation due: level {p['escalation_level']}[/] (no answer in {threshold} business days)"
        elif p["overdue"]:
            line += f" — [yellow]overdue[/] (answer expected by {p['expected_by']})"
        else:
            line += f" (answer expected by {p['expected_by']})"
        out.print(line)


def render(
    check: bool = typer.Option(False, "--check", help="Exit 1 if a rendered doc is stale; write nothing."),
) -> None:
    """Re-render the derived docs from tracker.yaml (or check they are current)."""
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


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.command()(init)
    app.command()(validate)
    app.command("list")(list_brokers)
    app.command()(show)
    app.command()(status)
    app.command()(render)
