"""Issuers' signing keys (密钥): provisioning, rotation, compromise, and signing with them.

An issuing organisation (employer or social evaluation body, union) gets an Ed25519 key when
it is filed; the private key goes to the encrypted ``KeyStore``, the public key into a
``SigningKeyAdded`` event. ``rotate_signing_key`` adds a new key and retires the old one (kept
published with its window); ``mark_key_compromised`` records the compromise time and, when the
key was the one in use, rotates at once. ``signing_key_for`` picks the key that signs a
credential issued at a given time, by the verifier's own key-window rule.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import require_reason
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from service.commands import NotFound, Recorded, retried
from service.config import Settings
from service.credentials.credential_document import (
    CredentialUrls,
    controller_document,
    verification_method_id,
)
from service.credentials.jsonld_contexts import document_loader
from service.credentials.key_store import LEDGER_KEY_ID, LEDGER_OWNER, KeyStore
from service.ledger_store import LedgerStore
from service.signing.credential_verifier import SigningKey, key_window_problem
from service.signing.data_integrity import CRYPTOSUITES, add_proofs
from service.signing.multikey import did_key

__all__ = ["SIGNING_KINDS", "CredentialUnavailable", "Keys", "whole_seconds"]

log = logging.getLogger(__name__)

SIGNING_KINDS = frozenset(
    {OrganisationKind.EMPLOYER, OrganisationKind.SOCIAL, OrganisationKind.UNION}
)
"""Organisations that sign credentials and so get a key when filed."""


class CredentialUnavailable(RuntimeError):
    """The credential or list cannot be signed now (no usable key); HTTP 409. The message
    says what to do."""


def whole_seconds(moment: datetime) -> datetime:
    """``moment`` in UTC, truncated to whole seconds (as proofs' ``created`` are)."""
    return moment.astimezone(UTC).replace(microsecond=0)


class Keys:
    """Issuers' keys: the encrypted key store, the published keys' windows, and signing."""

    def __init__(self, ledger: LedgerStore, urls: CredentialUrls, settings: Settings) -> None:
        self._ledger = ledger
        self._urls = urls
        self._settings = settings
        self._store: KeyStore | None = None
        self._store_lock = threading.Lock()

    @property
    def key_store(self) -> KeyStore:
        """The encrypted key store of this configuration, opened on first use."""
        with self._store_lock:
            if self._store is None:
                self._store = KeyStore.for_settings(self._settings)
            return self._store

    def close(self) -> None:
        """Close the key store, if it was opened."""
        with self._store_lock:
            store, self._store = self._store, None
        if store is not None:
            store.close()

    # -- commands ------------------------------------------------------------------------------

    def add_key(self, organisation: Organisation, at: datetime, actor: str) -> str:
        """Generate a key, seal it in the store, then publish it on ``organisation`` (unsaved).

        The private key is stored first: a key published without its private half could
        never sign. If the save then fails, the stored key is simply never published.
        """
        stored = self.key_store.generate(str(organisation.id))
        organisation.add_signing_key(stored.key_id, stored.public_key_multibase, at, actor)
        log.info("signing key %s added for organisation %s", stored.key_id, organisation.id)
        return stored.key_id

    def provision_signing_key(self, filed: Recorded) -> Recorded:
        """After a filing: give an issuing organisation its first key (a second save).

        If that fails the filing stands and the key is provisioned when the body first issues
        (``credential_records_for``); the error is logged, not raised.
        """
        organisation = filed.aggregate
        if organisation.kind not in SIGNING_KINDS or organisation.signing_keys:
            return filed
        try:
            return self._provision_first_key(organisation.id, organisation.filed_by)
        except Exception:
            log.exception(
                "could not provision a signing key for %s; will retry on issue", organisation.id
            )
            return filed

    @retried
    def _provision_first_key(self, organisation_id: UUID, actor: str) -> Recorded:
        organisation = self._ledger.organisation(organisation_id)
        if not organisation.signing_keys:
            self.add_key(organisation, self._ledger.clock(), actor)
        return self._ledger.record(organisation)

    @retried
    def rotate_signing_key(self, organisation_id: UUID, *, actor: str) -> Recorded:
        """Add a new key; the key in use until now is retired, published with its window."""
        organisation = self._ledger.organisation(organisation_id)
        if organisation.kind not in SIGNING_KINDS:
            raise DomainRuleViolation(
                "not-an-issuer", f"{organisation.name} does not sign credentials"
            )
        self.add_key(organisation, self._ledger.clock(), actor)
        return self._ledger.record(organisation)

    @retried
    def mark_key_compromised(
        self,
        organisation_id: UUID,
        key_id: str,
        *,
        compromised_at: datetime,
        actor: str,
        reason: str,
        rotate: bool = True,
    ) -> Recorded:
        """Record that a key leaked at ``compromised_at``: proofs it made from then on no longer
        verify. If it was the key in use, a new key replaces it in the same save."""
        if compromised_at.tzinfo is None:
            raise InvalidValue("compromised_at", "needs a time zone")
        now = self._ledger.clock()
        if compromised_at > now:
            raise InvalidValue("compromised_at", f"is in the future (now is {now.isoformat()})")
        reason = require_reason(reason, "a compromise")
        organisation = self._ledger.organisation(organisation_id)
        key = organisation.signing_keys.get(key_id)
        if key is None:
            raise NotFound(f"key_id: {organisation.name} has no signing key {key_id}")
        if compromised_at < key["valid_from"]:
            raise InvalidValue(
                "compromised_at",
                f"is before key {key_id} existed (valid from {key['valid_from'].isoformat()})",
            )
        if key["compromised_at"] is not None:
            raise DomainRuleViolation(
                "key-already-compromised",
                f"key {key_id} is already marked compromised since "
                f"{key['compromised_at'].isoformat()}",
                key_id=key_id,
            )
        was_current = organisation.current_key_id == key_id
        organisation.mark_key_compromised(key_id, compromised_at, actor, reason)
        if rotate and was_current and organisation.status is not OrganisationStatus.REVOKED:
            self.add_key(organisation, now, actor)
        return self._ledger.record(organisation)

    # -- signing -------------------------------------------------------------------------------

    def _key_usable_at(
        self, organisation: Organisation, key: Mapping[str, Any], created: datetime
    ) -> bool:
        """Whether a proof ``created`` (whole seconds) with ``key`` passes the verifier's own
        key-window rule on the published method."""
        document = controller_document(self._urls, organisation.id, [key])
        method = document["verificationMethod"][0]
        signing_key = SigningKey(method["id"], method["controller"], created, method)
        return key_window_problem(signing_key) is None

    def signing_key_for(self, organisation: Organisation, at: datetime) -> tuple[str, datetime]:
        """The key that signs a credential issued at ``at``, and the proof's ``created``.

        The key valid at ``at`` (not compromised then) signs with ``created`` = ``at``. If
        there is none (the issuer had no key yet, or the key of that time was later found
        compromised before ``at``), the first key published after ``at`` signs with
        ``created`` = its start: the ledger still vouches for the recorded issuance, and a
        replacement key re-signs it. ``CredentialUnavailable`` if no key can.
        """
        created = whole_seconds(at)
        keys = list(organisation.signing_keys.values())
        for key in reversed(keys):
            if self._key_usable_at(organisation, key, created):
                return key["key_id"], created
        for key in sorted(keys, key=lambda k: k["valid_from"]):
            start = whole_seconds(key["valid_from"])
            if start >= created and self._key_usable_at(organisation, key, start):
                return key["key_id"], start
        raise CredentialUnavailable(
            f"{organisation.name} has no signing key usable for {created.isoformat()}; rotate "
            f"its key (POST /api/v1/organisations/{organisation.id}/keys/rotate, or "
            f"`craftledger keys rotate {organisation.id}`) and ask again"
        )

    def sign(
        self,
        organisation: Organisation,
        document: dict[str, Any],
        key_id: str,
        created: datetime,
        *,
        cryptosuites: Sequence[str] = CRYPTOSUITES,
    ) -> dict[str, Any]:
        """``document`` with a proof set by the organisation's key ``key_id``, ``created`` then:
        an ``eddsa-jcs-2022`` and an ``eddsa-rdfc-2022`` proof, independent of each other (the
        RDFC one over our pinned contexts; a term they leave undefined refuses signing).
        ``cryptosuites`` narrows the set (a test signs a document RDFC must refuse)."""
        private_key = self.key_store.private_key(str(organisation.id), key_id)
        method = verification_method_id(self._urls.controller_id(organisation.id), key_id)
        return add_proofs(
            document,
            private_key,
            method,
            created,
            cryptosuites=cryptosuites,
            document_loader=document_loader(self._urls.base_url),
        )

    def sign_credential(
        self,
        organisation: Organisation,
        document: dict[str, Any],
        at: datetime,
        *,
        cryptosuites: Sequence[str] = CRYPTOSUITES,
    ) -> dict[str, Any]:
        """Sign ``document`` (issued at ``at``) with the organisation's key valid then."""
        key_id, created = self.signing_key_for(organisation, at)
        return self.sign(organisation, document, key_id, created, cryptosuites=cryptosuites)

    def ledger_issuer_id(self) -> str | None:
        """The ``did:key`` of the ledger's own key, issuer of what the ledger itself states
        (``service.points_statements``); None while the key does not exist yet."""
        stored = self.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
        return did_key(stored.public_key_multibase) if stored is not None else None
