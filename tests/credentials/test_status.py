"""Status: revoked and suspended show in the next list; an unusable list is unknown, never valid.

Credentials carry one entry in the issuer's 2-bit message list (derived from the revocation and
suspension lists, which stay served for credentials issued with two entries)."""

from __future__ import annotations

import copy

from domain.organisation import OrganisationKind
from service.ledger import Ledger
from service.signing.credential_verifier import verify_credential
from service.signing.data_integrity import CRYPTOSUITES, proofs_of
from service.signing.status_list import MIN_LENGTH, Bitstring, status_list_entry
from tests.factories import Issued

MESSAGE_SIZE = 2


def status_of(report) -> tuple[str, list[str]]:
    check = report.get("status")
    return check.status, [entry["result"] for entry in check.data.get("statuses", [])]


def bit(ledger: Ledger, issued: Issued, purpose: str) -> bool:
    document = ledger.credentials.status_list_credential(issued.body_id, purpose).document
    index = ledger.credentials.allocation_of(issued.body_id, issued.number).index(purpose)
    return Bitstring.decode(document["credentialSubject"]["encodedList"]).get(index)


def message(ledger: Ledger, issued: Issued) -> int:
    """The certificate's 2-bit value in the served message list (0 valid, 1, 2)."""
    document = ledger.credentials.status_list_credential(issued.body_id, "message").document
    index = ledger.credentials.allocation_of(issued.body_id, issued.number).index("revocation")
    bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
    return bits.get_value(index, MESSAGE_SIZE)


def two_entry_credential(ledger: Ledger, issued: Issued) -> dict:
    """The certificate's credential as issued before one message entry: two 1-bit entries
    (revocation, suspension), signed by the issuer as then."""
    _, document = ledger.credentials.unsigned_certificate_credential(issued.number)
    index = ledger.credentials.allocation_of(issued.body_id, issued.number).index("revocation")
    urls = ledger.credentials.credential_urls
    document["credentialStatus"] = [
        status_list_entry(urls.status_list_url(issued.body_id, purpose), purpose, index)
        for purpose in ("revocation", "suspension")
    ]
    issuer = ledger.organisation(issued.body_id)
    return ledger.credentials.sign_credential(
        issuer, document, ledger.certificate(issued.number).issued_at
    )


def status_only(ledger: Ledger, credential: dict):
    """Verify with the ledger's documents but none of its own checks (the status as read)."""
    document = ledger.credentials.controller_document(
        ledger.certificate(credential["credentialSubject"]["licenseNumber"]).issuer_id
    )
    urls = ledger.credentials.credential_urls

    def lists(url: str):
        issuer_id, purpose, list_number = urls.status_list_of(url)
        return ledger.credentials.status_list_credential(issuer_id, purpose, list_number).document

    return verify_credential(
        credential,
        controller_resolver=lambda _id: document,
        status_list_resolver=lists,
        now=ledger.clock(),
    )


def test_a_fresh_credential_has_valid_status_in_lists_of_at_least_131072_entries(
    ledger: Ledger, issued: Issued
):
    report = ledger.credentials.verify_credential(
        ledger.credentials.certificate_credential(issued.number)
    )
    assert status_of(report) == ("passed", ["valid"])
    for purpose, size in (("message", 2), ("revocation", 1), ("suspension", 1)):
        document = ledger.credentials.status_list_credential(issued.body_id, purpose).document
        bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
        assert len(bits) // size >= MIN_LENGTH == 131_072
        assert document["credentialSubject"]["statusPurpose"] == purpose
        assert document["issuer"] == ledger.credentials.credential_urls.controller_id(
            issued.body_id
        )


def test_a_revoked_credential_reports_revoked(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    ledger.certificates.change_certificate_status(
        issued.number, "revoke", actor="test:issuer", reason="作弊"
    )
    assert bit(ledger, issued, "revocation") and message(ledger, issued) == 2
    report = ledger.credentials.verify_credential(credential)
    assert status_of(report) == ("failed", ["revoked"])
    assert report.get("status").data["statuses"][0]["message"] == "revoked"
    assert not report.verified


def test_revocation_wins_over_an_earlier_suspension(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="t", reason="抽查"
    )
    assert message(ledger, issued) == 1
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    assert bit(ledger, issued, "suspension") and message(ledger, issued) == 2
    assert status_of(ledger.credentials.verify_credential(credential)) == ("failed", ["revoked"])


def test_a_credential_issued_with_two_entries_still_verifies_against_the_two_lists(
    ledger: Ledger, issued: Issued
):
    old = two_entry_credential(ledger, issued)
    report = status_only(ledger, old)
    assert report.verified and status_of(report) == ("passed", ["valid", "valid"])
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="t", reason="抽查"
    )
    assert status_of(status_only(ledger, old)) == ("failed", ["valid", "suspended"])
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    assert status_of(status_only(ledger, old)) == ("failed", ["revoked", "suspended"])


def test_reading_the_message_list_records_nothing(ledger: Ledger, issued: Issued):
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="t", reason="抽查"
    )
    position = ledger.log_position
    ledger.credentials.status_list_credential(issued.body_id, "message")
    assert ledger.log_position == position


def test_a_suspended_credential_reports_suspended_then_valid_after_reinstatement(
    ledger: Ledger, issued: Issued
):
    credential = ledger.credentials.certificate_credential(issued.number)
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="t", reason="抽查"
    )
    assert status_of(ledger.credentials.verify_credential(credential)) == ("failed", ["suspended"])
    assert message(ledger, issued) == 1
    ledger.certificates.change_certificate_status(
        issued.number, "reinstate", actor="t", reason="抽查合格"
    )
    assert not bit(ledger, issued, "suspension") and message(ledger, issued) == 0
    report = ledger.credentials.verify_credential(credential)
    assert status_of(report) == ("passed", ["valid"])
    assert report.verified


def test_only_the_certificates_own_bit_flips(ledger: Ledger, issued: Issued):
    from tests.factories import issue_to_new_worker

    other = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    assert bit(ledger, issued, "revocation") and not bit(ledger, other, "revocation")
    assert (message(ledger, issued), message(ledger, other)) == (2, 0)
    assert ledger.credentials.verify_credential(
        ledger.credentials.certificate_credential(other.number)
    ).verified


def test_an_unreachable_status_list_gives_unknown_never_valid(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    document = ledger.credentials.controller_document(issued.body_id)

    def unreachable(url: str):
        raise ConnectionError(f"{url}: connection refused")

    report = verify_credential(
        credential,
        controller_resolver=lambda _id: document,
        status_list_resolver=unreachable,
        now=ledger.clock(),
    )
    assert status_of(report) == ("unknown", ["unknown"])
    assert report.get("signature").status == "passed"
    assert not report.verified
    offline = verify_credential(
        credential, controller_resolver=lambda _id: document, now=ledger.clock()
    )
    assert offline.get("status").status == "unknown" and not offline.verified


def test_a_tampered_or_stale_status_list_gives_unknown(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    document = ledger.credentials.controller_document(issued.body_id)
    lists = {
        purpose: ledger.credentials.status_list_credential(issued.body_id, purpose).document
        for purpose in ("message",)
    }
    tampered = copy.deepcopy(lists)
    tampered["message"]["credentialSubject"]["encodedList"] = Bitstring(2 * MIN_LENGTH).encode()
    tampered["message"]["validUntil"] = "2099-01-01T00:00:00Z"
    report = verify_credential(
        credential,
        controller_resolver=lambda _id: document,
        status_list_resolver=lambda url: tampered[url.rsplit("/", 1)[1]],
        now=ledger.clock(),
    )
    assert status_of(report)[1] == ["unknown"]
    from datetime import timedelta

    later = ledger.clock() + timedelta(days=3)
    stale = verify_credential(
        credential,
        controller_resolver=lambda _id: document,
        status_list_resolver=lambda url: lists[url.rsplit("/", 1)[1]],
        now=later,
    )
    assert status_of(stale) == ("unknown", ["unknown"])


def test_the_served_list_changes_only_when_a_bit_flips(ledger: Ledger, issued: Issued):
    lists = ledger.credentials.status_list_credential
    first = {purpose: lists(issued.body_id, purpose) for purpose in ("revocation", "message")}
    for purpose in first:
        assert lists(issued.body_id, purpose).etag == first[purpose].etag
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    for purpose in first:
        assert lists(issued.body_id, purpose).etag != first[purpose].etag
    assert (
        ledger.credentials.status_list_credential(issued.body_id, "suspension").document[
            "credentialSubject"
        ]["encodedList"]
        == Bitstring(MIN_LENGTH).encode()
    )


def test_a_status_list_is_signed_by_the_key_in_use_after_a_rotation(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    ledger.credentials.rotate_signing_key(issued.body_id, actor="t")
    current = ledger.organisation(issued.body_id).current_key_id
    listed = ledger.credentials.status_list_credential(issued.body_id, "revocation").document
    assert [proof["cryptosuite"] for proof in listed["proof"]] == list(CRYPTOSUITES)
    for proof in proofs_of(listed):
        assert proof["verificationMethod"].endswith("#" + current)
    assert ledger.credentials.verify_credential(credential).verified


def test_a_certificate_from_before_status_lists_gets_entries_when_first_asked(ledger: Ledger):
    """Certificates recorded before this feature (no allocation) get entries on first use."""
    from domain.certificate import Certificate
    from tests.factories import file_employer, hire

    body = file_employer(ledger)
    worker = ledger.worker(hire(ledger, body, 1))
    legacy = Certificate(
        number="Y000011000001255999999",
        worker_id=worker.id,
        holder_name=worker.name,
        masked_id_number=worker.masked_id_number,
        issuer_id=body.id,
        issuer_name="北京链家",
        occupation_code="6-31-01-03",
        occupation_name="电工",
        level="5",
        basis={"kind": "evaluation", "reference": "legacy"},
        issued_at=ledger.clock(),
        actor="legacy",
    )
    ledger.save(legacy)
    assert ledger.credentials.allocation_of(body.id, legacy.number) is None
    credential = ledger.credentials.certificate_credential(legacy.number)
    assert ledger.credentials.allocation_of(body.id, legacy.number) is not None
    assert ledger.credentials.certificate_credential(legacy.number) == credential
    ledger.certificates.change_certificate_status(legacy.number, "revoke", actor="t", reason="作弊")
    assert status_of(ledger.credentials.verify_credential(credential))[1] == ["revoked"]


def test_an_organisation_without_keys_has_no_status_lists(ledger: Ledger):
    import pytest

    from service.credentials import CredentialUnavailable

    authority = ledger.organisations.file_organisation(
        filing_code="11-authority",
        name="人社局",
        kind=OrganisationKind.AUTHORITY,
        province_code="11",
        actor="t",
    ).aggregate
    with pytest.raises(CredentialUnavailable):
        ledger.credentials.status_list_credential(authority.id, "revocation")
