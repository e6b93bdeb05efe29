"""ID numbers go in through request bodies only and never come out, in any answer."""

from __future__ import annotations

from tests.factories import id_number
from tests.support.api_world import PRINCIPALS, World, unique


def test_no_answer_or_event_carries_the_full_id_number(world: World) -> None:
    fictitious = id_number(unique() + 80000)
    raw = fictitious.reveal()
    registered = world.call(
        "POST", "/api/v1/workers", "issuer", json={"name": "吴十三", "id_number": raw}
    )
    assert registered.status_code == 201
    worker = registered.json["id"]
    world.call(
        "POST",
        f"/api/v1/workers/{worker}/start-employment",
        "issuer",
        json={"employer_id": str(world.ids["org_a"]), "since": "2022-03-01"},
    )
    issued = world.call(
        "POST",
        "/api/v1/certificates",
        "issuer",
        json={
            "worker_id": worker,
            "occupation_code": "6-31-01-03",
            "level": "5",
            "basis": {"kind": "evaluation", "reference": "EV-PII"},
        },
    )
    assert issued.status_code == 201
    number = issued.json["number"]
    position = issued.headers["X-Log-Position"]
    answers = [registered, issued]
    for principal in PRINCIPALS:
        for path in (
            f"/api/v1/workers/{worker}",
            f"/api/v1/workers?wait_for={position}",
            f"/api/v1/certificates/{number}",
            f"/api/v1/certificates?wait_for={position}",
        ):
            answers.append(world.call("GET", path, principal))
    answers.append(
        world.client.post(
            "/api/v1/verify", json={"number": number, "name": "吴十三", "id_number": raw}
        )
    )
    duplicate = world.call("POST", "/api/v1/workers", json={"name": "吴十三", "id_number": raw})
    assert duplicate.json["rule"] == "already-registered"
    answers.append(duplicate)
    for answer in answers:
        text = answer.get_data(as_text=True)
        assert raw not in text and raw[6:14] not in text, answer.request.path
    masked = registered.json["masked_id_number"]
    assert masked == raw[:6] + "*" * 8 + raw[-4:]
    for notification in world.ledger.notifications():
        assert raw.encode() not in notification.state
