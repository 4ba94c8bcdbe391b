"""The research phase: start a research doc, check it against the checklist, score it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govtool import research
from govtool.decision_matrix import MatrixResult, check_score
from govtool.errors import InputError
from govtool.research_doc import Finding, doc_path
from govtool.storage import read_tracker
from govtool.unit_of_work import update_tracker


@dataclass
class ResearchNewOutcome:
    """`research new`: the doc written (relative path), whether a spec pre-filled it,
    whether the broker was ``added`` to the tracker or the doc ``attached`` to it, and what
    govtool could not read of the spec (``$ref``s not followed)."""

    doc: Path
    prefilled_from: str | None
    tracker_change: str
    warnings: list[str] = field(default_factory=list)


def research_new(
    root: Path,
    broker_id: str,
    *,
    name: str | None,
    tier: int | None,
    priority: str | None,
    integration_type: str | None,
    docs_url: str | None,
    openapi_spec: Path | None,
    force: bool,
    by: str,
    at: dt.datetime,
) -> ResearchNewOutcome:
    """Write a broker's research doc from the template and track the broker as researching.

    Raises:
        InputError: the doc exists (without ``force``), a new broker without a name,
            a bad tier/priority/type, an unreadable spec, or a template error.
    """
    path = doc_path(root, broker_id)
    rel = path.relative_to(root.resolve())
    if path.exists() and not force:
        raise InputError(f"{rel}: already exists", hint="edit it, or pass --force to start it again from the template")
    tracker = read_tracker(root, only=[broker_id])
    known = tracker.brokers.get(broker_id)
    if name is None and known is None:
        raise InputError(
            f"{broker_id}: a new broker needs --name", hint=f'govtool research new {broker_id} --name "Name"'
        )
    record = research.new_broker_record(broker_id, name or known.name, tier, priority, integration_type)
    research.fill_from_tracker(record, tracker)
    facts = None
    if openapi_spec is not None:
        from govtool.openapi_facts import read_spec_facts

        facts = read_spec_facts(openapi_spec)
    text = research.render_research_doc(root, record, docs_url, facts)
    change = update_tracker(
        root, lambda t: research.start_research(t, record, by, at), files={path: text}, only=[broker_id]
    )
    warnings = list(facts.warnings) if facts else []
    return ResearchNewOutcome(rel, openapi_spec.name if facts else None, change, warnings)


@dataclass
class ResearchCheckOutcome:
    """`research check`: the findings per broker (empty: passed)."""

    results: dict[str, list[Finding]]

    @property
    def passed(self) -> list[str]:
        return [b for b, items in self.results.items() if not items]

    @property
    def findings(self) -> list[Finding]:
        return [f for items in self.results.values() for f in items]


def research_check(root: Path, broker_ids: list[str]) -> ResearchCheckOutcome:
    """Run the developer checklist on the named research docs (all when none are named).

    A read: nothing is written. ``research_completed`` is recorded by `govtool notify`
    when it notifies the PM of a doc that passes.

    Raises:
        InputError: a named broker is unknown.
    """
    tracker = read_tracker(root)
    ids = research.brokers_to_check(root, tracker, broker_ids)
    return ResearchCheckOutcome(research.check_research(root, tracker, ids))


@dataclass
class ScoreOutcome:
    """`govtool score`: the broker's name, its decision matrix, and the research doc
    (relative path) when its section 11 table was written or re-written (None: unchanged)."""

    name: str
    matrix: MatrixResult
    table_written: Path | None = None


def score(root: Path, broker_id: str, given: dict[str, Any], by: str, at: dt.datetime) -> ScoreOutcome:
    """Store the given factor scores in the research doc, write the decision-matrix table
    into its section 11, and record the weighted total; with none given, weigh the scores
    the doc has and re-write the table where it no longer matches them.

    Args:
        given: factor -> score (1-5 in steps of 0.5); factors left out keep the doc's value.

    Raises:
        InputError: unknown broker, a bad score (named by its option), no doc, or
            missing scores.
    """
    tracker = read_tracker(root, only=[broker_id])
    name = tracker.broker(broker_id).name
    given = {k: v for k, v in given.items() if v is not None}
    for factor, value in given.items():
        check_score("--" + factor.replace("_", "-"), value)
    path, text, result = research.doc_with_scores(root, broker_id, given, tracker.settings.decision_matrix)
    rel = path.relative_to(root.resolve())
    if not given:
        if text == path.read_text(encoding="utf-8"):
            return ScoreOutcome(name, result)
        update_tracker(root, lambda t: None, files={path: text}, only=[broker_id])
        return ScoreOutcome(name, result, rel)
    update_tracker(
        root, lambda t: research.record_score(t, broker_id, result, by, at), files={path: text}, only=[broker_id]
    )
    return ScoreOutcome(name, result, rel)
