"""The eligibility routes that apply to an occupation and level are listed, with their
requirements in 中文 and English, publicly and for a session."""

from __future__ import annotations

from tests.evaluation.session_api import BASE, Api, plan
from tests.factories import ELECTRICIAN


def test_the_routes_to_a_level_are_listed_with_their_requirements(api: Api) -> None:
    response = api.client.get(f"/api/v1/eligibility-routes?occupation={ELECTRICIAN}&level=4")
    assert response.status_code == 200, response.json
    listing = response.json
    assert listing["edition"]["key"] == "generic-default@2022"
    routes = {route["id"]: route for route in listing["routes"]}
    assert "4-years" in routes and all(r["id"].startswith("4-") for r in listing["routes"])
    after_level5 = routes["4-level5-plus-4y"]
    assert after_level5["requirement"]["zh"].startswith("取得本职业或相关职业五级/初级工证书后")
    assert after_level5["requirement"]["en"] == (
        "holds Level 5 / Junior Worker in this or a related occupation, then 4 years or more "
        "in this or a related occupation"
    )
    assert (after_level5["previous_level"], after_level5["years"]) == ("5", 4)
    bypasses = [r for r in listing["routes"] if r["needs_evidence_reference"]]
    assert bypasses and all("evidence reference" in r["requirement"]["en"] for r in bypasses)


def test_an_earlier_day_lists_the_edition_then_in_force(api: Api) -> None:
    response = api.client.get(
        f"/api/v1/eligibility-routes?occupation={ELECTRICIAN}&level=4&on=2019-06-01"
    )
    assert response.status_code == 200, response.json
    assert response.json["edition"]["key"] == "generic-default@2018"


def test_bad_queries_name_the_field_or_the_rule(api: Api) -> None:
    malformed = api.client.get("/api/v1/eligibility-routes?occupation=electrician&level=4")
    assert malformed.status_code == 422
    assert malformed.mimetype == "application/problem+json"
    error = malformed.json["errors"][0]
    assert (error["location"], error.get("parameter", error.get("pointer"))) == (
        "query",
        "occupation",
    ), error
    unknown = api.client.get("/api/v1/eligibility-routes?occupation=6-99-99-99&level=4")
    assert unknown.status_code == 422 and unknown.json["rule"] == "unknown-occupation"
    no_level = api.client.get("/api/v1/eligibility-routes?occupation=6-31-01-03&level=9")
    assert no_level.status_code == 422


def test_a_session_lists_the_routes_its_candidates_may_take(api: Api) -> None:
    evaluation = plan(api)
    response = api.call("GET", f"{BASE}/{evaluation}/eligibility-routes")
    assert response.status_code == 200, response.json
    assert response.json["level"] == "4" and response.json["occupation_code"] == ELECTRICIAN
    assert (
        api.call("GET", f"{BASE}/{evaluation}/eligibility-routes", "other_issuer").status_code
        == 403
    )
