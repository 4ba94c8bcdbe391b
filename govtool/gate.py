"""The CI gate: no connector code merges for a broker that is not approved.

For the files changed between the merge base of BASE and HEAD, and HEAD (added,
modified, deleted, and both sides of a rename), each path is matched against
``settings.gate.paths``: gitignore-style patterns (``**`` included, compiled with
pathspec) with a ``{broker}`` placeholder. Every broker whose connector code is
added or changed must be in one of ``settings.gate.allowed_statuses`` in the
tracker *as it is at the merge base*, so a change cannot approve its own connector.
Where ``settings.gate.approvers`` lists emails, the commit that brought the
approval into the base tracker must be authored by one of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool.errors import InputError
from govtool.git_repo import (
    commits_touching,
    list_files,
    open_repo,
    read_files,
    ref_names,
    resolve_range,
    start_name_status_diff,
)
from govtool.model import BROKERS_DIR, TRACKER_FILE, Tracker, broker_file
from govtool.templating import md_cell
from govtool.validation import is_split_layout_text, tracker_from_texts
from govtool.yamlio import load_yaml

_TOKEN = "GOVTOOLBROKERPLACEHOLDER"
_BROKER_GROUP = "(?P<broker>[a-z0-9]+(?:[-_][a-z0-9]+)*)"


def compile_gate_patterns(patterns: list[str]) -> list[re.Pattern[str]]:
    """Compile gate path patterns to regexes with a named group ``broker``.

    Args:
        patterns: gitignore-style patterns, each with one ``{broker}`` placeholder,
            relative to the repository root (``src/services/broker/{broker}/**``).

    Raises:
        InputError: a pattern without the placeholder or that does not compile.
    """
    from pathspec.patterns.gitignore.spec import GitIgnoreSpecPattern

    compiled = []
    for pattern in patterns:
        if pattern.count("{broker}") != 1:
            raise InputError(f"settings.gate.paths: {pattern!r} needs exactly one {{broker}} placeholder")
        regex, include = GitIgnoreSpecPattern.pattern_to_regex(pattern.replace("{broker}", _TOKEN))
        if regex is None or not include:
            raise InputError(f"settings.gate.paths: {pattern!r} is not a path pattern")
        compiled.append(re.compile(regex.replace(_TOKEN, _BROKER_GROUP)))
    return compiled


def broker_of(path: str, patterns: list[re.Pattern[str]]) -> str | None:
    """The broker whose connector code ``path`` is, or None."""
    for pattern in patterns:
        match = pattern.match(path)
        if match:
            return match.group("broker")
    return None


@dataclass
class ChangedPath:
    """One side of a change: ``path``, and ``kind`` added/modified/deleted/renamed-from/renamed-to."""

    path: str
    kind: str

    @property
    def removes(self) -> bool:
        return self.kind in ("deleted", "renamed-from")


def parse_name_status(output: str) -> list[ChangedPath]:
    """Parse ``git diff --name-status -z -M`` output into changed paths (both sides of renames)."""
    parts = output.split("\0")
    out: list[ChangedPath] = []
    index = 0
    kinds = {"A": "added", "M": "modified", "D": "deleted", "T": "modified", "C": "added"}
    while index < len(parts) and parts[index]:
        status = parts[index]
        letter = status[0]
        if letter in ("R", "C"):
            old, new = parts[index + 1], parts[index + 2]
            if letter == "R":
                out += [ChangedPath(old, "renamed-from"), ChangedPath(new, "renamed-to")]
            else:
                out.append(ChangedPath(new, "added"))
            index += 3
        else:
            out.append(ChangedPath(parts[index + 1], kinds.get(letter, "modified")))
            index += 2
    return out


@dataclass
class BrokerVerdict:
    """The gate's verdict on one broker's connector changes.

    Attributes:
        broker: the id; paths: the changed connector paths with their kind.
        status_at_base: the tracker status at the merge base (None: not tracked).
        passed: whether the change may merge; message: why not (or what passed).
    """

    broker: str
    paths: list[ChangedPath] = field(default_factory=list)
    status_at_base: str | None = None
    passed: bool = True
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "broker": self.broker,
            "paths": [{"path": p.path, "change": p.kind} for p in self.paths],
            "status_at_base": self.status_at_base,
            "passed": self.passed,
            "message": self.message,
        }


@dataclass
class GateResult:
    """The gate over one change: ``base``/``merge_base``/``head`` commits and one verdict per broker."""

    base: str
    merge_base: str
    head: str
    changed_files: int
    verdicts: list[BrokerVerdict]

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "base": self.base,
            "merge_base": self.merge_base,
            "head": self.head,
            "changed_files": self.changed_files,
            "passed": self.passed,
            "brokers": [v.to_dict() for v in self.verdicts],
        }


def default_base(env: dict[str, str], refs: set[str]) -> str:
    """BASE when none is given: ``origin/$GITHUB_BASE_REF``, else ``origin/main``, else ``main``."""
    if env.get("GITHUB_BASE_REF"):
        return f"origin/{env['GITHUB_BASE_REF']}"
    return "origin/main" if "origin/main" in refs else "main"


def _tracker_at(repo: Any, commit: str, rel: str) -> Tracker | None:
    """The tracker at a commit, one file or split (``tracker.d/`` beside ``rel``), or None
    when ``rel`` is not there. Read from git, never from the work tree or the cache."""
    prefix = rel[: -len(TRACKER_FILE)]
    broker_paths = list_files(repo, commit, prefix + BROKERS_DIR)
    texts = read_files(repo, commit, [rel, *broker_paths])
    if rel not in texts:
        return None
    try:
        where = f"@{commit[:10]}"
        if not broker_paths and not is_split_layout_text(texts[rel]):
            return tracker_from_texts(texts[rel], None, where=where)
        broker_texts = {Path(p).name[: -len(".yaml")]: texts[p] for p in broker_paths if p.endswith(".yaml")}
        return tracker_from_texts(texts[rel], broker_texts, where=where)
    except InputError as exc:
        raise InputError(
            f"the tracker at {commit[:10]} is invalid: {exc.message.splitlines()[0]}",
            hint="the base branch and the change must each hold a valid tracker (govtool validate)",
        ) from None


def approval_commit(repo: Any, base: str, rel: str, broker: str, split: bool) -> tuple[str, str, str] | None:
    """The commit that brought ``broker``'s approval into the tracker at ``base``.

    Walks the commits that touched the tracker (in the split layout: the broker's own
    file), newest first, to the oldest one whose tracker already records an approved
    decision for the broker.

    Returns:
        ``(hexsha, author name, author email)``, or None when no approval is recorded.
    """
    path = rel[: -len(TRACKER_FILE)] + broker_file(broker) if split else rel
    found = None
    for sha, name, email in commits_touching(repo, base, path):
        if split:
            approved = _approves(read_files(repo, sha, [path]).get(path))
        else:
            tracker = _tracker_at(repo, sha, rel)
            record = tracker.brokers.get(broker) if tracker else None
            approved = record is not None and any(
                e.event == "decision" and e.details.get("decision") == "approved" for e in record.history
            )
        if not approved:
            break
        found = (sha, name, email)
    return found


def _approves(broker_text: str | None) -> bool:
    """True when a broker file's history records an approved decision (False when it does not load)."""
    if broker_text is None:
        return False
    try:
        data = load_yaml(broker_text, "broker file")
    except InputError:
        return False
    history = data.get("history") if isinstance(data, dict) else None
    return isinstance(history, list) and any(
        isinstance(e, dict) and e.get("event") == "decision" and e.get("decision") == "approved" for e in history
    )


def run_gate(root: Path, base: str | None, head: str, env: dict[str, str]) -> GateResult:
    """Check the change between the merge base of ``base`` and ``head``, and ``head``.

    Args:
        root: the governance root (inside the git work tree).
        base: the base ref, or None for :func:`default_base`.
        head: the head ref.
        env: the environment (for ``GITHUB_BASE_REF``).

    Returns:
        The verdicts; ``passed`` is False when any broker fails.

    Raises:
        InputError: not a git repository, an unknown ref, no merge base (a shallow
            clone), or a bad gate configuration (exit 2).
    """
    repo = open_repo(root, "the gate runs inside a git checkout")
    top = Path(repo.working_tree_dir).resolve()
    prefix = Path(root).resolve().relative_to(top).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    rel_tracker = f"{prefix}{TRACKER_FILE}"
    if base is None:
        base = default_base(env, ref_names(repo))
    head_sha, merge_base = resolve_range(repo, base, head)
    # git's rename detection runs while the base tracker is read and the patterns
    # compiled: on a 2-core runner the two overlap (benchmarks/gate_scale.py).
    diff = start_name_status_diff(repo, merge_base, head_sha)
    try:
        base_tracker = _tracker_at(repo, merge_base, rel_tracker)
        head_trackers: list[Tracker | None] = []

        def head_tracker() -> Tracker | None:
            if not head_trackers:
                head_trackers.append(_tracker_at(repo, head_sha, rel_tracker))
            return head_trackers[0]

        settings_source = base_tracker or head_tracker()
        if settings_source is None:
            raise InputError(f"no {rel_tracker} at {base} or {head}", hint="run the gate in a governance repo")
        gate = settings_source.settings.gate
        patterns = compile_gate_patterns([f"{prefix}{p}" for p in gate.paths])
        output = diff.stdout.read()
        diff.wait()
    except BaseException:
        diff.proc.kill()
        diff.proc.wait()
        raise
    changed = parse_name_status(output.decode("utf-8", "surrogateescape"))
    by_broker: dict[str, BrokerVerdict] = {}
    for item in changed:
        broker = broker_of(item.path, patterns)
        if broker is not None:
            by_broker.setdefault(broker, BrokerVerdict(broker)).paths.append(item)
    allowed = set(gate.allowed_statuses)
    approvers = {a.lower() for a in gate.approvers}
    for broker, verdict in sorted(by_broker.items()):
        record = base_tracker.brokers.get(broker) if base_tracker else None
        verdict.status_at_base = record.status if record else None
        if all(p.removes for p in verdict.paths):
            verdict.message = "only removes connector code"
            continue
        if record is None:
            verdict.passed = False
            verdict.message = (
                f"{broker} is not in the tracker at {base}; research comes first: "
                f'govtool research new {broker} --name "..."'
            )
            continue
        if verdict.status_at_base not in allowed:
            verdict.passed = False
            verdict.message = f"{broker} is {verdict.status_at_base} at {base}; connector code needs " + " or ".join(
                sorted(allowed)
            )
            at_head = head_tracker()
            head_record = at_head.brokers.get(broker) if at_head else None
            if head_record is not None and head_record.status != record.status:
                verdict.message += (
                    f"; this change also moves it to {head_record.status}: the approval must land first, "
                    "in its own change"
                )
            continue
        if approvers:
            found = approval_commit(repo, merge_base, rel_tracker, broker, base_tracker.split)
            if found is None or found[2].lower() not in approvers:
                verdict.passed = False
                who = f"{found[0][:10]} by {found[1]} <{found[2]}>" if found else "no commit"
                verdict.message = (
                    f"{broker}'s approval came from {who}, not from an approver in settings.gate.approvers"
                )
                continue
        verdict.message = f"{broker} is {verdict.status_at_base}"
    return GateResult(base, merge_base, head_sha, len(changed), list(by_broker.values()))


def github_annotations(result: GateResult) -> list[str]:
    """``::error file=PATH::message`` lines for each failing path (GitHub Actions)."""
    lines = []
    for verdict in result.verdicts:
        if verdict.passed:
            continue
        for item in verdict.paths:
            if not item.removes:
                message = verdict.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
                lines.append(f"::error file={item.path}::{message}")
    return lines


def markdown_summary(result: GateResult) -> str:
    """A Markdown summary for ``$GITHUB_STEP_SUMMARY``."""
    head = "✅ govtool gate passed" if result.passed else "❌ govtool gate failed"
    rows = [
        f"| {md_cell(v.broker)} | {len(v.paths)} | {md_cell(v.status_at_base or 'not tracked')} | "
        f"{'✅ pass' if v.passed else '❌ fail'} | {md_cell(v.message)} |"
        for v in result.verdicts
    ]
    table = ["| Broker | Changed paths | Status at base | Verdict | Why |", "|---|---|---|---|---|", *rows]
    if not rows:
        table = [f"No connector code changed ({result.changed_files} files checked)."]
    return "\n".join([f"## {head}", "", *table, ""]) + "\n"
