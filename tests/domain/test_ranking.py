"""Ranking: tie-breaks, competition ranking (1, 2, 2, 4), awards, standardised scores."""

from __future__ import annotations

import itertools
import json
import statistics
from datetime import UTC, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.ranking import (
    Award,
    EntrantResult,
    StandardScale,
    TieBreakOrder,
    award_for,
    rank_entrants,
    standardised_scores,
    top_half_rank_limit,
)

D = Decimal
START = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
PRACTICAL_THEN_THEORY = TieBreakOrder(components=("practical", "theory"))


def result(
    entrant: str,
    total: str,
    practical: str = "0",
    theory: str = "0",
    finished_after: int | None = None,
) -> EntrantResult:
    return EntrantResult(
        entrant_id=entrant,
        total=D(total),
        component_scores={"practical": D(practical), "theory": D(theory)},
        finish_time=None if finished_after is None else START + timedelta(minutes=finished_after),
    )


def ranks(results: list[EntrantResult], order: TieBreakOrder | None = None) -> dict[str, int]:
    return {entry.entrant_id: entry.rank for entry in rank_entrants(results, order).entries}


# --- tie-breaks -----------------------------------------------------------------------------


def test_higher_total_ranks_first() -> None:
    assert ranks([result("a", "70"), result("b", "90"), result("c", "80")]) == {
        "b": 1,
        "c": 2,
        "a": 3,
    }


def test_equal_totals_are_split_by_practical_then_theory() -> None:
    ranking = rank_entrants(
        [
            result("a", "80", practical="80", theory="80"),
            result("b", "80", practical="85", theory="70"),
            result("c", "80", practical="80", theory="81"),
        ],
        PRACTICAL_THEN_THEORY,
    )
    assert [(e.entrant_id, e.rank, e.separated_by) for e in ranking.entries] == [
        ("b", 1, None),
        ("c", 2, "component:practical"),
        ("a", 3, "component:theory"),
    ]


def test_tie_break_component_order_is_configurable() -> None:
    results = [
        result("a", "80", practical="90", theory="60"),
        result("b", "80", practical="70", theory="95"),
    ]
    assert ranks(results, PRACTICAL_THEN_THEORY) == {"a": 1, "b": 2}
    assert ranks(results, TieBreakOrder(components=("theory", "practical"))) == {"b": 1, "a": 2}


def test_then_the_earlier_finish_ranks_first() -> None:
    ranking = rank_entrants(
        [
            result("late", "80", "80", "80", finished_after=50),
            result("early", "80", "80", "80", finished_after=40),
        ],
        PRACTICAL_THEN_THEORY,
    )
    assert [(e.entrant_id, e.rank, e.separated_by) for e in ranking.entries] == [
        ("early", 1, None),
        ("late", 2, "finish_time"),
    ]


def test_an_unrecorded_finish_time_comes_after_a_recorded_one() -> None:
    assert ranks(
        [result("unknown", "80", "80", "80"), result("timed", "80", "80", "80", finished_after=90)],
        PRACTICAL_THEN_THEORY,
    ) == {"timed": 1, "unknown": 2}


def test_finish_time_can_be_switched_off() -> None:
    order = TieBreakOrder(components=("practical",), earlier_finish=False)
    assert ranks(
        [result("a", "80", "80", finished_after=1), result("b", "80", "80", finished_after=2)],
        order,
    ) == {"a": 1, "b": 1}


def test_finish_times_compare_as_instants_across_offsets() -> None:
    beijing = timezone(timedelta(hours=8))
    same_instant = [
        EntrantResult("a", D(80), {}, START),
        EntrantResult("b", D(80), {}, START.astimezone(beijing)),
    ]
    assert ranks(same_instant) == {"a": 1, "b": 1}


def test_still_tied_entrants_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ranking = rank_entrants(
        [
            result("a", "90"),
            result("c", "80", "80", "80", finished_after=30),
            result("b", "80", "80", "80", finished_after=30),
            result("d", "70"),
        ],
        PRACTICAL_THEN_THEORY,
    )
    assert [(e.entrant_id, e.rank, e.tied) for e in ranking.entries] == [
        ("a", 1, False),
        ("b", 2, True),  # tied entrants are listed by id
        ("c", 2, True),
        ("d", 4, False),
    ]
    assert ranking.entry("c").separated_by is None
    assert ranking.entry("d").separated_by == "total"


def test_without_tie_break_components_equal_totals_tie() -> None:
    assert ranks([result("a", "80", "99"), result("b", "80", "1")]) == {"a": 1, "b": 1}


def test_tie_break_order_describes_itself() -> None:
    assert PRACTICAL_THEN_THEORY.describe() == (
        "total (higher first), then practical (higher first), then theory (higher first), "
        "then earlier finish time (no recorded time comes last); still tied: equal rank"
    )


# --- awards ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "count", "award"),
    [
        (1, 1, Award.GOLD),
        (1, 2, Award.GOLD),
        (2, 2, Award.SILVER),
        (3, 3, Award.BRONZE),
        (3, 20, Award.BRONZE),
        (4, 4, None),  # floor(4 / 2) = 2
        (4, 7, None),  # floor(7 / 2) = 3
        (4, 8, Award.EXCELLENCE),  # floor(8 / 2) = 4
        (4, 9, Award.EXCELLENCE),  # floor(9 / 2) = 4
        (5, 9, None),
        (5, 10, Award.EXCELLENCE),  # floor(10 / 2) = 5
        (6, 10, None),
        (5, 11, Award.EXCELLENCE),  # floor(11 / 2) = 5
        (6, 11, None),
        (50, 100, Award.EXCELLENCE),
        (51, 100, None),
    ],
)
def test_award_by_rank_and_entrant_count(rank: int, count: int, award: Award | None) -> None:
    assert award_for(rank, count) is award


@pytest.mark.parametrize(("count", "limit"), [(1, 0), (7, 3), (8, 4), (9, 4), (10, 5)])
def test_top_half_is_rank_up_to_floor_half(count: int, limit: int) -> None:
    assert top_half_rank_limit(count) == limit


@pytest.mark.parametrize(("rank", "count"), [(0, 5), (6, 5), (1, 0)])
def test_award_for_rejects_impossible_ranks(rank: int, count: int) -> None:
    with pytest.raises(InvalidValue):
        award_for(rank, count)


def test_tied_entrants_share_the_award_of_their_rank() -> None:
    ranking = rank_entrants(
        [result("a", "90"), result("b", "90"), result("c", "80"), result("d", "70")]
    )
    assert [(e.entrant_id, e.rank, e.award) for e in ranking.entries] == [
        ("a", 1, Award.GOLD),
        ("b", 1, Award.GOLD),
        ("c", 3, Award.BRONZE),  # nobody is second, so no silver
        ("d", 4, None),
    ]


def test_a_tie_straddling_the_top_half_boundary_all_get_excellence() -> None:
    totals = ["99", "98", "97", "96", "95", "95", "95", "90", "89", "88"]  # n = 10, top half 5
    ranking = rank_entrants([result(f"e{i}", t) for i, t in enumerate(totals)])
    awards = {e.entrant_id: e.award for e in ranking.entries}
    assert [awards[f"e{i}"] for i in range(10)] == [
        Award.GOLD,
        Award.SILVER,
        Award.BRONZE,
        Award.EXCELLENCE,
        Award.EXCELLENCE,  # rank 5, three-way tie: all within the top half
        Award.EXCELLENCE,
        Award.EXCELLENCE,
        None,
        None,
        None,
    ]


def test_award_order() -> None:
    assert Award.GOLD.at_least(Award.EXCELLENCE)
    assert Award.EXCELLENCE.at_least(Award.EXCELLENCE)
    assert not Award.EXCELLENCE.at_least(Award.BRONZE)
    assert Award.EXCELLENCE.name_zh == "优胜奖"


# --- standardised scores --------------------------------------------------------------------


def test_all_equal_totals_standardise_to_700() -> None:
    ranking = rank_entrants([result(f"e{i}", "66.60") for i in range(5)])
    assert {e.standardised for e in ranking.entries} == {700}
    assert ranking.scale.standard_deviation == 0


def test_a_single_entrant_standardises_to_700() -> None:
    assert rank_entrants([result("solo", "12.34")]).entries[0].standardised == 700


def test_the_median_entrant_of_an_odd_field_gets_700() -> None:
    scores = standardised_scores({"a": D(50), "b": D(60), "c": D(90)})
    assert scores["b"] == 700
    assert scores["a"] < 700 < scores["c"]


def test_standardised_score_is_700_plus_100_sd_from_the_median() -> None:
    totals = {"a": D(60), "b": D(70), "c": D(80), "d": D(90)}
    scores = standardised_scores(totals)
    # independent oracle: statistics on Decimals
    median = statistics.median(totals.values())  # 75
    sd = statistics.pstdev(totals.values())  # sqrt(125)
    expected = {
        k: int((700 + 100 * (v - median) / sd).quantize(D(1), rounding=ROUND_HALF_UP))
        for k, v in totals.items()
    }
    assert scores == expected == {"a": 566, "b": 655, "c": 745, "d": 834}


def test_standard_scale_reports_median_and_population_sd() -> None:
    scale = StandardScale.from_totals([D(0), D(100)])
    assert scale.median == 50 and scale.standard_deviation == 50
    assert scale.standardise(D(0)) == 600 and scale.standardise(D(100)) == 800


@given(
    st.lists(
        st.decimals(min_value=-1000, max_value=1000, places=3, allow_nan=False), min_size=1
    ).map(lambda values: [value.normalize() if i % 2 else value for i, value in enumerate(values)])
)
def test_the_scales_sd_is_the_exact_population_sd_whatever_the_decimal_places(
    totals: list[Decimal],
) -> None:
    # independent oracle: the variance as one exact fraction, rooted in the same 34 digits
    exact = [Fraction(total) for total in totals]
    n = len(exact)
    variance = (n * sum(x * x for x in exact) - sum(exact) ** 2) / (n * n)
    with localcontext(Context(prec=34, rounding=ROUND_HALF_UP)):
        sd = (Decimal(variance.numerator) / Decimal(variance.denominator)).sqrt()
    scale = StandardScale.from_totals(totals)
    assert scale.standard_deviation == sd
    assert str(scale.standard_deviation) == str(sd)


def test_standardised_scores_are_not_clamped() -> None:
    totals = {f"e{i}": D(100) for i in range(99)} | {"outlier": D(0)}
    assert standardised_scores(totals)["outlier"] < 0


# --- validation and storage -----------------------------------------------------------------


def test_duplicate_entrants_are_refused() -> None:
    with pytest.raises(InvalidValue, match="twice"):
        rank_entrants([result("a", "1"), result("a", "2")])


def test_missing_tie_break_component_is_refused() -> None:
    with pytest.raises(InvalidValue, match="tie-break"):
        rank_entrants([EntrantResult("a", D(1), {"theory": D(1)})], PRACTICAL_THEN_THEORY)


def test_nothing_to_rank_is_refused() -> None:
    with pytest.raises(InvalidValue):
        rank_entrants([])


def test_naive_finish_times_and_float_totals_are_refused() -> None:
    with pytest.raises(InvalidValue):
        EntrantResult("a", D(1), {}, datetime(2025, 5, 1, 9, 0))
    with pytest.raises(InvalidValue):
        EntrantResult("a", 80.5, {})  # type: ignore[arg-type]


def test_ranking_to_dict_is_json_safe() -> None:
    ranking = rank_entrants([result("a", "90.50"), result("b", "80")], PRACTICAL_THEN_THEORY)
    data = ranking.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["entries"][0] == {
        "entrant_id": "a",
        "rank": 1,
        "total": "90.50",
        "award": "gold",
        "standardised": 800,
        "tied": False,
        "separated_by": None,
    }
    assert TieBreakOrder.from_dict(data["tie_breaks"]) == PRACTICAL_THEN_THEORY


# --- properties -----------------------------------------------------------------------------

score_st = st.decimals(min_value=0, max_value=100, places=2).map(lambda d: d.quantize(D("0.01")))
# small pools make ties common
tie_prone_score_st = st.sampled_from([D("60.00"), D("70.00"), D("70.50"), D("85.25"), D("99.99")])


@st.composite
def fields(
    draw: st.DrawFn, scores: st.SearchStrategy[Decimal] = tie_prone_score_st
) -> list[EntrantResult]:
    count = draw(st.integers(min_value=1, max_value=25))
    results = []
    for index in range(count):
        finish = draw(st.none() | st.integers(min_value=0, max_value=3))
        results.append(
            EntrantResult(
                entrant_id=f"entrant-{index:02d}",
                total=draw(scores),
                component_scores={"practical": draw(scores), "theory": draw(scores)},
                finish_time=None if finish is None else START + timedelta(minutes=finish),
            )
        )
    return results


def sort_key(entrant: EntrantResult) -> tuple[Decimal, Decimal, Decimal, int, datetime]:
    """Independent oracle of the stated order (lower sorts first)."""
    finish = entrant.finish_time
    return (
        -entrant.total,
        -entrant.component_scores["practical"],
        -entrant.component_scores["theory"],
        0 if finish is not None else 1,
        finish or START,
    )


@given(fields(), st.randoms())
def test_ranking_is_a_function_of_the_set_of_results_not_their_order(
    results: list[EntrantResult], rnd: object
) -> None:
    shuffled = list(results)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert rank_entrants(shuffled, PRACTICAL_THEN_THEORY) == rank_entrants(
        results, PRACTICAL_THEN_THEORY
    )


@given(fields())
def test_rank_is_one_plus_the_number_strictly_ahead(results: list[EntrantResult]) -> None:
    ranking = rank_entrants(results, PRACTICAL_THEN_THEORY)
    by_id = {r.entrant_id: r for r in results}
    for entry in ranking.entries:
        mine = sort_key(by_id[entry.entrant_id])
        assert entry.rank == 1 + sum(1 for other in results if sort_key(other) < mine)
        assert entry.tied == any(
            sort_key(o) == mine for o in results if o.entrant_id != entry.entrant_id
        )


@given(fields())
def test_awards_go_exactly_to_ranks_within_the_medals_or_the_top_half(
    results: list[EntrantResult],
) -> None:
    ranking = rank_entrants(results, PRACTICAL_THEN_THEORY)
    n = len(results)
    for entry in ranking.entries:
        if entry.rank <= 3:
            assert entry.award is (Award.GOLD, Award.SILVER, Award.BRONZE)[entry.rank - 1]
        elif entry.rank <= n // 2:
            assert entry.award is Award.EXCELLENCE
        else:
            assert entry.award is None


@given(fields(score_st))
def test_without_ties_awards_number_at_most_half_the_field_plus_three(
    results: list[EntrantResult],
) -> None:
    ranking = rank_entrants(results, PRACTICAL_THEN_THEORY)
    n = len(results)
    awarded = sum(1 for entry in ranking.entries if entry.award is not None)
    if not any(entry.tied for entry in ranking.entries):
        assert awarded == min(n, max(3, n // 2))
        assert awarded <= n / 2 + 3
    medals = [e for e in ranking.entries if e.award in {Award.GOLD, Award.SILVER, Award.BRONZE}]
    assert all(e.rank <= 3 for e in medals)


@given(fields())
def test_standardised_scores_follow_the_totals(results: list[EntrantResult]) -> None:
    ranking = rank_entrants(results, PRACTICAL_THEN_THEORY)
    entries = ranking.entries
    for ahead, behind in itertools.pairwise(entries):
        assert ahead.total >= behind.total
        assert ahead.standardised >= behind.standardised
    if len({e.total for e in entries}) == 1:
        assert {e.standardised for e in entries} == {700}
