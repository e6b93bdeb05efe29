"""Entrants of a competition: registering (employees and students, all or nothing), listing
and withdrawing (缺考, 退赛, 取消资格)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.competition import Competition
from domain.promotion_rules import EntrantKind
from service.api.auth import access, current_principal, forbidden
from service.api.competitions.blueprint import ORGANISER_RULES, READ_RULES, blp, organised
from service.api.fields import ReasonSchema, text
from service.api.openapi import located_at
from service.app_services import ledger
from service.competitions import EntrantRegistration
from service.competitions.leaderboard import sees_everything


class EntrantRegistrationSchema(ma.Schema):
    worker_id = ma.fields.UUID(required=True)
    entrant_kind = ma.fields.String(
        required=True,
        validate=validate.OneOf([kind.value for kind in EntrantKind]),
        metadata={"description": "employee (职工) or student (学生)"},
    )
    employer_id = ma.fields.UUID(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "the employer (an organisation in the ledger); an employee given "
            "neither this nor employer_name competes for their current employer"
        },
    )
    employer_name = text(
        200, load_default=None, allow_none=True, description="employer or school, as entered"
    )


class RegisterEntrantsSchema(ma.Schema):
    entrants = ma.fields.List(
        ma.fields.Nested(EntrantRegistrationSchema),
        required=True,
        validate=validate.Length(min=1, max=1000),
    )


class CompetitionEntrantSchema(ma.Schema):
    worker_id = ma.fields.String(required=True)
    entrant_number = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    entrant_kind = ma.fields.String(required=True)
    employer_id = ma.fields.String(required=True, allow_none=True)
    employer_name = ma.fields.String(required=True)
    registered_at = ma.fields.DateTime(required=True)
    withdrawn = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "the reason, if withdrawn"}
    )
    finish_time = ma.fields.DateTime(
        required=True, allow_none=True, metadata={"description": "a tie-break, if recorded"}
    )


class CompetitionEntrantListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CompetitionEntrantSchema), required=True)


def entrant_view(competition: Competition, worker_id: UUID | str) -> dict[str, Any]:
    entrant = competition.entrant(worker_id)
    shown = {
        key: entrant[key]
        for key in (
            "worker_id",
            "entrant_number",
            "name",
            "entrant_kind",
            "employer_id",
            "employer_name",
            "registered_at",
            "withdrawn",
        )
    }
    shown["finish_time"] = competition.finish_times.get(entrant["worker_id"])
    return shown


ENTRANTS_LOCATION = located_at("competitions.list_entrants", "competition_id")


@blp.route("/<uuid:competition_id>/entrants", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(
    RegisterEntrantsSchema, CompetitionEntrantListSchema, status=201, location=ENTRANTS_LOCATION
)
def register_entrants(body: dict[str, Any], competition_id: UUID) -> Any:
    """Register entrants (all or nothing): registered workers, as employees (of their
    employer on the day) or students; numbered in registration order."""
    organised(competition_id)
    entries = [
        EntrantRegistration(
            worker_id=item["worker_id"],
            entrant_kind=item["entrant_kind"],
            employer_id=item["employer_id"],
            employer_name=item["employer_name"],
        )
        for item in body["entrants"]
    ]
    recorded = ledger().competitions.register_entrants(
        competition_id, entries, actor=current_principal().actor
    )
    competition = recorded.aggregate
    return recorded, {"items": [entrant_view(competition, entry.worker_id) for entry in entries]}


@blp.route("/<uuid:competition_id>/entrants", methods=["GET"])
@access(**READ_RULES)
@blp.query(CompetitionEntrantListSchema)
def list_entrants(competition_id: UUID) -> Any:
    """Every entrant, withdrawn ones with the reason, in registration order."""
    competition = ledger().competition(competition_id)
    if not sees_everything(competition, current_principal()):
        raise forbidden("an organiser token sees only its own union's entrants")
    return {"items": [entrant_view(competition, key) for key in competition.entrants]}


@blp.route("/<uuid:competition_id>/entrants/<uuid:worker_id>/withdraw", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(ReasonSchema, CompetitionEntrantSchema)
def withdraw_entrant(body: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """Withdraw an entrant (缺考, 退赛, 取消资格) before the results are final, with a reason."""
    organised(competition_id)
    recorded = ledger().competitions.withdraw_entrant(
        competition_id, worker_id, **body, actor=current_principal().actor
    )
    return recorded, entrant_view(recorded.aggregate, worker_id)
