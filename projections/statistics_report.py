"""Statistics for reporting (统计报表): skill talents broken down by district, employer,
occupation and year of issue.

Projection ``StatisticsReport`` (name ``"statistics_report"``); query
``StatisticsReportQuery(store)``::

    query.totals() -> {"skill_talents", "high_skill_talents", "high_skill_ratio"}
    query.breakdown(by) -> [{"key", "label", "skill_talents", "high_skill_talents",
                             "high_skill_ratio"}, ...]       by in ``REPORT_BREAKDOWNS``

The figures are those of ``projections.statistics``: 技能人才 are the workers holding at least one
valid certificate, 高技能人才 those holding one at 三级/高级工 or above, the ratio their quotient
(``projections.statistics.ratio``). For "as of" a date build this projection with
``projections.as_of.build_as_of`` (``service.read_models``): the state is the log's then.

Every talent counts **once** in every breakdown, so each breakdown's rows sum to the totals:

- ``district``: the 6-digit region code the worker's resident ID number begins with (the choice
  the talent database made, ``projections.talents.district_of``); key None when the number does
  not begin with one;
- ``employer``: the worker's current employer (the open employment spell that started last,
  ``projections.employment``); key None without one;
- ``occupation`` and ``year``: those of the worker's *principal certificate*, the valid one of
  the highest level, the earliest issued among those (then by id); the year is its year of issue
  on the China calendar. A talent is high-skill exactly when their principal certificate is.

Rows come in key order (None last); the label is the employer's name, the occupation's name as
the certificate gives it, the region code or the year.

Tables::

    report_organisation(id PK, name)
    report_worker(id PK, district)
    report_employment(worker_id, seq PK, employer_id, relation, since, until)
    report_certificate(id PK, worker_id, occupation_code, occupation_name, level,
                       issued_at, issued_year, valid)          index (worker_id)
"""

from __future__ import annotations

from typing import Any, ClassVar

from domain.certificate import STATUS_AFTER_TOPIC
from domain.skill_level import SkillLevel
from projections.employment import employment_ddl, record_end, record_start
from projections.projection import (
    Projection,
    RecordedEvent,
    handles,
    iso_date,
    iso_datetime,
    text_id,
)
from projections.query import ProjectionQuery, one_of
from projections.skill_levels import HIGH_SKILL_LEVELS
from projections.statistics import ratio
from projections.store import Transaction
from projections.talents import district_of

__all__ = [
    "REPORT_BREAKDOWNS",
    "StatisticsReport",
    "StatisticsReportQuery",
    "breakdown_of",
    "figures_of",
]

REPORT_BREAKDOWNS = ("district", "employer", "occupation", "year")
_RANK = {level.code: rank for rank, level in enumerate(SkillLevel)}
"""A level code's rank, higher is a higher level (unknown codes rank lowest)."""


class StatisticsReport(Projection):
    """Workers (district), their employment and their certificates (see the module docstring)."""

    name = "statistics_report"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "report_organisation": ("id",),
        "report_worker": ("id",),
        "report_employment": ("worker_id", "seq"),
        "report_certificate": ("id",),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS report_organisation (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS report_worker (
            id {key_text} PRIMARY KEY,
            district TEXT
        )""",
        employment_ddl("report_employment"),
        """CREATE TABLE IF NOT EXISTS report_certificate (
            id {key_text} PRIMARY KEY,
            worker_id {key_text} NOT NULL,
            occupation_code TEXT NOT NULL,
            occupation_name TEXT NOT NULL,
            level TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            issued_year INTEGER NOT NULL,
            valid INTEGER NOT NULL
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS report_certificate_by_worker ON report_certificate (worker_id)",
    )

    # Workers and certificates of a batch are inserted at its end (executemany); a status change
    # of a certificate issued in the same batch changes its row in memory.

    def __init__(self) -> None:
        self.start_batch()

    def start_batch(self) -> None:
        self._workers: dict[str, tuple[Any, ...]] = {}
        self._certificates: dict[str, list[Any]] = {}

    def flush(self, tx: Transaction) -> None:
        if self._workers:
            tx.executemany(
                "INSERT INTO report_worker (id, district) VALUES (?, ?)",
                list(self._workers.values()),
            )
        if self._certificates:
            tx.executemany(
                "INSERT INTO report_certificate (id, worker_id, occupation_code, occupation_name,"
                " level, issued_at, issued_year, valid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                list(self._certificates.values()),
            )
        self.start_batch()

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO report_organisation (id, name) VALUES (?, ?)",
            (event.aggregate_id, event["name"]),
        )

    @handles("craftledger:Worker.Registered")
    def worker_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        if event.aggregate_id in self._workers:
            raise ValueError(f"worker {event.aggregate_id} registered twice")
        self._workers[event.aggregate_id] = (
            event.aggregate_id,
            district_of(event["masked_id_number"]),
        )

    @handles("craftledger:Worker.EmploymentStarted")
    def employment_started(self, tx: Transaction, event: RecordedEvent) -> None:
        record_start(tx, "report_employment", event)

    @handles("craftledger:Worker.EmploymentEnded")
    def employment_ended(self, tx: Transaction, event: RecordedEvent) -> None:
        record_end(tx, "report_employment", event)

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        certificate_id = event.aggregate_id
        if certificate_id in self._certificates:
            raise ValueError(f"certificate {certificate_id} issued twice")
        issued_on = iso_date(event["issued_at"])
        assert issued_on is not None
        self._certificates[certificate_id] = [
            certificate_id,
            text_id(event["worker_id"]),
            event["occupation_code"],
            event["occupation_name"],
            event["level"],
            iso_datetime(event["issued_at"]),
            int(issued_on[:4]),
            1,
        ]

    @handles(*STATUS_AFTER_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        valid = int(STATUS_AFTER_TOPIC[event.topic] == "valid")
        row = self._certificates.get(event.aggregate_id)
        if row is not None:
            row[7] = valid
            return
        tx.execute(
            "UPDATE report_certificate SET valid = ? WHERE id = ?", (valid, event.aggregate_id)
        )


# -- queries ---------------------------------------------------------------------------------------

_CURRENT_EMPLOYER = (
    "(SELECT e.employer_id FROM report_employment e WHERE e.worker_id = c.worker_id"
    " AND e.until IS NULL ORDER BY e.since DESC, e.seq DESC LIMIT 1)"
)


class StatisticsReportQuery(ProjectionQuery):
    """Aggregates of the ``StatisticsReport`` projection (see the module docstring)."""

    def talents(self) -> list[dict[str, Any]]:
        """One entry per talent: ``worker`` (id), ``high`` (bool), and the breakdown keys
        ``district``, ``employer``, ``occupation``, ``year`` (of the principal certificate),
        with ``employer_name`` and ``occupation_name`` for the labels."""
        with self.store.read() as tx:
            found = tx.dicts(
                "SELECT c.id, c.worker_id, c.occupation_code, c.occupation_name, c.level,"
                f" c.issued_at, c.issued_year, w.district, {_CURRENT_EMPLOYER} AS employer_id"
                " FROM report_certificate c LEFT JOIN report_worker w ON w.id = c.worker_id"
                " WHERE c.valid = 1"
            )
            names = dict(tx.rows("SELECT id, name FROM report_organisation"))
        principal: dict[str, dict[str, Any]] = {}
        for row in found:
            best = principal.get(row["worker_id"])
            if best is None or _principal_order(row) < _principal_order(best):
                principal[row["worker_id"]] = row
        return [
            {
                "worker": worker,
                "high": row["level"] in HIGH_SKILL_LEVELS,
                "district": row["district"],
                "employer": row["employer_id"],
                "employer_name": names.get(row["employer_id"]),
                "occupation": row["occupation_code"],
                "occupation_name": row["occupation_name"],
                "year": int(row["issued_year"]),
            }
            for worker, row in principal.items()
        ]

    def totals(self) -> dict[str, Any]:
        return figures_of(self.talents())

    def breakdown(self, by: str) -> list[dict[str, Any]]:
        one_of(by, REPORT_BREAKDOWNS, "by")
        return breakdown_of(self.talents(), by)


def _principal_order(row: dict[str, Any]) -> tuple[Any, ...]:
    """Smallest first: the highest level, then the earliest issued, then the id."""
    return (-_RANK.get(row["level"], -1), row["issued_at"], row["id"])


def figures_of(talents: list[dict[str, Any]]) -> dict[str, Any]:
    """Skill talents, high-skill talents and their ratio among ``talents``."""
    skill = len(talents)
    high = sum(1 for talent in talents if talent["high"])
    return {
        "skill_talents": skill,
        "high_skill_talents": high,
        "high_skill_ratio": ratio(high, skill),
    }


def _label(talent: dict[str, Any], by: str) -> str | None:
    if by == "employer":
        return talent["employer_name"]
    if by == "occupation":
        return talent["occupation_name"]
    key = talent[by]
    return None if key is None else str(key)


def breakdown_of(talents: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """``talents`` (as :meth:`StatisticsReportQuery.talents` gives them) grouped by ``by``: the
    rows of one breakdown, in key order with None last."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for talent in talents:
        groups.setdefault(talent[by], []).append(talent)
    rows = []
    for key in sorted(groups, key=lambda k: (k is None, "" if k is None else str(k))):
        members = groups[key]
        rows.append({"key": key, "label": _label(members[0], by), **figures_of(members)})
    return rows
