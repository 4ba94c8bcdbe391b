"""The Friday cron: the weekly status report, and escalations of PM decisions left waiting.

Source: seeds/pm-notification-process.md, "Reporting" (Weekly Report) and
"Escalation Process".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool import escalation, notification, slack, weekly_report
from govtool.delivery import DeliveryReport, OutgoingMessage, Services, deliver
from govtool.derived_docs import check_out_file
from govtool.escalation import Escalation
from govtool.history import record_event
from govtool.model import Tracker
from govtool.storage import read_tracker, tracker_lock, write_all
from govtool.templating import environment, render_template
from govtool.unit_of_work import update_tracker
from govtool.yamlio import format_timestamp


@dataclass
class WeeklyReportOutcome:
    """`report weekly`: the report's data and text, where it was archived (relative to the
    root), the ``--out`` file written (None without one), the channels skipped because
    the week was already delivered, and what was delivered."""

    report: dict[str, Any]
    text: str
    archive: Path
    out: Path | None = None
    skipped: list[str] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def publish_weekly_report(
    root: Path,
    *,
    week_ending: dt.date | None,
    today: dt.date,
    at: dt.datetime,
    out: Path | None,
    send: bool,
    slack_post: bool,
    force: bool,
    env: Mapping[str, str],
) -> WeeklyReportOutcome:
    """Build the weekly report, archive it under its ISO week, and send and post it once
    per week (the ledger ``docs/brokers/reports/deliveries.yaml``) unless ``force``.

    Args:
        week_ending: the Friday that ends the week; None for the last Friday on or before ``today``.
        out: another file to write the report to (absolute); never a governance file
            (:func:`govtool.derived_docs.check_out_file`); an existing one only with ``force``.
        force: deliver again a week already delivered, and overwrite an existing ``out``.

    Raises:
        InputError: ``week_ending`` is not a Friday, a template error, a bad ``out``.
    """
    tracker = read_tracker(root)
    out = check_out_file(root, out, tracker, force) if out is not None else None
    end = week_ending if week_ending is not None else weekly_report.last_friday(today)
    report = weekly_report.build_report(tracker, end)
    text = render_template(environment(root), "weekly-report.md.j2", {"report": report})
    archive = root / report["week"]["archive"]
    week = report["week"]["iso_week"]
    stamp = format_timestamp(at)
    settings = tracker.settings
    message = OutgoingMessage(
        report["subject"],
        text,
        settings.email.sender,
        list(settings.email.recipients),
        slack.message(settings.slack_channel, report["subject"], [], body=text),
    )
    with tracker_lock(root):  # two crons at once still deliver once
        ledger = weekly_report.read_deliveries(root)
        wanted = [c for c, on in (("email", send), ("slack", slack_post)) if on]
        channels, skipped = weekly_report.plan_deliveries(ledger, week, wanted, force)
        deliveries = []
        if "email" in channels:
            deliveries.append(message.email_delivery(message.to_eml(at)))
        if "slack" in channels:
            deliveries.append(message.slack_delivery())
        files = {archive: text}
        if out is not None:
            files[out] = text
        if channels:
            files[root / weekly_report.DELIVERIES_FILE] = weekly_report.record_deliveries(ledger, week, channels, stamp)
        write_all(files, root, external=[out] if out is not None else [])
    outcome = WeeklyReportOutcome(report, text, archive.relative_to(root), out, skipped)
    outcome.delivery = deliver(root, Services.configure(settings, env), deliveries, "report", None, stamp)
    return outcome


@dataclass
class EscalateOutcome:
    """`govtool escalate`: the day, the escalations due, whether they were recorded
    (False for a dry run), and what was delivered."""

    as_of: dt.date
    due: list[Escalation]
    recorded: bool = False
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


def escalate(
    root: Path,
    *,
    as_of: dt.date | None,
    at: dt.datetime,
    dry_run: bool,
    send: bool,
    slack_post: bool,
    env: Mapping[str, str],
) -> EscalateOutcome:
    """Record each escalation due (once per level), write its ``.eml``, and mail and post it.

    Args:
        as_of: the reference day; None for today (``at``'s date). Events of a day given
            explicitly are dated at noon UTC of that day.
        at: now.
        dry_run: only say what is due.
    """
    day = as_of if as_of is not None else at.date()
    tracker = read_tracker(root)
    due = escalation.due_escalations(root, tracker, day)
    if dry_run or not due:
        return EscalateOutcome(day, due)
    when = at if as_of is None else dt.datetime.combine(day, dt.time(12, 0), dt.timezone.utc)

    def record(t: Tracker) -> list[tuple[Escalation, OutgoingMessage]]:
        fresh = escalation.due_escalations(root, t, day)  # under the lock: nothing twice
        # Rendered before anything is written: a template error leaves every file as it was.
        messages = [(e, notification.compose_escalation(root, t, e)) for e in fresh]
        for e in fresh:
            record_event(t, e.broker, "escalated", "govtool", when, level=e.level, reason=e.reason, to=e.email)
        return messages

    recorded = update_tracker(root, record)
    deliveries = []
    files = {}
    for e, message in recorded:
        eml = message.to_eml(when)
        files[notification.default_eml_path(root, e.broker, f"escalation-level-{e.level}", when)] = eml
        if send:
            deliveries.append(message.email_delivery(eml))
        if slack_post:
            deliveries.append(message.slack_delivery())
    write_all(files, root)
    services = Services.configure(tracker.settings, env)
    outcome = EscalateOutcome(day, [e for e, _ in recorded], recorded=True)
    outcome.delivery = deliver(root, services, deliveries, "escalate", None, format_timestamp(when))
    return outcome
