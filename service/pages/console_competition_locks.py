"""``/console/competitions/<id>/locks``: lock each component (封分) and publish the results
(公布结果).

Per component: the overview's progress
(:func:`~service.pages.console_competitions.component_progress`), how many active entrants are
fully marked as the lock rule counts (every panel judge has marked; without a panel, enough
judges: ``MarkBook.is_complete``) and which are still short, the spreads awaiting review
(linked to the review queue), the judging panel and who of it has submitted their marks (when
the component has a panel), and whether it is locked (when, by whom). A lock button per open
component (``ledger.competitions.lock_component``); a refusal is shown beside that component's
button with its rule (``marks-incomplete``, ``flagged-marks-unreviewed``). Finalise
(``ledger.competitions.finalise_competition``) once every component is locked, its refusal
beside its button; after it, the results summary (ranks, totals, awards, proposals) and a link
to the public leaderboard. Who: :func:`competition_for` (an auditor reads).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import redirect, request, url_for

from domain.competition import Competition
from domain.errors import DomainRuleViolation, InvalidValue
from service.app_services import ledger
from service.pages.blueprints import render
from service.pages.console import console
from service.pages.console_competition import (
    add_competition_tab,
    competition_for,
    may_change_competition,
)
from service.pages.console_competition_refusals import refusal_text
from service.pages.console_competitions import component_progress
from service.pages.console_sessions import actor_names
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["lock_rows"]

RESULTS_SHOWN = 50
#: Entrants short of marks named per component; the rest are counted.
SHORT_SHOWN = 20


def lock_rows(competition: Competition) -> list[dict[str, Any]]:
    """Per component: the overview's progress, the entrants short of marks (numbers; complete
    as the lock rule says), its panel with who has submitted, and its lock (None while open)."""
    book = competition.mark_book()
    active = competition.active_entrants()
    rows = []
    for row in component_progress(competition):
        name = row["name"]
        # complete as the lock rule says: every panel judge has marked (or enough judges)
        short = [e["entrant_number"] for e in active if not book.is_complete(e["worker_id"], name)]
        submitted = competition.submitted.get(name, {})
        panel = [
            {"name": judge["name"], "submitted": submitted.get(judge["name"])}
            for judge in competition.panels.get(name, [])
        ]
        rows.append(
            {
                **row,
                "marked": len(active) - len(short),
                "short": short[:SHORT_SHOWN],
                "short_more": max(0, len(short) - SHORT_SHOWN),
                "panel": panel,
                "lock": competition.locks.get(name),
            }
        )
    return rows


def locks_page(
    competition: Competition, *, status: int = 200, errors: dict[str, str] | None = None
) -> Any:
    rows = lock_rows(competition)
    results = competition.results or []
    actors = [{"actor": lock["actor"]} for lock in competition.locks.values()]
    return render(
        "pages/console_competition_locks.html",
        status=status,
        title=gettext("封分与公布结果 · %(name)s", name=competition.name),
        competition=competition,
        rows=rows,
        all_locked=bool(rows) and all(row["locked"] for row in rows),
        results=results[:RESULTS_SHOWN],
        result_count=len(results),
        proposals=len(competition.proposals),
        awards=len(competition.awards()),
        may_change=may_change_competition(competition) and not competition.is_final,
        actor_names=actor_names([*actors, {"actor": competition.finalised_by}]),
        errors=errors or {},
        done=request.args.get("done", ""),
        component=request.args.get("component", ""),
    )


@console.route("/competitions/<uuid:competition_id>/locks", methods=["GET"])
def competition_locks(competition_id: UUID) -> Any:
    return locks_page(competition_for(competition_id))


def _actor() -> str:
    person = current_person()
    assert person is not None  # competition_for let only people in
    return person.principal.actor


@console.route("/competitions/<uuid:competition_id>/locks", methods=["POST"])
def lock_competition_component(competition_id: UUID) -> Any:
    competition = competition_for(competition_id, change=True)
    component = request.form.get("component", "")
    if component not in competition.scheme.component_names:
        return locks_page(competition, status=422, errors={"form": gettext("请选择要封分的赛项。")})
    try:
        ledger().competitions.lock_component(competition_id, component, actor=_actor())
    except (DomainRuleViolation, InvalidValue) as error:
        return locks_page(
            competition, status=422, errors={f"lock.{component}": refusal_text(error)}
        )
    return redirect(
        url_for(
            "console.competition_locks",
            competition_id=competition_id,
            done="locked",
            component=component,
        ),
        code=303,
    )


@console.route("/competitions/<uuid:competition_id>/finalise", methods=["POST"])
def finalise_competition_page(competition_id: UUID) -> Any:
    competition = competition_for(competition_id, change=True)
    try:
        ledger().competitions.finalise_competition(competition_id, actor=_actor())
    except (DomainRuleViolation, InvalidValue) as error:
        return locks_page(competition, status=422, errors={"finalise": refusal_text(error)})
    return redirect(
        url_for("console.competition_locks", competition_id=competition_id, done="finalised"),
        code=303,
    )


add_competition_tab("console.competition_locks", N_("封分与结果"), 50)
