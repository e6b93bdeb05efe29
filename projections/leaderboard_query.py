"""Reads of the competition leaderboards (成绩榜): ``LeaderboardQuery(store)`` over the tables
of the ``Leaderboard`` projection (``projections.leaderboard``, whose docstring describes the
answers and the tables)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.competition import CompetitionStatus
from domain.ranking import EntrantResult, RankedEntrant, TieBreakOrder, rank_entrants
from projections.leaderboard import GROUP_ORDER, STATUSES, stored_scheme
from projections.pagination import Page, check_limit, decode_cursor, page_of
from projections.query import ProjectionQuery, one_of, uuid_text, where_clause

__all__ = ["LeaderboardQuery"]


_COMPETITION_COLUMNS = (
    "id, organiser_id, reference, name, tier, occupation_code, exam_level, year, region,"
    " scheme, separate_groups, status, entrants, locked, announced_at, finalised_at"
)


def _competition(row: dict[str, Any]) -> dict[str, Any]:
    scheme = json.loads(row.pop("scheme"))
    components = scheme.get("components") if isinstance(scheme, Mapping) else None
    row["components"] = [c.get("name") for c in components or () if isinstance(c, Mapping)]
    row["locked"] = json.loads(row["locked"])
    row["separate_groups"] = bool(row["separate_groups"])
    return row


class LeaderboardQuery(ProjectionQuery):
    """Reads of the ``Leaderboard`` projection (see the module docstring)."""

    def competition(self, competition_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(competition_id, "competition id")
        with self.store.read() as tx:
            rows = tx.dicts(
                f"SELECT {_COMPETITION_COLUMNS} FROM leaderboard_competition WHERE id = ?", (key,)
            )
        return _competition(rows[0]) if rows else None

    def list_competitions(
        self,
        after: str | None = None,
        limit: int = 50,
        organiser_id: UUID | str | None = None,
        year: int | None = None,
        status: str | None = None,
        tier: str | None = None,
        occupation_code: str | None = None,
    ) -> Page:
        """Competitions, newest year first, then by id."""
        check_limit(limit)
        where: list[str] = []
        params: list[Any] = []
        organiser = uuid_text(organiser_id, "organiser_id")
        one_of(status, STATUSES, "status")
        for column, value in (
            ("organiser_id", organiser),
            ("status", status),
            ("tier", tier),
            ("occupation_code", occupation_code),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if year is not None:
            where.append("year = ?")
            params.append(int(year))
        key = decode_cursor("competitions", after, 2)
        if key is not None:
            where.append("(year < ? OR (year = ? AND id > ?))")
            params.extend([key[0], key[0], key[1]])
        sql = f"SELECT {_COMPETITION_COLUMNS} FROM leaderboard_competition" + where_clause(where)
        sql += " ORDER BY year DESC, id LIMIT ?"
        with self.store.read() as tx:
            rows = [_competition(row) for row in tx.dicts(sql, (*params, limit + 1))]
        return page_of(rows, limit, "competitions", lambda r: (r["year"], r["id"]))

    def board(
        self,
        competition_id: UUID | str,
        after: str | None = None,
        limit: int = 50,
        group: str | None = None,
        ranked: bool = True,
    ) -> Page | None:
        """The competition's board (final if finalised, else live); None if unknown. The live
        board unranked (``ranked=False``) lists every entrant in number order: a board that
        shows only some components must not give the provisional ranking away by its order."""
        check_limit(limit)
        one_of(group, GROUP_ORDER, "group")
        competition = self.competition(competition_id)
        if competition is None:
            return None
        if competition["status"] == CompetitionStatus.FINALISED:
            page = self._final(competition, after, limit, group)
        else:
            page = self._live(competition, after, limit, group, ranked)
        page.extra.update(
            {
                "competition_id": competition["id"],
                "final": competition["status"] == CompetitionStatus.FINALISED,
                "status": competition["status"],
            }
        )
        return page

    # -- final -----------------------------------------------------------------------------

    def _final(
        self, competition: dict[str, Any], after: str | None, limit: int, group: str | None
    ) -> Page:
        where = ["competition_id = ?"]
        params: list[Any] = [competition["id"]]
        if group is not None:
            where.append("grp = ?")
            params.append(group)
        key = decode_cursor("board-final", after, 3)
        if key is not None:
            where.append("(group_order, rank, entrant_number) > (?, ?, ?)")
            params.extend(key)
        sql = (
            "SELECT worker_id, group_order, grp, rank, entrant_number, name, entrant_kind,"
            " employer_name, group_size, total, standardised, award, tied, components"
            f" FROM leaderboard_result WHERE {' AND '.join(where)}"
            " ORDER BY group_order, rank, entrant_number LIMIT ?"
        )
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        items = [
            {
                "group": row["grp"],
                "rank": row["rank"],
                "group_size": row["group_size"],
                "entrant_number": row["entrant_number"],
                "worker_id": row["worker_id"],
                "name": self.store.sealer.open(row["name"]),
                "entrant_kind": row["entrant_kind"],
                "employer_name": row["employer_name"],
                "total": row["total"],
                "standardised": row["standardised"],
                "award": row["award"],
                "tied": bool(row["tied"]),
                "components": json.loads(row["components"]),
                "flagged": [],
                "complete": True,
                "_key": (row["group_order"], row["rank"], row["entrant_number"]),
            }
            for row in rows
        ]
        page = page_of(items, limit, "board-final", lambda r: r["_key"])
        for item in page.items:
            item.pop("_key")
        return page

    # -- live ------------------------------------------------------------------------------

    def _live(
        self,
        competition: dict[str, Any],
        after: str | None,
        limit: int,
        group: str | None,
        ranked: bool = True,
    ) -> Page:
        key = decode_cursor("board-live", after, 2)
        with self.store.read() as tx:
            meta = tx.row(
                "SELECT scheme, tie_breaks, separate_groups FROM leaderboard_competition"
                " WHERE id = ?",
                (competition["id"],),
            )
            entrants = tx.dicts(
                "SELECT worker_id, entrant_number, name, entrant_kind, employer_name,"
                " finish_time, total FROM leaderboard_entrant"
                " WHERE competition_id = ? AND withdrawn IS NULL",
                (competition["id"],),
            )
            score_rows = tx.rows(
                "SELECT worker_id, component, score, flagged, reviewed FROM leaderboard_score"
                " WHERE competition_id = ?",
                (competition["id"],),
            )
        assert meta is not None
        scheme = stored_scheme(meta[0])
        components = list(scheme.component_names) if scheme else []
        order = TieBreakOrder.from_dict(json.loads(meta[1])) if meta[1] else TieBreakOrder()
        scores: dict[str, dict[str, str | None]] = {}
        flagged: dict[str, list[str]] = {}
        for worker_id, component, score, is_flagged, reviewed in score_rows:
            scores.setdefault(worker_id, {})[component] = score
            if is_flagged and not reviewed:
                flagged.setdefault(worker_id, []).append(component)
        groups: dict[str, list[dict[str, Any]]] = {}
        for entrant in entrants:
            name = entrant["entrant_kind"] if meta[2] else "all"
            groups.setdefault(name, []).append(entrant)
        items: list[dict[str, Any]] = []
        for name in sorted(groups, key=lambda g: GROUP_ORDER.get(g, 9)):
            if group is not None and name != group:
                continue
            members = groups[name]
            listed = _rank_live(members, scores, order)
            if not ranked:
                listed.sort(key=lambda pair: pair[0]["entrant_number"])
            for position, (entrant, entry) in enumerate(listed):
                own = scores.get(entrant["worker_id"], {})
                item = {
                    "group": name,
                    "rank": None,
                    "group_size": sum(1 for e in members if e["total"] is not None),
                    "entrant_number": entrant["entrant_number"],
                    "worker_id": entrant["worker_id"],
                    "name": self.store.sealer.open(entrant["name"]),
                    "entrant_kind": entrant["entrant_kind"],
                    "employer_name": entrant["employer_name"],
                    "total": entrant["total"],
                    "standardised": None,
                    "award": None,
                    "tied": False,
                    "components": {c: own.get(c) for c in components},
                    "flagged": sorted(flagged.get(entrant["worker_id"], [])),
                    "complete": entry is not None,
                    "_key": (GROUP_ORDER.get(name, 9), position),
                }
                if entry is not None:
                    item.update(
                        rank=entry.rank,
                        standardised=entry.standardised,
                        award=None if entry.award is None else entry.award.value,
                        tied=entry.tied,
                    )
                items.append(item)
        if key is not None:
            items = [item for item in items if list(item["_key"]) > key]
        page = page_of(items[: limit + 1], limit, "board-live", lambda r: r["_key"])
        for item in page.items:
            item.pop("_key")
        return page


def _rank_live(
    members: list[dict[str, Any]],
    scores: Mapping[str, Mapping[str, str | None]],
    order: TieBreakOrder,
) -> list[tuple[dict[str, Any], RankedEntrant | None]]:
    """The group's entrants with a total, ranked (provisionally), then the rest by number."""
    complete = [e for e in members if e["total"] is not None]
    ranked: list[tuple[dict[str, Any], RankedEntrant | None]] = []
    if complete:
        by_id = {e["worker_id"]: e for e in complete}
        ranking = rank_entrants(
            [
                EntrantResult(
                    entrant_id=e["worker_id"],
                    total=Decimal(e["total"]),
                    component_scores={
                        c: Decimal(s)
                        for c, s in scores.get(e["worker_id"], {}).items()
                        if s is not None
                    },
                    finish_time=_parse_time(e["finish_time"]),
                )
                for e in complete
            ],
            order,
        )
        ranked += [(by_id[entry.entrant_id], entry) for entry in ranking.entries]
    rest = sorted((e for e in members if e["total"] is None), key=lambda e: e["entrant_number"])
    return ranked + [(e, None) for e in rest]


def _parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))
