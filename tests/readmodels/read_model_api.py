"""``ReadModelApi``: the read-model tests' app over a ledger whose clock the test moves.

It files bodies and workers straight through the ledger, and issues, suspends, reinstates and
revokes certificates through HTTP as an admin; reads go through the Flask test client with the
principal named (``public``, ``admin``, ``auditor``, or a token it made).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from domain.api_token import Role
from domain.organisation import OrganisationKind
from service.ledger import Ledger
from tests.factories.marking import PRACTICAL_ONLY, marking_scheme
from tests.factories.organisations import (
    ALL_LEVELS,
    ELECTRICIAN,
    ESTATE_AGENT,
    WELDER,
    numbered_body,
    numbered_union,
)
from tests.factories.people import id_number, register
from tests.factories.tokens import grant
from tests.support.clocks import TravelClock

LADDER_TIERS = ["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"]

_serials = itertools.count(1)


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
        _, self.tokens[name] = grant(
            self.ledger, role, organisation=organisation, worker=worker, label=name
        )
        return name

    def body(
        self,
        province: str,
        *,
        kind: OrganisationKind = OrganisationKind.EMPLOYER,
        scope: dict[str, list[str]] | None = None,
        name: str | None = None,
    ) -> UUID:
        everything = {ELECTRICIAN: ALL_LEVELS, WELDER: ALL_LEVELS, ESTATE_AGENT: ALL_LEVELS}
        return numbered_body(
            self.ledger,
            next(_serials),
            kind=kind,
            province=province,
            scope=scope or everything,
            name=name,
        )

    def union(self, province: str = "11") -> UUID:
        return numbered_union(self.ledger, next(_serials), province)

    def worker(self, employer: UUID | None = None, name: str = "张三") -> UUID:
        number = id_number(next(_serials) + 20000)
        return register(self.ledger, number, name, employer=employer, since=date(2015, 1, 1))

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
            marking_scheme=marking_scheme(components=PRACTICAL_ONLY),
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
