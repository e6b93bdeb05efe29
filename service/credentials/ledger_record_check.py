"""The ``ledger_record`` check: a credential naming one of this ledger's certificates is the one
the ledger issued.

A credential names a certificate by ``credentialSubject.licenseNumber`` or by an ``id`` of the
ledger's certificate credential URL. The certificate must exist (looked up first in the
directory read model, then in the log, since a read model may lag), the credential must be, apart
from its proof, exactly what the ledger builds for that certificate and disclosure (now, or in an
earlier edition of the shape: ``service.credentials.editions``), and so carry
the ledger's ``credentialStatus`` entries: a credential re-signed without its status entries, or
with any claim changed, fails. The check only reads (status list entries never allocated to the
certificate mean the ledger never issued a credential for it); a credential that names no
certificate of this ledger is ``skipped``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from domain.certificate import Certificate
from service.credentials.credential_document import CredentialUrls, Disclosure
from service.ledger_store import LedgerStore
from service.signing.canonical_json import JSONValueError, canonicalize
from service.signing.credential_verifier import Check, issuer_of

CertificateRow = Callable[[str], Mapping[str, Any] | None]
"""Certificate number → its read-model row (e.g. ``DirectoryQuery.get_certificate``), or None."""
IssuedEditions = Callable[[Certificate, Disclosure], list[tuple[str, dict[str, Any]]] | None]
"""Certificate and disclosure → ``(edition, unsigned credential)`` the ledger issues for it, the
current one first, then its earlier editions, or None if the ledger never allocated it status
entries (``CertificateCredentials.issued_editions``)."""
NAME = "ledger_record"


def _named_number(urls: CredentialUrls, credential: Mapping[str, Any]) -> tuple[str | None, str]:
    """The certificate number the credential names, and a problem (empty when consistent)."""
    subject = credential.get("credentialSubject")
    licensed = subject.get("licenseNumber") if isinstance(subject, Mapping) else None
    by_id = None
    credential_id = credential.get("id")
    prefix = f"{urls.base_url}/api/v1/certificates/"
    if isinstance(credential_id, str) and credential_id.startswith(prefix):
        by_id = credential_id[len(prefix) :].partition("/")[0]
    if isinstance(licensed, str) and by_id is not None and licensed != by_id:
        return licensed, f"its id names certificate {by_id} but its subject {licensed}"
    number = licensed if isinstance(licensed, str) else by_id
    return number, ""


def _disclosure(
    urls: CredentialUrls, credential: Mapping[str, Any], number: str
) -> Disclosure | None:
    for disclosure in ("full", "public"):
        if credential.get("id") == urls.certificate_credential_id(number, disclosure):
            return disclosure  # type: ignore[return-value]
    return None


def _certificate(
    ledger: LedgerStore, number: str, row: CertificateRow | None
) -> Certificate | None:
    """The certificate, if recorded: the read model says so, or else (it may lag) the log."""
    try:
        if (
            row is not None
            and row(number) is None
            and not ledger.exists(Certificate.create_id(number=number))
        ):
            return None
        return ledger.certificate(number)
    except (LookupError, ValueError):
        return None


def _differences(expected: Mapping[str, Any], given: Mapping[str, Any]) -> list[str]:
    """What the given credential (without proof) changes in the ledger's, property by property."""
    found = []
    for name in sorted((set(expected) | set(given)) - {"proof"}):
        if name not in given:
            found.append(f"{name} is missing")
        elif name not in expected:
            found.append(f"{name} was added")
        elif _canonical(expected[name]) != _canonical(given[name]):
            found.append(f"{name} differs")
    return found


def _canonical(value: object) -> bytes | None:
    try:
        return canonicalize(value)
    except JSONValueError:
        return None


def ledger_record_check(
    ledger: LedgerStore,
    urls: CredentialUrls,
    issued_editions: IssuedEditions,
    credential: Mapping[str, Any],
    certificate_row: CertificateRow | None = None,
) -> Check:
    """Check a credential that names one of the ledger's certificates against the ledger."""
    number, problem = _named_number(urls, credential)
    if number is None:
        issuer = issuer_of(credential)
        ours = issuer is not None and urls.organisation_id_of(issuer)
        subject = credential.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        certifies = isinstance(achievement, Mapping) and (
            achievement.get("achievementType") == "Certification"
        )
        if ours and certifies:
            return Check(
                NAME,
                "failed",
                "a certification by an issuer of this ledger that names no certificate number",
            )
        return Check(NAME, "skipped", "the credential names no certificate of this ledger")
    if problem:
        return Check(NAME, "failed", problem)
    certificate = _certificate(ledger, number, certificate_row)
    if certificate is None:
        return Check(NAME, "failed", f"no certificate {number} is recorded in this ledger")
    disclosure = _disclosure(urls, credential, number)
    if disclosure is None:
        return Check(
            NAME,
            "failed",
            f"its id {credential.get('id')!r} is not one of the ledger's ids for certificate "
            f"{number}",
        )
    editions = issued_editions(certificate, disclosure)
    if editions is None:
        return Check(
            NAME,
            "failed",
            f"the ledger has allocated no status entries to certificate {number}, so it never "
            "issued this credential",
        )
    (_, expected), *earlier = editions
    differences = _differences(expected, credential)
    if not differences:
        return Check(
            NAME,
            "passed",
            f"the {disclosure} credential the ledger issued for certificate {number}, with its "
            "status entries",
        )
    for edition, document in earlier:
        if not _differences(document, credential):
            return Check(
                NAME,
                "passed",
                f"the {disclosure} credential the ledger issued for certificate {number}, in "
                f"an earlier edition ({edition}), with its status entries",
            )
    if "credentialStatus is missing" in differences:
        lead = "its credentialStatus entry is missing; "
    else:
        lead = ""
    return Check(
        NAME,
        "failed",
        f"{lead}not the credential the ledger issued for certificate {number}: "
        + ", ".join(differences),
        {"differences": differences},
    )
