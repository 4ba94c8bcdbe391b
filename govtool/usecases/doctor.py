"""`govtool doctor`: every check of :mod:`govtool.doctor` on one governance repo."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from govtool import doctor as checks
from govtool.email_message import SmtpConfig
from govtool.git_repo import checkout_facts
from govtool.slack import SlackConfig


class DoctorOutcome(NamedTuple):
    """The checks, in the order they ran; ``problems`` are those to fix."""

    checks: list[checks.Check]

    @property
    def problems(self) -> list[checks.Check]:
        return [c for c in self.checks if c.status == checks.PROBLEM]


def doctor(
    root: Path, env: Mapping[str, str], today: dt.date, timeout: float = checks.TIMEOUT_SECONDS
) -> DoctorOutcome:
    """Check the setup of the governance repo at ``root``.

    Args:
        root: the governance root.
        env: the environment: SMTP and Slack credentials and overrides, HOME.
        today: the day (UTC) whose year the holiday calendar must know.
        timeout: seconds to wait for SMTP and Slack.

    Returns:
        One check per line of the report (see :mod:`govtool.doctor`); checks that need a
        valid tracker are skipped when it is not.
    """
    tracker_check, tracker = checks.tracker_check(root)
    found = [tracker_check]
    facts = checkout_facts(root)
    if tracker is None:
        needs = "needs a valid tracker.yaml"
        found += [checks.Check(name, checks.SKIPPED, needs) for name in ("docs", "smtp", "slack", "slack channel")]
        found += checks.git_checks(facts)
        found += [checks.Check(name, checks.SKIPPED, needs) for name in ("signing", "calendar")]
        return DoctorOutcome(found)
    settings = tracker.settings
    found.append(checks.docs_check(root, tracker))
    try:
        smtp = SmtpConfig.from_settings(settings.email, dict(env))
    except ValueError:
        port = env.get("GOVTOOL_SMTP_PORT")
        found.append(checks.Check("smtp", checks.PROBLEM, f"GOVTOOL_SMTP_PORT is not a port number (got {port!r})"))
    else:
        found.append(checks.smtp_check(smtp, timeout))
    found += checks.slack_checks(SlackConfig.from_env(dict(env)), settings.slack_channel, timeout)
    found += checks.git_checks(facts)
    found.append(checks.signing_check(root, settings.gate.approvers, settings.gate.allowed_signers, env))
    found.append(checks.calendar_check(settings.calendar, today))
    return DoctorOutcome(found)
