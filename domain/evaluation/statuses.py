"""The statuses of a self-evaluation session, of an objection's outcome and of a candidate."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CandidateResult", "EvaluationStatus", "ObjectionOutcome", "ObjectionParty"]


class EvaluationStatus(StrEnum):
    """Where a session is: ``planned`` → ``published`` (公示) → ``issued`` → ``reported`` (上报).

    Confirmation (确认) is no status of its own: the session is confirmed and its certificates
    issued by two events of one atomic save, so no reader ever sees it in between."""

    PLANNED = "planned"
    PUBLISHED = "published"
    ISSUED = "issued"
    REPORTED = "reported"


class ObjectionOutcome(StrEnum):
    UPHELD = "upheld"  # the candidate's result is withdrawn
    DISMISSED = "dismissed"


class ObjectionParty(StrEnum):
    """Who lodged an objection on the public 公示 page."""

    PUBLIC = "public"  # anyone, with a contact
    CANDIDATE = "candidate"  # the candidate, signed in, about their own result


class CandidateResult(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INCOMPLETE = "incomplete"  # a component has no score yet
    WITHDRAWN = "withdrawn"  # an upheld objection withdrew it
