"""Reads of the worker ladder (``projections.worker_ladder``): one worker's ladder, and the
holders of a level in an occupation.

Query ``WorkerLadderQuery(store)``::

    WorkerLadderQuery(store).ladder(worker_id) -> dict | None   (None: no such worker)
    {
      "worker_id", "name",
      "levels": [{"occupation_code", "occupation_name", "level", "level_name", "number",
                  "source": "ledger" | "external", "since"}],        # one per occupation
      "promotions": [{"number", "occupation_code", "occupation_name", "level", "level_name",
                      "issuer_id", "issuer_name", "basis_kind", "bypass", "issued_on",
                      "status", "status_reason", "raised_level",
                      "flags": [{"revoked_number", "at", "reason", "kind", "via"}]}],
                                                                    # in issue order
      "history": [{"position", "at", "kind", "number", "occupation_code", "level", "detail"}],
      "honours": [{"ladder_id", "ladder_name", "union_id", "award_id", "tier", "tier_rank",
                   "year", "standing", "withdrawn_reason"}],
      "competitions": [{"competition_id", "name", "tier", "year", "occupation_code",
                        "entrant_kind", "registered_at", "position", "withdrawn_reason",
                        "rank", "award"}],      # rank and award once finalised
      "posts": [{"appointment_id", "organisation_id", "organisation_name", "occupation_code",
                 "occupation_name", "post", "post_name", "appointed_at", "standing",
                 "withdrawn_reason"}],                  # enterprise posts (评聘), appointed
    }
    WorkerLadderQuery(store).holders(occupation_code, level=None, after=None, limit=50) -> Page
    WorkerLadderQuery(store).count_posts_appointed(organisation_id, since, until=None) -> int
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from projections.pagination import Page, check_limit, decode_cursor, page_of
from projections.projection import iso_datetime
from projections.query import ProjectionQuery, uuid_text
from projections.skill_levels import level_name


class WorkerLadderQuery(ProjectionQuery):
    """Reads of the ``WorkerLadder`` projection (see the module docstring)."""

    def count_posts_appointed(
        self, organisation_id: UUID | str, since: datetime, until: datetime | None = None
    ) -> int:
        """How many posts ``organisation_id`` appointed at or after ``since`` and, given
        ``until``, before it (the post credentials a key signed in that part of its window)."""
        sql = (
            "SELECT COUNT(*) AS posts FROM ladder_post"
            " WHERE organisation_id = ? AND appointed_at >= ?"
        )
        params = [uuid_text(organisation_id, "organisation id"), iso_datetime(since)]
        if until is not None:
            sql += " AND appointed_at < ?"
            params.append(iso_datetime(until))
        with self.store.read() as tx:
            rows = tx.dicts(sql, params)
        return int(rows[0]["posts"])

    def ladder(self, worker_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(worker_id, "worker id")
        with self.store.read() as tx:
            name = tx.value("SELECT name FROM ladder_worker WHERE id = ?", (key,))
            if name is None:
                return None
            levels = tx.dicts(
                "SELECT occupation_code, occupation_name, level, number, source, since"
                " FROM ladder_level WHERE worker_id = ? ORDER BY occupation_code",
                (key,),
            )
            promotions = tx.dicts(
                "SELECT id, number, occupation_code, occupation_name, level, issuer_id,"
                " issuer_name, basis_kind, bypass, issued_on, status, status_reason, raised_level"
                " FROM ladder_certificate WHERE worker_id = ? ORDER BY issued_at, number",
                (key,),
            )
            flags = tx.dicts(
                "SELECT certificate_id, revoked_number, at, reason, kind, via FROM ladder_flag"
                " WHERE worker_id = ? ORDER BY at, revoked_number",
                (key,),
            )
            history = tx.dicts(
                "SELECT position, at, kind, number, occupation_code, level, detail"
                " FROM ladder_history WHERE worker_id = ?"
                " UNION ALL SELECT position, issued_at, 'issued', number, occupation_code, level,"
                " basis_kind FROM ladder_certificate WHERE worker_id = ?",
                (key, key),
            )
            issuers = {
                number: issuer
                for number, issuer in tx.rows(
                    "SELECT number, issuer_name FROM ladder_certificate WHERE worker_id = ?",
                    (key,),
                )
            }
            honours = tx.dicts(
                "SELECT h.ladder_id, l.name AS ladder_name, l.union_id, h.award_id, h.tier,"
                " h.tier_rank, h.year, h.standing, h.withdrawn_reason"
                " FROM ladder_honour h JOIN ladder_honour_ladder l ON l.id = h.ladder_id"
                " WHERE h.worker_id = ? ORDER BY h.year, h.ladder_id, h.tier_rank, h.award_id",
                (key,),
            )
            competitions = tx.dicts(
                "SELECT e.competition_id, c.name, c.tier, c.year, c.occupation_code,"
                " e.entrant_kind, e.registered_at, e.position, e.withdrawn_reason, e.rank, e.award"
                " FROM ladder_entry e LEFT JOIN ladder_competition c ON c.id = e.competition_id"
                " WHERE e.worker_id = ? ORDER BY e.position",
                (key,),
            )
            posts = tx.dicts(
                "SELECT id AS appointment_id, organisation_id, organisation_name,"
                " occupation_code, occupation_name, post, appointed_at, standing,"
                " withdrawn_reason FROM ladder_post"
                " WHERE worker_id = ? AND appointed_at IS NOT NULL ORDER BY appointed_at, id",
                (key,),
            )
        open_fields = self.store.sealer.open_fields
        for row in levels:
            row["level_name"] = level_name(row["level"])
        flags_of: dict[str, list[dict[str, Any]]] = {}
        for flag in flags:
            open_fields(flag, "reason")
            flags_of.setdefault(str(flag.pop("certificate_id")), []).append(flag)
        for row in promotions:
            row["level_name"] = level_name(row["level"])
            row["raised_level"] = bool(row["raised_level"])
            open_fields(row, "status_reason")
            row["flags"] = flags_of.get(str(row.pop("id")), [])
        history.sort(key=lambda row: row["position"])
        for row in history:
            if row["kind"] == "issued":
                basis_kind = row["detail"] or None
                row["detail"] = {"basis_kind": basis_kind, "issuer_name": issuers[row["number"]]}
            else:
                row["detail"] = json.loads(self.store.sealer.open(row["detail"]))
        for row in honours:
            row["standing"] = bool(row["standing"])
            open_fields(row, "withdrawn_reason")
        for row in competitions:
            open_fields(row, "withdrawn_reason")
        for row in posts:
            row["post_name"] = level_name(row["post"])
            row["standing"] = bool(row["standing"])
            open_fields(row, "withdrawn_reason")
        return {
            "worker_id": key,
            "name": self.store.sealer.open(name),
            "levels": levels,
            "promotions": promotions,
            "history": history,
            "honours": honours,
            "competitions": competitions,
            "posts": posts,
        }

    def holders(
        self,
        occupation_code: str,
        level: str | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> Page:
        """Workers whose current valid level in ``occupation_code`` is ``level`` (or any),
        highest level first."""
        check_limit(limit)
        where, params = ["l.occupation_code = ?"], [occupation_code]
        if level is not None:
            where.append("l.level = ?")
            params.append(level)
        key = decode_cursor("ladder-holders", after, 2)
        if key is not None:
            where.append("(l.level, l.worker_id) > (?, ?)")
            params.extend(key)
        sql = (
            "SELECT l.worker_id, w.name, l.occupation_code, l.occupation_name, l.level, l.number,"
            " l.source, l.since FROM ladder_level l JOIN ladder_worker w ON w.id = l.worker_id"
            f" WHERE {' AND '.join(where)} ORDER BY l.level, l.worker_id LIMIT ?"
        )
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        for row in rows:
            row["level_name"] = level_name(row["level"])
            row["name"] = self.store.sealer.open(row["name"])
        return page_of(rows, limit, "ladder-holders", lambda r: (r["level"], r["worker_id"]))
