"""``/console/competitions/<id>/promotions``: the promotion proposals the rules gave (以赛代评),
their submission to the HR bureau (报送) and the bureau's decisions.

Each proposal: the worker (name, masked ID number), rank and award, the rule and its
explanation, the current → proposed level, and where it stands: not yet submitted, submitted and
awaiting the bureau (待核准), approved (核准) with the certificate issued (linked), or not approved
with the reason. A proposal is flagged when a certificate it rests on is revoked
(:mod:`service.competitions.proposal_certificates`: the current-level certificate it started
from, or the one issued for it). "Submit to the HR bureau" records ``ProposalsSubmitted``
(``ledger.competitions.submit_proposals``); only submitted proposals reach the bureau's queue
(``/console/approvals``). A refusal is shown beside the button with its rule. Who:
:func:`competition_for` (an auditor reads).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition import Competition
from domain.competition_promotions import ProposalStatus
from domain.competition_submission import is_submitted
from domain.errors import DomainRuleViolation, InvalidValue
from service.app_services import caught_up, ledger, services
from service.competitions.approval_queue import proposal_view
from service.competitions.proposal_certificates import revoked_basis
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_competition import (
    add_competition_tab,
    competition_for,
    may_change_competition,
)
from service.pages.console_competition_refusals import refusal_text
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["proposal_rows"]

#: Where a proposal stands, as the page says it.
STANDING = {
    "unsubmitted": N_("待报送"),
    "submitted": N_("已报送，待核准"),
    "approved": N_("已核准"),
    "rejected": N_("不予核准"),
}


def standing_of(proposal: dict[str, Any]) -> str:
    if proposal["status"] == ProposalStatus.APPROVED.value:
        return "approved"
    if proposal["status"] == ProposalStatus.REJECTED.value:
        return "rejected"
    return "submitted" if proposal.get("submitted_at") else "unsubmitted"


def proposal_rows(competition: Competition) -> list[dict[str, Any]]:
    """Every proposal of ``competition`` in rank order, with the worker's masked ID number,
    where it stands and the revoked certificates it rests on."""
    directory = services().directory
    rows = []
    for result in competition.results or ():
        if result["worker_id"] not in competition.proposals:
            continue
        view = proposal_view(competition, result)
        worker = directory.get_worker(view["worker_id"]) if directory is not None else None
        rows.append(
            {
                **view,
                "masked_id_number": worker["masked_id_number"] if worker else "",
                "standing": standing_of(view),
                "revoked": (
                    revoked_basis(view, competition.occupation_code, directory.list_certificates)
                    if directory is not None
                    else []
                ),
            }
        )
    return rows


def promotions_page(
    competition: Competition, *, status: int = 200, errors: dict[str, str] | None = None
) -> Any:
    caught_up("directory")
    rows = proposal_rows(competition)
    unsubmitted = [
        key
        for key, p in competition.proposals.items()
        if p["status"] == ProposalStatus.PROPOSED.value and not is_submitted(p)
    ]
    return render(
        "pages/console_competition_promotions.html",
        status=status,
        title=gettext("晋级建议 · %(name)s", name=competition.name),
        competition=competition,
        rows=rows,
        standing=STANDING,
        unsubmitted=len(unsubmitted),
        flagged=sum(1 for row in rows if row["revoked"]),
        may_submit=may_change_competition(competition) and competition.is_final,
        errors=errors or {},
        submitted=request.args.get("submitted", type=int),
    )


@console.route("/competitions/<uuid:competition_id>/promotions", methods=["GET"])
def competition_promotions(competition_id: UUID) -> Any:
    return promotions_page(competition_for(competition_id))


@console.route("/competitions/<uuid:competition_id>/promotions/submit", methods=["POST"])
def submit_competition_proposals(competition_id: UUID) -> Any:
    competition = competition_for(competition_id, change=True)
    person = current_person()
    assert person is not None
    try:
        recorded = ledger().competitions.submit_proposals(
            competition_id, actor=person.principal.actor
        )
    except (DomainRuleViolation, InvalidValue) as error:
        return promotions_page(competition, status=422, errors={"submit": refusal_text(error)})
    after = recorded.aggregate.proposals
    count = sum(
        1
        for key, p in after.items()
        if is_submitted(p) and not is_submitted(competition.proposals[key])
    )
    return redirect(
        url_for("console.competition_promotions", competition_id=competition_id, submitted=count),
        code=303,
    )


add_competition_tab("console.competition_promotions", N_("晋级建议"), 60)
