"""A small world behind the HTTP API: ``create_app`` over a real ``Ledger`` with its
projection runner thread, and a bearer token for every principal the authorisation matrix uses:

================  ===================================================================
public            no token
admin             HR bureau
issuer            bound to employer A (北京链家), the employer of ``worker``
other_issuer      bound to employer B, the employer of ``other_worker``
organiser         bound to union U (朝阳区总工会)
auditor           reads everything
worker            bound to ``worker`` (employed by A, holds ``certificate``)
other_worker      bound to ``other_worker`` (employed by B)
================  ===================================================================

Helpers make fresh organisations, workers, certificates and tokens straight through the ledger,
so each test acts on objects no other test touched.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from domain.api_token import Role
from domain.id_number import IdNumber
from domain.organisation import OrganisationKind
from domain.skill_level import SkillLevel
from service.app import create_app
from service.ledger import Ledger
from tests.factories.organisations import ELECTRICIAN, numbered_body, numbered_union
from tests.factories.people import id_number, register
from tests.factories.tokens import grant
from tests.support.clients import CaughtUpClient
from tests.support.clocks import RunningClock
from tests.support.stores import store_for_backend

SERVER_START = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
"""Where the apps' clocks start (then run in real time): inside the working-day calendar."""
PRINCIPALS = (
    "public",
    "admin",
    "issuer",
    "other_issuer",
    "organiser",
    "auditor",
    "worker",
    "other_worker",
)
ROLE_OF = {
    "public": "public",
    "admin": "admin",
    "issuer": "issuer",
    "other_issuer": "issuer",
    "organiser": "organiser",
    "auditor": "auditor",
    "worker": "worker",
    "other_worker": "worker",
}

_serials = itertools.count(1)


def unique() -> int:
    return next(_serials)


@dataclass
class World:
    app: Flask
    client: FlaskClient
    ledger: Ledger
    backend: str
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, Any] = field(default_factory=dict)
    id_numbers: dict[UUID, IdNumber] = field(default_factory=dict)

    # -- requests ------------------------------------------------------------------------

    def headers(self, principal: str, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if principal != "public":
            headers["Authorization"] = f"Bearer {self.tokens[principal]}"
        return headers

    def call(
        self,
        method: str,
        path: str,
        principal: str = "admin",
        json: Any = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        return self.client.open(
            path,
            method=method,
            json=json,
            headers=self.headers(principal, **(headers or {})),
            **kwargs,
        )

    # -- fresh objects -------------------------------------------------------------------

    def fresh_employer(self, kind: OrganisationKind = OrganisationKind.EMPLOYER) -> UUID:
        return numbered_body(self.ledger, unique(), kind=kind)

    def fresh_union(self) -> UUID:
        return numbered_union(self.ledger, unique())

    def fresh_worker(self, employer: UUID | None = None, name: str = "王五") -> UUID:
        number = id_number(unique() + 5000)
        worker = register(self.ledger, number, name, employer=employer)
        self.id_numbers[worker] = number
        return worker

    def fresh_employment_claim(self, worker: UUID) -> UUID:
        """A fresh employer's pending claim to employ ``worker`` (whom it did not register)."""
        employer = self.fresh_employer()
        self.ledger.workers.start_employment(
            worker, employer, since=date(2024, 1, 1), actor="test", claimant=employer
        )
        return employer

    def fresh_certificate(self, worker: UUID | None = None, issuer: UUID | None = None) -> str:
        issuer = issuer or self.ids["org_a"]
        worker = worker or self.fresh_worker(issuer)
        recorded = self.ledger.certificates.issue_certificate(
            issuer_id=issuer,
            worker_id=worker,
            occupation_code=ELECTRICIAN,
            level=SkillLevel.LEVEL_5,
            basis={"kind": "evaluation", "reference": f"EV-{unique()}"},
            actor="test",
        )
        return recorded.aggregate.number  # type: ignore[no-any-return]

    def fresh_token(
        self,
        role: Role,
        organisation_id: UUID | None = None,
        worker_id: UUID | None = None,
    ) -> tuple[UUID, str]:
        return grant(self.ledger, role, organisation=organisation_id, worker=worker_id)

    def fresh_ladder(self, union: UUID | None = None) -> UUID:
        recorded = self.ledger.honours.define_honour_ladder(
            union_id=union or self.ids["union"],
            name=f"朝阳荣誉{unique()}",
            tiers=["朝阳能手", "朝阳匠心达人", "朝阳工匠", "朝阳大师"],
            actor="test",
        )
        return recorded.aggregate.id  # type: ignore[no-any-return]


def build_world(app: Flask, ledger: Ledger, backend: str) -> World:
    world = World(app=app, client=app.test_client(), ledger=ledger, backend=backend)
    ids = world.ids
    ids["org_a"] = world.fresh_employer()
    ids["org_b"] = world.fresh_employer()
    ids["union"] = world.fresh_union()
    ids["worker"] = world.fresh_worker(ids["org_a"], name="张三")
    ids["other_worker"] = world.fresh_worker(ids["org_b"], name="李四")
    ids["certificate"] = world.fresh_certificate(worker=ids["worker"])
    bindings = {
        "admin": (Role.ADMIN, None, None),
        "issuer": (Role.ISSUER, ids["org_a"], None),
        "other_issuer": (Role.ISSUER, ids["org_b"], None),
        "organiser": (Role.ORGANISER, ids["union"], None),
        "auditor": (Role.AUDITOR, None, None),
        "worker": (Role.WORKER, None, ids["worker"]),
        "other_worker": (Role.WORKER, None, ids["other_worker"]),
    }
    for principal, (role, organisation, worker) in bindings.items():
        token_id, token = world.fresh_token(role, organisation, worker)
        world.tokens[principal] = token
        ids[f"token_{principal}"] = token_id
    return world


@contextlib.contextmanager
def running_app(
    backend: str, data_dir: Path, config: dict[str, Any] | None = None
) -> Iterator[tuple[Flask, Ledger]]:
    """``create_app`` over a fresh store; closed (runner stopped, ledger closed) afterwards."""
    with store_for_backend(backend, data_dir) as (settings, _schema):
        ledger = Ledger(settings, clock=RunningClock(SERVER_START))
        app = create_app(
            {
                "TESTING": True,
                "VERIFY_RATE_LIMIT": "10000 per minute",
                "SIGNIN_RATE_LIMIT": "10000 per minute",
                "AUDIT_HEAD_EVERY_EVENTS": 1,
                **(config or {}),
            },
            ledger=ledger,
        )
        app.test_client_class = CaughtUpClient
        try:
            yield app, ledger
        finally:
            close_app(app, ledger)


def close_app(app: Flask, ledger: Ledger) -> None:
    """Stop what the app runs (the jobs runner if it started one, the projection runner), then
    close the ledger."""
    runner = app.extensions.get("craftledger_jobs")
    if runner is not None:
        runner.stop()
        runner.store.close()
    app.extensions["craftledger"].close()
    ledger.close()


@contextlib.contextmanager
def running_world(backend: str, data_dir: Path) -> Iterator[World]:
    """The world over a fresh store of ``backend``, closed afterwards."""
    with running_app(backend, data_dir) as (app, ledger):
        yield build_world(app, ledger, backend)
