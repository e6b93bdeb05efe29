"""Who is calling (调用方): a role with its binding (organisation or worker), or the public --
shared by the API's authentication and the pages' sign-in. A machine calls with a token
(``token_id``); a person signs in to the pages with an account (``account_id``,
``service.pages.people``)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import g

from domain.api_token import Role

__all__ = ["PUBLIC", "PUBLIC_PRINCIPAL", "Principal", "current_principal"]

PUBLIC = "public"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role with its binding, or the public (``role is None``)."""

    role: Role | None = None
    token_id: UUID | None = None
    organisation_id: UUID | None = None
    worker_id: UUID | None = None
    account_id: UUID | None = None
    competition_id: UUID | None = None  # a judge's one competition

    @property
    def is_public(self) -> bool:
        return self.role is None

    @property
    def role_name(self) -> str:
        return self.role.value if self.role else PUBLIC

    @property
    def actor(self) -> str:
        """The actor recorded in events: ``"issuer:<token id>"`` for a machine's token,
        ``"issuer:person:<account id>"`` for a signed-in person."""
        if self.role is None:
            return PUBLIC
        if self.account_id is not None:
            return f"{self.role.value}:person:{self.account_id}"
        return f"{self.role.value}:{self.token_id}"

    @property
    def idempotency_scope(self) -> str:
        if self.account_id is not None:
            return f"person:{self.account_id}"
        return f"token:{self.token_id}" if self.token_id else PUBLIC

    def is_(self, *roles: Role) -> bool:
        return self.role in roles

    def acts_for(self, organisation_id: UUID | None) -> bool:
        """Whether this principal is bound to ``organisation_id`` (issuer or organiser)."""
        return (
            self.role in (Role.ISSUER, Role.ORGANISER)
            and organisation_id is not None
            and self.organisation_id == organisation_id
        )

    def judges(self, competition_id: UUID) -> bool:
        """Whether this principal is a judge of ``competition_id`` (a judge may read that
        competition and mark it as its panels let them, nothing else)."""
        return self.role is Role.JUDGE and self.competition_id == competition_id


PUBLIC_PRINCIPAL = Principal()


def current_principal() -> Principal:
    """Who this request is from, as authentication resolved it (the public if nobody)."""
    return g.get("principal", PUBLIC_PRINCIPAL)  # type: ignore[no-any-return]
