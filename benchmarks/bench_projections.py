"""Rebuilding every projection from a large log, against reading the raw log in the same run.

The log is generated quickly but through the real domain: organisations are filed, workers
registered and employed, training recorded, certificates issued with ``domain.issuance``
(numbers from real number series), some suspended, reinstated or revoked, honours awarded and
competitions announced with entrants -- and saved through ``Ledger.save`` in large
multi-aggregate saves (``--save-events`` events each).

Measured in the same run, on the same log:

* baseline ``raw read``: ``ledger.notifications`` + ``ledger.mapper.to_domain_event`` for every
  event (what any consumer of the log must at least do);
* ``rebuild``: every projection of ``projections.all_projections()`` built from zero into a
  fresh store (``ProjectionRunner.catch_up``: a build from zero is a bulk build, with
  ``--bulk-batch`` events per transaction; ``--batch`` is the runner's normal batch size and
  the raw read's page size).

Each is run ``--repeat`` times (alternating, each rebuild into a new store) and the best counts,
in wall-clock and in CPU seconds of this process (a shared machine's load hits wall-clock
times, CPU times much less). Printed: events per second of each and the ratio rebuild / raw
read. Goals: ratio >= 0.25, and a 1,000,000-event rebuild under 120 s on the 2-core reference
machine. ``--each`` also rebuilds each projection alone (to see where the time goes).

    python benchmarks/bench_projections.py [--events 1000000] [--batch 5000] [--bulk-batch 50000]
        [--repeat 2] [--each]
        [--postgres URL]      # log and projections in PostgreSQL (a new schema, dropped after)
        [--keep DIR]          # keep the generated data in DIR (and reuse a log already there)
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from domain.competition import Competition, CompetitionTier
from domain.honour_ladder import HonourLadder
from domain.issuance import issue_certificate
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import (
    PostgresProjectionStore,
    ProjectionStore,
    SQLiteProjectionStore,
)
from service.config import Settings
from service.ledger import Ledger

OCCUPATIONS = ["6-31-01-03", "6-18-02-04", "4-02-07-10", "4-10-01-05", "4-12-01-01"]
PROVINCES = ["11", "12", "31", "32", "37", "44"]
TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]
MARKING_SCHEME = {
    "components": [
        {"name": "practical", "weight": "70", "kind": "measurement"},
        {"name": "theory", "weight": "30", "kind": "judgement"},
    ],
    "combination": "mean",
    "max_spread": "10",
}
ACTOR = "bench"


class LogGenerator:
    """Builds aggregates in memory and yields them in groups of about ``save_events`` events."""

    def __init__(self, seed: int = 7) -> None:
        self.random = random.Random(seed)
        self.employers: list[Organisation] = []
        self.socials: list[Organisation] = []
        self.unions: list[Organisation] = []
        self.series: dict[tuple[str, str, str], CertificateNumberSeries] = {}
        self.ladders: list[HonourLadder] = []
        self.competitions: list[Competition] = []
        self.workers = 0
        self.awards = 0
        self.start = datetime(2019, 1, 1, tzinfo=UTC)

    def organisations(self) -> list[Any]:
        made: list[Any] = []
        scope = {code: ["5", "4", "3", "2", "1"] for code in OCCUPATIONS}
        for index in range(60):
            province = PROVINCES[index % len(PROVINCES)]
            social = index % 6 == 5
            kind = OrganisationKind.SOCIAL if social else OrganisationKind.EMPLOYER
            organisation = Organisation.file(
                filing_code=f"{province}-{kind.value}-{index:06d}",
                name=f"{'培训评价组织' if social else '企业'}{index:02d}",
                kind=kind,
                province_code=province,
                evaluator_prefix=f"{kind.value}{index:04d}{province}{index:06d}",
                scope=scope,
                filed_at=self.start,
                actor=ACTOR,
            )
            (self.socials if social else self.employers).append(organisation)
            made.append(organisation)
        for index, province in enumerate(PROVINCES):
            union = Organisation.file(
                filing_code=f"{province}-U-{index:06d}",
                name=f"总工会{province}",
                kind=OrganisationKind.UNION,
                province_code=province,
                evaluator_prefix=None,
                scope={},
                filed_at=self.start,
                actor=ACTOR,
            )
            self.unions.append(union)
            ladder = HonourLadder.define(
                union_id=union.id, name=f"工匠荣誉阶梯{province}", tiers=TIERS, actor=ACTOR
            )
            self.ladders.append(ladder)
            made.extend([union, ladder])
        return made

    def series_for(self, issuer: Organisation, year: int, level: SkillLevel) -> Any:
        key = (issuer.evaluator_prefix or "", f"{year % 100:02d}", level.code)
        found = self.series.get(key)
        if found is None:
            found = CertificateNumberSeries(
                evaluator_prefix=key[0], issue_year=key[1], level=key[2]
            )
            self.series[key] = found
        return found

    def worker_story(self) -> list[Any]:
        """One worker's history; returns the aggregates it touched."""
        rnd = self.random
        self.workers += 1
        employer = rnd.choice(self.employers)
        worker = Worker.register(
            identity_hash=uuid.UUID(int=rnd.getrandbits(128)).hex,
            id_kind="resident",
            masked_id_number="110105********123X",
            name=f"工人{self.workers}",
            actor=ACTOR,
        )
        since = date(2018, 1, 1) + timedelta(days=rnd.randrange(300))
        worker.start_employment(employer.id, EmploymentRelation.STAFF, since, ACTOR)
        worker.record_career_entry(CareerEntryKind.TRAINING, "岗位技能培训", since, ACTOR)
        touched: dict[int, Any] = {id(worker): worker}
        occupation = find_occupation(rnd.choice(OCCUPATIONS))
        assert occupation is not None
        issued_at = self.start + timedelta(days=rnd.randrange(2000), seconds=rnd.randrange(86400))
        held: list[SkillLevel] = []
        for step in range(rnd.choice((1, 2, 2, 3))):
            level = occupation.levels[step]
            issuer = employer if rnd.random() < 0.8 else rnd.choice(self.socials)
            series = self.series_for(issuer, issued_at.year, level)
            basis = {"kind": rnd.choice(("evaluation", "evaluation", "competition")), "ref": "B"}
            certificate = issue_certificate(
                issuer=issuer,
                worker=worker,
                occupation=occupation,
                level=level,
                basis=basis,
                series=series,
                held_levels=held,
                issued_at=issued_at,
                actor=ACTOR,
            )
            held.append(level)
            touched[id(series)] = series
            touched[id(certificate)] = certificate
            roll = rnd.random()
            if roll < 0.05:
                certificate.suspend(issued_at + timedelta(days=30), ACTOR, "复核")
                certificate.reinstate(issued_at + timedelta(days=60), ACTOR, "复核通过")
            elif roll < 0.08:
                certificate.revoke(issued_at + timedelta(days=90), ACTOR, "材料不实")
            issued_at += timedelta(days=rnd.randrange(200, 700))
        if rnd.random() < 0.06:
            ladder = rnd.choice(self.ladders)
            self.awards += 1
            ladder.award(
                f"A{self.awards}", worker.id, rnd.choice(TIERS), 2020 + rnd.randrange(6), ACTOR
            )
            touched[id(ladder)] = ladder
        if rnd.random() < 0.01 or not self.competitions:
            union = rnd.choice(self.unions)
            competition = Competition.announce(
                organiser=union,
                reference=f"C-{self.workers}",
                name=f"技能大赛{self.workers}",
                tier=CompetitionTier.DISTRICT,
                occupation_code=occupation.code,
                exam_level="3",
                year=2019 + rnd.randrange(7),
                region="110105",
                issuing_body=employer,
                marking_scheme=MARKING_SCHEME,
                actor=ACTOR,
            )
            self.competitions.append(competition)
            touched[id(competition)] = competition
        if rnd.random() < 0.1:
            competition = self.competitions[-1]
            competition.register_entrant(
                worker_id=worker.id,
                name=worker.name,
                entrant_kind="employee",
                employer_id=employer.id,
                employer_name=employer.name,
                at=issued_at,
                actor=ACTOR,
            )
            touched[id(competition)] = competition
        return list(touched.values())

    def saves(self, events: int, save_events: int) -> Iterator[list[Any]]:
        """Groups of aggregates to save, about ``save_events`` events each, ``events`` in all."""
        first = self.organisations()
        total = sum(len(a.pending_events) for a in first)
        group: dict[int, Any] = {id(a): a for a in first}
        counted = {id(a): len(a.pending_events) for a in first}  # events counted per aggregate
        pending = total
        while total < events:
            for aggregate in self.worker_story():
                key = id(aggregate)
                group[key] = aggregate
                now = len(aggregate.pending_events)
                added = now - counted.get(key, 0)
                counted[key] = now
                pending += added
                total += added
            if pending >= save_events:
                yield list(group.values())
                group, counted, pending = {}, {}, 0
        if group:
            yield list(group.values())


def generate(ledger: Ledger, events: int, save_events: int) -> float:
    started = time.perf_counter()
    generator = LogGenerator()
    for aggregates in generator.saves(events, save_events):
        ledger.save(*aggregates)
    return time.perf_counter() - started


class Timing:
    """Wall-clock and CPU (this process) seconds of one run."""

    def __init__(self) -> None:
        self.wall = self.cpu = 0.0

    def __enter__(self) -> Timing:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def raw_read(ledger: Ledger, batch: int) -> tuple[int, Timing]:
    count = 0
    to_domain_event = ledger.mapper.to_domain_event
    with Timing() as timing:
        for notification in ledger.notifications(batch=batch):
            to_domain_event(notification)
            count += 1
    return count, timing


def rebuild(
    ledger: Ledger, store: ProjectionStore, projections: list[Any], batch: int, bulk_batch: int
) -> Timing:
    runner = ProjectionRunner(
        ledger, store, projections, batch_size=batch, bulk_batch_size=bulk_batch
    )
    runner.ensure_ready()
    with Timing() as timing:
        runner.catch_up()
    failures = runner.failures()
    if failures:
        raise SystemExit(f"projection failures: {[f.as_dict() for f in failures]}")
    store.close()
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=5000, help="events per projection transaction")
    parser.add_argument(
        "--bulk-batch",
        type=int,
        default=50_000,
        help="events per transaction of a build from zero (the runner's bulk_batch_size)",
    )
    parser.add_argument("--save-events", type=int, default=20_000, help="events per ledger save")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; the best of each counts")
    parser.add_argument("--each", action="store_true", help="also rebuild each projection alone")
    parser.add_argument("--postgres", metavar="URL", help="use PostgreSQL at URL")
    parser.add_argument("--keep", type=Path, help="keep the generated data in this directory")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-projections-"))
    work.mkdir(parents=True, exist_ok=True)
    schemas: list[str] = []

    def store(name: str) -> ProjectionStore:
        if args.postgres:
            schema = f"bench_{name}_{uuid.uuid4().hex[:8]}"
            schemas.append(schema)
            return PostgresProjectionStore(args.postgres, schema=schema)
        directory = work / name
        shutil.rmtree(directory, ignore_errors=True)
        return SQLiteProjectionStore(directory / "projections.sqlite3")

    if args.postgres:
        import psycopg

        log_schema = f"bench_log_{uuid.uuid4().hex[:8]}"
        schemas.append(log_schema)
        with psycopg.connect(args.postgres, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{log_schema}"')
        settings = Settings(data_dir=work, database_url=args.postgres, postgres_schema=log_schema)
    else:
        settings = Settings(data_dir=work)
    ledger = Ledger(settings)
    try:
        print(f"log: {settings.store_description}")
        if ledger.log_position and args.keep is not None:
            events = ledger.log_position
            print(f"reusing the {events:,} events already in {args.keep}")
        else:
            generated = generate(ledger, args.events, args.save_events)
            events = ledger.log_position
            print(f"generated {events:,} events in {generated:.1f} s ({events / generated:,.0f}/s)")

        projections = all_projections()
        print(f"projections: {', '.join(p.name for p in projections)}")
        raws: list[Timing] = []
        rebuilds: list[Timing] = []
        for round_ in range(1, args.repeat + 1):
            count, raw = raw_read(ledger, args.batch)
            assert count == events, (count, events)
            raws.append(raw)
            rebuilds.append(
                rebuild(ledger, store(f"all{round_}"), projections, args.batch, args.bulk_batch)
            )
            print(
                f"  round {round_}: raw read {raw.wall:6.1f} s wall {raw.cpu:6.1f} s cpu;"
                f" rebuild {rebuilds[-1].wall:6.1f} s wall {rebuilds[-1].cpu:6.1f} s cpu"
            )
        raw_wall = min(t.wall for t in raws)
        raw_cpu = min(t.cpu for t in raws)
        rebuild_wall = min(t.wall for t in rebuilds)
        rebuild_cpu = min(t.cpu for t in rebuilds)
        print(f"best of {args.repeat}:")
        print(
            f"  raw read (notifications + decode): {raw_wall:7.1f} s"
            f"  {events / raw_wall:>10,.0f} events/s  (cpu {raw_cpu:.1f} s)"
        )
        print(
            f"  rebuild all projections:           {rebuild_wall:7.1f} s"
            f"  {events / rebuild_wall:>10,.0f} events/s  (cpu {rebuild_cpu:.1f} s)"
        )
        print(
            f"ratio rebuild / raw read: {raw_wall / rebuild_wall:.3f} wall-clock,"
            f" {raw_cpu / rebuild_cpu:.3f} cpu  (goal >= 0.25)"
        )
        per_million = rebuild_wall * 1_000_000 / events
        print(f"rebuild time scaled to 1,000,000 events: {per_million:.0f} s  (goal < 120 s)")
        raw_rate = events / raw_wall

        if args.each:
            for projection in all_projections():
                alone = rebuild(
                    ledger, store(projection.name), [projection], args.batch, args.bulk_batch
                ).wall
                print(
                    f"  {projection.name:<16} alone: {alone:7.1f} s"
                    f"  {events / alone:>10,.0f} events/s  ratio {events / alone / raw_rate:.3f}"
                )
    finally:
        ledger.close()
        if args.postgres and schemas:
            import psycopg

            with psycopg.connect(args.postgres, autocommit=True) as connection:
                for schema in schemas:
                    connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
