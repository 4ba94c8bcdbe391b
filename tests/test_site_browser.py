"""The site in a real browser: every page of this repo's site, and the main pages of a
1,000-broker tracker's, opened from the file system in headless Chromium.

Each page loads with no console error and no request outside the site, and every
chart draws (plotly's SVG with its traces); the overview shows the figures of
`govtool status --json`; the decision log's search filters its rows; the pages follow
the dark colour scheme and fit a phone's width. A screenshot of the overview is kept
(its path is printed; ``GOVTOOL_ARTIFACTS_DIR`` copies it there too).

The browser is the system's Chromium (Debian's package ``chromium``, or
``$GOVTOOL_CHROMIUM``), driven by Playwright's Python client, whose own browser
download is never used. Without a browser these tests skip with a reason that says
how to get one; with ``CI=true`` or ``GOVTOOL_REQUIRE_BROWSER=1`` they fail instead
(`.ci/run` installs Chromium when it is missing).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_process

NOW = "2026-11-21T12:00:00Z"
#: As the machine's notes say Chromium must run here: headless, as root without the
#: sandbox, and with none of its own background connections.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = ["index.html", "timeline.html", "decisions.html", "scores.html"]


def chromium_path() -> str | None:
    """The system's Chromium: ``$GOVTOOL_CHROMIUM``, else ``chromium`` on PATH, else /usr/bin/chromium."""
    for candidate in (
        os.environ.get("GOVTOOL_CHROMIUM"),
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
        "/usr/bin/chromium",
    ):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def browser_or_skip() -> str:
    """The Chromium to use, or skip (fail under CI=true / GOVTOOL_REQUIRE_BROWSER=1) saying how to get one."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright's Python client is not installed (python3 -m pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        missing.append(
            "no Chromium found: install the system's package (Debian/Ubuntu: apt-get install chromium) "
            "or set GOVTOOL_CHROMIUM to a Chromium or Chrome binary"
        )
    if missing:
        reason = "the site's browser tests need a real browser: " + "; ".join(missing)
        if os.environ.get("CI") == "true" or os.environ.get("GOVTOOL_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (CI=true or GOVTOOL_REQUIRE_BROWSER=1 makes this a failure)", pytrace=False)
        pytest.skip(reason)
    return path


def test_without_a_browser_the_reason_says_how_to_get_one(monkeypatch):
    """No Chromium: a skip that says how to get one; a failure under CI=true or GOVTOOL_REQUIRE_BROWSER=1."""
    monkeypatch.setattr(sys.modules[__name__], "chromium_path", lambda: None)
    monkeypatch.delenv("GOVTOOL_REQUIRE_BROWSER", raising=False)
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser_or_skip()
    for name, value in (("CI", "true"), ("GOVTOOL_REQUIRE_BROWSER", "1")):
        monkeypatch.setenv("CI", "false")
        monkeypatch.setenv(name, value)
        with pytest.raises(pytest.fail.Exception, match="makes this a failure"):
            browser_or_skip()
        monkeypatch.delenv("GOVTOOL_REQUIRE_BROWSER", raising=False)


@pytest.fixture(scope="module")
def browser():
    path = browser_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        _SHARED.pop(id(chromium), None)
        chromium.close()


class Visit:
    """One page opened in a browser context (a new one for ``context`` options, else the
    browser's shared one), with what it logged and requested."""

    def __init__(self, browser, site: Path, name: str, **context) -> None:
        self.context = browser.new_context(**context) if context else None
        owner = self.context or shared_context(browser)
        self.page = owner.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        base = site.resolve().as_uri() + "/"
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.on("request", lambda r: r.url.startswith(base) or self.outside.append(r.url))
        self.page.goto((site / name).resolve().as_uri(), wait_until="load")

    def close(self) -> None:
        self.page.close()
        if self.context is not None:
            self.context.close()


_SHARED: dict[int, object] = {}


def shared_context(browser):
    """One default context per browser: a new context costs a few hundred milliseconds."""
    if id(browser) not in _SHARED:
        _SHARED[id(browser)] = browser.new_context()
    return _SHARED[id(browser)]


#: Each chart of a page: its traces drawn by plotly and the marks inside them, the SVG's
#: size, and the rows of its text alternative.
CHARTS_JS = """
() => Array.from(document.querySelectorAll('section.chart')).map(section => {
  const plot = section.querySelector('div[data-plot]');
  const svg = plot && plot.querySelector('svg.main-svg');
  const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  const drawnMark = (m) => (m.getAttribute('d') || m.getAttribute('width') || '') !== ''
    && m.getAttribute('d') !== 'M0,0Z';
  const marks = plot ? Array.from(plot.querySelectorAll('g.trace path, g.trace rect')).filter(drawnMark).length : 0;
  return {
    id: section.id,
    empty: !plot,
    traces: plot && plot.data ? plot.data.length : 0,
    drawnTraces: plot ? plot.querySelectorAll('g.trace').length : 0,
    marks: marks,
    width: box.width,
    height: box.height,
    label: plot ? plot.getAttribute('aria-label') : '',
    tableRows: section.querySelectorAll('details.alternative table tbody tr').length,
  };
})
"""


def check_page(browser, site: Path, name: str, keep_open: bool = False, **context) -> tuple[list[dict], Visit]:
    """Open a page; assert no console error, no request out, every chart drawn with its table.

    Returns:
        The charts as :data:`CHARTS_JS` reads them, and the visit (closed unless ``keep_open``).
    """
    visit = Visit(browser, site, name, **context)
    try:
        assert visit.errors == [], (name, visit.errors)
        assert visit.outside == [], (name, visit.outside)
        charts = visit.page.evaluate(CHARTS_JS)
        for chart in charts:
            assert not chart["empty"], (name, chart)
            assert chart["traces"] >= 1 and chart["drawnTraces"] >= chart["traces"], (name, chart)
            assert chart["marks"] >= 1 and chart["width"] > 100 and chart["height"] > 100, (name, chart)
            assert chart["label"] and chart["tableRows"] >= 1, (name, chart)
    finally:
        if not keep_open:
            visit.close()
    return charts, visit


def build_site(root: Path, out: Path) -> None:
    result = run_process("--root", str(root), "site", "--out", str(out), env={"GOVTOOL_NOW": NOW})
    assert result.exit_code == 0, result.stderr


def artifact(tmp_path_factory, name: str) -> Path:
    """Where a screenshot is kept: under pytest's base temp dir (and in $GOVTOOL_ARTIFACTS_DIR when set)."""
    return tmp_path_factory.getbasetemp() / "artifacts" / name


def keep(path: Path) -> None:
    wanted = os.environ.get("GOVTOOL_ARTIFACTS_DIR")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(wanted) / path.name)
    print(f"screenshot kept: {path}", file=sys.stderr)


OVERVIEW_JS = """() => {
  const text = (el) => el.textContent.trim();
  const all = (sel) => Array.from(document.querySelectorAll(sel));
  const figure = (row, name) => row.querySelector(`[data-figure="${name}"]`);
  return {
    operational: text(figure(document, 'operational')),
    counts: Object.fromEntries(all('[data-figure^="count-"]').map(e => [e.dataset.figure.slice(6), +text(e)])),
    pending: all('#pending-table tbody tr').map(r => [r.dataset.broker, +text(figure(r, 'waiting')),
                                                      +figure(r, 'level').dataset.level]),
    blockers: all('#blockers li').map(li => [li.dataset.broker, text(figure(li, 'blockers'))]),
    brokers: all('#brokers-table tbody tr').map(r => [r.dataset.broker,
                                                     r.querySelector('[data-status]').dataset.status]),
  };
}"""


COLOURS_JS = """() => {
  const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number);
  const lum = (c) => { const [r, g, b] = rgb(c); return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255; };
  const tick = document.querySelector('g.xtick text') || document.body;
  return {page: lum(getComputedStyle(document.body).backgroundColor),
          text: lum(getComputedStyle(document.body).color),
          chartText: lum(getComputedStyle(tick).fill || getComputedStyle(tick).color)};
}"""
VISIBLE_ROWS_JS = "Array.from(document.querySelectorAll('#decision-log tbody tr')).filter(r => !r.hidden).length"
FITS_A_PHONE_JS = "document.documentElement.scrollWidth <= 390"


def wait_until(visit: Visit, predicate: str, seconds: float = 5) -> None:
    """Poll ``predicate`` (a JavaScript function) until it returns true. (Playwright's own
    wait_for_function evaluates a string, which the pages' CSP rightly refuses.)"""
    for _ in range(int(seconds / 0.05)):
        if visit.page.evaluate(predicate):
            return
        visit.page.wait_for_timeout(50)
    raise AssertionError(f"not true after {seconds} s: {predicate}")


def on_a_phone(visit: Visit) -> None:
    """Narrow the page to a phone's 390 CSS pixels; it must fit, with no sideways scroll
    (plotly redraws its charts to the new width)."""
    visit.page.set_viewport_size({"width": 390, "height": 844})
    wait_until(visit, f"() => {FITS_A_PHONE_JS}")


def test_every_page_of_this_repos_site_in_chromium(browser, repo_copy, tmp_path, tmp_path_factory, record_property):
    """Every page loads cleanly and draws its charts; the overview shows `status --json`'s
    figures, follows the dark scheme and fits a phone; the decision log's search works."""
    site = tmp_path / "site"
    build_site(repo_copy, site)
    names = PAGES + sorted(f"brokers/{p.name}" for p in (site / "brokers").glob("*.html"))
    assert len(names) == 16
    drawn, overview = check_page(browser, site, "index.html", keep_open=True, viewport={"width": 1200, "height": 900})
    try:
        assert [c["id"] for c in drawn] == ["flow", "burnup"]
        # The overview's figures are those of `govtool status --json` for the same day.
        status = run_process("--root", str(repo_copy), "status", "--json", env={"GOVTOOL_NOW": NOW})
        assert status.exit_code == 0, status.stderr
        expected = json.loads(status.stdout)
        shown = overview.page.evaluate(OVERVIEW_JS)
        op = expected["operational"]
        assert shown["operational"] == f"{op['completed']}/{op['total']}" == "3/12"
        assert shown["counts"] == expected["counts"]
        assert shown["pending"] == [
            [p["id"], p["business_days_waiting"], p["escalation_level"]] for p in expected["pending_decisions"]
        ]
        assert shown["blockers"] == [[b["id"], "; ".join(b["blockers"])] for b in expected["brokers"] if b["blockers"]]
        assert shown["brokers"] == [[b["id"], b["status"]] for b in expected["brokers"]]
        light = overview.page.evaluate(COLOURS_JS)
        assert light["page"] > 0.9 and light["text"] < 0.3 and light["chartText"] < 0.3, light
        shot = artifact(tmp_path_factory, "overview.png")
        shot.parent.mkdir(parents=True, exist_ok=True)
        overview.page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 20_000
        record_property("overview_screenshot", str(shot))
        keep(shot)
        # The system turns dark: the page and the charts' text follow (site.js recolours them).
        overview.page.emulate_media(color_scheme="dark")
        wait_until(overview, f"() => ({COLOURS_JS})().chartText > 0.7")
        dark = overview.page.evaluate(COLOURS_JS)
        assert dark["page"] < 0.2 and dark["text"] > 0.7, dark
        on_a_phone(overview)
        assert overview.errors == []
    finally:
        overview.close()

    # The decision log on a phone: it fits, and its search filters the rows as one types.
    _, log = check_page(browser, site, "decisions.html", keep_open=True)
    try:
        on_a_phone(log)
        log.page.fill("#decision-search", "tradovate")
        assert log.page.evaluate(VISIBLE_ROWS_JS) == 1
        assert log.page.text_content("#decision-count") == "1 of 3 decisions"
        log.page.fill("#decision-search", "approved pm")  # every word, anywhere in the row
        assert log.page.text_content("#decision-count") == "3 of 3 decisions"
        log.page.fill("#decision-search", "no such decision")
        assert log.page.evaluate(VISIBLE_ROWS_JS) == 0
        assert log.errors == []
    finally:
        log.close()

    charts = {}
    for name in names[1:]:
        if name == "decisions.html":
            continue
        charts[name], visit = check_page(browser, site, name, keep_open=True)
        try:
            if name in ("timeline.html", "brokers/alpaca.html"):
                on_a_phone(visit)
        finally:
            visit.close()
    assert [c["id"] for c in charts["timeline.html"] + charts["scores.html"]] == ["timeline", "scores"]


@pytest.fixture(scope="module")
def big_site(tmp_path_factory):
    """The site of a generated tracker of 1,000 brokers x 50 events (benchmarks/scale.py),
    with a scored research doc for one broker in 20."""
    browser_or_skip()  # skip before the minute of building when no browser is there
    sys.path.insert(0, str(REPO / "benchmarks"))
    from scale import add_research_docs, build_repo

    root = tmp_path_factory.mktemp("scale") / "gov"
    build_repo(root, 1000)
    assert add_research_docs(root, 1000) == 50
    site = root.parent / "site"
    build_site(root, site)
    return site


def test_the_main_pages_of_a_1000_broker_site_in_chromium(browser, big_site):
    assert sum(1 for _ in (big_site / "brokers").glob("*.html")) == 1000
    for name in [*PAGES, "brokers/broker-0000.html", "brokers/broker-0501.html", "brokers/broker-0999.html"]:
        charts, _ = check_page(browser, big_site, name)
        if name == "timeline.html":
            (timeline,) = charts
            assert timeline["marks"] >= 1000, timeline  # a bar or more per broker
        if name == "scores.html":
            assert charts[0]["tableRows"] == 50
