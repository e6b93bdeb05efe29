"""ApiToken: a bearer token's grant, stored as a hash; creation and revocation are events.

A grant may carry an expiry (``expires_at``, UTC): past it the token is refused as expired.
Grants recorded before expiries existed have none (the event's field defaults to None).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate


class Role(StrEnum):
    ADMIN = "admin"  # HR bureau (人社局) / platform admin
    ISSUER = "issuer"  # bound to one evaluation body
    ORGANISER = "organiser"  # bound to one union / organiser
    AUDITOR = "auditor"  # reads everything, writes nothing
    WORKER = "worker"  # bound to one worker
    JUDGE = "judge"  # bound to one competition: a person's sign-in only, never a token


#: The roles a token may carry: every role but a judge's, who signs in as a person.
TOKEN_ROLES = tuple(role for role in Role if role is not Role.JUDGE)


class ApiToken(LedgerAggregate):
    """The grant behind one bearer token; the token itself is never stored."""

    TOPIC = "craftledger:ApiToken"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:ApiToken.Created"

    @staticmethod
    def create_id(token_hash: str, **_: Any) -> UUID:
        return natural_id("api-token", token_hash)

    @event("Granted", topic="craftledger:ApiToken.Granted")
    def __init__(
        self,
        token_hash: str,
        role: str,
        organisation_id: UUID | None,
        worker_id: UUID | None,
        label: str,
        actor: str,
        expires_at: datetime | None = None,
    ) -> None:
        self.token_hash = token_hash
        self.role = Role(role)
        self.organisation_id = organisation_id
        self.worker_id = worker_id
        self.label = label
        self.revoked = False
        self.expires_at = expires_at

    @classmethod
    def grant(
        cls,
        *,
        token_hash: str,
        role: Role,
        organisation_id: UUID | None,
        worker_id: UUID | None,
        label: str,
        actor: str,
        expires_at: datetime | None = None,
        at: datetime | None = None,
    ) -> ApiToken:
        """``expires_at`` (aware, UTC) must lie after ``at``, the moment of the grant."""
        if role in (Role.ISSUER, Role.ORGANISER) and organisation_id is None:
            raise DomainRuleViolation(
                "token-needs-organisation", f"a {role.value} token needs --org"
            )
        if role is Role.JUDGE:
            raise DomainRuleViolation(
                "token-for-judge",
                "judges sign in with their own account (invited by the organiser); "
                "no token acts as a judge",
            )
        if role is Role.WORKER and worker_id is None:
            raise DomainRuleViolation("token-needs-worker", "a worker token needs --worker")
        if expires_at is not None:
            if expires_at.tzinfo is None:
                raise ValueError("expires_at must be timezone-aware")
            if at is not None and expires_at <= at:
                raise DomainRuleViolation(
                    "token-expiry-in-past", "a token's expiry must lie in the future"
                )
        return cls(
            token_hash=token_hash,
            role=role.value,
            organisation_id=organisation_id,
            worker_id=worker_id,
            label=label,
            actor=actor,
            expires_at=expires_at,
        )

    def expired(self, at: datetime) -> bool:
        """Whether the grant has expired at ``at`` (never, without an expiry)."""
        return self.expires_at is not None and at >= self.expires_at

    def revoke(self, actor: str, reason: str) -> None:
        if self.revoked:
            raise DomainRuleViolation("token-revoked", "the token is already revoked")
        self._revoked(actor, reason)

    @event("Revoked", topic="craftledger:ApiToken.Revoked")
    def _revoked(self, actor: str, reason: str) -> None:
        self.revoked = True
