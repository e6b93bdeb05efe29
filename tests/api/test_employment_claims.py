"""Issue 16: a body cannot claim someone else's worker as its staff by saying so.

Over real HTTP (the Flask test client over a real ledger, SQLite and PostgreSQL): employer B
registers a worker and employs them since 2015; employer A then claims them as staff since 2010.
The claim stays pending -- A still gets 403 on the record and ``not-own-staff`` on enrolment --
until the worker (own token) or an administrator confirms it; a declined claim records nothing
that counts. The registering body's and an administrator's records take effect at once, and an
employment that began before registration is marked declared.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.api_token import Role
from tests.evaluation import matrix_support as evaluation_states
from tests.factories import id_number
from tests.support.api_world import World, unique


def victim_of_b(world: World) -> tuple[UUID, str]:
    """A worker registered and employed since 2015 by employer B (over HTTP), and their token."""
    answer = world.call(
        "POST",
        "/api/v1/workers",
        "other_issuer",
        json={"name": "赵六", "id_number": id_number(unique() + 90000).reveal()},
    )
    assert answer.status_code == 201, answer.json
    worker_id = UUID(answer.json["id"])
    employed = world.call(
        "POST",
        f"/api/v1/workers/{worker_id}/start-employment",
        "other_issuer",
        json={"employer_id": str(world.ids["org_b"]), "since": "2015-03-01"},
    )
    assert employed.status_code == 200, employed.json  # B registered them: in effect at once
    _token_id, token = world.fresh_token(Role.WORKER, worker_id=worker_id)
    return worker_id, token


def claim_by_a(world: World, worker_id: UUID) -> Any:
    return world.call(
        "POST",
        f"/api/v1/workers/{worker_id}/start-employment",
        "issuer",
        json={"employer_id": str(world.ids["org_a"]), "since": "2010-01-01"},
    )


def as_worker(world: World, token: str, method: str, path: str, json: Any = None) -> Any:
    return world.client.open(
        path, method=method, json=json, headers={"Authorization": f"Bearer {token}"}
    )


def enrol_with_a(world: World, worker_id: UUID) -> Any:
    session = evaluation_states.session_of(world, days_ago=0)
    return world.call(
        "POST",
        f"/api/v1/evaluations/{session['target']}/candidates",
        "issuer",
        json={
            "worker_id": str(worker_id),
            "route": "5-years",
            "evidence": evaluation_states.LONG_SERVICE,
        },
    )


def record_of(world: World, worker_id: UUID, principal: str = "issuer") -> Any:
    return world.call("GET", f"/api/v1/workers/{worker_id}", principal)


def test_a_claim_for_someone_elses_worker_is_pending_and_gives_the_body_nothing(
    world: World,
) -> None:
    worker_id, token = victim_of_b(world)
    assert record_of(world, worker_id).status_code == 403

    claimed = claim_by_a(world, worker_id)
    assert claimed.status_code == 202, claimed.json
    assert claimed.json["status"] == "pending"
    assert "employments" not in claimed.json  # the claim answers the claim, not the record
    assert record_of(world, worker_id).status_code == 403
    refused = enrol_with_a(world, worker_id)
    assert refused.status_code == 422
    assert refused.json["type"] == "urn:craftledger:rule:not-own-staff"

    again = claim_by_a(world, worker_id)
    assert again.status_code == 422
    assert again.json["type"] == "urn:craftledger:rule:employment-claim-pending"

    record = as_worker(world, token, "GET", f"/api/v1/workers/{worker_id}").json
    assert [str(e["employer_id"]) for e in record["employments"]] == [str(world.ids["org_b"])]
    claims = as_worker(world, token, "GET", f"/api/v1/workers/{worker_id}/employment-claims")
    assert claims.status_code == 200
    [claim] = claims.json["items"]
    assert claim["employer_id"] == str(world.ids["org_a"])
    assert claim["since"] == "2010-01-01" and claim["declared"] is True
    admin_view = world.call("GET", f"/api/v1/workers/{worker_id}/employment-claims", "admin")
    assert admin_view.json["items"] == claims.json["items"]
    for principal in ("issuer", "other_issuer", "other_worker"):
        path = f"/api/v1/workers/{worker_id}/employment-claims"
        assert world.call("GET", path, principal).status_code == 403


def test_the_worker_confirming_makes_the_claim_count(world: World) -> None:
    worker_id, token = victim_of_b(world)
    claim_by_a(world, worker_id)
    confirm = f"/api/v1/workers/{worker_id}/employments/{world.ids['org_a']}/confirm"
    assert world.call("POST", confirm, "issuer", json={}).status_code == 403  # not A's to say
    assert world.call("POST", confirm, "other_worker", json={}).status_code == 403

    confirmed = as_worker(world, token, "POST", confirm, json={})
    assert confirmed.status_code == 200, confirmed.json
    employments = {e["employer_id"]: e for e in confirmed.json["employments"]}
    assert employments[str(world.ids["org_a"])]["since"] == "2010-01-01"
    assert employments[str(world.ids["org_a"])]["declared"] is True  # before registration

    assert record_of(world, worker_id).status_code == 200
    assert enrol_with_a(world, worker_id).status_code == 200
    claims = as_worker(world, token, "GET", f"/api/v1/workers/{worker_id}/employment-claims")
    assert claims.json["items"] == []
    assert as_worker(world, token, "POST", confirm, json={}).status_code == 422  # none pending


def test_an_administrator_can_confirm_a_pending_claim(world: World) -> None:
    worker_id, _token = victim_of_b(world)
    claim_by_a(world, worker_id)
    confirm = f"/api/v1/workers/{worker_id}/employments/{world.ids['org_a']}/confirm"
    assert world.call("POST", confirm, "admin", json={}).status_code == 200
    assert record_of(world, worker_id).status_code == 200
    assert enrol_with_a(world, worker_id).status_code == 200


def test_a_declined_claim_records_nothing_that_counts(world: World) -> None:
    worker_id, token = victim_of_b(world)
    claim_by_a(world, worker_id)
    decline = f"/api/v1/workers/{worker_id}/employments/{world.ids['org_a']}/decline"
    no_reason = as_worker(world, token, "POST", decline, json={})
    assert no_reason.status_code == 422
    declined = as_worker(world, token, "POST", decline, json={"reason": "从未在该单位工作"})
    assert declined.status_code == 200, declined.json
    assert [e["employer_id"] for e in declined.json["employments"]] == [str(world.ids["org_b"])]
    assert record_of(world, worker_id).status_code == 403
    assert enrol_with_a(world, worker_id).json["type"] == "urn:craftledger:rule:not-own-staff"
    history = world.call("GET", f"/api/v1/audit/aggregates/{worker_id}/events", "auditor").json
    topics = [e["topic"] for e in history["items"]]
    assert topics[-2:] == [
        "craftledger:Worker.EmploymentClaimed",
        "craftledger:Worker.EmploymentDeclined",
    ]


def test_the_registering_body_and_an_administrator_record_at_once(world: World) -> None:
    registered = world.call(
        "POST",
        "/api/v1/workers",
        "issuer",
        json={"name": "钱七", "id_number": id_number(unique() + 90000).reveal()},
    )
    worker_id = registered.json["id"]
    own = world.call(
        "POST",
        f"/api/v1/workers/{worker_id}/start-employment",
        "issuer",
        json={"employer_id": str(world.ids["org_a"]), "since": "2099-01-01"},
    )
    assert own.status_code == 200, own.json
    assert own.json["employments"][0]["declared"] is False  # after registration
    by_admin = world.call(
        "POST",
        f"/api/v1/workers/{worker_id}/start-employment",
        "admin",
        json={"employer_id": str(world.ids["org_b"]), "since": "2012-05-01"},
    )
    assert by_admin.status_code == 200
    assert record_of(world, worker_id, "other_issuer").status_code == 200
