"""A competition through the HTTP API, from announcement to approved promotions and signed
award credentials, on SQLite and PostgreSQL (the Flask test client over the real WSGI stack,
with the projection runner thread keeping the leaderboard current)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.organisation import OrganisationKind
from tests.factories import ELECTRICIAN, marking_scheme
from tests.support.api_world import World, unique

JUDGES = ("裁判甲", "裁判乙", "裁判丙")
SCHEME = marking_scheme("trimmed")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def problem(response: Any, status: int, rule: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body: dict[str, Any] = response.json
    if rule is not None:
        assert body["rule"] == rule and body["type"] == f"urn:craftledger:rule:{rule}"
    return body


def correct_theory(world: World, base: str, worker: UUID, mark: str, reason: str) -> Any:
    """The organiser corrects judge 裁判乙's theory mark for ``worker``."""
    return world.call(
        "POST",
        f"{base}/corrections",
        "organiser",
        json={
            "worker_id": str(worker),
            "component": "theory",
            "judge": "裁判乙",
            "mark": mark,
            "reason": reason,
        },
    )


def announce(world: World, body_id: UUID, **extra: Any) -> dict[str, Any]:
    body = {
        "reference": f"CY-2025-{unique()}",
        "name": "2025年朝阳区电工技术比武",
        "tier": "district",
        "occupation_code": ELECTRICIAN,
        "exam_level": "3",
        "year": 2025,
        "region": "北京市朝阳区",
        "issuing_body_id": str(body_id),
        "marking_scheme": SCHEME,
        "tie_breaks": {"components": ["practical", "theory"], "earlier_finish": True},
        "promotion_rule_set": "tianjin-2024",
        **extra,
    }
    return ok(world.call("POST", "/api/v1/competitions", "organiser", json=body), 201)  # type: ignore[no-any-return]


def test_a_competition_from_announcement_to_approved_promotions(world: World) -> None:
    body_id = world.fresh_employer(OrganisationKind.SOCIAL)
    competition = announce(world, body_id)
    base = f"/api/v1/competitions/{competition['id']}"
    assert competition["status"] == "announced" and competition["entrants"] == 0
    assert competition["organiser_id"] == str(world.ids["union"])

    # entrants: four employees of employer A (the worker token's worker among them), a student
    employees = [world.ids["worker"]] + [world.fresh_worker(world.ids["org_a"]) for _ in range(3)]
    student = world.fresh_worker(name="赵同学")
    entrants = [{"worker_id": str(w), "entrant_kind": "employee"} for w in employees]
    entrants.append(
        {
            "worker_id": str(student),
            "entrant_kind": "student",
            "employer_name": "北京电子科技职业学院",
        }
    )
    registered = ok(
        world.call("POST", f"{base}/entrants", "organiser", json={"entrants": entrants}), 201
    )
    assert [e["entrant_number"] for e in registered["items"]] == [1, 2, 3, 4, 5]
    assert registered["items"][0]["employer_id"] == str(world.ids["org_a"])
    problem(world.call("POST", f"{base}/entrants", "issuer", json={"entrants": entrants}), 403)
    finish = {"worker_id": str(employees[1]), "finished_at": "2025-06-01T09:41:00+08:00"}
    entered = ok(world.call("POST", f"{base}/finish-times", "organiser", json=finish))
    assert entered["finish_time"] == "2025-06-01T01:41:00+00:00"
    problem(world.call("POST", f"{base}/finish-times", "organiser", json=finish), 422)  # reason?

    # the live board is the organiser's; the public sees locked components only (the default)
    early = ok(world.call("GET", f"{base}/leaderboard", "public"))
    assert [item["entrant_number"] for item in early["items"]] == [1, 2, 3, 4, 5]
    assert all(i["total"] is None and "worker_id" not in i for i in early["items"])

    # marks: practical and theory by three judges; entrant 1's practical spread is 15 (flagged)
    practical = {employees[0]: ("80", "88", "95")}
    totals = {employees[1]: "90", employees[2]: "85", employees[3]: "70", student: "75"}
    marks = [
        {"worker_id": str(w), "component": "practical", "judge": j, "mark": m}
        for w, given in practical.items()
        for j, m in zip(JUDGES, given, strict=True)
    ]
    marks += [
        {"worker_id": str(w), "component": "practical", "judge": j, "mark": mark}
        for w, mark in totals.items()
        for j in JUDGES
    ]
    marks += [
        {"worker_id": str(w), "component": "theory", "judge": j, "mark": "80"}
        for w in [*employees, student]
        for j in JUDGES
    ]
    request = {"marks": marks}
    key = {"Idempotency-Key": f"marks-{competition['id']}"}
    recorded = ok(world.call("POST", f"{base}/marks", "organiser", json=request, headers=key))
    assert recorded["recorded"] == 30
    assert recorded["needs_review"] == [{"worker_id": str(employees[0]), "component": "practical"}]
    replay = world.call("POST", f"{base}/marks", "organiser", json=request, headers=key)
    assert replay.headers["Idempotent-Replayed"] == "true"  # recorded once
    problem(
        world.call("POST", f"{base}/marks", "organiser", json={"marks": marks[:1]}),
        422,
        "mark-already-recorded",
    )
    problem(
        world.call(
            "POST", f"{base}/marks", "organiser", json={"marks": [{**marks[0], "mark": 80.5}]}
        ),
        422,
    )

    # a flagged spread blocks the lock until reviewed; a correction keeps its reason
    problem(
        world.call("POST", f"{base}/lock", "organiser", json={"component": "practical"}),
        422,
        "flagged-marks-unreviewed",
    )
    review = ok(
        world.call(
            "POST",
            f"{base}/reviews",
            "organiser",
            json={"worker_id": str(employees[0]), "component": "practical", "note": "复核: 有据"},
        )
    )
    assert review["marks"] == {"裁判甲": "80", "裁判乙": "88", "裁判丙": "95"}
    correction = ok(correct_theory(world, base, employees[3], "84", "录入错误"))
    assert (correction["previous"], correction["mark"]) == ("80", "84")
    problem(
        world.call(
            "POST",
            f"{base}/corrections",
            "organiser",
            json={
                **{k: correction[k] for k in ("component", "judge")},
                "worker_id": correction["worker_id"],
                "mark": "85",
            },
        ),
        422,
    )  # no reason
    for component in ("practical", "theory"):
        locked = world.call("POST", f"{base}/lock", "organiser", json={"component": component})
        ok(locked)
    assert locked.json["locked"] == ["practical", "theory"]
    problem(
        correct_theory(world, base, employees[3], "86", "after the lock"), 422, "component-locked"
    )

    # the organiser's live board, read after its own write
    position = locked.headers["X-Log-Position"]
    live = ok(world.call("GET", f"{base}/leaderboard?wait_for={position}", "organiser"))
    assert live["final"] is False
    assert [item["entrant_number"] for item in live["items"]] == [2, 1, 3, 5, 4]
    assert live["items"][0]["name"] != "张*" and "worker_id" in live["items"][0]

    # finalise: results for good, proposals by the Tianjin 2024 district rules (top 6)
    finalised = world.call("POST", f"{base}/finalise", "organiser", json={})
    assert ok(finalised)["status"] == "finalised"
    board = ok(
        world.call(
            "GET", f"{base}/leaderboard?wait_for={finalised.headers['X-Log-Position']}", "public"
        )
    )
    assert board["final"] is True
    assert [(i["rank"], i["award"]) for i in board["items"]] == [
        (1, "gold"),
        (2, "silver"),
        (3, "bronze"),
        (4, None),
        (5, None),
    ]
    assert board["items"][1]["name"] == "张*"  # the worker token's worker, masked
    assert all("worker_id" not in item for item in board["items"])
    assert board["items"][0]["total"] == "87.00"  # 0.7 * 90 + 0.3 * 80

    proposals = ok(world.call("GET", f"{base}/proposals", "admin"))["items"]
    assert {p["target_level"] for p in proposals} == {"3", "4"}  # students go to 中级工
    assert all(p["status"] == "proposed" and p["rule_set"] == "tianjin-2024" for p in proposals)
    own = ok(world.call("GET", f"{base}/proposals", "worker"))["items"]
    assert [p["worker_id"] for p in own] == [str(world.ids["worker"])]
    problem(world.call("GET", f"{base}/proposals", "public"), 401)
    problem(world.call("GET", f"{base}/proposals", "issuer"), 403)

    # 报送: the organiser submits them; before that the HR bureau cannot decide
    approve = f"{base}/proposals/{world.ids['worker']}/approve"
    problem(world.call("POST", approve, "admin", json={}), 422, "proposal-not-submitted")
    submitted = ok(world.call("POST", f"{base}/proposals/submit", "organiser", json={}))
    assert {p["worker_id"] for p in submitted["items"]} == {p["worker_id"] for p in proposals}
    assert all(p["submitted_at"] for p in submitted["items"])
    problem(world.call("POST", f"{base}/proposals/submit", "organiser", json={}), 422)

    # 核准: only the HR bureau (admin); the certificate names the competition as its basis
    problem(world.call("POST", approve, "organiser", json={}), 403)
    approved = ok(world.call("POST", approve, "admin", json={"note": "朝人社核〔2025〕3号"}))
    assert approved["status"] == "approved" and approved["target_level"] == "3"
    certificate = ok(
        world.call("GET", f"/api/v1/certificates/{approved['certificate_number']}", "admin")
    )
    assert certificate["issuer_id"] == str(body_id) and certificate["level"] == "3"
    assert certificate["basis"]["kind"] == "competition"
    assert certificate["basis"]["reference"] == competition["id"]
    assert certificate["basis"]["bypass"] == "competition_promotion"
    credential = ok(
        world.call("GET", f"/api/v1/certificates/{approved['certificate_number']}/credential")
    )
    verified = ok(
        world.call(
            "POST", "/credentials/verify", "public", json={"verifiableCredential": credential}
        )
    )
    assert verified["verified"] is True, verified

    reject = f"{base}/proposals/{student}/reject"
    problem(world.call("POST", reject, "admin", json={}), 422)
    rejected = ok(world.call("POST", reject, "admin", json={"reason": "学籍材料不全"}))
    assert rejected["status"] == "rejected" and rejected["note"] == "学籍材料不全"

    # awards: public, masked, each with a signed Open Badges credential that verifies
    awards = ok(world.call("GET", f"{base}/awards", "public"))
    assert [a["award_name"] for a in awards["items"]] == ["金牌", "银牌", "铜牌"]
    assert awards["items"][1]["name"] == "张*"
    award_credential = world.call("GET", awards["items"][1]["credential_url"], "public")
    document = ok(award_credential)
    assert document["credentialSubject"]["name"] == "张*"
    assert document["credentialSubject"]["achievement"]["achievementType"] == "Award"
    assert document["issuer"]["name"].startswith("测试工会")
    verified = ok(
        world.call("POST", "/credentials/verify", "public", json={"verifiableCredential": document})
    )
    assert verified["verified"] is True, verified
    full = ok(world.call("GET", awards["items"][1]["credential_url"], "worker"))
    assert full["credentialSubject"]["name"] == "张三"
    problem(
        world.call("GET", awards["items"][0]["credential_url"] + "?disclosure=full", "worker"), 403
    )

    # the list of competitions shows it, finalised
    listed = ok(
        world.call(
            "GET",
            f"/api/v1/competitions?status=finalised&wait_for={finalised.headers['X-Log-Position']}",
            "public",
        )
    )
    assert competition["id"] in [c["id"] for c in listed["items"]]


def test_announcement_is_validated_field_by_field(world: World) -> None:
    body_id = world.fresh_employer(OrganisationKind.SOCIAL)
    bad_scheme = {**SCHEME, "components": [{**SCHEME["components"][0], "weight": "60"}]}
    refused = problem(
        world.call(
            "POST",
            "/api/v1/competitions",
            "organiser",
            json={
                "reference": "BAD-1",
                "name": "x",
                "tier": "district",
                "occupation_code": ELECTRICIAN,
                "exam_level": "3",
                "year": 2025,
                "region": "朝阳区",
                "issuing_body_id": str(body_id),
                "marking_scheme": bad_scheme,
                "promotion_rule_set": "tianjin-2024",
            },
        ),
        422,
        "weights-must-sum-to-100",
    )
    assert "60" in refused["detail"]
    unknown = problem(
        world.call(
            "POST",
            "/api/v1/competitions",
            "organiser",
            json={
                "reference": "BAD-2",
                "name": "x",
                "tier": "district",
                "occupation_code": ELECTRICIAN,
                "exam_level": "3",
                "year": 2025,
                "region": "朝阳区",
                "marking_scheme": SCHEME,
                "tie_breaks": {"components": ["oral"], "earlier_finish": True},
                "promotion_rule_set": "beijing-2099",
            },
        ),
        422,
    )
    pointers = {error["pointer"] for error in unknown["errors"]}
    assert "/promotion_rule_set" in pointers
