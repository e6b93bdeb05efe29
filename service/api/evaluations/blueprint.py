"""The evaluations blueprint and who may read or change a session.

An issuer token acts only for sessions of its own organisation; admins for any; auditors read.
"""

from __future__ import annotations

from uuid import UUID

from domain.api_token import Role
from domain.evaluation import Evaluation
from service.api.auth import current_principal, require_organisation
from service.api.openapi import Blueprint
from service.app_services import ledger

__all__ = ["blp", "session_for_change", "session_for_reading"]

blp = Blueprint(
    "evaluations",
    __name__,
    url_prefix="/api/v1/evaluations",
    description="Self-evaluation sessions (企业自主评价) of filed bodies: plan, enrol, score, "
    "publish (公示), objections, confirm and issue (a job), report (上报), CSV/XLSX import.",
)


def session_for_change(evaluation_id: UUID) -> Evaluation:
    """The session, if the caller may change it (admin, or the issuer of its body)."""
    evaluation = ledger().evaluation(evaluation_id)
    require_organisation(evaluation.body_id)
    return evaluation


def session_for_reading(evaluation_id: UUID) -> Evaluation:
    evaluation = ledger().evaluation(evaluation_id)
    if not current_principal().is_(Role.AUDITOR):
        require_organisation(evaluation.body_id)
    return evaluation
