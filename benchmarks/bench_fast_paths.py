"""Each fast path against the library it stands in for, in the same run (issue 17).

A fast path stays only where it moves a figure a user would notice by 20 % or more; this prints
both sides of each, on the figure it is meant to move:

* **signing and verifying** (credentials per second, as ``bench_credentials``): ``add_proof``
  and ``verify_proof`` with the canonicaliser they use (the strict check, then ``orjson``)
  against the same calls with the strict check then the ``rfc8785`` library;
* **loading a competition** of ``--entrants`` entrants (what every command on it does first,
  from its newest snapshot), and **loading many workers** (``Ledger.load_many``, as a batch
  confirmation does): the ledger's replay (``project_events``, no protocol check per event)
  against the library's ``project_aggregate``; and ``load_many`` against one
  ``repository.get`` per worker;
* **registering** ``--bulk`` more entrants in one save: the ledger's snapshot (one, of the
  state just saved) against the library's (one per multiple of the interval the save crosses,
  each replayed from the store);
* **rebuilding every projection** from the log, with the cyclic garbage collector running (as
  the runner does) against paused (``projections.garbage_collection``, which the runner used
  until this measurement: 1.07 times as fast on 50,000 events, not kept);
* **saving** ``--batch`` new workers with their subject identifiers in one save (as a bulk
  import does): ``Ledger.save`` (``collect``) against ``Application.save``.

Removed after measuring here (issue 17; the figures are in the commit that removed them): the
hand-written base58 codec, the ``gc.get_referents`` canonical route, ``uuid_hex`` decoding
with ``object.__new__``.

Signing runs are timed in slices taking turns (see ``bench_credentials``), best slice; store
runs are repeated ``--repeat`` times taking turns, median of this process's CPU time (wall
beside it). Gains are the library figure over the fast one, minus 1.

    python benchmarks/bench_fast_paths.py [--entrants 2000] [--workers 2000] [--batch 500]\
        [--bulk 1000] [--repeat 7] [--rounds 9] [--only signing|store]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from typing import Any

import rfc8785
from bench_credentials import CLOCKS, Run, build_runs
from eventsourcing.application import Application, project_aggregate
from harness import id_number, scratch_store, took

from domain.competition import Competition
from domain.worker import EmploymentRelation, Worker
from projections import all_projections
from projections.garbage_collection import collection_paused
from projections.runner import ProjectionRunner
from projections.store import SQLiteProjectionStore
from service.ledger import Ledger
from service.persistence import aggregate_loading
from service.signing import canonical_json, data_integrity

# -- the library routes ----------------------------------------------------------------------


def rfc8785_canonical(value: Any) -> bytes:
    """The library route: the strict check (floats, big integers, surrogates refused), then
    ``rfc8785.dumps``."""
    try:
        canonical_json._scan(value)
    except canonical_json._Problem as problem:
        raise problem.to_error() from None
    return rfc8785.dumps(value)


@contextmanager
def patched(module: Any, **names: Any) -> Iterator[None]:
    saved = {name: getattr(module, name) for name in names}
    for name, value in names.items():
        setattr(module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(module, name, value)


SIGNING_VARIANTS: dict[str, dict[str, Any]] = {
    "ours": {},
    "rfc8785": {
        "canonicalize": rfc8785_canonical,
    },
}


class PatchedRun(Run):
    """A ``Run`` with names of ``service.signing.data_integrity`` replaced during its slices."""

    patch: dict[str, Any]

    def time_slice(self) -> float:
        data_integrity._config_hash_for_key.cache_clear()
        with patched(data_integrity, **self.patch):
            return super().time_slice()


def signing(rounds: int, slice_seconds: float) -> dict[str, float]:
    base = build_runs(64, CLOCKS["cpu"])
    runs: dict[str, PatchedRun] = {}
    for variant, patch in SIGNING_VARIANTS.items():
        for kind in ("sign", "verify"):
            source = base[kind]
            run = PatchedRun(f"{source.name} [{variant}]", source.operation, CLOCKS["cpu"])
            run.patch = patch
            runs[f"{kind} {variant}"] = run
    for name in ("jcs", "rfc8785"):
        run = PatchedRun(base[name].name, base[name].operation, CLOCKS["cpu"])
        run.patch = {}
        runs[name] = run
    for run in runs.values():
        run.warm_up(slice_seconds, 0.3)
    order = list(runs.values())
    for number in range(rounds):
        for run in order if number % 2 == 0 else reversed(order):
            assert run.samples is not None
            run.samples.append(run.time_slice())
    print(f"signing: best slice of {rounds} rounds of {slice_seconds:.2f} s, CPU time")
    for run in runs.values():
        print(f"  {run.name:<40} {run.best:>9,.0f} /s {1e6 / run.best:8.1f} µs")
    return {name: run.best for name, run in runs.items()}


# -- the store -------------------------------------------------------------------------------


@contextmanager
def library_replay(ledger: Ledger) -> Iterator[None]:
    """The ledger replaying with the library's ``project_aggregate``."""
    getter = ledger.repository.get

    def library_get(aggregate_id: uuid.UUID, **kwargs: Any) -> Any:
        kwargs["projector_func"] = project_aggregate
        return getter(aggregate_id, **kwargs)

    with (
        patched(aggregate_loading, project_events=project_aggregate),
        patched(ledger.repository, get=library_get),
    ):
        yield


def alternate(actions: dict[str, Callable[[], Any]], repeat: int) -> dict[str, tuple[float, float]]:
    """Median (CPU, wall) seconds of each action, the actions taking turns."""
    cpu: dict[str, list[float]] = {name: [] for name in actions}
    wall: dict[str, list[float]] = {name: [] for name in actions}
    names = list(actions)
    for number in range(repeat):
        for name in names if number % 2 == 0 else reversed(names):
            spent, _ = took(actions[name])
            cpu[name].append(spent.cpu)
            wall[name].append(spent.wall)
    return {n: (statistics.median(cpu[n]), statistics.median(wall[n])) for n in names}


def report(title: str, figures: dict[str, tuple[float, float]]) -> None:
    print(title)
    ours = figures["ours"][0]
    for name, (cpu, wall) in figures.items():
        gain = "" if name == "ours" else f"   it/ours {cpu / ours:5.2f}"
        print(f"  {name:<22} CPU {cpu * 1000:9.1f} ms  wall {wall * 1000:9.1f} ms{gain}")


def new_workers(ledger: Ledger, start: int, count: int) -> list[Any]:
    pending: list[Any] = []
    for serial in range(start, start + count):
        number = id_number(serial, "110101", date(1970, 1, 1))
        worker = Worker.register(
            identity_hash=ledger.identity_hash(number),
            id_kind=number.kind.value,
            masked_id_number=number.masked,
            name=f"工人{serial:05d}",
            actor="bench",
        )
        worker.start_employment(uuid.uuid4(), EmploymentRelation.STAFF, date(2015, 1, 1), "b")
        pending += [worker, *ledger.credentials.subject_identifier_for(worker, number)]
    return pending


def store(
    entrants: int, workers: int, batch: int, bulk: int, repeat: int
) -> dict[str, dict[str, Any]]:
    from bench_competition import build_world

    results: dict[str, dict[str, Any]] = {}
    with scratch_store(False) as settings:
        world = build_world(settings, entrants, 100)
        ledger = world.ledger

        def load_competition(library: bool, snapshots: bool = True) -> Callable[[], Any]:
            def action() -> Any:
                with (
                    library_replay(ledger) if library else nullcontext(),
                    nullcontext() if snapshots else patched(ledger.repository, snapshot_store=None),
                ):
                    return ledger.competition(world.competition_id)

            return action

        figures = alternate(
            {"ours": load_competition(False), "library replay": load_competition(True)}, repeat
        )
        report(f"load a competition of {entrants} entrants (from its snapshot)", figures)
        results["competition"] = figures
        figures = alternate(
            {
                "ours": load_competition(False, snapshots=False),
                "library replay": load_competition(True, snapshots=False),
            },
            repeat,
        )
        report("the same, replaying all its events (no snapshot; information)", figures)
        results["competition replayed"] = figures

        ids = [w.id for w in world.workers[:workers]]

        def load_many(library: bool) -> Callable[[], Any]:
            def action() -> Any:
                with library_replay(ledger) if library else nullcontext():
                    loaded = ledger.load_many(ids)
                assert len(loaded) == len(ids)
                return loaded

            return action

        def get_each() -> Any:
            return [ledger.repository.get(i) for i in ids]

        figures = alternate(
            {
                "ours": load_many(False),
                "library replay": load_many(True),
                "one get per worker": get_each,
            },
            repeat,
        )
        report(f"load_many of {len(ids)} workers", figures)
        results["load_many"] = figures

        def bulk_register(library: bool) -> Any:
            """Register ``bulk`` more entrants in one save; time recording it and its
            snapshots (ours: one of the state just saved; the library's: one per crossed
            multiple of the interval, each replayed from the store)."""
            model = ledger.competition(world.competition_id)
            competition = Competition(
                organiser_id=model.organiser_id,
                reference=f"BULK-{uuid.uuid4().hex[:8]}",
                name=model.name,
                tier=model.tier.value,
                occupation_code=model.occupation_code,
                exam_level=model.exam_level,
                year=model.year,
                region=model.region,
                issuing_body_id=model.issuing_body_id,
                marking_scheme=model.marking_scheme,
                actor="bench",
            )
            at = world.clock()
            for number in range(bulk):
                competition.register_entrant(
                    worker_id=uuid.uuid4(),
                    name=f"补报{number:05d}",
                    entrant_kind="student",
                    employer_id=None,
                    employer_name="天津职业技术师范大学",
                    at=at,
                    actor="bench",
                )
            processing_event = aggregate_loading.collect(competition)
            recorded, _ = took(lambda: ledger._record(processing_event))
            if library:
                snapshot, _ = took(lambda: Application._take_snapshots(ledger, processing_event))
            else:
                snapshot, _ = took(lambda: ledger._take_snapshots(processing_event))
            return recorded + snapshot, snapshot

        spent_bulk: dict[str, list[Any]] = {"ours": [], "library snapshots": []}
        for number in range(repeat):
            names = list(spent_bulk) if number % 2 == 0 else list(reversed(spent_bulk))
            for name in names:
                spent_bulk[name].append(bulk_register(name != "ours"))
        figures = {
            name: (
                statistics.median(t[0].cpu for t in s),
                statistics.median(t[0].wall for t in s),
            )
            for name, s in spent_bulk.items()
        }
        report(f"save {bulk} more entrants at once, with its snapshots", figures)
        results["bulk"] = figures
        figures = {
            name: (
                statistics.median(t[1].cpu for t in s),
                statistics.median(t[1].wall for t in s),
            )
            for name, s in spent_bulk.items()
        }
        report("  of which the snapshots", figures)

        rebuilds = [0]

        def rebuild(paused: bool) -> Callable[[], Any]:
            def action() -> Any:
                rebuilds[0] += 1
                store = SQLiteProjectionStore(settings.data_dir / f"rebuild{rebuilds[0]}.sqlite3")
                runner = ProjectionRunner(ledger, store, all_projections())
                try:
                    with collection_paused() if paused else nullcontext():
                        return runner.catch_up()
                finally:
                    runner.close()
                    store.close()

            return action

        figures = alternate({"ours": rebuild(False), "collector paused": rebuild(True)}, repeat)
        report(f"rebuild every projection ({ledger.log_position} events)", figures)
        results["rebuild"] = figures

        serial = [10_000]

        def save(library: bool) -> Callable[[], Any]:
            def action() -> Any:
                pending = new_workers(ledger, serial[0], batch)
                serial[0] += batch
                if library:
                    return took(lambda: Application.save(ledger, *pending))[0]
                return took(lambda: ledger.save(*pending))[0]

            return action

        spent: dict[str, list[Any]] = {"ours": [], "library save": []}
        for number in range(repeat):
            order = ["ours", "library save"] if number % 2 == 0 else ["library save", "ours"]
            for name in order:
                spent[name].append(save(name == "library save")())
        figures = {
            name: (statistics.median(t.cpu for t in s), statistics.median(t.wall for t in s))
            for name, s in spent.items()
        }
        report(f"save {batch} new workers (and their subject identifiers) at once", figures)
        results["save"] = figures
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--entrants", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--bulk", type=int, default=1000, help="entrants added at once")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--slice", type=float, default=0.1)
    parser.add_argument("--only", choices=["signing", "store"], default=None)
    args = parser.parse_args()

    if args.only != "store":
        rates = signing(args.rounds, args.slice)
        print()
        for kind in ("sign", "verify"):
            ours = rates[f"{kind} ours"]
            for variant in SIGNING_VARIANTS:
                if variant != "ours":
                    gain = ours / rates[f"{kind} {variant}"] - 1
                    print(f"  {kind:<6} ours over {variant:<15} {gain:+7.1%}")
        print(f"  canonicalize over rfc8785 alone   {rates['jcs'] / rates['rfc8785']:6.1f}x")
        print()
    if args.only != "signing":
        store(args.entrants, args.workers, args.batch, args.bulk, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
