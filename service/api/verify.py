"""The public certificate check, shaped like the national query (全国联网查询).

``POST /api/v1/verify`` with ``{"number", "name", "id_number"}`` answers ``valid``,
``suspended``, ``revoked`` or ``not_found``. The ID number travels only in the body (never in a
URL, so it stays out of access logs). A wrong name or a wrong ID number answers ``not_found``
exactly like an unknown number, without saying which part failed, so the check cannot be used to
discover who holds a number or what a holder's ID is; the same work (a read-model lookup, hashing
an ID number) is done on every path (``service.national_query``). The check reads the directory
read model, never the event store's aggregates, and writes nothing; ``log_position`` says which
log position it reflected. The endpoint is rate-limited per client address (``VERIFY_RATE_LIMIT``,
default ``30 per minute``): 429 with ``Retry-After`` beyond it.
"""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from marshmallow import validate

from service.api.auth import access
from service.api.fields import id_kind_field, id_number_field, text
from service.api.openapi import Blueprint
from service.app_services import current_audit, national_query

blp = Blueprint(
    "verify",
    __name__,
    url_prefix="/api/v1/verify",
    description="The public, rate-limited certificate check (number + name + ID number).",
)

log = logging.getLogger(__name__)

RESULTS = ["valid", "suspended", "revoked", "not_found"]


class VerifyRequestSchema(ma.Schema):
    number = ma.fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "the 22-character certificate number"},
    )
    name = text(100, required=True, description="the holder's name as on the certificate")
    id_number = id_number_field("the holder's identity document number")
    id_kind = id_kind_field()


class VerifiedCertificateSchema(ma.Schema):
    number = ma.fields.String(required=True)
    holder_name = ma.fields.String(required=True)
    masked_id_number = ma.fields.String(required=True)
    issuer_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    level_name = ma.fields.String(required=True)
    issued_on = ma.fields.String(required=True, metadata={"format": "date"})


class VerifyResultSchema(ma.Schema):
    result = ma.fields.String(required=True, validate=validate.OneOf(RESULTS))
    checked_at = ma.fields.DateTime(required=True)
    log_position = ma.fields.Integer(
        required=True,
        metadata={"description": "the log position the read model checked had applied"},
    )
    certificate = ma.fields.Nested(
        VerifiedCertificateSchema,
        required=True,
        allow_none=True,
        metadata={"description": "the certificate checked; null when not_found"},
    )
    log_inclusion = ma.fields.Dict(
        allow_none=True,
        metadata={
            "description": "the issuance event in the transparency log: position, leaf_index, "
            "tree_head (signed, RFC 6962 names) and inclusion_proof (leaf_index, tree_size, "
            "leaf_hash, audit_path); verify offline with craftledger audit check-proof. Null "
            "when the log cannot answer now (no signed head covers the issuance yet: the "
            "background signs one within AUDIT_HEAD_INTERVAL_SECONDS); absent when not_found"
        },
    )


def _log_inclusion(number: str) -> dict[str, Any] | None:
    try:
        return current_audit().proofs.certificate_inclusion(number)
    except Exception:  # the log cannot answer now: the check itself still stands
        log.warning("no log inclusion proof for a verified certificate", exc_info=True)
        return None


@blp.route("", methods=["POST"])
@access(
    public="rate-limited",
    admin="rate-limited",
    issuer="rate-limited",
    organiser="rate-limited",
    auditor="rate-limited",
    worker="rate-limited",
)
@blp.command(VerifyRequestSchema, VerifyResultSchema, errors=(429,), log_position=False)
def verify(body: dict[str, Any]) -> Any:
    """Check a certificate by number, holder name and ID number."""
    answer = national_query().check(
        body["number"], body["name"], body["id_number"], body["id_kind"]
    )
    certificate = answer.certificate
    if certificate is None:
        return {
            "result": "not_found",
            "checked_at": answer.checked_at,
            "log_position": answer.log_position,
            "certificate": None,
        }
    return {
        "result": answer.result,
        "checked_at": answer.checked_at,
        "log_position": answer.log_position,
        "log_inclusion": _log_inclusion(certificate.number),
        "certificate": {
            "number": certificate.number,
            "holder_name": certificate.holder_name,
            "masked_id_number": certificate.masked_id_number,
            "issuer_name": certificate.issuer_name,
            "occupation_code": certificate.occupation_code,
            "occupation_name": certificate.occupation_name,
            "level": certificate.level,
            "level_name": certificate.level_name,
            "issued_on": certificate.issued_on,
        },
    }
