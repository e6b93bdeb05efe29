"""``/me``: the signed-in worker's page, and what a share link shows.

Per occupation the ladder (五级 → 一级, the current valid level marked, every certificate and
whether it raised the level), honours, competitions, the career coordinate stage as an SVG
(stage on one axis, time on the other), and a hukou points statement per city (each a signed
credential to download). ``/me`` also manages the worker's share links: make one (valid 1 to
90 days, optional 提取码), see each link's state, revoke it; and shows the worker's employment,
with any employment a body claimed to confirm or decline (a claim counts only once confirmed;
an employment that began before registration is marked as declared).

Only a worker token opens ``/me`` (sign in at ``/signin``); the ID number is shown masked.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from flask import Response, redirect, request, url_for

from domain.api_token import Role
from domain.errors import DomainRuleViolation, InvalidValue
from domain.points_policy import list_policies
from domain.worker import Worker
from projections.career_stage import CareerStageQuery
from projections.worker_ladder import WorkerLadderQuery
from service.app_services import ledger
from service.ledger import NotFound
from service.pages.blueprints import pages, render
from service.pages.charts import career_chart
from service.pages.gates import signed_in_as
from service.pages.i18n import N_, gettext
from service.pages.web_session import page_principal
from service.points_statements import points_statement_credential, resolve_policy
from service.read_models import read_models
from service.share_links import ShareLinks
from service.worker_ladders import EMPTY_CAREER, EMPTY_LADDER, ladder_projections, occupations_of

LEVEL_CODES = ("5", "4", "3", "2", "1")
VALIDITY_CHOICES = (1, 7, 30, 90)


def share_links() -> ShareLinks:
    return ShareLinks(ledger())


def employer_name(organisation_id: UUID) -> str:
    try:
        return ledger().organisation(organisation_id).name
    except NotFound:  # pragma: no cover - checked when the employment was recorded
        return str(organisation_id)


def employment_view(worker: Worker) -> dict[str, list[dict[str, Any]]]:
    """The worker's employments (each marked declared or not) and the claims awaiting them."""

    def row(employment: dict[str, Any]) -> dict[str, Any]:
        return {
            **employment,
            "employer_name": employer_name(employment["employer_id"]),
            "declared": worker.employment_is_declared(employment),
        }

    return {
        "employments": [row(e) for e in worker.employments],
        "claims": [row(c) for c in worker.pending_employments],
    }


def worker_view(worker_id: UUID) -> dict[str, Any]:
    """Everything the worker page shows about ``worker_id`` (caught up with the log)."""
    worker = ledger().worker(worker_id)
    with read_models(ladder_projections, None, ledger().log_position) as view:
        ladder = WorkerLadderQuery(view.store).ladder(worker_id) or EMPTY_LADDER
        career = CareerStageQuery(view.store).career(worker_id) or EMPTY_CAREER
    occupations = occupations_of(ladder)
    for occupation in occupations:
        held = {p["level"]: p for p in occupation["promotions"] if p["status"] == "valid"}
        current = (occupation["current"] or {}).get("level")
        occupation["steps"] = [
            {
                "level": code,
                "current": code == current,
                "held": code in held,
            }
            for code in LEVEL_CODES
        ]
    today = ledger().china_today()
    return {
        "worker_id": worker_id,
        "name": worker.name,
        "masked_id_number": worker.masked_id_number,
        "registered_on": worker.registration_date,
        **employment_view(worker),
        "occupations": occupations,
        "honours": ladder["honours"],
        "competitions": ladder["competitions"],
        "career": career,
        "career_svg": career_chart(career, today),
        "points": points_summaries(worker_id, ladder["honours"], today),
        "today": today.isoformat(),
    }


def policy_ids() -> list[str]:
    return sorted({policy.id for policy in list_policies()})


def statement(worker_id: UUID, policy_id: str, honours: list[dict[str, Any]], day: date) -> Any:
    policy = resolve_policy(policy_id, day)
    ladders = (
        sorted({UUID(h["ladder_id"]) for h in honours}, key=str)
        if policy.honours_indicator is not None
        else []
    )
    return points_statement_credential(
        ledger(), worker_id, policy=policy.key, as_of=day, honour_ladders=ladders
    )


def points_summaries(
    worker_id: UUID, honours: list[dict[str, Any]], day: date
) -> list[dict[str, Any]]:
    """One line per city policy in force today: points, the certificate counted, the policy."""
    rows = []
    for policy_id in policy_ids():
        try:
            result = statement(worker_id, policy_id, honours, day)
        except (InvalidValue, DomainRuleViolation):
            continue  # not in force today
        found = result.statement
        rows.append(
            {
                "policy_id": policy_id,
                "city": found.city,
                "city_en": result.policy.city_en,
                "policy_name": found.policy_name,
                "source": found.policy_source,
                "version": found.policy_version,
                "points": found.points,
                "skill_indicator": result.policy.skill_indicator,
                "counted": [fact.number for fact in found.counted],
                "unverifiable": len(found.conditions_unverifiable),
            }
        )
    return rows


def statement_download(worker_id: UUID, policy_id: str) -> Response:
    if policy_id not in policy_ids():
        raise InvalidValue("policy", "unknown policy")
    day = ledger().china_today()
    with read_models(ladder_projections, None, ledger().log_position) as view:
        ladder = WorkerLadderQuery(view.store).ladder(worker_id) or EMPTY_LADDER
    result = statement(worker_id, policy_id, ladder["honours"], day)
    body = json.dumps(result.credential, ensure_ascii=False, indent=2)
    response = Response(body, mimetype="application/json")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="points-{policy_id}-{day.isoformat()}.json"'
    )
    return response


def signed_in_worker() -> UUID | None:
    principal = page_principal()
    if principal.is_(Role.WORKER) and principal.worker_id is not None:
        return principal.worker_id
    return None


workers_only = signed_in_as(
    Role.WORKER,
    come_back_to="/me",
    refusal=N_("此页面供持证工人本人使用：请用工人令牌登录。"),
)


def links_view(worker_id: UUID) -> list[dict[str, Any]]:
    links = share_links()
    return [
        {
            "id": str(link.id),
            "label": link.label,
            "serial": link.serial,
            "made_at": link.made_at,
            "expires_at": link.expires_at,
            "needs_code": link.needs_code,
            "state": links.state(link).value,
            "revoked_reason": link.revoked_reason,
        }
        for link in links.of_worker(worker_id)
    ]


def render_me(worker_id: UUID, status: int = 200, **extra: Any) -> Response:
    values: dict[str, Any] = {
        "view": worker_view(worker_id),
        "links": links_view(worker_id),
        "shared": False,
        "validity_choices": VALIDITY_CHOICES,
        "made": None,
        "share_errors": {},
        "claim_errors": {},
        "title": gettext("我的技能档案"),
    }
    values.update(extra)
    return render("pages/worker.html", status=status, **values)


@pages.route("/me", methods=["GET"])
@workers_only
def me() -> Any:
    worker_id = signed_in_worker()
    assert worker_id is not None
    return render_me(worker_id)


@pages.route("/me/points/<string:policy_id>.json", methods=["GET"])
@workers_only
def me_points(policy_id: str) -> Any:
    worker_id = signed_in_worker()
    assert worker_id is not None
    return statement_download(worker_id, policy_id)


@pages.route("/me/share-links", methods=["POST"])
@workers_only
def make_share_link() -> Any:
    worker_id = signed_in_worker()
    assert worker_id is not None
    errors: dict[str, str] = {}
    try:
        days = int(request.form.get("days", "7"))
    except ValueError:
        days = 0
    if days not in VALIDITY_CHOICES:
        errors["days"] = gettext("请选择有效期：1、7、30 或 90 天。")
    code = request.form.get("code", "").strip()
    if code and not (4 <= len(code) <= 8 and code.isascii() and code.isalnum()):
        errors["code"] = gettext("提取码为 4–8 位字母或数字，可不填。")
    label = request.form.get("label", "").strip()
    if len(label) > 60:
        errors["label"] = gettext("备注最多 60 个字。")
    if errors:
        return render_me(worker_id, status=422, share_errors=errors)
    made = share_links().make(
        worker_id,
        valid_for=timedelta(days=days),
        code=code or None,
        label=label,
        actor=page_principal().actor,
    )
    url = ledger().credentials.credential_urls.base_url + url_for(
        "pages.share_view", token=made.token
    )
    return render_me(
        worker_id,
        status=201,
        made={"url": url, "code": code or None, "expires_at": made.link.expires_at},
    )


@pages.route("/me/share-links/<uuid:link_id>/revoke", methods=["POST"])
@workers_only
def revoke_share_link(link_id: UUID) -> Any:
    worker_id = signed_in_worker()
    assert worker_id is not None
    reason = request.form.get("reason", "").strip()[:200] or gettext("工人撤销分享")
    share_links().revoke(worker_id, link_id, actor=page_principal().actor, reason=reason)
    return redirect(url_for("pages.me") + "#share", code=303)


@pages.route("/me/employments/<uuid:employer_id>/confirm", methods=["POST"])
@workers_only
def confirm_employment(employer_id: UUID) -> Any:
    """The worker confirms a body's employment claim: from now on it counts."""
    worker_id = signed_in_worker()
    assert worker_id is not None
    ledger().workers.confirm_employment(worker_id, employer_id, actor=page_principal().actor)
    return redirect(url_for("pages.me") + "#employment", code=303)


@pages.route("/me/employments/<uuid:employer_id>/decline", methods=["POST"])
@workers_only
def decline_employment(employer_id: UUID) -> Any:
    """The worker declines a body's employment claim, with a reason: nothing takes effect."""
    worker_id = signed_in_worker()
    assert worker_id is not None
    reason = request.form.get("reason", "").strip()[:500]
    if not reason:
        return render_me(
            worker_id, status=422, claim_errors={str(employer_id): gettext("请说明拒绝的理由。")}
        )
    ledger().workers.decline_employment(
        worker_id, employer_id, actor=page_principal().actor, reason=reason
    )
    return redirect(url_for("pages.me") + "#employment", code=303)
