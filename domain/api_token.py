"""ApiToken: a bearer token's grant, stored as a hash; creation and revocation are events."""

from __future__ import annotations

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
    ) -> None:
        self.token_hash = token_hash
        self.role = Role(role)
        self.organisation_id = organisation_id
        self.worker_id = worker_id
        self.label = label
        self.revoked = False

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
    ) -> ApiToken:
        if role in (Role.ISSUER, Role.ORGANISER) and organisation_id is None:
            raise DomainRuleViolation(
                "token-needs-organisation", f"a {role.value} token needs --org"
            )
        if role is Role.WORKER and worker_id is None:
            raise DomainRuleViolation("token-needs-worker", "a worker token needs --worker")
        return cls(
            token_hash=token_hash,
            role=role.value,
            organisation_id=organisation_id,
            worker_id=worker_id,
            label=label,
            actor=actor,
        )

    def revoke(self, actor: str, reason: str) -> None:
        if self.revoked:
            raise DomainRuleViolation("token-revoked", "the token is already revoked")
        self._revoked(actor, reason)

    @event("Revoked", topic="craftledger:ApiToken.Revoked")
    def _revoked(self, actor: str, reason: str) -> None:
        self.revoked = True
