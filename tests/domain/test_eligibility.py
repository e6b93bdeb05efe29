"""Eligibility routes (申报条件) for enrolling a candidate in an evaluation."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.eligibility import (
    CandidateFacts,
    DiplomaFact,
    DiplomaKind,
    EligibilityRoute,
    ExperiencePeriod,
    HeldLevel,
    RouteKind,
    StandardEdition,
    TitleFact,
    TitleGrade,
    check_eligibility,
    find_edition,
    find_route,
    list_editions,
    parse_edition,
)
from domain.errors import DomainRuleViolation, InvalidValue
from domain.skill_level import SkillLevel

L5, L4, L3, L2, L1 = (
    SkillLevel.LEVEL_5,
    SkillLevel.LEVEL_4,
    SkillLevel.LEVEL_3,
    SkillLevel.LEVEL_2,
    SkillLevel.LEVEL_1,
)
ELECTRICIAN = "6-31-01-03"
WELDER = "6-18-02-04"
TODAY = date(2026, 3, 1)


def route(route_id: str, on_date: date = TODAY, occupation: str = ELECTRICIAN) -> EligibilityRoute:
    return find_route(route_id, occupation, on_date)


def facts(
    *,
    held: tuple[tuple[SkillLevel, date], ...] = (),
    since: date | None = date(2010, 1, 1),
    diplomas: tuple[DiplomaFact, ...] = (),
    titles: tuple[TitleFact, ...] = (),
    evidence: str = "",
    occupation: str = ELECTRICIAN,
) -> CandidateFacts:
    return CandidateFacts(
        occupation_code=occupation,
        levels_held=tuple(HeldLevel(occupation, level, obtained) for level, obtained in held),
        experience=() if since is None else (ExperiencePeriod(occupation, since),),
        diplomas=diplomas,
        titles=titles,
        evidence_reference=evidence,
    )


# --- editions ----------------------------------------------------------------------------------


def test_shipped_editions_are_the_clearly_marked_generic_default() -> None:
    editions = list_editions()
    assert {edition.key for edition in editions} >= {
        "generic-default@2018",
        "generic-default@2022",
    }
    for edition in editions:
        assert edition.generic_default
        assert "GENERIC DEFAULT" in " ".join(edition.notes)
        assert "国家职业技能标准编制技术规程 (2018)/人社部 typical" in edition.source


@pytest.mark.parametrize(
    ("on_date", "edition"),
    [(date(2018, 1, 1), "2018"), (date(2021, 12, 31), "2018"), (date(2022, 1, 1), "2022")],
)
def test_the_edition_in_force_on_the_date_applies(on_date: date, edition: str) -> None:
    assert find_edition(ELECTRICIAN, on_date).edition == edition


def test_title_routes_exist_only_from_the_2022_edition() -> None:
    assert find_edition(ELECTRICIAN, date(2023, 1, 1)).route("2-title-intermediate-plus-1y")
    with pytest.raises(InvalidValue, match="no route"):
        find_route("2-title-intermediate-plus-1y", ELECTRICIAN, date(2021, 1, 1))


def test_no_edition_before_2018_is_a_named_rule_violation() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        find_edition(ELECTRICIAN, date(2017, 12, 31))
    assert caught.value.rule == "no-eligibility-edition-in-force"


def _edition_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "format": 1,
        "standard": ELECTRICIAN,
        "edition": "2019",
        "title": "电工 国家职业技能标准 (test edition)",
        "occupations": [ELECTRICIAN],
        "related_occupations": [WELDER],
        "effective_from": "2019-01-01",
        "source": "test",
        "routes": [
            {
                "id": "3-level4-plus-3y",
                "kind": "previous_level_plus_years",
                "target_level": "3",
                "previous_level": "4",
                "years": 3,
                "description": "test",
            }
        ],
    }
    data.update(overrides)
    return data


SPECIFIC = parse_edition(_edition_data())


def test_an_occupation_edition_wins_over_the_newer_generic_default() -> None:
    pool = [*list_editions(), SPECIFIC]
    assert find_edition(ELECTRICIAN, TODAY, editions=pool) is SPECIFIC
    assert find_edition(WELDER, TODAY, editions=pool).generic_default


def test_routes_for_lists_the_routes_to_a_level() -> None:
    edition = find_edition(ELECTRICIAN, TODAY)
    level_3 = {r.id for r in edition.routes_for(L3)}
    assert {"3-level4-plus-5y", "3-senior-technical-school", "3-college-plus-2y"} <= level_3
    assert all(r.target_level is L3 for r in edition.routes_for(L3))


# --- previous level plus years ------------------------------------------------------------------


def test_previous_level_held_too_briefly_is_refused_naming_the_level_and_the_years() -> None:
    result = check_eligibility(
        route("3-level4-plus-5y"), facts(held=((L4, date(2024, 3, 1)),)), L3, TODAY
    )
    assert not result.eligible
    assert result.route_id == "3-level4-plus-5y"
    assert result.reasons == (
        f"needs 四级/中级工 held for 5 years in {ELECTRICIAN}; holds it since 2024-03-01 "
        "(2 years counted)",
    )


def test_previous_level_plus_years_counts_from_the_anniversary() -> None:
    held = facts(held=((L4, date(2021, 3, 1)),))
    assert check_eligibility(route("3-level4-plus-5y"), held, L3, date(2026, 3, 1)).eligible
    assert not check_eligibility(route("3-level4-plus-5y"), held, L3, date(2026, 2, 28)).eligible


def test_years_count_only_time_in_the_occupation_after_the_level() -> None:
    candidate = CandidateFacts(
        occupation_code=ELECTRICIAN,
        levels_held=(HeldLevel(ELECTRICIAN, L4, date(2018, 1, 1)),),
        experience=(
            ExperiencePeriod(ELECTRICIAN, date(2010, 1, 1), date(2019, 12, 31)),  # 2 years after
            ExperiencePeriod("4-01-02-01", date(2020, 1, 1), date(2023, 12, 31)),  # elsewhere
            ExperiencePeriod(ELECTRICIAN, date(2024, 1, 1)),  # 2 more years to TODAY
        ),
    )
    result = check_eligibility(route("3-level4-plus-5y"), candidate, L3, TODAY)
    assert not result.eligible
    assert "4 years 2 months counted" in result.reasons[0]


def test_overlapping_experience_periods_count_once() -> None:
    candidate = CandidateFacts(
        occupation_code=ELECTRICIAN,
        levels_held=(HeldLevel(ELECTRICIAN, L4, date(2020, 1, 1)),),
        experience=(
            ExperiencePeriod(ELECTRICIAN, date(2020, 1, 1), date(2023, 12, 31)),
            ExperiencePeriod(ELECTRICIAN, date(2022, 1, 1), date(2024, 6, 30)),
        ),
    )
    result = check_eligibility(route("3-level4-plus-5y"), candidate, L3, TODAY)
    assert not result.eligible  # 4.5 years worked; summing the periods would give 6.5
    assert "(4 years 6 months counted)" in result.reasons[0]


def test_related_occupation_counts_when_the_edition_lists_it() -> None:
    candidate = CandidateFacts(
        occupation_code=ELECTRICIAN,
        levels_held=(HeldLevel(WELDER, L4, date(2020, 1, 1)),),
        experience=(ExperiencePeriod(WELDER, date(2020, 1, 1)),),
    )
    specific = SPECIFIC.route("3-level4-plus-3y")
    assert check_eligibility(specific, candidate, L3, TODAY).eligible
    generic = route("3-level4-plus-5y", date(2026, 3, 1))
    result = check_eligibility(generic, candidate, L3, date(2026, 3, 1))
    assert not result.eligible
    assert "holds none" in result.reasons[0]


def test_a_higher_level_than_the_prerequisite_also_qualifies() -> None:
    # holding 三级 in a related occupation satisfies "四级 or above" for the 三级 route
    candidate = CandidateFacts(
        occupation_code=ELECTRICIAN,
        levels_held=(HeldLevel(WELDER, L3, date(2020, 1, 1)),),
        experience=(ExperiencePeriod(ELECTRICIAN, date(2020, 1, 1)),),
    )
    assert check_eligibility(SPECIFIC.route("3-level4-plus-3y"), candidate, L3, TODAY).eligible


def test_level_obtained_after_the_date_does_not_count() -> None:
    result = check_eligibility(
        route("3-level4-plus-5y"), facts(held=((L4, date(2026, 6, 1)),)), L3, TODAY
    )
    assert not result.eligible
    assert "holds none" in result.reasons[0]


def test_already_holding_the_target_level_is_refused() -> None:
    result = check_eligibility(
        route("3-level4-plus-5y"),
        facts(held=((L4, date(2010, 1, 1)), (L3, date(2016, 1, 1)))),
        L3,
        TODAY,
    )
    assert not result.eligible
    assert any("already holds 三级/高级工" in reason for reason in result.reasons)


# --- years only --------------------------------------------------------------------------------


def test_years_only_route_needs_the_years_in_the_occupation() -> None:
    assert check_eligibility(route("4-years"), facts(since=date(2020, 3, 1)), L4, TODAY).eligible
    result = check_eligibility(route("4-years"), facts(since=date(2021, 3, 1)), L4, TODAY)
    assert result.reasons == (f"needs 6 years in {ELECTRICIAN}; 5 years counted",)


def test_years_only_with_no_experience_says_zero() -> None:
    result = check_eligibility(route("5-years"), facts(since=None), L5, TODAY)
    assert result.reasons == (f"needs 1 year in {ELECTRICIAN}; 0 months counted",)


# --- diploma -----------------------------------------------------------------------------------

SENIOR_SCHOOL = DiplomaFact(DiplomaKind.SENIOR_TECHNICAL_SCHOOL, date(2025, 7, 1))


def test_senior_technical_school_graduate_with_level_4_may_sit_level_3() -> None:
    candidate = facts(held=((L4, date(2025, 6, 1)),), diplomas=(SENIOR_SCHOOL,), since=None)
    result = check_eligibility(route("3-senior-technical-school"), candidate, L3, TODAY)
    assert result.eligible, result.reasons


def test_final_year_student_is_accepted_where_the_standard_says_so() -> None:
    student = DiplomaFact(DiplomaKind.SENIOR_TECHNICAL_SCHOOL, None)
    candidate = facts(held=((L4, date(2025, 6, 1)),), diplomas=(student,), since=None)
    assert check_eligibility(route("3-senior-technical-school"), candidate, L3, TODAY).eligible
    college_student = facts(
        held=((L4, date(2020, 6, 1)),), diplomas=(DiplomaFact(DiplomaKind.COLLEGE, None),)
    )
    result = check_eligibility(route("3-college-plus-2y"), college_student, L3, TODAY)
    assert not result.eligible
    assert "大专及以上" in result.reasons[0]


def test_diploma_in_an_unrelated_major_does_not_count() -> None:
    unrelated = DiplomaFact(DiplomaKind.SENIOR_TECHNICAL_SCHOOL, date(2025, 7, 1), relevant=False)
    candidate = facts(held=((L4, date(2025, 6, 1)),), diplomas=(unrelated,))
    result = check_eligibility(route("3-senior-technical-school"), candidate, L3, TODAY)
    assert not result.eligible
    assert "not relevant" in result.reasons[0]


def test_diploma_route_still_needs_its_previous_level() -> None:
    candidate = facts(diplomas=(SENIOR_SCHOOL,))
    result = check_eligibility(route("3-senior-technical-school"), candidate, L3, TODAY)
    assert not result.eligible
    assert result.reasons == (f"needs 四级/中级工 in {ELECTRICIAN}; holds none",)


def test_technician_route_for_senior_school_graduates_needs_3_years_after_level_3() -> None:
    graduate = facts(held=((L3, date(2023, 3, 1)),), diplomas=(SENIOR_SCHOOL,))
    ok = check_eligibility(route("2-senior-technical-school-plus-3y"), graduate, L2, TODAY)
    assert ok.eligible
    early = check_eligibility(
        route("2-senior-technical-school-plus-3y"), graduate, L2, date(2026, 2, 28)
    )
    assert not early.eligible


# --- title plus years --------------------------------------------------------------------------


def test_intermediate_engineering_title_plus_a_year_opens_level_2() -> None:
    engineer = TitleFact("engineering", TitleGrade.INTERMEDIATE, date(2024, 9, 1))
    result = check_eligibility(
        route("2-title-intermediate-plus-1y"), facts(titles=(engineer,)), L2, TODAY
    )
    assert result.eligible
    assert any("中级职称" in text for text in result.satisfied)


@pytest.mark.parametrize(
    ("title", "reason"),
    [
        (
            TitleFact("engineering", TitleGrade.JUNIOR, date(2020, 1, 1)),
            "needs a relevant 中级职称",
        ),
        (TitleFact("economics", TitleGrade.SENIOR, date(2020, 1, 1)), "(engineering)"),
        (TitleFact("engineering", TitleGrade.INTERMEDIATE, date(2025, 9, 1)), "6 months counted"),
    ],
)
def test_title_route_refusals(title: TitleFact, reason: str) -> None:
    result = check_eligibility(
        route("2-title-intermediate-plus-1y"), facts(titles=(title,)), L2, TODAY
    )
    assert not result.eligible
    assert reason in result.reasons[0]


# --- bypasses ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "route_id", ["3-direct-recognition", "3-competition-promotion", "3-fast-track"]
)
@pytest.mark.parametrize("evidence", ["", "   "])
def test_bypasses_need_a_non_empty_evidence_reference(route_id: str, evidence: str) -> None:
    candidate = facts(held=((L4, date(2025, 1, 1)),), evidence=evidence)
    result = check_eligibility(route(route_id), candidate, L3, TODAY)
    assert not result.eligible
    assert any("needs an evidence reference" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    "route_id", ["3-direct-recognition", "3-competition-promotion", "3-fast-track"]
)
def test_bypasses_with_evidence_skip_the_years(route_id: str) -> None:
    candidate = facts(held=((L4, date(2025, 1, 1)),), evidence="津人社核〔2025〕12号", since=None)
    result = check_eligibility(route(route_id), candidate, L3, TODAY)
    assert result.eligible, result.reasons
    assert route(route_id).kind.is_bypass


def test_fast_track_still_needs_the_level_below() -> None:
    result = check_eligibility(route("3-fast-track"), facts(evidence="approval 7"), L3, TODAY)
    assert not result.eligible
    assert result.reasons == (f"needs 四级/中级工 in {ELECTRICIAN}; holds none",)


# --- cross-cutting -----------------------------------------------------------------------------


def test_route_for_another_level_is_refused() -> None:
    result = check_eligibility(route("3-level4-plus-5y"), facts(), L2, TODAY)
    assert not result.eligible
    assert "is for 三级/高级工, not 二级/技师" in result.reasons[0]


def test_route_of_an_edition_for_another_occupation_is_refused() -> None:
    result = check_eligibility(
        SPECIFIC.route("3-level4-plus-3y"), facts(occupation=WELDER), L3, TODAY
    )
    assert any("does not cover" in reason for reason in result.reasons)


def test_raise_if_ineligible_names_the_rule_and_the_route() -> None:
    result = check_eligibility(route("4-years"), facts(since=None), L4, TODAY)
    with pytest.raises(DomainRuleViolation) as caught:
        result.raise_if_ineligible()
    assert caught.value.rule == "candidate-ineligible"
    assert "4-years" in caught.value.detail
    check_eligibility(route("4-years"), facts(), L4, TODAY).raise_if_ineligible()  # no raise


def test_experience_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(InvalidValue):
        ExperiencePeriod(ELECTRICIAN, date(2024, 1, 2), date(2024, 1, 1))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format=2), "format"),
        (lambda d: d["routes"][0].update(previous_level="3"), "previous_level"),
        (lambda d: d["routes"][0].update(kind="astrology"), "kind"),
        (lambda d: d["routes"][0].pop("years"), "kind"),
        (lambda d: d["routes"].append(copy.deepcopy(d["routes"][0])), "duplicate"),
        (lambda d: d["routes"][0].update(diploma_kinds=["college"]), "diploma_kinds"),
        (
            lambda d: d["routes"].append(
                {"id": "y", "kind": "years_only", "target_level": "4", "description": "x"}
            ),
            "years_only",
        ),
        (
            lambda d: d["routes"].append(
                {
                    "id": "d",
                    "kind": "diploma",
                    "target_level": "4",
                    "diploma_kinds": ["hogwarts"],
                    "description": "x",
                }
            ),
            "diploma_kinds",
        ),
        (lambda d: d.update(extra=True), "unknown fields"),
    ],
)
def test_malformed_edition_data_is_refused_with_the_field_named(mutate: Any, field: str) -> None:
    data = _edition_data()
    mutate(data)
    with pytest.raises(InvalidValue, match=field):
        parse_edition(data, source="bad.json")


def test_every_shipped_route_kind_is_known_and_bypasses_are_marked() -> None:
    edition = find_edition(ELECTRICIAN, TODAY)
    kinds = {r.kind for r in edition.routes}
    assert kinds == set(RouteKind)
    assert all(r.needs_evidence == r.kind.is_bypass for r in edition.routes)


def test_edition_objects_are_immutable() -> None:
    with pytest.raises(AttributeError):
        SPECIFIC.edition = "2099"  # type: ignore[misc]
    assert isinstance(SPECIFIC, StandardEdition)


# --- properties --------------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@given(
    obtained=st.dates(min_value=date(2015, 1, 1), max_value=date(2026, 1, 1)),
    on_date=st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31)),
)
def test_property_continuous_work_meets_n_years_exactly_from_the_anniversary(
    obtained: date, on_date: date
) -> None:
    r = route("3-level4-plus-5y", on_date)
    candidate = facts(held=((L4, obtained),), since=date(2010, 1, 1))
    result = check_eligibility(r, candidate, L3, on_date)
    assert result.eligible == (obtained <= _years_before(on_date, 5))


@given(
    start=st.dates(min_value=date(2012, 1, 1), max_value=date(2025, 1, 1)),
    on_date=st.dates(min_value=date(2022, 1, 1), max_value=date(2028, 12, 31)),
    later=st.integers(min_value=1, max_value=2000),
)
def test_property_with_ongoing_work_eligibility_never_lapses(
    start: date, on_date: date, later: int
) -> None:
    candidate = facts(since=start)
    r = route("4-years", on_date)
    if check_eligibility(r, candidate, L4, on_date).eligible:
        after = on_date + timedelta(days=later)
        assert check_eligibility(route("4-years", after), candidate, L4, after).eligible


@given(
    periods=st.lists(
        st.tuples(
            st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 1, 1)),
            st.integers(min_value=0, max_value=2000),
        ),
        max_size=5,
    )
)
def test_property_splitting_or_duplicating_periods_does_not_change_the_outcome(
    periods: list[tuple[date, int]],
) -> None:
    spans = [ExperiencePeriod(ELECTRICIAN, s, s + timedelta(days=n)) for s, n in periods]
    doubled = spans + spans
    r = route("4-years")
    once = check_eligibility(r, CandidateFacts(ELECTRICIAN, experience=tuple(spans)), L4, TODAY)
    twice = check_eligibility(r, CandidateFacts(ELECTRICIAN, experience=tuple(doubled)), L4, TODAY)
    assert once.eligible == twice.eligible
    assert once.reasons == twice.reasons
