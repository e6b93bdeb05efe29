"""``/competitions`` and ``/competitions/{id}``: leaderboards with awards and standardised scores.

Public once the results are final (names masked, 张*); while marking, the organising union's
organisers, admins and auditors (signed in at ``/signin``) see the live, provisional board, and
the page polls ``/competitions/{id}/board.json`` every ``BOARD_POLL_SECONDS`` to update it as
marks are recorded. Everyone else is told the results are not published yet.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, jsonify

from domain.competition import Competition
from service.api.competitions import leaderboard_query, public_entry, sees_everything
from service.api.problems import Problem
from service.api.reads import wait_for_position
from service.api.services import ledger, services
from service.pages.blueprints import pages, render
from service.pages.i18n import gettext
from service.pages.labels import AWARD, ENTRANT_KIND, label

BOARD_LIMIT = 500


def board(competition: Competition, privileged: bool) -> dict[str, Any]:
    """The board as this caller may see it (the read model caught up with the log)."""
    runner = services().runner
    if runner is not None:
        runner.wait_for(ledger().log_position, timeout=2.0, names=["leaderboard"])
    page = leaderboard_query().board(competition.id, limit=BOARD_LIMIT)
    items = [] if page is None else page.items
    if not privileged:
        items = [public_entry(item) for item in items]
    rows = []
    for item in items:
        rows.append(
            {
                "group": item["group"],
                "group_label": label(ENTRANT_KIND, item["group"]),
                "rank": item["rank"],
                "entrant_number": item["entrant_number"],
                "name": item["name"],
                "employer_name": item["employer_name"],
                "total": item["total"],
                "standardised": item["standardised"],
                "award": item["award"],
                "award_label": label(AWARD, item["award"]) if item["award"] else "",
                "components": item["components"],
                "complete": item["complete"],
                "tied": item["tied"],
            }
        )
    return {
        "competition_id": str(competition.id),
        "final": competition.is_final,
        "status": str(competition.status),
        "live": not competition.is_final,
        "components": list((competition.marking_scheme or {}).get("components") or []),
        "items": rows,
        "log_position": ledger().log_position,
    }


@pages.route("/competitions", methods=["GET"])
def competitions() -> Any:
    wait_for_position(ledger().log_position, ["leaderboard"])
    page = leaderboard_query().list_competitions(limit=100)
    return render("pages/competitions.html", items=page.items, title=gettext("技能竞赛"))


@pages.route("/competitions/<uuid:competition_id>", methods=["GET"])
def competition_page(competition_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    privileged = sees_everything(competition)
    shown = competition.is_final or privileged
    return render(
        "pages/competition.html",
        competition=competition,
        privileged=privileged,
        board=board(competition, privileged) if shown else None,
        poll_seconds=float(current_app.config["BOARD_POLL_SECONDS"]),
        title=competition.name,
    )


@pages.route("/competitions/<uuid:competition_id>/board.json", methods=["GET"])
def competition_board(competition_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    privileged = sees_everything(competition)
    if not competition.is_final and not privileged:
        raise Problem(403, "forbidden", "the leaderboard is public once the results are final")
    return jsonify(board(competition, privileged))
