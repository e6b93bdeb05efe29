"""``GET /api/v1/workers/{id}/points``: each city's policy case by case through the real ledger,
revoked and suspended certificates never counting, and the signed statement verifying online
and offline (and failing once tampered with)."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.api_token import Role
from domain.china_time import china_date
from domain.skill_level import SkillLevel
from service.cli import main
from service.signing.data_integrity import CRYPTOSUITES, add_proof, proofs_of
from service.signing.multikey import did_key, did_key_verification_method, public_multibase_of
from tests.factories import ELECTRICIAN, ESTATE_AGENT, WELDER
from tests.readmodels.read_model_api import ReadModelApi

SHANGHAI = "shanghai-residence-points"
TIANJIN = "tianjin-hukou-points"
GUANGZHOU = "guangzhou-hukou-points"
BEIJING = "beijing-hukou-points"


def statement(
    api: ReadModelApi, worker: UUID, policy: str, principal: str = "admin", **query: Any
) -> dict[str, Any]:
    params = "".join(f"&{key}={value}" for key, value in query.items())
    answer = api.get(f"/api/v1/workers/{worker}/points?policy={policy}{params}", principal)
    assert answer.status_code == 200, answer.get_data(True)
    document: dict[str, Any] = json.loads(answer.data)
    return document


def subject(document: dict[str, Any]) -> dict[str, Any]:
    return document["credentialSubject"]  # type: ignore[no-any-return]


def checks(document: dict[str, Any], number: str | None = None) -> dict[str, bool]:
    return {
        c["name"]: c["passed"]
        for c in subject(document)["conditionsChecked"]
        if number is None or c.get("certificateNumber") == number
    }


def unverifiable(document: dict[str, Any]) -> dict[str, int]:
    return {c["name"]: c["bonusPoints"] for c in subject(document)["conditionsUnverifiable"]}


def counted(document: dict[str, Any]) -> list[str]:
    return [c["number"] for c in subject(document)["counted"]]


def verify_online(api: ReadModelApi, document: dict[str, Any]) -> dict[str, Any]:
    answer = api.client.post("/credentials/verify", json={"verifiableCredential": document})
    assert answer.status_code == 200
    return answer.json  # type: ignore[no-any-return]


def verify_offline(path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["vc", "verify", "--json", str(path)])
    return result.exit_code, json.loads(result.output)


# -- Shanghai -----------------------------------------------------------------------------------


def test_shanghai_counts_the_best_certificate_issued_in_shanghai_and_max_of_education(
    api: ReadModelApi,
):
    shanghai, beijing = api.body("31"), api.body("11")
    worker = api.worker(shanghai)
    local = api.issue(shanghai, worker, "3", bypass=True)
    api.ledger.workers.start_employment(worker, beijing, since=date(2016, 1, 1), actor="t")
    elsewhere = api.issue(beijing, worker, "2", WELDER, bypass=True)

    document = statement(api, worker, SHANGHAI)
    assert subject(document)["policy"]["key"] == "shanghai-residence-points@2018"
    assert subject(document)["policy"]["source"].startswith(
        "上海市居住证积分管理办法 (沪府发〔2017〕98号)"
    )
    assert (subject(document)["points"], counted(document)) == (60, [local])
    assert checks(document, elsewhere)["issued_in_province"] is False  # 二级 from Beijing: 0
    assert {"post_match", "obtained_while_working_in_city", "education_or_skill"} <= set(
        unverifiable(document)
    )
    assert "social_insurance_base" not in unverifiable(document)  # only for 二级 and 一级

    lower = statement(api, worker, SHANGHAI, education_points=45)
    assert (subject(lower)["points"], subject(lower)["educationPoints"]) == (60, 45)
    assert counted(lower) == [local]
    higher = statement(api, worker, SHANGHAI, education_points=110)
    assert (subject(higher)["points"], subject(higher)["skillPoints"]) == (110, 60)
    assert counted(higher) == []  # max(education, skill), not the sum
    assert "only the higher counts" in subject(higher)["explanation"]


def test_shanghai_high_levels_leave_the_social_insurance_base_to_the_office(api: ReadModelApi):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    number = api.issue(shanghai, worker, "2", bypass=True)
    document = statement(api, worker, SHANGHAI)
    assert (subject(document)["points"], counted(document)) == (100, [number])
    assert "social_insurance_base" in unverifiable(document)


# -- Tianjin ------------------------------------------------------------------------------------


def test_tianjin_applies_the_half_year_issue_date_cutoff_and_the_scarcity_bonus(
    api: ReadModelApi,
):
    tianjin = api.body("12")
    worker = api.worker(tianjin)
    api.clock.travel_to(date(2024, 3, 10))
    early = api.issue(tianjin, worker, "5", WELDER)
    api.clock.travel_to(date(2024, 8, 15))
    late = api.issue(tianjin, worker, "4", bypass=True)
    api.clock.travel_to(date(2025, 2, 1))

    # Second half of 2024: the cutoff is 2024-06-30, so only the March certificate counts.
    autumn = statement(api, worker, TIANJIN, as_of="2024-12-31")
    assert checks(autumn, late)["issue_date_cutoff"] is False
    assert checks(autumn, early)["issue_date_cutoff"] is True
    assert (subject(autumn)["points"], counted(autumn)) == (5 + 25, [early])
    # First half of 2025: the cutoff is 2024-12-31, so the August 四级 counts.
    winter = statement(api, worker, TIANJIN, as_of="2025-01-01")
    assert (subject(winter)["points"], counted(winter)) == (10 + 25, [late])
    assert [(i["label"], i["points"]) for i in subject(winter)["items"]] == [
        ("四级/中级工 certificate", 10),
        ("紧缺职业(工种) 导向分: 非常紧缺职业", 25),
    ]
    assert {"national_query", "post_match"} <= set(unverifiable(winter))
    # Before the August certificate existed, it is not even considered.
    summer = statement(api, worker, TIANJIN, as_of="2024-08-14")
    assert [c["number"] for c in subject(summer)["certificatesConsidered"]] == [early]


def test_tianjin_refuses_occupations_outside_the_years_catalogue(api: ReadModelApi):
    tianjin = api.body("12")
    worker = api.worker(tianjin)
    number = api.issue(tianjin, worker, "4", ESTATE_AGENT)
    api.clock.travel_to(date(2023, 7, 1))
    document = statement(api, worker, TIANJIN)
    assert checks(document, number)["occupation_in_catalogue"] is False
    assert (subject(document)["points"], counted(document)) == (0, [])


# -- Guangzhou, Beijing -------------------------------------------------------------------------


def test_guangzhou_adds_the_urgent_need_bonus_and_leaves_the_post_bonus_to_the_office(
    api: ReadModelApi,
):
    guangzhou = api.body("44")
    worker = api.worker(guangzhou)
    number = api.issue(guangzhou, worker, "3", bypass=True)
    document = statement(api, worker, GUANGZHOU)
    assert (subject(document)["points"], counted(document)) == (20 + 10, [number])
    assert checks(document, number)["urgent_need_occupation"] is True
    assert unverifiable(document)["works_in_matching_occupation"] == 10  # not in the points


def test_beijing_scores_no_skill_certificate_and_lists_honours_for_the_office(
    api: ReadModelApi,
):
    beijing, union = api.body("11"), api.union()
    worker = api.worker(beijing)
    api.issue(beijing, worker, "3", bypass=True)
    ladder = api.ladder(union, "朝阳区荣誉阶梯")
    api.ledger.honours.award_honour(
        ladder, award_id="CY-1", worker_id=worker, tier="朝阳工匠", year=2023, actor="t"
    )
    api.ledger.honours.award_honour(
        ladder, award_id="CY-2", worker_id=worker, tier="朝阳能手", year=2023, actor="t"
    )
    api.ledger.honours.withdraw_honour(ladder, award_id="CY-2", actor="t", reason="重复授予")
    document = statement(api, worker, BEIJING)
    assert (subject(document)["points"], counted(document)) == (0, [])
    assert checks(document)["skill_certificate_indicator"] is False
    assert [h["name"] for h in subject(document)["honours"]] == ["朝阳工匠 (朝阳区荣誉阶梯)"]
    assert "honour_recognition" in unverifiable(document)


# -- status -------------------------------------------------------------------------------------


def test_a_revoked_certificate_never_counts_not_even_for_a_date_before_the_revocation(
    api: ReadModelApi,
):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    number = api.issue(shanghai, worker, "3", bypass=True)
    api.clock.travel_to(date(2023, 5, 1))
    assert subject(statement(api, worker, SHANGHAI, as_of="2023-04-01"))["points"] == 60
    api.clock.travel_to(date(2023, 6, 1))
    api.change(number, "revoke", "证书造假")

    for as_of in ("2023-04-01", "2023-06-01"):
        document = statement(api, worker, SHANGHAI, as_of=as_of)
        assert (subject(document)["points"], counted(document)) == (0, []), as_of
        assert checks(document, number)["valid_at_date"] is False
    considered = subject(statement(api, worker, SHANGHAI, as_of="2023-04-01"))[
        "certificatesConsidered"
    ]
    assert (considered[0]["statusAtAsOf"], considered[0]["statusUsed"]) == ("valid", "revoked")
    assert "revocation is final" in considered[0]["note"]


def test_a_certificate_suspended_on_the_date_does_not_count_for_that_date(api: ReadModelApi):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    number = api.issue(shanghai, worker, "3", bypass=True)
    api.clock.travel_to(date(2023, 3, 1))
    api.change(number, "suspend", "举报待查")
    api.clock.travel_to(date(2023, 4, 1))
    api.change(number, "reinstate", "查无实据")
    api.clock.travel_to(date(2023, 5, 1))
    assert subject(statement(api, worker, SHANGHAI, as_of="2023-03-15"))["points"] == 0
    assert subject(statement(api, worker, SHANGHAI, as_of="2023-02-28"))["points"] == 60
    assert subject(statement(api, worker, SHANGHAI))["points"] == 60


def test_certificates_declared_from_outside_are_listed_not_scored(api: ReadModelApi):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    api.ledger.workers.declare_external_certificate(
        worker,
        number="S000031000001221000001",
        issuer_name="上海某培训学校",
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_3,
        issued_on=date(2022, 5, 1),
        actor="t",
    )
    document = statement(api, worker, SHANGHAI)
    assert subject(document)["points"] == 0
    assert [c["number"] for c in subject(document)["certificatesNotAssessed"]] == [
        "S000031000001221000001"
    ]


# -- the signed statement -----------------------------------------------------------------------


def test_the_statement_is_signed_by_the_ledger_and_verifies_online_and_offline(
    api: ReadModelApi, tmp_path: Path
):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    api.issue(shanghai, worker, "3", bypass=True)
    own = api.token(Role.WORKER, worker=worker)
    document = statement(api, worker, SHANGHAI, own, education_points=30)
    issuer = api.read("/api/v1/points-policies", "public")["statement_issuer"]
    assert document["issuer"]["id"] == issuer["id"]
    assert {proof["verificationMethod"] for proof in document["proof"]} == {
        issuer["verification_method"]
    }
    assert [proof["cryptosuite"] for proof in document["proof"]] == list(CRYPTOSUITES)
    assert document["type"] == ["VerifiableCredential", "PointsStatementCredential"]
    # The start of today in China (UTC+8): 16:00 UTC the day before.
    today = china_date(api.clock.now)
    assert document["validFrom"] == f"{(today - timedelta(days=1)).isoformat()}T16:00:00Z"

    report = verify_online(api, document)
    assert report["verified"] is True, report
    assert {c["check"]: c["status"] for c in report["checks"]}["issuer_filed"] == "passed"
    (tmp_path / "statement.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    code, offline = verify_offline(tmp_path / "statement.json")
    assert (code, offline["verified"]) == (0, True), offline

    tampered = copy.deepcopy(document)
    subject(tampered)["points"] = 140
    report = verify_online(api, tampered)
    assert report["verified"] is False
    assert report["checks"][0] == {**report["checks"][0], "check": "signature", "status": "failed"}
    (tmp_path / "tampered.json").write_text(json.dumps(tampered, ensure_ascii=False), "utf-8")
    code, offline = verify_offline(tmp_path / "tampered.json")
    assert (code, offline["verified"]) == (1, False)

    # The same claims re-signed with someone else's key verify as a signature, but not as the
    # ledger's statement.
    forged = {key: value for key, value in document.items() if key != "proof"}
    private = Ed25519PrivateKey.generate()
    public = public_multibase_of(private)
    forged["issuer"] = {**forged["issuer"], "id": did_key(public)}
    forged = add_proof(
        forged, private, did_key_verification_method(public), proofs_of(document)[0]["created"]
    )
    statuses = {c["check"]: c["status"] for c in verify_online(api, forged)["checks"]}
    assert (statuses["signature"], statuses["issuer_filed"]) == ("passed", "failed")


def test_the_same_request_gives_the_same_bytes_until_the_ledger_learns_more(api: ReadModelApi):
    shanghai = api.body("31")
    worker = api.worker(shanghai)
    number = api.issue(shanghai, worker, "3", bypass=True)
    api.clock.travel_to(date(2023, 4, 1))
    path = f"/api/v1/workers/{worker}/points?policy={SHANGHAI}&as_of=2023-03-01"
    first, second = api.get(path), api.get(path)
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    again = api.get(path, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    vc = api.get(path, Accept="application/vc")
    assert vc.mimetype == "application/vc" and vc.data == first.data
    api.change(number, "revoke", "证书造假")
    assert api.get(path).data != first.data


def test_bad_requests_are_problems_not_statements(api: ReadModelApi):
    worker = api.worker(api.body("31"))
    base = f"/api/v1/workers/{worker}/points"
    unknown = api.get(f"{base}?policy=chengdu-points")
    assert (
        unknown.status_code == 422
        and "unknown points policy" in unknown.json["errors"][0]["detail"]
    )
    early = api.get(f"{base}?policy={SHANGHAI}&as_of=2017-06-30")
    assert (early.status_code, early.json.get("rule")) == (422, "points-policy-not-in-force")
    future = api.get(f"{base}?policy={SHANGHAI}&as_of=2099-01-01")
    assert future.status_code == 422
    missing = api.get(base)
    assert missing.status_code == 422
    pinned = api.get(f"{base}?policy={SHANGHAI}@2018")
    assert pinned.status_code == 200
    wrong_version = api.get(f"{base}?policy={SHANGHAI}@1999")
    assert wrong_version.status_code == 422
    assert api.get(f"/api/v1/workers/{UUID(int=7)}/points?policy={SHANGHAI}").status_code == 404


def test_the_policies_list_names_source_and_effective_date(api: ReadModelApi):
    body = api.read("/api/v1/points-policies", "public")
    assert [(p["key"], p["effective_from"]) for p in body["items"]] == [
        ("beijing-hukou-points@2020", "2020-01-01"),
        ("guangzhou-hukou-points@2020", "2020-01-01"),
        ("shanghai-residence-points@2018", "2018-01-01"),
        ("tianjin-hukou-points@2022", "2022-01-01"),
    ]
    shanghai = next(p for p in body["items"] if p["id"] == SHANGHAI)
    assert "沪府发〔2017〕98号" in shanghai["source"]
    assert shanghai["points_by_level"] == {"5": 15, "4": 30, "3": 60, "2": 100, "1": 140}
    assert shanghai["education_combination"] == "max"
    tianjin = next(p for p in body["items"] if p["id"] == TIANJIN)
    assert {"kind": "issue_date_cutoff", "cutoffs": ["06-30", "12-31"]} in tianjin["conditions"]
    page = api.read("/api/v1/points-policies?limit=3", "public")
    rest = api.read(f"/api/v1/points-policies?limit=3&cursor={page['next_cursor']}", "public")
    assert [p["key"] for p in page["items"] + rest["items"]] == [p["key"] for p in body["items"]]
    assert rest["next_cursor"] is None
    assert api.read("/api/v1/points-policies?city=Tianjin", "public")["items"][0]["id"] == TIANJIN


def test_only_the_worker_auditors_and_admins_get_a_statement(api: ReadModelApi):
    employer = api.body("31")
    worker = api.worker(employer)
    path = f"/api/v1/workers/{worker}/points?policy={SHANGHAI}"
    assert api.get(path, api.token(Role.WORKER, worker=worker)).status_code == 200
    assert api.get(path, "auditor").status_code == 200
    assert api.get(path, api.token(Role.WORKER, worker=api.worker(employer))).status_code == 403
    assert api.get(path, api.token(Role.ISSUER, organisation=employer)).status_code == 403
    assert api.get(path, "public").status_code == 401
