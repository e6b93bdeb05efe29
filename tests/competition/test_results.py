"""Results through the ledger: tie-breaks end to end, awards, standardised scores, finality.

Every test runs on a SQLite file and on a PostgreSQL schema (the ``ledger`` fixture).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

import domain.competition_promotions
import domain.competition_results
from domain.competition import MarkEntry
from domain.errors import DomainRuleViolation, InvalidValue
from domain.promotion_rules import CompetitionTier
from service.ledger import Ledger
from tests.competition.arena import JUDGES, ORGANISER, Arena, descending


def by_worker(results: list[dict]) -> dict[str, dict]:
    return {result["worker_id"]: result for result in results}


def test_ties_are_broken_by_practical_then_theory_then_earlier_finish(arena: Arena):
    """Six entrants, all with total 85.00: the stated order decides, and two who match on
    everything share a rank (1, 2, 3, 4, 5, 5)."""
    competition = arena.announce(
        tie_breaks={"components": ["practical", "theory"], "earlier_finish": True}
    )
    a, b, c, d, e, f = (arena.worker(name) for name in "甲乙丙丁戊己")
    marks = {  # 0.7 * practical + 0.3 * theory = 85 for everyone
        a: ("88", "78"),
        b: ("85", "85"),
        c: ("85", "85"),
        d: ("85", "85"),
        e: ("82", "92"),
        f: ("82", "92"),
    }
    arena.enter(competition, marks)
    arena.mark(competition, marks)
    nine = datetime(2025, 6, 1, 9, tzinfo=UTC)
    for worker, minute in ((b, 50), (c, 40), (e, 30), (f, 30)):
        arena.ledger.competitions.record_finish_time(
            competition, worker_id=worker, finished_at=nine.replace(minute=minute), actor="t"
        )
    # a finish time recorded wrongly is replaced with a reason
    with pytest.raises(DomainRuleViolation) as silent:
        arena.ledger.competitions.record_finish_time(
            competition, worker_id=b, finished_at=nine.replace(minute=45), actor="t"
        )
    assert silent.value.rule == "reason-required"
    arena.ledger.competitions.record_finish_time(
        competition,
        worker_id=b,
        finished_at=nine.replace(minute=45),
        reason="timekeeper's sheet",
        actor="t",
    )
    arena.lock(competition)
    arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
    results = arena.ledger.competition(competition).results
    assert results is not None
    table = [(arena.names[UUID(r["worker_id"])], r["rank"], r["separated_by"]) for r in results]
    assert table[:4] == [
        ("甲", 1, None),  # practical 88 is highest
        ("丙", 2, "component:practical"),  # 85/85: c finished 9:40
        ("乙", 3, "finish_time"),  # 9:45
        ("丁", 4, "finish_time"),  # no finish time recorded comes last
    ]
    # 戊 and 己: 82 and 82, same theory, same finish: tied at 5 (listed by id)
    assert {name for name, _, _ in table[4:]} == {"戊", "己"}
    assert [rank for _, rank, _ in table[4:]] == [5, 5]
    assert [separated for _, _, separated in table[4:]] == ["component:practical", None]
    assert all(r["total"] == "85.00" for r in results)
    assert [r["tied"] for r in results] == [False, False, False, False, True, True]


@pytest.mark.parametrize(
    ("entrants", "awards"),
    [
        (10, ["gold", "silver", "bronze", "excellence", "excellence"] + [None] * 5),
        (9, ["gold", "silver", "bronze", "excellence"] + [None] * 5),
        (7, ["gold", "silver", "bronze"] + [None] * 4),
        (2, ["gold", "silver"]),
    ],
)
def test_medals_for_the_top_three_and_excellence_within_the_top_half(
    arena: Arena, entrants: int, awards: list[str | None]
):
    competition = arena.announce(rule_set=None)
    field = arena.ranked_field(entrants)
    finalised = arena.run(competition, descending(field))
    assert [r["award"] for r in finalised.results or ()] == awards
    assert [r["rank"] for r in finalised.results or ()] == list(range(1, entrants + 1))
    assert [r["worker_id"] for r in finalised.awards()] == [
        str(w) for w, award in zip(field, awards, strict=True) if award
    ]


def test_a_tie_at_the_top_shares_gold_and_nobody_gets_silver(arena: Arena):
    competition = arena.announce(rule_set=None)
    first, second, third, fourth = arena.ranked_field(4)
    finalised = arena.run(
        competition, {first: (90, 90), second: (90, 90), third: (80, 80), fourth: (70, 70)}
    )
    assert [(r["rank"], r["award"]) for r in finalised.results or ()] == [
        (1, "gold"),
        (1, "gold"),
        (3, "bronze"),
        (4, None),
    ]


def test_standardised_scores_put_the_median_at_700_beside_the_raw_total(arena: Arena):
    competition = arena.announce(rule_set=None)
    field = arena.ranked_field(5)
    finalised = arena.run(competition, descending(field, top=90))  # totals 90, 89, ..., 86
    results = finalised.results or []
    assert [r["total"] for r in results] == ["90.00", "89.00", "88.00", "87.00", "86.00"]
    standardised = [r["standardised"] for r in results]
    assert standardised[2] == 700  # the median
    assert standardised == sorted(standardised, reverse=True)
    assert standardised[0] - 700 == 700 - standardised[4]  # symmetric field
    assert finalised.groups == [
        {
            "group": "all",
            "entrant_count": 5,
            "scale": {
                "median": "88.00",
                "standard_deviation": finalised.groups[0]["scale"]["standard_deviation"],
            },
        }
    ]
    assert finalised.groups[0]["scale"]["standard_deviation"].startswith("1.414213562")


def test_employees_and_students_ranked_apart_each_get_their_own_medals(arena: Arena):
    competition = arena.announce(rule_set=None, separate_groups=True)
    employees = arena.ranked_field(3)
    students = [arena.worker(employed=False) for _ in range(2)]
    finalised = arena.run(competition, descending(employees, top=80), descending(students, top=95))
    table = [(r["group"], r["rank"], r["award"], r["group_size"]) for r in finalised.results or ()]
    assert table == [
        ("employee", 1, "gold", 3),
        ("employee", 2, "silver", 3),
        ("employee", 3, "bronze", 3),
        ("student", 1, "gold", 2),
        ("student", 2, "silver", 2),
    ]


def test_finalising_needs_every_component_locked_and_happens_once(arena: Arena):
    competition = arena.announce()
    worker = arena.worker()
    arena.enter(competition, [worker])
    arena.mark(competition, {worker: (80, 80)})
    arena.ledger.competitions.lock_component(competition, "practical", actor=ORGANISER)
    with pytest.raises(DomainRuleViolation) as early:
        arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
    assert early.value.rule == "components-not-locked"
    assert "theory" in early.value.detail
    arena.ledger.competitions.lock_component(competition, "theory", actor=ORGANISER)
    arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
    for attempt in (
        lambda: arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER),
        lambda: arena.ledger.competitions.withdraw_entrant(
            competition, worker, reason="late", actor="t"
        ),
        lambda: arena.ledger.competitions.record_finish_time(
            competition, worker_id=worker, finished_at=datetime.now(UTC), actor="t"
        ),
    ):
        with pytest.raises(DomainRuleViolation) as final:
            attempt()
        assert final.value.rule == "results-final"


def test_stored_results_never_change_when_the_ranking_code_changes(
    arena: Arena, make_ledger, clock, monkeypatch: pytest.MonkeyPatch
):
    competition = arena.announce()
    field = arena.ranked_field(4)
    published = arena.run(competition, descending(field)).results

    def broken(*args: object, **kwargs: object) -> object:
        raise AssertionError("results must be read from the event, not recomputed")

    monkeypatch.setattr(domain.competition_results, "rank_entrants", broken)
    monkeypatch.setattr(domain.competition_promotions, "propose_promotion", broken)
    fresh: Ledger = make_ledger(clock=clock)
    assert fresh.competition(competition).results == published


def test_marks_of_a_withdrawn_entrant_do_not_rank(arena: Arena):
    competition = arena.announce(rule_set=None)
    first, second, third = arena.ranked_field(3)
    arena.enter(competition, [first, second, third])
    arena.mark(competition, descending([first, second, third]))
    arena.ledger.competitions.withdraw_entrant(
        competition, first, reason="取消资格: 违规", actor=ORGANISER
    )
    arena.lock(competition)
    arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
    results = arena.ledger.competition(competition).results or []
    assert [r["worker_id"] for r in results] == [str(second), str(third)]
    assert [r["award"] for r in results] == ["gold", "silver"]


def test_the_announced_tie_breaks_default_to_weight_order(arena: Arena):
    competition = arena.ledger.competition(arena.announce())
    assert competition.tie_breaks == {
        "components": ["practical", "theory"],
        "earlier_finish": True,
    }
    assert competition.tier is CompetitionTier.PROVINCIAL_1
    with pytest.raises(InvalidValue) as unknown:
        arena.announce(tie_breaks={"components": ["oral"], "earlier_finish": False})
    assert "oral" in str(unknown.value)


def test_mark_entries_reach_the_scheme_in_any_order(arena: Arena):
    """The same marks given in another order give the same published results."""
    competitions = [arena.announce(rule_set=None) for _ in range(2)]
    field = arena.ranked_field(3)
    for competition in competitions:
        arena.enter(competition, field)
    marks = [
        MarkEntry(worker, component, judge, str(70 + index + offset))
        for index, worker in enumerate(field)
        for component in ("practical", "theory")
        for offset, judge in enumerate(JUDGES)
    ]
    arena.ledger.competitions.record_marks(competitions[0], marks, actor="t")
    arena.ledger.competitions.record_marks(competitions[1], list(reversed(marks)), actor="t")
    published = []
    for competition in competitions:
        arena.lock(competition)
        arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
        published.append(
            [
                {k: v for k, v in r.items() if k != "entrant_number"}
                for r in arena.ledger.competition(competition).results or ()
            ]
        )
    assert published[0] == published[1]
