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
* **end to end through the API** (information): a second session of N candidates confirmed
  by ``POST /api/v1/evaluations/{id}/confirm`` (Flask test client, an issuer's token), answered
  202 with a job that the app's job runner runs while the client polls ``GET /api/v1/jobs/{id}``
  until it has succeeded. Printed: certificates per second from the POST to the job's success.
* **read back** (information): ``Credentials.certificate_credentials`` (read in a few queries,
  build from events, sign) for ``--read-back`` of session A's certificates -- checked byte for
  byte against the same credentials built and signed one at a time.
* **raw append + sign** (baseline 2, the guard): the same stored events the batch wrote,
  re-keyed before timing, appended with one ``recorder.insert_events`` call (no domain, no
  checks), plus N Ed25519 signatures of the JCS-canonical credentials
  (``harness.raw_append_then``). Printed: raw / batch on wall time; the guard (issue 22)
  keeps it at or above 0.25 on SQLite and 0.4 on PostgreSQL. (The earlier goal of 0.5
  measured the event library's per-event cost and is retired.)

    python benchmarks/bench_evaluation_issue.py [--candidates 5000] [--backends sqlite,postgres]
        [--singles N] [--read-back 500]
"""

from __future__ import annotations

import argparse
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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

from domain.api_token import Role
from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from service.app import create_app
from service.ledger import Ledger

ELECTRICIAN = "6-31-01-03"
GUARD = {"sqlite": 0.25, "postgres": 0.4}
"""Raw append + sign over the batch, on wall time: the floor confirming must stay above (issue
22; the goal of 0.5 measured the event library's per-event cost and is retired)."""


def hire(ledger: Ledger, body_id: Any, first: int, count: int) -> list[IdNumber]:
    """``count`` staff of ``body_id``, their ID numbers from serial ``first`` on."""
    numbers = [id_number(first + i, "110105", date(1960, 1, 1)) for i in range(count)]
    hire_staff(ledger, body_id, [(n, f"职工{n.masked[-4:]}") for n in numbers])
    return numbers


def prepare(
    ledger: Ledger,
    clock: Clock,
    body_id: Any,
    reference: str,
    staff: list[IdNumber],
    setup: dict[str, float] | None = None,
    weeks_later: int = 0,
) -> Any:
    """A session of ``staff`` planned, its candidates and scores imported (one save per file,
    each examiner of the practical panel marking), and its results published (公示), its
    dates ``weeks_later`` than the first's; the clock is left on the day of publication.
    Times the imports into ``setup`` if given."""
    times = setup if setup is not None else {}
    shift = timedelta(weeks=weeks_later)
    session = ledger.evaluations.plan_evaluation(
        body_id=body_id,
        reference=reference,
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_4,
        starts_on=date(2024, 9, 9) + shift,
        ends_on=date(2024, 9, 20) + shift,
        panels={"practical": ["甲", "乙", "丙"]},
        actor="bench",
    ).aggregate.id
    clock.china_day(date(2024, 9, 20) + shift)
    rows = "\n".join(f"{n.reveal()},职工{n.masked[-4:]},4-years,2015-01-01" for n in staff)
    data = f"id_number,name,route,experience_since\n{rows}\n".encode()
    times["import candidates"], report = timed(
        lambda: ledger.evaluations.import_candidates(session, data, dry_run=False, actor="bench")
    )
    assert report.recorded, report.problems[:3]
    rows = "\n".join(
        f"{n.reveal()},80,丁,75.5,甲\n{n.reveal()},,,75.5,乙\n{n.reveal()},,,75.5,丙" for n in staff
    )
    data = ("id_number,theory,theory_examiner,practical,practical_examiner\n" + rows).encode()
    times["import scores"], report = timed(
        lambda: ledger.evaluations.import_scores(session, data, dry_run=False, actor="bench")
    )
    assert report.recorded, report.problems[:3]
    clock.china_day(date(2024, 9, 27) + shift)
    ledger.evaluations.publish_results(session, actor="bench")
    return session


def confirm_through_the_api(ledger: Ledger, body_id: Any, session: Any) -> float:
    """Wall seconds from ``POST /api/v1/evaluations/{id}/confirm`` (answered 202 with the job)
    until the job, polled as a client would, has succeeded: the end-to-end issuing path."""
    app = create_app(
        {"TESTING": True, "RATELIMIT_ENABLED": False, "RUN_PROJECTIONS": False}, ledger=ledger
    )
    try:
        ledger.tokens.grant_token(
            token="bench-issuer-token", role=Role.ISSUER, organisation_id=body_id, actor="bench"
        )
        client = app.test_client()
        headers = {"Authorization": "Bearer bench-issuer-token"}
        start = time.perf_counter()
        accepted = client.post(f"/api/v1/evaluations/{session}/confirm", headers=headers)
        assert accepted.status_code == 202, accepted.json
        while True:
            job = client.get(accepted.headers["Location"], headers=headers).json or {}
            if job["state"] in ("succeeded", "failed"):
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        assert job["state"] == "succeeded", job
        return seconds
    finally:
        jobs = app.extensions.get("craftledger_jobs")
        if jobs is not None:
            jobs.stop()
            jobs.store.close()
        app.extensions["craftledger"].close()


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
    api: float
    read_back: int


def run(backend: str, candidates: int, single_count: int, read_back: int) -> Figures:
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
            session = prepare(ledger, clock, bodies[0], "BENCH-1", staff, setup)
            through_api = prepare(
                ledger,
                clock,
                bodies[0],
                "BENCH-3",
                hire(ledger, bodies[0], 200_000, candidates),
                weeks_later=5,
            )
            clock.china_day(date(2024, 11, 15))  # both windows have elapsed

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
            api = confirm_through_the_api(ledger, bodies[0], through_api)

            issued = [c["certificate_number"] for c in evaluation.candidates.values()]
            every = issued
            issued = issued[:read_back]
            credentials, documents = timed(
                lambda: ledger.credentials.certificate_credentials(issued)
            )
            sample = issued[:: max(1, len(issued) // 20)]
            assert [documents[issued.index(n)] for n in sample] == [
                ledger.credentials.certificate_credential(n) for n in sample
            ], "a bulk read-back differs from one built alone"

            # the raw baseline signs all N, built unsigned before its clock starts
            bare = [ledger.credentials.unsigned_certificate_credential(n)[1] for n in every]
            assert bare[: len(documents)] == unsigned(documents)
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
                api,
                len(issued),
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
    parser.add_argument(
        "--read-back",
        type=int,
        default=500,
        help="credentials to read back and sign (information; each is signed twice)",
    )
    args = parser.parse_args()
    singles = args.candidates if args.singles is None else min(args.singles, args.candidates)
    print(f"confirming a {args.candidates}-candidate session (all pass)\n")
    for backend in args.backends.split(","):
        figures = run(backend, args.candidates, singles, args.read_back)
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
            f"  end to end through the API {figures.api:8.2f} s   {n / figures.api:8.0f} "
            "certificates/s   (POST …/confirm answered 202, the job run and polled until it "
            "succeeded; another session of the same size)"
        )
        print(
            f"  read back {figures.read_back} credentials {figures.credentials:6.2f} s   "
            f"{figures.read_back / figures.credentials:8.0f} credentials/s   (from the log, "
            "re-signed: identical to one built alone)"
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
        guard = GUARD[backend]
        print(
            f"  ratio raw / batch          {ratio:8.2f}{cpu}   "
            f"(guard >= {guard}: {'kept' if ratio >= guard else 'NOT kept'})\n"
        )


if __name__ == "__main__":
    main()
