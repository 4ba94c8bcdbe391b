"""What an OpenAPI 3.x or Swagger 2.0 document can tell a research doc.

`research new --from-openapi FILE` pre-fills the research doc with these facts, each
with where in the spec it was found, read the way a careful developer reads a spec:

- servers: from ``servers`` (with their variables), ``host``/``basePath``/``schemes``,
  and base URLs given in prose; each labelled live, sandbox, paper or simulation by
  what the spec says of it;
- authentication: OAuth flows with their URLs and scopes, API keys, HTTP schemes,
  signature schemes (HMAC headers or parameters, nonces) named as signatures, and the
  token lifetimes the spec states;
- the endpoints a trade-history sync needs (account, balances, positions, orders,
  fills, trades, activities, transactions, ledgers), whatever their HTTP method,
  private account data ranked over public market data, each with the reason it was
  chosen; the write operations (place, cancel, amend, close) listed apart;
- rate limits from prose, Markdown tables and ``x-`` extensions: requests per
  interval, concurrency, request weights, the status a breach returns, the headers
  that report them; each figure with the sentence or table row it came from;
- every declared error status, with how many operations declare it;
- relative ``$ref``s to other files, resolved when the files are beside the spec
  (see :mod:`govtool.openapi_refs`), and a warning naming those that are not.

What a spec cannot tell stays a placeholder in the doc.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from govtool import openapi_prose as prose
from govtool.openapi_prose import lazy_pattern
from govtool.openapi_refs import SpecBundle, load_bundle, load_spec

__all__ = ["SpecFacts", "load_spec", "read_spec_facts"]

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _dict(value: Any) -> dict[Any, Any]:
    """``value`` when it is a mapping, else {}: a spec is read as far as it is well formed."""
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    """``value`` when it is a list, else []."""
    return value if isinstance(value, list) else []


#: What a trade-history sync reads, in the order the doc lists them, with the words
#: (path segments, camelCase parts) that name each.
SYNC_CATEGORIES: tuple[tuple[str, frozenset[str]], ...] = (
    ("account", frozenset({"account", "accounts", "acct", "accts", "portfolio", "portfolios", "subaccount"})),
    ("balances", frozenset({"balance", "balances", "wallet", "wallets", "funds"})),
    ("positions", frozenset({"position", "positions", "holding", "holdings"})),
    ("orders", frozenset({"order", "orders"})),
    ("fills", frozenset({"fill", "fills", "execution", "executions"})),
    ("trades", frozenset({"trade", "trades", "deal", "deals"})),
    ("activities", frozenset({"activity", "activities"})),
    ("transactions", frozenset({"transaction", "transactions", "txn", "txns"})),
    ("ledgers", frozenset({"ledger", "ledgers", "statement", "statements", "journal", "journals"})),
)
_CATEGORY_OF = {word: name for name, words in SYNC_CATEGORIES for word in words}
_CATEGORY_RANK = {name: rank for rank, (name, _) in enumerate(SYNC_CATEGORIES)}
#: Last path segments that view a collection rather than name a resource (``/trades/history``).
_VIEW_WORDS = _words(
    "history hist list all summary details detail info search query recent latest open closed current stream "
    "streaming range since page paged updates changes export download report count my ids id by me self mine net"
)
_WRITE_VERBS = _words(
    "cancel close replace amend modify edit update create place new add submit delete remove set reset enable "
    "disable transfer withdraw borrow repay redeem subscribe purchase buy sell liquidate exercise convert send "
    "execute"
)
_READ_VERBS = _words(
    "get list query fetch retrieve search read find lookup show view download export history summary report status "
    "info details inquiry"
)
_PRIVATE_WORDS = _words(
    "private my me self user users userdata account accounts acct portfolio portfolios subaccount personal"
)
_PUBLIC_WORDS = _words(
    "public market markets marketdata quote quotes ticker tickers depth book orderbook kline klines candle candles "
    "bar bars ohlc ohlcv instrument instruments symbol symbols exchangeinfo stock stocks crypto forex news "
    "reference snapshot snapshots agg"
)
#: The categories whose writes are trading actions, listed apart from the reads.
_TRADING = ("orders", "positions", "trades")
_ACCESS_RANK = {"private": 0, "unstated": 1, "public": 2}
_ACCESS_LABEL = {"private": "private account data", "public": "public market data", "unstated": "access not stated"}

MAX_SYNC_ENDPOINTS = 40
MAX_WRITE_ENDPOINTS = 25
MAX_FIGURES = 20
MAX_NOTES = 8
MAX_QUOTES = 6

_EXTENSION_RE = lazy_pattern(r"^x-.*(?:rate|limit|throttl|quota|burst)", re.IGNORECASE)
_SIGN_PARAM_RE = lazy_pattern(r"sign(?:ature)?$|^sign|signature|[-_]sign(?:ed)?\b", re.IGNORECASE)
_SIGNED_RE = lazy_pattern(r"\bhmac|signature|\bsigned\b", re.IGNORECASE)
_NONCE_RE = lazy_pattern(r"nonce", re.IGNORECASE)
_TIMESTAMP_RE = lazy_pattern(r"^(?:[a-z0-9]+[-_])*(?:timestamp|ts)$", re.IGNORECASE)
_SIGN_WORD_RE = lazy_pattern(r"(?<![\w-])(?:signature|signed|sign|signing|nonce)\b(?!\s+(?:up|in|out)\b)", re.I)
_SECRET_RE = lazy_pattern(r"\bsecret|api[\s_-]?key|private\s+key|\bnonce", re.IGNORECASE)
#: Path segments that only place an API (``/api``, ``/v2``, ``/0``), not name a resource.
_PREFIX_SEGMENT_RE = lazy_pattern(
    r"^(?:v\d+(?:\.\d+)*(?:alpha|beta)?\d*|\d+|api|apis|sapi|rest|public|private|portal)$", re.I
)
_RATE_PATH_RE = lazy_pattern(r"rate[-_]?limit", re.IGNORECASE)
_DOC_URL_RE = lazy_pattern(
    r"\b(?:docs?|documentation|developers?|github|githubusercontent|support|help|blog|forum|community|terms|legal"
    r"|privacy|status|signup|register|swagger|redoc|postman)\b|\.(?:pdf|html?|md|png|jpg|svg)$",
    re.IGNORECASE,
)
_BASE_WORDS_RE = lazy_pattern(
    r"base\s*(?:url|uri|path|address)|endpoint|\bhost\b|\bserver\b|gateway|environment|\bapi\s+url|rest\s+api"
    r"|\bwebsocket\b|\bstream",
    re.IGNORECASE,
)
_API_URL_RE = lazy_pattern(
    r"(?:^|[./-])(?:api|apis|gateway|openapi|rest|trade|trading|fix|ws|wss|stream)(?:[./-]|$)", re.I
)


@dataclass
class Server:
    """One server: ``url``, ``description``, ``environment`` (live, sandbox, paper,
    simulation or None when the spec does not say) and ``source`` (where it was found:
    ``servers``, ``host/basePath``, ``info.description``)."""

    url: str
    description: str | None
    environment: str | None
    source: str = "servers"


@dataclass
class AuthScheme:
    """One way to authenticate: ``name``, ``kind`` (apiKey, http basic, http bearer, oauth2,
    openIdConnect, header parameter, signature) and ``detail`` (header names, flows with
    URLs and scopes, the signing algorithm)."""

    name: str
    kind: str
    detail: str


@dataclass
class Quote:
    """Words of the spec: ``text``, and ``where`` they are (``info.description``, ``GET /v2/orders``)."""

    text: str
    where: str


@dataclass
class RateLimit:
    """A rate-limit figure.

    Attributes:
        kind: ``requests`` (per interval), ``weight`` (weight per interval), ``concurrency``,
            ``status`` (what a breach returns) or ``extension`` (an ``x-`` field).
        text: the figure in normal form (``250 requests per 5 minutes``).
        scope: what it applies to, as the spec says (``per account``), or "".
        quote: the sentence or table row it came from; where: where that is.
        occurrences: how many places state it (the first is ``where``).
    """

    kind: str
    text: str
    scope: str
    quote: str
    where: str
    occurrences: int = 1


@dataclass
class Endpoint:
    """An operation a trade-history sync reads or writes.

    Attributes:
        method, path, summary: the operation.
        category: one of :data:`SYNC_CATEGORIES`' names.
        access: ``private``, ``public`` or ``unstated``.
        action: ``read``, or for a write ``place``, ``cancel``, ``amend``, ``close``, ``create``, ``delete``.
        reason: why it was chosen, in words.
        rate_limit: what the operation's own description says of its rate limit or weight.
        strength: how directly the path names the category (0 its last segment, 1 a view
            or action on it, 2 only the summary); depth: the path's literal segments.
    """

    method: str
    path: str
    summary: str
    category: str
    access: str
    action: str
    reason: str
    rate_limit: str = ""
    strength: int = 0
    depth: int = 0


@dataclass
class SpecFacts:
    """Facts read from one API spec (all plain data; see the module docstring).

    Attributes:
        source, spec_version, title, api_version: the file's name, ``OpenAPI 3.0.0`` or
            ``Swagger 2.0``, and ``info``'s title and version.
        servers: declared servers first, then those found in prose.
        auth: the security schemes, Authorization header parameters and signature schemes.
        token_lifetimes: ``access token: 20 minutes`` and the like, quoted.
        auth_notes: what the spec's prose says about signing requests.
        operation_count, path_count: every (path, method) pair, and the paths.
        sync_endpoints: the reads a trade-history sync needs, best first (at most
            :data:`MAX_SYNC_ENDPOINTS`; ``sync_endpoint_total`` counts them all).
        write_endpoints: the writes on the same resources (at most :data:`MAX_WRITE_ENDPOINTS`;
            ``write_endpoint_total`` counts them all).
        error_responses: every declared error status (4xx, 5xx, ``default``) -> number of
            operations declaring it; error_descriptions: a status -> its most common description.
        rate_limits: the figures (at most :data:`MAX_FIGURES`; ``rate_limit_total`` counts them all).
        rate_limit_notes: statements about rate limits without a figure.
        rate_limit_headers: response headers about rate limits (declared or named in prose).
        rate_limit_paths: paths whose name is about rate limits.
        rate_limit_mentions: occurrences of "rate limit" (rateLimit, rate-limit) in the
            files' text; weight_mentions: of "weight" in rate-limit context only.
        weighted_operations: operations whose description states their request weight;
            weight_range: the lowest and highest of those weights (``1-150``).
        warnings: what govtool could not read (``$ref``s not resolved...).
        unresolved_refs: the ``$ref`` targets not followed.
        files_read: other files read through relative ``$ref``s.
    """

    source: str
    spec_version: str
    title: str
    api_version: str
    servers: list[Server] = field(default_factory=list)
    auth: list[AuthScheme] = field(default_factory=list)
    token_lifetimes: list[Quote] = field(default_factory=list)
    auth_notes: list[Quote] = field(default_factory=list)
    operation_count: int = 0
    path_count: int = 0
    sync_endpoints: list[Endpoint] = field(default_factory=list)
    sync_endpoint_total: int = 0
    write_endpoints: list[Endpoint] = field(default_factory=list)
    write_endpoint_total: int = 0
    error_responses: dict[str, int] = field(default_factory=dict)
    error_descriptions: dict[str, str] = field(default_factory=dict)
    rate_limits: list[RateLimit] = field(default_factory=list)
    rate_limit_total: int = 0
    rate_limit_notes: list[Quote] = field(default_factory=list)
    rate_limit_headers: list[str] = field(default_factory=list)
    rate_limit_paths: list[str] = field(default_factory=list)
    rate_limit_mentions: int = 0
    weight_mentions: int = 0
    weighted_operations: int = 0
    weight_range: str = ""
    warnings: list[str] = field(default_factory=list)
    unresolved_refs: list[str] = field(default_factory=list)
    files_read: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- words of paths and summaries


_CAMEL_RE = lazy_pattern(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD_RE = lazy_pattern(r"[^a-z0-9]+")


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[str, ...]:
    """Lowercase words of a path segment, operationId or summary (``myTrades`` -> my, trades)."""
    return tuple(t for t in _NON_WORD_RE.split(_CAMEL_RE.sub(" ", text).lower()) if t)


@lru_cache(maxsize=4096)
def _word_category(token: str) -> str | None:
    """The category a word names: itself (``orders``), or joined with a view word
    (``tradehistory``, ``openorders``)."""
    if token in _CATEGORY_OF:
        return _CATEGORY_OF[token]
    if len(token) > 5:
        for word, name in _CATEGORY_OF.items():
            if len(word) > 3 and (
                (token.startswith(word) and token[len(word) :] in _VIEW_WORDS | _READ_VERBS)
                or (
                    token.endswith(word)
                    and token[: -len(word)] in _VIEW_WORDS | _READ_VERBS | _WRITE_VERBS | _CATEGORY_OF.keys()
                )
            ):
                return name
    return None


def _segment_category(segment: str) -> str | None:
    """The category a path segment (or a summary) names: its head word, the last one that
    is not a view, a verb or a two-letter modifier (``TradeBalance`` -> balances,
    ``TradesHistory`` -> trades, ``orderBook`` -> None: a book, not orders)."""
    for token in reversed(_tokens(segment)):
        found = _word_category(token)
        if found:
            return found
        if not (token in _VIEW_WORDS or token in _READ_VERBS or token in _WRITE_VERBS or len(token) <= 2):
            return None
    return None


def _is_param(segment: str) -> bool:
    return "{" in segment or segment.startswith(":")


def _category(route: str, summary: str, operation_id: str) -> tuple[str, str, int] | None:
    """``(category, evidence, strength)`` of an operation from its path, or None.

    The last literal segment names the resource by its head word
    (``/accounts/{id}/orders`` -> orders, ``TradesHistory`` -> trades; strength 0). An
    action or a view on a collection (``/orders/{id}/cancel``, ``/trades/history``,
    ``newOrderTwap``) belongs to the collection it names or follows (strength 1); a
    sub-resource of an account that names no category (``/accounts/{id}/configurations``)
    is not one. A path that names no category at all and ends in a view (``/pa/summary``)
    takes its summary's word (strength 2), if it is short (``/v1/api/pa/summary``: two
    segments besides the prefixes).
    """
    literals = [s for s in route.split("/") if s and not _is_param(s)]
    if not literals:
        return None
    last = literals[-1]
    category = _segment_category(last)
    if category:
        return category, f'"{last}" in the path', 0
    words = _tokens(last)
    verbs = [w for w in words if w in _WRITE_VERBS or w in _READ_VERBS]
    views = [w for w in words if w in _VIEW_WORDS or w.startswith(("since", "by")) or w.endswith(("range", "list"))]
    if any(w in _WRITE_VERBS for w in words):  # an action named with its object: newOrderTwap
        named = next((c for c in map(_word_category, reversed(words)) if c), None)
        if named:
            return named, f'"{last}" in the path', 1
    if not (verbs or views):
        return None
    if len(literals) > 1:
        category = _segment_category(literals[-2])
        if category:
            return category, f'"{literals[-2]}/.../{last}" in the path', 1
    meaningful = [s for s in literals if not _PREFIX_SEGMENT_RE.match(s)]
    if len(views) != len(words) or len(meaningful) > 2 or any(_segment_category(s) for s in literals):
        return None
    for text in (summary, operation_id):
        found = next((c for c in map(_word_category, reversed(_tokens(text))) if c), None)
        if found:
            return found, f"{'summary' if text == summary else 'operationId'} {text!r}", 2
    return None


def _read_or_write(method: str, route: str, summary: str, operation_id: str, category: str) -> tuple[str, str]:
    """``("read", evidence)``, or ``(action, "")`` for a write: place, cancel, amend,
    close, create or delete."""
    last = [s for s in route.split("/") if s and not _is_param(s)]
    segment_words = _tokens(last[-1]) if last else ()
    summary_words = _tokens(summary)
    id_words = _tokens(operation_id)
    if method in ("get", "head"):
        return "read", ""
    if method == "post":
        writes = False
        for words, where in (
            (segment_words, "path"),
            (summary_words[:1] + id_words[:1], "summary"),
            (summary_words + id_words, "summary"),
        ):
            if any(w in _WRITE_VERBS for w in words):
                writes = True
                break
            reads = [w for w in words if w in _READ_VERBS]
            if reads:
                return "read", f"a read by POST ({reads[0]!r} in the {where})"
        if not writes and category not in _TRADING:
            return "read", "a read by POST (it names no change)"
    action_words = set(segment_words) | set(summary_words[:3]) | set(id_words[:2])
    if action_words & {"replace", "amend", "modify", "edit", "update"}:
        return "amend", ""
    if "cancel" in action_words or (method == "delete" and category == "orders"):
        return "cancel", ""
    if action_words & {"close", "liquidate"} or (method == "delete" and category in ("positions", "trades")):
        return "close", ""
    if method in ("put", "patch"):
        return "amend", ""
    if method == "delete" or action_words & {"delete", "remove"}:
        return "delete", ""
    return ("place" if category == "orders" else "create"), ""


def _access(route: str, op: dict[str, Any], summary: str, secured: bool) -> tuple[str, str]:
    """``(private|public|unstated, evidence)`` of an operation."""
    private = [w for w in _tokens(route) if w in _PRIVATE_WORDS]
    if private:
        return "private", f'"{private[0]}" in the path'
    literal = " ".join(s for s in route.split("/") if not _is_param(s))
    public = [w for w in _tokens(literal) if w in _PUBLIC_WORDS]
    if public:
        return "public", f'"{public[0]}" in the path'
    tags = [t for t in _list(op.get("tags")) if isinstance(t, str)]
    other = _tokens(" ".join([summary, str(op.get("operationId") or ""), *tags]))
    private = [w for w in other if w in _PRIVATE_WORDS]
    if private:
        return "private", f'"{private[0]}" in its summary or tags'
    public = [w for w in other if w in _PUBLIC_WORDS]
    if public:
        return "public", f'"{public[0]}" in its summary or tags'
    if secured:
        return "private", "it requires authentication"
    if op.get("security") == []:
        return "public", "it requires no authentication"
    return "unstated", "the spec does not say"


# ---------------------------------------------------------------- servers


def _expand_variables(url: str, variables: Any) -> list[str]:
    """A server URL with its ``{variables}``: one URL per enum value (at most 6), else the defaults."""
    if not isinstance(variables, dict) or "{" not in url:
        return [url]
    urls = [url]
    for name, spec in variables.items():
        if not isinstance(spec, dict):
            continue
        values = [str(v) for v in _list(spec.get("enum")) if v is not None][:6] or (
            [str(spec["default"])] if spec.get("default") is not None else []
        )
        if values:
            urls = [u.replace("{" + str(name) + "}", v) for u in urls for v in values][:12]
    return urls


def _servers(bundle: SpecBundle) -> list[Server]:
    doc = bundle.document
    out: list[Server] = []
    if "swagger" in doc:
        host = doc.get("host") if isinstance(doc.get("host"), str) else None
        base = doc.get("basePath") if isinstance(doc.get("basePath"), str) else ""
        schemes = [str(s) for s in _list(doc.get("schemes"))] or ["https"]
        if host:
            for scheme in schemes:
                url = f"{scheme}://{host}{base}"
                out.append(Server(url, None, prose.environment_of(url), "host/basePath"))
        elif base:
            out.append(Server(f"(no host) {base}", f"schemes: {', '.join(map(str, schemes))}", None, "basePath"))
    for server in _list(doc.get("servers")):
        server = bundle.resolve(server)
        if isinstance(server, dict) and server.get("url"):
            description = server.get("description")
            description = " ".join(str(description).split()) if description else None
            for url in _expand_variables(str(server["url"]), server.get("variables")):
                out.append(Server(url, description, prose.environment_of(description, url), "servers"))
    known = {s.url.rstrip("/").lower(): s for s in out}
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    for where, text in [("info.description", info.get("description"))] + [
        (f"tag {t.get('name')}", t.get("description")) for t in _list(doc.get("tags")) if isinstance(t, dict)
    ]:
        if not isinstance(text, str) or "://" not in text:
            continue
        for url, before, after in prose.urls_with_context(text):
            key = url.rstrip("/").lower()
            environment = prose.environment_of(url, before, after)
            if key in known:  # a declared server the prose says more of
                if known[key].environment is None and environment:
                    known[key].environment = environment
                continue
            if _DOC_URL_RE.search(url.split("://", 1)[1]):
                continue
            near = f"{before} {after}"
            if not (environment or _BASE_WORDS_RE.search(near) or _API_URL_RE.search(url.split("://", 1)[1])):
                continue
            sentence = " ".join(f"{before} {url} {after}".split())
            known[key] = Server(url, sentence[: prose.MAX_QUOTE], environment, where)
            out.append(known[key])
    return out


# ---------------------------------------------------------------- authentication


def _oauth_detail(flows: dict[str, Any]) -> str:
    parts = []
    for flow, spec in _dict(flows).items():
        if not isinstance(spec, dict):
            continue
        urls = [f"{key}: {spec[key]}" for key in ("authorizationUrl", "tokenUrl", "refreshUrl") if spec.get(key)]
        scopes = spec.get("scopes")
        scopes = ", ".join(sorted(map(str, scopes if isinstance(scopes, (dict, list)) else [])))
        parts.append(f"{flow} ({'; '.join(urls)}{'; scopes: ' + scopes if scopes else ''})")
    return "; ".join(parts)


def _is_signature(name: str, description: str) -> bool:
    return bool(_SIGN_PARAM_RE.search(name) or (description and _SIGNED_RE.search(description)))


def _auth(bundle: SpecBundle, operations: list[tuple[str, str, dict[str, Any]]]) -> list[AuthScheme]:
    doc = bundle.document
    if "swagger" in doc:
        schemes = _dict(doc.get("securityDefinitions"))
    else:
        schemes = _dict(_dict(doc.get("components")).get("securitySchemes"))
    out = []
    signature_names: list[str] = []
    for name, raw in schemes.items():
        scheme = bundle.resolve(raw)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type", "?")
        description = str(scheme.get("description") or "")
        if kind == "apiKey" and _is_signature(str(scheme.get("name", "")), description):
            signature_names.append(f"{scheme.get('in', '?')} {scheme.get('name', '?')}")
            continue
        if kind == "apiKey":
            detail = f"API key in {scheme.get('in', '?')} {scheme.get('name', '?')}"
        elif kind == "http":
            http = str(scheme.get("scheme", "")).lower()
            kind = f"http {http}"
            detail = f"HTTP {http} authentication" + (
                f" ({scheme['bearerFormat']})" if scheme.get("bearerFormat") else ""
            )
        elif kind == "basic":  # Swagger 2.0
            kind, detail = "http basic", "HTTP basic authentication"
        elif kind == "oauth2":
            if "flows" in scheme:
                detail = "OAuth 2.0: " + _oauth_detail(scheme["flows"])
            else:  # Swagger 2.0
                detail = "OAuth 2.0: " + _oauth_detail({str(scheme.get("flow", "?")): scheme})
        elif kind == "openIdConnect":
            detail = f"OpenID Connect: {scheme.get('openIdConnectUrl', '?')}"
        else:
            detail = str(kind)
        out.append(AuthScheme(str(name), str(kind), detail))
    # Authorization as a (reusable) header parameter, and signature / nonce parameters.
    candidates: list[tuple[str, Any]] = []
    if "swagger" in doc and isinstance(doc.get("parameters"), dict):
        candidates += list(doc["parameters"].items())
    signed_ops = 0
    nonces: dict[str, None] = {}
    stamps: dict[str, None] = {}
    authorization_seen = False
    roles: dict[int, tuple[str, str]] = {}  # id(parameter) -> (role, "in name"): parameters are shared
    for _, _, op in operations:
        op_signed = False
        for raw in _list(op.get("parameters")):
            param = bundle.resolve(raw)
            if not isinstance(param, dict):
                continue
            role = roles.get(id(param))
            if role is None:
                role = roles[id(param)] = _parameter_role(param)
            kind, label = role
            if kind == "authorization":
                candidates.append(("", param))
            elif kind == "signature":
                signature_names.append(label)
                op_signed = True
            elif kind == "nonce":
                nonces[label] = None
            elif kind == "timestamp":
                stamps[label] = None
        for prop in _body_properties(bundle, op):
            if _NONCE_RE.search(prop):
                nonces[f"body {prop}"] = None
            elif _SIGN_PARAM_RE.search(prop):
                signature_names.append(f"body {prop}")
                op_signed = True
        signed_ops += op_signed
    seen = set()
    for key, raw in candidates:
        param = bundle.resolve(raw)
        if (
            isinstance(param, dict)
            and param.get("in") == "header"
            and str(param.get("name", "")).lower() == "authorization"
        ):
            text = " ".join(str(param.get(k, "")) for k in ("description", "format"))
            bearer = "bearer" in text.lower()
            name = key or "Authorization"
            if name in seen or (not key and authorization_seen):
                continue
            seen.add(name)
            authorization_seen = True
            out.append(
                AuthScheme(
                    name, "header parameter", "Authorization header parameter" + (": Bearer token" if bearer else "")
                )
            )
    if signature_names:
        names = list(dict.fromkeys(signature_names))
        detail = "Request signature in " + ", ".join(names)
        if nonces:
            detail += "; nonce in " + ", ".join(nonces)
        if stamps:
            detail += "; timestamp in " + ", ".join(list(stamps)[:3])
        if signed_ops:
            detail += f"; on {signed_ops} operation{'s' if signed_ops != 1 else ''}"
        out.append(AuthScheme(", ".join(n.split(" ", 1)[1] for n in names[:3]), "signature", detail))
    return out


def _parameter_role(param: dict[str, Any]) -> tuple[str, str]:
    """What a parameter is to authentication: ``(authorization|signature|nonce|timestamp|"", "in name")``."""
    name, where = str(param.get("name", "")), str(param.get("in", ""))
    label = f"{where} {name}"
    if where == "header" and name.lower() == "authorization":
        return "authorization", label
    if where in ("header", "query", "formData") and _is_signature(name, str(param.get("description") or "")):
        return "signature", label
    if _NONCE_RE.search(name):
        return "nonce", label
    if where in ("header", "query") and _TIMESTAMP_RE.search(name):
        return "timestamp", label
    return "", label


def _body_properties(bundle: SpecBundle, op: dict[str, Any]) -> list[str]:
    """Top-level property names of an operation's request body (form or JSON)."""
    body = bundle.resolve(op.get("requestBody"))
    names: list[str] = []
    if isinstance(body, dict):
        for media in _dict(body.get("content")).values():
            schema = bundle.resolve(media.get("schema")) if isinstance(media, dict) else None
            if isinstance(schema, dict):
                props = schema.get("properties")
                names += [str(p) for p in props] if isinstance(props, dict) else []
                for part in _list(schema.get("allOf")):
                    part = bundle.resolve(part)
                    if isinstance(part, dict) and isinstance(part.get("properties"), dict):
                        names += [str(p) for p in part["properties"]]
    return names


# ---------------------------------------------------------------- the walk


def _operations(path_item: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(path_item, dict):
        return []
    return [(m, op) for m, op in path_item.items() if m in HTTP_METHODS and isinstance(op, dict)]


def _is_rate_extension(key: Any) -> bool:
    """An ``x-`` field about rate limits (``x-ratelimit-limit``, ``x-throttling``)."""
    return isinstance(key, str) and key[:2] in ("x-", "X-") and bool(_EXTENSION_RE.match(key))


def _mentions(text: str) -> int:
    """Occurrences of "rate limit" (rate-limit, rate_limit, ratelimit, any case) in a text."""
    lower = text.lower()
    return sum(lower.count(form) for form in ("rate limit", "rate-limit", "rate_limit", "ratelimit"))


def _compact(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 160 else text[:157] + "..."


class _RateLimitReader:
    """Gathers rate-limit figures, notes, weights, token lifetimes and signing prose."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, str, str], RateLimit] = {}
        self.notes: dict[str, Quote] = {}
        self.weight_mentions = 0
        self.op_weights: dict[str, list[str]] = {}
        self.op_limits: dict[str, list[str]] = {}
        self.headers: Counter[str] = Counter()
        self.lifetimes: dict[str, Quote] = {}
        self.auth_notes: dict[str, Quote] = {}
        self.algorithms: dict[str, None] = {}

    def add(self, kind: str, text: str, scope: str, quote: str, where: str) -> None:
        key = (kind, text, scope)
        if key in self.figures:
            self.figures[key].occurrences += 1
        else:
            self.figures[key] = RateLimit(kind, text, scope, quote, where)

    def read(self, text: Any, where: str, operation: str | None = None) -> None:
        """Read one description (``operation``: the ``METHOD path`` it describes, if any)."""
        if not isinstance(text, str) or not text.strip():
            return
        for statement in prose.statements(text):
            self._statement(statement, where, operation)

    def _statement(self, statement: prose.Statement, where: str, operation: str | None) -> None:
        self.weight_mentions += prose.weight_mentions(statement)
        figures = prose.rate_limit_figures(statement)
        for figure in figures:
            if figure.kind == "weight" and figure.text.startswith("weight ") and operation:
                self.op_weights.setdefault(operation, []).append(figure.text)
                continue
            if operation and figure.kind in ("requests", "concurrency", "weight"):
                self.op_limits.setdefault(operation, []).append(
                    figure.text + (f" {figure.scope}" if figure.scope else "")
                )
            self.add(figure.kind, figure.text, figure.scope, figure.quote, where)
        if not figures and prose.is_note(statement):
            self.notes.setdefault(statement.text, Quote(prose.clip(statement.text), where))
        lower = statement.lower
        if "-" in lower and any(word in lower for word in ("limit", "retry", "throttl", "quota")):
            for header in prose.rate_limit_headers(statement.text):
                self.headers[header] += 0  # named in prose: listed, not counted as declared
        for lifetime in prose.token_lifetimes(statement):
            self.lifetimes.setdefault(lifetime.text, Quote(f'{lifetime.text}: "{lifetime.quote}"', where))
        signing = prose.signature_facts(statement)
        if signing is not None:
            algorithms, headers = signing
            for algorithm in algorithms:
                self.algorithms[algorithm] = None
            if _SIGN_WORD_RE.search(statement.text) and (algorithms or headers or _SECRET_RE.search(statement.text)):
                self.auth_notes.setdefault(statement.text, Quote(prose.clip(statement.text), where))


def read_spec_facts(path: Path) -> SpecFacts:
    """Read a spec file and extract what a research doc can use.

    Args:
        path: an OpenAPI 3.x or Swagger 2.0 file, YAML or JSON; local ``$ref``s are
            resolved, and relative ones to files inside its directory tree (see
            :mod:`govtool.openapi_refs`); others are named in ``warnings``.

    Returns:
        The facts.

    Raises:
        InputError: the file does not parse, or is not OpenAPI/Swagger.
    """
    bundle = load_bundle(path)
    doc = bundle.document
    info = doc.get("info") if isinstance(doc.get("info"), dict) else {}
    facts = SpecFacts(
        source=path.name,
        spec_version=f"{'OpenAPI' if 'openapi' in doc else 'Swagger'} {doc.get('openapi') or doc.get('swagger')}",
        title=str(info.get("title", "(untitled)")),
        api_version=str(info.get("version", "?")),
        servers=_servers(bundle),
    )
    reader = _RateLimitReader()
    reader.read(info.get("description"), "info.description")
    for tag in _list(doc.get("tags")):
        if isinstance(tag, dict):
            reader.read(tag.get("description"), f"tag {tag.get('name')}")
    schemes = _dict(
        _dict(doc.get("components")).get("securitySchemes") if "openapi" in doc else doc.get("securityDefinitions")
    )
    for name, scheme in schemes.items():
        scheme = bundle.resolve(scheme)
        if isinstance(scheme, dict):
            reader.read(scheme.get("description"), f"security scheme {name}")
    for key, value in [*doc.items(), *info.items()]:
        if _is_rate_extension(key):
            reader.add("extension", f"{key}: {_compact(value)}", "", f"{key}: {_compact(value)}", key)

    paths = _dict(doc.get("paths"))
    facts.path_count = len(paths)
    global_security = bool(doc.get("security"))
    operations: list[tuple[str, str, dict[str, Any]]] = []
    errors: Counter[str] = Counter()
    error_texts: dict[str, Counter[str]] = {}
    declared_429: list[str] = []
    reads: list[Endpoint] = []
    writes: list[Endpoint] = []
    for route, raw_item in paths.items():
        route = str(route)
        item = bundle.resolve(raw_item)
        if _RATE_PATH_RE.search(route):
            facts.rate_limit_paths.append(route)
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if _is_rate_extension(key):
                reader.add("extension", f"{key}: {_compact(value)}", "", f"{key}: {_compact(value)}", route)
        shared_params = _list(item.get("parameters"))
        for method, op in _operations(item):
            label = f"{method.upper()} {route}"
            merged = dict(op)
            merged["parameters"] = shared_params + _list(op.get("parameters"))
            operations.append((method, route, merged))
            facts.operation_count += 1
            summary = " ".join(str(op.get("summary") or "").split())
            reader.read(op.get("description"), label, label)
            for key, value in op.items():
                if _is_rate_extension(key):
                    reader.add("extension", f"{key}: {_compact(value)}", "", f"{key}: {_compact(value)}", label)
            responses = bundle.resolve(op.get("responses"))
            for code, raw_response in responses.items() if isinstance(responses, dict) else []:
                code = str(code).upper()
                response = bundle.resolve(raw_response)
                description = (
                    " ".join(str(response.get("description") or "").split()) if isinstance(response, dict) else ""
                )
                if code == "429":
                    declared_429.append(label)
                if code == "DEFAULT" or code[:1] in ("4", "5"):
                    code = "default" if code == "DEFAULT" else code
                    errors[code] += 1
                    if description:
                        error_texts.setdefault(code, Counter())[description] += 1
                    if code != "429" and description and prose.rate_words(description):
                        reader.add("status", code, "", description, f"{label} → {code}")
                headers = bundle.resolve(response.get("headers")) if isinstance(response, dict) else None
                for header in headers if isinstance(headers, dict) else []:
                    if prose.rate_limit_headers(str(header)):
                        reader.headers[str(header)] += 1
            secured = bool(op["security"]) if isinstance(op.get("security"), list) else global_security
            endpoint = _endpoint(method, route, op, summary, secured)
            if endpoint is None:
                continue
            (reads if endpoint.action == "read" else writes).append(endpoint)
    if declared_429:
        where = declared_429[0] + (f" and {len(declared_429) - 1} more" if len(declared_429) > 1 else "")
        quote = f"429 declared as a response of {len(declared_429)} operation{'s' if len(declared_429) != 1 else ''}"
        reader.figures[("status", "429", "declared")] = RateLimit("status", "429", "", quote, where, len(declared_429))

    facts.sync_endpoint_total = len(reads)
    facts.sync_endpoints = _best(reads, {"private": 6, "unstated": 6, "public": 3}, MAX_SYNC_ENDPOINTS)
    facts.write_endpoint_total = len(writes)
    facts.write_endpoints = _best(writes, {"private": 8, "unstated": 8, "public": 8}, MAX_WRITE_ENDPOINTS)
    for endpoint in facts.sync_endpoints + facts.write_endpoints:
        label = f"{endpoint.method} {endpoint.path}"
        stated = reader.op_limits.get(label, []) + reader.op_weights.get(label, [])
        endpoint.rate_limit = "; ".join(dict.fromkeys(stated))
    facts.auth = _auth(bundle, operations)
    if reader.algorithms:
        for scheme in facts.auth:
            if scheme.kind == "signature":
                scheme.detail = scheme.detail.replace(
                    "Request signature", f"Request signature ({', '.join(reader.algorithms)})", 1
                )
    facts.token_lifetimes = list(reader.lifetimes.values())
    facts.auth_notes = list(reader.auth_notes.values())[:MAX_QUOTES]
    facts.error_responses = dict(sorted(errors.items(), key=lambda kv: (kv[0] == "default", kv[0])))
    facts.error_descriptions = {code: prose.clip(texts.most_common(1)[0][0]) for code, texts in error_texts.items()}
    order = {"requests": 0, "weight": 1, "concurrency": 2, "status": 3, "extension": 4}
    figures = sorted(reader.figures.values(), key=lambda f: order.get(f.kind, 9))
    facts.rate_limit_total = len(figures)
    facts.rate_limits = figures[:MAX_FIGURES]
    facts.rate_limit_notes = list(reader.notes.values())[:MAX_NOTES]
    facts.rate_limit_headers = sorted(reader.headers, key=lambda h: (-reader.headers[h], h.lower()))
    facts.weight_mentions = reader.weight_mentions
    weights = [
        float(m.group(0))
        for values in reader.op_weights.values()
        for value in values
        if (m := re.search(r"\d+(?:\.\d+)?", value.replace(",", "")))
    ]
    facts.weighted_operations = len(reader.op_weights)
    if weights:
        low, high = min(weights), max(weights)
        facts.weight_range = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    facts.rate_limit_mentions = sum(_mentions(text) for text in bundle.texts)
    facts.warnings = bundle.warnings()
    facts.unresolved_refs = sorted(bundle.skipped)
    facts.files_read = sorted(bundle.files)
    return facts


def _endpoint(method: str, route: str, op: dict[str, Any], summary: str, secured: bool) -> Endpoint | None:
    """The operation as an :class:`Endpoint` when it concerns what a trade sync reads, else None."""
    if method in ("options", "trace"):
        return None
    operation_id = str(op.get("operationId") or "")
    found = _category(route, summary, operation_id)
    if found is None:
        return None
    category, evidence, strength = found
    action, how = _read_or_write(method, route, summary, operation_id, category)
    if action != "read" and category not in _TRADING:
        return None
    access, why = _access(route, op, summary, secured)
    reason = f"{category}: {evidence}; {_ACCESS_LABEL[access]} ({why})"
    if how:
        reason += f"; {how}"
    depth = sum(1 for s in route.split("/") if s and not _is_param(s))
    return Endpoint(
        method.upper(), route, summary or operation_id, category, access, action, reason, "", strength, depth
    )


def _best(endpoints: list[Endpoint], per_group: dict[str, int], limit: int) -> list[Endpoint]:
    """The endpoints to list, best first: private account data before public market data,
    then by category; within a group the path that names the resource most directly
    and shallowest first, at most ``per_group[access]`` per access and category."""
    groups: dict[tuple[str, str], list[tuple[int, int, int, Endpoint]]] = {}
    for order, endpoint in enumerate(endpoints):
        key = (endpoint.access, endpoint.category)
        groups.setdefault(key, []).append((endpoint.strength, endpoint.depth, order, endpoint))
    chosen = []
    for (access, category), items in groups.items():
        items.sort(key=lambda item: item[:3])
        for strength, depth, order, endpoint in items[: per_group[access]]:
            chosen.append((_ACCESS_RANK[access], _CATEGORY_RANK[category], strength, depth, order, endpoint))
    chosen.sort(key=lambda item: item[:5])
    return [item[-1] for item in chosen][:limit]
