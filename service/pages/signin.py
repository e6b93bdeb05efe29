"""Signing in and out: people with a login and password, machines with a token.

``/signin`` takes a login (e-mail or mobile number), a password and, once the person enrolled a
second factor, a TOTP code (``service.accounts``: lockout after repeated failures, one answer
for an unknown login and a wrong password); a person lands on ``/console``, a judge on their
marking page ``/judge``. ``/signin/token``
keeps the token sign-in for machines' tokens (a worker's ``/me``, an auditor's ``/audit``, an
organiser's live leaderboards): the token travels only in the form body and the pages' cookie
keeps its hash. ``/signout`` ends both.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request

from domain.api_token import Role
from service.accounts import SignInOutcome
from service.app_services import ledger
from service.pages.blueprints import pages, render, signin_pages
from service.pages.i18n import gettext
from service.pages.people import home_of, sign_in_person
from service.pages.web_session import current_session, sign_out

HOME_OF = {
    Role.WORKER: "/me",
    Role.AUDITOR: "/audit",
    Role.ORGANISER: "/competitions",
}


def safe_next(target: str | None) -> str | None:
    """A local path to go on to (nothing that leaves the site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _signin_page(status: int = 200, errors: dict[str, str] | None = None, **form: str) -> Any:
    return render(
        "pages/signin.html",
        status=status,
        errors=errors or {},
        form=form,
        next=safe_next(request.values.get("next")) or "",
        title=gettext("登录"),
    )


@pages.route("/signin", methods=["GET"])
def signin_form() -> Any:
    return _signin_page()


@signin_pages.route("/signin", methods=["POST"])
def signin_submit() -> Any:
    login = request.form.get("login", "")[:254]
    signed = ledger().accounts.sign_in(
        login, request.form.get("password", ""), request.form.get("code", "")[:12]
    )
    if signed.outcome is SignInOutcome.SIGNED_IN and signed.account is not None:
        sign_in_person(signed.account)
        current_session().sign_out()  # a token signed in before in this browser is left behind
        home = home_of(signed.account)
        return redirect(safe_next(request.form.get("next")) or home, code=303)
    errors = {
        SignInOutcome.REFUSED: {"password": gettext("登录名或密码不正确。")},
        SignInOutcome.LOCKED: {
            "login": gettext("连续多次登录失败，此登录名已暂时锁定。请 15 分钟后再试。")
        },
        SignInOutcome.CODE_NEEDED: {
            "code": gettext(
                "此账号已启用两步验证：请再次输入密码，并输入验证器应用中的 6 位验证码。"
            )
        },
        SignInOutcome.CODE_WRONG: {"code": gettext("验证码不正确或已用过，请输入最新的验证码。")},
    }[signed.outcome]
    status = 429 if signed.outcome is SignInOutcome.LOCKED else 422
    return _signin_page(status, errors, login=login)


@pages.route("/signin/token", methods=["GET"])
def token_signin_form() -> Any:
    return render(
        "pages/token_signin.html",
        error=None,
        next=safe_next(request.args.get("next")) or "",
        title=gettext("用访问令牌登录"),
    )


@pages.route("/signin/token", methods=["POST"])
def token_signin_submit() -> Any:
    token = request.form.get("token", "").strip()
    target = safe_next(request.form.get("next"))
    grant = ledger().tokens.find_token(token) if 0 < len(token) <= 512 else None
    if grant is None:
        return render(
            "pages/token_signin.html",
            status=422,
            error=gettext("令牌无效或已被撤销，请核对后重新输入。"),
            next=target or "",
            title=gettext("用访问令牌登录"),
        )
    sign_out()
    current_session().sign_in(ledger().tokens.token_hash(token))
    return redirect(target or HOME_OF.get(grant.role, "/"), code=303)


@pages.route("/signout", methods=["POST"])
def signout() -> Any:
    sign_out()
    return redirect("/", code=303)
