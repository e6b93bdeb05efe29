"""API tokens of the ledger: granting (with an expiry), revoking and finding them.

:class:`Tokens` is ``ledger.tokens``. Tokens are high-entropy random strings, so a plain SHA-256
names them safely; the ledger keeps only that hash. A non-admin token expires after
``Settings.token_days`` (``CRAFTLEDGER_TOKEN_DAYS``, default 90) unless its grant names its own
number of days; an admin token lasts until revoked unless its grant names a number of days.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from enum import StrEnum
from uuid import UUID

from domain.api_token import ApiToken, Role
from service.commands import NotFound, Recorded, retried
from service.ledger_store import LedgerStore

__all__ = ["TokenState", "Tokens"]


class TokenState(StrEnum):
    """What a presented token is: usable, or why not."""

    ACTIVE = "active"
    UNKNOWN = "unknown"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Tokens:
    """Commands and reads of API tokens (``ledger.tokens``)."""

    def __init__(self, ledger: LedgerStore) -> None:
        self._ledger = ledger

    @staticmethod
    def token_hash(token: str) -> str:
        """Tokens are high-entropy random strings, so a plain SHA-256 names them safely."""
        return hashlib.sha256(token.encode()).hexdigest()

    @retried
    def grant_token(
        self,
        *,
        token: str,
        role: Role,
        organisation_id: UUID | None = None,
        worker_id: UUID | None = None,
        label: str = "",
        actor: str,
        expires_in_days: int | None = None,
    ) -> Recorded:
        """Grant ``token``; it expires after ``expires_in_days`` (a non-admin token after the
        configured default when that is None; an admin token then never)."""
        if organisation_id is not None:
            self._ledger.organisation(organisation_id)
        if worker_id is not None:
            self._ledger.worker(worker_id)
        if expires_in_days is None and role is not Role.ADMIN:
            expires_in_days = self._ledger.settings.token_days
        at = self._ledger.clock()
        grant = ApiToken.grant(
            token_hash=self.token_hash(token),
            role=role,
            organisation_id=organisation_id,
            worker_id=worker_id,
            label=label,
            actor=actor,
            expires_at=None if expires_in_days is None else at + timedelta(days=expires_in_days),
            at=at,
        )
        return self._ledger.record(grant)

    @retried
    def revoke_token(self, token_id: UUID, *, actor: str, reason: str) -> Recorded:
        grant = self._ledger.api_token(token_id)
        grant.revoke(actor, reason)
        return self._ledger.record(grant)

    def token_state(self, grant: ApiToken | None) -> TokenState:
        if grant is None:
            return TokenState.UNKNOWN
        if grant.revoked:
            return TokenState.REVOKED
        if grant.expired(self._ledger.clock()):
            return TokenState.EXPIRED
        return TokenState.ACTIVE

    def lookup_token(self, token: str) -> tuple[ApiToken | None, TokenState]:
        """The grant behind ``token`` (None if unknown) and whether it may be used."""
        return self.grant_by_hash(self.token_hash(token))

    def grant_by_hash(self, token_hash: str) -> tuple[ApiToken | None, TokenState]:
        try:
            grant = self._ledger.api_token(ApiToken.create_id(token_hash=token_hash))
        except NotFound:
            grant = None
        return grant, self.token_state(grant)

    def find_token(self, token: str) -> ApiToken | None:
        """The grant behind ``token`` if it may be used now (not unknown, revoked or expired)."""
        grant, state = self.lookup_token(token)
        return grant if state is TokenState.ACTIVE else None
