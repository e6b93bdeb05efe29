"""``/invitation/{account}/{token}``: an invited person chooses a password.

The link is the one an administrator was shown once (``/console/people`` or ``craftledger
accounts invite``); it works until it is used or expires. The token is in the path, never sent
on (``Referrer-Policy: no-referrer``), and only its SHA-256 is stored.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import InvalidValue
from service.accounts.accounts import MIN_PASSWORD, check_password
from service.app_services import ledger
from service.commands import NotFound
from service.pages.blueprints import pages, render, render_error
from service.pages.i18n import gettext


def _form(account: Any, token: str, status: int = 200, errors: dict[str, str] | None = None) -> Any:
    return render(
        "pages/invitation.html",
        status=status,
        account=account,
        token=token,
        errors=errors or {},
        min_password=MIN_PASSWORD,
        title=gettext("设置密码"),
    )


def _gone() -> Any:
    return render_error(
        410,
        gettext("此邀请链接已使用、已过期或不完整。"),
        gettext("请联系邀请您的管理员重新发送邀请。"),
    )


@pages.route("/invitation/<uuid:account_id>/<string:token>", methods=["GET"])
def invitation_form(account_id: UUID, token: str) -> Any:
    account = ledger().accounts.invitation(account_id, token)
    return _form(account, token) if account is not None else _gone()


@pages.route("/invitation/<uuid:account_id>/<string:token>", methods=["POST"])
def invitation_accept(account_id: UUID, token: str) -> Any:
    account = ledger().accounts.invitation(account_id, token)
    if account is None:
        return _gone()
    password = request.form.get("password", "")
    errors: dict[str, str] = {}
    try:
        check_password(password)
    except InvalidValue:
        errors["password"] = gettext("密码须为 %(min)s 至 128 个字符。", min=MIN_PASSWORD)
    if not errors and password != request.form.get("repeat", ""):
        errors["repeat"] = gettext("两次输入的密码不一致。")
    if errors:
        return _form(account, token, 422, errors)
    try:
        ledger().accounts.accept_invitation(account_id, token, password)
    except NotFound:
        return _gone()
    return redirect(url_for("pages.signin_form", welcome=1), code=303)
