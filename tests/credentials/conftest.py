"""The credential tests' fixtures: a certificate issued to a new worker, and the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from service.app import create_app
from service.ledger import Ledger
from tests.factories.certificates import Issued, issue_to_new_worker
from tests.factories.organisations import file_employer
from tests.support.clients import CaughtUpClient


@pytest.fixture
def issued(ledger: Ledger) -> Issued:
    body = file_employer(ledger)
    return issue_to_new_worker(ledger, body.id, 1)


@pytest.fixture
def client(ledger: Ledger) -> Iterator[FlaskClient]:
    """The HTTP API over the test's ledger (no projection thread: the client does the
    background's work before each request)."""

    app = create_app({"TESTING": True, "RUN_PROJECTIONS": False}, ledger=ledger)
    app.test_client_class = CaughtUpClient
    try:
        yield app.test_client()
    finally:
        app.extensions["craftledger"].close()
