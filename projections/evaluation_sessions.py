"""Evaluation sessions (自主评价): every session's plan and current status, for the session list.

Projection ``EvaluationSessions`` (name ``"evaluation_sessions"``); query
``EvaluationSessionsQuery(store)``::

    page = query.list_sessions(after=None, limit=50, body_id=None)
    page.items        # [{"id", "position", "body_id", "reference", "occupation_code", "level",
                      #   "starts_on", "ends_on", "status", "version", "candidates",
                      #   "marks_recorded", "marks_expected", "report"}]  in planning order
    page.next_cursor  # str | None (cursor kind "evaluations", key: the Planned event's position)

A session's status is the one its events leave it in (``domain.evaluation.EvaluationStatus``):
planned when planned, published by ``ResultsPublished``, issued by ``CertificatesIssued``,
reported by ``Reported``; its other events only advance ``version``.

Scoring progress: ``candidates`` enrolled, ``marks_recorded`` (first marks; corrections change
none) and ``marks_expected`` -- per candidate, one mark for each examiner on a component's panel
under the ``panel-mean`` rule (``domain.evaluation.panel``), else one per component, as the
``Planned`` event says. ``report`` is the report (上报) once ``Reported``: ``reported_to``,
``reported_on``, ``reference`` and the ``certificates`` issued; ``list_reports`` lists those
(the HR bureau's inbox), newest first. A session is never listed
halfway through its confirming save (Confirmed and CertificatesIssued are saved together).

Tables::

    evaluation_sessions(id PK, planned_position, body_id, reference, occupation_code, level,
                        starts_on, ends_on, status, version, marks_per_candidate, candidates,
                        marks_recorded, reported_position, reported_to, reported_on,
                        report_reference, certificates)
        index (planned_position), (body_id, planned_position), (reported_position)
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.evaluation import EvaluationStatus
from domain.evaluation.panel import PANEL_MEAN, SINGLE_MARK
from projections.pagination import InvalidCursor, Page, check_limit, decode_cursor, page_of
from projections.projection import Projection, RecordedEvent, handles
from projections.query import ProjectionQuery, where_clause
from projections.store import Transaction

__all__ = ["EvaluationSessions", "EvaluationSessionsQuery"]

_TOPIC = "craftledger:Evaluation."
_COLUMNS = (
    "id, planned_position AS position, body_id, reference, occupation_code, level, starts_on,"
    " ends_on, status, version, candidates, marks_recorded,"
    " candidates * marks_per_candidate AS marks_expected, reported_to, reported_on,"
    " report_reference, certificates"
)


class EvaluationSessions(Projection):
    """Each self-evaluation session's plan and current status."""

    name = "evaluation_sessions"
    version = 2
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
            version INTEGER NOT NULL,
            marks_per_candidate INTEGER NOT NULL,
            candidates INTEGER NOT NULL,
            marks_recorded INTEGER NOT NULL,
            reported_position BIGINT,
            reported_to TEXT,
            reported_on TEXT,
            report_reference TEXT,
            certificates INTEGER
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS evaluation_sessions_by_position"
        " ON evaluation_sessions (planned_position)",
        "CREATE INDEX IF NOT EXISTS evaluation_sessions_by_body"
        " ON evaluation_sessions (body_id, planned_position)",
        "CREATE INDEX IF NOT EXISTS evaluation_sessions_by_report"
        " ON evaluation_sessions (reported_position)",
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
                "marks_per_candidate": marks_per_candidate(event),
                "candidates": 0,
                "marks_recorded": 0,
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
        tx.execute(
            "UPDATE evaluation_sessions SET reported_position = ?, reported_to = ?,"
            " reported_on = ?, report_reference = ?, certificates = ? WHERE id = ?",
            (
                event.position,
                event["reported_to"],
                event["on"],
                event["reference"],
                event["summary"]["certificates"],
                event.aggregate_id,
            ),
        )

    @handles(_TOPIC + "CandidateEnrolled", _TOPIC + "CandidatesEnrolled")
    def enrolled(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, None)
        added = len(event["candidates"]) if "candidates" in event else 1
        self._count(tx, event, "candidates", added)

    @handles(_TOPIC + "ScoreRecorded", _TOPIC + "ScoresRecorded")
    def marked(self, tx: Transaction, event: RecordedEvent) -> None:
        self._advance(tx, event, None)
        self._count(tx, event, "marks_recorded", len(event["scores"]) if "scores" in event else 1)

    @staticmethod
    def _count(tx: Transaction, event: RecordedEvent, column: str, added: int) -> None:
        tx.execute(
            f"UPDATE evaluation_sessions SET {column} = {column} + ? WHERE id = ?",
            (added, event.aggregate_id),
        )

    @handles(
        *(
            _TOPIC + name
            for name in (
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


def marks_per_candidate(planned: RecordedEvent) -> int:
    """How many marks score one candidate of a session, as its ``Planned`` event says."""
    if planned.get("scoring", SINGLE_MARK) != PANEL_MEAN:
        return len(planned["components"])
    panels = planned["panels"]
    return sum(len(panels.get(component) or ()) or 1 for component in planned["components"])


def _row(row: dict[str, Any]) -> dict[str, Any]:
    """A row as the query answers it: ids as UUIDs, the report (or None) as one member."""
    report = None
    if row["reported_on"] is not None:
        report = {
            "reported_to": row["reported_to"],
            "reported_on": row["reported_on"],
            "reference": row["report_reference"],
            "certificates": row["certificates"],
        }
    for key in ("reported_to", "reported_on", "report_reference", "certificates"):
        del row[key]
    return {**row, "id": UUID(row["id"]), "body_id": UUID(row["body_id"]), "report": report}


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
        items = [_row(row) for row in rows]
        return page_of(items, limit, "evaluations", lambda item: (item["position"],))

    def list_reports(self, after: str | None = None, limit: int = 50) -> Page:
        """Reported sessions (上报), the latest report first, after the cursor ``after``."""
        check_limit(limit)
        where = ["reported_position IS NOT NULL"]
        params: list[Any] = []
        key = decode_cursor("evaluation-reports", after, 1)
        if key is not None:
            if isinstance(key[0], bool) or not isinstance(key[0], int):
                raise InvalidCursor("cursor is not one this list handed out")
            where.append("reported_position < ?")
            params.append(key[0])
        sql = f"SELECT {_COLUMNS}, reported_position FROM evaluation_sessions"
        sql += where_clause(where) + " ORDER BY reported_position DESC LIMIT ?"
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        items = []
        for row in rows:
            position = row.pop("reported_position")
            items.append({**_row(row), "reported_position": position})
        return page_of(
            items, limit, "evaluation-reports", lambda item: (item["reported_position"],)
        )
