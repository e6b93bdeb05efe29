"""Competition promotion (以赛代评): the Tianjin and national tables case by case, the yearly cap,
rule-set versions and data format, and engine properties."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.promotion_proposal import PromotionProposal, propose_promotion
from domain.promotion_rule_sets import (
    NATIONAL_SKILLS_COMPETITION,
    RULE_SETS,
    find_rule_set,
    rule_set_in_force,
)
from domain.promotion_rules import (
    CompetitionTier,
    EntrantKind,
    LevelPromotion,
    PromotionOutcome,
    PromotionRule,
    PromotionRuleSet,
)
from domain.ranking import Award, award_for
from domain.skill_level import SkillLevel

L = SkillLevel
T = CompetitionTier
EMPLOYEE = EntrantKind.EMPLOYEE
STUDENT = EntrantKind.STUDENT
TIANJIN = find_rule_set("tianjin-2024")
NATIONAL = find_rule_set("national-2023")


def tianjin(
    tier: CompetitionTier,
    kind: EntrantKind,
    rank: int,
    current: SkillLevel | None = None,
    entrants: int = 40,
    granted: int = 0,
) -> PromotionProposal:
    return propose_promotion(
        TIANJIN,
        tier=tier,
        rank=rank,
        entrant_count=entrants,
        entrant_kind=kind,
        award=award_for(rank, entrants),
        current_level=current,
        promotions_granted_this_year=granted,
    )


def national(
    tier: CompetitionTier,
    kind: EntrantKind,
    rank: int,
    current: SkillLevel | None = None,
    entrants: int = 40,
    programme: str | None = None,
    award: Award | None = None,
    granted: int = 0,
) -> PromotionProposal:
    return propose_promotion(
        NATIONAL,
        tier=tier,
        rank=rank,
        entrant_count=entrants,
        entrant_kind=kind,
        award=award_for(rank, entrants) if award is None else award,
        current_level=current,
        promotions_granted_this_year=granted,
        programme=programme,
    )


# --- Tianjin 2024, case by case -------------------------------------------------------------


@pytest.mark.parametrize(
    ("tier", "kind", "rank", "current", "target", "rule"),
    [
        # city class I, top 10 employees: to 技师 (技师 -> 高级技师)
        (T.PROVINCIAL_1, EMPLOYEE, 1, None, L.LEVEL_2, "city-1-top-10-employees"),
        (T.PROVINCIAL_1, EMPLOYEE, 10, L.LEVEL_4, L.LEVEL_2, "city-1-top-10-employees"),
        (T.PROVINCIAL_1, EMPLOYEE, 10, L.LEVEL_3, L.LEVEL_2, "city-1-top-10-employees"),
        (T.PROVINCIAL_1, EMPLOYEE, 7, L.LEVEL_2, L.LEVEL_1, "city-1-top-10-employees"),
        (T.PROVINCIAL_1, EMPLOYEE, 1, L.APPRENTICE, L.LEVEL_2, "city-1-top-10-employees"),
        # city class I, top 10 students: to 高级工
        (T.PROVINCIAL_1, STUDENT, 1, None, L.LEVEL_3, "city-1-top-10-students"),
        (T.PROVINCIAL_1, STUDENT, 10, L.LEVEL_4, L.LEVEL_3, "city-1-top-10-students"),
        # city class II or district, top 6 employees: to 高级工 (高级工 -> 技师)
        (T.PROVINCIAL_2, EMPLOYEE, 6, None, L.LEVEL_3, "city-2-or-district-top-6-employees"),
        (T.PROVINCIAL_2, EMPLOYEE, 6, L.LEVEL_3, L.LEVEL_2, "city-2-or-district-top-6-employees"),
        (T.DISTRICT, EMPLOYEE, 1, L.LEVEL_5, L.LEVEL_3, "city-2-or-district-top-6-employees"),
        (T.DISTRICT, EMPLOYEE, 6, L.LEVEL_3, L.LEVEL_2, "city-2-or-district-top-6-employees"),
        # city class II or district, top 6 students: to 中级工
        (T.PROVINCIAL_2, STUDENT, 6, None, L.LEVEL_4, "city-2-or-district-top-6-students"),
        (T.DISTRICT, STUDENT, 2, L.LEVEL_5, L.LEVEL_4, "city-2-or-district-top-6-students"),
    ],
)
def test_tianjin_2024_promotes_per_the_table(
    tier: CompetitionTier,
    kind: EntrantKind,
    rank: int,
    current: SkillLevel | None,
    target: SkillLevel,
    rule: str,
) -> None:
    proposal = tianjin(tier, kind, rank, current)
    assert proposal.outcome is PromotionOutcome.PROPOSED
    assert proposal.target_level is target
    assert proposal.rule_id == f"tianjin-2024/{rule}"
    assert proposal.rule_set == "tianjin-2024"


@pytest.mark.parametrize(
    ("tier", "kind", "rank"),
    [
        (T.PROVINCIAL_1, EMPLOYEE, 11),
        (T.PROVINCIAL_1, STUDENT, 11),
        (T.PROVINCIAL_2, EMPLOYEE, 7),
        (T.DISTRICT, EMPLOYEE, 7),
        (T.PROVINCIAL_2, STUDENT, 7),
        (T.DISTRICT, STUDENT, 7),
    ],
)
def test_tianjin_2024_just_outside_the_top_n_is_not_promoted(
    tier: CompetitionTier, kind: EntrantKind, rank: int
) -> None:
    proposal = tianjin(tier, kind, rank)
    assert proposal.outcome is PromotionOutcome.NOT_QUALIFIED
    assert proposal.target_level is None and proposal.rule_id is None
    assert f"rank {rank} is outside the top {rank - 1}" in proposal.explanation


def test_a_worker_already_at_jishi_is_promoted_to_gaoji_jishi() -> None:
    proposal = tianjin(T.PROVINCIAL_1, EMPLOYEE, 3, L.LEVEL_2)
    assert proposal.target_level is L.LEVEL_1
    assert "already holds 二级/技师, so promote to 一级/高级技师" in proposal.explanation


@pytest.mark.parametrize(
    ("tier", "kind", "current"),
    [
        (T.PROVINCIAL_1, EMPLOYEE, L.LEVEL_1),  # beyond 技师 -> 高级技师
        (T.PROVINCIAL_1, EMPLOYEE, L.PRINCIPAL),
        (T.PROVINCIAL_1, STUDENT, L.LEVEL_3),  # students: to 高级工, no arrow
        (T.PROVINCIAL_1, STUDENT, L.LEVEL_2),
        (T.PROVINCIAL_2, EMPLOYEE, L.LEVEL_2),  # beyond 高级工 -> 技师
        (T.DISTRICT, STUDENT, L.LEVEL_4),
        (T.ENTERPRISE_OR_SCHOOL, EMPLOYEE, L.LEVEL_3),  # beyond 中级工 -> 高级工
    ],
)
def test_no_proposal_when_already_at_or_above_what_the_rule_gives(
    tier: CompetitionTier, kind: EntrantKind, current: SkillLevel
) -> None:
    proposal = tianjin(tier, kind, 1, current)
    assert proposal.outcome is PromotionOutcome.NO_HIGHER_LEVEL
    assert proposal.target_level is None
    assert proposal.rule_id is not None and proposal.rule_id.startswith("tianjin-2024/")
    assert "already at or above" in proposal.explanation


@pytest.mark.parametrize(
    ("entrants", "last_in", "first_out"),
    [(10, 3, 4), (20, 6, 7), (7, 2, 3), (100, 30, 31), (4, 1, 2)],
)
def test_enterprise_or_school_top_30_percent_employees(
    entrants: int, last_in: int, first_out: int
) -> None:
    inside = tianjin(T.ENTERPRISE_OR_SCHOOL, EMPLOYEE, last_in, None, entrants)
    assert inside.target_level is L.LEVEL_4
    assert inside.rule_id == "tianjin-2024/enterprise-or-school-top-30-percent-employees"
    outside = tianjin(T.ENTERPRISE_OR_SCHOOL, EMPLOYEE, first_out, None, entrants)
    assert outside.outcome is PromotionOutcome.NOT_QUALIFIED
    assert "top 30%" in outside.explanation


def test_enterprise_top_30_percent_of_three_entrants_is_nobody() -> None:
    assert tianjin(T.ENTERPRISE_OR_SCHOOL, EMPLOYEE, 1, None, 3).target_level is None


def test_enterprise_employee_at_zhongji_goes_to_gaoji() -> None:
    proposal = tianjin(T.ENTERPRISE_OR_SCHOOL, EMPLOYEE, 1, L.LEVEL_4, 10)
    assert proposal.target_level is L.LEVEL_3


def test_enterprise_or_school_students_get_zhongji_per_the_published_2024_rule() -> None:
    proposal = tianjin(T.ENTERPRISE_OR_SCHOOL, STUDENT, 3, None, 10)
    assert proposal.target_level is L.LEVEL_4
    assert proposal.rule_id == "tianjin-2024/enterprise-or-school-top-30-percent-students"


def test_tied_at_the_last_qualifying_rank_all_qualify() -> None:
    # competition ranking: two entrants tied at 10 both have rank 10
    assert tianjin(T.PROVINCIAL_1, EMPLOYEE, 10, None, 12).target_level is L.LEVEL_2


@pytest.mark.parametrize("tier", [T.WORLD, T.NATIONAL_1, T.NATIONAL_2])
def test_tianjin_rule_set_does_not_cover_world_or_national_tiers(tier: CompetitionTier) -> None:
    proposal = tianjin(tier, EMPLOYEE, 1)
    assert proposal.outcome is PromotionOutcome.NOT_COVERED
    assert proposal.target_level is None and proposal.rule_id is None


# --- one competition promotion per person per year ------------------------------------------


def test_a_second_promotion_in_the_same_year_is_refused() -> None:
    first = tianjin(T.PROVINCIAL_1, EMPLOYEE, 1, L.LEVEL_3, granted=0)
    second = tianjin(T.PROVINCIAL_1, EMPLOYEE, 1, L.LEVEL_3, granted=1)
    assert first.outcome is PromotionOutcome.PROPOSED
    assert second.outcome is PromotionOutcome.YEARLY_LIMIT_REACHED
    assert second.target_level is None
    assert second.rule_id == "tianjin-2024/yearly-limit"
    assert "at most 1 competition promotion(s) per person per year" in second.explanation
    assert "promote to 二级/技师" in second.explanation  # says what was blocked


def test_the_cap_only_matters_when_there_is_a_promotion_to_block() -> None:
    assert tianjin(T.PROVINCIAL_1, EMPLOYEE, 11, granted=1).outcome is (
        PromotionOutcome.NOT_QUALIFIED
    )


def test_national_rules_have_no_yearly_cap() -> None:
    proposal = national(
        T.NATIONAL_1, EMPLOYEE, 2, L.LEVEL_3, programme=NATIONAL_SKILLS_COMPETITION, granted=3
    )
    assert proposal.outcome is PromotionOutcome.PROPOSED


# --- national rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rank", "current", "target"),
    [
        (EMPLOYEE, 4, None, L.LEVEL_2),  # 优胜奖 -> 技师
        (STUDENT, 20, None, L.LEVEL_2),  # 优胜奖 at the top-half boundary (n = 40)
        (STUDENT, 1, L.LEVEL_3, L.LEVEL_2),
        (STUDENT, 3, L.LEVEL_2, L.LEVEL_1),  # 技师 -> 高级技师
    ],
)
def test_national_skills_competition_excellence_or_better_promotes_to_jishi(
    kind: EntrantKind, rank: int, current: SkillLevel | None, target: SkillLevel
) -> None:
    proposal = national(T.NATIONAL_1, kind, rank, current, programme=NATIONAL_SKILLS_COMPETITION)
    assert proposal.target_level is target


def test_national_skills_competition_without_an_award_is_not_promoted() -> None:
    proposal = national(T.NATIONAL_1, STUDENT, 21, programme=NATIONAL_SKILLS_COMPETITION)
    assert proposal.outcome is PromotionOutcome.NOT_QUALIFIED
    assert "no award is below 优胜奖" in proposal.explanation


def test_the_award_rule_is_limited_to_the_national_skills_competition() -> None:
    # the same 优胜奖 in another national class I competition: student not covered at all
    assert national(T.NATIONAL_1, STUDENT, 4).outcome is PromotionOutcome.NOT_COVERED


@pytest.mark.parametrize(
    ("tier", "rank", "current", "target"),
    [
        (T.NATIONAL_1, 1, L.LEVEL_4, L.LEVEL_3),
        (T.NATIONAL_1, 5, L.LEVEL_3, L.LEVEL_2),
        (T.NATIONAL_1, 5, L.LEVEL_2, L.LEVEL_1),
        (T.NATIONAL_2, 3, L.LEVEL_5, L.LEVEL_4),
        (T.NATIONAL_2, 1, L.APPRENTICE, L.LEVEL_5),
    ],
)
def test_national_top_employees_get_the_title_and_one_level(
    tier: CompetitionTier, rank: int, current: SkillLevel, target: SkillLevel
) -> None:
    proposal = national(tier, EMPLOYEE, rank, current)
    assert proposal.target_level is target
    assert proposal.honour_titles == ("全国技术能手",)


@pytest.mark.parametrize(("tier", "rank"), [(T.NATIONAL_1, 6), (T.NATIONAL_2, 4)])
def test_just_outside_the_national_top_n_gets_neither(tier: CompetitionTier, rank: int) -> None:
    proposal = national(tier, EMPLOYEE, rank, L.LEVEL_3)
    assert proposal.target_level is None and proposal.honour_titles == ()


def test_national_students_are_not_covered_by_the_top_n_title_rule() -> None:
    assert national(T.NATIONAL_2, STUDENT, 1).outcome is PromotionOutcome.NOT_COVERED


def test_one_level_up_needs_a_current_level_but_the_title_stands() -> None:
    proposal = national(T.NATIONAL_2, EMPLOYEE, 1, None)
    assert proposal.outcome is PromotionOutcome.NEEDS_CURRENT_LEVEL
    assert proposal.target_level is None
    assert proposal.honour_titles == ("全国技术能手",)
    assert proposal.rule_id == "national-2023/national-2-top-3-employees"


def test_one_level_up_stops_at_gaoji_jishi() -> None:
    proposal = national(T.NATIONAL_1, EMPLOYEE, 1, L.LEVEL_1)
    assert proposal.outcome is PromotionOutcome.NO_HIGHER_LEVEL


def test_when_several_rules_qualify_the_highest_level_wins() -> None:
    # gold at 全国技能大赛, employee at 四级: award rule -> 技师; top-5 rule -> 三级
    proposal = national(T.NATIONAL_1, EMPLOYEE, 1, L.LEVEL_4, programme=NATIONAL_SKILLS_COMPETITION)
    assert proposal.target_level is L.LEVEL_2
    assert proposal.rule_id == "national-2023/national-skills-competition-excellence-or-better"
    assert proposal.honour_titles == ("全国技术能手",)
    assert "highest of 2 qualifying rules" in proposal.explanation


def test_equal_targets_go_to_the_rule_listed_first() -> None:
    # at 技师 both rules give 高级技师
    proposal = national(T.NATIONAL_1, EMPLOYEE, 1, L.LEVEL_2, programme=NATIONAL_SKILLS_COMPETITION)
    assert proposal.target_level is L.LEVEL_1
    assert proposal.rule_id == "national-2023/national-skills-competition-excellence-or-better"


def test_an_award_given_explicitly_is_used_as_given() -> None:
    proposal = national(
        T.NATIONAL_1,
        STUDENT,
        30,
        programme=NATIONAL_SKILLS_COMPETITION,
        award=Award.EXCELLENCE,
    )
    assert proposal.target_level is L.LEVEL_2


# --- versions and lookup --------------------------------------------------------------------


def test_find_rule_set_by_name_and_refuse_unknown_names() -> None:
    assert find_rule_set("tianjin-2024").region == "CN-TJ"
    with pytest.raises(InvalidValue, match="tianjin-2024"):
        find_rule_set("tianjin-2025")


@pytest.mark.parametrize(
    ("region", "day", "name"),
    [
        ("CN-TJ", date(2021, 12, 9), None),
        ("CN-TJ", date(2021, 12, 10), "tianjin-2021"),
        ("CN-TJ", date(2024, 10, 24), "tianjin-2021"),
        ("CN-TJ", date(2024, 10, 25), "tianjin-2024"),
        ("CN", date(2025, 1, 1), "national-2023"),
        ("CN-SH", date(2025, 1, 1), None),
    ],
)
def test_the_version_in_force_is_the_latest_that_has_taken_effect(
    region: str, day: date, name: str | None
) -> None:
    found = rule_set_in_force(region, day)
    assert (None if found is None else found.name) == name


def test_tianjin_2021_had_no_enterprise_or_school_rule() -> None:
    proposal = propose_promotion(
        find_rule_set("tianjin-2021"),
        tier=T.ENTERPRISE_OR_SCHOOL,
        rank=1,
        entrant_count=10,
        entrant_kind=EMPLOYEE,
        award=Award.GOLD,
        current_level=None,
    )
    assert proposal.outcome is PromotionOutcome.NOT_COVERED


def test_rule_sets_name_their_source_and_effective_date() -> None:
    for rule_set in RULE_SETS:
        assert rule_set.source_document and rule_set.effective_from
        assert rule_set.to_dict()["effective_from"] == rule_set.effective_from.isoformat()
    assert TIANJIN.max_promotions_per_year == 1 and TIANJIN.supersedes == "tianjin-2021"


@pytest.mark.parametrize("rule_set", RULE_SETS, ids=lambda rs: rs.name)
def test_rule_sets_survive_a_json_round_trip(rule_set: PromotionRuleSet) -> None:
    data = json.loads(json.dumps(rule_set.to_dict(), ensure_ascii=False))
    assert PromotionRuleSet.from_dict(data) == rule_set


def test_proposals_survive_a_json_round_trip() -> None:
    proposal = national(T.NATIONAL_1, EMPLOYEE, 1, L.LEVEL_4, programme=NATIONAL_SKILLS_COMPETITION)
    data = json.loads(json.dumps(proposal.to_dict(), ensure_ascii=False))
    assert data["target_level"] == "2"
    assert PromotionProposal.from_dict(data) == proposal


def test_string_values_of_tier_kind_and_award_are_accepted() -> None:
    proposal = propose_promotion(
        TIANJIN,
        tier="provincial_1",
        rank=1,
        entrant_count=10,
        entrant_kind="employee",
        award="gold",
        current_level=None,
    )
    assert proposal.target_level is L.LEVEL_2


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"rank": 0},
        {"rank": 11},
        {"entrant_count": 0},
        {"promotions_granted_this_year": -1},
        {"tier": "city_1"},
        {"entrant_kind": "retiree"},
        {"award": "platinum"},
        {"current_level": "2"},
        {"rank": True},
    ],
)
def test_bad_engine_inputs_are_invalid(change: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "tier": T.PROVINCIAL_1,
        "rank": 1,
        "entrant_count": 10,
        "entrant_kind": EMPLOYEE,
        "award": None,
        "current_level": None,
        "promotions_granted_this_year": 0,
        **change,
    }
    with pytest.raises(InvalidValue):
        propose_promotion(TIANJIN, **arguments)  # type: ignore[arg-type]


def test_then_must_be_the_level_right_above_to() -> None:
    with pytest.raises(InvalidValue):
        LevelPromotion(to=L.LEVEL_3, then=L.LEVEL_1)
    with pytest.raises(InvalidValue):
        LevelPromotion(to=L.PRINCIPAL)
    with pytest.raises(InvalidValue):
        LevelPromotion(to=L.LEVEL_3, one_level_up=True)
    with pytest.raises(InvalidValue):
        LevelPromotion()


def test_a_rule_needs_a_condition() -> None:
    with pytest.raises(InvalidValue, match="at least one"):
        PromotionRule(
            id="anyone", tiers=frozenset({T.DISTRICT}), promotion=LevelPromotion(to=L.LEVEL_5)
        )


@pytest.mark.parametrize("percent", [Decimal(0), Decimal("100.5")])
def test_top_percent_must_be_within_0_and_100(percent: Decimal) -> None:
    with pytest.raises(InvalidValue):
        PromotionRule(
            id="share",
            tiers=frozenset({T.DISTRICT}),
            promotion=LevelPromotion(to=L.LEVEL_5),
            top_percent=percent,
        )


def test_rule_set_data_is_checked_strictly() -> None:
    data = TIANJIN.to_dict()
    with pytest.raises(InvalidValue):
        PromotionRuleSet.from_dict({**data, "rules": []})
    with pytest.raises(InvalidValue):
        PromotionRuleSet.from_dict({**data, "effective_from": "25 Oct 2024"})
    with pytest.raises(InvalidValue):
        PromotionRuleSet.from_dict({**data, "surprise": True})
    duplicate = [data["rules"][0], data["rules"][0]]
    with pytest.raises(InvalidValue, match="unique"):
        PromotionRuleSet.from_dict({**data, "rules": duplicate})
    bad_level = {**data["rules"][0], "promotion": {"to": "6", "then": None}}
    with pytest.raises(InvalidValue):
        PromotionRuleSet.from_dict({**data, "rules": [bad_level]})


# --- properties -----------------------------------------------------------------------------

levels = st.none() | st.sampled_from(list(SkillLevel))


@st.composite
def situations(draw: st.DrawFn) -> dict[str, object]:
    entrants = draw(st.integers(min_value=1, max_value=200))
    rank = draw(st.integers(min_value=1, max_value=entrants))
    return {
        "tier": draw(st.sampled_from(list(CompetitionTier))),
        "rank": rank,
        "entrant_count": entrants,
        "entrant_kind": draw(st.sampled_from(list(EntrantKind))),
        "award": award_for(rank, entrants),
        "current_level": draw(levels),
        "promotions_granted_this_year": draw(st.integers(min_value=0, max_value=2)),
        "programme": draw(st.none() | st.just(NATIONAL_SKILLS_COMPETITION)),
    }


@given(st.sampled_from(RULE_SETS), situations())
def test_a_proposed_level_is_numbered_and_above_the_current_level(
    rule_set: PromotionRuleSet, situation: dict[str, object]
) -> None:
    proposal = propose_promotion(rule_set, **situation)  # type: ignore[arg-type]
    assert (proposal.target_level is not None) == (proposal.outcome is PromotionOutcome.PROPOSED)
    if proposal.target_level is not None:
        assert proposal.target_level.is_numbered
        current = situation["current_level"]
        assert current is None or proposal.target_level > current
        assert proposal.rule_id is not None
        assert rule_set.rule(proposal.rule_id.split("/", 1)[1])


@given(situations())
def test_tianjin_never_proposes_once_the_year_s_promotion_is_granted(
    situation: dict[str, object],
) -> None:
    proposal = propose_promotion(TIANJIN, **{**situation, "promotions_granted_this_year": 1})  # type: ignore[arg-type]
    assert proposal.target_level is None


@given(situations(), st.data())
def test_a_better_rank_never_loses_a_tianjin_promotion(
    situation: dict[str, object], data: st.DataObject
) -> None:
    worse = propose_promotion(TIANJIN, **situation)  # type: ignore[arg-type]
    better_rank = data.draw(st.integers(min_value=1, max_value=situation["rank"]))  # type: ignore[arg-type]
    better = propose_promotion(TIANJIN, **{**situation, "rank": better_rank})  # type: ignore[arg-type]
    if worse.outcome is PromotionOutcome.PROPOSED:
        assert better.target_level is worse.target_level
