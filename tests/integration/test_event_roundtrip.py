"""Every event type round-trips through the application's mapper, under its stable topic."""

from __future__ import annotations

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.api_token import ApiToken
from domain.calendar_year import CalendarYear
from domain.certificate import Certificate
from domain.competition import Competition
from domain.evaluation import Evaluation
from domain.honour_ladder import HonourLadder
from domain.number_series import CertificateNumberSeries
from domain.organisation import Organisation
from domain.person_account import PersonAccount
from domain.post_appointment import PostAppointment
from domain.worker import Worker
from service.ledger import Ledger
from tests.integration.every_event import AT, scenario_aggregates

AGGREGATES = [
    Organisation,
    Worker,
    Certificate,
    CertificateNumberSeries,
    Evaluation,
    Competition,
    HonourLadder,
    ApiToken,
    CalendarYear,
    PersonAccount,
]


def every_event_class() -> set[type]:
    found = set()
    for aggregate in AGGREGATES:
        for value in vars(aggregate).values():
            if (
                isinstance(value, type)
                and issubclass(value, CanMutateAggregate)
                and value.__name__ not in ("Event", "Created")
            ):
                found.add(value)
    return found


def scenario() -> list:
    """One of every event, produced by the domain's own methods."""
    return [event for aggregate in scenario_aggregates() for event in aggregate.collect_events()]


def test_every_event_type_is_exercised_and_round_trips_through_the_mapper(tmp_path):
    from service.config import Settings

    ledger = Ledger(Settings(data_dir=tmp_path))
    events = scenario()
    exercised = {type(event) for event in events}
    assert every_event_class() <= exercised, every_event_class() - exercised
    for event in events:
        stored = ledger.mapper.to_stored_event(event)
        assert stored.topic == event.TOPIC
        assert stored.topic.startswith("craftledger:")
        again = ledger.mapper.to_domain_event(stored)
        assert type(again) is type(event)
        assert vars(again) == vars(event)


@pytest.mark.parametrize("aggregate", AGGREGATES)
def test_aggregate_topics_are_explicit_and_stable(aggregate):
    assert get_topic(aggregate) == f"craftledger:{aggregate.__name__}"


def test_stored_topics_never_mention_python_modules():
    for cls in every_event_class():
        assert get_topic(cls).startswith("craftledger:")
        assert "domain." not in get_topic(cls)


def test_a_number_can_be_issued_only_once_even_past_the_series(ledger: Ledger):
    def issued(number: str) -> Certificate:
        return Certificate(
            number=number,
            worker_id=Worker.create_id(identity_hash="x"),
            holder_name="n",
            masked_id_number="m",
            issuer_id=Organisation.create_id(filing_code="y"),
            issuer_name="n",
            occupation_code="6-31-01-03",
            occupation_name="电工",
            level="5",
            basis={"kind": "evaluation"},
            issued_at=AT,
            actor="a",
        )

    ledger.save(issued("Y000011000001255000001"))
    with pytest.raises(IntegrityError):
        ledger.save(issued("Y000011000001255000001"))


def test_a_post_nominated_before_terms_existed_replays_as_its_first_term(tmp_path):
    """``PostAppointment.Nominated`` gained ``term`` (default 1): events stored without it
    still replay, to the same id as before."""
    import json

    from eventsourcing.persistence import StoredEvent

    from service.config import Settings

    ledger = Ledger(Settings(data_dir=tmp_path))
    post = next(a for a in scenario_aggregates() if isinstance(a, PostAppointment))
    nominated = post.collect_events()[0]
    stored = ledger.mapper.to_stored_event(nominated)
    state = json.loads(stored.state)
    assert state.pop("term") == 1
    old = StoredEvent(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=json.dumps(state).encode(),
    )
    replayed = ledger.mapper.to_domain_event(old).mutate(None)
    assert replayed.term == 1 and replayed.id == post.id
    assert post.id == PostAppointment.create_id(
        organisation_id=post.organisation_id,
        worker_id=post.worker_id,
        occupation_code=post.occupation_code,
        post=post.post,
    )
