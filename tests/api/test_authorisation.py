"""The authorisation matrix: every principal against every endpoint, through the WSGI stack.

Each row of ``MATRIX`` is one endpoint; the columns are the principals of ``conftest``: the
public (no token), an admin, the issuer of employer A, the issuer of employer B, a union's
organiser, an auditor, the worker employed by A and another worker. A cell is the status the
endpoint must answer: 2xx when allowed, 401 for the public where a token is needed, 403 where the
role (or its binding: another organisation, another worker) does not allow it. Every case acts
on objects made fresh for it, so the cases are independent. The matrix runs on SQLite and on
PostgreSQL, and is checked against the ``x-access`` rules the OpenAPI document publishes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from domain.certificate import Certificate
from domain.competition import CompetitionTier
from domain.skill_level import SkillLevel
from service.certificate_pdf import CertificatePdfs
from tests.competition import matrix_support as competition_states
from tests.evaluation import matrix_support as evaluation_states
from tests.factories import ELECTRICIAN, fictitious_arrangement, id_number, marking_scheme
from tests.support.api_world import PRINCIPALS, ROLE_OF, World, unique

# fmt: off
# columns: public, admin, issuer, other_issuer, organiser, auditor, worker, other_worker
MATRIX: dict[str, str] = {
    "file organisation":             "401   201   403    403    403   403   403   403",
    "list organisations":            "200   200   200    200    200   200   200   200",
    "get organisation":              "200   200   200    200    200   200   200   200",
    "amend organisation scope":      "401   200   403    403    403   403   403   403",
    "suspend organisation":          "401   200   403    403    403   403   403   403",
    "reinstate organisation":        "401   200   403    403    403   403   403   403",
    "revoke organisation":           "401   200   403    403    403   403   403   403",
    "record organisation district":  "401   200   403    403    403   403   403   403",
    "list signing keys":             "401   200   403    403    403   200   403   403",
    "rotate signing key":            "401   200   403    403    403   403   403   403",
    "mark signing key compromised":  "401   200   403    403    403   403   403   403",
    "register worker":               "401   201   201    201    403   403   403   403",
    "list workers":                  "401   200   200    200    403   200   200   200",
    "get worker":                    "401   200   200    403    403   200   200   403",
    "start employment":              "401   200   202    403    403   403   403   403",
    "list employment claims":        "401   200   403    403    403   200   200   403",
    "confirm employment":            "401   200   403    403    403   403   200   403",
    "decline employment":            "401   200   403    403    403   403   200   403",
    "end employment":                "401   200   200    403    403   403   403   403",
    "record career entry":           "401   200   200    403    403   403   403   403",
    "declare external certificate":  "401   200   200    403    403   403   200   403",
    "check external certificate":    "401   200   200    403    403   403   403   403",
    "issue certificate":             "401   201   201    403    403   403   403   403",
    "list certificates":             "401   200   200    200    403   200   200   200",
    "get certificate":               "200   200   200    200    200   200   200   200",
    "suspend certificate":           "401   200   200    403    403   403   403   403",
    "reinstate certificate":         "401   200   200    403    403   403   403   403",
    "revoke certificate":            "401   200   200    403    403   403   403   403",
    "verify certificate":            "200   200   200    200    200   200   200   200",
    "plan evaluation":               "401   201   201    403    403   403   403   403",
    "get evaluation":                "401   200   200    403    403   200   403   403",
    "list evaluations":              "401   200   200    200    403   200   403   403",
    "list candidates":               "401   200   200    403    403   200   403   403",
    "enrol candidate":               "401   200   200    403    403   403   403   403",
    "record score":                  "401   200   200    403    403   403   403   403",
    "correct score":                 "401   200   200    403    403   403   403   403",
    "publish results":               "401   200   200    403    403   403   403   403",
    "lodge objection":               "401   200   200    403    403   403   403   403",
    "resolve objection":             "401   200   200    403    403   403   403   403",
    "list session objections":       "401   200   200    403    403   200   403   403",
    "list objections":               "401   200   200    200    403   200   403   403",
    "confirm evaluation":            "401   202   202    403    403   403   403   403",
    "report evaluation":             "401   200   200    403    403   403   403   403",
    "import candidates":             "401   200   200    403    403   403   403   403",
    "import scores":                 "401   200   200    403    403   403   403   403",
    "import staff":                  "401   200   200    403    403   403   403   403",
    "import template":               "200   200   200    200    200   200   200   200",
    "session eligibility routes":    "401   200   200    403    403   200   403   403",
    "list eligibility routes":       "200   200   200    200    200   200   200   200",
    "list occupations":              "200   200   200    200    200   200   200   200",
    "export evaluation":             "401   200   200    403    403   200   403   403",
    "evaluation history":            "401   200   200    403    403   200   403   403",
    "list evaluation reports":       "401   200   403    403    403   200   403   403",
    "appoint post":                  "401   201   201    403    403   403   403   403",
    "get post":                      "401   200   200    403    403   200   200   403",
    "withdraw post":                 "401   200   200    403    403   403   403   403",
    "get post credential":           "401   200   200    403    403   200   200   403",
    "get job":                       "401   200   200    403    403   200   403   403",
    "announce competition":          "401   201   403    403    201   403   403   403",
    "get competition":               "200   200   200    200    200   200   200   200",
    "list competitions":             "200   200   200    200    200   200   200   200",
    "register entrants":             "401   201   403    403    201   403   403   403",
    "list entrants":                 "401   200   403    403    200   200   403   403",
    "withdraw entrant":              "401   200   403    403    200   403   403   403",
    "record marks":                  "401   200   403    403    200   403   403   403",
    "correct mark":                  "401   200   403    403    200   403   403   403",
    "review spread":                 "401   200   403    403    200   403   403   403",
    "record finish time":            "401   200   403    403    200   403   403   403",
    "lock component":                "401   200   403    403    200   403   403   403",
    "finalise competition":          "401   200   403    403    200   403   403   403",
    "assign judging panel":          "401   200   403    403    200   403   403   403",
    "submit judge's marks":          "401   200   403    403    200   403   403   403",
    "choose board visibility":       "401   200   403    403    200   403   403   403",
    "live leaderboard":              "200   200   200    200    200   200   200   200",
    "private live leaderboard":      "401   200   403    403    200   200   403   403",
    "final leaderboard":             "200   200   200    200    200   200   200   200",
    "list proposals":                "401   200   403    403    200   200   200   200",
    "submit proposals":              "401   200   403    403    200   403   403   403",
    "approve proposal":              "401   200   403    403    403   403   403   403",
    "reject proposal":               "401   200   403    403    403   403   403   403",
    "list awards":                   "200   200   200    200    200   200   200   200",
    "award credential":              "200   200   200    200    200   200   200   200",
    "award pdf":                     "401   200   403    403    200   200   403   403",
    "results workbook":              "200   200   200    200    200   200   200   200",
    "invite judge":                  "401   201   403    403    201   403   403   403",
    "define honour ladder":          "401   201   403    403    201   403   403   403",
    "get honour ladder":             "200   200   200    200    200   200   200   200",
    "list honour ladders":           "200   200   200    200    200   200   200   200",
    "set ladder tier rule":          "401   200   403    403    200   403   403   403",
    "award title":                   "401   200   403    403    200   403   403   403",
    "withdraw title":                "401   200   403    403    200   403   403   403",
    "create token":                  "401   201   403    403    403   403   403   403",
    "current token":                 "401   200   200    200    200   200   200   200",
    "get token":                     "401   200   403    403    403   200   403   403",
    "revoke another token":          "401   200   403    403    403   403   403   403",
    "get certificate credential":    "200   200   200    200    200   200   200   200",
    "get certificate pdf":           "401   200   200    403    403   200   200   403",
    "get session certificates zip":  "401   200   200    403    403   200   403   403",
    "start certificate archive":     "401   202   202    403    403   202   403   403",
    "get certificate archive":       "401   200   200    403    403   200   403   403",
    "get document signing certs":    "200   200   200    200    200   200   200   200",
    "get document signing ca":       "200   200   200    200    200   200   200   200",
    "verify credential":             "200   200   200    200    200   200   200   200",
    "verify presentation":           "200   200   200    200    200   200   200   200",
    "get controller document":       "200   200   200    200    200   200   200   200",
    "get craftledger context":       "200   200   200    200    200   200   200   200",
    "get status list":               "200   200   200    200    200   200   200   200",
    "get numbered status list":      "404   404   404    404    404   404   404   404",
    "audit events":                  "401   403   403    403    403   200   403   403",
    "audit aggregate events":        "401   403   403    403    403   200   403   403",
    "audit aggregate state":         "401   403   403    403    403   200   403   403",
    "audit leaf":                    "401   403   403    403    403   200   403   403",
    "tree head":                     "200   200   200    200    200   200   200   200",
    "tree head history":             "200   200   200    200    200   200   200   200",
    "inclusion proof":               "200   200   200    200    200   200   200   200",
    "consistency proof":             "200   200   200    200    200   200   200   200",
    "ledger public key":             "200   200   200    200    200   200   200   200",
    "get ladder":                    "401   200   200    403    403   200   200   403",
    "get points statement":          "401   200   403    403    403   200   200   403",
    "list points policies":          "200   200   200    200    200   200   200   200",
    "add calendar":                  "401   201   403    403    403   403   403   403",
    "list calendars":                "200   200   200    200    200   200   200   200",
    "get calendar":                  "200   200   200    200    200   200   200   200",
    "get statistics":                "200   200   200    200    200   200   200   200",
    "get statistics breakdown":      "200   200   200    200    200   200   200   200",
    "export statistics":             "200   200   200    200    200   200   200   200",
    "list honour ladder holders":    "200   200   200    200    200   200   200   200",
    "list talents":                  "200   200   200    200    200   200   200   200",
    "list talent people":            "200   200   200    200    200   200   200   200",
    "export talents":                "200   200   200    200    200   200   200   200",
    "health":                        "200   200   200    200    200   200   200   200",
    "openapi document":              "200   200   200    200    200   200   200   200",
    "docs page":                     "200   200   200    200    200   200   200   200",
}
# fmt: on


Prepare = Callable[[World], dict[str, Any]]
"""Makes what a case acts on, fresh for it: the context its path and body are formatted with."""
Body = Callable[[World, dict[str, Any]], Any] | dict[str, Any] | None
"""What a case sends: a function of the world and the context, or a fixed body."""
Upload = Callable[[World, dict[str, Any]], bytes]
"""A multipart ``file`` instead of a JSON body."""


def nothing(world: World) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    prepare: Prepare = nothing
    body: Body = None
    upload: Upload | None = None

    def request(self, world: World, principal: str) -> Any:
        context = {**world.ids, **self.prepare(world)}
        path = self.path.format(**context)
        if self.upload is not None:
            files = evaluation_states.upload(self.upload(world, context))
            return world.call(
                self.method, path, principal, data=files, content_type="multipart/form-data"
            )
        body = self.body(world, context) if callable(self.body) else self.body
        return world.call(self.method, path, principal, json=body)


def read(path: str, prepare: Prepare = nothing) -> Endpoint:
    return Endpoint("GET", path, prepare)


def command(
    path: str,
    prepare: Prepare = nothing,
    body: Body = None,
    upload: Upload | None = None,
) -> Endpoint:
    return Endpoint("POST", path, prepare, body, upload)


def fresh_employer(world: World) -> dict[str, Any]:
    return {"target": world.fresh_employer()}


def staff_member(world: World) -> dict[str, Any]:
    """A fresh worker on employer A's staff."""
    return {"target": world.fresh_worker(world.ids["org_a"])}


def unemployed_worker(world: World) -> dict[str, Any]:
    return {"target": world.fresh_worker()}


def fresh_certificate(world: World) -> dict[str, Any]:
    return {"number": world.fresh_certificate()}


def employment_claim(world: World) -> dict[str, Any]:
    """A fresh employer's pending claim on the matrix's worker."""
    return {"employer": world.fresh_employment_claim(world.ids["worker"])}


def external_number() -> str:
    """A well-formed number of a certificate issued outside the ledger (an S body, 2024)."""
    return f"S000011000001245{unique() % 1000000:06d}"


def employer_key(world: World) -> dict[str, Any]:
    """A fresh employer and its signing key."""
    organisation = world.fresh_employer()
    return {"target": organisation, "key": world.ledger.organisation(organisation).current_key_id}


def suspended_organisation(world: World) -> dict[str, Any]:
    organisation = world.fresh_employer()
    world.ledger.organisations.change_organisation_status(
        organisation, "suspend", actor="test", reason="核查"
    )
    return {"target": organisation}


def suspended_certificate(world: World) -> dict[str, Any]:
    number = world.fresh_certificate()
    world.ledger.certificates.change_certificate_status(
        number, "suspend", actor="test", reason="核查"
    )
    return {"number": number}


def declared_external(world: World) -> dict[str, Any]:
    number = external_number()
    world.ledger.workers.declare_external_certificate(
        world.ids["worker"],
        number=number,
        issuer_name="某职业技能鉴定中心",
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_4,
        issued_on=date(2024, 5, 1),
        actor="test",
    )
    return {"number": number}


def signed_pdf_of_org_a(world: World) -> dict[str, Any]:
    """Employer A's first certificate PDF, which publishes its document-signing certificate."""
    CertificatePdfs(world.ledger).certificate_pdf(world.ids["certificate"], actor="test")
    return {}


def planned_evaluation(world: World) -> dict[str, Any]:
    recorded = world.ledger.evaluations.plan_evaluation(
        body_id=world.ids["org_a"],
        reference=f"EV-{unique()}",
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_5,
        starts_on=date(2025, 6, 1),
        ends_on=date(2025, 6, 3),
        panels={"practical": ["甲", "乙", "丙"]},
        actor="test",
    )
    return {"target": recorded.aggregate.id}


POST_REVIEWS = [
    {"review": "performance", "evidence": "2024 业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议"},
]


def appointed_post(world: World, worker: Any = None) -> dict[str, Any]:
    """An apprentice post (学徒工) at employer A: of the matrix's worker (made once, then
    reused: a post is one per worker, occupation and enterprise) or of a fresh one."""
    from domain.post_appointment import PostAppointment

    worker = worker or world.ids["worker"]
    ask = {"organisation_id": world.ids["org_a"], "worker_id": worker}
    appointment_id = PostAppointment.create_id(
        occupation_code=ELECTRICIAN, post="apprentice", **ask
    )
    if not world.ledger.exists(appointment_id):
        world.ledger.posts.appoint_post(
            occupation_code=ELECTRICIAN, post="apprentice", reviews=POST_REVIEWS, actor="test",
            **ask,
        )  # fmt: skip
    return {"target": appointment_id}


def announced_competition(world: World) -> dict[str, Any]:
    recorded = world.ledger.competitions.announce_competition(
        organiser_id=world.ids["union"],
        reference=f"C-{unique()}",
        name="朝阳区电工技能大赛",
        tier=CompetitionTier.DISTRICT,
        occupation_code=ELECTRICIAN,
        exam_level="3",
        year=2025,
        region="朝阳区",
        issuing_body_id=None,
        marking_scheme=marking_scheme(),
        actor="test",
    )
    return {"target": recorded.aggregate.id}


def awarded_title(world: World) -> dict[str, Any]:
    ladder = world.fresh_ladder()
    award = f"A-{unique()}"
    world.ledger.honours.award_honour(
        ladder,
        award_id=award,
        worker_id=world.ids["worker"],
        tier="朝阳能手",
        year=2025,
        actor="test",
    )
    return {"target": ladder, "award": award}


def fresh_token(world: World) -> dict[str, Any]:
    from domain.api_token import Role

    token_id, _ = world.fresh_token(Role.AUDITOR)
    return {"target": token_id}


REASON = {"reason": "核查"}

ENDPOINTS: dict[str, Endpoint] = {
    "file organisation": command(
        "/api/v1/organisations",
        body=lambda w, c: {
            "filing_code": f"U-{unique()}",
            "name": "朝阳区某街道工会",
            "kind": "union",
            "province_code": "11",
        },
    ),
    "list organisations": read("/api/v1/organisations"),
    "get organisation": read("/api/v1/organisations/{org_a}"),
    "amend organisation scope": command(
        "/api/v1/organisations/{target}/amend-scope",
        prepare=fresh_employer,
        body={"scope": {ELECTRICIAN: ["5", "4"]}, "reason": "备案变更"},
    ),
    "suspend organisation": command(
        "/api/v1/organisations/{target}/suspend", prepare=fresh_employer, body=REASON
    ),
    "reinstate organisation": command(
        "/api/v1/organisations/{target}/reinstate", prepare=suspended_organisation, body=REASON
    ),
    "revoke organisation": command(
        "/api/v1/organisations/{target}/revoke", prepare=fresh_employer, body=REASON
    ),
    "record organisation district": command(
        "/api/v1/organisations/{target}/district",
        prepare=fresh_employer,
        body={"district_code": "110105", "reason": "补录区县"},
    ),
    "list signing keys": read("/api/v1/organisations/{org_a}/keys"),
    "rotate signing key": command(
        "/api/v1/organisations/{target}/keys/rotate", prepare=fresh_employer, body={}
    ),
    "mark signing key compromised": command(
        "/api/v1/organisations/{target}/keys/{key}/compromise",
        prepare=employer_key,
        body=lambda w, c: {"compromised_at": w.ledger.clock().isoformat(), "reason": "泄露"},
    ),
    "register worker": command(
        "/api/v1/workers",
        body=lambda w, c: {
            "name": "赵六",
            "id_number": id_number(unique() + 20000).reveal(),
        },
    ),
    "list workers": read("/api/v1/workers"),
    "get worker": read("/api/v1/workers/{worker}"),
    "start employment": command(
        "/api/v1/workers/{target}/start-employment",
        prepare=unemployed_worker,
        body=lambda w, c: {"employer_id": str(c["org_a"]), "since": "2021-01-01"},
    ),
    "list employment claims": read(
        "/api/v1/workers/{worker}/employment-claims", prepare=employment_claim
    ),
    "confirm employment": command(
        "/api/v1/workers/{worker}/employments/{employer}/confirm", prepare=employment_claim, body={}
    ),
    "decline employment": command(
        "/api/v1/workers/{worker}/employments/{employer}/decline",
        prepare=employment_claim,
        body={"reason": "从未在该单位工作"},
    ),
    "end employment": command(
        "/api/v1/workers/{target}/end-employment",
        prepare=staff_member,
        body=lambda w, c: {"employer_id": str(c["org_a"]), "until": "2024-12-31"},
    ),
    "record career entry": command(
        "/api/v1/workers/{target}/record-career-entry",
        prepare=staff_member,
        body={"kind": "training", "title": "安全生产培训", "on": "2023-05-01"},
    ),
    "declare external certificate": command(
        "/api/v1/workers/{worker}/declare-external-certificate",
        body=lambda w, c: {
            "number": external_number(),
            "issuer_name": "某职业技能鉴定中心",
            "occupation_code": ELECTRICIAN,
            "level": "4",
            "issued_on": "2024-05-01",
        },
    ),
    "check external certificate": command(
        "/api/v1/workers/{worker}/check-external-certificate",
        prepare=declared_external,
        body=lambda w, c: {"number": c["number"], "confirmed": True, "note": "全国联网查询"},
    ),
    "issue certificate": command(
        "/api/v1/certificates",
        prepare=staff_member,
        body=lambda w, c: {
            "issuer_id": str(c["org_a"]),
            "worker_id": str(c["target"]),
            "occupation_code": ELECTRICIAN,
            "level": "5",
            "basis": {"kind": "evaluation", "reference": f"EV-{unique()}"},
        },
    ),
    "list certificates": read("/api/v1/certificates"),
    "get certificate": read("/api/v1/certificates/{certificate}"),
    "suspend certificate": command(
        "/api/v1/certificates/{number}/suspend", prepare=fresh_certificate, body=REASON
    ),
    "reinstate certificate": command(
        "/api/v1/certificates/{number}/reinstate", prepare=suspended_certificate, body=REASON
    ),
    "revoke certificate": command(
        "/api/v1/certificates/{number}/revoke", prepare=fresh_certificate, body=REASON
    ),
    "verify certificate": command(
        "/api/v1/verify",
        body=lambda w, c: {
            "number": c["certificate"],
            "name": "张三",
            "id_number": w.id_numbers[c["worker"]].reveal(),
        },
    ),
    "plan evaluation": command(
        "/api/v1/evaluations",
        body=lambda w, c: {
            "body_id": str(c["org_a"]),
            "reference": f"EV-{unique()}",
            "occupation_code": ELECTRICIAN,
            "level": "5",
            "starts_on": "2025-06-01",
            "ends_on": "2025-06-03",
            "panels": {"practical": ["甲", "乙", "丙"]},
        },
    ),
    "get evaluation": read("/api/v1/evaluations/{target}", prepare=planned_evaluation),
    "list evaluations": read("/api/v1/evaluations"),
    "list candidates": read(
        "/api/v1/evaluations/{target}/candidates", prepare=evaluation_states.planned
    ),
    "enrol candidate": command(
        "/api/v1/evaluations/{target}/candidates",
        prepare=evaluation_states.planned,
        body=lambda w, c: {
            "worker_id": str(c["fresh"]),
            "route": "5-years",
            "evidence": evaluation_states.LONG_SERVICE,
        },
    ),
    "record score": command(
        "/api/v1/evaluations/{target}/scores",
        prepare=evaluation_states.with_candidate,
        body=lambda w, c: {
            "worker_id": str(c["candidate"]),
            "component": "theory",
            "score": "85.5",
            "examiner": "丁",
        },
    ),
    "correct score": command(
        "/api/v1/evaluations/{target}/corrections",
        prepare=evaluation_states.with_scores,
        body=lambda w, c: {
            "worker_id": str(c["candidate"]),
            "component": "theory",
            "score": 90,
            "examiner": "丁",
            "reason": "复核",
        },
    ),
    "publish results": command(
        "/api/v1/evaluations/{target}/publish", prepare=evaluation_states.with_scores, body={}
    ),
    "lodge objection": command(
        "/api/v1/evaluations/{target}/objections",
        prepare=evaluation_states.published_recently,
        body=lambda w, c: {
            "worker_id": str(c["candidate"]),
            "grounds": "疑似替考",
            "lodged_by": "匿名",
        },
    ),
    "resolve objection": command(
        "/api/v1/evaluations/{target}/objections/{objection}/resolve",
        prepare=evaluation_states.with_open_objection,
        body={"outcome": "dismissed", "reason": "经核查无误"},
    ),
    "list session objections": read(
        "/api/v1/evaluations/{target}/objections", prepare=evaluation_states.with_open_objection
    ),
    "list objections": read("/api/v1/objections"),
    "confirm evaluation": command(
        "/api/v1/evaluations/{target}/confirm", prepare=evaluation_states.confirmable, body={}
    ),
    "report evaluation": command(
        "/api/v1/evaluations/{target}/report",
        prepare=evaluation_states.issued,
        body={"reported_to": "朝阳区人社局"},
    ),
    "import candidates": command(
        "/api/v1/evaluations/{target}/import/candidates?dry_run=true",
        prepare=evaluation_states.planned,
        upload=evaluation_states.candidates_csv,
    ),
    "import scores": command(
        "/api/v1/evaluations/{target}/import/scores?dry_run=true",
        prepare=evaluation_states.with_candidate,
        upload=evaluation_states.scores_csv,
    ),
    "import staff": command(
        "/api/v1/evaluations/staff/import?dry_run=true&body_id={org_a}",
        upload=lambda w, c: (
            f"身份证号,姓名,入职日期\n{id_number(7000 + unique() % 900).reveal()},"
            "新员工,2020-01-01\n".encode()
        ),
    ),
    "import template": read(
        "/api/v1/evaluations/templates/{kind}.xlsx", prepare=lambda w: {"kind": "staff"}
    ),
    "session eligibility routes": read(
        "/api/v1/evaluations/{target}/eligibility-routes", prepare=evaluation_states.planned
    ),
    "list eligibility routes": read(f"/api/v1/eligibility-routes?occupation={ELECTRICIAN}&level=4"),
    "list occupations": read("/api/v1/occupations"),
    "export evaluation": read(
        "/api/v1/evaluations/{target}/export.xlsx", prepare=evaluation_states.with_scores
    ),
    "evaluation history": read(
        "/api/v1/evaluations/{target}/history", prepare=evaluation_states.with_scores
    ),
    "list evaluation reports": read("/api/v1/evaluations/reports"),
    "get job": read("/api/v1/jobs/{job}", prepare=evaluation_states.queued_job),
    "appoint post": command(
        "/api/v1/evaluations/posts",
        prepare=staff_member,
        body=lambda w, c: {
            "organisation_id": str(c["org_a"]),
            "worker_id": str(c["target"]),
            "occupation_code": ELECTRICIAN,
            "post": "apprentice",
            "reviews": POST_REVIEWS,
        },
    ),
    "get post": read("/api/v1/evaluations/posts/{target}", prepare=appointed_post),
    "withdraw post": command(
        "/api/v1/evaluations/posts/{target}/withdraw",
        prepare=lambda w: appointed_post(w, w.fresh_worker(w.ids["org_a"])),
        body={"reason": "调岗"},
    ),
    "get post credential": read(
        "/api/v1/evaluations/posts/{target}/credential", prepare=appointed_post
    ),
    "announce competition": command(
        "/api/v1/competitions",
        body=lambda w, c: {
            "organiser_id": str(c["union"]),
            "reference": f"C-{unique()}",
            "name": "朝阳区电工技能大赛",
            "tier": "district",
            "occupation_code": ELECTRICIAN,
            "exam_level": "3",
            "year": 2025,
            "region": "朝阳区",
            "marking_scheme": marking_scheme(),
        },
    ),
    "get competition": read("/api/v1/competitions/{target}", prepare=announced_competition),
    "list competitions": read("/api/v1/competitions"),
    "register entrants": command(
        "/api/v1/competitions/{target}/entrants",
        prepare=competition_states.announced,
        body=lambda w, c: {
            "entrants": [{"worker_id": str(c["fresh"]), "entrant_kind": "employee"}]
        },
    ),
    "list entrants": read(
        "/api/v1/competitions/{target}/entrants", prepare=competition_states.with_entrant
    ),
    "withdraw entrant": command(
        "/api/v1/competitions/{target}/entrants/{worker}/withdraw",
        prepare=competition_states.with_entrant,
        body={"reason": "缺考"},
    ),
    "record marks": command(
        "/api/v1/competitions/{target}/marks",
        prepare=competition_states.with_entrant,
        body=lambda w, c: {
            "marks": [
                {"worker_id": str(c["worker"]), "component": "theory", "judge": "甲", "mark": "80"}
            ]
        },
    ),
    "correct mark": command(
        "/api/v1/competitions/{target}/corrections",
        prepare=competition_states.marked,
        body=lambda w, c: {
            "worker_id": str(c["worker"]),
            "component": "theory",
            "judge": "甲",
            "mark": "81",
            "reason": "录入错误",
        },
    ),
    "review spread": command(
        "/api/v1/competitions/{target}/reviews",
        prepare=competition_states.flagged,
        body=lambda w, c: {"worker_id": str(c["worker"]), "component": "practical", "note": "复核"},
    ),
    "record finish time": command(
        "/api/v1/competitions/{target}/finish-times",
        prepare=competition_states.with_entrant,
        body=lambda w, c: {"worker_id": str(c["worker"]), "finished_at": "2025-06-01T09:30:00Z"},
    ),
    "lock component": command(
        "/api/v1/competitions/{target}/lock",
        prepare=competition_states.marked,
        body={"component": "theory"},
    ),
    "assign judging panel": command(
        "/api/v1/competitions/{target}/panels",
        prepare=competition_states.with_entrant,
        body={"component": "practical", "judges": [{"name": n} for n in ("甲", "乙", "丙")]},
    ),
    "submit judge's marks": command(
        "/api/v1/competitions/{target}/submissions",
        prepare=competition_states.marked,
        body={"component": "practical", "judge": "甲"},
    ),
    "choose board visibility": command(
        "/api/v1/competitions/{target}/board-visibility",
        prepare=competition_states.announced,
        body={"visibility": "private"},
    ),
    "finalise competition": command(
        "/api/v1/competitions/{target}/finalise", prepare=competition_states.locked, body={}
    ),
    "live leaderboard": read(
        "/api/v1/competitions/{target}/leaderboard", prepare=competition_states.marked
    ),
    "private live leaderboard": read(
        "/api/v1/competitions/{target}/leaderboard", prepare=competition_states.marked_privately
    ),
    "final leaderboard": read(
        "/api/v1/competitions/{target}/leaderboard", prepare=competition_states.finalised
    ),
    "list proposals": read(
        "/api/v1/competitions/{target}/proposals", prepare=competition_states.finalised
    ),
    "submit proposals": command(
        "/api/v1/competitions/{target}/proposals/submit",
        prepare=competition_states.finalised,
        body={},
    ),
    "approve proposal": command(
        "/api/v1/competitions/{target}/proposals/{worker}/approve",
        prepare=competition_states.submitted,
        body={},
    ),
    "reject proposal": command(
        "/api/v1/competitions/{target}/proposals/{worker}/reject",
        prepare=competition_states.submitted,
        body={"reason": "材料不全"},
    ),
    "list awards": read(
        "/api/v1/competitions/{target}/awards", prepare=competition_states.finalised
    ),
    "award credential": read(
        "/api/v1/competitions/{target}/awards/{worker}/credential",
        prepare=competition_states.finalised,
    ),
    "award pdf": read(
        "/api/v1/competitions/{target}/awards/{worker}/pdf",
        prepare=competition_states.finalised,
    ),
    "results workbook": read(
        "/api/v1/competitions/{target}/results.xlsx", prepare=competition_states.finalised
    ),
    "invite judge": command(
        "/api/v1/competitions/{target}/judges",
        prepare=competition_states.announced,
        body=lambda w, c: {"login": f"judge{unique()}@example.cn", "name": "裁判甲"},
    ),
    "define honour ladder": command(
        "/api/v1/honour-ladders",
        body=lambda w, c: {
            "union_id": str(c["union"]),
            "name": f"朝阳荣誉{unique()}",
            "tiers": ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"],
        },
    ),
    "get honour ladder": read("/api/v1/honour-ladders/{target}", prepare=awarded_title),
    "list honour ladders": read("/api/v1/honour-ladders?union_id={union}"),
    "set ladder tier rule": command(
        "/api/v1/honour-ladders/{target}/tier-rule",
        prepare=lambda w: {"target": w.fresh_ladder()},
        body={"requires_tier_below": True, "min_years_between": 1, "reason": "逐级评选"},
    ),
    "award title": command(
        "/api/v1/honour-ladders/{target}/award",
        prepare=lambda w: {"target": w.fresh_ladder()},
        body=lambda w, c: {
            "award_id": f"A-{unique()}",
            "worker_id": str(c["worker"]),
            "tier": "朝阳工匠",
            "year": 2025,
        },
    ),
    "withdraw title": command(
        "/api/v1/honour-ladders/{target}/withdraw",
        prepare=awarded_title,
        body=lambda w, c: {"award_id": c["award"], "reason": "撤销荣誉"},
    ),
    "create token": command("/api/v1/tokens", body={"role": "auditor"}),
    "current token": read("/api/v1/tokens/current"),
    "get token": read("/api/v1/tokens/{token_issuer}"),
    "revoke another token": command(
        "/api/v1/tokens/{target}/revoke", prepare=fresh_token, body=REASON
    ),
    "get certificate credential": read("/api/v1/certificates/{certificate}/credential"),
    "get certificate pdf": read("/api/v1/certificates/{certificate}/pdf"),
    "get session certificates zip": read(
        "/api/v1/evaluations/{target}/certificates.zip", prepare=planned_evaluation
    ),
    "start certificate archive": command(
        "/api/v1/evaluations/{target}/certificate-archives", prepare=evaluation_states.issued
    ),
    "get certificate archive": read(
        "/api/v1/jobs/{job}/archive.zip", prepare=evaluation_states.finished_archive
    ),
    "get document signing certs": read(
        "/organisations/{org_a}/document-signing.pem", prepare=signed_pdf_of_org_a
    ),
    "get document signing ca": read("/document-signing-ca.pem", prepare=signed_pdf_of_org_a),
    "verify credential": command(
        "/credentials/verify",
        body=lambda w, c: {
            "verifiableCredential": w.ledger.credentials.certificate_credential(
                c["certificate"], "public"
            )
        },
    ),
    "verify presentation": command(
        "/presentations/verify",
        body=lambda w, c: {
            "verifiablePresentation": {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "verifiableCredential": [
                    w.ledger.credentials.certificate_credential(c["certificate"], "public")
                ],
            }
        },
    ),
    "get controller document": read("/organisations/{org_a}/did.json"),
    "get craftledger context": read("/contexts/craftledger/v1"),
    "get status list": read(
        "/api/v1/status-lists/{org_a}/{target}", prepare=lambda w: {"target": "revocation"}
    ),
    # anyone may ask; list 2 opens only when list 1 is 3/4 full (404 for everyone until then)
    "get numbered status list": read(
        "/api/v1/status-lists/{org_a}/{target}/{key}",
        prepare=lambda w: {"target": "message", "key": 2},
    ),
    "audit events": read("/api/v1/audit/events?limit=5"),
    "audit aggregate events": read("/api/v1/audit/aggregates/{worker}/events"),
    "audit aggregate state": read("/api/v1/audit/aggregates/{worker}?version=1"),
    "audit leaf": read("/api/v1/audit/leaves/{target}", prepare=lambda w: {"target": 0}),
    "tree head": read("/api/v1/audit/tree-head"),
    "tree head history": read("/api/v1/audit/tree-heads"),
    "inclusion proof": read("/api/v1/audit/proofs/inclusion?index=0"),
    "consistency proof": read("/api/v1/audit/proofs/consistency?first=1"),
    "ledger public key": read("/api/v1/audit/public-key"),
    "get ladder": read("/api/v1/workers/{worker}/ladder"),
    "get points statement": read(
        "/api/v1/workers/{worker}/points?policy=shanghai-residence-points"
    ),
    "list points policies": read("/api/v1/points-policies"),
    "add calendar": command(
        "/api/v1/calendars",
        body=lambda w, c: fictitious_arrangement(
            year=2090,  # a fixture year far from any session's window
            source={"title": f"测试用虚构节假日安排 {unique()}", "issuer": "craftledger tests"},
        ),
    ),
    "list calendars": read("/api/v1/calendars"),
    "get calendar": read("/api/v1/calendars/{year}", prepare=lambda w: {"year": 2026}),
    "get statistics": read("/api/v1/statistics"),
    "get statistics breakdown": read("/api/v1/statistics/breakdown?by=district"),
    "export statistics": read("/api/v1/statistics.xlsx"),
    "list honour ladder holders": read(
        "/api/v1/honour-ladders/{target}/holders", prepare=awarded_title
    ),
    "list talents": read("/api/v1/talents"),
    "list talent people": read("/api/v1/talents?view=people"),
    "export talents": read("/api/v1/talents.xlsx"),
    "health": read("/health"),
    "openapi document": read("/openapi.json"),
    "docs page": read("/docs"),
}


def expected(endpoint: str, principal: str) -> int:
    return int(MATRIX[endpoint].split()[PRINCIPALS.index(principal)])


CASES = [(endpoint, principal) for endpoint in MATRIX for principal in PRINCIPALS]


@pytest.mark.parametrize(("endpoint", "principal"), CASES, ids=[f"{e}-{p}" for e, p in CASES])
def test_every_principal_gets_the_matrix_answer(
    world: World, endpoint: str, principal: str
) -> None:
    response = ENDPOINTS[endpoint].request(world, principal)
    assert response.status_code == expected(endpoint, principal), response.get_data(as_text=True)
    if response.status_code >= 400:
        assert response.mimetype == "application/problem+json"
        assert response.json["status"] == response.status_code
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_matrix_and_endpoints_table_name_the_same_endpoints() -> None:
    assert set(MATRIX) == set(ENDPOINTS)
    assert all(len(row.split()) == len(PRINCIPALS) for row in MATRIX.values())


def _operation(spec: dict[str, Any], endpoint: Endpoint) -> dict[str, Any] | None:
    import re

    template = re.sub(
        r"\{(target|number|worker|org_a|certificate|token_issuer|objection|job|year|employer|kind"
        r"|key)\}",
        "{}",
        endpoint.path.partition("?")[0],
    )
    for path, operations in spec["paths"].items():
        if re.sub(r"\{[^}]+\}", "{}", path) == template and endpoint.method.lower() in operations:
            return operations[endpoint.method.lower()]  # type: ignore[no-any-return]
    return None


def test_every_api_operation_has_a_matrix_row(sqlite_world: World) -> None:
    spec = sqlite_world.client.get("/openapi.json").json
    covered = {id(op) for op in (_operation(spec, e) for e in ENDPOINTS.values()) if op is not None}
    missing = [
        f"{method.upper()} {path}"
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if method in ("get", "post") and id(operation) not in covered
    ]
    assert missing == []


@pytest.mark.parametrize("endpoint", [e for e in MATRIX if ENDPOINTS[e].path.startswith("/api/")])
def test_matrix_agrees_with_the_published_access_rules(sqlite_world: World, endpoint: str) -> None:
    """Roles let in by the matrix are documented in ``x-access``; undocumented roles are refused."""
    spec = sqlite_world.client.get("/openapi.json").json
    operation = _operation(spec, ENDPOINTS[endpoint])
    assert operation is not None
    documented = set(operation["x-access"])
    for principal in PRINCIPALS:
        role = ROLE_OF[principal]
        status = expected(endpoint, principal)
        if status < 400:
            assert role in documented, (principal, documented)
        if role not in documented:
            assert status in (401, 403), principal
    public = {} in operation["security"]
    assert public == ("public" in documented)


def test_certificate_disclosure_follows_the_caller(world: World) -> None:
    """Holder, issuing body, admin and auditor see the full record; everyone else the masked one."""
    full = {"admin", "issuer", "auditor", "worker"}
    number = world.ids["certificate"]
    for principal in PRINCIPALS:
        body = world.call("GET", f"/api/v1/certificates/{number}", principal).json
        if principal in full:
            assert body["disclosure"] == "full" and body["holder_name"] == "张三"
            assert body["history"][0]["reason"] == "issued"
        else:
            assert body["disclosure"] == "public" and body["holder_name"] == "张*"
            assert "history" not in body and "worker_id" not in body and "basis" not in body


def test_honour_awards_are_shown_to_who_may_see_them(world: World) -> None:
    context = awarded_title(world)
    for principal, sees in {
        "public": False,
        "admin": True,
        "auditor": True,
        "organiser": True,
        "issuer": False,
        "worker": True,
        "other_worker": False,
    }.items():
        body = world.call("GET", f"/api/v1/honour-ladders/{context['target']}", principal).json
        assert body["standing"]["朝阳能手"] == 1
        assert [a["award_id"] for a in body["awards"]] == ([context["award"]] if sees else [])


def test_a_token_may_revoke_itself_and_then_stops_working(world: World) -> None:
    from domain.api_token import Role

    token_id, token = world.fresh_token(Role.WORKER, worker_id=world.ids["worker"])
    auth = {"Authorization": f"Bearer {token}"}
    answer = world.client.post(
        f"/api/v1/tokens/{token_id}/revoke", json={"reason": "手机丢失"}, headers=auth
    )
    assert answer.status_code == 200 and answer.json["revoked"] is True
    again = world.client.get("/api/v1/tokens/current", headers=auth)
    assert again.status_code == 401
    assert again.json["type"] == "urn:craftledger:problem:invalid-token"


def test_actors_recorded_in_events_name_the_token(world: World) -> None:
    number = world.fresh_certificate()
    answer = world.call("POST", f"/api/v1/certificates/{number}/suspend", "issuer", json=REASON)
    assert answer.status_code == 200
    certificate: Certificate = world.ledger.certificate(number)
    assert certificate.history[-1]["actor"] == f"issuer:{world.ids['token_issuer']}"
