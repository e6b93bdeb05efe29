"""Reads from a real PostgreSQL streaming replica (issue 22: the path past one machine).

The primary (127.0.0.1:5432) runs the app that records and keeps the read models; a hot standby
made by ``pg_basebackup`` follows it by streaming replication; a second app on the standby
(``read_replica``) serves the certificate summary, credential, status list and the
verification checks from the replicated events and read models, refuses commands with 503
``read-only-replica``, and reads a client's own write once it sends the command's
``X-Log-Position`` as ``X-Wait-For-Position``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from service.app import create_app
from service.ledger import Ledger
from tests.support.api_world import World, running_world
from tests.support.standby import standby

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def standby_url() -> Iterator[str]:
    with standby() as url:
        yield url


@pytest.fixture
def primary(tmp_path: Path) -> Iterator[World]:
    with running_world("postgres", tmp_path / "data") as world:
        yield world


@pytest.fixture
def replica(primary: World, standby_url: str) -> Iterator[Flask]:
    settings = dataclasses.replace(
        primary.ledger.settings, database_url=standby_url, read_replica=True
    )
    ledger = Ledger(settings)
    app = create_app({"TESTING": True, "READ_WAIT_SECONDS": 20.0}, ledger=ledger)
    try:
        yield app
    finally:
        app.extensions["craftledger"].close()
        ledger.close()


def settled(world: World) -> int:
    """The primary's log position once its read models have applied it."""
    shared = world.app.extensions["craftledger"]
    position = shared.ledger.log_position
    assert shared.runner.wait_for(position, timeout=30.0)
    return int(position)


def on_replica(replica: Flask, position: int, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"X-Wait-For-Position": str(position), **kwargs.pop("headers", {})}
    return replica.test_client().open(path, method=method, headers=headers, **kwargs)


def test_the_replica_serves_what_the_primary_recorded(primary: World, replica: Flask):
    number = primary.ids["certificate"]
    position = settled(primary)
    # a list read waits for replication to bring the read model to the primary's position
    listed = on_replica(replica, position, "GET", "/api/v1/organisations?limit=100")
    assert listed.status_code == 200, listed.text
    summary = replica.test_client().get(f"/api/v1/certificates/{number}")
    assert summary.status_code == 200, summary.text
    assert summary.get_json() == primary.client.get(f"/api/v1/certificates/{number}").get_json()

    credential = replica.test_client().get(f"/api/v1/certificates/{number}/credential")
    assert credential.status_code == 200
    checked = replica.test_client().post(
        "/credentials/verify", json={"verifiableCredential": credential.get_json()}
    )
    assert checked.status_code == 200, checked.text
    assert checked.get_json()["verified"] is True, checked.get_json()
    page = replica.test_client().get(f"/c/{number}")
    assert page.status_code == 200 and number in page.text


def test_the_replica_refuses_commands_and_records_nothing(primary: World, replica: Flask):
    position = settled(primary)
    refused = replica.test_client().post(
        "/api/v1/organisations",
        json={"filing_code": "R-1", "name": "副本", "kind": "union", "province_code": "11"},
        headers=primary.headers("admin"),
    )
    assert refused.status_code == 503
    assert refused.get_json()["type"] == "urn:craftledger:problem:read-only-replica"
    assert primary.ledger.log_position == position


def test_read_your_writes_through_the_replica(primary: World, replica: Flask):
    settled(primary)
    recorded = primary.call(
        "POST",
        "/api/v1/organisations",
        json={
            "filing_code": "RYW-1",
            "name": "副本读己之写公司",
            "kind": "union",
            "province_code": "11",
        },
    )
    assert recorded.status_code == 201, recorded.text
    position = int(recorded.headers["X-Log-Position"])
    listed = on_replica(
        replica,
        position,
        "GET",
        "/api/v1/organisations?limit=100",
        headers=primary.headers("admin"),
    )
    assert listed.status_code == 200, listed.text
    assert "副本读己之写公司" in [item["name"] for item in listed.get_json()["items"]]
