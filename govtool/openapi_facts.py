"""What an OpenAPI 3.x or Swagger 2.0 document can tell a research doc.

`research new --from-openapi FILE` pre-fills the research doc with these facts: the
API's title and version, its servers (marked live or sandbox/paper where their
names or descriptions say so), its authentication, the operations a trade sync
needs (account, positions, orders, fills, activities, transactions), the declared
error responses, and the rate-limit statements of its prose. What a spec cannot
tell stays a placeholder in the doc.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool.errors import InputError
from govtool.inputs import read_text
from govtool.yamlio import load_json, load_yaml

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
SYNC_KEYWORDS = ("account", "position", "order", "fill", "activit", "transaction", "trade")
_SANDBOX_WORDS = re.compile(r"paper|sandbox|practice|demo|testnet|\btest\b|staging", re.IGNORECASE)
_LIVE_WORDS = re.compile(r"\blive\b|production|\bprod\b", re.IGNORECASE)
_RATE_RE = re.compile(
    r"rate[ -]?limit|requests? per (?:second|minute|hour|day)|req(?:uest)?s?/(?:s|sec|second|min|minute|h|hour)\b"
    r"|too many requests|throttl",
    re.IGNORECASE,
)
_MENTION_RE = re.compile(r"rate[ _-]?limit", re.IGNORECASE)
_WEIGHT_RE = re.compile(r"weight", re.IGNORECASE)
MAX_QUOTES = 12


@dataclass
class Server:
    """One server of the spec: ``url``, ``description`` and ``environment`` (live, sandbox/paper or None)."""

    url: str
    description: str | None
    environment: str | None


@dataclass
class AuthScheme:
    """One way to authenticate: ``name``, ``kind`` (apiKey, http basic, http bearer, oauth2,
    openIdConnect, header parameter) and ``detail`` (header names, flows with URLs and scopes)."""

    name: str
    kind: str
    detail: str


@dataclass
class SpecFacts:
    """Facts read from one API spec (all plain data).

    Attributes:
        source: the file's name.
        spec_version: ``openapi`` or ``swagger`` version string.
        title, api_version: from ``info``.
        servers: in the spec's order.
        auth: the security schemes (and a Swagger 2.0 Authorization header parameter).
        operation_count: every (path, method) pair; path_count: the paths.
        sync_endpoints: ``(METHOD, path, summary)`` of the read operations a trade sync needs.
        error_responses: status code -> number of operations declaring it (401, 403, 429, 5xx).
        rate_limit_quotes: ``(where, text)`` of the prose that states rate limits.
        rate_limit_quote_total: how many distinct statements there were (at most
            :data:`MAX_QUOTES` are kept, those with figures first).
        rate_limit_mentions: occurrences of "rate limit" (or rateLimit, rate-limit) in
            the spec's text; weight_mentions: occurrences of "weight".
        rate_limit_paths: paths whose name is about rate limits.
    """

    source: str
    spec_version: str
    title: str
    api_version: str
    servers: list[Server] = field(default_factory=list)
    auth: list[AuthScheme] = field(default_factory=list)
    operation_count: int = 0
    path_count: int = 0
    sync_endpoints: list[tuple[str, str, str]] = field(default_factory=list)
    error_responses: dict[str, int] = field(default_factory=dict)
    rate_limit_quotes: list[tuple[str, str]] = field(default_factory=list)
    rate_limit_quote_total: int = 0
    rate_limit_mentions: int = 0
    weight_mentions: int = 0
    rate_limit_paths: list[str] = field(default_factory=list)
    unresolved_refs: list[str] = field(default_factory=list)


def load_spec(path: Path) -> tuple[dict[str, Any], str]:
    """Read a spec file (JSON or YAML).

    Returns:
        ``(document, text)``: the parsed mapping and the file's text.

    Raises:
        InputError: unreadable, not parseable, or not OpenAPI 3.x / Swagger 2.0.
    """
    try:
        text = read_text(path, str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    name = path.name
    data: Any = load_json(text, name) if text.lstrip().startswith("{") else load_yaml(text, name, strict=False)
    if not isinstance(data, dict):
        raise InputError(f"{name}:1: not an OpenAPI document (the top level is not a mapping)")
    version = str(data.get("openapi") or data.get("swagger") or "")
    if not (version.startswith("3.") or version == "2.0"):
        raise InputError(
            f"{name}:1: not an OpenAPI 3.x or Swagger 2.0 document (no 'openapi: 3.x' or 'swagger: \"2.0\"' field)",
            hint="--from-openapi takes an OpenAPI 3.x or Swagger 2.0 file, YAML or JSON",
        )
    if not isinstance(data.get("paths", {}), dict):
        raise InputError(f"{name}: 'paths' is not a mapping")
    return data, text


class _Resolver:
    """Resolves local ``$ref`` pointers (``#/components/...``), with cycle protection."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.unresolved: list[str] = []

    def __call__(self, node: Any, depth: int = 0) -> Any:
        while isinstance(node, dict) and "$ref" in node and depth < 32:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#/"):
                self.unresolved.append(str(ref))
                return {}
            target: Any = self.document
            for part in ref[2:].split("/"):
                part = part.replace("~1", "/").replace("~0", "~")
                if isinstance(target, dict) and part in target:
                    target = target[part]
                elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                    target = target[int(part)]
                else:
                    self.unresolved.append(ref)
                    return {}
            node = target
            depth += 1
        return node


def _environment(*texts: str | None) -> str | None:
    joined = " ".join(t for t in texts if t)
    if _SANDBOX_WORDS.search(joined):
        return "sandbox/paper"
    if _LIVE_WORDS.search(joined):
        return "live"
    return None


def _servers(doc: dict[str, Any]) -> list[Server]:
    out = []
    if "swagger" in doc:
        host = doc.get("host")
        base = doc.get("basePath", "")
        schemes = doc.get("schemes") or ["https"]
        if host:
            for scheme in schemes:
                url = f"{scheme}://{host}{base}"
                out.append(Server(url, None, _environment(url)))
        elif base:
            out.append(Server(f"(no host) {base}", f"schemes: {', '.join(schemes)}", None))
        return out
    for server in doc.get("servers") or []:
        if isinstance(server, dict) and server.get("url"):
            url, description = str(server["url"]), server.get("description")
            env = _environment(description) or _environment(url)
            out.append(Server(url, description, env))
    return out


def _oauth_detail(flows: dict[str, Any]) -> str:
    parts = []
    for flow, spec in (flows or {}).items():
        if not isinstance(spec, dict):
            continue
        urls = [f"{key}: {spec[key]}" for key in ("authorizationUrl", "tokenUrl", "refreshUrl") if spec.get(key)]
        scopes = ", ".join(sorted(spec.get("scopes") or {}))
        parts.append(f"{flow} ({'; '.join(urls)}{'; scopes: ' + scopes if scopes else ''})")
    return "; ".join(parts)


def _auth(doc: dict[str, Any], resolve: _Resolver) -> list[AuthScheme]:
    if "swagger" in doc:
        schemes = doc.get("securityDefinitions") or {}
    else:
        schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    out = []
    for name, raw in schemes.items():
        scheme = resolve(raw)
        if not isinstance(scheme, dict):
            continue
        kind = scheme.get("type", "?")
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
                flow = {scheme.get("flow", "?"): scheme}
                detail = "OAuth 2.0: " + _oauth_detail(flow)
        elif kind == "openIdConnect":
            detail = f"OpenID Connect: {scheme.get('openIdConnectUrl', '?')}"
        else:
            detail = str(kind)
        out.append(AuthScheme(str(name), str(kind), detail))
    # Swagger 2.0 style: Authorization as a (reusable) header parameter.
    candidates = list((doc.get("parameters") or {}).items()) if "swagger" in doc else []
    for path_item in (doc.get("paths") or {}).values():
        for op in _operations(path_item):
            for param in op[1].get("parameters") or []:
                candidates.append(("", param))
    seen = set()
    for key, raw in candidates:
        param = resolve(raw)
        if (
            isinstance(param, dict)
            and param.get("in") == "header"
            and str(param.get("name", "")).lower() == "authorization"
        ):
            text = " ".join(str(param.get(k, "")) for k in ("description", "format"))
            bearer = "bearer" in text.lower()
            name = key or "Authorization"
            if name in seen:
                continue
            seen.add(name)
            detail = "Authorization header parameter" + (": Bearer token" if bearer else "")
            out.append(AuthScheme(name, "header parameter", detail))
            if key:
                break
    return out


def _operations(path_item: Any) -> list[tuple[str, dict[str, Any]]]:
    if not isinstance(path_item, dict):
        return []
    return [(m, op) for m, op in path_item.items() if m in HTTP_METHODS and isinstance(op, dict)]


def _strings(node: Any, where: str, out: list[tuple[str, str]]) -> None:
    """Collect (location, text) of every description and summary under ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("description", "summary", "title") and isinstance(value, str):
                out.append((f"{where}.{key}" if where else key, value))
            elif isinstance(value, (dict, list)) and key != "$ref":
                _strings(value, f"{where}.{key}" if where else str(key), out)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _strings(value, f"{where}[{index}]", out)


def _sentence(text: str, match: re.Match) -> str:
    start = max(text.rfind(".", 0, match.start()), text.rfind("\n", 0, match.start())) + 1
    ends = [i for i in (text.find(".", match.end()), text.find("\n", match.end())) if i != -1]
    end = min(ends) + 1 if ends else len(text)
    sentence = " ".join(text[start:end].split())
    return sentence if len(sentence) <= 240 else sentence[:237] + "..."


def read_spec_facts(path: Path) -> SpecFacts:
    """Read a spec file and extract what a research doc can use.

    Args:
        path: an OpenAPI 3.x or Swagger 2.0 file, YAML or JSON; local ``$ref``s are
            resolved, others are listed as unresolved.

    Returns:
        The facts.

    Raises:
        InputError: the file does not parse, or is not OpenAPI/Swagger.
    """
    doc, text = load_spec(path)
    resolve = _Resolver(doc)
    info = doc.get("info") or {}
    facts = SpecFacts(
        source=path.name,
        spec_version=f"{'OpenAPI' if 'openapi' in doc else 'Swagger'} {doc.get('openapi') or doc.get('swagger')}",
        title=str(info.get("title", "(untitled)")),
        api_version=str(info.get("version", "?")),
        servers=_servers(doc),
        auth=_auth(doc, resolve),
    )
    paths = doc.get("paths") or {}
    facts.path_count = len(paths)
    errors: Counter[str] = Counter()
    for route, raw_item in paths.items():
        item = resolve(raw_item)
        if re.search(r"rate[-_]?limit", str(route), re.IGNORECASE):
            facts.rate_limit_paths.append(str(route))
        for method, op in _operations(item):
            facts.operation_count += 1
            lowered = str(route).lower()
            if method == "get" and any(word in lowered for word in SYNC_KEYWORDS):
                summary = " ".join(str(op.get("summary") or op.get("operationId") or "").split())
                facts.sync_endpoints.append((method.upper(), str(route), summary))
            for code in resolve(op.get("responses")) or {}:
                code = str(code).upper()
                if code in ("401", "403", "429") or code.startswith("5"):
                    errors[code] += 1
    facts.error_responses = dict(sorted(errors.items()))
    facts.rate_limit_mentions = len(_MENTION_RE.findall(text))
    facts.weight_mentions = len(_WEIGHT_RE.findall(text))
    texts: list[tuple[str, str]] = []
    _strings(doc, "", texts)
    quotes: dict[str, str] = {}
    for where, prose in texts:
        for match in _RATE_RE.finditer(prose):
            quotes.setdefault(_sentence(prose, match), where)
    # Statements with figures first ("Rate Limit: 1/3s per account"), then the rest, in spec order.
    ranked = sorted(quotes.items(), key=lambda item: not re.search(r"\d", item[0]))
    facts.rate_limit_quotes = [(where, quote) for quote, where in ranked[:MAX_QUOTES]]
    facts.rate_limit_quote_total = len(quotes)
    facts.unresolved_refs = sorted(set(resolve.unresolved))
    return facts
