"""The Ledger application on real SQLite files and a real PostgreSQL server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest

from domain.certificate import CertificateStatus
from domain.errors import DomainRuleViolation
from domain.skill_level import SkillLevel
from service.commands import ConcurrencyConflict, NotFound, retried
from service.ledger import Ledger
from tests.factories import ELECTRICIAN, file_employer, hire, id_number


def issue(ledger: Ledger, body, worker_id, level=SkillLevel.LEVEL_5):
    return ledger.certificates.issue_certificate(
        issuer_id=body.id,
        worker_id=worker_id,
        occupation_code=ELECTRICIAN,
        level=level,
        basis={"kind": "evaluation", "reference": "E-1"},
        actor="test:issuer",
    )


def test_issuing_saves_certificate_worker_and_series_in_one_atomic_save(ledger: Ledger):
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    before = ledger.log_position
    recorded = issue(ledger, body, worker_id)
    certificate = ledger.certificate(recorded.aggregate.number)
    assert certificate.number == "Y000011000001255000001"
    assert certificate.number in ledger.worker(worker_id).certificates
    topics = sorted(n.topic for n in ledger.notifications(start=before + 1))
    assert topics == [
        "craftledger:Certificate.Issued",
        "craftledger:CertificateNumberSeries.Opened",
        "craftledger:CertificateNumberSeries.SerialsAllocated",
        "craftledger:StatusIndexBlock.IndexesTaken",
        "craftledger:StatusIndexBlock.Opened",
        "craftledger:StatusListAllocation.Allocated",
        "craftledger:Worker.CertificateReceived",
    ]
    assert recorded.position == before + 7


def test_a_refused_command_records_nothing(ledger: Ledger):
    body = file_employer(ledger, scope={ELECTRICIAN: ["5"]})
    worker_id = hire(ledger, body, 1)
    before = ledger.log_position
    with pytest.raises(DomainRuleViolation):
        issue(ledger, body, worker_id, SkillLevel.LEVEL_4)
    assert ledger.log_position == before


def test_levels_follow_in_order_and_a_revoked_level_no_longer_counts(ledger: Ledger):
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    five = issue(ledger, body, worker_id).aggregate.number
    issue(ledger, body, worker_id, SkillLevel.LEVEL_4)
    with pytest.raises(DomainRuleViolation, match="levels-in-order"):
        hire_second = hire(ledger, body, 2)
        issue(ledger, body, hire_second, SkillLevel.LEVEL_4)
    ledger.certificates.change_certificate_status(five, "revoke", actor="test", reason="作弊")
    assert ledger.certificate(five).status is CertificateStatus.REVOKED
    assert ledger.workers.held_levels(ledger.worker(worker_id), ELECTRICIAN) == [SkillLevel.LEVEL_4]


def test_state_survives_reopening_the_store(make_ledger: Callable[..., Ledger], clock):
    first = make_ledger(clock=clock)
    body = file_employer(first)
    worker_id = hire(first, body, 1)
    number = issue(first, body, worker_id).aggregate.number
    first.certificates.change_certificate_status(number, "suspend", actor="t", reason="抽查")
    second = make_ledger()
    assert second.certificate(number).status is CertificateStatus.SUSPENDED
    assert (
        second.worker(worker_id).masked_id_number == "110105********" + id_number(1).reveal()[-4:]
    )


def test_unknown_ids_and_numbers_are_not_found(ledger: Ledger):
    with pytest.raises(NotFound):
        ledger.certificate("Y000011000001255000009")
    with pytest.raises(NotFound):
        ledger.organisation(ledger.worker_id_for(id_number(3)))


def test_the_same_person_cannot_register_twice(ledger: Ledger):
    ledger.workers.register_worker(id_number=id_number(1), name="张三", actor="t")
    with pytest.raises(DomainRuleViolation, match="already-registered"):
        ledger.workers.register_worker(id_number=id_number(1), name="张三丰", actor="t")


def test_no_event_holds_the_raw_id_number(ledger: Ledger):
    raw = id_number(1).reveal()
    ledger.workers.register_worker(id_number=id_number(1), name="张三", actor="t")
    for notification in ledger.notifications():
        assert raw.encode() not in notification.state


def test_employment_history_decides_own_staff_on_the_issue_date(ledger: Ledger):
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    ledger.workers.end_employment(worker_id, body.id, until=date(2024, 12, 31), actor="hr")
    with pytest.raises(DomainRuleViolation, match="not-own-staff"):
        issue(ledger, body, worker_id)


def test_a_conflict_that_persists_becomes_a_clear_concurrency_error():
    from eventsourcing.persistence import IntegrityError

    calls = []

    @retried
    def always_conflicting() -> None:
        calls.append(1)
        raise IntegrityError("simulated version clash")

    with pytest.raises(ConcurrencyConflict, match="always_conflicting"):
        always_conflicting()
    assert len(calls) > 1


def test_concurrent_issuing_in_one_body_and_year_never_duplicates_or_skips_a_number(
    ledger: Ledger,
):
    body = file_employer(ledger)
    workers = [hire(ledger, body, serial) for serial in range(1, 25)]
    errors: list[BaseException] = []
    numbers: list[str] = []
    lock = threading.Lock()

    def issue_for(chunk: list) -> None:
        for worker_id in chunk:
            try:
                number = issue(ledger, body, worker_id).aggregate.number
            except BaseException as error:
                errors.append(error)
            else:
                with lock:
                    numbers.append(number)

    threads = [threading.Thread(target=issue_for, args=(workers[i::6],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(1, len(workers) + 1))


def test_an_id_number_typed_into_a_reason_is_masked_before_it_is_stored(ledger: Ledger):
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    number = issue(ledger, body, worker_id).aggregate.number
    raw = id_number(7).reveal()
    recorded = ledger.certificates.change_certificate_status(
        number, "revoke", actor="test", reason=f"  冒用他人身份 {raw} "
    )
    assert recorded.aggregate.history[-1]["reason"] == f"冒用他人身份 {id_number(7).masked}"
    for notification in ledger.notifications():
        assert raw.encode() not in notification.state


def test_an_id_number_in_a_post_withdrawal_reason_is_masked_in_every_event(ledger: Ledger):
    """Withdrawing an enterprise post also sets its credential's revocation bit: both events
    record the reason, both masked."""
    body = file_employer(ledger)
    worker_id = hire(ledger, body, 1)
    appointment = ledger.posts.appoint_post(
        organisation_id=body.id,
        worker_id=worker_id,
        occupation_code="6-31-01-03",
        post="apprentice",
        reviews=[
            {"review": review, "evidence": "记录"}
            for review in ("performance", "defence", "comprehensive")
        ],
        actor="test",
    ).aggregate
    raw = id_number(8).reveal()
    before = ledger.log_position
    ledger.posts.withdraw_post(appointment.id, actor="test", reason=f"离职 {raw}")
    written = list(ledger.notifications(start=before + 1))
    assert {n.topic for n in written} >= {
        "craftledger:PostAppointment.Withdrawn",
        "craftledger:StatusList.BitSet",
    }
    for notification in written:
        assert raw.encode() not in notification.state
    reasons = [n for n in written if n.topic.endswith((".Withdrawn", ".BitSet"))]
    assert len(reasons) == 2
    for notification in reasons:
        assert f"离职 {id_number(8).masked}".encode() in notification.state
