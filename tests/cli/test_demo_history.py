"""The demo is a real history, 2022 to today: deterministic, idempotent, and full of states.

Seeded through the real commands on a simulated clock, on a SQLite file and on PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.certificate import CertificateStatus
from domain.competition import Competition
from domain.evaluation import Evaluation
from domain.organisation import Organisation
from projections import all_projections
from projections.as_of import build_as_of, fresh_sqlite_store
from projections.career_stage import CareerStageQuery
from service.config import Settings
from service.demo import DemoSeed, seed_demo
from service.demo.cast import BODIES, UNION, XHA_UNION
from service.demo.competitions import competition_plans
from service.demo.sessions import session_plans
from service.event_json import event_to_json
from service.ledger import Ledger

TODAY = date(2026, 12, 6)
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RANDOM_BY_DESIGN_AGGREGATES = (
    "StatusIndexBlock.",  # status-list indexes are drawn at random, never reused
    "StatusListAllocation.",
    "SubjectIdentifier.",  # sealed under a random key
    "ApiToken.",  # the demo's tokens are random
    "PersonAccount.",  # the demo accounts are made when seeding ends, on the real clock
)
RANDOM_BY_DESIGN_FIELDS = {
    ("Worker.Registered", "identity_hash"),  # keyed hash under the data directory's own key
    ("Organisation.SigningKeyAdded", "key_id"),  # each data directory makes its own keys
    ("Organisation.SigningKeyAdded", "public_key_multibase"),
    ("StatusList.BitSet", "index"),
    ("StatusList.BitCleared", "index"),
}


def history(ledger: Ledger) -> list[dict[str, Any]]:
    """The log with what is random by design left out and every id named by its first
    appearance (worker ids derive from the keyed hash, and ids of what names a worker from
    them), so two data directories compare event by event."""
    names: dict[str, str] = {}

    def rename(match: re.Match[str]) -> str:
        return names.setdefault(match.group(0), f"id-{len(names)}")

    events = []
    for notification in ledger.notifications():
        record = event_to_json(ledger.mapper, notification)
        if record["type"].startswith(RANDOM_BY_DESIGN_AGGREGATES):
            continue
        record.pop("position")
        for kind, name in RANDOM_BY_DESIGN_FIELDS:
            if record["type"] == kind:
                record["data"].pop(name)
        text = json.dumps(record, ensure_ascii=False, sort_keys=True)
        events.append(json.loads(UUID_TEXT.sub(rename, text)))
    return events


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    """One demo history on a SQLite file, shared by the read-only tests below."""
    ledger = Ledger(Settings(data_dir=tmp_path_factory.mktemp("demo")))
    seed_demo(ledger, today=TODAY)
    yield ledger
    ledger.close()


def test_two_fresh_stores_seeded_alike_hold_the_same_history_and_a_second_run_adds_nothing(
    make_ledger: Callable[..., Ledger], seeded: Ledger
) -> None:
    ledger = make_ledger()
    first = seed_demo(ledger, today=TODAY)
    assert first["events_before"] == 0
    again = seed_demo(ledger, today=TODAY)
    assert again["events_before"] == again["events_after"] == first["events_after"]
    ours, theirs = history(ledger), history(seeded)
    assert len(ours) == len(theirs) > 1500
    for position, (one, other) in enumerate(zip(ours, theirs, strict=True)):
        assert one == other, f"event {position} differs"


def test_the_history_is_told_in_order_from_2022_to_yesterday(seeded: Ledger, tmp_path: Path):
    stamps = [
        event_to_json(seeded.mapper, n)["timestamp"]
        for n in seeded.notifications()
        # tokens and accounts are made after the history, now
        if not n.topic.startswith(("craftledger:ApiToken", "craftledger:PersonAccount"))
    ]
    moments = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert moments == sorted(moments), "timestamps follow the log"
    assert moments[0].date() == date(2022, 1, 10)
    assert moments[-1] < datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    store = fresh_sqlite_store(tmp_path / "mid")
    try:
        midway = build_as_of(seeded, store, all_projections(), on=date(2024, 6, 30))
    finally:
        store.close()
    assert 1000 < midway.position < seeded.log_position - 1000


def test_the_history_holds_sessions_competitions_and_careers_in_every_state(
    seeded: Ledger, tmp_path: Path
) -> None:
    ledger = seeded
    objections = []
    for plan in session_plans(TODAY):
        body = Organisation.create_id(filing_code=plan.body)
        evaluation = ledger.evaluation(Evaluation.create_id(body_id=body, reference=plan.reference))
        objections += evaluation.objections.values()
        scored = [c for c in evaluation.candidates.values() if c["scores"]]
        if plan.until == "planned":
            assert evaluation.status == "planned" and not evaluation.candidates
        elif plan.until == "scoring":
            assert evaluation.status == "planned" and 0 < len(scored) < len(evaluation.candidates)
        else:
            assert evaluation.status == plan.until, plan.reference
    outcomes = {o["resolution"]["outcome"] if o["resolution"] else None for o in objections}
    assert outcomes == {"upheld", "dismissed", None}, "answered both ways, and one still open"

    states = Counter()
    approved = rejected = 0
    awards: Counter[str] = Counter()
    for plan in competition_plans(TODAY):
        organiser = Organisation.create_id(filing_code=plan.organiser)
        competition = ledger.competition(
            Competition.create_id(organiser_id=organiser, reference=plan.reference)
        )
        states[competition.status.value] += 1
        for proposal in competition.proposals.values():
            if proposal["status"] == "approved":
                approved += 1
                certificate = ledger.certificate(proposal["certificate_number"])
                assert certificate.basis["kind"] == "competition"
            rejected += proposal["status"] == "rejected"
        awards.update(r["award"] for r in competition.results or () if r["award"])
        if competition.status.value == "finalised":
            assert competition.reviews, "a flagged spread was reviewed (复核)"
    assert states == {"finalised": 4, "marking": 1, "announced": 1}
    assert approved >= 10 and rejected == 1
    assert {"gold", "silver", "bronze"} <= set(awards) and len(awards) == 4
    assert {plan.organiser for plan in competition_plans(TODAY)} >= {UNION, XHA_UNION}

    store = fresh_sqlite_store(tmp_path / "now")
    try:
        build_as_of(ledger, store, all_projections(), position=ledger.log_position)
        stages = CareerStageQuery(store).stage_counts()
    finally:
        store.close()
    assert all(stages.get(stage) for stage in stages) and len(stages) == 5, stages


def test_the_history_keeps_the_seed_reports_proportions(seeded: Ledger) -> None:
    summary = DemoSeed(seeded, today=TODAY).summary(
        {
            code: seeded.organisation(Organisation.create_id(filing_code=code))
            for code in (*BODIES, UNION, XHA_UNION)
        }
    )
    assert 0.33 <= summary["high_skill_share"] <= 0.41, summary
    assert set(summary["certificates_by_level"]) == {"1", "2", "3", "4", "5"}
    assert summary["certificates_by_status"].keys() == {"valid", "suspended", "revoked"}
    titles = Counter(
        event_to_json(seeded.mapper, n)["data"]["tier"]
        for n in seeded.notifications()
        if n.topic == "craftledger:HonourLadder.TitleAwarded"
    )
    # 朝阳: 493 能手, 270 匠心达人, 48 工匠
    assert titles["朝阳能手"] > titles["朝阳匠心达人"] > titles["朝阳工匠"] > 0
    assert 1.5 < titles["朝阳能手"] / titles["朝阳匠心达人"] < 2.2
    flagged = [
        seeded.repository.get(n.originator_id)
        for n in seeded.notifications()
        if n.topic == "craftledger:Certificate.DependencyFlagged"
    ]
    assert flagged, "the revocation flagged the certificates that rested on it"
    assert all(c.status is CertificateStatus.VALID and c.flags for c in flagged)


def test_late_in_december_the_demo_waits_for_next_years_calendar(tmp_path: Path) -> None:
    """A 公示 opened on 2026-12-28 runs into 2027, which no calendar covers yet: the session
    stays scored and unpublished, and the demo says which year and how to add it."""
    said: list[str] = []
    ledger = Ledger(Settings(data_dir=tmp_path))
    try:
        seed_demo(ledger, said.append, today=date(2026, 12, 30))
        plan = next(p for p in session_plans(date(2026, 12, 30)) if p.until == "published")
        body = Organisation.create_id(filing_code=plan.body)
        evaluation = ledger.evaluation(Evaluation.create_id(body_id=body, reference=plan.reference))
    finally:
        ledger.close()
    assert evaluation.status == "planned" and evaluation.objections == {}
    refusal = [line for line in said if plan.reference in line]
    assert refusal and "2027" in refusal[0] and "calendar add" in refusal[0], said
