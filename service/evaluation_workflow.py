"""Commands of the self-evaluation workflow (企业自主评价): enrol, score, publish, object, confirm,
issue and report.

A mixin of ``service.ledger.Ledger``: methods here use the Ledger's loading and saving helpers.
The domain (``domain.evaluation``) decides; these commands load what it needs, supply the facts
only the service can know -- today's date on the China calendar, the publication window's last
day on the Chinese working-day calendar, the levels a worker holds -- and save atomically.

Confirmation is the one heavy command: it issues every passing candidate's certificate in one
atomic ``save`` (the session, every ``Certificate``, every ``Worker`` and the number series). It
reports progress through a callback so a background job (``service.jobs``) can show it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.certificate import CertificateStatus
from domain.eligibility import (
    CandidateFacts,
    DiplomaFact,
    DiplomaKind,
    EligibilityRoute,
    ExperiencePeriod,
    HeldLevel,
    TitleFact,
    TitleGrade,
    find_edition,
)
from domain.errors import DomainRuleViolation, InvalidValue
from domain.evaluation import Evaluation, EvaluationStatus, ObjectionOutcome
from domain.free_text import mask_id_numbers
from domain.skill_level import SkillLevel
from domain.worker import Worker
from projections.garbage_collection import pausing_collection
from service.commands import Recorded, retried

if TYPE_CHECKING:
    from service.evaluation_import import ImportReport

DEFAULT_PUBLICATION_WORKING_DAYS = 5
LOAD_CHUNK = 500
PUBLICATION_DAYS_VARIABLE = "CRAFTLEDGER_PUBLICATION_WORKING_DAYS"
CHINA = timezone(timedelta(hours=8), "China Standard Time")

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: stages ``loading``, ``checking``, ``building``,
``allocating status list entries``, ``signing credentials``, ``saving``."""


def china_date(moment: datetime) -> date:
    """The calendar date in mainland China (UTC+8) at ``moment``."""
    return moment.astimezone(CHINA).date()


# -- evidence -----------------------------------------------------------------------------------


def _date(value: object, field: str, *, optional: bool = False) -> date | None:
    if value is None or value == "":
        if optional:
            return None
        raise InvalidValue(field, "is required (YYYY-MM-DD)")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValue(field, "must be a date YYYY-MM-DD")


def _items(evidence: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = evidence.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise InvalidValue(f"evidence.{key}", "must be a list of objects")
    return items


def candidate_facts(
    evidence: Mapping[str, Any], occupation_code: str, levels_held: Iterable[HeldLevel]
) -> CandidateFacts:
    """The facts for an eligibility check: the body's evidence plus the levels the ledger knows.

    ``evidence`` holds ``experience`` (``occupation_code`` defaulting to the session's,
    ``start``, ``end`` or null), ``diplomas`` (``kind``, ``awarded_on`` or null for a final-year
    student, ``relevant``, ``reference``), ``titles`` (``series``, ``grade``, ``awarded_on``,
    ``relevant``) and ``evidence_reference`` (the approval or record behind a bypass route).
    Levels held are never taken from the body's word: they come from the ledger.
    Raises :class:`InvalidValue` naming the field.
    """
    experience = []
    for index, item in enumerate(_items(evidence, "experience")):
        where = f"evidence.experience[{index}]"
        start = _date(item.get("start"), f"{where}.start")
        assert start is not None
        experience.append(
            ExperiencePeriod(
                occupation_code=str(item.get("occupation_code") or occupation_code),
                start=start,
                end=_date(item.get("end"), f"{where}.end", optional=True),
            )
        )
    diplomas = []
    for index, item in enumerate(_items(evidence, "diplomas")):
        where = f"evidence.diplomas[{index}]"
        try:
            kind = DiplomaKind(str(item.get("kind")))
        except ValueError:
            raise InvalidValue(
                f"{where}.kind", f"must be one of {', '.join(k.value for k in DiplomaKind)}"
            ) from None
        diplomas.append(
            DiplomaFact(
                kind=kind,
                awarded_on=_date(item.get("awarded_on"), f"{where}.awarded_on", optional=True),
                relevant=bool(item.get("relevant", True)),
                reference=str(item.get("reference") or ""),
            )
        )
    titles = []
    for index, item in enumerate(_items(evidence, "titles")):
        where = f"evidence.titles[{index}]"
        try:
            grade = TitleGrade(str(item.get("grade")))
        except ValueError:
            raise InvalidValue(
                f"{where}.grade", f"must be one of {', '.join(g.value for g in TitleGrade)}"
            ) from None
        awarded_on = _date(item.get("awarded_on"), f"{where}.awarded_on")
        assert awarded_on is not None
        titles.append(
            TitleFact(
                series=str(item.get("series") or ""),
                grade=grade,
                awarded_on=awarded_on,
                relevant=bool(item.get("relevant", True)),
            )
        )
    return CandidateFacts(
        occupation_code=occupation_code,
        levels_held=tuple(levels_held),
        experience=tuple(experience),
        diplomas=tuple(diplomas),
        titles=tuple(titles),
        evidence_reference=mask_id_numbers(str(evidence.get("evidence_reference") or "").strip()),
    )


class EvaluationWorkflow:
    """Commands of the self-evaluation workflow (企业自主评价): enrol … confirm, issue, report."""

    # -- facts only the service knows --------------------------------------------------------------

    def publication_working_days(self) -> int:
        """The configured length of a 公示 window (``CRAFTLEDGER_PUBLICATION_WORKING_DAYS``)."""
        configured = self.env.get(PUBLICATION_DAYS_VARIABLE) or os.environ.get(
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
        held = []
        for entry in worker.certificates.values():
            certificate = self.certificate(entry["number"])
            if certificate.status is CertificateStatus.VALID:
                held.append(
                    HeldLevel(
                        occupation_code=certificate.occupation_code,
                        level=certificate.level,
                        obtained_on=date.fromisoformat(certificate.issued_on),
                        certificate_number=certificate.number,
                    )
                )
        for entry in worker.external_certificates.values():
            if entry["check"] == "confirmed":
                held.append(
                    HeldLevel(
                        occupation_code=entry["occupation_code"],
                        level=SkillLevel.from_code(entry["level"]),
                        obtained_on=date.fromisoformat(entry["issued_on"]),
                        certificate_number=entry["number"],
                    )
                )
        return held

    def load_workers(
        self,
        worker_ids: Sequence[UUID],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[UUID, Worker | None]:
        """Many workers in a few queries (``Ledger.load_many``); None for an id of no worker."""
        count = len(worker_ids)
        found: dict[UUID, Worker | None] = {}
        for start in range(0, count, LOAD_CHUNK):
            chunk = worker_ids[start : start + LOAD_CHUNK]
            loaded = self.load_many(chunk)
            for worker_id in chunk:
                worker = loaded.get(worker_id)
                found[worker_id] = worker if isinstance(worker, Worker) else None
            if progress is not None:
                progress(min(start + LOAD_CHUNK, count), count)
        return found

    def eligibility_route(
        self, evaluation: Evaluation, route_id: str, on: date
    ) -> EligibilityRoute:
        """Route ``route_id`` of the edition governing the session's occupation on ``on``."""
        return find_edition(evaluation.occupation_code, on).route(route_id)

    # -- enrolment ---------------------------------------------------------------------------------

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
        evaluation = self.evaluation(evaluation_id)
        body = self.organisation(evaluation.body_id)
        worker = self.worker(worker_id)
        today = self.china_today()
        route = self.eligibility_route(evaluation, route_id, today)
        facts = candidate_facts(evidence, evaluation.occupation_code, self.held_level_facts(worker))
        evaluation.enrol(body=body, worker=worker, route=route, facts=facts, on=today, actor=actor)
        return self.record(evaluation)

    # -- scores ------------------------------------------------------------------------------------

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
        evaluation = self.evaluation(evaluation_id)
        evaluation.record_score(
            body=self.organisation(evaluation.body_id),
            worker_id=worker_id,
            component=component,
            score=score,
            examiner=examiner,
            on=self.china_today(),
            actor=actor,
        )
        return self.record(evaluation)

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
        evaluation = self.evaluation(evaluation_id)
        evaluation.correct_score(
            body=self.organisation(evaluation.body_id),
            worker_id=worker_id,
            component=component,
            score=score,
            examiner=examiner,
            reason=reason,
            on=self.china_today(),
            actor=actor,
        )
        return self.record(evaluation)

    # -- publication and objections ----------------------------------------------------------------

    @retried
    def publish_results(
        self, evaluation_id: UUID, *, working_days: int | None = None, actor: str
    ) -> Recorded:
        """Publish (公示) for ``working_days`` (default: configured, 5) on the Chinese calendar.

        The window is counted on the calendar in force for each year it reaches
        (``service.calendars``) and records their names; a year no calendar covers refuses
        it (``calendar-missing-year``, naming the year and how to add it)."""
        evaluation = self.evaluation(evaluation_id)
        body = self.organisation(evaluation.body_id)
        days = self.publication_working_days() if working_days is None else working_days
        if isinstance(days, bool) or not isinstance(days, int) or days < 1:
            raise DomainRuleViolation(
                "invalid-publication-window", "a publication window is at least 1 working day"
            )
        today = self.china_today()
        window = self.calendars.working_day_calendar().window(today, days)  # calendar-missing-year
        evaluation.publish(
            body=body,
            on=today,
            working_days=days,
            window_ends_on=window.ends_on,
            calendar=window.calendar_name,
            actor=actor,
        )
        return self.record(evaluation)

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
        """Lodge an objection; the new objection's id is the last key of ``objections``."""
        evaluation = self.evaluation(evaluation_id)
        evaluation.lodge_objection(
            worker_id=worker_id,
            grounds=grounds,
            lodged_by=lodged_by,
            on=self.china_today(),
            actor=actor,
        )
        return self.record(evaluation)

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
        try:
            resolved = ObjectionOutcome(outcome)
        except ValueError:
            raise InvalidValue("outcome", "must be upheld or dismissed") from None
        evaluation = self.evaluation(evaluation_id)
        evaluation.resolve_objection(
            body=self.organisation(evaluation.body_id),
            objection_id=objection_id,
            outcome=resolved,
            reason=reason,
            on=self.china_today(),
            actor=actor,
        )
        return self.record(evaluation)

    # -- confirmation and issue --------------------------------------------------------------------

    def check_confirmation(self, evaluation_id: UUID) -> Evaluation:
        """Refuse now what confirmation would refuse (window open, objections, status)."""
        evaluation = self.evaluation(evaluation_id)
        evaluation.check_confirmable(self.organisation(evaluation.body_id), self.china_today())
        return evaluation

    @retried
    @pausing_collection
    def confirm_evaluation(
        self, evaluation_id: UUID, *, actor: str, progress: Progress | None = None
    ) -> Recorded:
        """Confirm the results and issue every passing candidate's certificate, atomically.

        One ``save``: the session (Confirmed, CertificatesIssued), every Certificate, every
        Worker (CertificateReceived), the number series (one SerialsAllocated) and the
        credentials' status list entries, every credential signed before it
        (``record_issue``: an issuer that cannot sign refuses the confirmation; the
        credentials come back in ``Recorded.credentials``, byte for byte what the events give
        later). A refusal or a failure anywhere records nothing.
        """
        report: Progress = progress or (lambda stage, done, total: None)
        evaluation = self.evaluation(evaluation_id)
        body = self.organisation(evaluation.body_id)
        today = self.china_today()
        evaluation.check_confirmable(body, today)
        occupation = self.occupation(evaluation.occupation_code)
        issued_at = self.clock()
        series = self.certificates.number_series(body, issued_at.year, evaluation.level)
        passing = evaluation.passing_worker_ids()
        count = len(passing)
        total = 3 * count + 1
        loaded = self.load_workers(
            passing, progress=lambda done, of: report("loading", done, total)
        )
        workers: dict[UUID, Worker] = {}
        held: dict[UUID, list[SkillLevel]] = {}
        for worker_id in passing:
            worker = loaded[worker_id]
            if worker is None:
                raise DomainRuleViolation("unknown-worker", f"no worker {worker_id}")
            workers[worker_id] = worker
            held[worker_id] = self.workers.held_levels(worker, occupation.code)

        def domain_progress(done: int, of: int) -> None:
            if done % 50 == 0 or done == of:
                stage = "checking" if done <= count else "building"
                report(stage, count + done, total)

        certificates = evaluation.confirm_and_issue(
            body=body,
            occupation=occupation,
            series=series,
            workers=workers,
            held_levels=held,
            on=today,
            issued_at=issued_at,
            actor=actor,
            progress=domain_progress,
        )
        recorded = self.credentials.record_issue(
            body,
            certificates,
            evaluation,
            *certificates,
            *workers.values(),
            series,
            actor=actor,
            stage=lambda name: report(name, 3 * count, total),
        )
        report("saved", total, total)
        return recorded

    # -- report ------------------------------------------------------------------------------------

    @retried
    def report_evaluation(
        self, evaluation_id: UUID, *, reported_to: str, reference: str, actor: str
    ) -> Recorded:
        """Report (上报) the issued certificates to the authority."""
        evaluation = self.evaluation(evaluation_id)
        evaluation.report_issue(
            reported_to=reported_to,
            reference=reference,
            on=self.china_today(),
            actor=actor,
        )
        return self.record(evaluation)

    # -- bulk import -----------------------------------------------------------------------------

    @retried
    def import_candidates(
        self, evaluation_id: UUID, data: bytes, *, dry_run: bool, actor: str
    ) -> ImportReport:
        """Enrol a CSV/XLSX file's candidates, all or nothing (``service.evaluation_import``)."""
        from service.evaluation_import import import_candidates

        return import_candidates(self, evaluation_id, data, dry_run=dry_run, actor=actor)

    @retried
    def import_scores(
        self, evaluation_id: UUID, data: bytes, *, dry_run: bool, actor: str
    ) -> ImportReport:
        """Record a CSV/XLSX file's scores, all or nothing (see ``service.evaluation_import``)."""
        from service.evaluation_import import import_scores

        return import_scores(self, evaluation_id, data, dry_run=dry_run, actor=actor)

    # -- reading -----------------------------------------------------------------------------------

    def evaluation_summaries(
        self, *, body_id: UUID | None, after: int | None, limit: int
    ) -> tuple[list[EvaluationSummary], int | None]:
        """Sessions in planning order (optionally of one body) after log position ``after``.

        Read from the log itself: each session's ``Planned`` event gives the plan, its newest
        event gives the status, so no session is replayed. Returns the page and the position to
        continue after (None on the last page).
        """
        page: list[EvaluationSummary] = []
        start = (after or 0) + 1
        batch = max(limit * 4, 100)
        while True:
            notifications = self.recorder.select_notifications(
                start=start, limit=batch, topics=[PLANNED_TOPIC]
            )
            for notification in notifications:
                planned = self.mapper.to_domain_event(notification)
                if body_id is not None and planned.body_id != body_id:
                    continue
                if len(page) == limit:
                    return page, page[-1].position
                (newest,) = self.recorder.select_events(
                    notification.originator_id, desc=True, limit=1
                )
                page.append(
                    EvaluationSummary(
                        id=notification.originator_id,
                        position=notification.id,
                        body_id=planned.body_id,
                        reference=planned.reference,
                        occupation_code=planned.occupation_code,
                        level=planned.level,
                        starts_on=planned.starts_on,
                        ends_on=planned.ends_on,
                        status=STATUS_AFTER.get(newest.topic, EvaluationStatus.PLANNED.value),
                        version=newest.originator_version,
                    )
                )
            if len(notifications) < batch:
                return page, None
            start = notifications[-1].id + 1


@dataclass(frozen=True)
class EvaluationSummary:
    """One session in a list: its plan and current status."""

    id: UUID
    position: int
    body_id: UUID
    reference: str
    occupation_code: str
    level: str
    starts_on: str
    ends_on: str
    status: str
    version: int


PLANNED_TOPIC = "craftledger:Evaluation.Planned"
STATUS_AFTER = {
    "craftledger:Evaluation.ResultsPublished": EvaluationStatus.PUBLISHED.value,
    "craftledger:Evaluation.ObjectionLodged": EvaluationStatus.PUBLISHED.value,
    "craftledger:Evaluation.ObjectionResolved": EvaluationStatus.PUBLISHED.value,
    "craftledger:Evaluation.Confirmed": EvaluationStatus.CONFIRMED.value,
    "craftledger:Evaluation.CertificatesIssued": EvaluationStatus.ISSUED.value,
    "craftledger:Evaluation.Reported": EvaluationStatus.REPORTED.value,
}
"""The status a session is in when its newest event has this topic (otherwise planned)."""


CONFIRM_JOB = "confirm-evaluation"


def confirmation_job(ledger: Any, params: Mapping[str, Any], progress: Progress) -> dict[str, Any]:
    """The ``confirm-evaluation`` job: confirm and issue, or report what an earlier run issued.

    Safe to re-run (a job is retried after a crash): the confirming save is atomic, so either it
    happened -- the session is issued and this reports its certificates -- or nothing did.
    """
    evaluation_id = UUID(str(params["evaluation_id"]))
    evaluation = ledger.evaluation(evaluation_id)
    position = None
    if evaluation.status not in ISSUED_STATES:
        recorded = ledger.confirm_evaluation(
            evaluation_id, actor=str(params["actor"]), progress=progress
        )
        evaluation = recorded.aggregate
        position = recorded.position
    assert evaluation.issued is not None
    return {
        "evaluation_id": str(evaluation.id),
        "status": evaluation.status,
        "results": evaluation.confirmation["results"] if evaluation.confirmation else {},
        "certificates": evaluation.issued["count"],
        "first_number": evaluation.issued["first_number"],
        "last_number": evaluation.issued["last_number"],
        "log_position": position,
    }


ISSUED_STATES = (EvaluationStatus.ISSUED.value, EvaluationStatus.REPORTED.value)
