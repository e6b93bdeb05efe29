"""A mark sheet (成绩录入表): many examiners' marks on a session's candidates, saved at once, all or
nothing (the console's score grid).

Each entry is one cell: a candidate's component marked by one examiner. Checked against the
session as it stands, by the same domain commands one mark takes (``Evaluation.score``,
``Evaluation.correct_score``) on an in-memory copy, like ``service.evaluations.imports``:

* no mark recorded for that examiner (no panel: for the component) -- a first mark;
* the same mark recorded -- left alone (nothing is recorded twice);
* another mark recorded -- a correction, which needs the entry's ``reason`` (``reason-required``);
  it is a new ``ScoreCorrected`` event, the old mark stays in its corrections.

If any entry is refused, nothing is saved and :class:`MarksRefused` names each refused entry
by its index; otherwise the first marks (one ``ScoresRecorded`` event) and the corrections are
saved in one atomic ``record``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation, parse_score, score_text
from domain.evaluation.panel import recorded_mark
from service.commands import Recorded
from service.ledger_store import LedgerStore

__all__ = ["MarkEntry", "MarkSheetResult", "MarksRefused", "record_marks"]


@dataclass(frozen=True)
class MarkEntry:
    """One cell: ``examiner``'s ``score`` for ``worker_id``'s ``component`` (``reason``: why,
    if it changes a recorded mark)."""

    worker_id: UUID
    component: str
    examiner: str
    score: str
    reason: str = ""


@dataclass
class MarkSheetResult:
    """What a saved sheet did: counts of first marks, corrections and marks left alone, and
    where it was recorded (None when there was nothing to record)."""

    marks: int = 0
    corrections: int = 0
    unchanged: int = 0
    recorded: Recorded | None = None


@dataclass
class MarksRefused(Exception):
    """Some entries were refused (by index into the entries); nothing was recorded."""

    problems: dict[int, DomainRuleViolation | InvalidValue] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{len(self.problems)} mark(s) refused; nothing was recorded"


def _apply(
    evaluation: Evaluation,
    body: Any,
    entry: MarkEntry,
    today: Any,
    actor: str,
    result: MarkSheetResult,
) -> dict[str, Any] | None:
    """Check one entry on ``evaluation``: a first mark to record (returned), a correction
    (applied in memory), or nothing (unchanged)."""
    candidate = evaluation.candidate(entry.worker_id)
    examiner = entry.examiner.strip()
    panel = evaluation.marking_panel(entry.component)
    recorded = recorded_mark(candidate, entry.component, examiner, panel)
    if recorded is None:
        first = evaluation.score(
            body=body,
            worker_id=entry.worker_id,
            component=entry.component,
            score=entry.score,
            examiner=examiner,
            on=today,
            actor=actor,
        )
        result.marks += 1
        return first
    same_examiner = panel is not None or recorded["examiner"] == examiner
    if same_examiner and recorded["score"] == score_text(parse_score(entry.score)):
        result.unchanged += 1
        return None
    evaluation.correct_score(
        body=body,
        worker_id=entry.worker_id,
        component=entry.component,
        score=entry.score,
        examiner=examiner,
        reason=entry.reason,
        on=today,
        actor=actor,
    )
    result.corrections += 1
    return None


def record_marks(
    ledger: LedgerStore, evaluation_id: UUID, entries: Sequence[MarkEntry], *, actor: str
) -> MarkSheetResult:
    """Record every new or changed mark of ``entries`` at once, or nothing (:class:`MarksRefused`
    naming each refused entry). Session-wide refusals (published, not started, body
    suspended) are refused for every entry alike."""
    evaluation = ledger.evaluation(evaluation_id)
    body = ledger.organisation(evaluation.body_id)
    today = ledger.china_today()
    result = MarkSheetResult()
    refused = MarksRefused()
    first_marks: list[dict[str, Any]] = []
    for index, entry in enumerate(entries):
        try:
            first = _apply(evaluation, body, entry, today, actor, result)
        except (DomainRuleViolation, InvalidValue) as error:
            refused.problems[index] = error
            continue
        if first is not None:
            first_marks.append(first)
    if refused.problems:
        raise refused
    if not (result.marks or result.corrections):
        return result
    evaluation.record_scores(first_marks)
    result.recorded = ledger.record(evaluation)
    return result
