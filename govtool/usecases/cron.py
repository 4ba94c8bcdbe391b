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

from govtool import escalation, notification, outbox, slack, weekly_report
from govtool.delivery import (
    ChannelRequest,
    DeliveryReport,
    OutgoingMessage,
    Services,
    choose_channels,
    deliver,
    history_record,
    set_record,
    utc_stamp,
    via,
)
from govtool.derived_docs import check_out_file
from govtool.escalation import Escalation
from govtool.history import record_event
from govtool.model import Tracker
from govtool.outbox import OutboxMessage
from govtool.slack_interactions import add_decision_buttons, notification_ref, offers_buttons
from govtool.storage import read_tracker, tracker_lock, write_all
from govtool.templating import environment, render_template
from govtool.unit_of_work import update_tracker


@dataclass
class WeeklyReportOutcome:
    """`report weekly`: the report's data and text, where it was archived (relative to the
    root; None when nothing was recorded), the ``--out`` file written (None without one),
    the channels it was recorded for this run, the notes on channels skipped because the
    week was already delivered, and what was delivered."""

    report: dict[str, Any]
    text: str
    archive: Path | None = None
    channels: list[str] = field(default_factory=list)
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
    channels: ChannelRequest,
    force: bool,
    dry_run: bool,
    env: Mapping[str, str],
) -> WeeklyReportOutcome:
    """Build the weekly report and deliver it once per week and channel (the ledger
    ``docs/brokers/reports/deliveries.yaml``) unless ``force``, archived under its ISO week.

    The ledger entry, the archive and one outbox entry per channel are written together
    (the entries first) under the tracker lock, then delivered (:mod:`govtool.delivery`).

    Args:
        week_ending: the Friday that ends the week; None for the last Friday on or before ``today``.
        out: another file to write the report to (absolute); never a governance file
            (:func:`govtool.derived_docs.check_out_file`); an existing one only with ``force``.
        channels: the channel flags (default: every configured channel).
        force: deliver again a week already delivered, and overwrite an existing ``out``.
        dry_run: build and return the report; record, write and send nothing.

    Raises:
        InputError: ``week_ending`` is not a Friday, a template error, a channel asked
            for that is not configured, a bad ``out``.
        NoChannel: no channel to deliver by and not sent by hand (nothing recorded).
    """
    tracker = read_tracker(root)
    end = week_ending if week_ending is not None else weekly_report.last_friday(today)
    report = weekly_report.build_report(tracker, end, escalation.pending_doc_facts(root, tracker))
    text = render_template(environment(root), "weekly-report.md.j2", {"report": report})
    if dry_run:
        return WeeklyReportOutcome(report, text)
    out = check_out_file(root, out, tracker, force) if out is not None else None
    archive = root / report["week"]["archive"]
    week = report["week"]["iso_week"]
    stamp = utc_stamp(at)
    settings = tracker.settings
    message = OutgoingMessage(
        report["subject"],
        text,
        settings.email.sender,
        list(settings.email.recipients),
        slack.message(settings.slack_channel, report["subject"], [], body=text),
    )
    services = Services.configure(settings, env)
    wanted = choose_channels(services, channels, text)
    messages: list[OutboxMessage] = []
    with tracker_lock(root):  # two crons at once still deliver once
        ledger = weekly_report.read_deliveries(root)
        todo, skipped = weekly_report.plan_deliveries(ledger, week, wanted, force)
        files = {out: text} if out is not None else {}
        if todo:
            messages = set_record(
                message.for_channels(todo, "report", None, at), {"file": "ledger", "week": week, "at": stamp}
            )
            files[archive] = text
            files[root / weekly_report.DELIVERIES_FILE] = weekly_report.record_deliveries(ledger, week, todo, stamp)
        entries = outbox.pending_files(root, messages)
        write_all(entries, root)  # ahead of the ledger: a crash between leaves them unrecorded, never sent
        try:
            write_all(files, root, external=[out] if out is not None else [])
        except BaseException:
            for path in entries:
                path.unlink(missing_ok=True)
            raise
    outcome = WeeklyReportOutcome(
        report, text, archive.relative_to(root) if todo else None, channels=todo, out=out, skipped=skipped
    )
    outcome.delivery = deliver(root, services, messages, at)
    return outcome


@dataclass
class EscalateOutcome:
    """`govtool escalate`: the day, the escalations due, the channels they went to (empty
    when nothing was recorded: a dry run, or nothing due), and what was delivered."""

    as_of: dt.date
    due: list[Escalation]
    channels: list[str] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)

    @property
    def recorded(self) -> bool:
        return bool(self.channels) and bool(self.due)


def escalate(
    root: Path,
    *,
    as_of: dt.date | None,
    at: dt.datetime,
    dry_run: bool,
    channels: ChannelRequest,
    env: Mapping[str, str],
) -> EscalateOutcome:
    """Record each escalation due (once per level) with its messages, then deliver them.

    Each ``escalated`` event and its outbox entries (one per channel, to the level's
    contact) are written together under the tracker lock before anything is sent.

    Args:
        as_of: the reference day; None for today (``at``'s date). Events of a day given
            explicitly are dated at noon UTC of that day.
        at: now.
        dry_run: only say what is due.
        channels: the channel flags (default: every configured channel).

    Raises:
        InputError: a channel asked for that is not configured.
        NoChannel: escalations are due, no channel to deliver by, and not sent by hand
            (nothing recorded).
    """
    day = as_of if as_of is not None else at.date()
    tracker = read_tracker(root)
    due = escalation.due_escalations(root, tracker, day)
    if dry_run:
        return EscalateOutcome(day, due)
    services = Services.configure(tracker.settings, env)
    if not due:  # nothing new: deliver what an earlier run left behind
        return EscalateOutcome(day, due, delivery=deliver(root, services, [], at))
    preview = "\n\n".join(notification.compose_escalation(root, tracker, e).to_eml(at) for e in due)
    chosen = choose_channels(services, channels, preview)
    when = at if as_of is None else dt.datetime.combine(day, dt.time(12, 0), dt.timezone.utc)
    messages: list[OutboxMessage] = []

    def record(t: Tracker) -> list[tuple[Escalation, int, Any]]:
        fresh = escalation.due_escalations(root, t, day)  # under the lock: nothing twice
        made = []
        for e in fresh:
            event = record_event(
                t, e.broker, "escalated", "govtool", when, level=e.level, reason=e.reason, to=e.email, via=via(chosen)
            )
            made.append((e, len(t.broker(e.broker).history) - 1, event))
        return made

    buttons = offers_buttons(tracker.settings.slack_approvers, services.slack.token)

    def ahead(t: Tracker, made: list[tuple[Escalation, int, Any]]) -> dict[Path, str]:
        for e, index, event in made:
            note = notification.compose_escalation(root, t, e)
            found = note.for_channels(chosen, "escalate", e.broker, when)
            messages.extend(set_record(found, history_record(e.broker, index, event)))
            ref = notification_ref(t.broker(e.broker))
            if buttons and ref is not None:  # the decision it chases, from the message (`govtool serve`)
                add_decision_buttons(found, ref)
        return outbox.pending_files(root, messages)

    made = update_tracker(root, record, ahead=ahead)
    outcome = EscalateOutcome(day, [e for e, _, _ in made], chosen)
    outcome.delivery = deliver(root, services, messages, at)
    return outcome
