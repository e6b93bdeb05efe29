"""A plan picks its occupation from the catalogue and its level from the filing scope; a refused
plan says which rule, as problem+json, through the real app."""

from __future__ import annotations

from typing import Any

import pytest

from tests.evaluation.session_api import BASE, Api
from tests.factories import ELECTRICIAN, file_employer

PLAN = {
    "reference": "EV-R",
    "occupation_code": ELECTRICIAN,
    "level": "4",
    "starts_on": "2024-09-09",
    "ends_on": "2024-09-20",
    "panels": {"practical": ["甲", "乙", "丙"]},
}


@pytest.mark.parametrize(
    ("change", "rule", "detail"),
    [
        ({"occupation_code": "6-99-99-99"}, "unknown-occupation", "no occupation 6-99-99-99"),
        (
            {"occupation_code": "4-07-03-02", "level": "5"},
            "level-not-allowed-for-occupation",
            "企业人力资源管理师 (4-07-03-02) has no 五级/初级工",
        ),
        ({"panels": {"practical": ["甲", "乙"]}}, "panel-size", "has 2"),
        ({"panels": {"practical": ["甲", "乙", "甲"]}}, "panel-duplicate-examiner", "repeats"),
        ({"ends_on": "2024-09-01"}, "invalid-dates", "ends before it starts"),
    ],
)
def test_a_refused_plan_names_its_rule(
    api: Api, change: dict[str, Any], rule: str, detail: str
) -> None:
    refused = api.call("POST", BASE, json={**PLAN, **change})
    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    assert refused.json["rule"] == rule
    assert refused.json["type"].endswith(rule)
    assert detail in refused.json["detail"]


def test_a_level_outside_the_filing_scope_is_refused_naming_what_is_filed(api: Api) -> None:
    narrow = file_employer(
        api.ledger, code="11-Y-000007", prefix="Y000011000007", scope={ELECTRICIAN: ["4", "3"]}
    )
    plan = {
        **PLAN,
        "body_id": str(narrow.id),
        "level": "2",
        "panels": {"practical": ["甲", "乙", "丙"], "review": ["A", "B", "C"]},
    }
    refused = api.call("POST", BASE, "admin", json=plan)
    assert refused.status_code == 422
    assert refused.json["rule"] == "outside-filed-scope"
    assert refused.json["detail"].endswith(
        f"电工 ({ELECTRICIAN}) 二级/技师; its filing scope covers 四级/中级工, 三级/高级工 of it"
    )
    listed = api.call("GET", f"/api/v1/occupations?body_id={narrow.id}", "admin")
    assert listed.status_code == 200, listed.json
    (electrician,) = listed.json["items"]
    assert electrician["code"] == ELECTRICIAN and electrician["name"] == "电工"
    assert [level["code"] for level in electrician["levels"]] == ["4", "3"]


def test_a_malformed_plan_names_the_field(api: Api) -> None:
    refused = api.call("POST", BASE, json={**PLAN, "occupation_code": "electrician"})
    assert refused.status_code == 422
    assert [e["pointer"] for e in refused.json["errors"]] == ["/occupation_code"]


def test_the_catalogue_is_public_and_a_bodys_scope_is_its_own(api: Api) -> None:
    catalogue = api.call("GET", "/api/v1/occupations", "public")
    assert catalogue.status_code == 200
    codes = {item["code"]: item for item in catalogue.json["items"]}
    assert codes[ELECTRICIAN]["name"] == "电工"
    assert (
        api.call("GET", f"/api/v1/occupations?body_id={api.body_id}", "other_issuer").status_code
        == 403
    )
