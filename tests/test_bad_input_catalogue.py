"""The catalogue of bad inputs: every way in, one row each.

Each row breaks one input (tracker.yaml, a research doc, a template, an API spec,
git, the file system, an argument, the environment) and runs the command that reads
it. Every row must exit with the code DESIGN.md gives (2 for bad input), name the
place of the problem (``FILE:LINE: field``, the option, the variable, the ref) in a
message of at most a few lines, and leave every file byte-identical.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import filled_research_doc, snapshot
from test_bad_tracker import CASES as BAD_TRACKERS

RESEARCH = "docs/brokers/api-research"


@dataclass
class Case:
    """One bad input: how to break the repo, what to run, what must come back."""

    id: str
    argv: list[str]
    message: str  # a regex the error message must match
    setup: Callable[[Path], None] = lambda root: None
    exit_code: int = 2
    env: dict[str, str] = field(default_factory=dict)
    git: bool = False


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    """Replace ``old`` (which must be there) by ``new`` in a file of the repo."""

    def apply(root: Path) -> None:
        text = (root / path).read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        (root / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def write(path: str, content: str | bytes) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")

    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for step in steps:
            step(root)

    return apply


def directory_where_a_doc_goes(root: Path) -> None:
    doc = root / "docs" / "brokers" / "broker-integration-tracker.md"
    doc.unlink()
    (doc / "oops").mkdir(parents=True)


FIRST_EVENT_AT = "- at: 2026-01-05T09:00:00Z"
NOT_OPENAPI = "title: My notes\nendpoints:\n  - /orders\n"

#: The tracker cases of tests/test_bad_tracker.py (whole files, exact lines), as rows here.
TRACKER_CASES = [
    Case(name, ["validate"], rf"^tracker\.yaml:{line}: {re.escape(message)}", write("tracker.yaml", text))
    for name, (text, line, message) in sorted(BAD_TRACKERS.items())
]

CASES = TRACKER_CASES + [
    # tracker.yaml, beyond those
    Case(
        "timestamp in the wrong format",
        ["validate"],
        r"^tracker\.yaml:\d+: brokers\.acme\.history\[0\]\.at: ",
        edit("tracker.yaml", FIRST_EVENT_AT, "- at: 05/01/2026 9am"),
    ),
    Case(
        "negative progress in history",
        ["validate"],
        r"^tracker\.yaml:\d+: brokers\.beta\.history\[\d+\]\.percent: expected a whole percent 0-100 \(got -5\)",
        edit("tracker.yaml", "percent: 40", "percent: -5"),
    ),
    Case(
        "progress over 100",
        ["progress", "beta", "140"],
        r"Invalid value for 'percent': 140 is not in the range 0<=x<=100",
    ),
    Case(
        "negative progress",
        ["progress", "beta", "--", "-5"],
        r"Invalid value for 'percent': -5 is not in the range 0<=x<=100",
    ),
    Case(
        "tracker version 2",
        ["status"],
        r"^tracker\.yaml:1: version: expected version: 1 \(got 2\)",
        edit("tracker.yaml", "version: 1", "version: 2"),
    ),
    Case(
        "tracker not UTF-8",
        ["status"],
        r"^tracker\.yaml:3: not UTF-8 text \(byte 0xE9 at column 6\)",
        write("tracker.yaml", "version: 1\nbrokers:\n  caf\xe9:\n".encode("latin-1")),
    ),
    Case(
        "empty tracker", ["validate"], r"^tracker\.yaml:1: \(top level\): expected a mapping", write("tracker.yaml", "")
    ),
    # brokers and arguments
    Case("unknown broker", ["show", "acme-corp"], r"^tracker\.yaml: unknown broker 'acme-corp'"),
    Case("../ in an id", ["research", "new", "../evil", "--name", "Evil"], r"^'\.\./evil' is not a broker id"),
    Case(
        "absolute path as an id",
        ["research", "new", "/etc/passwd", "--name", "X"],
        r"^'/etc/passwd' is not a broker id",
    ),
    Case(
        "score out of range (flag)",
        ["score", "acme", "--user-demand", "9"],
        r"^--user-demand: a score is a number 1-5 in steps of 0\.5 \(got 9\.0\)",
    ),
    Case("unknown decision", ["decide", "acme", "maybe", "--by", "PM"], r"^decision 'maybe': expected approved"),
    Case(
        "rejection without a reason",
        ["decide", "acme", "reject", "--by", "PM"],
        r"^acme: a reason is required to reject",
    ),
    Case(
        "date option in the wrong format",
        ["status", "--as-of", "2026-13-01"],
        r"^--as-of: expected a date as YYYY-MM-DD",
    ),
    Case(
        "report week ending on a Thursday",
        ["report", "weekly", "--week-ending", "2026-01-22"],
        r"^--week-ending: 2026-01-22 is a Thursday, not a Friday",
    ),
    Case(
        "clock variable in the wrong format",
        ["status"],
        r"^GOVTOOL_NOW: expected an ISO 8601 timestamp",
        env={"GOVTOOL_NOW": "yesterday"},
    ),
    Case(
        "root that holds no tracker",
        ["status"],
        r"/nowhere/tracker\.yaml: no tracker here",
        env={"GOVTOOL_ROOT": "/nowhere"},
    ),
    # research docs
    Case(
        "research doc without front matter",
        ["score", "acme"],
        rf"^{RESEARCH}/acme\.md:1: no front matter",
        write(f"{RESEARCH}/acme.md", "# Acme\n\nNotes without the key-findings block.\n"),
    ),
    Case(
        "research doc front matter not YAML",
        ["score", "acme"],
        rf"^{RESEARCH}/acme\.md:4: front matter: YAML syntax error: .* \(while parsing a flow sequence at line 3\)",
        write(f"{RESEARCH}/acme.md", "---\nbroker: acme\nname: [Acme\n---\n# Acme\n"),
    ),
    Case(
        "score out of range (doc)",
        ["score", "acme"],
        rf"^{RESEARCH}/acme\.md:\d+: scores\.user_demand: a score is a number 1-5 in steps of 0\.5 \(got 7\)",
        edit(f"{RESEARCH}/acme.md", "scores: {user_demand: 4", "scores: {user_demand: 7"),
    ),
    Case(
        "duplicate key in front matter",
        ["research", "check", "acme"],
        rf"^{RESEARCH}/acme\.md:\d+: front matter: .*duplicate key 'tier'",
        edit(f"{RESEARCH}/acme.md", "tier: 2\n", "tier: 2\ntier: 3\n"),
        exit_code=1,
    ),
    # templates and derived docs
    Case(
        "template with a Jinja syntax error",
        ["render"],
        r"^templates/broker-integration-tracker\.md\.j2:2: template syntax error",
        write("templates/broker-integration-tracker.md.j2", "# Tracker\n{% for broker in brokers %}\n"),
    ),
    Case(
        "template with an unknown filter",
        ["render"],
        r"^templates/broker-priority-list\.md\.j2:1: template syntax error",
        write("templates/broker-priority-list.md.j2", "{{ brokers | no_such_filter }}\n"),
    ),
    Case(
        "project memory with one marker",
        ["render"],
        r"^PROJECT_MEMORY\.md:\d+: managed block",
        write("PROJECT_MEMORY.md", "# Memory\n\n<!-- govtool:begin -->\nhalf a block\n"),
    ),
    Case(
        "directory where a derived doc goes",
        ["progress", "beta", "60"],
        r"broker-integration-tracker\.md: cannot write: it is a directory",
        directory_where_a_doc_goes,
    ),
    # API specs
    Case(
        "spec that is not OpenAPI",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.yaml"],
        r"^spec\.yaml:1: not an OpenAPI 3\.x or Swagger 2\.0 document",
        write("spec.yaml", NOT_OPENAPI),
    ),
    Case(
        "spec that is not YAML",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.yaml"],
        r"^spec\.yaml:4: YAML syntax error: .*at line 4\)",
        write("spec.yaml", "openapi: 3.0.0\npaths:\n  /x: [\n"),
    ),
    Case(
        "spec that does not exist",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "nope.yaml"],
        r"nope\.yaml: cannot read",
    ),
    # git and the gate
    Case("directory that is not a git repo", ["gate"], r": not a git repository"),
    Case("bad ref", ["gate", "--base", "no-such-branch"], r"^--base: 'no-such-branch' is not a commit", git=True),
    Case(
        "gate path without {broker}",
        ["gate", "--base", "main"],
        r"tracker\.yaml@[0-9a-f]{10}:\d+: settings\.gate\.paths\[0\]: a gate path needs the \{broker\} placeholder",
        edit("tracker.yaml", "connectors/{broker}/**", "connectors/*/**"),
        git=True,
    ),
    # local state
    Case(
        "corrupt outbox message",
        ["outbox", "flush"],
        r"\.govtool/outbox/0001\.json: not an outbox message",
        write(".govtool/outbox/0001.json", '{"channel": "slack", '),
    ),
]


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.fixture
def bad_repo(make_repo, govtool):
    """acme pending with a filled research doc; beta in progress at 40%."""
    root = make_repo({"acme": "pending", "beta": "in_progress"})
    (root / RESEARCH).mkdir(parents=True, exist_ok=True)
    (root / RESEARCH / "acme.md").write_text(filled_research_doc("acme", "Acme"), encoding="utf-8")
    assert govtool(root, "progress", "beta", "40").exit_code == 0
    assert govtool(root, "render").exit_code == 0
    return root


def git_repo(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("-c", "user.name=Dev", "-c", "user.email=dev@example.com", "commit", "-q", "-m", "governance repo")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_with_its_location_and_nothing_changes(case, bad_repo, govtool, monkeypatch):
    root = bad_repo
    case.setup(root)
    if case.git:
        git_repo(root)
    monkeypatch.chdir(root)  # relative paths in arguments (spec.yaml) are the user's
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    before = snapshot(root)
    outbox_before = sorted(p.read_bytes() for p in (root / ".govtool").rglob("*.json"))
    use_root = None if "GOVTOOL_ROOT" in case.env else root
    result = govtool(use_root, *case.argv, now=case.env.get("GOVTOOL_NOW"))

    assert result.exit_code == case.exit_code, result.stderr + result.stdout
    message = result.stderr.removeprefix("govtool: error: ")
    if case.exit_code == 1:
        message = result.stdout  # research check prints its findings, one per line
    assert re.search(case.message, message, re.MULTILINE), message
    assert len(result.stderr.splitlines()) <= 4, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    assert sorted(p.read_bytes() for p in (root / ".govtool").rglob("*.json")) == outbox_before
