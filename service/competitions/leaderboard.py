"""Leaderboards (成绩榜) as a viewer may see them: the read query over the leaderboard read model
(``projections.leaderboard_query``) and THE rule of who sees what, shared by the API
(``/api/v1/competitions``), the pages (``/competitions``) and the live board's stream.

Admins, auditors and the organising union's organisers see everything: the live, provisional
board while marking, entrants' worker ids and names. Everyone else (the public, workers,
judges, other unions) sees entries without worker ids and with names masked (张三 → 张*), as on
the public certificate page, and before the results are final only what the organiser chose
(``Competition.provisional_board``, ``domain.competition_announcement.BoardVisibility``):

* ``private``: no board until the results are final;
* ``public``: the live board;
* ``public-after-lock`` (the default): the board with the LOCKED components' scores only --
  the others blank, and no total, rank, award or standardised score until every component is
  locked -- listed in entrant-number order until then, so the order gives no ranking away.

After finalisation everyone sees the final board. :func:`may_see_board` says whether a viewer
sees a board at all, :func:`board_entry` shapes one entry for them, and
:meth:`Leaderboards.board` reads a page of entries so shaped.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol
from uuid import UUID

from domain.api_token import Role
from domain.competition import BoardVisibility, Competition
from projections.leaderboard_query import LeaderboardQuery
from projections.pagination import Page
from projections.store import ProjectionStore
from service.credentials.credential_document import masked_name

__all__ = [
    "READ_MODEL",
    "Leaderboards",
    "Viewer",
    "behind",
    "board_entry",
    "may_see_board",
    "public_entry",
    "sees_everything",
]

#: The read model the leaderboard reads come from (what callers wait for).
READ_MODEL = "leaderboard"


class Viewer(Protocol):
    """Who is looking: a role, and the organisation it acts for (the API's principal)."""

    def is_(self, *roles: Role) -> bool: ...

    def acts_for(self, organisation_id: UUID | None) -> bool: ...


def sees_everything(competition: Competition, viewer: Viewer) -> bool:
    """Admins, auditors and the organising union see names, ids and the live board."""
    return viewer.is_(Role.ADMIN, Role.AUDITOR) or viewer.acts_for(competition.organiser_id)


def may_see_board(competition: Competition, viewer: Viewer) -> bool:
    """Everyone sees the final board; before it, those who see everything the live one, and
    the public a board unless the organiser chose ``private``."""
    return (
        competition.is_final
        or sees_everything(competition, viewer)
        or competition.provisional_board != BoardVisibility.PRIVATE
    )


def _only_locked(competition: Competition) -> bool:
    """Whether the viewer's board shows the locked components only (see the module)."""
    return (
        not competition.is_final
        and competition.provisional_board == BoardVisibility.PUBLIC_AFTER_LOCK
    )


def board_entry(competition: Competition, viewer: Viewer, item: dict[str, Any]) -> dict[str, Any]:
    """One board entry (an item of ``LeaderboardQuery.board``) as ``viewer`` may see it, who
    :func:`may_see_board`: whole for those who see everything; else without worker id and
    with the name masked, and under ``public-after-lock`` the unlocked components blank (and
    total, rank, award, standardised score too until every component is locked)."""
    if sees_everything(competition, viewer):
        return item
    shown = public_entry(item)
    if not _only_locked(competition):
        return shown
    locks = competition.locks
    components = {
        name: (score if name in locks else None) for name, score in item["components"].items()
    }
    shown.update(components=components, flagged=[])
    if not all(name in locks for name in components):
        shown.update(
            rank=None, total=None, standardised=None, award=None, tied=False, complete=False
        )
    return shown


def public_entry(item: dict[str, Any]) -> dict[str, Any]:
    """A board entry as the public sees it: no worker id, the name masked."""
    shown = {key: value for key, value in item.items() if key != "worker_id"}
    shown["name"] = masked_name(item["name"])
    return shown


def behind(competition: Competition, page: Page | None) -> bool:
    """Whether the read model has not caught up with the competition as loaded: it does not
    know it yet, or the competition is final and the board is not."""
    return page is None or (competition.is_final and not page.extra["final"])


class Leaderboards:
    """Competitions and their boards from the leaderboard read model, shown per viewer."""

    def __init__(self, store: ProjectionStore) -> None:
        self._query = LeaderboardQuery(store)
        #: Competitions (public, so not per viewer), newest year first, filtered and paged as
        #: ``LeaderboardQuery.list_competitions``.
        self.competitions = self._query.list_competitions

    def board(
        self,
        competition: Competition,
        viewer: Viewer,
        *,
        after: str | None = None,
        limit: int = 50,
        group: str | None = None,
    ) -> Page | None:
        """The competition's board as ``viewer`` may see it (each entry :func:`board_entry`;
        in number order while it shows some components only); None while the read model does
        not know the competition. Whether the viewer may see the board at all is
        :func:`may_see_board`."""
        if sees_everything(competition, viewer):
            return self._query.board(competition.id, after=after, limit=limit, group=group)
        ranked = not _only_locked(competition) or all(
            name in competition.locks for name in competition.scheme.component_names
        )
        page = self._query.board(
            competition.id, after=after, limit=limit, group=group, ranked=ranked
        )
        if page is None:
            return None
        return replace(page, items=[board_entry(competition, viewer, item) for item in page.items])
