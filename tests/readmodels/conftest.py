"""An API over a real ledger whose clock (and event timestamps) the test moves, per backend.

``api`` (once on SQLite, once on PostgreSQL, fresh for every test) is ``create_app`` over a
``Ledger`` with a ``TravelClock``: commands record their times from it, and so do the events'
own timestamps (``eventsourcing.domain.datetime_now_with_tzinfo`` is pointed at it), so "as of
a date" builds see the dates the test chose. The clock only moves forward.

``ReadModelApi`` files bodies and workers straight through the ledger, and issues, suspends,
reinstates and revokes certificates through HTTP as an admin; reads go through the Flask test
client with the principal named (``public``, ``admin``, ``auditor``, or a token it made).
"""

from __future__ import annotations

import itertools
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import eventsourcing.domain
import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.api_token import Role
from domain.organisation import OrganisationKind
from service.app import create_app
from service.ledger import Ledger
from tests.api.conftest import id_number_for, store_for_backend

ELECTRICIAN = "6-31-01-03"
WELDER = "6-18-02-04"
ESTATE_AGENT = "4-08-06-01"  # in no city's catalogue here
ALL_LEVELS = ["5", "4", "3", "2", "1"]
LADDER_TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]

_serials = itertools.count(1)


class TravelClock:
    """Now, moving one second on every reading; ``travel_to`` jumps forward to a day."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now

    def travel_to(self, day: date, hour: int = 8) -> None:
        target = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
        assert target >= self.now, f"the clock only moves forward ({self.now} → {target})"
        self.now = target

    @property
    def today(self) -> date:
        return self.now.date()


@dataclass
class ReadModelApi:
    app: Flask
    client: FlaskClient
    ledger: Ledger
    clock: TravelClock
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)
    position: int = 0

    # -- requests ----------------------------------------------------------------------------

    def headers(self, principal: str) -> dict[str, str]:
        if principal == "public":
            return {}
        return {"Authorization": f"Bearer {self.tokens[principal]}"}

    def get(self, path: str, principal: str = "admin", **headers: str) -> Any:
        return self.client.get(path, headers={**self.headers(principal), **headers})

    def post(self, path: str, body: Any, principal: str = "admin") -> Any:
        answer = self.client.post(path, json=body, headers=self.headers(principal))
        if "X-Log-Position" in answer.headers:
            self.position = max(self.position, int(answer.headers["X-Log-Position"]))
        return answer

    def read(self, path: str, principal: str = "admin", **headers: str) -> Any:
        """GET waiting for the last command's position (read-your-writes); 200 expected."""
        position = max(self.position, self.ledger.log_position)
        answer = self.get(path, principal, **{"X-Wait-For-Position": str(position), **headers})
        assert answer.status_code == 200, (path, answer.status_code, answer.get_data(True))
        return answer.json

    # -- setup through the ledger -------------------------------------------------------------

    def token(
        self, role: Role, organisation: UUID | None = None, worker: UUID | None = None
    ) -> str:
        """A new token, registered under its own principal name (returned)."""
        name = f"{role.value}-{next(_serials)}"
        value = secrets.token_urlsafe(24)
        self.ledger.tokens.grant_token(
            token=value,
            role=role,
            organisation_id=organisation,
            worker_id=worker,
            label=name,
            actor="test",
        )
        self.tokens[name] = value
        return name

    def body(
        self,
        province: str,
        *,
        kind: OrganisationKind = OrganisationKind.EMPLOYER,
        scope: dict[str, list[str]] | None = None,
        name: str | None = None,
    ) -> UUID:
        n = next(_serials)
        letter = "Y" if kind is OrganisationKind.EMPLOYER else "S"
        recorded = self.ledger.organisations.file_organisation(
            filing_code=f"{province}-{letter}-{n}-{uuid.uuid4().hex[:6]}",
            name=name or f"{province}测试单位{n}",
            kind=kind,
            province_code=province,
            evaluator_prefix=f"{letter}{n % 10000:04d}{province}{n % 1000000:06d}",
            scope=scope or {ELECTRICIAN: ALL_LEVELS, WELDER: ALL_LEVELS, ESTATE_AGENT: ALL_LEVELS},
            actor="test",
        )
        return recorded.aggregate.id  # type: ignore[no-any-return]

    def union(self, province: str = "11") -> UUID:
        n = next(_serials)
        recorded = self.ledger.organisations.file_organisation(
            filing_code=f"{province}-U-{n}-{uuid.uuid4().hex[:6]}",
            name=f"测试工会{n}",
            kind=OrganisationKind.UNION,
            province_code=province,
            evaluator_prefix=None,
            scope={},
            actor="test",
        )
        return recorded.aggregate.id  # type: ignore[no-any-return]

    def worker(self, employer: UUID | None = None, name: str = "张三") -> UUID:
        id_number = id_number_for(next(_serials) + 20000)
        worker = self.ledger.workers.register_worker(id_number=id_number, name=name, actor="test")
        worker_id: UUID = worker.aggregate.id
        if employer is not None:
            self.ledger.workers.start_employment(
                worker_id, employer, since=date(2015, 1, 1), actor="t"
            )
        return worker_id

    def ladder(self, union: UUID, name: str | None = None) -> UUID:
        recorded = self.ledger.honours.define_honour_ladder(
            union_id=union, name=name or f"朝阳荣誉{next(_serials)}", tiers=LADDER_TIERS, actor="t"
        )
        return recorded.aggregate.id  # type: ignore[no-any-return]

    def district_competition(self, union: UUID, reference: str, entrants: list[UUID]) -> UUID:
        """A 2023 朝阳区 electrician competition (one practical component) with ``entrants``."""
        competition: UUID = self.ledger.competitions.announce_competition(
            organiser_id=union,
            reference=reference,
            name="朝阳区电工技术比武",
            tier="district",
            occupation_code=ELECTRICIAN,
            exam_level="3",
            year=2023,
            region="朝阳区",
            issuing_body_id=None,
            marking_scheme={
                "components": [{"name": "practical", "weight": "100", "kind": "measurement"}],
                "combination": "mean",
                "max_spread": "10",
            },
            actor="t",
        ).aggregate.id
        for worker in entrants:
            self.ledger.competitions.register_entrant(
                competition, worker_id=worker, entrant_kind="employee", actor="t"
            )
        return competition

    # -- certificates through HTTP ------------------------------------------------------------

    def issue(
        self,
        issuer: UUID,
        worker: UUID,
        level: str,
        occupation: str = ELECTRICIAN,
        *,
        bypass: bool = False,
        kind: str = "evaluation",
    ) -> str:
        basis: dict[str, Any] = {"kind": kind, "reference": f"REF-{next(_serials)}"}
        if bypass:
            basis.update(bypass="direct_recognition", evidence="行业领军人才直接认定")
        answer = self.post(
            "/api/v1/certificates",
            {
                "issuer_id": str(issuer),
                "worker_id": str(worker),
                "occupation_code": occupation,
                "level": level,
                "basis": basis,
            },
        )
        assert answer.status_code == 201, answer.get_data(True)
        return str(answer.json["number"])

    def change(self, number: str, action: str, reason: str = "核查") -> None:
        answer = self.post(f"/api/v1/certificates/{number}/{action}", {"reason": reason})
        assert answer.status_code == 200, answer.get_data(True)


@pytest.fixture(params=["sqlite", "postgres"])
def api(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ReadModelApi]:
    backend = str(request.param)
    clock = TravelClock(datetime(2023, 1, 2, 8, tzinfo=UTC))
    monkeypatch.setattr(eventsourcing.domain, "datetime_now_with_tzinfo", clock)
    with store_for_backend(backend, tmp_path / "data") as (settings, _schema):
        ledger = Ledger(settings, clock=clock)
        app = create_app({"TESTING": True, "READ_WAIT_SECONDS": 10.0}, ledger=ledger)
        world = ReadModelApi(app, app.test_client(), ledger, clock, backend)
        world.tokens["admin"] = secrets.token_urlsafe(24)
        world.tokens["auditor"] = secrets.token_urlsafe(24)
        for name, role in (("admin", Role.ADMIN), ("auditor", Role.AUDITOR)):
            ledger.tokens.grant_token(
                token=world.tokens[name],
                role=role,
                organisation_id=None,
                worker_id=None,
                label=name,
                actor="test",
            )
        try:
            yield world
        finally:
            app.extensions["craftledger"].close()
            ledger.close()
