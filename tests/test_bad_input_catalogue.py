"""The catalogue of bad inputs: every way in, one row each.

Each row breaks one input (tracker.yaml, a research doc, a template, an API spec,
git, the file system, an argument, the environment) and runs the command that reads
it. Every row must exit with the code DESIGN.md gives (2 for bad input), name the
place of the problem (``FILE:LINE: field``, the option, the variable, the ref) in a
message of at most a few lines, leave every file byte-identical, and take under 2 s.

The rows after "untrusted input" are what a pull request (or a careless user) can
write: template escapes, YAML bombs, control characters in names and emails, paths
and links out of the repo, --out onto governance files, absurd dates, files that are
not UTF-8, numbers of thousands of digits.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import filled_research_doc, snapshot
from test_bad_tracker import CASES as BAD_TRACKERS
from test_yaml_bounds import alias_bomb

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


def link(path: str, target: str) -> Callable[[Path], None]:
    """Make ``path`` a symbolic link to ``target`` (relative to the repo's parent when it starts with ``../``)."""

    def apply(root: Path) -> None:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).symlink_to(root / target)

    return apply


def move_out_and_link(path: str) -> Callable[[Path], None]:
    """Move a directory of the repo outside it and leave a symbolic link in its place."""

    def apply(root: Path) -> None:
        outside = root.parent / f"outside-{path.replace('/', '-')}"
        (root / path).rename(outside)
        (root / path).symlink_to(outside, target_is_directory=True)

    return apply


def outside_file(root: Path) -> None:
    (root.parent / "outside-secret.md").write_text(filled_research_doc("acme", "SECRET NAME"), encoding="utf-8")


def outbox_message(root: Path) -> None:
    write(".govtool/outbox/0001.json", '{"id": "0001"}')(root)


UNTRUSTED_TEMPLATE = "# Priority\n{{ cycler.__init__.__globals__.os.environ }}\n"
HUGE = "9" * 5000


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

UNTRUSTED = [
    # templates (untrusted input)
    Case(
        "template that escapes the sandbox",
        ["render", "--check"],
        r"^templates/broker-priority-list\.md\.j2:2: unsafe template: access to attribute '__init__'",
        write("templates/broker-priority-list.md.j2", UNTRUSTED_TEMPLATE),
    ),
    Case(
        "template linked out of the root",
        ["render"],
        r"^templates/broker-priority-list\.md\.j2: leads outside the governance root",
        both(outside_file, link("templates/broker-priority-list.md.j2", "../outside-secret.md")),
    ),
    Case(
        "template not UTF-8",
        ["render"],
        r"^templates/decision-log\.md\.j2:2: not UTF-8 text",
        write("templates/decision-log.md.j2", b"# Log\nd\xe9cision\n"),
    ),
    # YAML bounds
    Case(
        "alias bomb in tracker.yaml",
        ["status"],
        r"^tracker\.yaml:\d+: YAML aliases stand for more than 100,000 nodes",
        edit("tracker.yaml", "version: 1\n", "version: 1\n" + alias_bomb().replace("a: &a", "x: &a")),
    ),
    Case(
        "50,000 nested [ in tracker.yaml",
        ["validate"],
        r"^tracker\.yaml:1: nested deeper than 100 levels",
        edit("tracker.yaml", "version: 1\n", "version: " + "[" * 50_000 + "\n"),
    ),
    Case(
        "3,000 nested mappings in tracker.yaml",
        ["progress", "beta", "60"],
        r"^tracker\.yaml:102: nested deeper than 100 levels",
        edit(
            "tracker.yaml", "version: 1\n", "version: 1\nx:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 3000))
        ),
    ),
    Case(
        "alias inside its own anchor in tracker.yaml",
        ["validate"],
        r"^tracker\.yaml:2: alias \*a stands inside the node it names",
        edit("tracker.yaml", "version: 1\n", "version: 1\nx: &a [1, *a]\n"),
    ),
    Case(
        "alias bomb in front matter",
        ["score", "acme"],
        rf"^{RESEARCH}/acme\.md:\d+: front matter: YAML aliases stand for more than",
        edit(
            f"{RESEARCH}/acme.md",
            "---\n",
            "---\n" + alias_bomb().replace("a: &a", "x: &a"),
        ),
    ),
    Case(
        "50,000 nested [ in front matter",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--no-slack"],
        rf"^{RESEARCH}/acme\.md:\d+: front matter: nested deeper than 100 levels",
        edit(f"{RESEARCH}/acme.md", "---\n", "---\nx: " + "[" * 50_000 + "\n"),
        exit_code=2,
    ),
    Case(
        "alias bomb in an OpenAPI spec",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.yaml"],
        r"^spec\.yaml:\d+: YAML aliases stand for more than",
        write("spec.yaml", "openapi: 3.0.0\n" + alias_bomb().replace("a: &a", "x: &a")),
    ),
    Case(
        "50,000 nested [ in a JSON spec",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.json"],
        r"^spec\.json:1: nested deeper than 100 levels",
        write("spec.json", '{"openapi": "3.0.0", "x": ' + "[" * 50_000),
    ),
    Case(
        "alias bomb in the deliveries ledger",
        ["report", "weekly", "--sent-by-hand"],
        r"^docs/brokers/reports/deliveries\.yaml:\d+: YAML aliases stand for more than",
        write("docs/brokers/reports/deliveries.yaml", alias_bomb()),
    ),
    Case(
        "deliveries ledger that is a list",
        ["report", "weekly", "--sent-by-hand"],
        r"^docs/brokers/reports/deliveries\.yaml:1: expected a mapping of ISO week",
        write("docs/brokers/reports/deliveries.yaml", "- 2026-W05\n"),
    ),
    # --out onto governance files
    Case(
        "notify --out tracker.yaml",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--no-slack", "--out", "tracker.yaml"],
        r"^--out \S*tracker\.yaml: tracker\.yaml is a governance file",
    ),
    Case(
        "report weekly --out tracker.yaml",
        ["report", "weekly", "--out", "tracker.yaml", "--force"],
        r"^--out \S*tracker\.yaml: tracker\.yaml is a governance file",
    ),
    Case(
        "report weekly --out a derived doc",
        ["report", "weekly", "--out", "docs/brokers/decision-log.md"],
        r"^--out \S*decision-log\.md: docs/brokers/decision-log\.md \(under docs/brokers/\) is a governance file",
    ),
    Case(
        "notify --out PROJECT_MEMORY.md",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--out", "PROJECT_MEMORY.md"],
        r"^--out \S*PROJECT_MEMORY\.md: PROJECT_MEMORY\.md is a governance file",
    ),
    Case(
        "notify --out a research doc kept outside docs/brokers",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--out", "research/acme.md"],
        r"^--out \S*research/acme\.md: research/acme\.md \(acme's research doc\) is a governance file",
        both(
            write("research/acme.md", filled_research_doc("acme", "Acme")),
            edit("tracker.yaml", "    name: Acme\n", "    name: Acme\n    research_doc: research/acme.md\n"),
        ),
    ),
    Case(
        "notify --out a link to tracker.yaml",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--out", "copy.eml", "--force"],
        r"^--out \S*copy\.eml: tracker\.yaml is a governance file",
        link("copy.eml", "tracker.yaml"),
    ),
    Case(
        "report weekly --out an existing file without --force",
        ["report", "weekly", "--out", "notes.md"],
        r"^--out \S*notes\.md: already exists; nothing was written",
        write("notes.md", "my notes\n"),
    ),
    # control characters
    Case(
        "CR LF in settings.email.to",
        ["validate"],
        r"^tracker\.yaml:\d+: settings\.email\.to\[0\]: expected one line of text without control characters",
        edit("tracker.yaml", "  - pm@example.com\n", '  - "pm@example.com\\r\\nBcc: all@example.com"\n'),
    ),
    Case(
        "LF in settings.email.from (notify)",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--no-slack"],
        r"^tracker\.yaml:\d+: settings\.email\.from: expected one line of text without control characters",
        edit("tracker.yaml", "from: govtool@example.com", 'from: "govtool@example.com\\nBcc: x@example.com"'),
    ),
    Case(
        "CR LF in a contact email (escalate)",
        ["escalate", "--as-of", "2026-03-02"],
        r"^tracker\.yaml:\d+: settings\.escalation\.levels\[1\]\.email: expected one line",
        edit("tracker.yaml", "email: tech-lead@example.com", 'email: "tech-lead@example.com\\r\\nX: y"'),
    ),
    Case(
        "escape sequence in a broker name",
        ["list"],
        r"^tracker\.yaml:\d+: brokers\.acme\.name: expected one line of text without control characters",
        edit("tracker.yaml", "name: Acme", 'name: "Acme\\e[2J\\e]0;pwned\\a"'),
    ),
    Case(
        "NUL in an event's by",
        ["show", "beta"],
        r"^tracker\.yaml:\d+: brokers\.acme\.history\[0\]\.by: expected one line",
        edit("tracker.yaml", "    by: Dev\n", '    by: "Dev\\0"\n'),
    ),
    Case(
        "line separator in the Slack channel",
        ["validate"],
        r"^tracker\.yaml:\d+: settings\.slack\.channel: expected a channel name",
        edit("tracker.yaml", "channel: '#broker-integrations'", 'channel: "#broker-integrations\\L#general"'),
    ),
    Case(
        "newline in --by (a forged trailer)",
        ["progress", "beta", "60", "--by", "Dev\nSigned-off-by: CTO <cto@example.com>"],
        r"Invalid value for '--by': expected one line of text without control characters",
    ),
    Case(
        "newline in decide --by",
        ["decide", "acme", "approved", "--by", "PM <pm@example.com>\nCo-authored-by: x"],
        r"Invalid value for '--by': expected one line",
    ),
    Case(
        "escape sequence in --note",
        ["progress", "beta", "60", "--note", "done\x1b[2J"],
        r"Invalid value for '--note': expected text without control characters",
    ),
    Case(
        "escape sequence in --name",
        ["research", "new", "gamma", "--name", "Gamma\x1b]0;title\x07"],
        r"Invalid value for '--name': expected one line",
    ),
    Case(
        "newline in GOVTOOL_USER",
        ["progress", "beta", "60"],
        r"^GOVTOOL_USER: expected one line of text without control characters",
        env={"GOVTOOL_USER": "Dev\nSigned-off-by: CTO"},
    ),
    Case(
        "escape sequence in front matter",
        ["research", "check", "acme"],
        rf"^{RESEARCH}/acme\.md:\d+: front matter: authentication: expected one line of text without control",
        edit(f"{RESEARCH}/acme.md", "authentication: OAuth 2.0", 'authentication: "OAuth\\e[31m 2.0"'),
        exit_code=1,
    ),
    # paths and links out of the root
    Case(
        "research_doc that climbs out of the root",
        ["validate"],
        r"^tracker\.yaml:\d+: brokers\.acme\.research_doc: expected a path inside the governance root",
        both(
            outside_file,
            edit("tracker.yaml", "    name: Acme\n", "    name: Acme\n    research_doc: ../outside-secret.md\n"),
        ),
    ),
    Case(
        "absolute research_doc",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x"],
        r"^tracker\.yaml:\d+: brokers\.acme\.research_doc: expected a relative path",
        edit("tracker.yaml", "    name: Acme\n", "    name: Acme\n    research_doc: /etc/passwd\n"),
    ),
    Case(
        "research doc linked out of the root",
        ["notify", "acme", "--kind", "cost-discovery", "--message", "x", "--no-slack"],
        rf"^{RESEARCH}/acme\.md leads outside the governance root",
        both(
            outside_file,
            lambda root: (root / RESEARCH / "acme.md").unlink(),
            link(f"{RESEARCH}/acme.md", "../outside-secret.md"),
        ),
    ),
    Case(
        "tracker.yaml is a link",
        ["progress", "beta", "60"],
        r"^tracker\.yaml: is a symbolic link; govtool does not write through links",
        both(
            lambda root: (root / "tracker.yaml").rename(root / "real-tracker.yaml"),
            link("tracker.yaml", "real-tracker.yaml"),
        ),
    ),
    Case(
        "PROJECT_MEMORY.md is a link",
        ["render"],
        r"^PROJECT_MEMORY\.md: is a symbolic link",
        both(
            lambda root: (root / "PROJECT_MEMORY.md").rename(root / "memory.md"),
            link("PROJECT_MEMORY.md", "memory.md"),
            edit("tracker.yaml", "    name: Acme\n", "    name: Acme Renamed\n"),
        ),
    ),
    Case(
        "docs/ linked out of the root",
        ["progress", "beta", "60"],
        r"leads outside the governance root",
        move_out_and_link("docs"),
    ),
    Case(
        ".govtool/outbox linked out of the root",
        ["outbox", "flush"],
        r"^\.govtool/outbox leads outside the governance root",
        both(outbox_message, move_out_and_link(".govtool/outbox")),
    ),
    Case(
        "lock file linked to another file",
        ["progress", "beta", "60"],
        r"^\.govtool/tracker\.lock: is a symbolic link",
        both(
            lambda root: (root / ".govtool/tracker.lock").unlink(missing_ok=True),
            link(".govtool/tracker.lock", "notes.md"),
            write("notes.md", "mine\n"),
        ),
    ),
    # dates
    Case(
        "--as-of in year 9999",
        ["status", "--as-of", "9999-12-31"],
        r"^--as-of: expected a date between 1970-01-01 and 2200-12-31",
    ),
    Case("--as-of in year 1", ["escalate", "--as-of", "0001-01-01"], r"^--as-of: expected a date between"),
    Case(
        "--week-ending in year 9999",
        ["report", "weekly", "--week-ending", "9999-12-31"],
        r"^--week-ending: expected a date between 1970-01-01 and 2200-12-31",
    ),
    Case(
        "GOVTOOL_NOW in year 9999",
        ["progress", "beta", "60"],
        r"^GOVTOOL_NOW: expected a date between 1970-01-01 and 2200-12-31",
        env={"GOVTOOL_NOW": "9999-12-31T23:59:59Z"},
    ),
    Case(
        "GOVTOOL_NOW in year 1",
        ["status"],
        r"^GOVTOOL_NOW: expected a date between",
        env={"GOVTOOL_NOW": "0001-01-01T00:00:00+01:00"},
    ),
    Case(
        "history event in year 9999",
        ["validate"],
        r"^tracker\.yaml:\d+: brokers\.\w+\.history\[\d+\]\.at: expected a date between",
        edit(
            "tracker.yaml",
            "      percent: 40\n",
            "      percent: 40\n    - at: 9999-12-31T00:00:00Z\n      event: note\n      by: Dev\n      note: x\n",
        ),
    ),
    Case(
        "eta in year 1",
        ["validate"],
        r"^tracker\.yaml:\d+: brokers\.beta\.eta: expected a date between",
        edit("tracker.yaml", "    name: Beta\n", "    name: Beta\n    eta: 0001-01-01\n"),
    ),
    # files that are not UTF-8
    Case(
        "research doc not UTF-8 (research check)",
        ["research", "check", "acme"],
        rf"^{RESEARCH}/acme\.md:3: not UTF-8 text \(byte 0xE9",
        write(f"{RESEARCH}/acme.md", b"---\nbroker: acme\nname: Caf\xe9\n---\n"),
    ),
    Case(
        "research doc not UTF-8 (notify)",
        ["notify", "acme"],
        rf"^{RESEARCH}/acme\.md:3: not UTF-8 text",
        write(f"{RESEARCH}/acme.md", b"---\nbroker: acme\nname: Caf\xe9\n---\n"),
    ),
    Case(
        "PROJECT_MEMORY.md not UTF-8",
        ["progress", "beta", "60"],
        r"^PROJECT_MEMORY\.md:1: not UTF-8 text",
        write("PROJECT_MEMORY.md", b"# M\xe9moire\n"),
    ),
    Case(
        "spec not UTF-8",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.yaml"],
        r"spec\.yaml:2: not UTF-8 text",
        write("spec.yaml", b"openapi: 3.0.0\ninfo: {title: Caf\xe9}\n"),
    ),
    Case(
        "outbox message not UTF-8",
        ["outbox", "flush"],
        r"\.govtool/outbox/0001\.json: not an outbox message: 0001\.json:1: not UTF-8 text",
        write(".govtool/outbox/0001.json", b'{"id": "\xe9"}'),
    ),
    # huge numbers
    Case(
        "5,000-digit progress in tracker.yaml",
        ["status"],
        r"^tracker\.yaml:\d+: a number of 5,000 characters is too large",
        edit("tracker.yaml", "percent: 40", "percent: " + HUGE),
    ),
    Case(
        "5,000-digit progress argument",
        ["progress", "beta", HUGE],
        r"Invalid value for 'percent'",
    ),
    Case(
        "5,000-digit score in front matter",
        ["score", "acme"],
        rf"^{RESEARCH}/acme\.md:\d+: front matter: a number of 5,000 characters is too large",
        edit(f"{RESEARCH}/acme.md", "scores: {user_demand: 4", "scores: {user_demand: " + HUGE),
    ),
    Case(
        "5,000-digit number in a JSON spec",
        ["research", "new", "gamma", "--name", "Gamma", "--from-openapi", "spec.json"],
        r"^spec\.json:1: a number of 5,000 digits is too large",
        write("spec.json", '{"openapi": "3.0.0", "x": ' + HUGE + "}"),
    ),
]

CASES += UNTRUSTED


def test_the_catalogue_is_large_enough():
    assert len(CASES) >= 25 + 50
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
    started = time.monotonic()
    result = govtool(use_root, *case.argv, now=case.env.get("GOVTOOL_NOW"))
    elapsed = time.monotonic() - started

    assert result.exit_code == case.exit_code, result.stderr + result.stdout
    message = result.stderr.removeprefix("govtool: error: ")
    if case.exit_code == 1:
        message = result.stdout  # research check prints its findings, one per line
    assert re.search(case.message, message, re.MULTILINE), message
    assert len(result.stderr.splitlines()) <= 4, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before
    assert sorted(p.read_bytes() for p in (root / ".govtool").rglob("*.json")) == outbox_before
    assert elapsed < 2, f"{elapsed:.2f} s"
