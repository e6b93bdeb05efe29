"""``POST /credentials/verify`` checks a credential naming one of the ledger's certificates
against the ledger: re-signed by the issuer's own key but not what the ledger issued, it fails."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.ledger import Ledger
from service.signing.data_integrity import CRYPTOSUITES
from service.signing.data_model import violations
from service.signing.rdfc_proof import JsonLdRefused
from tests.factories import Issued


def served(ledger: Ledger, issued: Issued, disclosure: str = "full") -> dict[str, Any]:
    """The credential as the ledger serves it (GET .../credential gives these bytes)."""
    return ledger.credentials.certificate_credential(issued.number, disclosure)  # type: ignore[arg-type]


def resigned(
    ledger: Ledger, issued: Issued, credential: dict[str, Any], *suites: str
) -> dict[str, Any]:
    """``credential`` without its proof, signed again with the issuer's own key (in ``suites``,
    by default both)."""
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    certificate = ledger.certificate(issued.number)
    organisation = ledger.organisation(issued.body_id)
    return ledger.credentials.sign_credential(
        organisation, unsigned, certificate.issued_at, cryptosuites=suites or CRYPTOSUITES
    )


def verify(client: FlaskClient, credential: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert answer.status_code == 200
    return answer.json  # type: ignore[no-any-return]


def checks(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in answer["checks"]}


def test_the_served_credentials_are_the_ledgers_and_verifying_writes_nothing(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    for disclosure in ("full", "public"):
        credential = served(ledger, issued, disclosure)
        position = ledger.log_position
        answer = verify(client, credential)
        assert answer["verified"] is True, answer
        record = checks(answer)["ledger_record"]
        assert record["status"] == "passed"
        assert f"the {disclosure} credential the ledger issued" in record["detail"]
        assert ledger.log_position == position


def test_a_credential_resigned_without_its_status_is_not_verified(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = served(ledger, issued)
    del credential["credentialStatus"]
    forged = resigned(ledger, issued, credential)
    answer = verify(client, forged)
    found = checks(answer)
    assert found["signature"]["status"] == "passed"
    assert found["issuer_binding"]["status"] == "passed"
    assert found["status"]["status"] == "skipped"  # nothing to look up: the entries are gone
    assert found["ledger_record"]["status"] == "failed"
    assert "credentialStatus entry is missing" in found["ledger_record"]["detail"]
    assert answer["verified"] is False


def as_issued_before_issue_18(ledger: Ledger, issued: Issued, disclosure: str) -> dict[str, Any]:
    """The credential as the ledger signed it before issue 18: VC 2.0 and OB 3.0.3 contexts
    only, two 1-bit status entries, no public identifier, the achievement's old name and
    criteria (written out here as they were, not rebuilt by the code under test)."""
    from service.signing.status_list import status_list_entry

    credential = {k: v for k, v in served(ledger, issued, disclosure).items() if k != "proof"}
    credential["@context"] = credential["@context"][:2]
    allocation = ledger.credentials.allocation_of(issued.body_id, issued.number)
    urls = ledger.credentials.credential_urls
    credential["credentialStatus"] = [
        status_list_entry(urls.status_list_url(issued.body_id, p), p, allocation.index(p))
        for p in ("revocation", "suspension")
    ]
    subject = credential["credentialSubject"]
    if disclosure == "public":
        del subject["identifier"]
    subject["achievement"]["name"] = "电工 五级/初级工"
    subject["achievement"]["criteria"] = {
        "narrative": "Passed the evaluation for this occupation and level under the national "
        "occupational skill standard: theory and practical each at least 60 of 100; or "
        "promoted through a recorded route (competition, direct recognition)."
    }
    return resigned(ledger, issued, credential, "eddsa-jcs-2022")  # JCS alone, as then


def test_credentials_issued_before_issue_18_still_verify_and_still_revoke(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    for disclosure in ("full", "public"):
        old = as_issued_before_issue_18(ledger, issued, disclosure)
        answer = verify(client, old)
        assert answer["verified"] is True, answer
        record = checks(answer)["ledger_record"]
        assert "an earlier edition (before our context)" in record["detail"]
        changed = copy.deepcopy(old)
        changed["credentialSubject"]["achievement"]["level"]["code"] = "1"
        changed = resigned(ledger, issued, changed, "eddsa-jcs-2022")
        assert verify(client, changed)["verified"] is False
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    answer = verify(client, as_issued_before_issue_18(ledger, issued, "full"))
    found = checks(answer)
    assert found["ledger_record"]["status"] == "passed"
    assert [s["result"] for s in found["status"]["statuses"]] == ["revoked", "valid"]
    assert answer["verified"] is False


def test_a_resigned_credential_with_a_changed_claim_is_not_verified(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = served(ledger, issued)
    credential["credentialSubject"]["achievement"]["level"]["code"] = "1"
    answer = verify(client, resigned(ledger, issued, credential))
    record = checks(answer)["ledger_record"]
    assert record["status"] == "failed" and record["differences"] == ["credentialSubject differs"]
    assert answer["verified"] is False


def test_a_credential_for_a_certificate_never_issued_is_not_verified(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = copy.deepcopy(served(ledger, issued))
    unknown = issued.number[:-6] + "999999"
    credential["credentialSubject"]["licenseNumber"] = unknown
    credential["id"] = credential["id"].replace(issued.number, unknown)
    answer = verify(client, resigned(ledger, issued, credential))
    record = checks(answer)["ledger_record"]
    assert record["status"] == "failed"
    assert f"no certificate {unknown} is recorded" in record["detail"]
    assert answer["verified"] is False


def test_an_id_and_a_subject_naming_different_certificates_fail(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = served(ledger, issued)
    credential["id"] = credential["id"].replace(issued.number, issued.number[:-1] + "0")
    answer = verify(client, resigned(ledger, issued, credential))
    assert checks(answer)["ledger_record"]["status"] == "failed"
    assert "its id names certificate" in checks(answer)["ledger_record"]["detail"]


def test_a_certification_by_a_ledger_issuer_naming_no_certificate_fails(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = served(ledger, issued)
    del credential["credentialSubject"]["licenseNumber"]
    credential["id"] = "urn:uuid:7f1f0c1e-5d55-4c1e-9a56-3f0a1b2c3d4e"
    answer = verify(client, resigned(ledger, issued, credential))
    assert checks(answer)["ledger_record"]["status"] == "failed"
    assert answer["verified"] is False


def test_a_ledger_credential_breaking_the_data_model_is_rejected_naming_the_rule(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    credential = served(ledger, issued)
    credential["type"] = ["AchievementCredential"]
    # without VerifiableCredential, VC 2.0's terms are undefined: RDFC refuses to sign it
    with pytest.raises(JsonLdRefused, match="credentialStatus"):
        resigned(ledger, issued, credential)
    answer = verify(client, resigned(ledger, issued, credential, "eddsa-jcs-2022"))
    model = checks(answer)["data_model"]
    assert model["status"] == "failed"
    assert [v["rule"] for v in model["violations"]] == ["type-base"]
    assert answer["verified"] is False


def test_what_the_ledger_issues_meets_the_data_model(ledger: Ledger, issued: Issued):
    """Certificates (both disclosures) and status lists; awards, posts and points statements
    are verified, data model included, by their own tests through POST /credentials/verify."""
    documents = [served(ledger, issued, disclosure) for disclosure in ("full", "public")]
    documents += [
        ledger.credentials.status_list_credential(issued.body_id, purpose).document
        for purpose in ("revocation", "suspension")
    ]
    for document in documents:
        assert violations(document) == [], document["id"]
