"""Certificates as signed PDF (证书 PDF): one page in the layout of the national 职业技能等级证书,
the signed credential attached, a PAdES signature by the issuing organisation.

``CertificatePdfs(ledger).certificate_pdf(number, shown)`` draws the page (``layout``), embeds
the certificate's full-disclosure credential (``ledger.credentials.certificate_credential``, its
RFC 8785 bytes) as ``credential.json``, and signs the file with ``pyhanko`` (PAdES baseline B-B:
``ETSI.CAdES.detached``, SHA-256, ECDSA P-256) by the issuing organisation's document-signing key
(``document_signing``). ``session_zip`` puts a session's certificates in one ZIP.
docs/certificate-pdf.md describes the page, the signature and how to verify both.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from domain.certificate import Certificate, CertificateStatus
from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation
from service.certificate_pdf.document_signing import DocumentSigning
from service.certificate_pdf.fonts import MissingGlyphs
from service.certificate_pdf.layout import (
    ATTACHMENT_NAME,
    ID_NUMBER_CHOICES,
    CertificateFace,
    IdNumberShown,
    render_unsigned,
)
from service.credentials import SignedDocument
from service.ledger_store import LedgerStore

__all__ = [
    "ATTACHMENT_NAME",
    "ID_NUMBER_CHOICES",
    "CertificatePdfs",
    "IdNumberShown",
    "MissingGlyphs",
    "document_signing",
    "run_to_completion",
    "sign_pdf",
]

SIGNATURE_FIELD = "CertificateSignature"
BYTES_RESERVED = 8192
"""Room for the CMS signature (certificate, signed attributes, ECDSA value: about 1.2 KB
hex-encoded twice over); fixed, so pyhanko need not sign a dummy first to measure it."""


def sign_pdf(unsigned: bytes, signer: Any, reason: str, field_name: str = SIGNATURE_FIELD) -> bytes:
    """``unsigned`` with a PAdES B-B signature (an invisible field) by ``signer``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(unsigned), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        location="CN",
    )
    signing = signers.async_sign_pdf(writer, meta, signer=signer, bytes_reserved=BYTES_RESERVED)
    return bytes(run_to_completion(signing).getvalue())


def document_signing(ledger: Any) -> DocumentSigning:
    """The ledger's organisations' document-signing keys (which sign every PDF)."""
    credentials = ledger.credentials
    return DocumentSigning(ledger, credentials.credential_urls, credentials.key_store)


def run_to_completion(coroutine: Any) -> Any:
    """Run pyhanko's signing coroutine: in this thread, or, when this thread already runs an
    event loop (pyhanko's own ``sign_pdf`` calls ``asyncio.run`` and fails there, e.g. beside
    Playwright or an async server), in a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class CertificatePdfs:
    """Signed certificate PDFs of one ledger."""

    def __init__(self, ledger: Any) -> None:
        self._ledger: LedgerStore = ledger
        credentials = ledger.credentials
        self._credentials = credentials
        self.signing = document_signing(ledger)

    @property
    def ledger(self) -> LedgerStore:
        return self._ledger

    def verification_url(self, number: str) -> str:
        """The public certificate page the QR code opens."""
        return f"{self._credentials.credential_urls.base_url}/c/{number}"

    def face(self, certificate: Certificate) -> CertificateFace:
        level = certificate.level
        return CertificateFace(
            number=certificate.number,
            holder_name=certificate.holder_name,
            masked_id_number=certificate.masked_id_number,
            occupation_code=certificate.occupation_code,
            occupation_name=certificate.occupation_name,
            level_zh=level.name_zh,
            level_en=level.name_en,
            issued_on=certificate.issued_on,
            issuer_name=certificate.issuer_name,
            verification_url=self.verification_url(certificate.number),
        )

    def unsigned_pdf(
        self, certificate: Certificate, shown: IdNumberShown = "masked"
    ) -> tuple[bytes, bytes]:
        """The page with the credential attached, unsigned, and the attached credential."""
        if certificate.status is not CertificateStatus.VALID:
            raise DomainRuleViolation(
                "certificate-not-valid",
                f"certificate {certificate.number} is {certificate.status.value}: no PDF is "
                "made of a certificate that is not valid",
            )
        credential = self._credentials.certificate_credential(certificate.number, "full")
        body = SignedDocument.of(credential).body
        now = datetime.now(UTC).replace(microsecond=0)
        return render_unsigned(self.face(certificate), shown, body, now), body

    def certificate_pdf(
        self, number: str, shown: IdNumberShown = "masked", *, actor: str = "system"
    ) -> bytes:
        """The certificate's signed PDF; ``actor`` is recorded if a signing key is made."""
        certificate = self._ledger.certificate(number)
        unsigned, _credential = self.unsigned_pdf(certificate, shown)
        signer = self.signing.signer_for(certificate.issuer_id, actor)
        return sign_pdf(unsigned, signer, f"职业技能等级证书 {number}")

    def session_numbers(self, evaluation: Evaluation) -> list[str]:
        """The session's certificate numbers, in the order of issue."""
        numbers = [
            candidate.get("certificate_number") for candidate in evaluation.candidates.values()
        ]
        return sorted(str(number) for number in numbers if number)

    def session_zip(
        self, evaluation: Evaluation, shown: IdNumberShown = "masked", *, actor: str = "system"
    ) -> bytes:
        """One ZIP of the session's valid certificates' PDFs (``<number>.pdf``); a certificate
        no longer valid is left out and listed in ``left-out.txt``. A large session's is made by
        the ``certificate-archive`` job instead (``service.certificate_pdf.archive``)."""
        from service.certificate_pdf.archive import write_session_zip

        out = io.BytesIO()
        write_session_zip(self, evaluation, out, shown, actor=actor)
        return out.getvalue()
