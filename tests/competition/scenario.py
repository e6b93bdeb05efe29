"""One competition that produces every ``Competition`` event, through the domain alone.

Used by the event round-trip test (``tests/integration/test_event_roundtrip.py``), which needs
one of every event the aggregates define.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid5

from domain.competition import Competition, MarkEntry
from domain.organisation import Organisation
from domain.promotion_rules import CompetitionTier
from domain.skill_level import SkillLevel
from tests.factories.marking import marking_scheme

AT = datetime(2025, 5, 1, tzinfo=UTC)
SCHEME = marking_scheme("trimmed")


def announced_competition(
    organiser: Organisation, body: Organisation, reference: str = "C-every-event"
) -> Competition:
    """A district 电工 competition under the Tianjin 2024 rules, just announced, with ``body``
    (filed for 6-31-01-03) issuing its promotions."""
    return Competition.announce(
        organiser=organiser,
        reference=reference,
        name="技术比武",
        tier=CompetitionTier.DISTRICT,
        occupation_code="6-31-01-03",
        exam_level="3",
        year=2025,
        region="110105",
        issuing_body=body,
        marking_scheme=SCHEME,
        promotion_rule_set="tianjin-2024",
        actor="a",
    )


def competition_with_every_event(organiser: Organisation, body: Organisation) -> Competition:
    """Announced, entrants registered and one withdrawn, a judging panel assigned, marks
    recorded, submitted, corrected and reviewed, the board's visibility chosen, a finish time,
    both components locked, finalised with two proposals, one approved and one rejected.
    ``body`` must be filed for 6-31-01-03 (电工)."""
    competition = announced_competition(organiser, body)
    first, second, third = (uuid5(organiser.id, name) for name in ("w1", "w2", "w3"))
    for worker in (first, second, third):
        competition.register_entrant(
            worker_id=worker,
            name="选手",
            entrant_kind="employee",
            employer_id=None,
            employer_name="北京链家",
            at=AT,
            actor="a",
        )
    competition.withdraw_entrant(third, reason="缺考", at=AT, actor="a")
    competition.assign_judges(
        component="practical",
        judges=[{"name": "甲", "login": "judge-jia@example.cn"}, {"name": "乙"}, {"name": "丙"}],
        at=AT,
        actor="a",
    )
    marks = {first: ("90", "80"), second: ("85", "70")}
    competition.record_marks(
        [
            MarkEntry(worker, component, judge, mark)
            for worker, pair in marks.items()
            for component, mark in zip(("practical", "theory"), pair, strict=True)
            for judge in ("甲", "乙", "丙")
        ],
        at=AT,
        actor="a",
    )
    competition.submit_marks(component="practical", judge="甲", at=AT, actor="judge")
    competition.choose_board_visibility(visibility="public", at=AT, actor="a")
    competition.correct_mark(
        worker_id=second,
        component="theory",
        judge="丙",
        mark="95",
        reason="录入错误",
        at=AT,
        actor="a",
    )
    competition.review_spread(
        worker_id=second, component="theory", note="复核: 评分有据", at=AT, actor="a"
    )
    competition.record_finish_time(worker_id=first, finished_at=AT, reason=None, at=AT, actor="a")
    for component in ("practical", "theory"):
        competition.lock_component(component, at=AT, actor="a")
    standings = competition.standings()
    candidates = competition.promotion_candidates(standings)
    competition.finalise(
        standings,
        current_levels=dict.fromkeys(candidates),
        promotions_granted=dict.fromkeys(candidates, 0),
        at=AT,
        actor="a",
    )
    competition.submit_proposals(at=AT, actor="organiser")
    competition.approve_promotion(
        first,
        level=SkillLevel.LEVEL_3,
        certificate_number="Y000011000001253000001",
        note="",
        at=AT,
        actor="admin",
    )
    competition.reject_promotion(second, reason="材料不全", at=AT, actor="admin")
    return competition
