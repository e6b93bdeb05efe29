"""Finalising a big competition and approving its promotions, against the raw cost of appending
and signing the same amount in the same run (issue 6).

Setup (not timed): a union that organises, a filed social evaluation body that issues the
promotion certificates, an employer with N staff (every tenth already holds 中级工 in the
occupation, so the engine has levels to read), and an enterprise-level competition under the
Tianjin 2024 rules (top 30% promoted) with a marking scheme of 2 components (practical 70,
theory 30) x 3 judges (trimmed mean). N entrants are registered; every judge marks every
entrant on every component on marking sheets of ``--sheet`` entrants (one ``MarksRecorded``
event each); both components are locked. Entrants and marks are recorded through the domain
on one loaded competition and saved once (the same stored events the API would write, minus
hours of reloading); the locks go through the Ledger.

Timed, on the store (SQLite in a temporary directory, or with ``--postgres`` a fresh schema of
the server named by ``CRAFTLEDGER_TEST_POSTGRES``):

* **(a) finalise**: ``Competitions.finalise_competition`` -- load the competition, score and rank
  everyone, read the current level and the year's promotions of each entrant some rule may
  promote, propose promotions, allocate the awards' status-list entries, save.
* **(a') raw**: the same number of events of the same sizes as (a) wrote (its stored events,
  re-keyed) appended with one ``recorder.insert_events`` call, plus the ranking with a pure
  Python sort (trimmed means and weighted totals from the marks in memory, one ``sorted``).
* **(b) approve**: ``Competitions.approve_promotions`` of every proposal -- the engine asked again,
  certificates, workers, number series, status-list entries and the approvals in one save,
  the issuer's signing key checked before it (an issuer that cannot sign refuses the approval).
* **read back** (information): ``Credentials.certificate_credentials`` for the same certificates,
  built from the log and signed -- a sample checked equal, byte for byte, to one at a time.
* **(b') raw**, as (a') and as issue 5's benchmark: the stored events (b) wrote, re-keyed,
  appended with one ``insert_events`` call, plus one Ed25519 signature per certificate over
  the JCS bytes of its credential. **(b'') one event per certificate** (information, the
  stricter reading): one event of the size of each certificate's creation event instead of
  (b)'s four (certificate, worker, status entry, approval).

Printed: wall times (and this process's CPU time: on a busy machine it leaves out waiting,
on PostgreSQL also the server's work), rates and the ratios raw / ours on wall time (goal >= 0.5
each; on SQLite the CPU ratio too). The baseline's ranking is checked against the published
one (same scores in the same order).

    python benchmarks/bench_competition.py [--entrants 10000] [--sheet 100] [--postgres]
"""

from __future__ import annotations

import argparse
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from eventsourcing.persistence import StoredEvent
from harness import (
    Clock,
    Took,
    events_since,
    hire_staff,
    id_number,
    median_took,
    raw_append_then,
    raw_sign,
    scratch_store,
    timed,
    took,
    unsigned,
)

from domain.competition import Competition, MarkEntry, ProposalStatus
from domain.issuance import IssueRequest, issue_certificates
from domain.organisation import OrganisationKind
from domain.promotion_rules import CompetitionTier
from domain.skill_level import SkillLevel
from domain.worker import Worker
from service.config import Settings
from service.ledger import Ledger
from service.persistence.aggregate_loading import project_events

WELDER = "6-18-02-04"
GOAL = 0.5
COMPONENTS = (("practical", Decimal(70)), ("theory", Decimal(30)))
JUDGES = ("judge-甲", "judge-乙", "judge-丙")
ORGANISER = "organiser:总工会"
ADMIN = "admin:人社局"
SCHEME: dict[str, Any] = {
    "components": [
        {"name": "practical", "weight": "70", "kind": "measurement"},
        {"name": "theory", "weight": "30", "kind": "judgement"},
    ],
    "combination": "trimmed",
    "max_spread": "10",
}


# -- setup -----------------------------------------------------------------------------------


def certify(ledger: Ledger, body_id: uuid.UUID, workers: list[Worker], level: SkillLevel) -> None:
    """Give ``workers`` a level in the occupation (direct recognition), in one batch."""
    if not workers:
        return
    issuer = ledger.organisation(body_id)
    at = ledger.clock()
    series = ledger.certificates.number_series(issuer, at.year, level)
    basis = {
        "kind": "direct_recognition",
        "reference": "BENCH-DR",
        "bypass": "direct_recognition",
        "evidence": "bench: held before the competition",
    }
    certificates = issue_certificates(
        issuer=issuer,
        occupation=ledger.occupation(WELDER),
        level=level,
        series=series,
        requests=[IssueRequest(worker=w, basis=basis, held_levels=()) for w in workers],
        issued_at=at,
        actor="bench",
    )
    extra = ledger.credentials.credential_records_for(issuer, certificates, actor="bench")
    ledger.save(series, *certificates, *workers, *extra)


def marks_for(count: int, seed: int = 6) -> list[dict[str, tuple[Decimal, ...]]]:
    """Each entrant's marks per component, one per judge: a level per entrant and component
    plus a judge's deviation within 4 marks (never over the spread limit), 0.25 grid."""
    rng = random.Random(seed)
    field: list[dict[str, tuple[Decimal, ...]]] = []
    for _ in range(count):
        marks: dict[str, tuple[Decimal, ...]] = {}
        for component, _weight in COMPONENTS:
            level = rng.randint(160, 380)  # quarters: 40.00 .. 95.00
            marks[component] = tuple(Decimal(level + rng.randint(-8, 8)) / 4 for _judge in JUDGES)
        field.append(marks)
    return field


@dataclass
class World:
    ledger: Ledger
    clock: Clock
    competition_id: uuid.UUID
    workers: list[Worker]
    marks: list[dict[str, tuple[Decimal, ...]]]
    setup: dict[str, float] = field(default_factory=dict)


def build_world(settings: Settings, entrants: int, sheet: int) -> World:
    clock = Clock(datetime(2025, 6, 2, 1, 0, tzinfo=UTC))
    ledger = Ledger(settings, clock=clock)
    setup: dict[str, float] = {}
    union = ledger.organisations.file_organisation(
        filing_code="12-FTU-0001",
        name="天津市总工会",
        kind=OrganisationKind.UNION,
        province_code="12",
        actor="bench",
    ).aggregate.id
    body = ledger.organisations.file_organisation(
        filing_code="12-S-000001",
        name="天津市职业技能鉴定指导中心",
        kind=OrganisationKind.SOCIAL,
        province_code="12",
        evaluator_prefix="S000012000001",
        scope={WELDER: ["5", "4", "3", "2", "1"]},
        actor="bench",
    ).aggregate.id
    employer = ledger.organisations.file_organisation(
        filing_code="12-Y-000001",
        name="天津港集团",
        kind=OrganisationKind.EMPLOYER,
        province_code="12",
        evaluator_prefix="Y000012000001",
        scope={WELDER: ["5", "4"]},
        actor="bench",
    ).aggregate.id
    staff = [
        (id_number(serial, "120101", date(1965, 1, 1)), f"选手{serial:05d}")
        for serial in range(entrants)
    ]
    setup["hire workers"], workers = timed(lambda: hire_staff(ledger, employer, staff))
    setup["certify every tenth"], _ = timed(
        lambda: certify(ledger, body, workers[::10], SkillLevel.LEVEL_4)
    )
    competition_id = ledger.competitions.announce_competition(
        organiser_id=union,
        reference="TJ-2025-焊工-企业",
        name="天津港集团焊工职业技能竞赛",
        tier=CompetitionTier.ENTERPRISE_OR_SCHOOL,
        occupation_code=WELDER,
        exam_level="3",
        year=2025,
        region="天津市",
        issuing_body_id=body,
        marking_scheme=SCHEME,
        promotion_rule_set="tianjin-2024",
        actor=ORGANISER,
    ).aggregate.id
    field_marks = marks_for(entrants)

    def register_and_mark() -> None:
        competition: Competition = ledger.competition(competition_id)
        at = clock()
        for worker in workers:
            competition.register_entrant(
                worker_id=worker.id,
                name=worker.name,
                entrant_kind="employee",
                employer_id=employer,
                employer_name="天津港集团",
                at=at,
                actor=ORGANISER,
            )
        for component, _weight in COMPONENTS:
            for j, judge in enumerate(JUDGES):
                for start in range(0, entrants, sheet):
                    competition.record_marks(
                        [
                            MarkEntry(worker.id, component, judge, marks[component][j])
                            for worker, marks in zip(
                                workers[start : start + sheet],
                                field_marks[start : start + sheet],
                                strict=True,
                            )
                        ],
                        at=clock(),
                        actor=ORGANISER,
                    )
        ledger.save(competition)

    setup["register and mark"], _ = timed(register_and_mark)
    setup["lock"], _ = timed(
        lambda: [
            ledger.competitions.lock_component(competition_id, component, actor=ORGANISER)
            for component, _weight in COMPONENTS
        ]
    )
    return World(ledger, clock, competition_id, workers, field_marks, setup)


# -- baselines -------------------------------------------------------------------------------


CENT = Decimal("0.01")


def raw_scores(marks: dict[str, tuple[Decimal, ...]]) -> tuple[Decimal, ...]:
    """(total, practical, theory): trimmed means and the weighted total, each rounded half up
    to 0.01 as the published results are."""
    scores = []
    for component, _weight in COMPONENTS:
        ordered = sorted(marks[component])[1:-1]
        mean = sum(ordered, Decimal(0)) / len(ordered)
        scores.append(mean.quantize(CENT, rounding=ROUND_HALF_UP))
    total = sum(
        (score * weight for score, (_, weight) in zip(scores, COMPONENTS, strict=True)),
        Decimal(0),
    ) / Decimal(100)
    return (total.quantize(CENT, rounding=ROUND_HALF_UP), *scores)


def raw_ranking(field_marks: list[dict[str, tuple[Decimal, ...]]]) -> list[int]:
    """Scores from the marks and one sort: total, then practical, then theory, higher first
    (then entrant number)."""
    keyed = []
    for number, marks in enumerate(field_marks):
        total, practical, theory = raw_scores(marks)
        keyed.append((-total, -practical, -theory, number))
    return [key[3] for key in sorted(keyed)]


def padding_events(sizes: list[int]) -> list[StoredEvent]:
    """(b''): one event per certificate, of the size of its creation event."""
    return [
        StoredEvent(
            originator_id=uuid.uuid4(),
            originator_version=1,
            topic="craftledger:Certificate.Issued",
            state=b'{"padding":"' + b"x" * max(size - 14, 0) + b'"}',
        )
        for size in sizes
    ]


def check_ranking(competition: Competition, raw: list[int], world: World) -> None:
    """The baseline ranks what finalising ranked: the same scores in the same order (entrants
    tied on every score may be listed differently)."""
    index = {str(worker.id): number for number, worker in enumerate(world.workers)}
    ours = [index[result["worker_id"]] for result in competition.results or ()]
    scores = [raw_scores(marks) for marks in world.marks]
    assert [scores[n] for n in ours] == [scores[n] for n in raw], "the rankings differ"
    for result in competition.results or ():
        assert Decimal(result["total"]) == scores[index[result["worker_id"]]][0]


# -- run -------------------------------------------------------------------------------------


@dataclass
class Figures:
    setup: dict[str, float]
    entrants: int
    competition_events: int
    load_snapshot: Took
    load_replay: Took
    finalise: Took
    finalise_events: int
    finalise_raw: Took
    proposals: int
    approve: Took
    approve_events: int
    credentials: Took
    approve_raw: Took
    approve_strict: Took


def run(postgres: bool, entrants: int, sheet: int) -> Figures:
    with scratch_store(postgres) as settings:
        world = build_world(settings, entrants, sheet)
        ledger = world.ledger
        try:
            cid = world.competition_id
            competition_events = len(ledger.recorder.select_events(cid))
            load_snapshot = median_took(lambda: ledger.competition(cid))
            load_replay = median_took(lambda: project_events(None, ledger.events.get(cid)))

            before = ledger.log_position
            finalise, _ = took(
                lambda: ledger.competitions.finalise_competition(cid, actor=ORGANISER)
            )
            written = events_since(ledger, before)
            finalise_raw, _ = raw_append_then(ledger, written, lambda: raw_ranking(world.marks))
            check_ranking(ledger.competition(cid), raw_ranking(world.marks), world)

            ledger.competitions.submit_proposals(cid, actor=ORGANISER)  # 报送, not timed
            competition = ledger.competition(cid)
            proposals = sum(
                p["status"] == ProposalStatus.PROPOSED for p in competition.proposals.values()
            )
            before = ledger.log_position
            approve, recorded = took(
                lambda: ledger.competitions.approve_promotions(cid, actor=ADMIN)
            )
            approved = recorded.aggregate.proposals.values()
            numbers = [
                p["certificate_number"] for p in approved if p["status"] == ProposalStatus.APPROVED
            ]
            assert len(numbers) == proposals, (len(numbers), proposals)
            approve_written = events_since(ledger, before)
            credentials, documents = took(
                lambda: ledger.credentials.certificate_credentials(numbers)
            )
            sample = numbers[:: max(1, len(numbers) // 20)]
            assert [documents[numbers.index(n)] for n in sample] == [
                ledger.credentials.certificate_credential(n) for n in sample
            ], "bulk read-back differs from one at a time"
            created = {
                n.originator_id: len(n.state)
                for n in approve_written
                if n.originator_version == 1 and n.topic.startswith("craftledger:Certificate.")
            }
            sizes = list(created.values())
            assert len(sizes) == len(numbers), (len(sizes), len(numbers))
            bare = unsigned(documents)
            approve_raw, _ = raw_append_then(ledger, approve_written, lambda: raw_sign(bare))
            approve_strict, _ = raw_append_then(
                ledger, padding_events(sizes), lambda: raw_sign(bare)
            )
            return Figures(
                world.setup,
                entrants,
                competition_events,
                load_snapshot,
                load_replay,
                finalise,
                len(written),
                finalise_raw,
                proposals,
                approve,
                len(approve_written),
                credentials,
                approve_raw,
                approve_strict,
            )
        finally:
            ledger.close()


def line(label: str, t: Took, count: int, unit: str, note: str = "") -> str:
    return (
        f"  {label:<30} {t.wall:7.2f} s  (CPU {t.cpu:6.2f} s)  {count / t.wall:8.0f} {unit}/s"
        + (f"   {note}" if note else "")
    )


def ratio_line(label: str, raw: Took, ours: Took, postgres: bool) -> str:
    ratio = raw.wall / ours.wall
    verdict = "met" if ratio >= GOAL else "NOT met"
    cpu = "" if postgres else f" (CPU {raw.cpu / ours.cpu:.2f})"
    return f"  {label:<30} {ratio:7.2f}{cpu}   goal >= {GOAL}: {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entrants", type=int, default=10_000)
    parser.add_argument("--sheet", type=int, default=100, help="entrants per marking sheet")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    backend = "postgres" if args.postgres else "sqlite"
    f = run(args.postgres, args.entrants, args.sheet)
    n, k = f.entrants, f.proposals
    print(
        f"== {backend}: {n} entrants, {len(COMPONENTS)} components x {len(JUDGES)} judges, "
        f"sheets of {args.sheet} ({f.competition_events} competition events before finalising)"
    )
    for name, seconds in f.setup.items():
        print(f"  setup {name:<24} {seconds:7.2f} s")
    print(
        f"  load the competition: {f.load_snapshot.wall:.3f} s from its snapshot, "
        f"{f.load_replay.wall:.3f} s replaying all its events (median of 3)"
    )
    print(line("(a) finalise", f.finalise, n, "entrants", f"({f.finalise_events} events)"))
    print(line("(a') raw append + sort", f.finalise_raw, n, "entrants", "(median of 3)"))
    print(ratio_line("ratio raw / finalise", f.finalise_raw, f.finalise, args.postgres))
    print(line(f"(b) approve {k} proposals", f.approve, k, "certs", f"({f.approve_events} events)"))
    print(line("    read back credentials", f.credentials, k, "certs", "(from the log: identical)"))
    print(line("(b') raw append + sign", f.approve_raw, k, "certs", "(median of 3)"))
    print(ratio_line("ratio raw / approve", f.approve_raw, f.approve, args.postgres))
    print(line("(b'') one event per cert + sign", f.approve_strict, k, "certs", "(median of 3)"))
    print(ratio_line("ratio (b'') / approve", f.approve_strict, f.approve, args.postgres))


if __name__ == "__main__":
    main()
