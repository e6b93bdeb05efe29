"""Judging a competition: judging panels (裁判组), judges' submissions (提交) and who sees the
provisional board -- the rules are ``domain.competition_panels`` and
``service.competitions.leaderboard``; refusals are problem+json naming the rule."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from domain.competition import BoardVisibility
from domain.competition_panels import MAX_PANEL
from service.api.auth import access, current_principal
from service.api.competitions.blueprint import ORGANISER_RULES, blp, organised
from service.api.competitions.competition import CompetitionSchema, view
from service.api.fields import text
from service.api.problems import field_errors
from service.app_services import ledger

VISIBILITIES = [visibility.value for visibility in BoardVisibility]


class PanelJudgeSchema(ma.Schema):
    name = text(100, required=True, description="the name the judge's marks are recorded under")
    login = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=254),
        metadata={"description": "the login (e-mail or mobile) of the judge account, if any"},
    )


class AssignPanelSchema(ma.Schema):
    component = text(64, required=True)
    judges = ma.fields.List(
        ma.fields.Nested(PanelJudgeSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_PANEL),
        metadata={"description": "the whole panel: it replaces the component's previous one"},
    )


class SubmitMarksSchema(ma.Schema):
    component = text(64, required=True)
    judge = text(100, required=True, description="the judge's name (裁判)")


class BoardVisibilitySchema(ma.Schema):
    visibility = ma.fields.String(
        required=True,
        validate=validate.OneOf(VISIBILITIES),
        metadata={
            "description": "public-after-lock: the locked components only (the default); "
            "public: the live board; private: no board until the results are final"
        },
    )


@blp.route("/<uuid:competition_id>/panels", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(AssignPanelSchema, CompetitionSchema, view=view)
def assign_panel(body: dict[str, Any], competition_id: UUID) -> Any:
    """Assign a component's judging panel (裁判组), replacing its previous one: only its
    judges' marks are then accepted, and an entrant's component is complete when every one
    of them has marked it. Refused once the component is locked, or when it would remove a
    judge who has marked."""
    organised(competition_id)
    with field_errors():  # a bad judge of the panel: /judges/<n>/name or /login
        return ledger().competitions.assign_judges(
            competition_id,
            component=body["component"],
            judges=body["judges"],
            actor=current_principal().actor,
        )


@blp.route("/<uuid:competition_id>/submissions", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(SubmitMarksSchema, CompetitionSchema, view=view)
def submit_marks(body: dict[str, Any], competition_id: UUID) -> Any:
    """A judge submits (提交) their marks for a component, once they have marked every active
    entrant; their later marks on it are refused (a correction with a reason still works)."""
    organised(competition_id)
    with field_errors():
        return ledger().competitions.submit_marks(
            competition_id,
            component=body["component"],
            judge=body["judge"],
            actor=current_principal().actor,
        )


@blp.route("/<uuid:competition_id>/board-visibility", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(BoardVisibilitySchema, CompetitionSchema, view=view)
def choose_board_visibility(body: dict[str, Any], competition_id: UUID) -> Any:
    """Choose who sees the provisional board before the results are final (organisers,
    admins and auditors always see it; everyone sees the final board)."""
    organised(competition_id)
    return ledger().competitions.choose_board_visibility(
        competition_id, visibility=body["visibility"], actor=current_principal().actor
    )
