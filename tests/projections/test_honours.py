"""Honour ladders and the talent database (人才库)."""

from __future__ import annotations

import pytest

from projections.honours import HonoursQuery
from projections.pagination import InvalidQuery


@pytest.fixture
def query(store) -> HonoursQuery:
    return HonoursQuery(store)


@pytest.fixture
def awarded(ledger, world):
    """Four workers on one ladder: 大师 > 工匠 > 能手 (two of them), one withdrawn title."""
    ladder = world.ladder()
    names = ["刘大师", "陈工匠", "周能手", "吴能手"]
    workers = [world.worker(name) for name in names]

    def award(award_id, worker, tier, year):
        ledger.honours.award_honour(
            ladder, award_id=award_id, worker_id=worker, tier=tier, year=year, actor="u"
        )

    award("A1", workers[0], "朝阳能手", 2021)
    award("A2", workers[0], "朝阳大师", 2024)
    award("A3", workers[1], "朝阳工匠", 2023)
    award("A4", workers[2], "朝阳能手", 2024)
    award("A5", workers[3], "朝阳能手", 2024)
    award("A6", workers[3], "朝阳工匠", 2025)
    ledger.honours.withdraw_honour(ladder, award_id="A6", actor="u", reason="材料不实")
    return ladder, workers


def test_ladders_list_their_tiers_and_standing_holders(world, runner, query, awarded):
    ladder, _ = awarded
    runner.catch_up()
    (found,) = query.list_ladders(union_id=world.union)
    assert found["id"] == str(ladder)
    assert found["union_name"] == "朝阳区总工会"
    assert found["tiers"] == ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
    assert found["holders"] == {"朝阳能手": 3, "朝阳匠心达人": 0, "朝阳工匠": 1, "朝阳大师": 1}
    assert query.get_ladder(ladder) == found


def test_talent_database_ranks_highest_tier_first_and_drops_withdrawn_titles(
    runner, query, awarded
):
    ladder, _ = awarded
    runner.catch_up()
    page = query.search_talents(ladder_id=ladder)
    assert [(t["name"], t["tier"]) for t in page.items] == [
        ("刘大师", "朝阳大师"),
        ("陈工匠", "朝阳工匠"),
        *sorted([("吴能手", "朝阳能手"), ("周能手", "朝阳能手")]),
    ]
    master = page.items[0]
    assert (master["first_year"], master["latest_year"], master["titles"]) == (2021, 2024, 2)
    assert master["employer_name"] == "北京链家"
    assert [t["name"] for t in query.search_talents(name="工匠").items] == ["陈工匠"]
    assert [
        t["name"] for t in query.search_talents(ladder_id=ladder, min_tier="朝阳工匠").items
    ] == [
        "刘大师",
        "陈工匠",
    ]
    assert len(query.search_talents(tier="朝阳能手").items) == 2


def test_talent_pages_follow_the_ranking(runner, query, awarded):
    runner.catch_up()
    everyone = query.search_talents().items
    seen, cursor = [], None
    while True:
        page = query.search_talents(after=cursor, limit=1)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == everyone


def test_awards_list_by_year_and_standing(runner, query, awarded):
    ladder, _ = awarded
    runner.catch_up()
    withdrawn = query.list_awards(ladder, standing=False).items
    assert [(a["award_id"], a["withdrawn_reason"]) for a in withdrawn] == [("A6", "材料不实")]
    assert [a["award_id"] for a in query.list_awards(ladder, year=2024).items] == [
        "A2",
        "A4",
        "A5",
    ]
    with pytest.raises(InvalidQuery):
        query.search_talents(min_tier="朝阳大师")  # a tier name needs its ladder


def test_ladders_carry_their_tier_rule_and_list_in_pages(ledger, world, runner, query):
    free = world.ladder("甲荣誉")
    ruled = ledger.honours.define_honour_ladder(
        union_id=world.union,
        name="乙荣誉",
        tiers=["能手", "工匠"],
        actor="u",
        requires_tier_below=True,
        min_years_between=2,
    ).aggregate.id
    third = world.ladder("丙荣誉")
    ledger.honours.set_tier_rule(
        third, requires_tier_below=True, min_years_between=1, actor="u", reason="逐级评选"
    )
    runner.catch_up()
    rules = {
        la["name"]: (la["requires_tier_below"], la["min_years_between"])
        for la in query.list_ladders(union_id=world.union)
    }
    assert rules == {"甲荣誉": (False, 0), "乙荣誉": (True, 2), "丙荣誉": (True, 1)}
    first = query.page_ladders(union_id=world.union, limit=2)
    second = query.page_ladders(union_id=world.union, after=first.next_cursor, limit=2)
    assert second.next_cursor is None
    listed = [la["id"] for la in first.items + second.items]
    assert sorted(listed) == sorted(str(x) for x in (free, ruled, third))
    assert listed == [la["id"] for la in query.list_ladders(union_id=world.union)]
