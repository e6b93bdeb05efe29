"""API tokens: admins grant and revoke them; any token can see (and revoke) itself.

A token is shown once, in the answer that creates it; the ledger keeps only its SHA-256 hash,
and both its creation and its revocation are events in the log. A non-admin token expires after
``CRAFTLEDGER_TOKEN_DAYS`` (default 90) unless ``expires_in_days`` says otherwise; an admin token
lasts until revoked unless given ``expires_in_days``. ``last_used_at`` comes from a side table
written at most once a minute per token (``service.tokens.usage``), never from events.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.api_token import TOKEN_ROLES, ApiToken, Role
from service.api.auth import access, current_principal, forbidden, token_usage
from service.api.fields import LoadedCode, ReasonSchema, text
from service.api.openapi import Blueprint, located_at
from service.app_services import ledger
from service.config import MAX_TOKEN_DAYS

blp = Blueprint(
    "tokens",
    __name__,
    url_prefix="/api/v1/tokens",
    description="Bearer tokens: grant (admin), inspect, revoke.",
)

ROLES = [role.value for role in TOKEN_ROLES]


class CreateTokenSchema(ma.Schema):
    role = LoadedCode(Role, required=True, validate=validate.OneOf(ROLES))
    organisation_id = ma.fields.UUID(
        load_default=None, allow_none=True, metadata={"description": "issuer, organiser: required"}
    )
    worker_id = ma.fields.UUID(
        load_default=None, allow_none=True, metadata={"description": "worker: required"}
    )
    label = text(100, load_default="", min_length=0)
    expires_in_days = ma.fields.Integer(
        load_default=None,
        allow_none=True,
        strict=True,
        validate=validate.Range(min=1, max=MAX_TOKEN_DAYS),
        metadata={
            "description": "days until the token expires; default: the server's "
            "CRAFTLEDGER_TOKEN_DAYS (90) for non-admin tokens, never for admin tokens"
        },
    )


class TokenSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    organisation_id = ma.fields.UUID(required=True, allow_none=True)
    worker_id = ma.fields.UUID(required=True, allow_none=True)
    label = ma.fields.String(required=True)
    revoked = ma.fields.Boolean(required=True)
    expires_at = ma.fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "when the token stops working (UTC); null: until revoked"},
    )
    last_used_at = ma.fields.DateTime(
        required=True,
        allow_none=True,
        metadata={
            "description": "when the token was last used (UTC, to within a minute); null: "
            "not since last-use records began"
        },
    )


class NewTokenSchema(TokenSchema):
    token = ma.fields.String(
        required=True, metadata={"description": "the bearer token; shown only this once"}
    )


def view(grant: ApiToken) -> dict[str, Any]:
    return {
        "id": grant.id,
        "role": grant.role.value,
        "organisation_id": grant.organisation_id,
        "worker_id": grant.worker_id,
        "label": grant.label,
        "revoked": grant.revoked,
        "expires_at": grant.expires_at,
        "last_used_at": token_usage().last_used(grant.id),
    }


LOCATION = located_at("tokens.get_token", "token_id")


@blp.route("", methods=["POST"])
@access(admin="any role")
@blp.command(CreateTokenSchema, NewTokenSchema, status=201, location=LOCATION)
def create_token(body: dict[str, Any]) -> Any:
    """Grant a new token (issuer and organiser need organisation_id, worker needs worker_id)."""
    token = secrets.token_urlsafe(32)
    recorded = ledger().tokens.grant_token(token=token, **body, actor=current_principal().actor)
    return recorded, {**view(recorded.aggregate), "token": token}


@blp.route("/current", methods=["GET"])
@access(
    admin="itself",
    issuer="itself",
    organiser="itself",
    auditor="itself",
    worker="itself",
)
@blp.query(TokenSchema, errors=())
def current_token() -> Any:
    """The grant behind the token making this request (role, binding, expiry, last use)."""
    return view(ledger().api_token(current_principal().token_id))  # type: ignore[arg-type]


@blp.route("/<uuid:token_id>", methods=["GET"])
@access(admin="any token", auditor="any token")
@blp.query(TokenSchema)
def get_token(token_id: UUID) -> Any:
    """A token's grant (never the token itself)."""
    return view(ledger().api_token(token_id))


@blp.route("/<uuid:token_id>/revoke", methods=["POST"])
@access(
    admin="any token",
    issuer="only itself",
    organiser="only itself",
    auditor="only itself",
    worker="only itself",
)
@blp.command(ReasonSchema, TokenSchema, view=view)
def revoke_token(body: dict[str, Any], token_id: UUID) -> Any:
    """Revoke a token: it stops working at once."""
    principal = current_principal()
    if not principal.is_(Role.ADMIN) and principal.token_id != token_id:
        raise forbidden("a token may revoke only itself")
    return ledger().tokens.revoke_token(token_id, **body, actor=principal.actor)
