"""A session's HTTP API (the Flask test client) with tokens for an admin, the session's issuer,
another body's issuer and an auditor, over a ledger whose clock the test moves."""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from service.ledger import Ledger
from tests.factories import ELECTRICIAN, SESSION_END
from tests.support.clocks import SteppingClock


@dataclass
class Api:
    app: Flask
    client: FlaskClient
    ledger: Ledger
    clock: SteppingClock
    body_id: UUID
    tokens: dict[str, str] = field(default_factory=dict)
    staff: list[UUID] = field(default_factory=list)

    def call(self, method: str, path: str, who: str = "issuer", **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if who != "public":
            headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def upload(self, path: str, data: bytes, who: str = "issuer", **kwargs: Any) -> Any:
        return self.call(
            "POST",
            path,
            who,
            data={"file": (io.BytesIO(data), "candidates.csv")},
            content_type="multipart/form-data",
            **kwargs,
        )

    def id_of(self, worker: UUID) -> str:
        return self.ledger.worker(worker).masked_id_number


# -- the session's steps, as its API tests take them -----------------------------------------

BASE = "/api/v1/evaluations"


def plan(api: Api, reference: str = "EV-2024-09") -> str:
    response = api.call(
        "POST",
        BASE,
        json={
            "reference": reference,
            "occupation_code": ELECTRICIAN,
            "level": "4",
            "starts_on": "2024-09-09",
            "ends_on": SESSION_END.isoformat(),
            "panels": {"practical": ["甲", "乙", "丙"]},
        },
    )
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def poll(api: Api, location: str, who: str = "issuer", seconds: float = 120) -> dict:
    deadline = time.monotonic() + seconds
    seen = []
    while True:
        response = api.call("GET", location, who)
        assert response.status_code == 200, response.json
        seen.append(response.json["progress"]["stage"])
        if response.json["state"] in ("succeeded", "failed"):
            return response.json
        assert response.headers["Retry-After"] == "1"
        assert time.monotonic() < deadline, seen
        time.sleep(0.05)


def enrol(api: Api, path: str, worker: UUID, since: str = "2015-01-01") -> Any:
    """Enrol ``worker`` in the session at ``path`` on the 4-years route."""
    response = api.call(
        "POST",
        f"{path}/candidates",
        json={
            "worker_id": str(worker),
            "route": "4-years",
            "evidence": {"experience": [{"start": since}]},
        },
    )
    assert response.status_code == 200, response.json
    return response.json


def mark(api: Api, path: str, worker: Any, component: str, score: Any, examiner: str) -> Any:
    """``examiner``'s mark of ``worker``'s ``component``."""
    response = api.call(
        "POST",
        f"{path}/scores",
        json={
            "worker_id": str(worker),
            "component": component,
            "score": score,
            "examiner": examiner,
        },
    )
    assert response.status_code == 200, response.json
    return response.json
