"""Confirmation (确认) and issue: when a session may be confirmed, what that check found, and
what the issue and the report (上报) record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.errors import DomainRuleViolation
from domain.free_text import mask_id_numbers
from domain.organisation import Organisation

__all__ = [
    "Confirmable",
    "check_window_over",
    "issued_record",
    "report_record",
    "report_summary",
    "report_terms",
]


@dataclass(frozen=True)
class Confirmable:
    """What ``Evaluation.check_confirmable`` found: session ``evaluation_id`` at ``version``
    may be confirmed by ``body`` on ``on``; ``passing`` get certificates."""

    evaluation_id: UUID
    version: int
    body: Organisation
    on: date
    passing: tuple[UUID, ...]

    def check_current(self, evaluation_id: UUID, version: int, reference: str) -> None:
        """Refuse a confirmation of session ``reference`` when it changed since this check."""
        if self.evaluation_id != evaluation_id or self.version != version:
            raise DomainRuleViolation(
                "confirmation-stale", f"{reference} changed since it was found confirmable"
            )


def check_window_over(reference: str, ends: date, unresolved: Sequence[str], on: date) -> None:
    """Confirmation needs the window over (the day after its last day) and no open objection."""
    if on <= ends:
        raise DomainRuleViolation(
            "publication-window-open",
            f"the publication (公示) window of {reference} runs until the end of "
            f"{ends.isoformat()}; confirm on or after the next day",
        )
    if unresolved:
        raise DomainRuleViolation(
            "objections-unresolved",
            f"{len(unresolved)} objection(s) are unresolved: {', '.join(unresolved)}",
        )


def issued_record(certificates: list[list[str]], issued_at: datetime, actor: str) -> dict[str, Any]:
    """The issue as ``CertificatesIssued`` records it: ``[worker id, number]`` pairs in order."""
    return {
        "issued_at": issued_at,
        "count": len(certificates),
        "first_number": certificates[0][1] if certificates else None,
        "last_number": certificates[-1][1] if certificates else None,
        "issued_by": actor,
    }


def report_record(
    reported_to: str, reference: str, on: str, summary: dict[str, Any], actor: str
) -> dict[str, Any]:
    """The report (上报) as its ``Reported`` event records it."""
    return {
        "reported_to": reported_to,
        "reference": reference,
        "reported_on": on,
        "summary": summary,
        "reported_by": actor,
    }


def report_terms(reported_to: str, reference: str, on: date) -> dict[str, Any]:
    """The recipient, its reference and the day of a report (上报), as its event records them:
    the recipient is required; ID numbers in the free text are masked."""
    if not reported_to or not reported_to.strip():
        raise DomainRuleViolation("recipient-required", "name the authority reported to")
    return {
        "reported_to": mask_id_numbers(reported_to.strip()),
        "reference": mask_id_numbers(reference.strip()),
        "on": on.isoformat(),
    }


def report_summary(
    candidates: int, results: dict[str, int], issued: Mapping[str, Any]
) -> dict[str, Any]:
    """What a report says of the session: candidates, results and the certificates issued."""
    return {
        "candidates": candidates,
        "results": results,
        "certificates": issued["count"],
        "first_number": issued["first_number"],
        "last_number": issued["last_number"],
    }
