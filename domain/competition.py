"""Competition: one labour and skill competition (劳动和技能竞赛 / 技术比武) and its promotions.

Life of a competition (every step an event, nothing ever edited)::

    announced ──register entrants──▶ marking ──lock every component──▶ finalise ──▶ finalised
                                                                                    │
                              approve (核准) or reject each promotion proposal ◀────┘

The rules live beside it, one concept per module, and the aggregate records what they decide
(its reads are ``competition_state``'s ``CompetitionState``):
``competition_announcement`` (organiser, issuing body, tier, occupation, exam level, marking
scheme, tie-breaks, promotion rule set, ranking groups 职工组/学生组), ``competition_entrants``
(employees and students, numbered in registration order, withdrawn with a reason),
``competition_marks`` (one mark per judge, corrections not edits, spread reviews 复核, locks
封分), ``competition_panels`` (judging panels 裁判组, only their judges mark, judges' submissions
提交), ``competition_results`` (scores, ranks, awards and standardised scores, stored in the
``Finalised`` event so published results never change when the code changes) and
``competition_promotions`` (proposals approved 核准 with the facts of that moment, or rejected).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.competition_announcement import (
    BoardVisibility,
    announcement,
    board_visibility,
    default_tie_breaks,
)
from domain.competition_entrants import finish_time, registration
from domain.competition_marks import MarkEntry
from domain.competition_promotions import (
    ProposalStatus,
    check_approval,
    new_proposals,
    promotion_basis,
)
from domain.competition_results import (
    ALL_ENTRANTS,
    Standings,
    check_facts,
    check_finalisable,
    compute_standings,
    published_results,
)
from domain.competition_state import CompetitionState, CompetitionStatus, key_of
from domain.competition_submission import unsubmitted
from domain.errors import DomainRuleViolation
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.promotion_rules import CompetitionTier, EntrantKind
from domain.skill_level import SkillLevel

__all__ = [
    "ALL_ENTRANTS",
    "BoardVisibility",
    "Competition",
    "CompetitionStatus",
    "CompetitionTier",
    "EntrantKind",
    "MarkEntry",
    "ProposalStatus",
    "Standings",
    "default_tie_breaks",
]


class Competition(LedgerAggregate, CompetitionState):
    """A competition: announcement, entrants, judges' marks, locks, results and promotions."""

    TOPIC = "craftledger:Competition"

    tier: CompetitionTier
    status: CompetitionStatus

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Competition.Created"

    @staticmethod
    def create_id(organiser_id: UUID, reference: str, **_: Any) -> UUID:
        return natural_id("competition", str(organiser_id), reference)

    # -- announcement ------------------------------------------------------------------------

    @event("Announced", topic="craftledger:Competition.Announced")
    def __init__(
        self,
        organiser_id: UUID,
        reference: str,
        name: str,
        tier: str,
        occupation_code: str,
        exam_level: str,
        year: int,
        region: str,
        issuing_body_id: UUID | None,
        marking_scheme: dict[str, Any],
        actor: str,
        tie_breaks: dict[str, Any] | None = None,
        promotion_rule_set: str | None = None,
        programme: str | None = None,
        separate_groups: bool = False,
        provisional_board: str = BoardVisibility.PUBLIC_AFTER_LOCK.value,
    ) -> None:
        self.organiser_id = organiser_id
        self.reference = reference
        self.name = name
        self.tier = CompetitionTier(tier)
        self.occupation_code = occupation_code
        self.exam_level = exam_level
        self.year = year
        self.region = region
        self.issuing_body_id = issuing_body_id
        self.marking_scheme = marking_scheme
        self.tie_breaks = tie_breaks
        self.promotion_rule_set = promotion_rule_set
        self.programme = programme
        self.separate_groups = separate_groups
        self.provisional_board = provisional_board
        self.announced_by = actor
        self.status = CompetitionStatus.ANNOUNCED
        self.entrants: dict[str, dict[str, Any]] = {}
        self.marks: dict[str, dict[str, dict[str, str]]] = {}
        self.corrections: list[dict[str, Any]] = []
        self.reviews: dict[str, dict[str, dict[str, Any]]] = {}
        self.finish_times: dict[str, datetime] = {}
        self.locks: dict[str, dict[str, Any]] = {}
        self.results: list[dict[str, Any]] | None = None
        self.result_index: dict[str, int] = {}
        self.groups: list[dict[str, Any]] = []
        self.finalised_at: datetime | None = None
        self.finalised_by: str | None = None
        self.proposals: dict[str, dict[str, Any]] = {}

    @classmethod
    def announce(cls, **fields: Any) -> Competition:
        """Announce a competition; every rule it breaks is named. Takes the keywords of
        :func:`~domain.competition_announcement.announcement` (organiser, reference, name, tier,
        occupation_code, exam_level, year, region, issuing_body, marking_scheme, actor,
        tie_breaks, promotion_rule_set, programme, separate_groups, provisional_board)."""
        return cls(**announcement(**fields).event_fields())

    # -- entrants ----------------------------------------------------------------------------

    def register_entrant(
        self,
        *,
        worker_id: UUID,
        name: str,
        entrant_kind: EntrantKind | str,
        employer_id: UUID | None,
        employer_name: str,
        at: datetime,
        actor: str,
        on_staff: bool | None = None,
    ) -> None:
        """Register a worker (``name`` as entered, e.g. the worker's registered name) as an
        employee or student entrant competing for ``employer_name``. ``on_staff``: whether the
        worker is on the staff of ``employer_id`` (an employer in the ledger) on ``at``'s day
        -- an employee who is not cannot compete as its employee."""
        self._refuse_if_final()
        checked = registration(
            competition=self.name,
            registered=self.entrants,
            locks=self.locks,
            worker_id=worker_id,
            name=name,
            entrant_kind=entrant_kind,
            employer_id=employer_id,
            employer_name=employer_name,
            at=at,
            actor=actor,
            on_staff=on_staff,
        )
        self._entrant_registered(**checked.event_fields())

    @event("EntrantRegistered", topic="craftledger:Competition.EntrantRegistered")
    def _entrant_registered(
        self,
        worker_id: UUID,
        entrant_number: int,
        entrant_kind: str,
        employer_id: UUID | None,
        employer_name: str,
        registered_at: datetime,
        actor: str,
        name: str = "",
    ) -> None:
        key = key_of(worker_id)
        self.entrants[key] = {
            "worker_id": key,
            "name": name,
            "entrant_number": entrant_number,
            "entrant_kind": entrant_kind,
            "employer_id": None if employer_id is None else str(employer_id),
            "employer_name": employer_name,
            "registered_at": registered_at,
            "withdrawn": None,
        }

    def withdraw_entrant(self, worker_id: UUID, *, reason: str, at: datetime, actor: str) -> None:
        """Withdraw an entrant (缺考, 退赛, 取消资格) before the results are final."""
        self._refuse_if_final()
        entrant = self.entrant(worker_id)
        if entrant["withdrawn"] is not None:
            raise DomainRuleViolation(
                "already-withdrawn", f"entrant {entrant['entrant_number']} is already withdrawn"
            )
        self._entrant_withdrawn(
            worker_id=worker_id, reason=require_reason(reason, "a withdrawal"), at=at, actor=actor
        )

    @event("EntrantWithdrawn", topic="craftledger:Competition.EntrantWithdrawn")
    def _entrant_withdrawn(self, worker_id: UUID, reason: str, at: datetime, actor: str) -> None:
        self.entrants[key_of(worker_id)]["withdrawn"] = reason

    # -- marks -------------------------------------------------------------------------------

    def record_marks(self, marks: Iterable[MarkEntry], *, at: datetime, actor: str) -> int:
        """Record judges' marks -- a marking sheet -- as one ``MarksRecorded`` event listing
        every mark; returns how many. Each judge marks each entrant's component once. All or
        nothing: one refused mark refuses the sheet."""
        self._refuse_if_final()
        sheet = self.mark_book().sheet(marks, self._active, self.judging().check_mark)
        self._marks_recorded(marks=sheet, at=at, actor=actor)
        return len(sheet)

    @event("MarksRecorded", topic="craftledger:Competition.MarksRecorded")
    def _marks_recorded(self, marks: list[dict[str, str]], at: datetime, actor: str) -> None:
        recorded = self.marks
        for mark in marks:
            entrant = recorded.setdefault(mark["worker_id"], {})
            entrant.setdefault(mark["component"], {})[mark["judge"]] = mark["mark"]
        self.status = CompetitionStatus.MARKING

    def correct_mark(
        self,
        *,
        worker_id: UUID,
        component: str,
        judge: str,
        mark: object,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        """Correct a judge's mark (更正): the previous mark and the reason are recorded."""
        self._refuse_if_final()
        judge, previous, new = self.mark_book().correction(
            worker_id, self._active, component, judge, mark
        )
        self._mark_corrected(
            worker_id=worker_id,
            component=component,
            judge=judge,
            previous=previous,
            mark=new,
            reason=require_reason(reason, "a correction"),
            at=at,
            actor=actor,
        )

    @event("MarkCorrected", topic="craftledger:Competition.MarkCorrected")
    def _mark_corrected(
        self,
        worker_id: UUID,
        component: str,
        judge: str,
        previous: str,
        mark: str,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.marks[key_of(worker_id)][component][judge] = mark
        self.corrections.append(
            {
                "worker_id": key_of(worker_id),
                "component": component,
                "judge": judge,
                "previous": previous,
                "mark": mark,
                "reason": reason,
                "at": at,
                "actor": actor,
            }
        )

    def review_spread(
        self, *, worker_id: UUID, component: str, note: str, at: datetime, actor: str
    ) -> None:
        """Confirm flagged marks as they stand (复核), with a note saying what was checked."""
        self._refuse_if_final()
        self.mark_book().check_review(worker_id, self._active, component)
        self._spread_reviewed(
            worker_id=worker_id,
            component=component,
            marks=self.component_marks(worker_id, component),
            note=require_reason(note, "a review"),
            at=at,
            actor=actor,
        )

    @event("SpreadReviewed", topic="craftledger:Competition.SpreadReviewed")
    def _spread_reviewed(
        self,
        worker_id: UUID,
        component: str,
        marks: dict[str, str],
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.reviews.setdefault(key_of(worker_id), {})[component] = {
            "marks": dict(marks),
            "note": note,
            "at": at,
            "actor": actor,
        }

    def record_finish_time(
        self,
        *,
        worker_id: UUID,
        finished_at: datetime,
        reason: str | None,
        at: datetime,
        actor: str,
    ) -> None:
        """Record when an entrant finished (a tie-break; stored in UTC); replacing one needs a
        reason."""
        self._refuse_if_final()
        entrant = self._active(worker_id)
        previous = self.finish_times.get(entrant["worker_id"])
        finished_at, reason = finish_time(finished_at, previous, reason)
        self._finish_time_recorded(
            worker_id=worker_id,
            finished_at=finished_at,
            previous=previous,
            reason=reason,
            at=at,
            actor=actor,
        )

    @event("FinishTimeRecorded", topic="craftledger:Competition.FinishTimeRecorded")
    def _finish_time_recorded(
        self,
        worker_id: UUID,
        finished_at: datetime,
        previous: datetime | None,
        reason: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.finish_times[key_of(worker_id)] = finished_at

    # -- judging panels, submissions, board visibility ---------------------------------------

    def assign_judges(self, *, component: str, judges: object, at: datetime, actor: str) -> None:
        """Assign (replace) ``component``'s judging panel: ``[{"name", "login"?}]``."""
        self._refuse_if_final()
        panel = self.judging().assignment(self.mark_book(), component, judges)
        self._judges_assigned(component=component, judges=panel, at=at, actor=actor)

    @event("JudgesAssigned", topic="craftledger:Competition.JudgesAssigned")
    def _judges_assigned(self, component: str, judges: list[Any], at: datetime, actor: str) -> None:
        self.panels = {**self.panels, component: judges}

    def submit_marks(self, *, component: str, judge: str, at: datetime, actor: str) -> None:
        """A judge submits (提交) their marks for ``component``, having marked every active
        entrant; their later marks on it are refused (corrections still work)."""
        self._refuse_if_final()
        book, active = self.mark_book(), self.active_entrants()
        name = self.judging().submission(book, component, judge, active, self.name)
        self._marks_submitted(component=component, judge=name, at=at, actor=actor)

    @event("MarksSubmitted", topic="craftledger:Competition.MarksSubmitted")
    def _marks_submitted(self, component: str, judge: str, at: datetime, actor: str) -> None:
        judges = {**self.submitted.get(component, {}), judge: at}
        self.submitted = {**self.submitted, component: judges}

    def choose_board_visibility(self, *, visibility: object, at: datetime, actor: str) -> None:
        """Choose who sees the provisional board before the results are final."""
        self._refuse_if_final()
        chosen = board_visibility(visibility, "visibility", self.provisional_board)
        self._board_visibility_chosen(visibility=chosen, at=at, actor=actor)

    @event("BoardVisibilityChosen", topic="craftledger:Competition.BoardVisibilityChosen")
    def _board_visibility_chosen(self, visibility: str, at: datetime, actor: str) -> None:
        self.provisional_board = visibility

    # -- locking -----------------------------------------------------------------------------

    def lock_component(self, component: str, *, at: datetime, actor: str) -> None:
        """Lock a component's marks (封分) once every active entrant is fully and cleanly marked."""
        self._refuse_if_final()
        active = self.active_entrants()
        self.mark_book().check_lock(component, active, self.name)
        self._component_locked(component=component, entrants=len(active), at=at, actor=actor)

    @event("ComponentLocked", topic="craftledger:Competition.ComponentLocked")
    def _component_locked(self, component: str, entrants: int, at: datetime, actor: str) -> None:
        self.locks[component] = {"at": at, "actor": actor, "entrants": entrants}

    # -- results -----------------------------------------------------------------------------

    def standings(self) -> Standings:
        """Scores and rankings from the marks as they stand (pure; records nothing)."""
        active = self.active_entrants()
        if not active:
            raise DomainRuleViolation("no-entrants", f"{self.name} has no active entrants")
        return compute_standings(
            version=self.version,
            entrants=active,
            marks=self.marks,
            finish_times=self.finish_times,
            scheme=self.scheme,
            order=self.tie_break_order,
            group_of=self.ranking_group,
        )

    def promotion_candidates(self, standings: Standings) -> list[str]:
        """Worker ids (text) whose standing some rule of the rule set may promote: the ones whose
        current level and yearly count the application must read from the ledger. Asks the
        engine itself (with no level): "not covered" and "not qualified" never depend on them."""
        engine = self.engine()
        return [] if engine is None else engine.candidates(standings, self._kind_of)

    def finalise(
        self,
        standings: Standings,
        *,
        current_levels: Mapping[str, SkillLevel | None],
        promotions_granted: Mapping[str, int],
        at: datetime,
        actor: str,
    ) -> None:
        """Publish the results (and promotion proposals) computed in ``standings``.

        ``current_levels`` and ``promotions_granted`` give, for every worker id of
        :meth:`promotion_candidates`, the worker's current level in the occupation (None if
        none) and the competition promotions granted to them in the competition's year.
        """
        self._refuse_if_final()
        check_finalisable(self.scheme, self.locks, standings, self.version)
        engine = self.engine()
        candidates = set(self.promotion_candidates(standings))
        check_facts(candidates, current_levels, promotions_granted)
        results, groups = published_results(
            standings,
            entrants=self.entrants,
            finish_times=self.finish_times,
            promotion_of=(
                None
                if engine is None
                else engine.published(
                    standings, candidates, current_levels, promotions_granted, self._kind_of
                )
            ),
        )
        self._finalised(
            results=results,
            groups=groups,
            tie_breaks=self.tie_break_order.to_dict(),
            rule_set=self.promotion_rule_set,
            at=at,
            actor=actor,
        )

    @event("Finalised", topic="craftledger:Competition.Finalised")
    def _finalised(
        self,
        results: list[dict[str, Any]],
        groups: list[dict[str, Any]],
        tie_breaks: dict[str, Any],
        rule_set: str | None,
        at: datetime,
        actor: str,
    ) -> None:
        self.results = results
        self.result_index = {result["worker_id"]: i for i, result in enumerate(results)}
        self.groups = groups
        self.finalised_at = at
        self.finalised_by = actor
        self.status = CompetitionStatus.FINALISED
        self.proposals.update(new_proposals(results))

    # -- promotions --------------------------------------------------------------------------

    def approvable_level(
        self, worker_id: UUID | str, *, current_level: SkillLevel | None, promotions_granted: int
    ) -> SkillLevel:
        """The level an approval now would give, after asking the engine again with today's
        facts; refuses when the proposal is decided, or no longer what the rules give."""
        proposal = self._pending(worker_id)
        engine = self.engine()
        result = self.result_of(worker_id)
        if engine is None or result is None:  # pragma: no cover - proposals imply both
            raise DomainRuleViolation("no-such-proposal", "no rule set or no result")
        return engine.approvable_level(
            proposal, result, current_level=current_level, promotions_granted=promotions_granted
        )

    def promotion_basis(self, worker_id: UUID | str, *, at: datetime, actor: str) -> dict[str, Any]:
        """The certificate basis of an approved promotion: this competition, the competition
        promotion bypass, and evidence naming the standing, the rule and the approval."""
        proposal = self.proposal(worker_id)
        result = self.result_of(worker_id)
        assert result is not None
        return promotion_basis(
            competition_id=self.id,
            competition=f"{self.name} ({self.reference}; tier {self.tier.value}; {self.year})",
            proposal=proposal,
            result=result,
            at=at,
            actor=actor,
        )

    def approve_promotion(
        self,
        worker_id: UUID,
        *,
        level: SkillLevel,
        certificate_number: str,
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        """Record the approval (核准) and the certificate issued for it."""
        check_approval(self._pending(worker_id), level)
        self._promotion_approved(
            worker_id=worker_id,
            level=level.code,
            certificate_number=certificate_number,
            note=note.strip() if isinstance(note, str) else "",
            at=at,
            actor=actor,
        )

    @event("PromotionApproved", topic="craftledger:Competition.PromotionApproved")
    def _promotion_approved(
        self,
        worker_id: UUID,
        level: str,
        certificate_number: str,
        note: str,
        at: datetime,
        actor: str,
    ) -> None:
        self.proposals[key_of(worker_id)].update(
            status=ProposalStatus.APPROVED.value,
            certificate_number=certificate_number,
            decided_by=actor,
            decided_at=at,
            note=note,
        )

    def reject_promotion(self, worker_id: UUID, *, reason: str, at: datetime, actor: str) -> None:
        """Do not approve a proposal; the reason is recorded."""
        self._pending(worker_id)
        self._promotion_rejected(
            worker_id=worker_id, reason=require_reason(reason, "a rejection"), at=at, actor=actor
        )

    @event("PromotionRejected", topic="craftledger:Competition.PromotionRejected")
    def _promotion_rejected(self, worker_id: UUID, reason: str, at: datetime, actor: str) -> None:
        self.proposals[key_of(worker_id)].update(
            status=ProposalStatus.REJECTED.value, decided_by=actor, decided_at=at, note=reason
        )

    # -- submission to the HR bureau (domain.competition_submission) -------------------------

    def submit_proposals(self, *, at: datetime, actor: str) -> list[str]:
        """Submit the pending proposals not yet submitted to the HR bureau (报送); returns
        their worker ids (text)."""
        self.require_final()
        workers = unsubmitted(self.proposals, self.name)
        self._proposals_submitted(worker_ids=workers, at=at, actor=actor)
        return workers

    @event("ProposalsSubmitted", topic="craftledger:Competition.ProposalsSubmitted")
    def _proposals_submitted(self, worker_ids: list[str], at: datetime, actor: str) -> None:
        for key in worker_ids:
            self.proposals[key].update(submitted_at=at, submitted_by=actor)
