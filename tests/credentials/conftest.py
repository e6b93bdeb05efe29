"""Shared helpers for the credential tests: an issued certificate, an app, secret forms."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from flask.testing import FlaskClient

from domain.skill_level import SkillLevel
from service.ledger import Ledger
from service.signing.multikey import encode_private_key
from tests.factories import ELECTRICIAN, file_employer, hire, id_number


@dataclass
class Issued:
    """A filed body, its worker and the certificate it issued."""

    body_id: UUID
    worker_id: UUID
    number: str
    serial: int


def issue(
    ledger: Ledger,
    body_id: UUID,
    worker_id: UUID,
    level: SkillLevel = SkillLevel.LEVEL_5,
    basis: dict[str, Any] | None = None,
) -> str:
    return ledger.issue_certificate(  # type: ignore[no-any-return]
        issuer_id=body_id,
        worker_id=worker_id,
        occupation_code=ELECTRICIAN,
        level=level,
        basis=basis or {"kind": "evaluation", "reference": "EV-2025-01"},
        actor="test:issuer",
    ).aggregate.number


def issue_to_new_worker(ledger: Ledger, body_id: UUID, serial: int, name: str = "张三") -> Issued:
    from tests.factories import Body

    worker_id = hire(ledger, Body(body_id, ""), serial, name)
    return Issued(body_id, worker_id, issue(ledger, body_id, worker_id), serial)


@pytest.fixture
def issued(ledger: Ledger) -> Issued:
    body = file_employer(ledger)
    return issue_to_new_worker(ledger, body.id, 1)


@pytest.fixture
def client(ledger: Ledger) -> Iterator[FlaskClient]:
    """The HTTP API over the test's ledger (no projection thread: the client does the
    background's work before each request)."""
    from service.app import create_app
    from tests.conftest import CaughtUpClient

    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    app.test_client_class = CaughtUpClient
    try:
        yield app.test_client()
    finally:
        app.extensions["craftledger"].close()


def secret_forms(private_key: Ed25519PrivateKey) -> list[bytes]:
    """Every way the private key could plausibly be written down."""
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return [
        seed,
        seed.hex().encode(),
        seed.hex().upper().encode(),
        base64.b64encode(seed),
        base64.b64encode(seed).rstrip(b"="),
        base64.urlsafe_b64encode(seed).rstrip(b"="),
        base58.b58encode(seed),
        encode_private_key(private_key).encode(),
    ]


def private_keys_of(ledger: Ledger, organisation_id: UUID) -> list[Ed25519PrivateKey]:
    organisation = ledger.organisation(organisation_id)
    return [
        ledger.key_store.private_key(str(organisation_id), key_id)
        for key_id in organisation.signing_keys
    ]


def raw_id(serial: int) -> str:
    return id_number(serial).reveal()
