"""Leaderboards (成绩榜) as a viewer may see them: the read query over the leaderboard read model
(``projections.leaderboard_query``) shared by the API (``/api/v1/competitions``) and the pages
(``/competitions``).

Admins, auditors and the organising union's organisers see everything: the live, provisional
board while marking, entrants' worker ids and names. Everyone else sees the final board only,
without worker ids and with names masked (张三 → 张*), as on the public certificate page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol
from uuid import UUID

from domain.api_token import Role
from domain.competition import Competition
from projections.leaderboard_query import LeaderboardQuery
from projections.pagination import Page
from projections.store import ProjectionStore
from service.credentials.credential_document import masked_name

__all__ = [
    "READ_MODEL",
    "Leaderboards",
    "Viewer",
    "behind",
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
    """Everyone sees the final board; only those who see everything the live one."""
    return competition.is_final or sees_everything(competition, viewer)


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
        """The competition's board as ``viewer`` may see it (entries public unless they see
        everything); None while the read model does not know the competition. Whether the
        viewer may see the board at all is :func:`may_see_board`."""
        page = self._query.board(competition.id, after=after, limit=limit, group=group)
        if page is None or sees_everything(competition, viewer):
            return page
        return replace(page, items=[public_entry(item) for item in page.items])
