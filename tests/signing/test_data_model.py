"""Every MUST of VC Data Model 2.0 the validator checks, both ways, and where it is enforced."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from service.cli import main
from service.signing.credential_verifier import verify_credential
from service.signing.data_integrity import add_proof
from service.signing.data_model import DataModelError, check_data_model, violations
from tests.signing.issuer import Issuer, achievement_credential

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def full_credential() -> dict:
    """A credential using every property the rules look at, all of them right."""
    credential = achievement_credential(status_indexes={"revocation": 5})
    credential["credentialSubject"]["id"] = "did:example:holder"
    credential["validUntil"] = "2030-01-01T00:00:00Z"
    credential["description"] = [{"@value": "证书", "@language": "zh-CN"}, "certificate"]
    credential["evidence"] = [{"type": ["Evidence"], "id": "https://craftledger.example/e/1"}]
    credential["credentialSchema"] = {
        "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
        "type": "1EdTechJsonSchemaValidator2019",
    }
    credential["refreshService"] = {"type": "VerifiableCredentialRefreshService2021"}
    credential["termsOfUse"] = [{"type": "TrustFrameworkPolicy", "id": "https://x.example/p"}]
    credential["relatedResource"] = [
        {"id": "https://x.example/photo.png", "digestSRI": "sha384-abc"}
    ]
    return credential


def test_the_full_credential_passes():
    assert violations(full_credential()) == []
    check_data_model(full_credential())


def test_issuer_as_a_plain_url_and_a_single_subject_object_pass():
    credential = full_credential()
    credential["issuer"] = "did:web:craftledger.example"
    credential["type"] = "VerifiableCredential"
    assert violations(credential) == []


def delete(*path):
    def change(credential):
        target = credential
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return change


def put(value, *path):
    def change(credential):
        target = credential
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = copy.deepcopy(value)

    return change


BREAKS = {
    "no @context": (delete("@context"), "context"),
    "@context a string": (put("https://www.w3.org/ns/credentials/v2", "@context"), "context"),
    "unknown base context": (
        put(["https://www.w3.org/2018/credentials/v1"], "@context"),
        "context-base",
    ),
    "base context not first": (
        put(
            [
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                "https://www.w3.org/ns/credentials/v2",
            ],
            "@context",
        ),
        "context-base",
    ),
    "a context that is a number": (put(7, "@context", 1), "context-item"),
    "id not a URL": (put("certificate 123", "id"), "id-url"),
    "subject id not a URL": (put("holder", "credentialSubject", "id"), "id-url"),
    "no type": (delete("type"), "type"),
    "type a number": (put(5, "type"), "type"),
    "type without VerifiableCredential": (put(["AchievementCredential"], "type"), "type-base"),
    "name a number": (put(12, "name"), "name-string"),
    "description a bad language value": (
        put([{"@value": "x", "@language": "no such tag!"}], "description"),
        "description-string",
    ),
    "no issuer": (delete("issuer"), "issuer"),
    "issuer not a URL": (put("北京链家", "issuer"), "issuer-url"),
    "issuer object without id": (put({"name": "北京链家"}, "issuer"), "issuer-url"),
    "issuer name a number": (put(3, "issuer", "name"), "name-string"),
    "no credentialSubject": (delete("credentialSubject"), "subject"),
    "credentialSubject a string": (put("someone", "credentialSubject"), "subject"),
    "empty credentialSubject list": (put([], "credentialSubject"), "subject"),
    "a subject without claims": (
        put({"id": "did:example:holder"}, "credentialSubject"),
        "subject-claims",
    ),
    "validFrom without a time zone": (put("2024-06-01T00:00:00", "validFrom"), "date-time-stamp"),
    "validUntil before validFrom": (put("2020-01-01T00:00:00Z", "validUntil"), "validity-order"),
    "status without a type": (delete("credentialStatus", 0, "type"), "status-type"),
    "status id not a URL": (put("entry 1", "credentialStatus", 0, "id"), "id-url"),
    "evidence without a type": (put([{"id": "https://x.example/e"}], "evidence"), "evidence-type"),
    "credentialSchema without a type": (delete("credentialSchema", "type"), "schema-type"),
    "credentialSchema without an id": (delete("credentialSchema", "id"), "schema-id"),
    "refreshService without a type": (
        put({"url": "https://x"}, "refreshService"),
        "refresh-service-type",
    ),
    "termsOfUse without a type": (
        put([{"id": "https://x.example/p"}], "termsOfUse"),
        "terms-of-use-type",
    ),
    "relatedResource without a digest": (
        put([{"id": "https://x.example/photo.png"}], "relatedResource"),
        "related-resource",
    ),
}


@pytest.mark.parametrize("name", list(BREAKS))
def test_each_single_violation_is_named_by_its_rule(name):
    change, rule = BREAKS[name]
    credential = full_credential()
    change(credential)
    found = violations(credential)
    assert [violation.rule for violation in found] == [rule], found
    with pytest.raises(DataModelError) as raised:
        check_data_model(credential)
    assert rule in str(raised.value) and "VC DM 2.0 §" in str(raised.value)


def test_something_other_than_an_object_is_not_a_credential():
    assert [v.rule for v in violations(["not", "an", "object"])] == ["object"]


# --- where it is enforced ------------------------------------------------------------------


def test_the_verifier_fails_a_signed_credential_that_breaks_a_must(issuer: Issuer):
    credential = full_credential()
    credential["type"] = ["AchievementCredential"]
    del credential["credentialStatus"]
    report = verify_credential(issuer.sign(credential), controller_resolver=issuer.resolve, now=NOW)
    check = report.get("data_model")
    assert report.get("signature").status == "passed"
    assert check.status == "failed" and "type-base" in check.detail
    assert check.data["violations"][0]["rule"] == "type-base"
    assert not report.verified


def test_the_verifier_passes_a_conforming_credential(issuer: Issuer):
    credential = full_credential()
    del credential["credentialStatus"]
    report = verify_credential(issuer.sign(credential), controller_resolver=issuer.resolve, now=NOW)
    assert report.get("data_model").status == "passed"
    assert report.verified, report.to_json()


def test_vc_sign_refuses_a_credential_that_breaks_a_must(vectors_dir):
    credential = json.loads((vectors_dir / "unsigned.json").read_text())
    del credential["credentialSubject"]
    result = CliRunner().invoke(
        main,
        [
            "vc",
            "sign",
            "--key",
            str(vectors_dir / "keyPair.json"),
            "--verification-method",
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
            "#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        ],
        input=json.dumps(credential),
    )
    assert result.exit_code == 1
    assert "not signed" in result.output and "subject (VC DM 2.0 §4.8)" in result.output


def test_vc_verify_names_the_broken_rule(tmp_path, issuer: Issuer):
    credential = full_credential()
    credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
    del credential["credentialStatus"]
    (tmp_path / "c.json").write_text(json.dumps(issuer.sign(credential)))
    (tmp_path / "did.json").write_text(json.dumps(issuer.document))
    result = CliRunner().invoke(
        main,
        ["vc", "verify", "--controller", str(tmp_path / "did.json"), str(tmp_path / "c.json")],
    )
    assert result.exit_code == 1
    assert "failed   data_model: breaks VC Data Model 2.0: context-base" in result.output


def test_the_proof_itself_is_not_a_data_model_violation(issuer: Issuer):
    signed = add_proof(full_credential(), issuer.keys["key-1"], issuer.method("key-1"))
    assert violations(signed) == []
