"""Keys as API and CLI: list, rotate, mark compromised -- and what a compromise does to credentials
already handed out (they fail verification; a fresh fetch is re-signed by the new key)."""

from __future__ import annotations

import json
from datetime import timedelta
from uuid import uuid4

from click.testing import CliRunner, Result
from flask.testing import FlaskClient

from domain.api_token import Role
from service.cli import main
from service.credentials.keys import whole_seconds
from service.ledger import Ledger
from service.signing.data_integrity import proofs_of
from tests.evaluation.test_cascade_and_posts import REVIEWS
from tests.factories import ELECTRICIAN, Issued, issue_to_new_worker
from tests.factories.tokens import bearer, grant
from tests.support.clocks import SteppingClock
from tests.support.stores import cli_env_of


def admin(ledger: Ledger) -> dict[str, str]:
    return bearer(grant(ledger, Role.ADMIN)[1])


def credential(client: FlaskClient, number: str) -> dict:
    answer = client.get(f"/api/v1/certificates/{number}/credential")
    assert answer.status_code == 200
    return json.loads(answer.data)


def verified(client: FlaskClient, document: dict) -> tuple[bool, dict[str, str]]:
    answer = client.post("/credentials/verify", json={"verifiableCredential": document})
    assert answer.status_code == 200
    return answer.json["verified"], {c["check"]: c["status"] for c in answer.json["checks"]}


def signer(document: dict) -> set[str]:
    return {proof["verificationMethod"].rsplit("#", 1)[1] for proof in proofs_of(document)}


def test_a_compromise_fails_copies_signed_after_it_and_the_next_fetch_is_re_signed(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    headers = admin(ledger)
    old_key = ledger.organisation(issued.body_id).current_key_id
    before = credential(client, issued.number)
    compromised_at = ledger.clock()
    late = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    later = issue_to_new_worker(ledger, issued.body_id, 3, "王五")
    ledger.posts.appoint_post(
        worker_id=late.worker_id,
        post="apprentice",
        reviews=REVIEWS,
        organisation_id=issued.body_id,
        occupation_code=ELECTRICIAN,
        actor="test",
    )
    leaked = credential(client, late.number)
    assert signer(leaked) == {old_key} and verified(client, leaked)[0]

    answer = client.post(
        f"/api/v1/organisations/{issued.body_id}/keys/{old_key}/compromise",
        json={"compromised_at": compromised_at.isoformat(), "reason": "key file on a share"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["key_id"] == old_key
    # late, later and the post; not the certificate from before
    assert answer.json["affected_credentials"] == 3
    assert answer.json["keys"][0]["affected_by_kind"] == {"certificates": 2, "posts": 1}
    new_key = answer.json["current_key_id"]
    assert f"re-signed by key {new_key}" in answer.json["explanation"]
    assert new_key not in (None, old_key)
    states = {key["key_id"]: key["state"] for key in answer.json["keys"]}
    assert states == {old_key: "compromised", new_key: "current"}

    ok, checks = verified(client, leaked)
    assert not ok and checks["key_valid_at_created"] == "failed"
    resigned = credential(client, late.number)
    assert signer(resigned) == {new_key} and verified(client, resigned)[0]
    assert verified(client, credential(client, later.number))[0]
    assert signer(credential(client, issued.number)) == {old_key}  # from before the compromise
    assert credential(client, issued.number) == before and verified(client, before)[0]

    listed = client.get(f"/api/v1/organisations/{issued.body_id}/keys", headers=headers)
    assert listed.status_code == 200
    assert [key["affected_credentials"] for key in listed.json["keys"]] == [3, None]


def test_a_rotation_answers_the_keys_and_leaves_earlier_credentials_verifying(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    old_key = ledger.organisation(issued.body_id).current_key_id
    before = credential(client, issued.number)
    position = ledger.log_position
    answer = client.post(
        f"/api/v1/organisations/{issued.body_id}/keys/rotate", json={}, headers=admin(ledger)
    )
    assert answer.status_code == 200, answer.json
    assert int(answer.headers["X-Log-Position"]) > position
    assert answer.json["key_id"] == old_key and answer.json["affected_credentials"] == 0
    assert [key["state"] for key in answer.json["keys"]] == ["retired", "current"]
    assert "still verify" in answer.json["explanation"]
    assert verified(client, before)[0]
    later = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    assert signer(credential(client, later.number)) == {answer.json["current_key_id"]}


def test_listing_keys_writes_nothing(ledger: Ledger, client: FlaskClient, issued: Issued):
    headers = admin(ledger)
    position = ledger.log_position
    listed = client.get(f"/api/v1/organisations/{issued.body_id}/keys", headers=headers)
    assert listed.status_code == 200
    assert listed.json["current_key_id"] == ledger.organisation(issued.body_id).current_key_id
    assert ledger.log_position == position


def test_bad_compromises_are_problems_naming_the_field(
    ledger: Ledger, client: FlaskClient, issued: Issued
):
    headers = admin(ledger)
    key = next(iter(ledger.organisation(issued.body_id).signing_keys.values()))
    url = f"/api/v1/organisations/{issued.body_id}/keys/{key['key_id']}/compromise"

    def refused(body: dict, status: int = 422, key_url: str = url) -> dict:
        answer = client.post(key_url, json=body, headers=headers)
        assert answer.status_code == status, answer.json
        assert answer.mimetype == "application/problem+json"
        return answer.json

    def pointers(problem: dict) -> list[str]:
        return [error.get("pointer") for error in problem["errors"]]

    future = (ledger.clock() + timedelta(days=1)).isoformat()
    assert pointers(refused({"compromised_at": future, "reason": "r"})) == ["/compromised_at"]
    too_early = (key["valid_from"] - timedelta(seconds=1)).isoformat()
    problem = refused({"compromised_at": too_early, "reason": "r"})
    assert (
        pointers(problem) == ["/compromised_at"] and "before key" in problem["errors"][0]["detail"]
    )
    assert "/compromised_at" in pointers(
        refused({"compromised_at": "2025-03-01T08:00", "reason": "r"})
    )
    assert "/reason" in pointers(refused({"compromised_at": key["valid_from"].isoformat()}))
    unknown = refused(
        {"compromised_at": key["valid_from"].isoformat(), "reason": "r"},
        404,
        f"/api/v1/organisations/{issued.body_id}/keys/{uuid4().hex}/compromise",
    )
    assert "key_id" in unknown["detail"]
    at = key["valid_from"].isoformat()
    assert (
        client.post(url, json={"compromised_at": at, "reason": "r"}, headers=headers).status_code
        == 200
    )
    again = refused({"compromised_at": at, "reason": "again"})
    assert again["rule"] == "key-already-compromised" and again["key_id"] == key["key_id"]


def keys_cli(ledger: Ledger, *args: str) -> Result:
    return CliRunner().invoke(main, ["keys", *args], env=cli_env_of(ledger), catch_exceptions=False)


def test_the_cli_lists_rotates_and_marks_a_key_compromised_with_the_count(
    ledger: Ledger, issued: Issued
):
    org = str(issued.body_id)
    first = ledger.organisation(issued.body_id).current_key_id
    compromised_at = ledger.clock()
    issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    assert "behind the log" in keys_cli(ledger, "list", org).stderr
    assert (
        CliRunner().invoke(main, ["projections", "run", "--once"], env=cli_env_of(ledger)).exit_code
        == 0
    )

    listed = keys_cli(ledger, "list", org)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines()[0].split("\t")[:2] == [first, "current"]

    rotated = keys_cli(ledger, "rotate", org)
    assert rotated.exit_code == 0, rotated.output
    assert "affected credentials: 0" in rotated.stdout and "still verify" in rotated.stdout
    assert [line.split("\t")[1] for line in rotated.stdout.splitlines()[:2]] == [
        "retired",
        "current",
    ]

    marked = keys_cli(
        ledger, "compromise", org, first, "--at", compromised_at.isoformat(), "--reason", "stolen"
    )
    assert marked.exit_code == 0, marked.output
    assert "affected credentials: 1" in marked.stdout
    assert "note:" not in rotated.stderr + listed.stderr  # caught up (the rotation came after)
    second = rotated.stdout.splitlines()[1].split("\t")[0]
    assert f"re-signed by key {second}" in marked.stdout  # the retired key's successor
    lines = [line.split("\t") for line in marked.stdout.splitlines()[:2]]
    assert [(cells[0], cells[1]) for cells in lines] == [
        (first, "compromised"),
        (second, "current"),
    ]
    assert "no longer verify" in marked.stdout
    again = keys_cli(
        ledger, "compromise", org, first, "--at", compromised_at.isoformat(), "--reason", "x"
    )
    assert again.exit_code == 1 and "key-already-compromised" in again.stderr
    naive = keys_cli(ledger, "compromise", org, first, "--at", "2025-03-01T08:00", "--reason", "x")
    assert naive.exit_code == 1 and "compromised_at" in naive.stderr


def test_the_count_works_to_the_second_as_proofs_and_the_published_revocation_do(
    ledger: Ledger, client: FlaskClient, issued: Issued, clock: SteppingClock
):
    """A certificate issued earlier in the same second as the compromise is signed ``created``
    at that whole second, which the published ``revoked`` (whole seconds) no longer allows."""
    clock.step = timedelta(milliseconds=1)
    second = whole_seconds(clock.now) + timedelta(seconds=10)
    clock.now = second
    old_key = ledger.organisation(issued.body_id).current_key_id
    late = issue_to_new_worker(ledger, issued.body_id, 2, "李四")
    leaked = credential(client, late.number)
    clock.now = second + timedelta(seconds=1)
    answer = client.post(
        f"/api/v1/organisations/{issued.body_id}/keys/{old_key}/compromise",
        json={
            "compromised_at": (second + timedelta(milliseconds=900)).isoformat(),
            "reason": "泄露",
        },
        headers=admin(ledger),
    )
    assert answer.status_code == 200, answer.json
    assert answer.json["affected_credentials"] == 1
    assert verified(client, leaked)[1]["key_valid_at_created"] == "failed"
