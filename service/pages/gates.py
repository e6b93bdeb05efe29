"""Pages for one role: who may open them, and what everybody else gets.

Nobody signed in is sent to ``/signin`` (303, and back to the page afterwards); a token of
another role gets a 403 page that says whose page it is.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import redirect, url_for

from domain.api_token import Role
from service.pages.blueprints import render_error
from service.pages.i18n import gettext
from service.pages.web_session import page_principal

__all__ = ["signed_in_as"]

View = Callable[..., Any]


def signed_in_as(*roles: Role, come_back_to: str, refusal: str) -> Callable[[View], View]:
    """Open the decorated page only to one of ``roles`` (a token, or a person acting as it).
    ``refusal`` (marked with ``N_``) is the 403 page's message, translated when shown."""

    def decorate(view: View) -> View:
        @wraps(view)
        def gated(*args: Any, **kwargs: Any) -> Any:
            principal = page_principal()
            if principal.is_public:
                form = "pages.token_signin_form" if Role.WORKER in roles else "pages.signin_form"
                return redirect(url_for(form, next=come_back_to), code=303)
            if not principal.is_(*roles):
                return render_error(403, gettext(refusal), title=gettext("无权查看"))
            return view(*args, **kwargs)

        return gated

    return decorate
