"""``/console/keys``: an issuer's signing keys (签名密钥), rotated and marked compromised in the
console by the HR bureau (人社局) or a platform administrator; an auditor reads.

The same commands and report as ``/api/v1/organisations/{id}/keys`` and ``craftledger keys``
(``ledger.credentials.rotate_signing_key`` / ``mark_key_compromised``, ``keys_report``). After a
compromise the page says what it means, from the report's figures: proofs the key made from the
compromise time on no longer verify, how many certificates and posts of the issuer were issued
since then (copies downloaded earlier fail verification) and that they are re-signed with the
new key the next time anyone fetches them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.china_time import CHINA
from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole
from service.app_services import caught_up_store, ledger
from service.credentials.key_report import keys_report
from service.pages.blueprints import render, render_error
from service.pages.console import add_console_link, console
from service.pages.console_people import organisations
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

REASON_MAX = 500
READERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL, AccountRole.AUDITOR})
CHANGERS = frozenset({AccountRole.ADMIN, AccountRole.HR_OFFICIAL})
STATES = {
    "current": N_("在用"),
    "retired": N_("已轮换（历史签名仍有效）"),
    "compromised": N_("已泄露"),
}


def _role() -> AccountRole | None:
    person = current_person()
    return person.account.role if person is not None else None


@console.route("/keys", methods=["GET"])
def keys() -> Any:
    if _role() not in READERS:
        return render_error(403, gettext("只有人社局工作人员、管理员和审计人员可以查看签名密钥。"))
    chosen = request.args.get("organisation", "")
    if chosen:
        try:
            return redirect(url_for("console.organisation_keys", organisation_id=UUID(chosen)))
        except ValueError:
            pass
    return render("pages/console_keys.html", title=gettext("签名密钥"), issuers=organisations())


def keys_page(organisation_id: UUID, status: int = 200, **values: Any) -> Any:
    organisation = ledger().organisation(organisation_id)
    report = keys_report(organisation, caught_up_store())
    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render(
        "pages/console_organisation_keys.html",
        status=status,
        title=gettext("签名密钥"),
        subject=organisation,
        report=report,
        states=STATES,
        may_change=_role() in CHANGERS,
        changed=request.args.get("changed", ""),
        changed_key=request.args.get("key", ""),
        reason_max=REASON_MAX,
        **values,
    )


@console.route("/keys/<uuid:organisation_id>", methods=["GET"])
def organisation_keys(organisation_id: UUID) -> Any:
    if _role() not in READERS:
        return render_error(403, gettext("只有人社局工作人员、管理员和审计人员可以查看签名密钥。"))
    return keys_page(organisation_id)


def _refused() -> Any:
    return render_error(403, gettext("只有人社局工作人员和管理员可以轮换密钥或登记密钥泄露。"))


@console.route("/keys/<uuid:organisation_id>/rotate", methods=["POST"])
def rotate_key(organisation_id: UUID) -> Any:
    person = current_person()
    if person is None or person.account.role not in CHANGERS:
        return _refused()
    ledger().credentials.rotate_signing_key(organisation_id, actor=person.principal.actor)
    return redirect(
        url_for("console.organisation_keys", organisation_id=organisation_id, changed="rotated"),
        code=303,
    )


def compromised_at(text: str) -> datetime:
    """A ``datetime-local`` value, read as Beijing time (北京时间)."""
    try:
        return datetime.fromisoformat(text).replace(tzinfo=CHINA)
    except ValueError:
        raise InvalidValue("compromised_at", "not a date and time") from None


@console.route("/keys/<uuid:organisation_id>/<string:key_id>/compromise", methods=["POST"])
def mark_key_compromised(organisation_id: UUID, key_id: str) -> Any:
    person = current_person()
    if person is None or person.account.role not in CHANGERS:
        return _refused()
    reason = request.form.get("reason", "").strip()
    problems: dict[str, str] = {}
    if not reason:
        problems["reason"] = gettext("请写明理由（如何发现泄露），理由会记录在案。")
    elif len(reason) > REASON_MAX:
        problems["reason"] = gettext("理由最多 %(max)s 个字。", max=REASON_MAX)
    try:
        moment = compromised_at(request.form.get("compromised_at", ""))
    except InvalidValue:
        problems["compromised_at"] = gettext("请填写泄露的时间（北京时间，年-月-日 时:分）。")
    if not problems:
        try:
            ledger().credentials.mark_key_compromised(
                organisation_id,
                key_id,
                compromised_at=moment,
                actor=person.principal.actor,
                reason=reason,
            )
        except InvalidValue as error:
            problems["compromised_at"] = gettext("泄露时间不可用：%(detail)s", detail=error.detail)
        except DomainRuleViolation as error:
            problems["compromised_at"] = error.detail
    if problems:
        return keys_page(organisation_id, 422, errors={key_id: problems}, form=request.form)
    return redirect(
        url_for(
            "console.organisation_keys",
            organisation_id=organisation_id,
            changed="compromised",
            key=key_id,
        ),
        code=303,
    )


add_console_link(
    "console.keys",
    N_("签名密钥"),
    READERS,
    N_("轮换签发机构的签名密钥，登记密钥泄露并查看受影响的证书。"),
)
