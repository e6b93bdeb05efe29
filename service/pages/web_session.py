"""The pages' own signed cookie: which machine token signed in, which share links were unlocked.

People sign in with an account (``service.pages.people``, flask-login); :func:`page_principal`
answers for either. A token is entered once on the token sign-in page; the cookie then keeps the
token's *hash* (the form the ledger stores), never the token, so a copied cookie cannot be used
against the API. The cookie is signed (``itsdangerous``, key derived from the ledger's identity
secret), ``HttpOnly``, ``SameSite=Lax``, and ``Secure`` when ``CRAFTLEDGER_BASE_URL`` is
https, or else unless the page is served over plain HTTP on a loopback address (a developer's
machine; ``PAGES_COOKIE_SECURE`` forces it either way). It ends after ``PAGES_SESSION_HOURS``
(default 8). A revoked or expired token ends the session at the next
request.

CSRF tokens are flask-wtf's (``service.pages.people``).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import Flask, current_app, g, request
from flask.wrappers import Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from domain.api_token import Role
from service.app_services import ledger
from service.pages.cookies import cookie_secure
from service.pages.people import person_principal, sign_out_person
from service.principal import PUBLIC_PRINCIPAL, Principal
from service.tokens import TokenState

__all__ = [
    "COOKIE",
    "WebSession",
    "current_session",
    "load_session",
    "page_principal",
    "save_session",
]

COOKIE = "craftledger_pages"
SALT = "craftledger-pages-session"
DEFAULT_HOURS = 8
MAX_UNLOCKED = 20


@dataclass
class WebSession:
    token_hash: str | None = None
    unlocked: list[str] = field(default_factory=list)
    changed: bool = False

    def to_cookie(self) -> dict[str, Any]:
        return {"t": self.token_hash, "u": self.unlocked}

    def sign_in(self, token_hash: str) -> None:
        self.token_hash = token_hash
        self.changed = True

    def sign_out(self) -> None:
        self.token_hash = None
        self.unlocked = []
        self.changed = True

    def unlock(self, link_id: UUID) -> None:
        key = str(link_id)
        if key not in self.unlocked:
            self.unlocked = [*self.unlocked, key][-MAX_UNLOCKED:]
            self.changed = True

    def is_unlocked(self, link_id: UUID) -> bool:
        return str(link_id) in self.unlocked


def _serializer(app: Flask) -> URLSafeTimedSerializer:
    key = app.extensions.get("craftledger_pages_key")
    if key is None:
        identity = app.extensions["craftledger"].ledger.settings.identity_key()
        key = hmac.new(identity, b"craftledger pages session v1", hashlib.sha256).digest()
        app.extensions["craftledger_pages_key"] = key
    return URLSafeTimedSerializer(key, salt=SALT)


def _max_age(app: Flask) -> int:
    return int(float(app.config.get("PAGES_SESSION_HOURS", DEFAULT_HOURS)) * 3600)


def load_session() -> WebSession:
    """The session of this request (an empty one when the cookie is missing or bad)."""
    raw = request.cookies.get(COOKIE)
    session = WebSession()
    if raw:
        try:
            data = _serializer(current_app).loads(raw, max_age=_max_age(current_app))
        except BadSignature:
            data = None
        if isinstance(data, dict):
            token_hash = data.get("t")
            session.token_hash = token_hash if isinstance(token_hash, str) else None
            unlocked = data.get("u")
            if isinstance(unlocked, list):
                session.unlocked = [str(u) for u in unlocked][:MAX_UNLOCKED]
    g.page_session = session
    return session


def current_session() -> WebSession:
    session = g.get("page_session")
    return session if session is not None else load_session()


def save_session(response: Response) -> Response:
    session = g.get("page_session")
    if session is None or not session.changed:
        return response
    response.set_cookie(
        COOKIE,
        _serializer(current_app).dumps(session.to_cookie()),
        max_age=_max_age(current_app),
        httponly=True,
        secure=cookie_secure(),
        samesite="Lax",
        path="/",
    )
    response.vary.add("Cookie")
    return response


def page_principal() -> Principal:
    """Who is signed in: a person, else a machine's token (the public when nobody, or when
    the token was revoked)."""
    person = person_principal()
    if person is not None:
        return person
    session = current_session()
    if not session.token_hash:
        return PUBLIC_PRINCIPAL
    grant, state = ledger().tokens.grant_by_hash(session.token_hash)
    if grant is None or state is not TokenState.ACTIVE:  # unknown, revoked or expired
        session.sign_out()
        return PUBLIC_PRINCIPAL
    return Principal(
        role=grant.role,
        token_id=grant.id,
        organisation_id=grant.organisation_id,
        worker_id=grant.worker_id,
    )


def role_label(principal: Principal) -> str:
    return principal.role.value if principal.role is not None else "public"


def sign_out() -> None:
    """End whichever sign-in this browser has: a person's session and a token's."""
    sign_out_person()
    current_session().sign_out()


def is_role(principal: Principal, *roles: Role) -> bool:
    return principal.role in roles
