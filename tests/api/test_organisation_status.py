"""Suspend (暂停), reinstate and revoke (撤销) a filed body through the HTTP API: the HR bureau
(admin) may, an issuer may not; a refused transition names its rule; the reason is required and
recorded in the body's events with the actor."""

from __future__ import annotations

from tests.support.api_world import World


def _events(world: World, organisation) -> list:
    return list(world.ledger.events.get(organisation))


def test_admin_suspends_reinstates_and_revokes_a_body_with_reasons(world: World) -> None:
    body = world.fresh_employer()
    path = f"/api/v1/organisations/{body}"

    suspended = world.call("POST", f"{path}/suspend", json={"reason": "质量督导发现问题"})
    assert suspended.status_code == 200, suspended.json
    assert suspended.json["status"] == "suspended"
    assert suspended.json["status_history"][-1]["reason"] == "质量督导发现问题"
    assert suspended.json == world.call("GET", path).json

    reinstated = world.call("POST", f"{path}/reinstate", json={"reason": "整改完成"})
    assert reinstated.status_code == 200 and reinstated.json["status"] == "active"

    revoked = world.call("POST", f"{path}/revoke", json={"reason": "不再具备评价条件"})
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"

    events = _events(world, body)
    changes = [(type(e).__name__, e.reason, e.actor) for e in events[-3:]]
    admin_actor = f"admin:{world.ids['token_admin']}"
    assert changes == [
        ("Suspended", "质量督导发现问题", admin_actor),
        ("Reinstated", "整改完成", admin_actor),
        ("Revoked", "不再具备评价条件", admin_actor),
    ]


def test_a_refused_transition_is_422_naming_the_rule(world: World) -> None:
    body = world.fresh_employer()
    path = f"/api/v1/organisations/{body}"
    not_suspended = world.call("POST", f"{path}/reinstate", json={"reason": "误操作"})
    assert not_suspended.status_code == 422
    assert not_suspended.headers["Content-Type"].startswith("application/problem+json")
    assert not_suspended.json["rule"] == "not-suspended"

    assert world.call("POST", f"{path}/revoke", json={"reason": "撤销"}).status_code == 200
    version = world.ledger.organisation(body).version
    refused = world.call("POST", f"{path}/reinstate", json={"reason": "恢复"})
    assert refused.status_code == 422 and refused.json["rule"] == "organisation-revoked"
    again = world.call("POST", f"{path}/suspend", json={"reason": "暂停"})
    assert again.status_code == 422 and again.json["rule"] == "organisation-revoked"
    assert world.ledger.organisation(body).version == version


def test_the_reason_is_required(world: World) -> None:
    body = world.fresh_employer()
    for action in ("suspend", "reinstate", "revoke"):
        answer = world.call("POST", f"/api/v1/organisations/{body}/{action}", json={})
        assert answer.status_code == 422
        assert [error["pointer"] for error in answer.json["errors"]] == ["/reason"]
    assert world.ledger.organisation(body).status.value == "active"


def test_an_issuer_is_refused(world: World) -> None:
    own = world.ids["org_a"]
    for action in ("suspend", "reinstate", "revoke"):
        answer = world.call(
            "POST", f"/api/v1/organisations/{own}/{action}", "issuer", json={"reason": "自行暂停"}
        )
        assert answer.status_code == 403
    assert world.ledger.organisation(own).status.value == "active"
