"""Interop: the credentials craftledger serves verify in an independent implementation,
Digital Bazaar's JavaScript libraries (``interop/verify.mjs``, versions pinned in
``interop/package-lock.json``), offline, on SQLite and PostgreSQL.

A real world is built through the app (certificates, one revoked and one suspended, an
enterprise post, a points statement, a competition's award); every credential is fetched over
HTTP in each disclosure, with the issuers' controller documents and the status lists they point
to. Each proof of each credential and status list must verify with the suite of its
cryptosuite, every status entry must be read by the independent checker, and a tampered
document must fail there. The other way round, what Digital Bazaar's suites sign our verifier
must verify.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.credentials.editions import earlier_editions
from service.credentials.jsonld_contexts import (
    OB3_CONTEXT_URL,
    VC2_CONTEXT_URL,
    context_bytes,
)
from service.signing.data_integrity import verify_proof
from service.signing.multikey import decode_public_key, did_key_public_multibase
from tests.competition.arena import build_arena, descending
from tests.factories.organisations import ELECTRICIAN
from tests.interop.independent import (
    CRYPTOSUITES,
    fetch,
    proofs_of,
    run_node,
    served_documents,
    standing,
    verify,
)
from tests.support.api_world import World

REVIEWS = [
    {"review": "performance", "evidence": "2024 业绩考核 合格"},
    {"review": "defence", "evidence": "现场答辩记录 2025-05-20"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议 2025-05"},
]


@dataclass
class Served:
    """What the app served, and the independent verifier's report on it."""

    credentials: dict[str, dict[str, Any]]  # label -> credential as served
    documents: dict[str, Any]  # url -> controller document, status list, context
    now: str
    report: dict[str, Any]  # label -> the report on that credential
    status_lists: list[dict[str, Any]]  # the report on each status list credential


def certificate_credential(world: World, number: str, disclosure: str) -> dict[str, Any]:
    principal = "admin" if disclosure == "full" else "public"
    path = f"/api/v1/certificates/{number}/credential?disclosure={disclosure}"
    return fetch(world, path, principal)  # type: ignore[no-any-return]


def change_status(world: World, number: str, action: str) -> None:
    path = f"/api/v1/certificates/{number}/{action}"
    answer = world.call("POST", path, "issuer", json={"reason": "interop test"})
    assert answer.status_code == 200, answer.get_json()


def award_credentials(world: World) -> dict[str, dict[str, Any]]:
    """A union's finalised competition (tests/competition/arena.py) and its gold medallist's
    award credential in both disclosures."""
    arena = build_arena(world.ledger)
    competition = arena.announce(rule_set=None)
    gold, _silver = arena.ranked_field(2)
    arena.run(competition, descending([gold, _silver]))
    path = f"/api/v1/competitions/{competition}/awards/{gold}/credential"
    return {
        "award-full": fetch(world, f"{path}?disclosure=full", "admin"),
        "award-public": fetch(world, f"{path}?disclosure=public", "public"),
    }


def two_entry_edition(world: World, number: str) -> dict[str, Any]:
    """The certificate's credential as issued before the one message entry (two one-bit
    entries, revocation and suspension, on the lists still served), signed by its issuer's key:
    the shape vc-bitstring-status-list reads by itself."""
    credentials = world.ledger.credentials
    certificate, current = credentials.unsigned_certificate_credential(number, "full")
    allocation = credentials.allocation_of(certificate.issuer_id, number)
    assert allocation is not None
    editions = dict(
        earlier_editions(
            current,
            "full",
            credentials.credential_urls,
            certificate.issuer_id,
            dict(allocation.indexes),
        )
    )
    issuer = world.ledger.organisation(certificate.issuer_id)
    return credentials.sign_credential(
        issuer, editions["two status entries"], certificate.issued_at
    )


@pytest.fixture(scope="module")
def served(world: World) -> Served:
    numbers = {state: world.fresh_certificate() for state in ("valid", "revoked", "suspended")}
    change_status(world, numbers["revoked"], "revoke")
    change_status(world, numbers["suspended"], "suspend")
    credentials = {
        f"certificate-{state}-{disclosure}": certificate_credential(world, number, disclosure)
        for state, number in numbers.items()
        for disclosure in ("full", "public")
    }
    credentials.update(
        (f"certificate-{state}-two-entries", two_entry_edition(world, number))
        for state, number in numbers.items()
    )
    worker = world.ids["worker"]
    post = world.call(
        "POST",
        "/api/v1/evaluations/posts",
        "issuer",
        json={
            "worker_id": str(worker),
            "occupation_code": ELECTRICIAN,
            "post": "apprentice",
            "reviews": REVIEWS,
        },
    )
    assert post.status_code == 201, post.get_json()
    credentials["post"] = fetch(world, post.get_json()["credential_url"], "issuer")
    points = f"/api/v1/workers/{worker}/points?policy=shanghai-residence-points"
    credentials["points-statement"] = fetch(world, points, "admin")
    credentials.update(award_credentials(world))

    documents = served_documents(world, list(credentials.values()))
    now = world.ledger.clock().isoformat()
    report = verify(list(credentials.values()), documents, now)
    assert report["refused"] == [], report["refused"]  # everything needed was given
    return Served(
        credentials=credentials,
        documents=documents,
        now=now,
        report=dict(zip(credentials, report["credentials"], strict=True)),
        status_lists=report["statusLists"],
    )


# -- every proof, with the suite of its cryptosuite ------------------------------------------


def test_every_credential_verifies_independently(served: Served):
    for label, result in served.report.items():
        assert result["verified"], (label, result)
        proofs = proofs_of(served.credentials[label])
        assert [p["cryptosuite"] for p in result["proofs"]] == [p["cryptosuite"] for p in proofs]
        assert all(p["verified"] for p in result["proofs"]), (label, result["proofs"])


def test_every_status_list_verifies_independently(served: Served):
    lists = [
        d for d in served.documents.values() if "BitstringStatusListCredential" in d.get("type", [])
    ]
    assert len(served.status_lists) == len(lists) >= 1
    for result in served.status_lists:
        assert result["verified"], result
        assert result["proofs"] and all(p["verified"] for p in result["proofs"]), result


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_each_document_carries_a_proof_of_each_cryptosuite_that_verifies(
    served: Served, cryptosuite: str
):
    """Fails while the documents carry no proof of ``cryptosuite`` (eddsa-rdfc-2022 comes with
    issue 18's second proof)."""
    results = [*served.report.values(), *served.status_lists]
    for result in results:
        by_suite = [p for p in result["proofs"] if p["cryptosuite"] == cryptosuite]
        assert by_suite, f"{result['id']} has no {cryptosuite} proof"
        assert all(p["verified"] for p in by_suite), (result["id"], by_suite)


def test_every_document_expands_in_the_independent_safe_mode(served: Served):
    """Every term defined and every IRI absolute, as jsonld.js's safe mode (what
    eddsa-rdfc-2022 canonicalises under) requires, whatever proofs the document carries."""
    for result in [*served.report.values(), *served.status_lists]:
        assert result["safeMode"] is None, (result["id"], result["safeMode"])


# -- status -----------------------------------------------------------------------------------


@pytest.mark.parametrize("disclosure", ["full", "public", "two-entries"])
@pytest.mark.parametrize("state", ["valid", "revoked", "suspended"])
def test_the_independent_status_check_reads_each_certificates_state(
    served: Served, state: str, disclosure: str
):
    result = served.report[f"certificate-{state}-{disclosure}"]
    assert result["status"], "a certificate credential carries status entries"
    assert standing(result) == state, result["status"]
    for entry in result["status"]:  # one-bit entries by the library itself; wider ones by us
        assert entry["checkedBy"].endswith("checkStatus") == (entry["statusSize"] == 1), entry


def test_every_status_entry_is_checked(served: Served):
    for label, result in served.report.items():
        entries = served.credentials[label].get("credentialStatus", [])
        entries = entries if isinstance(entries, list) else [entries]
        assert len(result["status"]) == len(entries), label
        for entry in result["status"]:
            assert entry["verified"] and entry["value"] is not None, (label, entry)


# -- it can fail --------------------------------------------------------------------------------


def reverify(served: Served, credential: dict[str, Any], **documents: Any) -> dict[str, Any]:
    report = verify([credential], {**served.documents, **documents}, served.now)
    return report["credentials"][0]  # type: ignore[no-any-return]


def test_a_tampered_credential_fails_every_proof(served: Served):
    tampered = copy.deepcopy(served.credentials["certificate-valid-full"])
    tampered["credentialSubject"]["name"] = "王二"
    result = reverify(served, tampered)
    assert not result["verified"]
    assert result["proofs"] and not any(p["verified"] for p in result["proofs"]), result


def test_a_proof_of_an_unknown_cryptosuite_fails(served: Served):
    altered = copy.deepcopy(served.credentials["certificate-valid-public"])
    for proof in proofs_of(altered):
        proof["cryptosuite"] = "eddsa-made-up-2099"
    result = reverify(served, altered)
    assert not result["verified"]
    assert not any(p["verified"] for p in result["proofs"]), result


def test_a_tampered_status_list_fails_its_entries(served: Served):
    credential = served.credentials["certificate-valid-full"]
    first = credential["credentialStatus"]
    url = (first[0] if isinstance(first, list) else first)["statusListCredential"]
    tampered = copy.deepcopy(served.documents[url])
    tampered["validUntil"] = "2099-01-01T00:00:00Z"
    result = reverify(served, credential, **{url: tampered})
    assert not result["verified"]
    failed = [e for e in result["status"] if e["statusListCredential"] == url]
    assert failed and not any(e["verified"] for e in failed), result["status"]


def test_a_document_not_given_is_refused_not_fetched(served: Served):
    """Offline: without the issuer's controller document the key cannot be found, and the
    loader refuses its URL instead of fetching it."""
    credential = served.credentials["post"]
    issuer = credential["issuer"]["id"]
    documents = {url: d for url, d in served.documents.items() if url != issuer}
    report = verify([credential], documents, served.now)
    assert not report["credentials"][0]["verified"]
    assert {url.split("#")[0] for url in report["refused"]} == {issuer}, report["refused"]


# -- the contexts -------------------------------------------------------------------------------


def test_our_pinned_contexts_are_the_independent_implementations():
    """Our shipped copies of the VC 2.0 and OB 3.0.3 contexts are the very contexts the npm
    packages pinned in package-lock.json give the independent verifier."""
    theirs = run_node("--contexts")
    assert theirs[VC2_CONTEXT_URL] == json.loads(context_bytes("credentials-v2.jsonld"))
    assert theirs[OB3_CONTEXT_URL] == json.loads(context_bytes("ob-context-3.0.3.jsonld"))


# -- the other direction: what Digital Bazaar signs, our verifier checks ------------------------


@pytest.fixture(scope="module")
def signed_by_them(served: Served) -> dict[str, Any]:
    """The valid certificate's credential without our proofs, secured by Digital Bazaar's suites
    (a proof set: eddsa-jcs-2022, then eddsa-rdfc-2022) with a did:key of a fixed seed."""
    unsigned = copy.deepcopy(served.credentials["certificate-valid-full"])
    del unsigned["proof"]
    bundle = {
        "credential": unsigned,
        "seed": "5a" * 32,
        "created": served.now[:19] + "Z",
        "documents": served.documents,
    }
    return run_node("--sign", stdin=json.dumps(bundle, ensure_ascii=False))  # type: ignore[no-any-return]


def their_key(method: str) -> Ed25519PublicKey:
    """The key a did:key names, derived by our own did:key code."""
    return decode_public_key(did_key_public_multibase(method))


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_our_verifier_verifies_each_proof_they_made(
    signed_by_them: dict[str, Any], cryptosuite: str
):
    assert [p["cryptosuite"] for p in proofs_of(signed_by_them)] == list(CRYPTOSUITES)
    result = verify_proof(signed_by_them, their_key)
    [outcome] = [o for o in result.proofs if o.proof["cryptosuite"] == cryptosuite]
    assert outcome.status == "verified", outcome.reason


def test_our_verifier_refuses_what_they_signed_once_tampered(signed_by_them: dict[str, Any]):
    tampered = copy.deepcopy(signed_by_them)
    tampered["credentialSubject"]["name"] = "王二"
    result = verify_proof(tampered, their_key)
    assert not result.verified
    assert not any(o.status == "verified" for o in result.proofs), result.proofs
