"""Scores (成绩): components, examiner panels, the pass mark and how a score is written.

Scores are integers or decimal strings (never floats), 0..100 with at most two decimals. A
candidate passes when *every* component is at least 60: no averaging across components. How a
panel's marks make a component's score is ``domain.evaluation.panel``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation.statuses import CandidateResult, EvaluationStatus
from domain.skill_level import SkillLevel

__all__ = [
    "COMPONENT_NAMES_ZH",
    "MAX_SCORE",
    "PASS_MARK",
    "SCORE_PATTERN",
    "check_correction",
    "check_panel",
    "check_scorable",
    "components_for",
    "correct",
    "failed_components",
    "new_score",
    "parse_score",
    "refuse_second_score",
    "require_scores_open",
    "result_counts",
    "result_of",
    "score_text",
]

PASS_MARK = 60
MAX_SCORE = 100

COMPONENT_NAMES_ZH = {"theory": "理论知识", "practical": "操作技能", "review": "综合评审"}

SCORE_PATTERN = r"100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?"
"""A score as text: 0 to 100 with at most two decimals (``"85"``, ``"59.5"``, ``"100.00"``)."""
_SCORE_TEXT = re.compile(SCORE_PATTERN)


def parse_score(value: object) -> Decimal:
    """A score out of 100: an integer or a decimal string with at most two decimals.

    Floats are refused: ``0.1 + 0.2`` is not ``0.3``, and a score must be the number the
    examiner wrote down. Raises :class:`InvalidValue` naming the field ``score``.
    """
    if isinstance(value, bool | float):
        raise InvalidValue(
            "score",
            "scores are integers or decimal strings, never floating-point numbers "
            '(send 85.5 as the string "85.5")',
        )
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidValue(
            "score", f"expected an integer or a decimal string, got {type(value).__name__}"
        )
    if _SCORE_TEXT.fullmatch(text) is None:
        raise InvalidValue(
            "score", f'must be 0 to {MAX_SCORE} with at most two decimals, e.g. 85 or "85.5"'
        )
    return Decimal(text)


def score_text(score: Decimal) -> str:
    """The canonical text of a score: ``"85"``, ``"85.5"`` (no exponent, no trailing zeros)."""
    return format(score.normalize(), "f")


def components_for(level: SkillLevel) -> list[str]:
    """Theory and practical for every level; 技师 and 高级技师 also a comprehensive review."""
    components = ["theory", "practical"]
    if level in (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1):
        components.append("review")
    return components


def check_panel(name: str, examiners: list[str]) -> None:
    """Examiner panels are an odd number, at least three, without duplicates."""
    if len(set(examiners)) != len(examiners):
        raise DomainRuleViolation("panel-duplicate-examiner", f"the {name} panel repeats a name")
    if len(examiners) < 3 or len(examiners) % 2 == 0:
        raise DomainRuleViolation(
            "panel-size",
            f"the {name} panel needs an odd number of at least 3 examiners, has {len(examiners)}",
        )


def refuse_second_score(
    candidate: Mapping[str, Any], component: str, in_batch: set[str] | frozenset[str] = frozenset()
) -> None:
    """A component is scored once (recorded, or earlier in the same batch); then corrected."""
    if component in candidate["scores"] or component in in_batch:
        raise DomainRuleViolation(
            "score-already-recorded",
            f"{candidate['name']}'s {component} score is recorded; "
            "correct it with a reason instead",
        )


def result_of(candidate: Mapping[str, Any], components: Sequence[str]) -> CandidateResult:
    """Passed only when every component is scored and each is at least 60 (no averaging)."""
    if candidate["withdrawn"] is not None:
        return CandidateResult.WITHDRAWN
    scores = candidate["scores"]
    if any(component not in scores for component in components):
        return CandidateResult.INCOMPLETE
    if all(Decimal(scores[c]["score"]) >= PASS_MARK for c in components):
        return CandidateResult.PASSED
    return CandidateResult.FAILED


def result_counts(
    candidates: Iterable[Mapping[str, Any]], components: Sequence[str]
) -> dict[str, int]:
    """How many of ``candidates`` have each result (every result named, zero or more)."""
    counts = {result.value: 0 for result in CandidateResult}
    for candidate in candidates:
        counts[result_of(candidate, components).value] += 1
    return counts


def failed_components(candidate: Mapping[str, Any], components: Sequence[str]) -> list[str]:
    """The components scored below the pass mark."""
    scores = candidate["scores"]
    return [c for c in components if c in scores and Decimal(scores[c]["score"]) < PASS_MARK]


def check_scorable(
    reference: str,
    starts_on: str,
    components: Sequence[str],
    panels: Mapping[str, list[str]],
    component: str,
    examiner: str,
    on: date,
) -> None:
    """A score is for one of the session's components, by a named examiner on its panel (if
    it has one), once the session has started."""
    if component not in components:
        raise DomainRuleViolation(
            "unknown-component",
            f"{reference} has components {', '.join(components)}, not {component!r}",
        )
    if not examiner or not examiner.strip():
        raise DomainRuleViolation("examiner-required", "a score needs the examiner's name")
    panel = panels.get(component)
    if panel and examiner.strip() not in panel:
        raise DomainRuleViolation(
            "examiner-not-on-panel",
            f"{examiner.strip()} is not on the {component} panel ({', '.join(panel)})",
        )
    if on < date.fromisoformat(starts_on):
        raise DomainRuleViolation(
            "session-not-started",
            f"{reference} starts on {starts_on}; no scores before then",
        )


def check_correction(
    candidate: Mapping[str, Any], component: str, score: str, examiner: str
) -> None:
    """A correction changes a recorded score (or its examiner)."""
    recorded = candidate["scores"].get(component)
    if recorded is None:
        raise DomainRuleViolation(
            "no-score-to-correct",
            f"{candidate['name']} has no {component} score yet; record it first",
        )
    if recorded["score"] == score and recorded["examiner"] == examiner:
        raise DomainRuleViolation(
            "correction-changes-nothing",
            f"{candidate['name']}'s {component} score is already {recorded['score']}",
        )


def correct(
    recorded: dict[str, Any], score: str, examiner: str, reason: str, on: str, actor: str
) -> None:
    """Apply a correction to a recorded score: the previous one stays in its corrections."""
    recorded["corrections"].append(
        {
            "previous": recorded["score"],
            "previous_examiner": recorded["examiner"],
            "score": score,
            "examiner": examiner,
            "reason": reason,
            "on": on,
            "actor": actor,
        }
    )
    recorded["score"] = score
    recorded["examiner"] = examiner


def new_score(score: str, examiner: str, on: str) -> dict[str, Any]:
    """A first score as its event records it, not yet corrected."""
    return {"score": score, "examiner": examiner, "recorded_on": on, "corrections": []}


def require_scores_open(reference: str, status: EvaluationStatus) -> None:
    """Scores are recorded and corrected only while the session is planned (before 公示)."""
    if status is not EvaluationStatus.PLANNED:
        raise DomainRuleViolation(
            "results-published",
            f"{reference}'s results are {status}; scores can no longer change "
            "(an objection during publication can withdraw a result)",
        )
