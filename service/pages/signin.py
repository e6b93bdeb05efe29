"""``/signin`` and ``/signout``: a token entered once, kept (as its hash) in the pages' cookie.

Tokens come from ``craftledger token create``; a worker's token opens ``/me``, an auditor's
``/audit``, an organiser's live leaderboards. The token travels only in the form body.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request

from domain.api_token import Role
from service.app_services import ledger
from service.pages.blueprints import pages, render
from service.pages.i18n import gettext
from service.pages.web_session import check_csrf, current_session, page_principal

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


@pages.route("/signin", methods=["GET"])
def signin_form() -> Any:
    return render(
        "pages/signin.html",
        error=None,
        next=safe_next(request.args.get("next")) or "",
        title=gettext("登录"),
    )


@pages.route("/signin", methods=["POST"])
def signin_submit() -> Any:
    check_csrf()
    token = request.form.get("token", "").strip()
    target = safe_next(request.form.get("next"))
    grant = ledger().tokens.find_token(token) if 0 < len(token) <= 512 else None
    if grant is None:
        return render(
            "pages/signin.html",
            status=422,
            error=gettext("令牌无效或已被撤销，请核对后重新输入。"),
            next=target or "",
            title=gettext("登录"),
        )
    current_session().sign_in(ledger().tokens.token_hash(token))
    return redirect(target or HOME_OF.get(grant.role, "/"), code=303)


@pages.route("/signout", methods=["POST"])
def signout() -> Any:
    check_csrf()
    current_session().sign_out()
    return redirect("/", code=303)


def require_signed_in(next_path: str) -> Any:
    """A redirect to the sign-in page when nobody is signed in, else None."""
    if page_principal().is_public:
        return redirect(f"/signin?next={next_path}", code=303)
    return None
