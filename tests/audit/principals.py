"""Tokens for the audit tests: a run of grants (one event each), and a token of every role."""

from __future__ import annotations

from uuid import UUID

from domain.api_token import Role
from service.ledger import Ledger
from tests.factories.organisations import file_employer, file_union
from tests.factories.people import hire
from tests.factories.tokens import bearer, grant


def grant_tokens(ledger: Ledger, count: int) -> None:
    """Append exactly ``count`` events (one ``ApiToken.Granted`` each)."""
    for _ in range(count):
        grant(ledger, Role.AUDITOR, label="audit test")


def token_for(
    ledger: Ledger, role: Role, organisation: UUID | None = None, worker: UUID | None = None
) -> dict[str, str]:
    """Request headers presenting a new token of ``role``."""
    return bearer(grant(ledger, role, organisation=organisation, worker=worker)[1])


def headers_for_every_role(ledger: Ledger) -> dict[str, dict[str, str]]:
    """Request headers for the public and a token of every role (bound where a role must be)."""
    body = file_employer(ledger, code="11-Y-990001", prefix="Y000011990001")
    union = file_union(ledger, "11-U-990002")
    worker = hire(ledger, body, 901)
    return {
        "public": {},
        "admin": token_for(ledger, Role.ADMIN),
        "issuer": token_for(ledger, Role.ISSUER, organisation=body.id),
        "organiser": token_for(ledger, Role.ORGANISER, organisation=union),
        "auditor": token_for(ledger, Role.AUDITOR),
        "worker": token_for(ledger, Role.WORKER, worker=worker),
    }
