"""The competitions capability (以赛代评): announcement, entrants, marks, locks, results,
promotions and award credentials, composed around the ledger.

Each command loads the competition (and what else it needs), lets ``domain.competition``
decide, and saves every aggregate it touched in one atomic ``save``; the rules themselves live
in the domain. Finalising asks for the worker facts (``promotion_facts``) only for the
entrants some rule may promote; approving asks again (``promotions``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any
from uuid import UUID

from domain.certificate import Certificate
from domain.competition import BoardVisibility, Competition, CompetitionTier, MarkEntry
from domain.errors import DomainRuleViolation
from domain.promotion_rules import EntrantKind
from domain.ranking import TieBreakOrder
from domain.skill_level import SkillLevel
from domain.worker import Worker
from projections.garbage_collection import pausing_collection
from service.capabilities import CertificateRecords, HeldLevels
from service.commands import Recorded, retried
from service.competitions.award_credentials import AwardCredentials, award_subject
from service.competitions.collaborators import CredentialIssuer
from service.competitions.entrant_import import import_entrants
from service.competitions.entrants import EntrantRegistration, register_on
from service.competitions.promotion_facts import PromotionFacts
from service.competitions.promotions import PromotionDecisions
from service.credentials.credential_document import Disclosure
from service.evaluations.imports import ImportReport
from service.ledger_store import LedgerStore

__all__ = ["Competitions"]


class Competitions:
    """Commands and reads of the competition workflow (以赛代评): ``ledger.competitions``."""

    def __init__(
        self,
        ledger: LedgerStore,
        *,
        credentials: CredentialIssuer,
        certificates: CertificateRecords,
        workers: HeldLevels,
    ) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._facts = PromotionFacts(ledger, workers)
        self._decisions = PromotionDecisions(
            ledger, credentials=credentials, certificates=certificates, facts=self._facts
        )
        self._awards = AwardCredentials(ledger, credentials)

    def _changed(
        self, competition_id: UUID, change: Callable[[Competition, datetime], object]
    ) -> Recorded:
        """Load the competition, let ``change`` decide on it at the ledger's clock, and save."""
        competition = self._ledger.competition(competition_id)
        change(competition, self._ledger.clock())
        return self._ledger.record(competition)

    # -- announcement ----------------------------------------------------------------------

    @retried
    def announce_competition(
        self,
        *,
        organiser_id: UUID,
        reference: str,
        name: str,
        tier: CompetitionTier | str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body_id: UUID | None,
        marking_scheme: dict[str, Any],
        actor: str,
        tie_breaks: TieBreakOrder | dict[str, Any] | None = None,
        promotion_rule_set: str | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
        provisional_board: str = BoardVisibility.PUBLIC_AFTER_LOCK.value,
    ) -> Recorded:
        """Announce a competition (see ``Competition.announce`` for the rules checked)."""
        ledger = self._ledger
        if ledger.exists(Competition.create_id(organiser_id=organiser_id, reference=reference)):
            raise DomainRuleViolation("duplicate-reference", f"competition {reference} exists")
        ledger.occupation(occupation_code)
        competition = Competition.announce(
            organiser=ledger.organisation(organiser_id),
            reference=reference,
            name=name,
            tier=tier,
            occupation_code=occupation_code,
            exam_level=exam_level,
            year=year,
            region=region,
            issuing_body=ledger.organisation(issuing_body_id) if issuing_body_id else None,
            marking_scheme=marking_scheme,
            actor=actor,
            tie_breaks=tie_breaks,
            promotion_rule_set=promotion_rule_set,
            programme=programme,
            separate_groups=separate_groups,
            provisional_board=provisional_board,
        )
        return ledger.record(competition)

    # -- entrants --------------------------------------------------------------------------

    def register_entrant(
        self,
        competition_id: UUID,
        *,
        worker_id: UUID,
        entrant_kind: EntrantKind | str,
        employer_id: UUID | None = None,
        employer_name: str | None = None,
        actor: str,
    ) -> Recorded:
        """Register one entrant (see :meth:`register_entrants`)."""
        return self.register_entrants(
            competition_id,
            [EntrantRegistration(worker_id, entrant_kind, employer_id, employer_name)],
            actor=actor,
        )

    @retried
    def register_entrants(
        self,
        competition_id: UUID,
        entrants: Sequence[EntrantRegistration],
        *,
        actor: str,
    ) -> Recorded:
        """Register entrants, all or nothing. Each must be a registered worker; an employee
        entered for an employer in the ledger must be its staff (incl. dispatched, outsourced,
        affiliated) on the day of registration."""
        ledger = self._ledger
        competition = ledger.competition(competition_id)
        at = ledger.clock()
        names = cache(self._organisation_name)
        for entry in entrants:
            register_on(
                competition,
                ledger.worker(entry.worker_id),
                entry,
                at=at,
                actor=actor,
                organisation_name=names,
            )
        return ledger.record(competition)

    @retried
    def import_entrants(
        self, competition_id: UUID, data: bytes, *, dry_run: bool, actor: str
    ) -> ImportReport:
        """Register a spreadsheet's entrants, all or nothing; a dry run records nothing
        (``service.competitions.entrant_import``)."""
        return import_entrants(
            self._ledger,
            competition_id,
            data,
            dry_run=dry_run,
            actor=actor,
            organisation_name=cache(self._organisation_name),
        )

    def _organisation_name(self, organisation_id: UUID) -> str:
        return str(self._ledger.organisation(organisation_id).name)

    @retried
    def withdraw_entrant(
        self, competition_id: UUID, worker_id: UUID, *, reason: str, actor: str
    ) -> Recorded:
        return self._changed(
            competition_id,
            lambda competition, at: competition.withdraw_entrant(
                worker_id, reason=reason, at=at, actor=actor
            ),
        )

    # -- marks -----------------------------------------------------------------------------

    def record_mark(
        self,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        actor: str,
    ) -> Recorded:
        return self.record_marks(
            competition_id, [MarkEntry(worker_id, component, judge, mark)], actor=actor
        )

    @retried
    def record_marks(
        self, competition_id: UUID, marks: Iterable[MarkEntry], *, actor: str
    ) -> Recorded:
        """Record judges' marks, all or nothing (one event per mark)."""
        entries = list(marks)
        return self._changed(
            competition_id,
            lambda competition, at: competition.record_marks(entries, at=at, actor=actor),
        )

    @retried
    def correct_mark(
        self,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        reason: str,
        actor: str,
    ) -> Recorded:
        return self._changed(
            competition_id,
            lambda competition, at: competition.correct_mark(
                worker_id=worker_id,
                component=component,
                judge=judge,
                mark=mark,
                reason=reason,
                at=at,
                actor=actor,
            ),
        )

    @retried
    def review_spread(
        self,
        competition_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        note: str,
        actor: str,
    ) -> Recorded:
        return self._changed(
            competition_id,
            lambda competition, at: competition.review_spread(
                worker_id=worker_id, component=component, note=note, at=at, actor=actor
            ),
        )

    @retried
    def record_finish_time(
        self,
        competition_id: UUID,
        *,
        worker_id: UUID,
        finished_at: datetime,
        reason: str | None = None,
        actor: str,
    ) -> Recorded:
        return self._changed(
            competition_id,
            lambda competition, at: competition.record_finish_time(
                worker_id=worker_id, finished_at=finished_at, reason=reason, at=at, actor=actor
            ),
        )

    @retried
    def assign_judges(
        self, competition_id: UUID, *, component: str, judges: Sequence[object], actor: str
    ) -> Recorded:
        """Assign (replace) a component's judging panel: ``[{"name", "login"?}]``."""
        return self._changed(
            competition_id,
            lambda competition, at: competition.assign_judges(
                component=component, judges=list(judges), at=at, actor=actor
            ),
        )

    @retried
    def submit_marks(
        self, competition_id: UUID, *, component: str, judge: str, actor: str
    ) -> Recorded:
        """A judge submits (提交) their marks for a component."""
        return self._changed(
            competition_id,
            lambda competition, at: competition.submit_marks(
                component=component, judge=judge, at=at, actor=actor
            ),
        )

    @retried
    def choose_board_visibility(
        self, competition_id: UUID, *, visibility: str, actor: str
    ) -> Recorded:
        """Choose who sees the provisional board before the results are final."""
        return self._changed(
            competition_id,
            lambda competition, at: competition.choose_board_visibility(
                visibility=visibility, at=at, actor=actor
            ),
        )

    @retried
    def lock_component(self, competition_id: UUID, component: str, *, actor: str) -> Recorded:
        return self._changed(
            competition_id,
            lambda competition, at: competition.lock_component(component, at=at, actor=actor),
        )

    # -- results ---------------------------------------------------------------------------

    @retried
    @pausing_collection
    def finalise_competition(self, competition_id: UUID, *, actor: str) -> Recorded:
        """Compute and publish the results, awards, standardised scores and promotion
        proposals (the worker facts read from the ledger for the entrants that need them),
        and allocate the award credentials' status entries. A big competition is one large
        batch: the garbage collector waits until it is saved."""
        ledger = self._ledger
        competition = ledger.competition(competition_id)
        at = ledger.clock()
        standings = competition.standings()
        levels, granted = self._facts.for_candidates(
            competition, competition.promotion_candidates(standings)
        )
        competition.finalise(
            standings, current_levels=levels, promotions_granted=granted, at=at, actor=actor
        )
        awards = competition.awards()
        if not awards:
            return ledger.record(competition)
        entries = self._credentials.allocate_status_list_entries(
            competition.organiser_id,
            [award_subject(competition.id, result["worker_id"]) for result in awards],
            at=at,
            actor=actor,
            new_subjects=True,  # award subjects name this competition: finalised only now
        )
        return ledger.record(competition, *entries.aggregates)

    def current_level(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> SkillLevel | None:
        """The worker's level in the occupation (see ``PromotionFacts.current_level``)."""
        return self._facts.current_level(worker, occupation_code, certificates)

    def competition_promotions_granted(
        self,
        worker: Worker,
        year: int,
        years: dict[str, int | None] | None = None,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> int:
        """Competition promotions granted to the worker in ``year`` (see
        ``PromotionFacts.competition_promotions_granted``)."""
        return self._facts.competition_promotions_granted(worker, year, years, certificates)

    # -- promotions ------------------------------------------------------------------------

    @retried
    def submit_proposals(self, competition_id: UUID, *, actor: str) -> Recorded:
        """Submit the pending promotion proposals to the HR bureau (报送): only submitted ones
        reach its approvals queue (see ``domain.competition_submission``)."""
        return self._changed(
            competition_id,
            lambda competition, at: competition.submit_proposals(at=at, actor=actor),
        )

    def approve_promotion(
        self, competition_id: UUID, worker_id: UUID, *, actor: str, note: str = ""
    ) -> Recorded:
        """Approve (核准) one proposal: see :meth:`approve_promotions`."""
        return self.approve_promotions(competition_id, [worker_id], actor=actor, note=note)

    def approve_promotions(
        self,
        competition_id: UUID,
        worker_ids: Sequence[UUID] | None = None,
        *,
        actor: str,
        note: str = "",
    ) -> Recorded:
        """Approve (核准) the named proposals, or every pending one, all or nothing (see
        ``PromotionDecisions.approve_promotions``)."""
        return self._decisions.approve_promotions(
            competition_id, worker_ids, actor=actor, note=note
        )

    def reject_promotion(
        self, competition_id: UUID, worker_id: UUID, *, reason: str, actor: str
    ) -> Recorded:
        """Do not approve a proposal (不予核准), with the reason."""
        return self._decisions.reject_promotion(
            competition_id, worker_id, reason=reason, actor=actor
        )

    # -- award credentials -----------------------------------------------------------------

    def award_credential_id(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> str:
        return self._awards.award_credential_id(competition_id, worker_id, disclosure)

    def unsigned_award_credential(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> tuple[Competition, dict[str, Any]]:
        """An award's credential before signing (see ``AwardCredentials``)."""
        return self._awards.unsigned_award_credential(competition_id, worker_id, disclosure)

    def award_credential(
        self, competition_id: UUID, worker_id: UUID, disclosure: Disclosure = "full"
    ) -> dict[str, Any]:
        """The award's credential, signed by the organiser (see ``AwardCredentials``)."""
        return self._awards.award_credential(competition_id, worker_id, disclosure)
