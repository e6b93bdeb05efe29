"""``/console/bodies``: the HR bureau's filing registry (备案): the filed bodies from the directory
read model, filtered by kind, status and district (区县); filing a body with its district; and a
body's page with its facts, scope and status, recording its district, amending the scope,
suspending (暂停), reinstating and revoking (撤销) the filing, each with a reason, and the body's
history (its events with time, actor and reason, as the audit
page reads them), evaluation sessions and competitions.

An HR-bureau official (人社局) or a platform administrator changes; an auditor reads. The commands
are the ledger's (``ledger.organisations``), the same as ``/api/v1/organisations``.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.certificate_number import PROVINCE_CODES
from domain.errors import DomainRuleViolation, InvalidValue
from domain.occupation import KNOWN_OCCUPATIONS
from domain.organisation import Organisation, OrganisationKind
from domain.person_account import AccountRole
from service.app_services import caught_up, leaderboards, ledger, services
from service.pages.audit import history
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, body_sessions, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

READERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL, AccountRole.AUDITOR})
CHANGERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL})
REASON_MAX = 500
FILING_CODE = re.compile(r"^[!-~]{1,64}$")
DISTRICT_CODE = re.compile(r"^[0-9]{6}$")
STATUSES = ("active", "suspended", "revoked")
ACTIONS = {
    "suspend": N_("暂停备案"),
    "reinstate": N_("恢复备案"),
    "revoke": N_("撤销备案"),
}
CHANGED = {
    "filed": N_("已备案。"),
    "district": N_("区县代码已记录，理由已记录。"),
    "scope": N_("备案范围已变更，原范围保留在历史中。"),
    "suspend": N_("已暂停备案，理由已记录。"),
    "reinstate": N_("已恢复备案，理由已记录。"),
    "revoke": N_("已撤销备案，理由已记录。"),
}
EVENTS = {
    "Filed": N_("备案"),
    "DistrictRecorded": N_("记录区县"),
    "ScopeAmended": N_("变更备案范围"),
    "Suspended": N_("暂停备案"),
    "Reinstated": N_("恢复备案"),
    "Revoked": N_("撤销备案"),
    "SigningKeyAdded": N_("启用签名密钥"),
    "SigningKeyCompromised": N_("登记密钥泄露"),
    "DocumentSigningCertificatePublished": N_("发布文档签名证书"),
}
RULE_FIELD = {
    "already-filed": "filing_code",
    "evaluator-prefix-required": "evaluator_prefix",
    "evaluator-type-mismatch": "evaluator_prefix",
    "evaluator-province-mismatch": "evaluator_prefix",
    "evaluator-prefix-not-allowed": "evaluator_prefix",
    "invalid-scope": "scope",
    "invalid-organisation": "name",
    "district-outside-province": "district_code",
}
"""Which field of the filing form a rule of ``Organisation.file`` concerns."""


def _role() -> AccountRole | None:
    person = current_person()
    return person.account.role if person is not None else None


def _not_a_reader() -> Any:
    return render_error(403, gettext("只有人社局工作人员、管理员和审计人员可以查看备案机构。"))


def _refused() -> Any:
    return render_error(403, gettext("只有人社局工作人员和管理员可以办理备案。"))


def _changer() -> Any:
    """The signed-in official's principal, or None when they may not change filings."""
    person = current_person()
    if person is None or person.account.role not in CHANGERS:
        return None
    return person.principal


def catalogue() -> list[dict[str, Any]]:
    """The occupations a scope is picked from, each with the levels its standard has."""
    return [
        {"code": o.code, "name": o.name, "levels": [level.code for level in o.levels]}
        for o in KNOWN_OCCUPATIONS
    ]


def scope_from_form(values: list[str]) -> dict[str, list[str]]:
    """The scope ticked on the form (``occupation:level`` values), as occupation → levels;
    values outside the catalogue are dropped (the form offers no others)."""
    allowed = {(o["code"], level) for o in catalogue() for level in o["levels"]}
    scope: dict[str, list[str]] = {}
    for value in values:
        code, _, level = value.partition(":")
        if (code, level) in allowed:
            scope.setdefault(code, []).append(level)
    return scope


def refusal(error: DomainRuleViolation) -> str:
    """A rule's refusal as the page shows it beside the form: its message and its name."""
    return gettext("不能办理：%(detail)s（规则 %(rule)s）", detail=error.detail, rule=error.rule)


def _district_problem(code: str) -> str | None:
    if not DISTRICT_CODE.match(code):
        return gettext("区县代码是 6 位数字，例如 110105。")
    return None


def _reason_problem(reason: str) -> str | None:
    if not reason:
        return gettext("请写明理由，理由会记录在案。")
    if len(reason) > REASON_MAX:
        return gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
    return None


# -- the registry -------------------------------------------------------------------------------


def _registry_page(status: int = 200, **values: Any) -> Any:
    caught_up("directory")
    kind = request.args.get("kind", "")
    state = request.args.get("status", "")
    district = request.args.get("district", "").strip()
    kind = kind if kind in {k.value for k in OrganisationKind} else ""
    state = state if state in STATUSES else ""
    district = district if DISTRICT_CODE.match(district) else ""
    directory = services().directory
    bodies = (
        directory.list_organisations(
            limit=500, kind=kind or None, status=state or None, district=district or None
        ).items
        if directory is not None
        else []
    )
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render(
        "pages/console_bodies.html",
        status=status,
        title=gettext("备案管理"),
        bodies=bodies,
        kind=kind,
        state=state,
        district=district,
        kinds=[k.value for k in OrganisationKind],
        statuses=STATUSES,
        provinces=PROVINCE_CODES,
        catalogue=catalogue(),
        ticked=set(values["form"].get("scope", [])) if values["form"] else set(),
        may_change=_role() in CHANGERS,
        **values,
    )


@console.route("/bodies", methods=["GET"])
def bodies() -> Any:
    if _role() not in READERS:
        return _not_a_reader()
    return _registry_page()


@console.route("/bodies", methods=["POST"])
def file_body() -> Any:
    principal = _changer()
    if principal is None:
        return _refused()
    form: dict[str, Any] = {
        key: request.form.get(key, "").strip()
        for key in (
            "kind",
            "filing_code",
            "name",
            "province_code",
            "district_code",
            "evaluator_prefix",
        )
    }
    form["scope"] = request.form.getlist("scope")
    errors: dict[str, str] = {}
    try:
        kind = OrganisationKind(form["kind"])
    except ValueError:
        errors["kind"] = gettext("请选择机构类型。")
    if not FILING_CODE.match(form["filing_code"]):
        errors["filing_code"] = gettext("请填写备案编号（最多 64 个字母、数字或符号，不含空格）。")
    if not form["name"] or len(form["name"]) > 200:
        errors["name"] = gettext("请填写机构名称（最多 200 个字）。")
    if form["province_code"] not in PROVINCE_CODES:
        errors["province_code"] = gettext("请选择备案所在省份。")
    if form["district_code"] and (problem := _district_problem(form["district_code"])):
        errors["district_code"] = problem
    if not errors:
        try:
            recorded = ledger().organisations.file_organisation(
                filing_code=form["filing_code"],
                name=form["name"],
                kind=kind,
                province_code=form["province_code"],
                evaluator_prefix=form["evaluator_prefix"] or None,
                scope=scope_from_form(form["scope"]),
                district_code=form["district_code"] or None,
                actor=principal.actor,
            )
        except InvalidValue as error:
            errors["evaluator_prefix"] = gettext(
                "评价机构代码有误（%(field)s）：%(detail)s", field=error.field, detail=error.detail
            )
        except DomainRuleViolation as error:
            errors[RULE_FIELD.get(error.rule, "form")] = refusal(error)
        else:
            return redirect(
                url_for("console.body", organisation_id=recorded.aggregate.id, changed="filed"),
                code=303,
            )
    return _registry_page(422, errors=errors, form=form)


# -- one body -----------------------------------------------------------------------------------


PERSON_ACTOR = re.compile(r":person:([0-9a-f-]{36})$")


def events_of(organisation_id: UUID) -> list[dict[str, Any]]:
    """The body's events, oldest first, each named (``label``) for the page, with the name of
    the person who acted (``actor_name``) when a signed-in person did."""
    found = history(organisation_id) or []
    names = {str(a.id): a.name for a in ledger().accounts.list_accounts()}
    events = []
    for e in found:
        person = PERSON_ACTOR.search(str(e.get("actor") or ""))
        events.append(
            {
                **e,
                "label": EVENTS.get(str(e["type"]).rsplit(".", 1)[-1], ""),
                "actor_name": names.get(person.group(1), "") if person else "",
            }
        )
    return events


def competitions_of(organisation_id: UUID) -> list[dict[str, Any]]:
    """Competitions the body organises (first 500), from the leaderboard read model."""
    if services().projection_store is None:
        return []
    return leaderboards().competitions(limit=500, organiser_id=organisation_id).items


def _body_page(organisation_id: UUID, status: int = 200, **values: Any) -> Any:
    organisation: Organisation = ledger().organisation(organisation_id)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    ticked = values["form"].get("scope") if values["form"] else None
    if ticked is None:
        ticked = [
            f"{code}:{level}" for code, levels in organisation.scope.items() for level in levels
        ]
    return render(
        "pages/console_body.html",
        status=status,
        title=organisation.name,
        subject=organisation,
        province=PROVINCE_CODES.get(organisation.province_code, ""),
        catalogue=catalogue(),
        ticked=set(ticked),
        actions=ACTIONS,
        events=events_of(organisation_id),
        sessions=body_sessions(organisation_id) if organisation.kind.evaluates else [],
        competitions=competitions_of(organisation_id),
        may_change=_role() in CHANGERS,
        changed=CHANGED.get(request.args.get("changed", ""), ""),
        reason_max=REASON_MAX,
        **values,
    )


@console.route("/bodies/<uuid:organisation_id>", methods=["GET"])
def body(organisation_id: UUID) -> Any:
    if _role() not in READERS:
        return _not_a_reader()
    return _body_page(organisation_id)


@console.route("/bodies/<uuid:organisation_id>/scope", methods=["POST"])
def amend_body_scope(organisation_id: UUID) -> Any:
    principal = _changer()
    if principal is None:
        return _refused()
    form = {
        "scope": request.form.getlist("scope"),
        "reason": request.form.get("reason", "").strip(),
    }
    errors: dict[str, str] = {}
    problem = _reason_problem(form["reason"])
    if problem:
        errors["scope-reason"] = problem
    if not errors:
        try:
            ledger().organisations.amend_scope(
                organisation_id,
                scope_from_form(form["scope"]),
                actor=principal.actor,
                reason=form["reason"],
            )
        except DomainRuleViolation as error:
            errors["scope"] = refusal(error)
        else:
            return redirect(
                url_for("console.body", organisation_id=organisation_id, changed="scope"), code=303
            )
    return _body_page(organisation_id, 422, errors=errors, form=form)


@console.route("/bodies/<uuid:organisation_id>/district", methods=["POST"])
def record_body_district(organisation_id: UUID) -> Any:
    principal = _changer()
    if principal is None:
        return _refused()
    form = {
        "district_code": request.form.get("district_code", "").strip(),
        "district-reason": request.form.get("reason", "").strip(),
    }
    errors: dict[str, str] = {}
    if problem := _district_problem(form["district_code"]):
        errors["district_code"] = problem
    if problem := _reason_problem(form["district-reason"]):
        errors["district-reason"] = problem
    if not errors:
        try:
            ledger().organisations.record_district(
                organisation_id,
                form["district_code"],
                actor=principal.actor,
                reason=form["district-reason"],
            )
        except DomainRuleViolation as error:
            errors["district_code"] = refusal(error)
        else:
            return redirect(
                url_for("console.body", organisation_id=organisation_id, changed="district"),
                code=303,
            )
    return _body_page(organisation_id, 422, errors=errors, form=form)


@console.route(
    "/bodies/<uuid:organisation_id>/<any(suspend, reinstate, revoke):action>", methods=["POST"]
)
def change_body_status(organisation_id: UUID, action: str) -> Any:
    principal = _changer()
    if principal is None:
        return _refused()
    reason = request.form.get("reason", "").strip()
    errors: dict[str, str] = {}
    problem = _reason_problem(reason)
    if problem:
        errors[f"{action}-reason"] = problem
    else:
        try:
            ledger().organisations.change_organisation_status(
                organisation_id, action, actor=principal.actor, reason=reason
            )
        except DomainRuleViolation as error:
            errors[action] = refusal(error)
        else:
            return redirect(
                url_for("console.body", organisation_id=organisation_id, changed=action), code=303
            )
    return _body_page(organisation_id, 422, errors=errors, form={f"{action}-reason": reason})


add_console_link(
    "console.bodies",
    N_("备案管理"),
    READERS,
    N_("备案评价机构，变更备案范围，暂停、恢复或撤销备案，查看机构的历史。"),
)
