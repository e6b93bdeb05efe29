"""``/competitions`` and ``/competitions/{id}``: leaderboards with awards and standardised scores.

Who sees which board is the one rule of ``service.competitions.leaderboard`` (``may_see_board``
and the entries' shaping); names are masked for the public (张*). While marking, the page
keeps the board live through Server-Sent Events (``service.pages.competition_live``,
``static/live-board.js``): rows are updated in place as marks are recorded, and a board the
viewer may not see yet appears once the rule allows it. ``board.json`` is the same board as
JSON. Viewers who may not see it are told the results are not published yet.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import current_app, jsonify

from domain.competition import Competition
from service.app_services import leaderboards, ledger, services
from service.competitions.leaderboard import (
    READ_MODEL,
    Viewer,
    may_see_board,
    sees_everything,
)
from service.pages.blueprints import pages, render
from service.pages.i18n import gettext
from service.pages.labels import AWARD, COMPETITION_STATUS, ENTRANT_KIND, label
from service.principal import current_principal
from service.problems import Problem

BOARD_LIMIT = 500
#: How long a page waits for the leaderboard read model to catch up with the log.
CATCH_UP_SECONDS = 2.0


def caught_up(timeout: float = CATCH_UP_SECONDS) -> bool:
    """Wait (up to ``timeout`` seconds) until the leaderboard read model has applied the log."""
    runner = services().runner
    if runner is None:
        return True
    return bool(runner.wait_for(ledger().log_position, timeout=timeout, names=[READ_MODEL]))


def board(
    competition: Competition, viewer: Viewer | None = None, *, wait: bool = True
) -> dict[str, Any]:
    """The board as this caller (or ``viewer``) may see it, in the current language (after
    waiting for the read model to catch up, unless ``wait`` is False: the live boards' watcher
    reads it at the position it has reached). Whether they may see it is ``may_see_board``."""
    if wait:
        caught_up()
    viewer = current_principal() if viewer is None else viewer
    page = leaderboards().board(competition, viewer, limit=BOARD_LIMIT)
    items = [] if page is None else page.items
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
        "status_label": label(COMPETITION_STATUS, str(competition.status)),
        "live": not competition.is_final,
        "components": list((competition.marking_scheme or {}).get("components") or []),
        "items": rows,
        "log_position": ledger().log_position,
    }


@pages.route("/competitions", methods=["GET"])
def competitions() -> Any:
    if not caught_up(float(current_app.config.get("READ_WAIT_SECONDS", 5.0))):
        raise Problem(
            503,
            "position-not-reached",
            "the competitions list has not caught up with the log yet",
            headers={"Retry-After": "1"},
        )
    page = leaderboards().competitions(limit=100)
    return render("pages/competitions.html", items=page.items, title=gettext("技能竞赛"))


@pages.route("/competitions/<uuid:competition_id>", methods=["GET"])
def competition_page(competition_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    return render(
        "pages/competition.html",
        competition=competition,
        privileged=sees_everything(competition, current_principal()),
        board=board(competition) if may_see_board(competition, current_principal()) else None,
        title=competition.name,
    )


@pages.route("/competitions/<uuid:competition_id>/board.json", methods=["GET"])
def competition_board(competition_id: UUID) -> Any:
    competition = ledger().competition(competition_id)
    if not may_see_board(competition, current_principal()):
        raise Problem(403, "forbidden", "the leaderboard is public once the results are final")
    return jsonify(board(competition))
