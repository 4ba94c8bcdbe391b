"""Research commands: research new, research check, and the decision matrix (score)."""

from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import console, escape, one_line_option, print_json, print_warning
from govtool.cli.params import (
    JSON,
    PRIORITY_VALUES,
    TIER_VALUES,
    TYPE_VALUES,
    broker_argument,
    complete_broker,
    fixed_option,
)
from govtool.cli.tracking import BY

research_app = typer.Typer(
    help="Research docs: scaffold them, check them against the developer checklist.\n\n"
    "\b\nExample: govtool research new oanda --name OANDA"
)


@research_app.command("new")
def research_new(
    broker: str = broker_argument("Broker id: lowercase letters and digits joined by - or _."),
    name: Optional[str] = typer.Option(
        None, "--name", callback=one_line_option, help="The broker's name, e.g. 'Charles Schwab' (new brokers)."
    ),
    tier: Optional[int] = fixed_option(None, "--tier", TIER_VALUES, "Tier", metavar="TIER"),
    priority: Optional[str] = fixed_option(None, "--priority", PRIORITY_VALUES, "Priority", metavar="PRIORITY"),
    integration_type: Optional[str] = fixed_option(None, "--type", TYPE_VALUES, "Integration type", metavar="TYPE"),
    docs_url: Optional[str] = typer.Option(
        None, "--docs-url", callback=one_line_option, help="The API documentation URL."
    ),
    from_openapi: Optional[Path] = typer.Option(None, "--from-openapi", help="Pre-fill from an OpenAPI/Swagger file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing research doc."),
    by: Optional[str] = BY,
) -> None:
    """Start researching a broker: write its research doc and track it as researching.

    \b
    Example: govtool research new oanda --name OANDA --tier 1 --priority P0 --from-openapi oanda.yaml
    """
    from govtool.usecases.research import research_new as start_research

    outcome = start_research(
        context.root_dir(),
        broker,
        name=name,
        tier=tier,
        priority=priority,
        integration_type=integration_type,
        docs_url=docs_url,
        openapi_spec=from_openapi,
        force=force,
        by=context.current_user(by),
        at=context.now(),
    )
    print(f"wrote {outcome.doc}" + (f" (pre-filled from {outcome.prefilled_from})" if outcome.prefilled_from else ""))
    for warning in outcome.warnings:
        print_warning(f"{outcome.prefilled_from}: {warning}")
    if outcome.tracker_change == "added":
        print(f"{broker}: added to the tracker as researching")
    print(f"next: fill in {outcome.doc}, then `govtool research check {broker}`")


@research_app.command("check")
def research_check(
    brokers: Optional[list[str]] = typer.Argument(
        None,
        metavar="[BROKER]...",
        help="Brokers to check (default: all with research).",
        autocompletion=complete_broker,
    ),
    as_json: bool = JSON,
) -> None:
    """Check research docs: 11 sections with real content, every front-matter field set (writes nothing).

    \b
    Example: govtool research check alpaca
    """
    from govtool.errors import ViolationError
    from govtool.usecases.research import research_check as check

    outcome = check(context.root_dir(), brokers or [])
    if as_json:
        found = {b: [f.to_dict() for f in items] for b, items in outcome.results.items()}
        print_json({"brokers": found, "passed": outcome.passed})
    else:
        for finding in outcome.findings:
            print(str(finding))
        for broker_id in outcome.passed:
            print(f"{broker_id}: research doc complete")
        if not outcome.results:
            print("no research docs to check")
    findings = outcome.findings
    if findings:
        failing = sorted({b for b, items in outcome.results.items() if items})
        raise ViolationError(
            f"research check: {len(findings)} finding{'s' if len(findings) != 1 else ''} in {', '.join(failing)}",
            hint="fill what is listed, then run `govtool research check` again",
        )


def score(
    broker: str = broker_argument(),
    user_demand: Optional[float] = typer.Option(None, "--user-demand", help="1-5 in steps of 0.5 (weight 30%)."),
    cost_benefit: Optional[float] = typer.Option(None, "--cost-benefit", help="1-5 (weight 25%)."),
    technical_feasibility: Optional[float] = typer.Option(None, "--technical-feasibility", help="1-5 (weight 20%)."),
    strategic_fit: Optional[float] = typer.Option(None, "--strategic-fit", help="1-5 (weight 15%)."),
    risk_assessment: Optional[float] = typer.Option(None, "--risk-assessment", help="1-5 (weight 10%)."),
    as_json: bool = JSON,
    by: Optional[str] = BY,
) -> None:
    """The decision matrix: store scores in the research doc (with flags) and show the weighted total.

    \b
    Example: govtool score alpaca --user-demand 4.5 --cost-benefit 4 --strategic-fit 3.5
    """
    from govtool.decision_matrix import FACTOR_LABELS, format_weight
    from govtool.usecases.research import score as weigh

    given = {
        "user_demand": user_demand,
        "cost_benefit": cost_benefit,
        "technical_feasibility": technical_feasibility,
        "strategic_fit": strategic_fit,
        "risk_assessment": risk_assessment,
    }
    outcome = weigh(context.root_dir(), broker, given, context.current_user(by), context.now())
    result = outcome.matrix
    if as_json:
        written = str(outcome.table_written) if outcome.table_written else None
        print_json({"broker": broker, **result.to_dict(), "table_written": written})
        return
    from rich.table import Table

    table = Table(title=f"Decision matrix — {escape(outcome.name)}", title_justify="left")
    for column in ("Factor", "Weight", "Score (1-5)", "Weighted Score"):
        table.add_column(column, justify="left" if column == "Factor" else "right")
    for (factor, weight, value, _), weighted in zip(result.rows, result.weighted_shown, strict=True):
        table.add_row(FACTOR_LABELS[factor], format_weight(weight), f"{value:g}", weighted)
    table.add_row("[bold]Total[/]", "[bold]100%[/]", "-", f"[bold]{result.total_shown}[/]")
    console().print(table)
    console().print(f"Band: [bold]{result.band}[/] (total {result.total_shown})")
    if outcome.table_written:
        console().print(f"wrote the decision matrix into section 11 of {escape(str(outcome.table_written))}")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(research_app, name="research")
    app.command()(score)
