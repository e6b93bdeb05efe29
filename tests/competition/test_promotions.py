"""Promotions (以赛代评) through the ledger: the Tianjin 2024 table case by case, the national
rules, one competition promotion per person per year, approval (核准) and rejection.

Current levels come from the ledger's valid certificates; "promotions this year" from the
ledger's approved competition promotions. Every test runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.certificate import CertificateStatus
from domain.competition import Competition
from domain.errors import DomainRuleViolation
from domain.promotion_rule_sets import NATIONAL_SKILLS_COMPETITION
from domain.promotion_rules import CompetitionTier
from domain.skill_level import SkillLevel
from tests.competition.arena import ADMIN, ORGANISER, Arena, descending
from tests.factories import PRACTICAL_ONLY, WELDER, marking_scheme

CITY_1 = CompetitionTier.PROVINCIAL_1
CITY_2 = CompetitionTier.PROVINCIAL_2
DISTRICT = CompetitionTier.DISTRICT
ENTERPRISE = CompetitionTier.ENTERPRISE_OR_SCHOOL


def outcomes(competition: Competition) -> list[tuple[int, str, str | None]]:
    """(rank, outcome, target level) in rank order."""
    return [
        (r["rank"], r["promotion"]["outcome"], r["promotion"]["target_level"])
        for r in competition.results or ()
    ]


def promotion_of(competition: Competition, worker: UUID) -> dict:
    result = competition.result_of(worker)
    assert result is not None
    return result["promotion"]  # type: ignore[no-any-return]


# -- the Tianjin 2024 table -----------------------------------------------------------------------


def test_city_class_1_top_10_employees_go_to_technician_and_technicians_to_senior(arena: Arena):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(12)
    technician, senior_technician = field[2], field[3]
    arena.certify(technician, SkillLevel.LEVEL_2)
    arena.certify(senior_technician, SkillLevel.LEVEL_1)
    finalised = arena.run(competition, descending(field))
    assert outcomes(finalised) == [
        (1, "proposed", "2"),
        (2, "proposed", "2"),
        (3, "proposed", "1"),  # already 技师 → 高级技师
        (4, "no_higher_level", None),  # already 高级技师
        (5, "proposed", "2"),
        (6, "proposed", "2"),
        (7, "proposed", "2"),
        (8, "proposed", "2"),
        (9, "proposed", "2"),
        (10, "proposed", "2"),
        (11, "not_qualified", None),
        (12, "not_qualified", None),
    ]
    assert promotion_of(finalised, technician)["current_level"] == "2"
    assert promotion_of(finalised, technician)["rule_id"] == (
        "tianjin-2024/city-1-top-10-employees"
    )
    assert set(finalised.proposals) == {str(w) for w in field[:10] if w != senior_technician}


def test_city_class_1_top_10_students_go_to_senior_worker(arena: Arena):
    competition = arena.announce(CITY_1)
    students = [arena.worker(employed=False) for _ in range(11)]
    finalised = arena.run(competition, students=descending(students))
    assert outcomes(finalised) == [(rank, "proposed", "3") for rank in range(1, 11)] + [
        (11, "not_qualified", None)
    ]
    assert promotion_of(finalised, students[0])["rule_id"] == (
        "tianjin-2024/city-1-top-10-students"
    )


@pytest.mark.parametrize("tier", [CITY_2, DISTRICT])
def test_city_class_2_or_district_top_6(arena: Arena, tier: CompetitionTier):
    competition = arena.announce(tier, separate_groups=True)
    employees = arena.ranked_field(7)
    arena.certify(employees[1], SkillLevel.LEVEL_3)  # 高级工 → 技师
    arena.certify(employees[2], SkillLevel.LEVEL_4)  # 中级工 → 高级工
    students = [arena.worker(employed=False) for _ in range(7)]
    finalised = arena.run(competition, descending(employees), descending(students))
    by_group: dict[str, list] = {"employee": [], "student": []}
    for result in finalised.results or ():
        promotion = result["promotion"]
        by_group[result["group"]].append((result["rank"], promotion["target_level"]))
    assert by_group["employee"] == [
        (1, "3"),
        (2, "2"),
        (3, "3"),
        (4, "3"),
        (5, "3"),
        (6, "3"),
        (7, None),
    ]
    assert by_group["student"] == [(rank, "4") for rank in range(1, 7)] + [(7, None)]


def test_enterprise_or_school_top_30_percent_of_employees(arena: Arena):
    competition = arena.announce(ENTERPRISE)
    field = arena.ranked_field(10)
    arena.certify(field[1], SkillLevel.LEVEL_4)  # 中级工 → 高级工
    finalised = arena.run(competition, descending(field))
    assert outcomes(finalised)[:5] == [
        (1, "proposed", "4"),
        (2, "proposed", "3"),
        (3, "proposed", "4"),
        (4, "not_qualified", None),  # 4 of 10 is outside the top 30%
        (5, "not_qualified", None),
    ]


def test_a_second_competition_promotion_in_the_same_year_is_refused(arena: Arena):
    worker = arena.worker("刘师傅")
    first = arena.announce(DISTRICT)
    arena.run(first, descending([worker, *arena.ranked_field(2)]))
    arena.ledger.competitions.approve_promotion(first, worker, actor=ADMIN)
    assert (
        arena.ledger.competitions.current_level(arena.ledger.worker(worker), WELDER)
        is SkillLevel.LEVEL_3
    )

    again = arena.announce(DISTRICT)
    finalised = arena.run(again, descending([worker, *arena.ranked_field(2)]))
    promotion = promotion_of(finalised, worker)
    assert promotion["outcome"] == "yearly_limit_reached"
    assert promotion["rule_id"] == "tianjin-2024/yearly-limit"
    assert promotion["promotions_granted_this_year"] == 1
    assert "技师" in promotion["explanation"]  # names the level that was blocked
    assert str(worker) not in finalised.proposals

    next_year = arena.announce(DISTRICT, year=2026)
    finalised = arena.run(next_year, descending([worker, *arena.ranked_field(2)]))
    assert promotion_of(finalised, worker)["target_level"] == "2"  # 高级工 → 技师


def test_approval_asks_again_so_a_promotion_granted_meanwhile_caps_the_other(arena: Arena):
    worker = arena.worker()
    first, second = arena.announce(DISTRICT), arena.announce(CITY_2)
    for competition in (first, second):
        arena.run(competition, descending([worker, *arena.ranked_field(2)]))
    assert str(worker) in arena.ledger.competition(second).proposals
    arena.ledger.competitions.approve_promotion(first, worker, actor=ADMIN)
    with pytest.raises(DomainRuleViolation) as capped:
        arena.ledger.competitions.approve_promotion(second, worker, actor=ADMIN)
    assert capped.value.rule == "competition-promotion-yearly-limit"
    arena.ledger.competitions.reject_promotion(
        second, worker, reason="同一年内因参加竞赛只能晋升一次", actor=ADMIN
    )
    proposal = arena.ledger.competition(second).proposals[str(worker)]
    assert proposal["status"] == "rejected" and proposal["decided_by"] == ADMIN


def test_a_revoked_competition_promotion_does_not_use_up_the_year(arena: Arena):
    worker = arena.worker()
    first, second = arena.announce(DISTRICT), arena.announce(DISTRICT)
    for competition in (first, second):
        arena.run(competition, descending([worker, *arena.ranked_field(2)]))
    arena.ledger.competitions.approve_promotion(first, worker, actor=ADMIN)
    number = arena.ledger.competition(first).proposals[str(worker)]["certificate_number"]
    arena.ledger.certificates.change_certificate_status(
        number, "revoke", actor=ADMIN, reason="比赛成绩作假 (results falsified)"
    )
    arena.ledger.competitions.approve_promotion(second, worker, actor=ADMIN)
    assert (
        arena.ledger.competitions.current_level(arena.ledger.worker(worker), WELDER)
        is SkillLevel.LEVEL_3
    )


# -- the national rules ---------------------------------------------------------------------


def test_national_skills_competition_excellence_or_better_goes_to_technician(arena: Arena):
    competition = arena.announce(
        CompetitionTier.NATIONAL_1, rule_set="national-2023", programme=NATIONAL_SKILLS_COMPETITION
    )
    field = arena.ranked_field(10)
    arena.certify(field[0], SkillLevel.LEVEL_2)
    arena.certify(field[1], SkillLevel.LEVEL_3)
    finalised = arena.run(competition, descending(field))
    assert outcomes(finalised)[:7] == [
        (1, "proposed", "1"),  # 技师 → 高级技师
        (2, "proposed", "2"),
        (3, "proposed", "2"),
        (4, "proposed", "2"),
        (5, "proposed", "2"),  # 优胜奖 (5 <= 10 / 2)
        (6, "not_qualified", None),
        (7, "not_qualified", None),
    ]
    first = promotion_of(finalised, field[0])
    assert first["honour_titles"] == ["全国技术能手"]  # also national class I top 5
    assert promotion_of(finalised, field[5])["honour_titles"] == []


def test_national_class_2_top_3_employees_one_level_up_needs_a_current_level(arena: Arena):
    competition = arena.announce(CompetitionTier.NATIONAL_2, rule_set="national-2023")
    field = arena.ranked_field(4)
    arena.certify(field[1], SkillLevel.LEVEL_4)
    finalised = arena.run(competition, descending(field))
    assert outcomes(finalised) == [
        (1, "needs_current_level", None),
        (2, "proposed", "3"),
        (3, "needs_current_level", None),
        (4, "not_qualified", None),
    ]
    assert promotion_of(finalised, field[0])["honour_titles"] == ["全国技术能手"]


# -- approval (核准) and rejection ------------------------------------------------------------


def test_approval_issues_the_certificate_from_the_issuing_body_with_the_competition_basis(
    arena: Arena,
):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(3)
    arena.certify(field[0], SkillLevel.LEVEL_2)  # a 技师 promoted to 高级技师
    arena.run(competition, descending(field))
    recorded = arena.ledger.competitions.approve_promotion(
        competition, field[0], actor=ADMIN, note="人社局 2025 第12号"
    )
    proposal = recorded.aggregate.proposals[str(field[0])]
    assert proposal["status"] == "approved" and proposal["note"] == "人社局 2025 第12号"
    certificate = arena.ledger.certificate(proposal["certificate_number"])
    assert certificate.level is SkillLevel.LEVEL_1
    assert certificate.issuer_id == arena.body
    assert certificate.worker_id == field[0]
    assert certificate.occupation_code == WELDER
    assert certificate.status is CertificateStatus.VALID
    basis = certificate.basis
    assert basis["kind"] == "competition"
    assert basis["reference"] == str(competition)
    assert basis["bypass"] == "competition_promotion"
    assert "rank 1 of 3" in basis["evidence"]
    assert "tianjin-2024/city-1-top-10-employees" in basis["evidence"]
    assert ADMIN in basis["evidence"]
    held = arena.ledger.workers.held_levels(arena.ledger.worker(field[0]), WELDER)
    assert max(held) is SkillLevel.LEVEL_1
    # the approval, the certificate and the worker's record came in one save
    positions = {
        stored.topic: stored
        for stored in arena.ledger.recorder.select_notifications(start=1, limit=100000)
        if stored.originator_id in (competition, certificate.id, field[0])
    }
    approved = positions["craftledger:Competition.PromotionApproved"].id
    issued = positions["craftledger:Certificate.Issued"].id
    assert recorded.position is not None and abs(approved - issued) < 10
    assert recorded.position >= max(approved, issued)
    # the certificate has its credential's status list entries
    assert arena.ledger.credentials.allocation_of(arena.body, certificate.number) is not None


def test_an_approval_that_cannot_issue_records_nothing(arena: Arena):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(2)
    arena.run(competition, descending(field))
    arena.ledger.organisations.change_organisation_status(
        arena.body, "suspend", actor=ADMIN, reason="质量督导: 考评记录待核实"
    )
    version = arena.ledger.competition(competition).version
    with pytest.raises(DomainRuleViolation) as refused:
        arena.ledger.competitions.approve_promotion(competition, field[0], actor=ADMIN)
    assert refused.value.rule == "issuer-suspended"
    after = arena.ledger.competition(competition)
    assert after.version == version
    assert after.proposals[str(field[0])]["status"] == "proposed"
    assert arena.ledger.worker(field[0]).certificates == {}


def test_rejection_needs_a_reason_and_decides_the_proposal(arena: Arena):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(3)
    with pytest.raises(DomainRuleViolation) as early:
        arena.ledger.competitions.approve_promotion(competition, field[0], actor=ADMIN)
    assert early.value.rule == "results-not-final"
    arena.run(competition, descending(field))
    with pytest.raises(DomainRuleViolation) as silent:
        arena.ledger.competitions.reject_promotion(competition, field[0], reason=" ", actor=ADMIN)
    assert silent.value.rule == "reason-required"
    arena.ledger.competitions.reject_promotion(
        competition, field[0], reason="参赛资格不符 (not eligible to enter)", actor=ADMIN
    )
    for attempt in (
        lambda: arena.ledger.competitions.approve_promotion(competition, field[0], actor=ADMIN),
        lambda: arena.ledger.competitions.reject_promotion(
            competition, field[0], reason="x", actor=ADMIN
        ),
    ):
        with pytest.raises(DomainRuleViolation) as decided:
            attempt()
        assert decided.value.rule == "proposal-decided"
    assert arena.ledger.worker(field[0]).certificates == {}
    stranger = arena.worker()
    with pytest.raises(DomainRuleViolation) as none:
        arena.ledger.competitions.approve_promotion(competition, stranger, actor=ADMIN)
    assert none.value.rule == "no-such-proposal"


def test_a_level_gained_since_finalisation_makes_the_proposal_outdated(arena: Arena):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(2)
    arena.run(competition, descending(field))
    arena.certify(field[0], SkillLevel.LEVEL_2)  # 技师 reached another way meanwhile
    with pytest.raises(DomainRuleViolation) as outdated:
        arena.ledger.competitions.approve_promotion(competition, field[0], actor=ADMIN)
    assert outdated.value.rule == "proposal-outdated"
    assert "高级技师" in outdated.value.detail


def test_approving_every_pending_proposal_at_once(arena: Arena):
    competition = arena.announce(CITY_1)
    field = arena.ranked_field(5)
    arena.certify(field[4], SkillLevel.LEVEL_2)
    arena.run(competition, descending(field))
    arena.ledger.competitions.reject_promotion(
        competition, field[1], reason="材料不全", actor=ADMIN
    )
    arena.ledger.competitions.approve_promotions(competition, actor=ADMIN)
    proposals = arena.ledger.competition(competition).proposals
    statuses = [proposals[str(w)]["status"] for w in field]
    assert statuses == ["approved", "rejected", "approved", "approved", "approved"]
    numbers = sorted(proposals[str(w)]["certificate_number"] for w in field if w != field[1])
    levels = [arena.ledger.certificate(n).level_code for n in numbers]
    assert sorted(levels) == ["1", "2", "2", "2"]
    serials = sorted(int(n[-6:]) for n in numbers if n[15] == "2")
    assert serials == list(range(serials[0], serials[0] + 3))  # one gap-free allocation


def test_announcement_rules_for_promoting_competitions(arena: Arena):
    with pytest.raises(DomainRuleViolation) as no_body:
        arena.ledger.competitions.announce_competition(
            organiser_id=arena.union,
            reference="TJ-no-body",
            name="无发证机构的竞赛",
            tier=CITY_1,
            occupation_code=WELDER,
            exam_level="3",
            year=2025,
            region="天津市",
            issuing_body_id=None,
            marking_scheme=marking_scheme(max_spread=None, components=PRACTICAL_ONLY),
            promotion_rule_set="tianjin-2024",
            actor=ORGANISER,
        )
    assert no_body.value.rule == "promotion-needs-issuing-body"
    with pytest.raises(DomainRuleViolation) as early:
        arena.announce(CITY_1, year=2023)  # tianjin-2024 takes effect 2024-10-25
    assert early.value.rule == "rule-set-not-in-force"
    arena.announce(CITY_1, year=2023, rule_set="tianjin-2021")


@pytest.mark.parametrize(
    ("tier", "rule_set", "programme"),
    [
        (DISTRICT, "national-2023", None),  # the hole: accepted, then proposed nobody
        (CompetitionTier.WORLD, "national-2023", None),
        (CompetitionTier.NATIONAL_1, "tianjin-2024", None),
        (ENTERPRISE, "tianjin-2021", None),  # 2021 has no enterprise or school rule
    ],
)
def test_a_rule_set_that_does_not_cover_the_tier_is_refused_at_announcement(
    arena: Arena, tier: CompetitionTier, rule_set: str, programme: str | None
):
    with pytest.raises(DomainRuleViolation) as refused:
        arena.announce(tier, rule_set=rule_set, programme=programme)
    assert refused.value.rule == "rule-set-does-not-cover-tier"
    assert rule_set in str(refused.value) and tier.value in str(refused.value)


def test_a_tier_covered_only_through_a_programme_needs_that_programme():
    from domain.promotion_rule_sets import find_rule_set

    national = find_rule_set("national-2023")
    assert national.covers_tier(CompetitionTier.NATIONAL_1, None)  # top 5 employees
    assert national.covers_tier(CompetitionTier.NATIONAL_1, NATIONAL_SKILLS_COMPETITION)
    assert not national.covers_tier(DISTRICT, NATIONAL_SKILLS_COMPETITION)
    assert national.tiers_covered() == ["national_1", "national_2"]
    assert find_rule_set("tianjin-2024").tiers_covered() == [
        "provincial_1",
        "provincial_2",
        "district",
        "enterprise_or_school",
    ]
