"""Verifying credentials online (在线验证) against this ledger.

``verify_credential(document)`` verifies with the ledger as resolver (controller documents and
status lists from the log) and adds the issuer check (filed, active and in scope at issue
time), the ledger record check (``service.credentials.ledger_record_check``) and, when given,
the issuance event's inclusion in the transparency log. Verifying only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from domain.organisation import OrganisationStatus
from domain.skill_level import SkillLevel
from service.credentials.controllers import Controllers
from service.credentials.credential_document import CredentialUrls
from service.credentials.documents import CertificateCredentials
from service.credentials.keys import Keys
from service.credentials.ledger_record_check import CertificateRow, ledger_record_check
from service.ledger_store import LedgerStore
from service.signing.credential_verifier import Check, VerificationReport, issuer_of
from service.signing.credential_verifier import verify_credential as verify_signed_credential
from service.signing.data_integrity import parse_date_time_stamp

__all__ = ["Verification"]


class Verification:
    """Online verification: the signature checks with this ledger as resolver, and the
    ledger's own checks of issuer and record."""

    def __init__(
        self,
        ledger: LedgerStore,
        urls: CredentialUrls,
        keys: Keys,
        controllers: Controllers,
        documents: CertificateCredentials,
    ) -> None:
        self._ledger = ledger
        self._urls = urls
        self._keys = keys
        self._controllers = controllers
        self._documents = documents

    def verify_credential(
        self,
        credential: Any,
        *,
        now: datetime | None = None,
        log_inclusion: Callable[[Mapping[str, Any]], Check] | None = None,
        certificate_row: CertificateRow | None = None,
    ) -> VerificationReport:
        """Verify online: keys and status lists from the ledger, plus the issuer check, the
        ledger record check (``service.credentials.ledger_record_check``; ``certificate_row``
        reads the certificate's read-model row) and, given ``log_inclusion``
        (``service.audit.Audit.log_inclusion_check``), the issuance event's inclusion in the
        transparency log."""
        now = now or self._ledger.clock()
        report = verify_signed_credential(
            credential,
            controller_resolver=self._controllers.resolve_controller,
            status_list_resolver=self._controllers.resolve_status_list,
            now=now,
        )
        signature = report.get("signature")
        if signature is None or signature.status != "passed":
            for name in ("issuer_filed", "ledger_record"):
                report.add(Check(name, "skipped", "not evaluated: the signature did not verify"))
            if log_inclusion is not None:
                report.add(
                    Check("log_inclusion", "skipped", "not evaluated: the signature did not verify")
                )
        else:
            report.add(self._issuer_check(credential))
            report.add(
                ledger_record_check(
                    self._ledger,
                    self._urls,
                    self._documents.issued_editions,
                    credential,
                    certificate_row,
                )
            )
            if log_inclusion is not None:
                report.add(log_inclusion(credential))
        return report

    def _issuer_check(self, credential: Mapping[str, Any]) -> Check:
        """Issuer known, filed, active and (for a certificate) in scope at issue time."""
        name = "issuer_filed"
        issuer = issuer_of(credential)
        organisation_id = self._urls.organisation_id_of(issuer) if issuer is not None else None
        if organisation_id is None:
            if issuer is not None and issuer == self._keys.ledger_issuer_id():
                return Check(
                    name,
                    "passed",
                    "issued by this ledger itself with its own key (a statement of the ledger, "
                    "e.g. a hukou points statement)",
                )
            return Check(name, "failed", f"{issuer!r} is not an organisation filed here")
        try:
            organisation = self._ledger.organisation(organisation_id)
        except LookupError:
            return Check(name, "failed", f"no organisation {organisation_id} is filed here")
        subject = credential.get("credentialSubject")
        subject = subject if isinstance(subject, Mapping) else {}
        achievement = subject.get("achievement")
        achievement = achievement if isinstance(achievement, Mapping) else {}
        try:
            issued_at = parse_date_time_stamp(credential.get("validFrom"))
        except ValueError:
            return Check(name, "failed", "the credential has no valid validFrom (issue time)")
        number = subject.get("licenseNumber")
        if isinstance(number, str):
            try:
                certificate = self._ledger.certificate(number)
            except (LookupError, ValueError):
                return Check(name, "failed", f"no certificate {number} is recorded here")
            if certificate.issuer_id != organisation.id:
                return Check(name, "failed", f"certificate {number} was issued by another body")
            issued_at = certificate.issued_at
        status = organisation.status_at(issued_at)
        when = issued_at.isoformat()
        if status is not OrganisationStatus.ACTIVE:
            return Check(name, "failed", f"{organisation.name} was {status.value} on {when}")
        occupation = achievement.get("occupation")
        level = achievement.get("level")
        if achievement.get("achievementType") == "Certification":
            if not organisation.kind.evaluates:
                return Check(name, "failed", f"{organisation.name} is not an evaluation body")
            try:
                occupation_code = str(occupation["code"])  # type: ignore[index]
                skill_level = SkillLevel.from_code(str(level["code"]))  # type: ignore[index]
            except (TypeError, KeyError, ValueError):
                return Check(name, "failed", "the achievement names no occupation and level")
            if not organisation.covered_at(occupation_code, skill_level, issued_at):
                return Check(
                    name,
                    "failed",
                    f"{organisation.name}'s filed scope did not cover {occupation_code} "
                    f"{skill_level.name_zh} on {when}",
                )
            scope = f", in scope for {occupation_code} {skill_level.name_zh}"
        else:
            scope = ""
        return Check(
            name,
            "passed",
            f"{organisation.name} ({organisation.filing_code}) was filed and active on {when}"
            + scope,
        )
