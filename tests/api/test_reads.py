"""Lists: opaque cursor pagination, filters, and read-your-writes with the log position."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from flask.testing import FlaskClient

from domain.api_token import Role
from tests.factories import id_number
from tests.support.api_world import World, running_app, unique


def walk(world: World, path: str, principal: str = "admin", limit: int = 2) -> list[dict]:
    """Every item of a list, page by page, following next_cursor."""
    items: list[dict] = []
    cursor = None
    for _ in range(1000):
        query = f"limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        sep = "&" if "?" in path else "?"
        page = world.call("GET", f"{path}{sep}{query}", principal)
        assert page.status_code == 200, page.json
        assert len(page.json["items"]) <= limit
        items.extend(page.json["items"])
        cursor = page.json["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("pagination did not end")


def test_a_command_position_lets_the_next_list_see_the_write(world: World) -> None:
    created = world.call(
        "POST",
        "/api/v1/organisations",
        json={
            "filing_code": f"RYW-{unique()}",
            "name": "读己之写工会",
            "kind": "union",
            "province_code": "11",
        },
    )
    position = created.headers["X-Log-Position"]
    assert int(position) == world.ledger.log_position
    by_header = world.call(
        "GET", "/api/v1/organisations?limit=100", headers={"X-Wait-For-Position": position}
    )
    ids = {item["id"] for item in by_header.json["items"]}
    while by_header.json["next_cursor"]:
        by_header = world.call(
            "GET", f"/api/v1/organisations?limit=100&cursor={by_header.json['next_cursor']}"
        )
        ids |= {item["id"] for item in by_header.json["items"]}
    assert created.json["id"] in ids
    by_query = world.call("GET", f"/api/v1/organisations?kind=union&wait_for={position}")
    assert by_query.status_code == 200


def test_a_position_beyond_the_log_is_refused_at_once(world: World) -> None:
    beyond = world.ledger.log_position + 1000
    response = world.call("GET", f"/api/v1/workers?wait_for={beyond}")
    assert response.status_code == 422
    assert response.json["errors"][0]["parameter"] == "wait_for"


def test_a_read_model_that_cannot_catch_up_answers_503(world: World) -> None:
    runner = world.app.extensions["craftledger"].runner
    runner.stop()
    try:
        position = world.call(
            "POST",
            "/api/v1/workers",
            json={"name": "周九", "id_number": id_number(unique() + 60000).reveal()},
        ).headers["X-Log-Position"]
        world.app.config["READ_WAIT_SECONDS"] = 0.2
        # A plain client: the world's own lets the background settle first, and this read
        # must meet a read model that is behind.
        response = FlaskClient(world.app).get(
            "/api/v1/workers", headers=world.headers("admin", **{"X-Wait-For-Position": position})
        )
        assert response.status_code == 503
        assert response.json["type"] == "urn:craftledger:problem:position-not-reached"
        assert response.headers["Retry-After"] == "1"
    finally:
        world.app.config["READ_WAIT_SECONDS"] = 5.0
        runner.start()
    assert world.call("GET", f"/api/v1/workers?wait_for={position}").status_code == 200


def test_pages_cover_the_list_once_in_order(world: World) -> None:
    for _ in range(5):
        world.fresh_certificate()
    position = world.ledger.log_position
    everything = world.call("GET", f"/api/v1/certificates?limit=100&wait_for={position}").json[
        "items"
    ]
    paged = walk(world, "/api/v1/certificates", limit=2)
    numbers = [item["number"] for item in paged]
    assert numbers == sorted(numbers)
    assert len(numbers) == len(set(numbers))
    assert set(numbers) >= {item["number"] for item in everything}


def test_a_cursor_from_another_list_or_altered_is_400(world: World) -> None:
    world.fresh_employer()
    world.fresh_employer()
    page = world.call("GET", f"/api/v1/organisations?limit=1&wait_for={world.ledger.log_position}")
    cursor = page.json["next_cursor"]
    assert cursor
    other = world.call("GET", f"/api/v1/certificates?cursor={cursor}")
    assert other.status_code == 400
    assert other.json["type"] == "urn:craftledger:problem:invalid-cursor"
    forged = base64.urlsafe_b64encode(json.dumps({"x": 1}).encode()).decode()
    for bad in (forged, "%%%", "AAAA"):
        response = world.call("GET", f"/api/v1/organisations?cursor={bad}")
        assert response.status_code == 400, bad


def test_lists_are_scoped_to_the_caller(world: World) -> None:
    position = world.ledger.log_position
    for principal in ("issuer", "other_issuer"):
        organisation = world.ids["org_a" if principal == "issuer" else "org_b"]
        workers = walk(world, f"/api/v1/workers?wait_for={position}", principal, limit=50)
        assert workers and {w["employer_id"] for w in workers} == {str(organisation)}
        certificates = walk(world, "/api/v1/certificates", principal, limit=50)
        assert {c["issuer_id"] for c in certificates} <= {str(organisation)}
    mine = world.call("GET", "/api/v1/workers", "worker").json["items"]
    assert [w["id"] for w in mine] == [str(world.ids["worker"])]
    certificates = world.call("GET", "/api/v1/certificates", "worker").json["items"]
    assert [c["number"] for c in certificates] == [world.ids["certificate"]]
    refused = world.call("GET", f"/api/v1/workers?employer_id={world.ids['org_b']}", "issuer")
    assert refused.status_code == 403
    refused = world.call(
        "GET", f"/api/v1/certificates?worker_id={world.ids['other_worker']}", "worker"
    )
    assert refused.status_code == 403


def test_list_filters(world: World) -> None:
    world.ledger.certificates.change_certificate_status(
        world.fresh_certificate(), "suspend", actor="test", reason="核查"
    )
    position = world.ledger.log_position
    suspended = walk(world, f"/api/v1/certificates?status=suspended&wait_for={position}")
    assert suspended and {c["status"] for c in suspended} == {"suspended"}
    unions = walk(world, "/api/v1/organisations?kind=union", "public")
    assert unions and {o["kind"] for o in unions} == {"union"}
    named = walk(world, "/api/v1/workers?name=张三")
    assert [w["id"] for w in named] == [str(world.ids["worker"])]


def test_a_worker_token_without_a_directory_row_lists_nothing(world: World) -> None:
    worker = world.fresh_worker()
    _, token = world.fresh_token(Role.WORKER, worker_id=worker)
    response = world.client.get(
        f"/api/v1/workers?wait_for={world.ledger.log_position}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert [w["id"] for w in response.json["items"]] == [str(worker)]


def test_lists_answer_at_once_on_a_fresh_store(tmp_path: Path, backend: str) -> None:
    """The read models' tables are made when the app is, not by the runner's first pass."""
    with running_app(backend, tmp_path, {"RUN_PROJECTIONS": False}) as (app, _ledger):
        client = app.test_client()
        for path in ("/api/v1/organisations", "/api/v1/organisations?kind=union"):
            response = client.get(path)
            assert response.status_code == 200, response.get_data(as_text=True)
            assert response.json == {"items": [], "next_cursor": None}


def test_a_points_policy_cursor_with_a_key_of_another_type_is_400_not_500(
    sqlite_world: World,
) -> None:
    from projections.pagination import encode_cursor

    cursor = encode_cursor("points-policies", [1, 2])  # the right list, a forged key
    answer = sqlite_world.call("GET", f"/api/v1/points-policies?cursor={cursor}")
    assert answer.status_code == 400
    assert answer.json["type"] == "urn:craftledger:problem:invalid-cursor"
