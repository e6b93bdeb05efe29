"""Award credentials (Open Badges) of a finalised competition: the organiser awards each medal
and 优胜奖 at finalisation, when the award's status-list entries are allocated; the credential
is built from the recorded results and signed with the organiser's key valid then."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.api_token import Role
from domain.competition import ALL_ENTRANTS, Competition
from domain.ranking import Award
from service.commands import NotFound
from service.competitions.collaborators import CredentialIssuer
from service.competitions.leaderboard import sees_everything
from service.credentials.credential_document import Disclosure, Holder, build_award_credential
from service.ledger_store import LedgerStore

__all__ = ["AwardCredentials", "award_subject", "sees_full_award"]


def award_subject(competition_id: UUID, worker_id: UUID | str) -> str:
    """The status-list subject of an award credential: one per competition and awardee."""
    return f"award:{competition_id}:{worker_id}"


def sees_full_award(competition: Competition, viewer: Any, worker_id: UUID | str) -> bool:
    """The awardee, the organising union, admins and auditors see an award's full disclosure
    (and get its PDF, which carries it); ``viewer`` a principal (role, organisation, worker)."""
    own = viewer.is_(Role.WORKER) and str(viewer.worker_id) == str(worker_id)
    return bool(own) or sees_everything(competition, viewer)


class AwardCredentials:
    """The award credentials of finalised competitions, built and signed on request."""

    def __init__(self, ledger: LedgerStore, credentials: CredentialIssuer) -> None:
        self._ledger = ledger
        self._credentials = credentials

    def award_credential_id(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> str:
        base = self._credentials.credential_urls.base_url
        url = f"{base}/api/v1/competitions/{competition_id}/awards/{worker_id}/credential"
        return url if disclosure == "full" else url + "?disclosure=public"

    def unsigned_award_credential(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> tuple[Competition, dict[str, Any]]:
        """An award's Open Badges credential before signing, built from the recorded results:
        the organiser awards it at finalisation (its status entries were allocated then)."""
        ledger = self._ledger
        competition = ledger.competition(competition_id)
        result = competition.result_of(worker_id)
        if result is None or result["award"] is None:
            raise NotFound(f"no award of competition {competition_id} for worker {worker_id}")
        organiser = ledger.organisation(competition.organiser_id)
        allocation = self._credentials.allocation_of(
            organiser.id, award_subject(competition.id, worker_id)
        )
        if allocation is None:  # pragma: no cover - finalisation allocates every award's entries
            raise NotFound(f"the award of worker {worker_id} has no status list entries")
        worker = ledger.worker(worker_id)
        identifier = (
            self._credentials.holder_identifier(worker.id) if disclosure == "full" else None
        )
        award = Award(result["award"])
        occupation = ledger.occupation(competition.occupation_code)
        finalised_at = competition.finalised_at
        assert finalised_at is not None
        group = "" if result["group"] == ALL_ENTRANTS else f" ({result['group']}s)"
        order = competition.tie_break_order
        document = build_award_credential(
            urls=self._credentials.credential_urls,
            credential_id=self.award_credential_id(competition.id, worker.id, disclosure),
            award_id=str(worker.id),
            holder=Holder(
                result["name"] or worker.name,
                worker.masked_id_number,
                identifier,
                self._credentials.subject_pseudonym(
                    worker.id, award_subject(competition.id, worker.id)
                ),
            ),
            issuer_id=organiser.id,
            issuer_name=organiser.name,
            competition={
                "id": str(competition.id),
                "reference": competition.reference,
                "name": competition.name,
                "tier": competition.tier.value,
                "year": competition.year,
                "region": competition.region,
                "occupation_code": occupation.code,
                "occupation_name": occupation.name,
            },
            award={
                "title": award.name_zh,
                "rank": f"{result['rank']} of {result['group_size']}{group}",
                "medal": award.value,
                "score": result["total"],
                "results": {
                    **{c["component"]: c["score"] for c in result["components"]},
                    "standardised": result["standardised"],
                },
                "criteria": "gold, silver and bronze for ranks 1-3; 优胜奖 for rank > 3 within "
                "the top half of entrants; ranked by total, then "
                + ", ".join(order.components or ("nothing",))
                + (", then earlier finish" if order.earlier_finish else ""),
            },
            awarded_at=finalised_at,
            status_indexes=dict(allocation.indexes),
            status_list=allocation.list_number,
            disclosure=disclosure,
        )
        return competition, document

    def award_credential(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> dict[str, Any]:
        """The award's credential, signed by the organiser with its key valid at finalisation
        (deterministic from the events)."""
        competition, document = self.unsigned_award_credential(
            competition_id, worker_id, disclosure
        )
        organiser = self._ledger.organisation(competition.organiser_id)
        assert competition.finalised_at is not None
        return self._credentials.sign_credential(organiser, document, competition.finalised_at)
