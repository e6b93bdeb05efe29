"""A session's HTTP API (the Flask test client) with tokens for an admin, the session's issuer,
another body's issuer and an auditor, over a ledger whose clock the test moves."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from flask import Flask
from flask.testing import FlaskClient

from service.ledger import Ledger
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
