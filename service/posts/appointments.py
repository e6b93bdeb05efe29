"""Enterprise post appointments (评聘): the prerequisite checked, the three reviews recorded,
the appointment and its credential's status entries saved together; withdrawal revokes the
credential; the credential itself is the enterprise's award, signed with its key."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from domain.certificate import CertificateStatus
from domain.china_time import china_date, china_year
from domain.errors import DomainRuleViolation
from domain.post_appointment import PostAppointment, check_prerequisite, post_level
from domain.skill_level import SkillLevel
from service.commands import NotFound, Recorded, retried
from service.credentials import Credentials
from service.credentials.credential_document import Holder, build_award_credential
from service.ledger_store import LedgerStore
from service.workers import Workers

__all__ = ["Posts", "post_subject"]


def post_subject(appointment_id: UUID) -> str:
    """The status-list subject of a post appointment's credential."""
    return f"post:{appointment_id}"


class Posts:
    """Commands on enterprise post appointments and their credential (``ledger.posts``):
    status entries and signing through ``credentials``, the levels held from ``workers``."""

    def __init__(self, ledger: LedgerStore, *, credentials: Credentials, workers: Workers) -> None:
        self._ledger = ledger
        self._credentials = credentials
        self._workers = workers

    @retried
    def appoint_post(
        self,
        *,
        organisation_id: UUID,
        worker_id: UUID,
        occupation_code: str,
        post: str,
        reviews: list[dict[str, Any]],
        actor: str,
    ) -> Recorded:
        """Appoint an enterprise post: prerequisite checked, the three reviews recorded as
        passed with evidence, appointed, and its credential's status entries allocated -- one
        atomic save. Refusals name the rule (``principal-needs-level-1``, ...)."""
        level = post_level(post)
        organisation = self._ledger.organisation(organisation_id)
        worker = self._ledger.worker(worker_id)
        occupation = self._ledger.occupation(occupation_code)
        at = self._ledger.clock()
        terms = self._post_terms(organisation.id, worker.id, occupation.code, level)
        if terms and not terms[-1].withdrawn:
            raise DomainRuleViolation(
                "already-appointed", f"{worker.name} already has this post at {organisation.name}"
            )
        held = self._workers.held_levels(worker, occupation.code)
        principals = (
            self._post_terms(organisation.id, worker.id, occupation.code, SkillLevel.PRINCIPAL)
            if level is SkillLevel.CHIEF
            else []
        )
        holds_principal = bool(principals) and principals[-1].standing
        check_prerequisite(level, held, holds_principal)
        prerequisite = None
        if level is SkillLevel.PRINCIPAL:
            level_1 = [
                number
                for number, held_cert in sorted(worker.certificates.items())
                if held_cert["occupation_code"] == occupation.code
                and held_cert["level"] == SkillLevel.LEVEL_1.code
                and self._ledger.certificate(number).status is CertificateStatus.VALID
            ]
            prerequisite = level_1[0] if level_1 else "confirmed external 一级 certificate"
        elif level is SkillLevel.CHIEF:
            prerequisite = str(principals[-1].id)
        appointment = PostAppointment.nominate(
            organisation=organisation,
            worker_id=worker.id,
            worker_name=worker.name,
            own_staff=worker.is_staff_of(organisation.id, china_date(at)),
            occupation_code=occupation.code,
            occupation_name=occupation.name,
            post=level.code,
            prerequisite=prerequisite,
            at=at,
            actor=actor,
            term=len(terms) + 1,
        )
        for review in reviews:
            appointment.pass_review(
                str(review.get("review", "")),
                str(review.get("evidence") or ""),
                review.get("passed_on") or china_date(at),
                at,
                actor,
            )
        appointment.appoint(at, actor)
        batch = self._credentials.allocate_status_list_entries(
            organisation.id, [post_subject(appointment.id)], at=at, actor=actor
        )
        return self._ledger.record(appointment, *batch.aggregates)

    def _post_terms(
        self, organisation_id: UUID, worker_id: UUID, occupation_code: str, post: SkillLevel
    ) -> list[PostAppointment]:
        """Every term of one worker's post at one enterprise, first to latest (each term but
        the latest was withdrawn)."""
        terms: list[PostAppointment] = []
        while True:
            term_id = PostAppointment.create_id(
                organisation_id=organisation_id,
                worker_id=worker_id,
                occupation_code=occupation_code,
                post=post.code,
                term=len(terms) + 1,
            )
            try:
                terms.append(self._ledger.post_appointment(term_id))
            except NotFound:
                return terms

    @retried
    def withdraw_post(self, appointment_id: UUID, *, actor: str, reason: str) -> Recorded:
        appointment = self._ledger.post_appointment(appointment_id)
        at = self._ledger.clock()
        appointment.withdraw(at, actor, reason)
        subject = post_subject(appointment.id)
        allocation = self._credentials.allocation_of(appointment.organisation_id, subject)
        if allocation is None:
            return self._ledger.record(appointment)
        revocations = self._credentials.status_list(
            appointment.organisation_id, "revocation", allocation.list_number
        )
        revocations.set_bit(allocation.indexes["revocation"], subject, at, actor, reason)
        return self._ledger.record(appointment, revocations)

    def post_credential_id(self, appointment_id: UUID) -> str:
        base = self._credentials.credential_urls.base_url
        return f"{base}/api/v1/evaluations/posts/{appointment_id}/credential"

    def post_credential(self, appointment_id: UUID) -> dict[str, Any]:
        """The post's credential: the enterprise's own award, signed with its key."""
        appointment = self._ledger.post_appointment(appointment_id)
        organisation = self._ledger.organisation(appointment.organisation_id)
        allocation = self._credentials.allocation_of(organisation.id, post_subject(appointment.id))
        if allocation is None or appointment.appointed_at is None:
            raise NotFound(f"post appointment {appointment_id} has no credential")
        worker = self._ledger.worker(appointment.worker_id)
        level = appointment.level
        document = build_award_credential(
            urls=self._credentials.credential_urls,
            credential_id=self.post_credential_id(appointment.id),
            award_id=str(worker.id),
            holder=Holder(
                worker.name,
                worker.masked_id_number,
                self._credentials.holder_identifier(worker.id),
                self._credentials.subject_pseudonym(worker.id, post_subject(appointment.id)),
            ),
            issuer_id=organisation.id,
            issuer_name=organisation.name,
            competition={
                "id": str(appointment.id),
                "reference": f"评聘 {level.name_zh}",
                "name": f"{organisation.name} {level.name_zh} 评聘 (enterprise post appointment)",
                "tier": "enterprise",
                "year": china_year(appointment.appointed_at),
                "region": organisation.province_code,
                "occupation_code": appointment.occupation_code,
                "occupation_name": appointment.occupation_name,
            },
            award={
                "title": level.name_zh,
                "results": {
                    review: f"passed {entry['passed_on']}: {entry['evidence']}"
                    for review, entry in sorted(appointment.reviews.items())
                },
                "criteria": "appointed by the enterprise after the performance review, on-site "
                "defence and comprehensive review; prerequisite: "
                + (appointment.prerequisite or "none"),
            },
            awarded_at=appointment.appointed_at,
            status_indexes=dict(allocation.indexes),
            status_list=allocation.list_number,
        )
        return self._credentials.sign_credential(organisation, document, appointment.appointed_at)
