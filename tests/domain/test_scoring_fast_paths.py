"""The fast paths of scoring and ranking agree with their exact definitions on random fields.

``MarkingScheme.score_entrant`` works in integer hundredths; it must give what
``combine_judges_marks`` and ``weighted_total`` (exact fractions) give, to the digit.
``rank_entrants`` sorts with a key; the listing must follow ``_compare`` (then entrant id).
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

from domain.marking_scheme import (
    ComponentScore,
    MarkingScheme,
    combine_judges_marks,
    judges_spread,
    parse_decimal,
    weighted_total,
)
from domain.ranking import EntrantResult, TieBreakOrder, _compare, rank_entrants


def _mark(rng: random.Random) -> object:
    value = Decimal(rng.randint(0, 10_000)) / 100
    return rng.choice([str(value), value, format(value, "f"), rng.randint(0, 100)])


def test_score_entrant_is_the_exact_fraction_arithmetic() -> None:
    rng = random.Random(20250601)
    for _ in range(2_000):
        first = Decimal(rng.randint(1, 9_999)) / 100
        combination = rng.choice(["mean", "trimmed"])
        scheme = MarkingScheme.from_dict(
            {
                "components": [
                    {"name": "practical", "weight": str(first), "kind": "measurement"},
                    {"name": "theory", "weight": str(100 - first), "kind": "judgement"},
                ],
                "combination": combination,
                "max_spread": rng.choice([None, "10", "2.5"]),
            }
        )
        judges = rng.randint(3, 6) if combination == "trimmed" else rng.randint(1, 5)
        marks = {
            component: {f"judge {j}": _mark(rng) for j in range(judges)}
            for component in ("practical", "theory")
        }

        scored = scheme.score_entrant(marks)

        expected = []
        for component in scheme.components:
            given = [parse_decimal(m, "mark") for m in marks[component.name].values()]
            spread = judges_spread(given)
            expected.append(
                ComponentScore(
                    component=component.name,
                    score=combine_judges_marks(given, scheme.combination),
                    judge_count=len(given),
                    spread=spread,
                    flagged=scheme.max_spread is not None and spread > scheme.max_spread,
                )
            )
        total = weighted_total(
            [(c.weight, s.score) for c, s in zip(scheme.components, expected, strict=True)]
        )
        assert scored.components == tuple(expected)
        assert [s.to_dict() for s in scored.components] == [s.to_dict() for s in expected]
        assert format(scored.total, "f") == format(total, "f")


def test_the_listing_follows_compare_then_entrant_id() -> None:
    rng = random.Random(6)
    start = datetime(2025, 5, 1, tzinfo=UTC)
    china = timezone(timedelta(hours=8))
    for _ in range(300):
        order = TieBreakOrder(
            components=tuple(rng.sample(["practical", "theory"], rng.randint(0, 2))),
            earlier_finish=rng.random() < 0.7,
        )
        results = [
            EntrantResult(
                entrant_id=f"entrant-{rng.randint(0, 10**6)}-{i}",
                total=Decimal(rng.randint(0, 8)) / 4,
                component_scores={
                    component: Decimal(rng.randint(0, 4)) / 2
                    for component in ("practical", "theory")
                },
                finish_time=rng.choice(
                    [
                        None,
                        start + timedelta(microseconds=rng.randint(0, 2)),
                        start.astimezone(china),
                    ]
                ),
            )
            for i in range(rng.randint(1, 40))
        ]
        ranking = rank_entrants(results, order)
        by_id = {r.entrant_id: r for r in results}
        listed = [by_id[e.entrant_id] for e in ranking.entries]
        for above, below in itertools.pairwise(listed):
            sign, _ = _compare(above, below, order)
            assert sign < 0 or (sign == 0 and above.entrant_id < below.entrant_id)
