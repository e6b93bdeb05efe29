"""Employment claims on the Worker (issue 16), in the pure domain: a body's claim for a worker
it did not register is pending and counts for nothing until confirmed; stored registrations from
before the registering organisation was noted still load."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest

from domain.china_time import china_date
from domain.errors import DomainRuleViolation
from domain.worker import EmploymentRelation, Worker

STAFF = EmploymentRelation.STAFF
DAY = date(2024, 6, 1)


def registered(by: UUID | None = None) -> Worker:
    return Worker.register(
        identity_hash="cd" * 32,
        id_kind="resident",
        masked_id_number="110105********1239",
        name="张三",
        actor="issuer:t",
        registered_by=by,
        registered_on=date(2022, 1, 17),
    )


def test_a_claim_by_a_body_that_did_not_register_the_worker_is_pending() -> None:
    worker, body = registered(), uuid4()
    assert (
        worker.start_employment(body, STAFF, date(2010, 1, 1), "issuer:a", claimant=body) is False
    )
    assert worker.employments == [] and not worker.is_staff_of(body, DAY)
    assert worker.employer_on(DAY) is None
    assert worker.pending_employment(body) is not None
    with pytest.raises(DomainRuleViolation) as again:
        worker.start_employment(body, STAFF, date(2011, 1, 1), "issuer:a", claimant=body)
    assert again.value.rule == "employment-claim-pending"


def test_confirming_makes_the_claim_an_employment_marked_declared_before_registration() -> None:
    worker, body = registered(), uuid4()
    worker.start_employment(body, STAFF, date(2010, 1, 1), "issuer:a", claimant=body)
    worker.confirm_employment(body, "worker:w")
    assert worker.is_staff_of(body, DAY) and worker.pending_employment(body) is None
    assert worker.employment_is_declared(worker.employments[0])
    topics = [type(e).TOPIC for e in worker.collect_events()][-3:]  # type: ignore[attr-defined]
    assert topics == [
        "craftledger:Worker.EmploymentClaimed",
        "craftledger:Worker.EmploymentConfirmed",
        "craftledger:Worker.EmploymentStarted",
    ]


def test_declining_needs_a_reason_and_leaves_no_employment() -> None:
    worker, body = registered(), uuid4()
    worker.start_employment(body, STAFF, date(2010, 1, 1), "issuer:a", claimant=body)
    with pytest.raises(DomainRuleViolation) as blank:
        worker.decline_employment(body, "worker:w", " ")
    assert blank.value.rule == "reason-required"
    worker.decline_employment(body, "worker:w", "从未在该单位工作")
    assert worker.employments == [] and worker.pending_employment(body) is None
    with pytest.raises(DomainRuleViolation) as none:
        worker.confirm_employment(body, "worker:w")
    assert none.value.rule == "no-pending-claim"


def test_the_registering_body_and_an_administrator_record_at_once() -> None:
    body, other = uuid4(), uuid4()
    worker = registered(by=body)
    assert worker.start_employment(body, STAFF, date(2023, 1, 1), "issuer:b", claimant=body)
    assert not worker.employment_is_declared(worker.employments[0])
    assert worker.start_employment(other, STAFF, date(2015, 1, 1), "admin:x")  # no claimant
    assert worker.is_staff_of(other, DAY)
    with pytest.raises(DomainRuleViolation) as elsewhere:
        worker.start_employment(uuid4(), STAFF, DAY, "issuer:b", claimant=body)
    assert elsewhere.value.rule == "claim-for-own-organisation"


def test_a_registration_stored_before_the_new_fields_still_loads() -> None:
    worker = registered(by=uuid4())
    [created] = worker.collect_events()
    state = dict(created.__dict__)
    del state["registered_by"], state["registered_on"]
    old = object.__new__(type(created))
    object.__setattr__(old, "__dict__", state)  # as the mapper decodes a stored event
    loaded = old.mutate(None)
    assert isinstance(loaded, Worker)
    assert loaded.registered_by is None and loaded.pending_employments == []
    assert loaded.registration_date == china_date(created.timestamp).isoformat()  # China date
