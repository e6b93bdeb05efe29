"""Credential verification, check by check: signature, key window, issuer, dates, status."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from service.signing.credential_verifier import (
    Check,
    ResolutionError,
    controller_file_resolver,
    status_list_file_resolver,
    verify_credential,
)
from service.signing.data_integrity import add_proof, hash_data, proof_configuration, transform
from service.signing.multikey import (
    base58btc_encode,
    did_key_verification_method,
    public_multibase_of,
)
from service.signing.status_list import Bitstring, status_message_entry
from tests.signing.issuer import LIST_BASE, Issuer, achievement_credential

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CHECKS = [
    "signature",
    "data_model",
    "key_valid_at_created",
    "issuer_binding",
    "validity_dates",
    "status",
]


def statuses(report):
    return {check.check: check.status for check in report.checks}


def lists_of(*documents):
    by_id = {document["id"]: document for document in documents}

    def resolve(url):
        if url not in by_id:
            raise ResolutionError(f"404 for {url}")
        return by_id[url]

    return resolve


def verify(credential, issuer, *status_lists, now=NOW):
    return verify_credential(
        credential,
        controller_resolver=issuer.resolve,
        status_list_resolver=lists_of(*status_lists) if status_lists else None,
        now=now,
    )


@pytest.fixture
def lists(issuer):
    return issuer.status_list("revocation"), issuer.status_list("suspension")


def test_a_good_credential_passes_every_check(issuer, credential, lists):
    report = verify(issuer.sign(credential), issuer, *lists)
    assert report.verified
    assert statuses(report) == dict.fromkeys(CHECKS, "passed")
    assert report.errors == []
    status = report.get("status")
    assert [entry["result"] for entry in status.data["statuses"]] == ["valid", "valid"]
    assert report.signing_keys[0].controller == issuer.id


def test_report_serialises_as_the_vc_api_shape(issuer, credential, lists):
    answer = json.loads(verify(issuer.sign(credential), issuer, *lists).to_json())
    assert answer["verified"] is True and answer["errors"] == []
    assert [check["check"] for check in answer["checks"]] == CHECKS
    assert set(answer["checks"][0]) >= {"check", "status", "detail"}


def test_a_failed_signature_hides_every_other_claim(issuer, credential, lists):
    signed = issuer.sign(credential)
    signed["credentialSubject"]["achievement"]["name"] = "电工 一级/高级技师"
    report = verify(signed, issuer, *lists)
    assert not report.verified
    assert statuses(report) == {"signature": "failed"} | dict.fromkeys(CHECKS[1:], "skipped")
    assert [error["type"] for error in report.errors] == [
        "https://w3id.org/security#PROOF_VERIFICATION_ERROR"
    ]


def test_appended_application_checks_count(issuer, credential, lists):
    report = verify(issuer.sign(credential), issuer, *lists)
    report.add(Check("issuer_in_scope", "failed", "电工 level 3 is outside the filed scope"))
    assert not report.verified
    assert report.errors[-1]["title"] == "issuer_in_scope failed"


# --- keys, rotation and compromise --------------------------------------------------------


@pytest.fixture
def rotated():
    """key-1 served 2024; key-2 replaced it on 2025-01-01 and was compromised on 2025-06-01."""
    body = Issuer()
    body.add_key(
        "key-1", seed=1, validFrom="2024-01-01T00:00:00Z", validUntil="2025-01-01T00:00:00Z"
    )
    body.add_key("key-2", seed=2, validFrom="2025-01-01T00:00:00Z", revoked="2025-06-01T00:00:00Z")
    return body


def test_a_credential_signed_before_rotation_still_verifies(rotated):
    signed = rotated.sign(achievement_credential(), "key-1", "2024-06-01T08:00:00Z")
    report = verify(signed, rotated)
    assert report.verified, report.to_json()


@pytest.mark.parametrize(
    ("fragment", "created", "expected", "words"),
    [
        ("key-1", "2025-02-01T00:00:00Z", "failed", "expired"),
        ("key-1", "2023-12-31T23:59:59Z", "failed", "before"),
        ("key-2", "2025-05-31T23:59:59Z", "passed", "valid"),
        ("key-2", "2025-06-01T00:00:00Z", "failed", "revoked"),
        ("key-2", "2025-08-01T00:00:00+08:00", "failed", "revoked"),
    ],
)
def test_key_window_at_proof_creation(rotated, fragment, created, expected, words):
    report = verify(rotated.sign(achievement_credential(), fragment, created), rotated)
    check = report.get("key_valid_at_created")
    assert check.status == expected
    assert words in check.detail
    assert report.verified is (expected == "passed")


def test_a_proof_without_created_cannot_use_a_windowed_key(rotated):
    credential = achievement_credential()
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": rotated.method("key-2"),
        "proofPurpose": "assertionMethod",
        "@context": credential["@context"],
    }
    signature = rotated.keys["key-2"].sign(
        hash_data(transform(credential), proof_configuration(options))
    )
    signed = credential | {"proof": options | {"proofValue": base58btc_encode(signature)}}
    report = verify(signed, rotated)
    assert statuses(report)["signature"] == "passed"
    assert statuses(report)["key_valid_at_created"] == "unknown"
    assert not report.verified


def edit_document(issuer, change):
    document = issuer.document
    change(document)
    return lambda identifier: document


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d.update(assertionMethod=[]), "does not list"),
        (lambda d: d["verificationMethod"][0].update(type="JsonWebKey"), "not a Multikey"),
        (lambda d: d["verificationMethod"][0].update(controller="did:web:evil"), "not controlled"),
        (lambda d: d.update(id="did:web:elsewhere"), "has another id"),
        (lambda d: d.update(verificationMethod=[]), "publishes no method"),
        (
            lambda d: d["verificationMethod"][0].update(publicKeyMultibase="z6MkhaX"),
            "verification method",
        ),
    ],
)
def test_the_controller_document_must_authorise_the_key(issuer, credential, change, words):
    report = verify_credential(
        issuer.sign(credential), controller_resolver=edit_document(issuer, change), now=NOW
    )
    assert statuses(report)["signature"] == "failed"
    assert words in report.get("signature").detail


def test_relative_method_ids_in_the_controller_document_resolve(issuer, credential):
    def relative(document):
        document["verificationMethod"][0]["id"] = "#key-1"
        document["assertionMethod"] = ["#key-1"]

    report = verify_credential(
        issuer.sign(credential), controller_resolver=edit_document(issuer, relative), now=NOW
    )
    assert statuses(report)["signature"] == "passed"


def test_an_unreachable_controller_leaves_the_signature_unknown(issuer, credential, lists):
    def down(identifier):
        raise OSError("connection refused")

    report = verify_credential(issuer.sign(credential), controller_resolver=down, now=NOW)
    signature = report.get("signature")
    assert signature.status == "unknown"
    assert "cannot be checked" in signature.detail and "connection refused" in signature.detail
    assert not report.verified
    assert {s for name, s in statuses(report).items() if name != "signature"} == {"skipped"}


def test_a_tampered_credential_whose_key_resolves_still_fails(issuer, credential):
    """A proof that fails for another reason than a missing key still fails."""
    signed = issuer.sign(credential)
    signed["name"] = "altered"
    report = verify_credential(signed, controller_resolver=issuer.resolve, now=NOW)
    assert report.get("signature").status == "failed"


# --- issuer binding ----------------------------------------------------------------------


def forged_by_did_key(credential):
    key = Ed25519PrivateKey.from_private_bytes(bytes([66]) * 32)
    method = did_key_verification_method(public_multibase_of(key))
    return add_proof(credential, key, method, "2024-06-01T08:00:00Z")


def test_a_key_the_issuer_does_not_publish_fails_issuer_binding(issuer, credential):
    report = verify_credential(
        forged_by_did_key(credential), controller_resolver=issuer.resolve, now=NOW
    )
    assert statuses(report)["signature"] == "passed"
    assert statuses(report)["issuer_binding"] == "failed"
    assert not report.verified


def test_an_issuer_that_cannot_be_resolved_is_not_bound_and_not_verified(credential):
    """Signature valid but the issuer's document missing: issuer binding unknown, not a pass."""
    del credential["credentialStatus"]
    report = verify_credential(forged_by_did_key(credential), now=NOW)
    binding = report.get("issuer_binding")
    assert report.get("signature").status == "passed"
    assert binding.status == "unknown"
    assert "controller document is missing" in binding.detail and "did:key:" in binding.detail
    assert not report.verified
    assert [error["title"] for error in report.errors] == ["issuer_binding unknown"]


def test_a_did_key_issuer_verifies_with_no_resolver_at_all():
    key = Ed25519PrivateKey.from_private_bytes(bytes([12]) * 32)
    method = did_key_verification_method(public_multibase_of(key))
    credential = achievement_credential(issuer_id=method.partition("#")[0])
    report = verify_credential(add_proof(credential, key, method, "2024-06-01T08:00:00Z"), now=NOW)
    assert report.verified, report.to_json()
    assert statuses(report)["issuer_binding"] == "passed"


def test_a_credential_without_issuer_fails_binding(issuer, credential, lists):
    del credential["issuer"]
    report = verify(issuer.sign(credential), issuer, *lists)
    assert statuses(report)["issuer_binding"] == "failed"


# --- validity dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "expected", "words"),
    [
        ({"validUntil": "2026-01-01T00:00:00Z"}, "failed", "expired"),
        ({"validFrom": "2027-01-01T00:00:00Z"}, "failed", "not valid before"),
        ({"validUntil": "2030-01-01T00:00:00Z"}, "passed", "valid now"),
        ({"validUntil": "2030-01-01"}, "failed", "time zone"),
    ],
)
def test_validity_dates_against_now(issuer, credential, lists, dates, expected, words):
    report = verify(issuer.sign(credential | dates), issuer, *lists)
    check = report.get("validity_dates")
    assert (check.status, words in check.detail) == (expected, True)


# --- status -------------------------------------------------------------------------------


def test_a_revoked_credential_reports_revoked(issuer, credential):
    revocation = issuer.status_list("revocation", set_bits={94567})
    report = verify(issuer.sign(credential), issuer, revocation, issuer.status_list("suspension"))
    assert statuses(report)["status"] == "failed"
    assert [e["result"] for e in report.get("status").data["statuses"]] == ["revoked", "valid"]
    assert not report.verified


def test_a_suspended_credential_reports_suspended(issuer, credential):
    suspension = issuer.status_list("suspension", set_bits={23452})
    report = verify(issuer.sign(credential), issuer, issuer.status_list("revocation"), suspension)
    assert [e["result"] for e in report.get("status").data["statuses"]] == ["valid", "suspended"]


def message_credential(index: int = 4242) -> dict:
    credential = achievement_credential()
    credential["credentialStatus"] = status_message_entry(f"{LIST_BASE}/message", index)
    return credential


@pytest.mark.parametrize(
    ("value", "result", "check"),
    [
        (0, "valid", "passed"),
        (1, "suspended", "failed"),
        (2, "revoked", "failed"),
        (3, "revoked", "failed"),
    ],
)
def test_one_message_entry_reads_two_bits(issuer, value, result, check):
    listed = issuer.message_list({4242: value, 4241: 2, 4243: 1})
    report = verify(issuer.sign(message_credential()), issuer, listed)
    (entry,) = report.get("status").data["statuses"]
    assert (entry["result"], entry["status"], statuses(report)["status"]) == (
        result,
        f"0x{value}",
        check,
    )
    assert entry["message"] == ("valid", "suspended", "revoked", "revoked")[value]


def test_a_message_entry_with_a_message_not_ours_is_invalid_when_not_zero(issuer):
    credential = message_credential()
    credential["credentialStatus"]["statusMessage"][1]["message"] = "pending_review"
    report = verify(issuer.sign(credential), issuer, issuer.message_list({4242: 1}))
    assert report.get("status").data["statuses"][0]["result"] == "invalid"
    assert not report.verified


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"statusMessage": None}, "statusMessage is required with statusSize 2"),
        ({"statusSize": 3}, "must list 8 messages"),
        ({"statusSize": True}, "not an integer"),
        ({"statusListIndex": "131072"}, "beyond the 131072 entries"),
    ],
)
def test_malformed_message_entries_are_unknown(issuer, change, words):
    credential = message_credential()
    credential["credentialStatus"].update(change)
    if change.get("statusMessage", 0) is None:
        del credential["credentialStatus"]["statusMessage"]
    report = verify(issuer.sign(credential), issuer, issuer.message_list())
    (entry,) = report.get("status").data["statuses"]
    assert (entry["result"], words in entry["detail"]) == ("unknown", True)


def test_a_message_list_of_too_few_two_bit_entries_is_unknown(issuer):
    listed = issuer.message_list()
    del listed["proof"]
    listed["credentialSubject"]["encodedList"] = Bitstring().encode()  # 131,072 bits: 65,536
    report = verify(issuer.sign(message_credential()), issuer, issuer.sign(listed))
    (entry,) = report.get("status").data["statuses"]
    assert entry["result"] == "unknown" and "fewer than 131072 entries of 2 bits" in entry["detail"]


def test_a_neighbouring_bit_does_not_revoke(issuer, credential):
    revocation = issuer.status_list("revocation", set_bits={94566, 94568})
    report = verify(issuer.sign(credential), issuer, revocation, issuer.status_list("suspension"))
    assert report.verified


def test_an_unreachable_status_list_is_unknown_never_valid(issuer, credential):
    def unreachable(url):
        raise TimeoutError("status server did not answer")

    report = verify_credential(
        issuer.sign(credential),
        controller_resolver=issuer.resolve,
        status_list_resolver=unreachable,
        now=NOW,
    )
    check = report.get("status")
    assert check.status == "unknown" and "did not answer" in check.detail
    assert {e["result"] for e in check.data["statuses"]} == {"unknown"}
    assert report.errors[0]["type"].endswith("#STATUS_RETRIEVAL_ERROR")
    assert not report.verified


def test_without_a_status_source_the_status_is_unknown(issuer, credential):
    report = verify_credential(issuer.sign(credential), controller_resolver=issuer.resolve, now=NOW)
    assert statuses(report)["status"] == "unknown"


def without_proof(document):
    return {key: value for key, value in document.items() if key != "proof"}


def verify_with_revocation_list(issuer, credential, revocation):
    served = {f"{LIST_BASE}/revocation": revocation}
    served[f"{LIST_BASE}/suspension"] = issuer.status_list("suspension")
    return verify_credential(
        issuer.sign(credential),
        controller_resolver=issuer.resolve,
        status_list_resolver=served.__getitem__,
        now=NOW,
    )


def test_a_status_list_altered_after_signing_is_unknown(issuer, credential):
    revocation = issuer.status_list("revocation", set_bits={94567})
    revocation["credentialSubject"]["encodedList"] = Bitstring().encode()  # "un-revoke"
    report = verify_with_revocation_list(issuer, credential, revocation)
    first = report.get("status").data["statuses"][0]
    assert (first["result"], "proof fails" in first["detail"]) == ("unknown", True)
    assert not report.verified


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (lambda d: d.update(validUntil="2026-02-01T00:00:00Z"), "not current"),
        (lambda d: d.update(validFrom="2026-04-01T00:00:00Z"), "not current"),
        (lambda d: d.update(id=f"{LIST_BASE}/other"), "returned the list"),
        (lambda d: d.update(type=["VerifiableCredential"]), "not a BitstringStatusList"),
        (lambda d: d["credentialSubject"].update(type="StatusList2021"), "no BitstringStatusList"),
        (lambda d: d["credentialSubject"].update(statusPurpose="suspension"), "not a revocation"),
        (lambda d: d["credentialSubject"].update(encodedList="uH4sI"), "malformed"),
    ],
)
def test_an_unusable_status_list_is_unknown(issuer, credential, spoil, words):
    unsigned = without_proof(issuer.status_list("revocation", set_bits={94567}))
    spoil(unsigned)
    report = verify_with_revocation_list(issuer, credential, issuer.sign(unsigned))
    first = report.get("status").data["statuses"][0]
    assert first["result"] == "unknown", first
    assert words in first["detail"]
    assert statuses(report)["status"] == "unknown"


def test_a_status_list_signed_by_someone_else_is_unknown(issuer, credential):
    forged = forged_by_did_key(without_proof(issuer.status_list("revocation")))
    report = verify(issuer.sign(credential), issuer, forged, issuer.status_list("suspension"))
    assert "not by the credential's signer" in report.get("status").data["statuses"][0]["detail"]


def test_a_status_list_signed_with_a_compromised_key_is_unknown(rotated):
    credential = achievement_credential(status_indexes={"revocation": 5})
    signed = rotated.sign(credential, "key-2", "2025-02-01T00:00:00Z")
    late_list = rotated.status_list("revocation", fragment="key-2", created="2025-07-01T00:00:00Z")
    report = verify(signed, rotated, late_list)
    assert statuses(report)["status"] == "unknown"
    assert "revoked" in report.get("status").detail


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"type": "StatusList2021Entry"}, "not supported"),
        ({"statusPurpose": "refresh"}, "'refresh' is not supported"),
        ({"statusListIndex": 94567}, "not a decimal string"),
        ({"statusListIndex": "-1"}, "not a decimal string"),
        ({"statusListIndex": "131072"}, "beyond the 131072 entries"),
        ({"statusSize": 2}, "statusSize"),
    ],
)
def test_malformed_status_entries_are_unknown(issuer, credential, lists, entry, words):
    credential["credentialStatus"][0].update(entry)
    report = verify(issuer.sign(credential), issuer, *lists)
    first = report.get("status").data["statuses"][0]
    assert (first["result"], words in first["detail"]) == ("unknown", True)


def test_a_credential_without_status_skips_the_check(issuer):
    report = verify(issuer.sign(achievement_credential()), issuer)
    assert statuses(report)["status"] == "skipped"
    assert report.verified


def test_each_status_list_is_fetched_once(issuer):
    credential = achievement_credential(status_indexes={"revocation": 1})
    credential["credentialStatus"].append(copy.deepcopy(credential["credentialStatus"][0]))
    fetched = []
    revocation = issuer.status_list("revocation")

    def counting(url):
        fetched.append(url)
        return revocation

    verify_credential(
        issuer.sign(credential),
        controller_resolver=issuer.resolve,
        status_list_resolver=counting,
        now=NOW,
    )
    assert fetched == [revocation["id"]]


# --- offline files ------------------------------------------------------------------------


def test_file_resolvers_serve_documents_by_id(tmp_path, issuer, credential, lists):
    controller_file = tmp_path / "did.json"
    controller_file.write_text(json.dumps(issuer.document))
    list_files = []
    for document in lists:
        path = tmp_path / f"{document['credentialSubject']['statusPurpose']}.json"
        path.write_text(json.dumps(document, ensure_ascii=False))
        list_files.append(path)
    report = verify_credential(
        issuer.sign(credential),
        controller_resolver=controller_file_resolver(controller_file),
        status_list_resolver=status_list_file_resolver(*list_files),
        now=NOW,
    )
    assert report.verified, report.to_json()
    with pytest.raises(ResolutionError, match="no controller document file"):
        controller_file_resolver(controller_file)("did:web:other")


def test_a_file_without_id_is_refused(tmp_path):
    path = tmp_path / "list.json"
    path.write_text('{"type": ["VerifiableCredential"]}')
    with pytest.raises(ValueError, match="with an id"):
        status_list_file_resolver(path)


# --- proof time ----------------------------------------------------------------------------


def test_a_proof_created_in_the_future_fails(issuer, credential, lists):
    report = verify(issuer.sign(credential, created="2099-01-01T00:00:00Z"), issuer, *lists)
    signature = report.get("signature")
    assert signature.status == "failed"
    assert "proof created 2099-01-01T00:00:00Z, in the future" in signature.detail
    assert "5 minutes" in signature.detail
    assert not report.verified


@pytest.mark.parametrize(("offset", "status"), [(299, "passed"), (301, "failed")])
def test_a_proof_created_within_the_clock_skew_verifies(issuer, credential, lists, offset, status):
    from datetime import timedelta

    from service.signing.data_integrity import MAX_CLOCK_SKEW, format_date_time_stamp

    assert timedelta(minutes=5) == MAX_CLOCK_SKEW
    created = format_date_time_stamp(NOW + timedelta(seconds=offset))
    report = verify(issuer.sign(credential, created=created), issuer, *lists)
    assert report.get("signature").status == status
