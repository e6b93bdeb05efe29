"""Issuing organisations' document-signing keys (文书签名密钥), certified by the ledger's
document-signing CA.

A PDF signature needs an X.509 certificate, which the organisation's Ed25519 credential keys
(Multikeys in its DID document) do not have; and PDF readers verify ECDSA and RSA widely but
Ed25519 hardly (poppler's ``pdfsig`` does not). So:

* each organisation gets an ECDSA P-256 **document-signing key**, generated into the encrypted
  ``KeyStore`` under the owner ``document-signing:<organisation id>`` on its first PDF;
* the ledger has one **document-signing CA** key (P-256, owner ``LEDGER_CA_OWNER``, made on
  first use). Its self-signed root certificate is derived from the stored key alone
  (deterministic ECDSA, RFC 6979; serial and validity from the key and its creation time), so
  every process serves the same bytes at ``/document-signing-ca.pem`` without storing it;
* the CA certifies the organisation's key: subject the filed name (O, CN) and filing code
  (organizationIdentifier), SubjectAltName its ``did:web`` DID, key usage digitalSignature and
  nonRepudiation, extended key usage id-kp-documentSigning (RFC 9336) and emailProtection
  (NSS, so ``pdfsig``, requires the latter of a CMS signer), ten years;
* that certificate's publication is an ``Organisation.DocumentSigningCertificatePublished``
  event: the log (and its signed tree heads) fixes which key the ledger certified for which
  filed organisation and when; it is served at ``/organisations/{id}/document-signing.pem``.

A verifier trusts the ledger's CA root (one per ledger, like its DID documents' host) and reads
the organisation from the signer's certificate; docs/certificate-pdf.md says why and how.
"""

from __future__ import annotations

import hashlib
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
    PublicFormat,
)
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from domain.organisation import Organisation
from service.commands import Recorded, retried
from service.credentials.credential_document import CredentialUrls
from service.ledger_store import LedgerStore
from service.read_replica import read_only_replica

__all__ = [
    "DOCUMENT_SIGNING_EKU",
    "LEDGER_CA_KEY_ID",
    "LEDGER_CA_OWNER",
    "DocumentSigning",
    "DocumentSigningKey",
    "published_certificates",
    "signing_owner",
]

DOCUMENT_SIGNING_EKU = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
"""id-kp-documentSigning (RFC 9336)."""
LEDGER_CA_OWNER = "craftledger:document-signing-ca"
LEDGER_CA_KEY_ID = "document-signing-ca-1"
VALIDITY = timedelta(days=3653)
CA_VALIDITY = timedelta(days=7305)
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


def _key_usage(*, certifies: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not certifies,
        content_commitment=not certifies,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=certifies,
        crl_sign=certifies,
        encipher_only=False,
        decipher_only=False,
    )


def ca_certificate(
    key: ec.EllipticCurvePrivateKey, created_at: str, base_url: str
) -> x509.Certificate:
    """The ledger's document-signing CA root: a function of its key, the key's creation time and
    the base URL only (deterministic ECDSA), so any process derives the same bytes."""
    public = key.public_key()
    point = public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    start = datetime.strptime(created_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=UTC, microsecond=0
    ) - timedelta(days=1)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "craftledger"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, base_url),
            x509.NameAttribute(NameOID.COMMON_NAME, "craftledger 文书签名 CA"),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(int.from_bytes(hashlib.sha256(point).digest()[:16], "big") >> 1)
        .not_valid_before(start)
        .not_valid_after(start + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(certifies=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256(), ecdsa_deterministic=True)
    )


def organisation_certificate(
    organisation: Organisation,
    public: ec.EllipticCurvePublicKey,
    did: str,
    not_before: datetime,
    ca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey],
) -> x509.Certificate:
    """The CA's certificate of an organisation's document-signing key."""
    ca_cert, ca_key = ca
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation.name),
            x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, organisation.filing_code),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation.name} 文书签名"),
        ]
    )
    usages = [DOCUMENT_SIGNING_EKU, ExtendedKeyUsageOID.EMAIL_PROTECTION]
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(certifies=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
        .add_extension(
            x509.SubjectAlternativeName([x509.UniformResourceIdentifier(did)]), critical=False
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )


@dataclass(frozen=True)
class DocumentSigningKey:
    """An organisation's document-signing key in use, its certificate and the CA root."""

    organisation_id: UUID
    key_id: str
    certificate: x509.Certificate
    private_key: ec.EllipticCurvePrivateKey
    ca_certificate: x509.Certificate

    def __repr__(self) -> str:
        return f"DocumentSigningKey({self.organisation_id}/{self.key_id})"

    def pyhanko_signer(self) -> Any:
        """A pyhanko ``SimpleSigner`` of this key; the CMS carries the certificate and the root
        (so a reader builds the chain without fetching anything)."""
        from asn1crypto import keys as asn1_keys
        from asn1crypto import x509 as asn1_x509
        from pyhanko.sign.signers import SimpleSigner
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        def asn1(certificate: x509.Certificate) -> Any:
            return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))

        key = asn1_keys.PrivateKeyInfo.load(
            self.private_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        )
        return SimpleSigner(
            signing_cert=asn1(self.certificate),
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([asn1(self.ca_certificate)]),
        )


class DocumentSigning:
    """Organisations' document-signing keys: made on first use, renewed before expiry, each
    certified by the ledger's document-signing CA."""

    _signers: ClassVar[dict[tuple[UUID, str], Any]] = {}
    """pyhanko signers by organisation and key id, shared by every ledger of the process (a
    key id is unique: it carries a random part)."""
    _signers_lock = threading.Lock()

    def __init__(self, ledger: LedgerStore, urls: CredentialUrls, key_store: Any) -> None:
        self._ledger = ledger
        self._urls = urls
        self._key_store = key_store

    def ca(self, *, create: bool = True) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
        """The ledger's document-signing CA root and key. The key is made on first use unless
        ``create`` is false (a public read never writes): then ``KeyError`` if it is absent."""
        stored = self._key_store.get(LEDGER_CA_OWNER, LEDGER_CA_KEY_ID)
        if stored is None:
            if not create:
                raise KeyError(LEDGER_CA_KEY_ID)
            stored = self._key_store.generate_p256(
                LEDGER_CA_OWNER, LEDGER_CA_KEY_ID, must_be_new=False
            )
        key = self._key_store.p256_private_key(LEDGER_CA_OWNER, LEDGER_CA_KEY_ID)
        return ca_certificate(key, stored.created_at, self._urls.base_url), key

    def _usable(self, organisation: Organisation, now: datetime) -> str | None:
        """The key id of the newest certificate valid now and for a while, if any."""
        for key_id, entry in reversed(list(organisation.document_signing_certificates.items())):
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
            not_before = min(clock, datetime.now(UTC)).replace(microsecond=0)
            certificate = organisation_certificate(
                organisation,
                key.public_key(),
                self._urls.controller_id(organisation_id),
                not_before - timedelta(hours=1),
                self.ca(),
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
            if self._ledger.settings.read_replica:  # a standby takes no writes, GETs' neither
                raise read_only_replica(
                    f"{organisation.name} has no document-signing key yet; the primary makes "
                    "it with the first PDF (ask the primary)"
                )
            organisation = self._publish(organisation_id, actor).aggregate
            key_id = self._usable(organisation, self._now())
            assert key_id is not None
        entry = organisation.document_signing_certificates[key_id]
        return DocumentSigningKey(
            organisation_id,
            key_id,
            x509.load_pem_x509_certificate(entry["certificate_pem"].encode()),
            self._key_store.p256_private_key(signing_owner(organisation_id), key_id),
            self.ca()[0],
        )

    def signer_for(self, organisation_id: UUID, actor: str) -> Any:
        """A pyhanko signer of the organisation's usable key (kept per key)."""
        organisation = self._ledger.organisation(organisation_id)
        key_id = self._usable(organisation, self._now())
        with self._signers_lock:
            signer = self._signers.get((organisation_id, key_id or ""))
        if signer is not None:
            return signer
        key = self.key_for(organisation_id, actor)
        signer = key.pyhanko_signer()
        with self._signers_lock:
            self._signers[(organisation_id, key.key_id)] = signer
        return signer
