"""The online issuer check: known, filed, active and in scope at issue time (not today)."""

from __future__ import annotations

import copy

from domain.organisation import OrganisationKind
from service.ledger import Ledger
from tests.factories import ELECTRICIAN, Issued, file_employer, issue_to_new_worker
from tests.factories.foreign import foreign_credential


def issuer_check(ledger: Ledger, credential) -> tuple[str, str]:
    check = ledger.credentials.verify_credential(credential).get("issuer_filed")
    return check.status, check.detail


def resigned(ledger: Ledger, issued: Issued, change) -> dict:
    """The issuer's own key signing an altered document (a bug, or a misused issuing system)."""
    credential = ledger.credentials.certificate_credential(issued.number)
    unsigned = copy.deepcopy({k: v for k, v in credential.items() if k != "proof"})
    change(unsigned)
    organisation = ledger.organisation(issued.body_id)
    return ledger.credentials.sign_credential(
        organisation, unsigned, ledger.certificate(issued.number).issued_at
    )


def test_later_scope_and_status_changes_do_not_touch_credentials_issued_before(
    ledger: Ledger, issued: Issued
):
    credential = ledger.credentials.certificate_credential(issued.number)
    ledger.organisations.amend_scope(
        issued.body_id, {ELECTRICIAN: ["4"]}, actor="admin", reason="调整"
    )
    ledger.organisations.change_organisation_status(
        issued.body_id, "suspend", actor="admin", reason="督导"
    )
    status, detail = issuer_check(ledger, credential)
    assert status == "passed", detail
    assert "in scope" in detail


def test_a_level_outside_the_filed_scope_at_issue_time_fails(ledger: Ledger):
    body = file_employer(ledger, scope={ELECTRICIAN: ["5"]})
    issued = issue_to_new_worker(ledger, body.id, 1)

    def claim_level_three(document: dict) -> None:
        document["credentialSubject"]["achievement"]["level"]["code"] = "3"
        document["credentialSubject"].pop("licenseNumber")

    status, detail = issuer_check(ledger, resigned(ledger, issued, claim_level_three))
    assert status == "failed"
    assert "did not cover" in detail


def test_a_number_issued_by_another_body_fails(ledger: Ledger, issued: Issued):
    other = file_employer(ledger, code="11-Y-000002", prefix="Y000011000002", name="琅琊台")
    theirs = issue_to_new_worker(ledger, other.id, 2, "李四")

    def borrow_number(document: dict) -> None:
        document["credentialSubject"]["licenseNumber"] = theirs.number

    status, detail = issuer_check(ledger, resigned(ledger, issued, borrow_number))
    assert status == "failed" and "another body" in detail


def test_a_did_key_credential_verifies_with_the_filed_check_not_applicable(ledger: Ledger):
    """A foreign issuer's valid credential verifies; it is never reported as filed here."""
    credential = foreign_credential("x", "2025-01-01T00:00:00Z")
    report = ledger.credentials.verify_credential(credential)
    assert report.get("signature").status == "passed"
    filed = report.get("issuer_filed")
    assert filed.status == "skipped"
    assert filed.detail.startswith(f"issued by {credential['issuer']}, not a body filed")
    assert filed.data == {"claimsThisLedger": False}
    assert report.get("ledger_record").status == "skipped"
    assert report.verified, report.to_dict()


def test_a_failed_signature_skips_the_issuer_check(ledger: Ledger, issued: Issued):
    credential = ledger.credentials.certificate_credential(issued.number)
    credential["credentialSubject"]["name"] = "李四"
    assert issuer_check(ledger, credential)[0] == "skipped"


def test_a_union_award_needs_no_scope_but_an_active_filing(ledger: Ledger):
    union = ledger.organisations.file_organisation(
        filing_code="11-union",
        name="朝阳区总工会",
        kind=OrganisationKind.UNION,
        province_code="11",
        actor="t",
    ).aggregate
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {
            "id": ledger.credentials.credential_urls.controller_id(union.id),
            "type": ["Profile"],
            "name": union.name,
        },
        "validFrom": "2025-06-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "type": ["Achievement"],
                "achievementType": "Award",
                "name": "朝阳工匠",
            },
        },
    }
    at = ledger.clock()
    document["validFrom"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    signed = ledger.credentials.sign_credential(ledger.organisation(union.id), document, at)
    assert issuer_check(ledger, signed)[0] == "passed"
