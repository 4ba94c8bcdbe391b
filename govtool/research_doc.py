"""Research docs: docs/brokers/api-research/<broker>.md, Markdown with YAML front matter.

The front matter holds the key findings the PM notification needs; the body has the
11 numbered sections of DESIGN.md, "The research document". :func:`check_doc` is the
developer checklist of seeds/pm-notification-process.md ("Checklist (Developer)"),
made executable: all 11 sections present and in order, each with real content, and
every required front-matter field set and of the right type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool.decision_matrix import (
    FACTOR_LABELS,
    MATRIX_FACTORS,
    MatrixResult,
    MatrixSettings,
    check_score,
    format_weight,
    format_weighted,
    score_if_complete,
)
from govtool.errors import InputError
from govtool.field_checks import control_problem
from govtool.inputs import inside_root, read_text, within
from govtool.model import BROKER_ID_RE, INTEGRATION_TYPES, RESEARCH_DIR, integration_type_problem, tier_problem

#: The 11 sections: (title, what the section must answer).
SECTIONS: tuple[tuple[str, str], ...] = (
    ("Overview", "Broker, tier, asset classes, regions, integration type."),
    ("API Documentation & Access", "Documentation URLs; public API or partner program; sandbox or paper environment."),
    ("Authentication", "Scheme (OAuth 2.0, API key, ...), token refresh, multiple accounts."),
    ("Rate Limits", "The limits, Retry-After handling, and our strategy to stay under them."),
    ("Endpoints & Data Coverage", "The endpoints a trade sync needs, history depth, pagination."),
    (
        "Data Model Mapping",
        "Account, position, order and trade mapped to ours; instrument specifics such as contract multipliers or pips.",
    ),
    ("Error Handling", "401, 429 and 5xx responses, and the retry policy."),
    ("Costs", "API access per month, market data fees."),
    ("Effort & Maintenance", "Development days, maintenance (Low/Medium/High), total estimated cost."),
    ("Risk Assessment", "API stability, vendor lock-in, compliance/legal, support burden; Low/Medium/High."),
    (
        "Recommendation & Decision Matrix",
        "The five scores, the weighted total, and Implement / On Hold / Alternative Approach.",
    ),
)

LEVELS = ("Low", "Medium", "High")
RECOMMENDATIONS = ("Implement", "On Hold", "Alternative Approach")

#: Required front-matter fields: name -> (description of the expected value, check).
FRONT_MATTER_FIELDS: tuple[tuple[str, str], ...] = (
    ("broker", "the broker id"),
    ("name", "the broker's name"),
    ("tier", "a tier 1-4"),
    ("asset_classes", "a list of asset classes"),
    ("regions", "a list of regions"),
    ("integration_type", f"one of {', '.join(INTEGRATION_TYPES)}"),
    ("docs_url", "the API documentation URL"),
    ("authentication", "the scheme, e.g. OAuth 2.0 or API key"),
    ("rate_limits", "the limits, e.g. 200 requests/minute"),
    ("monthly_api_cost_usd", "API access in USD per month (0 when free)"),
    ("access", "Public, Partner Program, ..."),
    ("data_coverage", "the history available, e.g. 90 days of fills"),
    ("development_days", "estimated development time in days"),
    ("maintenance", "Low, Medium or High"),
    ("risk_level", "Low, Medium or High"),
    ("user_demand", "High, Medium or Low"),
    ("recommendation", f"one of {', '.join(RECOMMENDATIONS)}"),
    ("scores", "the five decision-matrix scores"),
)

_PLACEHOLDER_RE = re.compile(r"\b(TODO|TBD)\b")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_HEADING_RE = re.compile(r"^##\s+(?:(\d+)\.\s*)?(.*?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")

#: The markers around section 11's decision-matrix table, which `govtool score` writes.
MATRIX_BEGIN = "<!-- govtool:decision-matrix:begin (written by `govtool score`: change the scores with it) -->"
MATRIX_END = "<!-- govtool:decision-matrix:end -->"
_MATRIX_BEGIN_PREFIX = "<!-- govtool:decision-matrix:begin"
MATRIX_SECTION = 11


def doc_path(root: Path, broker_id: str) -> Path:
    """The research doc of a broker, refusing any id that would land outside the research dir.

    Raises:
        InputError: the id is not a slug, or the resolved path leaves docs/brokers/api-research/.
    """
    if not BROKER_ID_RE.match(broker_id):
        raise InputError(
            f"{broker_id!r} is not a broker id: use lowercase letters and digits joined by single - or _",
            hint="e.g. alpaca, charles-schwab, bitget_perpetual",
        )
    base = (root / RESEARCH_DIR).resolve()
    path = (base / f"{broker_id}.md").resolve()
    if path.parent != base or not within(base, root):
        raise InputError(f"{broker_id}: the research doc would land outside {RESEARCH_DIR}/")
    return path


@dataclass
class Finding:
    """One thing a research doc still lacks.

    Attributes:
        path: the doc's path relative to the governance root.
        line: 1-based line where it belongs.
        message: what is missing.
        section: the section number (1-11), or None for front matter and the file.
    """

    path: str
    line: int
    message: str
    section: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message, "section": self.section}


@dataclass
class ResearchDoc:
    """A parsed research doc.

    Attributes:
        front_matter: the YAML mapping between the ``---`` lines ({} when absent).
        body: the text after the front matter.
        body_line: the 1-based line where the body starts.
        has_front_matter: whether a front matter block was found.
        front_matter_error: ``(line, what)`` when the block does not load as a mapping.
        front_matter_lines: top-level front-matter key -> its line in the doc.
    """

    front_matter: dict[str, Any]
    body: str
    body_line: int
    has_front_matter: bool
    front_matter_error: tuple[int, str] | None = None
    front_matter_lines: dict[str, int] = field(default_factory=dict)


def split_front_matter(text: str, filename: str) -> ResearchDoc:
    """Split a doc into front matter and body (no validation of fields).

    Args:
        text: the document.
        filename: for messages.
    """
    from govtool.yamlio import YAMLBoundError, YAMLInputError, line_index, load_yaml

    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return ResearchDoc({}, text, 1, False)
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            # A leading blank line keeps the front matter's line numbers those of the doc.
            raw = "\n" + "\n".join(lines[1:index])
            body = "\n".join(lines[index + 1 :])
            try:
                data = load_yaml(raw, filename) if raw.strip() else {}
            except YAMLBoundError as exc:  # hostile, not a slip: every command that reads the doc stops
                raise YAMLBoundError(filename, exc.line, f"front matter: {exc.detail}", exc.hint or "") from None
            except YAMLInputError as exc:
                return ResearchDoc({}, body, index + 2, True, (exc.line, exc.detail))
            if not isinstance(data, dict):
                return ResearchDoc({}, body, index + 2, True, (2, "front matter is not a mapping"))
            positions = {str(k[0]): v for k, v in line_index(raw).items() if len(k) == 1}
            return ResearchDoc(data, body, index + 2, True, None, positions)
    return ResearchDoc({}, text, 1, False, (1, "the front matter has no closing '---' line"))


def read_doc_text(root: Path, rel_path: str) -> str | None:
    """A research doc's text, or None when there is no such file.

    Args:
        root: the governance root; rel_path: the doc's path under it (``research_doc``).

    Raises:
        InputError: the path leads outside the root, or the doc is not a regular
            file, too large, unreadable or not UTF-8.
    """
    path = inside_root(root, rel_path, rel_path)
    try:
        return read_text(path, rel_path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise InputError(f"{rel_path}: cannot read: {exc.strerror}") from None


def read_doc(root: Path, rel_path: str) -> ResearchDoc:
    """A research doc, split; an empty one (no front matter, no body) when the doc is
    missing or unreadable.

    Args:
        root: the governance root; rel_path: the doc's path under it.

    Raises:
        InputError: see :func:`read_doc_text`.
    """
    text = read_doc_text(root, rel_path)
    if text is None:
        return ResearchDoc({}, "", 1, False)
    return split_front_matter(text, rel_path)


def read_front_matter(root: Path, rel_path: str) -> dict[str, Any]:
    """The front matter of a research doc, or {} when the doc is missing or has none
    (or none that loads: `research check` reports that).

    Args:
        root: the governance root; rel_path: the doc's path under it.

    Raises:
        InputError: see :func:`read_doc_text`.
    """
    return read_doc(root, rel_path).front_matter


def join_front_matter(front_matter: dict[str, Any], body: str) -> str:
    """The doc text for a front matter mapping and a body (body kept byte for byte)."""
    from govtool.yamlio import dump_yaml

    return f"---\n{dump_yaml(front_matter)}---\n{body}"


def _check_value(name: str, value: Any) -> str | None:
    """Why a set front-matter value is of the wrong type, or None when it is fine."""
    text_fields = {"name", "docs_url", "authentication", "rate_limits", "access", "data_coverage", "broker"}
    if name in text_fields:
        if not (isinstance(value, str) and value.strip()):
            return "expected text"
        return control_problem(value)  # it goes into the PM's email and Slack message
    if name == "tier":
        return tier_problem(value)
    if name in ("asset_classes", "regions"):
        ok = isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
        if ok and any(control_problem(v) for v in value):
            return "expected one line of text without control characters in each"
        return None if ok else "expected a non-empty list of strings"
    if name == "integration_type":
        return integration_type_problem(value)
    if name in ("monthly_api_cost_usd", "development_days"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
        return None if ok else "expected a number >= 0"
    if name in ("maintenance", "risk_level", "user_demand"):
        return None if value in LEVELS else "expected Low, Medium or High"
    if name == "recommendation":
        return None if value in RECOMMENDATIONS else f"expected one of {', '.join(RECOMMENDATIONS)}"
    if name == "scores":
        if not isinstance(value, dict):
            return "expected a mapping of the five factors to scores 1-5"
        missing = [f for f in MATRIX_FACTORS if value.get(f) is None]
        if missing:
            return f"no score for {', '.join(missing)}"
        try:
            for factor in MATRIX_FACTORS:
                check_score(factor, value[factor])
        except InputError as exc:
            return exc.message
    return None


def _is_unset(value: Any) -> bool:
    return value is None or (isinstance(value, str) and (not value.strip() or _PLACEHOLDER_RE.search(value)))


def check_doc(text: str, rel_path: str, broker_id: str, matrix: MatrixSettings | None = None) -> list[Finding]:
    """Every finding of the developer checklist for one research doc.

    Args:
        text: the doc's content.
        rel_path: its path relative to the governance root (for messages).
        broker_id: the broker the doc must describe.
        matrix: the decision matrix's weights and thresholds; when given, section 11's
            decision-matrix table must agree with the front matter's scores.

    Returns:
        Findings in line order; empty when the doc is complete.
    """
    findings: list[Finding] = []
    doc = split_front_matter(text, rel_path)
    if doc.front_matter_error:
        line, message = doc.front_matter_error
        findings.append(Finding(rel_path, line, f"front matter: {message}"))
    elif not doc.has_front_matter:
        findings.append(
            Finding(rel_path, 1, "no front matter: the doc must start with a '---' YAML block of the key findings")
        )
    else:
        fm = doc.front_matter
        for name, expected in FRONT_MATTER_FIELDS:
            line = doc.front_matter_lines.get(name, 1)
            value = fm.get(name)
            if _is_unset(value):
                findings.append(Finding(rel_path, line, f"front matter: {name} is not set ({expected})"))
                continue
            problem = _check_value(name, value)
            if problem:
                got = "" if isinstance(value, (dict, list)) else f" (got {value!r})"
                findings.append(Finding(rel_path, line, f"front matter: {name}: {problem}{got}"))
        if isinstance(fm.get("broker"), str) and fm["broker"] != broker_id:
            findings.append(
                Finding(rel_path, doc.front_matter_lines.get("broker", 1), f"front matter: broker is not {broker_id!r}")
            )
    findings.extend(_check_sections(doc.body, doc.body_line, rel_path))
    if matrix is not None and doc.has_front_matter and not doc.front_matter_error:
        findings.extend(_check_matrix_table(doc, rel_path, broker_id, matrix))
    findings.sort(key=lambda f: f.line)
    return findings


def parse_sections(body: str, first_line: int) -> list[tuple[int | None, str, int, list[str]]]:
    """The level-2 headings of a body with their content.

    Returns:
        ``(number or None, title, line, content lines)`` per heading, in order;
        headings inside fenced code blocks are ignored.
    """
    sections: list[tuple[int | None, str, int, list[str]]] = []
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING_RE.match(line)
        if match and line.startswith("## "):
            number = int(match.group(1)) if match.group(1) else None
            sections.append((number, match.group(2), first_line + offset, []))
        elif sections:
            sections[-1][3].append(line)
    return sections


def section_text(text: str, filename: str, number: int) -> str:
    """The content of one numbered section of a research doc (comments removed, blank
    lines at its edges trimmed), or "" when the doc has no such section.

    Args:
        text: the whole doc; filename: for messages; number: 1-11.
    """
    doc = split_front_matter(text, filename)
    for found, _, _, content in parse_sections(doc.body, doc.body_line):
        if found == number:
            return _COMMENT_RE.sub("", "\n".join(content)).strip("\n").strip()
    return ""


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower().replace("&", " and ")).strip()


def _check_sections(body: str, first_line: int, rel_path: str) -> list[Finding]:
    findings = []
    found = parse_sections(body, first_line)
    numbered = [s for s in found if s[0] is not None]
    end_line = first_line + body.count("\n")
    expected_next = 1
    seen: set[int] = set()
    for number, title, line, content in numbered:
        label = f"section {number}"
        if number in seen:
            findings.append(Finding(rel_path, line, f"{label} appears twice", number))
            continue
        if not 1 <= number <= len(SECTIONS):
            findings.append(Finding(rel_path, line, f"{label}: there are only {len(SECTIONS)} sections", number))
            continue
        seen.add(number)
        want = SECTIONS[number - 1][0]
        if number != expected_next and number > expected_next:
            for missing in range(expected_next, number):
                if missing not in {n for n, *_ in numbered}:
                    findings.append(
                        Finding(rel_path, line, f"section {missing} ({SECTIONS[missing - 1][0]}) is missing", missing)
                    )
        elif number < expected_next:
            findings.append(Finding(rel_path, line, f"{label} ({want}) is out of order", number))
        expected_next = max(expected_next, number + 1)
        if _norm(title) != _norm(want):
            findings.append(
                Finding(rel_path, line, f"{label} is titled {title!r}; expected '{number}. {want}'", number)
            )
        for problem_line, problem in _content_problems(content, line):
            findings.append(Finding(rel_path, problem_line, f"{label} ({want}) {problem}", number))
    for missing in range(expected_next, len(SECTIONS) + 1):
        if missing not in seen:
            findings.append(
                Finding(rel_path, end_line, f"section {missing} ({SECTIONS[missing - 1][0]}) is missing", missing)
            )
    return findings


def _content_problems(content: list[str], heading_line: int) -> list[tuple[int, str]]:
    """``(line, what)`` for every placeholder line of a section, or for a section with no content.

    The decision-matrix table that `govtool score` writes is not the section's content:
    section 11 needs the developer's recommendation as well.
    """
    span = _matrix_span(content)
    if span is not None:
        content = content[: span[0]] + [""] * (span[1] - span[0] + 1) + content[span[1] + 1 :]
    text = "\n".join(content)
    stripped = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    real = [(i, ln) for i, ln in enumerate(stripped.split("\n")) if ln.strip() and not ln.strip().startswith("### ")]
    if not real:
        return [(heading_line, "has no content")]
    return [
        (heading_line + 1 + index, f"still has a placeholder: {line.strip()[:80]}")
        for index, line in real
        if _PLACEHOLDER_RE.search(line)
    ]


RISK_SECTION = 10
MAX_EXTRACT_LINES = 20
_EVIDENCE_RE = re.compile(r"^\s*(?:[-*+]\s+)?\*\*user demand evidence\*\*\s*:?\s*(.*)$", re.IGNORECASE)
_TABLE_SEPARATOR_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _plain_lines(content: list[str]) -> list[str]:
    """A section's lines without HTML comments, the decision-matrix block and blank lines."""
    span = _matrix_span(content)
    if span is not None:
        content = content[: span[0]] + content[span[1] + 1 :]
    text = _COMMENT_RE.sub("", "\n".join(content))
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def doc_risks(body: str) -> list[str]:
    """The risks of section 10 (Risk Assessment), one line each, for the PM notification.

    A table row becomes ``Risk: Level (notes)``; the header and separator rows are left
    out; any other line is kept as written, without its list marker.

    Args:
        body: the doc's body.

    Returns:
        At most :data:`MAX_EXTRACT_LINES` lines; empty when there is no section 10.
    """
    section = next((s for s in parse_sections(body, 1) if s[0] == RISK_SECTION), None)
    if section is None:
        return []
    lines = _plain_lines(section[3])
    out = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith("|"):
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _TABLE_SEPARATOR_RE.match(line) or _TABLE_SEPARATOR_RE.match(following):
                continue  # the separator, or the header above it
            cells = [c for c in _table_cells(line)]
            name, rest = cells[0], [c for c in cells[1:] if c]
            level, notes = (rest[0], rest[1:]) if rest else ("", [])
            out.append(f"{name}: {level}" + (f" ({'; '.join(notes)})" if notes else "") if level else name)
        elif not line.lstrip().startswith("### "):
            out.append(re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", line))
    return out[:MAX_EXTRACT_LINES]


def user_demand_evidence(body: str) -> list[str]:
    """The user-demand evidence of a research doc: the ``**User demand evidence**:`` line
    (section 11 of the template) and the indented lines under it.

    Args:
        body: the doc's body.

    Returns:
        Its lines (at most :data:`MAX_EXTRACT_LINES`), list markers removed; empty when
        the doc has no such line.
    """
    lines = _plain_lines(body.split("\n"))
    for index, line in enumerate(lines):
        match = _EVIDENCE_RE.match(line)
        if not match:
            continue
        out = [match.group(1).strip()] if match.group(1).strip() else []
        for follower in lines[index + 1 :]:
            if not follower[:1].isspace():
                break
            out.append(re.sub(r"^\s*(?:[-*+]|\d+\.)\s+", "", follower).strip())
        return out[:MAX_EXTRACT_LINES]
    return []


def _matrix_span(lines: list[str]) -> tuple[int, int] | None:
    """The 0-based first and last line of the decision-matrix block (markers included), or None."""
    in_fence = False
    begin = None
    for index, line in enumerate(lines):
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        elif in_fence:
            continue
        elif line.strip().startswith(_MATRIX_BEGIN_PREFIX):
            begin = index  # the begin marker nearest the end: a stray one never swallows text
        elif begin is not None and line.strip() == MATRIX_END:
            return begin, index
    return None


def matrix_table(result: MatrixResult) -> list[str]:
    """The decision-matrix block of section 11, as the process document draws the matrix.

    Args:
        result: the weighed matrix.

    Returns:
        Its lines, the begin and end markers included.
    """
    lines = [
        MATRIX_BEGIN,
        "| Factor | Weight | Score (1-5) | Weighted Score |",
        "|--------|--------|-------------|----------------|",
    ]
    for factor, weight, score, weighted in result.rows:
        cells = (FACTOR_LABELS[factor], format_weight(weight), f"{score.normalize():f}", format_weighted(weighted))
        lines.append(f"| {' | '.join(cells)} |")
    lines += [
        f"| **Total** | **100%** | - | **{result.total_shown}** |",
        "",
        f"**Band**: {result.band} (weighted total {result.total_shown})",
        MATRIX_END,
    ]
    return lines


def with_matrix_table(body: str, result: MatrixResult) -> str:
    """A research doc body with section 11's decision-matrix table written (or re-written).

    The block between the markers is replaced; without one, it goes at the end of
    section 11, and without a section 11, in a new section 11 at the end of the doc.
    Everything outside the block is kept byte for byte.

    Args:
        body: the doc's body (the text after its front matter).
        result: the weighed matrix.
    """
    lines = body.split("\n")
    block = matrix_table(result)
    span = _matrix_span(lines)
    if span is not None:
        return "\n".join(lines[: span[0]] + block + lines[span[1] + 1 :])
    sections = parse_sections(body, 0)
    index = next((i for i, s in enumerate(sections) if s[0] == MATRIX_SECTION), None)
    if index is None:
        while lines and not lines[-1].strip():
            lines.pop()
        title = SECTIONS[MATRIX_SECTION - 1][0]
        return "\n".join([*lines, "", f"## {MATRIX_SECTION}. {title}", "", *block, ""])
    end = sections[index + 1][2] if index + 1 < len(sections) else len(lines)
    while end > sections[index][2] + 1 and not lines[end - 1].strip():
        end -= 1
    tail = lines[end:]
    if any(line.strip() for line in tail):
        return "\n".join(lines[:end] + ["", *block] + tail)  # the blank lines before the next heading stay
    return "\n".join(lines[:end] + ["", *block] + ([""] if tail else []))


def _table_cells(line: str) -> list[str]:
    return [cell.strip().strip("*").strip() for cell in line.strip().strip("|").split("|")]


def _check_matrix_table(doc: ResearchDoc, rel_path: str, broker_id: str, matrix: MatrixSettings) -> list[Finding]:
    """Where section 11's decision-matrix table disagrees with the front matter's scores."""
    result = score_if_complete(doc.front_matter.get("scores"), matrix)
    if result is None:
        return []  # the scores themselves are a front-matter finding
    lines = doc.body.split("\n")
    span = _matrix_span(lines)
    hint = f"`govtool score {broker_id}` writes it from the front matter's scores"
    if span is None:
        sections = parse_sections(doc.body, doc.body_line)
        line = next((s[2] for s in sections if s[0] == MATRIX_SECTION), doc.body_line + doc.body.count("\n"))
        return [Finding(rel_path, line, f"section 11 has no decision-matrix table; {hint}", MATRIX_SECTION)]
    expected = matrix_table(result)
    actual = lines[span[0] : span[1] + 1]
    if [ln.strip() for ln in actual[1:]] == [ln.strip() for ln in expected[1:]]:
        return []
    shown = {_table_cells(ln)[0]: _table_cells(ln) for ln in actual if ln.strip().startswith("|")}
    differences = []
    for row in expected[3:-4]:
        cells = _table_cells(row)
        got = shown.get(cells[0])
        if got is None:
            differences.append(f"no {cells[0]} row")
        elif got[1:] != cells[1:]:
            differences.append(f"{cells[0]} {' / '.join(got[1:])} (expected {' / '.join(cells[1:])})")
    total = shown.get("Total")
    if total is None or total[-1] != result.total_shown:
        differences.append(f"total {total[-1] if total else 'missing'} (expected {result.total_shown})")
    if not any(ln.strip() == expected[-2] for ln in actual):
        differences.append(f"band not {result.band!r}")
    what = "; ".join(differences) or "the table was edited"
    return [
        Finding(
            rel_path,
            doc.body_line + span[0],
            f"section 11's decision-matrix table disagrees with the front matter's scores: {what}; {hint}",
            MATRIX_SECTION,
        )
    ]


def completeness(findings: list[Finding]) -> dict[str, Any]:
    """Summary of a doc's findings: ``{complete, sections_filled, sections, front_matter_missing}``."""
    sections_bad = {f.section for f in findings if f.section is not None}
    return {
        "complete": not findings,
        "sections_filled": len(SECTIONS) - len(sections_bad),
        "sections": len(SECTIONS),
        "front_matter_missing": sum(1 for f in findings if f.section is None),
    }
