"""Competition results: ranking with stated tie-breaks, awards and standardised scores.

Ranking (排名)
    Entrants are ordered by, in turn:

    1. weighted total, higher first;
    2. the components named in :class:`TieBreakOrder` ``components``, in that order, each higher
       first (e.g. practical, then theory);
    3. if ``earlier_finish`` is on, earlier finish time first; an entrant without a recorded
       finish time comes after every entrant with one (no recorded time earns no credit);
    4. still tied: equal rank. Ranks follow "standard competition ranking" (1, 2, 2, 4): an
       entrant's rank is one more than the number of entrants strictly ahead of them.

    Entrants sharing a rank are listed by ``entrant_id`` so output order is deterministic, but
    nothing about them differs. The ranking depends only on the set of results, never on the
    order they are given in. Each ranked entrant says which criterion put them below the entrant
    listed above (``separated_by``: ``"total"``, ``"component:<name>"``, ``"finish_time"``).

Awards (奖项)
    Gold, silver and bronze for ranks 1, 2 and 3 (金/银/铜牌); 优胜奖 (excellence) for rank > 3
    within the top half of entrants, where the top half is rank <= floor(n / 2) for n ranked
    entrants (n = 9: ranks 4 only; n = 10: ranks 4-5; n <= 7: no 优胜奖). Ties share the award of
    their rank: two entrants tied at rank 1 both get gold, the next entrant is rank 3 and gets
    bronze, and nobody gets silver. This is the 全国技能大赛 rule ("前3名以外但排名在参赛人数
    二分之一以上的选手颁发优胜奖"), with "二分之一以上" read as rank <= n / 2.

Standardised scores (标准分)
    For comparing competitions, as the WorldSkills scale does, each raw total is mapped to::

        standardised = 700 + 100 * (raw - median) / sd

    where median is the median of all totals (mean of the middle two for even n) and sd is the
    population standard deviation of all totals (divide by n). The standard deviation is used,
    not the MAD, because the MAD is zero whenever more than half the entrants share a total
    while others differ, which would make the scale undefined in ordinary competitions. The
    result is rounded ROUND_HALF_UP (ties away from zero) to an integer; scores are not clamped,
    so a far outlier can fall below 0. Degenerate cases: a single entrant or all totals equal
    (sd = 0) -> every entrant gets exactly 700. All sums are exact; the square root is taken
    in a fixed 34-digit decimal context, so results never depend on the caller's context.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from enum import StrEnum
from fractions import Fraction
from math import lcm
from typing import Any

from domain.errors import InvalidValue
from domain.marking_scheme import parse_decimal

__all__ = [
    "MEDIAN_SCORE",
    "SCALE_POINTS_PER_SD",
    "Award",
    "EntrantResult",
    "RankedEntrant",
    "Ranking",
    "StandardScale",
    "TieBreakOrder",
    "award_for",
    "rank_entrants",
    "standardised_scores",
    "top_half_rank_limit",
]

#: The median total maps to this standardised score.
MEDIAN_SCORE = 700
#: One standard deviation of raw totals is worth this many standardised points.
SCALE_POINTS_PER_SD = 100

_SQRT_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)


class Award(StrEnum):
    """A competition award, from the best down."""

    GOLD = "gold"  # 金牌 / 一等奖, rank 1
    SILVER = "silver"  # 银牌 / 二等奖, rank 2
    BRONZE = "bronze"  # 铜牌 / 三等奖, rank 3
    EXCELLENCE = "excellence"  # 优胜奖, rank > 3 within the top half

    @property
    def name_zh(self) -> str:
        return _AWARD_ZH[self]

    @property
    def standing(self) -> int:
        """1 (gold) .. 4 (优胜奖); lower is better."""
        return _AWARD_STANDING[self]

    def at_least(self, other: Award) -> bool:
        """True if this award is ``other`` or better (gold is at least 优胜奖)."""
        return self.standing <= other.standing


_AWARD_ZH = {
    Award.GOLD: "金牌",
    Award.SILVER: "银牌",
    Award.BRONZE: "铜牌",
    Award.EXCELLENCE: "优胜奖",
}
_AWARD_STANDING = {Award.GOLD: 1, Award.SILVER: 2, Award.BRONZE: 3, Award.EXCELLENCE: 4}
_MEDALS = {1: Award.GOLD, 2: Award.SILVER, 3: Award.BRONZE}


def top_half_rank_limit(entrant_count: int) -> int:
    """Highest rank inside the top half of ``entrant_count`` entrants: floor(n / 2)."""
    _check_count(entrant_count)
    return entrant_count // 2


def award_for(rank: int, entrant_count: int) -> Award | None:
    """The award for ``rank`` among ``entrant_count`` entrants.

    Ranks 1-3: gold, silver, bronze. Rank > 3 and rank <= floor(n / 2): 优胜奖. Otherwise none.
    """
    _check_count(entrant_count)
    if isinstance(rank, bool) or not isinstance(rank, int) or not 1 <= rank <= entrant_count:
        raise InvalidValue("rank", f"rank must be 1..{entrant_count}, got {rank!r}")
    if rank in _MEDALS:
        return _MEDALS[rank]
    if rank <= top_half_rank_limit(entrant_count):
        return Award.EXCELLENCE
    return None


def _check_count(entrant_count: int) -> None:
    if isinstance(entrant_count, bool) or not isinstance(entrant_count, int) or entrant_count < 1:
        raise InvalidValue("entrant count", f"must be a positive integer, got {entrant_count!r}")


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TieBreakOrder:
    """What decides between equal totals: ``components`` (names, compared in order, higher
    first), then, if ``earlier_finish``, the earlier finish time. Still tied -> equal rank."""

    components: tuple[str, ...] = ()
    earlier_finish: bool = True

    def __post_init__(self) -> None:
        components = tuple(self.components)
        object.__setattr__(self, "components", components)
        if not all(isinstance(name, str) and name for name in components):
            raise InvalidValue("tie-break components", "expected non-empty component names")
        if len(set(components)) != len(components):
            raise InvalidValue("tie-break components", "a component is named twice")
        if not isinstance(self.earlier_finish, bool):
            raise InvalidValue("tie-break earlier_finish", "expected true or false")

    def describe(self) -> str:
        """E.g. ``"total (higher first), then practical (higher first), then earlier finish
        time; still tied: equal rank"``."""
        steps = ["total (higher first)"]
        steps += [f"{name} (higher first)" for name in self.components]
        if self.earlier_finish:
            steps.append("earlier finish time (no recorded time comes last)")
        return ", then ".join(steps) + "; still tied: equal rank"

    def to_dict(self) -> dict[str, Any]:
        return {"components": list(self.components), "earlier_finish": self.earlier_finish}

    @classmethod
    def from_dict(cls, data: object) -> TieBreakOrder:
        if not isinstance(data, Mapping) or set(data) != {"components", "earlier_finish"}:
            raise InvalidValue("tie-break order", "expected {components, earlier_finish}")
        components = data["components"]
        if not isinstance(components, list):
            raise InvalidValue("tie-break components", "expected a list of component names")
        return cls(components=tuple(components), earlier_finish=data["earlier_finish"])


@dataclass(frozen=True)
class EntrantResult:
    """One entrant's result: weighted ``total``, ``component_scores`` ({name: score}) and the
    UTC ``finish_time`` (timezone-aware) if recorded."""

    entrant_id: str
    total: Decimal
    component_scores: Mapping[str, Decimal] = field(default_factory=dict)
    finish_time: datetime | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.entrant_id, str) or not self.entrant_id:
            raise InvalidValue("entrant id", "expected a non-empty string")
        object.__setattr__(self, "total", parse_decimal(self.total, "total"))
        if not isinstance(self.component_scores, Mapping):
            raise InvalidValue("component scores", "expected {component: score}")
        object.__setattr__(
            self,
            "component_scores",
            {
                str(name): parse_decimal(score, f"score ({name})")
                for name, score in self.component_scores.items()
            },
        )
        if self.finish_time is not None and (
            not isinstance(self.finish_time, datetime) or self.finish_time.utcoffset() is None
        ):
            raise InvalidValue("finish time", "expected a timezone-aware datetime or None")


# --- standardised scores --------------------------------------------------------------------


@dataclass(frozen=True)
class StandardScale:
    """The scale mapping raw totals to standardised scores (median -> 700, 1 sd -> 100)."""

    median: Decimal
    standard_deviation: Decimal  # population sd, 34 significant digits; 0 when degenerate

    @classmethod
    def from_totals(cls, totals: Iterable[Decimal]) -> StandardScale:
        values = sorted(parse_decimal(total, "total") for total in totals)
        if not values:
            raise InvalidValue("totals", "a scale needs at least one total")
        count = len(values)
        middle = count // 2
        with localcontext(_SQRT_CONTEXT):
            median = values[middle] if count % 2 else (values[middle - 1] + values[middle]) / 2
        units, per_unit = _in_common_units(values)
        total = sum(units)
        squares = sum(unit * unit for unit in units)
        variance = Fraction(count * squares - total * total, count * count * per_unit * per_unit)
        with localcontext(_SQRT_CONTEXT):
            sd = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
        return cls(median=median, standard_deviation=sd)

    def standardise(self, raw: Decimal) -> int:
        """``700 + 100 * (raw - median) / sd`` rounded half up; 700 if sd is 0."""
        if self.standard_deviation == 0:
            return MEDIAN_SCORE
        with localcontext(_SQRT_CONTEXT):
            score = MEDIAN_SCORE + SCALE_POINTS_PER_SD * (raw - self.median) / (
                self.standard_deviation
            )
            return int(score.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def to_dict(self) -> dict[str, str]:
        return {
            "median": format(self.median, "f"),
            "standard_deviation": format(self.standard_deviation, "f"),
        }


def _in_common_units(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """``values`` as exact whole numbers of one common unit ``1 / per_unit`` (e.g. hundredths
    for totals on the 0.01 grid): the sums of the scale in integers instead of fractions."""
    ratios = [value.as_integer_ratio() for value in values]
    per_unit = lcm(*{denominator for _, denominator in ratios})
    return [numerator * (per_unit // denominator) for numerator, denominator in ratios], per_unit


# --- ranking --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedEntrant:
    """An entrant's place: ``rank`` (1, 2, 2, 4 ...), ``award``, ``standardised`` score,
    ``tied`` (shares the rank), and ``separated_by`` -- the criterion that placed this entrant
    below the entrant listed above (``None`` for the first and for entrants tied with it)."""

    entrant_id: str
    rank: int
    total: Decimal
    award: Award | None
    standardised: int
    tied: bool
    separated_by: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entrant_id": self.entrant_id,
            "rank": self.rank,
            "total": format(self.total, "f"),
            "award": None if self.award is None else self.award.value,
            "standardised": self.standardised,
            "tied": self.tied,
            "separated_by": self.separated_by,
        }


@dataclass(frozen=True)
class Ranking:
    """The result of :func:`rank_entrants`: entries by rank (then entrant id), the scale and
    the tie-break order used."""

    entries: tuple[RankedEntrant, ...]
    scale: StandardScale
    tie_breaks: TieBreakOrder

    @property
    def entrant_count(self) -> int:
        return len(self.entries)

    def entry(self, entrant_id: str) -> RankedEntrant:
        for entry in self.entries:
            if entry.entrant_id == entrant_id:
                return entry
        raise InvalidValue("entrant id", f"{entrant_id!r} is not ranked")

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [entry.to_dict() for entry in self.entries],
            "scale": self.scale.to_dict(),
            "tie_breaks": self.tie_breaks.to_dict(),
        }


def rank_entrants(
    results: Iterable[EntrantResult], tie_breaks: TieBreakOrder | None = None
) -> Ranking:
    """Rank ``results`` (see the module docstring for the order, awards and scale).

    Entrant ids must be unique and every entrant must have a score for each tie-break
    component, and there must be at least one result (:class:`~domain.errors.InvalidValue`
    otherwise).
    """
    order = TieBreakOrder() if tie_breaks is None else tie_breaks
    entrants = list(results)
    if not entrants:
        raise InvalidValue("results", "nothing to rank")
    seen: set[str] = set()
    for entrant in entrants:
        if not isinstance(entrant, EntrantResult):
            raise InvalidValue("results", "expected EntrantResult values")
        if entrant.entrant_id in seen:
            raise InvalidValue("entrant id", f"{entrant.entrant_id!r} appears twice")
        seen.add(entrant.entrant_id)
        missing = [name for name in order.components if name not in entrant.component_scores]
        if missing:
            raise InvalidValue(
                "component scores",
                f"{entrant.entrant_id!r} has no score for tie-break {', '.join(missing)}",
            )

    ordered = sorted(entrants, key=lambda entrant: _listing_key(entrant, order))
    scale = StandardScale.from_totals(entrant.total for entrant in ordered)
    count = len(ordered)
    standardised = {total: scale.standardise(total) for total in {e.total for e in ordered}}

    ranks: list[int] = []
    separated: list[str | None] = []
    for index, entrant in enumerate(ordered):
        if index == 0:
            ranks.append(1)
            separated.append(None)
            continue
        sign, criterion = _compare(ordered[index - 1], entrant, order)
        if sign == 0:
            ranks.append(ranks[-1])
            separated.append(None)
        else:
            ranks.append(index + 1)
            separated.append(criterion)

    sharing = Counter(ranks)
    entries = tuple(
        RankedEntrant(
            entrant_id=entrant.entrant_id,
            rank=rank,
            total=entrant.total,
            award=award_for(rank, count),
            standardised=standardised[entrant.total],
            tied=sharing[rank] > 1,
            separated_by=criterion,
        )
        for entrant, rank, criterion in zip(ordered, ranks, separated, strict=True)
    )
    return Ranking(entries=entries, scale=scale, tie_breaks=order)


def _listing_key(entrant: EntrantResult, order: TieBreakOrder) -> tuple[Any, ...]:
    """The sort key of the listing: :func:`_compare`'s order (total, then the tie-break
    components, higher first; then, if ``earlier_finish``, the earlier finish, no time last),
    then the entrant id."""
    key: list[Any] = [-entrant.total]
    key += [-entrant.component_scores[name] for name in order.components]
    if order.earlier_finish:
        finish = entrant.finish_time
        key.append((1,) if finish is None else (0, finish))
    key.append(entrant.entrant_id)
    return tuple(key)


def _compare(a: EntrantResult, b: EntrantResult, order: TieBreakOrder) -> tuple[int, str | None]:
    """(-1 if ``a`` ranks ahead of ``b``, 1 if behind, 0 if tied; the deciding criterion)."""
    if a.total != b.total:
        return (-1 if a.total > b.total else 1), "total"
    for name in order.components:
        mine, theirs = a.component_scores[name], b.component_scores[name]
        if mine != theirs:
            return (-1 if mine > theirs else 1), f"component:{name}"
    if order.earlier_finish and a.finish_time != b.finish_time:
        if a.finish_time is None:
            return 1, "finish_time"
        if b.finish_time is None:
            return -1, "finish_time"
        return (-1 if a.finish_time < b.finish_time else 1), "finish_time"
    return 0, None


def standardised_scores(totals: Mapping[str, Decimal]) -> dict[str, int]:
    """``{entrant id: standardised score}`` for ``{entrant id: raw total}``."""
    scale = StandardScale.from_totals(totals.values())
    return {entrant: scale.standardise(total) for entrant, total in totals.items()}
