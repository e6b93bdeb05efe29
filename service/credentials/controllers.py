"""Controller (DID) documents, and resolution for verifying against this ledger.

An issuer's ``did:web`` identifier resolves to ``{base}/organisations/{id}/did.json``: every key
it ever published, with its window (``controller_document``). Verifying online, identifiers
under the ledger's base URL (its issuers' DIDs, its status lists) are resolved here, from the
ledger, never over HTTP. Any other issuer's ``did:web`` document and status lists are fetched
(``resolvers``): public addresses only unless ``CRAFTLEDGER_VERIFY_FETCH_PRIVATE``, each fetch
within ``CRAFTLEDGER_VERIFY_FETCH_TIMEOUT`` seconds and 1 MiB, at most ``MAX_FETCHES`` fetches
and ``MAX_FETCH_SECONDS`` per verification (a presentation and its credentials share them).
What cannot be fetched leaves its check unknown, never passed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from service.commands import NotFound
from service.config import Settings
from service.credentials.credential_document import (
    CredentialUrls,
    SignedDocument,
    controller_document,
)
from service.credentials.signed_cache import SignedDocuments, SignedEntry
from service.ledger_store import LedgerStore
from service.signing.credential_verifier import (
    ControllerResolver,
    ResolutionError,
    StatusListResolver,
)
from service.signing.web_resolvers import WebFetcher

MAX_FETCHES = 8
MAX_FETCH_SECONDS = 10.0
MAX_FETCH_BYTES = 1024 * 1024

__all__ = ["Controllers"]


class Controllers:
    """Issuers' controller documents, and the resolvers of this ledger's identifiers."""

    def __init__(
        self,
        ledger: LedgerStore,
        urls: CredentialUrls,
        status_list_credential: Callable[[UUID, str, int], SignedDocument],
        settings: Settings,
    ) -> None:
        self._ledger = ledger
        self._urls = urls
        self._settings = settings
        self._status_list_credential = status_list_credential
        self.served = SignedDocuments(ledger)
        """Controller documents served, kept until an event of their organisation."""

    def controller_document(self, organisation_id: UUID) -> dict[str, Any]:
        """The organisation's did.json: every key it ever published, with its window."""
        organisation = self._ledger.organisation(organisation_id)
        return controller_document(
            self._urls, organisation.id, list(organisation.signing_keys.values())
        )

    def served_controller_document(self, organisation_id: UUID) -> SignedDocument:
        """``SignedDocument.of(controller_document(organisation_id))``, kept until an event of
        the organisation (``service.credentials.signed_cache``)."""

        def build() -> SignedEntry:
            document = self.controller_document(organisation_id)
            return SignedEntry(SignedDocument.of(document), frozenset({organisation_id}))

        return self.served.get(organisation_id, build)

    def resolve_controller(self, controller_id: str) -> Mapping[str, Any]:
        """The controller document of one of this ledger's organisations."""
        organisation_id = self._urls.organisation_id_of(controller_id)
        if organisation_id is None:
            raise ResolutionError(f"{controller_id} is not an organisation of this ledger")
        return self.served_controller_document(organisation_id).document

    def resolve_status_list(self, url: str) -> Mapping[str, Any]:
        """The signed status list at one of this ledger's status list URLs."""
        named = self._urls.status_list_of(url)
        if named is None:
            raise ResolutionError(f"{url} is not a status list of this ledger")
        try:
            return self._status_list_credential(*named).document
        except NotFound as error:  # a numbered list not opened (yet)
            raise ResolutionError(f"{url}: {error}") from None

    def fetcher(self) -> WebFetcher | None:
        """A fetcher for one verification, as configured; None when fetching is off."""
        timeout = self._settings.verify_fetch_timeout
        if not timeout:
            return None
        return WebFetcher(
            timeout=timeout,
            max_bytes=MAX_FETCH_BYTES,
            public_only=not self._settings.verify_fetch_private,
            max_fetches=MAX_FETCHES,
            total_seconds=MAX_FETCH_SECONDS,
        )

    def resolvers(
        self, fetcher: WebFetcher | None
    ) -> tuple[ControllerResolver, StatusListResolver]:
        """Controller and status list resolvers: the ledger's own identifiers from the ledger,
        any other through ``fetcher`` (None: not at all)."""

        def remote(identifier: str) -> WebFetcher:
            if fetcher is None:
                raise ResolutionError(f"{identifier} is not fetched: fetching is turned off here")
            return fetcher

        def controller(identifier: str) -> Mapping[str, Any]:
            if self._urls.names_this_ledger(identifier):
                return self.resolve_controller(identifier)
            return remote(identifier).controller(identifier)

        def status_list(url: str) -> Mapping[str, Any]:
            if self._urls.names_this_ledger(url):
                return self.resolve_status_list(url)
            return remote(url)(url)

        return controller, status_list
