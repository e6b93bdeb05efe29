"""People's accounts (``ledger.accounts``): invitations, passwords, lockout, a TOTP factor.

* **Invite** (an administrator; a judge of one competition by its organiser,
  :meth:`Accounts.invite_judge`): a :class:`~domain.person_account.PersonAccount` is recorded
  and an invitation token returned, once; its SHA-256 is kept with an expiry
  (``INVITATION_DAYS``). The link is single-use: accepting it clears it atomically.
* **Accept**: the person chooses a password (``MIN_PASSWORD`` characters or more), hashed with
  argon2id (``argon2-cffi``'s defaults, re-hashed when they change).
* **Reset** (an administrator; a forgotten password, a lost phone): ``SignInReset`` is recorded,
  the password hash and TOTP secret are deleted (every session ends) and a new invitation is
  handed back.
* **Sign in**: login, password and, once enrolled, a TOTP code (``pyotp``, ±30 s, each time
  step used once). ``MAX_FAILURES`` failures in a row lock the login for ``LOCK_MINUTES``,
  counted alike whether or not the login exists, and a password is checked against a dummy
  hash when there is none, so neither the answer nor its time tells who has an account.
* **Second factor**: :meth:`start_enrolment` draws a secret (kept pending),
  :meth:`confirm_enrolment` takes a code from it and records ``SecondFactorEnrolled``.

Secrets and counters are in the side table ``service.accounts.secrets``; membership in the log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cached_property
from uuid import UUID

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.errors import DomainRuleViolation, InvalidValue
from domain.person_account import AccountRole, PersonAccount, login_id, parse_login
from service.accounts.secrets import AccountSecrets, SecretRow, secrets_for
from service.commands import NotFound, Recorded, retried
from service.ledger_store import LedgerStore

__all__ = ["Accounts", "Invitation", "SignIn", "SignInOutcome"]

INVITATION_DAYS = 7
MIN_PASSWORD = 10
MAX_PASSWORD = 128
MAX_FAILURES = 5
LOCK_MINUTES = 15
ISSUER_NAME = "craftledger"


class SignInOutcome(StrEnum):
    SIGNED_IN = "signed-in"
    REFUSED = "refused"  # unknown login, wrong password, inactive account: one answer
    LOCKED = "locked"
    CODE_NEEDED = "code-needed"  # password right, the account has a second factor
    CODE_WRONG = "code-wrong"


@dataclass(frozen=True)
class SignIn:
    outcome: SignInOutcome
    account: PersonAccount | None = None
    locked_until: datetime | None = None


@dataclass(frozen=True)
class Invitation:
    """A new invitation: the account and the token to put in the link (shown once)."""

    recorded: Recorded
    token: str
    expires_at: datetime

    @property
    def account(self) -> PersonAccount:
        return self.recorded.aggregate  # type: ignore[return-value]

    def link(self, base_url: str) -> str:
        """The invitation link to hand the person (``service.pages.invitation``'s page)."""
        return f"{base_url.rstrip('/')}/invitation/{self.account.id}/{self.token}"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Accounts:
    """Commands and checks of people's accounts (``ledger.accounts``)."""

    def __init__(self, ledger: LedgerStore, store: AccountSecrets | None = None) -> None:
        self._ledger = ledger
        self._store = store
        self.hasher = PasswordHasher()

    @property
    def store(self) -> AccountSecrets:
        """The side table, opened on first use (a CLI command that never signs anyone in
        creates no file)."""
        if self._store is None:
            self._store = secrets_for(self._ledger)
        return self._store

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hasher.hash(random.token_urlsafe(16))

    # -- membership ------------------------------------------------------------------------

    def account(self, account_id: UUID) -> PersonAccount:
        return self._ledger.load(PersonAccount, account_id, "account")  # type: ignore[no-any-return]

    def find(self, login: str) -> PersonAccount | None:
        try:
            return self.account(login_id(parse_login(login)))
        except (InvalidValue, NotFound):
            return None

    def list_accounts(self) -> list[PersonAccount]:
        """Every invited account, by organisation and name."""
        found = self._ledger.load_many(self.store.account_ids())
        people = [a for a in found.values() if isinstance(a, PersonAccount)]
        return sorted(people, key=lambda a: (str(a.organisation_id or ""), a.name, a.login))

    @retried
    def _record_invitation(
        self,
        login: str,
        name: str,
        role: AccountRole,
        organisation_id: UUID | None,
        actor: str,
        competition_id: UUID | None = None,
    ) -> Recorded:
        if organisation_id is not None:
            self._ledger.organisation(organisation_id)
        account = PersonAccount.invite(
            login=login,
            name=name,
            role=role,
            organisation_id=organisation_id,
            actor=actor,
            competition_id=competition_id,
        )
        if self._ledger.exists(account.id):
            raise DomainRuleViolation("account-exists", "an account has this login already")
        return self._ledger.record(account)

    def _new_invitation(self, recorded: Recorded, days: int, *, reset: bool = False) -> Invitation:
        """A fresh invitation token for the recorded account (on a reset, the password and
        TOTP secret are dropped: every session ends, the old hash is gone)."""
        token = random.token_urlsafe(32)
        expires_at = self._ledger.clock() + timedelta(days=days)
        row = self.store.get(recorded.aggregate.id)
        row.invitation_hash, row.invitation_expires_at = _digest(token), expires_at
        if reset:
            row.password_hash = row.totp_secret = row.totp_pending = None
        self.store.put(row)
        return Invitation(recorded, token, expires_at)

    def invite(
        self,
        *,
        login: str,
        name: str,
        role: AccountRole,
        organisation_id: UUID | None,
        actor: str,
        days: int = INVITATION_DAYS,
    ) -> Invitation:
        """Record the person and hand back their single-use invitation token."""
        recorded = self._record_invitation(login, name, role, organisation_id, actor)
        return self._new_invitation(recorded, days)

    def invite_judge(
        self,
        competition_id: UUID,
        *,
        login: str,
        name: str,
        actor: str,
        days: int = INVITATION_DAYS,
    ) -> Invitation:
        """Invite a judge (裁判) of one competition: an account of its organiser scoped to
        that competition (the judge marks what the competition's panels give their login);
        NotFound for an unknown competition, ``results-final`` once it is finalised."""
        competition = self._ledger.competition(competition_id)
        if competition.is_final:
            raise DomainRuleViolation(
                "results-final", f"{competition.name} is finalised; it needs no more judges"
            )
        recorded = self._record_invitation(
            login,
            name,
            AccountRole.JUDGE,
            competition.organiser_id,
            actor,
            competition_id=competition.id,
        )
        return self._new_invitation(recorded, days)

    def reset_sign_in(
        self, account_id: UUID, *, actor: str, days: int = INVITATION_DAYS
    ) -> Invitation:
        """Void the password and second factor and hand back a new invitation (a forgotten
        password, a lost phone); the person chooses a password on it as at first."""
        account = self.account(account_id)
        account.reset_sign_in(actor)
        return self._new_invitation(self._ledger.record(account), days, reset=True)

    def invitation(self, account_id: UUID, token: str) -> PersonAccount | None:
        """The invited account if ``token`` is its pending, unexpired invitation."""
        row = self.store.get(account_id)
        if row.invitation_hash is None or row.invitation_expires_at is None:
            return None
        if row.invitation_expires_at <= self._ledger.clock():
            return None
        if not random.compare_digest(row.invitation_hash, _digest(token)):
            return None
        try:
            account = self.account(account_id)
        except NotFound:
            return None
        return None if account.deactivated else account

    def accept_invitation(self, account_id: UUID, token: str, password: str) -> PersonAccount:
        """Set the password and use up the invitation; NotFound for a bad or used link."""
        check_password(password)
        account = self.invitation(account_id, token)
        if account is None or not self.store.claim_invitation(account_id, _digest(token)):
            raise NotFound("no such invitation (used, expired or mistyped)")
        row = self.store.get(account_id)
        row.password_hash, row.failures, row.locked_until = self.hasher.hash(password), 0, None
        self.store.put(row)
        if not account.accepted:
            account.accept_invitation()
            self._ledger.record(account)
        return account

    @retried
    def deactivate(self, account_id: UUID, *, actor: str, reason: str) -> Recorded:
        account = self.account(account_id)
        account.deactivate(actor, reason)
        return self._ledger.record(account)

    # -- signing in ------------------------------------------------------------------------

    def sign_in(self, login: str, password: str, code: str = "") -> SignIn:
        """Check a login, password and (when enrolled) TOTP code; see the module docstring."""
        try:
            account_id: UUID | None = login_id(parse_login(login))
        except InvalidValue:
            account_id = None
        now = self._ledger.clock()
        row = self.store.get(account_id) if account_id else None
        if row is not None and row.locked_until is not None and row.locked_until > now:
            self._verify(self._dummy_hash, password)
            return SignIn(SignInOutcome.LOCKED, locked_until=row.locked_until)
        account = self._active(account_id) if row and row.password_hash else None
        stored = row.password_hash if account is not None and row is not None else None
        right = self._verify(stored or self._dummy_hash, password) and stored is not None
        if not right or account is None or row is None:
            return self._failed(row, now, SignInOutcome.REFUSED)
        if row.totp_secret:
            if not code.strip():
                return SignIn(SignInOutcome.CODE_NEEDED, account)
            step = self._totp_step(self._open(row.totp_secret), code, row.totp_last_step)
            if step is None:
                return self._failed(row, now, SignInOutcome.CODE_WRONG)
            row.totp_last_step = step
        if self.hasher.check_needs_rehash(stored):
            row.password_hash = self.hasher.hash(password)
        row.failures, row.locked_until = 0, None
        self.store.put(row)
        return SignIn(SignInOutcome.SIGNED_IN, account)

    def _active(self, account_id: UUID | None) -> PersonAccount | None:
        if account_id is None:
            return None
        try:
            account = self.account(account_id)
        except NotFound:
            return None
        return account if account.active else None

    def _verify(self, stored: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored, password[:MAX_PASSWORD]))
        except (VerificationError, InvalidHashError):
            return False

    def _failed(self, row: SecretRow | None, now: datetime, outcome: SignInOutcome) -> SignIn:
        if row is None:  # not even a login: nothing to count against
            return SignIn(outcome)
        row.failures += 1
        if row.failures >= MAX_FAILURES:
            row.failures, row.locked_until = 0, now + timedelta(minutes=LOCK_MINUTES)
            self.store.put(row)
            return SignIn(SignInOutcome.LOCKED, locked_until=row.locked_until)
        self.store.put(row)
        return SignIn(outcome)

    def password_fingerprint(self, account_id: UUID) -> str:
        """A short digest of the current password hash: a session made before the password
        changed carries an old one and ends."""
        stored = self.store.get(account_id).password_hash or ""
        return hashlib.sha256(stored.encode()).hexdigest()[:16]

    # -- the second factor -----------------------------------------------------------------

    def start_enrolment(self, account_id: UUID) -> str:
        """A new TOTP secret for the account (pending until confirmed); its otpauth URI."""
        account = self.account(account_id)
        row = self.store.get(account_id)
        secret = pyotp.random_base32()
        row.totp_pending = self._seal(secret)
        self.store.put(row)
        return self.provisioning_uri(account, secret)

    @staticmethod
    def provisioning_uri(account: PersonAccount, secret: str) -> str:
        return pyotp.TOTP(secret).provisioning_uri(name=account.login, issuer_name=ISSUER_NAME)

    def pending_secret(self, account_id: UUID) -> str | None:
        pending = self.store.get(account_id).totp_pending
        return self._open(pending) if pending else None

    def has_second_factor(self, account_id: UUID) -> bool:
        return self.store.get(account_id).totp_secret is not None

    def confirm_enrolment(self, account_id: UUID, code: str) -> bool:
        """Enrol the pending secret if ``code`` is one of its codes; False otherwise."""
        row = self.store.get(account_id)
        if row.totp_pending is None:
            return False
        step = self._totp_step(self._open(row.totp_pending), code, None)
        if step is None:
            return False
        account = self.account(account_id)
        account.enrol_second_factor()
        row.totp_secret, row.totp_pending, row.totp_last_step = row.totp_pending, None, step
        self.store.put(row)
        self._ledger.record(account)
        return True

    @cached_property
    def _sealer(self) -> AESGCM:
        key = hmac.new(self._ledger.settings.identity_key(), b"craftledger totp v1", "sha256")
        return AESGCM(key.digest())

    def _seal(self, secret: str) -> str:
        """A TOTP secret as stored: AES-GCM under a key derived from the identity secret, so
        a copy of the side table alone yields no codes."""
        nonce = random.token_bytes(12)
        sealed = self._sealer.encrypt(nonce, secret.encode(), b"totp")
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def _open(self, stored: str) -> str:
        raw = base64.urlsafe_b64decode(stored)
        return self._sealer.decrypt(raw[:12], raw[12:], b"totp").decode()

    def _totp_step(self, secret: str, code: str, last_step: int | None) -> int | None:
        """The time step ``code`` belongs to (now ±1), unless used already; else None."""
        code = code.strip().replace(" ", "")
        if not code.isdigit() or len(code) != 6:
            return None
        totp = pyotp.TOTP(secret)
        now = self._ledger.clock()
        current = totp.timecode(now)
        for step in (current, current - 1, current + 1):
            if last_step is not None and step <= last_step:
                continue
            if random.compare_digest(totp.generate_otp(step), code):
                return step
        return None


def check_password(password: str) -> None:
    """A password of ``MIN_PASSWORD`` to ``MAX_PASSWORD`` characters; else InvalidValue."""
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise InvalidValue(
            "password", f"choose {MIN_PASSWORD} to {MAX_PASSWORD} characters for the password"
        )
