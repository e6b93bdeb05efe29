"""``craftledger replay --as-of DATE`` rebuilds, into a fresh store, the worker ladder exactly as
the live projection showed it at the end of that date (and the transparency log of that day)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import eventsourcing.domain
import pytest
from click.testing import CliRunner

from domain.skill_level import SkillLevel
from projections import all_projections
from projections.runner import ProjectionRunner
from projections.store import ProjectionStore, SQLiteProjectionStore
from projections.transparency_log import TransparencyLogQuery
from projections.worker_ladder import WorkerLadderQuery
from service.cli import main
from service.ledger import Ledger
from tests.factories import ELECTRICIAN, file_employer, hire
from tests.support.stores import cli_env_of

DAYS = ["2025-03-01", "2025-03-05", "2025-03-09"]


class EventClock:
    """The time events are stamped with: a given day, one second per event."""

    def __init__(self) -> None:
        self.now = datetime(2025, 3, 1, tzinfo=UTC)

    def on(self, day: str) -> None:
        self.now = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture
def event_clock(monkeypatch: pytest.MonkeyPatch) -> EventClock:
    clock = EventClock()
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    return clock


@pytest.fixture
def lived(ledger: Ledger, store: ProjectionStore, event_clock: EventClock) -> dict[str, Any]:
    """Three days of a worker's career, the live projections caught up at the end of each day;
    what the live ladder and transparency log showed then."""
    runner = ProjectionRunner(ledger, store, all_projections(), batch_size=5)
    seen: dict[str, Any] = {}

    def issue(level: SkillLevel) -> str:
        return str(
            ledger.certificates.issue_certificate(
                issuer_id=body.id,
                worker_id=worker,
                occupation_code=ELECTRICIAN,
                level=level,
                basis={"kind": "evaluation", "reference": f"EV-{level.code}"},
                actor="test:issuer",
            ).aggregate.number
        )

    def end_of(day: str) -> None:
        runner.catch_up()
        size, root = TransparencyLogQuery(store).root()
        seen[day] = {"ladder": WorkerLadderQuery(store).ladder(worker), "tree": (size, root)}

    event_clock.on(DAYS[0])
    body = file_employer(ledger)
    worker = hire(ledger, body, 11, name="赵师傅")
    issue(SkillLevel.LEVEL_5)
    end_of(DAYS[0])
    event_clock.on(DAYS[1])
    second = issue(SkillLevel.LEVEL_4)
    end_of(DAYS[1])
    event_clock.on(DAYS[2])
    ledger.certificates.change_certificate_status(
        second, "revoke", actor="test:issuer", reason="材料造假"
    )
    end_of(DAYS[2])
    return {"worker": worker, "seen": seen}


def replay(ledger: Ledger, day: str, into: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, ["replay", "--as-of", day, "--into", str(into), "--json"], env=cli_env_of(ledger)
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_live_ladder_changed_from_day_to_day(lived: dict[str, Any]) -> None:
    ladders = [lived["seen"][day]["ladder"] for day in DAYS]
    assert [[lv["level"] for lv in ladder["levels"]] for ladder in ladders] == [["5"], ["4"], ["5"]]
    assert ladders[2]["promotions"][1]["status"] == "revoked"


@pytest.mark.parametrize("day", DAYS)
def test_replay_as_of_a_date_reproduces_that_days_ladder(
    ledger: Ledger, lived: dict[str, Any], tmp_path: Path, day: str
) -> None:
    into = tmp_path / f"replay-{day}"
    report = replay(ledger, day, into)

    replayed = SQLiteProjectionStore(into / "projections.sqlite3")
    try:
        assert WorkerLadderQuery(replayed).ladder(lived["worker"]) == lived["seen"][day]["ladder"]
        assert TransparencyLogQuery(replayed).root() == lived["seen"][day]["tree"]
    finally:
        replayed.close()
    assert report["position"] == lived["seen"][day]["tree"][0]
    assert report["failures"] == []


def test_replay_between_the_days_shows_the_day_before(
    ledger: Ledger, lived: dict[str, Any], tmp_path: Path
) -> None:
    into = tmp_path / "replay-gap"
    replay(ledger, "2025-03-07", into)
    before = SQLiteProjectionStore(into / "projections.sqlite3")
    try:
        assert WorkerLadderQuery(before).ladder(lived["worker"]) == lived["seen"][DAYS[1]]["ladder"]
    finally:
        before.close()
    empty = tmp_path / "replay-before"
    assert replay(ledger, "2025-02-28", empty)["position"] == 0
