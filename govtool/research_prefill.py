"""The pre-filled parts of a research doc, written from what a spec says.

`research new --from-openapi` puts what :mod:`govtool.openapi_facts` read into sections
2, 3, 4, 5 and 7 of the research doc. The blocks are written here as Markdown text,
each ready to drop into its section; the research-doc template decides where they
go (``{{ prefill.rate_limits }}``), and says everything else. They are text rather
than template code because Jinja compiles a template at every start of govtool:
tables with a dozen filters each would cost a 1 MB spec's pre-fill about 20 ms more
than the spec takes to read (benchmarks/research_from_openapi.py).

All spec text goes through the same filters as the templates' (``md_cell`` in table
cells, ``md_text`` in prose, ``md_code`` in code spans): a spec is untrusted input.
"""

from __future__ import annotations

from typing import Any

from govtool.templating import md_cell, md_code, md_text


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _codes(items: list[str]) -> str:
    return ", ".join(f"`{md_code(item)}`" for item in items)


def banner(spec: Any) -> str:
    """The note under the title: where the pre-fill came from, the files its ``$ref``s
    reached, and a warning per reference not followed (lines, each ending in a newline)."""
    lines = [
        f"> Pre-filled by `govtool research new --from-openapi` from `{md_code(spec.source)}`",
        f'> ({md_text(spec.spec_version)}, "{md_text(spec.title)}" {md_text(spec.api_version)}). Check every',
        "> pre-filled fact against the broker's current documentation.",
    ]
    if spec.files_read:
        more = " ..." if len(spec.files_read) > 10 else ""
        lines.append(
            f"> Its `$ref`s were followed into {_plural(len(spec.files_read), 'other file')}: "
            f"{_codes(spec.files_read[:10])}{more}."
        )
    lines += [f"> **Warning**: {md_text(warning)}" for warning in spec.warnings]
    return "\n".join(lines) + "\n"


def servers(spec: Any) -> str:
    """Section 2's spec and servers bullets, each server with its environment and, when it
    was not declared under ``servers``, where it was found."""
    lines = [f"- **Spec**: {md_text(spec.title)} {md_text(spec.api_version)} ({md_text(spec.spec_version)})"]
    if not spec.servers:
        return "\n".join([*lines, "- **Servers**: none declared in the spec"]) + "\n"
    lines.append("- **Servers**:")
    for server in spec.servers:
        line = f"  - `{md_code(server.url)}` (**{server.environment or 'environment not stated'}**)"
        if server.description:
            line += f": {md_text(server.description)}"
        if server.source != "servers":
            line += f" (from `{md_code(server.source)}`)"
        lines.append(line)
    return "\n".join(lines) + "\n"


def sandbox(spec: Any) -> str:
    """Section 2's sandbox bullet: the spec's servers that are not live, still to confirm."""
    found = [s for s in spec.servers if s.environment not in (None, "live")]
    if not found:
        return "- **Sandbox / paper environment**: TODO\n"
    listed = ", ".join(f"`{md_code(s.url)}` ({s.environment})" for s in found)
    return f"- **Sandbox / paper environment**: {listed}, from the spec. TODO: confirm how to get access\n"


def _quotes(title: str, quotes: list[Any], quoted: bool) -> list[str]:
    if not quotes:
        return []
    mark = '"' if quoted else ""
    return [title, "", *(f"- {mark}{md_text(q.text)}{mark} (`{md_code(q.where)}`)" for q in quotes), ""]


def authentication(spec: Any) -> str:
    """Section 3's block: the schemes, the token lifetimes and what the spec says of signing."""
    if spec.auth:
        lines = ["Declared by the spec:", "", "| Scheme | Type | Detail |", "|--------|------|--------|"]
        lines += [f"| {md_cell(a.name)} | {md_cell(a.kind)} | {md_cell(a.detail)} |" for a in spec.auth]
        lines.append("")
    else:
        lines = ["The spec declares no security scheme.", ""]
    lines += _quotes("Token lifetimes the spec states:", spec.token_lifetimes, quoted=False)
    lines += _quotes("What the spec says about signing requests:", spec.auth_notes, quoted=True)
    return "\n".join(lines) + "\n"


def rate_limits(spec: Any) -> str:
    """Section 4's block: every figure with the words it came from and where, then the
    statements without figures, request weights, rate-limit headers and endpoints."""
    mentions = _plural(spec.rate_limit_mentions, "mention")
    if spec.rate_limits:
        lines = [
            f"The rate limits the spec states, each with the words it came from ({mentions} of rate limits in its "
            "text):",
            "",
            "| Limit | Applies to | Stated as | Where |",
            "|-------|------------|-----------|-------|",
        ]
        for limit in spec.rate_limits:
            shown = f"a breach returns {limit.text}" if limit.kind == "status" else limit.text
            where = f"`{md_code(limit.where)}`" + (
                f" and {limit.occurrences - 1} more" if limit.occurrences > 1 else ""
            )
            lines.append(f'| {md_cell(shown)} | {md_cell(limit.scope)} | "{md_cell(limit.quote)}" | {where} |')
        if spec.rate_limit_total > len(spec.rate_limits):
            lines.append(f"| ... | | {spec.rate_limit_total - len(spec.rate_limits)} more figures in the spec | |")
        lines.append("")
    else:
        lines = [f"The spec states no rate-limit figures ({mentions} of rate limits in its text).", ""]
    lines += _quotes("What else the spec says about rate limits:", spec.rate_limit_notes, quoted=True)
    if spec.weighted_operations:
        states = "operations state their" if spec.weighted_operations != 1 else "operation states its"
        lines.append(
            f"- **Request weights**: {spec.weighted_operations} {states} weight ({spec.weight_range}; "
            f'{_plural(spec.weight_mentions, "mention")} of "weight" in rate-limit context); the endpoints of '
            "section 5 show theirs."
        )
    if spec.rate_limit_headers:
        lines.append(f"- **Rate-limit headers**: {_codes(spec.rate_limit_headers)}")
    if spec.rate_limit_paths:
        lines.append(f"- **Rate-limit endpoints**: {_codes(spec.rate_limit_paths)}")
    return "\n".join(lines) + "\n"


def endpoints(spec: Any) -> str:
    """Section 5's block: the reads a trade-history sync needs, each with why it was chosen
    and its stated rate limit, then the writes listed apart."""
    lines = [
        f"The spec has {spec.operation_count} operations on {spec.path_count} paths. The operations a "
        "trade-history sync reads (account, balances, positions, orders, fills, trades, activities, transactions, "
        "ledgers), private account data first, each with why it was chosen:",
        "",
        "| Method | Path | Summary | Why | Rate limit |",
        "|--------|------|---------|-----|------------|",
    ]
    for e in spec.sync_endpoints:
        lines.append(
            f"| {e.method} | `{md_code(e.path)}` | {md_cell(e.summary)} | {md_cell(e.reason)} | "
            f"{md_cell(e.rate_limit)} |"
        )
    if not spec.sync_endpoints:
        lines.append("| — | — | none found | | |")
    if spec.sync_endpoint_total > len(spec.sync_endpoints):
        lines.append(f"| ... | | {spec.sync_endpoint_total - len(spec.sync_endpoints)} more | | |")
    lines.append("")
    if spec.write_endpoints:
        lines += [
            "Write operations on the same resources, listed apart (a sync only reads):",
            "",
            "| Method | Path | Action | Summary |",
            "|--------|------|--------|---------|",
        ]
        for e in spec.write_endpoints:
            lines.append(f"| {e.method} | `{md_code(e.path)}` | {e.action} {e.category} | {md_cell(e.summary)} |")
        if spec.write_endpoint_total > len(spec.write_endpoints):
            lines.append(f"| ... | | | {spec.write_endpoint_total - len(spec.write_endpoints)} more |")
        lines.append("")
    return "\n".join(lines) + "\n"


def errors(spec: Any) -> str:
    """Section 7's block: every declared error status, how many operations declare it, and
    its most common description."""
    if not spec.error_responses:
        return "The spec declares no error responses.\n\n"
    lines = [
        "Error responses the spec declares, with how many operations declare each:",
        "",
        "| Status | Operations | Description |",
        "|--------|------------|-------------|",
    ]
    for code, count in spec.error_responses.items():
        lines.append(f"| {code} | {count} | {md_cell(spec.error_descriptions.get(code))} |")
    return "\n".join([*lines, ""]) + "\n"


def prefill(spec: Any) -> dict[str, str]:
    """Every pre-filled block of a research doc, by name, from a spec's facts.

    Args:
        spec: :class:`~govtool.openapi_facts.SpecFacts`.

    Returns:
        ``{banner, servers, sandbox, authentication, rate_limits, endpoints, errors}``:
        Markdown text, each ending in a newline.
    """
    return {
        "banner": banner(spec),
        "servers": servers(spec),
        "sandbox": sandbox(spec),
        "authentication": authentication(spec),
        "rate_limits": rate_limits(spec),
        "endpoints": endpoints(spec),
        "errors": errors(spec),
    }
