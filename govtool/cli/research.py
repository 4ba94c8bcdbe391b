"""Research commands: research new, research check, and the decision matrix (score)."""

from pathlib import Path
from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import console, escape, one_line_option, print_json
from govtool.cli.tracking import BY

research_app = typer.Typer(help="Research docs: scaffold them, check them against the developer checklist.")


@research_app.command("new")
def research_new(
    broker: str = typer.Argument(..., help="Broker id: lowercase letters and digits joined by - or _."),
    name: Optional[str] = typer.Option(
        None, "--name", callback=one_line_option, help="The broker's name, e.g. 'Charles Schwab' (new brokers)."
    ),
    tier: Optional[int] = typer.Option(None, "--tier", help="Tier 1-4."),
    priority: Optional[str] = typer.Option(None, "--priority", help="P0-P3."),
    integration_type: Optional[str] = typer.Option(None, "--type", help="API, OAuth2, CSV, FIX or WebSocket."),
    docs_url: Optional[str] = typer.Option(
        None, "--docs-url", callback=one_line_option, help="The API documentation URL."
    ),
    from_openapi: Optional[Path] = typer.Option(None, "--from-openapi", help="Pre-fill from an OpenAPI/Swagger file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing research doc."),
    by: Optional[str] = BY,
) -> None:
    """Start researching a broker: write its research doc and track it as researching."""
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
    if outcome.tracker_change == "added":
        print(f"{broker}: added to the tracker as researching")
    print(f"next: fill in {outcome.doc}, then `govtool research check {broker}`")


@research_app.command("check")
def research_check(
    brokers: Optional[list[str]] = typer.Argument(None, help="Brokers to check (default: all with research)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    by: Optional[str] = BY,
) -> None:
    """Check research docs: 11 sections with real content, every front-matter field set."""
    from govtool.errors import ViolationError
    from govtool.usecases.research import research_check as check

    outcome = check(context.root_dir(), brokers or [], context.current_user(by), context.now())
    newly = outcome.research_completed_recorded
    if as_json:
        print_json(
            {
                "brokers": {b: [f.to_dict() for f in items] for b, items in outcome.results.items()},
                "passed": outcome.passed,
                "research_completed_recorded": newly,
            }
        )
    else:
        for finding in outcome.findings:
            print(str(finding))
        for broker_id in outcome.passed:
            recorded = " (research_completed recorded)" if broker_id in newly else ""
            print(f"{broker_id}: research doc complete{recorded}")
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
    broker: str = typer.Argument(..., help="Broker id."),
    user_demand: Optional[float] = typer.Option(None, "--user-demand", help="1-5 in steps of 0.5 (weight 30%)."),
    cost_benefit: Optional[float] = typer.Option(None, "--cost-benefit", help="1-5 (weight 25%)."),
    technical_feasibility: Optional[float] = typer.Option(None, "--technical-feasibility", help="1-5 (weight 20%)."),
    strategic_fit: Optional[float] = typer.Option(None, "--strategic-fit", help="1-5 (weight 15%)."),
    risk_assessment: Optional[float] = typer.Option(None, "--risk-assessment", help="1-5 (weight 10%)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    by: Optional[str] = BY,
) -> None:
    """The decision matrix: store scores in the research doc (with flags) and show the weighted total."""
    from govtool.decision_matrix import FACTOR_LABELS
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
        print_json({"broker": broker, **result.to_dict()})
        return
    from rich.table import Table

    table = Table(title=f"Decision matrix — {escape(outcome.name)}", title_justify="left")
    for column in ("Factor", "Weight", "Score (1-5)", "Weighted Score"):
        table.add_column(column, justify="left" if column == "Factor" else "right")
    for factor, weight, value, weighted in result.rows:
        table.add_row(FACTOR_LABELS[factor], f"{weight * 100:.0f}%", f"{value:g}", f"{weighted:.2f}")
    table.add_row("[bold]Total[/]", "[bold]100%[/]", "-", f"[bold]{result.total_shown}[/]")
    console().print(table)
    console().print(f"Band: [bold]{result.band}[/] (total {result.total_shown})")


def register(app: typer.Typer) -> None:
    """Add these commands to the app."""
    app.add_typer(research_app, name="research")
    app.command()(score)
