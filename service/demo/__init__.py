"""The demo: a history from 2022 to today, recorded through the real commands.

Bodies are filed, workers registered with their jobs, self-evaluation sessions run from plan to
report, competitions from announcement to approved promotions, honours awarded, posts appointed
and certificates suspended and revoked — each on the day it happened, on a simulated clock
(:mod:`service.demo.clock`), so ``replay --as-of`` and the audit see a history. It is
deterministic (two fresh data directories hold the same events, apart from keys, salts and what
derives from them) and idempotent (every step looks first; a second run records nothing).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from domain.certificate import Certificate
from domain.china_time import china_date
from service.demo.access import read_access, write_access
from service.demo.careers import CareerStory
from service.demo.cast import (
    DEFAULT_WORKERS,
    DemoWorker,
    demo_cast,
    demo_id_number,
    file_organisations,
    register_worker,
)
from service.demo.clock import SimulatedClock
from service.demo.competitions import CompetitionStory, competition_plans
from service.demo.sessions import SessionStory, session_plans
from service.demo.steps import Step, in_order
from service.ledger import Ledger

__all__ = ["DEFAULT_WORKERS", "demo_cast", "demo_id_number", "read_access", "seed_demo"]

FILED_ON = date(2022, 1, 10)
REGISTERED_FROM = date(2022, 1, 17)
EARLIEST_TODAY = date(2026, 10, 1)
"""The fixed part of the history ends in 2025; the sessions and competitions of "now" are
dated back from today, which must come after the fixed part."""


def china_today() -> date:
    return china_date(datetime.now(UTC))


class DemoSeed:
    """Builds the whole history as dated steps and tells them in order."""

    def __init__(
        self,
        ledger: Ledger,
        progress: Callable[[str], None] = lambda _: None,
        *,
        workers: int = DEFAULT_WORKERS,
        today: date | None = None,
    ) -> None:
        self.ledger = ledger
        self.progress = progress
        self.cast = demo_cast(workers)
        self.today = today or china_today()
        if self.today < EARLIEST_TODAY:
            raise ValueError(f"the demo's history runs until {EARLIEST_TODAY}; today is earlier")
        self.clock = SimulatedClock()

    def run(self) -> dict[str, Any]:
        before = self.ledger.log_position
        with self.clock.driving(self.ledger):
            self.clock.on(FILED_ON, 9)
            orgs = file_organisations(self.ledger)
            steps = self.registrations(orgs)
            for plan in session_plans(self.today):
                steps += SessionStory(self.ledger, orgs, self.cast, plan, self.progress).steps()
            for competition in competition_plans(self.today):
                steps += CompetitionStory(self.ledger, orgs, self.cast, competition).steps()
            steps += CareerStory(self.ledger, orgs, self.cast).steps()
            self.tell(in_order(steps))
        access = write_access(self.ledger, self.cast)
        return {
            "events_before": before,
            "events_after": self.ledger.log_position,
            "summary": self.summary(orgs),
            "access": access,
        }

    def registrations(self, orgs: dict[str, Any]) -> list[Step]:
        """Workers join the ledger over the first weeks of 2022 (at least forty a day, and all
        within twenty days, before their first career entries)."""
        per_day = max(40, -(-len(self.cast) // 20))

        def register(batch: list[DemoWorker]) -> Callable[[], None]:
            def register_batch() -> None:
                for worker in batch:
                    register_worker(self.ledger, worker, orgs)

            return register_batch

        return [
            Step(
                REGISTERED_FROM + timedelta(days=start // per_day),
                9,
                "register workers",
                register(self.cast[start : start + per_day]),
            )
            for start in range(0, len(self.cast), per_day)
        ]

    def tell(self, steps: list[Step]) -> None:
        year = None
        for step in steps:
            if step.day >= self.today:
                raise ValueError(
                    f"the demo's history ends yesterday; {step.label} is dated {step.day}"
                )
            if step.day.year != year:
                year = step.day.year
                self.progress(f"{year}: log at position {self.ledger.log_position}")
            self.clock.on(step.day, step.hour)
            step.action()

    def summary(self, orgs: dict[str, Any]) -> dict[str, Any]:
        """What the history holds: sessions and competitions by state, certificates by level
        and status (read from the aggregates the demo wrote)."""
        sessions = Counter(
            self.ledger.evaluation(
                SessionStory(self.ledger, orgs, self.cast, p).evaluation_id
            ).status
            for p in session_plans(self.today)
        )
        competitions = Counter(
            self.ledger.competition(
                CompetitionStory(self.ledger, orgs, self.cast, p).competition_id
            ).status.value
            for p in competition_plans(self.today)
        )
        certificates: list[Certificate] = [
            self.ledger.certificate(number)
            for worker in self.cast
            for number in self.ledger.worker(
                self.ledger.worker_id_for(worker.id_number)
            ).certificates
        ]
        by_level = Counter(c.level.code for c in certificates)
        high = sum(n for level, n in by_level.items() if level in "123")
        return {
            "sessions": dict(sorted(sessions.items())),
            "competitions": dict(sorted(competitions.items())),
            "certificates": len(certificates),
            "certificates_by_level": dict(sorted(by_level.items())),
            "certificates_by_status": dict(Counter(c.status.value for c in certificates)),
            "high_skill_share": round(high / len(certificates), 3) if certificates else 0,
        }


def seed_demo(
    ledger: Ledger,
    progress: Callable[[str], None] = lambda _: None,
    *,
    workers: int = DEFAULT_WORKERS,
    today: date | None = None,
) -> dict[str, Any]:
    """Seed (or complete) the demo history; see :class:`DemoSeed`."""
    return DemoSeed(ledger, progress, workers=workers, today=today).run()
