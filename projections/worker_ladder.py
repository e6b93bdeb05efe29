"""Worker ladder: each worker's current valid level per occupation, promotions, honours, contests.

Projection ``WorkerLadder`` (name ``"worker_ladder"``), read by ``WorkerLadderQuery``
(``projections.worker_ladder_query``); its tables are in ``projections.worker_ladder_tables``.

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

"""

from __future__ import annotations

import json
from typing import Any

from domain.certificate import STATUS_AFTER_TOPIC
from domain.occupation import find_occupation
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_date,
    iso_datetime,
    text_id,
    to_json,
)
from projections.skill_levels import HIGH_SKILL_LEVELS, level_name
from projections.store import Transaction
from projections.worker_ladder_query import WorkerLadderQuery
from projections.worker_ladder_tables import QUERY_INDEXES, SCHEMA, TABLES

__all__ = [
    "ENTRANT_REGISTERED",
    "HIGH_SKILL_LEVELS",
    "WorkerLadder",
    "WorkerLadderQuery",
    "level_name",
]

ENTRANT_REGISTERED = "craftledger:Competition.EntrantRegistered"


class WorkerLadder(Projection):
    """Per worker and occupation: the current valid level and how it was reached."""

    name = "worker_ladder"
    version = 6
    tables = TABLES
    schema = SCHEMA
    query_indexes = QUERY_INDEXES

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

    @handles(*STATUS_AFTER_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = STATUS_AFTER_TOPIC[event.topic]
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
