"""No ceiling per issuer: when an issuer's status list is 3/4 full its next list opens, with its
own URL, served, signed and cached like the first; credentials point at the list their entries
were allocated in, and status changes flip bits there only.

The issuer's lists are shrunk to 16 drawn entries (``status_lists.list_size``) so a few
certificates fill one; the lists served keep their 131,072 entries."""

from __future__ import annotations

import json
from collections.abc import Callable
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from domain.status_list_allocation import StatusListDirectory, full_at
from service.ledger import Ledger
from service.signing.credential_verifier import status_list_file_resolver, verify_credential
from service.signing.status_list import MIN_LENGTH, Bitstring
from tests.factories import ELECTRICIAN, Issued, file_employer, issue_to_new_worker

SMALL = 16


@pytest.fixture
def issued_past_the_first_list(ledger: Ledger) -> list[Issued]:
    """Certificates of one issuer, issued one at a time until one lies in list 2."""
    ledger.credentials.status_lists.list_size = SMALL
    body = file_employer(ledger)
    issued: list[Issued] = []
    for serial in range(1, SMALL + 2):
        issued.append(issue_to_new_worker(ledger, body.id, serial))
        if list_of(ledger, issued[-1]) == 2:
            return issued
    raise AssertionError("no certificate reached list 2")


def list_of(ledger: Ledger, issued: Issued) -> int:
    allocation = ledger.credentials.allocation_of(issued.body_id, issued.number)
    assert allocation is not None
    return allocation.list_number


def index_of(ledger: Ledger, issued: Issued) -> int:
    allocation = ledger.credentials.allocation_of(issued.body_id, issued.number)
    assert allocation is not None
    return allocation.index("revocation")


def lists_url(issued: Issued, purpose: str = "message") -> str:
    return f"/api/v1/status-lists/{issued.body_id}/{purpose}"


def values(document: dict, size: int = 2) -> Callable[[int], int]:
    bits = Bitstring.decode(document["credentialSubject"]["encodedList"])
    assert len(bits) // size >= MIN_LENGTH
    return lambda index: bits.get_value(index, size)


def signed_by_issuer(ledger: Ledger, issued: Issued, document: dict) -> bool:
    controller = ledger.credentials.controller_document(issued.body_id)
    report = verify_credential(
        document, controller_resolver=lambda _id: controller, now=ledger.clock()
    )
    return report.verified and report.get("signature").status == "passed"


def test_the_next_list_opens_when_the_first_is_three_quarters_full(
    ledger: Ledger, issued_past_the_first_list: list[Issued]
):
    *first, second = issued_past_the_first_list
    assert [list_of(ledger, i) for i in first] == [1] * len(first)
    assert full_at(SMALL) == 12 <= len(first) <= SMALL  # list 1 was full when list 2 opened
    assert ledger.credentials.status_lists.list_count(second.body_id) == 2
    directory = ledger.credentials.status_lists.directory(second.body_id)
    assert directory is not None and directory.opened[2]["taken_before"] == len(first)
    in_first = {index_of(ledger, i) for i in first}
    assert len(in_first) == len(first) and all(0 <= i < SMALL for i in in_first)


def test_both_lists_are_served_signed_and_cached_and_the_credential_points_at_its_own(
    ledger: Ledger, client: FlaskClient, issued_past_the_first_list: list[Issued]
):
    *first, second = issued_past_the_first_list
    for purpose in ("message", "revocation", "suspension"):
        for url in (lists_url(second, purpose), lists_url(second, purpose) + "/2"):
            answer = client.get(url)
            assert answer.status_code == 200, url
            assert answer.json["id"] == "http://127.0.0.1:8000" + url
            assert answer.json["credentialSubject"]["statusPurpose"] == purpose
            assert answer.headers["Cache-Control"] == "public, max-age=300"
            again = client.get(url, headers={"If-None-Match": answer.headers["ETag"]})
            assert again.status_code == 304
            assert signed_by_issuer(ledger, second, answer.json), url
    assert client.get(lists_url(second)).data != client.get(lists_url(second) + "/2").data
    for missing in ("/3", "/1", "/0", "/x"):
        assert client.get(lists_url(second) + missing).status_code == 404, missing

    status = client.get(f"/api/v1/certificates/{second.number}/credential").json["credentialStatus"]
    assert status["statusListCredential"] == (
        f"http://127.0.0.1:8000/api/v1/status-lists/{second.body_id}/message/2"
    )
    assert status["id"] == status["statusListCredential"] + f"#{index_of(ledger, second)}"
    earlier = client.get(f"/api/v1/certificates/{first[0].number}/credential").json
    assert earlier["credentialStatus"]["statusListCredential"].endswith(
        f"/status-lists/{second.body_id}/message"
    )
    for issued in (first[0], second):
        credential = client.get(f"/api/v1/certificates/{issued.number}/credential").json
        answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
        assert answer.json["verified"] is True, answer.json


def test_revoking_in_the_second_list_flips_its_bit_there_and_not_in_the_first(
    ledger: Ledger, client: FlaskClient, issued_past_the_first_list: list[Issued]
):
    *first, second = issued_past_the_first_list
    credential = client.get(f"/api/v1/certificates/{second.number}/credential").json
    index = index_of(ledger, second)
    before = {url: client.get(url) for url in (lists_url(second), lists_url(second) + "/2")}
    ledger.certificates.change_certificate_status(second.number, "revoke", actor="t", reason="作弊")

    first_list, second_list = (client.get(url) for url in before)
    assert values(second_list.json)(index) == 2  # revoked, in list 2
    assert values(first_list.json)(index) == 0  # the same index in list 1: untouched
    assert first_list.data == before[lists_url(second)].data  # list 1 unchanged, same ETag
    assert second_list.headers["ETag"] != before[lists_url(second) + "/2"].headers["ETag"]
    revocations = client.get(lists_url(second, "revocation") + "/2").json
    assert values(revocations, 1)(index) == 1
    assert values(client.get(lists_url(second, "revocation")).json, 1)(index) == 0

    answer = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert answer.json["verified"] is False
    status = next(c for c in answer.json["checks"] if c["check"] == "status")
    assert status["status"] == "failed" and status["statuses"][0]["result"] == "revoked"
    still = client.get(f"/api/v1/certificates/{first[0].number}/credential").json
    assert client.post("/credentials/verify", json={"verifiableCredential": still}).json["verified"]

    ledger.certificates.change_certificate_status(
        first[1].number, "suspend", actor="t", reason="抽查"
    )
    assert values(client.get(lists_url(second)).json)(index_of(ledger, first[1])) == 1
    elsewhere = values(client.get(lists_url(second) + "/2").json)(index_of(ledger, first[1]))
    assert elsewhere == (2 if index_of(ledger, first[1]) == index else 0)


def test_offline_verification_follows_the_url_to_the_file_of_the_second_list(
    ledger: Ledger, client: FlaskClient, issued_past_the_first_list: list[Issued], tmp_path
):
    *_, second = issued_past_the_first_list
    files = []
    for url in (lists_url(second), lists_url(second) + "/2"):
        files.append(tmp_path / f"list-{len(files) + 1}.json")
        files[-1].write_bytes(client.get(url).data)
    credential = ledger.credentials.certificate_credential(second.number)
    controller = ledger.credentials.controller_document(second.body_id)
    report = verify_credential(
        credential,
        controller_resolver=lambda _id: controller,
        status_list_resolver=status_list_file_resolver(*files),
        now=ledger.clock(),
    )
    assert report.verified and report.get("status").status == "passed"
    only_first = verify_credential(
        credential,
        controller_resolver=lambda _id: controller,
        status_list_resolver=status_list_file_resolver(files[0]),
        now=ledger.clock(),
    )
    assert only_first.get("status").status != "passed"  # list 1 is not the list it names


def test_numbered_lists_survive_a_reopen_byte_for_byte(
    make_ledger: Callable[..., Ledger], clock, issued_past_the_first_list: list[Issued], ledger
):
    *first, second = issued_past_the_first_list
    documents = {
        i.number: json.dumps(ledger.credentials.certificate_credential(i.number))
        for i in (first[0], second)
    }
    listed = ledger.credentials.status_list_credential(second.body_id, "message", 2).document
    reopened = make_ledger(clock=clock)
    assert reopened.credentials.status_lists.list_count(second.body_id) == 2
    for number, document in documents.items():
        assert json.dumps(reopened.credentials.certificate_credential(number)) == document
    again = reopened.credentials.status_list_credential(second.body_id, "message", 2).document
    assert again["credentialSubject"] == listed["credentialSubject"]


REVIEWS = [
    {"review": "performance", "evidence": "2023-2024 业绩考核 优秀"},
    {"review": "defence", "evidence": "现场答辩记录 2024-11-02"},
    {"review": "comprehensive", "evidence": "综合评审委员会决议 2024-11"},
]


def test_a_post_appointed_after_the_first_list_filled_names_and_flips_the_next(
    ledger: Ledger, client: FlaskClient, issued_past_the_first_list: list[Issued]
):
    """Post (评聘) credentials are allocated like certificates' and withdrawn in their list."""
    *_, second = issued_past_the_first_list
    appointed = ledger.posts.appoint_post(
        organisation_id=second.body_id,
        worker_id=second.worker_id,
        occupation_code=ELECTRICIAN,
        post="apprentice",
        reviews=REVIEWS,
        actor="test",
    ).aggregate
    allocation = ledger.credentials.allocation_of(second.body_id, f"post:{appointed.id}")
    assert allocation is not None and allocation.list_number == 2
    credential = ledger.posts.post_credential(appointed.id)
    assert credential["credentialStatus"]["statusListCredential"].endswith("/message/2")
    assert client.post("/credentials/verify", json={"verifiableCredential": credential}).json[
        "verified"
    ]
    index = allocation.index("revocation")
    ledger.posts.withdraw_post(appointed.id, actor="test", reason="聘期届满")
    assert values(client.get(lists_url(second) + "/2").json)(index) == 2
    assert values(client.get(lists_url(second)).json)(index) == 0
    withdrawn = client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert withdrawn.json["verified"] is False


def fill_first_list(ledger: Ledger, issuer_id) -> None:
    """Take every drawn entry of the issuer's (shrunk) list 1, in order."""

    class InOrder:
        def __init__(self) -> None:
            self.next = -1

        def randrange(self, stop: int) -> int:
            self.next += 1
            return self.next % stop

    status_lists = ledger.credentials.status_lists
    status_lists.list_size = SMALL
    full = status_lists.allocate_status_list_entries(
        issuer_id, [f"s-{n}" for n in range(SMALL)], at=ledger.clock(), actor="t", rng=InOrder()
    )
    ledger.save(*full.aggregates)


def test_two_commands_opening_the_same_next_list_conflict_and_one_is_retried(ledger: Ledger):
    """Both see list 1 full and open list 2: the second save is refused (the directory, and the
    new blocks, were created meanwhile), so a list opens once and no entry is given twice."""
    from eventsourcing.persistence import IntegrityError

    status_lists = ledger.credentials.status_lists
    body = file_employer(ledger)
    fill_first_list(ledger, body.id)
    one, two = (
        status_lists.allocate_status_list_entries(body.id, [subject], at=ledger.clock(), actor="t")
        for subject in ("a", "b")
    )
    assert one.positions["a"].list_number == two.positions["b"].list_number == 2
    ledger.save(*one.aggregates)
    with pytest.raises(IntegrityError):
        ledger.save(*two.aggregates)
    again = status_lists.allocate_status_list_entries(body.id, ["b"], at=ledger.clock(), actor="t")
    assert again.positions["b"].list_number == 2
    assert again.positions["b"] != one.positions["a"]
    assert not any(isinstance(a, StatusListDirectory) for a in again.aggregates)  # opened
    ledger.save(*again.aggregates)
    directory = status_lists.directory(body.id)
    assert directory is not None and directory.current == 2 and list(directory.opened) == [2]
    assert directory.opened[2]["taken_before"] == SMALL


def test_awards_finalised_once_the_first_list_filled_are_in_the_next(ledger: Ledger):
    from tests.competition.arena import build_arena, descending

    arena = build_arena(ledger)
    fill_first_list(ledger, arena.union)
    competition = arena.announce(rule_set=None)
    field = arena.ranked_field(4)
    finalised = arena.run(competition, descending(field))
    assert len(finalised.awards()) == 3  # gold, silver, bronze
    for result in finalised.awards():
        credential = ledger.competitions.award_credential(competition, UUID(result["worker_id"]))
        status = credential["credentialStatus"]
        assert status["statusListCredential"] == (
            f"http://127.0.0.1:8000/api/v1/status-lists/{arena.union}/message/2"
        )
        controller = ledger.credentials.controller_document(arena.union)
        document = ledger.credentials.status_list_credential(arena.union, "message", 2).document
        report = verify_credential(
            credential,
            controller_resolver=lambda _id, c=controller: c,
            status_list_resolver=lambda _url, d=document: d,
            now=ledger.clock(),
        )
        assert report.get("status").status == "passed", report.to_dict()
