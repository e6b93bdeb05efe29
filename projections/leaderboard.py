"""Competition leaderboards (成绩榜): live during marking for organisers, final results after.

Projection ``Leaderboard`` (name ``"leaderboard"``); query ``LeaderboardQuery(store)``::

    query.competition(competition_id) -> dict | None
        {"id", "organiser_id", "reference", "name", "tier", "occupation_code", "exam_level",
         "year", "region", "status", "entrants", "components": [names], "locked": [names],
         "separate_groups", "announced_at", "finalised_at"}
    query.list_competitions(after=None, limit=50, organiser_id=None, year=None, status=None,
                            tier=None, occupation_code=None) -> Page
        the same dicts, newest year first, then by id
    query.board(competition_id, after=None, limit=50, group=None) -> Page
        Page.extra: {"competition_id", "final": bool, "groups": [...]}
        items: {"group", "rank", "entrant_number", "worker_id", "name", "entrant_kind",
                "employer_name", "total", "standardised", "award", "tied",
                "components": {name: score | None}, "flagged": [components needing review],
                "complete": bool}

Live board (status ``announced``/``marking``): each entrant's component scores are combined
from the judges' marks as they stand (``MarkingScheme.score_component``: mean or trimmed mean,
spread flag; a component with too few judges for the scheme has no score yet) and, once every
component has a score, the weighted total. The board ranks the entrants with a total by the
competition's stated tie-breaks (``domain.ranking.rank_entrants``; per group when employees
and students are ranked apart); entrants still missing a score follow, unranked. Ranks,
awards and standardised scores are provisional. Withdrawn entrants are not listed.

Final board (status ``finalised``): exactly the results stored in the ``Finalised`` event,
ordered by group, rank and entrant number -- never recomputed, so they never change.

Who may see which board is the API's decision (organisers, admins and auditors the live one;
everyone the final one).

Tables (keys text; numbers as decimal text, never floats)::

    leaderboard_competition(id PK, organiser_id, reference, name, tier, occupation_code,
                            exam_level, year, region, scheme JSON, tie_breaks JSON,
                            separate_groups, status, entrants, locked JSON, announced_at,
                            finalised_at)                            index (year, id)
    leaderboard_worker(id PK, name)
    leaderboard_entrant(competition_id, worker_id PK, entrant_number, name, entrant_kind,
                        employer_name, withdrawn, finish_time, total)
    leaderboard_mark(competition_id, worker_id, component, judge PK, mark)
    leaderboard_score(competition_id, worker_id, component PK, score, judge_count, spread,
                      flagged, reviewed)
    leaderboard_result(competition_id, worker_id PK, group_order, grp, rank, entrant_number,
                       name, entrant_kind, employer_name, group_size, total, standardised,
                       award, tied, components JSON)
                                    index (competition_id, group_order, rank, entrant_number)
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.errors import DomainRuleViolation, InvalidValue
from domain.marking_scheme import JudgeCombination, MarkingScheme
from domain.ranking import EntrantResult, RankedEntrant, TieBreakOrder, rank_entrants
from projections.pagination import InvalidQuery, Page, check_limit, decode_cursor, page_of
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_datetime,
    text_id,
    to_json,
)
from projections.store import ProjectionStore, Transaction

TOPIC = "craftledger:Competition."
GROUP_ORDER = {"all": 0, "employee": 1, "student": 2}
STATUSES = ("announced", "marking", "finalised")


def _scheme(text: str | None) -> MarkingScheme | None:
    """The stored scheme, or None for an announcement that predates valid schemes."""
    if not text:
        return None
    try:
        return MarkingScheme.from_dict(json.loads(text))
    except (InvalidValue, DomainRuleViolation):
        return None


class Leaderboard(Projection):
    """Live and final competition leaderboards."""

    name = "leaderboard"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "leaderboard_competition": ("id",),
        "leaderboard_worker": ("id",),
        "leaderboard_entrant": ("competition_id", "worker_id"),
        "leaderboard_mark": ("competition_id", "worker_id", "component", "judge"),
        "leaderboard_score": ("competition_id", "worker_id", "component"),
        "leaderboard_result": ("competition_id", "worker_id"),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS leaderboard_competition (
            id {key_text} PRIMARY KEY,
            organiser_id {key_text} NOT NULL,
            reference TEXT NOT NULL,
            name TEXT NOT NULL,
            tier TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            exam_level TEXT NOT NULL,
            year INTEGER NOT NULL,
            region TEXT NOT NULL,
            scheme TEXT NOT NULL,
            tie_breaks TEXT,
            separate_groups INTEGER NOT NULL,
            status TEXT NOT NULL,
            entrants INTEGER NOT NULL,
            locked TEXT NOT NULL,
            announced_at TEXT NOT NULL,
            finalised_at TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS leaderboard_competition_by_year"
        " ON leaderboard_competition (year, id)",
        """CREATE TABLE IF NOT EXISTS leaderboard_worker (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_entrant (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            entrant_number INTEGER NOT NULL,
            name TEXT NOT NULL,
            entrant_kind TEXT NOT NULL,
            employer_name TEXT NOT NULL,
            withdrawn TEXT,
            finish_time TEXT,
            total TEXT,
            PRIMARY KEY (competition_id, worker_id)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_mark (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            component {key_text} NOT NULL,
            judge {key_text} NOT NULL,
            mark TEXT NOT NULL,
            PRIMARY KEY (competition_id, worker_id, component, judge)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_score (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            component {key_text} NOT NULL,
            score TEXT,
            judge_count INTEGER NOT NULL,
            spread TEXT NOT NULL,
            flagged INTEGER NOT NULL,
            reviewed INTEGER NOT NULL,
            PRIMARY KEY (competition_id, worker_id, component)
        )""",
        """CREATE TABLE IF NOT EXISTS leaderboard_result (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            group_order INTEGER NOT NULL,
            grp TEXT NOT NULL,
            rank INTEGER NOT NULL,
            entrant_number INTEGER NOT NULL,
            name TEXT NOT NULL,
            entrant_kind TEXT NOT NULL,
            employer_name TEXT NOT NULL,
            group_size INTEGER NOT NULL,
            total TEXT NOT NULL,
            standardised INTEGER NOT NULL,
            award TEXT,
            tied INTEGER NOT NULL,
            components TEXT NOT NULL,
            PRIMARY KEY (competition_id, worker_id)
        )""",
        "CREATE INDEX IF NOT EXISTS leaderboard_result_by_rank"
        " ON leaderboard_result (competition_id, group_order, rank, entrant_number)",
    )

    # -- workers (for names of entrants registered without one) ------------------------------

    @handles("craftledger:Worker.Registered", "craftledger:Worker.NameCorrected")
    def worker_named(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.upsert(
            "leaderboard_worker",
            ("id",),
            {"id": event.aggregate_id, "name": tx.seal(event["name"])},
        )

    # -- competitions --------------------------------------------------------------------------

    @handles(TOPIC + "Announced")
    def announced(self, tx: Transaction, event: RecordedEvent) -> None:
        tie_breaks = event.get("tie_breaks")
        tx.execute(
            "INSERT INTO leaderboard_competition (id, organiser_id, reference, name, tier,"
            " occupation_code, exam_level, year, region, scheme, tie_breaks, separate_groups,"
            " status, entrants, locked, announced_at) VALUES"
            " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'announced', 0, '[]', ?)",
            (
                event.aggregate_id,
                text_id(event["organiser_id"]),
                event["reference"],
                event["name"],
                event["tier"],
                event["occupation_code"],
                event["exam_level"],
                int(event["year"]),
                event["region"],
                to_json(event["marking_scheme"]),
                None if tie_breaks is None else to_json(tie_breaks),
                int(bool(event.get("separate_groups", False))),
                iso_datetime(event.timestamp),
            ),
        )

    @handles(TOPIC + "EntrantRegistered")
    def entrant_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        # names are kept sealed when the store seals (``projections.sealing``)
        name = tx.seal(event.get("name")) or tx.value(
            "SELECT name FROM leaderboard_worker WHERE id = ?", (worker_id,), default=""
        )
        number = event.get("entrant_number") or 1 + int(
            tx.value(
                "SELECT COUNT(*) FROM leaderboard_entrant WHERE competition_id = ?",
                (event.aggregate_id,),
                default=0,
            )
        )
        inserted = tx.execute(
            "INSERT INTO leaderboard_entrant (competition_id, worker_id, entrant_number, name,"
            " entrant_kind, employer_name) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (competition_id, worker_id) DO NOTHING",
            (
                event.aggregate_id,
                worker_id,
                int(number),
                name,
                event.get("entrant_kind") or "employee",
                event.get("employer_name") or "",
            ),
        )
        if inserted:
            tx.execute(
                "UPDATE leaderboard_competition SET entrants = entrants + 1 WHERE id = ?",
                (event.aggregate_id,),
            )

    @handles(TOPIC + "EntrantWithdrawn")
    def entrant_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_entrant SET withdrawn = ? WHERE competition_id = ?"
            " AND worker_id = ?",
            (tx.seal(event["reason"]), event.aggregate_id, text_id(event["worker_id"])),
        )
        tx.execute(
            "UPDATE leaderboard_competition SET entrants = entrants - 1 WHERE id = ?",
            (event.aggregate_id,),
        )

    @handles(TOPIC + "MarksRecorded")
    def marks_recorded(self, tx: Transaction, event: RecordedEvent) -> None:
        competition = event.aggregate_id
        for mark in event["marks"]:
            self._store_mark(tx, competition, mark["worker_id"], mark["component"], mark)
        touched = dict.fromkeys((m["worker_id"], m["component"]) for m in event["marks"])
        scheme = self._scheme_of(tx, competition)
        for worker_id, component in touched:
            self._rescore(tx, competition, worker_id, component, scheme)
        tx.execute(
            "UPDATE leaderboard_competition SET status = 'marking' WHERE id = ?"
            " AND status = 'announced'",
            (competition,),
        )

    @handles(TOPIC + "MarkCorrected")
    def mark_corrected(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        self._store_mark(tx, event.aggregate_id, worker_id, event["component"], event.data)
        scheme = self._scheme_of(tx, event.aggregate_id)
        self._rescore(tx, event.aggregate_id, worker_id, event["component"], scheme)

    @staticmethod
    def _store_mark(
        tx: Transaction, competition: str, worker_id: str, component: str, mark: Mapping[str, Any]
    ) -> None:
        tx.upsert(
            "leaderboard_mark",
            ("competition_id", "worker_id", "component", "judge"),
            {
                "competition_id": competition,
                "worker_id": worker_id,
                "component": component,
                "judge": mark["judge"],
                "mark": mark["mark"],
            },
        )

    @staticmethod
    def _scheme_of(tx: Transaction, competition: str) -> MarkingScheme | None:
        return _scheme(
            tx.value("SELECT scheme FROM leaderboard_competition WHERE id = ?", (competition,))
        )

    @staticmethod
    def _rescore(
        tx: Transaction,
        competition: str,
        worker_id: str,
        component: str,
        scheme: MarkingScheme | None,
    ) -> None:
        """The entrant's score on ``component`` (and total) from the marks as they stand."""
        if scheme is None or component not in scheme.component_names:
            return
        marks = dict(
            tx.rows(
                "SELECT judge, mark FROM leaderboard_mark WHERE competition_id = ?"
                " AND worker_id = ? AND component = ?",
                (competition, worker_id, component),
            )
        )
        values = [Decimal(mark) for mark in marks.values()]
        needed = 3 if scheme.combination is JudgeCombination.TRIMMED else 1
        scored = scheme.score_component(component, marks) if len(marks) >= needed else None
        tx.upsert(
            "leaderboard_score",
            ("competition_id", "worker_id", "component"),
            {
                "competition_id": competition,
                "worker_id": worker_id,
                "component": component,
                "score": None if scored is None else format(scored.score, "f"),
                "judge_count": len(marks),
                "spread": format(max(values) - min(values), "f"),
                "flagged": int(scored is not None and scored.flagged),
                "reviewed": 0,
            },
        )
        scores = dict(
            tx.rows(
                "SELECT component, score FROM leaderboard_score WHERE competition_id = ?"
                " AND worker_id = ? AND score IS NOT NULL",
                (competition, worker_id),
            )
        )
        total = None
        if set(scheme.component_names) <= set(scores):
            total = format(
                scheme.total_of({name: Decimal(scores[name]) for name in scheme.component_names}),
                "f",
            )
        tx.execute(
            "UPDATE leaderboard_entrant SET total = ? WHERE competition_id = ? AND worker_id = ?",
            (total, competition, worker_id),
        )

    @handles(TOPIC + "SpreadReviewed")
    def spread_reviewed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_score SET reviewed = 1 WHERE competition_id = ?"
            " AND worker_id = ? AND component = ?",
            (event.aggregate_id, text_id(event["worker_id"]), event["component"]),
        )

    @handles(TOPIC + "FinishTimeRecorded")
    def finish_time_recorded(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE leaderboard_entrant SET finish_time = ? WHERE competition_id = ?"
            " AND worker_id = ?",
            (
                iso_datetime(event["finished_at"]),
                event.aggregate_id,
                text_id(event["worker_id"]),
            ),
        )

    @handles(TOPIC + "ComponentLocked")
    def component_locked(self, tx: Transaction, event: RecordedEvent) -> None:
        locked = json.loads(
            tx.value(
                "SELECT locked FROM leaderboard_competition WHERE id = ?",
                (event.aggregate_id,),
                default="[]",
            )
        )
        locked.append(event["component"])
        tx.execute(
            "UPDATE leaderboard_competition SET locked = ? WHERE id = ?",
            (to_json(locked), event.aggregate_id),
        )

    @handles(TOPIC + "Finalised")
    def finalised(self, tx: Transaction, event: RecordedEvent) -> None:
        competition = event.aggregate_id
        tx.execute(
            "UPDATE leaderboard_competition SET status = 'finalised', finalised_at = ?"
            " WHERE id = ?",
            (iso_datetime(event["at"]), competition),
        )
        tx.execute("DELETE FROM leaderboard_result WHERE competition_id = ?", (competition,))
        tx.executemany(
            "INSERT INTO leaderboard_result (competition_id, worker_id, group_order, grp, rank,"
            " entrant_number, name, entrant_kind, employer_name, group_size, total,"
            " standardised, award, tied, components)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    competition,
                    result["worker_id"],
                    GROUP_ORDER.get(result["group"], 9),
                    result["group"],
                    int(result["rank"]),
                    int(result["entrant_number"]),
                    tx.seal(result.get("name") or ""),
                    result["entrant_kind"],
                    result["employer_name"],
                    int(result["group_size"]),
                    result["total"],
                    int(result["standardised"]),
                    result["award"],
                    int(bool(result["tied"])),
                    to_json({c["component"]: c["score"] for c in result["components"]}),
                )
                for result in event["results"]
            ],
        )


# -- queries ---------------------------------------------------------------------------------------


def _uuid_text(value: UUID | str | None, what: str) -> str | None:
    if value is None:
        return None
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        raise InvalidQuery(f"{what} must be a UUID") from None


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


class LeaderboardQuery:
    """Reads of the ``Leaderboard`` projection (see the module docstring)."""

    def __init__(self, store: ProjectionStore) -> None:
        self.store = store

    def competition(self, competition_id: UUID | str) -> dict[str, Any] | None:
        key = _uuid_text(competition_id, "competition id")
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
        organiser = _uuid_text(organiser_id, "organiser_id")
        if status is not None and status not in STATUSES:
            raise InvalidQuery(f"status must be one of {', '.join(STATUSES)}")
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
        sql = f"SELECT {_COMPETITION_COLUMNS} FROM leaderboard_competition"
        if where:
            sql += " WHERE " + " AND ".join(where)
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
    ) -> Page | None:
        """The competition's board (final if finalised, else live); None if unknown."""
        check_limit(limit)
        if group is not None and group not in GROUP_ORDER:
            raise InvalidQuery(f"group must be one of {', '.join(GROUP_ORDER)}")
        competition = self.competition(competition_id)
        if competition is None:
            return None
        if competition["status"] == "finalised":
            page = self._final(competition, after, limit, group)
        else:
            page = self._live(competition, after, limit, group)
        page.extra.update(
            {
                "competition_id": competition["id"],
                "final": competition["status"] == "finalised",
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
        self, competition: dict[str, Any], after: str | None, limit: int, group: str | None
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
        scheme = _scheme(meta[0])
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
            ranked = _rank_live(members, scores, order)
            for position, (entrant, entry) in enumerate(ranked):
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
