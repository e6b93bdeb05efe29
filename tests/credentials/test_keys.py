"""Issuer keys: provisioned at filing, rotated, compromised; did.json publishes every window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import DomainRuleViolation, InvalidValue
from domain.organisation import OrganisationKind
from service.ledger import Ledger
from service.signing.data_integrity import proofs_of
from service.signing.multikey import public_multibase_of
from tests.factories import Issued, file_employer, issue_to_new_worker


def checks(report) -> dict[str, str]:
    return {check.check: check.status for check in report.checks}


@pytest.mark.parametrize(
    ("kind", "prefix", "gets_key"),
    [
        (OrganisationKind.EMPLOYER, "Y000011000001", True),
        (OrganisationKind.SOCIAL, "S000011000001", True),
        (OrganisationKind.UNION, None, True),
        (OrganisationKind.AUTHORITY, None, False),
    ],
)
def test_filing_an_issuing_body_publishes_one_key_whose_private_half_is_in_the_store(
    ledger: Ledger, kind, prefix, gets_key
):
    recorded = ledger.organisations.file_organisation(
        filing_code=f"11-{kind.value}-1",
        name="某单位",
        kind=kind,
        province_code="11",
        evaluator_prefix=prefix,
        scope={"6-31-01-03": ["5"]} if prefix else {},
        actor="test:admin",
    )
    organisation = ledger.organisation(recorded.aggregate.id)
    assert recorded.aggregate.signing_keys == organisation.signing_keys
    assert len(organisation.signing_keys) == (1 if gets_key else 0)
    for key_id, key in organisation.signing_keys.items():
        private_key = ledger.credentials.key_store.private_key(str(organisation.id), key_id)
        assert public_multibase_of(private_key) == key["public_key_multibase"]
        assert key["valid_from"] >= organisation.scope_history[0][0]


def test_did_json_lists_every_key_as_a_multikey_with_its_window(ledger: Ledger, issued: Issued):
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    first, second, third = ledger.organisation(issued.body_id).signing_keys.values()
    ledger.credentials.mark_key_compromised(
        issued.body_id,
        second["key_id"],
        compromised_at=second["valid_from"] + timedelta(seconds=1),
        actor="test:admin",
        reason="laptop stolen",
    )
    document = ledger.credentials.controller_document(issued.body_id)
    controller = ledger.credentials.credential_urls.controller_id(issued.body_id)
    assert document["id"] == controller and controller.startswith("did:web:")
    methods = document["verificationMethod"]
    assert [m["publicKeyMultibase"] for m in methods] == [
        k["public_key_multibase"] for k in (first, second, third)
    ]
    assert all(m["type"] == "Multikey" and m["controller"] == controller for m in methods)
    assert all(m["publicKeyMultibase"].startswith("z6Mk") for m in methods)
    assert document["assertionMethod"] == [m["id"] for m in methods]
    assert methods[0]["validUntil"] == methods[1]["validFrom"]
    assert methods[1]["validUntil"] == methods[2]["validFrom"]
    assert "validUntil" not in methods[2]
    assert "revoked" in methods[1] and "revoked" not in methods[0] and "revoked" not in methods[2]


def test_a_credential_signed_before_a_rotation_verifies_after_it(ledger: Ledger, issued: Issued):
    before = ledger.credentials.certificate_credential(issued.number)
    ledger.credentials.rotate_signing_key(issued.body_id, actor="test:admin")
    report = ledger.credentials.verify_credential(before)
    assert report.verified, report.to_dict()
    assert (
        ledger.credentials.certificate_credential(issued.number) == before
    )  # still the old key's proof
    later = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    newer = ledger.credentials.certificate_credential(later.number)
    assert proofs_of(newer)[0]["verificationMethod"] != proofs_of(before)[0]["verificationMethod"]
    assert ledger.credentials.verify_credential(newer).verified


def test_a_credential_created_after_a_compromise_fails_and_one_from_before_still_verifies(
    ledger: Ledger, issued: Issued
):
    early = ledger.credentials.certificate_credential(issued.number)
    key_id = ledger.organisation(issued.body_id).current_key_id
    compromised_at = ledger.clock()
    late = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    leaked_era = ledger.credentials.certificate_credential(
        late.number
    )  # signed with the soon-bad key
    ledger.credentials.mark_key_compromised(
        issued.body_id,
        key_id,
        compromised_at=compromised_at,
        actor="test:admin",
        reason="key file found on a public share",
    )
    assert checks(ledger.credentials.verify_credential(early))["key_valid_at_created"] == "passed"
    assert ledger.credentials.verify_credential(early).verified
    report = ledger.credentials.verify_credential(leaked_era)
    assert checks(report)["key_valid_at_created"] == "failed"
    assert not report.verified
    # The compromise rotated the key: the ledger re-signs the recorded issuance with it.
    organisation = ledger.organisation(issued.body_id)
    assert organisation.current_key_id not in (None, key_id)
    resigned = ledger.credentials.certificate_credential(late.number)
    for proof in proofs_of(resigned):
        assert proof["verificationMethod"].endswith("#" + organisation.current_key_id)
    assert ledger.credentials.verify_credential(resigned).verified


def test_a_compromise_needs_a_reason_and_a_time_not_in_the_future(ledger: Ledger):
    body = file_employer(ledger)
    key_id = ledger.organisation(body.id).current_key_id
    with pytest.raises(InvalidValue, match="compromised_at: is in the future"):
        ledger.credentials.mark_key_compromised(
            body.id,
            key_id,
            compromised_at=ledger.clock() + timedelta(days=1),
            actor="a",
            reason="r",
        )
    with pytest.raises(DomainRuleViolation, match="reason-required"):
        ledger.credentials.mark_key_compromised(
            body.id, key_id, compromised_at=ledger.clock(), actor="a", reason=" "
        )


def test_an_authority_cannot_rotate_a_key_it_does_not_have(ledger: Ledger):
    recorded = ledger.organisations.file_organisation(
        filing_code="11-authority",
        name="朝阳区人社局",
        kind=OrganisationKind.AUTHORITY,
        province_code="11",
        actor="test:admin",
    )
    with pytest.raises(DomainRuleViolation, match="not-an-issuer"):
        ledger.credentials.rotate_signing_key(recorded.aggregate.id, actor="test:admin")


def test_a_body_filed_without_a_key_gets_one_with_its_first_certificate(
    ledger: Ledger, monkeypatch
):
    monkeypatch.setattr(ledger.credentials, "provision_signing_key", lambda filed: filed)
    body = file_employer(ledger)
    assert ledger.organisation(body.id).signing_keys == {}
    monkeypatch.undo()
    issued = issue_to_new_worker(ledger, body.id, 1)
    organisation = ledger.organisation(body.id)
    assert len(organisation.signing_keys) == 1
    assert ledger.credentials.verify_credential(
        ledger.credentials.certificate_credential(issued.number)
    ).verified


def test_issuing_checks_the_signing_key_first_so_an_issuer_that_cannot_sign_issues_nothing(
    ledger: Ledger, issued: Issued
):
    from domain.skill_level import SkillLevel
    from service.credentials import CredentialUnavailable
    from tests.factories import ELECTRICIAN, Body, hire

    recorded = ledger.certificates.issue_certificate(
        issuer_id=issued.body_id,
        worker_id=hire(ledger, Body(issued.body_id, ""), 2, "李四"),
        occupation_code=ELECTRICIAN,
        level=SkillLevel.LEVEL_5,
        basis={"kind": "evaluation", "reference": "EV-2025-02"},
        actor="test:issuer",
    )
    credential = ledger.credentials.certificate_credential(recorded.aggregate.number)
    assert ledger.credentials.verify_credential(credential).verified
    key_id = ledger.organisation(issued.body_id).current_key_id
    ledger.credentials.mark_key_compromised(
        issued.body_id,
        key_id,
        compromised_at=ledger.clock(),
        actor="test:admin",
        reason="key file found on a public share",
        rotate=False,  # and no replacement: nothing can sign from now on
    )
    before = ledger.log_position
    with pytest.raises(CredentialUnavailable):
        issue_to_new_worker(ledger, issued.body_id, 3, "王五")
    # the worker was hired (a save of its own), but no certificate, series or status entry
    topics = {n.topic for n in ledger.notifications(start=before + 1)}
    assert not {
        t for t in topics if t.startswith(("craftledger:Certificate", "craftledger:Status"))
    }
