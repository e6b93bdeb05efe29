"""The signed-in person: ``flask-login`` sessions and ``flask-wtf`` CSRF for the pages.

:func:`current_person` is the person signed in on this request (None when nobody, or when a
machine's token is), :func:`person_principal` what their commands carry: the role their
account acts as (``AccountRole.acts_as``), their organisation, and the actor
``<role>:person:<account id>`` recorded in every event they cause.

The session is Flask's signed cookie ``craftledger_session`` (key derived from the ledger's
identity secret; ``HttpOnly``, ``SameSite=Lax``, ``Secure`` by the same rule as the pages'
cookie, for ``PAGES_SESSION_HOURS``). It names the account and a digest of its password hash:
a deactivated account, or a password set anew, ends every session made before. An HR-bureau
official or issuer officer who has not enrolled a second factor is signed in only to enrol it
(:attr:`Person.must_enrol`): until then their principal is the public.

Every page form's POST carries ``csrf`` (``csrf_token()`` in templates), checked by
``flask-wtf`` before the view runs (``service.pages.blueprints.begin``); the public
certificate check (``POST /verify``) and the JSON API (bearer tokens) need none.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any
from uuid import UUID

from flask import Flask, abort
from flask.sessions import SecureCookieSessionInterface
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from domain.person_account import AccountRole, PersonAccount
from service.app_services import ledger
from service.commands import NotFound
from service.pages.cookies import cookie_secure
from service.principal import Principal

__all__ = [
    "Person",
    "check_csrf",
    "csrf_token",
    "current_person",
    "home_of",
    "install_people",
    "person_principal",
    "sign_in_person",
    "sign_out_person",
]

SESSION_COOKIE = "craftledger_session"
csrf = CSRFProtect()
login_manager = LoginManager()


class Person(UserMixin):  # type: ignore[misc]
    """A signed-in person: their account (as of this request) and session's password digest."""

    def __init__(self, account: PersonAccount, fingerprint: str) -> None:
        self.account = account
        self.fingerprint = fingerprint

    def get_id(self) -> str:
        return f"{self.account.id}.{self.fingerprint}"

    @property
    def id(self) -> UUID:
        return self.account.id  # type: ignore[no-any-return]

    @property
    def name(self) -> str:
        return self.account.name  # type: ignore[no-any-return]

    @property
    def home(self) -> str:
        """Where the person works: a judge's marking page, everyone else's console."""
        return home_of(self.account)

    @property
    def must_enrol(self) -> bool:
        """Whether the person must enrol a second factor before doing anything else."""
        return self.account.role.needs_second_factor and not self.account.second_factor

    @property
    def principal(self) -> Principal:
        return Principal(
            role=self.account.role.acts_as,
            organisation_id=self.account.organisation_id,
            account_id=self.account.id,
            competition_id=self.account.competition_id,
        )


def home_of(account: PersonAccount) -> str:
    """The page a person lands on after signing in: ``/judge`` for a judge (their one
    competition's marking sheets), ``/console`` for everyone else."""
    return "/judge" if account.role is AccountRole.JUDGE else "/console"


@login_manager.user_loader
def _load_person(session_id: str) -> Person | None:
    account_text, _, fingerprint = session_id.partition(".")
    try:
        account = ledger().accounts.account(UUID(account_text))
    except (ValueError, NotFound):
        return None
    current = ledger().accounts.password_fingerprint(account.id)
    if not account.active or not hmac.compare_digest(current, fingerprint):
        return None
    return Person(account, current)


def current_person() -> Person | None:
    """The person signed in on this request, or None."""
    user = current_user._get_current_object()
    return user if isinstance(user, Person) else None


def person_principal() -> Principal | None:
    """The signed-in person's principal; None when nobody is (or they must enrol first)."""
    person = current_person()
    if person is None or person.must_enrol:
        return None
    return person.principal


def sign_in_person(account: PersonAccount) -> None:
    """Start a session for ``account`` (a new session id: no fixation)."""
    from flask import session

    session.clear()
    session.permanent = True
    login_user(Person(account, ledger().accounts.password_fingerprint(account.id)))


def sign_out_person() -> None:
    from flask import session

    logout_user()
    session.clear()


def csrf_token() -> str:
    return str(generate_csrf())


def check_csrf() -> None:
    """400 (``csrf``) unless the form's ``csrf`` field is this session's token."""
    try:
        csrf.protect()
    except CSRFError:
        abort(400, description="csrf")


class PagesSessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, ``Secure`` by the pages' rule (``cookies.cookie_secure``)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return cookie_secure()


def install_people(app: Flask) -> None:
    """Flask's session key and cookie, ``flask-login`` and ``flask-wtf`` CSRF on ``app``."""
    identity = app.extensions["craftledger"].ledger.settings.identity_key()
    if not app.secret_key:
        key = hmac.new(identity, b"craftledger console session v1", hashlib.sha256)
        app.secret_key = key.hexdigest()
    hours = float(app.config.get("PAGES_SESSION_HOURS", 8))
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=hours),
    )
    settings: dict[str, Any] = {
        "WTF_CSRF_CHECK_DEFAULT": False,  # the pages check their own POSTs; the API needs none
        "WTF_CSRF_FIELD_NAME": "csrf",
        "WTF_CSRF_TIME_LIMIT": None,  # as long as the session
        "WTF_CSRF_SSL_STRICT": False,  # the pages send no Referer (Referrer-Policy: no-referrer)
    }
    for key, value in settings.items():
        app.config.setdefault(key, value)
    app.session_interface = PagesSessionInterface()
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # the password digest ends stale sessions
