"""The talent database (人才库, e.g. 匠心朝阳人才库): everyone who qualifies as a talent.

Projection ``Talents`` (name ``"talents"``); query ``TalentsQuery(store)``::

    query.search(after=None, limit=50, kind=None, occupation=None, level=None, ladder_id=None,
                 tier=None, district=None, employer_id=None, year=None, name=None) -> Page
        [{"worker_id", "name", "masked_id_number", "district", "employer_id", "employer_name",
          "qualifications": [{"kind", "occupation_code", "occupation_name", "level",
                              "ladder_id", "ladder_name", "tier", "tier_rank", "award",
                              "competition_name", "post", "year"}]}]
        ordered by name, then worker id; ``extra["total"]``: how many people match.
    query.ladders() -> [{"id", "name", "tiers"}]        the honour ladders, for a filter
    query.employers() -> [{"id", "name"}]               the talents' employers, for a filter

A person is a talent while at least one of their facts qualifies (kinds, ``KINDS``):

- ``title``: a standing honour title (``HonourLadder.TitleAwarded``; ``TitleWithdrawn`` ends it);
- ``medal``: a gold, silver or bronze medal or 优胜奖 in a finalised competition
  (``Competition.Finalised``; ``EntrantWithdrawn`` ends it);
- ``certificate``: a *valid* ledger certificate at 二级/技师 or 一级/高级技师 (suspended or revoked:
  out; reinstated: back);
- ``post``: a standing enterprise post 特级技师 or 首席技师 (``PostAppointment.Appointed``;
  ``Withdrawn`` ends it; 学徒工 is a trainee, not a talent).

One row per (person, qualifying fact) in ``talent_fact``, so every filter is on one fact ("a
技师 in 焊工 certified in 2023"), and the page is the distinct people with a matching fact, each
listed with all their qualifying facts. The year is the fact's: the title's year, the
competition's year, the certificate's issue date (in China) and the post's appointment date.

District (区): the 6-digit region code that a resident ID number begins with (kept in the
masked number, ``110105********123X``). Organisations carry only a province code, so the
employer cannot place a worker in a district; the ID number's region is the only district-level
code the ledger holds (it is where the number was issued, usually the household registration).
A ``district`` filter matches as a prefix: ``11`` is Beijing, ``1101`` its city districts.

Names and masked ID numbers are sealed with a cipher key (``projections.sealing``); then a
``name`` filter opens the candidate rows and matches in Python, as ``HonoursQuery`` does.

Tables::

    talent_organisation(id PK, name)
    talent_worker(id PK, name, masked_id_number, district, employer_id, employed_since)
    talent_employment(worker_id, seq PK, employer_id, relation, since, until)
    talent_ladder(id PK, name, tiers JSON)
    talent_competition(id PK, name, occupation_code, occupation_name, year)
    talent_fact(id PK, worker_id, kind, occupation_code, occupation_name, level, ladder_id,
                tier, tier_rank, award, competition_id, post, year, standing)
                                                    index (worker_id), (kind, standing)
"""

from __future__ import annotations

import json
from typing import Any, ClassVar
from uuid import UUID

from domain.certificate import STATUS_AFTER_TOPIC
from domain.occupation import find_occupation
from projections.employment import WorkerEmployers, WorkerEmployersProjection, employment_ddl
from projections.pagination import InvalidQuery, Page, check_limit, decode_cursor, page_of
from projections.projection import RecordedEvent, handles, iso_date, text_id
from projections.query import ProjectionQuery, one_of, uuid_text
from projections.store import Transaction

KINDS = ("title", "medal", "certificate", "post")
"""The kinds of qualifying fact, in the order they are listed."""
TALENT_LEVELS = ("2", "1")
"""Certificate levels that make a talent: 二级/技师 and 一级/高级技师."""
TALENT_POSTS = ("principal", "chief")
"""Posts that make a talent: 特级技师 and 首席技师."""
AWARDS = ("gold", "silver", "bronze", "excellence")
"""Competition awards that make a talent: the medals and 优胜奖."""
LEVEL_FILTERS = (*TALENT_LEVELS, *TALENT_POSTS)


def district_of(masked_id_number: str) -> str | None:
    """The 6-digit region code a (masked) resident ID number starts with, or None."""
    head = masked_id_number[:6]
    return head if len(head) == 6 and head.isdigit() else None


def _occupation_name(code: str) -> str:
    found = find_occupation(code)
    return code if found is None else found.name


class Talents(WorkerEmployersProjection):
    """The talent database: qualifying facts per person (see the module docstring)."""

    name = "talents"
    version = 1
    tables: ClassVar[dict[str, tuple[str, ...]]] = {
        "talent_organisation": ("id",),
        "talent_worker": ("id",),
        "talent_employment": ("worker_id", "seq"),
        "talent_ladder": ("id",),
        "talent_competition": ("id",),
        "talent_fact": ("id",),
    }
    schema: ClassVar[tuple[str, ...]] = (
        """CREATE TABLE IF NOT EXISTS talent_organisation (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS talent_worker (
            id {key_text} PRIMARY KEY,
            name {key_text} NOT NULL,
            masked_id_number TEXT NOT NULL,
            district {key_text},
            employer_id {key_text},
            employed_since TEXT
        )""",
        employment_ddl("talent_employment"),
        """CREATE TABLE IF NOT EXISTS talent_ladder (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL,
            tiers TEXT NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS talent_competition (
            id {key_text} PRIMARY KEY,
            name TEXT NOT NULL,
            occupation_code TEXT NOT NULL,
            occupation_name TEXT NOT NULL,
            year INTEGER NOT NULL
        )""",
        """CREATE TABLE IF NOT EXISTS talent_fact (
            id {key_text} PRIMARY KEY,
            worker_id {key_text} NOT NULL,
            kind {key_text} NOT NULL,
            occupation_code {key_text},
            occupation_name TEXT,
            level {key_text},
            ladder_id {key_text},
            tier {key_text},
            tier_rank INTEGER,
            award TEXT,
            competition_id TEXT,
            post TEXT,
            year INTEGER,
            standing INTEGER NOT NULL
        )""",
    )
    query_indexes: ClassVar[tuple[str, ...]] = (
        "CREATE INDEX IF NOT EXISTS talent_fact_by_worker ON talent_fact (worker_id)",
        "CREATE INDEX IF NOT EXISTS talent_fact_by_kind ON talent_fact (kind, standing)",
    )

    def __init__(self) -> None:
        self._workers = WorkerEmployers(
            "talent_worker",
            "talent_employment",
            ("masked_id_number", "district"),
            relation=False,
        )

    @handles("craftledger:Organisation.Filed")
    def organisation_filed(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO talent_organisation (id, name) VALUES (?, ?)",
            (event.aggregate_id, event["name"]),
        )

    @handles("craftledger:Worker.Registered")
    def worker_registered(self, tx: Transaction, event: RecordedEvent) -> None:
        masked = event["masked_id_number"]
        self._workers.registered(event, tx.seal(masked), district_of(masked))

    # -- honour titles ---------------------------------------------------------------------

    @handles("craftledger:HonourLadder.Defined")
    def ladder_defined(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO talent_ladder (id, name, tiers) VALUES (?, ?, ?)",
            (event.aggregate_id, event["name"], json.dumps(list(event["tiers"]))),
        )

    @handles("craftledger:HonourLadder.TitleAwarded")
    def title_awarded(self, tx: Transaction, event: RecordedEvent) -> None:
        tiers = json.loads(
            tx.value("SELECT tiers FROM talent_ladder WHERE id = ?", (event.aggregate_id,))
        )
        self._fact(
            tx,
            f"title:{event.aggregate_id}:{event['award_id']}",
            text_id(event["worker_id"]),
            "title",
            ladder_id=event.aggregate_id,
            tier=event["tier"],
            tier_rank=tiers.index(event["tier"]),
            year=int(event["year"]),
        )

    @handles("craftledger:HonourLadder.TitleWithdrawn")
    def title_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        self._standing(tx, f"title:{event.aggregate_id}:{event['award_id']}", False)

    # -- competitions ----------------------------------------------------------------------

    @handles("craftledger:Competition.Announced")
    def competition_announced(self, tx: Transaction, event: RecordedEvent) -> None:
        tx.execute(
            "INSERT INTO talent_competition (id, name, occupation_code, occupation_name, year)"
            " VALUES (?, ?, ?, ?, ?)",
            (
                event.aggregate_id,
                event["name"],
                event["occupation_code"],
                _occupation_name(event["occupation_code"]),
                int(event["year"]),
            ),
        )

    @handles("craftledger:Competition.Finalised")
    def competition_finalised(self, tx: Transaction, event: RecordedEvent) -> None:
        found = tx.row(
            "SELECT occupation_code, occupation_name, year FROM talent_competition WHERE id = ?",
            (event.aggregate_id,),
        )
        if found is None:
            raise LookupError(f"results of unknown competition {event.aggregate_id}")
        occupation, occupation_name, year = found
        for result in event["results"]:
            award = result.get("award")
            if award not in AWARDS:
                continue
            self._fact(
                tx,
                f"medal:{event.aggregate_id}:{result['worker_id']}",
                str(result["worker_id"]),
                "medal",
                occupation_code=occupation,
                occupation_name=occupation_name,
                award=award,
                competition_id=event.aggregate_id,
                year=int(year),
            )

    @handles("craftledger:Competition.EntrantWithdrawn")
    def entrant_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        self._standing(tx, f"medal:{event.aggregate_id}:{text_id(event['worker_id'])}", False)

    # -- certificates ----------------------------------------------------------------------

    @handles("craftledger:Certificate.Issued")
    def certificate_issued(self, tx: Transaction, event: RecordedEvent) -> None:
        if event["level"] not in TALENT_LEVELS:
            return
        issued_on = iso_date(event["issued_at"])
        assert issued_on is not None
        self._fact(
            tx,
            f"certificate:{event.aggregate_id}",
            text_id(event["worker_id"]),
            "certificate",
            occupation_code=event["occupation_code"],
            occupation_name=event["occupation_name"],
            level=event["level"],
            year=int(issued_on[:4]),
        )

    @handles(*STATUS_AFTER_TOPIC)
    def certificate_status_changed(self, tx: Transaction, event: RecordedEvent) -> None:
        valid = STATUS_AFTER_TOPIC[event.topic] == "valid"
        self._standing(tx, f"certificate:{event.aggregate_id}", valid)

    # -- enterprise posts (评聘) -------------------------------------------------------------

    @handles("craftledger:PostAppointment.Nominated")
    def post_nominated(self, tx: Transaction, event: RecordedEvent) -> None:
        """Kept unlisted (standing 0) until ``Appointed``."""
        if event["post"] not in TALENT_POSTS:
            return
        self._fact(
            tx,
            f"post:{event.aggregate_id}",
            text_id(event["worker_id"]),
            "post",
            occupation_code=event["occupation_code"],
            occupation_name=event["occupation_name"],
            post=event["post"],
            standing=0,
        )

    @handles("craftledger:PostAppointment.Appointed")
    def post_appointed(self, tx: Transaction, event: RecordedEvent) -> None:
        appointed_on = iso_date(event["at"])
        assert appointed_on is not None
        tx.execute(
            "UPDATE talent_fact SET standing = 1, year = ? WHERE id = ?",
            (int(appointed_on[:4]), f"post:{event.aggregate_id}"),
        )

    @handles("craftledger:PostAppointment.Withdrawn")
    def post_withdrawn(self, tx: Transaction, event: RecordedEvent) -> None:
        self._standing(tx, f"post:{event.aggregate_id}", False)

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _fact(
        tx: Transaction,
        fact_id: str,
        worker_id: str | None,
        kind: str,
        standing: int = 1,
        **values: Any,
    ) -> None:
        if worker_id is None:
            raise ValueError(f"a {kind} fact without a worker")
        tx.upsert(
            "talent_fact",
            ("id",),
            {"id": fact_id, "worker_id": worker_id, "kind": kind, "standing": standing, **values},
        )

    @staticmethod
    def _standing(tx: Transaction, fact_id: str, standing: bool) -> None:
        """Facts that never qualified (a 三级 certificate) have no row: nothing to change."""
        tx.execute("UPDATE talent_fact SET standing = ? WHERE id = ?", (int(standing), fact_id))


# -- queries ---------------------------------------------------------------------------------


class TalentsQuery(ProjectionQuery):
    """Reads of the ``Talents`` projection (see the module docstring)."""

    def search(
        self,
        after: str | None = None,
        limit: int = 50,
        kind: str | None = None,
        occupation: str | None = None,
        level: str | None = None,
        ladder_id: UUID | str | None = None,
        tier: str | None = None,
        district: str | None = None,
        employer_id: UUID | str | None = None,
        year: int | None = None,
        name: str | None = None,
    ) -> Page:
        """The people with a standing fact matching every filter, by name (see the module
        docstring); ``level`` is a certificate level (``"2"``, ``"1"``) or a post
        (``"principal"``, ``"chief"``), ``tier`` an honour tier's name."""
        check_limit(limit)
        one_of(kind, KINDS, "kind")
        one_of(level, LEVEL_FILTERS, "level")
        if district is not None and not (district.isdigit() and 2 <= len(district) <= 6):
            raise InvalidQuery("district must be 2 to 6 digits of a region code")
        facts = ["f.standing = 1"]
        params: list[Any] = []
        for column, value in (
            ("f.kind", kind),
            ("f.occupation_code", occupation),
            ("f.ladder_id", uuid_text(ladder_id, "ladder_id")),
            ("f.tier", tier),
            ("f.year", year),
        ):
            if value is not None:
                facts.append(f"{column} = ?")
                params.append(value)
        if level is not None:
            facts.append("(f.level = ? OR f.post = ?)")
            params.extend([level, level])
        people: list[str] = []
        employer = uuid_text(employer_id, "employer_id")
        if employer is not None:
            people.append("w.employer_id = ?")
            params.append(employer)
        if district is not None:
            people.append("w.district LIKE ?")
            params.append(district + "%")
        sealed_search = bool(name) and self.store.sealed
        if name and not sealed_search:
            people.append(self.store.contains("w.name"))
            params.append(name)
        # driven by the facts (a few thousand talents among many workers), then by person
        matching = (
            "SELECT w.id, w.name FROM talent_worker w WHERE w.id IN"
            " (SELECT f.worker_id FROM talent_fact f WHERE "
            + " AND ".join(facts)
            + ")"
            + "".join(f" AND {condition}" for condition in people)
        )
        key = decode_cursor("talent-people", after, 2)
        sealer = self.store.sealer
        with self.store.read() as tx:
            if sealed_search:
                everyone = [
                    r
                    for r in tx.dicts(matching + " ORDER BY w.name, w.id", params)
                    if name in sealer.open(r["name"])
                ]
                total = len(everyone)
                if key is not None:
                    everyone = [r for r in everyone if (r["name"], r["id"]) > tuple(key)]
                found = everyone[: limit + 1]
            else:
                total = int(tx.value(f"SELECT COUNT(*) FROM ({matching}) m", params))
                sql, page_params = matching, list(params)
                if key is not None:
                    sql += " AND (w.name, w.id) > (?, ?)"
                    page_params.extend(key)
                found = tx.dicts(sql + " ORDER BY w.name, w.id LIMIT ?", (*page_params, limit + 1))
            page = page_of(found, limit, "talent-people", lambda r: (r["name"], r["id"]))
            people_rows = self._people(tx, [r["id"] for r in page.items])
        for row in people_rows:
            sealer.open_fields(row, "name", "masked_id_number")
        return Page(people_rows, page.next_cursor, {"total": total})

    @staticmethod
    def _people(tx: Any, worker_ids: list[str]) -> list[dict[str, Any]]:
        """The people (in the order of ``worker_ids``), each with all their standing facts."""
        if not worker_ids:
            return []
        marks = ", ".join("?" * len(worker_ids))
        people = {
            row["worker_id"]: {**row, "qualifications": []}
            for row in tx.dicts(
                "SELECT w.id AS worker_id, w.name, w.masked_id_number, w.district,"
                " w.employer_id, e.name AS employer_name FROM talent_worker w"
                f" LEFT JOIN talent_organisation e ON e.id = w.employer_id WHERE w.id IN ({marks})",
                worker_ids,
            )
        }
        facts = tx.dicts(
            "SELECT f.worker_id, f.kind, f.occupation_code, f.occupation_name, f.level,"
            " f.ladder_id, l.name AS ladder_name, f.tier, f.tier_rank, f.award,"
            " c.name AS competition_name, f.post, f.year FROM talent_fact f"
            " LEFT JOIN talent_ladder l ON l.id = f.ladder_id"
            " LEFT JOIN talent_competition c ON c.id = f.competition_id"
            f" WHERE f.standing = 1 AND f.worker_id IN ({marks})",
            worker_ids,
        )
        order = {kind: index for index, kind in enumerate(KINDS)}
        facts.sort(key=lambda f: (order[f["kind"]], -(f["year"] or 0), f["occupation_code"] or ""))
        for fact in facts:
            people[fact.pop("worker_id")]["qualifications"].append(fact)
        return [people[worker_id] for worker_id in worker_ids]

    def ladders(self) -> list[dict[str, Any]]:
        """The honour ladders (id, name, tiers lowest first), by name: the honour filter's
        choices."""
        with self.store.read() as tx:
            rows = tx.dicts("SELECT id, name, tiers FROM talent_ladder ORDER BY name, id")
        for row in rows:
            row["tiers"] = json.loads(row["tiers"])
        return rows

    def employers(self) -> list[dict[str, Any]]:
        """The employers of people in the database now (id, name), by name: the employer
        filter's choices."""
        with self.store.read() as tx:
            return tx.dicts(
                "SELECT DISTINCT o.id, o.name FROM talent_worker w"
                " JOIN talent_organisation o ON o.id = w.employer_id WHERE w.id IN"
                " (SELECT f.worker_id FROM talent_fact f WHERE f.standing = 1)"
                " ORDER BY o.name, o.id"
            )
