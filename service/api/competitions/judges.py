"""Judge accounts of a competition (裁判账号): the organiser invites each judge by login.

A judge's account belongs to the competition's organiser and is scoped to that one
competition (``AccountRole.JUDGE``): the judge signs in at ``/signin`` and marks, on
``/judge``, the components whose panel names their login, always under their own name. The
answer carries the single-use invitation link, shown only this once, like a new token.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from service.api.auth import access, current_principal
from service.api.competitions.blueprint import ORGANISER_RULES, blp, organised
from service.api.fields import text
from service.api.openapi import located_at
from service.app_services import ledger


class InviteJudgeSchema(ma.Schema):
    login = text(254, required=True, description="the judge's e-mail address or mobile number")
    name = text(100, required=True, description="the judge's name, as the panel names them")


class JudgeInvitationSchema(ma.Schema):
    account_id = ma.fields.UUID(required=True)
    login = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    competition_id = ma.fields.UUID(required=True)
    invitation = ma.fields.String(
        required=True,
        metadata={
            "description": "the single-use link on which the judge chooses a password; "
            "shown only this once"
        },
    )
    expires_at = ma.fields.AwareDateTime(required=True)


@blp.route("/<uuid:competition_id>/judges", methods=["POST"])
@access(**ORGANISER_RULES)
@blp.command(
    InviteJudgeSchema,
    JudgeInvitationSchema,
    status=201,
    location=located_at("competitions.get_competition", "competition_id", "competition_id"),
)
def invite_judge(body: dict[str, Any], competition_id: UUID) -> Any:
    """Invite a judge (裁判) of this competition: an account scoped to it, whose login the
    panels (``POST /{id}/panels``) name; answers the invitation link (refused once the
    results are final, or when the login has an account already)."""
    organised(competition_id)
    invitation = ledger().accounts.invite_judge(
        competition_id, login=body["login"], name=body["name"], actor=current_principal().actor
    )
    account = invitation.account
    return invitation.recorded, {
        "account_id": account.id,
        "login": account.login,
        "name": account.name,
        "competition_id": account.competition_id,
        "invitation": invitation.link(ledger().credentials.credential_urls.base_url),
        "expires_at": invitation.expires_at,
    }
