"""Honour ladders (荣誉阶梯) and the talent database (人才库, e.g. 匠心朝阳人才库).

Projection ``Honours`` (name ``"honours"``); query ``HonoursQuery(store)``::

    query.list_ladders(union_id=None) -> list[dict]
        [{"id", "union_id", "union_name", "name", "tiers": [lowest..highest],
          "holders": {tier: number of workers holding a standing title of that tier},
          "requires_tier_below": bool, "min_years_between": int, "defined_at"}]
    query.get_ladder(ladder_id) -> dict | None                          # as above
    query.page_ladders(union_id=None, after=None, limit=50) -> Page     # as above, in pages
    query.list_awards(ladder_id, after=None, limit=50, tier=None, year=None,
                      standing=None) -> Page
        [{"ladder_id", "award_id", "worker_id", "worker_name", "masked_id_number", "tier",
          "tier_rank", "year", "standing", "withdrawn_reason", "awarded_at"}]
                                                               ordered by (year, award_id)
    query.search_talents(after=None, limit=50, union_id=None, ladder_id=None, tier=None,
                         name=None, employer_id=None, min_tier=None) -> Page
        [{"ladder_id", "ladder_name", "union_id", "union_name", "worker_id", "name",
          "masked_id_number", "employer_id", "employer_name", "tier", "tier_rank",
          "first_year", "latest_year", "titles"}]

The talent database is one entry per (ladder, worker) holding at least one standing title on
that ladder: their highest standing tier, the year they first and last received a standing
title, and how many standing titles they hold. It is ordered highest tier first, then by name.
``name`` matches a substring of the worker's name; ``min_tier`` keeps entries at or above a
tier (by name, on ``ladder_id``'s ladder, or by rank when given an ``int``). Withdrawing a title
(``TitleWithdrawn``) removes it from the talent entry at once.

Names, masked ID numbers and withdrawal reasons are sealed with a cipher key
(``projections.sealing``): then the talents of a tier are in the order of their sealed names, and
a ``name`` filter opens the candidate rows and matches in Python.

Tables::

    honours_organisation(id PK, name, kind)
    honours_worker(id PK, name, masked_id_number, employer_id, employed_since)
    honours_employment(worker_id, seq PK, employer_id, relation, since, until)
    honours_ladder(id PK, union_id, name, tiers JSON, defined_at, requires_tier_below,
                   min_years_between)               the tier rule (``TierRuleSet``; 0, 0: none)
    honours_award(ladder_id, award_id PK, worker_id, tier, tier_rank, year, standing,
                  withdrawn_reason, awarded_at)                 index (ladder_id, worker_id)
    honours_talent(ladder_id, worker_id PK, tier, tier_rank, first_year, latest_year, titles)
                                                index (tier_rank, worker_id), (worker_id)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from projections.employment import WorkerEmployers, WorkerEmployersProjection, employment_ddl
from projections.pagination import InvalidQuery, Page, check_limit, decode_cursor, page_of
from projections.projection import (
    RecordedEvent,
    handles,
    iso_datetime,
    text_id,
    to_json,
)
from projections.query import ProjectionQuery, uuid_text, where_clause
from projections.store import Transaction


class Honours(WorkerEmployersProjection):
    """Honour ladders, titles awarded and the talent database."""

    name = "honours"
    version = 3
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "honours_organisation": ("id",),
        "honours_worker": ("id",),
        "honours_employment": ("worker_id", "seq"),
        "honours_ladder": ("id",),
        "honours_award": ("ladder_id", "award_id"),
        "honours_talent": ("ladder_id", "worker_id"),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS honours_organisation (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS honours_worker (
            id {key_text} PRIMARY KEY,
            name {key_text} NOT NULL,
            masked_id_number TEXT NOT NULL,
            employer_id TEXT,
            employed_since TEXT
        )""",
        employment_ddl("honours_employment"),
        """CREATE TABLE IF NOT EXISTS honours_ladder (
            id {key_text} PRIMARY KEY,
            union_id {key_text} NOT NULL,
            name TEXT NOT NULL,
            tiers TEXT NOT NULL,
            defined_at TEXT NOT NULL,
            requires_tier_below INTEGER NOT NULL DEFAULT 0,
            min_years_between INTEGER NOT NULL DEFAULT 0
        )""",
        """CREATE TABLE IF NOT EXISTS honours_award (
            ladder_id {key_text} NOT NULL,
            award_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            tier TEXT NOT NULL,
            tier_rank INTEGER NOT NULL,
            year INTEGER NOT NULL,
            standing INTEGER NOT NULL,
            withdrawn_reason TEXT,
            awarded_at TEXT NOT NULL,
            PRIMARY KEY (ladder_id, award_id)
        )""",
        "CREATE INDEX IF NOT EXISTS honours_award_by_worker"
        " ON honours_award (ladder_id, worker_id)",
        """CREATE TABLE IF NOT EXISTS honours_talent (
            ladder_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            tier TEXT NOT NULL,
            tier_rank INTEGER NOT NULL,
            first_year INTEGER NOT NULL,
            latest_year INTEGER NOT NULL,
            titles INTEGER NOT NULL,
            PRIMARY KEY (ladder_id, worker_id)
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS honours_talent_by_rank"
        " ON honours_talent (tier_rank, worker_id)",
        "CREATE INDEX IF NOT EXISTS honours_talent_by_worker ON honours_talent (worker_id)",
    )

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO honours_organisation (id, name, kind) VALUES (?, ?, ?)",
            (event.aggregate_id, event["name"], event["kind"]),
        )

    def __init__(self) -> None:
        self._workers = WorkerEmployers(
            "honours_worker", "honours_employment", ("masked_id_number",), relation=False
        )

    @handles("craftledger:Worker.Registered")
    def worker_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        self._workers.registered(event, tx.seal(event["masked_id_number"]))

    @handles("craftledger:HonourLadder.Defined")
    def ladder_defined(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO honours_ladder (id, union_id, name, tiers, defined_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                event.aggregate_id,
                text_id(event["union_id"]),
                event["name"],
                to_json(list(event["tiers"])),
                iso_datetime(event.timestamp),
            ),
        )

    @handles("craftledger:HonourLadder.TierRuleSet")
    def tier_rule_set(self, tx: Transaction, event: RecordedEvent) -> None:
        required = bool(event["requires_tier_below"])
        tx.execute(
            "UPDATE honours_ladder SET requires_tier_below = ?, min_years_between = ? WHERE id = ?",
            (int(required), int(event["min_years_between"]) if required else 0, event.aggregate_id),
        )

    @handles("craftledger:HonourLadder.TitleAwarded")
    def title_awarded(self, tx: Transaction, event: RecordedEvent) -> None:
        tiers = json.loads(
            tx.value("SELECT tiers FROM honours_ladder WHERE id = ?", (event.aggregate_id,))
        )
        worker_id = text_id(event["worker_id"])
        tx.execute(
            "INSERT INTO honours_award (ladder_id, award_id, worker_id, tier, tier_rank, year,"
            " standing, awarded_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
            (
                event.aggregate_id,
                event["award_id"],
                worker_id,
                event["tier"],
                tiers.index(event["tier"]),
                int(event["year"]),
                iso_datetime(event.timestamp),
            ),
        )
        _refresh_talent(tx, event.aggregate_id, worker_id)

    @handles("craftledger:HonourLadder.TitleWithdrawn")
    def title_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = tx.value(
            "SELECT worker_id FROM honours_award WHERE ladder_id = ? AND award_id = ?",
            (event.aggregate_id, event["award_id"]),
        )
        if worker_id is None:
            raise LookupError(f"withdrawal of unknown award {event['award_id']}")
        tx.execute(
            "UPDATE honours_award SET standing = 0, withdrawn_reason = ?"
            " WHERE ladder_id = ? AND award_id = ?",
            (tx.seal(event["reason"]), event.aggregate_id, event["award_id"]),
        )
        _refresh_talent(tx, event.aggregate_id, worker_id)


def _refresh_talent(tx: Transaction, ladder_id: str, worker_id: str) -> None:
    found = tx.row(
        "SELECT MAX(tier_rank), MIN(year), MAX(year), COUNT(*) FROM honours_award"
        " WHERE ladder_id = ? AND worker_id = ? AND standing = 1",
        (ladder_id, worker_id),
    )
    if found is None or not found[3]:
        tx.execute(
            "DELETE FROM honours_talent WHERE ladder_id = ? AND worker_id = ?",
            (ladder_id, worker_id),
        )
        return
    rank, first_year, latest_year, titles = found
    tiers = json.loads(tx.value("SELECT tiers FROM honours_ladder WHERE id = ?", (ladder_id,)))
    tx.upsert(
        "honours_talent",
        ("ladder_id", "worker_id"),
        {
            "ladder_id": ladder_id,
            "worker_id": worker_id,
            "tier": tiers[int(rank)],
            "tier_rank": int(rank),
            "first_year": int(first_year),
            "latest_year": int(latest_year),
            "titles": int(titles),
        },
    )


# -- queries ---------------------------------------------------------------------------------------


class HonoursQuery(ProjectionQuery):
    """Reads of the ``Honours`` projection (see the module docstring)."""

    def list_ladders(self, union_id: UUID | str | None = None) -> list[dict[str, Any]]:
        return self._ladders(union_id, None, None)

    def page_ladders(
        self, union_id: UUID | str | None = None, after: str | None = None, limit: int = 50
    ) -> Page:
        """``list_ladders`` in pages, in the same order (union, name, id)."""
        check_limit(limit)
        key = decode_cursor("honour-ladders", after, 3)
        rows = self._ladders(union_id, key, limit + 1)
        return page_of(rows, limit, "honour-ladders", lambda r: (r["union_id"], r["name"], r["id"]))

    def _ladders(
        self, union_id: UUID | str | None, after: list[Any] | None, limit: int | None
    ) -> list[dict[str, Any]]:
        union = uuid_text(union_id, "union_id")
        sql = (
            "SELECT l.id, l.union_id, o.name AS union_name, l.name, l.tiers, l.defined_at,"
            " l.requires_tier_below, l.min_years_between"
            " FROM honours_ladder l LEFT JOIN honours_organisation o ON o.id = l.union_id"
        )
        where: list[str] = []
        params: list[Any] = []
        if union is not None:
            where.append("l.union_id = ?")
            params.append(union)
        if after is not None:
            where.append("(l.union_id, l.name, l.id) > (?, ?, ?)")
            params.extend(after)
        sql += where_clause(where) + " ORDER BY l.union_id, l.name, l.id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.store.read() as tx:
            ladders = tx.dicts(sql, params)
            counts = tx.rows(
                "SELECT ladder_id, tier, COUNT(DISTINCT worker_id) FROM honours_award"
                " WHERE standing = 1 GROUP BY ladder_id, tier"
            )
        holders: dict[str, dict[str, int]] = {}
        for ladder_id, tier, count in counts:
            holders.setdefault(ladder_id, {})[tier] = int(count)
        for ladder in ladders:
            ladder["tiers"] = json.loads(ladder["tiers"])
            ladder["requires_tier_below"] = bool(ladder["requires_tier_below"])
            ladder["min_years_between"] = int(ladder["min_years_between"])
            found = holders.get(ladder["id"], {})
            ladder["holders"] = {tier: found.get(tier, 0) for tier in ladder["tiers"]}
        return ladders

    def get_ladder(self, ladder_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(ladder_id, "ladder id")
        return next((la for la in self.list_ladders() if la["id"] == key), None)

    def list_awards(
        self,
        ladder_id: UUID | str,
        after: str | None = None,
        limit: int = 50,
        tier: str | None = None,
        year: int | None = None,
        standing: bool | None = None,
    ) -> Page:
        check_limit(limit)
        where = ["a.ladder_id = ?"]
        params: list[Any] = [uuid_text(ladder_id, "ladder id")]
        if tier is not None:
            where.append("a.tier = ?")
            params.append(tier)
        if year is not None:
            where.append("a.year = ?")
            params.append(int(year))
        if standing is not None:
            where.append("a.standing = ?")
            params.append(int(bool(standing)))
        key = decode_cursor("honour-awards", after, 2)
        if key is not None:
            where.append("(a.year, a.award_id) > (?, ?)")
            params.extend(key)
        sql = (
            "SELECT a.ladder_id, a.award_id, a.worker_id, w.name AS worker_name,"
            " w.masked_id_number, a.tier,"
            " a.tier_rank, a.year, a.standing, a.withdrawn_reason, a.awarded_at"
            " FROM honours_award a LEFT JOIN honours_worker w ON w.id = a.worker_id"
            f" WHERE {' AND '.join(where)} ORDER BY a.year, a.award_id LIMIT ?"
        )
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        for row in rows:
            row["standing"] = bool(row["standing"])
            self.store.sealer.open_fields(
                row, "worker_name", "masked_id_number", "withdrawn_reason"
            )
        return page_of(rows, limit, "honour-awards", lambda r: (r["year"], r["award_id"]))

    def search_talents(
        self,
        after: str | None = None,
        limit: int = 50,
        union_id: UUID | str | None = None,
        ladder_id: UUID | str | None = None,
        tier: str | None = None,
        name: str | None = None,
        employer_id: UUID | str | None = None,
        min_tier: str | int | None = None,
    ) -> Page:
        """The talent database, highest tier first (see the module docstring)."""
        check_limit(limit)
        where: list[str] = []
        params: list[Any] = []
        ladder = uuid_text(ladder_id, "ladder_id")
        for column, value in (
            ("l.union_id", uuid_text(union_id, "union_id")),
            ("t.ladder_id", ladder),
            ("w.employer_id", uuid_text(employer_id, "employer_id")),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if tier is not None:
            where.append("t.tier = ?")
            params.append(tier)
        sealed_search = bool(name) and self.store.sealed
        if name and not sealed_search:
            where.append(self.store.contains("w.name"))
            params.append(name)
        if min_tier is not None:
            where.append("t.tier_rank >= ?")
            params.append(self._tier_rank(min_tier, ladder))
        key = decode_cursor("talents", after, 4)
        if key is not None:
            where.append(
                "(t.tier_rank < ? OR (t.tier_rank = ?"
                " AND (w.name, t.worker_id, t.ladder_id) > (?, ?, ?)))"
            )
            params.extend([key[0], key[0], key[1], key[2], key[3]])
        sql = (
            "SELECT t.ladder_id, l.name AS ladder_name, l.union_id, u.name AS union_name,"
            " t.worker_id, w.name, w.masked_id_number, w.employer_id, e.name AS employer_name,"
            " t.tier, t.tier_rank, t.first_year, t.latest_year, t.titles"
            " FROM honours_talent t"
            " JOIN honours_ladder l ON l.id = t.ladder_id"
            " JOIN honours_worker w ON w.id = t.worker_id"
            " LEFT JOIN honours_organisation u ON u.id = l.union_id"
            " LEFT JOIN honours_organisation e ON e.id = w.employer_id"
        )
        sql += where_clause(where)
        sql += " ORDER BY t.tier_rank DESC, w.name, t.worker_id, t.ladder_id"
        sealer = self.store.sealer
        with self.store.read() as tx:
            if sealed_search:  # the names are sealed: open them all and match here
                rows = [r for r in tx.dicts(sql, params) if name in sealer.open(r["name"])]
                rows = rows[: limit + 1]
            else:
                rows = tx.dicts(sql + " LIMIT ?", (*params, limit + 1))
        page = page_of(
            rows,
            limit,
            "talents",
            lambda r: (r["tier_rank"], r["name"], r["worker_id"], r["ladder_id"]),
        )
        for row in page.items:  # opened after the cursor is taken: it names the stored value
            sealer.open_fields(row, "name", "masked_id_number")
        return page

    def _tier_rank(self, tier: str | int, ladder_id: str | None) -> int:
        if isinstance(tier, int) and not isinstance(tier, bool):
            return tier
        if ladder_id is None:
            raise InvalidQuery("min_tier by name needs ladder_id")
        ladder = self.get_ladder(ladder_id)
        if ladder is None or tier not in ladder["tiers"]:
            raise InvalidQuery(f"min_tier must be a tier of the ladder: {tier!r}")
        return int(ladder["tiers"].index(tier))
