"""Issuers' signing keys (密钥): list, rotate, mark compromised.

The HR bureau (admin) rotates an issuer's key or records that one leaked; every answer lists the
keys and says what the change means for credentials already handed out, with how many
certificates a compromise touches (``service.credentials.key_report``).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from service.api.auth import access, current_principal
from service.api.fields import text
from service.api.openapi import Blueprint
from service.api.problems import field_errors
from service.app_services import caught_up_store, ledger
from service.commands import Recorded
from service.credentials.key_report import explain_compromise, explain_rotation, keys_report

blp = Blueprint(
    "keys",
    __name__,
    url_prefix="/api/v1/organisations",
    description="Issuers' signing keys: their windows, rotation and compromise.",
)


class KeySchema(ma.Schema):
    key_id = ma.fields.String(required=True)
    public_key_multibase = ma.fields.String(required=True)
    valid_from = ma.fields.DateTime(required=True)
    valid_until = ma.fields.DateTime(required=True, allow_none=True)
    compromised_at = ma.fields.DateTime(required=True, allow_none=True)
    state = ma.fields.String(
        required=True, validate=validate.OneOf(["current", "retired", "compromised"])
    )
    affected_credentials = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "compromised keys: credentials of this issuer (certificates issued, "
            "posts appointed) at or after the compromise time while this key signed (their "
            "earlier copies no longer verify); null for other keys"
        },
    )
    affected_by_kind = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(["certificates", "posts"])),
        values=ma.fields.Integer(),
        required=True,
        allow_none=True,
        metadata={"description": "affected_credentials by kind: certificates, posts"},
    )


class KeysSchema(ma.Schema):
    organisation_id = ma.fields.UUID(required=True)
    current_key_id = ma.fields.String(required=True, allow_none=True)
    keys = ma.fields.List(ma.fields.Nested(KeySchema), required=True)


class KeyChangeSchema(KeysSchema):
    key_id = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "the key rotated out or marked"}
    )
    affected_credentials = ma.fields.Integer(required=True)
    explanation = ma.fields.String(required=True)


class RotateSchema(ma.Schema):
    """A rotation takes no parameters (an empty JSON object)."""


class CompromiseSchema(ma.Schema):
    compromised_at = ma.fields.AwareDateTime(
        required=True,
        metadata={"description": "when the key leaked (not in the future, not before it existed)"},
    )
    reason = text(500, required=True, description="why; recorded in the event")


def _report(recorded_or_id: Recorded | UUID) -> dict[str, Any]:
    organisation = (
        recorded_or_id.aggregate
        if isinstance(recorded_or_id, Recorded)
        else ledger().organisation(recorded_or_id)
    )
    return keys_report(organisation, caught_up_store())


@blp.route("/<uuid:organisation_id>/keys", methods=["GET"])
@access(admin="any body", auditor="any body")
@blp.query(KeysSchema)
def list_keys(organisation_id: UUID) -> Any:
    """An issuer's signing keys, oldest first: window, state, credentials a compromise hit."""
    return _report(organisation_id)


@blp.route("/<uuid:organisation_id>/keys/rotate", methods=["POST"])
@access(admin="any body")
@blp.command(RotateSchema, KeyChangeSchema)
def rotate_key(body: dict[str, Any], organisation_id: UUID) -> Any:
    """Rotate: a new key signs from now on; the old one stays published with its window."""
    recorded = ledger().credentials.rotate_signing_key(
        organisation_id, actor=current_principal().actor
    )
    return recorded, explain_rotation(_report(recorded))


@blp.route("/<uuid:organisation_id>/keys/<string:key_id>/compromise", methods=["POST"])
@access(admin="any body")
@blp.command(CompromiseSchema, KeyChangeSchema)
def mark_key_compromised(body: dict[str, Any], organisation_id: UUID, key_id: str) -> Any:
    """Record that a key leaked at ``compromised_at``: its proofs from then on fail, the
    credentials it signed since are re-signed by a new key when next fetched."""
    with field_errors():
        recorded = ledger().credentials.mark_key_compromised(
            organisation_id,
            key_id,
            compromised_at=body["compromised_at"],
            actor=current_principal().actor,
            reason=body["reason"],
        )
    return recorded, explain_compromise(_report(recorded), key_id)
