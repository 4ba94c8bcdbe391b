"""The Slack app of `govtool serve`: slack_bolt listeners over the use cases, an ASGI
front for uvicorn, and the worker that lands decisions one batch at a time.

This is the command layer's other face: it reads Slack's requests (as the other
modules read arguments), calls :mod:`govtool.usecases.slack_decisions`, and answers
in Slack (as the others print). Every request is verified by slack_bolt with the
signing secret (a bad signature, or a timestamp more than five minutes off, is 401
and changes nothing). A click is acknowledged at once; the decision is recorded,
committed and pushed by one worker thread, which takes every decision waiting at
that moment as one batch (one push), so git never runs twice at once in the clone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import queue
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from govtool import lifecycle
from govtool.errors import InputError
from govtool.slack import escape
from govtool.slack_interactions import (
    ACTION_IDS,
    REASON_BLOCK_ID,
    REASON_CALLBACK_ID,
    Click,
    decided_blocks,
    parse_click,
    parse_submission,
    reason_modal,
)
from govtool.usecases import slack_decisions
from govtool.usecases.slack_decisions import Answer, ServeConfig, SlackDecision

#: The path Slack posts interactions to.
EVENTS_PATH = "/slack/events"
#: A health check for a load balancer or systemd (GET, 200 "ok").
HEALTH_PATH = "/healthz"
#: The largest request body read (bytes): Slack's interaction payloads are far smaller.
MAX_BODY_BYTES = 1024 * 1024
#: Messages' blocks kept between a click and its modal's submission.
MAX_KEPT_MESSAGES = 1000
#: Threads that run the listeners (each acknowledges at once).
LISTENER_THREADS = 16
#: How long a user's Slack profile email is kept (seconds): a burst of clicks asks Slack once.
PROFILE_TTL_SECONDS = 60.0


def log(line: str) -> None:
    """One line of the service's log (standard output, which systemd or the container keeps)."""
    print(f"govtool serve: {line}", flush=True)


def answer_and_log(tell: Callable[[Answer, list[Any]], None], answer: Answer, blocks: list[Any]) -> None:
    """Log what became of a decision, and answer it in Slack with ``tell``; a failure to
    answer (Slack unreachable, a response URL expired) is logged: the decision stands in git."""
    click = answer.job.click
    outcome = answer.decided if answer.landed else answer.text
    what = "landed" if answer.landed else "not recorded"
    log(f"{click.ref.broker}: {click.decision} by {click.user}: {what}: {outcome}")
    try:
        tell(answer, blocks)
    except Exception as exc:
        log(f"{click.ref.broker}: could not answer in Slack: {type(exc).__name__}: {exc}")


class DecisionWorker:
    """The one thread that records, commits and pushes decisions, a batch at a time.

    Args:
        root: the governance root in the clone; repo: its ``git.Repo``.
        config: the remote, branch, attester and key.
        env: the environment; now: the clock.
        tell: answers Slack for each :class:`Answer` (updates the message, or tells
            the person who clicked).
    """

    def __init__(
        self,
        root: Path,
        repo: Any,
        config: ServeConfig,
        env: Mapping[str, str],
        now: Callable[[], dt.datetime],
        tell: Callable[[Answer, list[Any]], None],
    ) -> None:
        self._root, self._repo, self._config, self._env, self._now, self._tell = root, repo, config, env, now, tell
        self._queue: queue.Queue[Optional[tuple[SlackDecision, list[Any]]]] = queue.Queue()
        #: Counts batches begun and ended: odd while one lands (the clone is being changed).
        self.generation = 0
        self._thread = threading.Thread(target=self._run, name="govtool-decisions")
        self._thread.start()

    def submit(self, job: SlackDecision, blocks: list[Any]) -> None:
        """Queue a decision (with the message's blocks, to update it once it lands)."""
        self._queue.put((job, blocks))

    def stop(self) -> None:
        """Land what is queued, then end the thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            batch = []
            while item is not None:  # take everything waiting; None (stop) ends the loop after this batch
                batch.append(item)
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            else:
                stopping = True
            if not batch:
                continue
            self.generation += 1
            try:
                answers = slack_decisions.land(
                    self._root, self._repo, [job for job, _ in batch], self._config, self._env, self._now
                )
            except Exception as exc:  # never lose the thread: tell each person what became of theirs
                log(f"landing {len(batch)} decision(s) failed: {type(exc).__name__}: {exc}")
                answers = [slack_decisions.after_failure(self._root, job, exc) for job, _ in batch]
            finally:
                self.generation += 1
            log(f"a batch of {len(batch)}: {sum(a.landed for a in answers)} landed")
            for answer, (_, blocks) in zip(answers, batch, strict=True):
                answer_and_log(self._tell, answer, blocks)


class SlackService:
    """The Bolt app, its listeners and the decision worker.

    Args:
        root: the governance root in the clone.
        config: how decisions land; env: the environment (``SLACK_SIGNING_SECRET``,
            ``SLACK_BOT_TOKEN``, ``GOVTOOL_SLACK_API_URL``); now: the clock.

    Raises:
        InputError: the clone, the settings, the key or the secrets are not ready
            (:func:`govtool.usecases.slack_decisions.check_service`).
    """

    def __init__(self, root: Path, config: ServeConfig, env: Mapping[str, str], now: Callable[[], dt.datetime]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from slack_bolt import App
        from slack_sdk import WebClient

        start = slack_decisions.check_service(root, config, env, now())
        if start.dropped:
            log(start.dropped)
        self._profiles: dict[str, tuple[Optional[str], float]] = {}
        self.root = root
        api_url = env.get("GOVTOOL_SLACK_API_URL") or "https://slack.com/api/"
        self._response_hosts = {"hooks.slack.com", urlsplit(api_url).netloc}
        self.client = WebClient(token=env["SLACK_BOT_TOKEN"], base_url=api_url, timeout=10)
        self.app = App(
            signing_secret=env["SLACK_SIGNING_SECRET"],
            client=self.client,
            process_before_response=False,
            listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS),
        )
        self._kept: OrderedDict[str, list[Any]] = OrderedDict()
        self._lock = threading.Lock()
        for answer in start.interrupted:  # a batch a stop cut short: tell each clicker what became of theirs
            answer_and_log(self._tell, answer, [])
        self._check_profiles(start.slack_approvers)
        self.worker = DecisionWorker(root, start.repo, config, env, now, self._tell)
        for action_id in ACTION_IDS:
            self.app.action(action_id)(self._on_button)
        self.app.view(REASON_CALLBACK_ID)(self._on_reason)

    # --- listeners (slack_bolt calls them with the arguments they name) ---

    def _on_button(self, ack: Callable[..., None], body: dict[str, Any]) -> None:
        ack()
        try:
            click = parse_click(body)
        except ValueError as exc:
            log(f"a click that is not govtool's: {exc}")
            return
        click = click._replace(profile_email=self._profile_email(click.user))
        refused = self._refusal(click)
        if refused:
            self._ephemeral(click, refused)
            return
        if click.decision in (lifecycle.REJECTED, lifecycle.ON_HOLD):  # the reason first, in a modal
            token = self._keep(click.blocks)
            name = slack_decisions.broker_name(self.root, click.ref.broker)
            self.client.views_open(trigger_id=click.trigger_id, view=reason_modal(click, name, token))
            return
        self.worker.submit(SlackDecision(click, None), click.blocks)

    def _on_reason(self, ack: Callable[..., None], body: dict[str, Any]) -> None:
        try:
            submission = parse_submission(body)
        except ValueError as exc:
            ack(response_action="errors", errors={REASON_BLOCK_ID: f"govtool cannot read this form: {exc}"})
            return
        if not submission.reason:
            ack(response_action="errors", errors={REASON_BLOCK_ID: "A reason is required to reject or put on hold."})
            return
        submission = submission._replace(
            click=submission.click._replace(profile_email=self._profile_email(submission.click.user))
        )
        refused = self._refusal(submission.click)
        ack()
        if refused:
            self._ephemeral(submission.click, refused)
            return
        blocks = self._take(submission.token)
        self.worker.submit(SlackDecision(submission.click, submission.reason), blocks)

    def _refusal(self, click: Click) -> Optional[str]:
        """Why a click may not record a decision, read from the clone; None to go on. While a
        batch lands, the clone holds decisions that may yet be dropped: the click then goes
        on (unless the clicker is no approver), and the worker answers it from what the batch
        became."""
        before = self.worker.generation
        if before % 2:
            return slack_decisions.approver_refusal(self.root, click)
        refused = slack_decisions.answer_click(self.root, click)
        return refused if self.worker.generation == before else None

    # --- who clicked ---

    def _profile_email(self, user: str) -> Optional[str]:
        """The email of ``user``'s Slack profile (kept for :data:`PROFILE_TTL_SECONDS`); None
        when Slack does not give it (then their clicks are refused)."""
        from slack_sdk.errors import SlackApiError

        with self._lock:
            kept = self._profiles.get(user)
        if kept is not None and time.monotonic() - kept[1] < PROFILE_TTL_SECONDS:
            return kept[0]
        try:
            return self._look_up_profile(user)
        except SlackApiError as exc:
            log(f"users.info {user}: {exc.response.get('error')}: their clicks are refused")
            return None

    def _look_up_profile(self, user: str) -> Optional[str]:
        """Ask Slack (``users.info``) for ``user``'s profile email, and keep it.

        Raises:
            slack_sdk.errors.SlackApiError: Slack refuses.
        """
        profile = (self.client.users_info(user=user).get("user") or {}).get("profile") or {}
        email = profile.get("email") if isinstance(profile.get("email"), str) else None
        with self._lock:
            self._profiles[user] = (email, time.monotonic())
        return email

    def _check_profiles(self, approvers: Mapping[str, str]) -> None:
        """At start: Slack gives each approver's profile email (the app has the
        ``users:read.email`` scope), and a mapping whose email is not the profile's is logged.

        Raises:
            InputError: the app may not read profile emails.
        """
        from slack_sdk.errors import SlackApiError

        for user, email in approvers.items():
            try:
                profile_email = self._look_up_profile(user)
            except SlackApiError as exc:
                error = exc.response.get("error")
                if error in ("missing_scope", "not_allowed_token_type", "invalid_auth", "not_authed"):
                    raise InputError(
                        f"Slack refuses users.info ({error}): govtool serve checks each approver's profile email",
                        hint="add the bot scopes users:read and users:read.email (govtool slack manifest) and "
                        "reinstall the app",
                    ) from None
                log(f"users.info {user}: {error}: their clicks are refused until Slack gives their profile")
                continue
            if (profile_email or "").lower() != email.lower():
                log(
                    f"settings.slack.approvers gives {user} {email}, but their Slack profile's email is "
                    f"{profile_email or 'not set'}: their clicks are refused"
                )

    # --- answers ---

    def _tell(self, answer: Answer, blocks: list[Any]) -> None:
        click = answer.job.click
        if answer.landed and answer.decided and click.channel and click.message_ts:
            if not blocks:  # the message's blocks are not known (kept in memory before a restart): a reply
                self.client.chat_postMessage(
                    channel=click.channel, thread_ts=click.message_ts, text=escape(answer.decided)
                )
                return
            self.client.chat_update(
                channel=click.channel,
                ts=click.message_ts,
                text=escape(answer.decided),
                blocks=decided_blocks(blocks, answer.decided),
            )
        elif not answer.landed:
            self._ephemeral(click, answer.text)

    def _ephemeral(self, click: Click, text: str) -> None:
        """Tell only the person who clicked: through the click's response URL, else chat.postEphemeral."""
        url = click.response_url
        if url and urlsplit(url).netloc in self._response_hosts:
            from slack_sdk.webhook import WebhookClient

            WebhookClient(url, timeout=10).send(text=text, response_type="ephemeral", replace_original=False)
        elif click.channel:
            self.client.chat_postEphemeral(channel=click.channel, user=click.user, text=text)

    def _keep(self, blocks: list[Any]) -> str:
        token = secrets.token_hex(8)
        with self._lock:
            self._kept[token] = blocks
            while len(self._kept) > MAX_KEPT_MESSAGES:
                self._kept.popitem(last=False)
        return token

    def _take(self, token: Optional[str]) -> list[Any]:
        with self._lock:
            return self._kept.pop(token, []) if token else []

    # --- HTTP ---

    async def __call__(self, scope: dict[str, Any], receive: Callable, send: Callable) -> None:
        """The ASGI application: POST /slack/events to the Bolt app, GET /healthz."""
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        path, method = scope.get("path"), scope.get("method")
        if path == HEALTH_PATH and method == "GET":
            await _respond(send, 200, b"ok", "text/plain")
            return
        if path != EVENTS_PATH or method != "POST":
            await _respond(send, 404, b"Not Found", "text/plain")
            return
        body = await _read_body(receive)
        if body is None:
            await _respond(send, 413, b"Payload Too Large", "text/plain")
            return
        from slack_bolt.request import BoltRequest

        headers: dict[str, list[str]] = {}
        for name, value in scope.get("headers", []):
            headers.setdefault(name.decode("latin-1").lower(), []).append(value.decode("latin-1"))
        request = BoltRequest(
            body=body.decode("utf-8", "replace"), query=scope.get("query_string", b"").decode(), headers=headers
        )
        response = await asyncio.to_thread(self.app.dispatch, request)
        content_type = response.first_headers().get("content-type") or "text/plain;charset=utf-8"
        await _respond(send, response.status, (response.body or "").encode(), content_type)


async def _read_body(receive: Callable) -> Optional[bytes]:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _respond(send: Callable, status: int, body: bytes, content_type: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def manifest_text(request_url: str, name: str, as_json: bool) -> str:
    """The app manifest as YAML (or JSON) text."""
    from govtool.slack_interactions import app_manifest

    data = app_manifest(request_url, name)
    if as_json:
        return json.dumps(data, indent=2) + "\n"
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
