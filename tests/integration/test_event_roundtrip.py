"""Every event type round-trips through the application's mapper, under its stable topic."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from eventsourcing.domain import CanMutateAggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.api_token import ApiToken, Role
from domain.calendar_year import CalendarYear
from domain.certificate import Certificate
from domain.competition import Competition
from domain.evaluation import Evaluation
from domain.holiday_arrangement import parse_arrangement
from domain.honour_ladder import HonourLadder
from domain.number_series import CertificateNumberSeries
from domain.occupation import find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.post_appointment import PostAppointment
from domain.skill_level import SkillLevel
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from service.ledger import Ledger
from tests.competition.scenario import competition_with_every_event
from tests.evaluation.domain_scenario import run_whole_session
from tests.factories import fictitious_arrangement

AT = datetime(2025, 5, 1, tzinfo=UTC)
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


def scenario_aggregates() -> list:
    """The aggregates of :func:`scenario`, their events pending."""
    body = Organisation.file(
        filing_code="Y-1",
        name="北京链家",
        kind=OrganisationKind.EMPLOYER,
        province_code="11",
        evaluator_prefix="Y000011000001",
        scope={"6-31-01-03": ["5", "4"]},
        filed_at=AT,
        actor="a",
    )
    union = Organisation.file(
        filing_code="U-1",
        name="朝阳区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        evaluator_prefix=None,
        scope={},
        filed_at=AT,
        actor="a",
    )
    body.amend_scope({"6-31-01-03": ["5", "4", "3"]}, AT, "a", "扩大")
    body.add_signing_key("k1", "z6MkExample", AT, "a")
    body.mark_key_compromised("k1", AT, "a", "泄露")
    body.suspend(AT, "a", "r")
    body.reinstate(AT, "a", "r")
    union.revoke(AT, "a", "r")
    worker = Worker.register(
        identity_hash="ab" * 32,
        id_kind="resident",
        masked_id_number="110105********1239",
        name="张三",
        actor="a",
    )
    worker.correct_name("张叁", "a", "户籍更正")
    worker.start_employment(body.id, EmploymentRelation.STAFF, date(2020, 1, 1), "a")
    worker.end_employment(body.id, date(2024, 1, 1), "a")
    for claimant, since in ((body.id, date(2024, 6, 1)), (body.id, date(2025, 1, 1))):
        worker.start_employment(
            claimant, EmploymentRelation.STAFF, since, "issuer", claimant=claimant
        )
        if since.year == 2024:
            worker.confirm_employment(claimant, "worker")
            worker.end_employment(claimant, date(2024, 12, 31), "a")
        else:
            worker.decline_employment(claimant, "worker", "从未在该单位工作")
    worker.record_career_entry(CareerEntryKind.TRAINING, "培训", date(2022, 1, 1), "a")
    worker.declare_external_certificate(
        "S000011000101205000001",
        "某培训学校",
        "6-31-01-03",
        SkillLevel.LEVEL_5,
        date(2020, 1, 1),
        "a",
    )
    worker.check_external_certificate("S000011000101205000001", True, "a", "全国联网查询一致")
    series = CertificateNumberSeries(evaluator_prefix="Y000011000001", issue_year="25", level="4")
    (number,) = series.allocate(1, "a")
    certificate = Certificate(
        number=str(number),
        worker_id=worker.id,
        holder_name="张叁",
        masked_id_number="110105********1239",
        issuer_id=body.id,
        issuer_name="北京链家",
        occupation_code="6-31-01-03",
        occupation_name="电工",
        level="4",
        basis={"kind": "evaluation", "reference": "E"},
        issued_at=AT,
        actor="a",
    )
    worker.receive_certificate(str(number), "6-31-01-03", "4", body.id, "2025-05-01", "a")
    certificate.suspend(AT, "a", "r")
    certificate.reinstate(AT, "a", "r")
    certificate.flag_dependency(
        AT, "a", revoked_number="Y000011000001245000001", reason="fraud", kind="levels_in_order",
        via="Y000011000001245000001",
    )  # fmt: skip
    certificate.revoke(AT, "a", "r")
    evaluation = Evaluation.plan(
        body=body,
        reference="E",
        occupation=find_occupation("6-31-01-03"),
        level=SkillLevel.LEVEL_4,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 1, 2),
        panels={"practical": ["a", "b", "c"]},
        actor="a",
    )
    session_aggregates = run_whole_session(evaluation, body, series, AT)
    union2 = Organisation.file(
        filing_code="U-2",
        name="区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        evaluator_prefix=None,
        scope={},
        filed_at=AT,
        actor="a",
    )
    competition = competition_with_every_event(union2, body)
    ladder = HonourLadder.define(union_id=union2.id, name="荣誉", tiers=["能手", "工匠"], actor="a")
    ladder.award("A1", worker.id, "工匠", 2024, "a")
    ladder.withdraw("A1", "a", "撤销")
    token = ApiToken.grant(
        token_hash="cd" * 32,
        role=Role.ADMIN,
        organisation_id=None,
        worker_id=None,
        label="",
        actor="a",
    )
    token.revoke("a", "rotated")
    calendar_year = CalendarYear.open(2027, "a")
    calendar_year.add_arrangement(parse_arrangement(fictitious_arrangement()), at=AT, actor="a")
    post = PostAppointment.nominate(
        organisation=body, worker_id=worker.id, worker_name="张三", own_staff=True,
        occupation_code="6-31-01-03", occupation_name="电工", post="apprentice",
        prerequisite=None, at=AT, actor="a",
    )  # fmt: skip
    for review in ("performance", "defence", "comprehensive"):
        post.pass_review(review, "记录", AT.date(), AT, "a")
    post.appoint(AT, "a")
    post.withdraw(AT, "a", "离职")
    aggregates = [
        post,
        body,
        union,
        union2,
        worker,
        series,
        certificate,
        evaluation,
        competition,
        ladder,
        token,
        calendar_year,
        *session_aggregates,
    ]
    return aggregates


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
