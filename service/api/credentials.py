"""Verifiable credentials over HTTP: signed certificates, issuer keys, status lists, verifying.

=====================================================  ========================================
``GET /api/v1/certificates/{number}/credential``       the certificate's signed credential
                                                       (``application/vc`` or JSON by Accept)
``POST /credentials/verify``                           VC-API-shaped verification, any issuer
``POST /presentations/verify``                         a presentation: holder, each credential
``GET /organisations/{id}/did.json``                   the issuer's controller document
``GET /api/v1/status-lists/{org_id}/{purpose}``        the signed BitstringStatusListCredential
                                                       (message, revocation, suspension): list 1
``GET /api/v1/status-lists/{org_id}/{purpose}/{n}``    the issuer's list ``n`` (from 2), opened
                                                       when the one before filled
``GET /contexts/craftledger/v1``                       craftledger's JSON-LD context (immutable)
=====================================================  ========================================

A credential from any issuer the verifier can resolve (``did:key``; ``did:web`` fetched, see
``service.credentials.controllers``) verifies; whether its issuer is filed here
(``issuer_filed``) is checked only for a credential claiming this ledger.

Documents are served as their RFC 8785 canonical bytes: the same events always give the same
bytes, so each answer has a strong ``ETag`` and ``If-None-Match`` answers 304. The credential
comes in two disclosures: ``full`` (holder, issuing body, admin, auditor: full name and the
salted ID number hash) and ``public`` (anyone else: masked name, no hash).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import Response, g, request
from marshmallow import validate
from webargs import core

from service.api.auth import ANYONE, access, forbidden
from service.api.certificates import read_certificate, sees_full
from service.api.openapi import Blueprint, signed_document_responses
from service.api.problems import Problem, validation_problem
from service.app_services import current_audit, ledger, services
from service.credentials import CredentialUnavailable, SignedDocument
from service.credentials.jsonld_contexts import (
    CRAFTLEDGER_CONTEXT_PATH,
    CRAFTLEDGER_V1,
    context_bytes,
)
from service.ledger import NotFound
from service.signing.canonical_json import JSONValueError, parse_strict
from service.signing.status_list import LIST_PURPOSES

blp = Blueprint(
    "credentials",
    __name__,
    description="Verifiable credentials (W3C VC 2.0, Open Badges 3.0, Data Integrity "
    "eddsa-jcs-2022): signed certificates, issuers' controller documents (did:web) with every "
    "key and its validity, Bitstring Status Lists, and verification.",
)

VC_MEDIA_TYPES = ("application/vc", "application/vc+ld+json")
DID_MEDIA_TYPES = ("application/did+json", "application/did+ld+json")
PUBLIC_MAX_AGE = 300
EVERYONE = {
    "public": "the public disclosure",
    "admin": "the full disclosure",
    "auditor": "the full disclosure",
    "issuer": "full disclosure of its own certificates, public of others",
    "organiser": "the public disclosure",
    "worker": "full disclosure of its own certificates, public of others",
}


# -- schemas --------------------------------------------------------------------------------


class CredentialArgs(ma.Schema):
    disclosure = ma.fields.String(
        validate=validate.OneOf(["full", "public"]),
        metadata={
            "description": "full (holder, issuing body, admin, auditor) or public; default: "
            "the fullest the caller may see"
        },
    )


class VerifyCredentialSchema(ma.Schema):
    verifiableCredential = ma.fields.Dict(
        required=True, metadata={"description": "the credential to verify, with its proof"}
    )
    options = ma.fields.Dict(
        load_default=dict, metadata={"description": "VC-API options (none are needed)"}
    )


MAX_PRESENTED = 20
"""Credentials one presentation may carry (each may cost fetches)."""


class PresentationOptionsSchema(ma.Schema):
    challenge = ma.fields.String(
        validate=validate.Length(min=1, max=512),
        metadata={"description": "the challenge the holder's proof must carry (anti-replay)"},
    )
    domain = ma.fields.String(
        validate=validate.Length(min=1, max=512),
        metadata={"description": "the domain the holder's proof must carry"},
    )


def _few_credentials(presentation: dict[str, Any]) -> None:
    presented = presentation.get("verifiableCredential", [])
    if isinstance(presented, list) and len(presented) > MAX_PRESENTED:
        raise ma.ValidationError(
            f"verifiableCredential: at most {MAX_PRESENTED} credentials per presentation"
        )


class VerifyPresentationSchema(ma.Schema):
    verifiablePresentation = ma.fields.Dict(
        required=True,
        validate=_few_credentials,
        metadata={
            "description": "the presentation (VC DM 2.0 §4.13): holder, verifiableCredential "
            f"(at most {MAX_PRESENTED}) and the holder's proof (eddsa-jcs-2022, proofPurpose "
            "authentication)"
        },
    )
    options = ma.fields.Nested(PresentationOptionsSchema, load_default=dict)


class VerificationResultSchema(ma.Schema):
    verified = ma.fields.Boolean(
        required=True,
        metadata={"description": "true when the signature and every other check passed"},
    )
    checks = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={
            "description": "each check: {check, status (passed, failed, unknown, skipped), "
            "detail, ...}: signature (every proof of the proof set in proofs: index, "
            "cryptosuite, verificationMethod, created, status (verified, failed, unsupported), "
            "reason; it passes only if every proof verified), data_model (the VC Data Model "
            "2.0 MUSTs broken, each "
            "named by its rule in violations), key_valid_at_created, issuer_binding, "
            "validity_dates, status, issuer_filed, ledger_record (a credential naming one of "
            "this ledger's certificates is the one the ledger issued, status entries "
            "included), log_inclusion (the issuance event's RFC 9162 inclusion "
            "proof against a signed tree head, in its log_inclusion field). A failed "
            "signature skips the rest; a check that cannot be made (a key or a status list "
            "that cannot be fetched or verified) is unknown, never valid."
        },
    )
    errors = ma.fields.List(
        ma.fields.Dict(), required=True, metadata={"description": "failed or unknown checks"}
    )
    warnings = ma.fields.List(ma.fields.Dict(), required=True)


class PresentationResultSchema(VerificationResultSchema):
    checks = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={
            "description": "each check of the presentation: data_model, signature (the "
            "holder's proof, for authentication), challenge and domain (those asked for in "
            "options, carried by the proof; skipped when none was asked), holder_binding (the "
            "holder controls the signing key), subject_binding (each credential naming a "
            "credentialSubject.id names the holder), credentials (every credential verified)"
        },
    )
    credentialResults = ma.fields.List(
        ma.fields.Dict(),
        required=True,
        metadata={
            "description": "each embedded credential's result, in order, as "
            "POST /credentials/verify answers it"
        },
    )


DOCUMENT_RESPONSES = signed_document_responses("the document (RFC 8785 canonical JSON)")


# -- helpers ----------------------------------------------------------------------------------


def media_type(default: str, alternatives: tuple[str, ...]) -> str:
    best = request.accept_mimetypes.best_match([default, *alternatives], default=default)
    return best or default


def document_response(
    signed: SignedDocument, mimetype: str, cache_control: str, vary: str = "Accept"
) -> Response:
    response = Response(signed.body, mimetype=mimetype)
    if mimetype.endswith("json") or mimetype in VC_MEDIA_TYPES:
        response.charset = "utf-8"
    response.set_etag(signed.etag.strip('"'))
    response.headers["Cache-Control"] = cache_control
    response.headers["Vary"] = vary
    return response.make_conditional(request)


def _unavailable(error: CredentialUnavailable) -> Problem:
    return Problem(409, "credential-unavailable", str(error))


# -- views --------------------------------------------------------------------------------


@blp.route("/api/v1/certificates/<string:number>/credential", methods=["GET"])
@access(**EVERYONE)
@blp.arguments(CredentialArgs, location="query")
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404, 409)
def get_certificate_credential(args: dict[str, Any], number: str) -> Any:
    """The certificate as a signed verifiable credential (Open Badges 3.0
    ``AchievementCredential``, ``eddsa-jcs-2022``), built from the log: the same events always
    give the same bytes, signed once and served again until an event changes them.
    ``Accept: application/vc`` answers ``application/vc``, otherwise JSON.
    """
    credentials = ledger().credentials
    parties = read_certificate(number, credentials.certificate_parties)
    full_allowed = sees_full(parties)
    disclosure = args.get("disclosure") or ("full" if full_allowed else "public")
    if disclosure == "full" and not full_allowed:
        raise forbidden("only the holder, the issuing body, admins and auditors see the full one")
    try:
        signed = credentials.served_certificate_credential(number, disclosure)
    except CredentialUnavailable as error:
        raise _unavailable(error) from None
    cache = "private, no-cache" if disclosure == "full" else f"public, max-age={PUBLIC_MAX_AGE}"
    return document_response(
        signed,
        media_type("application/json", VC_MEDIA_TYPES),
        cache,
        "Accept, Authorization",
    )


@blp.route("/credentials/verify", methods=["POST"])
@access(**ANYONE)
@blp.command(VerifyCredentialSchema, VerificationResultSchema, errors=())
def verify_credential(body: dict[str, Any]) -> Any:
    """Verify a credential (VC-API ``POST /credentials/verify``) against this ledger: the
    VC Data Model 2.0 MUSTs, the issuer's keys (``did:key``, ``did:web``: this ledger's from
    the ledger, others' fetched) and their validity windows, the status lists, and, for a
    credential claiming this ledger, the issuer's filing and scope at issue time and that it is
    the credential the ledger issued (for any other credential ``issuer_filed`` is skipped: the
    ledger vouches only for its own). Every check is reported; ``verified`` is true only if
    all passed or were skipped.
    ``X-Log-Position`` is the log position the verification read."""
    position = ledger().log_position
    directory = services().directory
    report = ledger().credentials.verify_credential(
        body["verifiableCredential"],
        log_inclusion=current_audit().proofs.log_inclusion_check,
        certificate_row=directory.get_certificate if directory is not None else None,
    )
    answer = report.to_dict()
    answer["warnings"] = []
    return answer, 200, {"X-Log-Position": str(position)}


@blp.route("/presentations/verify", methods=["POST"])
@access(**ANYONE)
@blp.command(VerifyPresentationSchema, PresentationResultSchema, errors=())
def verify_presentation(body: dict[str, Any]) -> Any:
    """Verify a verifiable presentation (VC-API ``POST /presentations/verify``): the
    holder's proof (``authentication``) with the ``challenge`` and ``domain`` asked for in
    ``options``, that the holder signed it and is the subject of each credential naming one,
    and each embedded credential as ``POST /credentials/verify`` does (``credentialResults``).
    ``verified`` is true only if all passed. ``X-Log-Position`` is the log position read."""
    position = ledger().log_position
    directory = services().directory
    options = body["options"]
    report = ledger().credentials.verify_presentation(
        body["verifiablePresentation"],
        challenge=options.get("challenge"),
        domain=options.get("domain"),
        log_inclusion=current_audit().proofs.log_inclusion_check,
        certificate_row=directory.get_certificate if directory is not None else None,
    )
    return report.to_dict(), 200, {"X-Log-Position": str(position)}


@blp.route("/organisations/<uuid:organisation_id>/did.json", methods=["GET"])
@access(public="anyone")
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404)
def get_controller_document(organisation_id: UUID) -> Any:
    """The organisation's controller document (the ``did:web`` DID document its credentials'
    ``issuer`` names): every key it ever published as a ``Multikey`` with ``validFrom``,
    ``validUntil`` (rotated out) and ``revoked`` (compromised)."""
    return document_response(
        ledger().credentials.served_controller_document(organisation_id),
        media_type("application/json", DID_MEDIA_TYPES),
        f"public, max-age={PUBLIC_MAX_AGE}",
    )


@blp.route(CRAFTLEDGER_CONTEXT_PATH, methods=["GET"])
@access(public="anyone")
@blp.doc(
    responses={
        "200": {
            "description": "the context document, byte for byte the file shipped in the package",
            "content": {"application/ld+json": {"schema": {"type": "object"}}},
            "headers": {
                "Content-Digest": {
                    "description": "RFC 9530 ``sha-256=:<base64>:`` of the body",
                    "schema": {"type": "string"},
                },
                "ETag": {"description": "the body's sha-256, hex", "schema": {"type": "string"}},
            },
        },
        "304": {"description": "not modified (``If-None-Match``)"},
    }
)
def get_craftledger_context() -> Any:
    """craftledger's JSON-LD context, version 1: a term for every property craftledger adds to
    the documents it signs, under ``https://w3id.org/craftledger/vocab#``. Immutable: the bytes
    at this URL never change (a new term means a new version at a new URL), so it is cached for
    a year; its sha-256 is in ``ETag`` (hex) and ``Content-Digest`` and in
    docs/credential-data-model.md."""
    body = context_bytes(CRAFTLEDGER_V1)
    digest = hashlib.sha256(body).digest()
    response = Response(body, mimetype="application/ld+json")
    response.charset = "utf-8"
    response.set_etag(digest.hex())
    response.headers["Content-Digest"] = f"sha-256=:{base64.b64encode(digest).decode()}:"
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response.make_conditional(request)


@blp.route("/api/v1/status-lists/<uuid:organisation_id>/<string:purpose>", methods=["GET"])
@access(**ANYONE)
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404, 409)
def get_status_list(organisation_id: UUID, purpose: str) -> Any:
    """The issuer's first signed ``BitstringStatusListCredential`` for ``message`` (what
    credentials point at: 131,072 entries of 2 bits, 0 valid, 1 suspended, 2 revoked),
    ``revocation`` or ``suspension`` (131,072 bits each, for credentials issued with two
    entries). Cacheable: ETag, ``Cache-Control: public, max-age=300``; revoking, suspending or
    reinstating a certificate changes its entry in the next lists served. When it is 3/4 full
    the issuer's next list opens at ``…/{purpose}/2``, and so on."""
    return _status_list(organisation_id, purpose, 1)


@blp.route(
    "/api/v1/status-lists/<uuid:organisation_id>/<string:purpose>/<int:list_number>",
    methods=["GET"],
)
@access(**ANYONE)
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404, 409)
def get_numbered_status_list(organisation_id: UUID, purpose: str, list_number: int) -> Any:
    """The issuer's list number ``list_number`` (from 2; list 1 has no number in its URL) for
    ``purpose``, served, signed and cached as the first; 404 until it is opened."""
    if list_number < 2:
        raise NotFound(f"no status list {list_number}: list 1 is …/{purpose[:40]}, then 2, 3, …")
    return _status_list(organisation_id, purpose, list_number)


def _status_list(organisation_id: UUID, purpose: str, list_number: int) -> Any:
    if purpose not in LIST_PURPOSES:
        raise NotFound(f"no status list purpose {purpose[:40]!r}; use {', '.join(LIST_PURPOSES)}")
    try:
        signed = ledger().credentials.served_status_list_credential(
            organisation_id, purpose, list_number
        )
    except CredentialUnavailable as error:
        raise _unavailable(error) from None
    return document_response(
        signed,
        media_type("application/json", VC_MEDIA_TYPES),
        f"public, max-age={PUBLIC_MAX_AGE}",
    )


@blp.before_request
def read_verify_body() -> None:
    """The verify paths lie outside ``/api/``: read their body strictly here when the
    app-wide reader did not (a credential with floats or duplicate keys cannot verify)."""
    if request.method != "POST" or g.get("json_body", core.missing) is not core.missing:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    mimetype = request.mimetype
    if not (mimetype == "application/json" or mimetype.endswith("+json")):
        raise Problem(415, "unsupported-media-type", "send the body as application/json (UTF-8)")
    try:
        g.json_body = parse_strict(data)
    except JSONValueError as error:
        raise Problem(400, "malformed-json", str(error)) from None
    if not isinstance(g.json_body, dict):
        raise validation_problem(
            [{"location": "json", "pointer": "", "detail": "the body must be a JSON object"}]
        )
