"""Marking schemes: weights, judge combination (mean / trimmed), spread review, rounding, dicts."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import (
    ComponentKind,
    JudgeCombination,
    MarkingComponent,
    MarkingScheme,
    combine_judges_marks,
    judges_spread,
    parse_decimal,
    parse_mark,
    weighted_total,
)

D = Decimal
MEASUREMENT = ComponentKind.MEASUREMENT
JUDGEMENT = ComponentKind.JUDGEMENT


def scheme(
    combination: JudgeCombination = JudgeCombination.MEAN, max_spread: Decimal | None = None
) -> MarkingScheme:
    return MarkingScheme(
        components=(
            MarkingComponent("practical", D(70), MEASUREMENT),
            MarkingComponent("theory", D(30), JUDGEMENT),
        ),
        combination=combination,
        max_spread=max_spread,
    )


# --- construction ---------------------------------------------------------------------------


def test_weights_summing_to_100_are_accepted_including_fractional_percentages() -> None:
    thirds = MarkingScheme(
        components=(
            MarkingComponent("a", D("33.33"), MEASUREMENT),
            MarkingComponent("b", D("33.33"), MEASUREMENT),
            MarkingComponent("c", D("33.34"), JUDGEMENT),
        )
    )
    assert sum(c.weight for c in thirds.components) == 100


@pytest.mark.parametrize("weights", [(D(70), D(20)), (D(70), D(40)), (D("33.33"), D("66.66"))])
def test_weights_not_summing_to_100_break_the_named_rule(weights: tuple[Decimal, ...]) -> None:
    components = tuple(
        MarkingComponent(f"c{i}", weight, MEASUREMENT) for i, weight in enumerate(weights)
    )
    with pytest.raises(DomainRuleViolation) as caught:
        MarkingScheme(components=components)
    assert caught.value.rule == "weights-must-sum-to-100"


def test_integer_weights_are_accepted_and_stored_as_decimals() -> None:
    component = MarkingComponent("practical", 70, MEASUREMENT)  # type: ignore[arg-type]
    assert component.weight == D(70) and isinstance(component.weight, Decimal)


@pytest.mark.parametrize("weight", [D(0), D(-10), D("100.01"), D("12.345")])
def test_component_weight_outside_0_100_or_off_the_grid_is_invalid(weight: Decimal) -> None:
    with pytest.raises(InvalidValue):
        MarkingComponent("practical", weight, MEASUREMENT)


def test_float_weight_is_refused() -> None:
    with pytest.raises(InvalidValue, match="float"):
        MarkingComponent("practical", 70.0, MEASUREMENT)  # type: ignore[arg-type]


def test_duplicate_component_names_are_invalid() -> None:
    with pytest.raises(InvalidValue, match="duplicate"):
        MarkingScheme(
            components=(
                MarkingComponent("practical", D(50), MEASUREMENT),
                MarkingComponent("practical", D(50), JUDGEMENT),
            )
        )


@pytest.mark.parametrize("name", ["", " practical", "practical "])
def test_component_names_are_not_trimmed_or_empty(name: str) -> None:
    with pytest.raises(InvalidValue):
        MarkingComponent(name, D(100), MEASUREMENT)


def test_a_scheme_needs_a_component() -> None:
    with pytest.raises(InvalidValue):
        MarkingScheme(components=())


@pytest.mark.parametrize("spread", [D(-1), D("100.01"), D("0.001")])
def test_max_spread_must_be_0_to_100_on_the_grid(spread: Decimal) -> None:
    with pytest.raises(InvalidValue):
        scheme(max_spread=spread)


# --- combining judges -----------------------------------------------------------------------


def test_mean_of_judges_marks_is_rounded_half_up_to_two_places() -> None:
    assert combine_judges_marks([D(80), D(90), D(95)], JudgeCombination.MEAN) == D("88.33")
    assert combine_judges_marks([D(80), D(90), D(96)], JudgeCombination.MEAN) == D("88.67")


def test_exact_half_cent_rounds_up_not_to_even() -> None:
    # 70.005 -> 70.01 (ROUND_HALF_EVEN would give 70.00)
    assert combine_judges_marks([D("70.01"), D("70.00")], JudgeCombination.MEAN) == D("70.01")
    # 0.125 -> 0.13 (ROUND_HALF_EVEN would give 0.12)
    assert combine_judges_marks([D("0.25"), D(0)], JudgeCombination.MEAN) == D("0.13")


def test_mean_works_with_one_or_two_judges() -> None:
    assert combine_judges_marks([D("77.5")], JudgeCombination.MEAN) == D("77.50")
    assert combine_judges_marks([D(60), D(61)], JudgeCombination.MEAN) == D("60.50")


def test_trimmed_mean_drops_one_highest_and_one_lowest() -> None:
    assert combine_judges_marks([D(60), D(80), D(85), D(100)], JudgeCombination.TRIMMED) == D(
        "82.50"
    )


def test_trimmed_mean_with_three_judges_is_the_middle_mark() -> None:
    assert combine_judges_marks([D(10), D(99), D(70)], JudgeCombination.TRIMMED) == D("70.00")


def test_trimmed_mean_drops_only_one_of_several_equal_extremes() -> None:
    assert combine_judges_marks([D(90), D(90), D(70)], JudgeCombination.TRIMMED) == D("90.00")
    assert combine_judges_marks([D(90), D(90), D(90), D(0)], JudgeCombination.TRIMMED) == D("90.00")


@pytest.mark.parametrize("count", [0, 1, 2])
def test_trimmed_mean_needs_three_judges(count: int) -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        combine_judges_marks([D(80)] * count, JudgeCombination.TRIMMED)
    assert caught.value.rule in {"trimmed-mean-needs-three-judges", "component-needs-a-judge"}
    if count:
        assert caught.value.rule == "trimmed-mean-needs-three-judges"


def test_a_component_without_marks_cannot_be_scored() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        scheme().score_component("practical", {})
    assert caught.value.rule == "component-needs-a-judge"


def test_scheme_with_trimmed_combination_refuses_two_judges() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        scheme(JudgeCombination.TRIMMED).score_component("practical", {"j1": D(80), "j2": D(90)})
    assert caught.value.rule == "trimmed-mean-needs-three-judges"


# --- spread review --------------------------------------------------------------------------


def test_spread_over_the_maximum_flags_the_component_for_review() -> None:
    score = scheme(max_spread=D(10)).score_component(
        "practical", {"j1": D(80), "j2": D("90.01"), "j3": D(85)}
    )
    assert score.spread == D("10.01")
    assert score.flagged
    assert score.score == D("85.00")  # still computed


def test_spread_equal_to_the_maximum_is_not_flagged() -> None:
    score = scheme(max_spread=D(10)).score_component(
        "practical", {"j1": D(80), "j2": D(90), "j3": D(85)}
    )
    assert score.spread == D(10)
    assert not score.flagged


def test_spread_is_measured_before_trimming() -> None:
    # the outlier 40 is dropped from the score but still counts towards the spread
    score = scheme(JudgeCombination.TRIMMED, max_spread=D(15)).score_component(
        "practical", {"j1": D(40), "j2": D(80), "j3": D(82), "j4": D(84)}
    )
    assert score.score == D("81.00")
    assert score.spread == D(44)
    assert score.flagged


def test_without_max_spread_nothing_is_flagged() -> None:
    score = scheme().score_component("practical", {"j1": D(0), "j2": D(100)})
    assert not score.flagged and score.spread == D(100)


def test_single_judge_has_zero_spread() -> None:
    assert judges_spread([D(55)]) == 0


def test_entrant_score_lists_flagged_components() -> None:
    result = scheme(max_spread=D(5)).score_entrant(
        {
            "practical": {"j1": D(80), "j2": D(81), "j3": D(82)},
            "theory": {"j1": D(60), "j2": D(70), "j3": D(65)},
        }
    )
    assert result.flagged_components == ("theory",)


# --- marks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mark",
    [D("-0.01"), D("100.01"), D("85.555"), "1E+30", "abc", "NaN", "Infinity", 85.5, True, None],
)
def test_bad_marks_are_invalid_and_name_the_judge(mark: object) -> None:
    with pytest.raises(InvalidValue) as caught:
        scheme().score_component("practical", {"judge-7": mark})
    assert "judge-7" in caught.value.field


def test_marks_may_be_given_as_integers_or_decimal_strings() -> None:
    score = scheme().score_component("practical", {"j1": 80, "j2": "90.50"})
    assert score.score == D("85.25")


@pytest.mark.parametrize("mark", ["1E+30", "-1E+30", "1E-30"])
def test_parse_mark_refuses_exponent_form_marks_off_the_scale_or_grid(mark: str) -> None:
    with pytest.raises(InvalidValue) as caught:
        parse_mark(mark, "mark (practical, judge 甲)")
    assert caught.value.field == "mark (practical, judge 甲)"


def test_trailing_zeros_do_not_count_as_decimal_places() -> None:
    assert scheme().score_component("practical", {"j1": D("85.5000")}).score == D("85.50")


def test_unknown_component_is_invalid() -> None:
    with pytest.raises(InvalidValue):
        scheme().score_component("interview", {"j1": D(80)})


def test_parse_decimal_refuses_floats() -> None:
    with pytest.raises(InvalidValue):
        parse_decimal(0.1, "x")
    assert parse_decimal("0.1", "x") == D("0.1")


# --- totals ---------------------------------------------------------------------------------


def test_weighted_total_weights_each_component() -> None:
    result = scheme().score_entrant(
        {
            "practical": {"j1": D(90), "j2": D(90)},
            "theory": {"j1": D(70), "j2": D(70)},
        }
    )
    assert result.total == D("84.00")  # 0.7 * 90 + 0.3 * 70
    assert result.component_scores() == {"practical": D("90.00"), "theory": D("70.00")}


def test_total_is_computed_from_the_rounded_component_scores() -> None:
    half = MarkingScheme(
        components=(
            MarkingComponent("practical", D(50), MEASUREMENT),
            MarkingComponent("theory", D(50), JUDGEMENT),
        )
    )
    result = half.score_entrant(
        {"practical": {"j1": D("0.01"), "j2": D("0.00")}, "theory": {"j1": D("0.00")}}
    )
    # practical: 0.005 -> 0.01. Total from the published 0.01: 0.005 -> 0.01; from the
    # unrounded 0.005 it would be 0.0025 -> 0.00.
    assert result.score_of("practical") == D("0.01")
    assert result.total == D("0.01")


def test_weighted_total_rounds_half_up() -> None:
    assert weighted_total([(D(50), D("0.01")), (D(50), D(0))]) == D("0.01")  # 0.005 -> 0.01


def test_total_of_needs_every_component_exactly() -> None:
    with pytest.raises(InvalidValue):
        scheme().total_of({"practical": D(80)})
    with pytest.raises(InvalidValue):
        scheme().total_of({"practical": D(80), "theory": D(80), "interview": D(80)})
    assert scheme().total_of({"practical": D(80), "theory": D(60)}) == D("74.00")


def test_score_entrant_refuses_missing_and_unknown_components() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        scheme().score_entrant({"practical": {"j1": D(80)}})
    assert caught.value.rule == "component-needs-a-judge"
    with pytest.raises(InvalidValue):
        scheme().score_entrant(
            {"practical": {"j1": D(1)}, "theory": {"j1": D(1)}, "interview": {"j1": D(1)}}
        )


# --- storage --------------------------------------------------------------------------------


def test_to_dict_is_json_safe_with_decimals_as_strings() -> None:
    data = scheme(JudgeCombination.TRIMMED, D("12.5")).to_dict()
    assert data == {
        "components": [
            {"name": "practical", "weight": "70", "kind": "measurement"},
            {"name": "theory", "weight": "30", "kind": "judgement"},
        ],
        "combination": "trimmed",
        "max_spread": "12.5",
    }
    assert json.loads(json.dumps(data)) == data


def test_from_dict_reads_to_dict_back() -> None:
    original = scheme(JudgeCombination.TRIMMED, D(10))
    assert MarkingScheme.from_dict(json.loads(json.dumps(original.to_dict()))) == original
    assert MarkingScheme.from_dict(scheme().to_dict()) == scheme()


def test_from_dict_accepts_integer_weights() -> None:
    data = {
        "components": [{"name": "only", "weight": 100, "kind": "measurement"}],
        "combination": "mean",
    }
    assert MarkingScheme.from_dict(data).max_spread is None


@pytest.mark.parametrize(
    "change",
    [
        {"combination": "median"},
        {"max_spread": 10.0},
        {"components": [{"name": "only", "weight": 100.0, "kind": "measurement"}]},
        {"components": [{"name": "only", "weight": "100", "kind": "opinion"}]},
        {"components": [{"name": "only", "weight": "100"}]},
        {"components": "only"},
        {"combine": "mean"},
    ],
)
def test_from_dict_rejects_malformed_data(change: dict[str, object]) -> None:
    data = {
        "components": [{"name": "only", "weight": "100", "kind": "measurement"}],
        "combination": "mean",
        **change,
    }
    with pytest.raises(InvalidValue):
        MarkingScheme.from_dict(data)


def test_from_dict_still_checks_the_weight_rule() -> None:
    data = {
        "components": [{"name": "only", "weight": "90", "kind": "measurement"}],
        "combination": "mean",
    }
    with pytest.raises(DomainRuleViolation):
        MarkingScheme.from_dict(data)


# --- properties -----------------------------------------------------------------------------

marks_st = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@given(st.lists(marks_st, min_size=1, max_size=9), st.randoms())
def test_mean_lies_between_the_extremes_and_ignores_order(
    marks: list[Decimal], rnd: object
) -> None:
    combined = combine_judges_marks(marks, JudgeCombination.MEAN)
    assert min(marks) <= combined <= max(marks)
    shuffled = list(marks)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert combine_judges_marks(shuffled, JudgeCombination.MEAN) == combined


@given(st.lists(marks_st, min_size=3, max_size=9))
def test_trimmed_mean_lies_between_second_lowest_and_second_highest(
    marks: list[Decimal],
) -> None:
    ordered = sorted(marks)
    combined = combine_judges_marks(marks, JudgeCombination.TRIMMED)
    assert ordered[1] <= combined <= ordered[-2]
    assert combined == combine_judges_marks(list(reversed(marks)), JudgeCombination.TRIMMED)


@given(st.lists(marks_st, min_size=1, max_size=9))
def test_trimmed_mean_drops_an_added_0_and_100(marks: list[Decimal]) -> None:
    assert combine_judges_marks([*marks, D(0), D(100)], JudgeCombination.TRIMMED) == (
        combine_judges_marks(marks, JudgeCombination.MEAN)
    )


@st.composite
def schemes(draw: st.DrawFn) -> MarkingScheme:
    count = draw(st.integers(min_value=1, max_value=5))
    cuts = sorted(
        draw(
            st.sets(
                st.integers(min_value=1, max_value=9999), min_size=count - 1, max_size=count - 1
            )
        )
    )
    bounds = [0, *cuts, 10000]
    weights = [D(b - a).scaleb(-2) for a, b in itertools.pairwise(bounds)]
    kinds = draw(st.lists(st.sampled_from(list(ComponentKind)), min_size=count, max_size=count))
    spread = draw(st.none() | marks_st)
    combination = draw(st.sampled_from(list(JudgeCombination)))
    return MarkingScheme(
        components=tuple(
            MarkingComponent(f"c{i}", weight, kind)
            for i, (weight, kind) in enumerate(zip(weights, kinds, strict=True))
        ),
        combination=combination,
        max_spread=spread,
    )


@given(schemes())
def test_every_scheme_survives_a_json_round_trip(generated: MarkingScheme) -> None:
    assert MarkingScheme.from_dict(json.loads(json.dumps(generated.to_dict()))) == generated


@given(schemes(), st.data())
def test_total_lies_between_the_lowest_and_highest_component_score(
    generated: MarkingScheme, data: st.DataObject
) -> None:
    marks = {
        name: {f"j{j}": data.draw(marks_st) for j in range(3)} for name in generated.component_names
    }
    result = generated.score_entrant(marks)
    scores = [score.score for score in result.components]
    assert min(scores) <= result.total <= max(scores)
    assert result.total == result.total.quantize(D("0.01"))
