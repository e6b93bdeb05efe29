"""A read replica (``CRAFTLEDGER_READ_REPLICA=1``) writes nothing, on GET either: a PDF whose
issuer has no document-signing key yet would make and publish one (an event and a stored
private key), which a hot standby cannot take. The replica sends that first PDF to the primary
(503 ``read-only-replica``) and serves PDFs once the primary has published the key.

The replica app here runs over the primary's own (writable) schema, so a write it should not
make shows as a moved log position instead of a standby's error."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from service.app import create_app
from service.ledger import Ledger
from tests.support.api_world import World, running_world


@pytest.fixture
def primary(tmp_path: Path) -> Iterator[World]:
    with running_world("postgres", tmp_path / "data") as world:
        yield world


@pytest.fixture
def replica(primary: World) -> Iterator[Flask]:
    settings = dataclasses.replace(primary.ledger.settings, read_replica=True)
    ledger = Ledger(settings)
    app = create_app(
        {"TESTING": True, "READ_WAIT_SECONDS": 5.0, "VERIFY_RATE_LIMIT": "10000 per minute"},
        ledger=ledger,
    )
    try:
        yield app
    finally:
        app.extensions["craftledger"].close()
        ledger.close()


def test_a_pdf_on_the_replica_makes_no_signing_key(primary: World, replica: Flask) -> None:
    number = primary.fresh_certificate()
    before = primary.ledger.log_position
    headers = primary.headers("admin")
    first = replica.test_client().get(f"/api/v1/certificates/{number}/pdf", headers=headers)
    assert first.status_code == 503, first.get_data(as_text=True)
    assert first.get_json()["type"] == "urn:craftledger:problem:read-only-replica"
    assert primary.ledger.log_position == before  # nothing recorded from the replica

    made = primary.call("GET", f"/api/v1/certificates/{number}/pdf", "admin")
    assert made.status_code == 200 and primary.ledger.log_position > before
    after = primary.ledger.log_position
    served = replica.test_client().get(f"/api/v1/certificates/{number}/pdf", headers=headers)
    assert served.status_code == 200 and served.mimetype == "application/pdf"
    assert primary.ledger.log_position == after


def test_a_verification_with_an_idempotency_key_claims_nothing_on_the_replica(
    primary: World, replica: Flask
) -> None:
    """``POST /api/v1/verify`` is a read the replica serves (``READS``); a client that sends
    ``Idempotency-Key`` with every POST would make the replica claim the key in the idempotency
    table (an INSERT a hot standby refuses: 500). A verification has nothing to replay: the
    replica runs it as any read, however the key is reused."""
    worker = primary.fresh_worker(primary.ids["org_a"], name="陈十")
    body = {
        "number": primary.fresh_certificate(worker=worker),
        "name": "陈十",
        "id_number": primary.id_numbers[worker].reveal(),
    }
    client = replica.test_client()
    headers = {"Idempotency-Key": "verify-once"}
    first = client.post("/api/v1/verify", json=body, headers=headers)
    assert first.status_code == 200, first.get_data(as_text=True)
    assert first.get_json()["result"] == "valid"
    other = client.post("/api/v1/verify", json={**body, "name": "陈九"}, headers=headers)
    assert other.status_code != 422, other.get_data(as_text=True)  # no key was kept
    assert "Idempotent-Replayed" not in first.headers
