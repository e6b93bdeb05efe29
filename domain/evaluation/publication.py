"""Publication (公示) and objections (异议): the rules of publishing a session's results and of
objecting during the window, and what their events record.

The window's last day is counted on the Chinese working-day calendar by the service and passed
in as a date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation
from domain.evaluation.panel import missing_marks
from domain.evaluation.scores import result_of
from domain.evaluation.statuses import CandidateResult, ObjectionOutcome

__all__ = [
    "check_objection",
    "check_publishable",
    "check_resolvable",
    "check_window",
    "objection_record",
    "publication_record",
    "require_contact",
    "require_scored",
    "resolve",
]

CONTACT_MAX = 254
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+")
_PHONE = re.compile(r"\+?[0-9(][0-9 ()-]{5,24}")


def check_publishable(
    reference: str,
    ends_on: str,
    components: Sequence[str],
    panels: Mapping[str, Sequence[str]],
    candidates: Iterable[Mapping[str, Any]],
    on: date,
) -> None:
    """Results are published after the session ends, with every candidate fully scored."""
    candidates = list(candidates)
    if not candidates:
        raise DomainRuleViolation("no-candidates", f"{reference} has no candidates")
    if on < date.fromisoformat(ends_on):
        raise DomainRuleViolation(
            "session-not-ended",
            f"{reference} runs until {ends_on}; publish its results after that",
        )
    require_scored(reference, components, panels, candidates)


def require_scored(
    reference: str,
    components: Sequence[str],
    panels: Mapping[str, Sequence[str]],
    candidates: Iterable[Mapping[str, Any]],
) -> None:
    """Every candidate (but a withdrawn one) scored on every component: a panel-marked one by
    every examiner on ``panels`` (rule ``scores-missing``, naming who has yet to mark)."""
    incomplete = [
        f"{c['name']} ({c['masked_id_number']}) lacks "
        + "; ".join(missing_marks(c, components, panels))
        for c in candidates
        if result_of(c, components) is CandidateResult.INCOMPLETE
    ]
    if incomplete:
        raise DomainRuleViolation(
            "scores-missing",
            f"{len(incomplete)} candidates of {reference} lack scores (a component is scored "
            "when every examiner on its panel has marked it): " + " | ".join(incomplete[:10]),
        )


def check_window(on: date, working_days: int, window_ends_on: date) -> None:
    """A window of at least one working day, ending after the publication day."""
    if isinstance(working_days, bool) or working_days < 1:
        raise DomainRuleViolation(
            "invalid-publication-window", "a publication window is at least 1 working day"
        )
    if window_ends_on <= on:
        raise DomainRuleViolation(
            "invalid-publication-window", "the window must end after the publication day"
        )


def check_objection(reference: str, ends: date, grounds: str, lodged_by: str, on: date) -> None:
    """An objection is lodged within the window, with its grounds and who lodged it."""
    if on > ends:
        raise DomainRuleViolation(
            "publication-window-closed",
            f"the publication window of {reference} ended on {ends.isoformat()}",
        )
    if not grounds or not grounds.strip():
        raise DomainRuleViolation("grounds-required", "an objection needs its grounds")
    if not lodged_by or not lodged_by.strip():
        raise DomainRuleViolation("objector-required", "an objection names who lodged it")


def require_contact(contact: str) -> str:
    """A public objector's contact, stripped: a phone number (7 to 20 digits, with ``+``,
    spaces, hyphens or brackets) or an e-mail address (rule ``invalid-contact``)."""
    text = (contact or "").strip()
    digits = sum(ch.isdigit() for ch in text)
    phone = _PHONE.fullmatch(text) is not None and 7 <= digits <= 20
    if len(text) > CONTACT_MAX or not (phone or _EMAIL.fullmatch(text)):
        raise DomainRuleViolation(
            "invalid-contact", "an objection from the public gives a phone number or an e-mail"
        )
    return text


def check_resolvable(
    reference: str, objection: Mapping[str, Any] | None, objection_id: str
) -> None:
    """An objection is resolved once."""
    if objection is None:
        raise DomainRuleViolation(
            "unknown-objection", f"{reference} has no objection {objection_id!r}"
        )
    if objection["resolution"] is not None:
        raise DomainRuleViolation(
            "objection-already-resolved",
            f"objection {objection_id} was {objection['resolution']['outcome']}",
        )


def publication_record(
    published_on: str,
    working_days: int,
    window_ends_on: str,
    calendar: str,
    results: dict[str, int],
    actor: str,
) -> dict[str, Any]:
    """A session's publication as its ``ResultsPublished`` event records it."""
    return {
        "published_on": published_on,
        "working_days": working_days,
        "window_ends_on": window_ends_on,
        "calendar": calendar,
        "results": results,
        "published_by": actor,
    }


def objection_record(
    objection_id: str,
    worker_id: UUID,
    grounds: str,
    lodged_by: str,
    on: str,
    contact: str | None = None,
) -> dict[str, Any]:
    """An objection as its ``ObjectionLodged`` (or ``ObjectionLodgedOnThePublicPage``, with
    the objector's ``contact``) event records it, not yet resolved."""
    return {
        "id": objection_id,
        "worker_id": worker_id,
        "grounds": grounds,
        "lodged_by": lodged_by,
        "contact": contact,
        "lodged_on": on,
        "resolution": None,
    }


def resolve(
    objections: Mapping[str, dict[str, Any]],
    candidates: Mapping[str, dict[str, Any]],
    objection_id: str,
    outcome: str,
    reason: str,
    on: str,
    actor: str,
) -> None:
    """Apply an ``ObjectionResolved``: the objection's resolution, and an upheld one withdraws
    the candidate's result."""
    objection = objections[objection_id]
    objection["resolution"] = {"outcome": outcome, "reason": reason, "on": on, "actor": actor}
    if outcome == ObjectionOutcome.UPHELD:
        withdrawal = {"reason": reason, "objection_id": objection_id, "on": on}
        candidates[str(objection["worker_id"])]["withdrawn"] = withdrawal
