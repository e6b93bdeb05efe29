"""The leaderboard projection: live provisional standings while marking, the stored results once
final, paging, and rebuilds that give identical tables. SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from domain.competition import MarkEntry
from domain.promotion_rules import CompetitionTier
from projections.leaderboard import Leaderboard
from projections.leaderboard_query import LeaderboardQuery
from projections.pagination import InvalidCursor
from projections.runner import ProjectionRunner
from projections.store import PostgresProjectionStore, ProjectionStore, SQLiteProjectionStore
from service.ledger import Ledger
from tests.competition.arena import JUDGES, ORGANISER, Arena, descending
from tests.factories import marking_scheme
from tests.support.stores import POSTGRES_URL


@pytest.fixture
def runner(ledger: Ledger, store: ProjectionStore) -> ProjectionRunner:
    return ProjectionRunner(ledger, store, [Leaderboard()], batch_size=5)


@pytest.fixture
def board(store: ProjectionStore) -> LeaderboardQuery:
    return LeaderboardQuery(store)


def test_the_live_board_ranks_complete_entrants_provisionally(
    arena: Arena, runner: ProjectionRunner, board: LeaderboardQuery
):
    competition = arena.announce()
    first, second, third, gone = (arena.worker(name) for name in ("张一", "张二", "张三", "张四"))
    arena.enter(competition, [first, second, third, gone])
    arena.mark(competition, {first: ("80", "80"), second: ("90", "70")})
    arena.ledger.competitions.record_marks(
        competition,
        [
            MarkEntry(third, "practical", judge, mark)
            for judge, mark in zip(JUDGES, "579", strict=True)
        ]
        + [MarkEntry(third, "theory", JUDGES[0], "60")],  # theory: one judge of three
        actor=ORGANISER,
    )
    arena.ledger.competitions.withdraw_entrant(competition, gone, reason="缺考", actor=ORGANISER)
    runner.catch_up()
    page = board.board(competition)
    assert page is not None
    assert page.extra["final"] is False and page.extra["status"] == "marking"
    rows = [
        (r["name"], r["rank"], r["total"], r["award"], r["complete"], r["flagged"])
        for r in page.items
    ]
    assert rows == [
        ("张二", 1, "84.00", "gold", True, []),  # 0.7 * 90 + 0.3 * 70
        ("张一", 2, "80.00", "silver", True, []),
        ("张三", None, None, None, False, []),  # theory needs three judges first
    ]
    assert page.items[2]["components"] == {"practical": "7.00", "theory": None}
    # a wide spread shows as flagged until reviewed
    arena.ledger.competitions.correct_mark(
        competition,
        worker_id=first,
        component="practical",
        judge=JUDGES[0],
        mark="100",
        reason="re-measured",
        actor=ORGANISER,
    )
    runner.catch_up()
    live = board.board(competition)
    assert live is not None
    assert live.items[0]["name"] == "张二" and live.items[1]["flagged"] == ["practical"]
    arena.ledger.competitions.review_spread(
        competition, worker_id=first, component="practical", note="复核", actor=ORGANISER
    )
    runner.catch_up()
    reviewed = board.board(competition)
    assert reviewed is not None and reviewed.items[1]["flagged"] == []


def test_the_final_board_is_the_stored_result_and_pages_by_cursor(
    arena: Arena, runner: ProjectionRunner, board: LeaderboardQuery
):
    competition = arena.announce(rule_set=None)
    field = arena.ranked_field(5)
    finalised = arena.run(competition, descending(field))
    runner.catch_up()
    items, cursor = [], None
    for _ in range(3):
        page = board.board(competition, after=cursor, limit=2)
        assert page is not None and page.extra["final"] is True
        items += page.items
        cursor = page.next_cursor
    assert cursor is None
    stored = finalised.results or []
    assert [
        (i["worker_id"], i["rank"], i["total"], i["award"], i["standardised"]) for i in items
    ] == [(r["worker_id"], r["rank"], r["total"], r["award"], r["standardised"]) for r in stored]
    assert items[0]["components"] == {"practical": "95.00", "theory": "95.00"}
    with pytest.raises(InvalidCursor):
        board.board(competition, after="not-a-cursor")
    summary = board.competition(competition)
    assert summary is not None
    assert summary["status"] == "finalised" and summary["locked"] == ["practical", "theory"]
    assert summary["entrants"] == 5


def test_competitions_are_listed_newest_year_first(
    arena: Arena, runner: ProjectionRunner, board: LeaderboardQuery
):
    older = arena.announce(CompetitionTier.DISTRICT, year=2025)
    newer = arena.announce(CompetitionTier.DISTRICT, year=2026)
    runner.catch_up()
    page = board.list_competitions(limit=1)
    assert [c["id"] for c in page.items] == [str(newer)]
    rest = board.list_competitions(after=page.next_cursor, limit=1)
    assert [c["id"] for c in rest.items] == [str(older)]
    assert board.list_competitions(year=2025, organiser_id=arena.union).items[0]["id"] == str(older)
    assert board.list_competitions(status="finalised").items == []


def test_rebuilding_in_other_batch_sizes_gives_identical_tables(
    arena: Arena, ledger: Ledger, store: ProjectionStore, backend: str, tmp_path: Path
):
    competition = arena.announce(separate_groups=True)
    employees, students = arena.ranked_field(3), [arena.worker(employed=False) for _ in range(2)]
    arena.enter(competition, employees)
    arena.enter(competition, students, "student")
    arena.mark(competition, {**descending(employees), **descending(students, top=70)})
    arena.ledger.competitions.correct_mark(
        competition,
        worker_id=students[0],
        component="theory",
        judge=JUDGES[1],
        mark="85",
        reason="typo",
        actor=ORGANISER,
    )
    arena.ledger.competitions.review_spread(
        competition, worker_id=students[0], component="theory", note="ok", actor=ORGANISER
    )
    arena.lock(competition)
    arena.ledger.competitions.finalise_competition(competition, actor=ORGANISER)
    live = ProjectionRunner(ledger, store, [Leaderboard()], batch_size=3)
    live.catch_up()
    if backend == "sqlite":
        fresh: ProjectionStore = SQLiteProjectionStore(tmp_path / "fresh" / "p.sqlite3")
    else:
        fresh = PostgresProjectionStore(POSTGRES_URL, schema=f"p_{uuid.uuid4().hex[:12]}")
    try:
        ProjectionRunner(ledger, fresh, [Leaderboard()], batch_size=1000).catch_up()
        assert Leaderboard().dump(fresh) == Leaderboard().dump(store)
        assert Leaderboard().row_counts(store)["leaderboard_result"] == 5
    finally:
        if isinstance(fresh, PostgresProjectionStore):
            fresh.drop_schema()
        else:
            fresh.close()


def test_with_a_panel_a_component_is_scored_once_every_panel_judge_has_marked(
    arena: Arena, runner: ProjectionRunner, board: LeaderboardQuery
):
    competition = arena.announce(scheme=marking_scheme("mean"))
    worker = arena.worker()
    arena.enter(competition, [worker])
    panel = [{"name": name} for name in (*JUDGES, "judge-丁")]
    arena.ledger.competitions.assign_judges(
        competition, component="practical", judges=panel[:3], actor=ORGANISER
    )
    arena.mark(competition, {worker: ("80", "70")})  # the three JUDGES on both components
    runner.catch_up()
    item = board.board(competition).items[0]  # type: ignore[union-attr]
    assert item["components"] == {"practical": "80.00", "theory": "70.00"} and item["complete"]
    # a fourth judge joins the panel: practical waits for them, and so does the total
    arena.ledger.competitions.assign_judges(
        competition, component="practical", judges=panel, actor=ORGANISER
    )
    runner.catch_up()
    item = board.board(competition).items[0]  # type: ignore[union-attr]
    assert item["components"] == {"practical": None, "theory": "70.00"}
    assert item["total"] is None and not item["complete"]
    arena.ledger.competitions.record_marks(
        competition, [MarkEntry(worker, "practical", "judge-丁", "84")], actor=ORGANISER
    )
    runner.catch_up()
    item = board.board(competition).items[0]  # type: ignore[union-attr]
    assert item["components"]["practical"] == "81.00" and item["complete"]
