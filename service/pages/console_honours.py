"""``/console/honours``: a union's honour ladders (荣誉阶梯) in the console.

A union official (总工会) lists the union's ladders, defines one (tiers lowest first, and
whether a title needs the tier below, 逐级评选, with the years between), and on a ladder's page
awards a title to a worker (found by the ID number typed in, through the ledger's identity
hashing: the number is never shown, kept or sent back) and withdraws one with a reason; the
tier rule can be changed with a reason. An administrator may do the same for any union; an
auditor reads. Commands are ``ledger.honours.*`` (what ``/api/v1/honour-ladders`` does); the
pages read the ``honours`` read model.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import DomainRuleViolation, InvalidValue
from domain.honour_ladder import MAX_YEARS_BETWEEN
from domain.id_number import IdKind, IdNumber
from domain.organisation import OrganisationKind
from domain.person_account import AccountRole
from projections.honours import Honours, HonoursQuery
from service.app_services import ledger, services
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person
from service.pages.verify import ID_KINDS, ID_PARTS
from service.read_models import read_models

READERS = frozenset({AccountRole.UNION_OFFICIAL, AccountRole.ADMIN, AccountRole.AUDITOR})
SHOWN = 200
NAME_MAX = 100
TIER_MAX = 50
TIERS_MAX = 20
REASON_MAX = 1000
YEARS = (1949, 2100)


class Refused(Exception):
    """The person may not see (or change) this."""


def _scope() -> tuple[UUID | None, bool]:
    """Whose ladders the person sees (a union, or None for every union) and whether they may
    change them; ``Refused`` for a role that has no business here."""
    person = current_person()
    assert person is not None  # the console blueprint lets only people in
    role = person.account.role
    if role not in READERS:
        raise Refused
    if role is AccountRole.UNION_OFFICIAL:
        return person.account.organisation_id, True
    return None, role is AccountRole.ADMIN


def _refused() -> Any:
    return render_error(403, gettext("只有总工会工作人员、管理员和审计人员可以查看荣誉阶梯。"))


def _actor() -> str:
    person = current_person()
    assert person is not None
    return person.principal.actor  # type: ignore[no-any-return]


def _query() -> Any:
    return read_models(lambda: [Honours()], None, ledger().log_position)


def _unions() -> list[dict[str, Any]]:
    """Every filed union (first 500), for an administrator's select."""
    directory = services().directory
    if directory is None:
        return []
    kind = OrganisationKind.UNION.value
    return directory.list_organisations(limit=500, kind=kind).items  # type: ignore[no-any-return]


# -- the list and defining a ladder ----------------------------------------------------------


def _ladders_page(status: int = 200, **values: Any) -> Any:
    union_id, may_change = _scope()
    with _query() as view:
        ladders = HonoursQuery(view.store).page_ladders(union_id=union_id, limit=SHOWN)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render(
        "pages/console_honours.html",
        status=status,
        title=gettext("荣誉阶梯"),
        ladders=ladders.items,
        more=ladders.next_cursor is not None,
        may_change=may_change,
        unions=_unions() if union_id is None and may_change else [],
        years_max=MAX_YEARS_BETWEEN,
        **values,
    )


@console.route("/honours", methods=["GET"])
def honours() -> Any:
    try:
        return _ladders_page(defined=request.args.get("defined", ""))
    except Refused:
        return _refused()


def _checked_ladder(form: dict[str, str], union_id: UUID | None) -> tuple[dict[str, str], Any]:
    """The define form's problems by field, and the command's arguments when there are none."""
    errors: dict[str, str] = {}
    if union_id is None:
        try:
            union_id = UUID(form["union_id"])
        except ValueError:
            errors["union_id"] = gettext("请选择总工会。")
    if not form["name"]:
        errors["name"] = gettext("请填写阶梯名称。")
    elif len(form["name"]) > NAME_MAX:
        errors["name"] = gettext("名称最多 %(max)s 个字。", max=NAME_MAX)
    tiers = [line.strip() for line in form["tiers"].splitlines() if line.strip()]
    if not tiers:
        errors["tiers"] = gettext("请填写称号，每行一个，从低到高。")
    elif len(tiers) > TIERS_MAX or any(len(t) > TIER_MAX for t in tiers):
        errors["tiers"] = gettext(
            "最多 %(count)s 级，每个称号最多 %(max)s 个字。", count=TIERS_MAX, max=TIER_MAX
        )
    elif len(set(tiers)) != len(tiers):
        errors["tiers"] = gettext("称号不能重复。")
    required = form["requires_tier_below"] == "on"
    years = _years(form["min_years_between"]) if required else 1
    if years is None:
        errors["min_years_between"] = gettext(
            "请填写 0 到 %(max)s 之间的整数。", max=MAX_YEARS_BETWEEN
        )
    arguments = {
        "union_id": union_id,
        "name": form["name"],
        "tiers": tiers,
        "requires_tier_below": required,
        "min_years_between": years,
    }
    return errors, arguments


def _years(text: str) -> int | None:
    try:
        years = int(text)
    except ValueError:
        return None
    return years if 0 <= years <= MAX_YEARS_BETWEEN else None


DEFINE_FIELDS = ("union_id", "name", "tiers", "requires_tier_below", "min_years_between")
DEFINE_REFUSALS = {
    "duplicate-ladder": ("name", N_("本总工会已有同名的荣誉阶梯。")),
    "not-a-union": ("union_id", N_("只有总工会可以设立荣誉阶梯。")),
    "invalid-ladder": ("tiers", N_("称号须逐行填写、互不相同，从低到高。")),
}


@console.route("/honours", methods=["POST"])
def define_ladder() -> Any:
    try:
        union_id, may_change = _scope()
    except Refused:
        return _refused()
    if not may_change:
        return _refused_change()
    form = {key: request.form.get(key, "").strip() for key in DEFINE_FIELDS}
    errors, arguments = _checked_ladder(form, union_id)
    if errors:
        return _ladders_page(422, errors=errors, form=form)
    try:
        recorded = ledger().honours.define_honour_ladder(**arguments, actor=_actor())
    except DomainRuleViolation as error:
        field, message = DEFINE_REFUSALS.get(error.rule, ("name", ""))
        errors[field] = gettext(message) if message else error.detail
        return _ladders_page(422, errors=errors, form=form)
    return redirect(
        url_for("console.honour_ladder", ladder_id=recorded.aggregate.id, defined=1), code=303
    )


def _refused_change() -> Any:
    return render_error(403, gettext("审计人员只能查看荣誉阶梯。"))


# -- one ladder: awards, awarding, withdrawing, the tier rule ---------------------------------


def _ladder_or_refusal(ladder_id: UUID) -> tuple[dict[str, Any] | None, bool]:
    """The ladder from the read model (None: not there, or another union's) and whether the
    person may change it; ``Refused`` for a role that has no business here."""
    union_id, may_change = _scope()
    with _query() as view:
        ladder = HonoursQuery(view.store).get_ladder(ladder_id)
    if ladder is None or (union_id is not None and ladder["union_id"] != str(union_id)):
        return None, False
    return ladder, may_change


def _ladder_page(ladder_id: UUID, status: int = 200, **values: Any) -> Any:
    ladder, may_change = _ladder_or_refusal(ladder_id)
    if ladder is None:
        return render_error(404, gettext("没有这个荣誉阶梯，或它不属于您的总工会。"))
    with _query() as view:
        awards = HonoursQuery(view.store).list_awards(ladder_id, limit=SHOWN)
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render(
        "pages/console_honour_ladder.html",
        status=status,
        title=ladder["name"],
        ladder=ladder,
        awards=awards.items,
        more=awards.next_cursor is not None,
        may_change=may_change,
        id_kinds=ID_KINDS,
        years_max=MAX_YEARS_BETWEEN,
        reason_max=REASON_MAX,
        defined=request.args.get("defined", ""),
        awarded=request.args.get("awarded", ""),
        withdrawn=request.args.get("withdrawn", ""),
        rule_changed=request.args.get("rule", ""),
        **values,
    )


@console.route("/honours/<uuid:ladder_id>", methods=["GET"])
def honour_ladder(ladder_id: UUID) -> Any:
    try:
        return _ladder_page(ladder_id)
    except Refused:
        return _refused()


def _changing(ladder_id: UUID) -> Any:
    """None when the person may change this ladder, else the page to answer."""
    try:
        ladder, may_change = _ladder_or_refusal(ladder_id)
    except Refused:
        return _refused()
    if ladder is None:
        return render_error(404, gettext("没有这个荣誉阶梯，或它不属于您的总工会。"))
    return None if may_change else _refused_change()


AWARD_FIELDS = ("id_kind", "id_number", "tier", "year")


def _worker_of(form: dict[str, str], errors: dict[str, str]) -> UUID | None:
    """The registered worker whose ID number was typed in (never kept), or an error."""
    if form["id_kind"] not in {kind.value for kind in IdKind}:
        errors["id_kind"] = gettext("请选择证件类型。")
        return None
    if not form["id_number"]:
        errors["id_number"] = gettext("请填写获得者的证件号码。")
        return None
    try:
        number = IdNumber.parse(
            form["id_number"][:40], form["id_kind"], today=ledger().china_today()
        )
    except InvalidValue as error:
        part = ID_PARTS.get(error.field, N_("格式不符"))
        errors["id_number"] = gettext(
            "证件号码有误：%(what)s。请核对后重新输入。", what=gettext(part)
        )
        return None
    worker_id = ledger().worker_id_for(number)
    if not ledger().exists(worker_id):
        errors["id_number"] = gettext("没有登记这个证件号码的劳动者。")
        return None
    return worker_id


@console.route("/honours/<uuid:ladder_id>/award", methods=["POST"])
def award_title(ladder_id: UUID) -> Any:
    refusal = _changing(ladder_id)
    if refusal is not None:
        return refusal
    form = {key: request.form.get(key, "").strip() for key in AWARD_FIELDS}
    kept = {**form, "id_number": ""}  # the number is never sent back
    errors: dict[str, str] = {}
    worker_id = _worker_of(form, errors)
    if not form["tier"]:
        errors["tier"] = gettext("请选择称号。")
    try:
        year = int(form["year"])
        if not YEARS[0] <= year <= YEARS[1]:
            raise ValueError
    except ValueError:
        errors["year"] = gettext("请填写授予年度（四位年份）。")
    if errors or worker_id is None:
        return _ladder_page(ladder_id, 422, errors=errors, form=kept)
    award_id = f"{year}-{secrets.token_hex(4).upper()}"
    try:
        ledger().honours.award_honour(
            ladder_id,
            award_id=award_id,
            worker_id=worker_id,
            tier=form["tier"],
            year=year,
            actor=_actor(),
        )
    except DomainRuleViolation as error:
        errors["tier"] = _award_refusal(error)
        return _ladder_page(ladder_id, 422, errors=errors, form=kept)
    return redirect(url_for("console.honour_ladder", ladder_id=ladder_id, awarded=award_id), 303)


def _award_refusal(error: DomainRuleViolation) -> str:
    if error.rule == "tier-below-required":
        return gettext(
            "本阶梯须逐级评选：授予此称号前，获得者须已持有%(tier)s（%(year)s年或更早授予，且未撤销）。",
            tier=error.facts.get("tier", ""),
            year=error.facts.get("year", ""),
        )
    if error.rule == "unknown-tier":
        return gettext("请选择本阶梯的称号。")
    return error.detail


@console.route("/honours/<uuid:ladder_id>/withdraw", methods=["POST"])
def withdraw_title(ladder_id: UUID) -> Any:
    refusal = _changing(ladder_id)
    if refusal is not None:
        return refusal
    award_id = request.form.get("award_id", "").strip()[:64]
    reason = request.form.get("reason", "").strip()
    key = f"reason-{award_id}"
    if not reason:
        return _ladder_page(
            ladder_id, 422, errors={key: gettext("请写明撤销理由，理由会记录在案。")}
        )
    if len(reason) > REASON_MAX:
        message = gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
        return _ladder_page(ladder_id, 422, errors={key: message})
    try:
        ledger().honours.withdraw_honour(
            ladder_id, award_id=award_id, actor=_actor(), reason=reason
        )
    except DomainRuleViolation:
        message = gettext("这个称号已撤销或不存在。")
        return _ladder_page(ladder_id, 422, errors={key: message})
    return redirect(url_for("console.honour_ladder", ladder_id=ladder_id, withdrawn=award_id), 303)


@console.route("/honours/<uuid:ladder_id>/tier-rule", methods=["POST"])
def set_tier_rule(ladder_id: UUID) -> Any:
    refusal = _changing(ladder_id)
    if refusal is not None:
        return refusal
    form = {
        key: request.form.get(key, "").strip()
        for key in ("requires_tier_below", "min_years_between", "rule_reason")
    }
    required = form["requires_tier_below"] == "on"
    errors: dict[str, str] = {}
    years = _years(form["min_years_between"]) if required else 1
    if years is None:
        errors["min_years_between"] = gettext(
            "请填写 0 到 %(max)s 之间的整数。", max=MAX_YEARS_BETWEEN
        )
    if not form["rule_reason"]:
        errors["rule_reason"] = gettext("请写明修改理由，理由会记录在案。")
    elif len(form["rule_reason"]) > REASON_MAX:
        errors["rule_reason"] = gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
    if errors or years is None:
        return _ladder_page(ladder_id, 422, errors=errors, form=form)
    try:
        ledger().honours.set_tier_rule(
            ladder_id,
            requires_tier_below=required,
            min_years_between=years,
            actor=_actor(),
            reason=form["rule_reason"],
        )
    except DomainRuleViolation:
        errors["requires_tier_below"] = gettext("本阶梯已是这个规则。")
        return _ladder_page(ladder_id, 422, errors=errors, form=form)
    return redirect(url_for("console.honour_ladder", ladder_id=ladder_id, rule=1), 303)


add_console_link(
    "console.honours",
    N_("荣誉阶梯"),
    READERS,
    N_("设立荣誉阶梯，逐级授予和撤销称号。"),
)
