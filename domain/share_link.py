"""ShareLink: a link a worker makes to show their ladder to someone (分享链接), as Chinese 电子证照
platforms do: it expires, may need an extraction code (提取码), and the worker can revoke it.

The link's secret and its extraction code are never stored: only a hash of the secret and a
keyed hash of the code (made by the service, which holds the key). Ids derive from the worker and
a serial, so a worker's links are found without a read model (serial 1, 2, … until one is
missing).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate

MAX_VALIDITY = timedelta(days=90)
MAX_LABEL_LENGTH = 60


class ShareLinkState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"


class ShareLink(LedgerAggregate):
    """One share link of one worker: who may open it (the secret, the code) and until when."""

    TOPIC = "craftledger:ShareLink"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:ShareLink.Created"

    @staticmethod
    def create_id(worker_id: UUID, serial: int, **_: Any) -> UUID:
        return natural_id("share-link", str(worker_id), str(serial))

    @event("Made", topic="craftledger:ShareLink.Made")
    def __init__(
        self,
        worker_id: UUID,
        serial: int,
        secret_hash: str,
        code_hash: str | None,
        made_at: datetime,
        expires_at: datetime,
        label: str,
        actor: str,
    ) -> None:
        self.worker_id = worker_id
        self.serial = serial
        self.secret_hash = secret_hash
        self.code_hash = code_hash
        self.made_at = made_at
        self.expires_at = expires_at
        self.label = label
        self.made_by = actor
        self.revoked_at: datetime | None = None
        self.revoked_by: str | None = None
        self.revoked_reason: str | None = None

    @classmethod
    def make(
        cls,
        *,
        worker_id: UUID,
        serial: int,
        secret_hash: str,
        code_hash: str | None,
        made_at: datetime,
        expires_at: datetime,
        label: str,
        actor: str,
    ) -> ShareLink:
        """A new link; it must expire after it is made and within ``MAX_VALIDITY``."""
        if serial < 1:
            raise DomainRuleViolation("invalid-share-link", "a share link serial starts at 1")
        if expires_at <= made_at:
            raise DomainRuleViolation(
                "share-link-expiry", "a share link must expire after it is made"
            )
        if expires_at - made_at > MAX_VALIDITY:
            raise DomainRuleViolation(
                "share-link-expiry",
                f"a share link is valid for at most {MAX_VALIDITY.days} days",
            )
        label = label.strip()
        if len(label) > MAX_LABEL_LENGTH:
            raise DomainRuleViolation(
                "invalid-share-link", f"a label has at most {MAX_LABEL_LENGTH} characters"
            )
        return cls(
            worker_id=worker_id,
            serial=serial,
            secret_hash=secret_hash,
            code_hash=code_hash,
            made_at=made_at,
            expires_at=expires_at,
            label=label,
            actor=actor,
        )

    @property
    def needs_code(self) -> bool:
        return self.code_hash is not None

    def state_at(self, moment: datetime) -> ShareLinkState:
        if self.revoked_at is not None:
            return ShareLinkState.REVOKED
        if moment >= self.expires_at:
            return ShareLinkState.EXPIRED
        return ShareLinkState.ACTIVE

    def revoke(self, at: datetime, actor: str, reason: str) -> None:
        """Revoke (撤销分享): the link stops working at once. Revoking twice is refused."""
        if self.revoked_at is not None:
            raise DomainRuleViolation("share-link-revoked", "the share link is already revoked")
        self._revoked(at, actor, reason.strip())

    @event("Revoked", topic="craftledger:ShareLink.Revoked")
    def _revoked(self, revoked_at: datetime, actor: str, reason: str) -> None:
        self.revoked_at = revoked_at
        self.revoked_by = actor
        self.revoked_reason = reason
