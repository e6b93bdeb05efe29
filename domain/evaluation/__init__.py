"""Evaluation: one self-evaluation session (自主评价) of one body for one occupation and level.

The session's life, each step an event on this aggregate:

1. **Planned** -- inside the body's filed scope, with dates, components (theory, practical, and
   for 技师/高级技师 the comprehensive review 综合评审) and lawful examiner panels.
2. **CandidateEnrolled** -- a worker on an eligibility route (versioned data, see
   :mod:`domain.eligibility`) with the evidence it was checked against; a ``Y`` body enrols only
   its own staff; an ineligible candidate is refused naming the route and what failed.
   **CandidatesEnrolled** records many at once (a spreadsheet import): the same checks, the
   same records, one event -- so a 5,000-candidate session replays from a handful of events.
3. **ScoreRecorded** / **ScoreCorrected** -- a mark by a named examiner. A component with a
   panel is the panel's result: every examiner on it marks, its score is the mean of the marks
   (``panel``; a session planned before that rule keeps one mark per component). A correction
   is a new event with a reason, never an edit. Scores are integers or decimal strings (never
   floats), 0..100 with at most two decimals. A candidate passes when *every* component is at
   least 60: no averaging across components. **ScoresRecorded** records many first marks at
   once (an import), checked the same way.
4. **ResultsPublished** -- publication (公示) with a window of N working days. The window's last
   day is computed on the Chinese working-day calendar by the service and passed in as a date.
5. **ObjectionLodged** / **ObjectionLodgedOnThePublicPage** / **ObjectionResolved** --
   objections during the window (from the body, or from the public 公示 page: anyone with a
   contact, or the candidate signed in); an upheld one withdraws that candidate's result, with
   the reason.
6. **Confirmed** + **CertificatesIssued** -- after the window, with every objection resolved, the
   results are confirmed and every passing candidate's certificate is issued by
   :func:`domain.issuance.issue_certificates`; the application saves the session, every
   certificate, every worker and the number series in one atomic ``save``.
7. **Reported** -- the issue is reported (上报) to the authority.

Statuses: ``planned`` → ``published`` → ``issued`` → ``reported`` (confirmation is no status:
its two events are one save).

Modules: ``session`` (the aggregate and its events), ``planning``, ``candidates`` (enrolment
check, candidate record, certificate basis), ``scores`` (components, panels, the pass mark,
score text, corrections), ``panel`` (the panel's result, marks, progress), ``publication``
(公示, objections), ``confirmation`` (确认, issue, report), ``statuses``. Everything is
importable from ``domain.evaluation``.
"""

from domain.evaluation.candidates import Enrolment, evidence_record
from domain.evaluation.confirmation import Confirmable
from domain.evaluation.panel import PANEL_MEAN, SINGLE_MARK, panel_result
from domain.evaluation.scores import (
    COMPONENT_NAMES_ZH,
    MAX_SCORE,
    PASS_MARK,
    SCORE_PATTERN,
    check_panel,
    components_for,
    parse_score,
    score_text,
)
from domain.evaluation.session import Evaluation
from domain.evaluation.statuses import (
    CandidateResult,
    EvaluationStatus,
    ObjectionOutcome,
    ObjectionParty,
)

__all__ = [
    "COMPONENT_NAMES_ZH",
    "MAX_SCORE",
    "PANEL_MEAN",
    "PASS_MARK",
    "SCORE_PATTERN",
    "SINGLE_MARK",
    "CandidateResult",
    "Confirmable",
    "Enrolment",
    "Evaluation",
    "EvaluationStatus",
    "ObjectionOutcome",
    "ObjectionParty",
    "check_panel",
    "components_for",
    "evidence_record",
    "panel_result",
    "parse_score",
    "score_text",
]
