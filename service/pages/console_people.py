"""``/console/people``: administrators (platform admins, HR-bureau officials) invite people,
reset a person's sign-in (a new invitation link) and deactivate accounts.

Inviting records the account and shows its invitation link once (single-use, expiring after
``service.accounts.accounts.INVITATION_DAYS``); the administrator hands it to the person, who
chooses a password on it (``service.pages.invitation``). The same as ``craftledger accounts``.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import request

from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole
from service.accounts import Invitation
from service.app_services import ledger, services
from service.pages.blueprints import render, render_error
from service.pages.console import ADMINISTRATORS, console
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

FIELD_OF = {"login": "login", "name": "name", "organisation": "organisation_id"}


def _administrator() -> Any:
    """The signed-in administrator's principal, or the 403 page for anyone else."""
    person = current_person()
    if person is None or person.account.role not in ADMINISTRATORS:
        return None
    return person.principal


def _refused() -> Any:
    return render_error(403, gettext("只有管理员和人社局工作人员可以管理人员账号。"))


def organisations() -> list[dict[str, Any]]:
    """Every organisation (first 500) from the directory read model, for a select."""
    directory = services().directory
    return directory.list_organisations(limit=500).items if directory is not None else []


def _people_page(status: int = 200, **values: Any) -> Any:
    names = {str(o["id"]): o["name"] for o in organisations()}
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render(
        "pages/console_people.html",
        status=status,
        title=gettext("人员账号"),
        accounts=ledger().accounts.list_accounts(),
        organisation_names=names,
        organisations=organisations(),
        roles=[role for role in AccountRole if not role.needs_competition],  # judges: theirs
        **values,
    )


@console.route("/people", methods=["GET"])
def people() -> Any:
    if _administrator() is None:
        return _refused()
    return _people_page()


@console.route("/people", methods=["POST"])
def invite_person() -> Any:
    principal = _administrator()
    if principal is None:
        return _refused()
    form = {key: request.form.get(key, "").strip() for key in ("login", "name", "role")}
    form["organisation_id"] = request.form.get("organisation_id", "")
    errors: dict[str, str] = {}
    try:
        role = AccountRole(form["role"])
    except ValueError:
        errors["role"] = gettext("请选择角色。")
    organisation_id = None
    if form["organisation_id"]:
        try:
            organisation_id = UUID(form["organisation_id"])
        except ValueError:
            errors["organisation_id"] = gettext("请选择单位。")
    if errors:
        return _people_page(422, errors=errors, form=form)
    try:
        invitation = ledger().accounts.invite(
            login=form["login"],
            name=form["name"],
            role=role,
            organisation_id=organisation_id,
            actor=principal.actor,
        )
    except InvalidValue as error:
        message = INVALID.get(error.field)
        errors[FIELD_OF.get(error.field, "login")] = gettext(message) if message else error.detail
    except DomainRuleViolation:
        errors["login"] = gettext("已有账号使用这个登录名。")
    if errors:
        return _people_page(422, errors=errors, form=form)
    return _people_page(
        201, invited=invitation.account, link=_link(invitation), expires=invitation.expires_at
    )


INVALID = {
    "login": N_("请填写电子邮箱或 11 位手机号。"),
    "name": N_("请填写姓名（不超过 100 字）。"),
    "organisation": N_(
        "评价机构经办人、竞赛组织者、人社局和总工会工作人员须选择所在单位；平台管理员和审计人员不选单位。"
    ),
}


@console.route("/people/<uuid:account_id>/reset", methods=["POST"])
def reset_person(account_id: UUID) -> Any:
    """A new invitation link for a person who forgot the password or lost the phone."""
    principal = _administrator()
    if principal is None:
        return _refused()
    invitation = ledger().accounts.reset_sign_in(account_id, actor=principal.actor)
    return _people_page(
        invited=invitation.account, link=_link(invitation), expires=invitation.expires_at
    )


def _link(invitation: Invitation) -> str:
    return invitation.link(ledger().credentials.credential_urls.base_url)


@console.route("/people/<uuid:account_id>/deactivate", methods=["POST"])
def deactivate_person(account_id: UUID) -> Any:
    principal = _administrator()
    if principal is None:
        return _refused()
    reason = request.form.get("reason", "").strip()[:200]
    key = f"reason-{account_id}"
    if account_id == principal.account_id:
        return _people_page(422, errors={key: gettext("不能停用自己的账号。")})
    if not reason:
        return _people_page(422, errors={key: gettext("请填写停用原因。")})
    ledger().accounts.deactivate(account_id, actor=principal.actor, reason=reason)
    return _people_page(deactivated=ledger().accounts.account(account_id))
