"""Competition awards as signed PDF (获奖证书): the award's page (``award_layout``) with its
full-disclosure Open Badges credential attached as ``credential.json`` and a PAdES signature by
the organiser's document-signing key, made exactly as a certificate's (``sign_pdf``,
``document_signing``). docs/certificate-pdf.md ("Awards") describes the page.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.competition import Competition
from domain.ranking import Award
from service.certificate_pdf import document_signing, sign_pdf
from service.certificate_pdf.award_layout import AwardFace, render_award_unsigned
from service.commands import NotFound
from service.credentials import SignedDocument

__all__ = ["AWARD_SIGNATURE_FIELD", "AwardPdfs", "award_pdf_name"]

AWARD_SIGNATURE_FIELD = "AwardSignature"


def award_pdf_name(competition: Competition, result: dict[str, Any]) -> str:
    """The download's file name: the competition's reference, the entrant's number, the award."""
    return f"{competition.reference}-{result['entrant_number']}-{result['award']}.pdf"


class AwardPdfs:
    """Signed award PDFs of one ledger's finalised competitions."""

    def __init__(self, ledger: Any) -> None:
        self._ledger = ledger
        self.signing = document_signing(ledger)

    def results_url(self, competition_id: UUID) -> str:
        """The public results page the QR code opens (names masked, ranks and awards)."""
        base = self._ledger.credentials.credential_urls.base_url
        return f"{base}/competitions/{competition_id}/results"

    def award_result(self, competition: Competition, worker_id: UUID) -> dict[str, Any]:
        """The entrant's final result that carries an award (``NotFound`` otherwise)."""
        result = competition.result_of(worker_id)
        if result is None or result["award"] is None:
            raise NotFound(f"no award of competition {competition.id} for worker {worker_id}")
        return result

    def face(self, competition: Competition, result: dict[str, Any]) -> AwardFace:
        organiser = self._ledger.organisation(competition.organiser_id)
        occupation = self._ledger.occupation(competition.occupation_code)
        assert competition.finalised_at is not None
        return AwardFace(
            competition_name=competition.name,
            tier=competition.tier.value,
            occupation_code=occupation.code,
            occupation_name=occupation.name,
            entrant_name=result["name"],
            rank=result["rank"],
            group=result["group"],
            group_size=result["group_size"],
            award=Award(result["award"]),
            standardised=result["standardised"],
            organiser_name=organiser.name,
            awarded_on=competition.finalised_at.date().isoformat(),
            verification_url=self.results_url(competition.id),
        )

    def unsigned_pdf(self, competition_id: UUID, worker_id: UUID) -> tuple[bytes, bytes]:
        """The award page with its credential attached, unsigned, and the attached credential
        (the full disclosure, as ``/api/v1/competitions/{id}/awards/{worker}/credential``)."""
        competition = self._ledger.competition(competition_id)
        result = self.award_result(competition, worker_id)
        credential = self._ledger.competitions.award_credential(competition_id, worker_id, "full")
        body = SignedDocument.of(credential).body
        now = datetime.now(UTC).replace(microsecond=0)
        return render_award_unsigned(self.face(competition, result), body, now), body

    def award_pdf(self, competition_id: UUID, worker_id: UUID, *, actor: str = "system") -> bytes:
        """The award's signed PDF; ``actor`` is recorded if the organiser's signing key is
        made."""
        competition = self._ledger.competition(competition_id)
        unsigned, _credential = self.unsigned_pdf(competition_id, worker_id)
        signer = self.signing.signer_for(competition.organiser_id, actor)
        award = Award(self.award_result(competition, worker_id)["award"])
        return sign_pdf(
            unsigned, signer, f"获奖证书 {award.name_zh} {competition.name}", AWARD_SIGNATURE_FIELD
        )
