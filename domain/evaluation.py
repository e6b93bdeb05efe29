"""Evaluation: one self-evaluation session (自主评价) of one body for one occupation and level.

The session's life, each step an event on this aggregate:

1. **Planned** -- inside the body's filed scope, with dates, components (theory, practical, and
   for 技师/高级技师 the comprehensive review 综合评审) and lawful examiner panels.
2. **CandidateEnrolled** -- a worker on an eligibility route (versioned data, see
   :mod:`domain.eligibility`) with the evidence it was checked against; a ``Y`` body enrols only
   its own staff; an ineligible candidate is refused naming the route and what failed.
   **CandidatesEnrolled** records many at once (a spreadsheet import): the same checks, the
   same records, one event -- so a 5,000-candidate session replays from a handful of events.
3. **ScoreRecorded** / **ScoreCorrected** -- one score per candidate and component by a named
   examiner (on the component's panel, if it has one). A correction is a new event with a
   reason, never an edit. Scores are integers or decimal strings (never floats), 0..100 with at
   most two decimals. A candidate passes when *every* component is at least 60: no averaging.
   **ScoresRecorded** records many first scores at once (an import), checked the same way.
4. **ResultsPublished** -- publication (公示) with a window of N working days. The window's last
   day is computed on the Chinese working-day calendar by the service and passed in as a date.
5. **ObjectionLodged** / **ObjectionResolved** -- objections during the window; an upheld one
   withdraws that candidate's result, with the reason.
6. **Confirmed** + **CertificatesIssued** -- after the window, with every objection resolved, the
   results are confirmed and every passing candidate's certificate is issued by
   :func:`domain.issuance.issue_certificates`; the application saves the session, every
   certificate, every worker and the number series in one atomic ``save``.
7. **Reported** -- the issue is reported (上报) to the authority.

Statuses: ``planned`` → ``published`` → ``issued`` → ``reported``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.certificate import BasisKind, Bypass, Certificate
from domain.eligibility import (
    CandidateFacts,
    EligibilityResult,
    EligibilityRoute,
    RouteKind,
    check_eligibility,
)
from domain.errors import DomainRuleViolation, InvalidValue
from domain.free_text import mask_id_numbers, require_reason
from domain.identity import natural_id
from domain.issuance import IssueRequest, ProgressCallback, issue_certificates
from domain.ledger_aggregate import LedgerAggregate
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation
from domain.organisation import Organisation, OrganisationKind, OrganisationStatus
from domain.skill_level import SkillLevel
from domain.worker import Worker

PASS_MARK = 60
MAX_SCORE = 100

COMPONENT_NAMES_ZH = {"theory": "理论知识", "practical": "操作技能", "review": "综合评审"}

SCORE_PATTERN = r"100(?:\.0{1,2})?|[0-9]{1,2}(?:\.[0-9]{1,2})?"
"""A score as text: 0 to 100 with at most two decimals (``"85"``, ``"59.5"``, ``"100.00"``)."""
_SCORE_TEXT = re.compile(SCORE_PATTERN)


class EvaluationStatus(StrEnum):
    PLANNED = "planned"
    PUBLISHED = "published"
    CONFIRMED = "confirmed"  # only between the two events of the confirming save
    ISSUED = "issued"
    REPORTED = "reported"


class ObjectionOutcome(StrEnum):
    UPHELD = "upheld"  # the candidate's result is withdrawn
    DISMISSED = "dismissed"


class CandidateResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INCOMPLETE = "incomplete"  # a component has no score yet
    WITHDRAWN = "withdrawn"  # an upheld objection withdrew it


def parse_score(value: object) -> Decimal:
    """A score out of 100: an integer or a decimal string with at most two decimals.

    Floats are refused: ``0.1 + 0.2`` is not ``0.3``, and a score must be the number the
    examiner wrote down. Raises :class:`InvalidValue` naming the field ``score``.
    """
    if isinstance(value, bool | float):
        raise InvalidValue(
            "score",
            "scores are integers or decimal strings, never floating-point numbers "
            '(send 85.5 as the string "85.5")',
        )
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise InvalidValue(
            "score", f"expected an integer or a decimal string, got {type(value).__name__}"
        )
    if _SCORE_TEXT.fullmatch(text) is None:
        raise InvalidValue(
            "score", f'must be 0 to {MAX_SCORE} with at most two decimals, e.g. 85 or "85.5"'
        )
    return Decimal(text)


def score_text(score: Decimal) -> str:
    """The canonical text of a score: ``"85"``, ``"85.5"`` (no exponent, no trailing zeros)."""
    return format(score.normalize(), "f")


def evidence_record(facts: CandidateFacts) -> dict[str, Any]:
    """The facts an eligibility check relied on, as JSON-safe data for the enrolment event."""
    return {
        "levels_held": [
            {
                "occupation_code": held.occupation_code,
                "level": held.level.code,
                "obtained_on": held.obtained_on.isoformat(),
                "certificate_number": held.certificate_number,
            }
            for held in facts.levels_held
        ],
        "experience": [
            {
                "occupation_code": period.occupation_code,
                "start": period.start.isoformat(),
                "end": period.end.isoformat() if period.end else None,
            }
            for period in facts.experience
        ],
        "diplomas": [
            {
                "kind": diploma.kind.value,
                "awarded_on": diploma.awarded_on.isoformat() if diploma.awarded_on else None,
                "relevant": diploma.relevant,
                "reference": diploma.reference,
            }
            for diploma in facts.diplomas
        ],
        "titles": [
            {
                "series": title.series,
                "grade": title.grade.value,
                "awarded_on": title.awarded_on.isoformat(),
                "relevant": title.relevant,
            }
            for title in facts.titles
        ],
        "evidence_reference": facts.evidence_reference,
    }


_BYPASS_OF_ROUTE = {
    RouteKind.DIRECT_RECOGNITION: Bypass.DIRECT_RECOGNITION,
    RouteKind.FAST_TRACK: Bypass.FAST_TRACK,
    RouteKind.COMPETITION_PROMOTION: Bypass.COMPETITION_PROMOTION,
}


def components_for(level: SkillLevel) -> list[str]:
    """Theory and practical for every level; 技师 and 高级技师 also a comprehensive review."""
    components = ["theory", "practical"]
    if level in (SkillLevel.LEVEL_2, SkillLevel.LEVEL_1):
        components.append("review")
    return components


def check_panel(name: str, examiners: list[str]) -> None:
    """Examiner panels are an odd number, at least three, without duplicates."""
    if len(set(examiners)) != len(examiners):
        raise DomainRuleViolation("panel-duplicate-examiner", f"the {name} panel repeats a name")
    if len(examiners) < 3 or len(examiners) % 2 == 0:
        raise DomainRuleViolation(
            "panel-size",
            f"the {name} panel needs an odd number of at least 3 examiners, has {len(examiners)}",
        )


def _refuse_second_score(
    candidate: Mapping[str, Any], component: str, in_batch: set[str] | frozenset[str] = frozenset()
) -> None:
    """A component is scored once (recorded, or earlier in the same batch); then corrected."""
    if component in candidate["scores"] or component in in_batch:
        raise DomainRuleViolation(
            "score-already-recorded",
            f"{candidate['name']}'s {component} score is recorded; "
            "correct it with a reason instead",
        )


@dataclass(frozen=True)
class Confirmable:
    """What :meth:`Evaluation.check_confirmable` found: session ``evaluation_id`` at
    ``version`` may be confirmed by ``body`` on ``on``; ``passing`` get certificates."""

    evaluation_id: UUID
    version: int
    body: Organisation
    on: date
    passing: tuple[UUID, ...]


@dataclass(frozen=True)
class Enrolment:
    """A candidate's enrolment, checked but not yet recorded: the eligibility result and the
    candidate record ``Evaluation.enrol_all`` records."""

    result: EligibilityResult
    record: Mapping[str, Any]


class Evaluation(LedgerAggregate):
    """A planned self-evaluation session."""

    TOPIC = "craftledger:Evaluation"

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
        self.status = EvaluationStatus.PLANNED.value
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
        if body.status is not OrganisationStatus.ACTIVE:
            raise DomainRuleViolation(
                f"issuer-{body.status.value}", f"{body.name} is {body.status.value}"
            )
        if not body.kind.evaluates:
            raise DomainRuleViolation("not-an-evaluation-body", f"{body.name} cannot evaluate")
        if not occupation.allows(level):
            raise DomainRuleViolation(
                "level-not-allowed-for-occupation", f"{occupation.name} has no {level.name_zh}"
            )
        if not body.covers(occupation.code, level):
            raise DomainRuleViolation(
                "outside-filed-scope",
                f"{body.name} is not filed for {occupation.name} {level.name_zh}",
            )
        if ends_on < starts_on:
            raise DomainRuleViolation("invalid-dates", "the session ends before it starts")
        components = components_for(level)
        required = ["practical"] + (["review"] if "review" in components else [])
        for name in required:
            check_panel(name, panels.get(name, []))
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
        )

    @property
    def level(self) -> SkillLevel:
        return SkillLevel.from_code(self.level_code)

    # -- reading -------------------------------------------------------------------------------

    def candidate(self, worker_id: UUID) -> dict[str, Any]:
        """The enrolled candidate ``worker_id`` (rule ``not-enrolled`` if there is none)."""
        try:
            return self.candidates[str(worker_id)]
        except KeyError:
            raise DomainRuleViolation(
                "not-enrolled", f"worker {worker_id} is not a candidate of {self.reference}"
            ) from None

    def result_of(self, candidate: Mapping[str, Any]) -> CandidateResult:
        """Passed only when every component is scored and each is at least 60 (no averaging)."""
        if candidate["withdrawn"] is not None:
            return CandidateResult.WITHDRAWN
        scores = candidate["scores"]
        if any(component not in scores for component in self.components):
            return CandidateResult.INCOMPLETE
        if all(Decimal(scores[c]["score"]) >= PASS_MARK for c in self.components):
            return CandidateResult.PASSED
        return CandidateResult.FAILED

    def failed_components(self, candidate: Mapping[str, Any]) -> list[str]:
        scores = candidate["scores"]
        return [
            c for c in self.components if c in scores and Decimal(scores[c]["score"]) < PASS_MARK
        ]

    def passing_worker_ids(self) -> list[UUID]:
        """Workers who pass, in enrolment order."""
        return [
            candidate["worker_id"]
            for candidate in self.candidates.values()
            if self.result_of(candidate) is CandidateResult.PASSED
        ]

    def results(self) -> dict[str, int]:
        """How many candidates have each result."""
        counts = {result.value: 0 for result in CandidateResult}
        for candidate in self.candidates.values():
            counts[self.result_of(candidate).value] += 1
        return counts

    @property
    def window_ends_on(self) -> date | None:
        """The last day of the publication (公示) window, once published."""
        if self.publication is None:
            return None
        return date.fromisoformat(self.publication["window_ends_on"])

    @property
    def unresolved_objections(self) -> list[str]:
        return [oid for oid, o in self.objections.items() if o["resolution"] is None]

    def basis_for(self, worker_id: UUID) -> dict[str, Any]:
        """The certificate basis for a passing candidate: this session and the route taken.

        A bypass route (直接认定, 破格晋升, 竞赛晋升) carries its evidence as the bypass; an
        entry route that needs no lower certificate (years only, a diploma, a title) is an
        ``entry_route`` bypass whose evidence is the route itself.
        """
        candidate = self.candidate(worker_id)
        route = candidate["route"]
        basis: dict[str, Any] = {
            "kind": BasisKind.EVALUATION.value,
            "reference": self.reference,
            "evaluation_id": str(self.id),
            "route": route["id"],
            "edition": route["edition"],
        }
        kind = RouteKind(route["kind"])
        if kind in _BYPASS_OF_ROUTE:
            basis["bypass"] = _BYPASS_OF_ROUTE[kind].value
            basis["evidence"] = candidate["evidence"]["evidence_reference"]
        elif route["previous_level"] is None:
            basis["bypass"] = Bypass.ENTRY_ROUTE.value
            basis["evidence"] = f"eligibility route {route['edition']}/{route['id']}"
        return basis

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
        self._require_active(body)
        if str(worker.id) in self.candidates:
            raise DomainRuleViolation(
                "already-enrolled", f"{worker.name} is already a candidate of {self.reference}"
            )
        if body.kind is OrganisationKind.EMPLOYER and not worker.is_staff_of(body.id, on):
            raise DomainRuleViolation(
                "not-own-staff",
                f"{body.name} evaluates only its own staff (incl. dispatched, outsourced and "
                f"affiliated); {worker.name} ({worker.masked_id_number}) is not employed there "
                f"on {on.isoformat()}",
            )
        if facts.occupation_code != self.occupation_code:
            raise DomainRuleViolation(
                "wrong-occupation",
                f"the facts are for {facts.occupation_code}; the session is {self.occupation_code}",
            )
        if route.kind.is_bypass and not facts.evidence_reference.strip():
            raise DomainRuleViolation(
                "candidate-ineligible",
                f"route {route.id} ({route.edition_key}) for {self.level.name_zh}: "
                f"{route.kind.value} needs an evidence reference; none given",
            )
        result = check_eligibility(route, facts, self.level, on)
        result.raise_if_ineligible()
        return Enrolment(
            result,
            {
                "worker_id": worker.id,
                "name": worker.name,
                "masked_id_number": worker.masked_id_number,
                "route": {
                    "id": route.id,
                    "kind": route.kind.value,
                    "edition": route.edition_key,
                    "description": route.description,
                    "previous_level": route.previous_level.code if route.previous_level else None,
                },
                "evidence": evidence_record(facts),
                "satisfied": list(result.satisfied),
                "on": on.isoformat(),
                "actor": actor,
            },
        )

    def enrol_all(self, enrolments: Sequence[Enrolment]) -> None:
        """Enrol many checked candidates (from :meth:`enrolment`) in one event."""
        self._require_status(EvaluationStatus.PLANNED, "enrol candidates in")
        seen: set[str] = set()
        for enrolment in enrolments:
            key = str(enrolment.record["worker_id"])
            if key in self.candidates or key in seen:
                raise DomainRuleViolation(
                    "already-enrolled",
                    f"{enrolment.record['name']} is already a candidate of {self.reference}",
                )
            seen.add(key)
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
        self._add_candidate(
            worker_id, name, masked_id_number, route, evidence, satisfied, on, actor
        )

    @event("CandidatesEnrolled", topic="craftledger:Evaluation.CandidatesEnrolled")
    def _candidates_enrolled(self, candidates: list[dict[str, Any]]) -> None:
        for candidate in candidates:
            self._add_candidate(**candidate)

    def _add_candidate(
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
        self.candidates[str(worker_id)] = {
            "worker_id": worker_id,
            "name": name,
            "masked_id_number": masked_id_number,
            "route": route,
            "evidence": evidence,
            "satisfied": satisfied,
            "enrolled_on": on,
            "enrolled_by": actor,
            "scores": {},
            "withdrawn": None,
            "certificate_number": None,
        }

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
        _refuse_second_score(candidate, component)
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
        self._require_scores_open()
        batch: dict[str, set[str]] = {}
        for entry in scores:
            candidate = self.candidate(entry["worker_id"])
            components = batch.setdefault(str(entry["worker_id"]), set())
            _refuse_second_score(candidate, entry["component"], components)
            components.add(entry["component"])
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
        self.candidates[str(worker_id)]["scores"][component] = {
            "score": score,
            "examiner": examiner,
            "recorded_on": on,
            "corrections": [],
        }

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
        """Correct a recorded score: a new event with the reason; the old score stays in history."""
        candidate = self._scorable(body, worker_id, component, examiner, on)
        value = parse_score(score)
        reason = require_reason(reason, "a score correction")
        recorded = candidate["scores"].get(component)
        if recorded is None:
            raise DomainRuleViolation(
                "no-score-to-correct",
                f"{candidate['name']} has no {component} score yet; record it first",
            )
        if recorded["score"] == score_text(value) and recorded["examiner"] == examiner.strip():
            raise DomainRuleViolation(
                "correction-changes-nothing",
                f"{candidate['name']}'s {component} score is already {recorded['score']}",
            )
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
        recorded = self.candidates[str(worker_id)]["scores"][component]
        recorded["corrections"].append(
            {
                "previous": recorded["score"],
                "previous_examiner": recorded["examiner"],
                "score": score,
                "examiner": examiner,
                "reason": reason,
                "on": on,
                "actor": actor,
            }
        )
        recorded["score"] = score
        recorded["examiner"] = examiner

    def _require_scores_open(self) -> None:
        if self.status != EvaluationStatus.PLANNED.value:
            raise DomainRuleViolation(
                "results-published",
                f"{self.reference}'s results are {self.status}; scores can no longer change "
                "(an objection during publication can withdraw a result)",
            )

    def _scorable(
        self, body: Organisation, worker_id: UUID, component: str, examiner: str, on: date
    ) -> dict[str, Any]:
        self._require_scores_open()
        self._require_own_body(body)
        self._require_active(body)
        candidate = self.candidate(worker_id)
        if component not in self.components:
            raise DomainRuleViolation(
                "unknown-component",
                f"{self.reference} has components {', '.join(self.components)}, not {component!r}",
            )
        if not examiner or not examiner.strip():
            raise DomainRuleViolation("examiner-required", "a score needs the examiner's name")
        panel = self.panels.get(component)
        if panel and examiner.strip() not in panel:
            raise DomainRuleViolation(
                "examiner-not-on-panel",
                f"{examiner.strip()} is not on the {component} panel ({', '.join(panel)})",
            )
        if on < date.fromisoformat(self.starts_on):
            raise DomainRuleViolation(
                "session-not-started",
                f"{self.reference} starts on {self.starts_on}; no scores before then",
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
        self._require_active(body)
        if not self.candidates:
            raise DomainRuleViolation("no-candidates", f"{self.reference} has no candidates")
        if on < date.fromisoformat(self.ends_on):
            raise DomainRuleViolation(
                "session-not-ended",
                f"{self.reference} runs until {self.ends_on}; publish its results after that",
            )
        incomplete = [
            f"{c['name']} ({c['masked_id_number']}) lacks "
            + ", ".join(x for x in self.components if x not in c["scores"])
            for c in self.candidates.values()
            if self.result_of(c) is CandidateResult.INCOMPLETE
        ]
        if incomplete:
            raise DomainRuleViolation(
                "scores-missing",
                f"{len(incomplete)} candidates lack scores: " + "; ".join(incomplete[:10]),
            )
        if isinstance(working_days, bool) or working_days < 1:
            raise DomainRuleViolation(
                "invalid-publication-window", "a publication window is at least 1 working day"
            )
        if window_ends_on <= on:
            raise DomainRuleViolation(
                "invalid-publication-window", "the window must end after the publication day"
            )
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
        self.status = EvaluationStatus.PUBLISHED.value
        self.publication = {
            "published_on": published_on,
            "working_days": working_days,
            "window_ends_on": window_ends_on,
            "calendar": calendar,
            "results": results,
            "published_by": actor,
        }

    def lodge_objection(
        self, *, worker_id: UUID, grounds: str, lodged_by: str, on: date, actor: str
    ) -> str:
        """Lodge an objection (异议) to a candidate's result during the window; returns its id."""
        self._require_status(EvaluationStatus.PUBLISHED, "lodge objections to")
        candidate = self.candidate(worker_id)
        ends = self.window_ends_on
        assert ends is not None and self.publication is not None
        if on > ends:
            raise DomainRuleViolation(
                "publication-window-closed",
                f"the publication window of {self.reference} ended on {ends.isoformat()}",
            )
        if not grounds or not grounds.strip():
            raise DomainRuleViolation("grounds-required", "an objection needs its grounds")
        if not lodged_by or not lodged_by.strip():
            raise DomainRuleViolation("objector-required", "an objection names who lodged it")
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
        self.objections[objection_id] = {
            "id": objection_id,
            "worker_id": worker_id,
            "grounds": grounds,
            "lodged_by": lodged_by,
            "lodged_on": on,
            "resolution": None,
        }

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
        objection = self.objections.get(objection_id)
        if objection is None:
            raise DomainRuleViolation(
                "unknown-objection", f"{self.reference} has no objection {objection_id!r}"
            )
        if objection["resolution"] is not None:
            raise DomainRuleViolation(
                "objection-already-resolved",
                f"objection {objection_id} was {objection['resolution']['outcome']}",
            )
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
        objection = self.objections[objection_id]
        objection["resolution"] = {"outcome": outcome, "reason": reason, "on": on, "actor": actor}
        if outcome == ObjectionOutcome.UPHELD.value:
            self.candidates[str(objection["worker_id"])]["withdrawn"] = {
                "reason": reason,
                "objection_id": objection_id,
                "on": on,
            }

    # -- confirmation and issue ---------------------------------------------------------------

    def check_confirmable(self, body: Organisation, on: date) -> Confirmable:
        """Confirmation needs the window over (the day after its last day) and no open objection.

        The one check: :meth:`confirm_and_issue` takes what it returns (this session at this
        version, confirmable by ``body`` on ``on``) and does not check again."""
        self._require_status(EvaluationStatus.PUBLISHED, "confirm")
        self._require_own_body(body)
        self._require_active(body)
        ends = self.window_ends_on
        assert ends is not None
        if on <= ends:
            raise DomainRuleViolation(
                "publication-window-open",
                f"the publication (公示) window of {self.reference} runs until the end of "
                f"{ends.isoformat()}; confirm on or after the next day",
            )
        open_ones = self.unresolved_objections
        if open_ones:
            raise DomainRuleViolation(
                "objections-unresolved",
                f"{len(open_ones)} objection(s) are unresolved: {', '.join(open_ones)}",
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
        if confirmable.evaluation_id != self.id or confirmable.version != self.version:
            raise DomainRuleViolation(
                "confirmation-stale", f"{self.reference} changed since it was found confirmable"
            )
        if occupation.code != self.occupation_code:
            raise DomainRuleViolation("wrong-occupation", "occupation differs from the session's")
        requests = [
            IssueRequest(
                worker=workers[worker_id],
                basis=self.basis_for(worker_id),
                held_levels=tuple(held_levels.get(worker_id, ())),
            )
            for worker_id in confirmable.passing
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
        self.status = EvaluationStatus.CONFIRMED.value
        self.confirmation = {"confirmed_on": on, "results": results, "confirmed_by": actor}

    @event("CertificatesIssued", topic="craftledger:Evaluation.CertificatesIssued")
    def _certificates_issued(
        self, certificates: list[list[str]], issued_at: datetime, actor: str
    ) -> None:
        for worker_id, number in certificates:
            self.candidates[worker_id]["certificate_number"] = number
        self.status = EvaluationStatus.ISSUED.value
        self.issued = {
            "issued_at": issued_at,
            "count": len(certificates),
            "first_number": certificates[0][1] if certificates else None,
            "last_number": certificates[-1][1] if certificates else None,
            "issued_by": actor,
        }

    # -- report -------------------------------------------------------------------------------

    def report_issue(self, *, reported_to: str, reference: str, on: date, actor: str) -> None:
        """Report (上报) the issued certificates to the authority, once."""
        if self.status == EvaluationStatus.REPORTED.value:
            raise DomainRuleViolation("already-reported", f"{self.reference} is reported")
        self._require_status(EvaluationStatus.ISSUED, "report")
        if not reported_to or not reported_to.strip():
            raise DomainRuleViolation("recipient-required", "name the authority reported to")
        assert self.issued is not None
        self._reported(
            reported_to=mask_id_numbers(reported_to.strip()),
            reference=mask_id_numbers(reference.strip()),
            on=on.isoformat(),
            summary={
                "candidates": len(self.candidates),
                "results": self.results(),
                "certificates": self.issued["count"],
                "first_number": self.issued["first_number"],
                "last_number": self.issued["last_number"],
            },
            actor=actor,
        )

    @event("Reported", topic="craftledger:Evaluation.Reported")
    def _reported(
        self, reported_to: str, reference: str, on: str, summary: dict[str, Any], actor: str
    ) -> None:
        self.status = EvaluationStatus.REPORTED.value
        self.report = {
            "reported_to": reported_to,
            "reference": reference,
            "reported_on": on,
            "summary": summary,
            "reported_by": actor,
        }

    # -- guards -------------------------------------------------------------------------------

    def _require_status(self, status: EvaluationStatus, action: str) -> None:
        if self.status != status.value:
            raise DomainRuleViolation(
                f"evaluation-is-{self.status}",
                f"cannot {action} {self.reference}: it is {self.status}, not {status.value}",
            )

    def _require_own_body(self, body: Organisation) -> None:
        if body.id != self.body_id:
            raise DomainRuleViolation(
                "not-the-evaluating-body", f"{body.name} does not run {self.reference}"
            )

    @staticmethod
    def _require_active(body: Organisation) -> None:
        if body.status is not OrganisationStatus.ACTIVE:
            raise DomainRuleViolation(
                f"issuer-{body.status.value}", f"{body.name} is {body.status.value}"
            )
