"""Confirming a self-evaluation session: N certificates issued in one atomic save, against
N single-certificate saves and against the raw cost of appending and signing, in the same run.

Per backend (SQLite in a temporary directory; PostgreSQL in a fresh schema of the server named
by ``CRAFTLEDGER_TEST_POSTGRES``, default ``postgresql://postgres@127.0.0.1:5432/test``):

* **setup** (timed, not compared): two employers with N staff each; session A's N candidates
  enrolled and scored through the CSV import (one save per file), published, window elapsed.
* **batch**: ``Ledger.evaluations.confirm_evaluation`` of session A -- load the session and N
  workers, check every candidate, allocate N numbers (one event), build N certificates,
  allocate their status-list entries, check the issuer has a key able to sign them, and save
  everything in one ``save`` (the credentials are built from the log when asked for).
* **single saves** (baseline 1): ``Certificates.issue_certificate`` N times for employer B's staff,
  atomic save each (what issuing without a batch path costs; the same checks, numbers and
  status-list entries). Printed: single / batch.
* **read back** (information): ``Credentials.certificate_credentials`` (read in a few queries,
  build from events, sign) for session A's N certificates -- checked byte for byte against
  the same credentials built and signed one at a time.
* **raw append + sign** (baseline 2, the issue's goal): the same stored events the batch wrote,
  re-keyed before timing, appended with one ``recorder.insert_events`` call (no domain, no
  checks), plus N Ed25519 signatures of the JCS-canonical credentials
  (``harness.raw_append_then``). Printed: raw / batch; goal >= 0.5.

    python benchmarks/bench_evaluation_issue.py [--candidates 5000] [--backends sqlite,postgres]
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from harness import (
    Clock,
    Took,
    events_since,
    hire_staff,
    id_number,
    raw_append_then,
    raw_sign,
    scratch_store,
    timed,
    took,
    unsigned,
)

from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"
GOAL = 0.5


def hire(ledger: Ledger, body_id: Any, first: int, count: int) -> list[IdNumber]:
    """``count`` staff of ``body_id``, their ID numbers from serial ``first`` on."""
    numbers = [id_number(first + i, "110105", date(1960, 1, 1)) for i in range(count)]
    hire_staff(ledger, body_id, [(n, f"职工{n.masked[-4:]}") for n in numbers])
    return numbers


@dataclass
class Figures:
    backend: str
    candidates: int
    setup: dict[str, float]
    batch: Took
    phases: dict[str, float]
    batch_events: int
    singles: int
    single: float
    credentials: float
    raw: Took
    raw_append: Took


def run(backend: str, candidates: int, single_count: int) -> Figures:
    clock = Clock(datetime(2024, 9, 2, 2, 0, tzinfo=UTC))
    setup: dict[str, float] = {}
    with scratch_store(postgres=backend != "sqlite") as settings:
        ledger = Ledger(settings, clock=clock)
        try:
            bodies = []
            for n in (1, 2):
                bodies.append(
                    ledger.organisations.file_organisation(
                        filing_code=f"bench-{n}",
                        name=f"基准企业{n}",
                        kind=OrganisationKind.EMPLOYER,
                        province_code="11",
                        evaluator_prefix=f"Y00001100000{n}",
                        scope={ELECTRICIAN: ["5", "4", "3"]},
                        actor="bench",
                    ).aggregate.id
                )
            setup["hire"], staff = timed(lambda: hire(ledger, bodies[0], 0, candidates))
            others = hire(ledger, bodies[1], 500_000, single_count)
            session = ledger.evaluations.plan_evaluation(
                body_id=bodies[0],
                reference="BENCH-1",
                occupation_code=ELECTRICIAN,
                level=SkillLevel.LEVEL_4,
                starts_on=date(2024, 9, 9),
                ends_on=date(2024, 9, 20),
                panels={"practical": ["甲", "乙", "丙"]},
                actor="bench",
            ).aggregate.id
            clock.china_day(date(2024, 9, 20))
            rows = "\n".join(f"{n.reveal()},职工{n.masked[-4:]},4-years,2015-01-01" for n in staff)
            data = f"id_number,name,route,experience_since\n{rows}\n".encode()
            setup["import candidates"], report = timed(
                lambda: ledger.evaluations.import_candidates(
                    session, data, dry_run=False, actor="bench"
                )
            )
            assert report.recorded, report.problems[:3]
            rows = "\n".join(
                f"{n.reveal()},80,丁,75.5,甲\n{n.reveal()},,,75.5,乙\n{n.reveal()},,,75.5,丙"
                for n in staff
            )
            data = (
                "id_number,theory,theory_examiner,practical,practical_examiner\n" + rows + "\n"
            ).encode()
            setup["import scores"], report = timed(
                lambda: ledger.evaluations.import_scores(
                    session, data, dry_run=False, actor="bench"
                )
            )
            assert report.recorded, report.problems[:3]
            clock.china_day(date(2024, 9, 27))
            ledger.evaluations.publish_results(session, actor="bench")
            clock.china_day(date(2024, 10, 11))

            before = ledger.log_position
            stages: dict[str, float] = {}

            def progress(stage: str, done: int, total: int) -> None:
                stages.setdefault(stage, time.perf_counter())

            start = time.perf_counter()
            batch, recorded = took(
                lambda: ledger.evaluations.confirm_evaluation(
                    session, actor="bench", progress=progress
                )
            )
            marks = [("load session", start), *stages.items(), ("end", start + batch.wall)]
            phases = {name: later - at for (name, at), (_, later) in itertools.pairwise(marks)}
            evaluation = recorded.aggregate
            assert evaluation.issued["count"] == candidates
            written = events_since(ledger, before)

            def singles() -> None:
                for number in others[:single_count]:
                    ledger.certificates.issue_certificate(
                        issuer_id=bodies[1],
                        worker_id=ledger.worker_id_for(number),
                        occupation_code=ELECTRICIAN,
                        level=SkillLevel.LEVEL_5,
                        basis={"kind": "evaluation", "reference": "BENCH-2"},
                        actor="bench",
                    )

            single, _ = timed(singles)

            issued = [c["certificate_number"] for c in evaluation.candidates.values()]
            credentials, documents = timed(
                lambda: ledger.credentials.certificate_credentials(issued)
            )
            sample = issued[:: max(1, len(issued) // 20)]
            assert [documents[issued.index(n)] for n in sample] == [
                ledger.credentials.certificate_credential(n) for n in sample
            ], "a bulk read-back differs from one built alone"

            bare = unsigned(documents)
            raw_took, append_took = raw_append_then(ledger, written, lambda: raw_sign(bare))
            return Figures(
                backend,
                candidates,
                setup,
                batch,
                phases,
                len(written),
                single_count,
                single,
                credentials,
                raw_took,
                append_took,
            )
        finally:
            ledger.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--singles",
        type=int,
        default=None,
        help="single saves to time (default: as many as candidates)",
    )
    args = parser.parse_args()
    singles = args.candidates if args.singles is None else min(args.singles, args.candidates)
    print(f"confirming a {args.candidates}-candidate session (all pass)\n")
    for backend in args.backends.split(","):
        figures = run(backend, args.candidates, singles)
        n = figures.candidates
        print(f"== {backend}")
        for name, seconds in figures.setup.items():
            print(f"  setup {name:<22} {seconds:8.2f} s")
        batch = figures.batch
        print(
            f"  batch: one save            {batch.wall:8.2f} s   (CPU {batch.cpu:.2f} s)   "
            f"{n / batch.wall:6.0f} certificates/s   ({figures.batch_events} events)"
        )
        for phase, seconds in figures.phases.items():
            print(f"    {phase:<30} {seconds:8.2f} s")
        k = figures.singles
        single_n = figures.single * n / k
        print(
            f"  baseline: {k} single saves {figures.single:8.2f} s   "
            f"{k / figures.single:8.0f} certificates/s"
            + (
                ""
                if k == n
                else f"   (x {n}/{k} = {single_n:.1f} s for {n}: linear, an underestimate: "
                "the series and status blocks grow with every save)"
            )
        )
        print(f"  ratio single / batch       {single_n / batch.wall:8.1f} x faster")
        print(
            f"  read back credentials      {figures.credentials:8.2f} s   "
            f"{n / figures.credentials:8.0f} credentials/s   (from the log, re-signed: "
            "identical to one built alone)"
        )
        raw = figures.raw
        print(
            f"  baseline: raw append + sign {raw.wall:7.2f} s   (CPU {raw.cpu:.2f} s; median of 3;"
            f" append {figures.raw_append.wall:.2f} s: one insert_events of the same "
            f"{figures.batch_events} stored events, re-keyed; then JCS + Ed25519 of the same "
            f"{n} credentials)"
        )
        ratio = raw.wall / batch.wall
        cpu = f" (CPU {raw.cpu / batch.cpu:.2f})" if backend == "sqlite" else ""
        print(
            f"  ratio raw / batch          {ratio:8.2f}{cpu}   "
            f"(goal >= {GOAL}: {'met' if ratio >= GOAL else 'NOT met'})\n"
        )


if __name__ == "__main__":
    main()
