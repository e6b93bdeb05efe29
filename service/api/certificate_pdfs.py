"""Certificates as signed PDF files, and the document-signing certificates that sign them.

==========================================================  =================================
``GET /api/v1/certificates/{number}/pdf``                   one certificate's signed PDF
``GET /api/v1/evaluations/{id}/certificates.zip``           a session's certificates' PDFs
``POST /api/v1/evaluations/{id}/certificate-archives``      the same ZIP made by a job (202)
``GET /api/v1/jobs/{job_id}/archive.zip``                   that job's finished ZIP
``GET /organisations/{id}/document-signing.pem``            the organisation's published
                                                            document-signing certificate(s)
``GET /document-signing-ca.pem``                            the ledger's document-signing CA
                                                            root, which certifies them
==========================================================  =================================

A PDF embeds the full-disclosure credential, so only those who see that (the holder, the
issuing body, admins, auditors) get it. docs/certificate-pdf.md says how to verify one.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from cryptography.hazmat.primitives.serialization import Encoding
from flask import Response, send_file, url_for
from marshmallow import validate

from domain.errors import DomainRuleViolation
from service.api.auth import access, current_principal, forbidden
from service.api.certificates import load, sees_full
from service.api.evaluations.blueprint import session_for_reading
from service.api.jobs import JobSchema, job_view, visible_job
from service.api.openapi import IDEMPOTENCY_KEY_PARAMETER, LOG_POSITION_HEADER, Blueprint
from service.api.problems import Problem
from service.app_services import ledger, submit_archive
from service.attachments import attachment
from service.certificate_pdf import ID_NUMBER_CHOICES, CertificatePdfs, MissingGlyphs
from service.certificate_pdf.archive import ARCHIVE_JOB, archive_path
from service.certificate_pdf.document_signing import published_certificates
from service.credentials import CredentialUnavailable
from service.ledger import NotFound

blp = Blueprint(
    "certificate_pdfs",
    __name__,
    description="Certificates as one-page PDF files in the layout of the national "
    "职业技能等级证书, the signed credential attached, signed (PAdES) by the issuing "
    "organisation's document-signing key, whose X.509 certificate the ledger publishes.",
)

PDF_RESPONSE = {
    "200": {
        "description": "the signed PDF",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class PdfArgs(ma.Schema):
    id_number = ma.fields.String(
        load_default="masked",
        validate=validate.OneOf(ID_NUMBER_CHOICES),
        metadata={
            "description": "how the ID number is shown: masked (110105********123X, the "
            "default), last4 (only the last four characters) or hidden"
        },
    )


def pdfs() -> CertificatePdfs:
    return CertificatePdfs(ledger())


def unavailable(error: Exception) -> Problem:
    return Problem(409, "pdf-unavailable", str(error))


@blp.route("/api/v1/certificates/<string:number>/pdf", methods=["GET"])
@access(
    admin="any certificate",
    auditor="any certificate",
    issuer="certificates of its own organisation",
    worker="its own certificates",
)
@blp.arguments(PdfArgs, location="query")
@blp.doc(responses=PDF_RESPONSE)
@blp.errors(404, 409, 422)
def get_certificate_pdf(args: dict[str, Any], number: str) -> Any:
    """The certificate as a signed one-page PDF: the full-disclosure credential attached as
    ``credential.json``, a PAdES signature by the issuing organisation's document-signing key
    (made and published on its first PDF). A certificate that is not valid has no PDF (422
    ``certificate-not-valid``)."""
    certificate = load(number)
    if not sees_full(certificate):
        raise forbidden("only the holder, the issuing body, admins and auditors get the PDF")
    try:
        body = pdfs().certificate_pdf(
            certificate.number, args["id_number"], actor=current_principal().actor
        )
    except (CredentialUnavailable, MissingGlyphs) as error:
        raise unavailable(error) from None
    return attachment(body, "application/pdf", f"{certificate.number}.pdf")


@blp.route("/api/v1/evaluations/<uuid:evaluation_id>/certificates.zip", methods=["GET"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.arguments(PdfArgs, location="query")
@blp.doc(
    responses={
        "200": {
            "description": "a ZIP of ``<number>.pdf`` files (and ``left-out.txt`` naming the "
            "certificates no longer valid)",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@blp.errors(404, 409)
def get_session_certificates_zip(args: dict[str, Any], evaluation_id: UUID) -> Any:
    """Every certificate the session issued, each as its signed PDF, in one ZIP."""
    evaluation = session_for_reading(evaluation_id)
    try:
        body = pdfs().session_zip(evaluation, args["id_number"], actor=current_principal().actor)
    except (CredentialUnavailable, MissingGlyphs) as error:
        raise unavailable(error) from None
    return attachment(body, "application/zip", f"certificates-{evaluation_id}.zip")


@blp.route("/api/v1/evaluations/<uuid:evaluation_id>/certificate-archives", methods=["POST"])
@access(admin="any session", auditor="any session", issuer="sessions of its own organisation")
@blp.arguments(PdfArgs, location="query")
@blp.response(
    202,
    JobSchema,
    headers={
        "Location": {"description": "the job to poll", "schema": {"type": "string"}},
        "X-Log-Position": LOG_POSITION_HEADER,
    },
)
@blp.doc(parameters=[IDEMPOTENCY_KEY_PARAMETER])
@blp.errors(400, 404, 413, 415, 422)
def start_certificate_archive(args: dict[str, Any], evaluation_id: UUID) -> Any:
    """Make the session's ZIP of signed PDFs as a job (a large session's takes minutes): poll
    ``Location``; when it has succeeded, ``GET /api/v1/jobs/{id}/archive.zip`` is the file
    (kept a day). Asking again while the job runs answers the same job."""
    evaluation = session_for_reading(evaluation_id)
    if evaluation.issued is None:
        raise DomainRuleViolation(
            "session-not-issued", "the session has issued no certificates yet"
        )
    job, _created = submit_archive(evaluation, current_principal().actor, args["id_number"])
    headers = {"Location": url_for("jobs.get_job", job_id=job.id)}
    headers["X-Log-Position"] = str(ledger().log_position)  # the state the archive is made of
    return job_view(job), 202, headers


@blp.route("/api/v1/jobs/<uuid:job_id>/archive.zip", methods=["GET"])
@access(admin="any job", auditor="any job", issuer="jobs of its own organisation")
@blp.doc(
    responses={
        "200": {
            "description": "the finished archive",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@blp.errors(404, 409)
def get_certificate_archive(job_id: UUID) -> Any:
    """A ``certificate-archive`` job's ZIP: 409 while it is not finished, 404 once swept."""
    job = visible_job(job_id)
    if job.kind != ARCHIVE_JOB:
        raise NotFound(f"job {job_id} makes no archive")
    if job.state != "succeeded":
        raise Problem(409, "job-not-finished", f"the job is {job.state}; poll it until it succeeds")
    path = archive_path(ledger(), job.id)
    if not path.exists():
        raise NotFound(f"the archive of job {job_id} is no longer kept")
    name = f"certificates-{job.params['evaluation_id']}.zip"
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)


@blp.route("/organisations/<uuid:organisation_id>/document-signing.pem", methods=["GET"])
@access(public="anyone")
@blp.doc(
    responses={
        "200": {
            "description": "PEM certificates, oldest first; the last signs new PDFs",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        }
    }
)
@blp.errors(404)
def get_document_signing_certificates(organisation_id: UUID) -> Any:
    """The X.509 certificates of the organisation's document-signing keys, as published in
    the log (``Organisation.DocumentSigningCertificatePublished``): what a PDF's signature is
    checked against. 404 until the organisation's first PDF was signed."""
    organisation = ledger().organisation(organisation_id)
    certificates = published_certificates(organisation)
    if not certificates:
        raise Problem(
            404, "not-found", f"{organisation.name} has published no document-signing certificate"
        )
    body = b"".join(certificate.public_bytes(Encoding.PEM) for certificate in certificates)
    response = Response(body, mimetype="application/x-pem-file")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@blp.route("/document-signing-ca.pem", methods=["GET"])
@access(public="anyone")
@blp.errors(404)
@blp.doc(
    responses={
        "200": {
            "description": "the PEM root certificate",
            "content": {"application/x-pem-file": {"schema": {"type": "string"}}},
        }
    }
)
def get_document_signing_ca() -> Any:
    """The ledger's document-signing CA root certificate: it certifies each organisation's
    document-signing key (the issuer of every certificate at
    ``/organisations/{id}/document-signing.pem``). A verifier who trusts this root sees every
    certificate PDF of this ledger as signed by a certified key (docs/certificate-pdf.md).
    404 until the first PDF was signed."""
    try:
        root, _key = pdfs().signing.ca(create=False)
    except KeyError:
        raise Problem(
            404, "not-found", "no document-signing CA yet: it is made with the first PDF"
        ) from None
    response = Response(root.public_bytes(Encoding.PEM), mimetype="application/x-pem-file")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
