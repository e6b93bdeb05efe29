"""``Idempotency-Key``: a retried POST returns the first answer and records nothing twice."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import psycopg
import pytest

from tests.factories import ELECTRICIAN, id_number
from tests.support.api_world import World, unique
from tests.support.stores import POSTGRES_URL


def issue_body(world: World) -> dict[str, Any]:
    return {
        "issuer_id": str(world.ids["org_a"]),
        "worker_id": str(world.fresh_worker(world.ids["org_a"])),
        "occupation_code": ELECTRICIAN,
        "level": "5",
        "basis": {"kind": "evaluation", "reference": f"EV-{unique()}"},
    }


def post(world: World, path: str, body: Any, key: str, principal: str = "admin") -> Any:
    return world.call("POST", path, principal, json=body, headers={"Idempotency-Key": key})


def test_a_retry_returns_the_first_answer_and_records_nothing_twice(world: World) -> None:
    body = issue_body(world)
    key = f"issue-{unique()}"
    first = post(world, "/api/v1/certificates", body, key)
    assert first.status_code == 201
    head = world.ledger.log_position
    retry = post(world, "/api/v1/certificates", body, key)
    assert retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["X-Log-Position"] == first.headers["X-Log-Position"]
    assert retry.headers["Location"] == first.headers["Location"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert world.ledger.log_position == head
    holder = world.ledger.worker(world.ledger.certificate(first.json["number"]).worker_id)
    assert list(holder.certificates) == [first.json["number"]]


def test_the_same_body_in_another_key_order_is_the_same_request(world: World) -> None:
    key = f"scope-{unique()}"
    organisation = world.fresh_employer()
    path = f"/api/v1/organisations/{organisation}/amend-scope"
    first = post(world, path, {"scope": {ELECTRICIAN: ["5"]}, "reason": "变更"}, key)
    retry = world.client.post(
        path,
        data=f'{{"reason": "变更", "scope": {{"{ELECTRICIAN}": ["5"]}}}}'.encode(),
        headers={
            **world.headers("admin"),
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry.headers["Idempotent-Replayed"] == "true"


def test_the_same_key_with_a_different_body_is_refused(world: World) -> None:
    key = f"k-{unique()}"
    assert post(world, "/api/v1/tokens", {"role": "auditor"}, key).status_code == 201
    head = world.ledger.log_position
    other = post(world, "/api/v1/tokens", {"role": "auditor", "label": "x"}, key)
    assert other.status_code == 422
    assert other.json["type"] == "urn:craftledger:problem:idempotency-key-reused"
    elsewhere = post(world, f"/api/v1/tokens/{world.ids['token_auditor']}/revoke", {}, key)
    assert elsewhere.status_code == 422
    assert world.ledger.log_position == head


def test_keys_belong_to_the_token_that_used_them(world: World) -> None:
    key = f"shared-{unique()}"
    body = {"name": "孙八", "id_number": id_number(unique() + 40000).reveal()}
    mine = post(world, "/api/v1/workers", body, key, "issuer")
    theirs = post(world, "/api/v1/workers", body, key, "other_issuer")
    assert mine.status_code == 201
    assert theirs.status_code == 422  # ran on its own: the person is registered already
    assert theirs.json["rule"] == "already-registered"
    assert "Idempotent-Replayed" not in theirs.headers


def test_rule_violations_are_replayed_too(world: World) -> None:
    number = world.fresh_certificate()
    world.ledger.certificates.change_certificate_status(
        number, "revoke", actor="test", reason="作废"
    )
    key = f"rv-{unique()}"
    path = f"/api/v1/certificates/{number}/suspend"
    first = post(world, path, {"reason": "核查"}, key)
    retry = post(world, path, {"reason": "核查"}, key)
    assert first.status_code == retry.status_code == 422
    assert retry.json == first.json and retry.headers["Idempotent-Replayed"] == "true"


def test_a_request_still_running_gets_409_and_a_stale_one_outcome_unknown(world: World) -> None:
    shared = world.app.extensions["craftledger"]
    seal = shared.idempotency_seal
    key = f"busy-{unique()}"
    scope = f"token:{world.ids['token_admin']}"
    lookup = seal.lookup_key(scope, key)
    path = "/api/v1/tokens"
    body = {"role": "auditor"}
    with world.app.test_request_context(path, method="POST", json=body):
        from flask import g

        from service.api.idempotency import _request_fingerprint

        g.json_body = body
        fingerprint = _request_fingerprint(seal)
    assert shared.idempotency.begin(lookup, fingerprint).state == "started"
    busy = post(world, path, body, key)
    assert busy.status_code == 409
    assert busy.json["type"] == "urn:craftledger:problem:idempotency-key-in-progress"
    assert busy.headers["Retry-After"] == "1"

    import service.api.idempotency as idempotency

    original = idempotency.STALE_SECONDS
    idempotency.STALE_SECONDS = -1.0
    try:
        stale = post(world, path, body, key)
    finally:
        idempotency.STALE_SECONDS = original
    assert stale.status_code == 409
    assert stale.json["type"] == "urn:craftledger:problem:idempotency-outcome-unknown"


def test_conflicts_are_not_kept_so_the_retry_runs(world: World, monkeypatch: Any) -> None:
    from service.ledger import ConcurrencyConflict

    number = world.fresh_certificate()
    calls = []
    original = world.ledger.certificates.change_certificate_status

    def busy_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            raise ConcurrencyConflict("busy")
        return original(*args, **kwargs)

    monkeypatch.setattr(world.ledger.certificates, "change_certificate_status", busy_once)
    key = f"cc-{unique()}"
    first = post(world, f"/api/v1/certificates/{number}/suspend", {"reason": "核查"}, key)
    assert first.status_code == 409
    assert first.json["type"] == "urn:craftledger:problem:concurrency-conflict"
    retry = post(world, f"/api/v1/certificates/{number}/suspend", {"reason": "核查"}, key)
    assert retry.status_code == 200 and "Idempotent-Replayed" not in retry.headers
    assert len(calls) == 2


@pytest.mark.parametrize("key", ["", "with space", "é", "x" * 256])
def test_malformed_keys_get_400(sqlite_world: World, key: str) -> None:
    response = post(sqlite_world, "/api/v1/tokens", {"role": "auditor"}, key)
    assert response.status_code == 400
    assert response.json["type"] == "urn:craftledger:problem:invalid-idempotency-key"


def test_the_store_holds_neither_keys_nor_answers_in_the_clear(world: World) -> None:
    key = f"secret-{unique()}"
    answer = post(world, "/api/v1/tokens", {"role": "auditor"}, key)
    token = answer.json["token"]
    if world.backend == "sqlite":
        path = world.ledger.settings.data_dir / "idempotency.sqlite3"
        with sqlite3.connect(path) as connection:
            rows = connection.execute("SELECT * FROM craftledger_idempotency").fetchall()
    else:
        schema = world.ledger.settings.postgres_schema
        with psycopg.connect(POSTGRES_URL) as connection:
            rows = connection.execute(
                f'SELECT * FROM "{schema}".craftledger_idempotency'
            ).fetchall()
    dump = repr(rows).encode()
    assert rows
    assert token.encode() not in dump and key.encode() not in dump
    assert b"auditor" not in b"".join(bytes(r[3]) for r in rows if r[3] is not None)
    retry = post(world, "/api/v1/tokens", {"role": "auditor"}, key)
    assert retry.json["token"] == token


def test_expired_keys_are_forgotten(sqlite_world: World, monkeypatch: Any) -> None:
    key = f"old-{unique()}"
    assert post(sqlite_world, "/api/v1/tokens", {"role": "auditor"}, key).status_code == 201
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 2 * 24 * 3600)
    again = post(sqlite_world, "/api/v1/tokens", {"role": "auditor"}, key)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
