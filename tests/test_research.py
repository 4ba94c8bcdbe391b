"""Research docs: scaffolding, pre-filling from the real specs, the checklist, the matrix."""

from __future__ import annotations

import json
import re

import pytest
from conftest import filled_research_doc, shared_path, snapshot

from govtool.decision_matrix import MATRIX_FACTORS, score_matrix
from govtool.openapi_facts import read_spec_facts
from govtool.research_doc import MATRIX_END
from govtool.settings import Settings
from govtool.storage import read_tracker

DEFAULT_MATRIX = Settings.with_defaults({}).decision_matrix


def real_spec(name: str):
    """A spec of the shared corpus (skips, or fails under GOVTOOL_REQUIRE_CORPUS=1, without it)."""
    return shared_path("real-specs", name)


# What ../shared/real-specs/SOURCES.md lists for each spec; the environments are what
# each server's description (or, without one, its URL) says.
SOURCES = {
    "alpaca-trading-api.yaml": {
        "title": "Trader API 2.0.0",
        "counts": (15, 29),
        "servers": [("https://paper-api.alpaca.markets", "paper"), ("https://api.alpaca.markets", "live")],
        "auth": ["API key in header APCA-API-KEY-ID", "API key in header APCA-API-SECRET-KEY"],
        "rate_limit_mentions": 0,
    },
    "alpaca-broker-api.yaml": {
        "title": "Broker API 1.0.0",
        "counts": (36, 52),
        "servers": [
            ("https://broker-api.sandbox.alpaca.markets", "sandbox"),
            ("https://broker-api.alpaca.markets", "live"),
        ],
        "auth": ["HTTP basic authentication"],
        "rate_limit_mentions": 0,
    },
    "alpaca-data-api.yaml": {
        "title": "Market Data API 2.0.0",
        "counts": (36, 36),
        "servers": [("https://data.alpaca.markets", "live"), ("https://data.sandbox.alpaca.markets", "sandbox")],
        "auth": ["API key in header APCA-API-KEY-ID", "API key in header APCA-API-SECRET-KEY"],
        "rate_limit_mentions": 0,
    },
    "alpaca-oauth-api.yaml": {
        "title": "OAuth API 1.0.0",
        "counts": (2, 2),
        "servers": [("https://data.alpaca.markets/v2", "live"), ("https://data.sandbox.alpaca.markets/v2", "sandbox")],
        "auth": ["API key in header APCA-API-KEY-ID", "API key in header APCA-API-SECRET-KEY"],
        "rate_limit_mentions": 0,
    },
    "oanda-v20.json": {
        "title": "OANDA v20 REST API 3.0.25",
        "counts": (38, 40),
        "servers": [("(no host) /v3", None)],
        "auth": ["Authorization header parameter: Bearer token"],
        "rate_limit_mentions": 0,
    },
    "oanda-v20-openapi3.yaml": {
        "title": "OANDA v20 REST API 3.0.25",
        "counts": (30, 32),
        "servers": [
            ("https://api-fxtrade.oanda.com/v3", "live"),
            ("https://api-fxpractice.oanda.com/v3", "paper"),
            ("https://stream-fxtrade.oanda.com/v3", "live"),
            ("https://stream-fxpractice.oanda.com/v3", "paper"),
        ],
        "auth": ["HTTP bearer authentication"],
        "rate_limit_mentions": 0,
    },
    "binance-spot-api.yaml": {
        "title": "Binance Public Spot API 1.0",
        "counts": (316, 340),
        "servers": [("https://api.binance.com", None), ("https://testnet.binance.vision", "sandbox")],
        "auth": ["API key in header X-MBX-APIKEY"],
        "rate_limit_mentions": 23,
    },
}


def load_real(spec: str) -> dict:
    """A real spec as PyYAML (or json) loads it: the tests' own reading, to check govtool's against."""
    import yaml

    text = real_spec(spec).read_text(encoding="utf-8")
    return json.loads(text) if spec.endswith(".json") else yaml.load(text, Loader=yaml.CSafeLoader)


@pytest.mark.parametrize("spec", sorted(SOURCES))
def test_facts_of_each_real_spec_match_its_sources_entry(spec):
    expected = SOURCES[spec]
    facts = read_spec_facts(real_spec(spec))
    assert f"{facts.title} {facts.api_version}" == expected["title"]
    assert (facts.path_count, facts.operation_count) == expected["counts"]
    assert [(s.url, s.environment) for s in facts.servers] == expected["servers"]
    assert [a.detail for a in facts.auth if a.kind != "signature"] == expected["auth"]
    assert facts.rate_limit_mentions == expected["rate_limit_mentions"]
    assert facts.unresolved_refs == [] and facts.warnings == []


@pytest.mark.parametrize("spec", sorted(SOURCES))
def test_every_declared_error_status_of_each_real_spec_is_counted(spec):
    document = load_real(spec)
    expected: dict[str, int] = {}
    for item in document["paths"].values():
        for method, op in item.items():
            if method in ("get", "put", "post", "delete", "patch") and isinstance(op, dict):
                for code in op.get("responses") or {}:
                    code = str(code)
                    if code == "default" or code[0] in "45":
                        expected[code] = expected.get(code, 0) + 1
    assert read_spec_facts(real_spec(spec)).error_responses == expected


@pytest.mark.parametrize("spec", sorted(SOURCES))
def test_the_chosen_endpoints_of_each_real_spec_are_reads_private_first(spec):
    facts = read_spec_facts(real_spec(spec))
    ranks = [{"private": 0, "unstated": 1, "public": 2}[e.access] for e in facts.sync_endpoints]
    assert ranks == sorted(ranks)
    assert all(e.action == "read" for e in facts.sync_endpoints)
    assert all(e.action in ("place", "cancel", "amend", "close", "create", "delete") for e in facts.write_endpoints)
    assert all(e.reason.startswith(f"{e.category}: ") for e in facts.sync_endpoints + facts.write_endpoints)


def test_binance_account_reads_come_before_its_public_market_trades():
    facts = read_spec_facts(real_spec("binance-spot-api.yaml"))
    chosen = [f"{e.method} {e.path}" for e in facts.sync_endpoints]
    for private in ("GET /api/v3/account", "GET /api/v3/allOrders", "GET /api/v3/myTrades"):
        assert private in chosen
        assert chosen.index(private) < chosen.index("GET /api/v3/trades")
    (trades,) = [e for e in facts.sync_endpoints if e.path == "/api/v3/trades"]
    assert trades.access == "public" and trades.rate_limit == "weight 10 (IP)"
    writes = {(e.method, e.path): e.action for e in facts.write_endpoints}
    assert writes[("POST", "/api/v3/order")] == "place" and writes[("DELETE", "/api/v3/order")] == "cancel"
    (signature,) = [a for a in facts.auth if a.kind == "signature"]
    assert signature.detail.startswith(
        "Request signature (HMAC SHA256) in query signature; timestamp in query timestamp"
    )


def test_binance_rate_limit_prose_is_quoted_with_where_it_was_found():
    facts = read_spec_facts(real_spec("binance-spot-api.yaml"))
    assert "/api/v3/rateLimit/order" in facts.rate_limit_paths
    limits = {(r.text, r.scope): r for r in facts.rate_limits}
    account = limits[("1 per 3 seconds", "per account")]
    assert account.quote == "Rate Limit: 1/3s per account"
    assert account.where.startswith("POST /sapi/v1/") and account.occurrences == 4
    assert limits[("10 requests per second", "")].where == "GET /sapi/v1/capital/withdraw/history"
    # Request weights are counted where they are rate limits ("Weight(IP): 20"), not in
    # weightedAvgPrice or "Time-Weighted Average Price".
    raw = len(re.findall(r"weight", real_spec("binance-spot-api.yaml").read_text(), re.IGNORECASE))
    assert facts.weighted_operations > 300 and facts.weight_range == "1-90000"
    assert facts.weighted_operations <= facts.weight_mentions < raw


@pytest.mark.parametrize("spec", sorted(SOURCES))
def test_research_new_from_every_real_spec(spec, make_repo, govtool):
    root = make_repo()
    result = govtool(root, "research", "new", "acme", "--name", "Acme", "--from-openapi", str(real_spec(spec)))
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    doc = (root / "docs/brokers/api-research/acme.md").read_text()
    expected = SOURCES[spec]
    assert f"The spec has {expected['counts'][1]} operations on {expected['counts'][0]} paths." in doc
    for url, environment in expected["servers"]:
        assert f"- `{url}` (**{environment or 'environment not stated'}**)" in doc
    for detail in expected["auth"]:
        assert detail.replace("_", "\\_") in doc
    # What a spec cannot tell stays a placeholder: the check keeps failing.
    assert govtool(root, "research", "check", "acme").exit_code == 1


def test_alpaca_trading_spec_prefills_the_sync_endpoints(make_repo, govtool):
    root = make_repo()
    spec = real_spec("alpaca-trading-api.yaml")
    assert govtool(root, "research", "new", "alpaca", "--name", "Alpaca", "--from-openapi", str(spec)).exit_code == 0
    doc = (root / "docs/brokers/api-research/alpaca.md").read_text()
    for path in ("/v2/account", "/v2/positions", "/v2/orders", "/v2/account/activities"):
        assert f"| GET | `{path}` |" in doc
    assert "| POST | `/v2/orders` | place orders | Order |" in doc
    assert "| DELETE | `/v2/positions` | close positions | All Positions |" in doc
    assert "| 403 | 1 |" in doc and "| 422 | 2 |" in doc and "| 500 | 2 |" in doc
    assert "- **Sandbox / paper environment**: `https://paper-api.alpaca.markets` (paper), from the spec." in doc


def test_a_fresh_doc_fails_with_a_finding_for_every_placeholder_line(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    text = (root / "docs/brokers/api-research/acme.md").read_text()
    body_start = text.index("\n## 1. Overview")
    uncommented = re.sub(r"<!--.*?-->", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    placeholder_lines = [
        number
        for number, line in enumerate(uncommented.split("\n"), 1)
        if re.search(r"\b(TODO|TBD)\b", line) and number > text[:body_start].count("\n") + 1
    ]
    assert len(placeholder_lines) > 30
    result = govtool(root, "research", "check", "acme", "--json")
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["brokers"]["acme"]
    in_sections = [f for f in findings if f["section"] is not None]
    assert [f["line"] for f in in_sections] == placeholder_lines  # every one, not the first of each section
    assert sorted({f["section"] for f in in_sections}) == list(range(1, 12))
    front = [f["message"] for f in findings if f["section"] is None]
    assert "front matter: authentication is not set (the scheme, e.g. OAuth 2.0 or API key)" in front
    text = govtool(root, "research", "check", "acme").stdout
    assert re.search(
        r"^docs/brokers/api-research/acme\.md:\d+: section 4 \(Rate Limits\) still has a placeholder", text, re.M
    )


def test_a_filled_doc_passes_and_the_check_writes_nothing(make_repo, govtool):
    """Read commands never write: research_completed is recorded by notify, not by the check."""
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    (root / "docs/brokers/api-research/acme.md").write_text(filled_research_doc())
    before = snapshot(root)
    for argv in (["research", "check"], ["research", "check", "acme", "--json"]):
        result = govtool(root, *argv)
        assert result.exit_code == 0, result.stdout + result.stderr
        assert snapshot(root) == before
    assert "acme: research doc complete" in govtool(root, "research", "check").stdout
    assert json.loads(govtool(root, "research", "check", "--json").stdout)["passed"] == ["acme"]
    assert [e.event for e in read_tracker(root).broker("acme").history] == ["research_started"]
    notified = govtool(root, "notify", "acme", "--sent-by-hand")
    assert notified.exit_code == 0, notified.stderr
    assert "recorded research_completed for acme" in notified.stdout
    events = [e.event for e in read_tracker(root).broker("acme").history]
    assert events == ["research_started", "research_completed", "pm_notified"]
    assert "✅ complete" in (root / "docs/brokers/api-research/README.md").read_text()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("## 4. Rate Limits\n", "## 4. Limits\n"), "section 4 is titled 'Limits'"),
        (
            lambda t: t.replace("Real findings for rate limits.", "TBD"),
            "section 4 (Rate Limits) still has a placeholder",
        ),
        (lambda t: t.replace("Real findings for costs.", "<!-- later -->"), "section 8 (Costs) has no content"),
        (lambda t: t.replace("\n## 9. Effort & Maintenance\n", "\n"), "section 9 (Effort & Maintenance) is missing"),
        (lambda t: t.replace("tier: 2", "tier: two"), "front matter: tier: expected a tier 1-4 (got 'two')"),
        (lambda t: t.replace("maintenance: Low", "maintenance: Lowish"), "maintenance: expected Low, Medium or High"),
        (lambda t: t.replace("risk_assessment: 4}", "risk_assessment: 4.2}"), "risk_assessment: a score is a number"),
        (lambda t: t.replace("---\nbroker", "broker", 1), "no front matter"),
        (lambda t: t.replace("broker: acme", "broker: other"), "front matter: broker is not 'acme'"),
    ],
)
def test_each_gap_is_a_finding_with_its_line(edit, message, make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    (root / "docs/brokers/api-research/acme.md").write_text(edit(filled_research_doc()))
    result = govtool(root, "research", "check", "acme")
    assert result.exit_code == 1
    assert re.search(r"^docs/brokers/api-research/acme\.md:\d+: .*" + re.escape(message), result.stdout, re.M), (
        result.stdout
    )


def test_headings_inside_code_blocks_do_not_count(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    text = filled_research_doc().replace("\n## 11.", "\n```\n## 12. Fake\n```\n\n## 11.")
    (root / "docs/brokers/api-research/acme.md").write_text(text)
    assert govtool(root, "research", "check", "acme").exit_code == 0


def test_research_new_refuses_bad_ids_existing_docs_and_bad_specs(make_repo, govtool, tmp_path):
    root = make_repo()
    before = snapshot(root)
    for bad in ("../evil", "Alpaca", "a--b", "a/b", "x-"):
        result = govtool(root, "research", "new", bad, "--name", "X")
        assert result.exit_code == 2, bad
        assert "not a broker id" in result.stderr
    not_openapi = tmp_path / "not-openapi.yaml"
    not_openapi.write_text("name: a config file\nvalues: [1, 2]\n")
    result = govtool(root, "research", "new", "acme", "--name", "Acme", "--from-openapi", str(not_openapi))
    assert result.exit_code == 2 and "not an OpenAPI 3.x or Swagger 2.0 document" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"openapi": "3.0.0",\n "paths": {,}}')
    result = govtool(root, "research", "new", "acme", "--name", "Acme", "--from-openapi", str(broken))
    assert result.exit_code == 2 and "broken.json:2: not valid JSON" in result.stderr
    assert govtool(root, "research", "new", "acme", "--name", "Acme", "--tier", "9").exit_code == 2
    assert snapshot(root) == before
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    doc.write_text("mine")
    result = govtool(root, "research", "new", "acme", "--name", "Acme")
    assert result.exit_code == 2 and "already exists" in result.stderr and doc.read_text() == "mine"
    assert govtool(root, "research", "new", "acme", "--name", "Acme", "--force").exit_code == 0
    assert doc.read_text().startswith("---\nbroker: acme\n")
    assert len(read_tracker(root).broker("acme").events("research_started")) == 1


def test_the_matrix_of_the_process_document():
    def total(*values):
        return score_matrix(dict(zip(MATRIX_FACTORS, values, strict=True)), DEFAULT_MATRIX)

    result = total(5, 4, 3, 2, 1)
    assert (result.total_shown, result.band) == ("3.50", "approve (medium priority)")
    assert total(4, 4, 4, 4, 4).band == "approve (high priority)"
    assert total(3, 3, 3, 3, 3).band == "approve (medium priority)"
    assert total(2, 2, 2, 2, 2).band == "on hold"
    assert total(1.5, 2, 2, 2, 2).band == "reject"  # 1.85
    assert total(4, 4, 4, 4, 3.5).total_shown == "3.95"
    assert total(4, 4, 4, 4, 3.5).band == "approve (medium priority)"


def test_score_stores_in_the_doc_and_reads_it_back(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    body_before = doc.read_text().split("\n---\n", 1)[1]
    result = govtool(
        root, "score", "acme", "--user-demand", "5", "--cost-benefit", "4", "--technical-feasibility", "3",
        "--strategic-fit", "2", "--risk-assessment", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    for cell in ("User Demand", "30%", "1.50", "Total", "3.50", "approve (medium priority)"):
        assert cell in result.stdout
    assert "wrote the decision matrix into section 11 of docs/brokers/api-research/acme.md" in result.stdout
    body_after = doc.read_text().split("\n---\n", 1)[1]
    assert body_after != body_before
    assert _without_matrix(body_after) == _without_matrix(body_before)  # only the table's block changed
    assert "scores:\n  user_demand: 5\n  cost_benefit: 4\n" in doc.read_text()
    data = json.loads(govtool(root, "score", "acme", "--json").stdout)
    assert data["total"] == 3.5 and data["band"] == "approve (medium priority)"
    event = read_tracker(root).broker("acme").history[-1]
    assert (event.event, event.details) == ("scored", {"score": 3.5, "band": "approve (medium priority)"})
    partial = govtool(root, "score", "acme", "--user-demand", "1", "--json")
    assert json.loads(partial.stdout)["total_shown"] == "2.30"


def test_the_rows_add_up_to_the_total_shown(make_repo, govtool):
    """Each row's weighted score exactly, the total their exact sum shown as X.XX half up."""
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    flags = ["--user-demand", "3", "--cost-benefit", "2.5", "--technical-feasibility", "3", "--strategic-fit", "3"]
    result = govtool(root, "score", "acme", *flags, "--risk-assessment", "3")
    assert result.exit_code == 0, result.stderr
    cells = [line.split("│") for line in result.stdout.splitlines() if "│" in line]
    rows = {cell[1].strip(): cell[4].strip() for cell in cells}
    assert rows["Cost/Benefit"] == "0.625" and rows["User Demand"] == "0.90" and rows["Strategic Fit"] == "0.45"
    assert "2.88" in rows["Total"] and "Band: on hold (total 2.88)" in result.stdout  # 2.875, half up
    data = json.loads(govtool(root, "score", "acme", "--json").stdout)
    assert [f["weighted_shown"] for f in data["factors"]] == ["0.90", "0.625", "0.60", "0.45", "0.30"]
    assert (data["total"], data["total_shown"]) == (2.875, "2.88")
    shown = govtool(root, "show", "acme").stdout
    assert "score=2.88" in shown and "2.875" not in shown


@pytest.mark.parametrize("value", ["0", "6", "3.3", "nan", "abc"])
def test_scores_out_of_range_exit_2(value, make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    before = snapshot(root)
    result = govtool(root, "score", "acme", "--user-demand", value)
    assert result.exit_code == 2
    assert snapshot(root) == before


def test_score_without_scores_says_how(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    result = govtool(root, "score", "acme")
    assert result.exit_code == 2 and "no decision-matrix scores" in result.stderr


def test_a_front_matter_yaml_error_is_placed_at_its_line_in_the_doc(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    text = filled_research_doc().replace("regions: [US]", "regions: [US\nregions: [EU]")
    (root / "docs/brokers/api-research/acme.md").write_text(text)
    result = govtool(root, "research", "check", "acme")
    assert result.exit_code == 1
    assert "docs/brokers/api-research/acme.md:7: front matter: YAML syntax error" in result.stdout
    (root / "docs/brokers/api-research/acme.md").write_text(
        filled_research_doc().replace("tier: 2", "tier: 2\ntier: 3")
    )
    result = govtool(root, "research", "check", "acme")
    assert "acme.md:5: front matter: tier: duplicate key 'tier' (first at line 4)" in result.stdout


def _without_matrix(text: str) -> str:
    return re.sub(r"<!-- govtool:decision-matrix:begin.*?" + re.escape(MATRIX_END), "", text, flags=re.S)


def _section_11(doc_text: str) -> str:
    return doc_text.split("\n## 11. ", 1)[1]


def test_score_writes_the_matrix_table_into_section_11_and_rewrites_it(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    flags = ["--user-demand", "3", "--cost-benefit", "2", "--technical-feasibility", "3", "--strategic-fit", "2.5"]
    assert govtool(root, "score", "acme", *flags, "--risk-assessment", "2").exit_code == 0
    table = _section_11(doc.read_text())
    for row in (
        "| Factor | Weight | Score (1-5) | Weighted Score |",
        "| User Demand | 30% | 3 | 0.90 |",
        "| Strategic Fit | 15% | 2.5 | 0.375 |",  # exact: the rows add up to the total
        "| **Total** | **100%** | - | **2.58** |",
        "**Band**: on hold (weighted total 2.58)",
    ):
        assert row in table, table
    assert govtool(root, "score", "acme", "--user-demand", "5").exit_code == 0
    text = doc.read_text()
    assert text.count("<!-- govtool:decision-matrix:begin") == 1 and text.count(MATRIX_END) == 1
    assert "| User Demand | 30% | 5 | 1.50 |" in _section_11(text)
    assert "**Band**: approve (medium priority) (weighted total 3.18)" in _section_11(text)


def test_check_fails_where_the_matrix_table_disagrees_with_the_front_matter(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    filled = filled_research_doc()
    doc.write_text(filled)
    assert govtool(root, "research", "check", "acme").exit_code == 0
    # The scores changed by hand in the front matter; the table still shows the old ones.
    doc.write_text(filled.replace("user_demand: 4, cost_benefit", "user_demand: 2, cost_benefit"))
    result = govtool(root, "research", "check", "acme")
    assert result.exit_code == 1
    line = filled.split("\n").index("| User Demand | 30% | 4 | 1.20 |") - 3 + 1  # the begin marker's line
    assert (
        f"acme.md:{line}: section 11's decision-matrix table disagrees with the front matter's scores: "
        "User Demand 30% / 4 / 1.20 (expected 30% / 2 / 0.60); total 4.00 (expected 3.40); "
        "band not 'approve (medium priority)'; `govtool score acme` writes it" in result.stdout
    ), result.stdout
    # `score` with no flags re-writes the table from the front matter, and the check passes.
    assert govtool(root, "score", "acme").exit_code == 0
    assert "| User Demand | 30% | 2 | 0.60 |" in doc.read_text()
    assert govtool(root, "research", "check", "acme").exit_code == 0
    # No table at all, while the front matter has scores.
    without = filled[: filled.index("\n<!-- govtool:decision-matrix:begin")] + "\n"
    doc.write_text(without)
    result = govtool(root, "research", "check", "acme")
    heading = without.split("\n").index("## 11. Recommendation & Decision Matrix") + 1
    assert f"acme.md:{heading}: section 11 has no decision-matrix table; `govtool score acme` writes it" in (
        result.stdout
    )


def test_the_matrix_table_alone_does_not_fill_section_11(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    text = filled_research_doc()
    section_11 = text[text.index("## 11.") : text.index("<!-- govtool:decision-matrix:begin")]
    doc.write_text(text.replace(section_11, "## 11. Recommendation & Decision Matrix\n\n"))
    result = govtool(root, "research", "check", "acme")
    assert result.exit_code == 1
    assert "section 11 (Recommendation & Decision Matrix) has no content" in result.stdout


def test_a_stray_begin_marker_never_makes_score_replace_text(make_repo, govtool):
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme").exit_code == 0
    doc = root / "docs/brokers/api-research/acme.md"
    text = filled_research_doc().replace(
        "Real findings for costs.", "Real findings for costs.\n<!-- govtool:decision-matrix:begin -->\nKeep me."
    )
    doc.write_text(text)
    assert govtool(root, "score", "acme", "--user-demand", "5").exit_code == 0
    after = doc.read_text()
    assert "Keep me." in after and "| User Demand | 30% | 5 | 1.50 |" in after
