"""The self-evaluation workflow (企业自主评价) as a capability composed around the ledger: plan,
enrol, score, publish, object, confirm and issue, report, import.

The domain (``domain.evaluation``) decides; these commands load what it needs, supply the facts
only the service can know -- today's date on the China calendar, the publication window's last
day on the Chinese working-day calendar, the levels a worker holds -- and save atomically.
Confirmation, the one heavy command, is in ``service.evaluations.confirmation``; spreadsheet
imports in ``service.evaluations.imports``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.eligibility import EligibilityRoute, HeldLevel, find_edition
from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation, ObjectionOutcome
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from domain.worker import Worker
from service.capabilities import CertificateRecords, HeldLevels
from service.commands import Recorded, retried
from service.evaluations import imports
from service.evaluations.collaborators import CredentialRecords, WorkingDays
from service.evaluations.confirmation import Confirmation, Progress
from service.evaluations.evidence import candidate_facts, held_level_facts, load_workers
from service.evaluations.imports import ImportReport
from service.evaluations.mark_sheet import MarkEntry, MarkSheetResult, record_marks
from service.ledger_store import LedgerStore

__all__ = ["DEFAULT_PUBLICATION_WORKING_DAYS", "PUBLICATION_DAYS_VARIABLE", "Evaluations"]

DEFAULT_PUBLICATION_WORKING_DAYS = 5
PUBLICATION_DAYS_VARIABLE = "CRAFTLEDGER_PUBLICATION_WORKING_DAYS"


class Evaluations:
    """Commands of the self-evaluation workflow (企业自主评价), composed around the ledger."""

    def __init__(
        self,
        ledger: LedgerStore,
        *,
        credentials: CredentialRecords,
        certificates: CertificateRecords,
        workers: HeldLevels,
        calendars: WorkingDays,
    ) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._calendars = calendars
        self._confirmation = Confirmation(
            ledger, credentials=credentials, certificates=certificates, workers=workers
        )

    # -- facts only the service knows ----------------------------------------------------------

    def publication_working_days(self) -> int:
        """The configured length of a 公示 window (``CRAFTLEDGER_PUBLICATION_WORKING_DAYS``)."""
        configured = self._ledger.env.get(PUBLICATION_DAYS_VARIABLE) or os.environ.get(
            PUBLICATION_DAYS_VARIABLE
        )
        if not configured:
            return DEFAULT_PUBLICATION_WORKING_DAYS
        try:
            days = int(configured)
        except ValueError:
            days = 0
        if days < 1:
            raise InvalidValue(PUBLICATION_DAYS_VARIABLE, "must be a whole number of days >= 1")
        return days

    def held_level_facts(self, worker: Worker) -> list[HeldLevel]:
        """Every valid ledger certificate and every confirmed external one the worker holds."""
        return held_level_facts(self._ledger, worker)

    def load_workers(
        self, worker_ids: Sequence[UUID], *, progress: Callable[[int, int], None] | None = None
    ) -> dict[UUID, Worker | None]:
        """Many workers in a few queries; None for an id of no worker."""
        return load_workers(self._ledger, worker_ids, progress=progress)

    @staticmethod
    def eligibility_route(evaluation: Evaluation, route_id: str, on: date) -> EligibilityRoute:
        """Route ``route_id`` of the edition governing the session's occupation on ``on``."""
        return find_edition(evaluation.occupation_code, on).route(route_id)

    def _body(self, evaluation: Evaluation) -> Organisation:
        """The session's evaluating body (评价机构)."""
        return self._ledger.organisation(evaluation.body_id)

    def _changed(
        self, evaluation_id: UUID, change: Callable[[Evaluation, date], object]
    ) -> Recorded:
        """Load the session, let ``change`` decide on it today (China calendar), and save."""
        evaluation = self._ledger.evaluation(evaluation_id)
        change(evaluation, self._ledger.china_today())
        return self._ledger.record(evaluation)

    # -- plan and enrolment --------------------------------------------------------------------

    @retried
    def plan_evaluation(
        self,
        *,
        body_id: UUID,
        reference: str,
        occupation_code: str,
        level: SkillLevel,
        starts_on: date,
        ends_on: date,
        panels: dict[str, list[str]],
        actor: str,
    ) -> Recorded:
        """Plan a session inside the body's filed scope; a body's reference is used once."""
        ledger = self._ledger
        if ledger.exists(Evaluation.create_id(body_id=body_id, reference=reference)):
            raise DomainRuleViolation("duplicate-reference", f"evaluation {reference} exists")
        evaluation = Evaluation.plan(
            body=ledger.organisation(body_id),
            reference=reference,
            occupation=ledger.occupation(occupation_code),
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            panels=panels,
            actor=actor,
        )
        return ledger.record(evaluation)

    @retried
    def enrol_candidate(
        self,
        evaluation_id: UUID,
        *,
        worker_id: UUID,
        route_id: str,
        evidence: Mapping[str, Any],
        actor: str,
    ) -> Recorded:
        """Enrol a worker on an eligibility route with its evidence (refused if ineligible)."""
        ledger = self._ledger
        evaluation = ledger.evaluation(evaluation_id)
        body = ledger.organisation(evaluation.body_id)
        worker = ledger.worker(worker_id)
        today = ledger.china_today()
        route = self.eligibility_route(evaluation, route_id, today)
        facts = candidate_facts(evidence, evaluation.occupation_code, self.held_level_facts(worker))
        evaluation.enrol(body=body, worker=worker, route=route, facts=facts, on=today, actor=actor)
        return ledger.record(evaluation)

    # -- scores --------------------------------------------------------------------------------

    @retried
    def record_score(
        self,
        evaluation_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        score: object,
        examiner: str,
        actor: str,
    ) -> Recorded:
        """Record one component score by a named examiner (once; then correct it)."""
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.record_score(
                body=self._body(evaluation),
                worker_id=worker_id,
                component=component,
                score=score,
                examiner=examiner,
                on=today,
                actor=actor,
            ),
        )

    @retried
    def correct_score(
        self,
        evaluation_id: UUID,
        *,
        worker_id: UUID,
        component: str,
        score: object,
        examiner: str,
        reason: str,
        actor: str,
    ) -> Recorded:
        """Correct a recorded score with a reason (a new event; the old score stays)."""
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.correct_score(
                body=self._body(evaluation),
                worker_id=worker_id,
                component=component,
                score=score,
                examiner=examiner,
                reason=reason,
                on=today,
                actor=actor,
            ),
        )

    @retried
    def record_marks(
        self, evaluation_id: UUID, entries: Sequence[MarkEntry], *, actor: str
    ) -> MarkSheetResult:
        """Record a mark sheet's new and changed marks (corrections with their reasons) in one
        save, or nothing (``service.evaluations.mark_sheet``)."""
        return record_marks(self._ledger, evaluation_id, entries, actor=actor)

    # -- publication and objections ------------------------------------------------------------

    @retried
    def publish_results(
        self, evaluation_id: UUID, *, working_days: int | None = None, actor: str
    ) -> Recorded:
        """Publish (公示) for ``working_days`` (default: configured, 5) on the Chinese calendar.

        The window is counted on the calendar in force for each year it reaches
        (``service.calendars``) and records their names; a year no calendar covers refuses
        it (``calendar-missing-year``, naming the year and how to add it)."""
        evaluation = self._ledger.evaluation(evaluation_id)
        body = self._ledger.organisation(evaluation.body_id)
        days = self.publication_working_days() if working_days is None else working_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise DomainRuleViolation(
                "invalid-publication-window", "a publication window is at least 1 working day"
            )
        today = self._ledger.china_today()
        window = self._calendars.working_day_calendar().window(today, days)
        evaluation.publish(
            body=body,
            on=today,
            working_days=days,
            window_ends_on=window.ends_on,
            calendar=window.calendar_name,
            actor=actor,
        )
        return self._ledger.record(evaluation)

    @retried
    def lodge_objection(
        self,
        evaluation_id: UUID,
        *,
        worker_id: UUID,
        grounds: str,
        lodged_by: str,
        actor: str,
    ) -> Recorded:
        """Lodge an objection (异议); the new objection's id is the last key of ``objections``."""
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.lodge_objection(
                worker_id=worker_id, grounds=grounds, lodged_by=lodged_by, on=today, actor=actor
            ),
        )

    @retried
    def lodge_public_objection(
        self,
        evaluation_id: UUID,
        *,
        worker_id: UUID,
        grounds: str,
        contact: str,
        by_candidate: bool = False,
        actor: str,
    ) -> Recorded:
        """Lodge an objection from the public 公示 page (anyone with a contact, or the candidate
        signed in); the new objection's id is the last key of ``objections``."""
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.lodge_public_objection(
                worker_id=worker_id,
                grounds=grounds,
                contact=contact,
                by_candidate=by_candidate,
                on=today,
                actor=actor,
            ),
        )

    @retried
    def resolve_objection(
        self,
        evaluation_id: UUID,
        objection_id: str,
        *,
        outcome: ObjectionOutcome | str,
        reason: str,
        actor: str,
    ) -> Recorded:
        """Resolve an objection: upheld withdraws the candidate's result with the reason."""
        try:
            resolved = ObjectionOutcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "must be upheld or dismissed") from None
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.resolve_objection(
                body=self._body(evaluation),
                objection_id=objection_id,
                outcome=resolved,
                reason=reason,
                on=today,
                actor=actor,
            ),
        )

    # -- confirmation and report ---------------------------------------------------------------

    def check_confirmation(self, evaluation: UUID | Evaluation) -> Evaluation:
        """Refuse now what confirmation would refuse (window open, objections, status).
        ``evaluation``: the session, or its id (then it is loaded)."""
        return self._confirmation.check(evaluation)

    def confirm_evaluation(
        self,
        evaluation_id: UUID,
        *,
        actor: str,
        progress: Progress | None = None,
        rerun: bool = False,
    ) -> Recorded:
        """Confirm the results and issue every passing candidate's certificate, atomically
        (``service.evaluations.confirmation``). ``rerun``: a job run again after a crash; a
        session already issued is answered as it stands (position None) instead of refused."""
        return self._confirmation.confirm(
            evaluation_id, actor=actor, progress=progress, rerun=rerun
        )

    @retried
    def report_evaluation(
        self, evaluation_id: UUID, *, reported_to: str, reference: str, actor: str
    ) -> Recorded:
        """Report (上报) the issued certificates to the authority."""
        return self._changed(
            evaluation_id,
            lambda evaluation, today: evaluation.report_issue(
                reported_to=reported_to, reference=reference, on=today, actor=actor
            ),
        )

    # -- spreadsheet imports -------------------------------------------------------------------

    @retried
    def import_candidates(
        self, evaluation_id: UUID, data: bytes, *, dry_run: bool, actor: str
    ) -> ImportReport:
        """Enrol a CSV/XLSX file's candidates, all or nothing (``service.evaluations.imports``)."""
        return imports.import_candidates(
            self._ledger, self._credentials, evaluation_id, data, dry_run=dry_run, actor=actor
        )

    @retried
    def import_scores(
        self, evaluation_id: UUID, data: bytes, *, dry_run: bool, actor: str
    ) -> ImportReport:
        """Record a CSV/XLSX file's scores, all or nothing (``service.evaluations.imports``)."""
        return imports.import_scores(
            self._ledger, evaluation_id, data, dry_run=dry_run, actor=actor
        )
