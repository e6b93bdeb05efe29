"""Workers' sealed subject identifiers (持证人标识): the salted ID-number hash credentials carry.

At registration, while the ID number is in hand, ``subject_identifier_for`` seals an Open
Badges ``IdentityObject`` hash (salted SHA-256 of the ID number) with a key derived from the
identity key, to save with the ``Worker``; ``holder_identifier`` unseals it when a full
credential is built. The ID number itself is never stored.

``pseudonym(worker, subject)`` is the identifier a public credential carries instead (Open
Badges 3.0 requires a subject ``id`` or ``identifier``): an ``IdentityObject`` of type
``identifier`` whose identity is HMAC-SHA-256, under another key derived from the identity key,
of the worker id and the credential's subject (a certificate number, an award), and whose hash
is that identity's SHA-256. Nobody without the identity key can compute it from public data (a
hash of the name or ID number could be brute-forced), each credential has its own (two public
credentials of one worker cannot be linked by it), and the same events always give the same.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.domain import Aggregate

from domain.id_number import IdKind, IdNumber
from domain.subject_identifier import SubjectIdentifier
from domain.worker import Worker
from service.credentials.credential_document import IdentityHash
from service.credentials.status_lists import SERVICE_ACTOR
from service.ledger_store import LedgerStore

__all__ = ["SubjectIdentifiers"]

log = logging.getLogger(__name__)

_IDENTIFIER_INFO = b"craftledger subject identifier seal v1 (AES-256-GCM)"
_PSEUDONYM_INFO = b"craftledger public subject pseudonym v1 (HMAC-SHA-256)"
_SEALED_PREFIX = "v1."


class SubjectIdentifiers:
    """Seal and unseal workers' subject identifiers with a key derived from the identity key."""

    def __init__(self, ledger: LedgerStore, identity_key: bytes) -> None:
        self._ledger = ledger
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_IDENTIFIER_INFO).derive(
            identity_key
        )
        self._aead = AESGCM(key)
        self._pseudonym_key = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=_PSEUDONYM_INFO
        ).derive(identity_key)

    def pseudonym(self, worker_id: UUID, subject: str) -> IdentityHash:
        """The credential's public ``identifier``: SHA-256 of HMAC(worker id, subject) (see
        the module docstring). Pure: reads nothing, records nothing."""
        message = f"{worker_id}\n{subject}".encode()
        identity = hmac.new(self._pseudonym_key, message, hashlib.sha256).hexdigest()
        return IdentityHash(
            "identifier", "sha256$" + hashlib.sha256(identity.encode()).hexdigest(), ""
        )

    def subject_identifier_for(self, worker: Worker, id_number: IdNumber) -> list[Aggregate]:
        """At registration, while the ID number is in hand: the worker's sealed Open Badges
        identifier (salted SHA-256 of the ID number), to save with the ``Worker``."""
        salt = secrets.token_hex(16)
        identity = id_number.reveal()
        digest = "sha256$" + hashlib.sha256((identity + salt).encode()).hexdigest()
        kind = (
            "nationalIdentityNumber"
            if id_number.kind in (IdKind.RESIDENT, IdKind.HMT_RESIDENCE_PERMIT)
            else "identifier"
        )
        nonce = secrets.token_bytes(12)
        plaintext = f"{digest}\x00{salt}".encode()
        ciphertext = self._aead.encrypt(nonce, plaintext, worker.id.bytes)
        sealed = _SEALED_PREFIX + base64.urlsafe_b64encode(nonce + ciphertext).decode()
        return [
            SubjectIdentifier(
                worker_id=worker.id, identity_type=kind, sealed=sealed, actor=SERVICE_ACTOR
            )
        ]

    def holder_identifier(self, worker_id: UUID) -> IdentityHash | None:
        """The worker's identifier hash, unsealed; None if none was recorded (registered before
        credentials) or it cannot be opened (another identity key)."""
        return self.holder_identifiers([worker_id])[worker_id]

    def holder_identifiers(self, worker_ids: Iterable[UUID]) -> dict[UUID, IdentityHash | None]:
        """``holder_identifier`` of each worker, read in a few queries."""
        ids = {
            worker_id: SubjectIdentifier.create_id(worker_id=worker_id) for worker_id in worker_ids
        }
        sealed = self._ledger.load_many(ids.values())
        return {
            worker_id: self._unsealed(sealed.get(identifier_id), worker_id)
            for worker_id, identifier_id in ids.items()
        }

    def _unsealed(self, found: Any, worker_id: UUID) -> IdentityHash | None:
        if not isinstance(found, SubjectIdentifier) or not found.sealed.startswith(_SEALED_PREFIX):
            return None
        raw = base64.urlsafe_b64decode(found.sealed[len(_SEALED_PREFIX) :])
        try:
            plaintext = self._aead.decrypt(raw[:12], raw[12:], worker_id.bytes)
        except InvalidTag:
            log.warning("the subject identifier of worker %s does not open", worker_id)
            return None
        digest, _, salt = plaintext.decode().partition("\x00")
        return IdentityHash(found.identity_type, digest, salt)
