"""Directory: organisations, workers and certificates as searchable, paginated lists.

Projection ``Directory`` (name ``"directory"``) keeps the current facts; ``DirectoryQuery``
reads them. Every list is keyset-paginated: pass the ``next_cursor`` of one page as ``after``
to get the next; ``next_cursor`` is None on the last page. Cursors are opaque strings; a cursor
from another list (or a damaged one) raises ``projections.pagination.InvalidCursor``, a bad
filter or limit ``InvalidQuery`` (both ``ValueError``: HTTP 400).

::

    query = DirectoryQuery(store)
    page = query.list_organisations(after=None, limit=50, kind="Y", status="active")
    page.items        # [{"id", "name", "kind", "filing_code", "province_code", "district_code",
                      #   "evaluator_prefix", "status", "scope": {occupation: [levels]},
                      #   "filed_at", "status_changed_at"}, ...]  ordered by (name, id)
    page.next_cursor  # str | None
    query.list_workers(after=None, limit=50, employer_id=None, name=None)
                      # [{"id", "name", "masked_id_number", "id_kind", "employer_id",
                      #   "employer_name", "employer_relation", "employed_since",
                      #   "registered_at"}]  ordered by (name, id); ``name`` matches a substring
    query.list_certificates(after=None, limit=50, worker_id=None, issuer_id=None,
                            status=None, occupation_code=None)
                      # [{"number", "id", "worker_id", "holder_name", "masked_id_number",
                      #   "issuer_id", "issuer_name", "occupation_code", "occupation_name",
                      #   "level", "status", "issued_on", "issued_at", "basis_kind",
                      #   "status_changed_at", "status_reason"}]  ordered by number
    query.count_workers(employer_id)  # how many workers it employs now
    query.count_certificates_issued(issuer_id, since, until=None)  # issued in [since, until)
    query.get_organisation(id) / query.get_worker(id) / query.get_certificate(number)
                      # one item as above, or None

Filters: ``kind`` is an organisation kind (``Y``, ``S``, ``union``, ``authority``); ``district``
is a 6-digit district (区县) code; ``status`` is
``active``/``suspended``/``revoked`` for organisations and ``valid``/``suspended``/``revoked`` for
certificates; ids are UUIDs (objects or strings); ``limit`` is 1..500.

A worker's current employer is the most recently started employment that has not ended (by
``since`` date, then by the order recorded). Masked ID numbers only; the ledger never has more.

Tables (all keys text; times ISO-8601 UTC, dates ISO)::

    directory_organisation(id PK, name, kind, filing_code, province_code, district_code,
                           evaluator_prefix, status, scope JSON, filed_at, status_changed_at)
        index (name, id)
    directory_worker(id PK, name, masked_id_number, id_kind, employer_id, employer_relation,
                     employed_since, registered_at)
        index (name, id), (employer_id, name, id)
    directory_employment(worker_id, seq, employer_id, relation, since, until) PK (worker_id, seq)
    directory_certificate(id PK, number UNIQUE, worker_id, holder_name, masked_id_number,
                          issuer_id, issuer_name, occupation_code, occupation_name, level,
                          status, issued_on, issued_at, basis_kind, status_changed_at,
                          status_reason)
        index (number), (worker_id, number), (issuer_id, number)

Indexes only queries use are ``query_indexes``: a rebuild builds them once at the end.

Personal values -- workers' and holders' names, masked ID numbers, status reasons -- go through
``tx.seal`` (sealed when the store has a cipher key, see ``projections.sealing``) and queries open
them. Sealed, workers are listed in the order of their sealed names (stable, not alphabetical), and
a ``name`` filter opens every candidate row and matches in Python (linear in the workers listed).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from domain.certificate import STATUS_AFTER_TOPIC
from projections.employment import WorkerEmployers, WorkerEmployersProjection, employment_ddl
from projections.pagination import Page, check_limit, decode_cursor, page_of
from projections.projection import (
    RecordedEvent,
    handles,
    iso_date,
    iso_datetime,
    text_id,
    to_json,
)
from projections.query import ProjectionQuery, one_of, uuid_text, where_clause
from projections.store import Transaction

ORGANISATION_KINDS = ("Y", "S", "union", "authority")
ORGANISATION_STATUSES = ("active", "suspended", "revoked")
CERTIFICATE_STATUSES = ("valid", "suspended", "revoked")


class Directory(WorkerEmployersProjection):
    """Current organisations, workers (with current employer) and certificates."""

    name = "directory"
    version = 4
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "directory_organisation": ("id",),
        "directory_worker": ("id",),
        "directory_employment": ("worker_id", "seq"),
        "directory_certificate": ("number",),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS directory_organisation (
            id {key_text} PRIMARY KEY,
            name {key_text} NOT NULL,
            kind TEXT NOT NULL,
            filing_code TEXT NOT NULL,
            province_code TEXT NOT NULL,
            district_code TEXT,
            evaluator_prefix TEXT,
            status TEXT NOT NULL,
            scope TEXT NOT NULL,
            filed_at TEXT NOT NULL,
            status_changed_at TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS directory_worker (
            id {key_text} PRIMARY KEY,
            name {key_text} NOT NULL,
            masked_id_number TEXT NOT NULL,
            id_kind TEXT NOT NULL,
            employer_id {key_text},
            employer_relation TEXT,
            employed_since TEXT,
            registered_at TEXT NOT NULL
        )""",
        employment_ddl("directory_employment"),
        """CREATE TABLE IF NOT EXISTS directory_certificate (
            id {key_text} PRIMARY KEY,
            number {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            holder_name TEXT NOT NULL,
            masked_id_number TEXT NOT NULL,
            issuer_id {key_text} NOT NULL,
            issuer_name TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            occupation_name TEXT NOT NULL,
            level TEXT NOT NULL,
            status TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            basis_kind TEXT NOT NULL,
            status_changed_at TEXT NOT NULL,
            status_reason TEXT NOT NULL
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE UNIQUE INDEX IF NOT EXISTS directory_certificate_by_number"
        " ON directory_certificate (number)",
        "CREATE INDEX IF NOT EXISTS directory_organisation_by_name"
        " ON directory_organisation (name, id)",
        "CREATE INDEX IF NOT EXISTS directory_worker_by_name ON directory_worker (name, id)",
        "CREATE INDEX IF NOT EXISTS directory_worker_by_employer"
        " ON directory_worker (employer_id, name, id)",
        "CREATE INDEX IF NOT EXISTS directory_certificate_by_worker"
        " ON directory_certificate (worker_id, number)",
        "CREATE INDEX IF NOT EXISTS directory_certificate_by_issuer"
        " ON directory_certificate (issuer_id, number)",
    )

    # -- organisations ---------------------------------------------------------------------------

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        filed_at = iso_datetime(event["filed_at"])
        tx.execute(
            "INSERT INTO directory_organisation (id, name, kind, filing_code, province_code,"
            " evaluator_prefix, status, scope, filed_at, status_changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)",
            (
                event.aggregate_id,
                event["name"],
                event["kind"],
                event["filing_code"],
                event["province_code"],
                event.get("evaluator_prefix"),
                to_json(event["scope"]),
                filed_at,
                filed_at,
            ),
        )

    @handles("craftledger:Organisation.DistrictRecorded")
    def district_recorded(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE directory_organisation SET district_code = ? WHERE id = ?",
            (event["district_code"], event.aggregate_id),
        )

    @handles("craftledger:Organisation.ScopeAmended")
    def scope_amended(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE directory_organisation SET scope = ? WHERE id = ?",
            (to_json(event["scope"]), event.aggregate_id),
        )

    @handles(
        "craftledger:Organisation.Suspended",
        "craftledger:Organisation.Reinstated",
        "craftledger:Organisation.Revoked",
    )
    def organisation_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = _ORGANISATION_STATUS_BY_TOPIC[event.topic]
        tx.execute(
            "UPDATE directory_organisation SET status = ?, status_changed_at = ? WHERE id = ?",
            (status, iso_datetime(event["at"]), event.aggregate_id),
        )

    # -- workers ---------------------------------------------------------------------------------

    def __init__(self) -> None:
        self._workers = WorkerEmployers(
            "directory_worker",
            "directory_employment",
            ("masked_id_number", "id_kind", "registered_at"),
            relation=True,
        )
        self._certificates: dict[str, list[Any]] = {}

    def start_batch(self) -> None:
        super().start_batch()
        # Certificates issued in the batch: inserted at its end, with what later events of the
        # batch (status changes) made of them.
        self._certificates = {}

    def flush(self, tx: Transaction) -> None:
        super().flush(tx)
        if self._certificates:
            tx.executemany(
                "INSERT INTO directory_certificate (number, id, worker_id, holder_name,"
                " masked_id_number, issuer_id, issuer_name, occupation_code, occupation_name,"
                " level, status, issued_on, issued_at, basis_kind, status_changed_at,"
                " status_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(self._certificates.values()),
            )
        self._certificates = {}

    @handles("craftledger:Worker.Registered")
    def worker_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        self._workers.registered(
            event,
            tx.seal(event["masked_id_number"]),
            event["id_kind"],
            iso_datetime(event.timestamp),
        )

    # -- certificates ------------------------------------------------------------------------------

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        certificate_id = event.aggregate_id
        if certificate_id in self._certificates:
            raise ValueError(f"certificate {certificate_id} issued twice")
        issued_at = iso_datetime(event["issued_at"])
        self._certificates[certificate_id] = [
            event["number"],
            certificate_id,
            text_id(event["worker_id"]),
            tx.seal(event["holder_name"]),
            tx.seal(event["masked_id_number"]),
            text_id(event["issuer_id"]),
            event["issuer_name"],
            event["occupation_code"],
            event["occupation_name"],
            event["level"],
            "valid",
            iso_date(event["issued_at"]),
            issued_at,
            str((event["basis"] or {}).get("kind") or ""),
            issued_at,
            "issued",
        ]

    @handles(
        "craftledger:Certificate.Suspended",
        "craftledger:Certificate.Reinstated",
        "craftledger:Certificate.Revoked",
    )
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = STATUS_AFTER_TOPIC[event.topic]
        at = iso_datetime(event["at"])
        reason = tx.seal(event["reason"])
        row = self._certificates.get(event.aggregate_id)
        if row is not None:
            row[10] = status
            row[14] = at
            row[15] = reason
            return
        tx.execute(
            "UPDATE directory_certificate SET status = ?, status_changed_at = ?,"
            " status_reason = ? WHERE id = ?",
            (status, at, reason, event.aggregate_id),
        )


_ORGANISATION_STATUS_BY_TOPIC = {
    "craftledger:Organisation.Suspended": "suspended",
    "craftledger:Organisation.Reinstated": "active",
    "craftledger:Organisation.Revoked": "revoked",
}


# -- queries -------------------------------------------------------------------------------------

_ORGANISATION_COLUMNS = (
    "id, name, kind, filing_code, province_code, district_code, evaluator_prefix, status, scope,"
    " filed_at, status_changed_at"
)
_WORKER_COLUMNS = (
    "w.id, w.name, w.masked_id_number, w.id_kind, w.employer_id, o.name AS employer_name,"
    " w.employer_relation, w.employed_since, w.registered_at"
)
_WORKER_FROM = "directory_worker w LEFT JOIN directory_organisation o ON o.id = w.employer_id"
_CERTIFICATE_COLUMNS = (
    "number, id, worker_id, holder_name, masked_id_number, issuer_id, issuer_name,"
    " occupation_code, occupation_name, level, status, issued_on, issued_at, basis_kind,"
    " status_changed_at, status_reason"
)


_WORKER_SEALED = ("name", "masked_id_number")
_CERTIFICATE_SEALED = ("holder_name", "masked_id_number", "status_reason")


def _organisation(row: dict[str, Any]) -> dict[str, Any]:
    row["scope"] = json.loads(row["scope"])
    return row


class DirectoryQuery(ProjectionQuery):
    """Reads of the ``Directory`` projection (see the module docstring)."""

    def get_organisation(self, organisation_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(organisation_id, "organisation id")
        with self.store.read() as tx:
            rows = tx.dicts(
                f"SELECT {_ORGANISATION_COLUMNS} FROM directory_organisation WHERE id = ?", (key,)
            )
        return _organisation(rows[0]) if rows else None

    def get_worker(self, worker_id: UUID | str) -> dict[str, Any] | None:
        key = uuid_text(worker_id, "worker id")
        with self.store.read() as tx:
            rows = tx.dicts(f"SELECT {_WORKER_COLUMNS} FROM {_WORKER_FROM} WHERE w.id = ?", (key,))
        return self.store.sealer.open_fields(rows[0], *_WORKER_SEALED) if rows else None

    def get_certificate(self, number: str) -> dict[str, Any] | None:
        with self.store.read() as tx:
            rows = tx.dicts(
                f"SELECT {_CERTIFICATE_COLUMNS} FROM directory_certificate WHERE number = ?",
                (number,),
            )
        return self.store.sealer.open_fields(rows[0], *_CERTIFICATE_SEALED) if rows else None

    def list_organisations(
        self,
        after: str | None = None,
        limit: int = 50,
        kind: str | None = None,
        status: str | None = None,
        district: str | None = None,
    ) -> Page:
        """``district`` is a 6-digit district (区县) code: only bodies recorded there."""
        check_limit(limit)
        where, params = [], []
        if district is not None:
            where.append("district_code = ?")
            params.append(district)
        if one_of(kind, ORGANISATION_KINDS, "kind") is not None:
            where.append("kind = ?")
            params.append(kind)
        if one_of(status, ORGANISATION_STATUSES, "status") is not None:
            where.append("status = ?")
            params.append(status)
        key = decode_cursor("organisations", after, 2)
        if key is not None:
            where.append("(name, id) > (?, ?)")
            params.extend(key)
        sql = f"SELECT {_ORGANISATION_COLUMNS} FROM directory_organisation" + where_clause(where)
        sql += " ORDER BY name, id LIMIT ?"
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        return page_of(
            [_organisation(r) for r in rows], limit, "organisations", lambda r: (r["name"], r["id"])
        )

    def list_workers(
        self,
        after: str | None = None,
        limit: int = 50,
        employer_id: UUID | str | None = None,
        name: str | None = None,
    ) -> Page:
        check_limit(limit)
        where, params = [], []
        employer = uuid_text(employer_id, "employer_id")
        if employer is not None:
            where.append("w.employer_id = ?")
            params.append(employer)
        sealed_search = bool(name) and self.store.sealed
        if name and not sealed_search:
            where.append(self.store.contains("w.name"))
            params.append(name)
        key = decode_cursor("workers", after, 2)
        if key is not None:
            where.append("(w.name, w.id) > (?, ?)")
            params.extend(key)
        sql = f"SELECT {_WORKER_COLUMNS} FROM {_WORKER_FROM}" + where_clause(where)
        sql += " ORDER BY w.name, w.id"
        open_fields = self.store.sealer.open_fields
        with self.store.read() as tx:
            if sealed_search:  # the names are sealed: open them all and match here
                rows = [
                    row
                    for row in tx.dicts(sql, params)
                    if name in self.store.sealer.open(row["name"])
                ][: limit + 1]
            else:
                rows = tx.dicts(sql + " LIMIT ?", (*params, limit + 1))
        page = page_of(rows, limit, "workers", lambda r: (r["name"], r["id"]))
        for row in page.items:  # opened after the cursor is taken: it names the stored value
            open_fields(row, *_WORKER_SEALED)
        return page

    def count_workers(self, employer_id: UUID | str) -> int:
        """How many workers ``employer_id`` employs now (its staff)."""
        employer = uuid_text(employer_id, "employer_id")
        with self.store.read() as tx:
            rows = tx.dicts(
                f"SELECT COUNT(*) AS staff FROM {_WORKER_FROM} WHERE w.employer_id = ?",
                (employer,),
            )
        return int(rows[0]["staff"])

    def count_certificates_issued(
        self, issuer_id: UUID | str, since: datetime, until: datetime | None = None
    ) -> int:
        """How many certificates ``issuer_id`` issued at or after ``since`` and, given
        ``until``, before it (the credentials a key signed in that part of its window)."""
        where, params = (
            ["issuer_id = ?", "issued_at >= ?"],
            [
                uuid_text(issuer_id, "issuer_id"),
                iso_datetime(since),
            ],
        )
        if until is not None:
            where.append("issued_at < ?")
            params.append(iso_datetime(until))
        sql = "SELECT COUNT(*) AS issued FROM directory_certificate" + where_clause(where)
        with self.store.read() as tx:
            rows = tx.dicts(sql, params)
        return int(rows[0]["issued"])

    def list_certificates(
        self,
        after: str | None = None,
        limit: int = 50,
        worker_id: UUID | str | None = None,
        issuer_id: UUID | str | None = None,
        status: str | None = None,
        occupation_code: str | None = None,
    ) -> Page:
        check_limit(limit)
        where, params = [], []
        for column, value, what in (
            ("worker_id", worker_id, "worker_id"),
            ("issuer_id", issuer_id, "issuer_id"),
        ):
            text = uuid_text(value, what)
            if text is not None:
                where.append(f"{column} = ?")
                params.append(text)
        if one_of(status, CERTIFICATE_STATUSES, "status") is not None:
            where.append("status = ?")
            params.append(status)
        if occupation_code is not None:
            where.append("occupation_code = ?")
            params.append(occupation_code)
        key = decode_cursor("certificates", after, 1)
        if key is not None:
            where.append("number > ?")
            params.extend(key)
        sql = f"SELECT {_CERTIFICATE_COLUMNS} FROM directory_certificate" + where_clause(where)
        sql += " ORDER BY number LIMIT ?"
        with self.store.read() as tx:
            rows = tx.dicts(sql, (*params, limit + 1))
        for row in rows:
            self.store.sealer.open_fields(row, *_CERTIFICATE_SEALED)
        return page_of(rows, limit, "certificates", lambda r: (r["number"],))
