"""A verify never signs a head: a certificate recorded but not yet under a signed head is
reported pending (skipped, with when the head is due); one the ledger never recorded is unknown."""

from __future__ import annotations

from service.audit import Audit
from service.ledger import Ledger
from tests.factories.certificates import issue_to_new_worker
from tests.factories.organisations import file_employer


def subject(number: str) -> dict[str, object]:
    return {"credentialSubject": {"licenseNumber": number}}


def test_a_recorded_issuance_awaiting_its_head_is_pending_and_a_forged_one_unknown(
    ledger: Ledger, audit: Audit
) -> None:
    body = file_employer(ledger)
    number = issue_to_new_worker(ledger, body.id, 1).number
    forged = number[:-6] + "999999"

    pending = audit.proofs.log_inclusion_check(subject(number))
    assert pending.status == "skipped", pending.detail
    assert "recorded in the log" in pending.detail and "due within" in pending.detail
    unknown = audit.proofs.log_inclusion_check(subject(forged))
    assert unknown.status == "unknown", unknown.detail

    audit.catch_up()
    audit.publish()
    assert audit.proofs.log_inclusion_check(subject(number)).status == "passed"
    assert audit.proofs.log_inclusion_check(subject(forged)).status == "unknown"
