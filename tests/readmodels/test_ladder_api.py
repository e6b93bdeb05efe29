"""``GET /api/v1/workers/{id}/ladder``: the ladder follows issue, suspension, reinstatement and
revocation; as of a past day it is the ladder of that day; honours, competitions and the career
stage with what moved the worker there."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.api_token import Role
from domain.worker import CareerEntryKind
from tests.factories import ELECTRICIAN, WELDER
from tests.readmodels.read_model_api import ReadModelApi


def ladder(api: ReadModelApi, worker: UUID, principal: str = "admin", **query: str) -> Any:
    suffix = "".join(f"&{key}={value}" for key, value in query.items())
    return api.read(f"/api/v1/workers/{worker}/ladder?{suffix.lstrip('&')}", principal)


def occupation(body: dict[str, Any], code: str = ELECTRICIAN) -> dict[str, Any]:
    return next(o for o in body["occupations"] if o["occupation_code"] == code)


def current_level(body: dict[str, Any], code: str = ELECTRICIAN) -> str | None:
    found = occupation(body, code)["current"]
    return None if found is None else str(found["level"])


def test_the_ladder_follows_issue_suspension_reinstatement_and_revocation(api: ReadModelApi):
    employer = api.body("11")
    worker = api.worker(employer)
    api.ledger.workers.record_career_entry(
        worker,
        kind=CareerEntryKind.TRAINING,
        title="电工技能提升培训",
        on=date(2022, 12, 1),
        details={},
        actor="t",
    )
    first = api.issue(employer, worker, "5")
    api.clock.travel_to(date(2023, 6, 1))
    second = api.issue(employer, worker, "4")

    body = ladder(api, worker)
    assert current_level(body) == "4"
    assert occupation(body)["current"]["number"] == second
    assert [
        (p["number"], p["status"], p["raised_level"]) for p in occupation(body)["promotions"]
    ] == [
        (first, "valid", True),
        (second, "valid", True),
    ]
    career = body["career"]
    assert (career["stage"], career["stage_name"], career["since"]) == (
        "development",
        "发展期",
        "2023-06-01",
    )
    assert [(s["stage_name"], s["entered_on"]) for s in career["stages"]] == [
        ("探索期", "2022-12-01"),
        ("发展期", "2023-06-01"),
    ]
    assert career["stages"][1]["what"] == f"等级晋升: 电工 四级/中级工 ({second})"
    assert career["stages"][0]["what"] == "职业培训: 电工技能提升培训"

    api.change(second, "suspend", "举报待查")
    body = ladder(api, worker)
    assert current_level(body) == "5"
    assert occupation(body)["promotions"][1]["status"] == "suspended"
    assert occupation(body)["promotions"][1]["status_reason"] == "举报待查"
    assert body["career"]["stage"] == "exploration"  # the promotion's evidence is out

    api.change(second, "reinstate", "查无实据")
    body = ladder(api, worker)
    assert current_level(body) == "4"
    assert body["career"]["stage"] == "development"

    api.change(second, "revoke", "证书造假")
    body = ladder(api, worker)
    assert current_level(body) == "5"
    assert occupation(body)["promotions"][1]["status"] == "revoked"
    assert body["career"]["stage"] == "exploration"
    assert [(h["kind"], h["number"]) for h in body["history"]] == [
        ("issued", first),
        ("issued", second),
        ("suspended", second),
        ("valid", second),
        ("revoked", second),
    ]
    assert body["history"][-1]["detail"] == {"reason": "证书造假"}

    api.change(first, "revoke", "证书造假")
    body = ladder(api, worker)
    assert occupation(body)["current"] is None  # the occupation stays, with its promotions
    assert len(occupation(body)["promotions"]) == 2


def test_the_ladder_as_of_a_past_day_is_the_ladder_of_that_day(api: ReadModelApi):
    employer = api.body("11")
    api.clock.travel_to(date(2023, 3, 1))
    worker = api.worker(employer)
    first = api.issue(employer, worker, "5")
    api.clock.travel_to(date(2023, 9, 1))
    second = api.issue(employer, worker, "4")
    api.clock.travel_to(date(2024, 2, 1))
    api.change(second, "revoke", "证书造假")
    api.clock.travel_to(date(2024, 5, 1))

    on_first = ladder(api, worker, as_of="2023-03-01")
    assert on_first["as_of"] == "2023-03-01"
    assert current_level(on_first) == "5"
    assert [p["number"] for p in occupation(on_first)["promotions"]] == [first]

    before_revocation = ladder(api, worker, as_of="2024-01-31")
    assert current_level(before_revocation) == "4"
    assert occupation(before_revocation)["promotions"][1]["status"] == "valid"
    assert before_revocation["log_position"] < ladder(api, worker)["log_position"]

    after = ladder(api, worker, as_of="2024-02-01")
    assert current_level(after) == "5"
    assert after == {**ladder(api, worker, as_of="2024-04-30"), "as_of": "2024-02-01"}
    now = ladder(api, worker)
    assert (current_level(now), now["as_of"]) == ("5", None)

    not_yet = api.get(f"/api/v1/workers/{worker}/ladder?as_of=2023-02-28")
    assert not_yet.status_code == 404
    future = api.get(f"/api/v1/workers/{worker}/ladder?as_of=2024-05-02")
    assert future.status_code == 422
    assert future.json["errors"][0]["parameter"] == "as_of"


def test_the_ladder_lists_honours_competitions_and_each_occupation(api: ReadModelApi):
    employer = api.body("11")
    union = api.union()
    worker = api.worker(employer)
    api.issue(employer, worker, "5")
    api.issue(employer, worker, "5", WELDER)
    honour_ladder = api.ladder(union, "朝阳区荣誉阶梯")
    api.ledger.honours.award_honour(
        honour_ladder,
        award_id="CY-2023-001",
        worker_id=worker,
        tier="朝阳能手",
        year=2023,
        actor="t",
    )
    competition = api.district_competition(union, "CY-2023-电工", [worker])

    body = ladder(api, worker)
    assert [o["occupation_code"] for o in body["occupations"]] == [WELDER, ELECTRICIAN]
    assert {o["occupation_name"] for o in body["occupations"]} == {"电工", "焊工"}
    assert [(h["ladder_name"], h["tier"], h["standing"]) for h in body["honours"]] == [
        ("朝阳区荣誉阶梯", "朝阳能手", True)
    ]
    assert [(c["competition_id"], c["name"]) for c in body["competitions"]] == [
        (str(competition), "朝阳区电工技术比武")
    ]
    assert body["career"]["stage"] == "growth"  # 成长期: entered a competition

    issuer = api.token(Role.ISSUER, organisation=employer)
    as_issuer = ladder(api, worker, issuer)
    assert as_issuer["honours"] == [] and as_issuer["honours_shown"] is False
    assert as_issuer["competitions"] == body["competitions"]
    own = api.token(Role.WORKER, worker=worker)
    assert ladder(api, worker, own)["honours_shown"] is True
    stranger = api.token(Role.WORKER, worker=api.worker(employer, "李四"))
    assert api.get(f"/api/v1/workers/{worker}/ladder", stranger).status_code == 403
    other_issuer = api.token(Role.ISSUER, organisation=api.body("11"))
    assert api.get(f"/api/v1/workers/{worker}/ladder", other_issuer).status_code == 403


def test_an_unknown_worker_has_no_ladder(api: ReadModelApi):
    answer = api.get("/api/v1/workers/00000000-0000-4000-8000-000000000000/ladder")
    assert answer.status_code == 404
    assert answer.headers["Content-Type"].startswith("application/problem+json")
