"""Small API specs the tests write themselves, with the facts each must give.

They cover, on a few dozen lines each, every rule the real specs of the shared corpus
exercise (tests/test_research.py runs both): Swagger 2.0 in JSON and YAML, with and
without a host; OpenAPI 3.0 and 3.1; servers marked live or sandbox/paper by their
descriptions or URLs; API keys, HTTP basic and bearer, OAuth 2.0 flows (Swagger's and
OpenAPI's), OpenID Connect and a Swagger Authorization header parameter; local
``$ref``s to parameters, security schemes, path items and responses, and an external
one left unresolved; rate-limit prose with its location, figures first; "weight"
mentions; rate-limit endpoints; the trade-sync GET operations; the declared error
responses. A fresh clone with nothing beside it still tests all of these.
"""

from __future__ import annotations

import json

SWAGGER_BEARER_JSON = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "Forex REST API", "version": "3.1"},
        "basePath": "/v3",
        "parameters": {
            "authorizationHeader": {
                "name": "Authorization",
                "in": "header",
                "type": "string",
                "required": True,
                "description": "The authorization bearer token previously obtained by the client",
            }
        },
        "paths": {
            "/accounts": {
                "get": {
                    "summary": "List accounts",
                    "parameters": [{"$ref": "#/parameters/authorizationHeader"}],
                    "responses": {"200": {"description": "ok"}, "401": {"description": "Unauthorized"}},
                }
            },
            "/accounts/{id}/trades": {
                "get": {
                    "summary": "List trades",
                    "responses": {"200": {"description": "ok"}, "500": {"description": "Server error"}},
                },
                "post": {
                    "summary": "Close a trade",
                    "responses": {"201": {"description": "closed"}, "500": {"description": "Server error"}},
                },
            },
            "/instruments/{name}/candles": {
                "get": {
                    "summary": "Candles",
                    "responses": {"200": {"description": "ok"}, "429": {"description": "Slow down"}},
                }
            },
        },
    },
    indent=1,
)

SWAGGER_BASIC_YAML = """\
swagger: "2.0"
info: {title: Broker Gateway, version: "1.0"}
host: paper-api.gateway.example
basePath: /api
schemes: [https, wss]
securityDefinitions:
  basicAuth: {type: basic}
  tokenAuth:
    type: oauth2
    flow: accessCode
    authorizationUrl: https://auth.gateway.example/authorize
    tokenUrl: https://auth.gateway.example/token
    scopes: {trade: Place orders, read: Read data}
paths:
  /positions:
    get:
      summary: Open positions
      responses:
        "200": {description: ok}
        "403": {description: Forbidden}
"""

OPENAPI_KEYS_YAML = """\
openapi: 3.0.3
info:
  title: Spot Exchange API
  version: "1.0"
  description: |
    Every request has a weight. Exceeding the rate limit returns 429.
servers:
  - url: https://api.exchange.example
  - url: https://testnet.exchange.example
components:
  securitySchemes:
    keyHeader: {type: apiKey, in: header, name: X_EXCHANGE_KEY}
    secretHeader: {$ref: "#/x-shared/secretScheme"}
  responses:
    TooMany:
      description: Too many requests, see the rate-limit rules
x-shared:
  secretScheme: {type: apiKey, in: header, name: X_EXCHANGE_SECRET}
  myTrades:
    get:
      summary: Account trade list
      responses:
        "200": {description: The trades}
        "500": {description: Server error}
paths:
  /api/v3/order:
    get:
      summary: Query an order
      description: "Weight: 4. Rate Limit: 10 requests per second per account."
      responses:
        "200": {description: The order}
        "429": {$ref: "#/components/responses/TooMany"}
  /api/v3/rateLimit/order:
    get:
      summary: Current order count usage
      description: Shows the unfilled order count for all intervals.
      responses:
        "200": {description: The counts}
  /api/v3/myTrades:
    $ref: "#/x-shared/myTrades"
  /api/v3/klines:
    $ref: "other.yaml#/paths/klines"
"""

OPENAPI_OAUTH_YAML = """\
openapi: 3.1.0
info: {title: Retail Broker API, version: 2.0.0}
servers:
  - url: https://api.broker.example/v2
    description: Production
  - url: https://api-practice.broker.example/v2
    description: Practice accounts
  - url: https://mirror.broker.example/v2
    description: Demo mirror of live
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
    basic: {type: http, scheme: Basic}
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://login.broker.example/authorize
          tokenUrl: https://login.broker.example/token
          refreshUrl: https://login.broker.example/refresh
          scopes: {trading: Trade, account: Read the account}
    oidc: {type: openIdConnect, openIdConnectUrl: "https://login.broker.example/.well-known/openid-configuration"}
paths:
  /v2/accounts/{id}/transactions:
    get:
      summary: "  List   transactions "
      responses:
        "200": {description: ok}
        "401": {description: Unauthorized}
        "503": {description: Maintenance}
    delete:
      summary: Forget the transactions
      responses:
        "204": {description: gone}
"""

#: file name -> (text, the facts it gives), in the shape of test_research.SOURCES plus the rest.
SMALL_SPECS = {
    "swagger-bearer.json": (
        SWAGGER_BEARER_JSON,
        {
            "title": "Forex REST API 3.1",
            "counts": (3, 4),
            "servers": [("(no host) /v3", None)],
            "auth": ["Authorization header parameter: Bearer token"],
            "rate_limit_mentions": 0,
            "weight_mentions": 0,
            "rate_limit_paths": [],
            "rate_limit_quotes": [],
            "sync_endpoints": [("GET", "/accounts", "List accounts"), ("GET", "/accounts/{id}/trades", "List trades")],
            "error_responses": {"401": 1, "429": 1, "500": 2},
            "unresolved_refs": [],
        },
    ),
    "swagger-basic.yaml": (
        SWAGGER_BASIC_YAML,
        {
            "title": "Broker Gateway 1.0",
            "counts": (1, 1),
            "servers": [
                ("https://paper-api.gateway.example/api", "sandbox/paper"),
                ("wss://paper-api.gateway.example/api", "sandbox/paper"),
            ],
            "auth": [
                "HTTP basic authentication",
                "OAuth 2.0: accessCode (authorizationUrl: https://auth.gateway.example/authorize; "
                "tokenUrl: https://auth.gateway.example/token; scopes: read, trade)",
            ],
            "rate_limit_mentions": 0,
            "weight_mentions": 0,
            "rate_limit_paths": [],
            "rate_limit_quotes": [],
            "sync_endpoints": [("GET", "/positions", "Open positions")],
            "error_responses": {"403": 1},
            "unresolved_refs": [],
        },
    ),
    "openapi-keys.yaml": (
        OPENAPI_KEYS_YAML,
        {
            "title": "Spot Exchange API 1.0",
            "counts": (4, 3),
            "servers": [("https://api.exchange.example", None), ("https://testnet.exchange.example", "sandbox/paper")],
            "auth": ["API key in header X_EXCHANGE_KEY", "API key in header X_EXCHANGE_SECRET"],
            "rate_limit_mentions": 4,
            "weight_mentions": 2,
            "rate_limit_paths": ["/api/v3/rateLimit/order"],
            # Statements with figures first, each where it was found.
            "rate_limit_quotes": [
                ("info.description", "Exceeding the rate limit returns 429."),
                ("paths./api/v3/order.get.description", "Rate Limit: 10 requests per second per account."),
                ("components.responses.TooMany.description", "Too many requests, see the rate-limit rules"),
            ],
            "sync_endpoints": [
                ("GET", "/api/v3/order", "Query an order"),
                ("GET", "/api/v3/rateLimit/order", "Current order count usage"),
                ("GET", "/api/v3/myTrades", "Account trade list"),
            ],
            "error_responses": {"429": 1, "500": 1},
            "unresolved_refs": ["other.yaml#/paths/klines"],
        },
    ),
    "openapi-oauth.yaml": (
        OPENAPI_OAUTH_YAML,
        {
            "title": "Retail Broker API 2.0.0",
            "counts": (1, 2),
            "servers": [
                ("https://api.broker.example/v2", "live"),
                ("https://api-practice.broker.example/v2", "sandbox/paper"),
                ("https://mirror.broker.example/v2", "sandbox/paper"),
            ],
            "auth": [
                "HTTP bearer authentication (JWT)",
                "HTTP basic authentication",
                "OAuth 2.0: authorizationCode (authorizationUrl: https://login.broker.example/authorize; "
                "tokenUrl: https://login.broker.example/token; refreshUrl: https://login.broker.example/refresh; "
                "scopes: account, trading)",
                "OpenID Connect: https://login.broker.example/.well-known/openid-configuration",
            ],
            "rate_limit_mentions": 0,
            "weight_mentions": 0,
            "rate_limit_paths": [],
            "rate_limit_quotes": [],
            "sync_endpoints": [("GET", "/v2/accounts/{id}/transactions", "List transactions")],
            "error_responses": {"401": 1, "503": 1},
            "unresolved_refs": [],
        },
    ),
}
