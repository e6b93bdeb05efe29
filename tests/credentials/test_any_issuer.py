"""Verifying any issuer's credential, and presentations, over HTTP through the app.

A did:key credential verifies offline; a did:web issuer is another HTTP server on the loopback
(fetching from private addresses is allowed here, as ``CRAFTLEDGER_VERIFY_FETCH_PRIVATE=1``
does; by default it is refused). ``issuer_filed`` is skipped for a foreign credential and fails
for one claiming this ledger. Real keys, real HTTP, no mocks.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from service.credentials import Credentials
from service.credentials.credential_document import CredentialUrls
from service.ledger import Ledger
from service.signing.data_integrity import add_proof, format_date_time_stamp
from service.signing.multikey import did_key_verification_method, generate_key_pair
from service.signing.presentation_verifier import sign_presentation as sign
from service.signing.status_list import status_list_entry
from tests.factories import Issued
from tests.signing.issuer import Issuer
from tests.support.clocks import SteppingClock
from tests.support.documents_server import Served
from tests.support.stores import settings_for

V2 = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def ledger(tmp_path: Path, clock: SteppingClock) -> Iterator[Ledger]:
    """A SQLite ledger (verifying only reads; the store plays no part) that may fetch from
    the loopback."""
    settings = replace(settings_for("sqlite", tmp_path / "data", None), verify_fetch_private=True)
    opened = Ledger(settings, clock=clock)
    yield opened
    opened.close()


class Holder:
    """A did:key holder (or a did:key issuer): its key signs credentials and presentations."""

    def __init__(self) -> None:
        self.private, public = generate_key_pair()
        self.method = did_key_verification_method(public)
        self.id = self.method.partition("#")[0]

    def sign(self, document: dict[str, Any], clock: SteppingClock, **options: Any) -> dict:
        return add_proof(document, self.private, self.method, stamp(clock), **options)


def stamp(clock: SteppingClock) -> str:
    return format_date_time_stamp(clock.now)


def credential(issuer: str, subject: str | None = None, **extra: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"name": "焊工 四级"}
    if subject:
        claims["id"] = subject
    return {
        "@context": [V2],
        "type": ["VerifiableCredential"],
        "issuer": issuer,
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": claims,
        **extra,
    }


def verify(client: FlaskClient, document: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/credentials/verify", json={"verifiableCredential": document})
    assert answer.status_code == 200, answer.json
    return answer.json


def checks(result: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {c["check"]: (c["status"], c["detail"]) for c in result["checks"]}


def web_issuer(served: Served, clock: SteppingClock, revoked: tuple[int, ...] = ()) -> Issuer:
    """A did:web issuer served by ``served``: its did.json and a signed revocation list."""
    issuer = Issuer(id=served.did)
    issuer.add_key("key-1", seed=7)
    served.documents["/organisations/body/did.json"] = issuer.document
    status_list = issuer.status_list("revocation", revoked, created=stamp(clock))
    unsigned = {k: v for k, v in status_list.items() if k != "proof"}
    unsigned["id"] = f"{served.base}/lists/revocation"
    served.documents["/lists/revocation"] = issuer.sign(unsigned, created=stamp(clock))
    return issuer


def web_credential(served: Served, issuer: Issuer, clock: SteppingClock, subject=None) -> dict:
    entry = status_list_entry(f"{served.base}/lists/revocation", "revocation", 5)
    document = credential(issuer.id, subject, credentialStatus=entry)
    return issuer.sign(document, created=stamp(clock))


# -- credentials ------------------------------------------------------------------------------


def test_a_did_key_credential_verifies_and_is_not_reported_filed_here(
    client: FlaskClient, clock: SteppingClock
):
    issuer = Holder()
    result = verify(client, issuer.sign(credential(issuer.id), clock))
    found = checks(result)
    assert result["verified"] is True, result
    assert found["signature"][0] == "passed"
    assert found["issuer_filed"] == (
        "skipped",
        f"issued by {issuer.id}, not a body filed in this ledger; the ledger vouches only for "
        "its own (the credential claims nothing of this ledger)",
    )
    assert found["ledger_record"][0] == found["log_inclusion"][0] == "skipped"
    filed = next(c for c in result["checks"] if c["check"] == "issuer_filed")
    assert filed["claimsThisLedger"] is False


def test_a_did_web_credential_from_another_server_verifies_status_included(
    client: FlaskClient, clock: SteppingClock, served: Served
):
    issuer = web_issuer(served, clock)
    document = web_credential(served, issuer, clock)
    result = verify(client, document)
    found = checks(result)
    assert result["verified"] is True, result
    assert found["issuer_binding"][0] == "passed"
    assert found["status"] == ("passed", "revocation valid: revocation bit 5 clear")
    assert found["issuer_filed"][0] == "skipped"

    web_issuer(served, clock, revoked=(5,))
    assert checks(verify(client, document))["status"][0] == "failed"

    del served.documents["/lists/revocation"]  # unreachable: unknown, never passed
    result = verify(client, document)
    assert checks(result)["status"][0] == "unknown"
    assert result["verified"] is False


def test_by_default_the_service_never_fetches_from_a_private_address(
    ledger: Ledger, clock: SteppingClock, served: Served
):
    issuer = web_issuer(served, clock)
    document = web_credential(served, issuer, clock)
    defaults = ledger.credentials
    guarded = replace(ledger.settings, verify_fetch_private=False)
    strict = Credentials(ledger, identity_key=b"k" * 32, settings=guarded)
    try:
        report = strict.verify_credential(document)
    finally:
        strict.close()
    assert report.get("signature").status == "unknown"
    assert "not a public address: refused" in report.get("signature").detail
    assert defaults.verify_credential(document).verified


def test_a_credential_claiming_our_issuer_but_signed_by_a_foreign_key_fails(
    ledger: Ledger, client: FlaskClient, clock: SteppingClock, issued: Issued
):
    ours = ledger.credentials.certificate_credential(issued.number, "public")
    forger = Holder()
    forged = forger.sign({k: v for k, v in ours.items() if k != "proof"}, clock)
    result = verify(client, forged)
    found = checks(result)
    assert result["verified"] is False
    assert found["signature"][0] == "passed"  # a sound did:key signature, of the wrong key
    assert found["issuer_binding"][0] == "failed"
    status, detail = found["issuer_filed"]
    assert status == "failed"
    assert detail.startswith("claims this ledger (its issuer did:web:")
    assert "not signed by a key of its issuer" in detail


def test_a_foreign_issuer_naming_one_of_our_certificates_claims_this_ledger(
    client: FlaskClient, clock: SteppingClock, issued: Issued
):
    forger = Holder()
    document = credential(forger.id)
    document["credentialSubject"]["licenseNumber"] = issued.number
    found = checks(verify(client, forger.sign(document, clock)))
    status, detail = found["issuer_filed"]
    assert status == "failed"
    assert f"its licenseNumber {issued.number} is a certificate recorded here" in detail
    assert found["ledger_record"][0] == "failed"


def test_our_own_credential_still_verifies_as_filed_here(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    result = verify(client, ledger.credentials.certificate_credential(issued.number, "public"))
    assert checks(result)["issuer_filed"][0] == "passed"
    filed = next(c for c in result["checks"] if c["check"] == "issuer_filed")
    assert filed["claimsThisLedger"] is True


# -- presentations ----------------------------------------------------------------------------


def present(client: FlaskClient, document: dict, **options: str) -> dict[str, Any]:
    answer = client.post(
        "/presentations/verify", json={"verifiablePresentation": document, "options": options}
    )
    assert answer.status_code == 200, answer.json
    return answer.json


@pytest.fixture
def two_credentials(clock: SteppingClock, served: Served) -> tuple[Holder, list[dict]]:
    holder = Holder()
    key_issuer = Holder()
    issuer = web_issuer(served, clock)
    return holder, [
        key_issuer.sign(credential(key_issuer.id, holder.id), clock),
        web_credential(served, issuer, clock, subject=holder.id),
    ]


def sign_presentation(
    signer: Holder, credentials: list[dict], clock, challenge="c-1", domain="x.test", **extra
) -> dict[str, Any]:
    """A presentation by ``signer`` (its holder unless ``extra`` names another)."""
    document = {
        "@context": [V2],
        "type": ["VerifiablePresentation"],
        "holder": signer.id,
        "verifiableCredential": credentials,
        **extra,
    }
    return sign(
        document,
        signer.private,
        signer.method,
        challenge=challenge,
        domain=domain,
        created=clock.now,
    )


def test_a_presentation_with_a_holder_proof_and_two_credentials_verifies(
    client: FlaskClient, clock: SteppingClock, two_credentials
):
    holder, credentials = two_credentials
    document = sign_presentation(holder, credentials, clock)
    result = present(client, document, challenge="c-1", domain="x.test")
    assert result["verified"] is True, result
    found = checks(result)
    for name in ("data_model", "signature", "challenge", "domain", "holder_binding"):
        assert found[name][0] == "passed", (name, found[name])
    assert found["subject_binding"][0] == found["credentials"][0] == "passed"
    assert [r["verified"] for r in result["credentialResults"]] == [True, True]
    assert all(checks(r)["issuer_filed"][0] == "skipped" for r in result["credentialResults"])


def test_a_wrong_challenge_or_domain_fails_naming_the_rule(
    client: FlaskClient, clock: SteppingClock, two_credentials
):
    holder, credentials = two_credentials
    document = sign_presentation(holder, credentials, clock, challenge="c-1")
    result = present(client, document, challenge="c-2", domain="x.test")
    assert result["verified"] is False
    assert checks(result)["challenge"] == ("failed", "the proof's challenge 'c-1' is not 'c-2'")
    assert {e["title"] for e in result["errors"]} == {"challenge failed"}
    result = present(client, document, challenge="c-1", domain="elsewhere.test")
    assert checks(result)["domain"][0] == "failed"


def test_a_tampered_presentation_fails_its_signature(
    client: FlaskClient, clock: SteppingClock, two_credentials
):
    holder, credentials = two_credentials
    document = sign_presentation(holder, credentials, clock)
    tampered = copy.deepcopy(document)
    tampered["verifiableCredential"].pop()
    result = present(client, tampered, challenge="c-1", domain="x.test")
    assert result["verified"] is False
    status, detail = checks(result)["signature"]
    assert status == "failed" and "signature does not match" in detail
    assert checks(result)["holder_binding"][0] == "skipped"


def test_a_holder_mismatch_fails_naming_the_rule(
    client: FlaskClient, clock: SteppingClock, two_credentials
):
    holder, credentials = two_credentials
    someone_else = Holder()
    document = sign_presentation(someone_else, credentials, clock)
    result = present(client, document, challenge="c-1", domain="x.test")
    found = checks(result)
    assert result["verified"] is False
    assert found["holder_binding"][0] == "passed"  # someone_else signed as someone_else
    status, detail = found["subject_binding"]
    assert status == "failed"
    assert detail.startswith(f"not about the holder {someone_else.id}: credential 0 is about")

    claimed = sign_presentation(someone_else, credentials, clock, holder=holder.id)
    found = checks(present(client, claimed, challenge="c-1", domain="x.test"))
    assert found["signature"][0] == "passed"
    assert found["holder_binding"] == (
        "failed",
        f"signed by {someone_else.id}, not by the holder {holder.id}",
    )


def test_bad_presentation_requests_are_problems_naming_the_field(client: FlaskClient):
    answer = client.post("/presentations/verify", json={"options": {}})
    assert answer.status_code == 422
    assert answer.mimetype == "application/problem+json"
    assert "verifiablePresentation" in answer.get_data(as_text=True)
    answer = client.post(
        "/presentations/verify",
        json={"verifiablePresentation": {}, "options": {"challenge": 5}},
    )
    assert answer.status_code == 422
    assert "challenge" in answer.get_data(as_text=True)
    many = {"verifiableCredential": [{}] * 21}
    answer = client.post("/presentations/verify", json={"verifiablePresentation": many})
    assert answer.status_code == 422
    assert "at most 20 credentials" in answer.get_data(as_text=True)


@pytest.mark.parametrize(
    ("identifier", "ours"),
    [
        ("did:web:ledger.example:organisations:00000000-0000-0000-0000-000000000001", True),
        ("did:web:LEDGER.example:anything", True),  # never fetched: resolved here or refused
        ("http://ledger.example/api/v1/status-lists/x/revocation", True),  # scheme ignored
        ("did:web:ledger.example.evil:organisations:1", False),
        ("did:web:evil.example:ledger.example", False),
        ("https://evil.example/ledger.example/x", False),
        ("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", False),
    ],
)
def test_which_identifiers_name_this_ledger(identifier: str, ours: bool):
    assert CredentialUrls("https://ledger.example").names_this_ledger(identifier) is ours
