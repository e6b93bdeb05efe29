"""``/console/competitions/<id>/review``: the chief judge's spread review queue (评分差异复核).

Every active entrant × component whose judges' spread exceeds the marking scheme's limit and
that no review confirms (``MarkBook.needs_review``): the judges' marks side by side, the spread
and the limit. Each row is answered one of two ways, as the API does:

* a correction (更正) of one judge's mark, with the reason (``ledger.competitions.correct_mark``;
  the previous mark and the reason are recorded);
* a review (复核) confirming the marks as they stand, with a note of what was checked
  (``ledger.competitions.review_spread``).

A refusal is shown beside the field it concerns, naming its rule (``correction-changes-nothing``,
``component-locked`` …; :mod:`service.pages.console_competition_refusals`). Below the queue:
the corrections and reviews recorded so far. Who: :func:`competition_for` (an auditor reads).
"""

from __future__ import annotations

import unicodedata
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
from service.pages.console_competition_refusals import field_of, refusal_text
from service.pages.console_sessions import actor_names
from service.pages.i18n import N_, gettext
from service.pages.people import current_person

__all__ = ["flagged_rows"]

REASON_MAX = 500


def row_key(worker_id: str, component: str) -> str:
    """A queue row's form value: ``worker id:component``."""
    return f"{worker_id}:{component}"


def flagged_rows(competition: Competition) -> list[dict[str, Any]]:
    """The review queue: every active entrant × component awaiting review, in registration
    order and the scheme's component order, with the marks, the spread and the limit."""
    scheme = competition.scheme
    book = competition.mark_book(scheme)
    rows = []
    for entrant in competition.active_entrants():
        key = entrant["worker_id"]
        for component in scheme.component_names:
            if not book.needs_review(key, component):
                continue
            marks = book.component_marks(key, component)
            scored = scheme.score_component(component, marks)
            rows.append(
                {
                    "key": row_key(key, component),
                    "worker_id": key,
                    "number": entrant["entrant_number"],
                    "name": entrant["name"],
                    "employer": entrant["employer_name"],
                    "component": component,
                    "marks": marks,
                    "spread": format(scored.spread, "f"),
                    "limit": format(scheme.max_spread, "f") if scheme.max_spread else "",
                    "score": format(scored.score, "f"),
                    "locked": component in competition.locks,
                }
            )
    return rows


def answered(competition: Competition) -> list[dict[str, Any]]:
    """The corrections and reviews recorded so far, newest first, each with its entrant."""
    entrants = competition.entrants
    found: list[dict[str, Any]] = []
    for correction in competition.corrections:
        found.append({"kind": "correction", **correction})
    for worker_id, components in competition.reviews.items():
        for component, review in components.items():
            found.append(
                {"kind": "review", "worker_id": worker_id, "component": component, **review}
            )
    for item in found:
        entrant = entrants.get(item["worker_id"], {})
        item["number"] = entrant.get("entrant_number")
        item["name"] = entrant.get("name", "")
    return sorted(found, key=lambda item: item["at"], reverse=True)


def review_page(
    competition: Competition,
    *,
    status: int = 200,
    errors: dict[str, str] | None = None,
    posted: str = "",
) -> Any:
    """The queue; after a refused answer, ``errors`` (field → message) of row ``posted``."""
    done = answered(competition)
    return render(
        "pages/console_competition_review.html",
        status=status,
        title=gettext("评分复核 · %(name)s", name=competition.name),
        competition=competition,
        rows=flagged_rows(competition),
        answered=done,
        actor_names=actor_names(done),
        may_change=may_change_competition(competition) and not competition.is_final,
        errors=errors or {},
        posted=posted,
        form=request.form if errors else {},
        done=request.args.get("done", ""),
        reason_max=REASON_MAX,
    )


@console.route("/competitions/<uuid:competition_id>/review", methods=["GET"])
def competition_review(competition_id: UUID) -> Any:
    return review_page(competition_for(competition_id))


def _posted_row() -> tuple[str, UUID | None, str]:
    """The row a form answers: its key, the worker (None when the value is not one) and the
    component."""
    key = request.form.get("row", "")
    worker, _, component = key.partition(":")
    try:
        return key, UUID(worker), component
    except ValueError:
        return key, None, component


def _answer(
    competition_id: UUID, field: str, command: Any, errors: dict[str, str] | None = None
) -> Any:
    """Check the row and ``field`` (reason or note) and run ``command(worker_id, component,
    text, actor)``; refused (or ``errors`` given): the page again, each problem beside its
    field. None when recorded."""
    competition = competition_for(competition_id, change=True)
    key, worker_id, component = _posted_row()
    text = request.form.get(field, "").strip()
    errors = dict(errors or {})
    if worker_id is None or component not in competition.scheme.component_names:
        errors["form"] = gettext("请从复核列表中选择一项。")
    if not text:
        errors[field] = (
            gettext("请写明更正原因，原因和原分数都会记录在案。")
            if field == "reason"
            else gettext("请写明复核情况（例如调阅了哪些评分记录），复核意见会记录在案。")
        )
    elif len(text) > REASON_MAX:
        errors[field] = gettext("最多 %(max)s 个字。", max=REASON_MAX)
    if errors:
        return review_page(competition, status=422, errors=errors, posted=key)
    person = current_person()
    assert person is not None and worker_id is not None
    try:
        command(worker_id, component, text, person.principal.actor)
    except (DomainRuleViolation, InvalidValue) as error:
        where = field_of(error, "form")
        errors[field if where == "reason" else where] = refusal_text(error)
        return review_page(competition, status=422, errors=errors, posted=key)
    return None


def _score_of(value: str) -> str:
    """A typed mark: full-width digits made ASCII, spaces dropped."""
    return unicodedata.normalize("NFKC", value).strip()


@console.route("/competitions/<uuid:competition_id>/review/correct", methods=["POST"])
def correct_competition_mark(competition_id: UUID) -> Any:
    judge = request.form.get("judge", "").strip()
    mark = _score_of(request.form.get("mark", ""))
    errors = {}
    if not judge:
        errors["judge"] = gettext("请选择要更正哪位裁判的评分。")
    if not mark:
        errors["mark"] = gettext("请填写更正后的分数。")

    def correct(worker_id: UUID, component: str, reason: str, actor: str) -> None:
        ledger().competitions.correct_mark(
            competition_id,
            worker_id=worker_id,
            component=component,
            judge=judge,
            mark=mark,
            reason=reason,
            actor=actor,
        )

    refused = _answer(competition_id, "reason", correct, errors)
    if refused is not None:
        return refused
    return redirect(
        url_for("console.competition_review", competition_id=competition_id, done="corrected"),
        code=303,
    )


@console.route("/competitions/<uuid:competition_id>/review/confirm", methods=["POST"])
def confirm_competition_marks(competition_id: UUID) -> Any:
    def confirm(worker_id: UUID, component: str, note: str, actor: str) -> None:
        ledger().competitions.review_spread(
            competition_id, worker_id=worker_id, component=component, note=note, actor=actor
        )

    refused = _answer(competition_id, "note", confirm)
    if refused is not None:
        return refused
    return redirect(
        url_for("console.competition_review", competition_id=competition_id, done="reviewed"),
        code=303,
    )


add_competition_tab("console.competition_review", N_("评分复核"), 40)
