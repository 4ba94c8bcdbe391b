"""The PM decides in Slack: what `govtool serve` does with a click, and how a decision
lands on the remote's branch.

Source: seeds/pm-notification-process.md, "PM Responds with Decision".

A click is answered at once (:func:`answer_click`): a non-approver, a button already
answered, or one of an older notification is refused, and nothing changes. A
decision that may proceed is recorded later, with others that came meanwhile, by
:func:`land`: each through :func:`govtool.usecases.pm.decide` (the same validation
and lifecycle as `govtool decide`), decided by the approver's email, signed by the
service's attester key, committed; then the branch is pushed. When the remote moved
on, the commits are rebased onto it and pushed again (at most ``attempts`` times); a
rebase that conflicts, or whose result no longer holds (the broker was decided or
notified again on the remote), records the decisions anew on the remote's tip, where
each is checked again. Where a decision cannot land, the clone is reset to what the
remote has, its announcements are set aside in the outbox's ``void/``, and the PM is
told: nothing is recorded. Announcements of what landed are delivered after the push.

A batch holds one decision per broker: a second click on the same broker waits for the
next batch, so it is answered from what the first one became (landed, or not). While a
batch lands, ``.govtool/serve-landing.json`` keeps the clone's commit, its untracked
files and the outbox's pending messages from before it; a service that was killed
meanwhile finds it at its start (:func:`check_service`) and drops what the batch left:
commits never pushed (nobody was told they landed), files written and not committed,
and the announcements of decisions that are not on the remote's branch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from govtool import lifecycle, outbox, signing
from govtool.delivery import ChannelRequest, deliver, is_recorded
from govtool.errors import GovtoolError, InputError
from govtool.git_repo import (
    FETCH_FAILED,
    commit_of,
    fetch_and_rebase,
    open_repo,
    push_branch,
    reset_to,
    serve_checkout,
    sync_with_remote,
    untracked_files,
)
from govtool.inputs import inside_root, read_text
from govtool.model import Broker, Event
from govtool.settings import Settings
from govtool.signing import SigningKey
from govtool.slack_interactions import DECIDED, OPEN, STALE, Click, NotificationRef, button_state, decided_text
from govtool.storage import atomic_write, lock_path, read_tracker, state_dir
from govtool.usecases import pm

#: How many times a decision is pushed (the first push, then after each fetch and rebase).
PUSH_ATTEMPTS = 5

#: The file under ``.govtool/`` that says a batch is landing (see the module's docstring).
JOURNAL = "serve-landing.json"
_JOURNAL_LISTS = ("untracked", "pending")
_SHA_RE = re.compile(r"^[0-9a-f]{40}(?:[0-9a-f]{24})?$")

ONLY_APPROVERS = (
    "Only the approvers can decide (settings.slack.approvers lists them by Slack user id). Nothing was recorded."
)


class ServeConfig(NamedTuple):
    """How `govtool serve` records and lands decisions.

    Attributes:
        remote: the remote to push to (``origin``); branch: its branch (``main``).
        attester: the principal the service signs as (in ``settings.gate.attesters`` and
            the allowed-signers file); key: its SSH key.
        attempts: how many pushes a decision gets (:data:`PUSH_ATTEMPTS`).
    """

    remote: str
    branch: str
    attester: str
    key: SigningKey
    attempts: int = PUSH_ATTEMPTS


class SlackDecision(NamedTuple):
    """A decision to record: the click (or the reason's modal) and its reason (None to approve)."""

    click: Click
    reason: str | None


@dataclass
class Answer:
    """What became of one decision, for Slack.

    Attributes:
        job: the decision asked for.
        landed: recorded and on the remote's branch.
        text: what to tell the person who clicked (ephemerally), or "" when the
            updated message says it.
        decided: for the updated message: who decided what and when
            (:func:`govtool.slack_interactions.decided_text`); None when nothing landed.
        event: the decision event that landed.
    """

    job: SlackDecision
    landed: bool
    text: str = ""
    decided: str | None = None
    event: Event | None = None


def _decided(event: Event) -> str:
    return decided_text(event.details["decision"], event.by, event.at, event.details.get("reason"))


def profile_refusal(settings: Settings, click: Click) -> str | None:
    """Why this Slack user may not decide: not in ``settings.slack.approvers``
    (:data:`ONLY_APPROVERS`), or their Slack profile's email (``click.profile_email``) is
    not the email the mapping gives them, so a mapping that hands someone else's Slack
    user the PM's email decides nothing; None when they may."""
    mapped = settings.slack_approvers.get(click.user)
    if mapped is None:
        return ONLY_APPROVERS
    if (click.profile_email or "").strip().lower() != mapped.strip().lower():
        shown = click.profile_email or "not readable"
        return (
            f"Your Slack profile's email ({shown}) is not {mapped}, the approver settings.slack.approvers "
            "gives your Slack user. Nothing was recorded."
        )
    return None


def refusal(broker: Broker | None, settings: Settings, click: Click) -> str | None:
    """Why a click may not record a decision, for the person who clicked; None when it may.

    Args:
        broker: the broker the button names, as the clone has it (None: not tracked).
        settings: the tracker's settings (``settings.slack.approvers``).
        click: the click, with its Slack profile's email (:func:`profile_refusal`).
    """
    why = profile_refusal(settings, click)
    if why:
        return why
    if broker is None:
        return f"{click.ref.broker} is not in the tracker any more. Nothing was recorded."
    state, event = button_state(broker, click.ref)
    if state == DECIDED:
        latest = lifecycle.last_research_notification(broker.history)
        again = ""
        if latest is not None and latest[0] > click.ref.index:
            again = f" The PM was notified again on {latest[1].date.isoformat()}: decide from the latest message."
        return f"Already decided: {_decided(event)}.{again} Nothing more was recorded."
    if state == STALE:
        if event is not None:
            return (
                f"This button answers an older notification of {broker.name}: the PM was notified again on "
                f"{event.date.isoformat()}. Decide from the latest message. Nothing was recorded."
            )
        return f"This button no longer matches {broker.name}'s history. Nothing was recorded."
    assert state == OPEN
    return None


@contextlib.contextmanager
def service_lock(root: Path) -> Iterator[None]:
    """Hold ``.govtool/serve.lock`` while `govtool serve` runs: one service per clone.

    Raises:
        InputError: another `govtool serve` holds it.
    """
    from filelock import FileLock, Timeout

    lock = FileLock(str(lock_path(root, "serve.lock")), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise InputError(
            f"another govtool serve runs in {root}: one service per clone (it owns the clone's branch)",
            hint="stop it first, or give this one a clone of its own",
        ) from None
    try:
        yield
    finally:
        lock.release()


def answer_click(root: Path, click: Click) -> str | None:
    """The answer to a click that may not record a decision (see :func:`refusal`), from the
    clone as it stands; None when the decision may proceed (:func:`land` checks again)."""
    try:
        tracker = read_tracker(root, only=[click.ref.broker])
    except InputError as exc:
        return f"govtool cannot read the tracker: {exc.message}. Nothing was recorded."
    return refusal(tracker.brokers.get(click.ref.broker), tracker.settings, click)


def approver_refusal(root: Path, click: Click) -> str | None:
    """:func:`profile_refusal` as the clone's settings stand; None when the tracker does
    not read (a batch is rewriting it: :func:`land` checks again)."""
    try:
        settings = read_tracker(root, only=[]).settings
    except GovtoolError:
        return None
    return profile_refusal(settings, click)


def after_failure(root: Path, job: SlackDecision, error: BaseException) -> Answer:
    """The answer to a decision whose batch failed with ``error`` (see :func:`fate`)."""
    broker = job.click.ref.broker
    return fate(
        root,
        job,
        f"govtool could not finish recording your decision on {broker} ({type(error).__name__}). "
        "Nothing was recorded; try again, or use `govtool decide`.",
    )


def fate(root: Path, job: SlackDecision, not_landed: str) -> Answer:
    """What became of a decision whose batch did not finish, read from the clone once
    what did not land is undone (it then holds what the remote has): landed when the
    broker's history holds this Slack user's decision answering this button (it was
    pushed before the failure), else ``not_landed`` for the person who clicked."""
    click = job.click
    try:
        broker = read_tracker(root, only=[click.ref.broker]).brokers.get(click.ref.broker)
    except GovtoolError:
        broker = None
    if broker is not None:
        state, event = button_state(broker, click.ref)
        if (
            state == DECIDED
            and event is not None
            and event.details.get("slack_user") == click.user
            and event.details.get("decision") == click.decision
        ):
            return Answer(job, True, "", _decided(event), event)
    return Answer(job, False, not_landed)


def broker_name(root: Path, broker_id: str) -> str:
    """The broker's name, for the reason's modal (its id when it does not read)."""
    try:
        return read_tracker(root, only=[broker_id]).broker(broker_id).name
    except GovtoolError:
        return broker_id


class ServiceStart(NamedTuple):
    """What :func:`check_service` found, for the service to start with.

    Attributes:
        repo: the clone's ``git.Repo``.
        dropped: what was dropped of an interrupted batch, for the log (None: none was).
        interrupted: an :class:`Answer` for each click of that batch (landed before the
            stop, or not), for the service to tell.
        slack_approvers: ``settings.slack.approvers`` as the clone has it (Slack user id -> email).
    """

    repo: Any
    dropped: str | None
    interrupted: list[Answer]
    slack_approvers: dict[str, str]


def check_service(root: Path, config: ServeConfig, env: Mapping[str, str], at: dt.datetime) -> ServiceStart:
    """Everything `govtool serve` needs, checked before it listens.

    The clone (:func:`govtool.git_repo.serve_checkout`, brought up to the remote's
    branch by :func:`govtool.git_repo.sync_with_remote`), Slack's secrets in ``env``
    (``SLACK_SIGNING_SECRET``, ``SLACK_BOT_TOKEN``), approvers in
    ``settings.slack.approvers``, the attester in ``settings.gate.attesters``, and a
    decision signed with the key for the first approver that verifies against the
    allowed-signers file as the gate will verify it.

    A batch a crash interrupted (:data:`JOURNAL`) is dropped first (see the module's docstring).

    Returns:
        A :class:`ServiceStart`.

    Raises:
        InputError: what is missing, with what to do.
    """
    for name in ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"):
        if not env.get(name):
            raise InputError(
                f"{name} is not set; govtool serve needs Slack's signing secret and the bot token",
                hint="both are on the app's page at api.slack.com/apps (Basic Information; OAuth & Permissions)",
            )
    journal = _read_journal(root)
    dropped, interrupted = None, []
    if journal is not None:
        repo = open_repo(root, "govtool serve runs in a clone of the governance repo")
        ahead = repo.git.rev_list("--count", f"{config.remote}/{config.branch}..HEAD")
        reset_to(repo, journal["base"], keep_untracked=journal["untracked"])
        dropped = f"dropped {ahead} commit(s) of decisions that a stopped run recorded and never pushed"
    repo = serve_checkout(root, config.remote, config.branch)
    sync_with_remote(repo, config.remote, config.branch)
    if journal is not None:
        voided = _void_unrecorded(root, journal["pending"], "govtool serve stopped before the decision landed")
        dropped = f"{dropped}, and set aside {voided} announcement(s) of decisions that are not on {config.remote}"
        for job in _journal_clicks(journal.get("clicks")) or []:
            broker = job.click.ref.broker
            text = (
                f"govtool serve stopped before your decision on {broker} landed. Nothing was recorded; "
                "decide again from the latest message, or use `govtool decide`."
            )
            interrupted.append(fate(root, job, text))
        _end_batch(root)
    settings = read_tracker(root).settings
    if not settings.slack_approvers:
        raise InputError(
            "settings.slack.approvers is empty: no one could decide from Slack",
            hint="add each approver as 'SLACK_USER_ID: email' under settings.slack.approvers in tracker.yaml",
        )
    if config.attester.lower() not in {a.lower() for a in settings.gate.attesters}:
        raise InputError(
            f"{config.attester} is not in settings.gate.attesters: the gate would not accept its signature",
            hint="add it to settings.gate.attesters, and its key to the allowed-signers file, on the main branch",
        )
    user, email = next(iter(settings.slack_approvers.items()))
    probe = Event(
        at,
        "decision",
        email,
        {
            "decision": lifecycle.APPROVED,
            "email": email,
            "decided_in": "slack",
            "slack_user": user,
            "attested_by": config.attester,
        },
    )
    probe.details["signature"] = signing.sign_decision("govtool-serve-check", probe, config.key)
    rel = settings.gate.allowed_signers
    try:
        signers = read_text(inside_root(root, rel, "settings.gate.allowed_signers"), rel)
    except OSError:
        raise InputError(f"{rel}: no such file; the attester's key is listed there") from None
    result = signing.verify_decision(
        "govtool-serve-check", probe, signers, program=config.key.program, **signing.trusted_by(settings)
    )
    if not result.verified:
        raise InputError(
            f"a decision signed with {config.key.key} would not pass the gate: {result.reason}",
            hint=f"list '{config.attester} KEYTYPE KEY' (the key's .pub) in {rel} on the main branch",
        )
    return ServiceStart(repo, dropped, interrupted, settings.slack_approvers)


def _read_journal(root: Path) -> dict[str, Any] | None:
    """The interrupted batch's :data:`JOURNAL`, or None.

    Raises:
        InputError: it does not read as one govtool wrote (a person should look).
    """
    path = state_dir(root) / JOURNAL
    if not path.exists():
        return None
    shown = f".govtool/{JOURNAL}"
    try:
        data = json.loads(read_text(path, shown))
    except (OSError, ValueError):
        data = None
    if not (
        isinstance(data, dict)
        and isinstance(data.get("base"), str)
        and _SHA_RE.match(data["base"])
        and all(isinstance(data.get(k), list) and all(isinstance(x, str) for x in data[k]) for k in _JOURNAL_LISTS)
        and _journal_clicks(data.get("clicks")) is not None
    ):
        raise InputError(
            f"{shown}: not a batch govtool serve wrote; it says a batch of decisions was landing when it stopped",
            hint=f"compare the clone with its remote (git status; git log @{{u}}..), then remove {shown}",
        )
    return data


def _journal_clicks(data: Any) -> list[SlackDecision] | None:
    """The clicks a :data:`JOURNAL` keeps, as decisions to answer; None when they do not
    read as govtool wrote them (an older journal without them gives [])."""
    if data is None:
        return []
    if not isinstance(data, list):
        return None
    found = []
    for item in data:
        if not isinstance(item, dict) or item.get("decision") not in lifecycle.DECISIONS:
            return None
        texts = {k: item.get(k) for k in ("user", "channel", "message_ts", "response_url")}
        if not isinstance(texts["user"], str) or not all(v is None or isinstance(v, str) for v in texts.values()):
            return None
        try:
            ref = NotificationRef.from_value(item.get("ref"))
        except ValueError:
            return None
        click = Click(
            texts["user"], item["decision"], ref, texts["channel"], texts["message_ts"], texts["response_url"], None, []
        )
        found.append(SlackDecision(click, None))
    return found


def _begin_batch(root: Path, repo: Any, jobs: list[SlackDecision]) -> dict[str, Any]:
    """Write :data:`JOURNAL`: the clone's commit, untracked files and pending messages now,
    and the batch's clicks (to tell each clicker, after a crash, what became of theirs)."""
    journal = {
        "base": commit_of(repo),
        "untracked": sorted(untracked_files(repo)),
        "pending": sorted(m.id for _, m in outbox.pending(root)),
        "clicks": [
            {
                "user": job.click.user,
                "decision": job.click.decision,
                "ref": job.click.ref.to_value(),
                "channel": job.click.channel,
                "message_ts": job.click.message_ts,
                "response_url": job.click.response_url,
            }
            for job in jobs
        ],
    }
    atomic_write(root, lock_path(root, JOURNAL), json.dumps(journal))
    return journal


def _end_batch(root: Path) -> None:
    (state_dir(root) / JOURNAL).unlink(missing_ok=True)


def _void_unrecorded(root: Path, before: Collection[str], why: str) -> int:
    """Set aside the pending messages written since ``before`` (their ids) whose record is
    not in the tracker: announcements of decisions that did not land. Returns how many."""
    fresh = [(p, m) for p, m in outbox.pending(root) if m.id not in set(before)]
    if not fresh:
        return 0
    brokers = sorted({str(m.record.get("broker")) for _, m in fresh if m.record and m.record.get("broker")})
    try:
        tracker = read_tracker(root, only=brokers) if brokers else None
    except GovtoolError:
        tracker = None
    voided = 0
    for path, message in fresh:
        if message.record is None or not is_recorded(root, message.record, tracker):
            outbox.void(root, message, path, f"the decision did not land: {why}")
            voided += 1
    return voided


def land(
    root: Path,
    repo: Any,
    jobs: list[SlackDecision],
    config: ServeConfig,
    env: Mapping[str, str],
    now: Callable[[], dt.datetime],
) -> list[Answer]:
    """Record decisions, push them, and deliver their announcements (see the module's docstring).

    Args:
        root: the governance root in the clone; repo: its ``git.Repo``.
        jobs: the decisions, in the order they came.
        config: the remote, the branch, the attester and its key.
        env: the environment (email settings of the announcements).
        now: the clock (each decision is dated when it is recorded).

    Returns:
        One :class:`Answer` per job, in order.
    """
    found: dict[int, Answer] = {}
    waiting = list(range(len(jobs)))
    while waiting:  # one decision per broker a round: a later one is answered from what the first became
        seen: set[str] = set()
        first, waiting_next = [], []
        for i in waiting:
            (waiting_next if jobs[i].click.ref.broker in seen else first).append(i)
            seen.add(jobs[i].click.ref.broker)
        batch = [jobs[i] for i in first]
        answers: dict[int, Answer] = {}
        landing = _Landing(root, repo, config, env, now, _begin_batch(root, repo, batch))
        try:
            landing.attempts(batch, answers)
        except BaseException:  # a crash of govtool's own: what was not pushed is dropped, then it goes up
            landing.undo("govtool stopped while recording it")
            _end_batch(root)  # undone: nothing for a restart to drop (were the undo to fail, the journal stays)
            raise
        _end_batch(root)
        found.update((i, answers[n]) for n, i in enumerate(first))
        waiting = waiting_next
    return [found[i] for i in range(len(jobs))]


@dataclass
class _Landing:
    """One round of :func:`land`: the clone, how decisions land, and the round's
    :data:`JOURNAL`; ``recorded`` holds the decisions committed in the clone and not on
    the remote yet, so that a crash can undo them (:meth:`undo`)."""

    root: Path
    repo: Any
    config: ServeConfig
    env: Mapping[str, str]
    now: Callable[[], dt.datetime]
    journal: dict[str, Any]
    recorded: list[tuple[int, pm.DecideOutcome]] = dataclasses.field(default_factory=list)

    def attempts(self, jobs: list[SlackDecision], answers: dict[int, Answer]) -> None:
        """Record, push, and fetch, rebase and push again; ``answers`` is filled in place."""
        to_record = list(range(len(jobs)))
        upstream = f"{self.config.remote}/{self.config.branch}"
        base = self.journal["base"]  # the remote's commit the clone's commits are on
        for attempt in range(self.config.attempts):
            for i in to_record:
                found = self.record(jobs[i])
                if isinstance(found, str):
                    answers[i] = Answer(jobs[i], False, found)
                else:
                    self.recorded.append((i, found))
            to_record = []
            if not self.recorded:
                break
            pushed = push_branch(self.repo, self.config.remote, self.config.branch)
            if pushed.landed:
                done = list(self.recorded)
                self.recorded.clear()  # on the remote now: nothing to undo
                _landed(self.root, jobs, done, answers, self.now())
                break
            rebased, fetched = False, ""
            if pushed.behind and attempt < self.config.attempts - 1:
                rebased, fetched = fetch_and_rebase(self.repo, self.config.remote, self.config.branch, base)
            if not pushed.behind or attempt == self.config.attempts - 1 or fetched.startswith(FETCH_FAILED):
                why = pushed.message if not pushed.behind else f"the remote kept moving ({self.config.attempts} pushes)"
                why = fetched if fetched.startswith(FETCH_FAILED) else why
                self.undo(f"the push was refused: {why}")
                for i, _ in self.recorded:
                    answers[i] = Answer(
                        jobs[i],
                        False,
                        f"Your decision on {jobs[i].click.ref.broker} could not be saved to the governance repo "
                        f"({upstream}): {why}. Nothing was recorded; try again, or use `govtool decide`.",
                    )
                self.recorded.clear()
                break
            if rebased and self.still_answers(jobs):
                base = commit_of(self.repo, upstream)
                continue
            # A conflict, or the remote decided or notified meanwhile: record anew on its tip.
            self.undo("recorded anew on the remote's tip")
            base = commit_of(self.repo)
            to_record = [i for i, _ in self.recorded]
            self.recorded.clear()

    def record(self, job: SlackDecision) -> pm.DecideOutcome | str:
        """Record and commit one decision in the clone; the refusal's text when it may not be.

        Where recording fails part way (git refuses the commit), or the decision's signature
        would not pass the gate as the clone's settings stand (the attester revoked), what it
        wrote is dropped: the clone goes back to its commit from before (the untracked
        files there were before the batch are kept), and its announcements are set aside.
        """
        click = job.click
        pending = [m.id for _, m in outbox.pending(self.root)]
        start = commit_of(self.repo)
        try:
            tracker = read_tracker(self.root, only=[click.ref.broker])
            why = refusal(tracker.brokers.get(click.ref.broker), tracker.settings, click)
            if why:
                return why
            email = tracker.settings.slack_approvers[click.user]
            outcome = pm.decide(
                self.root,
                click.ref.broker,
                click.decision,
                by=email,
                reason=job.reason,
                channels=ChannelRequest(email=None, slack=False),
                commit=True,
                at=self.now(),
                env=self.env,
                signing_key=self.config.key,
                in_slack=pm.SlackOrigin(click.user, email, self.config.attester),
                deliver_now=False,
            )
            check = outcome.signature_check
            if check is not None and not check.verified:
                raise InputError(f"signed by {self.config.attester}, it would not pass the gate: {check.reason}")
            return outcome
        except GovtoolError as exc:
            written = set(untracked_files(self.repo)) - set(self.journal["untracked"])
            if commit_of(self.repo) != start or self.repo.is_dirty(untracked_files=False) or written:
                reset_to(self.repo, start, keep_untracked=self.journal["untracked"])
                _void_unrecorded(self.root, pending, f"recording it failed: {exc.message}")
            return f"Your decision on {click.ref.broker} was not recorded: {exc.message}"

    def still_answers(self, jobs: list[SlackDecision]) -> bool:
        """After a rebase: every recorded decision is in its broker's history, which replays,
        and may still be recorded there (:func:`refusal`: the clicker is still an approver in
        the remote's settings; nothing decided or notified in between), and its signature
        still passes as the remote's settings and allowed-signers file stand."""
        brokers = sorted({jobs[i].click.ref.broker for i, _ in self.recorded})
        try:
            tracker = read_tracker(self.root, only=brokers)
        except GovtoolError:
            return False
        for i, outcome in self.recorded:
            broker = tracker.brokers.get(jobs[i].click.ref.broker)
            event = outcome.event
            if broker is None or event is None:
                return False
            place = next((n for n, e in enumerate(broker.history) if e == event), None)
            if place is None:
                return False
            before = dataclasses.replace(broker, history=broker.history[:place])
            if refusal(before, tracker.settings, jobs[i].click) is not None:
                return False
            if tracker.settings.gate.approvers:
                check = pm.check_signature(self.root, tracker.settings, broker.id, event, self.config.key, event.at)
                if not check.verified:
                    return False
        return True

    def undo(self, why: str) -> None:
        """Drop the clone's commits that did not land (reset to the remote's branch as last
        fetched; untracked files written since the round began removed) and set their
        announcements aside."""
        upstream = f"{self.config.remote}/{self.config.branch}"
        reset_to(self.repo, upstream, keep_untracked=self.journal["untracked"])
        for _, outcome in self.recorded:
            for message in outcome.messages:
                source = outbox.path_of(self.root, outbox.PENDING, message.id)
                if source.exists():
                    outbox.void(self.root, message, source, f"the decision did not land: {why}")


def _landed(
    root: Path,
    jobs: list[SlackDecision],
    recorded: list[tuple[int, pm.DecideOutcome]],
    answers: dict[int, Answer],
    at: dt.datetime,
) -> None:
    """The decisions are on the remote: answer them, and deliver their announcements."""
    messages = [m for _, outcome in recorded for m in outcome.messages]
    services = next((o.services for _, o in recorded if o.services is not None), None)
    for i, outcome in recorded:
        event = outcome.event
        answers[i] = Answer(jobs[i], True, "", _decided(event) if event else None, event)
    if messages and services is not None:
        with contextlib.suppress(GovtoolError, OSError):  # they wait in the outbox for `govtool outbox flush`
            deliver(root, services, messages, at)
