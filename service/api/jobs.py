"""Jobs: long commands run in the background (``service.jobs``), polled by their callers.

A command that would not fit in one request (confirming a 5,000-candidate session) answers 202
with ``Location: /api/v1/jobs/{id}``; ``GET`` it until ``state`` is ``succeeded`` (``result``)
or ``failed`` (``error``, a problem document). ``progress`` says what the job is doing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from flask.blueprints import BlueprintSetupState
from marshmallow import validate

from domain.api_token import Role
from service.api.auth import access, current_principal, forbidden
from service.api.openapi import Blueprint
from service.app_services import job_runner, services
from service.jobs import Job, timestamp
from service.ledger import NotFound

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1/jobs",
    description="Background jobs of long commands (e.g. confirming a session) and their progress.",
)


class ProgressSchema(ma.Schema):
    stage = ma.fields.String(
        required=True,
        metadata={
            "description": "queued, started, loading, checking, building, allocating status "
            "list entries, saving, saved, succeeded or failed"
        },
    )
    done = ma.fields.Integer(required=True)
    total = ma.fields.Integer(required=True, metadata={"description": "0 until known"})


class JobErrorSchema(ma.Schema):
    """The problem document the command would have answered with."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    rule = ma.fields.String()


class JobSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True)
    state = ma.fields.String(
        required=True, validate=validate.OneOf(["queued", "running", "succeeded", "failed"])
    )
    progress = ma.fields.Nested(ProgressSchema, required=True)
    result = ma.fields.Dict(required=True, allow_none=True)
    error = ma.fields.Nested(JobErrorSchema, required=True, allow_none=True)
    attempts = ma.fields.Integer(required=True)
    created_at = ma.fields.String(required=True, metadata={"format": "date-time"})
    started_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    finished_at = ma.fields.String(required=True, allow_none=True, metadata={"format": "date-time"})
    updated_at = ma.fields.String(required=True, metadata={"format": "date-time"})


@blp.record_once
def _resume_pending_jobs(state: BlueprintSetupState) -> None:
    """At start-up, resume jobs an earlier process queued or left running (durability)."""
    if "craftledger" not in state.app.extensions:
        return
    runner = job_runner(state.app)
    if runner.store.pending():
        runner.start()


def job_view(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": {"stage": job.stage, "done": job.done, "total": job.total},
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": timestamp(job.created_at),
        "started_at": timestamp(job.started_at),
        "finished_at": timestamp(job.finished_at),
        "updated_at": timestamp(job.updated_at),
    }


def job_answer(job: Job) -> tuple[dict[str, Any], int, dict[str, str]]:
    headers = {"Location": url_for("jobs.get_job", job_id=job.id)}
    if not job.finished:
        headers["Retry-After"] = "1"
    return job_view(job), 200, headers


def visible_job(job_id: UUID) -> Job:
    """The job, if the caller may see it (an issuer only its own organisation's); 404, 403."""
    services()  # the app's shared services must exist
    job = job_runner().get(str(job_id))
    if job is None:
        raise NotFound(f"no job {job_id}")
    principal = current_principal()
    if principal.is_(Role.ISSUER) and (
        job.owner is None or str(principal.organisation_id) != job.owner
    ):
        raise forbidden("an issuer token sees only its own organisation's jobs")
    return job


@blp.route("/<uuid:job_id>", methods=["GET"])
@access(admin="any job", auditor="any job", issuer="jobs of its own organisation")
@blp.response(
    200,
    JobSchema,
    headers={
        "Retry-After": {
            "description": "seconds to wait before polling again (while queued or running)",
            "schema": {"type": "integer"},
        }
    },
)
@blp.errors(404)
def get_job(job_id: UUID) -> Any:
    """A job: state, progress, and its result or error."""
    body, status, headers = job_answer(visible_job(job_id))
    headers.pop("Location")
    return body, status, headers
