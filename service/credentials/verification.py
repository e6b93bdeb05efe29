"""Verifying credentials and presentations online (在线验证), from any issuer.

``verify_credential(document)`` verifies with the ledger as resolver for the ledger's own
identifiers (controller documents and status lists from the log) and any other ``did:key`` or
``did:web`` issuer resolved as ``service.credentials.controllers`` says. A credential that
claims to come from this ledger (``claim_of``: its issuer, id, status list or certificate
number is the ledger's) gets the issuer check (signed by its issuer's key, filed, active and in
scope at issue time), the ledger record check (``service.credentials.ledger_record_check``)
and, when given, the issuance event's inclusion in the transparency log. Any other credential
gets them ``skipped``: a valid one verifies, and is never reported as filed here.
``verify_presentation`` verifies a presentation and each credential in it. Verifying only reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from domain.certificate import Certificate
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
from service.signing.presentation_verifier import PresentationReport
from service.signing.presentation_verifier import verify_presentation as verify_signed_presentation
from service.signing.web_resolvers import WebFetcher

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
        fetcher: WebFetcher | None = None,
    ) -> VerificationReport:
        """Verify online: keys and status lists from the ledger (another issuer's over HTTP,
        through ``fetcher``, by default a fresh one as configured), plus the issuer check, the
        ledger record check (``service.credentials.ledger_record_check``; ``certificate_row``
        reads the certificate's read-model row) and, given ``log_inclusion``
        (``service.audit.Audit.log_inclusion_check``), the issuance event's inclusion in the
        transparency log. A credential that claims nothing of this ledger (``claim_of``) has
        these three checks skipped: the ledger vouches only for its own."""
        now = now or self._ledger.clock()
        controller_resolver, status_list_resolver = self._controllers.resolvers(
            fetcher if fetcher is not None else self._controllers.fetcher()
        )
        report = verify_signed_credential(
            credential,
            controller_resolver=controller_resolver,
            status_list_resolver=status_list_resolver,
            now=now,
        )
        names = ["issuer_filed", "ledger_record"] + (["log_inclusion"] if log_inclusion else [])
        signature = report.get("signature")
        claim = self.claim_of(credential) if isinstance(credential, Mapping) else None
        if signature is None or signature.status != "passed":
            for name in names:
                report.add(Check(name, "skipped", "not evaluated: the signature did not verify"))
        elif claim is None:
            foreign = (
                f"issued by {issuer_of(credential)}, not a body filed in this ledger; the "
                "ledger vouches only for its own (the credential claims nothing of this ledger)"
            )
            report.add(Check("issuer_filed", "skipped", foreign, {"claimsThisLedger": False}))
            for name in names[1:]:
                report.add(Check(name, "skipped", "the credential names nothing of this ledger"))
        else:
            report.add(self._issuer_check(credential, claim, report))
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

    def verify_presentation(
        self,
        presentation: Any,
        *,
        challenge: str | None = None,
        domain: str | None = None,
        now: datetime | None = None,
        log_inclusion: Callable[[Mapping[str, Any]], Check] | None = None,
        certificate_row: CertificateRow | None = None,
    ) -> PresentationReport:
        """Verify a presentation (``service.signing.presentation_verifier``): its holder's
        proof, and each credential as ``verify_credential`` does; one fetch budget for all."""
        now = now or self._ledger.clock()
        fetcher = self._controllers.fetcher()
        controller_resolver, _ = self._controllers.resolvers(fetcher)

        def credential_report(credential: Any) -> VerificationReport:
            return self.verify_credential(
                credential,
                now=now,
                log_inclusion=log_inclusion,
                certificate_row=certificate_row,
                fetcher=fetcher,
            )

        return verify_signed_presentation(
            presentation,
            verify_credential=credential_report,
            controller_resolver=controller_resolver,
            challenge=challenge,
            domain=domain,
            now=now,
        )

    def claim_of(self, credential: Mapping[str, Any]) -> str | None:
        """How the credential claims to come from this ledger, or None if it does not: its
        issuer is one of the ledger's identifiers (an issuer's DID under the base URL, the
        ledger's own did:key), its id or a status list is a URL of the ledger, or its
        ``licenseNumber`` is a certificate recorded here."""
        issuer = issuer_of(credential)
        if issuer is not None and (
            self._urls.names_this_ledger(issuer) or issuer == self._keys.ledger_issuer_id()
        ):
            return f"its issuer {issuer} is an identifier of this ledger"
        credential_id = credential.get("id")
        if isinstance(credential_id, str) and self._urls.names_this_ledger(credential_id):
            return f"its id {credential_id} is a URL of this ledger"
        status = credential.get("credentialStatus")
        for entry in status if isinstance(status, list) else [status]:
            url = entry.get("statusListCredential") if isinstance(entry, Mapping) else None
            if isinstance(url, str) and self._urls.names_this_ledger(url):
                return f"its status list {url} is this ledger's"
        subject = credential.get("credentialSubject")
        number = subject.get("licenseNumber") if isinstance(subject, Mapping) else None
        if isinstance(number, str) and self._ledger.exists(Certificate.create_id(number)):
            return f"its licenseNumber {number} is a certificate recorded here"
        return None

    def _issuer_check(
        self, credential: Mapping[str, Any], claim: str, report: VerificationReport
    ) -> Check:
        """For a credential claiming this ledger (``claim``): signed by its issuer's key, the
        issuer known, filed, active and (for a certificate) in scope at issue time."""
        check = self._issuer_filed(credential, report)
        check.data["claimsThisLedger"] = True
        if check.status != "passed":
            check.detail = f"claims this ledger ({claim}), but {check.detail}"
        return check

    def _issuer_filed(self, credential: Mapping[str, Any], report: VerificationReport) -> Check:
        name = "issuer_filed"
        issuer = issuer_of(credential)
        binding = report.get("issuer_binding")
        if binding is None or binding.status != "passed":
            return Check(name, "failed", f"it is not signed by a key of its issuer {issuer}")
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
