"""Honour ladders through the API: the tier rule at definition and later, refused skips (422
``tier-below-required``), and the list of ladders in pages."""

from __future__ import annotations

from domain.api_token import Role
from tests.readmodels.read_model_api import ReadModelApi

TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]


def test_a_ladder_with_the_tier_rule_refuses_a_skip_and_lists_its_rule(api: ReadModelApi):
    union, other = api.union(), api.union()
    employer = api.body("11")
    worker = api.worker(employer, "张三丰")
    organiser = api.token(Role.ORGANISER, organisation=union)
    defined = api.post(
        "/api/v1/honour-ladders",
        {"name": "朝阳工匠荣誉", "tiers": TIERS, "requires_tier_below": True},
        organiser,
    )
    assert defined.status_code == 201, defined.json
    ladder = defined.json["id"]
    assert (defined.json["requires_tier_below"], defined.json["min_years_between"]) == (True, 1)

    def award(award_id: str, tier: str, year: int):
        body = {"award_id": award_id, "worker_id": str(worker), "tier": tier, "year": year}
        return api.post(f"/api/v1/honour-ladders/{ladder}/award", body, organiser)

    assert award("CY-1", "朝阳能手", 2023).status_code == 200
    same_year = award("CY-2", "朝阳匠心达人", 2023)
    assert same_year.status_code == 422
    assert "tier-below-required" in same_year.get_data(as_text=True)
    assert award("CY-3", "朝阳匠心达人", 2024).status_code == 200
    assert award("CY-4", "朝阳大师", 2026).status_code == 422  # skips 朝阳工匠

    free = api.post(
        "/api/v1/honour-ladders",
        {"union_id": str(other), "name": "海淀荣誉", "tiers": TIERS},
        "admin",
    )
    assert (free.json["requires_tier_below"], free.json["min_years_between"]) == (False, 0)
    changed = api.post(
        f"/api/v1/honour-ladders/{free.json['id']}/tier-rule",
        {"requires_tier_below": True, "min_years_between": 2, "reason": "2025年起逐级评选"},
        "admin",
    )
    assert changed.status_code == 200 and changed.json["min_years_between"] == 2
    no_reason = api.post(
        f"/api/v1/honour-ladders/{free.json['id']}/tier-rule",
        {"requires_tier_below": False},
        "admin",
    )
    assert no_reason.status_code == 422

    mine = api.read(f"/api/v1/honour-ladders?union_id={union}", "public")
    assert [(la["name"], la["requires_tier_below"]) for la in mine["items"]] == [
        ("朝阳工匠荣誉", True)
    ]
    assert mine["items"][0]["holders"] == {
        "朝阳能手": 1,
        "朝阳匠心达人": 1,
        "朝阳工匠": 0,
        "朝阳大师": 0,
    }
    first = api.read("/api/v1/honour-ladders?limit=1", "public")
    rest = api.read(f"/api/v1/honour-ladders?limit=50&cursor={first['next_cursor']}", "public")
    names = [la["name"] for la in first["items"] + rest["items"]]
    assert {"朝阳工匠荣誉", "海淀荣誉"} <= set(names) and len(names) == len(set(names))
    bad = api.get("/api/v1/honour-ladders?cursor=nonsense", "public")
    assert bad.status_code == 400
