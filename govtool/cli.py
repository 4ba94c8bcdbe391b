"""The command layer: parse arguments, call one core function, print its result.

Nothing here decides policy. The clock, the environment and the working directory
are read here and passed down as plain values; errors are :class:`GovtoolError`
and are turned into a message on stderr and an exit code in :func:`main`.
"""

# No `from __future__ import annotations` here: typer would then resolve every
# command's annotations with typing.get_type_hints at each start (~3 ms).
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any, Optional

import typer

from govtool import __version__, lifecycle
from govtool.errors import GovtoolError, InputError

app = typer.Typer(
    name="govtool",
    help="Governance of broker API integrations: research, PM decision, tracking, CI gate.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _Options:
    root: Optional[str] = None


OPTIONS = _Options()


def _version(value: bool) -> None:
    if value:
        print(f"govtool {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    root: Optional[str] = typer.Option(
        None,
        "--root",
        envvar="GOVTOOL_ROOT",
        help="Governance root (default: nearest directory upward holding tracker.yaml).",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    OPTIONS.root = root


# ---------------------------------------------------------------- helpers


def root_dir() -> Path:
    """The governance root from --root / GOVTOOL_ROOT or the working directory."""
    from govtool.store import find_root

    return find_root(Path.cwd(), OPTIONS.root)


def now() -> dt.datetime:
    """The current time in UTC; GOVTOOL_NOW (ISO 8601) fixes it for reproducible runs."""
    fixed = os.environ.get("GOVTOOL_NOW")
    if fixed:
        from govtool.tracker import parse_timestamp

        try:
            return parse_timestamp(fixed)
        except ValueError as exc:
            raise InputError(f"GOVTOOL_NOW: {exc} (got {fixed!r})") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def as_of_date(value: Optional[str]) -> dt.date:
    """--as-of DATE, or today (UTC, or GOVTOOL_NOW's date)."""
    if value is None:
        return now().date()
    from govtool.tracker import parse_date

    try:
        return parse_date(value)
    except ValueError:
        raise InputError(f"--as-of: expected a date as YYYY-MM-DD (got {value!r})") from None


def current_user(by: Optional[str]) -> str:
    """Who acts: --by, else GOVTOOL_USER, else git's user.name, else the login name."""
    if by:
        return by
    if os.environ.get("GOVTOOL_USER"):
        return os.environ["GOVTOOL_USER"]
    import subprocess

    try:
        name = subprocess.run(["git", "config", "user.name"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        name = ""
    if name:
        return name
    import getpass

    return getpass.getuser()


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    width = None if stream.isatty() or os.environ.get("COLUMNS") else 120
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=False, width=width)


def print_json(data: Any) -> None:
    """JSON on stdout: indented for a terminal, compact (and fast) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")


def _status_option(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in lifecycle.STATUSES:
        raise typer.BadParameter(
            f"{value!r} is not a status; expected one of {', '.join(s.replace('_', '-') for s in lifecycle.STATUSES)}"
        )
    return key


_STATUS_STYLES = {
    "researching": "cyan",
    "pending": "yellow",
    "approved": "green",
    "rejected": "red",
    "on_hold": "magenta",
    "in_progress": "blue",
    "completed": "bold green",
}


def _styled_status(status: str) -> str:
    return f"[{_STATUS_STYLES[status]}]{lifecycle.STATUS_LABELS[status]}[/]"


def _escape(text: Any) -> str:
    from rich.markup import escape

    return escape("" if text is None else str(text))


# ---------------------------------------------------------------- repo commands


@app.command()
def init(directory: Path = typer.Argument(Path("."), help="Where to create the governance repo.")) -> None:
    """Start a governance repo: tracker.yaml, templates/, docs/brokers/."""
    from govtool.init_repo import init_repo

    written = init_repo(directory)
    base = directory.expanduser().resolve()
    for path in written:
        print(f"wrote {path.relative_to(base)}")
    print(f"governance repo ready in {base}; next: `govtool research new BROKER --name NAME`")


@app.command()
def validate() -> None:
    """Check tracker.yaml: every field, and that each status replays from its history."""
    from govtool.store import read_tracker

    root = root_dir()
    tracker = read_tracker(root)
    events = sum(len(b.history) for b in tracker.brokers.values())
    print(f"{root / 'tracker.yaml'}: valid ({len(tracker.brokers)} brokers, {events} history events)")


@app.command("list")
def list_brokers(
    status: Optional[str] = typer.Option(
        None, "--status", callback=_status_option, help="Only brokers in this status."
    ),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """List the brokers, in priority order."""
    from govtool import dashboard
    from govtool.store import read_tracker

    tracker = read_tracker(root_dir())
    brokers = sorted(tracker.brokers.values(), key=dashboard.priority_order)
    rows = [dashboard.broker_summary(b, tracker) for b in brokers if status is None or b.status == status]
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
            _escape(row["name"]),
            _styled_status(row["status"]),
            row["priority"] or "—",
            row["type"] or "—",
            f"{row['progress']}%",
            row["eta"] or "—",
        )
    console().print(table)
    if not rows:
        print("no brokers" + (f" with status {status}" if status else ""))


@app.command()
def show(
    broker: str = typer.Argument(..., help="Broker id."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Show one broker: its record and its dated history."""
    from govtool import dashboard
    from govtool.store import read_tracker
    from govtool.yamlio import format_timestamp

    tracker = read_tracker(root_dir())
    record = tracker.broker(broker)
    summary = dashboard.broker_summary(record, tracker)
    summary.update(
        asset_classes=record.asset_classes,
        regions=record.regions,
        depends_on=record.depends_on,
        research_doc=record.research_doc,
        notes=record.notes,
        history=[{**e.to_dict(), "at": format_timestamp(e.at)} for e in record.history],
    )
    if as_json:
        print_json(summary)
        return
    out = console()
    out.print(f"[bold]{_escape(record.name)}[/] ({record.id}) — {_styled_status(record.status)}")
    facts = [
        ("Priority", record.priority),
        ("Tier", record.tier),
        ("Type", record.type),
        ("Team", record.team),
        ("ETA", summary["eta"]),
        ("Critical", "yes" if record.critical else "no"),
        ("Progress", f"{record.progress}%"),
        ("Asset classes", ", ".join(record.asset_classes)),
        ("Regions", ", ".join(record.regions)),
        ("Depends on", ", ".join(record.depends_on)),
        ("Blockers", "; ".join(summary["blockers"])),
        ("Research doc", record.research_doc),
        ("Notes", record.notes),
    ]
    for label, value in facts:
        if value not in (None, ""):
            out.print(f"  {label + ':':<15}{_escape(value)}")
    from rich.table import Table

    table = Table(title="History", title_justify="left", box=None, pad_edge=False)
    for column in ("At", "Event", "By", "Details"):
        table.add_column(column)
    for event in record.history:
        details = ", ".join(f"{k}={v}" for k, v in event.details.items())
        table.add_row(format_timestamp(event.at), event.event, _escape(event.by), _escape(details))
    out.print(table)


@app.command()
def status(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """The dashboard: every broker's status, progress, ETA, blockers; pending PM decisions."""
    from govtool import dashboard
    from govtool.store import read_tracker

    tracker = read_tracker(root_dir())
    data = dashboard.status_dashboard(tracker, as_of_date(as_of))
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
            _escape(row["name"]),
            _styled_status(row["status"]),
            f"{row['progress']}%",
            row["eta"] or "—",
            _escape("; ".join(row["blockers"]) or "None"),
        )
    out.print(table)
    op = data["operational"]
    out.print(f"Overall: [bold]{op['completed']}/{op['total']}[/] brokers operational")
    pending = data["pending_decisions"]
    if not pending:
        out.print("No PM decision pending.")
        return
    out.print(f"Awaiting PM decision ({len(pending)}):")
    threshold = tracker.settings["escalation"]["after_business_days"]
    for p in pending:
        waited = p["business_days_waiting"]
        days = f"{waited} business day{'s' if waited != 1 else ''}"
        line = f"  {_escape(p['name'])}: notified {p['notified_on']}, {days} waiting"
        if p["escalation_level"] > 1:
            line += f" — [red]escalation due: level {p['escalation_level']}[/] (no answer in {threshold} business days)"
        elif p["overdue"]:
            line += f" — [yellow]overdue[/] (answer expected by {p['expected_by']})"
        else:
            line += f" (answer expected by {p['expected_by']})"
        out.print(line)


@app.command()
def render(
    check: bool = typer.Option(False, "--check", help="Exit 1 if a rendered doc is stale; write nothing."),
) -> None:
    """Re-render the derived docs from tracker.yaml (or check they are current)."""
    from govtool.render import check_docs, render_docs
    from govtool.store import read_tracker, tracker_lock, write_all

    root = root_dir()
    if check:
        check_docs(root, read_tracker(root))
        print("rendered docs are up to date")
        return
    with tracker_lock(root):
        changed = write_all(render_docs(root, read_tracker(root)))
    for path in changed:
        print(f"rendered {path.relative_to(root)}")
    if not changed:
        print("rendered docs are up to date")


# ---------------------------------------------------------------- implementation tracking


def _change(action: Any, broker: str) -> None:
    """Run a tracker change under the lock and print what happened."""
    from govtool.store import update_tracker

    def change(tracker: Any) -> tuple[Any, str, Any]:
        before = tracker.broker(broker).status
        event = action(tracker)
        return event, before, tracker.broker(broker)

    event, before, after = update_tracker(root_dir(), change)
    moved = (
        f"{lifecycle.STATUS_LABELS[before]} → {lifecycle.STATUS_LABELS[after.status]}"
        if before != after.status
        else lifecycle.STATUS_LABELS[after.status]
    )
    extra = f", {after.progress}%" if after.status == lifecycle.IN_PROGRESS else ""
    print(f"{broker}: {event.event} recorded by {event.by} ({moved}{extra})")


_BY = typer.Option(None, "--by", help="Who (default: GOVTOOL_USER, git user.name, login).")
_NOTE = typer.Option(None, "--note", help="A note kept with the event.")


@app.command()
def start(
    broker: str = typer.Argument(..., help="Broker id."), by: Optional[str] = _BY, note: Optional[str] = _NOTE
) -> None:
    """Start implementing an approved broker (approved → in progress)."""
    from govtool import tracking

    _change(lambda t: tracking.start(t, broker, current_user(by), now(), note), broker)


@app.command()
def progress(
    broker: str = typer.Argument(..., help="Broker id."),
    percent: int = typer.Argument(..., min=0, max=100, help="Percent complete, 0-100."),
    by: Optional[str] = _BY,
    note: Optional[str] = _NOTE,
) -> None:
    """Record implementation progress in percent."""
    from govtool import tracking

    _change(lambda t: tracking.record_progress(t, broker, percent, current_user(by), now(), note), broker)


@app.command()
def block(
    broker: str = typer.Argument(..., help="Broker id."),
    reason: str = typer.Argument(..., help='What blocks it, e.g. "Waiting for API access".'),
    by: Optional[str] = _BY,
) -> None:
    """Record a blocker on a broker in progress."""
    from govtool import tracking

    _change(lambda t: tracking.block(t, broker, reason, current_user(by), now()), broker)


@app.command()
def unblock(
    broker: str = typer.Argument(..., help="Broker id."),
    blocker: Optional[str] = typer.Option(
        None, "--blocker", help="Which blocker (text or number) when several are open."
    ),
    by: Optional[str] = _BY,
    note: Optional[str] = _NOTE,
) -> None:
    """Close a blocker."""
    from govtool import tracking

    _change(lambda t: tracking.unblock(t, broker, current_user(by), now(), blocker, note), broker)


@app.command()
def complete(
    broker: str = typer.Argument(..., help="Broker id."), by: Optional[str] = _BY, note: Optional[str] = _NOTE
) -> None:
    """Mark an implementation completed and tested (in progress → completed)."""
    from govtool import tracking

    _change(lambda t: tracking.complete(t, broker, current_user(by), now(), note), broker)


@app.command()
def reopen(
    broker: str = typer.Argument(..., help="Broker id."),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why research starts again."),
    by: Optional[str] = _BY,
) -> None:
    """Send a rejected or on-hold broker back to research."""
    from govtool import tracking

    _change(lambda t: tracking.reopen(t, broker, current_user(by), now(), reason), broker)


# ---------------------------------------------------------------- research and decision matrix

research_app = typer.Typer(help="Research docs: scaffold them, check them against the developer checklist.")
app.add_typer(research_app, name="research")


@research_app.command("new")
def research_new(
    broker: str = typer.Argument(..., help="Broker id: lowercase letters and digits joined by - or _."),
    name: Optional[str] = typer.Option(None, "--name", help="The broker's name, e.g. 'Charles Schwab' (new brokers)."),
    tier: Optional[int] = typer.Option(None, "--tier", help="Tier 1-4."),
    priority: Optional[str] = typer.Option(None, "--priority", help="P0-P3."),
    integration_type: Optional[str] = typer.Option(None, "--type", help="API, OAuth2, CSV, FIX or WebSocket."),
    docs_url: Optional[str] = typer.Option(None, "--docs-url", help="The API documentation URL."),
    from_openapi: Optional[Path] = typer.Option(None, "--from-openapi", help="Pre-fill from an OpenAPI/Swagger file."),
    force: bool = typer.Option(False, "--force", help="Replace an existing research doc."),
    by: Optional[str] = _BY,
) -> None:
    """Start researching a broker: write its research doc and track it as researching."""
    from govtool import research
    from govtool.research_doc import doc_path
    from govtool.store import read_tracker, update_tracker

    root = root_dir()
    path = doc_path(root, broker)
    rel = path.relative_to(root.resolve())
    if path.exists() and not force:
        raise InputError(f"{rel}: already exists", hint="edit it, or pass --force to start it again from the template")
    tracker = read_tracker(root)
    known = tracker.brokers.get(broker)
    if name is None and known is None:
        raise InputError(f"{broker}: a new broker needs --name", hint=f'govtool research new {broker} --name "Name"')
    record = research.new_broker_record(broker, name or known.name, tier, priority, integration_type)
    research.fill_from_tracker(record, tracker)
    facts = None
    if from_openapi is not None:
        from govtool.openapi_facts import read_spec_facts

        facts = read_spec_facts(from_openapi)
    text = research.render_research_doc(root, record, docs_url, facts)
    outcome = update_tracker(
        root, lambda t: research.start_research(t, record, current_user(by), now()), files={path: text}
    )
    print(f"wrote {rel}" + (f" (pre-filled from {from_openapi.name})" if facts else ""))
    if outcome == "added":
        print(f"{broker}: added to the tracker as researching")
    print(f"next: fill in {rel}, then `govtool research check {broker}`")


@research_app.command("check")
def research_check(
    brokers: Optional[list[str]] = typer.Argument(None, help="Brokers to check (default: all with research)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    by: Optional[str] = _BY,
) -> None:
    """Check research docs: 11 sections with real content, every front-matter field set."""
    from govtool import research
    from govtool.errors import ViolationError
    from govtool.store import read_tracker, update_tracker
    from govtool.tracking import record_event

    root = root_dir()
    tracker = read_tracker(root)
    ids = research.brokers_to_check(root, tracker, brokers or [])
    results = research.check_research(root, tracker, ids)
    passed = [b for b, findings in results.items() if not findings]
    newly = [b for b in passed if b in tracker.brokers and research.needs_research_completed(tracker.brokers[b])]
    if newly:
        who, when = current_user(by), now()

        def complete(t: Any) -> None:
            for broker_id in newly:
                if research.needs_research_completed(t.broker(broker_id)):
                    record_event(t, broker_id, "research_completed", who, when)

        update_tracker(root, complete)
    findings = [f for items in results.values() for f in items]
    if as_json:
        print_json(
            {
                "brokers": {b: [f.to_dict() for f in items] for b, items in results.items()},
                "passed": passed,
                "research_completed_recorded": newly,
            }
        )
    else:
        for finding in findings:
            print(str(finding))
        for broker_id in passed:
            print(
                f"{broker_id}: research doc complete" + (" (research_completed recorded)" if broker_id in newly else "")
            )
        if not results:
            print("no research docs to check")
    if findings:
        failing = sorted({b for b, items in results.items() if items})
        raise ViolationError(
            f"research check: {len(findings)} finding{'s' if len(findings) != 1 else ''} in {', '.join(failing)}",
            hint="fill what is listed, then run `govtool research check` again",
        )


@app.command()
def score(
    broker: str = typer.Argument(..., help="Broker id."),
    user_demand: Optional[float] = typer.Option(None, "--user-demand", help="1-5 in steps of 0.5 (weight 30%)."),
    cost_benefit: Optional[float] = typer.Option(None, "--cost-benefit", help="1-5 (weight 25%)."),
    technical_feasibility: Optional[float] = typer.Option(None, "--technical-feasibility", help="1-5 (weight 20%)."),
    strategic_fit: Optional[float] = typer.Option(None, "--strategic-fit", help="1-5 (weight 15%)."),
    risk_assessment: Optional[float] = typer.Option(None, "--risk-assessment", help="1-5 (weight 10%)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    by: Optional[str] = _BY,
) -> None:
    """The decision matrix: store scores in the research doc (with flags) and show the weighted total."""
    from govtool import research
    from govtool.decision_matrix import FACTOR_LABELS, check_score, score_matrix
    from govtool.research_doc import split_front_matter
    from govtool.store import read_tracker, update_tracker

    root = root_dir()
    tracker = read_tracker(root)
    tracker.broker(broker)
    given = {
        "user_demand": user_demand,
        "cost_benefit": cost_benefit,
        "technical_feasibility": technical_feasibility,
        "strategic_fit": strategic_fit,
        "risk_assessment": risk_assessment,
    }
    given = {k: v for k, v in given.items() if v is not None}
    for factor, value in given.items():
        check_score("--" + factor.replace("_", "-"), value)
    if given:
        path, text = research.doc_with_scores(root, broker, given)
        result = score_matrix(split_front_matter(text, str(path)).front_matter["scores"], tracker.settings)
        update_tracker(
            root,
            lambda t: research.record_score(t, broker, result, current_user(by), now()),
            files={path: text},
        )
    else:
        result = score_matrix(research.scores_from_doc(root, broker), tracker.settings)
    if as_json:
        print_json({"broker": broker, **result.to_dict()})
        return
    from rich.table import Table

    table = Table(title=f"Decision matrix — {_escape(tracker.broker(broker).name)}", title_justify="left")
    for column in ("Factor", "Weight", "Score (1-5)", "Weighted Score"):
        table.add_column(column, justify="left" if column == "Factor" else "right")
    for factor, weight, value, weighted in result.rows:
        table.add_row(FACTOR_LABELS[factor], f"{weight * 100:.0f}%", f"{value:g}", f"{weighted:.2f}")
    table.add_row("[bold]Total[/]", "[bold]100%[/]", "-", f"[bold]{result.total_shown}[/]")
    console().print(table)
    console().print(f"Band: [bold]{result.band}[/] (total {result.total_shown})")


# ---------------------------------------------------------------- PM notification and decisions


def services(tracker: Any) -> Any:
    """The outside services, configured from the settings and the environment."""
    from govtool.delivery import Services
    from govtool.email_message import SmtpConfig
    from govtool.slack import SlackConfig

    try:
        smtp = SmtpConfig.from_settings(tracker.settings, dict(os.environ))
    except ValueError:
        raise InputError(
            f"GOVTOOL_SMTP_PORT: not a port number (got {os.environ.get('GOVTOOL_SMTP_PORT')!r})"
        ) from None
    return Services(slack=SlackConfig.from_env(dict(os.environ)), smtp=smtp)


def report_delivery(report: Any, root: Path) -> None:
    """Print what was delivered and skipped; raise ServiceError (exit 3) when something was kept."""
    from govtool.errors import ServiceError

    for line in report.delivered:
        print(f"delivered: {line}")
    for line in report.skipped:
        sys.stderr.write(f"govtool: {line}\n")
    if report.kept:
        kept = "; ".join(f"{path.relative_to(root)} ({error})" for path, error in report.kept)
        raise ServiceError(
            f"{len(report.kept)} not delivered, kept in the outbox: {kept}",
            hint="the tracker change is saved; `govtool outbox flush` retries",
        )


def commit_changes(root: Path, changed: list[Path], message: str, by: str, tracker: Any) -> None:
    """`--commit`: commit exactly the changed files, authored by ``by`` (``{author}`` in the message: their name)."""
    import subprocess

    from govtool.git_commit import author_of, commit_files

    try:
        email = subprocess.run(["git", "config", "user.email"], capture_output=True, text=True, cwd=root).stdout.strip()
    except OSError:
        email = ""
    author = author_of(by, tracker.settings, email)
    message = message.replace("{author}", author[0])
    sha = commit_files(root, changed, message, author)
    print(f"committed {sha[:10]}: {message}")


@app.command()
def notify(
    broker: str = typer.Argument(..., help="Broker id."),
    kind: str = typer.Option(
        "research-completed",
        "--kind",
        help="research-completed, cost-discovery, access-requirements, implementation-decision or issues-discovered.",
    ),
    urgent: bool = typer.Option(False, "--urgent", help="Tag the subject [URGENT] for a same-day answer."),
    message: Optional[str] = typer.Option(None, "--message", help="What to tell the PM (other kinds)."),
    out: Optional[Path] = typer.Option(None, "--out", help="Where to write the .eml (default .govtool/outbox/sent/)."),
    send: bool = typer.Option(False, "--send", help="Send the email by SMTP."),
    slack_post: bool = typer.Option(True, "--slack/--no-slack", help="Post to the Slack channel when configured."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the message; write and send nothing."),
    commit: bool = typer.Option(False, "--commit", help="Commit the changed files with git."),
    by: Optional[str] = _BY,
) -> None:
    """Notify the PM (email and Slack) and record it; research-completed needs a passing research check."""
    from govtool import lifecycle as lc
    from govtool import notification, research
    from govtool.delivery import deliver
    from govtool.email_message import build_message
    from govtool.errors import ViolationError
    from govtool.store import read_tracker, update_tracker
    from govtool.tracking import record_event
    from govtool.yamlio import format_timestamp

    if kind not in lc.NOTIFICATION_KINDS:
        raise InputError(
            f"--kind: {kind!r} is not a notification kind", hint=f"one of {', '.join(lc.NOTIFICATION_KINDS)}"
        )
    root = root_dir()
    tracker = read_tracker(root)
    tracker.broker(broker)
    if kind == "research-completed":
        findings = research.check_research(root, tracker, [broker])[broker]
        if findings:
            for finding in findings:
                print(str(finding))
            raise ViolationError(
                f"{broker}: the research doc is not complete ({len(findings)} findings); the PM is not notified",
                hint=f"the checklist comes before the PM: fill what is listed, then `govtool research check {broker}`",
            )
    who, when = current_user(by), now()
    note = notification.compose(root, tracker, broker, kind, urgent, who, message)
    eml = build_message(note.sender, note.recipients, note.subject, note.body, when).as_string()
    print(eml)
    if dry_run:
        print("(dry run: nothing written, nothing sent)")
        return
    path = (out if out is not None else notification.default_eml_path(root, broker, kind, when)).resolve()
    changed: list[Path] = []
    update_tracker(
        root,
        lambda t: record_event(
            t, broker, "pm_notified", who, when, kind=kind, urgent=urgent or None, to=", ".join(note.recipients)
        ),
        files={path: eml},
        changed=changed,
    )
    print(f"recorded pm_notified for {broker}; message written to {path}")
    if commit:
        commit_changes(
            root, [p for p in changed if p != path], f"govtool: notify PM of {broker} ({kind})", who, tracker
        )
    messages = []
    if send:
        messages.append(("email", {"eml": eml, "from": note.sender, "to": note.recipients}))
    if slack_post:
        messages.append(("slack", note.slack))
    report = deliver(root, services(tracker), messages, "notify", broker, format_timestamp(when))
    report_delivery(report, root)


@app.command()
def decide(
    broker: str = typer.Argument(..., help="Broker id."),
    decision: str = typer.Argument(..., help="approved, rejected or on-hold."),
    by: str = typer.Option(..., "--by", help='Who decided: a name, or "Name <email>".'),
    reason: Optional[str] = typer.Option(None, "--reason", help="Why (required to reject or put on hold)."),
    slack_post: bool = typer.Option(True, "--slack/--no-slack", help="Post the decision to Slack when configured."),
    commit: bool = typer.Option(False, "--commit", help="Commit the changed files with git, authored by --by."),
) -> None:
    """Record the PM's decision; on approval, scaffold the implementation guide."""
    from govtool import decisions, slack
    from govtool.decision_matrix import score_if_complete
    from govtool.delivery import deliver
    from govtool.research_doc import RESEARCH_DIR, read_front_matter
    from govtool.store import read_tracker, update_tracker
    from govtool.yamlio import format_timestamp

    root = root_dir()
    key = decisions.parse_decision(decision)
    tracker = read_tracker(root)
    tracker.broker(broker)
    record = tracker.broker(broker)
    front = read_front_matter(root, record.research_doc or f"{RESEARCH_DIR}/{broker}.md")
    matrix = score_if_complete(front.get("scores"), tracker.settings)
    total = float(matrix.total) if matrix else None
    when = now()
    files = {}
    guide = decisions.integration_guide_path(root, broker)
    if key == "approved" and not guide.exists():
        files[guide] = decisions.render_integration_guide(root, tracker, broker, when.date().isoformat())
    changed: list[Path] = []
    before = tracker.broker(broker).status
    update_tracker(
        root, lambda t: decisions.decide(t, broker, key, by, when, reason, total), files=files, changed=changed
    )
    label = key.replace("_", " ")
    print(f"{broker}: {lifecycle.STATUS_LABELS[before]} → {lifecycle.STATUS_LABELS[key]} (decided by {by})")
    if guide in files:
        print(f"wrote {guide.relative_to(root)}")
    if commit:
        verb = {"approved": "approve", "rejected": "reject", "on_hold": "put on hold"}[key]
        commit_changes(root, changed, f"govtool: {verb} {broker} (by {{author}})", by, tracker)
    name = tracker.broker(broker).name
    fields = [("Broker", name), ("Decision", label), ("Decided by", by), ("Reason", reason)]
    if total is not None:
        fields.append(("Weighted score", f"{total:.2f}"))
    payload = slack.message(tracker.settings["slack"]["channel"], f"PM decision: {name} {label}", fields)
    report = deliver(root, services(tracker), [("slack", payload)] if slack_post else [], "decide", broker,
                     format_timestamp(when))  # fmt: skip
    report_delivery(report, root)


outbox_app = typer.Typer(help="Messages an outside service did not take: list them, resend them.")
app.add_typer(outbox_app, name="outbox")


@outbox_app.command("list")
def outbox_list(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """List the messages waiting in the outbox."""
    from dataclasses import asdict

    from govtool import outbox

    waiting = outbox.pending(root_dir())
    if as_json:
        print_json([{k: v for k, v in asdict(m).items() if k != "payload"} for _, m in waiting])
        return
    if not waiting:
        print("the outbox is empty")
        return
    from rich.table import Table

    table = Table(box=None, pad_edge=False)
    for column in ("Id", "Channel", "Purpose", "Broker", "Created", "Attempts", "Last error"):
        table.add_column(column)
    for _, m in waiting:
        table.add_row(m.id, m.channel, m.purpose, m.broker or "—", m.created_at, str(m.attempts), _escape(m.last_error))
    console().print(table)


@outbox_app.command("flush")
def outbox_flush() -> None:
    """Resend every message in the outbox; remove what is delivered."""
    from govtool.delivery import flush
    from govtool.store import read_tracker

    root = root_dir()
    report = flush(root, services(read_tracker(root)))
    if not report.delivered and not report.kept:
        print("the outbox is empty")
    report_delivery(report, root)


# ---------------------------------------------------------------- weekly report and escalations

report_app = typer.Typer(help="Reports: the Friday weekly status report.")
app.add_typer(report_app, name="report")


@report_app.command("weekly")
def report_weekly(
    week_ending: Optional[str] = typer.Option(
        None, "--week-ending", help="The Friday ending the week (default: the last)."
    ),
    out: Optional[Path] = typer.Option(None, "--out", help="Also write the report here."),
    send: bool = typer.Option(False, "--send", help="Mail it to the PM (once per week unless --force)."),
    slack_post: bool = typer.Option(
        False, "--slack", help="Post it to the Slack channel (once per week unless --force)."
    ),
    force: bool = typer.Option(False, "--force", help="Send and post again for a week already delivered."),
    as_json: bool = typer.Option(False, "--json", help="Print the report's data as JSON."),
) -> None:
    """The weekly report (Saturday to Friday), archived under its ISO week; cron-safe."""
    from govtool import slack, weekly_report
    from govtool.delivery import deliver
    from govtool.email_message import build_message
    from govtool.render import environment, render_template
    from govtool.store import read_tracker, tracker_lock, write_all
    from govtool.tracker import parse_date
    from govtool.yamlio import format_timestamp

    root = root_dir()
    tracker = read_tracker(root)
    if week_ending is None:
        end = weekly_report.last_friday(now().date())
    else:
        try:
            end = parse_date(week_ending)
        except ValueError:
            raise InputError(f"--week-ending: expected a date as YYYY-MM-DD (got {week_ending!r})") from None
    report = weekly_report.build_report(tracker, end)
    text = render_template(environment(root), "weekly-report.md.j2", {"report": report})
    when = now()
    archive = root / report["week"]["archive"]
    week = report["week"]["iso_week"]
    stamp = format_timestamp(when)
    with tracker_lock(root):  # two crons at once still deliver once
        ledger = weekly_report.read_deliveries(root)
        wanted = [c for c, on in (("email", send), ("slack", slack_post)) if on]
        channels, skipped = weekly_report.plan_deliveries(ledger, week, wanted, force)
        messages = []
        if "email" in channels:
            mail = tracker.settings["email"]
            eml = build_message(mail["from"], mail["to"], report["subject"], text, when).as_string()
            messages.append(("email", {"eml": eml, "from": mail["from"], "to": list(mail["to"])}))
        if "slack" in channels:
            messages.append(
                ("slack", slack.message(tracker.settings["slack"]["channel"], report["subject"], [], body=text))
            )
        files = {archive: text}
        if out is not None:
            files[out.resolve()] = text
        if channels:
            files[root / weekly_report.DELIVERIES_FILE] = weekly_report.record_deliveries(ledger, week, channels, stamp)
        write_all(files)
    if as_json:
        print_json(report)
    else:
        print(text)
        print(f"archived {archive.relative_to(root)}")
    for line in skipped:
        sys.stderr.write(f"govtool: {line}\n")
    report_delivery(deliver(root, services(tracker), messages, "report", None, stamp), root)


@app.command()
def escalate(
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Reference date YYYY-MM-DD (default: today)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what is due; change and send nothing."),
    send: bool = typer.Option(False, "--send", help="Mail each escalation to its level's contact."),
    slack_post: bool = typer.Option(False, "--slack", help="Post each escalation to the Slack channel."),
    as_json: bool = typer.Option(False, "--json", help="Print what is due as JSON (changes nothing)."),
) -> None:
    """Escalate PM decisions left waiting (level 2 after 5 business days, level 3 after 10, or at once)."""
    from govtool import escalation, notification
    from govtool.delivery import deliver
    from govtool.email_message import build_message
    from govtool.store import read_tracker, update_tracker, write_all
    from govtool.tracking import record_event
    from govtool.yamlio import format_timestamp

    root = root_dir()
    day = as_of_date(as_of)
    tracker = read_tracker(root)
    due = escalation.due_escalations(root, tracker, day)
    if as_json or dry_run:
        if as_json:
            print_json({"as_of": day.isoformat(), "due": [e.to_dict() for e in due]})
        else:
            for e in due:
                print(f"{e.broker}: level {e.level} ({e.role}: {e.contact}) due: {e.reason}")
            print(f"{len(due)} escalation(s) due on {day.isoformat()} (dry run: nothing recorded)")
        return
    if not due:
        print(f"nothing to escalate on {day.isoformat()}")
        return
    when = now() if as_of is None else dt.datetime.combine(day, dt.time(12, 0), dt.timezone.utc)

    def record(t: Any) -> list[Any]:
        fresh = escalation.due_escalations(root, t, day)  # under the lock: nothing twice
        for e in fresh:
            record_event(t, e.broker, "escalated", "govtool", when, level=e.level, reason=e.reason, to=e.email)
        return fresh

    recorded = update_tracker(root, record)
    messages = []
    files = {}
    for e in recorded:
        message = escalation.compose_message(root, tracker, e)
        eml = build_message(message["sender"], message["recipients"], message["subject"], message["body"], when)
        files[notification.default_eml_path(root, e.broker, f"escalation-level-{e.level}", when)] = eml.as_string()
        print(f"{e.broker}: escalated to level {e.level} ({e.role}: {e.contact}): {e.reason}")
        if send:
            messages.append(("email", {"eml": eml.as_string(), "from": message["sender"], "to": message["recipients"]}))
        if slack_post:
            messages.append(("slack", message["slack"]))
    write_all(files)
    report_delivery(deliver(root, services(tracker), messages, "escalate", None, format_timestamp(when)), root)


# ---------------------------------------------------------------- CI gate


@app.command()
def gate(
    base: Optional[str] = typer.Option(
        None, "--base", help="Base ref (default: origin/$GITHUB_BASE_REF, origin/main, main)."
    ),
    head: str = typer.Option("HEAD", "--head", help="Head ref."),
    output_format: str = typer.Option("text", "--format", help="text, json or github."),
) -> None:
    """CI: refuse connector code for any broker not approved in the tracker at the merge base."""
    from govtool.errors import ViolationError
    from govtool.gate import github_annotations, markdown_summary, run_gate

    if output_format not in ("text", "json", "github"):
        raise InputError(f"--format: expected text, json or github (got {output_format!r})")
    result = run_gate(root_dir(), base, head, dict(os.environ))
    failed = [v for v in result.verdicts if not v.passed]
    if output_format == "json":
        print_json(result.to_dict())
    elif output_format == "github":
        for line in github_annotations(result):
            print(line)
        summary_file = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_file:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(markdown_summary(result))
    else:
        from rich.table import Table

        if result.verdicts:
            table = Table(title=f"govtool gate: {result.base}...{result.head[:10]}", title_justify="left")
            for column in ("Broker", "Changed paths", "Status at base", "Verdict"):
                table.add_column(column)
            for v in result.verdicts:
                paths = "\n".join(f"{p.path} ({p.kind})" for p in v.paths[:5])
                if len(v.paths) > 5:
                    paths += f"\n... and {len(v.paths) - 5} more"
                verdict = "[green]pass[/]" if v.passed else f"[red]fail[/]: {_escape(v.message)}"
                table.add_row(v.broker, _escape(paths), v.status_at_base or "not tracked", verdict)
            console().print(table)
    if failed:
        raise ViolationError(
            "gate: connector code for "
            + ", ".join(v.broker for v in failed)
            + " may not merge: "
            + "; ".join(v.message for v in failed),
            hint="record the PM's approval (govtool decide) and merge it before the connector code",
        )
    if output_format != "json":
        print(
            f"gate passed: {len(result.verdicts)} broker(s) with connector changes, "
            f"{result.changed_files} files checked"
        )


# ---------------------------------------------------------------- entry point


def main(argv: Optional[list[str]] = None) -> None:
    """Run the app on ``argv`` (default ``sys.argv[1:]``); a GovtoolError becomes its message
    on stderr and its exit code (raises SystemExit, as click does)."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        app(args=args, prog_name="govtool", standalone_mode=True)
    except GovtoolError as exc:
        if debug:
            raise
        err = sys.stderr
        err.write(f"govtool: error: {exc.message}\n")
        if exc.hint:
            err.write(f"hint: {exc.hint}\n")
        raise SystemExit(exc.exit_code) from None
