"""People in the page tests: an account that accepted its invitation (with TOTP when its role
needs one), signing in through the form, a field's error, and an issuer officer signed in."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import UUID

import pyotp
from flask.testing import FlaskClient

from domain.person_account import AccountRole
from tests.pages.pages_world import PagesWorld, csrf_of

PASSWORD = "a long enough password"


def person(
    pages_world: PagesWorld,
    login: str,
    role: AccountRole = AccountRole.AUDITOR,
    organisation: UUID | None = None,
    *,
    totp: bool = False,
) -> pyotp.TOTP | None:
    """An account that accepted its invitation (and enrolled a second factor when ``totp``)."""
    accounts = pages_world.ledger.accounts
    invitation = accounts.invite(
        login=login,
        name=f"{role.value} {login[:6]}",
        role=role,
        organisation_id=organisation,
        actor="test",
    )
    accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    if not totp:
        return None
    accounts.start_enrolment(invitation.account.id)
    secret = pyotp.TOTP(accounts.pending_secret(invitation.account.id))
    assert accounts.confirm_enrolment(invitation.account.id, secret.at(pages_world.ledger.clock()))
    return secret


def sign_in(client: FlaskClient, login: str, password: str = PASSWORD, code: str = "") -> object:
    page = client.get("/signin")
    data = {"csrf": csrf_of(page.text), "login": login, "password": password, "code": code}
    return client.post("/signin", data=data)


def field_error(html: str, field: str) -> str:
    found = re.search(rf'id="{field}-error">([^<]+)<', html)
    return found.group(1) if found else ""


def signed_in(
    pages_world: PagesWorld, login: str, role: AccountRole, organisation: UUID | None = None
) -> FlaskClient:
    """A fresh client with a new person of ``role`` signed in (TOTP enrolled where the role
    needs it)."""
    secret = person(pages_world, login, role, organisation, totp=role.needs_second_factor)
    client = pages_world.client()
    # the enrolment used this 30-second step's code; the next step's is accepted (±1 step)
    code = secret.at(pages_world.ledger.clock() + timedelta(seconds=30)) if secret else ""
    signed = sign_in(client, login, code=code)
    assert signed.status_code == 303, signed.text
    return client


def signed_in_officer(pages_world: PagesWorld, login: str, body: UUID) -> FlaskClient:
    """A fresh client with an issuer officer of ``body`` signed in (TOTP enrolled)."""
    return signed_in(pages_world, login, AccountRole.ISSUER_OFFICER, body)
