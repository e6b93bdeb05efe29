"""``GET /health``: is the service up and its store answering."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from service.api.openapi import Blueprint
from service.api.problems import Problem
from service.app_services import services

blp = Blueprint("health", __name__, description="Liveness and store reachability.")


class ProjectionHealthSchema(ma.Schema):
    name = ma.fields.String(required=True)
    position = ma.fields.Integer(required=True)
    lag = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)


class HealthSchema(ma.Schema):
    status = ma.fields.String(required=True, metadata={"description": "ok"})
    store = ma.fields.String(required=True, metadata={"description": "sqlite or postgresql"})
    log_position = ma.fields.Integer(required=True)
    projections = ma.fields.List(
        ma.fields.Nested(ProjectionHealthSchema),
        required=True,
        metadata={"description": "read models, how far behind the log they are"},
    )


@blp.route("/health", methods=["GET"])
@blp.response(200, HealthSchema)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def health() -> Any:
    """Public: ``{"status": "ok", ...}`` when the event store answers (503 otherwise)."""
    shared = services()
    try:
        position = shared.ledger.log_position
    except Exception as error:  # the store does not answer
        raise Problem(503, "store-unavailable", type(error).__name__) from None
    projections: list[dict[str, Any]] = []
    if shared.runner is not None:
        try:
            for state in shared.runner.status():
                projections.append(
                    {
                        "name": state["name"],
                        "position": state["position"],
                        "lag": state["lag"],
                        "status": state["status"],
                    }
                )
        except Exception:  # read models are optional for liveness
            projections = []
    return {
        "status": "ok",
        "store": "postgresql" if shared.ledger.settings.uses_postgres else "sqlite",
        "log_position": position,
        "projections": projections,
    }
