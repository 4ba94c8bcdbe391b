"""Property tests (hypothesis) of every boundary govtool writes through.

- tracker.yaml: any valid tracker loads, saves and loads to an equal value, and two
  saves give identical bytes; the data the tracker cache stores for a save is what
  loading that save gives.
- Markdown tables, the email and the Slack payload: any broker name, note or reason
  (unicode, ``|``, backticks, ``<script>``, newlines, Slack's ``<!channel>``) stays
  inside its cell or field and injects no markup.
- The lifecycle: no sequence of commands reaches a transition the lifecycle forbids,
  and a refused command leaves the tracker as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import itertools
import json
import re

import pytest
from conftest import filled_research_doc, snapshot
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from govtool import decisions, history, lifecycle
from govtool.derived_docs import render_docs
from govtool.email_message import build_message
from govtool.errors import InputError
from govtool.field_checks import control_problem
from govtool.model import BROKER_ID_RE, INTEGRATION_TYPES, PRIORITIES, Broker, dump_tracker, new_tracker
from govtool.notification import compose
from govtool.validation import parse_tracker
from govtool.yamlio import load_yaml, loaded_form

#: Text a user might type, and text meant to break things.
HOSTILE = st.sampled_from(
    [
        "a | b",
        "`code`",
        "<script>alert(1)</script>",
        "<!channel>",
        "<!here|here> & <@U123>",
        "line one\nline two",
        "*bold* _it_ [link](http://x) # h",
        "yes",
        "null",
        "1.0",
        "2026-01-17",
        "- item",
        "{a: b}",
        "'quoted' \"double\"",
        "back\\slash\\|",
        "tab\there",
        "Zürich — 東京 🚀",
        "\u202eRTL override",
        "trailing space ",
        "%s {{ jinja }} {% raw %}",
    ]
)
TEXT = st.one_of(
    HOSTILE,
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30),
)
#: Names, emails, ``by``: one line (a line break or an escape sequence is refused, see below).
NAME = st.one_of(HOSTILE, st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)).filter(
    lambda s: s.strip() and not control_problem(s)
)
BROKER_ID = st.from_regex(BROKER_ID_RE, fullmatch=True).filter(lambda s: len(s) <= 24)

#: (command of lifecycle.TRANSITIONS or None for status-keeping events, how to run it).
OPERATIONS = st.one_of(
    st.tuples(st.just("research_completed"), st.none()),
    st.tuples(st.just("notify"), st.sampled_from(lifecycle.NOTIFICATION_KINDS)),
    st.tuples(st.just("decide"), st.tuples(st.sampled_from(lifecycle.DECISIONS), st.one_of(st.none(), TEXT))),
    st.tuples(st.just("start"), st.none()),
    st.tuples(st.just("progress"), st.integers(-5, 105)),
    st.tuples(st.just("block"), TEXT),
    st.tuples(st.just("unblock"), st.none()),
    st.tuples(st.just("complete"), st.none()),
    st.tuples(st.just("reopen"), st.one_of(st.none(), TEXT)),
    st.tuples(st.just("note"), TEXT),
)

START = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)


def apply(tracker, broker_id: str, operation, at: dt.datetime) -> None:
    """Run one operation the way its command does (same core functions)."""
    name, arg = operation
    if name == "research_completed":
        history.record_event(tracker, broker_id, "research_completed", "Dev", at)
    elif name == "notify":
        history.record_event(tracker, broker_id, "pm_notified", "Dev", at, kind=arg)
    elif name == "decide":
        decisions.decide(tracker, broker_id, arg[0], "PM", at, reason=arg[1])
    elif name == "start":
        history.start(tracker, broker_id, "Dev", at)
    elif name == "progress":
        history.record_progress(tracker, broker_id, arg, "Dev", at)
    elif name == "block":
        history.block(tracker, broker_id, arg, "Dev", at)
    elif name == "unblock":
        history.unblock(tracker, broker_id, "Dev", at)
    elif name == "complete":
        history.complete(tracker, broker_id, "Dev", at)
    elif name == "reopen":
        history.reopen(tracker, broker_id, "Dev", at, reason=arg)
    else:
        history.record_event(tracker, broker_id, "note", "Dev", at, note=arg)


def allowed_moves(operation) -> dict[str | None, set[str]]:
    """From status -> statuses the lifecycle allows this operation to reach."""
    name, arg = operation
    if name == "decide":
        return {
            lifecycle.PENDING: {lifecycle.APPROVED, lifecycle.REJECTED, lifecycle.ON_HOLD},
            lifecycle.ON_HOLD: {lifecycle.APPROVED, lifecycle.REJECTED},
        }
    if name in lifecycle.TRANSITIONS and not (name == "notify" and arg != "research-completed"):
        return {s: {t} for s, t in lifecycle.TRANSITIONS[name].items()}
    return {s: {s} for s in lifecycle.STATUSES}  # notes, other notification kinds, research_completed


@st.composite
def trackers(draw, max_brokers: int = 4, max_ops: int = 12):
    """A valid tracker made by the real lifecycle: random brokers, random commands."""
    tracker = new_tracker()
    ids = draw(st.lists(BROKER_ID, min_size=1, max_size=max_brokers, unique=True))
    at = START
    for bid in ids:
        broker = Broker(
            id=bid,
            name=draw(NAME),
            status=lifecycle.RESEARCHING,
            tier=draw(st.one_of(st.none(), st.integers(1, 4))),
            priority=draw(st.one_of(st.none(), st.sampled_from(PRIORITIES))),
            type=draw(st.one_of(st.none(), st.sampled_from(INTEGRATION_TYPES))),
            eta=draw(st.one_of(st.none(), st.dates(dt.date(2025, 1, 1), dt.date(2028, 12, 31)))),
            critical=draw(st.booleans()),
            regions=draw(st.lists(NAME, max_size=2)),
            notes=draw(
                st.one_of(st.none(), TEXT.filter(lambda s: s.strip() and not control_problem(s, one_line=False)))
            ),
        )
        history.add_broker(tracker, broker, draw(NAME), at)
        for operation in draw(st.lists(OPERATIONS, max_size=max_ops)):
            at += dt.timedelta(hours=draw(st.integers(0, 80)), seconds=draw(st.integers(0, 59)))
            with contextlib.suppress(InputError):  # a refused command is part of real use
                apply(tracker, bid, operation, at)
    return tracker


# ---------------------------------------------------------------- tracker.yaml


@settings(max_examples=150, deadline=None)
@given(trackers())
def test_every_valid_tracker_round_trips_to_equal_data_and_identical_bytes(tracker):
    first = dump_tracker(tracker)
    loaded = parse_tracker(first)
    assert loaded == tracker
    second = dump_tracker(loaded)
    assert second == first
    # What the tracker cache stores for a save is what loading the save gives.
    assert loaded_form(tracker.to_dict()) == load_yaml(first, "tracker.yaml")


# ---------------------------------------------------------------- Markdown tables

_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_blocks(text: str) -> list[list[str]]:
    """The Markdown tables of a document: runs of lines starting with ``|``."""
    blocks, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


@pytest.fixture(scope="module")
def docs_root(tmp_path_factory):
    """One directory for all examples of a test (hypothesis runs many per call)."""
    return tmp_path_factory.mktemp("properties")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tracker=trackers(max_brokers=3, max_ops=6))
def test_any_name_or_note_stays_inside_its_markdown_table_cell(docs_root, tracker):
    docs = render_docs(docs_root, tracker)
    for path, text in docs.items():
        for block in table_blocks(text):
            header = len(_UNESCAPED_PIPE.findall(block[0]))
            assert re.fullmatch(r"\|( *:?-+:? *\|)+", block[1].replace(" ", "")), (path.name, block[:2])
            for row in block[2:]:
                assert len(_UNESCAPED_PIPE.findall(row)) == header, (path.name, row)
                # A "<" that could start HTML or an autolink is escaped the Markdown way, never as &lt;.
                assert not re.search(r"(?<!\\)<(?!br>)", row), (path.name, row)
                assert "&lt;" not in row and "&gt;" not in row, (path.name, row)
                assert not re.search(r"(?<!\\)`", row), (path.name, row)


# ---------------------------------------------------------------- email and Slack


def _slack_texts(payload: dict) -> list[tuple[str, str]]:
    """(object type, text) of every text object in a Block Kit payload."""
    out = [("fallback", payload["text"])]
    for block in payload["blocks"]:
        if "text" in block:
            out.append((block["text"]["type"], block["text"]["text"]))
        for item in block.get("fields", []):
            out.append((item["type"], item["text"]))
    return out


def _lines(text: str) -> list[str]:
    return re.split(r"\r\n|\r|\n", text.rstrip("\r\n"))


#: What Slack parses in mrkdwn and fallback text: mentions, channel links, URLs.
_SLACK_CONTROL = re.compile(r"<[!@#]|<https?:")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAME, message=TEXT, urgent=st.booleans(), kind=st.sampled_from(lifecycle.NOTIFICATION_KINDS))
def test_any_name_or_message_keeps_the_email_and_slack_payload_intact(docs_root, name, message, urgent, kind):
    root = docs_root / "notify"
    doc = root / "docs" / "brokers" / "api-research" / "acme.md"
    if not doc.exists():
        doc.parent.mkdir(parents=True)
        doc.write_text(filled_research_doc("acme", "Acme"), encoding="utf-8")
    tracker = new_tracker()
    history.add_broker(tracker, Broker(id="acme", name=name, status="researching"), "Dev", START)
    note = compose(root, tracker, "acme", kind, urgent, "Dev <dev@example.com>", message, START)

    raw = build_message(note.sender, note.recipients, note.subject, note.body, START).as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    headers = sorted(k.lower() for k in parsed)
    assert headers == ["content-transfer-encoding", "content-type", "date", "from", "message-id", "mime-version",
                       "subject", "to"]  # fmt: skip
    assert parsed["To"] == "pm@example.com"
    assert "\n" not in str(parsed["Subject"]) and " ".join(name.split()) in str(parsed["Subject"])
    # Mail has CRLF line ends only: a lone CR or LF in the text arrives as a line break.
    assert _lines(parsed.get_content()) == _lines(note.body)

    payload = json.loads(json.dumps(note.slack))
    assert payload["channel"] == "#broker-integrations"
    assert payload["blocks"][0]["type"] == "header"
    assert all(block["type"] in ("header", "section") for block in payload["blocks"])
    for kind_of_text, text in _slack_texts(payload):
        if kind_of_text != "plain_text":  # plain text is never parsed for mentions or links
            assert not _SLACK_CONTROL.search(text), text


# ---------------------------------------------------------------- the lifecycle


@settings(max_examples=200, deadline=None)
@given(st.lists(OPERATIONS, max_size=25))
def test_no_sequence_of_commands_reaches_a_forbidden_transition(operations):
    tracker = new_tracker()
    history.add_broker(tracker, Broker(id="acme", name="Acme", status="researching"), "Dev", START)
    at = START
    for operation in operations:
        at += dt.timedelta(hours=1)
        before = tracker.brokers["acme"].status
        saved = dump_tracker(tracker)
        try:
            apply(tracker, "acme", operation, at)
        except InputError:
            assert dump_tracker(tracker) == saved, f"{operation} was refused but changed the tracker"
            continue
        after = tracker.brokers["acme"].status
        assert after in allowed_moves(operation).get(before, set()), f"{operation}: {before} -> {after}"
    # What the commands built is what validation accepts.
    assert parse_tracker(dump_tracker(tracker)) == tracker


_REPO_NUMBERS = itertools.count()
_COMMANDS = [
    ["notify", "acme", "--sent-by-hand"],
    ["decide", "acme", "approve", "--by", "PM"],
    ["decide", "acme", "reject", "--by", "PM", "--reason", "cost"],
    ["decide", "acme", "hold", "--by", "PM", "--reason", "later"],
    ["start", "acme"],
    ["progress", "acme", "50"],
    ["block", "acme", "Waiting for API access"],
    ["unblock", "acme"],
    ["complete", "acme"],
    ["reopen", "acme"],
]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.sampled_from(_COMMANDS), min_size=1, max_size=8))
def test_the_real_commands_never_leave_the_lifecycle(steps, govtool, make_repo):
    root = make_repo({"acme": "researching"}, name=f"gov-{next(_REPO_NUMBERS)}")
    doc = root / "docs" / "brokers" / "api-research" / "acme.md"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(filled_research_doc("acme", "Acme"), encoding="utf-8")

    def status() -> str:
        return parse_tracker((root / "tracker.yaml").read_text(encoding="utf-8")).brokers["acme"].status

    for number, argv in enumerate(steps):
        before_files, before = snapshot(root), status()
        result = govtool(root, *argv, now=f"2026-02-{number + 2:02d}T10:00:00Z")
        if result.exit_code != 0:
            assert result.exit_code == 2, result.stderr
            assert snapshot(root) == before_files, f"{argv} was refused but changed files"
            continue
        if argv[0] == "decide":
            operation = ("decide", (decisions.parse_decision(argv[2]), None))
        else:
            operation = (argv[0], "research-completed")
        assert status() in allowed_moves(operation).get(before, set()), f"{argv}: {before} -> {status()}"
