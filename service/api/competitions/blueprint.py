"""The ``competitions`` blueprint (``/api/v1/competitions``) and what its resources share: who
runs a competition, and the decimal marks and weights are written in."""

from __future__ import annotations

from uuid import UUID

from domain.competition import Competition
from service.api.auth import require_organisation
from service.api.openapi import Blueprint
from service.app_services import ledger

__all__ = ["DECIMAL", "DECIMAL_ERROR", "ORGANISER_RULES", "READ_RULES", "blp", "organised"]

blp = Blueprint(
    "competitions",
    __name__,
    url_prefix="/api/v1/competitions",
    description="Skill competitions (以赛代评): announcement, entrants, judges' marks with "
    "corrections, spread reviews and locks, final results with awards, the leaderboard, and "
    "promotion proposals approved (核准) into certificates.",
)

DECIMAL = r"^(100|[0-9]{1,2})(\.[0-9]{1,2})?$"
DECIMAL_ERROR = "a decimal string 0..100, at most 2 places"

ORGANISER_RULES = {"admin": "any competition", "organiser": "competitions of its own union"}
READ_RULES = {
    "admin": "any competition",
    "auditor": "any competition",
    "organiser": "competitions of its own union",
}


def organised(competition_id: UUID) -> Competition:
    """The competition, if the caller runs it (admin, or an organiser of its union)."""
    competition = ledger().competition(competition_id)
    require_organisation(competition.organiser_id, "union")
    return competition
