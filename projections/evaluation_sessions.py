"""Evaluation sessions (自主评价): every session's plan and current status, for the session list.

Projection ``EvaluationSessions`` (name ``"evaluation_sessions"``); query
``EvaluationSessionsQuery(store)``::

    page = query.list_sessions(after=None, limit=50, body_id=None)
    page.items        # [{"id", "position", "body_id", "reference", "occupation_code", "level",
                      #   "starts_on", "ends_on", "status", "version"}]  in planning order
    page.next_cursor  # str | None (cursor kind "evaluations", key: the Planned event's position)

A session's status is the one its events leave it in (``domain.evaluation.EvaluationStatus``):
planned when planned, published by ``ResultsPublished``, issued by ``CertificatesIssued``,
reported by ``Reported``; its other events only advance ``version``. A session is never listed
halfway through its confirming save (Confirmed and CertificatesIssued are saved together).

Tables::

    evaluation_sessions(id PK, planned_position, body_id, reference, occupation_code, level,
                        starts_on, ends_on, status, version)
        index (planned_position), (body_id, planned_position)
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.evaluation import EvaluationStatus
from projections.pagination import InvalidCursor, Page, check_limit, decode_cursor, page_of
from projections.projection import Projection, RecordedEvent, handles
from projections.query import ProjectionQuery, where_clause
from projections.store import Transaction

__all__ = ["EvaluationSessions", "EvaluationSessionsQuery"]

_TOPIC = "craftledger:Evaluation."
_COLUMNS = (
    "id, planned_position AS position, body_id, reference, occupation_code, level, starts_on,"
    " ends_on, status, version"
)


class EvaluationSessions(Projection):
    """Each self-evaluation session's plan and current status."""

    name = "evaluation_sessions"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {"evaluation_sessions": ("id",)}
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS evaluation_sessions (
            id {key_text} PRIMARY KEY,
            planned_position BIGINT NOT NULL,
            body_id {key_text} NOT NULL,
            reference TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            level TEXT NOT NULL,
            starts_on TEXT NOT NULL,
            ends_on TEXT NOT NULL,
            status TEXT NOT NULL,
            version INTEGER NOT NULL
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS evaluation_sessions_by_position"
        " ON evaluation_sessions (planned_position)",
        "CREATE INDEX IF NOT EXISTS evaluation_sessions_by_body"
        " ON evaluation_sessions (body_id, planned_position)",
    )

    @handles(_TOPIC + "Planned")
    def planned(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.upsert(
            "evaluation_sessions",
            ("id",),
            {
                "id": event.aggregate_id,
                "planned_position": event.position,
                "body_id": str(event["body_id"]),
                "reference": event["reference"],
                "occupation_code": event["occupation_code"],
                "level": event["level"],
                "starts_on": event["starts_on"],
                "ends_on": event["ends_on"],
                "status": EvaluationStatus.PLANNED.value,
                "version": event.originator_version,
            },
        )

    @handles(_TOPIC + "ResultsPublished")
    def published(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, EvaluationStatus.PUBLISHED)

    @handles(_TOPIC + "CertificatesIssued")
    def issued(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, EvaluationStatus.ISSUED)

    @handles(_TOPIC + "Reported")
    def reported(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, EvaluationStatus.REPORTED)

    @handles(
        *(
            _TOPIC + name
            for name in (
                "CandidateEnrolled",
                "CandidatesEnrolled",
                "ScoreRecorded",
                "ScoresRecorded",
                "ScoreCorrected",
                "ObjectionLodged",
                "ObjectionLodgedOnThePublicPage",
                "ObjectionResolved",
                "Confirmed",
            )
        )
    )
    def changed(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, None)

    @staticmethod
    def _advance(tx: Transaction, event: RecordedEvent, status: EvaluationStatus | None) -> None:
        if status is None:
            tx.execute(
                "UPDATE evaluation_sessions SET version = ? WHERE id = ?",
                (event.originator_version, event.aggregate_id),
            )
        else:
            tx.execute(
                "UPDATE evaluation_sessions SET status = ?, version = ? WHERE id = ?",
                (status.value, event.originator_version, event.aggregate_id),
            )


class EvaluationSessionsQuery(ProjectionQuery):
    """Reads of the ``EvaluationSessions`` projection (see the module docstring)."""

    def list_sessions(
        self, after: str | None = None, limit: int = 50, body_id: UUID | None = None
    ) -> Page:
        """Sessions in planning order (optionally of one body), after the cursor ``after``."""
        check_limit(limit)
        where: list[str] = []
        params: list[Any] = []
        if body_id is not None:
            where.append("body_id = ?")
            params.append(str(body_id))
        key = decode_cursor("evaluations", after, 1)
        if key is not None:
            if isinstance(key[0], bool) or not isinstance(key[0], int):
                raise InvalidCursor("cursor is not one this list handed out")
            where.append("planned_position > ?")
            params.append(key[0])
        sql = f"SELECT {_COLUMNS} FROM evaluation_sessions" + where_clause(where)
        sql += " ORDER BY planned_position LIMIT ?"
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        items = [{**row, "id": UUID(row["id"]), "body_id": UUID(row["body_id"])} for row in rows]
        return page_of(items, limit, "evaluations", lambda item: (item["position"],))
