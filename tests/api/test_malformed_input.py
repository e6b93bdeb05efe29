"""Malformed input is answered with a problem document (4xx), never a 500.

Each class of bad input named in the issue -- wrong types, huge numbers, invalid UTF-8,
duplicate JSON keys, NaN, deep nesting, oversized bodies, wrong media types, unknown paths and
methods -- is sent to real endpoints through the WSGI stack, as an admin (so authorisation does
not hide what the body reader and the schemas do).
"""

from __future__ import annotations

import json

import pytest

from tests.support.api_world import World

PROBLEM = "application/problem+json"


def post_raw(
    world: World, path: str, data: bytes, content_type: str = "application/json"
) -> object:
    return world.client.post(
        path,
        data=data,
        headers={**world.headers("admin"), "Content-Type": content_type},
    )


def assert_problem(response: object, status: int, type_: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert response.mimetype == PROBLEM  # type: ignore[attr-defined]
    body = response.json  # type: ignore[attr-defined]
    assert body["status"] == status
    assert {"type", "title", "status"} <= set(body)
    if type_ is not None:
        assert body["type"] == type_
    return body  # type: ignore[no-any-return]


MALFORMED = "urn:craftledger:problem:malformed-json"

BAD_BODIES = {
    "invalid UTF-8": b'{"reason": "\xff\xfe\xfa"}',
    "truncated UTF-8 sequence": b'{"reason": "\xe4\xb8"}',
    "duplicate keys": b'{"reason": "a", "reason": "b"}',
    "NaN": b'{"reason": NaN}',
    "Infinity": b'{"reason": Infinity}',
    "-Infinity": b'{"reason": -Infinity}',
    "float overflow": b'{"reason": 1e999}',
    "huge integer": b'{"reason": ' + b"9" * 5000 + b"}",
    "integer beyond 64 bits": b'{"reason": 18446744073709551616}',
    "deep nesting": b'{"reason": ' + b"[" * 10000 + b"]" * 10000 + b"}",
    "unpaired surrogate": b'{"reason": "\\ud800"}',
    "NUL character": b'{"reason": "a\\u0000b"}',
    "not JSON": b"reason=because",
    "trailing garbage": b'{"reason": "x"} {}',
    "single quotes": b"{'reason': 'x'}",
    "raw control character": b'{"reason": "a\x01b"}',
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_bodies_that_are_not_acceptable_json_get_400(sqlite_world: World, case: str) -> None:
    number = sqlite_world.ids["certificate"]
    response = post_raw(sqlite_world, f"/api/v1/certificates/{number}/suspend", BAD_BODIES[case])
    body = assert_problem(response, 400, MALFORMED)
    assert body["detail"]
    assert sqlite_world.ledger.certificate(number).status.value == "valid"


WRONG_TYPES = {
    "reason is a number": ({"reason": 42}, "/reason"),
    "reason is null": ({"reason": None}, "/reason"),
    "reason is a list": ({"reason": ["a"]}, "/reason"),
    "reason is an object": ({"reason": {"a": 1}}, "/reason"),
    "reason is empty": ({"reason": ""}, "/reason"),
    "reason is too long": ({"reason": "x" * 501}, "/reason"),
    "reason missing": ({}, "/reason"),
    "unknown field": ({"reason": "x", "admin": True}, "/admin"),
    "body is a list": ([{"reason": "x"}], ""),
    "body is a string": ("reason", ""),
    "body is a number": (1, ""),
    "body is null": (None, ""),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_wrong_types_get_422_with_a_pointer_to_the_field(sqlite_world: World, case: str) -> None:
    payload, pointer = WRONG_TYPES[case]
    number = sqlite_world.ids["certificate"]
    response = post_raw(
        sqlite_world, f"/api/v1/certificates/{number}/suspend", json.dumps(payload).encode()
    )
    body = assert_problem(response, 422, "urn:craftledger:problem:validation-failed")
    assert [error["pointer"] for error in body["errors"]] == [pointer]
    assert all(error["location"] == "json" and error["detail"] for error in body["errors"])


def test_every_wrong_field_is_reported_at_once(sqlite_world: World) -> None:
    response = sqlite_world.call(
        "POST",
        "/api/v1/competitions",
        json={
            "organiser_id": "not-a-uuid",
            "reference": "",
            "year": 2.5,
            "tier": "galactic",
            "marking_scheme": {"components": [{"name": "x", "weight": 70.5}]},
        },
    )
    body = assert_problem(response, 422)
    pointers = {error["pointer"] for error in body["errors"]}
    assert {
        "/organiser_id",
        "/reference",
        "/year",
        "/tier",
        "/name",
        "/marking_scheme/components/0/weight",
        "/marking_scheme/combination",
    } <= pointers


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("year", 10**18),
        ("year", -(10**18)),
        ("year", 2025.0),
        ("year", "2025"),
        ("year", True),
    ],
)
def test_numbers_out_of_range_or_of_the_wrong_kind_get_422(
    sqlite_world: World, field: str, value: object
) -> None:
    ladder = sqlite_world.fresh_ladder()
    award = {"award_id": "A-1", "worker_id": str(sqlite_world.ids["worker"]), "tier": "朝阳能手"}
    response = sqlite_world.call(
        "POST", f"/api/v1/honour-ladders/{ladder}/award", json={**award, field: value}
    )
    body = assert_problem(response, 422)
    assert [error["pointer"] for error in body["errors"]] == [f"/{field}"]


def test_query_parameters_that_are_not_numbers_get_422(sqlite_world: World) -> None:
    for query in ("limit=abc", "limit=0", "limit=100000000000000000000000", "wait_for=-1"):
        response = sqlite_world.call("GET", f"/api/v1/organisations?{query}")
        body = assert_problem(response, 422)
        assert body["errors"][0]["location"] == "query"


def test_an_oversized_body_gets_413(sqlite_world: World) -> None:
    limit = sqlite_world.app.config["MAX_CONTENT_LENGTH"]
    payload = json.dumps({"reason": "x" * limit}).encode()
    number = sqlite_world.ids["certificate"]
    response = post_raw(sqlite_world, f"/api/v1/certificates/{number}/suspend", payload)
    assert_problem(response, 413)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
def test_a_body_that_is_not_json_gets_415(sqlite_world: World, content_type: str) -> None:
    number = sqlite_world.ids["certificate"]
    response = post_raw(
        sqlite_world, f"/api/v1/certificates/{number}/suspend", b'{"reason": "x"}', content_type
    )
    assert_problem(response, 415, "urn:craftledger:problem:unsupported-media-type")


def test_json_suffix_media_types_are_accepted(sqlite_world: World) -> None:
    number = sqlite_world.fresh_certificate()
    response = post_raw(
        sqlite_world,
        f"/api/v1/certificates/{number}/suspend",
        b'{"reason": "x"}',
        "application/merge-patch+json",
    )
    assert response.status_code == 200  # type: ignore[attr-defined]
    # the body was read, not just accepted: the reason is on the suspended certificate
    suspended = sqlite_world.ledger.certificate(number)
    assert suspended.status.value == "suspended" and suspended.history[-1]["reason"] == "x"


def test_unknown_paths_methods_and_ids_get_problems(sqlite_world: World) -> None:
    assert_problem(sqlite_world.call("GET", "/api/v1/nothing-here"), 404, "about:blank")
    assert_problem(sqlite_world.call("DELETE", "/api/v1/organisations"), 405, "about:blank")
    assert "POST" in sqlite_world.call("PUT", "/api/v1/organisations").headers["Allow"]
    missing = "00000000-0000-0000-0000-000000000000"
    assert_problem(
        sqlite_world.call("GET", f"/api/v1/organisations/{missing}"),
        404,
        "urn:craftledger:problem:not-found",
    )
    assert_problem(sqlite_world.call("GET", "/api/v1/organisations/not-a-uuid"), 404)
    assert_problem(
        sqlite_world.call("GET", "/api/v1/certificates/Y00001100000125X000001"),
        404,
        "urn:craftledger:problem:not-found",
    )


@pytest.mark.parametrize(
    "header",
    ["Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Bearer", "Bearer a b", "Bearer " + "x" * 600, "Token t"],
)
def test_malformed_authorization_gets_401(sqlite_world: World, header: str) -> None:
    response = sqlite_world.client.get("/api/v1/organisations", headers={"Authorization": header})
    assert_problem(response, 401, "urn:craftledger:problem:invalid-token")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_domain_rule_violations_name_the_rule(world: World) -> None:
    worker = world.fresh_worker(world.ids["org_b"])  # not staff of A
    response = world.call(
        "POST",
        "/api/v1/certificates",
        "issuer",
        json={
            "worker_id": str(worker),
            "occupation_code": "6-31-01-03",
            "level": "5",
            "basis": {"kind": "evaluation", "reference": "EV-1"},
        },
    )
    body = assert_problem(response, 422, "urn:craftledger:rule:not-own-staff")
    assert body["rule"] == "not-own-staff"
    welder = world.call(
        "POST",
        "/api/v1/evaluations",
        "issuer",
        json={
            "reference": "EV-WELD",
            "occupation_code": "6-18-02-04",
            "level": "5",
            "starts_on": "2025-06-01",
            "ends_on": "2025-06-02",
            "panels": {"practical": ["甲", "乙", "丙"]},
        },
    )
    assert assert_problem(welder, 422)["rule"] == "outside-filed-scope"


def test_value_objects_report_the_field(sqlite_world: World) -> None:
    response = sqlite_world.call(
        "POST", "/api/v1/workers", json={"name": "钱七", "id_number": "110105199003071230"}
    )
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {
            "location": "json",
            "pointer": "/id_number",
            "detail": "check character: the check character does not match",
        }
    ]
    assert "110105199003071230" not in response.get_data(as_text=True)


def test_options_answers_allow_without_a_token(sqlite_world: World) -> None:
    response = sqlite_world.client.open("/api/v1/organisations", method="OPTIONS")
    assert response.status_code == 200
    assert {"GET", "POST"} <= set(response.headers["Allow"].replace(" ", "").split(","))


def test_a_bad_wait_position_header_gets_422(sqlite_world: World) -> None:
    for value in ("abc", "1e5", "-1", "9" * 30):
        response = sqlite_world.call(
            "GET", "/api/v1/workers", headers={"X-Wait-For-Position": value}
        )
        body = assert_problem(response, 422)
        assert body["errors"][0] == {
            "location": "headers",
            "parameter": "X-Wait-For-Position",
            "detail": body["errors"][0]["detail"],
        }


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/workers?name=%00",
        "/api/v1/workers?name=a%00b",
        "/api/v1/certificates?occupation_code=6-31-01-03&%00=x",
        "/api/v1/certificates/Y00001100000125500000%00",
    ],
)
def test_nul_in_the_url_gets_400_on_every_store(world: World, path: str) -> None:
    response = world.call("GET", path)
    assert_problem(response, 400, "urn:craftledger:problem:malformed-url")
    assert "%00" in response.json["instance"] or "?" in path
    assert world.call("GET", "/api/v1/workers?name=x").status_code == 200


def test_invalid_utf8_in_the_query_is_harmless(world: World) -> None:
    response = world.call("GET", "/api/v1/workers?name=%ff%fe")
    assert response.status_code == 200 and response.json["items"] == []
