"""Judging panels (裁判组), judges' submissions (提交) and the provisional board's visibility,
through the ledger (SQLite and PostgreSQL, the ``ledger`` fixture) and through the domain alone.

The contract (``CONTRACT-20``): a component with a panel accepts marks from its judges only and
is complete when every one of them has marked; a judge submits once they have marked every
active entrant, and their later marks are refused; the organiser chooses who sees the
provisional board.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.competition import MarkEntry
from domain.competition_marks import MarkBook
from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import MarkingScheme
from tests.competition.arena import JUDGES, ORGANISER, SCHEME, Arena
from tests.competition.scenario import AT
from tests.factories import WELDER

PANEL = [
    {"name": JUDGES[0], "login": "jia@example.cn"},
    {"name": JUDGES[1], "login": "13800138000"},
    {"name": JUDGES[2]},
]


def assign(
    arena: Arena, competition: UUID, judges: list[dict[str, Any]], component: str = "practical"
) -> None:
    arena.ledger.competitions.assign_judges(
        competition, component=component, judges=judges, actor=ORGANISER
    )


def mark(
    arena: Arena,
    competition: UUID,
    worker: UUID,
    judge: str,
    value: str = "80",
    component: str = "practical",
) -> None:
    arena.ledger.competitions.record_mark(
        competition, worker_id=worker, component=component, judge=judge, mark=value, actor=ORGANISER
    )


def refused(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(DomainRuleViolation) as excinfo:
        call(*args, **kwargs)
    return excinfo.value.rule


# -- panels ---------------------------------------------------------------------------------------


def test_a_panel_names_its_judges_and_the_logins_that_mark_under_them(arena: Arena):
    competition = arena.announce()
    assign(arena, competition, PANEL)
    loaded = arena.ledger.competition(competition)
    assert loaded.panels == {
        "practical": [
            {"name": JUDGES[0], "login": "jia@example.cn"},
            {"name": JUDGES[1], "login": "13800138000"},
            {"name": JUDGES[2], "login": None},
        ]
    }
    assert loaded.panel_judge("practical", "jia@example.cn") == JUDGES[0]
    assert loaded.panel_judge("theory", "jia@example.cn") is None
    assert loaded.panel_judge("practical", "nobody@example.cn") is None
    assert loaded.components_of("13800138000") == ["practical"]
    assign(
        arena,
        competition,
        PANEL[:1] + PANEL[2:] + [{"name": "judge-丁", "login": "13800138000"}],
        "theory",
    )
    assert arena.ledger.competition(competition).components_of("13800138000") == [
        "practical",
        "theory",
    ]


def test_a_panel_is_refused_with_the_rule_it_breaks(arena: Arena):
    competition = arena.announce()  # a trimmed mean: three judges at least
    assign_judges = arena.ledger.competitions.assign_judges
    twice = [*PANEL, {"name": JUDGES[0]}]
    assert (
        refused(assign_judges, competition, component="practical", judges=twice, actor=ORGANISER)
        == "duplicate-judge"
    )
    same_login = [*PANEL[:2], {"name": "judge-丁", "login": "jia@example.cn"}]
    assert (
        refused(
            assign_judges, competition, component="practical", judges=same_login, actor=ORGANISER
        )
        == "duplicate-judge"
    )
    assert (
        refused(
            assign_judges, competition, component="practical", judges=PANEL[:2], actor=ORGANISER
        )
        == "panel-too-small"
    )
    with pytest.raises(InvalidValue):
        assign(arena, competition, [*PANEL[:2], {"name": "judge-丁", "login": "not a login"}])
    with pytest.raises(InvalidValue):
        assign(arena, competition, PANEL, component="oral")


def test_a_judge_who_has_marked_stays_on_the_panel_and_a_locked_panel_stays(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    assign(arena, competition, PANEL)
    mark(arena, competition, worker, JUDGES[0])
    others = [PANEL[1], PANEL[2], {"name": "judge-丁"}]
    rule = refused(
        arena.ledger.competitions.assign_judges,
        competition,
        component="practical",
        judges=others,
        actor=ORGANISER,
    )
    assert rule == "judge-has-marks"
    assign(arena, competition, [*PANEL, {"name": "judge-丁"}])  # adding is fine
    for judge in (JUDGES[1], JUDGES[2], "judge-丁"):
        mark(arena, competition, worker, judge)
    arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    rule = refused(
        arena.ledger.competitions.assign_judges,
        competition,
        component="practical",
        judges=[*PANEL, {"name": "judge-丁"}],
        actor=ORGANISER,
    )
    assert rule == "component-locked"


def test_marks_written_before_the_panel_keep_their_judges_on_it(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    mark(arena, competition, worker, "judge-戊")
    rule = refused(
        arena.ledger.competitions.assign_judges,
        competition,
        component="practical",
        judges=PANEL,
        actor=ORGANISER,
    )
    assert rule == "judge-has-marks"


def test_only_the_panels_judges_mark_and_completeness_waits_for_all_of_them(arena: Arena):
    competition = arena.announce()
    first, second = arena.worker(), arena.worker()
    arena.enter(competition, [first, second])
    assign(arena, competition, [*PANEL, {"name": "judge-丁"}])  # four judges
    assert refused(mark, arena, competition, first, "judge-戊") == "judge-not-assigned"
    for worker in (first, second):
        for judge in JUDGES:  # three of four: enough for a trimmed mean, not for the panel
            mark(arena, competition, worker, judge)
    book = arena.ledger.competition(competition).mark_book()
    assert not book.is_complete(str(first), "practical")
    rule = refused(
        arena.ledger.competitions.lock_component, competition, "practical", actor=ORGANISER
    )
    assert rule == "marks-incomplete"
    mark(arena, competition, first, "judge-丁")
    with pytest.raises(DomainRuleViolation) as short:
        arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    assert "entrant(s) 2 " in short.value.detail and "judge-丁" in short.value.detail
    mark(arena, competition, second, "judge-丁")
    arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    # theory has no panel: three judges of a trimmed mean are enough, anyone may mark it
    for worker in (first, second):
        for judge in ("judge-戊", "judge-己", "judge-庚"):
            mark(arena, competition, worker, judge, component="theory")
    arena.ledger.competitions.lock_component(competition, "theory", actor=ORGANISER)


# -- submissions -------------------------------------------------------------------------------


def test_a_judge_submits_once_every_active_entrant_is_marked_and_then_marks_no_more(arena: Arena):
    competition = arena.announce()
    first, second, gone = arena.worker(), arena.worker(), arena.worker()
    arena.enter(competition, [first, second, gone])
    assign(arena, competition, PANEL)
    submit = arena.ledger.competitions.submit_marks
    mark(arena, competition, first, JUDGES[0], "80")
    with pytest.raises(DomainRuleViolation) as incomplete:
        submit(competition, component="practical", judge=JUDGES[0], actor="judge")
    assert incomplete.value.rule == "judge-marks-incomplete"
    assert "2, 3" in incomplete.value.detail
    arena.ledger.competitions.withdraw_entrant(competition, gone, reason="缺考", actor=ORGANISER)
    mark(arena, competition, second, JUDGES[0], "85")
    assert (
        refused(submit, competition, component="practical", judge="judge-戊", actor="judge")
        == "judge-not-assigned"
    )
    submit(competition, component="practical", judge=JUDGES[0], actor="judge")
    loaded = arena.ledger.competition(competition)
    assert set(loaded.submitted) == {"practical"} and set(loaded.submitted["practical"]) == {
        JUDGES[0]
    }
    assert (
        refused(submit, competition, component="practical", judge=JUDGES[0], actor="judge")
        == "marks-already-submitted"
    )
    # a correction (by the organiser, with a reason) still works; a new mark does not
    arena.correct(competition, first, "practical", JUDGES[0], "82", "录入错误")
    assert arena.ledger.competition(competition).component_marks(first, "practical") == {
        JUDGES[0]: "82"
    }


def test_a_late_entrant_can_still_be_marked_by_a_judge_who_submitted(arena: Arena):
    competition = arena.announce()
    first = arena.worker()
    arena.enter(competition, [first])
    assign(arena, competition, PANEL)
    mark(arena, competition, first, JUDGES[0])
    arena.ledger.competitions.submit_marks(
        competition, component="practical", judge=JUDGES[0], actor="judge"
    )
    late = arena.worker()
    arena.enter(competition, [late])
    mark(arena, competition, late, JUDGES[0])  # not on the sheet the judge submitted
    assert refused(mark, arena, competition, first, JUDGES[0], "90") == "marks-submitted"


def test_marks_after_submission_are_refused(arena: Arena):
    competition = arena.announce()
    first, second = arena.worker(), arena.worker()
    arena.enter(competition, [first])
    assign(arena, competition, PANEL)
    mark(arena, competition, first, JUDGES[0])
    competition_now = arena.ledger.competition(competition)
    competition_now.submit_marks(component="practical", judge=JUDGES[0], at=AT, actor="judge")
    competition_now.register_entrant(
        worker_id=second,
        name="迟到者",
        entrant_kind="employee",
        employer_id=None,
        employer_name="x",
        at=AT.replace(year=2024),  # registered before the submission
        actor=ORGANISER,
    )
    with pytest.raises(DomainRuleViolation) as submitted:
        competition_now.record_marks(
            [MarkEntry(second, "practical", JUDGES[0], "80")], at=AT, actor="x"
        )
    assert submitted.value.rule == "marks-submitted"


# -- board visibility --------------------------------------------------------------------------


def test_the_provisional_board_is_public_after_lock_unless_the_organiser_chooses(arena: Arena):
    competition = arena.announce()
    assert arena.ledger.competition(competition).provisional_board == "public-after-lock"
    choose = arena.ledger.competitions.choose_board_visibility
    choose(competition, visibility="private", actor=ORGANISER)
    assert arena.ledger.competition(competition).provisional_board == "private"
    assert (
        refused(choose, competition, visibility="private", actor=ORGANISER)
        == "visibility-unchanged"
    )
    with pytest.raises(InvalidValue) as bad:
        choose(competition, visibility="everyone", actor=ORGANISER)
    assert bad.value.field == "visibility"
    chosen = arena.ledger.competitions.announce_competition(
        organiser_id=arena.union,
        reference="TJ-public-board",
        name="公开成绩榜的竞赛",
        tier="provincial_1",
        occupation_code=WELDER,
        exam_level="3",
        year=2025,
        region="天津市",
        issuing_body_id=None,
        marking_scheme=arena.ledger.competition(competition).marking_scheme,
        actor=ORGANISER,
        provisional_board="public",
    ).aggregate
    assert chosen.provisional_board == "public"


# -- the domain alone ------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    panel_size=st.integers(min_value=3, max_value=6),
    marked=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5)), max_size=30),
)
def test_complete_exactly_when_every_panel_judge_has_marked(
    panel_size: int, marked: list[tuple[int, int]]
) -> None:
    """A property: the lock's completeness (and the leaderboard's, through the same rule)
    holds exactly when every panel judge has marked the entrant."""
    judges = [f"裁判{i}" for i in range(panel_size)]
    panel = [{"name": name, "login": None} for name in judges]
    marks: dict[str, dict[str, dict[str, str]]] = {}
    for entrant, judge in marked:
        if judge < panel_size:
            marks.setdefault(f"w{entrant}", {}).setdefault("practical", {})[judges[judge]] = "80"
    book = MarkBook(MarkingScheme.from_dict(SCHEME), marks, {}, {}, {"practical": panel})
    for entrant in ("w0", "w1", "w2"):
        given_by = set(marks.get(entrant, {}).get("practical", {}))
        assert book.is_complete(entrant, "practical") == (given_by == set(judges))
    active = [{"worker_id": f"w{i}", "entrant_number": i + 1} for i in range(3)]
    everyone = all(book.is_complete(e["worker_id"], "practical") for e in active)
    if everyone:
        book.check_lock("practical", active, "c")
    else:
        with pytest.raises(DomainRuleViolation) as short:
            book.check_lock("practical", active, "c")
        assert short.value.rule == "marks-incomplete"
