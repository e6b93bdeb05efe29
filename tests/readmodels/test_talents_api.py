"""Honour ladder holders and the talent database (人才库): standing titles only, paginated,
names masked unless the caller may see who holds them, and name search only for those who
may."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.api_token import Role
from tests.readmodels.read_model_api import ReadModelApi


def seed(api: ReadModelApi) -> dict[str, Any]:
    employer = api.body("11", name="北京链家")
    union, other_union = api.union(), api.union()
    ladder = api.ladder(union, "朝阳区荣誉阶梯")
    other_ladder = api.ladder(other_union, "海淀区荣誉阶梯")
    zhang, li, wang = (api.worker(employer, name) for name in ("张三丰", "李四", "王五"))
    award = api.ledger.honours.award_honour
    award(ladder, award_id="CY-2022-1", worker_id=zhang, tier="朝阳能手", year=2022, actor="t")
    award(ladder, award_id="CY-2023-1", worker_id=zhang, tier="朝阳工匠", year=2023, actor="t")
    award(ladder, award_id="CY-2023-2", worker_id=li, tier="朝阳匠心达人", year=2023, actor="t")
    award(ladder, award_id="CY-2023-3", worker_id=wang, tier="朝阳能手", year=2023, actor="t")
    api.ledger.honours.withdraw_honour(ladder, award_id="CY-2023-3", actor="t", reason="材料不实")
    award(other_ladder, award_id="HD-2023-1", worker_id=li, tier="朝阳大师", year=2023, actor="t")
    return {
        "employer": employer,
        "union": union,
        "other_union": other_union,
        "ladder": ladder,
        "other_ladder": other_ladder,
        "zhang": zhang,
        "li": li,
        "wang": wang,
    }


def test_holders_are_the_standing_titles_masked_for_the_public(api: ReadModelApi):
    ids = seed(api)
    path = f"/api/v1/honour-ladders/{ids['ladder']}/holders"
    public = api.read(path, "public")
    assert [(h["award_id"], h["tier"], h["name"]) for h in public["items"]] == [
        ("CY-2022-1", "朝阳能手", "张**"),
        ("CY-2023-1", "朝阳工匠", "张**"),
        ("CY-2023-2", "朝阳匠心达人", "李*"),
    ]  # 王五's title was withdrawn
    assert all("worker_id" not in h and h["disclosure"] == "masked" for h in public["items"])

    full = api.read(path, "admin")
    assert [h["name"] for h in full["items"]] == ["张三丰", "张三丰", "李四"]
    assert full["items"][2]["worker_id"] == str(ids["li"])
    organiser = api.token(Role.ORGANISER, organisation=ids["union"])
    assert api.read(path, organiser)["items"][0]["disclosure"] == "full"
    stranger = api.token(Role.ORGANISER, organisation=ids["other_union"])
    assert api.read(path, stranger)["items"][0]["disclosure"] == "masked"
    li = api.token(Role.WORKER, worker=ids["li"])
    assert [h["disclosure"] for h in api.read(path, li)["items"]] == ["masked", "masked", "full"]

    craftsmen = api.read(f"{path}?tier=朝阳工匠", "public")
    assert [h["award_id"] for h in craftsmen["items"]] == ["CY-2023-1"]
    first = api.read(f"{path}?limit=2", "public")
    rest = api.read(f"{path}?limit=2&cursor={first['next_cursor']}", "public")
    assert [h["award_id"] for h in first["items"] + rest["items"]] == [
        h["award_id"] for h in public["items"]
    ]
    assert rest["next_cursor"] is None
    assert api.get(f"/api/v1/honour-ladders/{UUID(int=3)}/holders", "public").status_code == 404


def test_the_talent_database_ranks_the_highest_tier_first_and_masks_names(api: ReadModelApi):
    ids = seed(api)
    public = api.read("/api/v1/talents", "public")
    assert [(t["ladder_name"], t["tier"], t["name"], t["titles"]) for t in public["items"]] == [
        ("海淀区荣誉阶梯", "朝阳大师", "李*", 1),
        ("朝阳区荣誉阶梯", "朝阳工匠", "张**", 2),
        ("朝阳区荣誉阶梯", "朝阳匠心达人", "李*", 1),
    ]
    assert all("worker_id" not in t and "masked_id_number" not in t for t in public["items"])
    assert public["items"][1]["employer_name"] == "北京链家"
    assert (public["items"][1]["first_year"], public["items"][1]["latest_year"]) == (2022, 2023)

    auditor = api.read("/api/v1/talents", "auditor")
    assert auditor["items"][1]["masked_id_number"].count("*") >= 8
    assert auditor["items"][1]["worker_id"] == str(ids["zhang"])

    ours = api.read(f"/api/v1/talents?union_id={ids['union']}", "public")
    assert [t["tier"] for t in ours["items"]] == ["朝阳工匠", "朝阳匠心达人"]
    at_least = api.read(
        f"/api/v1/talents?ladder_id={ids['ladder']}&min_tier=朝阳匠心达人", "public"
    )
    assert len(at_least["items"]) == 2
    paged = api.read("/api/v1/talents?limit=1", "public")
    assert len(paged["items"]) == 1 and paged["next_cursor"]


def test_only_those_who_may_see_names_search_by_name(api: ReadModelApi):
    ids = seed(api)
    found = api.read("/api/v1/talents?q=三丰", "admin")
    assert [(t["name"], t["tier"]) for t in found["items"]] == [("张三丰", "朝阳工匠")]
    assert api.get("/api/v1/talents?q=三丰", "public").status_code == 403
    worker = api.token(Role.WORKER, worker=ids["zhang"])
    assert api.get("/api/v1/talents?q=三丰", worker).status_code == 403
    organiser = api.token(Role.ORGANISER, organisation=ids["other_union"])
    assert (
        api.read("/api/v1/talents?q=李", organiser)["items"][0]["ladder_name"] == "海淀区荣誉阶梯"
    )
    assert len(api.read("/api/v1/talents?q=李", organiser)["items"]) == 1  # its own union only
    refused = api.get(f"/api/v1/talents?q=李&union_id={ids['union']}", organiser)
    assert refused.status_code == 403
