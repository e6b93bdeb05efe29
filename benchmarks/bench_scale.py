"""Verification at national scale: lookup, national-query and credential latency from 10,000 to
1,000,000 certificates of ONE issuer, bytes on disk per certificate, the time to rebuild every
projection from the log, the server process's memory, and the issuer's status lists.

**Generation** (timed, printed as certificates per second): one social training organisation
(社会培训评价组织, which evaluates the public, so no employment is needed) issues batches of
``--batch`` certificates through the domain's batch issuance, the same calls the evaluation
confirmation makes: ``--batch`` new ``Worker`` aggregates with their sealed subject
identifiers, ``domain.issuance.issue_certificates`` (every candidate checked, one serial
allocation on the number series), ``Credentials.credential_records_for`` (each certificate's
random, never-reused status list entries, opening the issuer's next list when one is 3/4 full)
and one atomic ``Ledger.save`` of the batch. The evaluation session itself (enrolment, scores,
公示) is left out: it is measured by ``bench_evaluation_issue.py``.

**At each checkpoint** (``--checkpoints``, default 10k, 100k, 1M up to ``--max``) a fresh
process, standing in for a server started on the store, builds the app (``create_app`` with
the ledger of the store), catches its read models up with the log (timed: incremental after the
first), and times ``--lookups`` requests of each kind for random certificates through the Flask
test client in that process (in-process WSGI, no sockets: the framework's routing, auth, JSON
and the service layer are in, gunicorn and the network are not):

* ``GET /api/v1/certificates/{number}`` (certificate lookup, the directory read model);
* ``POST /api/v1/verify`` with number, name and ID number (the national query; the rate limit
  is lifted in this app only);
* ``GET /api/v1/certificates/{number}/credential`` (the signed credential).

Each answer is checked (200, ``valid``). Printed: median and p99 per kind, the ratio of the
largest checkpoint's median to the first's (goal: at most 1.2), bytes on disk per certificate
(events: the event store with its snapshots; projections: the read-model store; SQLite files
after a WAL checkpoint, or PostgreSQL ``pg_total_relation_size`` of each table), the measuring
process's resident memory (VmRSS) after its lookups, and the issuer's status lists (lists
beyond the first: no ceiling per issuer). At the largest checkpoint every projection is also
rebuilt from zero from the log into a fresh store (timed).

    python benchmarks/bench_scale.py [--max 100000] [--checkpoints 10000,100000,1000000]
        [--batch 5000] [--lookups 300] [--postgres] [--list-size N] [--keep DIR]

``--postgres`` stores everything in a fresh database on the server of
``CRAFTLEDGER_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``), dropped
afterwards. ``--list-size`` shrinks the entries drawn from in each status list (the lists
served keep 131,072 entries; a smoke test uses it to open several lists with few certificates).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eventsourcing.persistence import OperationalError
from harness import POSTGRES_URL, Clock, id_number

from domain.issuance import IssueRequest, issue_certificates
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.skill_level import SkillLevel
from domain.status_list_allocation import LIST_SIZE
from domain.worker import Worker
from service.config import Settings
from service.ledger import Ledger

ACTOR = "bench-scale"
ELECTRICIAN = "6-31-01-03"
PREFIX = "S000011000009"
AREA, BORN_FROM = "110105", date(1960, 1, 1)
PER_SERIES = 900_000
"""Certificates issued per calendar year before the clock moves on a year: a number series
(prefix, year, level) holds 999,999 serials."""
GOAL = 1.2
RETRIES = 5
"""Attempts at a batch, or a measurement, when the store goes away (the shared PostgreSQL
server is restarted by other test runs on this machine)."""
KINDS = ("lookup", "verify", "credential")


def holder_name(serial: int) -> str:
    return f"工人{serial}"


# -- the store ---------------------------------------------------------------------------------


@contextmanager
def fresh_store(postgres: bool, keep: Path | None) -> Iterator[Settings]:
    """Settings for a new store: SQLite in a directory (``keep`` or a temporary one), or a
    fresh PostgreSQL database (dropped afterwards)."""
    directory = Path(tempfile.mkdtemp(prefix="bench-scale-")) if keep is None else keep
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
        keep.mkdir(parents=True)
    try:
        if not postgres:
            yield Settings(data_dir=directory)
            return
        import psycopg

        name = f"bench_scale_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield Settings(data_dir=directory, database_url=_database_url(name))
        finally:
            with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if keep is None:
            shutil.rmtree(directory, ignore_errors=True)


def _database_url(name: str) -> str:
    base, _, _ = POSTGRES_URL.rpartition("/")
    return f"{base}/{name}"


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {"data_dir": str(settings.data_dir), "database_url": settings.database_url}


def _settings_from(data: dict[str, Any]) -> Settings:
    return Settings(data_dir=Path(data["data_dir"]), database_url=data["database_url"])


def disk_bytes(settings: Settings) -> dict[str, int]:
    """Bytes of the event store (events, snapshots) and of the read-model store."""
    if settings.database_url:
        import psycopg

        sizes = {"events": 0, "projections": 0}
        with psycopg.connect(settings.database_url, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN "
                "('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            ).fetchall()
        for name, size in rows:
            sizes["events" if _is_event_table(name) else "projections"] += int(size)
        return sizes
    sizes = {"events": 0, "projections": 0, "other": 0}
    for path in settings.data_dir.glob("*.sqlite3"):
        try:
            with sqlite3.connect(path) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
    for path in settings.data_dir.iterdir():
        if not path.is_file():
            continue
        stem = path.name.split(".sqlite3")[0]
        if stem == "projections":
            sizes["projections"] += path.stat().st_size
        elif stem in {"craftledger", "ledger", "events"}:
            sizes["events"] += path.stat().st_size
        else:
            sizes["other"] += path.stat().st_size
    return sizes


def _is_event_table(name: str) -> bool:
    return name.endswith(("_events", "_snapshots", "notification_tracking")) or name in {
        "stored_events",
        "snapshots",
    }


# -- generation --------------------------------------------------------------------------------


@dataclass
class Generator:
    """One issuer's certificates, issued through the domain in batches, saved in one save each."""

    ledger: Ledger
    clock: Clock
    issuer: Organisation
    batch: int
    issued: list[str] = field(default_factory=list)
    series: dict[int, CertificateNumberSeries] = field(default_factory=dict)
    seconds: float = 0.0
    events: int = 0

    @classmethod
    def start(cls, ledger: Ledger, clock: Clock, batch: int) -> Generator:
        issuer = ledger.organisations.file_organisation(
            filing_code="bench-scale-1",
            name="全国职业技能培训评价中心",
            kind=OrganisationKind.SOCIAL,
            province_code="11",
            evaluator_prefix=PREFIX,
            scope={ELECTRICIAN: ["5", "4", "3"]},
            actor=ACTOR,
        ).aggregate
        return cls(ledger, clock, ledger.organisation(issuer.id), batch)

    def series_for(self, year: int) -> CertificateNumberSeries:
        if year not in self.series:
            self.series[year] = self.ledger.certificates.number_series(
                self.issuer, year, SkillLevel.LEVEL_5
            )
        return self.series[year]

    def issue_until(self, total: int) -> None:
        while len(self.issued) < total:
            first = len(self.issued)
            count = min(self.batch, total - first)
            year = 2024 + first // PER_SERIES
            if self.clock.now.year < year:
                self.clock.china_day(date(year, 1, 6))
            for attempt in range(1, RETRIES + 1):
                try:
                    start = time.perf_counter()
                    self.issued += self.issue_batch(first, count, year)
                    self.seconds += time.perf_counter() - start
                    break
                except OperationalError as error:  # the shared server was restarted
                    if attempt == RETRIES:
                        raise
                    print(f"  the store went away ({error}); the batch again", flush=True)
                    time.sleep(5)
                    self.series.clear()  # a failed save records nothing: read them again
                    self.issuer = self.ledger.organisation(self.issuer.id)
            done = len(self.issued)
            if done % max(self.batch, 50_000) < self.batch or done == total:
                print(
                    f"  generated {done:>9,} certificates  {self.events:>10,} events  "
                    f"{done / self.seconds:7.0f} certificates/s",
                    flush=True,
                )

    def issue_batch(self, first: int, count: int, year: int) -> list[str]:
        """Serials ``first`` to ``first + count``: new workers, their certificates and status
        list entries, in one save; returns the certificates' numbers."""
        occupation = find_occupation(ELECTRICIAN)
        assert occupation is not None
        workers: list[Worker] = []
        identifiers: list[Any] = []
        for serial in range(first, first + count):
            number = id_number(serial, AREA, BORN_FROM)
            worker = Worker.register(
                identity_hash=self.ledger.identity_hash(number),
                id_kind=number.kind.value,
                masked_id_number=number.masked,
                name=holder_name(serial),
                actor=ACTOR,
            )
            workers.append(worker)
            identifiers += self.ledger.credentials.subject_identifier_for(worker, number)
        basis = {"kind": "evaluation", "reference": f"SCALE-{first // self.batch + 1}"}
        series = self.series_for(year)
        certificates = issue_certificates(
            issuer=self.issuer,
            occupation=occupation,
            level=SkillLevel.LEVEL_5,
            series=series,
            requests=[IssueRequest(worker=w, basis=basis) for w in workers],
            issued_at=self.clock(),
            actor=ACTOR,
        )
        records = self.ledger.credentials.credential_records_for(
            self.issuer, certificates, actor=ACTOR
        )
        aggregates = [series, *certificates, *workers, *identifiers, *records]
        events = sum(len(a.pending_events) for a in aggregates)
        self.ledger.save(*aggregates)
        self.events += events
        return [c.number for c in certificates]


# -- measuring (in a fresh process: the server) ------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(request: dict[str, Any]) -> dict[str, Any]:
    """Build the app on the store, catch the read models up, time the lookups (this runs in
    its own process, so its memory is the server's, not the generator's).

    The read models are caught up first in a process of their own (``catch_up_only``), as
    ``craftledger projections run`` would, so the memory measured is a server's serving an
    up-to-date store, not what folding the new events left behind."""
    from projections import all_projections
    from projections.runner import ProjectionRunner
    from projections.store import PostgresProjectionStore, SQLiteProjectionStore
    from service.app import create_app

    settings = _settings_from(request["settings"])
    ledger = Ledger(settings)
    app = create_app(
        {"TESTING": True, "RATELIMIT_ENABLED": False, "RUN_PROJECTIONS": False}, ledger=ledger
    )
    shared = app.extensions["craftledger"]
    result: dict[str, Any] = {}
    try:
        if request.get("catch_up_only"):
            started = time.perf_counter()
            shared.runner.catch_up()
            assert not shared.runner.failures(), shared.runner.failures()
            return {"catch_up": time.perf_counter() - started}
        caught_up = measure_in_a_fresh_process({**request, "catch_up_only": True})
        result["catch_up"] = caught_up["catch_up"]
        assert shared.runner.catch_up() == 0, "the read models were not caught up"
        client = app.test_client()
        samples = request["samples"]
        warm, timed_samples = samples[:20], samples[20:]

        def lookup(number: str, name: str, id_no: str) -> None:
            answer = client.get(f"/api/v1/certificates/{number}")
            assert answer.status_code == 200, (answer.status_code, answer.get_data()[:300])

        def verify(number: str, name: str, id_no: str) -> None:
            answer = client.post(
                "/api/v1/verify", json={"number": number, "name": name, "id_number": id_no}
            )
            assert answer.status_code == 200, (answer.status_code, answer.get_data()[:300])
            assert (answer.json or {}).get("result") == "valid", answer.json

        def credential(number: str, name: str, id_no: str) -> None:
            answer = client.get(f"/api/v1/certificates/{number}/credential")
            assert answer.status_code == 200, (answer.status_code, answer.get_data()[:300])

        calls = {"lookup": lookup, "verify": verify, "credential": credential}
        latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
        cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
        for sample in warm:
            for kind in KINDS:
                calls[kind](*sample)
        for sample in timed_samples:  # interleaved, so load on the machine hits all alike
            for kind in KINDS:
                start, thread = time.perf_counter(), time.thread_time()
                calls[kind](*sample)
                latencies[kind].append(time.perf_counter() - start)
                cpu[kind].append(time.thread_time() - thread)
        for kind, values in latencies.items():
            result[kind] = {
                "median": statistics.median(values),
                "p99": percentile(values, 0.99),
                "cpu": statistics.median(cpu[kind]),
                "n": len(values),
            }
        result["rss"] = _rss_bytes()
        result["status_lists"] = ledger.credentials.status_lists.list_count(
            UUID(request["issuer_id"])
        )
        if request.get("rebuild"):
            scratch = Path(tempfile.mkdtemp(prefix="bench-scale-rebuild-"))
            schema = f"rebuild_{uuid.uuid4().hex[:8]}"
            try:
                if settings.database_url:
                    store: Any = PostgresProjectionStore(settings.database_url, schema=schema)
                else:
                    store = SQLiteProjectionStore(scratch / "projections.sqlite3")
                runner = ProjectionRunner(ledger, store, all_projections())
                runner.ensure_ready()
                started = time.perf_counter()
                events = runner.catch_up()
                result["rebuild"] = time.perf_counter() - started
                result["rebuild_events"] = events
                assert not runner.failures(), runner.failures()
                store.close()
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
                if settings.database_url:
                    import psycopg

                    with psycopg.connect(settings.database_url, autocommit=True) as c:
                        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        shared.close()
        ledger.close()
    return result


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def measure_in_a_fresh_process(request: dict[str, Any]) -> dict[str, Any]:
    """``measure(request)`` in a new process, again if the store went away meanwhile."""
    for attempt in range(1, RETRIES + 1):
        try:
            return _measure_once(request)
        except RuntimeError as error:
            if attempt == RETRIES or "OperationalError" not in str(error):
                raise
            print("  the store went away while measuring; measuring again", flush=True)
            time.sleep(5)
    raise AssertionError("unreachable")


def _measure_once(request: dict[str, Any]) -> dict[str, Any]:
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"measuring failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the run -----------------------------------------------------------------------------------


@dataclass
class Checkpoint:
    certificates: int
    events: int
    rate: float
    figures: dict[str, Any]
    disk: dict[str, int]


def run(args: argparse.Namespace) -> list[Checkpoint]:
    checkpoints = sorted({c for c in args.checkpoints if c <= args.max} | {args.max})
    rng = random.Random(22)
    results: list[Checkpoint] = []
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"bench_scale: {backend}, one issuer, checkpoints "
        f"{', '.join(f'{c:,}' for c in checkpoints)}; batches of {args.batch:,}; "
        f"{args.lookups} lookups of each kind per checkpoint; status lists drawn from "
        f"{args.list_size:,} entries each",
        flush=True,
    )
    with fresh_store(args.postgres, args.keep) as settings:
        clock = Clock(datetime(2024, 1, 8, 2, 0, tzinfo=UTC))
        ledger = Ledger(settings, clock=clock)
        try:
            ledger.credentials.status_lists.list_size = args.list_size
            generator = Generator.start(ledger, clock, args.batch)
            for checkpoint in checkpoints:
                generator.issue_until(checkpoint)
                serials = rng.sample(range(checkpoint), min(checkpoint, args.lookups + 20))
                samples = [
                    (generator.issued[s], holder_name(s), id_number(s, AREA, BORN_FROM).reveal())
                    for s in serials
                ]
                last = checkpoint == checkpoints[-1]
                print(
                    f"  measuring at {checkpoint:,}"
                    + (" (and rebuilding every projection)" if last else ""),
                    flush=True,
                )
                figures = measure_in_a_fresh_process(
                    {
                        "settings": _settings_json(settings),
                        "samples": samples,
                        "issuer_id": str(generator.issuer.id),
                        "rebuild": last,
                    }
                )
                disk = disk_bytes(settings)
                results.append(
                    Checkpoint(
                        checkpoint,
                        ledger.log_position,
                        checkpoint / generator.seconds,
                        figures,
                        disk,
                    )
                )
                print(_progress_line(results[-1]), flush=True)
                print(table(results, args.postgres), flush=True)
        finally:
            ledger.close()
    return results


def _progress_line(point: Checkpoint) -> str:
    f = point.figures
    return "    " + "   ".join(
        f"{kind} median {f[kind]['median'] * 1000:.2f} ms p99 {f[kind]['p99'] * 1000:.2f} ms"
        for kind in KINDS
    )


def _latency_cell(figures: dict[str, Any]) -> str:
    cell = f"{figures['median'] * 1000:.2f} / {figures['p99'] * 1000:.2f}"
    return cell + (f" ({figures['cpu'] * 1000:.2f})" if "cpu" in figures else "")


def table(results: list[Checkpoint], postgres: bool) -> str:
    first, last = results[0], results[-1]
    lines = [
        f"== bench_scale ({'PostgreSQL' if postgres else 'SQLite'}; latencies in ms, in-process "
        f"through the Flask test client, median / p99 of {first.figures['lookup']['n']} each, "
        "and (the median CPU time of the measuring thread, which leaves out waiting for a CPU on "
        "a busy machine)",
        "",
        "| certificates | events | generated/s | lookup | verify | credential | events B/cert "
        "| projections B/cert | RSS MB | status lists | catch-up s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for point in results:
        f = point.figures
        n = point.certificates
        cells = [
            f"{n:,}",
            f"{point.events:,}",
            f"{point.rate:,.0f}",
            *(_latency_cell(f[k]) for k in KINDS),
            f"{point.disk['events'] / n:,.0f}",
            f"{point.disk['projections'] / n:,.0f}",
            f"{f['rss'] / 2**20:,.0f}",
            f"{f['status_lists']}",
            f"{f['catch_up']:.1f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    for kind in KINDS:
        ratio = last.figures[kind]["median"] / first.figures[kind]["median"]
        verdict = "met" if ratio <= GOAL else "NOT met"
        on_cpu = ""
        if "cpu" in last.figures[kind] and "cpu" in first.figures[kind]:
            cpu_ratio = last.figures[kind]["cpu"] / first.figures[kind]["cpu"]
            on_cpu = f"; CPU {cpu_ratio:.2f}: {'met' if cpu_ratio <= GOAL else 'NOT met'}"
        lines.append(
            f"{kind:<10} median at {last.certificates:,} / at {first.certificates:,}: "
            f"{ratio:.2f} (goal <= {GOAL}: {verdict}{on_cpu})"
        )
    rebuild = last.figures.get("rebuild")
    if rebuild is not None:
        events = last.figures["rebuild_events"]
        lines.append(
            f"rebuild of every projection from the log at {last.certificates:,} certificates: "
            f"{rebuild:.1f} s ({events:,} events, {events / rebuild:,.0f} events/s)"
        )
    lines.append(
        f"server process RSS at {last.certificates:,}: {last.figures['rss'] / 2**20:,.0f} MB; "
        f"the issuer's status lists: {last.figures['status_lists']} "
        f"({max(0, last.figures['status_lists'] - 1)} beyond the first)"
    )
    return "\n".join(lines)


def main() -> None:
    if "--measure" in sys.argv[1:]:
        print(json.dumps(measure(json.loads(sys.stdin.read()))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max", type=int, default=100_000)
    parser.add_argument(
        "--checkpoints",
        type=lambda text: [int(part) for part in text.split(",")],
        default=[10_000, 100_000, 1_000_000],
    )
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--list-size", type=int, default=LIST_SIZE)
    parser.add_argument("--keep", type=Path, default=None, help="keep the store in this directory")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args)
    print()
    print(table(results, args.postgres))
    print(f"\n(whole run {time.perf_counter() - started:,.0f} s)")


if __name__ == "__main__":
    main()
