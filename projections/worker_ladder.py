"""Worker ladder: each worker's current valid level per occupation, promotions, honours, contests.

Projection ``WorkerLadder`` (name ``"worker_ladder"``); query ``WorkerLadderQuery(store)``::

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

Rules:

- The current level in an occupation is the highest level among the worker's *valid* ledger
  certificates and *confirmed* external certificates (``Worker.ExternalCertificateChecked``) in
  it. A suspended or revoked certificate drops out at once; reinstating it restores it. With no
  valid certificate the occupation disappears from ``levels`` (its promotions stay).
- ``raised_level`` says whether a certificate raised the worker's valid level in its occupation
  when it was issued.
- Honours come from ``HonourLadder.TitleAwarded``/``TitleWithdrawn``; a withdrawn title stays
  listed with ``standing = False`` and the reason.
- Competitions entered come from ``craftledger:Competition.EntrantRegistered`` events: the
  payload must carry ``worker_id`` (UUID) and may carry ``entrant_kind`` (``"employee"`` /
  ``"student"``) and ``registered_at`` (datetime; default: the event timestamp); a repeated
  registration of the same worker is ignored. The handler was written before the event class
  existed and needs nothing else, and the runner decodes events whose topic has no class yet
  from their stored state, so a newer writer's events never stop it. ``EntrantWithdrawn``
  (``worker_id``, ``reason``) marks the entry withdrawn; ``Finalised`` (``results``: one dict
  per entrant with ``worker_id``, ``rank``, ``award``) fills in the rank and the award.
- Enterprise posts (评聘, 学徒工/特级技师/首席技师) come from ``craftledger:PostAppointment``
  events: ``Nominated`` carries who, where and which post (the row waits, unlisted, for its
  appointment), ``Appointed`` (``at``) lists it, ``Withdrawn`` (``reason``) keeps it listed
  with ``standing = False`` and the reason.
- With a cipher key the worker's name, every reason and the history's details are sealed
  (``projections.sealing``) and opened by the query.

Tables::

    ladder_worker(id PK, name)
    ladder_certificate(id PK, number, worker_id, occupation_code, occupation_name, level,
                       issuer_id, issuer_name, basis_kind, bypass, issued_on, issued_at, status,
                       status_reason, raised_level, position)  index (worker_id, occupation_code)
    ladder_external(worker_id, number PK, occupation_code, level, issuer_name, issued_on,
                    check_status)
    ladder_level(worker_id, occupation_code PK, occupation_name, level, number, source, since)
                                                          index (occupation_code, level, worker_id)
    ladder_history(worker_id, position PK, at, kind, number, occupation_code, level, detail)
                               (status changes and external checks; issues come from
                                ladder_certificate)
    ladder_honour_ladder(id PK, union_id, name, tiers JSON)
    ladder_honour(ladder_id, award_id PK, worker_id, tier, tier_rank, year, standing,
                  withdrawn_reason)                                      index (worker_id)
    ladder_competition(id PK, organiser_id, name, tier, occupation_code, year)
    ladder_entry(worker_id, competition_id PK, entrant_kind, registered_at, position,
                 withdrawn_reason, rank, award)
    ladder_flag(certificate_id, revoked_number PK, worker_id, at, reason, kind, via)
                               (Certificate.DependencyFlagged: flagged for review, still valid)
    ladder_post(id PK, worker_id, organisation_id, organisation_name, occupation_code,
                occupation_name, post, appointed_at, standing, withdrawn_reason)
                                                                         index (worker_id)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from domain.occupation import find_occupation
from domain.skill_level import SkillLevel
from projections.pagination import InvalidQuery, Page, check_limit, decode_cursor, page_of
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_date,
    iso_datetime,
    text_id,
    to_json,
)
from projections.store import ProjectionStore, Transaction

ENTRANT_REGISTERED = "craftledger:Competition.EntrantRegistered"

_STATUS_BY_TOPIC = {
    "craftledger:Certificate.Suspended": "suspended",
    "craftledger:Certificate.Reinstated": "valid",
    "craftledger:Certificate.Revoked": "revoked",
}


# High-skill talent (高技能人才) as the domain defines it (``SkillLevel.is_high_skill``): 三级 and
# above, as level codes for statistics and career stages.
HIGH_SKILL_LEVELS = tuple(level.code for level in SkillLevel if level.is_high_skill)


_LEVEL_NAMES = {level.code: level.name_zh for level in SkillLevel}


def level_name(code: str | None) -> str | None:
    """The level's Chinese name (an unknown code stands for itself); a dict lookup, as
    projections call it for every certificate."""
    return None if code is None else _LEVEL_NAMES.get(code, code)


class WorkerLadder(Projection):
    """Per worker and occupation: the current valid level and how it was reached."""

    name = "worker_ladder"
    version = 5
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "ladder_worker": ("id",),
        "ladder_certificate": ("id",),
        "ladder_external": ("worker_id", "number"),
        "ladder_level": ("worker_id", "occupation_code"),
        "ladder_history": ("worker_id", "position"),
        "ladder_honour_ladder": ("id",),
        "ladder_honour": ("ladder_id", "award_id"),
        "ladder_competition": ("id",),
        "ladder_entry": ("worker_id", "competition_id"),
        "ladder_flag": ("certificate_id", "revoked_number"),
        "ladder_post": ("id",),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS ladder_worker (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_certificate (
            id {key_text} PRIMARY KEY,
            number {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            occupation_code {key_text} NOT NULL,
            occupation_name TEXT NOT NULL,
            level TEXT NOT NULL,
            issuer_id TEXT NOT NULL,
            issuer_name TEXT NOT NULL,
            basis_kind TEXT NOT NULL,
            bypass TEXT,
            issued_on TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            status TEXT NOT NULL,
            status_reason TEXT NOT NULL,
            raised_level INTEGER NOT NULL,
            position BIGINT NOT NULL
        )""",
        "CREATE INDEX IF NOT EXISTS ladder_certificate_by_worker"
        " ON ladder_certificate (worker_id, occupation_code)",
        """CREATE TABLE IF NOT EXISTS ladder_external (
            worker_id {key_text} NOT NULL,
            number {key_text} NOT NULL,
            occupation_code TEXT NOT NULL,
            level TEXT NOT NULL,
            issuer_name TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            check_status TEXT NOT NULL,
            PRIMARY KEY (worker_id, number)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_level (
            worker_id {key_text} NOT NULL,
            occupation_code {key_text} NOT NULL,
            occupation_name TEXT NOT NULL,
            level {key_text} NOT NULL,
            number TEXT NOT NULL,
            source TEXT NOT NULL,
            since TEXT NOT NULL,
            PRIMARY KEY (worker_id, occupation_code)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_history (
            worker_id {key_text} NOT NULL,
            position BIGINT NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            number TEXT,
            occupation_code TEXT,
            level TEXT,
            detail TEXT NOT NULL,
            PRIMARY KEY (worker_id, position)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_honour_ladder (
            id {key_text} PRIMARY KEY,
            union_id TEXT NOT NULL,
            name TEXT NOT NULL,
            tiers TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_honour (
            ladder_id {key_text} NOT NULL,
            award_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            tier TEXT NOT NULL,
            tier_rank INTEGER NOT NULL,
            year INTEGER NOT NULL,
            standing INTEGER NOT NULL,
            withdrawn_reason TEXT,
            PRIMARY KEY (ladder_id, award_id)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_competition (
            id {key_text} PRIMARY KEY,
            organiser_id TEXT NOT NULL,
            name TEXT NOT NULL,
            tier TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            year INTEGER NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_entry (
            worker_id {key_text} NOT NULL,
            competition_id {key_text} NOT NULL,
            entrant_kind TEXT,
            registered_at TEXT NOT NULL,
            position BIGINT NOT NULL,
            withdrawn_reason TEXT,
            rank INTEGER,
            award TEXT,
            PRIMARY KEY (worker_id, competition_id)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_flag (
            certificate_id {key_text} NOT NULL,
            revoked_number {key_text} NOT NULL,
            worker_id TEXT NOT NULL,
            at TEXT NOT NULL,
            reason TEXT NOT NULL,
            kind TEXT NOT NULL,
            via TEXT NOT NULL,
            PRIMARY KEY (certificate_id, revoked_number)
        )""",
        """CREATE TABLE IF NOT EXISTS ladder_post (
            id {key_text} PRIMARY KEY,
            worker_id {key_text} NOT NULL,
            organisation_id TEXT NOT NULL,
            organisation_name TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            occupation_name TEXT NOT NULL,
            post TEXT NOT NULL,
            appointed_at TEXT,
            standing INTEGER NOT NULL,
            withdrawn_reason TEXT
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS ladder_level_by_occupation"
        " ON ladder_level (occupation_code, level, worker_id)",
        "CREATE INDEX IF NOT EXISTS ladder_honour_by_worker ON ladder_honour (worker_id)",
        "CREATE INDEX IF NOT EXISTS ladder_flag_by_worker ON ladder_flag (worker_id)",
        "CREATE INDEX IF NOT EXISTS ladder_post_by_worker ON ladder_post (worker_id)",
    )

    # -- batch-local state ----------------------------------------------------------------------
    #
    # Rows the handlers would write several times, or read back, within a batch are held in
    # memory and written once by ``flush``: worker names (``_names``), the certificates issued
    # in the batch (``_certificates``, id -> ladder_certificate row; a status change of one of
    # them changes the row in memory), each (worker, occupation)'s ladder_level as the batch
    # left it (``_levels``; None: no row), read at most once per key and batch, and the
    # ladder_history rows. A worker registered in this batch has no stored rows from before it
    # (the domain records nothing about a worker before registering it), so its levels start
    # empty: no reads.

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self._names: dict[str, str] = {}
        self._fresh: set[str] = set()
        self._certificates: dict[str, list[Any]] = {}
        self._issued: dict[tuple[str, str], list[list[Any]]] = {}
        self._levels: dict[tuple[str, str], tuple[str, str, str, str, str] | None] = {}
        self._dirty: set[tuple[str, str]] = set()
        self._history_rows: list[tuple[Any, ...]] = []

    def flush(self, tx: Transaction) -> None:
        if self._names:
            tx.executemany(
                "INSERT INTO ladder_worker (id, name) VALUES (?, ?)"
                " ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                [(worker_id, tx.seal(name)) for worker_id, name in self._names.items()],
            )
        if self._certificates:
            tx.executemany(_INSERT_CERTIFICATE, list(self._certificates.values()))
        if self._history_rows:
            tx.executemany(
                "INSERT INTO ladder_history (worker_id, position, at, kind, number,"
                " occupation_code, level, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(*row[:-1], tx.seal(row[-1])) for row in self._history_rows],  # detail: reasons
            )
        upserts = []
        deletes = []
        for key in sorted(self._dirty):
            value = self._levels[key]
            if value is None:
                deletes.append(key)
            else:
                upserts.append((*key, *value))
        if upserts:
            tx.executemany(
                "INSERT INTO ladder_level (worker_id, occupation_code, occupation_name, level,"
                " number, source, since) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (worker_id, occupation_code) DO UPDATE SET"
                " occupation_name = excluded.occupation_name, level = excluded.level,"
                " number = excluded.number, source = excluded.source, since = excluded.since",
                upserts,
            )
        if deletes:
            tx.executemany(
                "DELETE FROM ladder_level WHERE worker_id = ? AND occupation_code = ?", deletes
            )
        self.start_batch()

    def _level_of(
        self, tx: Transaction, key: tuple[str, str]
    ) -> tuple[str, str, str, str, str] | None:
        """The worker's ladder_level in the occupation: (occupation_name, level, number,
        source, since), or None."""
        try:
            return self._levels[key]
        except KeyError:
            pass
        if key[0] in self._fresh:
            value = None
        else:
            found = tx.row(
                "SELECT occupation_name, level, number, source, since FROM ladder_level"
                " WHERE worker_id = ? AND occupation_code = ?",
                key,
            )
            value = None if found is None else (found[0], found[1], found[2], found[3], found[4])
        self._levels[key] = value
        return value

    def _refresh_level(self, tx: Transaction, worker_id: str, occupation: str) -> None:
        """Recompute the worker's valid level in an occupation from what is valid now: stored
        valid certificates, the batch's valid certificates and confirmed external ones."""
        stored = tx.rows(
            "SELECT level, issued_on, number, 'ledger', occupation_name FROM ladder_certificate"
            " WHERE worker_id = ? AND occupation_code = ? AND status = 'valid'"
            " UNION ALL SELECT level, issued_on, number, 'external', '' FROM ladder_external"
            " WHERE worker_id = ? AND occupation_code = ? AND check_status = 'confirmed'",
            (worker_id, occupation, worker_id, occupation),
        )
        key = (worker_id, occupation)
        rows = [r for r in stored if r[3] == "ledger"]
        rows.extend(
            (r[5], r[10], r[1], "ledger", r[4])
            for r in self._issued.get(key, ())
            if r[12] == "valid"
        )
        rows.extend(r for r in stored if r[3] != "ledger")
        self._dirty.add(key)
        if not rows:
            self._levels[key] = None
            return
        level, since, number, source, occupation_name = min(rows, key=lambda r: (r[0], r[1], r[2]))
        if not occupation_name:
            known = find_occupation(occupation)
            occupation_name = known.name if known else occupation
        self._levels[key] = (occupation_name, level, number, source, since)

    # -- workers -------------------------------------------------------------------------------

    @handles("craftledger:Worker.Registered", "craftledger:Worker.NameCorrected")
    def worker_named(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = event.aggregate_id
        if event.topic == "craftledger:Worker.Registered" and worker_id not in self._names:
            self._fresh.add(worker_id)
        self._names[worker_id] = event["name"]

    # -- ledger certificates -------------------------------------------------------------------

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        certificate_id = event.aggregate_id
        if certificate_id in self._certificates:
            raise ValueError(f"certificate {certificate_id} issued twice")
        worker_id = text_id(event["worker_id"])
        assert worker_id is not None
        occupation = event["occupation_code"]
        occupation_name = event["occupation_name"]
        level = event["level"]
        number = event["number"]
        issued_on = iso_date(event["issued_at"])
        # Raise the current level if this one is higher ("1" is the highest).
        key = (worker_id, occupation)
        current = self._level_of(tx, key)
        raised = current is None or level < current[1]
        if raised:
            self._levels[key] = (occupation_name, level, number, "ledger", issued_on)
            self._dirty.add(key)
        basis = event["basis"] or {}
        row = [
            certificate_id,
            number,
            worker_id,
            occupation,
            occupation_name,
            level,
            text_id(event["issuer_id"]),
            event["issuer_name"],
            str(basis.get("kind") or ""),
            basis.get("bypass"),
            issued_on,
            iso_datetime(event["issued_at"]),
            "valid",
            "issued",
            int(raised),
            event.position,
        ]
        self._certificates[certificate_id] = row
        self._issued.setdefault(key, []).append(row)
        # Its "issued" history entry is read from this row (see ``WorkerLadderQuery``).

    @handles(*_STATUS_BY_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = _STATUS_BY_TOPIC[event.topic]
        reason = event["reason"]
        sealed_reason = tx.seal(reason)
        row = self._certificates.get(event.aggregate_id)
        if row is not None:
            number, worker_id, occupation, level = row[1], row[2], row[3], row[5]
            row[12] = status
            row[13] = sealed_reason
        else:
            found = tx.row(
                "SELECT worker_id, occupation_code, number, level FROM ladder_certificate"
                " WHERE id = ?",
                (event.aggregate_id,),
            )
            if found is None:
                raise LookupError(f"status change for unknown certificate {event.aggregate_id}")
            worker_id, occupation, number, level = found
            tx.execute(
                "UPDATE ladder_certificate SET status = ?, status_reason = ? WHERE id = ?",
                (status, sealed_reason, event.aggregate_id),
            )
        self._history(
            worker_id, event, iso_datetime(event["at"]), status, number, occupation, level,
            {"reason": reason},
        )  # fmt: skip
        self._refresh_level(tx, worker_id, occupation)

    @handles("craftledger:Certificate.DependencyFlagged")
    def certificate_flagged(self, tx: Transaction, event: RecordedEvent) -> None:
        """A certificate it depended on was revoked: flagged for review (it stays valid)."""
        row = self._certificates.get(event.aggregate_id)
        if row is not None:
            worker_id = row[2]
        else:
            worker_id = tx.value(
                "SELECT worker_id FROM ladder_certificate WHERE id = ?", (event.aggregate_id,)
            )
        if worker_id is None:
            raise LookupError(f"flag for unknown certificate {event.aggregate_id}")
        tx.upsert(
            "ladder_flag",
            ("certificate_id", "revoked_number"),
            {
                "certificate_id": event.aggregate_id,
                "revoked_number": event["revoked_number"],
                "worker_id": worker_id,
                "at": iso_datetime(event["at"]),
                "reason": tx.seal(event["reason"]),
                "kind": event["kind"],
                "via": event["via"],
            },
        )

    # -- external certificates --------------------------------------------------------------------

    @handles("craftledger:Worker.ExternalCertificateDeclared")
    def external_declared(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO ladder_external (worker_id, number, occupation_code, level, issuer_name,"
            " issued_on, check_status) VALUES (?, ?, ?, ?, ?, ?, 'unchecked')",
            (
                event.aggregate_id,
                event["number"],
                event["occupation_code"],
                event["level"],
                event["issuer_name"],
                iso_date(event["issued_on"]),
            ),
        )

    @handles("craftledger:Worker.ExternalCertificateChecked")
    def external_checked(self, tx: Transaction, event: RecordedEvent) -> None:
        confirmed = bool(event["confirmed"])
        tx.execute(
            "UPDATE ladder_external SET check_status = ? WHERE worker_id = ? AND number = ?",
            ("confirmed" if confirmed else "rejected", event.aggregate_id, event["number"]),
        )
        found = tx.row(
            "SELECT occupation_code, level FROM ladder_external WHERE worker_id = ? AND number = ?",
            (event.aggregate_id, event["number"]),
        )
        if found is None:
            raise LookupError(f"check of undeclared external certificate {event['number']}")
        self._history(
            event.aggregate_id, event, iso_datetime(event.timestamp),
            "external-confirmed" if confirmed else "external-rejected",
            event["number"], found[0], found[1], {"note": event.get("note")},
        )  # fmt: skip
        self._refresh_level(tx, event.aggregate_id, found[0])

    # -- honours --------------------------------------------------------------------------------

    @handles("craftledger:HonourLadder.Defined")
    def ladder_defined(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO ladder_honour_ladder (id, union_id, name, tiers) VALUES (?, ?, ?, ?)",
            (
                event.aggregate_id,
                text_id(event["union_id"]),
                event["name"],
                to_json(list(event["tiers"])),
            ),
        )

    @handles("craftledger:HonourLadder.TitleAwarded")
    def title_awarded(self, tx: Transaction, event: RecordedEvent) -> None:
        tiers = json.loads(
            tx.value("SELECT tiers FROM ladder_honour_ladder WHERE id = ?", (event.aggregate_id,))
        )
        tx.execute(
            "INSERT INTO ladder_honour (ladder_id, award_id, worker_id, tier, tier_rank, year,"
            " standing) VALUES (?, ?, ?, ?, ?, ?, 1)",
            (
                event.aggregate_id,
                event["award_id"],
                text_id(event["worker_id"]),
                event["tier"],
                tiers.index(event["tier"]),
                int(event["year"]),
            ),
        )

    @handles("craftledger:HonourLadder.TitleWithdrawn")
    def title_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE ladder_honour SET standing = 0, withdrawn_reason = ?"
            " WHERE ladder_id = ? AND award_id = ?",
            (tx.seal(event["reason"]), event.aggregate_id, event["award_id"]),
        )

    # -- competitions ---------------------------------------------------------------------------

    @handles("craftledger:Competition.Announced")
    def competition_announced(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO ladder_competition (id, organiser_id, name, tier, occupation_code, year)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                event.aggregate_id,
                text_id(event["organiser_id"]),
                event["name"],
                event["tier"],
                event["occupation_code"],
                int(event["year"]),
            ),
        )

    @handles(ENTRANT_REGISTERED)
    def entrant_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        worker_id = text_id(event["worker_id"])
        registered_at = event.get("registered_at") or event.timestamp
        tx.execute(
            "INSERT INTO ladder_entry (worker_id, competition_id, entrant_kind, registered_at,"
            " position) VALUES (?, ?, ?, ?, ?) ON CONFLICT (worker_id, competition_id) DO NOTHING",
            (
                worker_id,
                event.aggregate_id,
                event.get("entrant_kind"),
                iso_datetime(registered_at),
                event.position,
            ),
        )

    @handles("craftledger:Competition.EntrantWithdrawn")
    def entrant_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE ladder_entry SET withdrawn_reason = ?"
            " WHERE worker_id = ? AND competition_id = ?",
            (tx.seal(event["reason"]), text_id(event["worker_id"]), event.aggregate_id),
        )

    @handles("craftledger:Competition.Finalised")
    def competition_finalised(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.executemany(
            "UPDATE ladder_entry SET rank = ?, award = ?"
            " WHERE worker_id = ? AND competition_id = ?",
            [
                (result.get("rank"), result.get("award"), str(result["worker_id"]),
                 event.aggregate_id)
                for result in event["results"]
            ],
        )  # fmt: skip

    # -- enterprise posts (评聘) ---------------------------------------------------------------

    @handles("craftledger:PostAppointment.Nominated")
    def post_nominated(self, tx: Transaction, event: RecordedEvent) -> None:
        """Who, where and which post; listed once ``Appointed`` (same atomic save)."""
        tx.execute(
            "INSERT INTO ladder_post (id, worker_id, organisation_id, organisation_name,"
            " occupation_code, occupation_name, post, standing) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (
                event.aggregate_id,
                text_id(event["worker_id"]),
                text_id(event["organisation_id"]),
                event["organisation_name"],
                event["occupation_code"],
                event["occupation_name"],
                event["post"],
            ),
        )

    @handles("craftledger:PostAppointment.Appointed")
    def post_appointed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE ladder_post SET appointed_at = ?, standing = 1 WHERE id = ?",
            (iso_datetime(event["at"]), event.aggregate_id),
        )

    @handles("craftledger:PostAppointment.Withdrawn")
    def post_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "UPDATE ladder_post SET standing = 0, withdrawn_reason = ? WHERE id = ?",
            (tx.seal(event["reason"]), event.aggregate_id),
        )

    # -- helpers -----------------------------------------------------------------------------------

    def _history(
        self,
        worker_id: str | None,
        event: RecordedEvent,
        at: str | None,
        kind: str,
        number: str | None,
        occupation: str | None,
        level: str | None,
        detail: dict[str, Any],
    ) -> None:
        """A ladder_history row, inserted by ``flush``."""
        self._history_rows.append(
            (worker_id, event.position, at, kind, number, occupation, level, to_json(detail))
        )


_INSERT_CERTIFICATE = (
    "INSERT INTO ladder_certificate (id, number, worker_id, occupation_code, occupation_name,"
    " level, issuer_id, issuer_name, basis_kind, bypass, issued_on, issued_at, status,"
    " status_reason, raised_level, position)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


# -- queries ---------------------------------------------------------------------------------------


def _uuid_text(value: UUID | str, what: str) -> str:
    try:
        return str(value if isinstance(value, UUID) else UUID(str(value)))
    except ValueError:
        raise InvalidQuery(f"{what} must be a UUID") from None


class WorkerLadderQuery:
    """Reads of the ``WorkerLadder`` projection (see the module docstring)."""

    def __init__(self, store: ProjectionStore) -> None:
        self.store = store

    def ladder(self, worker_id: UUID | str) -> dict[str, Any] | None:
        key = _uuid_text(worker_id, "worker id")
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
