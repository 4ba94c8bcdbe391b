"""What `research new --from-openapi` reads from a spec, rule by rule, on small specs the
tests write themselves (so a fresh clone with nothing beside it tests every rule), and
on the real specs of the shared corpus where it is present (tests/test_research.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from govtool.openapi_facts import read_spec_facts
from govtool.openapi_refs import MAX_REF_FILES


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def by_path(endpoints) -> dict[str, object]:
    return {f"{e.method} {e.path}": e for e in endpoints}


# ---------------------------------------------------------------- endpoints: any method, private first

POST_ONLY_ACCOUNT_API = """\
openapi: 3.0.1
info: {title: Crypto Exchange REST API, version: "1.0"}
servers:
  - url: https://api.exchange.example
paths:
  /0/public/Trades:
    get:
      summary: Get Recent Trades
      security: []
      responses: {"200": {description: OK}}
  /0/public/Ticker:
    get:
      summary: Get Ticker Information
      responses: {"200": {description: OK}}
  /0/private/Balance:
    post:
      summary: Get Account Balance
      responses: {"200": {description: OK}}
  /0/private/TradeBalance:
    post:
      summary: Get Trade Balance
      responses: {"200": {description: OK}}
  /0/private/TradesHistory:
    post:
      summary: Get Trades History
      responses: {"200": {description: OK}}
  /0/private/ClosedOrders:
    post:
      summary: Get Closed Orders
      responses: {"200": {description: OK}}
  /0/private/Ledgers:
    post:
      summary: Get Ledgers Info
      responses: {"200": {description: OK}}
  /0/private/OpenPositions:
    post:
      summary: Get Open Positions
      responses: {"200": {description: OK}}
  /0/private/GetWebSocketsToken:
    post:
      summary: Get WebSockets Token
      responses: {"200": {description: OK}}
  /0/private/AddOrder:
    post:
      summary: Add Order
      responses: {"200": {description: OK}}
  /0/private/CancelOrder:
    post:
      summary: Cancel Order
      responses: {"200": {description: OK}}
  /0/private/EditOrder:
    post:
      summary: Edit Order
      responses: {"200": {description: OK}}
"""


def test_a_post_only_account_api_yields_its_account_reads_private_first(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", POST_ONLY_ACCOUNT_API))
    reads = [f"{e.method} {e.path}" for e in facts.sync_endpoints]
    assert reads == [
        "POST /0/private/Balance",
        "POST /0/private/TradeBalance",
        "POST /0/private/OpenPositions",
        "POST /0/private/ClosedOrders",
        "POST /0/private/TradesHistory",
        "POST /0/private/Ledgers",
        "GET /0/public/Trades",  # public market data, ranked after the account data
    ]
    chosen = by_path(facts.sync_endpoints)
    assert chosen["POST /0/private/TradesHistory"].category == "trades"
    assert chosen["POST /0/private/TradeBalance"].category == "balances"  # the head word: a balance
    reason = chosen["POST /0/private/ClosedOrders"].reason
    assert reason.startswith('orders: "ClosedOrders" in the path; private account data ("private" in the path)')
    assert "a read by POST ('get' in the summary)" in reason
    assert chosen["GET /0/public/Trades"].access == "public"
    assert "public market data" in chosen["GET /0/public/Trades"].reason
    writes = {f"{e.method} {e.path}": e.action for e in facts.write_endpoints}
    assert writes == {
        "POST /0/private/AddOrder": "place",
        "POST /0/private/CancelOrder": "cancel",
        "POST /0/private/EditOrder": "amend",
    }


OTHER_RESOURCES = """\
openapi: 3.0.0
info: {title: Broker, version: "2"}
security: [{token: []}]
components:
  securitySchemes:
    token: {type: http, scheme: bearer}
paths:
  /accounts/{accountKey}/activationtriggers:
    get: {summary: Activation triggers of an account, responses: {"200": {description: OK}}}
  /accounts/{accountKey}/configurations:
    get: {summary: Account configuration, responses: {"200": {description: OK}}}
  /exchanges:
    get: {summary: Exchanges, responses: {"200": {description: OK}}}
  /instruments/{instrument}/orderBook:
    get: {summary: Order book, responses: {"200": {description: OK}}}
  /v1/api/pa/transactions:
    post: {summary: Transaction History, responses: {"200": {description: OK}}}
  /v1/api/pa/summary:
    post: {summary: Account Balance Summary, responses: {"200": {description: OK}}}
  /v1/api/pa/performance:
    post: {summary: Account Performance, responses: {"200": {description: OK}}}
  /accounts/{accountKey}/transactions/sinceid:
    get: {summary: Transactions since an id, responses: {"200": {description: OK}}}
  /accounts/{accountKey}/positions/{instrument}/close:
    put: {summary: Close a position, responses: {"200": {description: OK}}}
  /port/v1/netpositions/me:
    get: {summary: Net positions of the logged-in client, responses: {"200": {description: OK}}}
  /cs/v1/audit/orderactivities:
    get: {summary: Order activities, responses: {"200": {description: OK}}}
"""


def test_resources_a_sync_does_not_read_are_not_taken_and_post_reads_are(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", OTHER_RESOURCES))
    chosen = by_path(facts.sync_endpoints)
    assert set(chosen) == {
        "POST /v1/api/pa/transactions",
        "POST /v1/api/pa/summary",
        "GET /accounts/{accountKey}/transactions/sinceid",
        "GET /port/v1/netpositions/me",
        "GET /cs/v1/audit/orderactivities",
    }
    assert chosen["GET /port/v1/netpositions/me"].category == "positions"
    assert chosen["GET /cs/v1/audit/orderactivities"].category == "activities"
    assert chosen["POST /v1/api/pa/summary"].category == "balances"
    assert "summary 'Account Balance Summary'" in chosen["POST /v1/api/pa/summary"].reason
    assert chosen["POST /v1/api/pa/transactions"].access == "private"  # the global security applies
    assert [(e.path, e.action) for e in facts.write_endpoints] == [
        ("/accounts/{accountKey}/positions/{instrument}/close", "close")
    ]


# ---------------------------------------------------------------- rate limits

QUOTA_TABLE_SPEC = """\
openapi: 3.0.3
info:
  title: Brokerage API
  version: "3.1"
  description: |
    Welcome to the Brokerage API.

    ## Rate Limiting

    Every API key has a quota per 5-minute interval:

    | Endpoints | Requests | Interval |
    |-----------|----------|----------|
    | Accounts, orders, balances and positions | 250 | 5 minutes |
    | Streams | 500 | 5 minutes |

    When the quota is exceeded, requests fail with **403 Quota Exceeded** until the interval ends.

    **Example Throttled Request**

    ```
    HTTP/1.1 403 Quota Exceeded
    X-RateLimit-Remaining: 0
    ```

    There's a limit of 5 concurrent requests per user. Above it, requests are queued for up to 10 seconds.
paths:
  /v2/markets/{symbol}/vwap:
    get:
      summary: VWAP
      description: |
        The volume weighted average price (VWAP) of a symbol, with weightedAvg and the weight of each trade in it.
      responses:
        "200": {description: OK}
  /v2/accounts/{id}/orders:
    get:
      summary: List orders
      x-ratelimit-limit: 120
      description: |
        Rate limit: 120 requests per minute per account.
        Weight: 5
      responses:
        "200":
          description: OK
          headers:
            X-RateLimit-Remaining: {schema: {type: integer}}
            Retry-After: {schema: {type: integer}}
        "429": {description: Too many requests}
"""


def test_a_quota_table_in_info_description_gives_each_row_with_its_words(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", QUOTA_TABLE_SPEC))
    limits = {(r.kind, r.text, r.scope): r for r in facts.rate_limits}
    row = limits[("requests", "250 requests per 5 minutes", "Accounts, orders, balances and positions")]
    assert row.quote == "Endpoints: Accounts, orders, balances and positions; Requests: 250; Interval: 5 minutes"
    assert row.where == "info.description"
    assert ("requests", "500 requests per 5 minutes", "Streams") in limits
    breach = limits[("status", "403", "")]
    assert breach.quote.startswith("When the quota is exceeded, requests fail with 403 Quota Exceeded")
    # The headings and the example are not limits, and quote nothing.
    quoted = [r.quote for r in facts.rate_limits] + [n.text for n in facts.rate_limit_notes]
    assert not any(q == "Rate Limiting" or "Example Throttled Request" in q or "HTTP/1.1" in q for q in quoted)


def test_a_concurrency_sentence_is_kept_beside_the_next_one(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", QUOTA_TABLE_SPEC))
    (concurrency,) = [r for r in facts.rate_limits if r.kind == "concurrency"]
    assert (concurrency.text, concurrency.scope) == ("5 concurrent requests", "per user")
    assert concurrency.quote == "There's a limit of 5 concurrent requests per user."


def test_weight_counts_only_in_rate_limit_context_and_operations_show_their_limits(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", QUOTA_TABLE_SPEC))
    assert facts.weight_mentions == 1  # "Weight: 5"; not VWAP, weightedAvg or "the weight of each trade"
    assert (facts.weighted_operations, facts.weight_range) == (1, "5")
    limits = {(r.kind, r.text) for r in facts.rate_limits}
    assert ("requests", "120 requests per minute") in limits
    assert ("extension", "x-ratelimit-limit: 120") in limits
    assert ("status", "429") in limits  # declared as a response
    (orders,) = [e for e in facts.sync_endpoints if e.path == "/v2/accounts/{id}/orders"]
    assert orders.rate_limit == "120 requests per minute per account; weight 5"
    assert facts.rate_limit_headers == ["Retry-After", "X-RateLimit-Remaining"]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Each API key may send 10 requests per second.", ("requests", "10 requests per second")),
        ("Rate limit: 1/3s per account", ("requests", "1 per 3 seconds")),
        ("Clients are throttled at 1,200 request weight per minute.", ("weight", "1,200 request weight per minute")),
        ("The limit is 100 calls every 10 seconds.", ("requests", "100 calls per 10 seconds")),
        ("Up to 20 simultaneous connections are allowed per IP.", ("concurrency", "20 simultaneous connections")),
        ("Concurrent requests are limited to 3 per session.", ("concurrency", "3 concurrent requests")),
        ("Exceeding the rate limit returns HTTP 429 with a Retry-After header.", ("status", "429")),
        ("The API allows 60 RPM on the free plan.", ("requests", "60 requests per minute")),
        ("Max 10 req/s.", ("requests", "10 requests per second")),
        ("You may place 5 orders per second.", ("requests", "5 orders per second")),
        ("A quota of 10,000 requests per day applies.", ("requests", "10,000 requests per day")),
    ],
)
def test_rate_limit_sentences(tmp_path, sentence, expected):
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1", "description": sentence}, "paths": {}}
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    assert expected in {(r.kind, r.text) for r in facts.rate_limits}, facts.rate_limits
    assert all(r.quote == sentence for r in facts.rate_limits)


@pytest.mark.parametrize(
    "sentence",
    [
        "Returns up to 500 orders per page.",
        "Candles are available in 5 minute intervals.",
        "Orders are kept for 90 days.",
        "The portfolio weight of each holding is 0.25 at most.",
    ],
)
def test_figures_outside_rate_limits_are_not_limits(tmp_path, sentence):
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1", "description": sentence}, "paths": {}}
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    assert facts.rate_limits == [] and facts.weight_mentions == 0


# ---------------------------------------------------------------- servers

SIMULATION_IN_PROSE = """\
swagger: "2.0"
info:
  title: Trading Gateway
  version: "1"
  description: |
    Documentation: https://developer.gateway.example/docs/getting-started.html

    Use the simulation environment while you build: its base URL is https://gateway.example/sim/openapi.
    The live base URL is https://gateway.example/openapi.
    An access token expires after 20 minutes; a refresh token is valid for 24 hours.
host: gateway.example
basePath: /openapi
schemes: [https]
securityDefinitions:
  oauth:
    type: oauth2
    flow: accessCode
    authorizationUrl: https://auth.gateway.example/authorize
    tokenUrl: https://auth.gateway.example/token
    scopes: {read: Read access, trade: Trading}
paths:
  /port/v1/positions:
    get:
      summary: Positions
      responses: {"200": {description: OK}, "400": {description: Bad}, default: {description: Error}}
  /port/v1/orders:
    get:
      summary: Orders
      responses: {"200": {description: OK}, "404": {description: Not found}, "400": {description: Bad request}}
"""


def test_a_simulation_url_in_prose_is_a_server_labelled_simulation(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", SIMULATION_IN_PROSE))
    servers = [(s.url, s.environment, s.source) for s in facts.servers]
    assert servers == [
        ("https://gateway.example/openapi", "live", "host/basePath"),
        ("https://gateway.example/sim/openapi", "simulation", "info.description"),
    ]  # the live one is the declared host, labelled by the prose; the documentation link is no server
    lifetimes = [q.text for q in facts.token_lifetimes]
    assert lifetimes[0].startswith('access token: 20 minutes: "An access token expires after 20 minutes;')
    assert lifetimes[1].startswith("refresh token: 24 hours")
    (oauth,) = facts.auth
    assert oauth.detail == (
        "OAuth 2.0: accessCode (authorizationUrl: https://auth.gateway.example/authorize; "
        "tokenUrl: https://auth.gateway.example/token; scopes: read, trade)"
    )
    assert facts.error_responses == {"400": 2, "404": 1, "default": 1}


@pytest.mark.parametrize(
    ("description", "url", "expected"),
    [
        ("Paper trading", "https://paper-api.broker.example", "paper"),
        ("Practice/Demo Environment", "https://api-fxpractice.broker.example", "paper"),
        ("Sandbox endpoint", "https://api.broker.example", "sandbox"),
        (None, "https://testnet.broker.example", "sandbox"),
        ("Simulated trading", "https://api.broker.example", "simulation"),
        (None, "https://gateway.broker.example/sim/openapi", "simulation"),
        ("Production", "https://api.broker.example", "live"),
        ("Live Trading Environment", "https://api-fxtrade.broker.example", "live"),
        (None, "https://api.broker.example", None),
    ],
)
def test_each_server_is_labelled_by_what_the_spec_says(tmp_path, description, url, expected):
    server = {"url": url, **({"description": description} if description else {})}
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "servers": [server], "paths": {}}
    (found,) = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec))).servers
    assert found.environment == expected


def test_server_variables_give_one_server_per_value(tmp_path):
    server = {
        "url": "https://{env}.broker.example/v1",
        "variables": {"env": {"default": "api", "enum": ["api", "sandbox"]}},
    }
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "servers": [server], "paths": {}}
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    assert [(s.url, s.environment) for s in facts.servers] == [
        ("https://api.broker.example/v1", None),
        ("https://sandbox.broker.example/v1", "sandbox"),
    ]


# ---------------------------------------------------------------- authentication

HMAC_SPEC = """\
openapi: 3.0.0
info:
  title: Exchange
  version: "1"
  description: |
    Authenticated requests carry the API key in the API-Key header and a signature in the API-Sign header:
    an HMAC-SHA512 of the URI path and the SHA256 of the nonce and POST data, keyed with the base64-decoded secret.
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: API-Key}
    sign: {type: apiKey, in: header, name: API-Sign, description: Message signature using HMAC-SHA512}
security: [{key: [], sign: []}]
paths:
  /private/Balance:
    post:
      summary: Get Account Balance
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                nonce: {type: integer}
      responses: {"200": {description: OK}}
"""


def test_an_hmac_header_is_a_signature_not_an_api_key(tmp_path):
    facts = read_spec_facts(write(tmp_path / "spec.yaml", HMAC_SPEC))
    kinds = {a.kind: a for a in facts.auth}
    assert kinds["apiKey"].detail == "API key in header API-Key"
    assert "API-Sign" not in kinds["apiKey"].detail
    assert kinds["signature"].detail == (
        "Request signature (HMAC-SHA512, SHA256) in header API-Sign; nonce in body nonce"
    )
    assert facts.auth_notes[0].text.startswith("Authenticated requests carry the API key in the API-Key header")


def test_signature_parameters_are_found_on_the_operations(tmp_path):
    spec = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "components": {
            "parameters": {
                "signature": {"name": "signature", "in": "query", "description": "HMAC SHA256 signature"},
                "timestamp": {"name": "timestamp", "in": "query"},
            }
        },
        "paths": {
            "/api/v3/myTrades": {
                "get": {
                    "parameters": [
                        {"$ref": "#/components/parameters/signature"},
                        {"$ref": "#/components/parameters/timestamp"},
                    ],
                    "responses": {"200": {"description": "OK"}},
                }
            }
        },
    }
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    (signature,) = [a for a in facts.auth if a.kind == "signature"]
    assert signature.detail == "Request signature in query signature; timestamp in query timestamp; on 1 operation"


# ---------------------------------------------------------------- split specs


def split_spec(root: Path) -> Path:
    """A spec split over files, with references that must and must not be followed."""
    write(root / "outside.yaml", "Secret: {type: string, description: must never be read}\n")
    spec_dir = root / "spec"
    write(
        spec_dir / "paths" / "orders.yaml",
        """\
get:
  summary: List orders
  description: "Rate limit: 30 requests per minute."
  parameters:
    - $ref: '../common/parameters.yaml#/AccountId'
  responses:
    "200":
      description: OK
      content:
        application/json:
          schema: {$ref: '#/components/schemas/Orders'}
    "404": {$ref: '../common/responses.yaml#/NotFound'}
components:
  schemas:
    Orders: {type: array, items: {$ref: '../schemas/order.yaml#/Order'}}
""",
    )
    write(spec_dir / "common" / "parameters.yaml", "AccountId: {name: accountId, in: path, required: true}\n")
    write(spec_dir / "common" / "responses.yaml", "NotFound: {description: No such order}\n")
    write(spec_dir / "schemas" / "order.yaml", "Order: {type: object, properties: {id: {type: string}}}\n")
    write(spec_dir / "common" / "security.yaml", "Bearer: {type: http, scheme: bearer, bearerFormat: JWT}\n")
    return write(
        spec_dir / "openapi.yaml",
        """\
openapi: 3.0.3
info: {title: Split Broker API, version: "1.0"}
components:
  securitySchemes:
    bearer: {$ref: 'common/security.yaml#/Bearer'}
  schemas:
    Leak: {$ref: '../outside.yaml#/Secret'}
    Remote: {$ref: 'https://schemas.example/order.yaml#/Order'}
    Absolute: {$ref: '/etc/passwd'}
    Missing: {$ref: 'schemas/missing.yaml#/Order'}
paths:
  /accounts/{accountId}/orders:
    $ref: 'paths/orders.yaml'
""",
    )


def test_a_split_spec_is_read_across_its_files_and_what_is_not_followed_is_named(tmp_path):
    facts = read_spec_facts(split_spec(tmp_path))
    assert facts.files_read == [
        "common/parameters.yaml",
        "common/responses.yaml",
        "common/security.yaml",
        "paths/orders.yaml",
        "schemas/order.yaml",
    ]
    assert [a.detail for a in facts.auth] == ["HTTP bearer authentication (JWT)"]
    assert [f"{e.method} {e.path}" for e in facts.sync_endpoints] == ["GET /accounts/{accountId}/orders"]
    assert facts.error_responses == {"404": 1}
    assert facts.error_descriptions == {"404": "No such order"}
    assert [(r.text, r.where) for r in facts.rate_limits] == [
        ("30 requests per minute", "GET /accounts/{accountId}/orders")
    ]
    assert facts.warnings == [
        "$ref not resolved (a URL: govtool fetches nothing): https://schemas.example/order.yaml",
        "$ref not resolved (an absolute path): /etc/passwd",
        "$ref not resolved (no such file beside the spec): schemas/missing.yaml",
        "$ref not resolved (outside the spec's directory): ../outside.yaml",
    ]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_symbolic_link_out_of_the_spec_directory_is_not_followed(tmp_path):
    spec = split_spec(tmp_path)
    (spec.parent / "schemas" / "link.yaml").symlink_to(tmp_path / "outside.yaml")
    text = spec.read_text().replace("../outside.yaml#/Secret", "schemas/link.yaml#/Secret")
    spec.write_text(text)
    facts = read_spec_facts(spec)
    assert "$ref not resolved (outside the spec's directory): schemas/link.yaml" in facts.warnings
    assert "schemas/link.yaml" not in facts.files_read


def test_references_to_other_files_are_bounded_in_number(tmp_path):
    schemas = {f"S{i}": {"$ref": f"parts/s{i}.yaml#/S"} for i in range(MAX_REF_FILES + 3)}
    for i in range(MAX_REF_FILES + 3):
        write(tmp_path / "parts" / f"s{i}.yaml", "S: {type: string}\n")
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": schemas}, "paths": {}}
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    assert len(facts.files_read) == MAX_REF_FILES
    (warning,) = facts.warnings
    assert warning.startswith(f"$ref not resolved (over the limit of {MAX_REF_FILES} files or 20 MB): parts/s")
    assert warning.count("parts/s") == 3


def test_research_new_from_a_split_spec_warns_and_prefills(make_repo, govtool, tmp_path):
    root = make_repo()
    result = govtool(root, "research", "new", "acme", "--name", "Acme", "--from-openapi", str(split_spec(tmp_path)))
    assert result.exit_code == 0, result.stderr
    assert "govtool: warning: openapi.yaml: $ref not resolved (outside the spec's directory): ../outside.yaml" in (
        result.stderr
    )
    doc = (root / "docs/brokers/api-research/acme.md").read_text()
    assert "> Its `$ref`s were followed into 5 other files: `common/parameters.yaml`" in doc
    assert "> **Warning**: $ref not resolved (a URL: govtool fetches nothing): https://schemas.example/order.yaml" in (
        doc
    )
    assert "must never be read" not in doc


def test_a_hostile_spec_is_read_in_bounded_time(tmp_path):
    """YAML aliases that make a mapping reachable by 2**24 paths are refused at the YAML
    bound (issue 16: exit 2 at FILE:LINE); a few shared aliases are read once each, not
    once per path; prose that is one 200,000-part hyphenated word is read once."""
    from govtool.errors import InputError

    lines = ["openapi: 3.0.0", "info: {title: t, version: '1'}", "a0: &a0 [{$ref: 'other.yaml#/a'}, 1]"]
    bomb = lines + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 25)]
    spec = write(tmp_path / "bomb.yaml", "\n".join([*bomb, "paths: {}"]) + "\n")
    write(tmp_path / "other.yaml", "a: {type: string}\n")
    with pytest.raises(InputError, match=r"bomb\.yaml:\d+: YAML aliases stand for more than"):
        read_spec_facts(spec)
    shared = lines + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    spec = write(tmp_path / "shared.yaml", "\n".join([*shared, "paths: {}"]) + "\n")
    assert read_spec_facts(spec).files_read == ["other.yaml"]
    words = "sign " + "-".join(["a"] * 200_000) + " 1 per " + "x" * 100_000
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1", "description": words}, "paths": {}}
    assert read_spec_facts(write(tmp_path / "long.json", json.dumps(spec))).rate_limits == []


def test_a_reference_is_a_uri_percent_encoded_names_are_found(tmp_path):
    write(
        tmp_path / "paths" / "accounts{id}.yaml",
        "get: {summary: Get an account, responses: {'200': {description: OK}}}\n",
    )
    spec = write(
        tmp_path / "openapi.yaml",
        "openapi: 3.0.0\ninfo: {title: t, version: '1'}\n"
        "paths:\n  /accounts/{id}:\n    $ref: './paths/accounts%7Bid%7D.yaml'\n",
    )
    facts = read_spec_facts(spec)
    assert facts.files_read == ["paths/accounts{id}.yaml"] and facts.warnings == []
    assert [e.path for e in facts.sync_endpoints] == ["/accounts/{id}"]


def test_a_malformed_spec_is_read_as_far_as_it_is_well_formed(make_repo, govtool, tmp_path):
    spec = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": True, "description": ["not text"]},
        "servers": 1.5,
        "tags": "x",
        "components": [None],
        "security": {"not": "a list"},
        "paths": {
            "/accounts/{id}/orders": {
                "parameters": 5,
                "get": {"tags": "x", "parameters": [None, {"$ref": 5}], "responses": {"404": None, 500: {}}},
                "post": {"requestBody": {"content": {"x": None}}, "responses": []},
            },
            "/broken": None,
        },
    }
    path = write(tmp_path / "spec.json", json.dumps(spec))
    facts = read_spec_facts(path)
    assert [e.path for e in facts.sync_endpoints] == ["/accounts/{id}/orders"]
    assert facts.error_responses == {"404": 1, "500": 1} and facts.servers == []
    root = make_repo()
    assert govtool(root, "research", "new", "acme", "--name", "Acme", "--from-openapi", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Logging in gives you a 20-minute access token.", "access token: 20 minutes"),
        ("Sessions time out after 15 minutes of inactivity.", "session: 15 minutes"),
        ("The refresh token lasts 90 days.", "refresh token: 90 days"),
        ("Access tokens expire in 3600 seconds.", "access token: 3600 seconds"),
    ],
)
def test_token_lifetimes_stated_in_prose(tmp_path, sentence, expected):
    spec = {"openapi": "3.0.0", "info": {"title": "t", "version": "1", "description": sentence}, "paths": {}}
    facts = read_spec_facts(write(tmp_path / "spec.json", json.dumps(spec)))
    assert [q.text.split(': "')[0] for q in facts.token_lifetimes] == [expected]
