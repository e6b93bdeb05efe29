"""Certificate credentials: built from events, deterministic, Open Badges shaped, tamper-evident."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from domain.status_list_allocation import LIST_SIZE, StatusIndexBlock, StatusListAllocation
from service.ledger import Ledger
from service.signing.canonical_json import canonicalize
from service.signing.credential_verifier import verify_credential
from service.signing.data_integrity import CRYPTOSUITES, add_proof, proofs_of
from tests.factories import Issued, file_employer, id_number, issue_to_new_worker
from tests.factories.awards import gold_award


def checks(report) -> dict[str, str]:
    return {check.check: check.status for check in report.checks}


# -- determinism ------------------------------------------------------------------------------


def test_the_same_events_give_a_byte_identical_signed_credential(
    make_ledger: Callable[..., Ledger], clock, issued_elsewhere: tuple[str, bytes]
):
    number, first_bytes = issued_elsewhere
    reopened = make_ledger()  # a fresh process: nothing cached, everything replayed
    assert canonicalize(reopened.credentials.certificate_credential(number)) == first_bytes
    assert canonicalize(reopened.credentials.certificate_credential(number)) == first_bytes


@pytest.fixture
def issued_elsewhere(make_ledger: Callable[..., Ledger], clock) -> Iterator[tuple[str, bytes]]:
    first = make_ledger(clock=clock)
    body = file_employer(first)
    issued = issue_to_new_worker(first, body.id, 1)
    signed = canonicalize(first.credentials.certificate_credential(issued.number))
    first.close()
    yield issued.number, signed


def test_building_twice_gives_the_same_document_and_proof(ledger: Ledger, issued: Issued):
    one = ledger.credentials.certificate_credential(issued.number)
    two = ledger.credentials.certificate_credential(issued.number)
    assert canonicalize(one) == canonicalize(two)
    assert [proof["cryptosuite"] for proof in one["proof"]] == list(CRYPTOSUITES)
    assert {proof["created"] for proof in proofs_of(one)} == {one["validFrom"]}


# -- shape ------------------------------------------------------------------------------------


def test_the_credential_is_an_open_badges_achievement_credential_of_the_certificate(
    ledger: Ledger, issued: Issued
):
    certificate = ledger.certificate(issued.number)
    credential = ledger.credentials.certificate_credential(issued.number)
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ledger.credentials.credential_urls.base_url + "/contexts/craftledger/v1",
    ]
    assert credential["type"] == ["VerifiableCredential", "AchievementCredential"]
    assert credential["id"].endswith(f"/api/v1/certificates/{issued.number}/credential")
    assert credential["issuer"] == {
        "id": ledger.credentials.credential_urls.controller_id(issued.body_id),
        "type": ["Profile"],
        "name": "北京链家",
    }
    assert credential["validFrom"] == certificate.issued_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = credential["credentialSubject"]
    assert subject["name"] == "张三"
    assert subject["maskedIdNumber"] == certificate.masked_id_number
    assert subject["licenseNumber"] == issued.number
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certification"
    assert achievement["occupation"] == {"code": "6-31-01-03", "name": "电工"}
    assert achievement["level"] == {
        "code": "5",
        "nameZh": "五级/初级工",
        "nameEn": "Level 5 / Junior Worker",
    }
    assert all(isinstance(result["value"], str) for result in subject["result"])
    assert credential["evidence"][0]["genre"] == "evaluation"
    assert "EV-2025-01" in credential["evidence"][0]["description"]
    status = credential["credentialStatus"]  # one object, as Open Badges 3.0 requires
    index = ledger.credentials.allocation_of(issued.body_id, issued.number).index("revocation")
    assert status == {
        "id": f"{status['statusListCredential']}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": str(index),
        "statusListCredential": ledger.credentials.credential_urls.status_list_url(
            issued.body_id, "message"
        ),
        "statusSize": 2,
        "statusMessage": [
            {"status": "0x0", "message": "valid"},
            {"status": "0x1", "message": "suspended"},
            {"status": "0x2", "message": "revoked"},
            {"status": "0x3", "message": "revoked"},
        ],
    }


def test_a_verifier_holding_the_id_number_can_match_the_salted_hash_and_nobody_sees_it(
    ledger: Ledger, issued: Issued
):
    credential = ledger.credentials.certificate_credential(issued.number)
    (identity,) = credential["credentialSubject"]["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["identityType"] == "nationalIdentityNumber"
    assert identity["hashed"] is True
    raw = id_number(issued.serial).reveal()
    expected = hashlib.sha256((raw + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert raw not in json.dumps(credential)
    for notification in ledger.notifications():  # sealed in the log, not readable there
        assert identity["identityHash"][7:].encode() not in notification.state
        assert identity["salt"].encode() not in notification.state


def test_the_public_disclosure_masks_the_name_and_carries_no_id_hash(
    ledger: Ledger, issued: Issued
):
    public = ledger.credentials.certificate_credential(issued.number, "public")
    subject = public["credentialSubject"]
    assert subject["name"] == "张*"
    (pseudonym,) = subject["identifier"]  # Open Badges 3.0: an id or an identifier
    assert set(pseudonym) == {"type", "identityType", "hashed", "identityHash"}
    assert (pseudonym["identityType"], pseudonym["hashed"]) == ("identifier", True)
    full = ledger.credentials.certificate_credential(issued.number)
    assert pseudonym != full["credentialSubject"]["identifier"][0]
    assert public["id"].endswith("?disclosure=public")
    assert ledger.credentials.verify_credential(public).verified


def test_the_public_pseudonym_is_per_certificate_and_not_a_hash_of_public_data(
    ledger: Ledger, issued: Issued
):
    from domain.skill_level import SkillLevel
    from tests.factories import issue

    def pseudonym(number: str) -> str:
        public = ledger.credentials.certificate_credential(number, "public")
        return str(public["credentialSubject"]["identifier"][0]["identityHash"])

    second = issue(ledger, issued.body_id, issued.worker_id, SkillLevel.LEVEL_4)
    first = pseudonym(issued.number)
    assert first == pseudonym(issued.number)  # deterministic from the events
    assert first != pseudonym(second)  # two certificates of one worker are not linked by it
    public_data = [
        id_number(issued.serial).reveal(),
        "张三",
        str(issued.worker_id),
        issued.number,
        f"{issued.worker_id}\n{issued.number}",
        f"{issued.worker_id}{issued.number}",
    ]
    guesses = {"sha256$" + hashlib.sha256(value.encode()).hexdigest() for value in public_data}
    assert first.startswith("sha256$") and first not in guesses


def test_free_text_evidence_is_masked_and_only_in_the_full_disclosure(ledger: Ledger):
    body = file_employer(ledger)
    from tests.factories import Body, hire, issue

    worker = hire(ledger, Body(body.id, ""), 1)
    leaked = id_number(9).reveal()
    number = issue(
        ledger,
        body.id,
        worker,
        basis={
            "kind": "evaluation",
            "reference": "EV-9",
            "bypass": "fast_track",
            "evidence": f"破格晋升审批表 2025-017 (applicant {leaked})",
        },
    )
    full = ledger.credentials.certificate_credential(number)
    assert "破格晋升审批表 2025-017" in full["evidence"][0]["narrative"]
    assert leaked not in json.dumps(full, ensure_ascii=False)
    assert (
        "narrative"
        not in ledger.credentials.certificate_credential(number, "public")["evidence"][0]
    )


# -- tampering --------------------------------------------------------------------------------


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


def altered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    text = str(value)
    return text[:-1] + ("A" if text[-1:] != "A" else "B")


def test_altering_any_field_or_the_proof_fails_the_signature_and_hides_the_rest(
    ledger: Ledger, issued: Issued
):
    credential = ledger.credentials.certificate_credential(issued.number)
    paths = list(leaves(credential))
    assert len(paths) > 40
    for path in paths:
        tampered = copy.deepcopy(credential)
        target = tampered
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = altered(target[path[-1]])
        report = ledger.credentials.verify_credential(tampered)
        statuses = checks(report)
        assert statuses["signature"] == "failed", path
        assert {s for name, s in statuses.items() if name != "signature"} == {"skipped"}, path
        assert not report.verified


def test_adding_or_removing_a_field_fails(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    added = copy.deepcopy(credential)
    added["credentialSubject"]["name2"] = "x"
    removed = copy.deepcopy(credential)
    del removed["evidence"]
    for tampered in (added, removed):
        assert checks(ledger.credentials.verify_credential(tampered))["signature"] == "failed"


def test_a_proof_by_another_key_under_the_issuers_method_fails(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    forged = add_proof(
        unsigned,
        Ed25519PrivateKey.generate(),
        proofs_of(credential)[0]["verificationMethod"],
        proofs_of(credential)[0]["created"],
    )
    assert checks(ledger.credentials.verify_credential(forged))["signature"] == "failed"


def test_a_controller_document_with_a_swapped_key_fails_the_signature(
    ledger: Ledger, issued: Issued
):
    credential = ledger.credentials.certificate_credential(issued.number)
    document = ledger.credentials.controller_document(issued.body_id)
    from service.signing.multikey import generate_key_pair

    document["verificationMethod"][0]["publicKeyMultibase"] = generate_key_pair()[1]
    report = verify_credential(credential, controller_resolver=lambda _id: document)
    assert checks(report)["signature"] == "failed"


# -- status list entries ----------------------------------------------------------------------


def test_status_indexes_are_random_distinct_and_survive_a_reopen(
    make_ledger: Callable[..., Ledger], clock
):
    ledger = make_ledger(clock=clock)
    body = file_employer(ledger, scope={"6-31-01-03": ["5", "4", "3"]})
    numbers = [issue_to_new_worker(ledger, body.id, serial).number for serial in range(1, 31)]
    indexes = [
        int(ledger.credentials.certificate_credential(n)["credentialStatus"]["statusListIndex"])
        for n in numbers
    ]
    assert len(set(indexes)) == len(indexes)
    assert all(0 <= index < LIST_SIZE for index in indexes)
    assert indexes != sorted(indexes)  # not handed out in issue order
    reopened = make_ledger()
    assert [
        int(reopened.credentials.certificate_credential(n)["credentialStatus"]["statusListIndex"])
        for n in numbers
    ] == indexes


def test_batch_allocation_gives_each_subject_a_fresh_index_in_one_save(
    ledger: Ledger, issued: Issued
):
    """The API for batch issuers: many subjects, one event per block touched plus one each."""
    existing = ledger.credentials.allocation_of(issued.body_id, issued.number)
    assert existing is not None
    subjects = [f"award:C-1:{n}" for n in range(200)] + [issued.number]
    rng = random.Random(7)
    batch = ledger.credentials.allocate_status_list_entries(
        issued.body_id, subjects, at=ledger.clock(), actor="test", rng=rng
    )
    assert batch.indexes[issued.number] == existing.indexes  # kept, not reallocated
    fresh = [batch.indexes[s]["revocation"] for s in subjects[:-1]]
    assert len(set(fresh)) == 200
    assert existing.indexes["revocation"] not in fresh
    blocks = [a for a in batch.aggregates if isinstance(a, StatusIndexBlock)]
    allocations = [a for a in batch.aggregates if isinstance(a, StatusListAllocation)]
    assert len(allocations) == 200
    assert all(len(block.pending_events) <= 2 for block in blocks)  # Opened + one IndexesTaken
    pending = sum(len(aggregate.pending_events) for aggregate in batch.aggregates)
    assert pending == len(allocations) + sum(len(block.pending_events) for block in blocks)
    before = ledger.log_position
    ledger.save(*batch.aggregates)
    assert ledger.log_position - before == pending
    again = ledger.credentials.allocate_status_list_entries(
        issued.body_id, subjects[:-1], at=ledger.clock(), actor="test"
    )
    assert again.aggregates == []
    assert again.indexes == {s: batch.indexes[s] for s in subjects[:-1]}


def test_an_index_taken_in_a_block_is_never_handed_out_again(ledger: Ledger, issued: Issued):
    class Always:
        def __init__(self, values: list[int]) -> None:
            self.values = values

        def randrange(self, stop: int) -> int:
            return self.values.pop(0)

    taken = ledger.credentials.allocation_of(issued.body_id, issued.number).indexes["revocation"]
    free = 5 if taken != 5 else 6
    batch = ledger.credentials.allocate_status_list_entries(
        issued.body_id, ["s-1"], at=ledger.clock(), actor="t", rng=Always([taken, taken, free])
    )
    assert batch.indexes["s-1"] == {"revocation": free, "suspension": free}


# -- awards -----------------------------------------------------------------------------------


def test_an_award_credential_is_built_signed_and_verified(ledger: Ledger):
    union, document, awarded_at = gold_award(ledger)
    results = document["credentialSubject"]["result"]
    assert [r["value"] for r in results] == ["1", "gold", "93.50"]
    assert document["credentialSubject"]["achievement"]["achievementType"] == "Award"
    signed = ledger.credentials.sign_credential(union, document, awarded_at)
    report = ledger.credentials.verify_credential(signed)
    assert report.verified, report.to_dict()
    assert checks(report)["issuer_filed"] == "passed"


def test_a_stale_reservation_cannot_reuse_an_index_the_save_refuses_it(
    ledger: Ledger, issued: Issued
):
    """Reserving draws and loads outside the command's contended window; the block's version
    still guards the save, so an index taken meanwhile is never handed out twice."""
    from eventsourcing.persistence import IntegrityError

    class Fixed:
        def randrange(self, stop: int) -> int:
            return 4242

    stale = ledger.credentials.reserve_status_list_entries(issued.body_id, 1, rng=Fixed())
    assert stale.indexes == [4242]
    first = ledger.credentials.allocate_status_list_entries(
        issued.body_id, ["award:a"], at=ledger.clock(), actor="t", rng=Fixed()
    )
    ledger.save(*first.aggregates)
    second = ledger.credentials.allocate_status_list_entries(
        issued.body_id, ["award:b"], at=ledger.clock(), actor="t", reservation=stale
    )
    assert second.indexes["award:b"]["revocation"] == 4242
    with pytest.raises(IntegrityError):
        ledger.save(*second.aggregates)
    fresh = ledger.credentials.allocate_status_list_entries(
        issued.body_id, ["award:b"], at=ledger.clock(), actor="t"
    )
    assert fresh.indexes["award:b"]["revocation"] != 4242
