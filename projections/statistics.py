"""Statistics (统计): skill talents, high-skill talents, certificates, competitions, training.

Projection ``Statistics`` (name ``"statistics"``) keeps fact tables -- one row per certificate
(with its status history), competition, entrant and training entry -- and
``StatisticsQuery(store)`` aggregates them for any slice::

    query.summary(province=None, organisation_id=None, occupation_code=None, year=None) -> dict
        {"filters": {...},
         "skill_talents": 241300,          # workers holding at least one valid certificate
         "high_skill_talents": 89600,      # ... at 三级/高级工 or above (levels 3, 2, 1)
         "high_skill_ratio": "0.3713",     # a decimal string (4 places), None when no talents
         "certificates_issued": n,
         "certificates_by_level": {"5": n, "4": n, "3": n, "2": n, "1": n},
         "certificates_by_basis": {"evaluation": n, "competition": n,
                                   "direct_recognition": n},
         "competitions_held": n, "competition_entrants": n,
         "training_person_times": n}
    query.breakdown(by, province=None, organisation_id=None, occupation_code=None, year=None)
        -> [{"key": value, **summary}, ...]  with by in "province", "organisation",
           "occupation", "year" (groups with any figure, in key order)

Dimensions:

- region = province code: a certificate's is the province in its number (characters 6-7, the
  filed province); a competition's is its organiser's province; a training entry's is the
  province of the worker's employer at the time it was recorded;
- organisation: a certificate's issuer, a competition's organiser, a training entry's employer
  at the time (talents count under the organisations whose valid certificates they hold);
- occupation: the certificate's or the competition's (training entries carry one only when their
  details name an ``occupation_code``);
- year: certificates, competitions and training count in the year they were issued, held or
  recorded (on the China calendar, UTC+8, from the times recorded in the events). Talents with
  ``year`` are those holding a certificate that was valid at the end of that year (China time,
  from the certificate's status history);
  without ``year``, those holding one valid now.

For "as of" a date or position, build the projection with ``projections.as_of.build_as_of`` and
query that store: the same query object works on any store.

Tables::

    stats_organisation(id PK, name, kind, province_code)
    stats_employment(worker_id, seq PK, employer_id, relation, since, until)
    stats_certificate(id PK, number, worker_id, issuer_id, province_code, occupation_code,
                      level, basis_kind, issued_year, issued_at, status)
        index (worker_id), (issuer_id), (province_code), (occupation_code)
    stats_certificate_status(certificate_id, seq PK, status, at)   (changes after issue)
    stats_competition(id PK, organiser_id, province_code, region, occupation_code, tier, year)
    stats_entrant(competition_id, worker_id PK, position)
    stats_training(worker_id, seq PK, year, on_date, employer_id, province_code,
                   occupation_code, title)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar
from uuid import UUID

from domain.certificate import STATUS_AFTER_TOPIC
from domain.china_time import end_of_china_day
from projections.employment import employment_ddl, record_end, spell_insert, spell_row
from projections.pagination import InvalidQuery
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_date,
    iso_datetime,
    text_id,
)
from projections.query import ProjectionQuery, one_of, uuid_text
from projections.skill_levels import HIGH_SKILL_LEVELS
from projections.store import Transaction

LEVELS = ("5", "4", "3", "2", "1")
_HIGH_SKILL_IN = ", ".join(f"'{level}'" for level in HIGH_SKILL_LEVELS)  # codes are [0-9a-z]
BASIS_KINDS = ("evaluation", "competition", "direct_recognition")
BREAKDOWNS = ("province", "organisation", "occupation", "year")


_CURRENT_EMPLOYER = (
    "SELECT e.employer_id FROM stats_employment e WHERE e.worker_id = ? AND e.until IS NULL"
    " ORDER BY e.since DESC, e.seq DESC LIMIT 1"
)


def _year_of(value: Any) -> int:
    return int((iso_date(value) or "0")[:4])


class Statistics(Projection):
    """Fact tables for the statistics queries."""

    name = "statistics"
    version = 3
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "stats_organisation": ("id",),
        "stats_employment": ("worker_id", "seq"),
        "stats_certificate": ("id",),
        "stats_certificate_status": ("certificate_id", "seq"),
        "stats_competition": ("id",),
        "stats_entrant": ("competition_id", "worker_id"),
        "stats_training": ("worker_id", "seq"),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS stats_organisation (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            province_code TEXT NOT NULL
        )""",
        employment_ddl("stats_employment"),
        """CREATE TABLE IF NOT EXISTS stats_certificate (
            id {key_text} PRIMARY KEY,
            number TEXT NOT NULL,
            worker_id {key_text} NOT NULL,
            issuer_id {key_text} NOT NULL,
            province_code {key_text} NOT NULL,
            occupation_code {key_text} NOT NULL,
            level TEXT NOT NULL,
            basis_kind TEXT NOT NULL,
            issued_year INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            status TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS stats_certificate_status (
            certificate_id {key_text} NOT NULL,
            seq BIGINT NOT NULL,
            status TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (certificate_id, seq)
        )""",
        """CREATE TABLE IF NOT EXISTS stats_competition (
            id {key_text} PRIMARY KEY,
            organiser_id {key_text} NOT NULL,
            province_code TEXT NOT NULL,
            region TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            tier TEXT NOT NULL,
            year INTEGER NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS stats_entrant (
            competition_id {key_text} NOT NULL,
            worker_id {key_text} NOT NULL,
            position BIGINT NOT NULL,
            PRIMARY KEY (competition_id, worker_id)
        )""",
        """CREATE TABLE IF NOT EXISTS stats_training (
            worker_id {key_text} NOT NULL,
            seq BIGINT NOT NULL,
            year INTEGER NOT NULL,
            on_date TEXT NOT NULL,
            employer_id TEXT,
            province_code TEXT,
            occupation_code TEXT,
            title TEXT NOT NULL,
            PRIMARY KEY (worker_id, seq)
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS stats_certificate_by_worker ON stats_certificate (worker_id)",
        "CREATE INDEX IF NOT EXISTS stats_certificate_by_issuer ON stats_certificate (issuer_id)",
        "CREATE INDEX IF NOT EXISTS stats_certificate_by_province"
        " ON stats_certificate (province_code)",
        "CREATE INDEX IF NOT EXISTS stats_certificate_by_occupation"
        " ON stats_certificate (occupation_code)",
    )

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO stats_organisation (id, name, kind, province_code) VALUES (?, ?, ?, ?)",
            (event.aggregate_id, event["name"], event["kind"], event["province_code"]),
        )
        self._provinces[event.aggregate_id] = event["province_code"]

    # Employment spells and training entries: a worker registered in the batch has all its
    # spells in memory (the domain records nothing about a worker before registering it), so
    # the employer of its training entries is worked out there and the entries are inserted
    # at the batch's end; for other workers the spells are written first and the employer is
    # looked up in SQL. Both pick the open spell that started last (``since``, then ``seq``).

    @handles("craftledger:Worker.Registered")
    def worker_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        self._fresh[event.aggregate_id] = []

    @handles("craftledger:Worker.EmploymentStarted")
    def employment_started(self, tx: Transaction, event: RecordedEvent) -> None:
        spell = spell_row(event)
        if None in spell:  # refused here, not at a later write: the poison is this event
            raise ValueError(f"employment spell with a missing value: {spell}")
        self._spells.append(spell)
        fresh = self._fresh.get(event.aggregate_id)
        if fresh is not None:
            fresh.append([spell[4], spell[1], spell[2], None])  # since, seq, employer, until

    @handles("craftledger:Worker.EmploymentEnded")
    def employment_ended(self, tx: Transaction, event: RecordedEvent) -> None:
        self._write_spells(tx)
        record_end(tx, "stats_employment", event)
        fresh = self._fresh.get(event.aggregate_id)
        if fresh is not None:
            employer_id = text_id(event["employer_id"])
            until = iso_date(event["until"])
            for spell in fresh:
                if spell[2] == employer_id and spell[3] is None:
                    spell[3] = until

    @handles("craftledger:Worker.CareerEntryRecorded")
    def career_entry(self, tx: Transaction, event: RecordedEvent) -> None:
        if event["kind"] != "training":
            return
        details = event.get("details") or {}
        worker_id = event.aggregate_id
        fresh = self._fresh.get(worker_id)
        if fresh is not None:
            open_spells = [spell for spell in fresh if spell[3] is None]
            employer = max(open_spells)[2] if open_spells else None
            self._training.append(
                (
                    worker_id,
                    event.originator_version,
                    _year_of(event["on"]),
                    iso_date(event["on"]),
                    employer,
                    None if employer is None else self._province_of(tx, employer),
                    details.get("occupation_code"),
                    event["title"],
                )
            )
            return
        self._write_spells(tx)
        # The employer is the current one (see projections.employment), looked up in SQL.
        tx.execute(
            "INSERT INTO stats_training (worker_id, seq, year, on_date, employer_id,"
            " province_code, occupation_code, title) VALUES (?, ?, ?, ?,"
            f" ({_CURRENT_EMPLOYER}),"
            " (SELECT o.province_code FROM stats_organisation o"
            f" WHERE o.id = ({_CURRENT_EMPLOYER})),"
            " ?, ?)",
            (
                worker_id,
                event.originator_version,
                _year_of(event["on"]),
                iso_date(event["on"]),
                worker_id,
                worker_id,
                details.get("occupation_code"),
                event["title"],
            ),
        )

    def _province_of(self, tx: Transaction, organisation_id: str) -> str | None:
        try:
            return self._provinces[organisation_id]
        except KeyError:
            pass
        province = self._provinces[organisation_id] = tx.value(
            "SELECT province_code FROM stats_organisation WHERE id = ?", (organisation_id,)
        )
        return province

    def _write_spells(self, tx: Transaction) -> None:
        if self._spells:
            tx.executemany(spell_insert("stats_employment"), self._spells)
            self._spells = []

    # Certificates issued in a batch and status changes are inserted at its end (``flush``,
    # executemany); a status change of a certificate issued in the same batch changes its
    # row in memory.

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self._certificates: dict[str, list[Any]] = {}
        self._statuses: list[tuple[Any, ...]] = []
        # worker registered in the batch -> its spells [since, seq, employer_id, until]
        self._fresh: dict[str, list[list[Any]]] = {}
        self._spells: list[tuple[Any, ...]] = []  # stats_employment rows not yet written
        self._training: list[tuple[Any, ...]] = []  # stats_training rows of fresh workers
        self._provinces: dict[str, str | None] = {}

    def flush(self, tx: Transaction) -> None:
        self._write_spells(tx)
        if self._training:
            tx.executemany(
                "INSERT INTO stats_training (worker_id, seq, year, on_date, employer_id,"
                " province_code, occupation_code, title) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._training,
            )
        if self._certificates:
            tx.executemany(
                "INSERT INTO stats_certificate (id, number, worker_id, issuer_id, province_code,"
                " occupation_code, level, basis_kind, issued_year, issued_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(self._certificates.values()),
            )
        if self._statuses:
            tx.executemany(
                "INSERT INTO stats_certificate_status (certificate_id, seq, status, at)"
                " VALUES (?, ?, ?, ?)",
                self._statuses,
            )
        self.start_batch()

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        certificate_id = event.aggregate_id
        if certificate_id in self._certificates:
            raise ValueError(f"certificate {certificate_id} issued twice")
        number = event["number"]
        self._certificates[certificate_id] = [
            certificate_id,
            number,
            text_id(event["worker_id"]),
            text_id(event["issuer_id"]),
            number[5:7],
            event["occupation_code"],
            event["level"],
            str((event["basis"] or {}).get("kind") or ""),
            _year_of(event["issued_at"]),
            iso_datetime(event["issued_at"]),
            "valid",
        ]

    @handles(*STATUS_AFTER_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        status = STATUS_AFTER_TOPIC[event.topic]
        certificate_id = event.aggregate_id
        row = self._certificates.get(certificate_id)
        if row is not None:
            row[10] = status
        else:
            tx.execute(
                "UPDATE stats_certificate SET status = ? WHERE id = ?", (status, certificate_id)
            )
        self._statuses.append(
            (certificate_id, event.originator_version, status, iso_datetime(event["at"]))
        )

    @handles("craftledger:Competition.Announced")
    def competition_announced(self, tx: Transaction, event: RecordedEvent) -> None:
        organiser_id = text_id(event["organiser_id"])
        province = tx.value(
            "SELECT province_code FROM stats_organisation WHERE id = ?", (organiser_id,)
        )
        tx.execute(
            "INSERT INTO stats_competition (id, organiser_id, province_code, region,"
            " occupation_code, tier, year) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                event.aggregate_id,
                organiser_id,
                province or "",
                event.get("region") or "",
                event["occupation_code"],
                event["tier"],
                int(event["year"]),
            ),
        )

    @handles("craftledger:Competition.EntrantRegistered")
    def entrant_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO stats_entrant (competition_id, worker_id, position) VALUES (?, ?, ?)"
            " ON CONFLICT (competition_id, worker_id) DO NOTHING",
            (event.aggregate_id, text_id(event["worker_id"]), event.position),
        )


# -- queries ---------------------------------------------------------------------------------------


def ratio(part: int, whole: int) -> str | None:
    """``part / whole`` as a 4-place decimal string (ROUND_HALF_UP), None when ``whole`` is 0."""
    if not whole:
        return None
    return str((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def _year_end(year: int) -> str:
    """The last instant of ``year`` on the China calendar, as stored ``issued_at`` text."""
    return iso_datetime(end_of_china_day(date(year, 12, 31))) or ""


class StatisticsQuery(ProjectionQuery):
    """Aggregates of the ``Statistics`` projection (see the module docstring)."""

    def summary(
        self,
        province: str | None = None,
        organisation_id: UUID | str | None = None,
        occupation_code: str | None = None,
        year: int | None = None,
    ) -> dict[str, Any]:
        filters = self._filters(province, organisation_id, occupation_code, year)
        with self.store.read() as tx:
            return self._summary(tx, filters)

    def breakdown(
        self,
        by: str,
        province: str | None = None,
        organisation_id: UUID | str | None = None,
        occupation_code: str | None = None,
        year: int | None = None,
    ) -> list[dict[str, Any]]:
        one_of(by, BREAKDOWNS, "by")
        filters = self._filters(province, organisation_id, occupation_code, year)
        with self.store.read() as tx:
            keys = self._keys(tx, by, filters)
            rows = []
            for key in keys:
                sliced = dict(filters)
                sliced[_FILTER_OF[by]] = key
                summary = self._summary(tx, sliced)
                if any(
                    summary[f]
                    for f in (
                        "skill_talents",
                        "certificates_issued",
                        "competitions_held",
                        "training_person_times",
                    )
                ):
                    rows.append({"key": key, **summary})
        return rows

    # -- internals -------------------------------------------------------------------------------

    @staticmethod
    def _filters(
        province: str | None,
        organisation_id: UUID | str | None,
        occupation_code: str | None,
        year: int | None,
    ) -> dict[str, Any]:
        organisation = uuid_text(organisation_id, "organisation_id")
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 9999
        ):
            raise InvalidQuery("year must be a four-digit year")
        return {
            "province": province,
            "organisation_id": organisation,
            "occupation_code": occupation_code,
            "year": year,
        }

    @staticmethod
    def _where(
        filters: dict[str, Any], columns: dict[str, str | None]
    ) -> tuple[str, list[Any]] | None:
        """SQL conditions for the filters on a fact table; None when a filter cannot apply."""
        where, params = [], []
        for name, value in filters.items():
            if value is None or name not in columns:
                continue
            column = columns[name]
            if column is None:
                return None
            where.append(f"{column} = ?")
            params.append(value)
        return (" AND ".join(where) or "1 = 1"), params

    def _summary(self, tx: Any, filters: dict[str, Any]) -> dict[str, Any]:
        year = filters["year"]
        certificate_columns = {
            "province": "c.province_code",
            "organisation_id": "c.issuer_id",
            "occupation_code": "c.occupation_code",
        }
        talents_where = self._where(filters, certificate_columns)
        assert talents_where is not None
        where, params = talents_where
        if year is None:
            valid = "c.status = 'valid'"
            valid_params: list[Any] = []
        else:
            end = _year_end(year)
            # Valid at the end of the year: issued by then, and the last status change by then
            # (if any) left it valid.
            valid = (
                "c.issued_at <= ? AND COALESCE((SELECT s.status FROM stats_certificate_status s"
                " WHERE s.certificate_id = c.id AND s.at <= ?"
                " ORDER BY s.at DESC, s.seq DESC LIMIT 1), 'valid') = 'valid'"
            )
            valid_params = [end, end]
        talents, high = tx.row(
            "SELECT COUNT(DISTINCT c.worker_id),"
            f" COUNT(DISTINCT CASE WHEN c.level IN ({_HIGH_SKILL_IN}) THEN c.worker_id END)"
            f" FROM stats_certificate c WHERE {where} AND {valid}",
            (*params, *valid_params),
        )
        issued_where = self._where(filters, {**certificate_columns, "year": "c.issued_year"})
        assert issued_where is not None
        by_level = {level: 0 for level in LEVELS}
        by_basis = {kind: 0 for kind in BASIS_KINDS}
        for level, basis, count in tx.rows(
            "SELECT c.level, c.basis_kind, COUNT(*) FROM stats_certificate c"
            f" WHERE {issued_where[0]} GROUP BY c.level, c.basis_kind",
            issued_where[1],
        ):
            by_level[level] = by_level.get(level, 0) + int(count)
            by_basis[basis] = by_basis.get(basis, 0) + int(count)
        competitions = entrants = 0
        competition_where = self._where(
            filters,
            {
                "province": "m.province_code",
                "organisation_id": "m.organiser_id",
                "occupation_code": "m.occupation_code",
                "year": "m.year",
            },
        )
        if competition_where is not None:
            competitions, entrants = tx.row(
                "SELECT COUNT(*), COALESCE(SUM((SELECT COUNT(*) FROM stats_entrant e"
                " WHERE e.competition_id = m.id)), 0)"
                f" FROM stats_competition m WHERE {competition_where[0]}",
                competition_where[1],
            )
        training = 0
        training_where = self._where(
            filters,
            {
                "province": "t.province_code",
                "organisation_id": "t.employer_id",
                "occupation_code": "t.occupation_code",
                "year": "t.year",
            },
        )
        if training_where is not None:
            training = tx.value(
                f"SELECT COUNT(*) FROM stats_training t WHERE {training_where[0]}",
                training_where[1],
                default=0,
            )
        return {
            "filters": {k: v for k, v in filters.items() if v is not None},
            "skill_talents": int(talents),
            "high_skill_talents": int(high),
            "high_skill_ratio": ratio(int(high), int(talents)),
            "certificates_issued": sum(by_level.values()),
            "certificates_by_level": by_level,
            "certificates_by_basis": by_basis,
            "competitions_held": int(competitions),
            "competition_entrants": int(entrants),
            "training_person_times": int(training),
        }

    def _keys(self, tx: Any, by: str, filters: dict[str, Any]) -> list[Any]:
        sources: dict[str, Iterable[str]] = {
            "province": (
                "SELECT province_code FROM stats_certificate",
                "SELECT province_code FROM stats_competition",
                "SELECT province_code FROM stats_training WHERE province_code IS NOT NULL",
            ),
            "organisation": (
                "SELECT issuer_id FROM stats_certificate",
                "SELECT organiser_id FROM stats_competition",
                "SELECT employer_id FROM stats_training WHERE employer_id IS NOT NULL",
            ),
            "occupation": (
                "SELECT occupation_code FROM stats_certificate",
                "SELECT occupation_code FROM stats_competition",
                "SELECT occupation_code FROM stats_training WHERE occupation_code IS NOT NULL",
            ),
            "year": (
                "SELECT issued_year FROM stats_certificate",
                "SELECT year FROM stats_competition",
                "SELECT year FROM stats_training",
            ),
        }
        found: set[Any] = set()
        for sql in sources[by]:
            found.update(r[0] for r in tx.rows(sql))
        if by == "year" and found:
            # Talents are a stock: list every year between the first and the last with figures.
            years = {int(y) for y in found}
            found = set(range(min(years), max(years) + 1))
        filter_name = _FILTER_OF[by]
        if filters.get(filter_name) is not None:
            found &= {filters[filter_name]}
        return sorted(found)


_FILTER_OF = {
    "province": "province",
    "organisation": "organisation_id",
    "occupation": "occupation_code",
    "year": "year",
}
