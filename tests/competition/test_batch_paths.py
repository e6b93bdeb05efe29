"""The batch paths behind finalising and approving big competitions give exactly what the
one-at-a-time paths give (SQLite and PostgreSQL): many aggregates read in a few queries, many
credentials built and signed at once, and saves that skip the library's protocol checks.
"""

from __future__ import annotations

import uuid

import pytest

from domain.certificate import Certificate
from domain.skill_level import SkillLevel
from service.ledger import NotFound
from service.persistence.aggregate_loading import select_events_many
from tests.competition.arena import ADMIN, Arena, descending


def test_load_many_gives_what_get_gives_and_leaves_out_missing_ids(arena: Arena):
    ledger = arena.ledger
    workers = arena.ranked_field(4)
    number = arena.certify(workers[0], SkillLevel.LEVEL_4)
    certificate_id = Certificate.create_id(number=number)
    missing = uuid.uuid4()
    ids = [*workers, certificate_id, arena.body, missing, workers[0]]

    loaded = ledger.load_many(ids)

    assert set(loaded) == {*workers, certificate_id, arena.body}
    for aggregate_id, aggregate in loaded.items():
        expected = ledger.repository.get(aggregate_id)
        assert type(aggregate) is type(expected)
        assert aggregate.version == expected.version
        assert vars(aggregate) == vars(expected)


def test_events_of_many_aggregates_come_in_version_order_in_chunks(
    arena: Arena, monkeypatch: pytest.MonkeyPatch
):
    import service.persistence.aggregate_loading as loading

    monkeypatch.setattr(loading, "CHUNK", 2)  # several queries
    workers = arena.ranked_field(5)
    found = select_events_many(arena.ledger.recorder, workers)
    for worker in workers:
        one_by_one = arena.ledger.recorder.select_events(worker)
        assert found[worker] == list(one_by_one)


@pytest.mark.parametrize("disclosure", ["full", "public"])
def test_credentials_of_a_batch_are_the_single_credentials_byte_for_byte(
    arena: Arena, disclosure: str
):
    ledger = arena.ledger
    competition = arena.announce()
    field = arena.ranked_field(6)
    arena.certify(field[1], SkillLevel.LEVEL_4)
    arena.run(competition, descending(field))
    approved = ledger.competitions.approve_promotions(competition, actor=ADMIN).aggregate
    numbers = [
        p["certificate_number"] for p in approved.proposals.values() if p["status"] == "approved"
    ]
    numbers.append(arena.certify(arena.worker(), SkillLevel.LEVEL_5))  # another batch and time
    assert len(numbers) >= 3

    batch = ledger.credentials.certificate_credentials(numbers, disclosure)  # type: ignore[arg-type]

    assert batch == [ledger.credentials.certificate_credential(n, disclosure) for n in numbers]  # type: ignore[arg-type]


def test_approved_certificates_credentials_come_back_in_bulk_as_one_at_a_time(arena: Arena):
    ledger = arena.ledger
    competition = arena.announce()
    field = arena.ranked_field(6)
    arena.run(competition, descending(field))
    recorded = ledger.competitions.approve_promotions(competition, actor=ADMIN)
    numbers = [
        p["certificate_number"]
        for p in recorded.aggregate.proposals.values()
        if p["status"] == "approved"
    ]
    assert numbers
    bulk = ledger.credentials.certificate_credentials(numbers)
    assert [c["credentialSubject"]["licenseNumber"] for c in bulk] == numbers
    assert bulk == [ledger.credentials.certificate_credential(n) for n in numbers]


def test_credentials_of_an_unknown_certificate_are_not_found(arena: Arena):
    number = arena.certify(arena.worker(), SkillLevel.LEVEL_5)
    unknown = number[:-6] + "999999"
    with pytest.raises(NotFound):
        arena.ledger.credentials.certificate_credentials([number, unknown])


def test_finalising_reads_worker_facts_in_bulk_yet_refuses_an_unknown_worker(arena: Arena):
    """A candidate whose worker aggregate cannot be read is refused, as one at a time was."""
    from domain.competition import Competition

    ledger = arena.ledger
    competition_id = arena.announce()
    field = arena.ranked_field(3)
    arena.enter(competition_id, field)
    arena.mark(competition_id, descending(field))
    arena.lock(competition_id)
    real = ledger.load_many

    def without_first(ids):  # type: ignore[no-untyped-def]
        ids = list(ids)
        loaded = real(ids)
        loaded.pop(field[0], None)
        return loaded

    ledger.load_many = without_first  # type: ignore[method-assign]
    try:
        with pytest.raises(NotFound, match=str(field[0])):
            ledger.competitions.finalise_competition(competition_id, actor="organiser")
    finally:
        del ledger.load_many
    assert not ledger.competition(competition_id).is_final
    assert isinstance(ledger.competition(competition_id), Competition)
