"""``/console/objections``: the objections (异议) to 公示 results, in the console.

An issuer officer sees their body's sessions' objections and resolves an open one (upheld
withdraws the candidate's result; dismissed keeps it; the reason is recorded with the person as
actor); an HR-bureau official or platform administrator sees every body's (and may resolve, as
the API lets an admin); an auditor reads. Read from the ``publicity`` read model (the same rows
``GET /api/v1/objections`` answers); resolving is
``ledger.evaluations.resolve_objection``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.api_token import Role
from domain.errors import DomainRuleViolation
from domain.evaluation import ObjectionOutcome
from domain.person_account import AccountRole
from projections.publicity import OBJECTION_STATES, Publicity, PublicityQuery
from service.app_services import ledger
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.read_models import read_models

SHOWN = 200
REASON_MAX = 1000
STATES = {"open": N_("待处理"), "resolved": N_("已处理"), "all": N_("全部")}
LODGERS = {"public": N_("公众"), "candidate": N_("考生本人")}
OUTCOMES = {"upheld": N_("异议成立（撤销该考生的结果）"), "dismissed": N_("异议不成立（维持结果）")}
READERS = frozenset(
    {AccountRole.ISSUER_OFFICER, AccountRole.HR_OFFICIAL, AccountRole.ADMIN, AccountRole.AUDITOR}
)


def scope() -> tuple[UUID | None, bool]:
    """Whose objections the person sees (a body, or None for every body) and whether they may
    resolve them; 403 for a role that has no business here."""
    person = current_person()
    assert person is not None  # the console blueprint lets only people in
    role = person.account.role
    if role not in READERS:
        raise PermissionError
    if role is AccountRole.ISSUER_OFFICER:
        return person.account.organisation_id, True
    return None, person.principal.is_(Role.ADMIN)


def objections_page(
    state: str, errors: dict[str, dict[str, str]] | None = None, status: int = 200
) -> Any:
    try:
        body_id, may_resolve = scope()
    except PermissionError:
        return render_error(403, gettext("您的角色不处理异议。"))
    with read_models(lambda: [Publicity()], None, ledger().log_position) as view:
        found = PublicityQuery(view.store).objections(body_id=body_id, state=state, limit=SHOWN)
    return render(
        "pages/console_objections.html",
        status=status,
        objections=found.items,
        more=found.next_cursor is not None,
        state=state,
        states=STATES,
        outcomes=OUTCOMES,
        lodgers=LODGERS,
        may_resolve=may_resolve,
        errors=errors or {},
        form=request.form if errors else {},
        resolved=request.args.get("resolved", ""),
        reason_max=REASON_MAX,
        title=gettext("异议处理"),
    )


@console.route("/objections", methods=["GET"])
def objections() -> Any:
    state = request.args.get("state", "open")
    return objections_page(state if state in OBJECTION_STATES else "open")


@console.route("/objections/<uuid:session_id>/<string:objection_id>/resolve", methods=["POST"])
def resolve_objection(session_id: UUID, objection_id: str) -> Any:
    try:
        body_id, may_resolve = scope()
    except PermissionError:
        return render_error(403, gettext("您的角色不处理异议。"))
    evaluation = ledger().evaluation(session_id)
    if not may_resolve or (body_id is not None and evaluation.body_id != body_id):
        return render_error(403, gettext("只有评价机构可以处理本机构的异议。"))
    outcome = request.form.get("outcome", "")
    reason = request.form.get("reason", "").strip()
    problems: dict[str, str] = {}
    if outcome not in OUTCOMES:
        problems["outcome"] = gettext("请选择处理结果。")
    if not reason:
        problems["reason"] = gettext("请写明处理理由，理由会记录在案。")
    elif len(reason) > REASON_MAX:
        problems["reason"] = gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
    if problems:
        return objections_page("open", {objection_id: problems}, status=422)
    person = current_person()
    assert person is not None
    try:
        ledger().evaluations.resolve_objection(
            session_id,
            objection_id,
            outcome=ObjectionOutcome(outcome),
            reason=reason,
            actor=person.principal.actor,
        )
    except DomainRuleViolation as error:
        return objections_page("open", {objection_id: {"outcome": error.detail}}, status=422)
    return redirect(url_for("console.objections", resolved=objection_id), code=303)


add_console_link(
    "console.objections", N_("异议处理"), READERS, N_("公示期间收到的异议：查看、处理并记录理由。")
)
