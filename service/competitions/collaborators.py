"""What the competitions capability asks of the capabilities it is composed with.

Typed as protocols so that ``service.competitions`` imports none of them (no import circles):
``Ledger.__init__`` passes the ``credentials`` capability; what it asks of ``certificates`` and
``workers`` is shared with evaluations: ``service.capabilities``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.certificate import Certificate
from domain.organisation import Organisation
from domain.status_list_allocation import StatusListAllocation
from service.commands import Recorded
from service.credentials.credential_document import CredentialUrls

__all__ = ["CredentialIssuer", "StatusEntries"]


class StatusEntries(Protocol):
    """A batch of newly allocated status-list entries: the aggregates to save with them."""

    @property
    def aggregates(self) -> Sequence[Aggregate]: ...


class CredentialIssuer(Protocol):
    """Status lists, holder identifiers and signing (``ledger.credentials``)."""

    @property
    def credential_urls(self) -> CredentialUrls: ...

    def allocate_status_list_entries(
        self,
        issuer_id: UUID,
        subjects: Sequence[str],
        *,
        at: datetime,
        actor: str,
        new_subjects: bool = False,
    ) -> StatusEntries: ...

    def allocation_of(self, issuer_id: UUID, subject: str) -> StatusListAllocation | None: ...

    def holder_identifier(self, worker_id: UUID) -> Any: ...

    def sign_credential(
        self, organisation: Organisation, document: dict[str, Any], at: datetime
    ) -> dict[str, Any]: ...

    def record_issue(
        self,
        issuer: Organisation,
        certificates: Sequence[Certificate],
        main: Aggregate,
        *others: Aggregate,
        actor: str,
    ) -> Recorded: ...
