"""People's accounts on a real ledger (SQLite and PostgreSQL): invitation, password, lockout,
TOTP, deactivation; secrets only in the side table."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from domain.person_account import AccountRole
from service.accounts import SignInOutcome
from service.accounts.accounts import LOCK_MINUTES, MAX_FAILURES
from service.commands import NotFound
from service.ledger import Ledger
from tests.factories.organisations import file_employer
from tests.support.clocks import SteppingClock

PASSWORD = "correct horse battery"


def invited(ledger: Ledger, login: str = "li.ming@example.cn"):  # type: ignore[no-untyped-def]
    body = file_employer(ledger)
    return ledger.accounts.invite(
        login=login,
        name="李明",
        role=AccountRole.ISSUER_OFFICER,
        organisation_id=body.id,
        actor="admin:test",
    )


def test_an_invitation_is_single_use_and_sets_the_password(ledger: Ledger) -> None:
    invitation = invited(ledger)
    account_id = invitation.account.id
    assert ledger.accounts.sign_in("li.ming@example.cn", PASSWORD).outcome is SignInOutcome.REFUSED
    assert ledger.accounts.invitation(account_id, "wrong") is None
    ledger.accounts.accept_invitation(account_id, invitation.token, PASSWORD)
    with pytest.raises(NotFound):
        ledger.accounts.accept_invitation(account_id, invitation.token, "another password!")
    signed = ledger.accounts.sign_in(" LI.MING@example.cn", PASSWORD)
    assert signed.outcome is SignInOutcome.SIGNED_IN
    assert signed.account is not None and signed.account.active
    assert [a.login for a in ledger.accounts.list_accounts()] == ["li.ming@example.cn"]


def test_an_expired_invitation_is_refused(ledger: Ledger, clock: SteppingClock) -> None:
    invitation = invited(ledger)
    clock.now += timedelta(days=8)
    with pytest.raises(NotFound):
        ledger.accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)


def test_the_password_hash_never_enters_the_log(ledger: Ledger) -> None:
    invitation = invited(ledger)
    ledger.accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    stored = ledger.accounts.store.get(invitation.account.id).password_hash
    assert stored is not None and stored.startswith("$argon2id$")
    fingerprint = stored.split("$")[-1].encode()
    for notification in ledger.notifications():
        assert fingerprint not in notification.state
        assert invitation.token.encode() not in notification.state


def test_five_failures_lock_a_login_for_fifteen_minutes_known_or_not(
    ledger: Ledger, clock: SteppingClock
) -> None:
    invitation = invited(ledger)
    ledger.accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    for login in ("li.ming@example.cn", "nobody@example.cn"):
        answers = [ledger.accounts.sign_in(login, "wrong password").outcome for _ in range(5)]
        assert answers == [SignInOutcome.REFUSED] * (MAX_FAILURES - 1) + [SignInOutcome.LOCKED]
    locked = ledger.accounts.sign_in("li.ming@example.cn", PASSWORD)
    assert locked.outcome is SignInOutcome.LOCKED and locked.locked_until is not None
    clock.now += timedelta(minutes=LOCK_MINUTES)
    assert ledger.accounts.sign_in("li.ming@example.cn", PASSWORD).outcome is (
        SignInOutcome.SIGNED_IN
    )


def test_a_second_factor_once_enrolled_is_asked_and_each_code_works_once(
    ledger: Ledger, clock: SteppingClock
) -> None:
    invitation = invited(ledger)
    account_id = invitation.account.id
    ledger.accounts.accept_invitation(account_id, invitation.token, PASSWORD)
    uri = ledger.accounts.start_enrolment(account_id)
    assert uri.startswith("otpauth://totp/craftledger:li.ming%40example.cn?secret=")
    secret = ledger.accounts.pending_secret(account_id)
    assert secret is not None
    totp = pyotp.TOTP(secret)
    wrong = str((int(totp.at(clock.now)) + 1) % 10**6).zfill(6)
    assert not ledger.accounts.confirm_enrolment(account_id, wrong)
    assert ledger.accounts.confirm_enrolment(account_id, totp.at(clock.now))
    assert ledger.accounts.account(account_id).second_factor
    login = "li.ming@example.cn"
    assert ledger.accounts.sign_in(login, PASSWORD).outcome is SignInOutcome.CODE_NEEDED
    clock.now += timedelta(seconds=60)
    code = totp.at(clock.now)
    assert ledger.accounts.sign_in(login, PASSWORD, code).outcome is SignInOutcome.SIGNED_IN
    assert ledger.accounts.sign_in(login, PASSWORD, code).outcome is SignInOutcome.CODE_WRONG


def test_a_deactivated_person_cannot_sign_in(ledger: Ledger) -> None:
    invitation = invited(ledger)
    ledger.accounts.accept_invitation(invitation.account.id, invitation.token, PASSWORD)
    ledger.accounts.deactivate(invitation.account.id, actor="admin:test", reason="left")
    assert ledger.accounts.sign_in("li.ming@example.cn", PASSWORD).outcome is (
        SignInOutcome.REFUSED
    )


def test_a_reset_voids_password_and_second_factor_and_issues_a_new_invitation(
    ledger: Ledger, clock: SteppingClock
) -> None:
    invitation = invited(ledger)
    account_id = invitation.account.id
    ledger.accounts.accept_invitation(account_id, invitation.token, PASSWORD)
    ledger.accounts.start_enrolment(account_id)
    secret = ledger.accounts.pending_secret(account_id)
    assert secret is not None
    assert ledger.accounts.confirm_enrolment(account_id, pyotp.TOTP(secret).at(clock.now))
    before = ledger.accounts.password_fingerprint(account_id)
    renewed = ledger.accounts.reset_sign_in(account_id, actor="admin:test")
    assert not ledger.accounts.account(account_id).second_factor
    assert not ledger.accounts.has_second_factor(account_id)
    assert ledger.accounts.password_fingerprint(account_id) != before  # sessions end
    login = "li.ming@example.cn"
    assert ledger.accounts.sign_in(login, PASSWORD).outcome is SignInOutcome.REFUSED
    ledger.accounts.accept_invitation(account_id, renewed.token, "a brand new password")
    assert ledger.accounts.sign_in(login, "a brand new password").outcome is (
        SignInOutcome.SIGNED_IN
    )
    assert ledger.accounts.store.get(account_id).password_hash not in (None, before)


def test_the_totp_secret_is_stored_sealed(ledger: Ledger) -> None:
    invitation = invited(ledger)
    account_id = invitation.account.id
    ledger.accounts.accept_invitation(account_id, invitation.token, PASSWORD)
    uri = ledger.accounts.start_enrolment(account_id)
    secret = ledger.accounts.pending_secret(account_id)
    assert secret is not None and f"secret={secret}" in uri
    stored = ledger.accounts.store.get(account_id).totp_pending
    assert stored is not None and secret not in stored
