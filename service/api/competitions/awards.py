"""Awards of a finalised competition: the list (gold, silver, bronze, 优胜奖), each award as a
signed Open Badges credential and as a signed PDF (获奖证书), and the whole results sheet as
Excel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for

from domain.ranking import Award
from service.api.auth import access, authentication_required, current_principal, forbidden
from service.api.certificate_pdfs import PDF_RESPONSE, unavailable
from service.api.competitions.blueprint import blp
from service.api.credentials import (
    DOCUMENT_RESPONSES,
    VC_MEDIA_TYPES,
    CredentialArgs,
    _unavailable,
    document_response,
    media_type,
)
from service.api.fields import masked_name
from service.app_services import ledger
from service.attachments import XLSX, attachment
from service.certificate_pdf import MissingGlyphs
from service.certificate_pdf.awards import AwardPdfs, award_pdf_name
from service.competitions.award_credentials import sees_full_award
from service.competitions.leaderboard import may_see_board, sees_everything
from service.competitions.results_sheet import (
    results_sheet,
    results_workbook,
    results_workbook_name,
    summary_facts,
)
from service.credentials import CredentialUnavailable, SignedDocument


class CompetitionAwardSchema(ma.Schema):
    worker_id = ma.fields.String(metadata={"description": "not shown to the public"})
    name = ma.fields.String(required=True)
    group = ma.fields.String(required=True)
    rank = ma.fields.Integer(required=True)
    award = ma.fields.String(required=True)
    award_name = ma.fields.String(required=True, metadata={"description": "金牌 … 优胜奖"})
    total = ma.fields.String(required=True)
    standardised = ma.fields.Integer(required=True)
    credential_url = ma.fields.String(required=True)


class CompetitionAwardListSchema(ma.Schema):
    final = ma.fields.Boolean(required=True)
    items = ma.fields.List(ma.fields.Nested(CompetitionAwardSchema), required=True)


@blp.route("/<uuid:competition_id>/awards", methods=["GET"])
@access(
    public="once final (names masked)",
    admin="once final",
    auditor="once final",
    organiser="once final (names of its own union's entrants)",
    issuer="once final (names masked)",
    worker="once final (names masked)",
)
@blp.query(CompetitionAwardListSchema)
def list_awards(competition_id: UUID) -> Any:
    """Gold, silver and bronze for ranks 1-3, 优胜奖 for rank > 3 within the top half, each
    with its credential's URL; empty until the results are final."""
    competition = ledger().competition(competition_id)
    privileged = sees_everything(competition, current_principal())
    items = []
    for result in competition.awards():
        award = Award(result["award"])
        item = {
            "name": result.get("name") or "",
            "group": result["group"],
            "rank": result["rank"],
            "award": award.value,
            "award_name": award.name_zh,
            "total": result["total"],
            "standardised": result["standardised"],
            "credential_url": url_for(
                "competitions.get_award_credential",
                competition_id=competition_id,
                worker_id=result["worker_id"],
            ),
        }
        if privileged:
            item["worker_id"] = result["worker_id"]
        else:
            item["name"] = masked_name(item["name"])
        items.append(item)
    return {"final": competition.is_final, "items": items}


@blp.route("/<uuid:competition_id>/awards/<uuid:worker_id>/credential", methods=["GET"])
@access(
    public="the public disclosure",
    admin="the full disclosure",
    auditor="the full disclosure",
    organiser="full disclosure for its own union's competitions, public of others",
    issuer="the public disclosure",
    worker="full disclosure of its own awards, public of others",
)
@blp.arguments(CredentialArgs, location="query")
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404, 409)
def get_award_credential(args: dict[str, Any], competition_id: UUID, worker_id: UUID) -> Any:
    """The award as a signed Open Badges 3.0 ``AchievementCredential`` (achievement type
    ``Award``), issued by the organiser at finalisation; the same events always give the same
    bytes. ``Accept: application/vc`` answers ``application/vc``, otherwise JSON."""
    competition = ledger().competition(competition_id)
    full_allowed = sees_full_award(competition, current_principal(), worker_id)
    disclosure = args.get("disclosure") or ("full" if full_allowed else "public")
    if disclosure == "full" and not full_allowed:
        raise forbidden("only the awardee, the organiser, admins and auditors see the full one")
    try:
        credential = ledger().competitions.award_credential(competition_id, worker_id, disclosure)
    except CredentialUnavailable as error:
        raise _unavailable(error) from None
    cache = "private, no-cache" if disclosure == "full" else "public, max-age=300"
    return document_response(
        SignedDocument.of(credential),
        media_type("application/json", VC_MEDIA_TYPES),
        cache,
        "Accept, Authorization",
    )


@blp.route("/<uuid:competition_id>/awards/<uuid:worker_id>/pdf", methods=["GET"])
@access(
    admin="any award",
    auditor="any award",
    organiser="awards of its own union's competitions",
    worker="its own awards",
)
@blp.doc(responses=PDF_RESPONSE)
@blp.errors(404, 409)
def get_award_pdf(competition_id: UUID, worker_id: UUID) -> Any:
    """The award (金牌, 银牌, 铜牌, 优胜奖) as a signed one-page PDF like a certificate's: the
    full-disclosure award credential attached as ``credential.json``, a PAdES signature by the
    organiser's document-signing key (made and published on its first PDF)."""
    competition = ledger().competition(competition_id)
    if not sees_full_award(competition, current_principal(), worker_id):
        raise forbidden("only the awardee, the organiser, admins and auditors get the PDF")
    pdfs = AwardPdfs(ledger())
    result = pdfs.award_result(competition, worker_id)
    try:
        body = pdfs.award_pdf(competition_id, worker_id, actor=current_principal().actor)
    except (CredentialUnavailable, MissingGlyphs) as error:
        raise unavailable(error) from None
    return attachment(body, "application/pdf", award_pdf_name(competition, result))


@blp.route("/<uuid:competition_id>/results.xlsx", methods=["GET"])
@access(
    public="once final (names masked)",
    admin="once final",
    auditor="once final",
    organiser="once final (names of its own union's entrants)",
    issuer="once final (names masked)",
    worker="once final (names masked)",
)
@blp.doc(
    responses={
        "200": {
            "description": "sheets 概况 Summary and 成绩 Results: group, rank, entrant, "
            "component scores, total, standardised score, award",
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@blp.errors(403, 404, 422)
def get_results_workbook(competition_id: UUID) -> Any:
    """The final results as an Excel workbook, as the leaderboard shows them to the caller
    (names masked for the public, never a worker id nor an ID number); 422
    ``results-not-final`` before finalisation."""
    competition = ledger().competition(competition_id)
    principal = current_principal()
    if principal.is_public and not may_see_board(competition, principal):
        raise authentication_required()
    sheet = results_sheet(competition, principal)
    body = results_workbook(sheet, summary_facts(ledger(), competition))
    return attachment(body, XLSX, results_workbook_name(competition))
