"""The credential endpoints: negotiation, disclosure by role, ETag/304, VC-API verification."""

from __future__ import annotations

import json
from uuid import UUID, uuid4

import pytest
from flask.testing import FlaskClient

from domain.api_token import Role
from domain.organisation import OrganisationKind
from service.ledger import Ledger
from service.signing.canonical_json import canonicalize
from service.signing.status_list import Bitstring
from tests.factories import Issued
from tests.factories.tokens import bearer, grant


def token(ledger: Ledger, role: Role, organisation: UUID | None = None, worker: UUID | None = None):
    return bearer(grant(ledger, role, organisation=organisation, worker=worker)[1])


def credential_url(issued: Issued) -> str:
    return f"/api/v1/certificates/{issued.number}/credential"


def test_the_credential_is_served_as_application_vc_or_json_by_accept(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    as_json = client.get(credential_url(issued))
    assert as_json.status_code == 200
    assert as_json.mimetype == "application/json"
    as_vc = client.get(credential_url(issued), headers={"Accept": "application/vc"})
    assert as_vc.mimetype == "application/vc"
    assert as_vc.data == as_json.data
    assert as_vc.data == canonicalize(
        ledger.credentials.certificate_credential(issued.number, "public")
    )
    assert "Accept" in as_vc.headers["Vary"]


def test_the_holder_issuer_admin_and_auditor_get_the_full_disclosure_others_the_public(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    full = canonicalize(ledger.credentials.certificate_credential(issued.number, "full"))
    public = canonicalize(ledger.credentials.certificate_credential(issued.number, "public"))
    from tests.factories import file_employer, hire

    other_body = file_employer(ledger, code="11-Y-2", prefix="Y000011000002", name="琅琊台")
    stranger = hire(ledger, other_body, 2, "李四")
    expectations = {
        "holder": (token(ledger, Role.WORKER, worker=issued.worker_id), full),
        "issuer": (token(ledger, Role.ISSUER, organisation=issued.body_id), full),
        "admin": (token(ledger, Role.ADMIN), full),
        "auditor": (token(ledger, Role.AUDITOR), full),
        "other issuer": (token(ledger, Role.ISSUER, organisation=other_body.id), public),
        "other worker": (token(ledger, Role.WORKER, worker=stranger), public),
        "public": ({}, public),
    }
    for who, (headers, expected) in expectations.items():
        answer = client.get(credential_url(issued), headers=headers)
        assert answer.status_code == 200, who
        assert answer.data == expected, who
    private = client.get(credential_url(issued), headers=expectations["holder"][0])
    assert "private" in private.headers["Cache-Control"]
    assert "public" in client.get(credential_url(issued)).headers["Cache-Control"]
    refused = client.get(credential_url(issued) + "?disclosure=full")
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    asked_public = client.get(
        credential_url(issued) + "?disclosure=public", headers=expectations["admin"][0]
    )
    assert asked_public.data == public


def test_credential_etag_answers_304_and_unknown_numbers_404(client: FlaskClient, issued: Issued):
    first = client.get(credential_url(issued))
    again = client.get(credential_url(issued), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    for number in ("Y000011000001255999999", "not-a-number"):
        missing = client.get(f"/api/v1/certificates/{number}/credential")
        assert missing.status_code == 404
        assert missing.mimetype == "application/problem+json"


def test_status_list_is_cacheable_with_etag_and_304_until_a_bit_flips(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    url = f"/api/v1/status-lists/{issued.body_id}/revocation"
    first = client.get(url)
    assert first.status_code == 200
    assert first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == "public, max-age=300"
    assert first.json["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert first.json["id"].endswith(url)
    unchanged = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304
    assert unchanged.headers["ETag"] == first.headers["ETag"]
    ledger.certificates.change_certificate_status(issued.number, "revoke", actor="t", reason="作弊")
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != first.headers["ETag"]
    index = ledger.credentials.allocation_of(issued.body_id, issued.number).index("revocation")
    assert Bitstring.decode(changed.json["credentialSubject"]["encodedList"]).get(index)
    assert client.get(url, headers={"Accept": "application/vc"}).mimetype == "application/vc"


def test_the_message_list_is_served_like_the_others_and_follows_each_change(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    url = f"/api/v1/status-lists/{issued.body_id}/message"
    credential = client.get(f"/api/v1/certificates/{issued.number}/credential?disclosure=public")
    assert credential.json["credentialStatus"]["statusListCredential"].endswith(url)
    index = int(credential.json["credentialStatus"]["statusListIndex"])
    etags = []
    for action, value in (
        (None, 0),
        ("suspend", 1),
        ("reinstate", 0),
        ("suspend", 1),
        ("revoke", 2),
    ):
        if action:
            ledger.certificates.change_certificate_status(
                issued.number, action, actor="t", reason="抽查"
            )
        answer = client.get(url)
        assert (
            answer.status_code == 200 and answer.headers["Cache-Control"] == "public, max-age=300"
        )
        subject = answer.json["credentialSubject"]
        assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", "message")
        bits = Bitstring.decode(subject["encodedList"])
        assert len(bits) == 2 * 131_072 and bits.get_value(index, 2) == value, action
        again = client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
        assert again.status_code == 304
        etags.append(answer.headers["ETag"])
    assert etags[0] == etags[2] and len(set(etags)) == 3  # reinstated: the same list again


def test_status_lists_of_unknown_purposes_or_non_issuers_are_not_found(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    authority = ledger.organisations.file_organisation(
        filing_code="11-authority",
        name="人社局",
        kind=OrganisationKind.AUTHORITY,
        province_code="11",
        actor="t",
    ).aggregate
    expiry = client.get(f"/api/v1/status-lists/{issued.body_id}/expiry")
    assert "use revocation, suspension, message" in expiry.json["detail"]
    for url in (
        f"/api/v1/status-lists/{issued.body_id}/expiry",
        f"/api/v1/status-lists/{authority.id}/revocation",
        f"/api/v1/status-lists/{uuid4()}/revocation",
    ):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert answer.mimetype == "application/problem+json"


def test_did_json_is_served_with_etag_and_304(ledger: Ledger, client: FlaskClient, issued: Issued):
    url = f"/organisations/{issued.body_id}/did.json"
    first = client.get(url)
    assert first.status_code == 200
    assert first.json == ledger.credentials.controller_document(issued.body_id)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    ledger.credentials.rotate_signing_key(issued.body_id, actor="t")
    rotated = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert rotated.status_code == 200 and len(rotated.json["verificationMethod"]) == 2
    assert client.get(f"/organisations/{uuid4()}/did.json").status_code == 404
    did = client.get(url, headers={"Accept": "application/did+json"})
    assert did.mimetype == "application/did+json"


def test_verify_answers_vc_api_shaped_results(ledger: Ledger, client: FlaskClient, issued: Issued):
    credential = json.loads(client.get(credential_url(issued)).data)
    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert answer.status_code == 200
    assert answer.json["verified"] is True
    assert [c["check"] for c in answer.json["checks"]] == [
        "signature",
        "data_model",
        "key_valid_at_created",
        "issuer_binding",
        "validity_dates",
        "status",
        "issuer_filed",
        "ledger_record",
        "log_inclusion",
    ]
    assert answer.json["errors"] == [] and answer.json["warnings"] == []
    assert int(answer.headers["X-Log-Position"]) == ledger.log_position
    credential["credentialSubject"]["name"] = "李*"
    tampered = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert tampered.status_code == 200
    assert tampered.json["verified"] is False
    assert tampered.json["errors"][0]["type"].endswith("PROOF_VERIFICATION_ERROR")


def test_verify_refuses_malformed_requests_with_problems(client: FlaskClient):
    missing = client.post("/credentials/verify", json={"credential": {}})
    assert missing.status_code == 422
    assert {e["pointer"] for e in missing.json["errors"]} == {
        "/verifiableCredential",
        "/credential",
    }
    text = client.post("/credentials/verify", data="x", content_type="text/plain")
    assert text.status_code == 415
    duplicate = client.post(
        "/credentials/verify",
        data='{"verifiableCredential": {}, "verifiableCredential": {}}',
        content_type="application/json",
    )
    assert duplicate.status_code == 400
    for answer in (missing, text, duplicate):
        assert answer.mimetype == "application/problem+json"


def test_an_idempotency_key_never_replays_another_credentials_answer(
    client: FlaskClient, issued: Issued
):
    credential = json.loads(client.get(credential_url(issued)).data)
    headers = {"Idempotency-Key": "verify-1"}
    first = client.post(
        "/credentials/verify", json={"verifiableCredential": credential}, headers=headers
    )
    assert first.json["verified"] is True
    other = dict(credential, name="改")
    second = client.post(
        "/credentials/verify", json={"verifiableCredential": other}, headers=headers
    )
    assert second.status_code == 422  # the key was used with a different body
    replay = client.post(
        "/credentials/verify", json={"verifiableCredential": credential}, headers=headers
    )
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.json == first.json


@pytest.mark.parametrize("path", ["/credentials/verify"])
def test_the_openapi_document_describes_the_credential_endpoints(client: FlaskClient, path: str):
    spec = client.get("/openapi.json").json
    paths = spec["paths"]
    assert "post" in paths[path]
    assert "get" in paths["/api/v1/certificates/{number}/credential"]
    assert "get" in paths["/organisations/{organisation_id}/did.json"]
    assert "get" in paths["/api/v1/status-lists/{organisation_id}/{purpose}"]


def test_verify_reports_each_proof_of_the_set(client: FlaskClient, issued: Issued):
    """Both proofs are checked and listed; one the verifier cannot check fails the credential."""
    credential = json.loads(client.get(credential_url(issued)).data)
    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    signature = answer.json["checks"][0]
    assert [(p["cryptosuite"], p["status"], p["reason"]) for p in signature["proofs"]] == [
        ("eddsa-jcs-2022", "verified", None),
        ("eddsa-rdfc-2022", "verified", None),
    ]
    assert {p["verificationMethod"] for p in signature["proofs"]} == set(
        signature["verificationMethods"]
    )
    jcs, rdfc = credential["proof"]
    for proofs, statuses in (
        ([jcs, rdfc | {"proofValue": jcs["proofValue"]}], ["verified", "failed"]),
        ([jcs, rdfc | {"cryptosuite": "ecdsa-rdfc-2019"}], ["verified", "unsupported"]),
    ):
        changed = credential | {"proof": proofs}
        answer = client.post("/credentials/verify", json={"verifiableCredential": changed})
        signature = answer.json["checks"][0]
        assert answer.json["verified"] is False
        assert (signature["check"], signature["status"]) == ("signature", "failed")
        assert [p["status"] for p in signature["proofs"]] == statuses
        assert signature["detail"].startswith("proof 1 (")
