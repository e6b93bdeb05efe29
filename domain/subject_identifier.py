"""Subject identifier: the sealed, salted hash of a worker's ID number for credentials.

An Open Badges 3.0 ``IdentityObject`` lets a verifier who holds a person's ID number match it to
a credential: ``identityHash = "sha256$" + hex(SHA-256(id_number + salt))`` with the salt in the
credential. The ledger never stores the ID number, so the hash can only be computed when the
number is in hand: when the worker is registered. It is recorded then, in this aggregate, saved
with the ``Worker``.

The hash and salt are *sealed* (encrypted by the service with a key derived from the identity
key) before they become an event: a salted SHA-256 of an 18-character resident number is cheap
to reverse by trying every birth date, so in clear it would put every ID number into the
exported log. The domain stores the sealed text and never looks inside.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate


class SubjectIdentifier(LedgerAggregate):
    """A worker's sealed credential identifier (salted hash of the ID number)."""

    TOPIC = "craftledger:SubjectIdentifier"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:SubjectIdentifier.Created"

    @staticmethod
    def create_id(worker_id: UUID, **_: Any) -> UUID:
        return natural_id("subject-identifier", str(worker_id))

    @event("Sealed", topic="craftledger:SubjectIdentifier.Sealed")
    def __init__(self, worker_id: UUID, identity_type: str, sealed: str, actor: str) -> None:
        self.worker_id = worker_id
        self.identity_type = identity_type
        self.sealed = sealed
