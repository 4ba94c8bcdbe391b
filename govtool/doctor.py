"""`govtool doctor`: does this governance repo's setup work, before a real notification fails?

Each check is one line: ``ok``, ``problem`` (with what to fix) or ``skipped`` (not
needed by this setup, or not possible until an earlier problem is fixed):

- ``tracker``: tracker.yaml is valid; ``docs``: the derived docs are current;
- ``smtp``: the SMTP host answers, offers STARTTLS and the TLS handshake succeeds (with
  the certificate checked), and it takes the credentials when GOVTOOL_SMTP_USER is set;
- ``slack``: the bot token is valid (``auth.test``); ``slack channel``: the channel of
  ``settings.slack.channel`` is visible to the bot and the bot is in it
  (``conversations.list``, or ``conversations.info`` for a channel id);
- ``git remote``, ``git default branch`` (``origin/HEAD``), ``git history`` (not
  shallow): what the CI gate needs to find the merge base;
- ``signing``: where ``settings.gate.approvers`` is set, git signs with SSH
  (``gpg.format=ssh``), ``user.signingkey`` is readable, and the allowed-signers file
  (``settings.gate.allowed_signers``, when the settings have it) is there;
- ``calendar``: the holiday calendar of business days knows this year and the next.

Everything outside the repo comes in as arguments: the environment (credentials,
overrides, HOME), today's date; connections use short timeouts and no retries.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from govtool.email_message import SmtpConfig
from govtool.errors import GovtoolError, InputError
from govtool.git_repo import CheckoutFacts, config_value
from govtool.inputs import read_text, within
from govtool.redaction import redact
from govtool.signing import signer_count, wildcard_lines
from govtool.slack import SlackConfig

OK = "ok"
PROBLEM = "problem"
SKIPPED = "skipped"
#: Seconds to wait for an outside service (SMTP, Slack) before calling it unreachable.
TIMEOUT_SECONDS = 5.0
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


class Check(NamedTuple):
    """One line of `govtool doctor`.

    Attributes:
        name: what is checked (``smtp``, ``slack channel``, ``git history``...).
        status: ``ok``, ``problem`` or ``skipped``.
        detail: what was found.
        fix: what to do about a problem ("" otherwise).
    """

    name: str
    status: str
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, str]:
        """The check as JSON data: ``{name, status, detail, fix}``."""
        return self._asdict()


def tracker_check(root: Path) -> tuple[Check, Any]:
    """tracker.yaml read and validated: ``(check, tracker or None)``."""
    from govtool.storage import read_tracker

    try:
        tracker = read_tracker(root)
    except GovtoolError as exc:
        lines = exc.message.splitlines()
        more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
        return Check("tracker", PROBLEM, lines[0] + more, "run `govtool validate` and fix what it lists"), None
    events = sum(len(b.history) for b in tracker.brokers.values())
    return Check("tracker", OK, f"tracker.yaml valid: {len(tracker.brokers)} brokers, {events} history events"), tracker


def docs_check(root: Path, tracker: Any) -> Check:
    """The derived docs are what the tracker renders."""
    from govtool.derived_docs import stale_docs

    try:
        stale = stale_docs(root, tracker)
    except GovtoolError as exc:
        return Check("docs", PROBLEM, exc.message.splitlines()[0], exc.hint or "fix the template")
    if stale:
        names = ", ".join(str(p.relative_to(root)) for p in stale)
        return Check("docs", PROBLEM, f"stale: {names}", "run `govtool render` and commit the result")
    return Check("docs", OK, "derived docs up to date")


def smtp_check(config: SmtpConfig, timeout: float = TIMEOUT_SECONDS) -> Check:
    """Connect to the SMTP server: it answers, offers STARTTLS, completes the TLS handshake
    (certificate verified) and, when credentials are set, accepts them; skipped when no
    server is named."""
    import smtplib
    import ssl

    if not config.configured:  # `govtool init` leaves the host unset until someone sets it
        unset = "no SMTP host (settings.email.smtp_host or GOVTOOL_SMTP_HOST): commands skip email"
        return Check("smtp", SKIPPED, unset)
    where = f"{config.host}:{config.port}"
    settings_fix = "check settings.email.smtp_host and smtp_port (or GOVTOOL_SMTP_HOST / GOVTOOL_SMTP_PORT)"
    stage = "connecting"
    try:
        with smtplib.SMTP(config.host, config.port, timeout=timeout) as smtp:
            stage = "greeting it (EHLO)"
            smtp.ehlo()
            if not smtp.has_extn("starttls"):
                return Check(
                    "smtp",
                    PROBLEM,
                    f"{where} answers but offers no STARTTLS",
                    "use a server that offers STARTTLS (credentials are never sent without it); " + settings_fix,
                )
            stage = "starting TLS"
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
            if config.user and config.password:
                stage = f"logging in as {config.user}"
                smtp.login(config.user, config.password)
                return Check("smtp", OK, f"{where} answers, STARTTLS works, {config.user} logged in")
    except ssl.SSLError as exc:
        reason = redact(getattr(exc, "reason", None) or str(exc), config.secrets)
        return Check(
            "smtp",
            PROBLEM,
            f"{where}: STARTTLS failed: {reason}",
            f"the server's certificate must be valid for {config.host} (and trusted by this machine)",
        )
    except smtplib.SMTPAuthenticationError as exc:
        return Check(
            "smtp",
            PROBLEM,
            f"{where} refused the credentials of {config.user}: {exc.smtp_code}",
            "check GOVTOOL_SMTP_USER and GOVTOOL_SMTP_PASSWORD",
        )
    except (OSError, smtplib.SMTPException) as exc:
        text = redact(str(exc), config.secrets)
        if stage == "connecting":
            return Check("smtp", PROBLEM, f"{where} unreachable: {type(exc).__name__}: {text}", settings_fix)
        return Check(
            "smtp", PROBLEM, f"{where} failed while {stage}: {type(exc).__name__}: {text}", "check the server's log"
        )
    return Check("smtp", OK, f"{where} answers, STARTTLS works")


def slack_checks(config: SlackConfig, channel: str, timeout: float = TIMEOUT_SECONDS) -> list[Check]:
    """The Slack credential (``auth.test``) and the channel (visible, the bot a member)."""
    if not config.configured:
        return [
            Check("slack", SKIPPED, "no SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL: commands skip Slack"),
            Check("slack channel", SKIPPED, f"{channel}: not checked without a token"),
        ]
    if not config.token:
        return [
            Check("slack", SKIPPED, "SLACK_WEBHOOK_URL is set; a webhook cannot be checked without posting"),
            Check("slack channel", SKIPPED, "a webhook posts to the channel it was made for"),
        ]
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    base_url = config.api_url or "https://slack.com/api/"
    client = WebClient(token=config.token, base_url=base_url, timeout=int(timeout) or 1, retry_handlers=[])

    def refused(exc: SlackApiError) -> str:
        response = exc.response
        return str(response.get("error") if response is not None else None) or "HTTP error"

    try:
        auth = client.auth_test()
    except SlackApiError as exc:
        error = refused(exc)
        return [
            Check(
                "slack", PROBLEM, f"Slack refused SLACK_BOT_TOKEN: {error}", "set SLACK_BOT_TOKEN to a valid bot token"
            ),
            Check("slack channel", SKIPPED, f"{channel}: needs a valid token"),
        ]
    except Exception as exc:  # urllib and socket errors
        reason = redact(str(getattr(exc, "reason", None) or exc), config.secrets)
        return [
            Check(
                "slack",
                PROBLEM,
                f"Slack API at {base_url} unreachable: {type(exc).__name__}: {reason}",
                "check the network (and GOVTOOL_SLACK_API_URL if it is set)",
            ),
            Check("slack channel", SKIPPED, f"{channel}: needs Slack reachable"),
        ]
    bot = auth.get("user") or auth.get("user_id") or "the bot"
    checks = [Check("slack", OK, f"SLACK_BOT_TOKEN valid: {bot} in {auth.get('team') or 'its workspace'}")]
    try:
        found = _find_channel(client, channel)
    except SlackApiError as exc:
        error = refused(exc)
        fix = "give the bot the channels:read and groups:read scopes" if error == "missing_scope" else ""
        checks.append(Check("slack channel", PROBLEM, f"{channel}: Slack refused the lookup: {error}", fix))
        return checks
    except Exception as exc:
        reason = redact(str(getattr(exc, "reason", None) or exc), config.secrets)
        checks.append(Check("slack channel", PROBLEM, f"{channel}: {type(exc).__name__}: {reason}", "retry"))
        return checks
    if found is None:
        checks.append(
            Check(
                "slack channel",
                PROBLEM,
                f"{channel}: no such channel visible to {bot}",
                "create it and invite the bot, or set settings.slack.channel",
            )
        )
    elif not found.get("is_member"):
        checks.append(
            Check(
                "slack channel", PROBLEM, f"{channel}: {bot} is not a member", f"invite it: /invite @{bot} in {channel}"
            )
        )
    else:
        checks.append(Check("slack channel", OK, f"{channel} ({found.get('id')}): {bot} is a member"))
    return checks


def _find_channel(client: Any, channel: str) -> dict[str, Any] | None:
    """The channel named ``#name`` (or with id ``C...``) as Slack describes it, or None."""
    if _CHANNEL_ID.match(channel):
        from slack_sdk.errors import SlackApiError

        try:
            return client.conversations_info(channel=channel)["channel"]
        except SlackApiError as exc:
            if exc.response is not None and exc.response.get("error") == "channel_not_found":
                return None
            raise
    name = channel.lstrip("#")
    cursor = None
    for _ in range(50):  # 50 pages of 200: 10,000 channels
        page = client.conversations_list(
            types="public_channel,private_channel", exclude_archived=True, limit=200, cursor=cursor
        )
        for found in page.get("channels") or []:
            if found.get("name") == name:
                return found
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return None


def git_checks(facts: CheckoutFacts) -> list[Check]:
    """The remote, the default branch and the full history the CI gate needs."""
    if not facts.is_repo:
        return [
            Check("git remote", PROBLEM, "not a git repository", "git init, commit, and push it to GitHub"),
            Check("git default branch", SKIPPED, "needs a git repository"),
            Check("git history", SKIPPED, "needs a git repository"),
        ]
    if "origin" in facts.remotes:
        remote = Check("git remote", OK, f"origin: {facts.origin_url}")
    elif facts.remotes:
        remote = Check(
            "git remote",
            PROBLEM,
            f"no remote named origin (remotes: {', '.join(facts.remotes)})",
            "name the GitHub remote origin (git remote rename NAME origin); the gate's default base is origin/main",
        )
    else:
        remote = Check(
            "git remote", PROBLEM, "no git remote", "git remote add origin URL, then git push -u origin main"
        )
    if facts.origin_head:
        branch = Check("git default branch", OK, f"origin/HEAD is {facts.origin_head}")
    else:
        branch = Check("git default branch", PROBLEM, "origin/HEAD is not set", "git remote set-head origin --auto")
    if facts.shallow:
        history = Check(
            "git history",
            PROBLEM,
            "shallow clone: the gate cannot find the merge base",
            "git fetch --unshallow (in CI: actions/checkout with fetch-depth: 0)",
        )
    else:
        history = Check("git history", OK, "full history")
    return [remote, branch, history]


def signing_check(root: Path, approvers: tuple[str, ...], allowed_signers: str | None, env: Mapping[str, str]) -> Check:
    """Where approvers are set: SSH signing configured, its key readable, the allowed signers there.

    Args:
        root: the governance root (git's configuration is read as seen from it).
        approvers: ``settings.gate.approvers``.
        allowed_signers: ``settings.gate.allowed_signers`` (a path under the root), or None
            when the settings have no such field.
        env: the environment (``HOME``, for a key path starting with ``~/``).
    """
    if not approvers:
        return Check("signing", SKIPPED, "settings.gate.approvers is empty: no signatures needed")
    problems = []
    fmt = config_value(root, "gpg.format")
    if fmt != "ssh":
        problems.append((f"gpg.format is {fmt or 'unset'}, not ssh", "git config gpg.format ssh"))
    key = config_value(root, "user.signingkey")
    if not key:
        problems.append(("user.signingkey is not set", "git config user.signingkey ~/.ssh/id_ed25519.pub"))
    elif not key.startswith(("key::", "ssh-", "ecdsa-", "sk-")):
        path = Path(env.get("HOME", "")) / key[2:] if key.startswith("~/") else Path(key)
        if not path.is_absolute():
            path = root / path
        if not (path.is_file() and os.access(path, os.R_OK)):
            problems.append((f"user.signingkey {key}: no readable file there", "point user.signingkey at your SSH key"))
    if allowed_signers is not None:
        count = 0
        if not within(root / allowed_signers, root):  # the setting is in a file a pull request can change
            reason = "outside the repository"
        else:
            try:
                text = read_text(root / allowed_signers, allowed_signers)
                count, reason = signer_count(text), "no signer in it"
                wildcards = wildcard_lines(text)
                if wildcards:
                    lines = ", ".join(str(n) for n in wildcards)
                    problems.append(
                        (
                            f"{allowed_signers} line {lines}: a wildcard principal, which govtool does not honour",
                            "name each signer's email on its own line",
                        )
                    )
            except (OSError, InputError):
                reason = "no such file"
        if not count:
            problems.append((f"{allowed_signers}: {reason}", "add each approver's 'EMAIL ssh-ed25519 KEY' line to it"))
    if problems:
        return Check("signing", PROBLEM, "; ".join(p for p, _ in problems), "; ".join(f for _, f in problems))
    where = f", allowed signers in {allowed_signers}" if allowed_signers is not None else ""
    return Check("signing", OK, f"git signs with SSH key {key}{where}")


def calendar_check(calendar: str, today: dt.date) -> Check:
    """The holiday calendar of business days knows this year and the next."""
    from govtool.business_days import holidays_in

    if calendar == "none":
        return Check("calendar", OK, "calendar none: business days are the weekdays")
    try:
        counts = {year: len(holidays_in(calendar, year)) for year in (today.year, today.year + 1)}
    except (ImportError, ValueError) as exc:
        return Check("calendar", PROBLEM, f"{calendar}: {exc}", "pip install holidays, or set settings.calendar")
    unknown = [str(year) for year, count in counts.items() if count == 0]
    if unknown:
        return Check(
            "calendar",
            PROBLEM,
            f"{calendar}: no holidays known for {', '.join(unknown)}",
            "upgrade the holidays package (python3 -m pip install -U holidays)",
        )
    known = ", ".join(f"{count} holidays in {year}" for year, count in counts.items())
    return Check("calendar", OK, f"{calendar}: {known}")
