"""Career coordinate (职业坐标体系): where each worker stands on the five career stages.

Stages, lowest first, and the evidence that places a worker in each:

====  ===============  ============================================================
rank  stage            evidence (each recorded with what it was and when)
====  ===============  ============================================================
1     探索期 explore    a training career entry (职业培训, ``CareerEntryRecorded`` kind
                       ``training``)
2     成长期 grow       entering a competition (``Competition.EntrantRegistered``; not
                       if the entrant withdrew), or a
                       valid certificate issued through a competition (以赛代评, basis
                       kind ``competition``)
3     成熟期 mature     platform roles: an innovation-studio (创新工作室) or mentorship
                       (师带徒) career entry
4     发展期 develop    grade promotion (等级晋升): a valid certificate at 三级/高级工 or
                       above, or one issued while the worker validly held a lower level in
                       the same occupation
5     引领期 lead       a representative role (人大代表, 政协委员, 工会代表: career entry kind
                       ``representative``)
====  ===============  ============================================================

A worker's stage is the highest stage with evidence; for every stage reached, the earliest
evidence says what moved the worker there and when (``entered_on``). Certificate evidence
counts only while the certificate is valid: suspension or revocation removes it (and may move
the worker back), reinstatement restores it. A worker without evidence has no stage yet.

Projection ``CareerStage`` (name ``"career_stage"``); query ``CareerStageQuery(store)``::

    query.career(worker_id) -> dict | None
        {"worker_id", "name", "stage": "development" | None, "stage_name": "发展期" | None,
         "stage_rank": 4 | None, "since": "2024-05-01" | None,
         "stages": [{"stage", "stage_name", "stage_rank", "entered_on", "what", "evidence"}],
         "evidence": [{"stage", "stage_name", "on", "kind", "what", "key", "valid"}]}
    query.list_workers(stage=None, after=None, limit=50) -> Page
        [{"worker_id", "name", "stage", "stage_name", "stage_rank", "since", "what"}]
        ordered by (stage rank descending, name, worker_id)
    query.stage_counts() -> {"exploration": n, ...}

Tables::

    career_worker(id PK, name)
    career_certificate(id PK, worker_id, occupation_code, level, status)  index (worker_id)
    career_competition(id PK, name, year)
    career_evidence(worker_id, key PK, stage, on_date, kind, what, valid)
    career_current(worker_id PK, stage, since, what)            index (stage, worker_id)
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from domain.certificate import STATUS_AFTER_TOPIC
from projections.pagination import Page, check_limit, decode_cursor, page_of
from projections.projection import Projection, RecordedEvent, handles, iso_date, text_id
from projections.query import ProjectionQuery, one_of, uuid_text, where_clause
from projections.skill_levels import HIGH_SKILL_LEVELS, level_name
from projections.store import Transaction
from projections.worker_ladder import ENTRANT_REGISTERED

STAGES: dict[int, tuple[str, str]] = {
    1: ("exploration", "探索期"),
    2: ("growth", "成长期"),
    3: ("maturity", "成熟期"),
    4: ("development", "发展期"),
    5: ("leading", "引领期"),
}
STAGE_RANK = {key: rank for rank, (key, _) in STAGES.items()}
CAREER_KIND_STAGE = {"training": 1, "studio": 3, "mentorship": 3, "representative": 5}
CAREER_KIND_LABEL = {
    "training": "职业培训",
    "studio": "创新工作室",
    "mentorship": "师带徒",
    "representative": "代表职务",
}


class CareerStage(Projection):
    """Each worker's stage on the career coordinate system, with the evidence for it."""

    name = "career_stage"
    version = 5
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "career_worker": ("id",),
        "career_certificate": ("id",),
        "career_competition": ("id",),
        "career_evidence": ("worker_id", "key"),
        "career_current": ("worker_id",),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS career_worker (
            id {key_text} PRIMARY KEY,
            name {key_text} NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS career_certificate (
            id {key_text} PRIMARY KEY,
            worker_id {key_text} NOT NULL,
            occupation_code TEXT NOT NULL,
            level TEXT NOT NULL,
            status TEXT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS career_certificate_by_worker"
        " ON career_certificate (worker_id, occupation_code)",
        """CREATE TABLE IF NOT EXISTS career_competition (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL,
            year INTEGER NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS career_evidence (
            worker_id {key_text} NOT NULL,
            key {key_text} NOT NULL,
            stage INTEGER NOT NULL,
            on_date {key_text} NOT NULL,
            kind TEXT NOT NULL,
            what TEXT NOT NULL,
            valid INTEGER NOT NULL,
            PRIMARY KEY (worker_id, key)
        )""",
        """CREATE TABLE IF NOT EXISTS career_current (
            worker_id {key_text} PRIMARY KEY,
            stage INTEGER NOT NULL,
            since {key_text} NOT NULL,
            what TEXT NOT NULL,
            evidence_key {key_text} NOT NULL
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS career_current_by_stage ON career_current (stage, worker_id)",
    )

    # -- batch-local state ----------------------------------------------------------------------
    #
    # What a batch writes is written once, at its end (``flush``, executemany): worker names,
    # the certificates and the evidence of the batch (held as rows in memory, where status
    # changes of the same batch change them), and ``career_current`` once per worker however
    # many events of the batch moved it; ``_current`` holds its batch-local value (read at most
    # once per worker and batch). A worker registered in this batch has no stored rows from
    # before it (the domain records nothing about a worker before registering it), so its
    # certificates and evidence are all in memory and its current stage starts empty: no reads.

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self._current: dict[str, tuple[int, str, str, str] | None] = {}
        self._dirty: set[str] = set()
        self._fresh: set[str] = set()
        self._names: dict[str, str] = {}
        # worker -> the batch's certificate rows [id, worker, occupation, level, status]
        self._held: dict[str, list[list[Any]]] = {}
        self._certificates: dict[str, tuple[str, list[Any] | None]] = {}  # id -> worker, row
        self._competitions: dict[str, str | None] = {}
        # worker -> key -> the batch's evidence row [worker, key, stage, on, kind, what, valid]
        self._evidence: dict[str, dict[str, list[Any]]] = {}

    def flush(self, tx: Transaction) -> None:
        if self._names:
            tx.executemany(
                "INSERT INTO career_worker (id, name) VALUES (?, ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                [(worker_id, tx.seal(name)) for worker_id, name in self._names.items()],
            )
        rows = [row for held in self._held.values() for row in held]
        if rows:
            tx.executemany(
                "INSERT INTO career_certificate (id, worker_id, occupation_code, level, status)"
                " VALUES (?, ?, ?, ?, ?)",
                rows,
            )
        evidence = [row for rows_of in self._evidence.values() for row in rows_of.values()]
        if evidence:
            tx.executemany(
                "INSERT INTO career_evidence (worker_id, key, stage, on_date, kind, what, valid)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                evidence,
            )
        upserts = []
        deletes = []
        for worker_id in sorted(self._dirty):
            value = self._current[worker_id]
            if value is None:
                deletes.append((worker_id,))
            else:
                upserts.append((worker_id, *value))
        if upserts:
            tx.executemany(
                "INSERT INTO career_current (worker_id, stage, since, what, evidence_key)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (worker_id) DO UPDATE SET"
                " stage = excluded.stage, since = excluded.since, what = excluded.what,"
                " evidence_key = excluded.evidence_key",
                upserts,
            )
        if deletes:
            tx.executemany("DELETE FROM career_current WHERE worker_id = ?", deletes)
        self.start_batch()

    def _current_of(self, tx: Transaction, worker_id: str) -> tuple[int, str, str, str] | None:
        try:
            return self._current[worker_id]
        except KeyError:
            pass
        found = tx.row(
            "SELECT stage, since, what, evidence_key FROM career_current WHERE worker_id = ?",
            (worker_id,),
        )
        value = None if found is None else (int(found[0]), found[1], found[2], found[3])
        self._current[worker_id] = value
        return value

    def _add_evidence(
        self,
        tx: Transaction,
        worker_id: str,
        key: str,
        stage: int,
        on: str,
        kind: str,
        what: str,
        *,
        unique: bool,
    ) -> None:
        """Record valid evidence (unless the worker already has evidence with this key) and move
        the current stage forward if it is of a higher stage, or the earliest of the current one
        (the same result as ``_refresh``). ``unique``: the key names the event's own aggregate
        or version, so no stored row can have it."""
        batch = self._evidence.setdefault(worker_id, {})
        if key in batch:
            return
        if (
            not unique
            and worker_id not in self._fresh
            and tx.row(
                "SELECT 1 FROM career_evidence WHERE worker_id = ? AND key = ?", (worker_id, key)
            )
            is not None
        ):
            return
        batch[key] = [worker_id, key, stage, on, kind, what, 1]
        current = self._current_of(tx, worker_id)
        if (
            current is None
            or stage > current[0]
            or (stage == current[0] and (on, key) < (current[1], current[3]))
        ):
            self._current[worker_id] = (stage, on, what, key)
            self._dirty.add(worker_id)

    def _set_valid(self, tx: Transaction, worker_id: str, valid: int, *keys: str) -> int:
        """Mark the worker's evidence with these keys valid or not; how many rows there are."""
        changed = 0
        batch = self._evidence.get(worker_id)
        stored = []
        for key in keys:
            row = None if batch is None else batch.get(key)
            if row is None:
                stored.append(key)
            else:
                row[6] = valid
                changed += 1
        if stored and worker_id not in self._fresh:
            changed += tx.execute(
                "UPDATE career_evidence SET valid = ? WHERE worker_id = ?"
                f" AND key IN ({', '.join('?' * len(stored))})",
                (valid, worker_id, *stored),
            )
        return changed

    def _refresh(self, tx: Transaction, worker_id: str) -> None:
        """Recompute the current stage (the highest with valid evidence) and since when."""
        rows: list[tuple[Any, ...]] = []
        if worker_id not in self._fresh:
            rows = tx.rows(
                "SELECT stage, on_date, key, what FROM career_evidence"
                " WHERE worker_id = ? AND valid = 1",
                (worker_id,),
            )
        batch = self._evidence.get(worker_id)
        if batch:
            rows.extend((r[2], r[3], r[1], r[5]) for r in batch.values() if r[6] == 1)
        rows.sort(key=lambda r: (int(r[0]), r[1], r[2]))
        entries = _entries(rows)
        if entries:
            top = max(entries)
            on, key, what = entries[top]
            self._current[worker_id] = (top, on, what, key)
        else:
            self._current[worker_id] = None
        self._dirty.add(worker_id)

    # -- handlers ----------------------------------------------------------------------------

    @handles("craftledger:Worker.Registered", "craftledger:Worker.NameCorrected")
    def worker_named(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = event.aggregate_id
        if event.topic == "craftledger:Worker.Registered" and worker_id not in self._current:
            self._fresh.add(worker_id)
            self._current[worker_id] = None
        self._names[worker_id] = event["name"]

    @handles("craftledger:Worker.CareerEntryRecorded")
    def career_entry(self, tx: Transaction, event: RecordedEvent) -> None:
        kind = event["kind"]
        stage = CAREER_KIND_STAGE.get(kind)
        if stage is None:
            return  # a kind that places no one on the coordinate system
        self._add_evidence(
            tx,
            event.aggregate_id,
            f"career:{event.originator_version:08d}",
            stage,
            iso_date(event["on"]) or "",
            kind,
            f"{CAREER_KIND_LABEL[kind]}: {event['title']}",
            unique=True,
        )

    @handles("craftledger:Competition.Announced")
    def competition_announced(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO career_competition (id, name, year) VALUES (?, ?, ?)",
            (event.aggregate_id, event["name"], int(event["year"])),
        )
        self._competitions[event.aggregate_id] = event["name"]

    @handles(ENTRANT_REGISTERED)
    def entrant_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        competition_id = event.aggregate_id
        try:
            name = self._competitions[competition_id]
        except KeyError:
            name = self._competitions[competition_id] = tx.value(
                "SELECT name FROM career_competition WHERE id = ?", (competition_id,)
            )
        registered_at = event.get("registered_at") or event.timestamp
        self._add_evidence(
            tx,
            worker_id,
            f"competition:{competition_id}",
            2,
            iso_date(registered_at) or "",
            "competition",
            f"技能竞赛: {name or competition_id}",
            unique=False,
        )

    @handles("craftledger:Competition.EntrantWithdrawn")
    def entrant_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        if self._set_valid(tx, worker_id, 0, f"competition:{event.aggregate_id}"):
            self._refresh(tx, worker_id)

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        certificate_id = event.aggregate_id
        if certificate_id in self._certificates:
            raise ValueError(f"certificate {certificate_id} issued twice")
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        occupation = event["occupation_code"]
        level = event["level"]
        # A promotion: the worker validly holds a lower level ("1" is the highest).
        held = self._held.setdefault(worker_id, [])
        promotion = any(h[2] == occupation and h[4] == "valid" and h[3] > level for h in held)
        if not promotion and worker_id not in self._fresh:
            promotion = (
                tx.row(
                    "SELECT 1 FROM career_certificate WHERE worker_id = ? AND occupation_code = ?"
                    " AND status = 'valid' AND level > ? LIMIT 1",
                    (worker_id, occupation, level),
                )
                is not None
            )
        row = [certificate_id, worker_id, occupation, level, "valid"]
        held.append(row)
        self._certificates[certificate_id] = (worker_id, row)
        on = iso_date(event["issued_at"]) or ""
        label = f"{event['occupation_name']} {level_name(level)} ({event['number']})"
        if str((event["basis"] or {}).get("kind")) == "competition":
            self._add_evidence(
                tx, worker_id, f"certificate-competition:{certificate_id}", 2, on,
                "competition-certificate", f"以赛代评: {label}", unique=True,
            )  # fmt: skip
        if promotion or level in HIGH_SKILL_LEVELS:
            self._add_evidence(
                tx, worker_id, f"certificate:{certificate_id}", 4, on, "certificate",
                f"等级晋升: {label}", unique=True,
            )  # fmt: skip

    @handles(*STATUS_AFTER_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = STATUS_AFTER_TOPIC[event.topic]
        certificate_id = event.aggregate_id
        known = self._certificates.get(certificate_id)
        if known is None:
            worker_id = tx.value(
                "SELECT worker_id FROM career_certificate WHERE id = ?", (certificate_id,)
            )
            if worker_id is None:
                raise LookupError(f"status change for unknown certificate {certificate_id}")
            self._certificates[certificate_id] = (worker_id, None)
            known = (worker_id, None)
        worker_id, row = known
        if row is not None:
            row[4] = status
        else:
            tx.execute(
                "UPDATE career_certificate SET status = ? WHERE id = ?", (status, certificate_id)
            )
        changed = self._set_valid(
            tx,
            worker_id,
            int(status == "valid"),
            f"certificate:{certificate_id}",
            f"certificate-competition:{certificate_id}",
        )
        if changed:
            self._refresh(tx, worker_id)


def _entries(rows: list[tuple[Any, ...]]) -> dict[int, tuple[str, str, str]]:
    """Per stage, the earliest valid evidence ``(on, key, what)``, from rows of
    ``(stage, on_date, key, what)`` in that order."""
    entries: dict[int, tuple[str, str, str]] = {}
    for stage, on, key, what in rows:
        entries.setdefault(int(stage), (on, key, what))
    return entries


# -- queries ---------------------------------------------------------------------------------------


def _stage_fields(rank: int | None) -> dict[str, Any]:
    if rank is None:
        return {"stage": None, "stage_name": None, "stage_rank": None}
    key, name = STAGES[int(rank)]
    return {"stage": key, "stage_name": name, "stage_rank": int(rank)}


class CareerStageQuery(ProjectionQuery):
    """Reads of the ``CareerStage`` projection (see the module docstring)."""

    def career(self, worker_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(worker_id, "worker id")
        with self.store.read() as tx:
            name = tx.value("SELECT name FROM career_worker WHERE id = ?", (key,))
            if name is None:
                return None
            current = tx.row("SELECT stage, since FROM career_current WHERE worker_id = ?", (key,))
            stages = _entries(
                tx.rows(
                    "SELECT stage, on_date, key, what FROM career_evidence"
                    " WHERE worker_id = ? AND valid = 1 ORDER BY stage, on_date, key",
                    (key,),
                )
            )
            evidence = tx.rows(
                "SELECT stage, on_date, kind, what, key, valid FROM career_evidence"
                " WHERE worker_id = ? ORDER BY on_date, key",
                (key,),
            )
        return {
            "worker_id": key,
            "name": self.store.sealer.open(name),
            **_stage_fields(current[0] if current else None),
            "since": current[1] if current else None,
            "stages": [
                {**_stage_fields(s), "entered_on": on, "what": what, "evidence": ev}
                for s, (on, ev, what) in sorted(stages.items())
            ],
            "evidence": [
                {
                    **_stage_fields(s),
                    "on": on,
                    "kind": kind,
                    "what": what,
                    "key": k,
                    "valid": bool(valid),
                }
                for s, on, kind, what, k, valid in evidence
            ],
        }

    def list_workers(
        self, stage: str | None = None, after: str | None = None, limit: int = 50
    ) -> Page:
        check_limit(limit)
        where: list[str] = []
        params: list[Any] = []
        if stage is not None:
            one_of(stage, STAGE_RANK, "stage")
            where.append("c.stage = ?")
            params.append(STAGE_RANK[stage])
        key = decode_cursor("career-stages", after, 3)
        if key is not None:
            where.append("(c.stage < ? OR (c.stage = ? AND (w.name, c.worker_id) > (?, ?)))")
            params.extend([key[0], key[0], key[1], key[2]])
        sql = (
            "SELECT c.worker_id, w.name, c.stage, c.since, c.what FROM career_current c"
            " JOIN career_worker w ON w.id = c.worker_id"
        )
        sql += where_clause(where)
        sql += " ORDER BY c.stage DESC, w.name, c.worker_id LIMIT ?"
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        page = page_of(
            rows, limit, "career-stages", lambda r: (r["stage"], r["name"], r["worker_id"])
        )
        for row in page.items:
            row.update(_stage_fields(row.pop("stage")))
            row["name"] = self.store.sealer.open(row["name"])  # sealed: after the cursor
        return page

    def stage_counts(self) -> dict[str, int]:
        with self.store.read() as tx:
            rows = tx.rows("SELECT stage, COUNT(*) FROM career_current GROUP BY stage")
        found = {int(stage): int(count) for stage, count in rows}
        return {key: found.get(rank, 0) for rank, (key, _) in STAGES.items()}
