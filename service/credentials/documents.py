"""Certificates' credentials (证书凭证): built from events, signed, issued with the certificates.

``certificate_credential(number)`` builds the certificate's credential from events and signs
it with the issuer key valid at the issue time (``created`` = issued time), so the same events
always give the same bytes (Ed25519 signatures are deterministic); ``certificate_credentials``
does the same for many at once. ``record_issue`` saves newly issued certificates with what
their credentials need, every credential signed before the save.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.certificate_number import CertificateNumber
from domain.organisation import Organisation
from domain.status_list_allocation import StatusListAllocation, StatusPosition
from domain.subject_identifier import SubjectIdentifier
from service.commands import Recorded
from service.credentials.credential_document import (
    CredentialUrls,
    Disclosure,
    Holder,
    IdentityHash,
    SignedDocument,
    build_certificate_credential,
)
from service.credentials.editions import earlier_editions
from service.credentials.keys import Keys
from service.credentials.signed_cache import SignedDocuments, SignedEntry
from service.credentials.status_lists import StatusLists, StatusReservation
from service.credentials.subject_identifiers import SubjectIdentifiers
from service.ledger_store import LedgerStore

__all__ = ["CertificateCredentials", "CertificateParties"]

PARTIES_KEPT = 100_000


@dataclass(frozen=True)
class CertificateParties:
    """Who a certificate concerns: its issuer and its holder, fixed when it is issued."""

    issuer_id: UUID
    worker_id: UUID


class CertificateCredentials:
    """Certificates' credentials: unsigned documents, signed ones, and issuing them."""

    def __init__(
        self,
        ledger: LedgerStore,
        urls: CredentialUrls,
        keys: Keys,
        status_lists: StatusLists,
        identifiers: SubjectIdentifiers,
    ) -> None:
        self._ledger = ledger
        self._urls = urls
        self._keys = keys
        self._status_lists = status_lists
        self._identifiers = identifiers
        self.served = SignedDocuments(ledger, keys.signing_key_for)
        """The credentials served, kept once signed (``served_certificate_credential``)."""
        self._parties: dict[str, CertificateParties] = {}

    def certificate_document(
        self,
        certificate: Certificate,
        identifier: IdentityHash | None,
        position: StatusPosition,
        disclosure: Disclosure,
    ) -> dict[str, Any]:
        """The unsigned credential of a loaded certificate (one place for every path)."""
        pseudonym = self._identifiers.pseudonym(certificate.worker_id, certificate.number)
        return build_certificate_credential(
            urls=self._urls,
            number=certificate.number,
            holder=Holder(
                certificate.holder_name, certificate.masked_id_number, identifier, pseudonym
            ),
            issuer_id=certificate.issuer_id,
            issuer_name=certificate.issuer_name,
            occupation_code=certificate.occupation_code,
            occupation_name=certificate.occupation_name,
            level_code=certificate.level_code,
            basis=certificate.basis,
            issued_at=certificate.issued_at,
            status_indexes=position.indexes,
            disclosure=disclosure,
            status_list=position.list_number,
        )

    def _position(self, certificate: Certificate, allocation: Any) -> StatusPosition:
        """The certificate's status entries: its allocation's, or entries given now."""
        if isinstance(allocation, StatusListAllocation):
            return allocation.position
        return self._status_lists.ensure_status_list_entries(certificate.number)

    def unsigned_certificate_credential(
        self, number: str, disclosure: Disclosure = "full"
    ) -> tuple[Certificate, dict[str, Any]]:
        """The certificate and its credential before signing (built from events only)."""
        certificate = self._ledger.certificate(number)
        allocation = self._status_lists.allocation_of(certificate.issuer_id, number)
        position = self._position(certificate, allocation)
        identifier = (
            self._identifiers.holder_identifier(certificate.worker_id)
            if disclosure == "full"
            else None
        )
        document = self.certificate_document(certificate, identifier, position, disclosure)
        return certificate, document

    def issued_editions(
        self, certificate: Certificate, disclosure: Disclosure
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """The unsigned credential the ledger issues for ``certificate`` now (edition
        ``current``) and each earlier edition of it (``service.credentials.editions``), or None
        if it never allocated the certificate status entries (so never issued one). Reads
        only."""
        allocation = self._status_lists.allocation_of(certificate.issuer_id, certificate.number)
        if allocation is None:
            return None
        identifier = (
            self._identifiers.holder_identifier(certificate.worker_id)
            if disclosure == "full"
            else None
        )
        position = allocation.position
        current = self.certificate_document(certificate, identifier, position, disclosure)
        earlier = earlier_editions(
            current,
            disclosure,
            self._urls,
            certificate.issuer_id,
            position.indexes,
            position.list_number,
        )
        return [("current", current), *earlier]

    def certificate_credential(
        self, number: str, disclosure: Disclosure = "full"
    ) -> dict[str, Any]:
        """The certificate's signed credential, deterministic from the events."""
        certificate, document = self.unsigned_certificate_credential(number, disclosure)
        issuer = self._ledger.organisation(certificate.issuer_id)
        return self._keys.sign_credential(issuer, document, certificate.issued_at)

    def certificate_parties(self, number: str) -> CertificateParties:
        """The certificate's issuer and holder (who may see its full credential): read once,
        as no event ever changes them; ``NotFound`` (``InvalidValue`` for a malformed number)
        as ``ledger.certificate``."""
        found = self._parties.get(number)
        if found is None:
            certificate = self._ledger.certificate(number)
            found = CertificateParties(certificate.issuer_id, certificate.worker_id)
            if len(self._parties) >= PARTIES_KEPT:
                self._parties.clear()
            self._parties[number] = found
        return found

    def served_certificate_credential(
        self, number: str, disclosure: Disclosure = "full"
    ) -> SignedDocument:
        """``SignedDocument.of(certificate_credential(number, disclosure))``, the same bytes,
        signed once and kept until an event changes it (``service.credentials.signed_cache``).
        """
        return self.served.get((number, disclosure), lambda: self._signed_entry(number, disclosure))

    def _signed_entry(self, number: str, disclosure: Disclosure) -> SignedEntry:
        certificate, document = self.unsigned_certificate_credential(number, disclosure)
        issuer = self._ledger.organisation(certificate.issuer_id)
        key_id, created = self._keys.signing_key_for(issuer, certificate.issued_at)
        built_from = {
            certificate.id,
            StatusListAllocation.create_id(issuer_id=certificate.issuer_id, subject=number),
        }
        if disclosure == "full":
            built_from.add(SubjectIdentifier.create_id(worker_id=certificate.worker_id))
        return SignedEntry(
            signed=SignedDocument.of(self._keys.sign(issuer, document, key_id, created)),
            built_from=frozenset(built_from),
            issuer_id=certificate.issuer_id,
            issued_at=certificate.issued_at,
            key=(key_id, created),
        )

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
        loaded = self._ledger.load_many(
            [Certificate.create_id(number=number) for number in numbers]
        )
        certificates = [
            found
            if isinstance(found := loaded.get(Certificate.create_id(number=number)), Certificate)
            else self._ledger.certificate(number)  # raises NotFound, as one at a time does
            for number in numbers
        ]
        allocations = self._ledger.load_many(
            StatusListAllocation.create_id(issuer_id=c.issuer_id, subject=c.number)
            for c in certificates
        )
        holders = (
            self._identifiers.holder_identifiers(c.worker_id for c in certificates)
            if disclosure == "full"
            else {}
        )
        issuers: dict[UUID, Organisation] = {}
        positions: dict[str, StatusPosition] = {}
        for certificate in certificates:
            if certificate.issuer_id not in issuers:
                issuers[certificate.issuer_id] = self._ledger.organisation(certificate.issuer_id)
            allocation = allocations.get(
                StatusListAllocation.create_id(
                    issuer_id=certificate.issuer_id, subject=certificate.number
                )
            )
            positions[certificate.number] = self._position(certificate, allocation)
        return self.signed_certificate_credentials(
            issuers, certificates, positions, holders, disclosure
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
        (and the issuer's first key, if it has none yet). The issuer's signing key is checked
        *before* the save, so an issuer that cannot sign refuses the issue and nothing is
        recorded; credentials are built and signed when they are fetched, not here. ``stage``
        is told ``allocating status list entries``, ``checking the signing key`` and
        ``saving``."""
        tell = stage or (lambda name: None)
        tell("allocating status list entries")
        records = self._status_lists.credential_records_for(
            issuer, certificates, actor=actor, reservation=reservation
        )
        tell("checking the signing key")
        for issued_at in {certificate.issued_at for certificate in certificates}:
            self._keys.signing_key_for(issuer, issued_at)
        tell("saving")
        return self._ledger.record(main, *others, *records)

    def signed_certificate_credentials(
        self,
        issuers: Mapping[UUID, Organisation],
        certificates: Sequence[Certificate],
        positions: Mapping[str, StatusPosition],
        holders: Mapping[UUID, IdentityHash | None],
        disclosure: Disclosure = "full",
    ) -> list[dict[str, Any]]:
        """Build and sign the credentials of ``certificates`` from state in hand (the issuers
        by id, each certificate's status list position by number, each holder's identifier by
        worker id): what ``certificate_credential`` gives, byte for byte, for certificates
        loaded or just issued. The signing key is chosen once per issuer and issue time.
        ``CredentialUnavailable`` if an issuer has no key that can sign them."""
        keys: dict[tuple[UUID, datetime], tuple[str, datetime]] = {}
        signed: list[dict[str, Any]] = []
        for certificate in certificates:
            identifier = holders.get(certificate.worker_id) if disclosure == "full" else None
            document = self.certificate_document(
                certificate, identifier, positions[certificate.number], disclosure
            )
            issuer = issuers[certificate.issuer_id]
            when = (certificate.issuer_id, certificate.issued_at)
            if when not in keys:
                keys[when] = self._keys.signing_key_for(issuer, certificate.issued_at)
            key_id, created = keys[when]
            signed.append(self._keys.sign(issuer, document, key_id, created))
        return signed
