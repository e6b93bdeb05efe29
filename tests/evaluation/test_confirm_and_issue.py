"""Confirmation: refused early, then every passing candidate issued in one atomic save; report."""

from __future__ import annotations

from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError

from domain.certificate import Certificate
from domain.errors import DomainRuleViolation
from domain.number_series import CertificateNumberSeries
from service.credentials import CredentialUnavailable
from service.ledger import ConcurrencyConflict, Ledger
from service.signing.data_integrity import CRYPTOSUITES
from tests.factories import CONFIRM_DAY, PUBLISH_DAY, WINDOW_END, Session
from tests.support.assertions import rule_of
from tests.support.clocks import on_day

NUMBER_PREFIX = "Y000011000001244"  # evaluator Y0000110 00001, issued 2024, level 4


def published(session: Session, passing: int = 3, failing: int = 1) -> list:
    workers = [
        session.candidate_with(f"合格{i}", theory=80, practical=f"{60 + i}.5")
        for i in range(passing)
    ]
    workers += [
        session.candidate_with(f"不合格{i}", theory=59, practical=99) for i in range(failing)
    ]
    session.publish(PUBLISH_DAY)
    return workers


def log_size(ledger: Ledger) -> int:
    return ledger.log_position


def test_confirming_before_publication_or_inside_the_window_is_refused(session: Session) -> None:
    session.candidate_with(theory=80, practical=80)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.confirm(CONFIRM_DAY)
    assert rule_of(excinfo) == "evaluation-is-planned"
    session.publish(PUBLISH_DAY)
    for day in (PUBLISH_DAY, date(2024, 10, 7), WINDOW_END):
        with pytest.raises(DomainRuleViolation) as excinfo:
            session.confirm(day)
        assert rule_of(excinfo) == "publication-window-open"
        assert excinfo.value.detail == (
            "the publication (公示) window of EV-2024-09 runs until the end of 2024-10-10; "
            "confirm on or after the next day"
        )
    assert session.evaluation.status == "published"


def test_confirming_with_an_unresolved_objection_is_refused(session: Session) -> None:
    worker = session.candidate_with(theory=80, practical=80)
    session.publish(PUBLISH_DAY)
    on_day(session.clock, date(2024, 9, 30))
    session.ledger.evaluations.lodge_objection(
        session.evaluation_id, worker_id=worker, grounds="g", lodged_by="某职工", actor="issuer"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.confirm(CONFIRM_DAY)
    assert rule_of(excinfo) == "objections-unresolved"
    assert "O-1" in excinfo.value.detail


def test_confirmation_issues_every_passing_candidate_in_one_save(session: Session) -> None:
    workers = published(session)
    before = log_size(session.ledger)
    stages: list[str] = []
    recorded = session.confirm(
        CONFIRM_DAY, progress=lambda stage, done, total: stages.append(stage)
    )
    evaluation = recorded.aggregate
    assert evaluation.status == "issued"
    numbers = [evaluation.candidate(w)["certificate_number"] for w in workers]
    assert numbers == [f"{NUMBER_PREFIX}{serial:06d}" for serial in (1, 2, 3)] + [None]
    assert evaluation.issued["count"] == 3
    assert evaluation.confirmation["results"]["passed"] == 3
    # one save: every event of the confirmation carries consecutive log positions
    assert recorded.position == log_size(session.ledger)
    notifications = list(session.ledger.notifications(start=before + 1))
    topics = {n.topic for n in notifications}
    assert {
        "craftledger:Evaluation.Confirmed",
        "craftledger:Evaluation.CertificatesIssued",
        "craftledger:Certificate.Issued",
        "craftledger:Worker.CertificateReceived",
        "craftledger:CertificateNumberSeries.SerialsAllocated",
    } <= topics
    allocations = [n for n in notifications if n.topic.endswith("SerialsAllocated")]
    assert len(allocations) == 1  # one allocation of three consecutive serials
    for worker, number in zip(workers[:3], numbers[:3], strict=True):
        certificate = session.ledger.certificate(number)
        assert certificate.worker_id == worker
        assert certificate.basis == {
            "kind": "evaluation",
            "reference": "EV-2024-09",
            "evaluation_id": str(session.evaluation_id),
            "route": "4-years",
            "edition": "generic-default@2022",
            "bypass": "entry_route",
            "evidence": "eligibility route generic-default@2022/4-years",
        }
        assert number in session.ledger.worker(worker).certificates
        assert session.ledger.credentials.allocation_of(session.body_id, number) is not None
    assert stages[-2:] == ["saving", "saved"]


def test_issued_credentials_are_signed_and_verify(session: Session) -> None:
    (worker,) = published(session, passing=1, failing=0)
    evaluation = session.confirm(CONFIRM_DAY).aggregate
    number = evaluation.candidate(worker)["certificate_number"]
    credential = session.ledger.credentials.certificate_credential(number)
    assert credential["credentialSubject"]["licenseNumber"] == number
    assert [proof["cryptosuite"] for proof in credential["proof"]] == list(CRYPTOSUITES)
    assert (
        session.ledger.credentials.certificate_credential(number) == credential
    )  # from events, stable
    report = session.ledger.credentials.verify_credential(credential)
    assert report.verified, [(c.check, c.status, c.detail) for c in report.checks]


def test_the_log_gives_the_confirmed_certificates_credentials_in_bulk_as_one_at_a_time(
    session: Session,
) -> None:
    workers = published(session, passing=3, failing=1)
    recorded = session.confirm(CONFIRM_DAY)
    numbers = [recorded.aggregate.candidate(w)["certificate_number"] for w in workers[:3]]
    credentials = session.ledger.credentials.certificate_credentials(numbers)
    assert [c["credentialSubject"]["licenseNumber"] for c in credentials] == numbers
    assert credentials == [session.ledger.credentials.certificate_credential(n) for n in numbers]
    assert all(c["credentialSubject"]["identifier"] for c in credentials)


def test_a_credential_that_cannot_be_signed_refuses_the_confirmation(session: Session) -> None:
    published(session, passing=2, failing=0)
    body = session.ledger.organisation(session.body_id)
    (key_id,) = body.signing_keys
    # the only key leaked before the issue time and no replacement was published
    on_day(session.clock, CONFIRM_DAY)
    session.ledger.credentials.mark_key_compromised(
        session.body_id,
        key_id,
        compromised_at=session.clock(),
        actor="admin",
        reason="密钥泄露",
        rotate=False,
    )
    before = log_size(session.ledger)
    with pytest.raises(CredentialUnavailable):
        session.confirm(CONFIRM_DAY)
    assert log_size(session.ledger) == before
    assert session.evaluation.status == "published"


def test_a_refusal_mid_batch_records_nothing(session: Session) -> None:
    workers = published(session, passing=3, failing=0)
    # the second candidate leaves before confirmation: a Y certificate is for own staff only
    session.ledger.workers.end_employment(workers[1], session.body_id, until=WINDOW_END, actor="hr")
    before = log_size(session.ledger)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.confirm(CONFIRM_DAY)
    assert rule_of(excinfo) == "not-own-staff"
    assert excinfo.value.detail.startswith(
        "1 of 3 candidates cannot receive a certificate, so none is issued: 合格1 ("
    )
    assert log_size(session.ledger) == before
    assert session.evaluation.status == "published"
    for worker in workers:
        assert session.ledger.worker(worker).certificates == {}
    series_id = CertificateNumberSeries.create_id(
        evaluator_prefix="Y000011000001", issue_year="24", level="4"
    )
    assert not session.ledger.exists(series_id)


def test_a_storage_failure_mid_batch_records_nothing(session: Session) -> None:
    workers = published(session, passing=3, failing=0)
    # someone else's record already holds the number the batch allocates third
    taken = Certificate(
        number=f"{NUMBER_PREFIX}000003",
        worker_id=workers[0],
        holder_name="x",
        masked_id_number="x",
        issuer_id=session.body_id,
        issuer_name="x",
        occupation_code="6-31-01-03",
        occupation_name="电工",
        level="4",
        basis={"kind": "evaluation"},
        issued_at=session.clock(),
        actor="test",
    )
    session.ledger.save(taken)
    before = log_size(session.ledger)
    with pytest.raises((ConcurrencyConflict, IntegrityError)):
        session.confirm(CONFIRM_DAY)
    assert log_size(session.ledger) == before
    assert not session.ledger.exists(Certificate.create_id(number=f"{NUMBER_PREFIX}000001"))
    assert session.evaluation.status == "published"
    assert all(session.ledger.worker(w).certificates == {} for w in workers)


def test_a_suspended_body_confirms_nothing(session: Session) -> None:
    published(session, passing=1, failing=0)
    session.ledger.organisations.change_organisation_status(
        session.body_id, "suspend", actor="admin", reason="督导"
    )
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.confirm(CONFIRM_DAY)
    assert rule_of(excinfo) == "issuer-suspended"


def test_a_confirmed_session_is_not_confirmed_again(session: Session) -> None:
    published(session, passing=1, failing=0)
    session.confirm(CONFIRM_DAY)
    with pytest.raises(DomainRuleViolation) as excinfo:
        session.confirm(CONFIRM_DAY)
    assert rule_of(excinfo) == "evaluation-is-issued"


def test_a_session_where_nobody_passed_confirms_with_no_certificate(session: Session) -> None:
    published(session, passing=0, failing=2)
    evaluation = session.confirm(CONFIRM_DAY).aggregate
    assert evaluation.status == "issued"
    assert evaluation.issued["count"] == 0


def test_the_issue_is_reported_once_after_issue(session: Session) -> None:
    published(session, passing=2, failing=1)
    report = session.ledger.evaluations.report_evaluation
    with pytest.raises(DomainRuleViolation) as excinfo:
        report(session.evaluation_id, reported_to="朝阳区人社局", reference="R-1", actor="issuer")
    assert rule_of(excinfo) == "evaluation-is-published"
    session.confirm(CONFIRM_DAY)
    on_day(session.clock, date(2024, 10, 14))
    evaluation = report(
        session.evaluation_id,
        reported_to="朝阳区人社局",
        reference="京链评〔2024〕9号",
        actor="issuer",
    ).aggregate
    assert evaluation.status == "reported"
    assert evaluation.report["summary"] == {
        "candidates": 3,
        "results": {"passed": 2, "failed": 1, "incomplete": 0, "withdrawn": 0},
        "certificates": 2,
        "first_number": f"{NUMBER_PREFIX}000001",
        "last_number": f"{NUMBER_PREFIX}000002",
    }
    assert evaluation.report["reported_on"] == "2024-10-14"
    with pytest.raises(DomainRuleViolation) as excinfo:
        report(session.evaluation_id, reported_to="朝阳区人社局", reference="again", actor="issuer")
    assert rule_of(excinfo) == "already-reported"


def test_sessions_are_listed_from_the_read_model_with_their_status(session: Session) -> None:
    from projections.evaluation_sessions import EvaluationSessions, EvaluationSessionsQuery
    from projections.runner import ProjectionRunner
    from projections.store import ProjectionStore

    store = ProjectionStore.from_settings(session.ledger.settings)
    try:
        runner = ProjectionRunner(session.ledger, store, [EvaluationSessions()])
        query = EvaluationSessionsQuery(store)
        published(session, passing=1, failing=0)
        runner.catch_up()
        page = query.list_sessions(body_id=session.body_id, limit=10)
        assert page.next_cursor is None
        assert [(s["reference"], s["status"]) for s in page.items] == [("EV-2024-09", "published")]
        assert page.items[0]["version"] == session.evaluation.version
        session.confirm(CONFIRM_DAY)
        runner.catch_up()
        (issued,) = query.list_sessions(limit=10).items
        assert issued["status"] == "issued"  # never "confirmed": both events in one save
        other_body = session.ledger.worker_id_for(next(iter(session.id_numbers.values())))
        assert query.list_sessions(body_id=other_body, limit=10).items == []
    finally:
        store.close()
