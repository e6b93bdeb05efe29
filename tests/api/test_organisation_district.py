"""A filed body's district (区县代码) through the HTTP API: given at filing or recorded later by
the HR bureau with a reason, shown in the body's record, and a filter of the list."""

from __future__ import annotations

from tests.support.api_world import World, unique


def test_a_body_filed_with_a_district_shows_it_and_the_list_filters_by_it(world: World) -> None:
    district = f"11{unique() % 10000:04d}"
    filed = world.call(
        "POST",
        "/api/v1/organisations",
        json={
            "filing_code": f"U-{unique()}",
            "name": "朝阳区某街道工会",
            "kind": "union",
            "province_code": "11",
            "district_code": district,
        },
    )
    assert filed.status_code == 201, filed.json
    assert filed.json["district_code"] == district
    assert world.call("GET", f"/api/v1/organisations/{filed.json['id']}").json == filed.json

    position = filed.headers["X-Log-Position"]
    listed = world.call("GET", f"/api/v1/organisations?district={district}&wait_for={position}")
    assert listed.status_code == 200, listed.json
    assert [(o["id"], o["district_code"]) for o in listed.json["items"]] == [
        (filed.json["id"], district)
    ]
    malformed = world.call("GET", "/api/v1/organisations?district=1101")
    assert malformed.status_code == 422


def test_the_bureau_records_a_district_later_with_a_reason(world: World) -> None:
    body = world.fresh_employer()
    path = f"/api/v1/organisations/{body}"
    assert world.call("GET", path).json["district_code"] is None

    recorded = world.call(
        "POST", f"{path}/district", json={"district_code": "110105", "reason": "补录"}
    )
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["district_code"] == "110105"
    last = list(world.ledger.events.get(body))[-1]
    assert (type(last).__name__, last.district_code, last.reason) == (
        "DistrictRecorded",
        "110105",
        "补录",
    )
    assert last.actor == f"admin:{world.ids['token_admin']}"


def test_a_district_outside_the_province_or_without_a_reason_is_refused(world: World) -> None:
    body = world.fresh_employer()
    path = f"/api/v1/organisations/{body}/district"
    outside = world.call("POST", path, json={"district_code": "310105", "reason": "补录"})
    assert outside.status_code == 422 and outside.json["rule"] == "district-outside-province"
    no_reason = world.call("POST", path, json={"district_code": "110105"})
    assert no_reason.status_code == 422
    malformed = world.call("POST", path, json={"district_code": "11010", "reason": "补录"})
    assert malformed.status_code == 422
    assert world.ledger.organisation(body).district_code is None

    refused_filing = world.call(
        "POST",
        "/api/v1/organisations",
        json={
            "filing_code": f"U-{unique()}",
            "name": "某工会",
            "kind": "union",
            "province_code": "11",
            "district_code": "310105",
        },
    )
    assert refused_filing.status_code == 422
    assert refused_filing.json["rule"] == "district-outside-province"
