"""The policy of a governance repo: ``settings:`` in tracker.yaml, validated and typed.

Every value has a default from seeds/pm-notification-process.md (contacts and
escalation levels, response time 2-3 business days, escalation after 5, the NYSE
calendar, ``#broker-integrations``, the ``[BROKER INTEGRATION]`` subject prefix, the
decision-matrix weights and thresholds) or from DESIGN.md (the CI gate). A repo's
file only states what differs. :func:`validate_settings` checks the mapping,
collecting every problem; :class:`Settings` is the typed view the rest of govtool
reads (``settings.email.subject_prefix``), and :meth:`Settings.to_dict` the mapping
written back.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Any, NamedTuple

from govtool import lifecycle
from govtool.decision_matrix import MATRIX_FACTORS, MatrixSettings
from govtool.field_checks import (
    EMAIL_RE,
    ONE_LINE_PROBLEM,
    Problems,
    check_keys,
    check_string,
    check_string_list,
    control_problem,
    is_number,
    is_whole_number,
    parse_date,
)
from govtool.inputs import relative_path_problem
from govtool.yamlio import KeyPath

#: Default settings: the values of seeds/pm-notification-process.md.
DEFAULT_SETTINGS: dict[str, Any] = {
    "escalation": {
        "expected_response_business_days": {"min": 2, "max": 3},
        "after_business_days": 5,
        "levels": [
            {"level": 1, "role": "PM", "name": "PM", "email": "pm@example.com"},
            {"level": 2, "role": "Tech Lead", "name": "Tech Lead", "email": "tech-lead@example.com"},
            {
                "level": 3,
                "role": "CTO / Product Director",
                "name": "CTO",
                "email": "cto@example.com",
            },
        ],
    },
    "calendar": "NYSE",
    # approvers: who may decide from the notification's buttons (`govtool serve`), by
    # Slack user id: {U0123ABCD: jane@example.com}. Empty: the messages carry no buttons.
    "slack": {"channel": "#broker-integrations", "approvers": {}},
    "email": {
        "from": "govtool@example.com",
        "to": ["pm@example.com"],
        "subject_prefix": "[BROKER INTEGRATION]",
        "smtp_host": None,
        "smtp_port": 25,
    },
    "decision_matrix": {
        "weights": {
            "user_demand": 0.30,
            "cost_benefit": 0.25,
            "technical_feasibility": 0.20,
            "strategic_fit": 0.15,
            "risk_assessment": 0.10,
        },
        "thresholds": {"approve_high": 4.0, "approve_medium": 3.0, "on_hold": 2.0},
    },
    "budget": {"monthly_api_usd": None},
    # True: every command that changes the tracker re-renders the derived docs (a solo
    # user, or a team that merges locally). False: commands write data only and the
    # docs are rendered on the main branch (`govtool render`, by a workflow on push),
    # so parallel pull requests never conflict on them.
    "docs": {"render_on_change": True},
    "gate": {
        "paths": ["connectors/{broker}/**"],
        "allowed_statuses": [lifecycle.APPROVED, lifecycle.IN_PROGRESS, lifecycle.COMPLETED],
        "approvers": [],
        # The OpenSSH allowed-signers file the approvers' decisions are verified against,
        # relative to the governance root (read by the gate at the tip of the base branch).
        "allowed_signers": ".github/allowed_signers",
        # The principals (in the allowed-signers file) whose signature vouches for a decision
        # an approver made in Slack through `govtool serve`: the service's own key.
        "attesters": [],
        # Names under a connector root that are no broker's: shared code, a _template.
        "not_brokers": [],
    },
    # The workstream's targets, drawn on `govtool site`'s burn-up chart and judged on its
    # overview: each ``{date: YYYY-MM-DD, operational: N, total: M, label: TEXT}`` reads
    # "N of M brokers operational (completed) by DATE"; label is optional. None by default.
    "milestones": [],
}

#: The allowed-signers file of signed decisions (ssh-keygen's ALLOWED SIGNERS format), by default.
ALLOWED_SIGNERS_FILE = DEFAULT_SETTINGS["gate"]["allowed_signers"]

#: Characters of a glob: a connector root and the ``{broker}`` part of a gate path are literal.
_GLOB_CHARS = frozenset("*?[]")


def gate_path_problem(pattern: str) -> str | None:
    """Why a gate path (``src/brokers/{broker}/**``) is not one the gate can hold, or None.

    A gate path is relative, with ``/`` between parts, and names a **connector root**
    (the literal directories before the part that holds ``{broker}``: every path under
    it is connector code), then that part (``{broker}``, or a literal name around it:
    ``{broker}-provider.ts``), then anything gitignore-style (``/**``). No ``..``,
    ``.`` or empty part, no backslash, no ``!`` negation.
    """
    if pattern.count("{broker}") != 1:
        return "a gate path needs the {broker} placeholder exactly once"
    if control_problem(pattern):
        return ONE_LINE_PROBLEM
    if "\\" in pattern or pattern.startswith(("!", "#")):
        return "a gate path is a plain pattern: no backslash, no ! or # at its start"
    parts = pattern.removeprefix("/").removesuffix("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "a gate path has no empty, '.' or '..' part"
    index = next(i for i, part in enumerate(parts) if "{broker}" in part)
    if index == 0:
        return "a gate path needs a directory before {broker}, the connector root (connectors/{broker}/**)"
    if any(_GLOB_CHARS & set(part) for part in parts[: index + 1]) or "{" in parts[index].replace("{broker}", ""):
        return "the connector root and the part with {broker} are literal: no *, ?, [ ] or other braces there"
    return None


def merge_defaults(data: Any, defaults: Any) -> Any:
    """Fill missing keys of ``data`` from ``defaults``, keeping the defaults' key order."""
    if isinstance(defaults, dict) and isinstance(data, dict):
        out = {k: merge_defaults(data[k], v) if k in data else copy.deepcopy(v) for k, v in defaults.items()}
        out.update({k: v for k, v in data.items() if k not in defaults})
        return out
    return data


def validate_settings(raw: Any, problems: Problems) -> dict[str, Any]:
    """Check ``settings:`` of tracker.yaml, defaults filled in; every problem goes to ``problems``.

    Args:
        raw: the loaded mapping (None for no settings).
        problems: where each problem is recorded, at its key path under ``settings``.

    Returns:
        The settings mapping with defaults merged in, in the defaults' key order; a
        section that is not a mapping is replaced by its default.
    """
    path: KeyPath = ("settings",)
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        problems.add(path, "expected a mapping", raw)
        return copy.deepcopy(DEFAULT_SETTINGS)
    settings = merge_defaults(raw, DEFAULT_SETTINGS)
    check_keys(settings, tuple(DEFAULT_SETTINGS), path, problems)
    for section, default in DEFAULT_SETTINGS.items():
        value = settings[section]
        if isinstance(default, dict):
            if not isinstance(value, dict):
                problems.add((*path, section), "expected a mapping", value)
                settings[section] = copy.deepcopy(default)
                continue
            check_keys(value, tuple(default), (*path, section), problems)

    esc = settings["escalation"]
    p = (*path, "escalation")
    resp = esc["expected_response_business_days"]
    if not (
        isinstance(resp, dict)
        and set(resp) == {"min", "max"}
        and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in resp.values())
        and resp["min"] <= resp["max"]
    ):
        problems.add(
            (*p, "expected_response_business_days"), "expected {min: N, max: M} business days, min <= max", resp
        )
    after = esc["after_business_days"]
    if not isinstance(after, int) or isinstance(after, bool) or after < 1:
        problems.add((*p, "after_business_days"), "expected a whole number of business days >= 1", after)
    levels = esc["levels"]
    if not isinstance(levels, list) or not levels:
        problems.add((*p, "levels"), "expected a list of escalation levels", levels)
    else:
        for index, level in enumerate(levels):
            lp = (*p, "levels", index)
            if not isinstance(level, dict):
                problems.add(lp, "expected a mapping with level, role, name, email", level)
                continue
            check_keys(level, ("level", "role", "name", "email"), lp, problems)
            if level.get("level") != index + 1:
                problems.add(
                    (*lp, "level"), f"expected {index + 1} (levels are numbered from 1 in order)", level.get("level")
                )
            check_string(level.get("role"), (*lp, "role"), problems)
            check_string(level.get("name"), (*lp, "name"), problems)
            check_string(level.get("email"), (*lp, "email"), problems, required=False)

    if settings["calendar"] not in ("NYSE", "none"):
        problems.add((*path, "calendar"), "expected NYSE or none", settings["calendar"])
    channel = settings["slack"].get("channel")
    if not isinstance(channel, str) or not channel.strip() or control_problem(channel):
        problems.add((*path, "slack", "channel"), "expected a channel name such as #broker-integrations", channel)
    _check_slack_approvers(settings, (*path, "slack", "approvers"), problems)

    email = settings["email"]
    ep = (*path, "email")
    check_string(email.get("from"), (*ep, "from"), problems)
    if isinstance(email.get("to"), str):
        email["to"] = [email["to"]]
    check_string_list(email.get("to"), (*ep, "to"), problems)
    check_string(email.get("subject_prefix"), (*ep, "subject_prefix"), problems)
    check_string(email.get("smtp_host"), (*ep, "smtp_host"), problems, required=False)  # null: no SMTP
    port = email.get("smtp_port")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        problems.add((*ep, "smtp_port"), "expected a TCP port 1-65535", port)

    matrix = settings["decision_matrix"]
    mp = (*path, "decision_matrix")
    weights = matrix["weights"]
    if isinstance(weights, dict):
        check_keys(weights, MATRIX_FACTORS, (*mp, "weights"), problems)
        for factor in MATRIX_FACTORS:
            w = weights.get(factor)
            if not is_number(w) or not 0 <= w <= 1:
                problems.add((*mp, "weights", factor), "expected a weight between 0 and 1", w)
        values = [weights.get(f) for f in MATRIX_FACTORS]
        if all(is_number(w) for w in values) and abs(sum(values) - 1) > 1e-9:
            problems.add((*mp, "weights"), f"the weights must sum to 1 (they sum to {sum(values):.4g})")
    else:
        problems.add((*mp, "weights"), "expected a mapping of factor: weight", weights)
    thresholds = matrix["thresholds"]
    if isinstance(thresholds, dict):
        check_keys(thresholds, ("approve_high", "approve_medium", "on_hold"), (*mp, "thresholds"), problems)
        t = [thresholds.get(k) for k in ("approve_high", "approve_medium", "on_hold")]
        if not all(is_number(x) and 1 <= x <= 5 for x in t):
            problems.add(
                (*mp, "thresholds"), "expected approve_high, approve_medium, on_hold between 1 and 5", thresholds
            )
        elif not t[0] > t[1] > t[2]:
            problems.add((*mp, "thresholds"), "expected approve_high > approve_medium > on_hold", thresholds)
    else:
        problems.add((*mp, "thresholds"), "expected a mapping", thresholds)

    if not isinstance(settings["docs"].get("render_on_change"), bool):
        problems.add(
            (*path, "docs", "render_on_change"), "expected true or false", settings["docs"].get("render_on_change")
        )
    budget = settings["budget"].get("monthly_api_usd")
    if budget is not None and (not is_number(budget) or budget < 0):
        problems.add(
            (*path, "budget", "monthly_api_usd"),
            "expected a non-negative amount in USD per month, or null for no budget",
            budget,
        )

    gate = settings["gate"]
    gp = (*path, "gate")
    for index, pattern in enumerate(check_string_list(gate.get("paths"), (*gp, "paths"), problems)):
        problem = gate_path_problem(pattern)
        if problem:
            problems.add((*gp, "paths", index), problem, pattern)
    for index, status in enumerate(
        check_string_list(gate.get("allowed_statuses"), (*gp, "allowed_statuses"), problems)
    ):
        if status not in lifecycle.STATUSES:
            problems.add(
                (*gp, "allowed_statuses", index),
                f"unknown status; expected one of {', '.join(lifecycle.STATUSES)}",
                status,
            )
    check_string_list(gate.get("approvers"), (*gp, "approvers"), problems)
    check_string_list(gate.get("attesters"), (*gp, "attesters"), problems)
    signers = check_string(gate.get("allowed_signers"), (*gp, "allowed_signers"), problems)
    if signers is not None and relative_path_problem(signers):
        problems.add((*gp, "allowed_signers"), relative_path_problem(signers), signers)
    for index, name in enumerate(check_string_list(gate.get("not_brokers"), (*gp, "not_brokers"), problems)):
        if "/" in name or name in (".", ".."):
            problems.add((*gp, "not_brokers", index), "expected a name under a connector root (no /)", name)
    _check_milestones(settings["milestones"], (*path, "milestones"), problems)
    return settings


#: A Slack user id (``U0123ABCD``; ``W...`` in an Enterprise Grid).
SLACK_USER_RE = re.compile(r"^[UW][A-Z0-9]{2,20}$")


def approver_email(approver: str) -> str:
    """The email of an approver as ``settings.gate.approvers`` lists it (``jane@example.com``
    or ``Jane PM <jane@example.com>``), lower-cased."""
    match = re.fullmatch(r"\s*.*?<([^>]+)>\s*", approver)
    return (match.group(1) if match else approver).strip().lower()


def _check_slack_approvers(settings: dict[str, Any], path: KeyPath, problems: Problems) -> None:
    """``settings.slack.approvers``: ``{SLACK_USER_ID: email}``; where ``settings.gate.approvers``
    is set, each email must be one of them (a decision made in Slack is judged by the gate)."""
    approvers = settings["slack"].get("approvers")
    if approvers is None:
        settings["slack"]["approvers"] = {}
        return
    if not isinstance(approvers, dict):
        problems.add(path, "expected a mapping of Slack user id to email ({U0123ABCD: jane@example.com})", approvers)
        settings["slack"]["approvers"] = {}
        return
    gate_approvers = settings["gate"].get("approvers")
    listed = gate_approvers if isinstance(gate_approvers, list) else []
    emails = {approver_email(a) for a in listed if isinstance(a, str)}
    for user, email in approvers.items():
        if not isinstance(user, str) or not SLACK_USER_RE.match(user):
            why = "expected a Slack user id (U0123ABCD: the member ID in the person's Slack profile)"
            problems.add((*path, str(user)), why, user)
            continue
        if check_string(email, (*path, user), problems) is None:
            continue
        if not EMAIL_RE.match(email):
            problems.add((*path, user), "expected the approver's email address (name@example.com)", email)
        elif emails and email.strip().lower() not in emails:
            problems.add(
                (*path, user),
                "not in settings.gate.approvers: the gate would refuse this approver's decisions",
                email,
            )


#: A milestone's keys: the date, the operational count to reach by then, the total it is out of, a label.
MILESTONE_KEYS = ("date", "operational", "total", "label")


def _check_milestones(milestones: Any, path: KeyPath, problems: Problems) -> None:
    """``settings.milestones``: a list of ``{date, operational, total, label}``, dates in order."""
    if milestones is None:
        return
    if not isinstance(milestones, list):
        problems.add(path, "expected a list of {date, operational, total, label} milestones", milestones)
        return
    previous = None
    for index, milestone in enumerate(milestones):
        mp = (*path, index)
        if not isinstance(milestone, dict):
            problems.add(mp, "expected a mapping with date, operational, total (and an optional label)", milestone)
            continue
        check_keys(milestone, MILESTONE_KEYS, mp, problems)
        for key in ("date", "operational", "total"):
            if key not in milestone:
                problems.add(mp, f"missing {key}")
        day = None
        if "date" in milestone:
            try:
                day = parse_date(milestone["date"])
            except ValueError as exc:
                problems.add((*mp, "date"), str(exc), milestone["date"])
        if day is not None and previous is not None and day <= previous:
            problems.add((*mp, "date"), "milestones go in date order, each after the one before", milestone["date"])
        previous = day or previous
        total = milestone.get("total")
        if "total" in milestone and (not is_whole_number(total) or total < 1):
            problems.add((*mp, "total"), "expected a whole number of brokers >= 1", total)
            total = None
        count = milestone.get("operational")
        if "operational" in milestone:
            if not is_whole_number(count) or count < 0:
                problems.add((*mp, "operational"), "expected a whole number of brokers >= 0", count)
            elif total is not None and count > total:
                problems.add((*mp, "operational"), f"expected at most the total ({total})", count)
        check_string(milestone.get("label"), (*mp, "label"), problems, required=False)


class Contact(NamedTuple):
    """One escalation level's contact (process document, "Escalation Process").

    Attributes:
        level: 1 (PM), 2 (Tech Lead), 3 (CTO / Product Director).
        role, name: as shown in messages; email: where escalations of this level go, or None.
    """

    level: int
    role: str
    name: str
    email: str | None


class EscalationSettings(NamedTuple):
    """``settings.escalation``: how long the PM has, and who comes next.

    Attributes:
        response_min_days, response_max_days: the expected response time, in business days (2-3).
        after_business_days: business days without a decision before each next level (5).
        levels: the contacts, level 1 first.
    """

    response_min_days: int
    response_max_days: int
    after_business_days: int
    levels: tuple[Contact, ...]

    def contact(self, level: int) -> Contact | None:
        """The contact of an escalation level, or None when the settings have no such level."""
        return next((c for c in self.levels if c.level == level), None)

    @property
    def pm(self) -> Contact:
        """Level 1: the PM who decides."""
        return self.levels[0]


class EmailSettings(NamedTuple):
    """``settings.email``: sender, recipients (the PM), subject prefix, SMTP server.

    ``smtp_host`` is None until someone sets it (`govtool init` leaves it unset): then
    no mail is sent unless ``GOVTOOL_SMTP_HOST`` names a server.
    """

    sender: str
    recipients: tuple[str, ...]
    subject_prefix: str
    smtp_host: str | None
    smtp_port: int


class GateSettings(NamedTuple):
    """``settings.gate``: connector path patterns with ``{broker}``, the statuses that
    allow connector code, the approvers' emails (empty: no signature needed), the
    allowed-signers file their decisions are verified against (a path under the
    root), the names under a connector root that are no broker's, and the attesters: the
    principals of the allowed-signers file whose signature vouches for a decision an
    approver made in Slack (`govtool serve` signs with their key)."""

    paths: tuple[str, ...]
    allowed_statuses: tuple[str, ...]
    approvers: tuple[str, ...]
    allowed_signers: str
    not_brokers: tuple[str, ...]
    attesters: tuple[str, ...] = ()


class Milestone(NamedTuple):
    """One of ``settings.milestones``: ``operational`` of ``total`` brokers operational by ``date``.

    Attributes:
        date: the day it is due (by the end of that day).
        operational: how many brokers must be completed by then.
        total: out of how many (the workstream's scope, which may differ from the tracker's size).
        label: what it is for ("minimum for Phase 11"), or None.
    """

    date: dt.date
    operational: int
    total: int
    label: str | None

    @property
    def title(self) -> str:
        """``6/10 by 2026-01-31``."""
        return f"{self.operational}/{self.total} by {self.date.isoformat()}"


class Settings(NamedTuple):
    """The typed, validated policy of a governance repo (immutable: named tuples, which
    cost a seventh of a frozen dataclass to define at every start).

    Attributes:
        escalation, email, gate, decision_matrix: the sections of the same names.
        calendar: the holiday calendar of business days (``NYSE`` or ``none``).
        slack_channel: ``settings.slack.channel``.
        slack_approvers: ``settings.slack.approvers``: Slack user id -> the approver's email
            (who may decide from the buttons of `govtool serve`).
        monthly_api_budget_usd: ``settings.budget.monthly_api_usd`` in USD per month, or None.
        render_on_change: ``settings.docs.render_on_change``: whether commands re-render
            the derived docs, or a workflow renders them on the main branch.
        milestones: ``settings.milestones`` in date order (empty when none are set).
        data: the whole mapping as validated, for writing back and for templates.
    """

    escalation: EscalationSettings
    calendar: str
    slack_channel: str
    email: EmailSettings
    decision_matrix: MatrixSettings
    monthly_api_budget_usd: float | None
    gate: GateSettings
    render_on_change: bool
    milestones: tuple[Milestone, ...]
    data: dict[str, Any]
    slack_approvers: dict[str, str] = {}

    @classmethod
    def from_validated(cls, data: dict[str, Any]) -> Settings:
        """The typed view of a mapping :func:`validate_settings` returned without problems."""
        esc = data["escalation"]
        email = data["email"]
        gate = data["gate"]
        return cls(
            escalation=EscalationSettings(
                response_min_days=esc["expected_response_business_days"]["min"],
                response_max_days=esc["expected_response_business_days"]["max"],
                after_business_days=esc["after_business_days"],
                levels=tuple(
                    Contact(lv["level"], lv["role"], lv["name"], lv.get("email") or None) for lv in esc["levels"]
                ),
            ),
            calendar=data["calendar"],
            slack_channel=data["slack"]["channel"],
            email=EmailSettings(
                sender=email["from"],
                recipients=tuple(email["to"] or ()),
                subject_prefix=email["subject_prefix"],
                smtp_host=email["smtp_host"] or None,
                smtp_port=email["smtp_port"],
            ),
            decision_matrix=MatrixSettings.from_dict(data["decision_matrix"]),
            monthly_api_budget_usd=data["budget"]["monthly_api_usd"],
            gate=GateSettings(
                paths=tuple(gate["paths"] or ()),
                allowed_statuses=tuple(gate["allowed_statuses"] or ()),
                approvers=tuple(gate["approvers"] or ()),
                allowed_signers=gate["allowed_signers"],
                not_brokers=tuple(gate["not_brokers"] or ()),
                attesters=tuple(gate["attesters"] or ()),
            ),
            slack_approvers=dict(data["slack"]["approvers"] or {}),
            render_on_change=data["docs"]["render_on_change"],
            milestones=tuple(
                Milestone(parse_date(m["date"]), m["operational"], m["total"], m.get("label") or None)
                for m in data["milestones"] or ()
            ),
            data=data,
        )

    @classmethod
    def with_defaults(cls, raw: dict[str, Any]) -> Settings:
        """Validate ``raw`` settings (defaults filled in) and give their typed view.

        Raises:
            ValueError: a problem, as ``settings.PATH: message``.
        """
        from govtool.yamlio import format_path

        problems = Problems()
        data = validate_settings(copy.deepcopy(raw), problems)
        if problems.items:
            path, message = problems.items[0]
            raise ValueError(f"{format_path(path)}: {message}")
        return cls.from_validated(data)

    def to_dict(self) -> dict[str, Any]:
        """The settings mapping as written in tracker.yaml."""
        return self.data
