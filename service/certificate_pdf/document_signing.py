"""Issuing organisations' document-signing keys (文书签名密钥) and their X.509 certificates.

A PDF signature needs an X.509 certificate, which the organisation's Ed25519 credential keys
(published as Multikeys in its DID document) do not have, and PDF readers verify ECDSA and RSA
widely but Ed25519 hardly (poppler's ``pdfsig`` does not). So each organisation gets a separate
ECDSA P-256 key for documents:

* the private key is generated into the encrypted ``KeyStore`` under the owner
  ``document-signing:<organisation id>``;
* its certificate is self-issued by the organisation (subject = issuer: the organisation's
  filed name and filing code; SubjectAltName its ``did:web`` DID; key usage digitalSignature
  and nonRepudiation; extended key usage id-kp-documentSigning, RFC 9336; ten years);
* the certificate's publication is an ``Organisation.DocumentSigningCertificatePublished``
  event, so the log (and its signed tree heads) fixes which certificate the organisation
  published and when; the ledger serves it at ``/organisations/{id}/document-signing.pem``.

A verifier trusts the certificate because the ledger publishes it for that filed organisation
(docs/certificate-pdf.md), not because of any CA. The key is made on first use: the first PDF
an organisation's certificate is signed with (``DocumentSigning.signer_for``).
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from uuid import UUID

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from cryptography.x509.oid import NameOID

from domain.organisation import Organisation
from service.commands import Recorded, retried
from service.credentials.credential_document import CredentialUrls
from service.ledger_store import LedgerStore

__all__ = [
    "DOCUMENT_SIGNING_EKU",
    "DocumentSigning",
    "DocumentSigningKey",
    "published_certificates",
    "signing_owner",
]

DOCUMENT_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336)."""
VALIDITY = timedelta(days=3653)
RENEW_BEFORE = timedelta(days=30)


def signing_owner(organisation_id: UUID) -> str:
    """The key store owner of an organisation's document-signing keys."""
    return f"document-signing:{organisation_id}"


def published_certificates(organisation: Organisation) -> list[x509.Certificate]:
    """The organisation's published document-signing certificates, oldest first."""
    return [
        x509.load_pem_x509_certificate(entry["certificate_pem"].encode())
        for entry in organisation.document_signing_certificates.values()
    ]


def self_issued_certificate(
    organisation: Organisation,
    key: ec.EllipticCurvePrivateKey,
    did: str,
    not_before: datetime,
) -> x509.Certificate:
    """The organisation's certificate of its document-signing key, signed by that key."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organisation.filing_code),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation.name} 文书签名"),
        ]
    )
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([DOCUMENT_SIGNING_EKU]), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(did)]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


@dataclass(frozen=True)
class DocumentSigningKey:
    """An organisation's document-signing key in use and its published certificate."""

    organisation_id: UUID
    key_id: str
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey

    def __repr__(self) -> str:
        return f"DocumentSigningKey({self.organisation_id}/{self.key_id})"

    def pyhanko_signer(self) -> Any:
        """A pyhanko ``SimpleSigner`` of this key and certificate."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.signers import SimpleSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        certificate = asn1_x509.Certificate.load(self.certificate.public_bytes(Encoding.DER))
        key = asn1_keys.PrivateKeyInfo.load(
            self.private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        )
        return SimpleSigner(
            signing_cert=certificate,
            signing_key=key,
            cert_registry=SimpleCertificateStore(),  # the signer's certificate goes in anyway
        )


class DocumentSigning:
    """Organisations' document-signing keys: made on first use, renewed before expiry."""

    _signers: ClassVar[dict[tuple[UUID, str], Any]] = {}
    """pyhanko signers by organisation and key id, shared by every ledger of the process (a
    key id is unique: it carries a random part)."""
    _signers_lock = threading.Lock()

    def __init__(self, ledger: LedgerStore, urls: CredentialUrls, key_store: Any) -> None:
        self._ledger = ledger
        self._urls = urls
        self._key_store = key_store

    def _usable(self, organisation: Organisation, now: datetime) -> str | None:
        """The key id of the newest certificate valid now and for a while, if any."""
        for key_id, entry in reversed(organisation.document_signing_certificates.items()):
            certificate = x509.load_pem_x509_certificate(entry["certificate_pem"].encode())
            if (
                certificate.not_valid_before_utc
                <= now
                < (certificate.not_valid_after_utc - RENEW_BEFORE)
            ):
                return str(key_id)
        return None

    def _now(self) -> datetime:
        """The later of the ledger's clock and the real one: the PDF's signing time is real
        time, the certificate's window must cover both (a test clock may run behind)."""
        return max(self._ledger.clock().astimezone(UTC), datetime.now(UTC))

    @retried
    def _publish(self, organisation_id: UUID, actor: str) -> Recorded:
        organisation = self._ledger.organisation(organisation_id)
        clock = self._ledger.clock().astimezone(UTC)
        if self._usable(organisation, self._now()) is None:
            key_id = f"ds-{clock:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"
            owner = signing_owner(organisation_id)
            self._key_store.generate_p256(owner, key_id)
            key = self._key_store.p256_private_key(owner, key_id)
            not_before = min(clock, datetime.now(UTC)).replace(microsecond=0) - timedelta(hours=1)
            certificate = self_issued_certificate(
                organisation, key, self._urls.controller_id(organisation_id), not_before
            )
            organisation.publish_document_signing_certificate(
                key_id, certificate.public_bytes(Encoding.PEM).decode(), clock, actor
            )
        return self._ledger.record(organisation)

    def key_for(self, organisation_id: UUID, actor: str) -> DocumentSigningKey:
        """The organisation's usable document-signing key, made and published if it has none."""
        organisation = self._ledger.organisation(organisation_id)
        key_id = self._usable(organisation, self._now())
        if key_id is None:
            organisation = self._publish(organisation_id, actor).aggregate
            key_id = self._usable(organisation, self._now())
            assert key_id is not None
        entry = organisation.document_signing_certificates[key_id]
        return DocumentSigningKey(
            organisation_id,
            key_id,
            x509.load_pem_x509_certificate(entry["certificate_pem"].encode()),
            self._key_store.p256_private_key(signing_owner(organisation_id), key_id),
        )

    def signer_for(self, organisation_id: UUID, actor: str) -> Any:
        """A pyhanko signer of the organisation's usable key (kept per key)."""
        key = self.key_for(organisation_id, actor)
        with self._signers_lock:
            signer = self._signers.get((organisation_id, key.key_id))
            if signer is None:
                signer = self._signers[(organisation_id, key.key_id)] = key.pyhanko_signer()
        return signer
