"""Hukou points statements (积分落户 / 居住证积分) for each policy, case by case."""

from __future__ import annotations

import copy
import json
from datetime import date
from enum import Enum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainRuleViolation, InvalidValue
from domain.points_policy import (
    EducationCombination,
    PointsPolicy,
    find_policy,
    list_policies,
    parse_policy,
)
from domain.points_statement import (
    CertificateFact,
    Honour,
    PointsStatement,
    compute_points_statement,
)
from domain.skill_level import SkillLevel

SHANGHAI = "shanghai-residence-points"
TIANJIN = "tianjin-hukou-points"
GUANGZHOU = "guangzhou-hukou-points"
BEIJING = "beijing-hukou-points"

ELECTRICIAN = "6-31-01-03"  # 电工: Tianjin 非常紧缺 and Guangzhou urgent-need in the data
CHEF = "4-03-02-01"  # 中式烹调师: Tianjin 一般紧缺, not on the Guangzhou list
NOT_LISTED = "4-01-02-01"  # in no catalogue shipped

NUMBERED = [
    SkillLevel.LEVEL_5,
    SkillLevel.LEVEL_4,
    SkillLevel.LEVEL_3,
    SkillLevel.LEVEL_2,
    SkillLevel.LEVEL_1,
]

_serial = iter(range(1, 1_000_000))


def cert(
    level: SkillLevel = SkillLevel.LEVEL_3,
    *,
    province: str = "31",
    occupation: str = ELECTRICIAN,
    issued_on: date = date(2023, 5, 1),
    status: str = "valid",
    on_national_query: bool | None = None,
    number: str | None = None,
) -> CertificateFact:
    return CertificateFact(
        number=number
        or f"S0000{province}000001{issued_on:%y}{level.digit or 0}{next(_serial):06d}",
        occupation_code=occupation,
        level=level,
        issuer_province_code=province,
        issued_on=issued_on,
        status=status,
        on_national_query=on_national_query,
    )


def statement(
    policy_id: str, certificates: list[CertificateFact], as_of: date = date(2025, 3, 1), **kw: Any
) -> PointsStatement:
    return compute_points_statement(find_policy(policy_id, as_of), certificates, as_of, **kw)


def check(result: PointsStatement, name: str, number: str | None = None) -> bool:
    matches = [
        c
        for c in result.conditions_checked
        if c.name == name and (number is None or c.certificate_number == number)
    ]
    assert matches, f"condition {name} not checked"
    return all(c.passed for c in matches)


def unverifiable_names(result: PointsStatement) -> set[str]:
    return {c.name for c in result.conditions_unverifiable}


# --- the shipped policies ----------------------------------------------------------------------


def test_four_cities_ship_with_source_effective_date_and_province() -> None:
    policies = {policy.id: policy for policy in list_policies()}
    assert set(policies) >= {SHANGHAI, TIANJIN, GUANGZHOU, BEIJING}
    assert policies[SHANGHAI].province_code == "31"
    assert policies[TIANJIN].province_code == "12"
    assert policies[GUANGZHOU].province_code == "44"
    assert policies[BEIJING].province_code == "11"
    assert "沪府发〔2017〕98号" in policies[SHANGHAI].source
    for policy in policies.values():
        assert policy.name and policy.source and policy.version
        assert isinstance(policy.effective_from, date)


# --- Shanghai ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "points"), list(zip(NUMBERED, [15, 30, 60, 100, 140], strict=True))
)
def test_shanghai_scores_levels_5_to_1_as_15_30_60_100_140(level: SkillLevel, points: int) -> None:
    result = statement(SHANGHAI, [cert(level)])
    assert result.points == points
    assert [fact.level for fact in result.counted] == [level]


def test_shanghai_counts_the_higher_of_education_and_skill_not_the_sum() -> None:
    senior = cert(SkillLevel.LEVEL_3)  # 60
    education_wins = statement(SHANGHAI, [senior], education_points=90)
    assert education_wins.points == 90
    assert education_wins.skill_points == 60
    assert education_wins.counted == ()
    assert "post_match" not in unverifiable_names(education_wins)  # the certificate did not count
    skill_wins = statement(SHANGHAI, [senior], education_points=50)
    assert skill_wins.points == 60
    assert skill_wins.counted == (senior,)
    assert skill_wins.education_combination is EducationCombination.MAX


def test_shanghai_without_education_says_the_office_takes_the_max() -> None:
    result = statement(SHANGHAI, [cert(SkillLevel.LEVEL_4)])
    assert result.points == 30
    assert "education_or_skill" in unverifiable_names(result)


def test_shanghai_certificate_from_another_province_does_not_count() -> None:
    jiangsu = cert(SkillLevel.LEVEL_1, province="32")
    result = statement(SHANGHAI, [jiangsu])
    assert result.points == 0
    assert result.counted == ()
    assert not check(result, "issued_in_province", jiangsu.number)


def test_shanghai_lists_post_match_and_working_in_shanghai_as_unverifiable() -> None:
    result = statement(SHANGHAI, [cert(SkillLevel.LEVEL_3)])
    assert {"post_match", "obtained_while_working_in_city"} <= unverifiable_names(result)


@pytest.mark.parametrize(
    ("level", "needs_base"),
    [(SkillLevel.LEVEL_3, False), (SkillLevel.LEVEL_2, True), (SkillLevel.LEVEL_1, True)],
)
def test_shanghai_social_insurance_base_applies_to_levels_2_and_1_only(
    level: SkillLevel, needs_base: bool
) -> None:
    result = statement(SHANGHAI, [cert(level)])
    assert ("social_insurance_base" in unverifiable_names(result)) is needs_base


def test_shanghai_enterprise_posts_score_nothing() -> None:
    post = cert(SkillLevel.PRINCIPAL)
    result = statement(SHANGHAI, [post])
    assert result.points == 0
    assert not check(result, "level_scored", post.number)


# --- Tianjin -----------------------------------------------------------------------------------


def tj(level: SkillLevel = SkillLevel.LEVEL_3, **kw: Any) -> CertificateFact:
    kw.setdefault("province", "12")
    kw.setdefault("on_national_query", True)
    return cert(level, **kw)


@pytest.mark.parametrize(("level", "points"), list(zip(NUMBERED, [5, 10, 15, 20, 30], strict=True)))
def test_tianjin_scores_levels_5_to_1_as_5_10_15_20_30_plus_the_occupation_tier(
    level: SkillLevel, points: int
) -> None:
    result = statement(TIANJIN, [tj(level, occupation=CHEF)])  # 一般紧缺: +10
    assert result.points == points + 10
    assert [item.points for item in result.items] == [points, 10]


@pytest.mark.parametrize(
    ("occupation", "bonus"), [(ELECTRICIAN, 25), ("6-18-01-01", 15), (CHEF, 10)]
)
def test_tianjin_scarce_occupation_bonus_follows_the_occupations_tier(
    occupation: str, bonus: int
) -> None:
    result = statement(TIANJIN, [tj(SkillLevel.LEVEL_3, occupation=occupation)])
    assert result.points == 15 + bonus


def test_tianjin_occupation_outside_the_years_catalogue_does_not_count() -> None:
    outside = tj(occupation=NOT_LISTED)
    result = statement(TIANJIN, [outside])
    assert result.points == 0
    assert not check(result, "occupation_in_catalogue", outside.number)


@pytest.mark.parametrize(
    ("as_of", "issued_on", "counts"),
    [
        # first half-year applications: issued by 12-31 of the previous year
        (date(2025, 3, 1), date(2024, 12, 31), True),
        (date(2025, 3, 1), date(2025, 1, 2), False),
        (date(2025, 6, 30), date(2025, 1, 2), False),
        (date(2025, 1, 1), date(2024, 12, 31), True),
        # second half-year applications: issued by 06-30 of the same year
        (date(2025, 7, 1), date(2025, 1, 2), True),
        (date(2025, 7, 1), date(2025, 6, 30), True),
        (date(2025, 12, 31), date(2025, 7, 1), False),
        (date(2026, 1, 1), date(2025, 7, 1), True),
    ],
)
def test_tianjin_certificate_counts_only_if_issued_by_the_half_year_cutoff(
    as_of: date, issued_on: date, counts: bool
) -> None:
    fact = tj(issued_on=issued_on)
    result = statement(TIANJIN, [fact], as_of=as_of)
    assert bool(result.counted) is counts
    assert check(result, "issue_date_cutoff", fact.number) is counts


def test_tianjin_cutoff_detail_names_the_cutoff_date() -> None:
    fact = tj(issued_on=date(2025, 1, 2))
    result = statement(TIANJIN, [fact], as_of=date(2025, 3, 1))
    [cutoff] = [c for c in result.conditions_checked if c.name == "issue_date_cutoff"]
    assert "2024-12-31" in cutoff.detail


def test_tianjin_national_query_is_checked_when_known_and_listed_when_not() -> None:
    listed = statement(TIANJIN, [tj(on_national_query=True)])
    assert listed.points == 40 and "national_query" not in unverifiable_names(listed)
    unknown = statement(TIANJIN, [tj(on_national_query=None)])
    assert unknown.points == 40 and "national_query" in unverifiable_names(unknown)
    absent_fact = tj(on_national_query=False)
    absent = statement(TIANJIN, [absent_fact])
    assert absent.points == 0
    assert not check(absent, "national_query", absent_fact.number)


def test_tianjin_certificate_obtained_outside_tianjin_does_not_count() -> None:
    result = statement(TIANJIN, [tj(province="13")])
    assert result.points == 0


def test_tianjin_only_the_highest_item_counts_and_ties_go_to_the_higher_level() -> None:
    senior = tj(SkillLevel.LEVEL_3, occupation=ELECTRICIAN)  # 15 + 25 = 40
    top = tj(SkillLevel.LEVEL_1, occupation=CHEF)  # 30 + 10 = 40
    junior = tj(SkillLevel.LEVEL_5, occupation=CHEF)  # 5 + 10 = 15
    result = statement(TIANJIN, [junior, senior, top])
    assert result.points == 40
    assert result.counted == (top,)


# --- Guangzhou ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("level", "points"), list(zip(NUMBERED, [0, 10, 20, 30, 30], strict=True)))
def test_guangzhou_scores_levels_5_to_1_as_0_10_20_30_30(level: SkillLevel, points: int) -> None:
    result = statement(GUANGZHOU, [cert(level, province="44", occupation=CHEF)])
    assert result.points == points


def test_guangzhou_urgent_need_occupation_adds_ten() -> None:
    result = statement(GUANGZHOU, [cert(SkillLevel.LEVEL_3, province="44", occupation=ELECTRICIAN)])
    assert result.points == 30
    assert check(result, "urgent_need_occupation")


def test_guangzhou_level_5_in_an_urgent_need_occupation_earns_only_the_bonus() -> None:
    result = statement(GUANGZHOU, [cert(SkillLevel.LEVEL_5, province="44", occupation=ELECTRICIAN)])
    assert result.points == 10


def test_guangzhou_matching_post_bonus_is_at_stake_but_never_added() -> None:
    result = statement(GUANGZHOU, [cert(SkillLevel.LEVEL_2, province="44", occupation=CHEF)])
    assert result.points == 30
    [bonus] = [
        c for c in result.conditions_unverifiable if c.name == "works_in_matching_occupation"
    ]
    assert bonus.bonus_points == 10


# --- Beijing -----------------------------------------------------------------------------------


def test_beijing_scores_no_skill_certificate_and_says_why() -> None:
    result = statement(BEIJING, [cert(SkillLevel.LEVEL_1, province="11")])
    assert result.points == 0
    assert result.counted == ()
    assert not check(result, "skill_certificate_indicator")
    assert "no skill-certificate indicator" in result.explanation


def test_beijing_lists_honours_for_the_office_to_score_under_rongyu_biaozhang() -> None:
    honours = [
        Honour("朝阳工匠", "朝阳区总工会", date(2024, 5, 1)),
        Honour("北京市劳动模范", "北京市人民政府", date(2026, 5, 1)),  # after as_of
    ]
    result = statement(BEIJING, [], honours=honours)
    listed = [c for c in result.conditions_unverifiable if c.name == "honour_recognition"]
    assert len(listed) == 1
    assert "朝阳工匠" in listed[0].detail and "荣誉表彰" in listed[0].detail
    assert result.points == 0


# --- rules for every policy --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["revoked", "suspended"])
def test_a_revoked_or_suspended_certificate_never_counts(status: str) -> None:
    fact = cert(SkillLevel.LEVEL_1, status=status)
    result = statement(SHANGHAI, [fact])
    assert result.points == 0
    assert not check(result, "valid_at_date", fact.number)


def test_revoked_higher_certificate_leaves_the_valid_lower_one_counting() -> None:
    revoked = cert(SkillLevel.LEVEL_1, status="revoked")
    valid = cert(SkillLevel.LEVEL_4)
    result = statement(SHANGHAI, [revoked, valid])
    assert result.counted == (valid,)
    assert result.points == 30


def test_a_certificate_issued_after_as_of_does_not_count() -> None:
    later = cert(SkillLevel.LEVEL_2, issued_on=date(2025, 6, 1))
    result = statement(SHANGHAI, [later], as_of=date(2025, 3, 1))
    assert result.points == 0
    assert not check(result, "issued_by_date", later.number)


def test_status_enum_values_from_the_certificate_aggregate_are_accepted() -> None:
    class Status(str, Enum):  # noqa: UP042 - mirrors domain.certificate.CertificateStatus
        VALID = "valid"
        REVOKED = "revoked"

    fact = cert(status=Status.REVOKED)  # type: ignore[arg-type]
    assert fact.status == "revoked"
    assert fact.as_dict()["status"] == "revoked"


def test_unknown_status_is_refused() -> None:
    with pytest.raises(InvalidValue, match="status"):
        cert(status="expired")


def test_statement_names_the_policy_version_and_serialises_to_json() -> None:
    result = statement(TIANJIN, [tj()])
    assert result.policy_key == f"{TIANJIN}@2022"
    data = json.loads(json.dumps(result.as_dict(), ensure_ascii=False))
    assert data["policy"]["id"] == TIANJIN and data["policy"]["version"] == "2022"
    assert data["points"] == 40
    assert {"name", "passed", "detail"} <= set(data["conditions_checked"][0])
    assert data["counted"][0]["level"] == "3"


def test_education_points_must_be_a_non_negative_integer() -> None:
    with pytest.raises(InvalidValue, match="education points"):
        statement(SHANGHAI, [], education_points=-1)


# --- versions ----------------------------------------------------------------------------------


def _policy_data(version: str, effective_from: str, level_3_points: int) -> dict[str, Any]:
    return {
        "format": 1,
        "id": "testville-points",
        "version": version,
        "city": "测试市",
        "city_en": "Testville",
        "province_code": "31",
        "name": "test policy",
        "source": "test",
        "effective_from": effective_from,
        "skill_indicator": True,
        "points_by_level": {"3": level_3_points},
        "education_combination": "separate",
        "catalogue": "any",
        "conditions": [{"kind": "issued_in_province"}],
        "explanation": "test",
    }


VERSIONS = [
    parse_policy(_policy_data("2019", "2019-01-01", 50)),
    parse_policy(_policy_data("2023", "2023-07-01", 70)),
]


@pytest.mark.parametrize(
    ("as_of", "version"),
    [
        (date(2019, 1, 1), "2019"),
        (date(2023, 6, 30), "2019"),
        (date(2023, 7, 1), "2023"),
        (date(2030, 1, 1), "2023"),
    ],
)
def test_find_policy_picks_the_version_in_force_on_the_date(as_of: date, version: str) -> None:
    policy = find_policy("testville-points", as_of, policies=VERSIONS)
    assert policy.version == version
    result = compute_points_statement(policy, [cert(issued_on=date(2018, 6, 1))], as_of)
    assert result.policy_version == version
    assert result.points == {"2019": 50, "2023": 70}[version]


def test_no_version_in_force_before_the_first_is_a_named_rule_violation() -> None:
    with pytest.raises(DomainRuleViolation) as caught:
        find_policy(SHANGHAI, date(2017, 12, 31))
    assert caught.value.rule == "points-policy-not-in-force"


def test_unknown_policy_id_is_invalid_value() -> None:
    with pytest.raises(InvalidValue, match="unknown points policy"):
        find_policy("atlantis-points", date(2025, 1, 1))


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d.update(format=2), "format"),
        (lambda d: d.update(surprise=1), "unknown fields"),
        (lambda d: d.update(province_code="99"), "province_code"),
        (lambda d: d.update(education_combination="sum"), "education_combination"),
        (lambda d: d["conditions"].append({"kind": "astrology"}), "kind"),
        (
            lambda d: d["conditions"].append({"kind": "issue_date_cutoff", "cutoffs": ["13-01"]}),
            "cutoffs",
        ),
        (lambda d: d.update(points_by_level={"chief": 10}), "chief"),
        (lambda d: d.update(effective_from="2023/01/01"), "effective_from"),
    ],
)
def test_malformed_policy_data_is_refused_with_the_field_named(mutate: Any, field: str) -> None:
    data = copy.deepcopy(_policy_data("x", "2020-01-01", 1))
    mutate(data)
    with pytest.raises(InvalidValue, match=field):
        parse_policy(data, source="bad.json")


# --- properties --------------------------------------------------------------------------------

POLICY_IDS = [SHANGHAI, TIANJIN, GUANGZHOU, BEIJING]

facts = st.builds(
    CertificateFact,
    number=st.from_regex(r"S[0-9]{21}", fullmatch=True),
    occupation_code=st.sampled_from([ELECTRICIAN, CHEF, "6-18-01-01", NOT_LISTED]),
    level=st.sampled_from(list(SkillLevel)),
    issuer_province_code=st.sampled_from(["11", "12", "31", "44", "32"]),
    issued_on=st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 31)),
    status=st.sampled_from(["valid", "valid", "suspended", "revoked"]),
    on_national_query=st.sampled_from([None, True, False]),
)
as_of_dates = st.dates(min_value=date(2022, 1, 1), max_value=date(2026, 12, 31))


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    certificates=st.lists(facts, max_size=6),
    as_of=as_of_dates,
)
def test_property_only_the_highest_single_item_counts(
    policy_id: str, certificates: list[CertificateFact], as_of: date
) -> None:
    policy: PointsPolicy = find_policy(policy_id, as_of)
    together = compute_points_statement(policy, certificates, as_of)
    alone = [compute_points_statement(policy, [fact], as_of).points for fact in certificates]
    assert together.points == max(alone, default=0)
    assert len(together.counted) <= 1


@given(
    policy_id=st.sampled_from(POLICY_IDS),
    certificates=st.lists(facts, max_size=6),
    as_of=as_of_dates,
)
def test_property_revoked_and_suspended_certificates_never_count_nor_change_points(
    policy_id: str, certificates: list[CertificateFact], as_of: date
) -> None:
    policy = find_policy(policy_id, as_of)
    result = compute_points_statement(policy, certificates, as_of)
    assert all(fact.status == "valid" for fact in result.counted)
    valid_only = [fact for fact in certificates if fact.status == "valid"]
    assert compute_points_statement(policy, valid_only, as_of).points == result.points


@given(
    certificates=st.lists(facts, max_size=4),
    education=st.integers(min_value=0, max_value=200),
    as_of=as_of_dates,
)
def test_property_shanghai_points_are_max_of_education_and_skill(
    certificates: list[CertificateFact], education: int, as_of: date
) -> None:
    policy = find_policy(SHANGHAI, as_of)
    skill_only = compute_points_statement(policy, certificates, as_of)
    combined = compute_points_statement(policy, certificates, as_of, education_points=education)
    assert combined.points == max(education, skill_only.points)
