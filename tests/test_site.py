"""`govtool site`: what the site holds, built from real trackers, without a browser
(tests/test_site_browser.py opens the same pages in Chromium).

Checked here: the pages and assets of this repo's site, byte for byte the same on a
second build; the overview's figures against `govtool status --json`; the pages load
nothing but the site's own files; text a pull request writes (broker names, research
docs) stays text; where the site may be built; a broker no longer tracked loses its
page; the missing optional dependencies exit 2 with the install line; the milestones
setting; and the history's series (flow, milestones, waits) on trackers made through
the real lifecycle.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import REPO, build_tracker, run_process, snapshot, ts

from govtool import history, lifecycle, timelines
from govtool.decisions import decision_entries
from govtool.model import dump_tracker
from govtool.settings import Milestone

NOW = "2026-11-21T12:00:00Z"
AS_OF = "2026-11-21"


class Page(HTMLParser):
    """The parts of a page the checks read: every tag with its attributes, the text of
    each ``data-figure`` element and of each ``<script>``."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.figures: list[tuple[str, str]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: list[tuple[str, str | None, list[str]]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag in ("meta", "link", "br", "input", "img"):
            return
        self._open.append((tag, attributes.get("data-figure"), []))
        if tag == "script":
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag):
        while self._open:
            name, figure, parts = self._open.pop()
            text = "".join(parts)
            if self._open:
                self._open[-1][2].append(text)
            if name == "script" and self.scripts:
                self.scripts[-1] = (self.scripts[-1][0], text)
            if figure is not None:
                self.figures.append((figure, text.strip()))
            if name == tag:
                break

    def handle_data(self, data):
        if self._open:
            self._open[-1][2].append(data)


def build(govtool, root: Path, out: Path, *extra: str, now: str = NOW):
    return govtool(root, "site", "--out", str(out), *extra, now=now)


def overview_figures(page: Page) -> dict:
    """The figures the overview shows, in the shape of `status --json`'s."""
    figures: dict = {"counts": {}, "waiting": [], "levels": [], "blockers": []}
    for name, text in page.figures:
        if name == "operational":
            completed, total = text.split("/")
            figures["operational"] = {"completed": int(completed), "total": int(total)}
        elif name.startswith("count-"):
            figures["counts"][name[len("count-") :]] = int(text)
        elif name == "waiting":
            figures["waiting"].append(int(text))
        elif name == "level":
            figures["levels"].append(int(text.split(":")[0]))
        elif name == "blockers":
            figures["blockers"].append(text)
    return figures


def status_figures(status: dict) -> dict:
    return {
        "operational": status["operational"],
        "counts": status["counts"],
        "waiting": [p["business_days_waiting"] for p in status["pending_decisions"]],
        "levels": [p["escalation_level"] for p in status["pending_decisions"]],
        "blockers": ["; ".join(b["blockers"]) for b in status["brokers"] if b["blockers"]],
    }


def test_this_repos_site_is_complete_self_contained_and_deterministic(repo_copy, govtool, tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    result = build(govtool, repo_copy, first)
    assert result.exit_code == 0, result.stderr
    assert f"built 16 pages in {first}" in result.stdout
    # Again in another process (another hash seed, a fresh import of plotly): the same bytes.
    again = run_process("--root", str(repo_copy), "site", "--out", str(second), env={"GOVTOOL_NOW": NOW})
    assert again.exit_code == 0, again.stderr
    assert snapshot(first) == snapshot(second), "two builds of the same tracker differ"

    ids = sorted(p.stem for p in (repo_copy / "tracker.d").glob("*.yaml"))
    pages = sorted(str(p.relative_to(first)) for p in first.rglob("*.html"))
    assert pages == sorted(
        ["index.html", "timeline.html", "decisions.html", "scores.html"] + [f"brokers/{i}.html" for i in ids]
    )
    files = sorted(str(p.relative_to(first)) for p in first.rglob("*") if p.is_file())
    assert (first / ".govtool-site").read_text().splitlines() == [f for f in files if f != ".govtool-site"]

    from plotly.offline import get_plotlyjs

    assert (first / "assets/plotly.min.js").read_text() == get_plotlyjs()  # plotly's own, embedded once
    for name in pages:
        page = Page((first / name).read_text())
        for tag, attrs in page.tags:
            link = (
                attrs.get("src") if tag in ("script", "img", "iframe") else attrs.get("href") if tag == "link" else None
            )
            if link is not None:
                assert "://" not in link and not link.startswith("//"), (name, tag, link)
                assert (first / name).parent.joinpath(link).resolve().is_file(), (name, link)
            assert tag not in ("img", "iframe", "object", "embed", "base", "form"), (name, tag)
        for attrs, code in page.scripts:  # the CSP allows no inline script: only local files and data
            assert attrs.get("src") or (attrs.get("type") == "application/json" and json.loads(code)), (name, attrs)
        policy = next(
            a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
        )
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "connect-src 'none'" in policy


def test_html_templates_are_autoescaped_and_user_text_is_never_marked_safe():
    from govtool.templating import PACKAGED_TEMPLATES, environment

    env = environment(None)
    pages = sorted(p.relative_to(PACKAGED_TEMPLATES).as_posix() for p in (PACKAGED_TEMPLATES / "site").glob("*.html"))
    assert pages and all(env.autoescape(name) for name in pages), pages
    for name in pages:  # only govtool's own HTML (figure JSON, rendered Markdown) is Markup, made in site.py
        assert "|safe" not in (PACKAGED_TEMPLATES / name).read_text().replace(" ", "")


def test_the_overview_shows_the_figures_of_status_json(repo_copy, govtool, tmp_path):
    assert build(govtool, repo_copy, tmp_path / "site").exit_code == 0
    status = govtool(repo_copy, "status", "--json", now=NOW)
    assert status.exit_code == 0, status.stderr
    page = Page((tmp_path / "site/index.html").read_text())
    assert overview_figures(page) == status_figures(json.loads(status.stdout))
    text = (tmp_path / "site/index.html").read_text()
    # The workstream's milestones, from this repo's settings: missed on their days (3 operational).
    assert 'data-milestone="2026-01-31"' in text and 'data-milestone="2026-02-07"' in text
    assert "Missed: 3 operational on 2026-01-31" in text
    # The decision log names every decision with its (absent) signature.
    log = (tmp_path / "site/decisions.html").read_text()
    assert log.count("<tr data-broker=") == 3 and log.count(">not signed</td>") == 3


def hostile_repo(make_repo, govtool) -> Path:
    """A repo whose broker name and research doc hold markup, links and an image."""
    root = make_repo({"acme": "pending"})
    tracker_text = (root / "tracker.yaml").read_text()
    tracker_text = tracker_text.replace("name: Acme", "name: 'Acme <script>alert(1)</script> & <b>Co</b>'")
    tracker_text = tracker_text.replace(
        "    status: pending", "    research_doc: docs/brokers/api-research/acme.md\n    status: pending"
    )
    (root / "tracker.yaml").write_text(tracker_text)
    doc = root / "docs/brokers/api-research/acme.md"
    doc.write_text(
        "---\nbroker: acme\nname: '<img src=x onerror=alert(2)>'\nscores:\n  user_demand: 4\n  cost_benefit: 3\n"
        "  technical_feasibility: 4\n  strategic_fit: 3\n  risk_assessment: 5\n---\n"
        "# Acme\n\n<!-- a template comment -->\n\n<script>alert(3)</script>\n\n"
        "Inline <img src=x onerror=alert(4)> and [a link](javascript:alert(5)) and [docs](https://acme.example/api).\n\n"
        "![tracking pixel](https://tracker.example/pixel.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    assert govtool(root, "render").exit_code == 0
    assert govtool(root, "validate").exit_code == 0
    return root


def test_text_a_pull_request_writes_stays_text(make_repo, govtool, tmp_path):
    root = hostile_repo(make_repo, govtool)
    site = tmp_path / "site"
    assert build(govtool, root, site).exit_code == 0
    page = (site / "brokers/acme.html").read_text()
    for raw in ("<script>alert", "<img", "onerror=alert(2)>", "<b>Co", 'href="javascript:', "a template comment"):
        assert raw not in page, raw
    assert "Acme &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;Co&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in page  # raw HTML in the doc, shown as text
    assert '<a href="https://acme.example/api" rel="nofollow noopener noreferrer">docs</a>' in page
    assert '<a class="image" href="https://tracker.example/pixel.png"' in page  # an image is a link, never fetched
    assert "<table>" in page and "<td>1</td>" in page  # the doc's Markdown table
    for name in ("index.html", "timeline.html", "scores.html", "decisions.html"):
        text = (site / name).read_text()
        assert "<script>alert" not in text and "<b>Co" not in text, name
        for attrs, code in Page(text).scripts:
            if attrs.get("type") == "application/json":
                assert "<" not in code and ">" not in code  # figure JSON cannot end its element
                # plotly.js reads a little HTML in text: names reach it escaped.
                assert "Acme <script>" not in json.loads(code).__repr__()
    scores = (site / "scores.html").read_text()
    assert "<td>3.70</td>" in scores  # 4*.3 + 3*.25 + 4*.2 + 3*.15 + 5*.1, from the doc's front matter


@pytest.mark.parametrize(
    "where",
    [".", "docs/brokers", "tracker.d", "templates", "foreign", "file.txt"],
)
def test_where_the_site_may_not_go(where, repo_copy, govtool):
    (repo_copy / "templates").mkdir(exist_ok=True)
    (repo_copy / "foreign").mkdir()
    (repo_copy / "foreign/notes.txt").write_text("mine\n")
    (repo_copy / "file.txt").write_text("a file\n")
    before = snapshot(repo_copy)
    result = build(govtool, repo_copy, repo_copy / where)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "nothing was written" in result.stderr and "hint:" in result.stderr
    assert snapshot(repo_copy) == before


def test_a_rebuild_removes_only_what_a_build_wrote(repo_copy, govtool, tmp_path):
    site = tmp_path / "site"
    assert build(govtool, repo_copy, site).exit_code == 0
    (site / "mine.txt").write_text("not govtool's\n")
    (repo_copy / "tracker.d/groww.yaml").unlink()
    assert govtool(repo_copy, "render").exit_code == 0
    again = build(govtool, repo_copy, site)
    assert again.exit_code == 0, again.stderr
    assert "removed brokers/groww.html (no longer in the tracker)" in again.stdout
    assert not (site / "brokers/groww.html").exists() and (site / "mine.txt").read_text() == "not govtool's\n"
    assert "brokers/groww.html" not in (site / ".govtool-site").read_text()


def test_a_linked_directory_in_the_site_is_refused(repo_copy, govtool, tmp_path):
    """A site committed by a pull request (git ignores /site/, but `git add -f` does not)
    whose brokers/ is a link into the governance docs: nothing is written through it."""
    site = repo_copy / "site"
    assert build(govtool, repo_copy, site).exit_code == 0
    for page in (site / "brokers").iterdir():
        page.unlink()
    (site / "brokers").rmdir()
    (site / "brokers").symlink_to(repo_copy / "docs/brokers")
    before = snapshot(repo_copy / "docs")
    result = build(govtool, repo_copy, site)
    assert result.exit_code == 2 and "leads outside" in result.stderr, result.stderr
    assert snapshot(repo_copy / "docs") == before


def test_the_default_is_site_under_the_root_and_git_ignores_it(repo_copy, govtool):
    result = govtool(repo_copy, "site")
    assert result.exit_code == 0, result.stderr
    assert (repo_copy / "site/index.html").is_file()
    assert "/site/" in (REPO / ".gitignore").read_text().splitlines()


def test_without_the_site_extra_it_says_how_to_install_it(repo_copy, tmp_path):
    """A real process in which plotly cannot be imported (as where `govtool[site]` is not installed)."""
    code = "import sys; sys.modules['plotly'] = None; from govtool.cli import main; main(sys.argv[1:])"
    proc = subprocess.run(
        [sys.executable, "-c", code, "--root", str(repo_copy), "site", "--out", str(tmp_path / "site")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "govtool site needs plotly, which is not installed" in proc.stderr
    assert "hint: pip install 'govtool[site]'" in proc.stderr
    assert not (tmp_path / "site").exists()


def test_an_empty_tracker_builds_a_site(tmp_path, govtool):
    root = tmp_path / "gov"
    assert govtool(None, "init", str(root)).exit_code == 0
    result = build(govtool, root, root / "site")
    assert result.exit_code == 0, result.stderr
    assert "0/0" in (root / "site/index.html").read_text()


MILESTONE_CASES = {
    "not a list": ("  milestones: 6/10\n", 0, "settings.milestones: expected a list"),
    "bad date": (
        "  milestones:\n  - date: Jan 31\n    operational: 6\n    total: 10\n",
        1,
        "settings.milestones[0].date: expected a date as YYYY-MM-DD",
    ),
    "more than the total": (
        "  milestones:\n  - date: '2026-01-31'\n    operational: 11\n    total: 10\n",
        2,
        "settings.milestones[0].operational: expected at most the total (10)",
    ),
    "out of order": (
        "  milestones:\n  - date: '2026-02-07'\n    operational: 10\n    total: 10\n"
        "  - date: '2026-01-31'\n    operational: 6\n    total: 10\n",
        4,
        "settings.milestones[1].date: milestones go in date order",
    ),
    "missing total": (
        "  milestones:\n  - date: '2026-01-31'\n    operational: 6\n",
        1,
        "settings.milestones[0]: missing total",
    ),
    "unknown key": (
        "  milestones:\n  - date: '2026-01-31'\n    operational: 6\n    total: 10\n    target: 6\n",
        4,
        "settings.milestones[0].target: unknown field",
    ),
}


@pytest.mark.parametrize("case", sorted(MILESTONE_CASES))
def test_milestones_are_validated(case, make_repo, govtool):
    text, offset, message = MILESTONE_CASES[case]
    root = make_repo()
    tracker = (root / "tracker.yaml").read_text()
    line = tracker[: tracker.index("  milestones: []\n")].count("\n") + 1 + offset
    (root / "tracker.yaml").write_text(tracker.replace("  milestones: []\n", text))
    result = govtool(root, "validate")
    assert result.exit_code == 2, result.stdout
    assert f"tracker.yaml:{line}: {message}" in result.stderr, result.stderr


def test_this_repos_milestones_are_the_workstream_guides(repo_copy):
    from govtool.storage import read_tracker

    milestones = read_tracker(repo_copy).settings.milestones
    assert [(m.date.isoformat(), m.operational, m.total) for m in milestones] == [
        ("2026-01-31", 6, 10),
        ("2026-02-07", 10, 10),
    ]
    assert [m.title for m in milestones] == ["6/10 by 2026-01-31", "10/10 by 2026-02-07"]


def test_the_flow_counts_each_status_at_the_end_of_each_day():
    tracker = build_tracker({"a": "completed", "b": "pending", "c": "researching"})
    history.record_event(tracker, "b", "decision", "PM", ts("2026-01-08"), decision="on_hold", reason="budget")
    history.record_event(tracker, "c", "research_completed", "Dev", ts("2026-01-09"))
    flow = timelines.status_flow(tracker)
    # All three start on 2026-01-05 (a completes and b waits the same day); b is put on hold on the 8th.
    assert [(p.day.isoformat(), {k: v for k, v in p.counts.items() if v}, p.tracked) for p in flow] == [
        ("2026-01-05", {"researching": 1, "pending": 1, "completed": 1}, 3),
        ("2026-01-08", {"researching": 1, "on_hold": 1, "completed": 1}, 3),
    ]
    spans = timelines.status_spans(tracker.brokers["b"])
    assert [(s.status, s.start.date().isoformat(), s.end and s.end.date().isoformat()) for s in spans] == [
        ("researching", "2026-01-05", "2026-01-05"),
        ("pending", "2026-01-05", "2026-01-08"),
        ("on_hold", "2026-01-08", None),
    ]


def test_milestones_are_met_missed_or_open():
    tracker = build_tracker({"a": "researching", "b": "researching"})
    for bid, day in (("a", "2026-01-20"), ("b", "2026-02-10")):
        at = ts(day)
        history.record_event(tracker, bid, "research_completed", "Dev", at)
        history.record_event(tracker, bid, "pm_notified", "Dev", at, kind="research-completed")
        history.record_event(tracker, bid, "decision", "PM", at, decision="approved")
        history.start(tracker, bid, "Dev", at)
        history.complete(tracker, bid, "Dev", at)
    flow = timelines.status_flow(tracker)
    milestones = (
        Milestone(dt.date(2026, 1, 31), 1, 2, None),
        Milestone(dt.date(2026, 2, 7), 2, 2, "all"),
        Milestone(dt.date(2026, 3, 1), 3, 3, None),
    )
    states = timelines.milestone_progress(milestones, flow, dt.date(2026, 2, 20))
    assert [(m["state"], m["operational_then"], m["reached_on"]) for m in states] == [
        ("met", 1, "2026-01-20"),
        ("missed", 1, "2026-02-10"),
        ("open", 2, None),
    ]
    assert states[2]["days_left"] == 9
    early = timelines.milestone_progress(milestones[:1], flow, dt.date(2026, 1, 25))
    assert early[0]["state"] == "met" and early[0]["days_left"] == 6


def test_the_pm_wait_of_each_decision_in_business_days():
    tracker = build_tracker({"a": "researching", "b": "researching"})
    # a: notified Friday 2026-01-16, decided Friday 2026-01-23: Monday the 19th is an NYSE holiday -> 4 days.
    history.record_event(tracker, "a", "research_completed", "Dev", ts("2026-01-16"))
    history.record_event(tracker, "a", "pm_notified", "Dev", ts("2026-01-16"), kind="research-completed")
    history.record_event(tracker, "a", "decision", "PM", ts("2026-01-23"), decision="approved")
    history.record_event(tracker, "b", "research_completed", "Dev", ts("2026-01-16"))
    history.record_event(tracker, "b", "pm_notified", "Dev", ts("2026-01-16"), kind="research-completed")
    from govtool.dashboard import status_dashboard

    status = status_dashboard(tracker, dt.date(2026, 1, 30))
    waits = timelines.decision_waits(tracker, decision_entries(tracker), status["pending_decisions"])
    assert [(w["label"], w["business_days"], w["waiting"]) for w in waits] == [
        ("D1 A", 4, False),
        ("B (waiting)", 9, True),
    ]
    assert waits[1]["business_days"] == status["pending_decisions"][0]["business_days_waiting"]


def test_a_decision_without_a_signature_is_not_signed():
    tracker = build_tracker({"a": "approved"})
    (entry,) = decision_entries(tracker)
    assert entry["signature"] == {"state": "not signed", "detail": "the decision carries no signature"}
    assert entry["notified_on"] == "2026-01-05"
    assert lifecycle.STATUS_LABELS[entry["decision"]] == "Approved"


def test_dump_of_a_tracker_with_milestones_round_trips(make_repo, govtool):
    root = make_repo({"a": "researching"})
    text = (
        (root / "tracker.yaml")
        .read_text()
        .replace("  milestones: []\n", "  milestones:\n  - date: '2026-01-31'\n    operational: 1\n    total: 1\n")
    )
    (root / "tracker.yaml").write_text(text)
    from govtool.storage import read_tracker

    assert dump_tracker(read_tracker(root)) == text


def test_each_decisions_signature_is_verified_on_the_site(tmp_path, govtool):
    """Decisions signed with real keys: one by the approver listed in allowed-signers
    (verified), one by a key the file does not give that email (bad signature), one
    unsigned; without the allowed-signers file a signed decision shows unverified."""
    from conftest import build_tracker, sign_approval, ssh_keypair

    from govtool.decisions import decision_entries
    from govtool.settings import Settings

    pm_key, pm_public = ssh_keypair(tmp_path / "keys", "pm")
    other_key, _ = ssh_keypair(tmp_path / "keys", "other")
    tracker = build_tracker({"alpaca": "approved", "oanda": "approved", "ibkr": "approved"})
    tracker.settings = Settings.with_defaults({"gate": {"approvers": ["pm@example.com"]}})
    sign_approval(tracker, "alpaca", "pm@example.com", pm_key)
    sign_approval(tracker, "oanda", "pm@example.com", other_key)
    allowed = f"pm@example.com {pm_public}\n"
    states = {e["broker"]: e["signature"]["state"] for e in decision_entries(tracker, allowed)}
    assert states == {"alpaca": "verified", "oanda": "bad signature", "ibkr": "not signed"}
    unchecked = {e["broker"]: e["signature"]["state"] for e in decision_entries(tracker, None)}
    assert unchecked == {"alpaca": "unverified", "oanda": "unverified", "ibkr": "not signed"}
    root = tmp_path / "gov"
    assert govtool(None, "init", "--no-ci", str(root)).exit_code == 0
    from govtool.model import dump_tracker

    (root / "tracker.yaml").write_text(dump_tracker(tracker), encoding="utf-8")
    (root / ".github").mkdir(exist_ok=True)
    (root / ".github/allowed_signers").write_text(allowed, encoding="utf-8")
    result = build(govtool, root, tmp_path / "site")
    assert result.exit_code == 0, result.stderr
    page = (tmp_path / "site" / "decisions.html").read_text(encoding="utf-8")
    assert 'class="sig sig-verified"' in page and 'class="sig sig-bad-signature"' in page
