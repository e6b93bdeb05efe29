"""A whole session through the HTTP API (Flask test client), on SQLite and PostgreSQL.

plan → enrol (one refused as ineligible) → scores and a correction → publish (公示 over National
Day 2024) → objection lodged and upheld → premature confirmation refused → confirm (202, a job,
polled to completion) → the issued credentials verify → report; plus who may do what, imports
through multipart uploads, and idempotent uploads.
"""

from __future__ import annotations

from tests.evaluation.session_api import BASE, Api, mark, plan, poll
from tests.factories import (
    CONFIRM_DAY,
    PANEL_MARKERS,
    PLAN_DAY,
    PUBLISH_DAY,
    SESSION_END,
    WINDOW_END,
    id_number,
)
from tests.support.clocks import on_day


def test_a_whole_session_through_the_api(api: Api) -> None:
    on_day(api.clock, PLAN_DAY)
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    on_day(api.clock, SESSION_END)
    long_service = {"experience": [{"start": "2015-01-01"}]}
    zhang, li, wang, zhao = api.staff

    # enrol: three eligible, one refused naming the route and why
    for worker in (zhang, li, wang):
        response = api.call(
            "POST",
            f"{path}/candidates",
            json={"worker_id": str(worker), "route": "4-years", "evidence": long_service},
        )
        assert response.status_code == 200, response.json
        assert response.json["masked_id_number"] == api.id_of(worker)
        assert int(response.headers["X-Log-Position"]) == api.ledger.log_position
    refused = api.call(
        "POST",
        f"{path}/candidates",
        json={
            "worker_id": str(zhao),
            "route": "4-years",
            "evidence": {"experience": [{"start": "2022-01-01"}]},
        },
    )
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.json["rule"] == "candidate-ineligible"
    assert refused.json["detail"] == (
        "route 4-years (generic-default@2022) for 四级/中级工: needs 6 years in 6-31-01-03; "
        "2 years 8 months counted"
    )

    # scores: integers or decimal strings; a float is refused with the field named
    float_score = api.call(
        "POST",
        f"{path}/scores",
        json={"worker_id": str(zhang), "component": "theory", "score": 85.5, "examiner": "丁"},
    )
    assert float_score.status_code == 422
    assert float_score.json["errors"][0]["pointer"] == "/score"

    # a component's score is the panel's result: every practical examiner marks it
    for worker, theory, practical in ((zhang, 90, "85.5"), (li, 100, "58"), (wang, 70, 75)):
        mark(api, path, worker, "theory", theory, "丁")
        mark(api, path, worker, "practical", practical, "甲")
        two = mark(api, path, worker, "practical", practical, "乙")
        assert two["result"] == "incomplete" and "practical" not in two["scores"]
        assert two["progress"]["practical"] == {
            "rule": "panel-mean",
            "marked_by": ["甲", "乙"],
            "missing": ["丙"],
            "complete": False,
        }
        three = mark(api, path, worker, "practical", practical, "丙")
        assert three["progress"]["practical"]["complete"] is True
        assert three["scores"]["practical"]["rule"] == "panel-mean"
        assert three["scores"]["theory"]["rule"] == "single-mark"
    assert three["result"] == "passed"
    li_before = api.call("GET", f"{path}/candidates").json["items"][1]
    assert (li_before["result"], li_before["failed_components"]) == ("failed", ["practical"])
    corrected = api.call(
        "POST",
        f"{path}/corrections",
        json={
            "worker_id": str(li),
            "component": "practical",
            "score": "64",
            "examiner": "乙",
            "reason": "复核发现漏计",
        },
    )
    assert corrected.status_code == 200, corrected.json
    # the panel's mean: (58 + 64 + 58) / 3 = 60
    assert corrected.json["scores"]["practical"]["score"] == "60"
    assert corrected.json["result"] == "passed"
    correction = corrected.json["marks"]["practical"]["乙"]["corrections"][0]
    assert (correction["previous"], correction["reason"]) == ("58", "复核发现漏计")
    progress = api.call("GET", path).json["progress"]["practical"]
    assert progress == {
        "rule": "panel-mean",
        "panel": ["甲", "乙", "丙"],
        "scored": 3,
        "unscored": 0,
        "marks_missing": {"甲": 0, "乙": 0, "丙": 0},
    }

    # publication over National Day 2024 (make-up Sunday 09-29 counts)
    on_day(api.clock, PUBLISH_DAY)
    published = api.call("POST", f"{path}/publish", json={})
    assert published.status_code == 200, published.json
    publication = published.json["publication"]
    assert publication["window_ends_on"] == WINDOW_END.isoformat()
    assert publication["confirmable_from"] == CONFIRM_DAY.isoformat()

    # an objection, upheld: that result is withdrawn
    on_day(api.clock, WINDOW_END)
    lodged = api.call(
        "POST",
        f"{path}/objections",
        json={"worker_id": str(wang), "grounds": "理论考试作弊", "lodged_by": "匿名来信"},
    )
    assert lodged.status_code == 200, lodged.json
    assert lodged.json["id"] == "O-1" and lodged.json["resolution"] is None
    premature = api.call("POST", f"{path}/confirm", json={})
    assert premature.status_code == 422
    assert premature.json["rule"] == "publication-window-open"
    on_day(api.clock, CONFIRM_DAY)
    unresolved = api.call("POST", f"{path}/confirm", json={})
    assert unresolved.json["rule"] == "objections-unresolved"
    resolved = api.call(
        "POST",
        f"{path}/objections/O-1/resolve",
        json={"outcome": "upheld", "reason": "监考记录证实作弊"},
    )
    assert resolved.status_code == 200, resolved.json
    assert resolved.json["resolution"]["outcome"] == "upheld"

    # confirm: a job, polled to completion
    accepted = api.call("POST", f"{path}/confirm")
    assert accepted.status_code == 202, accepted.json
    location = accepted.headers["Location"]
    assert location == f"/api/v1/jobs/{accepted.json['id']}"
    assert accepted.json["kind"] == "confirm-evaluation"
    job = poll(api, location)
    assert job["state"] == "succeeded", job
    assert job["result"]["certificates"] == 2
    assert job["result"]["results"] == {"passed": 2, "failed": 0, "incomplete": 0, "withdrawn": 1}
    assert job["progress"]["done"] == job["progress"]["total"] > 0
    assert api.call("GET", location, "other_issuer").status_code == 403
    assert api.call("GET", location, "auditor").status_code == 200

    session = api.call("GET", path).json
    assert session["status"] == "issued" and session["issued"]["count"] == 2
    candidates = api.call("GET", f"{path}/candidates", "auditor").json["items"]
    numbers = [c["certificate_number"] for c in candidates]
    assert numbers[2] is None and candidates[2]["withdrawn"]["reason"] == "监考记录证实作弊"
    for number in numbers[:2]:
        credential = api.call("GET", f"/api/v1/certificates/{number}/credential", "admin")
        assert credential.status_code == 200, credential.get_data(as_text=True)
        document = credential.json
        verified = api.client.post("/credentials/verify", json={"verifiableCredential": document})
        assert verified.status_code == 200, verified.json
        assert verified.json["verified"] is True, verified.json

    # report (上报)
    reported = api.call(
        "POST", f"{path}/report", json={"reported_to": "朝阳区人社局", "reference": "R-9"}
    )
    assert reported.status_code == 200, reported.json
    assert reported.json["status"] == "reported"
    assert reported.json["report"]["reported_to"] == "朝阳区人社局"


def test_issuers_act_only_for_their_own_sessions(api: Api) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    worker = api.staff[0]
    body = {"worker_id": str(worker), "route": "4-years", "evidence": {}}
    assert api.call("POST", f"{path}/candidates", "other_issuer", json=body).status_code == 403
    assert api.call("GET", path, "other_issuer").status_code == 403
    assert api.call("GET", path, "auditor").status_code == 200
    assert api.call("POST", f"{path}/candidates", "auditor", json=body).status_code == 403
    assert api.call("GET", path, "public").status_code == 401
    assert api.call("POST", f"{path}/confirm", "other_issuer").status_code == 403
    seen = {"headers": {"X-Wait-For-Position": str(api.ledger.log_position)}}  # the read model
    mine = api.call("GET", BASE, **seen).json
    assert [item["reference"] for item in mine["items"]] == ["EV-2024-09"]
    assert api.call("GET", BASE, "other_issuer", **seen).json["items"] == []
    foreign = api.call("GET", f"{BASE}?body_id={api.body_id}", "other_issuer")
    assert foreign.status_code == 403
    listed = api.call("GET", BASE, "admin", **seen).json["items"]
    assert [item["status"] for item in listed] == ["planned"]


def test_lists_are_cursor_paginated(api: Api) -> None:
    for n in range(3):
        plan(api, f"EV-{n}")
    first = api.call("GET", f"{BASE}?limit=2&wait_for={api.ledger.log_position}").json
    assert [i["reference"] for i in first["items"]] == ["EV-0", "EV-1"]
    second = api.call("GET", f"{BASE}?limit=2&cursor={first['next_cursor']}").json
    assert [i["reference"] for i in second["items"]] == ["EV-2"]
    assert second["next_cursor"] is None
    bad = api.call("GET", f"{BASE}?cursor=bm90LWEtY3Vyc29y")
    assert bad.status_code == 400 and bad.json["type"].endswith("invalid-cursor")


def test_imports_through_multipart_with_a_dry_run(api: Api) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    on_day(api.clock, SESSION_END)
    numbers = [id_number(serial).reveal() for serial in (1, 2)]
    bad = (
        "身份证号,姓名,申报条件,从业起始日期\n"
        f"{numbers[0]},张三,4-years,2015-01-01\n"
        f"{numbers[1]},李四,4-yrs,2015-01-01\n"
    )
    before = api.ledger.log_position
    dry = api.upload(f"{path}/import/candidates?dry_run=true", bad.encode())
    assert dry.status_code == 200, dry.json
    assert dry.json["dry_run"] is True and dry.json["ok"] is False
    assert [(p["row"], p["column"]) for p in dry.json["problems"]] == [(3, "申报条件")]
    rejected = api.upload(f"{path}/import/candidates", bad.encode())
    assert rejected.status_code == 422
    assert rejected.mimetype == "application/problem+json"
    assert rejected.json["type"] == "urn:craftledger:problem:import-rejected"
    assert rejected.json["errors"] == [
        {
            "location": "file",
            "pointer": "/3/申报条件",
            "detail": "row 3, column 申报条件: " + dry.json["problems"][0]["message"],
        }
    ]
    assert numbers[1] not in rejected.get_data(as_text=True)
    assert api.ledger.log_position == before
    good = bad.replace("4-yrs", "4-years").encode()
    imported = api.upload(f"{path}/import/candidates", good)
    assert imported.status_code == 200, imported.json
    assert imported.json["recorded"] is True
    assert int(imported.headers["X-Log-Position"]) == imported.json["position"]
    scores = f"身份证号,理论知识,理论考评员,操作技能,操作技能考评员\n{numbers[0]},80,丁,85.5,甲\n"
    scored = api.upload(f"{path}/import/scores", scores.encode())
    assert scored.status_code == 200 and scored.json["changes"]["scores"] == 2
    assert api.upload(f"{path}/import/scores", scores.encode(), "other_issuer").status_code == 403
    missing = api.call("POST", f"{path}/import/scores", data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    json_body = api.call("POST", f"{path}/import/scores", json={"file": "x"})
    assert json_body.status_code == 422


def test_an_upload_replays_by_content_under_an_idempotency_key(api: Api) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}/import/candidates?dry_run=true"
    on_day(api.clock, SESSION_END)
    data = f"身份证号,姓名,申报条件,从业起始日期\n{id_number(1).reveal()},张三,4-years,2015-01-01\n"
    key = {"Idempotency-Key": "import-1"}
    first = api.upload(path, data.encode(), headers=key)
    again = api.upload(path, data.encode(), headers=key)
    assert again.status_code == first.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = api.upload(path, data.replace("张三", "李四").encode(), headers=key)
    assert other.status_code == 422
    assert other.json["type"].endswith("idempotency-key-reused")


def test_confirming_twice_while_the_job_runs_answers_the_same_job(api: Api) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    on_day(api.clock, SESSION_END)
    api.call(
        "POST",
        f"{path}/candidates",
        json={
            "worker_id": str(api.staff[0]),
            "route": "4-years",
            "evidence": {"experience": [{"start": "2015-01-01"}]},
        },
    )
    for component, examiner in PANEL_MARKERS:
        api.call(
            "POST",
            f"{path}/scores",
            json={
                "worker_id": str(api.staff[0]),
                "component": component,
                "score": 80,
                "examiner": examiner,
            },
        )
    on_day(api.clock, PUBLISH_DAY)
    api.call("POST", f"{path}/publish", json={"working_days": 1})
    on_day(api.clock, CONFIRM_DAY)
    from service.api.jobs import job_runner

    with api.app.app_context():
        runner = job_runner()
    runner.stop()  # hold the queue: nothing runs until started again
    runner._stop.set()
    original_start = runner.start
    runner.start = lambda: None  # type: ignore[method-assign]
    first = api.call("POST", f"{path}/confirm")
    second = api.call("POST", f"{path}/confirm")
    assert first.status_code == second.status_code == 202
    assert first.json["id"] == second.json["id"]
    assert first.json["state"] == "queued"
    runner.start = original_start  # type: ignore[method-assign]
    runner.start()
    assert poll(api, first.headers["Location"])["state"] == "succeeded"
    again = api.call("POST", f"{path}/confirm")
    assert again.status_code == 422 and again.json["rule"] == "evaluation-is-issued"


def test_a_confirmation_that_fails_in_the_job_records_nothing_and_says_why(api: Api) -> None:
    evaluation = plan(api)
    path = f"{BASE}/{evaluation}"
    on_day(api.clock, SESSION_END)
    for worker in api.staff[:2]:
        api.call(
            "POST",
            f"{path}/candidates",
            json={
                "worker_id": str(worker),
                "route": "4-years",
                "evidence": {"experience": [{"start": "2015-01-01"}]},
            },
        )
        for component, examiner in PANEL_MARKERS:
            api.call(
                "POST",
                f"{path}/scores",
                json={
                    "worker_id": str(worker),
                    "component": component,
                    "score": 80,
                    "examiner": examiner,
                },
            )
    on_day(api.clock, PUBLISH_DAY)
    api.call("POST", f"{path}/publish", json={})
    api.ledger.workers.end_employment(api.staff[1], api.body_id, until=WINDOW_END, actor="hr")
    on_day(api.clock, CONFIRM_DAY)
    before = api.ledger.log_position
    accepted = api.call("POST", f"{path}/confirm")
    assert accepted.status_code == 202
    job = poll(api, accepted.headers["Location"])
    assert job["state"] == "failed"
    assert job["error"]["rule"] == "not-own-staff"
    assert job["error"]["status"] == 422
    assert job["error"]["detail"].startswith("1 of 2 candidates cannot receive a certificate")
    assert api.ledger.log_position == before
    assert api.call("GET", path).json["status"] == "published"
