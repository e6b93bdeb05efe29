"""The organiser's competitions in the console (竞赛管理): the list and one competition's overview.

The list comes from the leaderboard read model (an organiser sees their own union's, an
administrator, HR-bureau official or auditor every one); the overview reads the competition
itself: its announcement, components and weights, marking progress per component (entrants fully
marked, flagged spreads, locked), entrants, and what it needs next. The other competition pages
(entrants, judges, review, locks, promotions, results) hang off it as tabs
(:func:`~service.pages.console_competition.add_competition_tab`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from werkzeug.exceptions import Forbidden

from domain.competition import Competition, CompetitionStatus
from service.app_services import caught_up, leaderboards
from service.competitions.leaderboard import READ_MODEL
from service.pages.blueprints import render
from service.pages.console import add_console_link, console
from service.pages.console_competition import (
    READERS,
    UNION_ROLES,
    add_competition_tab,
    competition_for,
    may_change_competition,
)
from service.pages.console_competition_announce import BOARDS
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["component_progress", "next_step"]

LIST_LIMIT = 200

add_console_link(
    "console.competitions",
    N_("竞赛管理"),
    READERS,
    N_("发布竞赛、报名选手、分配裁判、复核、封分、公布结果。"),
)
add_competition_tab("console.competition_overview", N_("概况"), 0)


def component_progress(competition: Competition) -> list[dict[str, Any]]:
    """Per component: its weight and kind, how many active entrants are fully marked (as the lock
    rule counts: every panel judge, or enough judges without a panel), how many spreads await
    review, and whether it is locked."""
    scheme = competition.scheme
    book = competition.mark_book(scheme)
    active = competition.active_entrants()
    rows = []
    for component in scheme.components:
        name = component.name
        marked = sum(1 for e in active if book.is_complete(e["worker_id"], name))
        flagged = sum(1 for e in active if book.needs_review(e["worker_id"], name))
        rows.append(
            {
                "name": name,
                "kind": component.kind.value,
                "weight": format(component.weight, "f"),
                "marked": marked,
                "entrants": len(active),
                "flagged": flagged,
                "locked": name in competition.locks,
            }
        )
    return rows


def next_step(competition: Competition, progress: list[dict[str, Any]]) -> str:
    """What the competition needs next, in a few words (marked ``N_``; translate to show)."""
    if competition.status is CompetitionStatus.FINALISED:
        return N_("结果已公布")
    if not competition.active_entrants():
        return N_("报名选手")
    if any(row["flagged"] for row in progress):
        return N_("复核评分差异")
    if all(row["locked"] for row in progress):
        return N_("公布结果")
    if any(row["marked"] == row["entrants"] and not row["locked"] for row in progress):
        return N_("封分")
    return N_("裁判评分")


@console.route("/competitions", methods=["GET"])
def competitions() -> Any:
    person = current_person()
    assert person is not None  # the console lets only people in
    if person.account.role not in READERS:
        raise Forbidden()
    caught_up(READ_MODEL)
    organiser = person.account.organisation_id if person.account.role in UNION_ROLES else None
    page = leaderboards().competitions(limit=LIST_LIMIT, organiser_id=organiser)
    return render(
        "pages/console_competitions.html",
        title=gettext("竞赛管理"),
        items=page.items,
        may_announce=person.account.role in UNION_ROLES,
    )


@console.route("/competitions/<uuid:competition_id>", methods=["GET"])
def competition_overview(competition_id: UUID) -> Any:
    competition = competition_for(competition_id)
    progress = component_progress(competition)
    withdrawn = len(competition.entrants) - len(competition.active_entrants())
    return render(
        "pages/console_competition.html",
        title=competition.name,
        competition=competition,
        progress=progress,
        withdrawn=withdrawn,
        next_step=next_step(competition, progress),
        may_change=may_change_competition(competition),
        boards=BOARDS,
    )
