"""The public 公示 of self-evaluation sessions and the objections (异议) lodged against it.

Projection ``Publicity`` (name ``"publicity"``); query ``PublicityQuery(store)``::

    query.notices(today="2024-09-30", recent=20)   # published sessions: open windows first
    query.notice(session_id)       # one published session (None if unknown or unpublished)
    query.candidates(session_id)   # its candidates in enrolment order, with their results
    query.objections(session_id=None, body_id=None, state="open", after=None, limit=50)  # Page

What a 公示 shows is decided here as far as data goes: a candidate row keeps the name (sealed,
for the page to mask), the employer's name, and the *result* (passed, failed, withdrawn) --
never a score and never an ID number. Scores are kept only until publication, to work the
result out (``domain.evaluation.scores.result_of``, the session's own rule), and then deleted.

The employer is the evaluating body for an employer (``Y``) body, whose candidates are its own
staff, and otherwise the candidate's current employer when enrolled (the projection's own copy
of the employment spells, ``projections.employment``).

Tables::

    publicity_organisation(id PK, name, kind)
    publicity_employment(worker_id, seq PK, employer_id, relation, since, until)
    publicity_session(id PK, planned_position, body_id, reference, occupation_code, level,
                      components, status, published_on, working_days, window_ends_on, calendar)
    publicity_candidate(session_id, worker_id PK, seq, name (sealed), employer_name, result)
    publicity_score(session_id, worker_id, component PK, score)   -- until publication
    publicity_objection(session_id, objection_id PK, position, body_id, worker_id, lodged_by,
                        contact, grounds (sealed), lodged_on, outcome, reason (sealed),
                        resolved_on)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from domain.evaluation import CandidateResult, EvaluationStatus
from domain.evaluation.scores import result_of
from domain.organisation import OrganisationKind
from projections.employment import current_employment, employment_ddl, record_end, record_start
from projections.pagination import InvalidCursor, Page, check_limit, decode_cursor, page_of
from projections.projection import Projection, RecordedEvent, handles, text_id, to_json
from projections.query import ProjectionQuery, where_clause
from projections.store import Transaction

__all__ = ["OBJECTION_STATES", "Publicity", "PublicityQuery"]

_TOPIC = "craftledger:Evaluation."
_EMPLOYMENT = "publicity_employment"
OBJECTION_STATES = ("open", "resolved", "all")


class Publicity(Projection):
    """Published sessions, their candidates' results and the objections to them."""

    name = "publicity"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "publicity_organisation": ("id",),
        _EMPLOYMENT: ("worker_id", "seq"),
        "publicity_session": ("id",),
        "publicity_candidate": ("session_id", "worker_id"),
        "publicity_score": ("session_id", "worker_id", "component"),
        "publicity_objection": ("session_id", "objection_id"),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS publicity_organisation (
            id {key_text} PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL
        )""",
        employment_ddl(_EMPLOYMENT),
        """CREATE TABLE IF NOT EXISTS publicity_session (
            id {key_text} PRIMARY KEY,
            planned_position BIGINT NOT NULL,
            body_id {key_text} NOT NULL,
            reference TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            level TEXT NOT NULL,
            components TEXT NOT NULL,
            status TEXT NOT NULL,
            published_on TEXT,
            working_days INTEGER,
            window_ends_on TEXT,
            calendar TEXT
        )""",
        """CREATE TABLE IF NOT EXISTS publicity_candidate (
            session_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            seq INTEGER NOT NULL,
            name TEXT NOT NULL,
            employer_name TEXT NOT NULL,
            result TEXT,
            PRIMARY KEY (session_id, worker_id)
        )""",
        """CREATE TABLE IF NOT EXISTS publicity_score (
            session_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            component TEXT NOT NULL,
            score TEXT NOT NULL,
            PRIMARY KEY (session_id, worker_id, component)
        )""",
        """CREATE TABLE IF NOT EXISTS publicity_objection (
            session_id {key_text} NOT NULL,
            objection_id TEXT NOT NULL,
            position BIGINT NOT NULL,
            body_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            lodged_by TEXT NOT NULL,
            contact TEXT,
            grounds TEXT NOT NULL,
            lodged_on TEXT NOT NULL,
            outcome TEXT,
            reason TEXT,
            resolved_on TEXT,
            PRIMARY KEY (session_id, objection_id)
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS publicity_session_by_window"
        " ON publicity_session (window_ends_on)",
        "CREATE INDEX IF NOT EXISTS publicity_objection_by_position"
        " ON publicity_objection (position)",
    )

    # -- organisations and employment (for the employer's name) --------------------------------

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.upsert(
            "publicity_organisation",
            ("id",),
            {"id": event.aggregate_id, "name": event["name"], "kind": str(event["kind"])},
        )

    @handles("craftledger:Worker.EmploymentStarted")
    def employment_started(self, tx: Transaction, event: RecordedEvent) -> None:
        record_start(tx, _EMPLOYMENT, event)

    @handles("craftledger:Worker.EmploymentEnded")
    def employment_ended(self, tx: Transaction, event: RecordedEvent) -> None:
        record_end(tx, _EMPLOYMENT, event)

    # -- the session -----------------------------------------------------------------------------

    @handles(_TOPIC + "Planned")
    def planned(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.upsert(
            "publicity_session",
            ("id",),
            {
                "id": event.aggregate_id,
                "planned_position": event.position,
                "body_id": text_id(event["body_id"]),
                "reference": event["reference"],
                "occupation_code": event["occupation_code"],
                "level": event["level"],
                "components": to_json(list(event["components"])),
                "status": EvaluationStatus.PLANNED.value,
            },
        )

    @handles(_TOPIC + "CandidateEnrolled")
    def enrolled(self, tx: Transaction, event: RecordedEvent) -> None:
        self._enrol(tx, event.aggregate_id, [event])

    @handles(_TOPIC + "CandidatesEnrolled")
    def enrolled_many(self, tx: Transaction, event: RecordedEvent) -> None:
        self._enrol(tx, event.aggregate_id, event["candidates"])

    def _enrol(self, tx: Transaction, session_id: str, candidates: Any) -> None:
        kind, body_name = tx.row(
            "SELECT o.kind, o.name FROM publicity_session s"
            " LEFT JOIN publicity_organisation o ON o.id = s.body_id WHERE s.id = ?",
            (session_id,),
        ) or (None, None)
        seq = tx.value(
            "SELECT COUNT(*) FROM publicity_candidate WHERE session_id = ?", (session_id,), 0
        )
        rows = []
        for offset, candidate in enumerate(candidates):
            worker_id = text_id(candidate["worker_id"])
            if kind == OrganisationKind.EMPLOYER.value:
                employer = body_name or ""
            else:
                employer_id = current_employment(tx, _EMPLOYMENT, str(worker_id))[0]
                employer = self._organisation_name(tx, employer_id)
            name = tx.seal(candidate["name"])
            rows.append((session_id, worker_id, int(seq) + offset, name, employer))
        tx.executemany(
            "INSERT INTO publicity_candidate (session_id, worker_id, seq, name, employer_name)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    @staticmethod
    def _organisation_name(tx: Transaction, organisation_id: str | None) -> str:
        if organisation_id is None:
            return ""
        name = tx.value("SELECT name FROM publicity_organisation WHERE id = ?", (organisation_id,))
        return str(name) if name is not None else ""

    @handles(_TOPIC + "ScoreRecorded", _TOPIC + "ScoreCorrected")
    def scored(self, tx: Transaction, event: RecordedEvent) -> None:
        self._scores(tx, event.aggregate_id, [event])

    @handles(_TOPIC + "ScoresRecorded")
    def scored_many(self, tx: Transaction, event: RecordedEvent) -> None:
        self._scores(tx, event.aggregate_id, event["scores"])

    @staticmethod
    def _scores(tx: Transaction, session_id: str, scores: Any) -> None:
        tx.executemany(
            "INSERT INTO publicity_score (session_id, worker_id, component, score)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (session_id, worker_id, component)"
            " DO UPDATE SET score = excluded.score",
            [(session_id, text_id(s["worker_id"]), s["component"], s["score"]) for s in scores],
        )

    @handles(_TOPIC + "ResultsPublished")
    def published(self, tx: Transaction, event: RecordedEvent) -> None:
        """Each candidate's result, worked out by the session's rule; the scores then go."""
        session_id = event.aggregate_id
        components = json.loads(
            tx.value("SELECT components FROM publicity_session WHERE id = ?", (session_id,))
        )
        scores: dict[str, dict[str, Any]] = {}
        for worker_id, component, score in tx.rows(
            "SELECT worker_id, component, score FROM publicity_score WHERE session_id = ?",
            (session_id,),
        ):
            scores.setdefault(worker_id, {})[component] = {"score": score}
        workers = tx.rows(
            "SELECT worker_id FROM publicity_candidate WHERE session_id = ?", (session_id,)
        )
        results = [
            (
                result_of({"withdrawn": None, "scores": scores.get(w, {})}, components).value,
                session_id,
                w,
            )
            for (w,) in workers
        ]
        tx.executemany(
            "UPDATE publicity_candidate SET result = ? WHERE session_id = ? AND worker_id = ?",
            results,
        )
        tx.execute("DELETE FROM publicity_score WHERE session_id = ?", (session_id,))
        tx.execute(
            "UPDATE publicity_session SET status = ?, published_on = ?, working_days = ?,"
            " window_ends_on = ?, calendar = ? WHERE id = ?",
            (
                EvaluationStatus.PUBLISHED.value,
                event["published_on"],
                event["working_days"],
                event["window_ends_on"],
                event["calendar"],
                session_id,
            ),
        )

    @handles(_TOPIC + "CertificatesIssued", _TOPIC + "Reported")
    def advanced(self, tx: Transaction, event: RecordedEvent) -> None:
        status = EvaluationStatus.ISSUED if event.topic.endswith("Issued") else None
        tx.execute(
            "UPDATE publicity_session SET status = ? WHERE id = ?",
            ((status or EvaluationStatus.REPORTED).value, event.aggregate_id),
        )

    # -- objections ------------------------------------------------------------------------------

    @handles(_TOPIC + "ObjectionLodged", _TOPIC + "ObjectionLodgedOnThePublicPage")
    def objection_lodged(self, tx: Transaction, event: RecordedEvent) -> None:
        session_id = event.aggregate_id
        body_id = tx.value("SELECT body_id FROM publicity_session WHERE id = ?", (session_id,))
        contact = event.get("contact")
        tx.execute(
            "INSERT INTO publicity_objection (session_id, objection_id, position, body_id,"
            " worker_id, lodged_by, contact, grounds, lodged_on)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                event["objection_id"],
                event.position,
                body_id,
                text_id(event["worker_id"]),
                tx.seal(event["lodged_by"]),
                tx.seal(contact) if contact is not None else None,
                tx.seal(event["grounds"]),
                event["on"],
            ),
        )

    @handles(_TOPIC + "ObjectionResolved")
    def objection_resolved(self, tx: Transaction, event: RecordedEvent) -> None:
        session_id, objection_id = event.aggregate_id, event["objection_id"]
        tx.execute(
            "UPDATE publicity_objection SET outcome = ?, reason = ?, resolved_on = ?"
            " WHERE session_id = ? AND objection_id = ?",
            (event["outcome"], tx.seal(event["reason"]), event["on"], session_id, objection_id),
        )
        if event["outcome"] == "upheld":
            tx.execute(
                "UPDATE publicity_candidate SET result = ? WHERE session_id = ? AND worker_id ="
                " (SELECT worker_id FROM publicity_objection"
                "  WHERE session_id = ? AND objection_id = ?)",
                (CandidateResult.WITHDRAWN.value, session_id, session_id, objection_id),
            )


_NOTICE_COLUMNS = (
    "s.id, s.body_id, o.name AS body_name, s.reference, s.occupation_code, s.level, s.status,"
    " s.published_on, s.working_days, s.window_ends_on, s.calendar,"
    " (SELECT COUNT(*) FROM publicity_candidate c WHERE c.session_id = s.id) AS candidates"
)
_NOTICE_FROM = (
    " FROM publicity_session s LEFT JOIN publicity_organisation o ON o.id = s.body_id"
    " WHERE s.published_on IS NOT NULL"
)
_OBJECTION_COLUMNS = (
    "j.session_id, j.objection_id, j.position, j.body_id, j.worker_id, j.lodged_by, j.contact,"
    " j.grounds, j.lodged_on, j.outcome, j.reason, j.resolved_on, s.reference,"
    " s.window_ends_on, c.name AS candidate_name"
)


class PublicityQuery(ProjectionQuery):
    """Reads of the ``Publicity`` projection (see the module docstring)."""

    def notices(self, today: str, recent: int = 20) -> dict[str, list[dict[str, Any]]]:
        """Published sessions: ``current`` (window open on ``today``, closing first) and the
        ``recent`` latest whose window has ended."""
        order = " ORDER BY s.window_ends_on, s.planned_position"
        with self.store.read() as tx:
            current = tx.dicts(
                f"SELECT {_NOTICE_COLUMNS}{_NOTICE_FROM} AND s.window_ends_on >= ?{order}",
                (today,),
            )
            ended = tx.dicts(
                f"SELECT {_NOTICE_COLUMNS}{_NOTICE_FROM} AND s.window_ends_on < ?"
                " ORDER BY s.window_ends_on DESC, s.planned_position DESC LIMIT ?",
                (today, recent),
            )
        return {"current": current, "recent": ended}

    def notice(self, session_id: UUID) -> dict[str, Any] | None:
        with self.store.read() as tx:
            rows = tx.dicts(
                f"SELECT {_NOTICE_COLUMNS}{_NOTICE_FROM} AND s.id = ?", (str(session_id),)
            )
        return rows[0] if rows else None

    def candidates(self, session_id: UUID) -> list[dict[str, Any]]:
        """The session's candidates in enrolment order: ``worker_id``, ``name`` (opened; the
        page masks it), ``employer_name``, ``result``."""
        with self.store.read() as tx:
            rows = tx.dicts(
                "SELECT worker_id, name, employer_name, result FROM publicity_candidate"
                " WHERE session_id = ? ORDER BY seq",
                (str(session_id),),
            )
        opened = self.store.sealer.open
        return [{**row, "name": opened(row["name"])} for row in rows]

    def objections(
        self,
        *,
        session_id: UUID | None = None,
        body_id: UUID | None = None,
        state: str = "all",
        after: str | None = None,
        limit: int = 50,
    ) -> Page:
        """Objections in the order lodged, of one session or body, ``open``, ``resolved`` or
        ``all``; contact, grounds, reason and the candidate's name opened."""
        check_limit(limit)
        if state not in OBJECTION_STATES:
            raise ValueError(f"state must be one of {OBJECTION_STATES}")
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("j.session_id", session_id), ("j.body_id", body_id)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(str(value))
        if state != "all":
            where.append("j.outcome IS NULL" if state == "open" else "j.outcome IS NOT NULL")
        key = decode_cursor("objections", after, 1)
        if key is not None:
            if isinstance(key[0], bool) or not isinstance(key[0], int):
                raise InvalidCursor("cursor is not one this list handed out")
            where.append("j.position > ?")
            params.append(key[0])
        sql = (
            f"SELECT {_OBJECTION_COLUMNS} FROM publicity_objection j"
            " JOIN publicity_session s ON s.id = j.session_id"
            " LEFT JOIN publicity_candidate c"
            " ON c.session_id = j.session_id AND c.worker_id = j.worker_id"
            + where_clause(where)
            + " ORDER BY j.position LIMIT ?"
        )
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        opened = self.store.sealer.open
        items = [
            {
                **row,
                **{k: opened(row[k]) for k in ("lodged_by", "contact", "grounds", "reason")},
                "candidate_name": opened(row["candidate_name"]),
            }
            for row in rows
        ]
        return page_of(items, limit, "objections", lambda item: (item["position"],))
