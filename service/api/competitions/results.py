"""Results of a competition: finalising (ranking, awards, standardised scores, promotion
proposals) and the leaderboard (live for those who see everything; for the public as the
organiser chose, ``service.competitions.leaderboard``; everyone's once final)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from marshmallow import validate

from projections.leaderboard import GROUP_ORDER
from projections.pagination import Page
from service.api.auth import access, authentication_required, current_principal, forbidden
from service.api.competitions.blueprint import ORGANISER_RULES, blp, organised
from service.api.competitions.competition import CompetitionSchema, view
from service.api.problems import Problem
from service.api.reads import PageArgs, WaitHeaders, read_after_position
from service.app_services import leaderboards, ledger
from service.competitions.leaderboard import READ_MODEL, behind, may_see_board


class FinaliseSchema(ma.Schema):
    """Finalising takes no fields: the results follow from the locked marks."""


class LeaderboardArgs(PageArgs):
    group = ma.fields.String(
        validate=validate.OneOf(list(GROUP_ORDER)),
        metadata={"description": "all, or employee / student when ranked apart"},
    )


class LeaderboardEntrySchema(ma.Schema):
    group = ma.fields.String(required=True)
    rank = ma.fields.Integer(required=True, allow_none=True)
    group_size = ma.fields.Integer(required=True)
    entrant_number = ma.fields.Integer(required=True)
    worker_id = ma.fields.String(metadata={"description": "not shown to the public"})
    name = ma.fields.String(required=True, metadata={"description": "masked for the public"})
    entrant_kind = ma.fields.String(required=True)
    employer_name = ma.fields.String(required=True)
    total = ma.fields.String(required=True, allow_none=True)
    standardised = ma.fields.Integer(required=True, allow_none=True)
    award = ma.fields.String(required=True, allow_none=True)
    tied = ma.fields.Boolean(required=True)
    components = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.String(allow_none=True), required=True
    )
    flagged = ma.fields.List(ma.fields.String(), required=True)
    complete = ma.fields.Boolean(required=True)


class LeaderboardSchema(ma.Schema):
    competition_id = ma.fields.String(required=True)
    final = ma.fields.Boolean(
        required=True,
        metadata={"description": "false: live, provisional (organisers only); true: final"},
    )
    status = ma.fields.String(required=True)
    items = ma.fields.List(ma.fields.Nested(LeaderboardEntrySchema), required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


@blp.route("/<uuid:competition_id>/finalise", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(FinaliseSchema, CompetitionSchema, view=view)
def finalise_competition(body: dict[str, Any], competition_id: UUID) -> Any:
    """Publish the results once every component is locked: ranking with the stated
    tie-breaks, awards, standardised scores and promotion proposals, stored for good."""
    organised(competition_id)
    return ledger().competitions.finalise_competition(
        competition_id, actor=current_principal().actor
    )


@blp.route("/<uuid:competition_id>/leaderboard", methods=["GET"])
@access(
    public="as the organiser chose before the results are final (by default the locked "
    "components only), the final results after (names masked)",
    admin="live during marking, final after",
    auditor="live during marking, final after",
    organiser="live during marking for its own union's competitions; of others as the public",
    issuer="as the public",
    worker="as the public",
)
@blp.arguments(LeaderboardArgs, location="query")
@blp.arguments(WaitHeaders, location="headers")
@blp.response(200, LeaderboardSchema)
@blp.errors(400, 403, 404, 422, 503)
def get_leaderboard(query: dict[str, Any], headers: dict[str, Any], competition_id: UUID) -> Any:
    """The leaderboard: live and provisional while marking (the organiser, admins, auditors;
    the public as the organiser chose: the locked components only, the live board, or
    nothing), the stored final results once finalised (everyone; names masked for the
    public)."""
    competition = ledger().competition(competition_id)
    principal = current_principal()
    if not may_see_board(competition, principal):
        if principal.is_public:
            raise authentication_required()
        raise forbidden("the organiser keeps the board private until the results are final")
    boards = leaderboards()

    def read() -> Page | None:
        return boards.board(
            competition,
            principal,
            after=query.get("cursor"),
            limit=query["limit"],
            group=query.get("group"),
        )

    page = read_after_position(read, query, headers, [READ_MODEL])
    if behind(competition, page):
        # The competition is further on than the read model: wait for the log's head once.
        page = read_after_position(read, {"wait_for": ledger().log_position}, {}, [READ_MODEL])
        if page is None or behind(competition, page):
            raise Problem(
                503,
                "position-not-reached",
                "the leaderboard has not caught up with this competition yet",
                headers={"Retry-After": "1"},
            )
    return {
        "competition_id": str(competition_id),
        "final": page.extra["final"],
        "status": page.extra["status"],
        "items": page.items,
        "next_cursor": page.next_cursor,
    }
