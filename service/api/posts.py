"""Enterprise posts (评聘: 学徒工, 特级技师, 首席技师) under ``/api/v1/evaluations/posts``: appoint
(prerequisite and the three reviews with evidence), read, withdraw with a reason, and the post's
signed credential (its id URL stays under ``/evaluations/posts``: credentials already issued
name it).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma
from flask import url_for
from marshmallow import validate

from domain.api_token import Role
from domain.post_appointment import PostAppointment, PostReview
from service.api.auth import (
    access,
    acting_organisation,
    current_principal,
    forbidden,
    require_organisation,
)
from service.api.credentials import (
    DOCUMENT_RESPONSES,
    VC_MEDIA_TYPES,
    document_response,
    media_type,
)
from service.api.fields import ReasonSchema, occupation_code_field, text
from service.api.openapi import Blueprint, located_at
from service.app_services import ledger
from service.credentials import SignedDocument

blp = Blueprint(
    "posts",
    __name__,
    url_prefix="/api/v1/evaluations/posts",
    description="Enterprise posts (评聘: 学徒工, 特级技师, 首席技师): appointed after three "
    "reviews, withdrawn with a reason, each with the enterprise's signed credential.",
)

POSTS = ["apprentice", "principal", "chief"]


class PostReviewSchema(ma.Schema):
    review = ma.fields.String(
        required=True,
        validate=validate.OneOf([r.value for r in PostReview]),
        metadata={
            "description": "performance (业绩评价), defence (现场答辩), comprehensive (综合评审)"
        },
    )
    evidence = text(1000, required=True, description="the record the review passed on")
    passed_on = ma.fields.Date(
        load_default=None, allow_none=True, metadata={"description": "default: today"}
    )


class AppointPostSchema(ma.Schema):
    organisation_id = ma.fields.UUID(
        load_default=None,
        metadata={"description": "the employer (Y body); an issuer token may leave it out"},
    )
    worker_id = ma.fields.UUID(required=True, metadata={"description": "one of its own staff"})
    occupation_code = occupation_code_field(required=True)
    post = ma.fields.String(
        required=True,
        validate=validate.OneOf(POSTS),
        metadata={"description": "apprentice (学徒工), principal (特级技师), chief (首席技师)"},
    )
    reviews = ma.fields.List(
        ma.fields.Nested(PostReviewSchema),
        required=True,
        validate=validate.Length(max=3),
        metadata={"description": "the three reviews, each passed with its evidence"},
    )


class PostReviewViewSchema(ma.Schema):
    evidence = ma.fields.String(required=True)
    passed_on = ma.fields.String(required=True, metadata={"format": "date"})


class PostWithdrawalSchema(ma.Schema):
    at = ma.fields.DateTime(required=True)
    reason = ma.fields.String(required=True)


class PostAppointmentSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    organisation_name = ma.fields.String(required=True)
    worker_id = ma.fields.UUID(required=True)
    worker_name = ma.fields.String(required=True)
    occupation_code = ma.fields.String(required=True)
    occupation_name = ma.fields.String(required=True)
    post = ma.fields.String(required=True, validate=validate.OneOf(POSTS))
    post_name = ma.fields.String(required=True)
    term = ma.fields.Integer(
        required=True,
        metadata={
            "description": "1 for the worker's first appointment to this post here; after a "
            "withdrawal the post can be appointed again, as term 2, 3, ..."
        },
    )
    prerequisite = ma.fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "the 一级 certificate (特级技师) or 特级技师 appointment (首席技师)"
        },
    )
    reviews = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Nested(PostReviewViewSchema), required=True
    )
    appointed_at = ma.fields.DateTime(required=True, allow_none=True)
    standing = ma.fields.Boolean(required=True)
    withdrawn = ma.fields.Nested(PostWithdrawalSchema, required=True, allow_none=True)
    credential_url = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)


def post_view(appointment: PostAppointment) -> dict[str, Any]:
    return {
        "id": appointment.id,
        "organisation_id": appointment.organisation_id,
        "organisation_name": appointment.organisation_name,
        "worker_id": appointment.worker_id,
        "worker_name": appointment.worker_name,
        "occupation_code": appointment.occupation_code,
        "occupation_name": appointment.occupation_name,
        "post": appointment.post,
        "post_name": appointment.level.name_zh,
        "term": appointment.term,
        "prerequisite": appointment.prerequisite,
        "reviews": {
            review: {"evidence": entry["evidence"], "passed_on": entry["passed_on"]}
            for review, entry in appointment.reviews.items()
        },
        "appointed_at": appointment.appointed_at,
        "standing": appointment.standing,
        "withdrawn": (
            None
            if appointment.withdrawn is None
            else {key: appointment.withdrawn[key] for key in ("at", "reason")}
        ),
        "credential_url": url_for("posts.get_post_credential", appointment_id=appointment.id),
        "version": appointment.version,
    }


def post_for_reading(appointment_id: UUID) -> PostAppointment:
    """The post, if the caller may read it: admins and auditors any, the issuer of its
    organisation, the worker appointed."""
    appointment = ledger().post_appointment(appointment_id)
    principal = current_principal()
    if principal.is_(Role.WORKER):
        if principal.worker_id != appointment.worker_id:
            raise forbidden("a worker token sees only its own posts")
    elif not principal.is_(Role.AUDITOR):
        require_organisation(appointment.organisation_id)
    return appointment


POST_READERS = {
    "admin": "any post",
    "auditor": "any post",
    "issuer": "posts of its own organisation",
    "worker": "its own posts",
}


POST_LOCATION = located_at("posts.get_post", "appointment_id")


@blp.route("", methods=["POST"])
@access(
    admin="for any employer (organisation_id required)",
    issuer="for its own organisation and its own staff",
)
@blp.command(
    AppointPostSchema, PostAppointmentSchema, status=201, view=post_view, location=POST_LOCATION
)
def appoint_post(body: dict[str, Any]) -> Any:
    """Appoint an enterprise post (评聘): 学徒工, 特级技师 (needs a valid 一级) or 首席技师 (needs
    the enterprise's standing 特级技师), after the performance review, on-site defence and
    comprehensive review, each passed with evidence. Refusals are 422 naming the rule
    (``principal-needs-level-1``, ``chief-needs-principal``, ``reviews-incomplete``,
    ``not-own-staff``, ``posts-are-employer-appointments``, ``already-appointed``)."""
    principal = current_principal()
    organisation_id = acting_organisation(body["organisation_id"], "/organisation_id", Role.ISSUER)
    return ledger().posts.appoint_post(
        organisation_id=organisation_id,
        worker_id=body["worker_id"],
        occupation_code=body["occupation_code"],
        post=body["post"],
        reviews=body["reviews"],
        actor=principal.actor,
    )


@blp.route("/<uuid:appointment_id>", methods=["GET"])
@access(**POST_READERS)
@blp.query(PostAppointmentSchema)
def get_post(appointment_id: UUID) -> Any:
    """An enterprise post: who, where, which post, its prerequisite, reviews and standing."""
    return post_view(post_for_reading(appointment_id))


@blp.route("/<uuid:appointment_id>/withdraw", methods=["POST"])
@access(admin="any post", issuer="posts of its own organisation")
@blp.command(ReasonSchema, PostAppointmentSchema, view=post_view)
def withdraw_post(body: dict[str, Any], appointment_id: UUID) -> Any:
    """Withdraw a post with a reason; it stays on record (and on the ladder) as withdrawn."""
    appointment = ledger().post_appointment(appointment_id)
    require_organisation(appointment.organisation_id)
    return ledger().posts.withdraw_post(appointment_id, **body, actor=current_principal().actor)


@blp.route("/<uuid:appointment_id>/credential", methods=["GET"])
@access(**POST_READERS)
@blp.doc(responses=DOCUMENT_RESPONSES)
@blp.errors(404)
def get_post_credential(appointment_id: UUID) -> Any:
    """The post as a signed Open Badges 3.0 credential: the enterprise's own award, signed
    with its key (verify it at ``POST /credentials/verify``). ``Accept: application/vc``
    answers ``application/vc``, otherwise JSON."""
    post_for_reading(appointment_id)
    credential = ledger().posts.post_credential(appointment_id)
    return document_response(
        SignedDocument.of(credential),
        media_type("application/json", VC_MEDIA_TYPES),
        "private, no-cache",
        "Accept, Authorization",
    )
