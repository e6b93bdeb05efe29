"""Property: however the projections are built, they are the same tables.

For random sequences of real Ledger commands (many refused by the domain, which is part of the
point), on SQLite and on PostgreSQL:

- built live, catching up after every command;
- rebuilt from zero in the same store;
- built in a fresh store in random batch sizes and random catch-up limits;
- built "as of" a position N observed during the live run, which must equal the live tables
  as they were at N.
"""

from __future__ import annotations

import tempfile
import uuid
from contextlib import ExitStack, suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainRuleViolation, InvalidValue
from domain.holiday_arrangement import parse_arrangement
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind
from projections import all_projections
from projections.as_of import build_as_of
from projections.runner import ProjectionRunner
from projections.store import PostgresProjectionStore, ProjectionStore, SQLiteProjectionStore
from service.config import Settings
from service.ledger import Ledger, NotFound
from tests.factories import ELECTRICIAN, WELDER, fictitious_arrangement
from tests.projections.cast import World
from tests.support.clocks import SteppingClock
from tests.support.stores import POSTGRES_URL

LEVELS = ["5", "4", "3", "2"]
BASES = [
    {"kind": "evaluation", "reference": "E"},
    {"kind": "competition", "reference": "C"},
    {"kind": "direct_recognition", "bypass": "direct_recognition", "evidence": "认定文件"},
]
TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]

worker_index = st.integers(0, 5)
step = st.one_of(
    st.tuples(st.just("hire"), st.sampled_from(["甲", "乙", "丙", "丁"])),
    st.tuples(
        st.just("issue"),
        worker_index,
        st.integers(0, 1),  # employer or school
        st.sampled_from([ELECTRICIAN, WELDER]),
        st.sampled_from(LEVELS),
        st.integers(0, len(BASES) - 1),
    ),
    st.tuples(
        st.just("status"), st.integers(0, 9), st.sampled_from(["suspend", "reinstate", "revoke"])
    ),
    st.tuples(st.just("employment"), worker_index, st.integers(0, 1), st.booleans()),
    st.tuples(st.just("career"), worker_index, st.sampled_from(list(CareerEntryKind))),
    st.tuples(st.just("award"), worker_index, st.sampled_from(TIERS)),
    st.tuples(st.just("withdraw"), st.integers(0, 5)),
    st.tuples(st.just("body"), st.integers(0, 1), st.sampled_from(["suspend", "reinstate"])),
    st.tuples(st.just("scope"), st.integers(0, 1), st.sampled_from([["5"], ["5", "4", "3"]])),
    st.tuples(st.just("external"), worker_index, st.sampled_from(["5", "4"]), st.booleans()),
    st.tuples(st.just("rename"), worker_index),
    st.tuples(st.just("competition"), st.integers(2024, 2026)),
    st.tuples(st.just("enter"), worker_index, st.sampled_from(["employee", "student"])),
    st.tuples(st.just("leave_competition"), worker_index),
    st.tuples(st.just("calendar"), st.sampled_from([2027, 2028]), st.integers(0, 1)),
    st.tuples(st.just("plan"), st.integers(0, 1)),
)


class Driver:
    """Applies steps through the real Ledger commands, remembering what it made."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.world = World(ledger)
        self.bodies = [self.world.employer, self.world.school]
        self.numbers: list[str] = []
        self.awards: list[str] = []
        self.competitions: list[Any] = []
        self.ladder = self.world.ladder()
        self.serial = 100
        self.world.worker("初始")

    def worker(self, index: int) -> Any:
        workers = self.world.workers
        return workers[index % len(workers)]

    def apply(self, step: tuple[Any, ...]) -> None:
        ledger, kind = self.ledger, step[0]
        if kind == "hire":
            self.world.worker(step[1])
        elif kind == "issue":
            _, w, body, occupation, level, basis = step
            self.numbers.append(
                self.world.issue(self.worker(w), level, occupation, self.bodies[body], BASES[basis])
            )
        elif kind == "status" and self.numbers:
            self.world.status(self.numbers[step[1] % len(self.numbers)], step[2])
        elif kind == "employment":
            _, w, body, start = step
            if start:
                ledger.workers.start_employment(
                    self.worker(w), self.bodies[body], since=date(2021, 1, 1 + w), actor="p"
                )
            else:
                ledger.workers.end_employment(
                    self.worker(w), self.bodies[body], until=date(2024, 6, 30), actor="p"
                )
        elif kind == "career":
            self.world.career(
                self.worker(step[1]), step[2], f"{step[2].value} 记录", date(2023, 1, 1)
            )
        elif kind == "award":
            award_id = f"A{len(self.awards)}"
            ledger.honours.award_honour(
                self.ladder,
                award_id=award_id,
                worker_id=self.worker(step[1]),
                tier=step[2],
                year=2020 + len(self.awards),
                actor="p",
            )
            self.awards.append(award_id)
        elif kind == "withdraw" and self.awards:
            award_id = self.awards[step[1] % len(self.awards)]
            ledger.honours.withdraw_honour(self.ladder, award_id=award_id, actor="p", reason="撤销")
        elif kind == "body":
            ledger.organisations.change_organisation_status(
                self.bodies[step[1]], step[2], actor="p", reason="r"
            )
        elif kind == "scope":
            ledger.organisations.amend_scope(
                self.bodies[step[1]], {ELECTRICIAN: step[2], WELDER: step[2]}, actor="p", reason="r"
            )
        elif kind == "external":
            _, w, level, confirmed = step
            self.serial += 1
            number = f"S000031000001{24}{level}{self.serial:06d}"
            ledger.workers.declare_external_certificate(
                self.worker(w),
                number=number,
                issuer_name="外省机构",
                occupation_code=WELDER,
                level=SkillLevel.from_code(level),
                issued_on=date(2024, 3, 1),
                actor="p",
            )
            ledger.workers.check_external_certificate(
                self.worker(w), number=number, confirmed=confirmed, note="n", actor="p"
            )
        elif kind == "rename":
            worker = ledger.worker(self.worker(step[1]))
            worker.correct_name(worker.name + "改", "p", "更正")
            ledger.record(worker)
        elif kind == "competition":
            self.competitions.append(
                self.world.competition(reference=f"C-{step[1]}-{self.serial}", year=step[1])
            )
            self.serial += 1
        elif kind == "enter" and self.competitions:
            ledger.competitions.register_entrant(
                self.competitions[-1], worker_id=self.worker(step[1]), entrant_kind=step[2],
                actor="p",
            )  # fmt: skip
        elif kind == "leave_competition" and self.competitions:
            ledger.competitions.withdraw_entrant(
                self.competitions[-1], self.worker(step[1]), reason="退赛", actor="p"
            )
        elif kind == "calendar":  # a fixture arrangement; the same one again is refused
            _, year, variant = step
            published = f"{year - 1}-11-{5 + variant:02d}"
            arrangement = fictitious_arrangement(year, published_on=published)
            ledger.calendars.add_holiday_arrangement(parse_arrangement(arrangement), actor="p")
        elif kind == "plan":  # a self-evaluation session of the employer (refused out of scope)
            self.serial += 1
            ledger.evaluations.plan_evaluation(
                body_id=self.bodies[step[1]],
                reference=f"EV-{self.serial}",
                occupation_code=ELECTRICIAN,
                level=SkillLevel.LEVEL_5,
                starts_on=date(2024, 9, 9),
                ends_on=date(2024, 9, 20),
                panels={"practical": ["甲", "乙", "丙"]},
                actor="p",
            )


def dumps(store: ProjectionStore) -> dict[str, Any]:
    return {p.name: p.dump(store) for p in all_projections()}


class Backend:
    """Ledger and stores for one example on one backend, all removed afterwards."""

    def __init__(self, name: str, stack: ExitStack) -> None:
        self.name = name
        self.stack = stack
        self.tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        self.schemas: list[str] = []
        stack.callback(self._drop_schemas)
        self.settings = Settings(data_dir=self.tmp / "data")
        if name == "postgres":
            schema = self._schema()
            self.settings = Settings(
                data_dir=self.tmp / "data", database_url=POSTGRES_URL, postgres_schema=schema
            )

    def _schema(self) -> str:
        schema = f"h_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        self.schemas.append(schema)
        return schema

    def _drop_schemas(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            for schema in self.schemas:
                connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def ledger(self) -> Ledger:
        clock = SteppingClock(datetime(2025, 1, 1, tzinfo=UTC), timedelta(hours=7))
        ledger = Ledger(self.settings, clock=clock)
        self.stack.callback(ledger.close)
        return ledger

    def live_store(self) -> ProjectionStore:
        store = ProjectionStore.from_settings(self.settings)
        self.stack.callback(store.close)
        return store

    def fresh_store(self) -> ProjectionStore:
        if self.name == "sqlite":
            store: ProjectionStore = SQLiteProjectionStore(
                self.tmp / uuid.uuid4().hex / "projections.sqlite3"
            )
        else:
            store = PostgresProjectionStore(POSTGRES_URL, schema=self._schema())
        self.stack.callback(store.close)
        return store


PROPERTY = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}
steps_strategy = st.lists(step, min_size=1, max_size=22)


@settings(max_examples=40, **PROPERTY)
@given(steps=steps_strategy, data=st.data())
def test_live_rebuilt_batched_and_as_of_builds_are_identical_on_sqlite(steps, data):
    check_builds_agree("sqlite", steps, data)


@settings(max_examples=15, **PROPERTY)
@given(steps=steps_strategy, data=st.data())
def test_live_rebuilt_batched_and_as_of_builds_are_identical_on_postgres(steps, data):
    check_builds_agree("postgres", steps, data)


def check_builds_agree(backend_name: str, steps: list[tuple[Any, ...]], data: Any) -> None:
    with ExitStack() as stack:
        backend = Backend(backend_name, stack)
        ledger = backend.ledger()
        live = backend.live_store()
        runner = ProjectionRunner(
            ledger, live, all_projections(), batch_size=data.draw(st.integers(1, 50))
        )
        driver = Driver(ledger)
        runner.catch_up()
        observe_after = data.draw(st.integers(-1, len(steps) - 1), label="observe after step")
        observed = (ledger.log_position, dumps(live))
        for index, command in enumerate(steps):
            # Refused commands write nothing; the projections must not care.
            with suppress(DomainRuleViolation, InvalidValue, NotFound):
                driver.apply(command)
            runner.catch_up()
            if index == observe_after:
                observed = (ledger.log_position, dumps(live))
        assert runner.failures() == []
        final = dumps(live)

        runner.rebuild()
        assert dumps(live) == final

        batched = backend.fresh_store()
        batched_runner = ProjectionRunner(
            ledger, batched, all_projections(), batch_size=data.draw(st.integers(1, 13))
        )
        while batched_runner.catch_up(limit=data.draw(st.integers(1, 40), label="limit")):
            pass
        assert dumps(batched) == final

        position, expected = observed
        as_of = build_as_of(ledger, backend.fresh_store(), all_projections(), position=position)
        assert dumps(as_of.store) == expected


def test_the_driver_reaches_every_projection():
    """Guard against a property that only ever sees refused commands."""
    with ExitStack() as stack:
        backend = Backend("sqlite", stack)
        ledger = backend.ledger()
        driver = Driver(ledger)
        for command in [
            ("hire", "甲"),
            ("issue", 1, 0, ELECTRICIAN, "5", 0),
            ("issue", 1, 0, ELECTRICIAN, "4", 1),
            ("status", 0, "suspend"),
            ("career", 1, CareerEntryKind.TRAINING),
            ("award", 1, "朝阳工匠"),
            ("external", 1, "4", True),
            ("competition", 2025),
            ("enter", 1, "employee"),
            ("calendar", 2027, 0),
            ("plan", 0),
        ]:
            driver.apply(command)
        store = backend.live_store()
        ProjectionRunner(ledger, store, all_projections()).catch_up()
        counts = {p.name: sum(p.row_counts(store).values()) for p in all_projections()}
        assert all(counts.values()), counts
        assert store.count("ladder_level") == 2
        assert store.count("career_current") == 1
        assert store.count("honours_talent") == 1
        assert store.count("stats_training") == 1
