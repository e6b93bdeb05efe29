"""The self-evaluation session aggregate (自主评价): its commands, each checked by the domain
rules in ``domain.evaluation.scores`` and ``domain.evaluation.candidates``, and its events.

Event topics are explicit (``craftledger:Evaluation.*``) and independent of this module's path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.certificate import Certificate
from domain.eligibility import CandidateFacts, EligibilityResult, EligibilityRoute
from domain.errors import DomainRuleViolation
from domain.evaluation.candidates import (
    Enrolment,
    check_enrolment,
    check_new_candidates,
    new_candidate,
)
from domain.evaluation.confirmation import (
    Confirmable,
    check_window_over,
    issued_record,
    report_record,
    report_summary,
    report_terms,
)
from domain.evaluation.panel import (
    PANEL_MEAN,
    SINGLE_MARK,
    add_mark,
    check_first_marks,
    check_mark_correction,
    correct_mark,
    refuse_second,
)
from domain.evaluation.planning import check_plan, require_active
from domain.evaluation.publication import (
    check_objection,
    check_publishable,
    check_resolvable,
    check_window,
    objection_record,
    publication_record,
    require_contact,
    require_scored,
    resolve,
)
from domain.evaluation.scores import (
    check_scorable,
    parse_score,
    require_scores_open,
    score_text,
)
from domain.evaluation.session_reading import SessionReading
from domain.evaluation.statuses import (
    EvaluationStatus,
    ObjectionOutcome,
    ObjectionParty,
)
from domain.free_text import mask_id_numbers, require_reason
from domain.identity import natural_id
from domain.issuance import IssueRequest, ProgressCallback, issue_certificates
from domain.ledger_aggregate import LedgerAggregate
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from domain.worker import Worker

__all__ = ["Confirmable", "Evaluation"]

_PUBLIC_OBJECTION = "craftledger:Evaluation.ObjectionLodgedOnThePublicPage"


class Evaluation(SessionReading, LedgerAggregate):
    """A planned self-evaluation session (see ``domain.evaluation`` for its life)."""

    TOPIC = "craftledger:Evaluation"
    status: EvaluationStatus  # a member, on a replayed and on a snapshot-restored session
    scoring: str = SINGLE_MARK  # a session (or snapshot) from before the panel rule

    class Created(Aggregate.Created):
        TOPIC = "craftledger:Evaluation.Created"

    @staticmethod
    def create_id(body_id: UUID, reference: str, **_: Any) -> UUID:
        return natural_id("evaluation", str(body_id), reference)

    @event("Planned", topic="craftledger:Evaluation.Planned")
    def __init__(
        self,
        body_id: UUID,
        reference: str,
        occupation_code: str,
        level: str,
        starts_on: str,
        ends_on: str,
        components: list[str],
        panels: dict[str, list[str]],
        actor: str,
        scoring: str = SINGLE_MARK,
    ) -> None:
        self.body_id = body_id
        self.reference = reference
        self.occupation_code = occupation_code
        self.level_code = level
        self.starts_on = starts_on
        self.ends_on = ends_on
        self.components = components
        self.panels = panels
        self.planned_by = actor
        self.scoring = scoring  # see domain.evaluation.panel
        self.status = EvaluationStatus.PLANNED
        self.candidates: dict[str, dict[str, Any]] = {}
        self.publication: dict[str, Any] | None = None
        self.objections: dict[str, dict[str, Any]] = {}
        self.confirmation: dict[str, Any] | None = None
        self.issued: dict[str, Any] | None = None
        self.report: dict[str, Any] | None = None

    @classmethod
    def plan(
        cls,
        *,
        body: Organisation,
        reference: str,
        occupation: Occupation,
        level: SkillLevel,
        starts_on: date,
        ends_on: date,
        panels: dict[str, list[str]],
        actor: str,
    ) -> Evaluation:
        """Plan a session inside the body's filed scope, with lawful examiner panels."""
        components = check_plan(body, occupation, level, starts_on, ends_on, panels)
        return cls(
            body_id=body.id,
            reference=reference,
            occupation_code=occupation.code,
            level=level.code,
            starts_on=starts_on.isoformat(),
            ends_on=ends_on.isoformat(),
            components=components,
            panels={k: list(v) for k, v in sorted(panels.items())},
            actor=actor,
            scoring=PANEL_MEAN,
        )

    # -- enrolment ----------------------------------------------------------------------------

    def enrol(
        self,
        *,
        body: Organisation,
        worker: Worker,
        route: EligibilityRoute,
        facts: CandidateFacts,
        on: date,
        actor: str,
    ) -> EligibilityResult:
        """Enrol ``worker`` on ``route``: own staff for a ``Y`` body, eligible on ``on``."""
        enrolment = self.enrolment(
            body=body, worker=worker, route=route, facts=facts, on=on, actor=actor
        )
        self._candidate_enrolled(**enrolment.record)
        return enrolment.result

    def enrolment(
        self,
        *,
        body: Organisation,
        worker: Worker,
        route: EligibilityRoute,
        facts: CandidateFacts,
        on: date,
        actor: str,
    ) -> Enrolment:
        """Check ``worker``'s enrolment as :meth:`enrol` does and return it, unrecorded (for
        :meth:`enrol_all`)."""
        self._require_status(EvaluationStatus.PLANNED, "enrol candidates in")
        self._require_own_body(body)
        require_active(body)
        return check_enrolment(
            reference=self.reference,
            level=self.level,
            occupation_code=self.occupation_code,
            enrolled=self.candidates,
            body=body,
            worker=worker,
            route=route,
            facts=facts,
            on=on,
            actor=actor,
        )

    def enrol_all(self, enrolments: Sequence[Enrolment]) -> None:
        """Enrol many checked candidates (from :meth:`enrolment`) in one event."""
        self._require_status(EvaluationStatus.PLANNED, "enrol candidates in")
        check_new_candidates(self.reference, self.candidates, enrolments)
        if enrolments:
            self._candidates_enrolled([dict(enrolment.record) for enrolment in enrolments])

    @event("CandidateEnrolled", topic="craftledger:Evaluation.CandidateEnrolled")
    def _candidate_enrolled(
        self,
        worker_id: UUID,
        name: str,
        masked_id_number: str,
        route: dict[str, Any],
        evidence: dict[str, Any],
        satisfied: list[str],
        on: str,
        actor: str,
    ) -> None:
        self.candidates[str(worker_id)] = new_candidate(
            worker_id, name, masked_id_number, route, evidence, satisfied, on, actor
        )

    @event("CandidatesEnrolled", topic="craftledger:Evaluation.CandidatesEnrolled")
    def _candidates_enrolled(self, candidates: list[dict[str, Any]]) -> None:
        for candidate in candidates:
            self.candidates[str(candidate["worker_id"])] = new_candidate(**candidate)

    # -- scores -------------------------------------------------------------------------------

    def record_score(
        self,
        *,
        body: Organisation,
        worker_id: UUID,
        component: str,
        score: object,
        examiner: str,
        on: date,
        actor: str,
    ) -> None:
        """Record one component score by a named examiner; a second one needs a correction."""
        self._score_recorded(
            **self.score(
                body=body,
                worker_id=worker_id,
                component=component,
                score=score,
                examiner=examiner,
                on=on,
                actor=actor,
            )
        )

    def score(
        self,
        *,
        body: Organisation,
        worker_id: UUID,
        component: str,
        score: object,
        examiner: str,
        on: date,
        actor: str,
    ) -> dict[str, Any]:
        """Check a first score as :meth:`record_score` does and return it, unrecorded (for
        :meth:`record_scores`)."""
        candidate = self._scorable(body, worker_id, component, examiner, on)
        value = parse_score(score)
        refuse_second(candidate, component, examiner.strip(), self.marking_panel(component))
        return {
            "worker_id": candidate["worker_id"],
            "component": component,
            "score": score_text(value),
            "examiner": examiner.strip(),
            "on": on.isoformat(),
            "actor": actor,
        }

    def record_scores(self, scores: Sequence[Mapping[str, Any]]) -> None:
        """Record many checked first scores (from :meth:`score`) in one event."""
        require_scores_open(self.reference, self.status)
        marks = [(self.candidate(e["worker_id"]), e["component"], e["examiner"]) for e in scores]
        check_first_marks(marks, self.marking_panel)
        if scores:
            self._scores_recorded([dict(entry) for entry in scores])

    @event("ScoreRecorded", topic="craftledger:Evaluation.ScoreRecorded")
    def _score_recorded(
        self, worker_id: UUID, component: str, score: str, examiner: str, on: str, actor: str
    ) -> None:
        self._add_score(worker_id, component, score, examiner, on, actor)

    @event("ScoresRecorded", topic="craftledger:Evaluation.ScoresRecorded")
    def _scores_recorded(self, scores: list[dict[str, Any]]) -> None:
        for entry in scores:
            self._add_score(**entry)

    def _add_score(
        self, worker_id: UUID, component: str, score: str, examiner: str, on: str, actor: str
    ) -> None:
        candidate = self.candidates[str(worker_id)]
        add_mark(candidate, component, self.marking_panel(component), score, examiner, on)

    def correct_score(
        self,
        *,
        body: Organisation,
        worker_id: UUID,
        component: str,
        score: object,
        examiner: str,
        reason: str,
        on: date,
        actor: str,
    ) -> None:
        """Correct a recorded score (on a panel-marked component: ``examiner``'s mark): a new
        event with the reason; the old score stays in history."""
        candidate = self._scorable(body, worker_id, component, examiner, on)
        value = parse_score(score)
        reason = require_reason(reason, "a score correction")
        panel = self.marking_panel(component)
        check_mark_correction(candidate, component, panel, score_text(value), examiner.strip())
        self._score_corrected(
            worker_id=candidate["worker_id"],
            component=component,
            score=score_text(value),
            examiner=examiner.strip(),
            reason=reason.strip(),
            on=on.isoformat(),
            actor=actor,
        )

    @event("ScoreCorrected", topic="craftledger:Evaluation.ScoreCorrected")
    def _score_corrected(
        self,
        worker_id: UUID,
        component: str,
        score: str,
        examiner: str,
        reason: str,
        on: str,
        actor: str,
    ) -> None:
        correction = (score, examiner, reason, on, actor)
        candidate = self.candidates[str(worker_id)]
        correct_mark(candidate, component, self.marking_panel(component), correction)

    def _scorable(
        self, body: Organisation, worker_id: UUID, component: str, examiner: str, on: date
    ) -> dict[str, Any]:
        require_scores_open(self.reference, self.status)
        self._require_own_body(body)
        require_active(body)
        candidate = self.candidate(worker_id)
        check_scorable(
            self.reference, self.starts_on, self.components, self.panels, component, examiner, on
        )
        return candidate

    # -- publication and objections ----------------------------------------------------------

    def publish(
        self,
        *,
        body: Organisation,
        on: date,
        working_days: int,
        window_ends_on: date,
        calendar: str,
        actor: str,
    ) -> None:
        """Publish (公示) the results; objections may be lodged until ``window_ends_on``.

        ``window_ends_on`` is the ``working_days``-th working day after ``on`` on the Chinese
        calendar, computed by the caller (``calendar`` names the data used).
        """
        self._require_status(EvaluationStatus.PLANNED, "publish")
        self._require_own_body(body)
        require_active(body)
        check_publishable(
            self.reference,
            self.ends_on,
            self.components,
            self.marking_panels,
            self.candidates.values(),
            on,
        )
        check_window(on, working_days, window_ends_on)
        self._results_published(
            published_on=on.isoformat(),
            working_days=working_days,
            window_ends_on=window_ends_on.isoformat(),
            calendar=calendar,
            results=self.results(),
            actor=actor,
        )

    @event("ResultsPublished", topic="craftledger:Evaluation.ResultsPublished")
    def _results_published(
        self,
        published_on: str,
        working_days: int,
        window_ends_on: str,
        calendar: str,
        results: dict[str, int],
        actor: str,
    ) -> None:
        self.status = EvaluationStatus.PUBLISHED
        self.publication = publication_record(
            published_on, working_days, window_ends_on, calendar, results, actor
        )

    def lodge_objection(
        self, *, worker_id: UUID, grounds: str, lodged_by: str, on: date, actor: str
    ) -> str:
        """Lodge an objection (异议) to a candidate's result during the window; returns its id."""
        candidate = self._objectable(worker_id, grounds, lodged_by, on)
        objection_id = f"O-{len(self.objections) + 1}"
        self._objection_lodged(
            objection_id=objection_id,
            worker_id=candidate["worker_id"],
            grounds=mask_id_numbers(grounds.strip()),
            lodged_by=mask_id_numbers(lodged_by.strip()),
            on=on.isoformat(),
            actor=actor,
        )
        return objection_id

    @event("ObjectionLodged", topic="craftledger:Evaluation.ObjectionLodged")
    def _objection_lodged(
        self, objection_id: str, worker_id: UUID, grounds: str, lodged_by: str, on: str, actor: str
    ) -> None:
        self.objections[objection_id] = objection_record(
            objection_id, worker_id, grounds, lodged_by, on
        )

    def lodge_public_objection(
        self,
        *,
        worker_id: UUID,
        grounds: str,
        contact: str,
        by_candidate: bool,
        on: date,
        actor: str,
    ) -> str:
        """Lodge an objection from the public 公示 page: anyone, with a contact (phone or
        e-mail, checked by the caller), or the candidate signed in, about their own result."""
        lodged_by = ObjectionParty.CANDIDATE if by_candidate else ObjectionParty.PUBLIC
        candidate = self._objectable(worker_id, grounds, lodged_by.value, on)
        contact = require_contact(contact)
        objection_id = f"O-{len(self.objections) + 1}"
        self._objection_lodged_on_the_public_page(
            objection_id=objection_id,
            worker_id=candidate["worker_id"],
            grounds=mask_id_numbers(grounds.strip()),
            contact=mask_id_numbers(contact),
            lodged_by=lodged_by.value,
            on=on.isoformat(),
            actor=actor,
        )
        return objection_id

    @event("ObjectionLodgedOnThePublicPage", topic=_PUBLIC_OBJECTION)
    def _objection_lodged_on_the_public_page(
        self, objection_id: str, worker_id: UUID, grounds: str, contact: str, lodged_by: str,
        on: str, actor: str,
    ) -> None:  # fmt: skip
        self.objections[objection_id] = objection_record(
            objection_id, worker_id, grounds, lodged_by, on, contact
        )

    def _objectable(self, worker_id: UUID, grounds: str, lodged_by: str, on: date) -> Any:
        """The candidate objected to, if an objection may be lodged now."""
        self._require_status(EvaluationStatus.PUBLISHED, "lodge objections to")
        candidate = self.candidate(worker_id)
        ends = self.window_ends_on
        assert ends is not None
        check_objection(self.reference, ends, grounds, lodged_by, on)
        return candidate

    def resolve_objection(
        self,
        *,
        body: Organisation,
        objection_id: str,
        outcome: ObjectionOutcome,
        reason: str,
        on: date,
        actor: str,
    ) -> None:
        """Resolve an objection: upheld withdraws the candidate's result; dismissed keeps it."""
        self._require_status(EvaluationStatus.PUBLISHED, "resolve objections to")
        self._require_own_body(body)
        check_resolvable(self.reference, self.objections.get(objection_id), objection_id)
        outcome = ObjectionOutcome(outcome)
        reason = require_reason(reason, "resolving an objection")
        self._objection_resolved(
            objection_id=objection_id,
            outcome=outcome.value,
            reason=reason.strip(),
            on=on.isoformat(),
            actor=actor,
        )

    @event("ObjectionResolved", topic="craftledger:Evaluation.ObjectionResolved")
    def _objection_resolved(
        self, objection_id: str, outcome: str, reason: str, on: str, actor: str
    ) -> None:
        resolve(self.objections, self.candidates, objection_id, outcome, reason, on, actor)

    # -- confirmation and issue ---------------------------------------------------------------

    def check_confirmable(self, body: Organisation, on: date) -> Confirmable:
        """Confirmation needs the window over (the day after its last day) and no open objection.

        The one check: :meth:`confirm_and_issue` takes what it returns (this session at this
        version, confirmable by ``body`` on ``on``) and does not check again."""
        self._require_status(EvaluationStatus.PUBLISHED, "confirm")
        self._require_own_body(body)
        require_active(body)
        assert self.window_ends_on is not None
        check_window_over(self.reference, self.window_ends_on, self.unresolved_objections, on)
        require_scored(
            self.reference, self.components, self.marking_panels, self.candidates.values()
        )
        return Confirmable(self.id, self.version, body, on, tuple(self.passing_worker_ids()))

    def confirm_and_issue(
        self,
        confirmable: Confirmable,
        *,
        occupation: Occupation,
        series: CertificateNumberSeries,
        workers: Mapping[UUID, Worker],
        held_levels: Mapping[UUID, Sequence[SkillLevel]],
        issued_at: datetime,
        actor: str,
        progress: ProgressCallback | None = None,
    ) -> list[Certificate]:
        """Confirm the results and issue every passing candidate's certificate.

        ``confirmable`` is what :meth:`check_confirmable` found for this session as it stands.
        All or nothing: every candidate is checked before anything is allocated (see
        :func:`domain.issuance.issue_certificates`); the caller saves this session with the
        returned certificates, the workers and the series in one atomic ``save``.
        """
        confirmable.check_current(self.id, self.version, self.reference)
        if occupation.code != self.occupation_code:
            raise DomainRuleViolation("wrong-occupation", "occupation differs from the session's")
        requests = [
            IssueRequest(workers[w], self.basis_for(w), tuple(held_levels.get(w, ())))
            for w in confirmable.passing
        ]
        certificates = issue_certificates(
            issuer=confirmable.body,
            occupation=occupation,
            level=self.level,
            series=series,
            requests=requests,
            issued_at=issued_at,
            actor=actor,
            progress=progress,
        )
        self._confirmed(on=confirmable.on.isoformat(), results=self.results(), actor=actor)
        self._certificates_issued(
            certificates=[
                [str(certificate.worker_id), certificate.number] for certificate in certificates
            ],
            issued_at=issued_at,
            actor=actor,
        )
        return certificates

    @event("Confirmed", topic="craftledger:Evaluation.Confirmed")
    def _confirmed(self, on: str, results: dict[str, int], actor: str) -> None:
        # no status of its own: CertificatesIssued follows in the same save
        self.confirmation = {"confirmed_on": on, "results": results, "confirmed_by": actor}

    @event("CertificatesIssued", topic="craftledger:Evaluation.CertificatesIssued")
    def _certificates_issued(
        self, certificates: list[list[str]], issued_at: datetime, actor: str
    ) -> None:
        for worker_id, number in certificates:
            self.candidates[worker_id]["certificate_number"] = number
        self.status = EvaluationStatus.ISSUED
        self.issued = issued_record(certificates, issued_at, actor)

    # -- report -------------------------------------------------------------------------------

    def report_issue(self, *, reported_to: str, reference: str, on: date, actor: str) -> None:
        """Report (上报) the issued certificates to the authority, once."""
        if self.status is EvaluationStatus.REPORTED:
            raise DomainRuleViolation("already-reported", f"{self.reference} is reported")
        self._require_status(EvaluationStatus.ISSUED, "report")
        assert self.issued is not None
        summary = report_summary(len(self.candidates), self.results(), self.issued)
        terms = report_terms(reported_to, reference, on)
        self._reported(**terms, summary=summary, actor=actor)

    @event("Reported", topic="craftledger:Evaluation.Reported")
    def _reported(
        self, reported_to: str, reference: str, on: str, summary: dict[str, Any], actor: str
    ) -> None:
        self.status = EvaluationStatus.REPORTED
        self.report = report_record(reported_to, reference, on, summary, actor)

    # -- guards -------------------------------------------------------------------------------

    def _require_status(self, status: EvaluationStatus, action: str) -> None:
        if self.status is not status:
            raise DomainRuleViolation(
                f"evaluation-is-{self.status}",
                f"cannot {action} {self.reference}: it is {self.status}, not {status.value}",
            )

    def _require_own_body(self, body: Organisation) -> None:
        if body.id != self.body_id:
            raise DomainRuleViolation(
                "not-the-evaluating-body", f"{body.name} does not run {self.reference}"
            )
