"""Credentials (凭证): issuers' keys, status lists, subject identifiers, signed documents and
online verification, composed around the ledger.

``Credentials(ledger, identity_key=...)`` is built once by the ``Ledger`` as
``ledger.credentials``; other capabilities take it as a constructor argument. Its parts, one
module each:

* ``keys``: issuers' signing keys -- provisioning, rotation, compromise, signing;
* ``status_lists``: status list entries, status bits and the signed status lists;
* ``subject_identifiers``: workers' sealed ID-number hashes, for full credentials, and the
  per-credential pseudonyms public ones carry;
* ``documents``: certificates' credentials, built from events, signed, issued;
* ``controllers``: issuers' controller (DID) documents and resolution against the ledger;
* ``verification``: online verification, with the issuer and ledger record checks;

with the pure builders in ``credential_document`` and ``achievements`` (what a certificate's
``achievement`` is and requires), the earlier ``editions`` of a certificate's credential, the
encrypted ``key_store`` and the ``ledger_record_check``.
"""

from __future__ import annotations

from service.config import Settings
from service.credentials.controllers import Controllers
from service.credentials.credential_document import (
    DEFAULT_BASE_URL,
    CredentialUrls,
    SignedDocument,
)
from service.credentials.documents import CertificateCredentials
from service.credentials.key_store import KeyStore
from service.credentials.keys import SIGNING_KINDS, CredentialUnavailable, Keys
from service.credentials.status_lists import (
    STATUS_LIST_MAX_AGE,
    StatusAllocationBatch,
    StatusLists,
    StatusReservation,
)
from service.credentials.subject_identifiers import SubjectIdentifiers
from service.credentials.verification import Verification
from service.ledger_store import LedgerStore

__all__ = [
    "SIGNING_KINDS",
    "STATUS_LIST_MAX_AGE",
    "CredentialUnavailable",
    "Credentials",
    "SignedDocument",
    "StatusAllocationBatch",
    "StatusReservation",
]


class Credentials:
    """The credentials capability: what other capabilities, the API, pages and CLI call.

    ``identity_key`` is the ledger's identity secret (``Settings.identity_key``), from which
    the subject identifiers' sealing key is derived; ``settings`` (default: the ledger's)
    give the base URL of every public identifier and the key store.
    """

    def __init__(
        self, ledger: LedgerStore, *, identity_key: bytes, settings: Settings | None = None
    ) -> None:
        settings = settings or ledger.settings
        self.credential_urls = CredentialUrls(settings.base_url or DEFAULT_BASE_URL)
        """Identifiers under the settings' base URL (``CRAFTLEDGER_BASE_URL``; default
        ``http://127.0.0.1:8000``): the one base of every public URL the service builds."""
        urls = self.credential_urls
        self._keys = keys = Keys(ledger, urls, settings)
        self._status_lists = status_lists = StatusLists(ledger, urls, keys)
        self._identifiers = identifiers = SubjectIdentifiers(ledger, identity_key)
        self._documents = documents = CertificateCredentials(
            ledger, urls, keys, status_lists, identifiers
        )
        controllers = Controllers(
            ledger, urls, status_lists.served_status_list_credential, settings
        )
        verification = Verification(ledger, urls, keys, controllers, documents)

        # keys
        self.provision_signing_key = keys.provision_signing_key
        self.rotate_signing_key = keys.rotate_signing_key
        self.mark_key_compromised = keys.mark_key_compromised
        self.signing_key_for = keys.signing_key_for
        self.sign_credential = keys.sign_credential
        self.ledger_issuer_id = keys.ledger_issuer_id
        # status lists
        self.status_lists = status_lists
        """The issuers' status lists (``list_size``: entries drawn from in each, which a test
        or benchmark shrinks to fill a list)."""
        self.allocation_of = status_lists.allocation_of
        self.status_list = status_lists.status_list
        self.reserve_status_list_entries = status_lists.reserve_status_list_entries
        self.allocate_status_list_entries = status_lists.allocate_status_list_entries
        self.credential_records_for = status_lists.credential_records_for
        self.ensure_status_list_entries = status_lists.ensure_status_list_entries
        self.status_list_updates_for = status_lists.status_list_updates_for
        self.status_list_credential = status_lists.status_list_credential
        self.served_status_list_credential = status_lists.served_status_list_credential
        # subject identifiers
        self.subject_identifier_for = identifiers.subject_identifier_for
        self.holder_identifier = identifiers.holder_identifier
        self.subject_pseudonym = identifiers.pseudonym
        # certificates' credentials
        self.unsigned_certificate_credential = documents.unsigned_certificate_credential
        self.certificate_credential = documents.certificate_credential
        self.served_certificate_credential = documents.served_certificate_credential
        self.certificate_parties = documents.certificate_parties
        self.certificate_credentials = documents.certificate_credentials
        self.signed_certificate_credentials = documents.signed_certificate_credentials
        self.record_issue = documents.record_issue
        # controller documents and verification
        self.controller_document = controllers.controller_document
        self.served_controller_document = controllers.served_controller_document
        self.verify_credential = verification.verify_credential
        self.verify_presentation = verification.verify_presentation

    @property
    def key_store(self) -> KeyStore:
        """The encrypted key store of this configuration, opened on first use."""
        return self._keys.key_store

    def close(self) -> None:
        """Close the key store, if it was opened."""
        self._keys.close()
