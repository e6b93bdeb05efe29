"""Commands that keep issuers' keys and status lists and sign credentials.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers
(``organisation``, ``certificate``, ``record``, ``repository``, ``clock``, ``settings``).

Keys (密钥): an issuing organisation (employer or social evaluation body, union) gets an Ed25519
key when it is filed; the private key goes to the encrypted ``KeyStore``, the public key into a
``SigningKeyAdded`` event. ``rotate_signing_key`` adds a new key and retires the old one (kept
published with its window); ``mark_key_compromised`` records the compromise time and, when the
key was the one in use, rotates at once.

Status lists: ``credential_records_for(issuer, certificates)`` allocates each certificate's
random, never-reused status list indexes and returns the aggregates to save *in the same
atomic save* as the certificates (batch issuers call it once for the whole batch);
``status_list_updates_for(certificate)`` returns the status-bit changes to save with a
suspension, reinstatement or revocation.

Documents: ``certificate_credential(number)`` builds the certificate's credential from events
and signs it with the issuer key valid at the issue time (``created`` = issued time), so the
same events always give the same bytes (Ed25519 signatures are deterministic);
``controller_document(org)`` is the issuer's did.json; ``status_list_credential(org, purpose)``
the signed ``BitstringStatusListCredential``; ``verify_credential(document)`` verifies with
the ledger as resolver and adds the issuer check (filed, active and in scope at issue time).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.certificate_number import CertificateNumber
from domain.errors import DomainRuleViolation
from domain.id_number import IdKind, IdNumber
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.skill_level import SkillLevel
from domain.status_list_allocation import (
    BLOCK_SIZE,
    LIST_SIZE,
    PURPOSES,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    allocate_indexes,
    check_purpose,
    draw_free_indexes,
    record_taken,
)
from domain.subject_identifier import SubjectIdentifier
from domain.worker import Worker
from service.commands import retried
from service.credential_document import (
    DEFAULT_BASE_URL,
    CredentialUrls,
    Disclosure,
    Holder,
    IdentityHash,
    build_certificate_credential,
    controller_document,
    verification_method_id,
)
from service.key_store import LEDGER_KEY_ID, LEDGER_OWNER, KeyStore
from service.ledger_record_check import CertificateRow, ledger_record_check
from service.signing.canonical_json import canonicalize
from service.signing.credential_verifier import (
    Check,
    ResolutionError,
    SigningKey,
    VerificationReport,
    issuer_of,
    key_window_problem,
)
from service.signing.credential_verifier import verify_credential as verify_signed_credential
from service.signing.data_integrity import add_proof, parse_date_time_stamp
from service.signing.multikey import did_key
from service.signing.status_list import Bitstring, BitstringStatusListCredential

if TYPE_CHECKING:
    from service.ledger import Recorded

__all__ = [
    "SIGNING_KINDS",
    "CredentialIssuing",
    "CredentialUnavailable",
    "SignedDocument",
    "StatusAllocationBatch",
    "StatusReservation",
]

log = logging.getLogger(__name__)


SIGNING_KINDS = frozenset(
    {OrganisationKind.EMPLOYER, OrganisationKind.SOCIAL, OrganisationKind.UNION}
)
"""Organisations that sign credentials and so get a key when filed."""
SERVICE_ACTOR = "craftledger:credentials"
STATUS_LIST_VALIDITY = timedelta(hours=48)
"""How long a served status list stays current; verifiers treat an older list as unknown."""
STATUS_LIST_MAX_AGE = 300
"""Seconds a client may cache a status list (``Cache-Control`` and the list's ``ttl``)."""
_IDENTIFIER_INFO = b"craftledger subject identifier seal v1 (AES-256-GCM)"
_SEALED_PREFIX = "v1."


class CredentialUnavailable(RuntimeError):
    """The credential or list cannot be signed now (no usable key); HTTP 409. The message
    says what to do."""


def _whole_seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


@dataclass
class StatusAllocationBatch:
    """What ``allocate_status_list_entries`` decided: indexes per subject and per purpose, and
    the aggregates to save with the credentials they are for."""

    indexes: dict[str, dict[str, int]] = field(default_factory=dict)
    aggregates: list[Aggregate] = field(default_factory=list)


@dataclass
class StatusReservation:
    """Free status list indexes drawn ahead of an issuing command, with their blocks loaded
    (see ``CredentialIssuing.reserve_status_list_entries``)."""

    issuer_id: UUID
    indexes: list[int] = field(default_factory=list)
    blocks: dict[int, StatusIndexBlock] = field(default_factory=dict)


@dataclass(frozen=True)
class SignedDocument:
    """A signed document as served: the JSON value, its RFC 8785 bytes and a strong ETag."""

    document: dict[str, Any]
    body: bytes
    etag: str

    @classmethod
    def of(cls, document: dict[str, Any]) -> SignedDocument:
        body = canonicalize(document)
        return cls(document, body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


class CredentialIssuing:
    """Commands that keep issuers' keys and status lists and sign credentials."""

    # Provided by Ledger / Application (declared for readers and type checkers).
    settings: Any
    clock: Callable[[], datetime]
    repository: Any
    _identity_key: bytes

    if TYPE_CHECKING:

        def organisation(self, organisation_id: UUID) -> Organisation: ...
        def certificate(self, number: str) -> Certificate: ...
        def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]: ...
        def record(self, main: Aggregate, *others: Aggregate) -> Recorded: ...
        def exists(self, aggregate_id: UUID) -> bool: ...

    # -- configuration -------------------------------------------------------------------------

    @property
    def credential_urls(self) -> CredentialUrls:
        """Identifiers under the settings' base URL (``CRAFTLEDGER_BASE_URL``; default
        ``http://127.0.0.1:8000``): the one base of every public URL the service builds."""
        urls = self.__dict__.get("_credential_urls")
        if urls is None:
            urls = CredentialUrls(self.settings.base_url or DEFAULT_BASE_URL)
            self.__dict__["_credential_urls"] = urls
        return urls  # type: ignore[no-any-return]

    @credential_urls.setter
    def credential_urls(self, urls: CredentialUrls) -> None:
        self.__dict__["_credential_urls"] = urls

    @property
    def key_store(self) -> KeyStore:
        """The encrypted key store of this configuration, opened on first use."""
        with _KEY_STORE_LOCK:
            store = self.__dict__.get("_key_store")
            if store is None:
                store = KeyStore.for_settings(self.settings)
                self.__dict__["_key_store"] = store
        return store  # type: ignore[no-any-return]

    def close(self) -> None:
        store = self.__dict__.pop("_key_store", None)
        if store is not None:
            store.close()
        super().close()  # type: ignore[misc]

    # -- keys ------------------------------------------------------------------------------------

    def _add_new_key(self, organisation: Organisation, at: datetime, actor: str) -> str:
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
        organisation = self.organisation(organisation_id)
        if not organisation.signing_keys:
            self._add_new_key(organisation, self.clock(), actor)
        return self.record(organisation)

    @retried
    def rotate_signing_key(self, organisation_id: UUID, *, actor: str) -> Recorded:
        """Add a new key; the key in use until now is retired, published with its window."""
        organisation = self.organisation(organisation_id)
        if organisation.kind not in SIGNING_KINDS:
            raise DomainRuleViolation(
                "not-an-issuer", f"{organisation.name} does not sign credentials"
            )
        self._add_new_key(organisation, self.clock(), actor)
        return self.record(organisation)

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
            raise DomainRuleViolation("time-zone-required", "compromised_at needs a time zone")
        now = self.clock()
        if compromised_at > now:
            raise DomainRuleViolation(
                "compromise-in-future", "a key cannot be marked compromised from a future time"
            )
        if not reason or not reason.strip():
            raise DomainRuleViolation("reason-required", "a compromise needs a reason")
        organisation = self.organisation(organisation_id)
        was_current = organisation.current_key_id == key_id
        organisation.mark_key_compromised(key_id, compromised_at, actor, reason)
        if rotate and was_current and organisation.status is not OrganisationStatus.REVOKED:
            self._add_new_key(organisation, now, actor)
        return self.record(organisation)

    def _published_method(
        self, organisation: Organisation, key: Mapping[str, Any]
    ) -> dict[str, Any]:
        document = controller_document(self.credential_urls, organisation.id, [key])
        return document["verificationMethod"][0]  # type: ignore[no-any-return]

    def _key_usable_at(
        self, organisation: Organisation, key: Mapping[str, Any], created: datetime
    ) -> bool:
        """Whether a proof ``created`` (whole seconds) with ``key`` passes the verifier's own
        key-window rule on the published method."""
        method = self._published_method(organisation, key)
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
        created = _whole_seconds(at)
        keys = list(organisation.signing_keys.values())
        for key in reversed(keys):
            if self._key_usable_at(organisation, key, created):
                return key["key_id"], created
        for key in sorted(keys, key=lambda k: k["valid_from"]):
            start = _whole_seconds(key["valid_from"])
            if start >= created and self._key_usable_at(organisation, key, start):
                return key["key_id"], start
        raise CredentialUnavailable(
            f"{organisation.name} has no signing key usable for {created.isoformat()}; rotate "
            "its key (POST the rotation) and ask again"
        )

    def _sign(
        self, organisation: Organisation, document: dict[str, Any], key_id: str, created: datetime
    ) -> dict[str, Any]:
        private_key = self.key_store.private_key(str(organisation.id), key_id)
        method = verification_method_id(self.credential_urls.controller_id(organisation.id), key_id)
        return add_proof(document, private_key, method, created)

    def sign_credential(
        self, organisation: Organisation, document: dict[str, Any], at: datetime
    ) -> dict[str, Any]:
        """Sign ``document`` (issued at ``at``) with the organisation's key valid then."""
        key_id, created = self.signing_key_for(organisation, at)
        return self._sign(organisation, document, key_id, created)

    # -- status list entries ---------------------------------------------------------------------

    def _load(self, aggregate_id: UUID) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None

    def allocation_of(self, issuer_id: UUID, subject: str) -> StatusListAllocation | None:
        """The status list entries allocated to ``subject`` (a certificate number, an award)."""
        found = self._load(StatusListAllocation.create_id(issuer_id=issuer_id, subject=subject))
        return found if isinstance(found, StatusListAllocation) else None

    def _block_loader(
        self, issuer_id: UUID, blocks: dict[int, StatusIndexBlock]
    ) -> Callable[[int], StatusIndexBlock]:
        def block_for(number: int) -> StatusIndexBlock:
            if number not in blocks:
                block_id = StatusIndexBlock.create_id(issuer_id=issuer_id, block=number)
                loaded = self._load(block_id)
                blocks[number] = loaded or StatusIndexBlock(
                    issuer_id=issuer_id, block=number, block_size=BLOCK_SIZE
                )
            return blocks[number]

        return block_for

    def reserve_status_list_entries(
        self, issuer_id: UUID, count: int, *, rng: Any = None
    ) -> StatusReservation:
        """Draw ``count`` free random indexes and load their blocks, recording nothing.

        Call it at the start of an issuing command, *before* reading the contended aggregates
        (the number series), and pass it to ``credential_records_for``: the block reads then
        stay out of the window between reading the series and saving, which is what decides
        how often concurrent issuers collide. A stale reservation is harmless: the block's
        version is checked by the save like any other aggregate's.
        """
        reservation = StatusReservation(issuer_id)
        block_for = self._block_loader(issuer_id, reservation.blocks)
        reservation.indexes = draw_free_indexes(count, block_for, rng or _SYSTEM_RANDOM)
        return reservation

    def allocate_status_list_entries(
        self,
        issuer_id: UUID,
        subjects: Sequence[str],
        *,
        at: datetime,
        actor: str,
        rng: Any = None,
        new_subjects: bool = False,
        reservation: StatusReservation | None = None,
    ) -> StatusAllocationBatch:
        """Allocate random, never-reused revocation and suspension indexes for ``subjects``.

        Returns the indexes and the aggregates to pass to the same ``save`` as the credentials
        (nothing is saved here). Subjects that already have entries keep them; with
        ``new_subjects`` (certificates issued in this very save, which cannot have entries
        yet) that lookup is skipped. A ``reservation`` from ``reserve_status_list_entries``
        supplies the indexes (and fresh ones are drawn if it holds too few). Many subjects
        at once cost one event per block touched plus one per subject.
        """
        batch = StatusAllocationBatch()
        new: list[str] = []
        for subject in dict.fromkeys(subjects):
            existing = None if new_subjects else self.allocation_of(issuer_id, subject)
            if existing is not None:
                batch.indexes[subject] = dict(existing.indexes)
            else:
                new.append(subject)
        if not new:
            return batch
        usable = reservation is not None and reservation.issuer_id == issuer_id
        blocks = reservation.blocks if usable and reservation else {}
        block_for = self._block_loader(issuer_id, blocks)
        if usable and reservation and len(reservation.indexes) >= len(new):
            chosen = dict(zip(new, reservation.indexes, strict=False))
            record_taken(chosen, block_for, actor)
        else:
            chosen = allocate_indexes(new, block_for, rng or _SYSTEM_RANDOM, actor)
        batch.aggregates.extend(block for block in blocks.values() if block.pending_events)
        for subject in new:
            indexes = {purpose: chosen[subject] for purpose in PURPOSES}
            batch.indexes[subject] = indexes
            batch.aggregates.append(
                StatusListAllocation(
                    issuer_id=issuer_id,
                    subject=subject,
                    list_size=LIST_SIZE,
                    indexes=indexes,
                    at=at,
                    actor=actor,
                )
            )
        return batch

    def credential_records_for(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        *,
        actor: str | None = None,
        reservation: StatusReservation | None = None,
    ) -> list[Aggregate]:
        """What to save with newly issued ``certificates`` of ``issuer``: their status list
        entries and, if the issuer has no key yet, its first key (then ``issuer`` is among
        the aggregates returned). Call once per batch, before the one atomic ``save``::

            reservation = self.reserve_status_list_entries(issuer.id, len(candidates))
            series = self.certificates.number_series(...)  # the contended read comes after
            certificates = [...]  # issued by the domain, not yet saved
            extra = self.credential_records_for(
                issuer, certificates, actor=actor, reservation=reservation
            )
            return self.record(first, *others, *extra)
        """
        if not certificates:
            return []
        actor = actor or certificates[0].issued_by
        extra: list[Aggregate] = []
        earliest = min(certificate.issued_at for certificate in certificates)
        if not issuer.signing_keys and issuer.kind in SIGNING_KINDS:
            self._add_new_key(issuer, earliest, actor)
            extra.append(issuer)
        batch = self.allocate_status_list_entries(
            issuer.id,
            [c.number for c in certificates],
            at=earliest,
            actor=actor,
            new_subjects=True,
            reservation=reservation,
        )
        return extra + batch.aggregates

    def status_list_updates_for(self, certificate: Certificate) -> list[Aggregate]:
        """The status bit changes for the certificate's latest status change (suspended: set
        its suspension bit; reinstated: clear it; revoked: set its revocation bit), to save
        with the certificate. A certificate issued before status lists gets its entries now."""
        change = certificate.history[-1]
        extra: list[Aggregate] = []
        allocation = self.allocation_of(certificate.issuer_id, certificate.number)
        if allocation is None:
            batch = self.allocate_status_list_entries(
                certificate.issuer_id, [certificate.number], at=change["at"], actor=SERVICE_ACTOR
            )
            indexes = batch.indexes[certificate.number]
            extra.extend(batch.aggregates)
        else:
            indexes = allocation.indexes
        status = change["status"]
        purpose = {"revoked": "revocation", "suspended": "suspension", "valid": "suspension"}[
            status
        ]
        status_list = self._status_list(certificate.issuer_id, purpose)
        arguments = (
            indexes[purpose],
            certificate.number,
            change["at"],
            change["actor"],
            change["reason"],
        )
        if status == "valid":
            status_list.clear_bit(*arguments)
        else:
            status_list.set_bit(*arguments)
        if status_list.pending_events:
            extra.append(status_list)
        return extra

    def _status_list(self, issuer_id: UUID, purpose: str) -> StatusList:
        check_purpose(purpose)
        found = self._load(StatusList.create_id(issuer_id=issuer_id, purpose=purpose))
        return found or StatusList(issuer_id=issuer_id, purpose=purpose, list_size=LIST_SIZE)

    @retried
    def ensure_status_list_entries(self, number: str) -> dict[str, int]:
        """Give a certificate issued before status lists existed its entries (a command)."""
        certificate = self.certificate(number)
        existing = self.allocation_of(certificate.issuer_id, number)
        if existing is not None:
            return dict(existing.indexes)
        batch = self.allocate_status_list_entries(
            certificate.issuer_id, [number], at=self.clock(), actor=SERVICE_ACTOR
        )
        first, *others = batch.aggregates
        self.record(first, *others)
        return batch.indexes[number]

    # -- subject identifiers ------------------------------------------------------------------

    def _identifier_aead(self) -> AESGCM:
        aead = self.__dict__.get("_cached_identifier_aead")
        if aead is None:
            key = HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=_IDENTIFIER_INFO
            ).derive(self._identity_key)
            aead = AESGCM(key)
            self.__dict__["_cached_identifier_aead"] = aead
        return aead  # type: ignore[no-any-return]

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
        ciphertext = self._identifier_aead().encrypt(nonce, plaintext, worker.id.bytes)
        sealed = _SEALED_PREFIX + base64.urlsafe_b64encode(nonce + ciphertext).decode()
        return [
            SubjectIdentifier(
                worker_id=worker.id, identity_type=kind, sealed=sealed, actor=SERVICE_ACTOR
            )
        ]

    def holder_identifier(self, worker_id: UUID) -> IdentityHash | None:
        """The worker's identifier hash, unsealed; None if none was recorded (registered before
        credentials) or it cannot be opened (another identity key)."""
        found = self._load(SubjectIdentifier.create_id(worker_id=worker_id))
        return self._unsealed_identifier(found, worker_id)

    def _unsealed_identifier(self, found: Any, worker_id: UUID) -> IdentityHash | None:
        if not isinstance(found, SubjectIdentifier) or not found.sealed.startswith(_SEALED_PREFIX):
            return None
        raw = base64.urlsafe_b64decode(found.sealed[len(_SEALED_PREFIX) :])
        try:
            plaintext = self._identifier_aead().decrypt(raw[:12], raw[12:], worker_id.bytes)
        except InvalidTag:
            log.warning("the subject identifier of worker %s does not open", worker_id)
            return None
        digest, _, salt = plaintext.decode().partition("\x00")
        return IdentityHash(found.identity_type, digest, salt)

    # -- documents ----------------------------------------------------------------------------

    def controller_document(self, organisation_id: UUID) -> dict[str, Any]:
        """The organisation's did.json: every key it ever published, with its window."""
        organisation = self.organisation(organisation_id)
        return controller_document(
            self.credential_urls, organisation.id, list(organisation.signing_keys.values())
        )

    def unsigned_certificate_credential(
        self, number: str, disclosure: Disclosure = "full"
    ) -> tuple[Certificate, dict[str, Any]]:
        """The certificate and its credential before signing (built from events only)."""
        certificate = self.certificate(number)
        allocation = self.allocation_of(certificate.issuer_id, number)
        indexes = (
            dict(allocation.indexes) if allocation else self.ensure_status_list_entries(number)
        )
        identifier = self.holder_identifier(certificate.worker_id) if disclosure == "full" else None
        document = self._certificate_document(certificate, identifier, indexes, disclosure)
        return certificate, document

    def _certificate_document(
        self,
        certificate: Certificate,
        identifier: IdentityHash | None,
        indexes: dict[str, int],
        disclosure: Disclosure,
    ) -> dict[str, Any]:
        """The unsigned credential of a loaded certificate (one place for both paths)."""
        return build_certificate_credential(
            urls=self.credential_urls,
            number=certificate.number,
            holder=Holder(certificate.holder_name, certificate.masked_id_number, identifier),
            issuer_id=certificate.issuer_id,
            issuer_name=certificate.issuer_name,
            occupation_code=certificate.occupation_code,
            occupation_name=certificate.occupation_name,
            level_code=certificate.level_code,
            basis=certificate.basis,
            issued_at=certificate.issued_at,
            status_indexes=indexes,
            disclosure=disclosure,
        )

    def certificate_credential(
        self, number: str, disclosure: Disclosure = "full"
    ) -> dict[str, Any]:
        """The certificate's signed credential, deterministic from the events."""
        certificate, document = self.unsigned_certificate_credential(number, disclosure)
        issuer = self.organisation(certificate.issuer_id)
        return self.sign_credential(issuer, document, certificate.issued_at)

    def certificate_credentials(
        self, numbers: Sequence[str], disclosure: Disclosure = "full"
    ) -> list[dict[str, Any]]:
        """``[certificate_credential(n, disclosure) for n in numbers]`` -- the same documents,
        byte for byte -- for many certificates at once (e.g. a batch just issued): the
        certificates, their status list entries and holders' identifiers are read in a few
        queries, each issuer once, and the signing key is chosen once per issuer and issue
        time. A certificate without status list entries gets them, as one at a time does."""
        for number in numbers:
            CertificateNumber.parse(number)
        loaded = self.load_many([Certificate.create_id(number=number) for number in numbers])
        certificates = [
            found
            if isinstance(found := loaded.get(Certificate.create_id(number=number)), Certificate)
            else self.certificate(number)  # raises NotFound, as one at a time does
            for number in numbers
        ]
        allocations = self.load_many(
            StatusListAllocation.create_id(issuer_id=c.issuer_id, subject=c.number)
            for c in certificates
        )
        identifiers = (
            self.load_many(SubjectIdentifier.create_id(worker_id=c.worker_id) for c in certificates)
            if disclosure == "full"
            else {}
        )
        issuers: dict[UUID, Organisation] = {}
        indexes: dict[str, dict[str, int]] = {}
        holders: dict[UUID, IdentityHash | None] = {}
        for certificate in certificates:
            if certificate.issuer_id not in issuers:
                issuers[certificate.issuer_id] = self.organisation(certificate.issuer_id)
            allocation = allocations.get(
                StatusListAllocation.create_id(
                    issuer_id=certificate.issuer_id, subject=certificate.number
                )
            )
            indexes[certificate.number] = (
                dict(allocation.indexes)
                if isinstance(allocation, StatusListAllocation)
                else self.ensure_status_list_entries(certificate.number)
            )
            if disclosure == "full":
                holders[certificate.worker_id] = self._unsealed_identifier(
                    identifiers.get(SubjectIdentifier.create_id(worker_id=certificate.worker_id)),
                    certificate.worker_id,
                )
        return self.signed_certificate_credentials(
            issuers, certificates, indexes, holders, disclosure
        )

    def record_issue(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        main: Aggregate,
        *others: Aggregate,
        actor: str,
        reservation: StatusReservation | None = None,
        stage: Callable[[str], None] | None = None,
    ) -> Recorded:
        """Save ``certificates`` that ``issuer`` has just issued, with ``main`` and ``others``,
        in one atomic save -- together with what their credentials need: status list entries
        (and the issuer's first key, if it has none yet). Every credential is built and signed
        *before* the save, so an issuer that cannot sign refuses the issue and nothing is
        recorded; the signed credentials come back in ``Recorded.credentials``. ``stage`` is
        told ``allocating status list entries``, ``signing credentials`` and ``saving``."""
        tell = stage or (lambda name: None)
        tell("allocating status list entries")
        records = self.credential_records_for(
            issuer, certificates, actor=actor, reservation=reservation
        )
        tell("signing credentials")
        credentials = self._new_certificate_credentials(issuer, certificates, records)
        tell("saving")
        recorded = self.record(main, *others, *records)
        return replace(recorded, credentials=tuple(credentials))

    def _new_certificate_credentials(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        records: Sequence[Aggregate],
    ) -> list[dict[str, Any]]:
        """The signed (full) credentials of ``certificates`` before their save: status
        indexes from ``records`` (``credential_records_for``), holders' identifiers read in a
        few queries. ``CredentialUnavailable`` if the issuer has no key that can sign them."""
        identifier_ids = {
            c.worker_id: SubjectIdentifier.create_id(worker_id=c.worker_id) for c in certificates
        }
        sealed = self.load_many(identifier_ids.values())
        holders = {
            worker_id: self._unsealed_identifier(sealed.get(identifier_id), worker_id)
            for worker_id, identifier_id in identifier_ids.items()
        }
        indexes = {r.subject: r.indexes for r in records if isinstance(r, StatusListAllocation)}
        return self.signed_certificate_credentials(
            {issuer.id: issuer}, certificates, indexes, holders
        )

    def signed_certificate_credentials(
        self,
        issuers: Mapping[UUID, Organisation],
        certificates: Sequence[Certificate],
        indexes: Mapping[str, dict[str, int]],
        holders: Mapping[UUID, IdentityHash | None],
        disclosure: Disclosure = "full",
    ) -> list[dict[str, Any]]:
        """Build and sign the credentials of ``certificates`` from state in hand (the issuers
        by id, each certificate's status list indexes by number, each holder's identifier by
        worker id): what ``certificate_credential`` gives, byte for byte, for certificates
        loaded or just issued. The signing key is chosen once per issuer and issue time."""
        keys: dict[tuple[UUID, datetime], tuple[str, datetime]] = {}
        signed: list[dict[str, Any]] = []
        for certificate in certificates:
            identifier = holders.get(certificate.worker_id) if disclosure == "full" else None
            document = self._certificate_document(
                certificate, identifier, indexes[certificate.number], disclosure
            )
            issuer = issuers[certificate.issuer_id]
            when = (certificate.issuer_id, certificate.issued_at)
            if when not in keys:
                keys[when] = self.signing_key_for(issuer, certificate.issued_at)
            key_id, created = keys[when]
            signed.append(self._sign(issuer, document, key_id, created))
        return signed

    def status_list_credential(self, issuer_id: UUID, purpose: str) -> SignedDocument:
        """The issuer's signed ``BitstringStatusListCredential`` for ``purpose``.

        Signed with the key in use, ``created`` and ``validFrom`` at the start of the current
        hour (or the key's start, if later), ``validUntil`` ``STATUS_LIST_VALIDITY`` after:
        the document, and so its ETag, change only when a bit flips, the key rotates or the
        hour turns.
        """
        check_purpose(purpose)
        organisation = self.organisation(issuer_id)
        status_list = self._load(StatusList.create_id(issuer_id=issuer_id, purpose=purpose))
        key_id = organisation.current_key_id
        if key_id is None:
            raise CredentialUnavailable(
                f"{organisation.name} has no key in use to sign its status lists; rotate its key"
            )
        key = organisation.signing_keys[key_id]
        now = _whole_seconds(self.clock())
        created = max(now.replace(minute=0, second=0), _whole_seconds(key["valid_from"]))
        version = status_list.version if status_list else 0
        cache_key = (self.credential_urls.base_url, issuer_id, purpose, version, key_id, created)
        cache: _LRU = self.__dict__.setdefault("_status_list_cache", _LRU(1024))
        cached = cache.get(cache_key)
        if cached is not None:
            return cached
        bits = Bitstring(LIST_SIZE)
        for index in status_list.set_bits if status_list else ():
            bits.set(index)
        url = self.credential_urls.status_list_url(issuer_id, purpose)
        unsigned = BitstringStatusListCredential(
            id=url,
            issuer=self.credential_urls.controller_id(issuer_id),
            purpose=purpose,  # type: ignore[arg-type]
            bitstring=bits,
            valid_from=created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            valid_until=(created + STATUS_LIST_VALIDITY).strftime("%Y-%m-%dT%H:%M:%SZ"),
            ttl_milliseconds=STATUS_LIST_MAX_AGE * 1000,
        ).to_document()
        signed = SignedDocument.of(self._sign(organisation, unsigned, key_id, created))
        cache.put(cache_key, signed)
        return signed

    # -- verification --------------------------------------------------------------------------

    def _resolve_controller(self, controller_id: str) -> Mapping[str, Any]:
        organisation_id = self.credential_urls.organisation_id_of(controller_id)
        if organisation_id is None:
            raise ResolutionError(f"{controller_id} is not an organisation of this ledger")
        return self.controller_document(organisation_id)

    def _resolve_status_list(self, url: str) -> Mapping[str, Any]:
        named = self.credential_urls.status_list_of(url)
        if named is None:
            raise ResolutionError(f"{url} is not a status list of this ledger")
        return self.status_list_credential(*named).document

    def verify_credential(
        self,
        credential: Any,
        *,
        now: datetime | None = None,
        log_inclusion: Callable[[Mapping[str, Any]], Check] | None = None,
        certificate_row: CertificateRow | None = None,
    ) -> VerificationReport:
        """Verify online: keys and status lists from the ledger, plus the issuer check, the
        ledger record check (``service.ledger_record_check``; ``certificate_row`` reads the
        certificate's read-model row) and, given ``log_inclusion``
        (``service.audit.Audit.log_inclusion_check``), the issuance event's inclusion in the
        transparency log."""
        now = now or self.clock()
        report = verify_signed_credential(
            credential,
            controller_resolver=self._resolve_controller,
            status_list_resolver=self._resolve_status_list,
            now=now,
        )
        signature = report.get("signature")
        if signature is None or signature.status != "passed":
            for name in ("issuer_filed", "ledger_record"):
                report.add(Check(name, "skipped", "not evaluated: the signature did not verify"))
            if log_inclusion is not None:
                report.add(
                    Check("log_inclusion", "skipped", "not evaluated: the signature did not verify")
                )
        else:
            report.add(self._issuer_check(credential))
            report.add(ledger_record_check(self, credential, certificate_row))  # type: ignore[arg-type]
            if log_inclusion is not None:
                report.add(log_inclusion(credential))
        return report

    def ledger_issuer_id(self) -> str | None:
        """The ``did:key`` of the ledger's own key, issuer of what the ledger itself states
        (``service.points_statements``); None while the key does not exist yet."""
        stored = self.key_store.get(LEDGER_OWNER, LEDGER_KEY_ID)
        return did_key(stored.public_key_multibase) if stored is not None else None

    def _issuer_check(self, credential: Mapping[str, Any]) -> Check:
        """Issuer known, filed, active and (for a certificate) in scope at issue time."""
        name = "issuer_filed"
        issuer = issuer_of(credential)
        organisation_id = (
            self.credential_urls.organisation_id_of(issuer) if issuer is not None else None
        )
        if organisation_id is None:
            if issuer is not None and issuer == self.ledger_issuer_id():
                return Check(
                    name,
                    "passed",
                    "issued by this ledger itself with its own key (a statement of the ledger, "
                    "e.g. a hukou points statement)",
                )
            return Check(name, "failed", f"{issuer!r} is not an organisation filed here")
        try:
            organisation = self.organisation(organisation_id)
        except LookupError:
            return Check(name, "failed", f"no organisation {organisation_id} is filed here")
        subject = credential.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        achievement = subject.get("achievement")
        achievement = achievement if isinstance(achievement, Mapping) else {}
        try:
            issued_at = parse_date_time_stamp(credential.get("validFrom"))
        except ValueError:
            return Check(name, "failed", "the credential has no valid validFrom (issue time)")
        number = subject.get("licenseNumber")
        if isinstance(number, str):
            try:
                certificate = self.certificate(number)
            except (LookupError, ValueError):
                return Check(name, "failed", f"no certificate {number} is recorded here")
            if certificate.issuer_id != organisation.id:
                return Check(name, "failed", f"certificate {number} was issued by another body")
            issued_at = certificate.issued_at
        status = organisation.status_at(issued_at)
        when = issued_at.isoformat()
        if status is not OrganisationStatus.ACTIVE:
            return Check(name, "failed", f"{organisation.name} was {status.value} on {when}")
        occupation = achievement.get("occupation")
        level = achievement.get("level")
        if achievement.get("achievementType") == "Certification":
            if not organisation.kind.evaluates:
                return Check(name, "failed", f"{organisation.name} is not an evaluation body")
            try:
                occupation_code = str(occupation["code"])  # type: ignore[index]
                skill_level = SkillLevel.from_code(str(level["code"]))  # type: ignore[index]
            except (TypeError, KeyError, ValueError):
                return Check(name, "failed", "the achievement names no occupation and level")
            if not organisation.covered_at(occupation_code, skill_level, issued_at):
                return Check(
                    name,
                    "failed",
                    f"{organisation.name}'s filed scope did not cover {occupation_code} "
                    f"{skill_level.name_zh} on {when}",
                )
            scope = f", in scope for {occupation_code} {skill_level.name_zh}"
        else:
            scope = ""
        return Check(
            name,
            "passed",
            f"{organisation.name} ({organisation.filing_code}) was filed and active on {when}"
            + scope,
        )


# -- module state -----------------------------------------------------------------------------

_KEY_STORE_LOCK = threading.Lock()
_SYSTEM_RANDOM = secrets.SystemRandom()


class _LRU:
    """A small thread-safe LRU for signed status lists (keyed by list version and hour)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Any, SignedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> SignedDocument | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: SignedDocument) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)
