"""Bearer tokens (API tokens) granted straight through the ledger."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from domain.api_token import Role
from service.ledger import Ledger


def grant(
    ledger: Ledger,
    role: Role,
    *,
    organisation: UUID | None = None,
    worker: UUID | None = None,
    label: str = "test",
    **options: Any,
) -> tuple[UUID, str]:
    """A new token of ``role``, bound to ``organisation`` or ``worker`` where the role needs
    it (``options``: e.g. ``expires_in_days``); its id and its secret."""
    secret = secrets.token_urlsafe(32)
    recorded = ledger.tokens.grant_token(
        token=secret,
        role=role,
        organisation_id=organisation,
        worker_id=worker,
        label=label,
        actor="test",
        **options,
    )
    return recorded.aggregate.id, secret


def bearer(secret: str) -> dict[str, str]:
    """The ``Authorization`` header presenting ``secret``."""
    return {"Authorization": f"Bearer {secret}"}
