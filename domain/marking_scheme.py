"""Competition marking schemes (竞赛评分方案): weighted components, judges' marks, spread review.

A :class:`MarkingScheme` is the set of components an entrant is marked on -- e.g. theory
(理论知识) and practical (操作技能) -- each with

* a ``weight`` in percent; the weights of a scheme sum to exactly 100;
* a ``kind``: ``measurement`` (objective, measured against a specification, 测量评分) or
  ``judgement`` (a judge's assessment of quality, 评价评分).

Every judge marks every component out of :data:`MAX_MARK` (100) to at most two decimal places
(:data:`MARK_QUANTUM`, 0.01). Marks outside that grid are rejected, never rounded.

Combining judges (裁判评分合成) follows the scheme's :class:`JudgeCombination`:

* ``mean`` -- the arithmetic mean of all judges' marks (one judge or more);
* ``trimmed`` -- drop one highest and one lowest mark, then take the mean of the rest
  (去掉一个最高分和一个最低分). It needs at least three judges: with fewer there is nothing
  left to average, so it raises :class:`~domain.errors.DomainRuleViolation`
  ``"trimmed-mean-needs-three-judges"``.

Spread review (评分差异复核): the spread of a component is the highest minus the lowest of *all*
judges' marks (before any trimming). If the scheme has a ``max_spread`` and the spread strictly
exceeds it, the component score is ``flagged`` for review; the score is still computed.

Rounding -- all arithmetic is exact (:class:`fractions.Fraction`); rounding happens at exactly two
documented points, each ROUND_HALF_UP to two decimal places (0.01):

1. a component score: the exact combined mark of the judges, rounded;
2. the weighted total: ``sum(weight * component score) / 100`` over the *rounded* component
   scores (so the published component scores reproduce the published total), rounded.

No floats anywhere: numbers are :class:`decimal.Decimal`; ``int`` and decimal strings are accepted
as input, ``float`` and ``bool`` are refused. :meth:`MarkingScheme.to_dict` gives a JSON-safe
dict (decimals as strings) for storage in events and :meth:`MarkingScheme.from_dict` reads it
back, strictly::

    {
        "components": [
            {"name": "practical", "weight": "70", "kind": "measurement"},
            {"name": "theory", "weight": "30", "kind": "judgement"}
        ],
        "combination": "trimmed",
        "max_spread": "10"            # or null: no spread review
    }
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any

from domain.errors import DomainRuleViolation, InvalidValue
from domain.rule_data import record

__all__ = [
    "MARK_QUANTUM",
    "MAX_MARK",
    "SCORE_QUANTUM",
    "TOTAL_WEIGHT",
    "ComponentKind",
    "ComponentScore",
    "EntrantScore",
    "JudgeCombination",
    "MarkingComponent",
    "MarkingScheme",
    "combine_judges_marks",
    "judges_spread",
    "parse_decimal",
    "parse_mark",
    "round_score",
    "weighted_total",
]

#: Highest mark a judge can give a component (marks are out of 100).
MAX_MARK = Decimal(100)
#: Marks, weights and spreads are given on a 0.01 grid.
MARK_QUANTUM = Decimal("0.01")
#: Component scores and totals are rounded ROUND_HALF_UP to this quantum.
SCORE_QUANTUM = Decimal("0.01")
#: Component weights of a scheme sum to exactly this (percent).
TOTAL_WEIGHT = Decimal(100)


class ComponentKind(StrEnum):
    """How a component is marked."""

    MEASUREMENT = "measurement"  # 测量评分: objective, against a specification
    JUDGEMENT = "judgement"  # 评价评分: a judge's assessment of quality


class JudgeCombination(StrEnum):
    """How several judges' marks for one component become one score."""

    MEAN = "mean"  # arithmetic mean of all marks
    TRIMMED = "trimmed"  # drop one highest and one lowest, mean of the rest; >= 3 judges


# --- numbers --------------------------------------------------------------------------------


def parse_decimal(value: object, field: str) -> Decimal:
    """A finite :class:`~decimal.Decimal` from a Decimal, an ``int`` or a decimal string.

    ``float`` and ``bool`` are refused (binary floats cannot represent marks exactly), as are
    NaN and infinities. Strings are parsed exactly as given (no stripping). Raises
    :class:`~domain.errors.InvalidValue` naming ``field``.
    """
    if type(value) is Decimal and value.is_finite():
        return value
    if isinstance(value, bool | float):
        raise InvalidValue(
            field, f"{type(value).__name__} is not accepted; give a decimal string or integer"
        )
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise InvalidValue(field, f"{value!r} is not a decimal number") from None
    else:
        raise InvalidValue(field, f"expected a decimal number, got {type(value).__name__}")
    if not number.is_finite():
        raise InvalidValue(field, f"{value!r} is not a finite number")
    return number


def _decimal_places(number: Decimal) -> int:
    """Significant decimal places of a finite ``number`` ("1.50" has 1, "100" has 0)."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):  # NaN / infinity never reach here
        raise InvalidValue("number", f"{number} is not finite")
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing_zeros))


def _on_grid(number: Decimal, field: str) -> Decimal:
    """``number`` unchanged if it has at most two significant decimal places (the 0.01 grid)."""
    if _decimal_places(number) > 2:
        raise InvalidValue(field, f"{number} has more than two decimal places")
    return number


def parse_mark(value: object, field: str) -> Decimal:
    """A judge's mark: 0..:data:`MAX_MARK` on the :data:`MARK_QUANTUM` grid, never rounded.
    Raises :class:`~domain.errors.InvalidValue` naming ``field``."""
    mark = _on_grid(parse_decimal(value, field), field)
    if not Decimal(0) <= mark <= MAX_MARK:
        raise InvalidValue(field, f"{mark} is outside 0..{MAX_MARK}")
    return mark.copy_abs()  # "-0" is the mark 0 (copy_abs keeps the places: -0.00 -> 0.00)


#: Marks as stored (canonical text) already checked: text -> (mark, mark in hundredths).
_CHECKED_MARKS: dict[str, tuple[Decimal, int]] = {}
_CHECKED_MARKS_LIMIT = 50_000


def _checked_mark(value: object, component: str, judge: str) -> tuple[Decimal, int]:
    """:func:`parse_mark` and the mark in exact hundredths (on the grid, so an integer); the text
    of marks already checked is remembered (a few thousand distinct values at most)."""
    if type(value) is str:
        found = _CHECKED_MARKS.get(value)
        if found is not None:
            return found
    mark = parse_mark(value, f"mark ({component}, judge {judge})")
    checked = (mark, int(mark * 100))
    if type(value) is str and len(_CHECKED_MARKS) < _CHECKED_MARKS_LIMIT:
        _CHECKED_MARKS[value] = checked
    return checked


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` (hundredths) rounded ROUND_HALF_UP (ties away from zero) to
    whole hundredths: :func:`_round_half_up` in integers."""
    whole, rest = divmod(abs(numerator), denominator)
    if 2 * rest >= denominator:
        whole += 1
    return -whole if numerator < 0 else whole


#: Scores in hundredths already turned into decimals: hundredths -> Decimal (0.00 .. 100.00).
_SCORES: dict[int, Decimal] = {}


def _in_hundredths(hundredths: int) -> Decimal:
    """The score ``hundredths`` / 100 as a decimal with two places (``7525`` -> ``75.25``)."""
    found = _SCORES.get(hundredths)
    if found is None:
        found = Decimal(hundredths).scaleb(-2)
        if 0 <= hundredths <= 10_000:
            _SCORES[hundredths] = found
    return found


def _round_half_up(exact: Fraction) -> Decimal:
    """``exact`` rounded ROUND_HALF_UP (ties away from zero) to :data:`SCORE_QUANTUM`."""
    scaled = exact * 100
    magnitude = abs(scaled)
    whole = magnitude.numerator // magnitude.denominator
    if magnitude - whole >= Fraction(1, 2):
        whole += 1
    hundredths = -whole if scaled < 0 else whole
    return Decimal(hundredths).scaleb(-2)


def round_score(value: Decimal) -> Decimal:
    """``value`` rounded ROUND_HALF_UP to two decimal places (the rounding of every score)."""
    return value.quantize(SCORE_QUANTUM, rounding=ROUND_HALF_UP)


# --- combining judges -----------------------------------------------------------------------


def judges_spread(marks: Sequence[Decimal]) -> Decimal:
    """Highest minus lowest of the judges' marks (0 for a single judge)."""
    if not marks:
        raise DomainRuleViolation("component-needs-a-judge", "no judge has marked this component")
    return max(marks) - min(marks)


def combine_judges_marks(marks: Sequence[Decimal], combination: JudgeCombination) -> Decimal:
    """One component score from the judges' marks, rounded ROUND_HALF_UP to 0.01.

    ``mean``: mean of all marks. ``trimmed``: drop one highest and one lowest mark and take the
    mean of the rest; fewer than three marks raise ``"trimmed-mean-needs-three-judges"``.
    The marks' order does not matter.
    """
    if not marks:
        raise DomainRuleViolation("component-needs-a-judge", "no judge has marked this component")
    kept = sorted(marks)
    if combination is JudgeCombination.TRIMMED:
        if len(kept) < 3:
            raise DomainRuleViolation(
                "trimmed-mean-needs-three-judges",
                f"dropping the highest and lowest mark needs at least 3 judges, got {len(kept)}",
            )
        kept = kept[1:-1]
    exact = sum((Fraction(mark) for mark in kept), Fraction(0)) / len(kept)
    return _round_half_up(exact)


def weighted_total(weighted_scores: Sequence[tuple[Decimal, Decimal]]) -> Decimal:
    """``sum(weight * score) / 100`` over ``(weight percent, score)`` pairs, rounded
    ROUND_HALF_UP to 0.01."""
    exact = sum(
        (Fraction(weight) * Fraction(score) for weight, score in weighted_scores), Fraction(0)
    )
    return _round_half_up(exact / 100)


# --- the scheme -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkingComponent:
    """One marked component: ``name`` (e.g. ``"practical"``), ``weight`` in percent
    (0 < weight <= 100, at most two decimal places; an ``int`` is accepted and stored as a
    Decimal) and ``kind``."""

    name: str
    weight: Decimal
    kind: ComponentKind

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or self.name != self.name.strip():
            raise InvalidValue(
                "component name",
                f"must be a non-empty name without surrounding spaces, got {self.name!r}",
            )
        weight = _on_grid(parse_decimal(self.weight, "component weight"), "component weight")
        if not Decimal(0) < weight <= TOTAL_WEIGHT:
            raise InvalidValue(
                "component weight", f"{self.name}: weight {weight} is outside (0, 100]"
            )
        object.__setattr__(self, "weight", weight)
        if not isinstance(self.kind, ComponentKind):
            raise InvalidValue("component kind", f"{self.name}: expected measurement or judgement")

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "weight": _text(self.weight), "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: object) -> MarkingComponent:
        fields = record(data, "component", required={"name", "weight", "kind"})
        kind = fields["kind"]
        try:
            component_kind = ComponentKind(kind)
        except ValueError:
            raise InvalidValue(
                "component kind", f"{kind!r} is not one of measurement, judgement"
            ) from None
        weight = fields["weight"]
        if not isinstance(weight, str | int) or isinstance(weight, bool):
            raise InvalidValue("component weight", "expected a decimal string or integer")
        return cls(
            name=fields["name"],
            weight=parse_decimal(weight, "component weight"),
            kind=component_kind,
        )


@dataclass(frozen=True)
class ComponentScore:
    """One entrant's combined score on one component.

    ``score`` is the judges' combined mark (rounded to 0.01); ``spread`` is the highest minus the
    lowest judge's mark; ``flagged`` is true when the spread exceeds the scheme's ``max_spread``
    and the mark needs review (复核) before it is locked.
    """

    component: str
    score: Decimal
    judge_count: int
    spread: Decimal
    flagged: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "score": _text(self.score),
            "judge_count": self.judge_count,
            "spread": _text(self.spread),
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class EntrantScore:
    """All of one entrant's component scores (in scheme order) and the weighted total."""

    components: tuple[ComponentScore, ...]
    total: Decimal

    @property
    def flagged_components(self) -> tuple[str, ...]:
        """Names of the components whose judges' spread needs review."""
        return tuple(score.component for score in self.components if score.flagged)

    def score_of(self, component: str) -> Decimal:
        for score in self.components:
            if score.component == component:
                return score.score
        raise InvalidValue("component", f"no component named {component!r}")

    def component_scores(self) -> dict[str, Decimal]:
        """``{component name: score}`` -- the shape :mod:`domain.ranking` takes."""
        return {score.component: score.score for score in self.components}

    def to_dict(self) -> dict[str, Any]:
        return {
            "components": [score.to_dict() for score in self.components],
            "total": _text(self.total),
        }


@dataclass(frozen=True)
class MarkingScheme:
    """A competition's marking scheme: components, judge combination and spread limit.

    Rules checked on construction: at least one component; unique component names; weights sum
    to exactly 100 (``DomainRuleViolation("weights-must-sum-to-100")``); ``max_spread`` is
    ``None`` (no spread review) or between 0 and 100 on the 0.01 grid.
    """

    components: tuple[MarkingComponent, ...]
    combination: JudgeCombination = JudgeCombination.MEAN
    max_spread: Decimal | None = None

    def __post_init__(self) -> None:
        components = tuple(self.components)
        object.__setattr__(self, "components", components)
        if not components:
            raise InvalidValue("components", "a marking scheme needs at least one component")
        if not all(isinstance(component, MarkingComponent) for component in components):
            raise InvalidValue("components", "expected MarkingComponent values")
        names = [component.name for component in components]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InvalidValue("component name", f"duplicate component {', '.join(duplicates)}")
        total = sum((component.weight for component in components), Decimal(0))
        if total != TOTAL_WEIGHT:
            raise DomainRuleViolation(
                "weights-must-sum-to-100",
                f"component weights sum to {total}, not 100 ("
                + ", ".join(f"{c.name} {c.weight}" for c in components)
                + ")",
            )
        if not isinstance(self.combination, JudgeCombination):
            raise InvalidValue("combination", "expected mean or trimmed")
        if self.max_spread is not None:
            spread = _on_grid(parse_decimal(self.max_spread, "max_spread"), "max_spread")
            if not Decimal(0) <= spread <= MAX_MARK:
                raise InvalidValue("max_spread", f"{spread} is outside 0..100")
            object.__setattr__(self, "max_spread", spread)

    # --- lookup ---

    @cached_property
    def component_names(self) -> tuple[str, ...]:
        return tuple(component.name for component in self.components)

    def component(self, name: str) -> MarkingComponent:
        for component in self.components:
            if component.name == name:
                return component
        raise InvalidValue(
            "component", f"no component named {name!r}; have {', '.join(self.component_names)}"
        )

    # --- scoring ---

    def score_component(self, name: str, marks_by_judge: Mapping[str, object]) -> ComponentScore:
        """Combine the judges' marks (``{judge id: mark}``) for component ``name``.

        Each mark must be 0..100 on the 0.01 grid (Decimal, int or decimal string). Raises
        ``"trimmed-mean-needs-three-judges"`` for a trimmed scheme with fewer than 3 judges.
        """
        self.component(name)
        return self._score_component(name, marks_by_judge)[0]

    def _score_component(
        self, name: str, marks_by_judge: Mapping[str, object]
    ) -> tuple[ComponentScore, int]:
        """:meth:`score_component` (``name`` known) and the score in hundredths, in integer
        arithmetic: marks are on the 0.01 grid, so the exact mean of ``k`` marks is a whole
        number of hundredths over ``k`` -- the same rounding as :func:`combine_judges_marks`."""
        checked = [_checked_mark(mark, name, judge) for judge, mark in marks_by_judge.items()]
        if not checked:
            raise DomainRuleViolation(
                "component-needs-a-judge", "no judge has marked this component"
            )
        hundredths = sorted([hundredth for _, hundredth in checked])
        if self.combination is JudgeCombination.TRIMMED:
            if len(hundredths) < 3:
                raise DomainRuleViolation(
                    "trimmed-mean-needs-three-judges",
                    "dropping the highest and lowest mark needs at least 3 judges, got "
                    f"{len(hundredths)}",
                )
            hundredths = hundredths[1:-1]
        score = _half_up(sum(hundredths), len(hundredths))
        marks = [mark for mark, _ in checked]
        spread = max(marks) - min(marks)
        scored = ComponentScore(
            component=name,
            score=_in_hundredths(score),
            judge_count=len(marks),
            spread=spread,
            flagged=self.max_spread is not None and spread > self.max_spread,
        )
        return scored, score

    def total_of(self, component_scores: Mapping[str, Decimal]) -> Decimal:
        """Weighted total from ``{component: score}`` (every component exactly once)."""
        missing = [name for name in self.component_names if name not in component_scores]
        unknown = sorted(set(component_scores) - set(self.component_names))
        if missing or unknown:
            raise InvalidValue(
                "component scores",
                f"missing {', '.join(missing) or 'none'}; unknown {', '.join(unknown) or 'none'}",
            )
        return weighted_total(
            [
                (component.weight, parse_decimal(component_scores[component.name], component.name))
                for component in self.components
            ]
        )

    def score_entrant(self, marks: Mapping[str, Mapping[str, object]]) -> EntrantScore:
        """Score one entrant from ``{component: {judge id: mark}}`` (every component present)."""
        names = self.component_names
        if len(marks) != len(names) or not all(name in marks for name in names):
            unknown = sorted(set(marks) - set(names))
            if unknown:
                raise InvalidValue("component", f"not in the marking scheme: {', '.join(unknown)}")
            missing = [name for name in names if name not in marks]
            if missing:
                raise DomainRuleViolation(
                    "component-needs-a-judge", f"no marks for component {', '.join(missing)}"
                )
        scores: list[ComponentScore] = []
        weighted = 0  # sum of weight x score, both in hundredths: the total in 10^-6
        for name, weight in self._weights_in_hundredths:
            scored, hundredths = self._score_component(name, marks[name])
            scores.append(scored)
            weighted += weight * hundredths
        # weighted_total's sum(weight * score) / 100, rounded: in hundredths, weighted / 10^4
        total = _in_hundredths(_half_up(weighted, 10_000))
        return EntrantScore(components=tuple(scores), total=total)

    @cached_property
    def _weights_in_hundredths(self) -> tuple[tuple[str, int], ...]:
        """``(component name, weight in hundredths of a percent)`` in scheme order."""
        return tuple((c.name, int(c.weight * 100)) for c in self.components)

    # --- storage ---

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict; decimals as strings."""
        return {
            "components": [component.to_dict() for component in self.components],
            "combination": self.combination.value,
            "max_spread": None if self.max_spread is None else _text(self.max_spread),
        }

    @classmethod
    def from_dict(cls, data: object) -> MarkingScheme:
        """Read :meth:`to_dict`'s shape back; unknown keys and floats are rejected."""
        fields = record(
            data, "marking scheme", required={"components", "combination"}, optional={"max_spread"}
        )
        components = fields["components"]
        if not isinstance(components, list):
            raise InvalidValue("components", "expected a list of components")
        combination = fields["combination"]
        try:
            judge_combination = JudgeCombination(combination)
        except ValueError:
            raise InvalidValue(
                "combination", f"{combination!r} is not one of mean, trimmed"
            ) from None
        max_spread = fields.get("max_spread")
        if max_spread is not None and (
            not isinstance(max_spread, str | int) or isinstance(max_spread, bool)
        ):
            raise InvalidValue("max_spread", "expected a decimal string, integer or null")
        return cls(
            components=tuple(MarkingComponent.from_dict(item) for item in components),
            combination=judge_combination,
            max_spread=None if max_spread is None else parse_decimal(max_spread, "max_spread"),
        )


def _text(number: Decimal) -> str:
    """Plain decimal notation (never exponent form) for JSON."""
    return format(number, "f")
