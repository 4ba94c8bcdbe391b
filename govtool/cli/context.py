"""Everything the command layer reads from the world: the options, the working
directory, the clock, the environment and git's configuration.

This is the one module that reads them; the core receives them as plain values
(DESIGN.md, "Architecture").
"""

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from govtool.errors import InputError

if TYPE_CHECKING:
    from govtool.signing import SigningKey


class Options:
    """The global options of this run (``--root``), set by the app's callback."""

    root: Optional[str] = None


OPTIONS = Options()


def environment() -> Mapping[str, str]:
    """The process environment (credentials, GOVTOOL_* overrides, GITHUB_* in CI)."""
    return os.environ


def use_cache() -> None:
    """Point govtool's per-user cache at the directory the environment names (or turn it off).

    Entries are stored but not read (a command that writes trusts no cached entry); the
    read-only views call :func:`read_cache`. A cache directory that is not the user's
    or that others may write is not used, with a one-line warning on stderr.
    """
    from govtool import cache

    warning = cache.use_directory(cache.directory_from_env(os.environ), reads=False)
    if warning:
        sys.stderr.write(f"govtool: warning: {warning}\n")


def read_cache() -> None:
    """Let a read-only view (list, show, status, validate, escalate --dry-run) answer from the cache."""
    from govtool import cache

    cache.allow_reads()


def absolute(path: Optional[Path]) -> Optional[Path]:
    """A path the user typed, made absolute against the working directory (``~`` expanded)."""
    return None if path is None else Path.cwd() / path.expanduser()


def root_dir() -> Path:
    """The governance root from --root / GOVTOOL_ROOT or the working directory upward."""
    from govtool.storage import find_root

    override = str(Path(OPTIONS.root).expanduser()) if OPTIONS.root else None
    return find_root(Path.cwd(), override)


def now() -> dt.datetime:
    """The current time in UTC, to the second; GOVTOOL_NOW (ISO 8601) fixes it for reproducible runs.

    Raises:
        InputError: GOVTOOL_NOW is not an ISO 8601 timestamp with a time zone.
    """
    fixed = os.environ.get("GOVTOOL_NOW")
    if fixed:
        from govtool.model import parse_timestamp

        try:
            return parse_timestamp(fixed)
        except ValueError as exc:
            raise InputError(f"GOVTOOL_NOW: {exc} (got {fixed!r})") from None
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def today() -> dt.date:
    """Today's date in UTC (or GOVTOOL_NOW's)."""
    return now().date()


def parse_day(value: str, option: str) -> dt.date:
    """A date option's value (YYYY-MM-DD).

    Raises:
        InputError: not a date; the message names the option.
    """
    from govtool.model import parse_date

    try:
        return parse_date(value)
    except ValueError as exc:
        raise InputError(f"{option}: {exc} (got {value!r})") from None


def as_of_date(value: Optional[str]) -> dt.date:
    """--as-of DATE, or today (UTC, or GOVTOOL_NOW's date)."""
    return today() if value is None else parse_day(value, "--as-of")


def current_user(by: Optional[str]) -> str:
    """Who acts: --by, else GOVTOOL_USER, else git's user.name, else the login name.

    Raises:
        InputError: the name holds a control character (a line break would forge a
            commit trailer or a mail header); the message names where it came from.
    """
    if by:
        return _one_line(by, "--by")
    if os.environ.get("GOVTOOL_USER"):
        return _one_line(os.environ["GOVTOOL_USER"], "GOVTOOL_USER")
    from govtool.git_repo import config_value

    name = config_value(None, "user.name")
    if name:
        return _one_line(name, "git config user.name")
    import getpass

    return _one_line(getpass.getuser(), "the login name")


def _one_line(value: str, source: str) -> str:
    from govtool.field_checks import control_problem

    problem = control_problem(value)
    if problem:
        raise InputError(
            f"{source}: {problem} (got {value[:60]!r})", hint="who acts is one line: a name or Name <email>"
        )
    return value


def git_email(root: Path) -> str:
    """git's ``user.email`` as seen from the governance root ("" when unset)."""
    from govtool.git_repo import config_value

    return config_value(root, "user.email")


def signing_key(root: Path, path: Optional[Path]) -> "Optional[SigningKey]":
    """The decider's SSH key: ``--signing-key PATH``, else git's own signing configuration
    (``user.signingkey`` where ``gpg.format`` is ``ssh``; a ``key::`` or bare public key as
    git reads it), with git's ``gpg.ssh.program``; None when neither is set."""
    from govtool.git_repo import config_value
    from govtool.signing import SSH_KEYGEN, SigningKey

    program = config_value(root, "gpg.ssh.program") or SSH_KEYGEN
    if path is not None:
        return SigningKey(str(absolute(path)), program)
    if config_value(root, "gpg.format") != "ssh":
        return None
    key = config_value(root, "user.signingkey")
    if not key:
        return None
    if key.startswith(("ssh-", "ecdsa-", "sk-")):
        key = "key::" + key
    if key.startswith("key::"):
        return SigningKey(key, program)
    return SigningKey(str(absolute(Path(key))), program)
