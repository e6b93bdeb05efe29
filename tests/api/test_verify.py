"""``POST /api/v1/verify``: the national-query-style check, safe against enumeration."""

from __future__ import annotations

from typing import Any

from tests.factories import id_number
from tests.support.api_world import World, running_app, unique


def verify(world: World, **body: Any) -> Any:
    return world.client.post("/api/v1/verify", json=body)


def test_a_matching_check_answers_the_status(world: World) -> None:
    worker = world.fresh_worker(world.ids["org_a"], name="陈十")
    id_number = world.id_numbers[worker].reveal()
    number = world.fresh_certificate(worker=worker)
    answer = verify(world, number=number, name="陈十", id_number=id_number)
    assert answer.status_code == 200
    assert answer.json["result"] == "valid"
    assert answer.json["certificate"]["number"] == number
    assert answer.json["certificate"]["masked_id_number"] != id_number
    assert id_number not in answer.get_data(as_text=True)
    for action, result in (("suspend", "suspended"), ("reinstate", "valid"), ("revoke", "revoked")):
        world.ledger.certificates.change_certificate_status(
            number, action, actor="test", reason="核查"
        )
        assert verify(world, number=number, name="陈十", id_number=id_number).json["result"] == (
            result
        )


def test_any_mismatch_answers_not_found_without_saying_which(world: World) -> None:
    worker = world.fresh_worker(world.ids["org_a"], name="陈十一")
    raw = world.id_numbers[worker].reveal()
    number = world.fresh_certificate(worker=worker)
    someone_else = id_number(unique() + 70000).reveal()
    unknown = number[:-6] + "999999"
    answers = [
        verify(world, number=number, name="陈十二", id_number=raw),
        verify(world, number=number, name="陈十一", id_number=someone_else),
        verify(world, number=unknown, name="陈十一", id_number=raw),
        verify(world, number="not-a-number", name="陈十一", id_number=raw),
        verify(world, number=number, name="陈十一", id_number="123"),
    ]
    bodies = [(a.status_code, a.json["result"], a.json["certificate"]) for a in answers]
    assert bodies == [(200, "not_found", None)] * len(answers)


def test_the_id_number_is_never_taken_from_the_url(world: World) -> None:
    worker = world.ids["worker"]
    id_number = world.id_numbers[worker].reveal()
    number = world.ids["certificate"]
    answer = world.client.post(
        f"/api/v1/verify?number={number}&name=张三&id_number={id_number}", json={}
    )
    assert answer.status_code == 422
    assert {e["pointer"] for e in answer.json["errors"]} == {"/number", "/name", "/id_number"}


def test_the_check_is_rate_limited_per_client(tmp_path: Any) -> None:
    with running_app("sqlite", tmp_path, {"VERIFY_RATE_LIMIT": "3 per minute"}) as (app, _):
        client = app.test_client()
        body = {"number": "Y000011000001255000001", "name": "张三", "id_number": "x"}
        statuses = [client.post("/api/v1/verify", json=body).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.post("/api/v1/verify", json=body)
        assert limited.mimetype == "application/problem+json"
        assert limited.json["type"] == "urn:craftledger:problem:rate-limited"
        assert int(limited.headers["Retry-After"]) > 0
        other = client.post("/api/v1/verify", json=body, environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 200
        assert client.get("/api/v1/organisations").status_code == 200


def test_an_exempt_token_is_not_counted_and_everyone_else_still_is(tmp_path: Any) -> None:
    with running_app("sqlite", tmp_path, {"VERIFY_RATE_LIMIT": "2 per minute"}) as (app, ledger):
        from domain.api_token import Role

        exempt, other = "bench-" + "e" * 40, "other-" + "o" * 40
        granted = ledger.tokens.grant_token(
            token=exempt, role=Role.AUDITOR, label="load test", actor="test"
        )
        ledger.tokens.grant_token(token=other, role=Role.AUDITOR, label="other", actor="test")
        app.config["RATE_LIMIT_EXEMPT_TOKENS"] = frozenset({granted.aggregate.id})
        client = app.test_client()
        body = {"number": "Y000011000001255000001", "name": "张三", "id_number": "x"}

        def post(token: str | None) -> int:
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            return client.post("/api/v1/verify", json=body, headers=headers).status_code

        assert [post(exempt) for _ in range(5)] == [200] * 5
        assert [post(None), post(other), post(None)] == [200, 200, 429]
        assert post(other) == 429
        assert post(exempt) == 200
        assert post("unknown-" + "u" * 40) in (401, 429)
