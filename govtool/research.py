"""The research phase: scaffolding research docs, checking them, scoring them.

`govtool research new` writes a research doc from the research-doc template (pre-filled
from an OpenAPI spec when one is given) and adds the broker to the tracker;
`govtool research check` runs the developer checklist on the docs (a read: `govtool
notify` records research_completed when it notifies the PM of a doc that passes);
`govtool score` fills in and weighs
the decision matrix. The functions here return data; the CLI prints it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from govtool import lifecycle
from govtool.decision_matrix import MATRIX_FACTORS, MatrixResult, MatrixSettings, check_score, score_matrix
from govtool.errors import InputError
from govtool.history import add_broker, record_event
from govtool.model import (
    RESEARCH_DIR,
    Broker,
    Tracker,
    parse_integration_type,
    parse_priority,
    research_doc_rel_path,
    tier_problem,
)
from govtool.research_doc import (
    MATRIX_BEGIN,
    MATRIX_END,
    SECTIONS,
    Finding,
    ResearchDoc,
    check_doc,
    completeness,
    doc_path,
    join_front_matter,
    read_doc_text,
    split_front_matter,
    with_matrix_table,
)

DOC_TEMPLATE = "research-doc.md.j2"


def scaffold_front_matter(broker: Broker, docs_url: str | None, facts: Any | None) -> dict[str, Any]:
    """The front matter of a new research doc: known values set, the rest null.

    Args:
        broker: the broker record (name, tier, type).
        docs_url: the API documentation URL, if given.
        facts: :class:`~govtool.openapi_facts.SpecFacts`, if a spec was given; its
            authentication schemes pre-fill ``authentication``, and its first rate
            limits ``rate_limits``, both marked TODO until a person confirms them.
    """
    auth = rate_limits = None
    if facts is not None and facts.auth:
        auth = "; ".join(a.detail for a in facts.auth) + " (from the spec; TODO: confirm)"
    if facts is not None:
        stated = [f"{r.text} {r.scope}".strip() for r in facts.rate_limits if r.kind in ("requests", "concurrency")]
        if stated:
            rate_limits = "; ".join(stated[:3]) + " (from the spec; TODO: confirm)"
    return {
        "broker": broker.id,
        "name": broker.name,
        "tier": broker.tier,
        "asset_classes": broker.asset_classes or None,
        "regions": broker.regions or None,
        "integration_type": broker.type,
        "docs_url": docs_url,
        "authentication": auth,
        "rate_limits": rate_limits,
        "monthly_api_cost_usd": None,
        "access": None,
        "data_coverage": None,
        "development_days": None,
        "maintenance": None,
        "risk_level": None,
        "user_demand": None,
        "recommendation": None,
        "scores": {factor: None for factor in MATRIX_FACTORS},
    }


def render_research_doc(root: Path, broker: Broker, docs_url: str | None, facts: Any | None) -> str:
    """The text of a new research doc, from the research-doc template.

    The template gets ``broker``, ``front_matter`` (YAML text), ``sections``, the
    decision-matrix markers, and with a spec its facts as ``spec`` and the pre-filled
    Markdown blocks of :mod:`govtool.research_prefill` as ``prefill``.

    Raises:
        InputError: a template error.
    """
    from govtool.research_prefill import prefill
    from govtool.templating import environment, render_template
    from govtool.yamlio import dump_yaml

    context = {
        "broker": {
            "id": broker.id,
            "name": broker.name,
            "tier": broker.tier,
            "priority": broker.priority,
            "type": broker.type,
            "docs_url": docs_url,
        },
        "front_matter": dump_yaml(scaffold_front_matter(broker, docs_url, facts)),
        "spec": facts,
        "prefill": prefill(facts) if facts is not None else {},
        "sections": SECTIONS,
        "matrix_begin": MATRIX_BEGIN,
        "matrix_end": MATRIX_END,
    }
    return render_template(environment(root), DOC_TEMPLATE, context)


def new_broker_record(
    broker_id: str,
    name: str,
    tier: int | None = None,
    priority: str | None = None,
    integration_type: str | None = None,
) -> Broker:
    """A broker record for `research new`, its arguments checked.

    Raises:
        InputError: a bad tier, priority or integration type.
    """
    if not name.strip():
        raise InputError("--name: the broker's name is empty")
    if tier is not None and tier_problem(tier):
        raise InputError(f"--tier: {tier_problem(tier)} (got {tier})")
    try:
        priority = parse_priority(priority) if priority is not None else None
    except ValueError as exc:
        raise InputError(f"--priority: {exc} (got {priority!r})") from None
    try:
        integration_type = parse_integration_type(integration_type) if integration_type is not None else None
    except ValueError as exc:
        raise InputError(f"--type: {exc} (got {integration_type!r})") from None
    return Broker(
        id=broker_id,
        name=name.strip(),
        status=lifecycle.RESEARCHING,
        tier=tier,
        priority=priority,
        type=integration_type,
    )


def fill_from_tracker(record: Broker, tracker: Tracker) -> None:
    """Fill a new record's unset fields from the tracker's record of the same broker, if any."""
    existing = tracker.brokers.get(record.id)
    if existing is None:
        return
    record.name = existing.name
    for key in ("tier", "priority", "type", "team", "eta"):
        if getattr(record, key) is None:
            setattr(record, key, getattr(existing, key))
    for key in ("asset_classes", "regions"):
        if not getattr(record, key):
            setattr(record, key, list(getattr(existing, key)))


def start_research(tracker: Tracker, broker: Broker, by: str, at: dt.datetime) -> str:
    """Add the broker to the tracker (researching), or attach the doc to a tracked one.

    Returns:
        ``"added"`` or ``"attached"``.

    Raises:
        InputError: the broker is tracked and no longer researching (use --force to
            replace its doc).
    """
    rel = research_doc_rel_path(broker.id)
    existing = tracker.brokers.get(broker.id)
    if existing is None:
        broker.research_doc = rel
        add_broker(tracker, broker, by, at)
        return "added"
    existing.research_doc = rel
    for key in ("tier", "priority", "type"):
        if getattr(existing, key) is None and getattr(broker, key) is not None:
            setattr(existing, key, getattr(broker, key))
    return "attached"


def read_doc(root: Path, broker_id: str) -> tuple[Path, str]:
    """The path and text of a broker's research doc.

    Raises:
        InputError: no doc (the hint names `govtool research new`).
    """
    path = doc_path(root, broker_id)
    text = read_doc_text(root, research_doc_rel_path(broker_id))
    if text is None:
        raise InputError(
            f"{research_doc_rel_path(broker_id)}: no research doc",
            hint=f"start one with `govtool research new {broker_id} --name NAME`",
        )
    return path, text


def brokers_to_check(root: Path, tracker: Tracker, requested: list[str]) -> list[str]:
    """The brokers `research check` looks at: those named, else every broker that is
    researching or has a research doc, plus any doc in the research dir.

    Raises:
        InputError: a named broker is unknown.
    """
    if requested:
        for broker_id in requested:
            tracker.broker(broker_id)
        return list(dict.fromkeys(requested))
    ids = [b.id for b in tracker.brokers.values() if b.research_doc or b.status == lifecycle.RESEARCHING]
    research_dir = root / RESEARCH_DIR
    if research_dir.is_dir():
        ids += [p.stem for p in research_dir.glob("*.md") if p.name != "README.md"]
    return sorted(set(ids))


def check_research(root: Path, tracker: Tracker, broker_ids: list[str]) -> dict[str, list[Finding]]:
    """Run the developer checklist on research docs.

    Args:
        root: the governance root.
        tracker: to know which brokers exist.
        broker_ids: the brokers to check.

    Returns:
        broker id -> findings (empty list: the doc passes).
    """
    results: dict[str, list[Finding]] = {}
    for broker_id in broker_ids:
        rel = research_doc_rel_path(broker_id)
        doc_path(root, broker_id)  # refuses an id that would leave the research dir
        if broker_id not in tracker.brokers:
            results[broker_id] = [
                Finding(rel, 1, f"{broker_id} is not in the tracker; start it with `govtool research new {broker_id}`")
            ]
            continue
        text = read_doc_text(root, rel)
        if text is None:
            results[broker_id] = [
                Finding(rel, 1, f"no research doc; start it with `govtool research new {broker_id} --name NAME`")
            ]
            continue
        results[broker_id] = check_doc(text, rel, broker_id, tracker.settings.decision_matrix)
    return results


def needs_research_completed(broker: Broker) -> bool:
    """True when a researching broker has no research_completed since research (re)started."""
    if broker.status != lifecycle.RESEARCHING:
        return False
    for event in reversed(broker.history):
        if event.event == "research_completed":
            return False
        if event.event in ("research_started", "reopened"):
            return True
    return True


def research_index(root: Path, tracker: Tracker, pending: dict[Path, str] | None = None) -> list[dict[str, Any]]:
    """Rows of the research README's index: one per broker with a research doc.

    Args:
        pending: files about to be written (path -> text), read instead of the disk.

    Returns:
        ``[{id, name, status, path, complete, sections_filled, sections, front_matter_missing}]``.
    """
    pending = pending or {}
    rows = []
    for broker in sorted(tracker.brokers.values(), key=lambda b: b.name.lower()):
        if not broker.research_doc:
            continue
        path = root / broker.research_doc
        text = pending.get(path)
        if text is None:
            text = read_doc_text(root, broker.research_doc)
        summary = (
            completeness(check_doc(text, broker.research_doc, broker.id, tracker.settings.decision_matrix))
            if text is not None
            else {"complete": False, "sections_filled": 0, "sections": len(SECTIONS), "front_matter_missing": None}
        )
        rows.append(
            {
                "id": broker.id,
                "name": broker.name,
                "status": broker.status,
                "path": Path(broker.research_doc).name,
                "exists": text is not None,
                **summary,
            }
        )
    return rows


def _readable_front_matter(root: Path, broker_id: str) -> tuple[Path, str, ResearchDoc]:
    """A research doc whose front matter parses: ``(path, text, doc)``.

    Raises:
        InputError: no doc; no front matter (``FILE:1``); front matter that does not
            parse (``FILE:LINE`` of the YAML problem).
    """
    path, text = read_doc(root, broker_id)
    rel = research_doc_rel_path(broker_id)
    doc = split_front_matter(text, rel)
    if doc.front_matter_error:
        line, detail = doc.front_matter_error
        raise InputError(f"{rel}:{line}: front matter: {detail}", hint="fix the YAML between the two '---' lines")
    if not doc.has_front_matter:
        raise InputError(
            f"{rel}:1: no front matter: the doc must start with a '---' YAML block of the key findings",
            hint=f"put the key-findings block at the top; `govtool research new {broker_id} --force` rewrites the "
            "doc from the template (replacing it)",
        )
    return path, text, doc


def _checked_scores(doc: ResearchDoc, broker_id: str, scores: Any) -> dict[str, Any]:
    """The front matter's scores, each checked (``FILE:LINE: scores.FACTOR: ...``).

    Raises:
        InputError: no scores at all, or one that is not 1-5 in steps of 0.5.
    """
    rel = research_doc_rel_path(broker_id)
    if not isinstance(scores, dict) or all(scores.get(f) is None for f in MATRIX_FACTORS):
        raise InputError(
            f"{rel}: no decision-matrix scores in the front matter",
            hint=f"score it: govtool score {broker_id} --user-demand N --cost-benefit N --technical-feasibility N "
            "--strategic-fit N --risk-assessment N",
        )
    line = doc.front_matter_lines.get("scores", 1)
    for factor in MATRIX_FACTORS:
        if scores.get(factor) is not None:
            check_score(f"{rel}:{line}: scores.{factor}", scores[factor])
    return scores


def doc_with_scores(
    root: Path, broker_id: str, scores: dict[str, Any], matrix: MatrixSettings
) -> tuple[Path, str, MatrixResult]:
    """A research doc's new text: these scores merged into its front matter, and section
    11's decision-matrix table written from the doc's scores.

    Args:
        scores: factor -> score; factors not given keep their value in the doc. With
            none given the front matter is kept as it is and only the table is
            (re-)written from its scores.
        matrix: the weights and thresholds (``tracker.settings.decision_matrix``).

    Returns:
        ``(path, new text, the weighed matrix)``; outside the table the body is kept
        byte for byte.

    Raises:
        InputError: no doc, no readable front matter, no scores, a bad score, or a
            factor with no score.
    """
    path, text, doc = _readable_front_matter(root, broker_id)
    front = dict(doc.front_matter)
    if scores:
        current = front.get("scores") if isinstance(front.get("scores"), dict) else {}
        merged = {factor: current.get(factor) for factor in MATRIX_FACTORS}
        merged.update({k: v for k, v in scores.items() if v is not None})
        front["scores"] = {k: (int(v) if isinstance(v, float) and v.is_integer() else v) for k, v in merged.items()}
    result = score_matrix(_checked_scores(doc, broker_id, front.get("scores")), matrix)
    body = with_matrix_table(doc.body, result)
    if scores:
        return path, join_front_matter(front, body), result
    return path, text[: len(text) - len(doc.body)] + body, result


def record_score(tracker: Tracker, broker_id: str, result: MatrixResult, by: str, at: dt.datetime) -> None:
    """Record a scored event with the weighted total and its band."""
    record_event(
        tracker,
        broker_id,
        "scored",
        by,
        at,
        score=float(result.total),
        band=result.band,
    )
