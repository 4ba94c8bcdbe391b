"""Reading the prose of an API spec the way a careful developer does.

An API's descriptions are Markdown written by people: headings, paragraphs, lists,
tables, code blocks and examples. :func:`statements` cuts one description into the
units a reader weighs one at a time (sentences, list items, table rows), leaving out
headings, code blocks, and examples; each unit knows whether it sits under a heading
or beside a table about rate limits. The readers below then take from those units
what they state, each with the words it came from:

- :func:`rate_limit_figures`: requests per interval, concurrency limits, request
  weights, and the status code a breach returns;
- :func:`token_lifetimes`: how long a token or session lasts;
- :func:`signature_facts`: signature schemes (HMAC and the like), their headers, nonces;
- :func:`environment_of`: whether a server is live, sandbox, paper or simulation;
- :func:`urls_with_context`: the URLs a text gives, with the words around them.

The rules are about how people write about limits, not about any one broker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class lazy_pattern:  # noqa: N801 - used like re.compile
    """A regular expression compiled on first use: compiling every one of them costs more
    at import than a spec with little prose takes to read. After the first use its
    methods are the compiled pattern's own (no indirection)."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern, self.flags = pattern, flags

    def __getattr__(self, name: str) -> Any:
        compiled = re.compile(self.pattern, self.flags)
        for method in ("search", "match", "fullmatch", "finditer", "findall", "sub", "split"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)


NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
_UNIT = r"milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wk|months?|mo"
_UNIT_NAMES = {
    "ms": "millisecond",
    "msec": "millisecond",
    "millisecond": "millisecond",
    "s": "second",
    "sec": "second",
    "second": "second",
    "m": "minute",
    "min": "minute",
    "minute": "minute",
    "h": "hour",
    "hr": "hour",
    "hour": "hour",
    "d": "day",
    "day": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "mo": "month",
}
_ABBREVIATIONS = {"rps": ("requests", "second"), "rpm": ("requests", "minute"), "rph": ("requests", "hour")}
_ABBREVIATIONS.update({"qps": ("queries", "second"), "tps": ("transactions", "second")})

#: A heading or table header about limits: the context reaches the statements under it.
_LIMIT_HEADING_RE = lazy_pattern(
    r"rate[\s_-]?limit|throttl|quotas?|\blimits?\b|limitations|weights?|usage|fair use", re.IGNORECASE
)
_REQUEST_NOUN = r"(?:api\s+|http\s+|rest\s+)?(?:requests?|reqs?|calls?|queries|query|hits?)"
#: What a rate limit counts, by itself (without "rate limit" nearby): requests, calls,
#: queries, and orders or messages sent per unit of time.
_COUNTED_NOUN_RE = lazy_pattern(rf"{_REQUEST_NOUN}|orders?|messages?", re.IGNORECASE)
_NOUN = (
    rf"(?P<noun>request\s+weights?|weights?|{_REQUEST_NOUN}|messages?|orders?|times?|connections?"
    r"|subscriptions?|actions?|operations?|transactions?)"
)
_REQUESTS_RE = lazy_pattern(
    rf"(?<![\w.,/-])(?P<count>{NUMBER})\s*{_NOUN}?\s*"
    r"(?:per|every|each|an?|/|in(?:\s+(?:a|any|one|each))?|within(?:\s+(?:a|any|one))?)\s*"
    rf"(?:(?P<n>{NUMBER})[\s-]*)?(?P<unit>{_UNIT})\b"
    r"(?:[\s-]+(?:rolling\s+|sliding\s+)?(?:interval|window|period|time\s*frame))?",
    re.IGNORECASE,
)
_ABBREVIATED_RE = lazy_pattern(rf"(?<![\w.])(?P<count>{NUMBER})\s*(?P<abbr>rps|rpm|rph|qps|tps)\b", re.IGNORECASE)
_CONCURRENT_WORDS = r"concurrent|simultaneous|parallel|in-flight|inflight|open|active|outstanding"
_CONCURRENT_STEMS = ("concurrent", "simultaneous", "parallel", "in-flight", "inflight", "outstanding")
_CONCURRENT_THINGS = ("connection", "session", "stream", "socket", "request")
_CONCURRENT_WHAT = (
    r"(?P<what>(?:api\s+|http\s+|rest\s+|websocket\s+|ws\s+)?"
    r"(?:requests?|connections?|calls?|sessions?|streams?|websockets?|subscriptions?|queries|logins?))"
)
_CONCURRENT_RE = lazy_pattern(
    rf"(?<![\w.,])(?P<count>{NUMBER})\s+(?P<word>{_CONCURRENT_WORDS})\s+{_CONCURRENT_WHAT}", re.IGNORECASE
)
_CONCURRENT_AFTER_RE = lazy_pattern(
    rf"(?P<word>{_CONCURRENT_WORDS})\s+{_CONCURRENT_WHAT}\s+"
    r"(?:\w+\s+){0,3}?(?:is|are|of|to|at|:|=|limited\s+to|must\s+not\s+exceed|cannot\s+exceed|may\s+not\s+exceed)\s+"
    rf"(?:(?:a\s+)?max(?:imum)?\s+(?:of\s+)?|most\s+|up\s+to\s+)?(?P<count>{NUMBER})(?![\w.])",
    re.IGNORECASE,
)
_WEIGHT_WORD_RE = lazy_pattern(r"(?<![\w])weights?(?![\w])", re.IGNORECASE)
_WEIGHT_LABEL_RE = lazy_pattern(
    r"(?<![\w])weight\s*(?:\(\s*(?P<kind>[A-Za-z][A-Za-z ]{0,15})\s*\))?\s*(?:[:=]|\bof\b|\bis\b)\s*"
    rf"(?P<value>{NUMBER})(?![\w.])",
    re.IGNORECASE,
)
_REQUEST_WEIGHT_RE = lazy_pattern(r"request(?:'s)?\s+weights?|weights?\s+(?:of|for)\s+(?:th(?:is|e)\s+)?request", re.I)
_STATUS_BEFORE_RE = lazy_pattern(
    r"\b(?:http|status|code|error|response|returns?|returned|responds?\s+with|receive[sd]?|gets?|with\s+an?)\b"
    r"[^.\d\n]{0,15}?(?<!\d)(?P<code>[45]\d\d)(?!\d)",
    re.IGNORECASE,
)
_STATUS_AFTER_RE = lazy_pattern(
    r"(?<![\w.,])(?P<code>[45]\d\d)(?![\w.,])\s*(?:[-:(\"']\s*)?"
    r"(?:(?i:too many requests|quota exceeded|rate[\s-]?limit(?:ed| exceeded)?|throttled|slow down|banned|forbidden"
    r"|service unavailable|limit exceeded|error|status|response|code)\b|(?-i:[A-Z][a-z]+(?: [A-Z][a-z]+){0,3}\b))",
)
_HEADER_NAME_RE = lazy_pattern(
    r"\b(?:x-)?[A-Za-z]*(?:rate-?limit|ratelimit|retry-after|throttl|quota)[A-Za-z0-9-]*", re.I
)

_TOKEN_KIND_RE = lazy_pattern(
    r"\b(?P<kind>access|refresh|bearer|session|id|auth|authentication|authorization|oauth|api|jwt|sso)?"
    r"[\s_-]*(?P<what>tokens?|sessions?|jwts?|api[\s-]?keys?|keys?|cookies?|codes?)\b",
    re.IGNORECASE,
)
_DURATION_RE = lazy_pattern(
    rf"(?<![\w.,])(?P<n>{NUMBER}|one|two|three|four|five|six|ten|twelve|twenty|thirty|sixty|ninety)[\s-]*"
    r"(?P<unit>seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_EXPIRY_RE = lazy_pattern(
    r"expir|valid|lifetime|life[\s-]?span|\blive[sd]?\b|\blasts?\b|\bttl\b|time[\s-]?to[\s-]?live|timeout|times?\s+out"
    r"|inactiv|idle|good\s+for|refresh(?:ed)?\s+every|\bafter\b|\bfor\b",
    re.IGNORECASE,
)
_SIGNATURE_RE = lazy_pattern(
    r"\bhmac|signature|\bsigned\b|\bsign(?:ing|s)?\b(?!\s*(?:up|in|out|on)\b)|\bnonce|digest", re.IGNORECASE
)
_ALGORITHM_RE = lazy_pattern(
    r"\bhmac[\s_-]?(?:sha[\s_-]?(?:1|224|256|384|512)|md5)\b|\bhmac\b|\bsha[\s_-]?(?:256|384|512)\b|\bed25519\b"
    r"|\brsa(?:[\s_-]?sha[\s_-]?256)?\b|\becdsa\b",
    re.IGNORECASE,
)
_SIGN_HEADER_RE = lazy_pattern(r"\b[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\b")

#: The environments a server can be in, each with the words that say so: whole words,
#: and parts of words (``fxpractice``, ``paper-api``, ``simulated``).
_ENVIRONMENTS: tuple[tuple[str, frozenset[str], tuple[str, ...]], ...] = (
    ("simulation", frozenset({"sim"}), ("simulat",)),
    ("paper", frozenset({"demo"}), ("paper", "practice", "practise")),
    (
        "sandbox",
        frozenset({"test", "testing", "staging", "uat", "dev", "development", "cert", "certification"}),
        ("sandbox", "testnet"),
    ),
    ("live", frozenset({"live", "production", "prod", "real"}), ()),
)
_NON_ALNUM_RE = lazy_pattern(r"[^A-Za-z0-9]+")
_URL_RE = lazy_pattern(r"\b(?:https?|wss?)://[^\s<>()\[\]{}\"'`|\\^]+", re.IGNORECASE)

_FENCE_RE = lazy_pattern(r"^\s*(```|~~~)")
_DIGIT_RE = lazy_pattern(r"\d")
_DURATION_HINT_RE = lazy_pattern(
    r"\d|\b(?:one|two|three|four|five|six|ten|twelve|twenty|thirty|sixty|ninety)\b", re.IGNORECASE
)
_HEADING_RE = lazy_pattern(r"^\s{0,3}#{1,6}\s|^\s*(?:\*\*|__)[^*_]+(?:\*\*|__)\s*:?\s*$|^\s*<h[1-6][ >]", re.IGNORECASE)
_SETEXT_RE = lazy_pattern(r"^\s*(?:=+|-+)\s*$")
_LIST_ITEM_RE = lazy_pattern(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_TABLE_SEPARATOR_RE = lazy_pattern(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_EXAMPLE_RE = lazy_pattern(r"^\W*(?:for\s+)?examples?\b|^\W*e\.g\.|^\W*sample\b", re.IGNORECASE)
_HEADING_FIRST = frozenset("#*_<")
_CODE_FIRST = frozenset('HGPDc{}[]"<')
_CODE_LINE_RE = lazy_pattern(
    r"^\s*(?:HTTP/\d|(?:GET|POST|PUT|PATCH|DELETE)\s+/|curl\s|[{}\[\]]|\"[\w-]+\"\s*:|<[a-z/])"
)
_SENTENCE_END_RE = lazy_pattern(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(\[`*])")
_MARKUP_RE = lazy_pattern(r"\*\*|__|`|<br\s*/?>", re.IGNORECASE)
MAX_QUOTE = 240
#: Longer sentences are read up to here: prose, not a data dump, and the readers' time stays linear.
MAX_STATEMENT = 2000


@dataclass
class Statement:
    """One unit of prose: a sentence, a list item, or a table row.

    Attributes:
        text: its words (Markdown emphasis and code marks removed; a row as ``Header: cell; ...``).
        context: it sits under a heading, or in a table, about limits.
        row: a table row's cells (None for prose); header: that table's header cells.
        rate_words: whether its own words speak of rate limits (worked out on first use).
        lower: the text in lowercase, for the readers' quick looks.
    """

    text: str
    context: bool = False
    row: tuple[str, ...] | None = None
    header: tuple[str, ...] | None = None
    rate_words: bool | None = None
    lower: str = ""

    def __post_init__(self) -> None:
        self.lower = self.text.lower()


@dataclass
class Figure:
    """A fact read from prose.

    Attributes:
        kind: ``requests`` (per interval), ``concurrency``, ``weight``, ``status`` or
            ``lifetime``.
        text: the fact in normal form (``250 requests per 5 minutes``, ``5 concurrent
            requests``, ``weight 20 (IP)``, ``403``, ``access token: 20 minutes``).
        scope: what it applies to as the text says (``per account``, ``accounts, orders``), or "".
        quote: the sentence or table row it came from.
    """

    kind: str
    text: str
    scope: str
    quote: str


def _cells(line: str) -> tuple[str, ...]:
    return tuple(_clean(cell) for cell in line.strip().strip("|").split("|"))


def _clean(text: str) -> str:
    return " ".join(_MARKUP_RE.sub("", text).split())


def statements(text: str) -> list[Statement]:
    """Cut a Markdown description into statements a reader weighs one at a time.

    Headings (``#``, setext, a line of bold text alone), fenced code, HTTP examples
    and paragraphs that are examples ("Example ...", "For example, ...") yield no
    statement, nor does the one block (code or paragraph) under a heading that names an
    example; a heading or table about limits puts what follows it in context.

    Args:
        text: the description.

    Returns:
        Sentences, list items and table rows in order.
    """
    out: list[Statement] = []
    lines = text.split("\n")
    paragraph: list[str] = []
    state: dict[str, Any] = {"context": False, "example": False, "last": ""}

    def flush() -> None:
        if paragraph:
            joined = _clean(" ".join(paragraph))
            paragraph.clear()
            state["last"] = joined
            if _EXAMPLE_RE.match(joined):
                return
            for sentence in _SENTENCE_END_RE.split(joined):
                if sentence:
                    out.append(Statement(sentence[:MAX_STATEMENT], bool(state["context"])))

    index = 0
    in_fence = False
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        index += 1
        first = stripped[:1]
        if first in ("`", "~") and _FENCE_RE.match(line):
            flush()
            in_fence = not in_fence
            if not in_fence:
                state["example"] = False  # an example is the block after its title; it ends here
            continue
        if in_fence:
            continue
        if not stripped:
            flush()
            if state["example"] == "in":
                state["example"] = False
            continue
        following = lines[index].strip() if index < len(lines) else ""
        setext = following[:1] in ("=", "-") and not paragraph and first != "|" and bool(_SETEXT_RE.match(following))
        marked = first in _HEADING_FIRST and bool(_HEADING_RE.match(line))
        if marked or setext:
            flush()
            title = _clean(stripped.lstrip("#"))
            state["context"] = bool(rate_words(title) or _LIMIT_HEADING_RE.search(title))
            state["example"] = bool(_EXAMPLE_RE.match(title))
            if setext and not marked:
                index += 1
            continue
        if state["example"]:
            state["example"] = "in"
            continue
        if first in _CODE_FIRST and _CODE_LINE_RE.match(line):
            continue
        if stripped.startswith("|"):
            flush()
            table = [stripped]
            while index < len(lines) and lines[index].strip().startswith("|"):
                table.append(lines[index].strip())
                index += 1
            out.extend(_table_statements(table, bool(state["context"]), state["last"]))
            continue
        if (first in "-*+•" or first.isdigit()) and _LIST_ITEM_RE.match(line):
            flush()
            paragraph.append(_LIST_ITEM_RE.sub("", line))
            continue
        paragraph.append(stripped)
    flush()
    return out


def _table_statements(table: list[str], context: bool, before: str) -> list[Statement]:
    header: tuple[str, ...] | None = None
    rows = table
    if len(table) > 1 and _TABLE_SEPARATOR_RE.match(table[1]):
        header, rows = _cells(table[0]), table[2:]
    heading_text = " ".join(header or ())
    context = context or bool(_LIMIT_HEADING_RE.search(heading_text) or rate_words(heading_text) or rate_words(before))
    out = []
    for raw in rows:
        if _TABLE_SEPARATOR_RE.match(raw):
            continue
        cells = _cells(raw)
        if header and len(header) == len(cells):
            text = "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c)
        else:
            text = "; ".join(c for c in cells if c)
        out.append(Statement(text[:MAX_STATEMENT], context, cells, header))
    return out


def _unit_name(unit: str) -> str:
    unit = unit.lower()
    return _UNIT_NAMES.get(unit) or _UNIT_NAMES.get(unit.rstrip("s"), unit)


def _per(n: str | None, unit: str) -> str:
    name = _unit_name(unit)
    if n and n not in ("1", "one"):
        return f"{n} {name}s"
    return name


def _plural(noun: str, count: str) -> str:
    noun = " ".join(noun.lower().split())
    if "weight" in noun:
        return noun  # "1,200 request weight per minute": a quantity, as written
    if noun in ("req", "reqs"):
        noun = "requests"
    singular = noun[:-1] if noun.endswith("s") and not noun.endswith("ss") else noun
    if noun == "queries":
        singular = "query"
    if count in ("1", "one"):
        return singular
    return "queries" if singular == "query" else singular if singular.endswith("s") else singular + "s"


def clip(text: str, start: int = 0) -> str:
    """A quote of at most :data:`MAX_QUOTE` characters from ``text``, around ``start`` (the
    match being quoted), with ``...`` where it was cut."""
    if len(text) <= MAX_QUOTE:
        return text
    begin = max(0, min(start - 80, len(text) - MAX_QUOTE))
    piece = text[begin : begin + MAX_QUOTE]
    return ("..." if begin else "") + piece + ("..." if begin + MAX_QUOTE < len(text) else "")


_SCOPE_RE = lazy_pattern(
    r"^\s*,?\s*(?P<scope>(?:per|for|on|across|to)\s+(?!(?:the\s+)?(?:next|first|same)\b)[^.;:\n()]{1,80}?)"
    r"\s*(?=$|[.;:\n(]|,\s*(?:and\s+)?\d|\s+and\s+\d|\s+(?:is|are|will|with|which|that|after|before|if|when)\b)",
    re.IGNORECASE,
)


def _scope(text: str, end: int) -> str:
    match = _SCOPE_RE.match(text[end:])
    return " ".join(match.group("scope").split()) if match else ""


#: Words that alone put a statement in rate-limit context (lowercase substrings, checked first).
_RATE_STEMS = (
    "rate limit", "rate-limit", "ratelimit", "rate_limit", "throttl", "too many requests", "concurren", "burst",
    "backoff", "back-off", "back off", "retry-after", "retry after",
)  # fmt: skip
_RATE_PHRASE_RE = lazy_pattern(
    r"quotas?\s+(?:exceeded|limits?)|(?:request|api|call|usage)\s+(?:quotas?|limits?|weights?)"
    r"|exceed(?:s|ed|ing)?\s+(?:the\s+|your\s+|its\s+|a\s+)?(?:rate|request|api|call|usage)?\s*(?:limits?|quotas?)"
    r"|\b(?:requests?|calls?|queries)\s+(?:per|/|every|each)\b|(?:simultaneous|parallel)\s+(?:requests|calls|connections)"
    r"|\b429\b"
)


@lru_cache(maxsize=4096)
def rate_words(text: str) -> bool:
    """Whether a text's own words speak of rate limits: "rate limit", throttling, "too many
    requests", concurrency, bursts, back-off, Retry-After, or phrases such as "requests per",
    "quota exceeded", "API limit", "exceeds the limit", "429". Plain substrings are looked
    for first, the phrases only where one could be."""
    lower = text.lower()
    if any(stem in lower for stem in _RATE_STEMS):
        return True
    if not any(word in lower for word in ("quota", "limit", "weight", "request", "call", "quer", "429")):
        return False
    return bool(_RATE_PHRASE_RE.search(lower))


def in_rate_context(statement: Statement) -> bool:
    """Whether a statement speaks of rate limits: by its own words, or where it sits."""
    if statement.rate_words is None:
        statement.rate_words = rate_words(statement.text)
    return statement.context or statement.rate_words


def weight_mentions(statement: Statement) -> int:
    """How many times a statement says "weight" meaning a request's rate-limit weight.

    A label (``Weight(IP): 20``, ``weight: 5``), "request weight", or any "weight" in a
    statement about rate limits counts; "weighted", "weightedAvgPrice" or a portfolio
    weight do not.
    """
    if "weight" not in statement.lower:
        return 0
    found = len(_WEIGHT_WORD_RE.findall(statement.text))
    if not found:
        return 0
    if in_rate_context(statement) or _WEIGHT_LABEL_RE.search(statement.text):
        return found
    return found if _REQUEST_WEIGHT_RE.search(statement.text) else 0


def rate_limit_figures(statement: Statement) -> list[Figure]:
    """The rate-limit figures one statement gives.

    Requests per interval count when the statement names what is counted (requests,
    calls, queries) or speaks of rate limits; concurrency when it names concurrent (or
    simultaneous, parallel) requests or connections; a weight when it is labelled as
    one; a status code when the statement speaks of rate limits.

    Returns:
        The figures, each quoting the statement.
    """
    text = statement.text
    if not _DIGIT_RE.search(text):
        return []
    context = in_rate_context(statement)
    if statement.row is not None:
        return _row_figures(statement, context)
    out: list[Figure] = []
    lower = statement.lower
    connectors = any(word in lower for word in (" per", "/", "every", "each", " a ", " an ", " in ", "within"))
    for match in _REQUESTS_RE.finditer(text) if connectors else ():
        noun = match.group("noun")
        requestish = bool(noun and _COUNTED_NOUN_RE.fullmatch(noun))
        if not (requestish or (context and (noun or match.group("n") or "/" in match.group(0)))):
            continue
        if not noun and not context:
            continue
        count = match.group("count")
        what = _plural(noun, count) if noun else ""
        figure = f"{count} {what} per {_per(match.group('n'), match.group('unit'))}".replace("  ", " ")
        kind = "weight" if noun and "weight" in noun.lower() else "requests"
        out.append(Figure(kind, figure, _scope(text, match.end()), clip(text, match.start())))
    abbreviated = any(word in lower for word in _ABBREVIATIONS)
    for match in _ABBREVIATED_RE.finditer(text) if abbreviated else ():
        what, unit = _ABBREVIATIONS[match.group("abbr").lower()]
        out.append(Figure("requests", f"{match.group('count')} {what} per {unit}", _scope(text, match.end()), text))
    concurrent = any(word in lower for word in _CONCURRENT_STEMS) or (
        any(word in lower for word in ("open", "active")) and any(word in lower for word in _CONCURRENT_THINGS)
    )
    for pattern in (_CONCURRENT_RE, _CONCURRENT_AFTER_RE) if concurrent else ():
        for match in pattern.finditer(text):
            word = match.group("word").lower()
            if word not in ("concurrent", "simultaneous", "parallel", "in-flight", "inflight") and not context:
                continue
            count = match.group("count")
            what = _plural(match.group("what"), count)
            out.append(
                Figure(
                    "concurrency",
                    f"{count} {word} {what}",
                    _scope(text, match.end()),
                    clip(text, match.start()),
                )
            )
    for match in _WEIGHT_LABEL_RE.finditer(text) if "weight" in lower else ():
        kind = f" ({match.group('kind').strip()})" if match.group("kind") else ""
        out.append(Figure("weight", f"weight {match.group('value')}{kind}", "", clip(text, match.start())))
    if context:
        out.extend(_statuses(text))
    return _dedupe(out)


def _statuses(text: str) -> list[Figure]:
    codes: dict[str, int] = {}
    for pattern in (_STATUS_BEFORE_RE, _STATUS_AFTER_RE):
        for match in pattern.finditer(text):
            codes.setdefault(match.group("code"), match.start())
    return [Figure("status", code, "", clip(text, start)) for code, start in sorted(codes.items())]


def _dedupe(figures: list[Figure]) -> list[Figure]:
    seen: set[tuple[str, str]] = set()
    out = []
    for figure in figures:
        if (figure.kind, figure.text) not in seen:
            seen.add((figure.kind, figure.text))
            out.append(figure)
    return out


_STATUS_CELL_RE = lazy_pattern(r"[45]\d\d")
_STATUS_HEADER_RE = lazy_pattern(r"status|code|error|http|response", re.IGNORECASE)
_BREACH_RE = lazy_pattern(r"exceed|too many|throttl|rate[\s-]?limit|quota|banned|slow down", re.IGNORECASE)
_CELL_INTERVAL_RE = lazy_pattern(
    rf"^(?:per\s+|every\s+|/\s*)?(?:(?P<n>{NUMBER})[\s-]*)?(?P<unit>{_UNIT})\b(?:[\s-]+(?:interval|window|period))?$",
    re.IGNORECASE,
)
_HEADER_INTERVAL_RE = lazy_pattern(
    rf"(?:per|/|every)\s*(?:(?P<n>{NUMBER})[\s-]*)?(?P<unit>{_UNIT})\b|\((?:(?P<n2>{NUMBER})[\s-]*)?(?P<unit2>{_UNIT})\)",
    re.IGNORECASE,
)
_COUNT_CELL_RE = lazy_pattern(rf"^(?:up\s+to\s+|max(?:imum)?\s+)?(?P<count>{NUMBER})(?:\s+{_NOUN})?$", re.IGNORECASE)


def _row_figures(statement: Statement, context: bool) -> list[Figure]:
    """Figures of one table row: a count, an interval (a cell, the header, or the row's
    own words), and what the row applies to (its other cells)."""
    cells = statement.row or ()
    header = statement.header or ("",) * len(cells)
    if len(header) != len(cells):
        header = ("",) * len(cells)
    quote = clip(statement.text)
    whole = Statement(statement.text, context)
    if not context:
        return []
    out: list[Figure] = []
    for index, cell in enumerate(cells):
        if not _STATUS_CELL_RE.fullmatch(cell):
            continue
        others = " ".join(c for i, c in enumerate(cells) if i != index)
        if _STATUS_HEADER_RE.search(header[index]) or _BREACH_RE.search(others):
            out.append(Figure("status", cell, "", quote))
            return out
    interval = None
    counts: list[tuple[str, str, str | None]] = []  # (count, header, noun)
    words: list[str] = []
    for head, cell in zip(header, cells, strict=True):
        if not cell:
            continue
        interval_cell = _CELL_INTERVAL_RE.match(cell)
        count_cell = _COUNT_CELL_RE.match(cell)
        if interval_cell and not count_cell:
            interval = _per(interval_cell.group("n"), interval_cell.group("unit"))
        elif count_cell:
            counts.append((count_cell.group("count"), head, count_cell.group("noun")))
        elif _REQUESTS_RE.search(cell) or _CONCURRENT_RE.search(cell):
            for figure in rate_limit_figures(Statement(cell, True)):
                out.append(Figure(figure.kind, figure.text, figure.scope, quote))
        else:
            words.append(cell)
    scope = ", ".join(words)
    for count, head, noun in counts:
        per = interval
        header_interval = _HEADER_INTERVAL_RE.search(head)
        if per is None and header_interval:
            per = _per(
                header_interval.group("n") or header_interval.group("n2"),
                header_interval.group("unit") or header_interval.group("unit2"),
            )
        if re.search(_CONCURRENT_WORDS, head, re.IGNORECASE) and re.search(r"concurren|simultan|parallel", head, re.I):
            out.append(Figure("concurrency", f"{count} concurrent {_plural('requests', count)}", scope, quote))
        elif _WEIGHT_WORD_RE.search(head) and per is None:
            out.append(Figure("weight", f"weight {count}", scope, quote))
        elif per is not None:
            what = _plural(noun or "requests", count)
            if _WEIGHT_WORD_RE.search(head):
                what = "weight"
            out.append(Figure("weight" if what == "weight" else "requests", f"{count} {what} per {per}", scope, quote))
    if not out:
        out.extend(f for f in rate_limit_figures(whole) if f.kind != "status")
    return _dedupe(out)


def rate_limit_headers(text: str) -> list[str]:
    """Header names about rate limits a text mentions (``X-RateLimit-Remaining``, ``Retry-After``)."""
    return [m.group(0) for m in _HEADER_NAME_RE.finditer(text) if "-" in m.group(0) or m.group(0).lower() != "quota"]


def is_note(statement: Statement) -> bool:
    """A statement about rate limits worth quoting although it gives no figure: in
    rate-limit context by its own words, a sentence (five words or more), no table row."""
    if statement.row is not None or statement.text.count(" ") < 4:
        return False
    if statement.rate_words is None:
        statement.rate_words = rate_words(statement.text)
    return statement.rate_words


def token_lifetimes(statement: Statement) -> list[Figure]:
    """How long a token, session or key lasts, where a statement says so.

    Returns:
        ``lifetime`` figures such as ``access token: 20 minutes``.
    """
    text = statement.text
    lower = statement.lower
    if not any(word in lower for word in ("token", "session", "key", "jwt", "cookie", "code")):
        return []
    if not any(unit in lower for unit in ("sec", "min", "hour", "day", "week", "month", "year", "hr")):
        return []
    if not _DURATION_HINT_RE.search(text):
        return []
    kinds = list(_TOKEN_KIND_RE.finditer(text))
    if not kinds:
        return []
    out = []
    for match in _DURATION_RE.finditer(text):
        after = text[match.end() : match.end() + 40]
        token_after = _TOKEN_KIND_RE.match(after.lstrip(" -"))
        before = [k for k in kinds if k.end() <= match.start()]
        if token_after and token_after.group("kind"):
            kind = token_after
        elif before and _EXPIRY_RE.search(text[before[-1].start() : match.start()] + " " + after[:12]):
            kind = before[-1]
        else:
            continue
        label = " ".join(filter(None, [(kind.group("kind") or "").lower(), kind.group("what").lower().rstrip("s")]))
        duration = f"{match.group('n')} {_unit_name(match.group('unit'))}"
        duration += "s" if match.group("n") not in ("1", "one") else ""
        out.append(Figure("lifetime", f"{label}: {duration}", "", clip(text, match.start())))
    return _dedupe(out)


def signature_facts(statement: Statement) -> tuple[list[str], list[str]] | None:
    """The signing algorithms and header names a statement about request signing names.

    Returns:
        ``(algorithms, header names)``, or None when the statement is not about signing.
    """
    lower = statement.lower
    if not ("sign" in lower or "hmac" in lower or "nonce" in lower or "digest" in lower):
        return None
    if not _SIGNATURE_RE.search(statement.text):
        return None
    algorithms = list(
        dict.fromkeys(" ".join(m.group(0).upper().split()) for m in _ALGORITHM_RE.finditer(statement.text))
    )
    headers = [
        h
        for h in _SIGN_HEADER_RE.findall(statement.text)
        if ("sign" in h.lower() or "nonce" in h.lower()) and any(c.isupper() for c in h)
    ]
    return algorithms, list(dict.fromkeys(headers))


def environment_of(*texts: str | None) -> str | None:
    """``simulation``, ``paper``, ``sandbox`` or ``live``: the first text (a server's
    description, then its URL...) whose words say which; None when none says."""
    for text in texts:
        if not text:
            continue
        words = [word for word in _NON_ALNUM_RE.split(text.lower()) if word]
        for name, whole, parts in _ENVIRONMENTS:
            if any(word in whole or any(part in word for part in parts) for word in words):
                return name
    return None


def urls_with_context(text: str) -> list[tuple[str, str, str]]:
    """The URLs of a text with the words around them.

    Returns:
        ``(url, words before it, words after it)``: the words since the previous URL (or
        the start of the line) and up to the next URL (or the end of the line).
    """
    out = []
    for line in text.split("\n"):
        matches = list(_URL_RE.finditer(line))
        for index, match in enumerate(matches):
            url = match.group(0).rstrip(".,;:!?*_'\"")
            start = matches[index - 1].end() if index else 0
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            out.append((url, _clean(line[start : match.start()]), _clean(line[match.end() : end])))
    return out
