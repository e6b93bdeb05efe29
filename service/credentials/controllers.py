"""Controller (DID) documents and resolution against this ledger.

An issuer's ``did:web`` identifier resolves to ``{base}/organisations/{id}/did.json``: every key
it ever published, with its window (``controller_document``). Verifying online, the verifier
resolves controllers and status lists here, from the ledger, instead of over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from uuid import UUID

from service.credentials.credential_document import (
    CredentialUrls,
    SignedDocument,
    controller_document,
)
from service.ledger_store import LedgerStore
from service.signing.credential_verifier import ResolutionError

__all__ = ["Controllers"]


class Controllers:
    """Issuers' controller documents, and the resolvers of this ledger's identifiers."""

    def __init__(
        self,
        ledger: LedgerStore,
        urls: CredentialUrls,
        status_list_credential: Callable[[UUID, str], SignedDocument],
    ) -> None:
        self._ledger = ledger
        self._urls = urls
        self._status_list_credential = status_list_credential

    def controller_document(self, organisation_id: UUID) -> dict[str, Any]:
        """The organisation's did.json: every key it ever published, with its window."""
        organisation = self._ledger.organisation(organisation_id)
        return controller_document(
            self._urls, organisation.id, list(organisation.signing_keys.values())
        )

    def resolve_controller(self, controller_id: str) -> Mapping[str, Any]:
        """The controller document of one of this ledger's organisations."""
        organisation_id = self._urls.organisation_id_of(controller_id)
        if organisation_id is None:
            raise ResolutionError(f"{controller_id} is not an organisation of this ledger")
        return self.controller_document(organisation_id)

    def resolve_status_list(self, url: str) -> Mapping[str, Any]:
        """The signed status list at one of this ledger's status list URLs."""
        named = self._urls.status_list_of(url)
        if named is None:
            raise ResolutionError(f"{url} is not a status list of this ledger")
        return self._status_list_credential(*named).document
