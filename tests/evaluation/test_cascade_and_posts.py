"""After issue: revocation cascades, and enterprise posts (评聘), through the HTTP API on SQLite
and PostgreSQL.

Posts: 特级技师 for a 一级 holder is appointed through ``POST /api/v1/evaluations/posts``
(201), shown on the worker's ladder, and its signed credential verifies; without the 一级 it is
refused (422 naming ``principal-needs-level-1``); another organisation's issuer gets 403.

Revoking a 四级 certificate for fraud flags the later 三级 built on it (flagged for review, never
revoked automatically) in the same save: the certificate's full record lists the flag, the
worker's ladder drops the revoked level and shows the flag, and the points statement lists it.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from domain.errors import DomainRuleViolation
from domain.skill_level import SkillLevel
from service.credentials.jsonld_contexts import expand_strictly
from tests.evaluation.session_api import Api
from tests.factories import ELECTRICIAN

SHANGHAI = "shanghai-residence-points"


def issue(world: Api, worker: UUID, level: SkillLevel, basis: dict[str, Any]) -> str:
    return world.ledger.certificates.issue_certificate(  # type: ignore[no-any-return]
        issuer_id=world.body_id,
        worker_id=worker,
        occupation_code=ELECTRICIAN,
        level=level,
        basis=basis,
        actor="test",
    ).aggregate.number


ENTRY = {"kind": "evaluation", "reference": "EV-1", "bypass": "entry_route", "evidence": "years"}


def test_revoking_a_level_flags_what_was_built_on_it(api: Api) -> None:
    worker, other = api.staff[0], api.staff[1]
    four = issue(api, worker, SkillLevel.LEVEL_4, ENTRY)
    three = issue(api, worker, SkillLevel.LEVEL_3, {"kind": "evaluation", "reference": "EV-2"})
    # a fast-tracked 三级 needed no lower level: not flagged
    other_four = issue(api, other, SkillLevel.LEVEL_4, ENTRY)
    fast = issue(
        api,
        other,
        SkillLevel.LEVEL_3,
        {"kind": "evaluation", "reference": "EV-3", "bypass": "fast_track", "evidence": "破格"},
    )

    refused = api.call("POST", f"/api/v1/certificates/{four}/revoke", json={"reason": " "})
    assert refused.status_code == 422

    revoked = api.call(
        "POST", f"/api/v1/certificates/{four}/revoke", json={"reason": "fraud: forged evidence"}
    )
    assert revoked.status_code == 200, revoked.get_json()
    position = revoked.headers["X-Log-Position"]
    api.call("POST", f"/api/v1/certificates/{other_four}/revoke", json={"reason": "fraud"})

    for who in ("admin", "issuer", "auditor"):
        record = api.call("GET", f"/api/v1/certificates/{three}", who).get_json()
        assert record["status"] == "valid"  # flagged, not revoked: a human decides
        [flag] = record["flags"]
        assert flag["revoked_number"] == four
        assert flag["reason"] == "fraud: forged evidence"
        assert flag["kind"] == "levels_in_order"
        assert flag["via"] == four
    public = api.call("GET", f"/api/v1/certificates/{three}", "public").get_json()
    assert "flags" not in public
    assert api.call("GET", f"/api/v1/certificates/{fast}", "admin").get_json()["flags"] == []
    # the revocation and the flag are one save: one log position after the revocation's
    assert (
        api.ledger.certificate(three).flags[0]["at"]
        == api.ledger.certificate(four).history[-1]["at"]
    )

    ladder = api.call(
        "GET", f"/api/v1/workers/{worker}/ladder?wait_for={position}", "admin"
    ).get_json()
    [occupation] = ladder["occupations"]
    assert occupation["current"]["number"] == three  # 四级 dropped; 三级 still counts
    by_number = {p["number"]: p for p in occupation["promotions"]}
    assert by_number[four]["status"] == "revoked"
    assert by_number[four]["flags"] == []
    assert [f["revoked_number"] for f in by_number[three]["flags"]] == [four]

    statement = api.call(
        "GET", f"/api/v1/workers/{worker}/points?policy={SHANGHAI}", "admin"
    ).get_json()
    subject = statement["credentialSubject"]
    assert [(f["certificateNumber"], f["revokedNumber"]) for f in subject["flags"]] == [
        (three, four)
    ]
    assert four not in [c["number"] for c in subject["counted"]]


# -- enterprise posts (评聘) ----------------------------------------------------------------------

REVIEWS = [
    {"review": "performance", "evidence": "2023-2024 业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录 2024-11-02"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议 2024-11"},
]


def test_posts_check_prerequisites_in_the_ledger(api: Api) -> None:
    """The ledger commands themselves (the HTTP flow is below)."""
    worker, other = api.staff[0], api.staff[1]
    ask = {"organisation_id": api.body_id, "occupation_code": ELECTRICIAN, "actor": "test"}
    for post, reviews, rule in (
        ("principal", REVIEWS, "principal-needs-level-1"),
        ("chief", REVIEWS, "chief-needs-principal"),
        ("apprentice", REVIEWS[:2], "reviews-incomplete"),
        ("4", REVIEWS, "not-a-post"),
    ):
        with pytest.raises(DomainRuleViolation) as refused:
            api.ledger.posts.appoint_post(worker_id=worker, post=post, reviews=reviews, **ask)
        assert refused.value.rule == rule

    api.ledger.posts.appoint_post(worker_id=other, post="apprentice", reviews=REVIEWS, **ask)
    scope = {ELECTRICIAN: ["5", "4", "3", "2", "1"]}
    api.ledger.organisations.amend_scope(api.body_id, scope, actor="test", reason="filed for 一级")
    issue(api, worker, SkillLevel.LEVEL_1, {**ENTRY, "reference": "EV-9"})
    principal = api.ledger.posts.appoint_post(
        worker_id=worker, post="principal", reviews=REVIEWS, **ask
    )
    assert principal.aggregate.prerequisite is not None
    chief = api.ledger.posts.appoint_post(worker_id=worker, post="chief", reviews=REVIEWS, **ask)
    assert chief.aggregate.standing and chief.aggregate.prerequisite == str(principal.aggregate.id)

    document = api.ledger.posts.post_credential(chief.aggregate.id)
    assert document["issuer"]["name"] == "北京链家"
    # every term defined by the pinned contexts (ours third), expanded offline
    assert document["@context"][2] == api.ledger.credentials.credential_urls.craftledger_context
    expand_strictly(document, api.ledger.credentials.credential_urls.base_url)
    verified = api.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["verified"] is True, verified.get_json()


POSTS = "/api/v1/evaluations/posts"


def test_posts_through_the_api(api: Api) -> None:
    worker, other = api.staff[0], api.staff[1]
    ask = {"occupation_code": ELECTRICIAN, "post": "principal", "reviews": REVIEWS}

    refused = api.call("POST", POSTS, json={"worker_id": str(worker), **ask})
    assert refused.status_code == 422, refused.json
    assert refused.mimetype == "application/problem+json"
    assert refused.json["type"].endswith("principal-needs-level-1")

    foreign = {"organisation_id": str(api.body_id), "worker_id": str(worker), **ask}
    assert api.call("POST", POSTS, "other_issuer", json=foreign).status_code == 403
    assert api.call("POST", POSTS, "auditor", json=foreign).status_code == 403

    scope = {ELECTRICIAN: ["5", "4", "3", "2", "1"]}
    api.ledger.organisations.amend_scope(api.body_id, scope, actor="test", reason="filed for 一级")
    level_1 = issue(api, worker, SkillLevel.LEVEL_1, {**ENTRY, "reference": "EV-9"})

    appointed = api.call("POST", POSTS, json={"worker_id": str(worker), **ask})
    assert appointed.status_code == 201, appointed.json
    post = appointed.json
    assert post["post"] == "principal" and post["post_name"] == "特级技师"
    assert post["standing"] is True and post["prerequisite"] == level_1
    assert sorted(post["reviews"]) == ["comprehensive", "defence", "performance"]
    assert appointed.headers["Location"].endswith(f"{POSTS}/{post['id']}")
    path = f"{POSTS}/{post['id']}"
    for who, status in (("admin", 200), ("auditor", 200), ("issuer", 200), ("other_issuer", 403)):
        assert api.call("GET", path, who).status_code == status, who
        assert api.call("GET", f"{path}/credential", who).status_code == status, who
    assert api.call("GET", path, "public").status_code == 401
    again = api.call("POST", POSTS, json={"worker_id": str(worker), **ask})
    assert again.status_code == 422 and again.json["type"].endswith("already-appointed")

    ladder = api.call(
        "GET",
        f"/api/v1/workers/{worker}/ladder?wait_for={appointed.headers['X-Log-Position']}",
        "admin",
    ).json
    [shown] = ladder["posts"]
    assert shown["appointment_id"] == post["id"]
    assert (shown["post"], shown["post_name"], shown["standing"]) == ("principal", "特级技师", True)
    assert shown["organisation_id"] == str(api.body_id)
    assert shown["occupation_code"] == ELECTRICIAN

    credential = api.call("GET", f"{path}/credential", "issuer")
    assert credential.status_code == 200
    document = credential.get_json()
    assert document["id"].endswith(f"{path}/credential")
    verified = api.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert verified.status_code == 200, verified.get_json()
    assert verified.get_json()["verified"] is True, verified.get_json()

    # withdrawal: a reason is required; afterwards the ladder keeps it, not standing
    blank = api.call("POST", f"{path}/withdraw", json={"reason": " "})
    assert blank.status_code == 422
    assert (
        api.call("POST", f"{path}/withdraw", "other_issuer", json={"reason": "x"}).status_code
        == 403
    )
    withdrawn = api.call("POST", f"{path}/withdraw", json={"reason": "调离岗位"})
    assert withdrawn.status_code == 200, withdrawn.json
    assert withdrawn.json["standing"] is False
    assert withdrawn.json["withdrawn"]["reason"] == "调离岗位"
    ladder = api.call(
        "GET",
        f"/api/v1/workers/{worker}/ladder?wait_for={withdrawn.headers['X-Log-Position']}",
        "admin",
    ).json
    [shown] = ladder["posts"]
    assert shown["standing"] is False and shown["withdrawn_reason"] == "调离岗位"
    other_ladder = api.call("GET", f"/api/v1/workers/{other}/ladder", "admin").json
    assert other_ladder["posts"] == []

    # the withdrawn post's credential now reports revoked in the enterprise's status list
    again = api.client.post("/credentials/verify", json={"verifiableCredential": document})
    report = again.get_json()
    assert report["verified"] is False, report
    [status] = [c for c in report["checks"] if c["check"] == "status"]
    assert "revoked" in json.dumps(status, ensure_ascii=False), status


def test_a_withdrawn_post_can_be_appointed_again_as_a_new_term(api: Api) -> None:
    worker = api.staff[0]
    scope = {ELECTRICIAN: ["5", "4", "3", "2", "1"]}
    api.ledger.organisations.amend_scope(api.body_id, scope, actor="test", reason="filed for 一级")
    issue(api, worker, SkillLevel.LEVEL_1, {**ENTRY, "reference": "EV-9"})
    ask = {"worker_id": str(worker), "occupation_code": ELECTRICIAN, "reviews": REVIEWS}

    first = api.call("POST", POSTS, json={**ask, "post": "principal"}).json
    chief = api.call("POST", POSTS, json={**ask, "post": "chief"}).json
    assert first["term"] == chief["term"] == 1 and chief["prerequisite"] == first["id"]
    for post in (first, chief):
        withdrawn = api.call("POST", f"{POSTS}/{post['id']}/withdraw", json={"reason": "聘期届满"})
        assert withdrawn.status_code == 200, withdrawn.json
    # 首席技师 needs a *standing* 特级技师 appointment: the withdrawn term does not count
    refused = api.call("POST", POSTS, json={**ask, "post": "chief"})
    assert refused.status_code == 422 and refused.json["type"].endswith("chief-needs-principal")

    again = api.call("POST", POSTS, json={**ask, "post": "principal"})
    assert again.status_code == 201, again.json
    second = again.json
    assert second["term"] == 2 and second["id"] != first["id"] and second["standing"] is True
    twice = api.call("POST", POSTS, json={**ask, "post": "principal"})
    assert twice.status_code == 422 and twice.json["type"].endswith("already-appointed")
    chief_again = api.call("POST", POSTS, json={**ask, "post": "chief"})
    assert chief_again.status_code == 201, chief_again.json
    assert chief_again.json["term"] == 2 and chief_again.json["prerequisite"] == second["id"]

    # the first term stays as it was: withdrawn, its credential revoked; the ladder shows both
    assert api.call("GET", f"{POSTS}/{first['id']}").json["standing"] is False
    position = chief_again.headers["X-Log-Position"]
    ladder = api.call("GET", f"/api/v1/workers/{worker}/ladder?wait_for={position}", "admin").json
    standing = {(p["post"], p["appointment_id"]) for p in ladder["posts"] if p["standing"]}
    assert standing == {("principal", second["id"]), ("chief", chief_again.json["id"])}
    credential = api.call("GET", f"{POSTS}/{second['id']}/credential", "issuer").get_json()
    verified = api.client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert verified.get_json()["verified"] is True, verified.get_json()
