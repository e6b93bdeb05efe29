"""Filing (备案) organisations and keeping their record: scope amendments, status changes and
published signing keys."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation
from domain.organisation import Organisation, OrganisationKind
from service.commands import Recorded, retried
from service.credentials import Credentials
from service.ledger_store import LedgerStore

__all__ = ["Organisations"]


class Organisations:
    """Commands on filed organisations (``ledger.organisations``); a filing provisions the
    body's first signing key through ``credentials``."""

    def __init__(self, ledger: LedgerStore, *, credentials: Credentials) -> None:
        self._ledger = ledger
        self._credentials = credentials

    @retried
    def file_organisation(
        self,
        *,
        filing_code: str,
        name: str,
        kind: OrganisationKind,
        province_code: str,
        evaluator_prefix: str | None = None,
        scope: dict[str, Any] | None = None,
        district_code: str | None = None,
        actor: str,
    ) -> Recorded:
        """File (备案) an organisation, with its district (区县) when given; refiling the same
        code is refused."""
        if self._ledger.exists(Organisation.create_id(filing_code=filing_code)):
            raise DomainRuleViolation("already-filed", f"filing code {filing_code} is taken")
        at = self._ledger.clock()
        organisation = Organisation.file(
            filing_code=filing_code,
            name=name,
            kind=kind,
            province_code=province_code,
            evaluator_prefix=evaluator_prefix,
            scope=scope or {},
            filed_at=at,
            actor=actor,
        )
        if district_code:
            organisation.record_district(district_code, at, actor)
        for code in organisation.scope:
            self._ledger.occupation(code)
        return self._credentials.provision_signing_key(self._ledger.record(organisation))

    @retried
    def amend_scope(
        self, organisation_id: UUID, scope: dict[str, Any], *, actor: str, reason: str
    ) -> Recorded:
        organisation = self._ledger.organisation(organisation_id)
        for code in scope:
            self._ledger.occupation(code)
        organisation.amend_scope(scope, self._ledger.clock(), actor, reason)
        return self._ledger.record(organisation)

    @retried
    def record_district(
        self, organisation_id: UUID, district_code: str, *, actor: str, reason: str
    ) -> Recorded:
        """Record or correct the body's district (区县代码), with a reason."""
        organisation = self._ledger.organisation(organisation_id)
        organisation.record_district(district_code, self._ledger.clock(), actor, reason)
        return self._ledger.record(organisation)

    @retried
    def change_organisation_status(
        self, organisation_id: UUID, action: str, *, actor: str, reason: str
    ) -> Recorded:
        """``action`` is suspend, reinstate or revoke."""
        organisation = self._ledger.organisation(organisation_id)
        getattr(organisation, action)(self._ledger.clock(), actor, reason)
        return self._ledger.record(organisation)

    @retried
    def add_signing_key(
        self, organisation_id: UUID, key_id: str, public_key_multibase: str, *, actor: str
    ) -> Recorded:
        organisation = self._ledger.organisation(organisation_id)
        organisation.add_signing_key(key_id, public_key_multibase, self._ledger.clock(), actor)
        return self._ledger.record(organisation)
