"""The panel's result (考评小组): a component with an examiner panel is scored by every examiner
on it, and its score is the mean of their marks.

Two scoring rules, named by the session's ``Planned`` event:

* ``panel-mean`` (every session planned since issue 19): each examiner on a component's panel
  records a mark (a ``ScoreRecorded`` naming the examiner); the component is scored only when
  every examiner on the panel has marked it, and its score is the mean of the marks rounded half
  up to two decimals. A component without a panel (theory, usually) takes one mark.
* ``single-mark`` (sessions planned before): one examiner's mark is the component's score. A
  ``Planned`` event recorded before the rule names no rule and reads as this one, so such a
  session replays, publishes and confirms with the results it had.

Each mark is kept with its corrections; the component's score is recomputed from the marks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from domain.errors import DomainRuleViolation
from domain.evaluation.scores import (
    check_correction,
    correct,
    new_score,
    refuse_second_score,
    score_text,
)

__all__ = [
    "PANEL_MEAN",
    "SINGLE_MARK",
    "add_mark",
    "check_first_marks",
    "check_mark_correction",
    "component_progress",
    "correct_mark",
    "marks_of",
    "missing_marks",
    "panel_result",
    "recorded_mark",
    "refuse_second",
    "session_progress",
    "settle",
]

PANEL_MEAN = "panel-mean"
SINGLE_MARK = "single-mark"


def marks_of(candidate: Mapping[str, Any], component: str) -> dict[str, dict[str, Any]]:
    """The marks recorded so far on a panel-marked ``component``, by examiner."""
    marks: dict[str, dict[str, Any]] = candidate.get("marks", {}).get(component, {})
    return marks


def panel_result(marks: Sequence[str]) -> str:
    """The mean of the marks, rounded half up to two decimals, as score text."""
    mean = sum((Decimal(mark) for mark in marks), Decimal(0)) / len(marks)
    return score_text(mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def settle(candidate: dict[str, Any], component: str, panel: Sequence[str]) -> None:
    """Score ``component`` from its marks once every examiner on ``panel`` has marked it (after
    a first mark or a correction)."""
    marks = marks_of(candidate, component)
    if any(examiner not in marks for examiner in panel):
        candidate["scores"].pop(component, None)
        return
    candidate["scores"][component] = {
        "score": panel_result([marks[examiner]["score"] for examiner in panel]),
        "rule": PANEL_MEAN,
        "examiner": None,
        "examiners": list(panel),
        "recorded_on": max(str(mark["recorded_on"]) for mark in marks.values()),
        "corrections": [],
    }


def add_mark(
    candidate: dict[str, Any],
    component: str,
    panel: Sequence[str] | None,
    score: str,
    examiner: str,
    on: str,
) -> None:
    """Apply a first mark: the component's score (no ``panel``), or one examiner's mark that
    scores the component once the panel is complete."""
    if not panel:
        candidate["scores"][component] = new_score(score, examiner, on)
        return
    marks = candidate.setdefault("marks", {}).setdefault(component, {})
    marks[examiner] = new_score(score, examiner, on)
    settle(candidate, component, panel)


def correct_mark(
    candidate: dict[str, Any],
    component: str,
    panel: Sequence[str] | None,
    correction: tuple[str, str, str, str, str],
) -> None:
    """Apply a correction ``(score, examiner, reason, on, actor)``: to the component's score
    (no ``panel``), or to the examiner's mark, and the component is scored again."""
    score, examiner, reason, on, actor = correction
    if not panel:
        correct(candidate["scores"][component], score, examiner, reason, on, actor)
        return
    correct(candidate["marks"][component][examiner], score, examiner, reason, on, actor)
    settle(candidate, component, panel)


def refuse_second(
    candidate: Mapping[str, Any],
    component: str,
    examiner: str,
    panel: Sequence[str] | None,
    in_batch: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
) -> None:
    """A component is scored once; a panel-marked one once by each examiner on its panel
    (recorded, or earlier in the same batch as ``(component, examiner)``); then corrected."""
    if not panel:
        refuse_second_score(candidate, component, {c for c, _ in in_batch})
    elif examiner in marks_of(candidate, component) or (component, examiner) in in_batch:
        raise DomainRuleViolation(
            "score-already-recorded",
            f"{candidate['name']}'s {component} mark by {examiner} is recorded; "
            "correct it with a reason instead",
        )


def check_first_marks(
    entries: Sequence[tuple[Mapping[str, Any], str, str]],
    panel_of: Callable[[str], Sequence[str] | None],
) -> None:
    """Many first marks at once, as ``(candidate, component, examiner)`` (``panel_of`` a
    component: its marking panel, or None): none recorded already, none twice in the batch."""
    batch: dict[str, set[tuple[str, str]]] = {}
    for candidate, component, examiner in entries:
        seen = batch.setdefault(str(candidate["worker_id"]), set())
        refuse_second(candidate, component, examiner, panel_of(component), seen)
        seen.add((component, examiner))


def check_mark_correction(
    candidate: Mapping[str, Any],
    component: str,
    panel: Sequence[str] | None,
    score: str,
    examiner: str,
) -> None:
    """A correction changes a recorded score (no ``panel``: or its examiner), or one examiner's
    recorded mark on a panel-marked component."""
    if not panel:
        check_correction(candidate, component, score, examiner)
        return
    mark = marks_of(candidate, component).get(examiner)
    if mark is None:
        raise DomainRuleViolation(
            "no-score-to-correct",
            f"{candidate['name']} has no {component} mark by {examiner} yet; record it first",
        )
    if mark["score"] == score:
        raise DomainRuleViolation(
            "correction-changes-nothing",
            f"{candidate['name']}'s {component} mark by {examiner} is already {score}",
        )


def component_progress(
    candidate: Mapping[str, Any], component: str, panel: Sequence[str] | None
) -> dict[str, Any]:
    """Who has marked ``component`` and who has not (``panel`` None: one mark scores it)."""
    if panel:
        marks = marks_of(candidate, component)
        return {
            "rule": PANEL_MEAN,
            "marked_by": [examiner for examiner in panel if examiner in marks],
            "missing": [examiner for examiner in panel if examiner not in marks],
            "complete": component in candidate["scores"],
        }
    recorded = candidate["scores"].get(component)
    return {
        "rule": SINGLE_MARK,
        "marked_by": [recorded["examiner"]] if recorded else [],
        "missing": [],
        "complete": recorded is not None,
    }


def missing_marks(
    candidate: Mapping[str, Any], components: Sequence[str], panels: Mapping[str, Sequence[str]]
) -> list[str]:
    """What ``candidate`` still lacks: unscored components, naming the examiners missing."""
    missing = []
    for component in components:
        if component in candidate["scores"]:
            continue
        progress = component_progress(candidate, component, panels.get(component))
        if progress["missing"]:
            missing.append(f"{component} (not yet marked by {', '.join(progress['missing'])})")
        else:
            missing.append(component)
    return missing


def recorded_mark(
    candidate: Mapping[str, Any], component: str, examiner: str, panel: Sequence[str] | None
) -> dict[str, Any] | None:
    """What a new mark by ``examiner`` would meet: that examiner's mark on a panel-marked
    component, else the component's one score (None: nothing recorded)."""
    if panel:
        return marks_of(candidate, component).get(examiner)
    score: dict[str, Any] | None = candidate["scores"].get(component)
    return score


def session_progress(
    candidates: Iterable[Mapping[str, Any]],
    components: Sequence[str],
    panels: Mapping[str, Sequence[str]],
) -> dict[str, dict[str, Any]]:
    """Each component over the candidates still in the session (none withdrawn): how many are
    scored, how many not, and how many marks each panel examiner has yet to give."""
    progress: dict[str, dict[str, Any]] = {}
    for component in components:
        panel = panels.get(component)
        missing = dict.fromkeys(panel or (), 0)
        scored = unscored = 0
        for candidate in candidates:
            if candidate["withdrawn"] is not None:
                continue
            own = component_progress(candidate, component, panel)
            scored, unscored = scored + own["complete"], unscored + (not own["complete"])
            for examiner in own["missing"]:
                missing[examiner] += 1
        progress[component] = {
            "rule": PANEL_MEAN if panel else SINGLE_MARK,
            "panel": list(panel or ()),
            "scored": scored,
            "unscored": unscored,
            "marks_missing": missing,
        }
    return progress
