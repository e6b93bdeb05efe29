"""Credentials served signed once: kept until an event changes them, and a key rotation or
compromise re-signs exactly the credentials whose key choice it changes."""

from __future__ import annotations

from flask.testing import FlaskClient

from service.credentials import SignedDocument
from service.ledger import Ledger
from service.signing.data_integrity import proofs_of
from tests.factories import Issued, issue_to_new_worker


def served(ledger: Ledger, number: str, disclosure: str = "full") -> SignedDocument:
    return ledger.credentials.served_certificate_credential(number, disclosure)  # type: ignore[arg-type]


def signed_count(ledger: Ledger) -> int:
    return ledger.credentials._documents.served.signed_count


def test_a_served_credential_is_the_built_one_signed_once(ledger: Ledger, issued: Issued):
    for disclosure in ("full", "public"):
        built = SignedDocument.of(
            ledger.credentials.certificate_credential(issued.number, disclosure)
        )
        assert served(ledger, issued.number, disclosure) == built
        assert served(ledger, issued.number, disclosure) == built
    assert signed_count(ledger) == 2


def test_an_event_of_what_it_rests_on_has_it_built_again(ledger: Ledger, issued: Issued):
    first = served(ledger, issued.number)
    other = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    served(ledger, other.number)
    assert signed_count(ledger) == 2
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="test", reason="核查"
    )
    assert served(ledger, issued.number) == first  # the status is in the list, not the credential
    assert served(ledger, other.number)  # untouched: still kept
    assert signed_count(ledger) == 3


def test_a_rotation_re_signs_nothing_and_a_compromise_exactly_what_the_key_signed_after_it(
    ledger: Ledger, issued: Issued
):
    early = served(ledger, issued.number)
    key_id = ledger.organisation(issued.body_id).current_key_id
    compromised_at = ledger.clock()
    late = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    leaked_era = served(ledger, late.number)
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    assert (served(ledger, issued.number), served(ledger, late.number)) == (early, leaked_era)
    assert signed_count(ledger) == 2
    ledger.credentials.mark_key_compromised(
        issued.body_id, key_id, compromised_at=compromised_at, actor="test", reason="leaked"
    )
    assert served(ledger, issued.number) == early  # signed before the compromise: kept
    assert signed_count(ledger) == 2
    resigned = served(ledger, late.number)
    assert signed_count(ledger) == 3
    assert resigned.document == ledger.credentials.certificate_credential(late.number)
    assert all(
        not p["verificationMethod"].endswith("#" + key_id) for p in proofs_of(resigned.document)
    )
    assert ledger.credentials.verify_credential(resigned.document).verified


def test_the_api_serves_the_kept_credential_with_its_etag(
    ledger: Ledger, issued: Issued, client: FlaskClient
):
    url = f"/api/v1/certificates/{issued.number}/credential"
    first = client.get(url)
    assert first.status_code == 200
    assert first.get_data() == served(ledger, issued.number, "public").body
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    unknown = issued.number[:-6] + "999999"
    assert client.get(f"/api/v1/certificates/{unknown}/credential").status_code == 404
    assert client.get("/api/v1/certificates/not-a-number/credential").status_code == 404


def test_a_served_status_list_is_kept_until_a_bit_or_the_key_in_use_changes(
    ledger: Ledger, issued: Issued
):
    status_lists = ledger.credentials.status_lists

    def served_list() -> SignedDocument:
        return ledger.credentials.served_status_list_credential(issued.body_id, "message")

    first = served_list()
    assert first == ledger.credentials.status_list_credential(issued.body_id, "message")
    assert served_list() == first and status_lists.served.signed_count == 1
    ledger.certificates.change_certificate_status(
        issued.number, "suspend", actor="test", reason="核查"
    )
    suspended = served_list()
    assert suspended.etag != first.etag and status_lists.served.signed_count == 2
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    rotated = served_list()
    key_id = ledger.organisation(issued.body_id).current_key_id
    assert all(p["verificationMethod"].endswith("#" + key_id) for p in proofs_of(rotated.document))
    assert status_lists.served.signed_count == 3


def test_a_served_controller_document_follows_every_key_event(ledger: Ledger, issued: Issued):
    controllers = ledger.credentials.served_controller_document
    first = controllers(issued.body_id)
    assert first.document == ledger.credentials.controller_document(issued.body_id)
    assert controllers(issued.body_id) is first
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    rotated = controllers(issued.body_id)
    assert rotated.document == ledger.credentials.controller_document(issued.body_id)
    assert len(rotated.document["verificationMethod"]) == 2


def test_verifying_reads_the_served_lists_and_documents_and_sees_a_revocation(
    ledger: Ledger, issued: Issued
):
    credential = served(ledger, issued.number).document
    assert ledger.credentials.verify_credential(credential).verified
    ledger.certificates.change_certificate_status(
        issued.number, "revoke", actor="test", reason="核查"
    )
    report = ledger.credentials.verify_credential(credential)
    assert not report.verified
    assert {c.check: c.status for c in report.checks}["status"] == "failed"
