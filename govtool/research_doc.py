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

from govtool.decision_matrix import MATRIX_FACTORS, check_score
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


def doc_rel_path(broker_id: str) -> str:
    """A broker's research doc under the governance root by default: ``docs/brokers/api-research/<id>.md``."""
    return f"{RESEARCH_DIR}/{broker_id}.md"


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


def read_front_matter(root: Path, rel_path: str) -> dict[str, Any]:
    """The front matter of a research doc, or {} when the doc is missing or has none
    (or none that loads: `research check` reports that).

    Args:
        root: the governance root; rel_path: the doc's path under it.

    Raises:
        InputError: see :func:`read_doc_text`.
    """
    text = read_doc_text(root, rel_path)
    return {} if text is None else split_front_matter(text, rel_path).front_matter


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


def check_doc(text: str, rel_path: str, broker_id: str) -> list[Finding]:
    """Every finding of the developer checklist for one research doc.

    Args:
        text: the doc's content.
        rel_path: its path relative to the governance root (for messages).
        broker_id: the broker the doc must describe.

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
        problem = _content_problem(content, line)
        if problem:
            findings.append(Finding(rel_path, problem[0], f"{label} ({want}) {problem[1]}", number))
    for missing in range(expected_next, len(SECTIONS) + 1):
        if missing not in seen:
            findings.append(
                Finding(rel_path, end_line, f"section {missing} ({SECTIONS[missing - 1][0]}) is missing", missing)
            )
    return findings


def _content_problem(content: list[str], heading_line: int) -> tuple[int, str] | None:
    """(line, what) when a section's content is empty or still a placeholder."""
    text = "\n".join(content)
    stripped = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    real = [(i, ln) for i, ln in enumerate(stripped.split("\n")) if ln.strip() and not ln.strip().startswith("### ")]
    for index, line in real:
        match = _PLACEHOLDER_RE.search(line)
        if match:
            return heading_line + 1 + index, f"still has a placeholder: {line.strip()[:80]}"
    if not real:
        return heading_line, "has no content"
    return None


def completeness(findings: list[Finding]) -> dict[str, Any]:
    """Summary of a doc's findings: ``{complete, sections_filled, sections, front_matter_missing}``."""
    sections_bad = {f.section for f in findings if f.section is not None}
    return {
        "complete": not findings,
        "sections_filled": len(SECTIONS) - len(sections_bad),
        "sections": len(SECTIONS),
        "front_matter_missing": sum(1 for f in findings if f.section is None),
    }
