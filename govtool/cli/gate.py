"""The CI gate's command."""

from typing import Optional

import typer

from govtool.cli import context
from govtool.cli.output import console, escape, print_json
from govtool.cli.params import GATE_FORMATS, fixed_option, one_of
from govtool.errors import InputError


def gate(
    base: Optional[str] = typer.Option(
        None,
        "--base",
        help="The branch the change merges into (default, or when empty: origin/$GITHUB_BASE_REF, else "
        "origin/HEAD's branch, else main or master).",
    ),
    head: str = typer.Option("HEAD", "--head", help="Head ref."),
    output_format: str = fixed_option(
        "text", "--format", GATE_FORMATS, "Output format (github: annotations and a step summary)", metavar="FORMAT"
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output (JSON): the same as --format json."),
) -> None:
    """CI: refuse connector code for any broker not approved (and, where approvers are set,
    signed) in the tracker at the tip of the base branch.

    \b
    Example: govtool gate --base origin/main --format github
    """
    from govtool.errors import ViolationError
    from govtool.gate import KIND_HISTORY, UNTRACKED_LABELS, github_annotations, markdown_summary, run_gate, shown

    if output_format not in GATE_FORMATS:
        raise InputError(f"--format: expected {one_of(GATE_FORMATS)} (got {output_format!r})")
    if as_json:
        if output_format == "github":
            raise InputError("--json and --format github: give one")
        output_format = "json"
    env = context.environment()
    result = run_gate(context.root_dir(), base, head, dict(env), context.now())
    failed = [v for v in result.verdicts if not v.passed]
    if output_format == "json":
        print_json(result.to_dict())
    elif output_format == "github":
        for line in github_annotations(result):
            print(line)
        summary_file = env.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(markdown_summary(result))
    elif result.verdicts:
        from rich.table import Table

        table = Table(title=f"govtool gate: {result.base}...{result.head[:10]}", title_justify="left")
        for column in ("Broker", "Changed paths", "Status at base", "Verdict"):
            table.add_column(column)
        for v in result.verdicts:
            paths = "\n".join(f"{shown(p.path)} ({p.kind})" for p in v.paths[:5])
            if len(v.paths) > 5:
                paths += f"\n... and {len(v.paths) - 5} more"
            verdict = "[green]pass[/]" if v.passed else f"[red]fail[/]: {escape(v.message)}"
            table.add_row(escape(shown(v.broker)), escape(paths), v.status_at_base or UNTRACKED_LABELS[v.kind], verdict)
        console().print(table)
    if failed:
        rewrites = [v for v in failed if v.kind == KIND_HISTORY]
        code = [v for v in failed if v.kind != KIND_HISTORY]
        parts = [f"connector code for {', '.join(shown(v.broker) for v in code)} may not merge"] if code else []
        if rewrites:
            parts.append(f"the history of {', '.join(v.broker for v in rewrites)} is rewritten")
        raise ViolationError(
            f"gate: {' and '.join(parts)}: " + "; ".join(v.message for v in failed),
            hint="connector code goes under a tracked broker's exact id, approved (and signed by an approver, where "
            "settings.gate.approvers is set) on the base branch before the code"
            if code
            else "keep every recorded event as it is; record a new one (govtool decide, reopen) to change the status",
        )
    if output_format != "json":
        print(
            f"gate passed: {len(result.verdicts)} broker(s) with connector changes, "
            f"{result.changed_files} files checked"
        )


def register(app: typer.Typer) -> None:
    """Add this command to the app."""
    app.command()(gate)
