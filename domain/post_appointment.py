"""PostAppointment: an enterprise post (评聘) -- 学徒工, 特级技师 or 首席技师 -- that a ``Y`` body
appoints for its own staff, with its prerequisite and the three reviews.

特级技师 requires a valid 一级/高级技师 certificate in the occupation; 首席技师 requires the
enterprise's standing 特级技师 appointment in it; 学徒工 requires no certificate. Each of the
performance review (业绩评价), the on-site defence (现场答辩) and the comprehensive review
(综合评审) is recorded as passed with its evidence before the appointment; a withdrawal needs
a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainRuleViolation
from domain.free_text import require_reason
from domain.identity import natural_id
from domain.ledger_aggregate import LedgerAggregate
from domain.organisation import Organisation, OrganisationKind
from domain.skill_level import SkillLevel

__all__ = ["PostAppointment", "PostReview", "check_prerequisite"]


class PostReview(StrEnum):
    PERFORMANCE = "performance"  # 业绩评价
    DEFENCE = "defence"  # 现场答辩
    COMPREHENSIVE = "comprehensive"  # 综合评审


REVIEW_NAMES = {
    PostReview.PERFORMANCE: "业绩评价",
    PostReview.DEFENCE: "现场答辩",
    PostReview.COMPREHENSIVE: "综合评审",
}


def post_level(code: str) -> SkillLevel:
    level = SkillLevel.from_code(code)
    if not level.is_post:
        raise DomainRuleViolation(
            "not-a-post",
            f"{level.name_zh} is a numbered certificate level, not an enterprise post; posts are "
            "apprentice (学徒工), principal (特级技师) and chief (首席技师)",
        )
    return level


def check_prerequisite(
    post: SkillLevel, held_levels: Iterable[SkillLevel], holds_principal: bool
) -> None:
    """Refuse a post whose prerequisite the worker lacks, naming the rule."""
    if post is SkillLevel.PRINCIPAL and SkillLevel.LEVEL_1 not in set(held_levels):
        raise DomainRuleViolation(
            "principal-needs-level-1",
            "特级技师 requires a valid 一级/高级技师 certificate in the occupation",
        )
    if post is SkillLevel.CHIEF and not holds_principal:
        raise DomainRuleViolation(
            "chief-needs-principal",
            "首席技师 requires a standing 特级技师 appointment by the enterprise in the occupation",
        )


class PostAppointment(LedgerAggregate):
    """One post of one worker in one occupation at one enterprise: nominated, reviewed,
    appointed, withdrawn."""

    TOPIC = "craftledger:PostAppointment"

    class Created(Aggregate.Created):
        TOPIC = "craftledger:PostAppointment.Created"

    @staticmethod
    def create_id(
        organisation_id: UUID,
        worker_id: UUID,
        occupation_code: str,
        post: str,
        term: int = 1,
        **_: Any,
    ) -> UUID:
        """One id per term: the first term's id is the post's own (as before terms existed);
        after a withdrawal the enterprise may appoint the worker again, as term 2, 3 ..."""
        parts = [str(organisation_id), str(worker_id), occupation_code, post]
        if term != 1:
            parts.append(f"term {term}")
        return natural_id("post-appointment", *parts)

    @classmethod
    def nominate(
        cls,
        *,
        organisation: Organisation,
        worker_id: UUID,
        worker_name: str,
        own_staff: bool,
        occupation_code: str,
        occupation_name: str,
        post: str,
        prerequisite: str | None,
        at: datetime,
        actor: str,
        term: int = 1,
    ) -> PostAppointment:
        post_level(post)
        if organisation.kind is not OrganisationKind.EMPLOYER:
            raise DomainRuleViolation(
                "posts-are-employer-appointments",
                f"{organisation.name} is not an employer (Y) body; posts are appointed by the "
                "enterprise for its own staff",
            )
        if not own_staff:
            raise DomainRuleViolation(
                "not-own-staff", f"{organisation.name} appoints posts only for its own staff"
            )
        return cls(
            organisation_id=organisation.id,
            organisation_name=organisation.name,
            worker_id=worker_id,
            worker_name=worker_name,
            occupation_code=occupation_code,
            occupation_name=occupation_name,
            post=post,
            prerequisite=prerequisite,
            nominated_at=at,
            actor=actor,
            term=term,
        )

    @event("Nominated", topic="craftledger:PostAppointment.Nominated")
    def __init__(
        self,
        organisation_id: UUID,
        organisation_name: str,
        worker_id: UUID,
        worker_name: str,
        occupation_code: str,
        occupation_name: str,
        post: str,
        prerequisite: str | None,
        nominated_at: datetime,
        actor: str,
        term: int = 1,
    ) -> None:
        self.organisation_id = organisation_id
        self.organisation_name = organisation_name
        self.worker_id = worker_id
        self.worker_name = worker_name
        self.occupation_code = occupation_code
        self.occupation_name = occupation_name
        self.post = post
        self.prerequisite = prerequisite
        self.nominated_at = nominated_at
        self.term = term
        """1 for the first appointment to this post, 2 after a withdrawal and a new one, ..."""
        self.reviews: dict[str, dict[str, Any]] = {}
        self.appointed_at: datetime | None = None
        self.withdrawn: dict[str, Any] | None = None

    @property
    def level(self) -> SkillLevel:
        return SkillLevel.from_code(self.post)

    @property
    def standing(self) -> bool:
        return self.appointed_at is not None and self.withdrawn is None

    def pass_review(
        self, review: str, evidence: str, passed_on: date, at: datetime, actor: str
    ) -> None:
        try:
            kind = PostReview(review)
        except ValueError:
            raise DomainRuleViolation(
                "unknown-review",
                f"review must be one of {', '.join(r.value for r in PostReview)}",
            ) from None
        if not evidence or not evidence.strip():
            raise DomainRuleViolation(
                "review-needs-evidence", f"the {REVIEW_NAMES[kind]} must be recorded with evidence"
            )
        if self.appointed_at is not None:
            raise DomainRuleViolation("already-appointed", "the post is already appointed")
        self._review_passed(kind.value, evidence, passed_on.isoformat(), at, actor)

    @event("ReviewPassed", topic="craftledger:PostAppointment.ReviewPassed")
    def _review_passed(
        self, review: str, evidence: str, passed_on: str, at: datetime, actor: str
    ) -> None:
        self.reviews[review] = {"evidence": evidence, "passed_on": passed_on, "actor": actor}

    def appoint(self, at: datetime, actor: str) -> None:
        missing = [REVIEW_NAMES[r] for r in PostReview if r.value not in self.reviews]
        if missing:
            raise DomainRuleViolation(
                "reviews-incomplete",
                "a post needs the performance review, on-site defence and comprehensive review "
                "passed; missing: " + ", ".join(missing),
            )
        if self.appointed_at is not None:
            raise DomainRuleViolation("already-appointed", "the post is already appointed")
        self._appointed(at, actor)

    @event("Appointed", topic="craftledger:PostAppointment.Appointed")
    def _appointed(self, at: datetime, actor: str) -> None:
        self.appointed_at = at

    def withdraw(self, at: datetime, actor: str, reason: str) -> None:
        reason = require_reason(reason, "a withdrawal")
        if self.withdrawn is not None:
            raise DomainRuleViolation("already-withdrawn", "the post is already withdrawn")
        self._withdrawn(at, actor, reason)

    @event("Withdrawn", topic="craftledger:PostAppointment.Withdrawn")
    def _withdrawn(self, at: datetime, actor: str, reason: str) -> None:
        self.withdrawn = {"at": at, "actor": actor, "reason": reason}
