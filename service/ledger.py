"""The Ledger: one ``eventsourcing`` Application recording every aggregate in one log.

Command methods take an ``actor``, load aggregates, let the domain decide, and save every
aggregate they touched in one atomic ``save``. An optimistic-concurrency conflict is retried
(the command re-reads and re-decides); if conflicts persist a ``ConcurrencyConflict`` is raised
(HTTP 409).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    Repository,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import JSONTranscoder, Notification, PersistenceError
from eventsourcing.persistence import UUIDAsHex as UUIDAsHexParsedStrictly  # the library's

from domain.api_token import ApiToken
from domain.calendar_year import CalendarYear
from domain.certificate import Certificate, CertificateStatus
from domain.certificate_number import CertificateNumber
from domain.competition import Competition
from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation
from domain.honour_ladder import HonourLadder
from domain.id_number import IdNumber
from domain.issuance import issue_certificate
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation, find_occupation
from domain.organisation import Organisation, OrganisationKind
from domain.post_appointment import PostAppointment, check_prerequisite, post_level
from domain.share_link import ShareLink
from domain.skill_level import SkillLevel
from domain.status_list_allocation import StatusIndexBlock, StatusList, StatusListAllocation
from domain.subject_identifier import SubjectIdentifier
from domain.worker import CareerEntryKind, EmploymentRelation, Worker
from service.calendars import CalendarRecords
from service.commands import ConcurrencyConflict as ConcurrencyConflict  # re-exported
from service.commands import NotFound, Recorded, retried
from service.competition_workflow import CompetitionWorkflow
from service.config import Settings
from service.credential_document import Holder, build_award_credential
from service.credential_issuing import CredentialIssuing
from service.evaluation_workflow import EvaluationWorkflow, china_date
from service.persistence.aggregate_loading import collect, load_many, project_events
from service.persistence.snapshots import INTERVALS, LedgerSnapshot, snapshots_due
from service.token_grants import TokenGrants


def post_subject(appointment_id: UUID) -> str:
    """The status-list subject of a post appointment's credential."""
    return f"post:{appointment_id}"


RECORDED_AGGREGATES = (
    ApiToken,
    CalendarYear,
    Certificate,
    CertificateNumberSeries,
    Competition,
    Evaluation,
    HonourLadder,
    Organisation,
    PostAppointment,
    ShareLink,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    SubjectIdentifier,
    Worker,
)
"""Every aggregate the one log records; importing them registers their stable topics, so any
entry point (server, CLI, replay) can decode every stored event."""


def utc_now() -> datetime:
    return datetime.now(UTC)


log = logging.getLogger(__name__)


class LedgerRepository(Repository[UUID]):
    """The library's repository, replaying with ``project_events`` (no protocol check per
    event; see ``service.aggregate_loading``)."""

    def get(self, aggregate_id: UUID, **kwargs: Any) -> Any:
        kwargs.setdefault("projector_func", project_events)
        return super().get(aggregate_id, **kwargs)


class Ledger(
    EvaluationWorkflow,
    CompetitionWorkflow,
    CredentialIssuing,
    CalendarRecords,
    TokenGrants,
    Application[UUID],
):
    """craftledger's one application: every aggregate, one notification log."""

    name = "craftledger"
    snapshotting_intervals = INTERVALS  # type: ignore[assignment]
    snapshot_class = LedgerSnapshot

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        env: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.clock = clock
        merged = self.settings.eventsourcing_env()
        merged.update(env or {})
        super().__init__(env=merged)
        self._identity_key = self.settings.identity_key()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        """The library's transcodings, ``uuid_hex`` decoded on a short path
        (``service.transcoding``); what is stored is unchanged."""
        super().register_transcodings(transcoder)
        transcoder.register(UUIDAsHexParsedStrictly())

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository (configured from the environment as usual), replaying
        with ``project_events``."""
        base = super().construct_repository()
        repository = LedgerRepository(
            event_store=base.event_store,
            snapshot_store=base.snapshot_store,
            fastforward=base.fastforward,
            fastforward_skipping=base.fastforward_skipping,
            deepcopy_from_cache=base.deepcopy_from_cache,
        )
        repository.cache = base.cache
        return repository

    # -- saving --------------------------------------------------------------------------

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        """``Application.save`` with the pending events gathered by ``aggregate_loading.collect``
        (no protocol checks per aggregate); recording, snapshots and notifying as the library's."""
        processing_event = collect(*objs, **kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)  # the library's deprecated hook, as it calls it
        return recordings

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """At most one snapshot per aggregate and save, of the state just saved, when its
        events cross a multiple of its class's interval (``service.snapshots``). A snapshot
        that cannot be stored is logged, not raised: the save it follows is recorded."""
        if self.snapshots is not None:
            due = snapshots_due(processing_event, self.snapshotting_intervals or {})
            if not due:
                return
            try:
                self.snapshots.put(due)
            except PersistenceError:
                # a cache: the save is recorded, so the command succeeded; loading replays more
                log.warning("snapshot of %d aggregate(s) not stored", len(due), exc_info=True)

    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]:
        """Many aggregates in a few queries (``aggregate_loading.load_many``), by id; ids with
        no events are absent."""
        return load_many(self.recorder, self.mapper, aggregate_ids)

    def record(self, main: Aggregate, *others: Aggregate) -> Recorded:
        """Save ``main`` and ``others`` atomically; return ``main`` and the log position."""
        recordings = self.save(main, *others)
        positions = [r.notification.id for r in recordings if r.notification.id is not None]
        return Recorded(main, max(positions) if positions else None)

    @property
    def log_position(self) -> int:
        """The position of the newest event in the log (0 when empty)."""
        return self.recorder.max_notification_id() or 0

    def notifications(
        self, start: int = 1, stop: int | None = None, batch: int = 1000
    ) -> Iterator[Notification]:
        """Every stored event from ``start`` (up to ``stop``), in log order."""
        while True:
            page = self.recorder.select_notifications(start=start, limit=batch, stop=stop)
            if not page:
                return
            yield from page
            start = page[-1].id + 1

    def china_today(self) -> date:
        """Today on the China calendar (UTC+8), from the ledger's clock."""
        return china_date(self.clock())

    # -- identity ------------------------------------------------------------------------

    def identity_hash(self, id_number: IdNumber) -> str:
        """Keyed hash (HMAC-SHA256) naming a person; the ID number itself is never stored."""
        message = f"{id_number.kind.value}:{id_number.reveal()}".encode()
        return hmac.new(self._identity_key, message, hashlib.sha256).hexdigest()

    def worker_id_for(self, id_number: IdNumber) -> UUID:
        return Worker.create_id(identity_hash=self.identity_hash(id_number))

    # -- reading -------------------------------------------------------------------------

    def load(self, cls: type[Any], aggregate_id: UUID, what: str) -> Any:
        """The aggregate ``aggregate_id`` if it is a ``cls``; else ``NotFound`` naming ``what``."""
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {what} {aggregate_id}")
        return aggregate

    def organisation(self, organisation_id: UUID) -> Organisation:
        return self.load(Organisation, organisation_id, "organisation")  # type: ignore[no-any-return]

    def worker(self, worker_id: UUID) -> Worker:
        return self.load(Worker, worker_id, "worker")  # type: ignore[no-any-return]

    def evaluation(self, evaluation_id: UUID) -> Evaluation:
        return self.load(Evaluation, evaluation_id, "evaluation")  # type: ignore[no-any-return]

    def competition(self, competition_id: UUID) -> Competition:
        return self.load(Competition, competition_id, "competition")  # type: ignore[no-any-return]

    def honour_ladder(self, ladder_id: UUID) -> HonourLadder:
        return self.load(HonourLadder, ladder_id, "honour ladder")  # type: ignore[no-any-return]

    def api_token(self, token_id: UUID) -> ApiToken:
        return self.load(ApiToken, token_id, "token")  # type: ignore[no-any-return]

    def certificate(self, number: str) -> Certificate:
        """The certificate with this number (validated first; never auto-corrected)."""
        CertificateNumber.parse(number)
        aggregate_id = Certificate.create_id(number=number)
        return self.load(Certificate, aggregate_id, "certificate")  # type: ignore[no-any-return]

    def exists(self, aggregate_id: UUID) -> bool:
        return bool(self.recorder.select_events(aggregate_id, limit=1))

    @staticmethod
    def occupation(code: str) -> Occupation:
        occupation = find_occupation(code)
        if occupation is None:
            raise DomainRuleViolation(
                "unknown-occupation", f"no occupation {code} in the catalogue"
            )
        return occupation

    def held_levels(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> list[SkillLevel]:
        """Levels the worker validly holds in an occupation (ledger + confirmed external).
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        levels = list(worker.confirmed_external_levels(occupation_code))
        for held in worker.certificates.values():
            if held["occupation_code"] != occupation_code:
                continue
            number = held["number"]
            certificate = (
                certificates[number]
                if certificates is not None and number in certificates
                else self.certificate(number)
            )
            if certificate.status is CertificateStatus.VALID:
                levels.append(certificate.level)
        return levels

    # -- organisations -------------------------------------------------------------------

    @retried
    def file_organisation(
        self,
        *,
        filing_code: str,
        name: str,
        kind: OrganisationKind,
        province_code: str,
        evaluator_prefix: str | None = None,
        scope: dict[str, Any] | None = None,
        actor: str,
    ) -> Recorded:
        """File (备案) an organisation; refiling the same code is refused."""
        if self.exists(Organisation.create_id(filing_code=filing_code)):
            raise DomainRuleViolation("already-filed", f"filing code {filing_code} is taken")
        organisation = Organisation.file(
            filing_code=filing_code,
            name=name,
            kind=kind,
            province_code=province_code,
            evaluator_prefix=evaluator_prefix,
            scope=scope or {},
            filed_at=self.clock(),
            actor=actor,
        )
        for code in organisation.scope:
            self.occupation(code)
        return self.provision_signing_key(self.record(organisation))

    @retried
    def amend_scope(
        self, organisation_id: UUID, scope: dict[str, Any], *, actor: str, reason: str
    ) -> Recorded:
        organisation = self.organisation(organisation_id)
        for code in scope:
            self.occupation(code)
        organisation.amend_scope(scope, self.clock(), actor, reason)
        return self.record(organisation)

    @retried
    def change_organisation_status(
        self, organisation_id: UUID, action: str, *, actor: str, reason: str
    ) -> Recorded:
        """``action`` is suspend, reinstate or revoke."""
        organisation = self.organisation(organisation_id)
        getattr(organisation, action)(self.clock(), actor, reason)
        return self.record(organisation)

    @retried
    def add_signing_key(
        self, organisation_id: UUID, key_id: str, public_key_multibase: str, *, actor: str
    ) -> Recorded:
        organisation = self.organisation(organisation_id)
        organisation.add_signing_key(key_id, public_key_multibase, self.clock(), actor)
        return self.record(organisation)

    # -- workers -------------------------------------------------------------------------

    @retried
    def register_worker(
        self,
        *,
        id_number: IdNumber,
        name: str,
        actor: str,
        registered_by: UUID | None = None,
    ) -> Recorded:
        """Register a person; registering the same ID number again is refused.
        ``registered_by``: the organisation registering them (``None``: an administrator)."""
        identity_hash = self.identity_hash(id_number)
        if self.exists(Worker.create_id(identity_hash=identity_hash)):
            raise DomainRuleViolation(
                "already-registered", f"a worker with ID {id_number.masked} is registered"
            )
        worker = Worker.register(
            identity_hash=identity_hash,
            id_kind=id_number.kind.value,
            masked_id_number=id_number.masked,
            name=name,
            actor=actor,
            registered_by=registered_by,
            registered_on=self.clock().date(),
        )
        return self.record(worker, *self.subject_identifier_for(worker, id_number))

    @retried
    def start_employment(
        self,
        worker_id: UUID,
        employer_id: UUID,
        *,
        relation: EmploymentRelation = EmploymentRelation.STAFF,
        since: date,
        actor: str,
        claimant: UUID | None = None,
    ) -> Recorded:
        """Record an employment. ``claimant``: the body claiming it (``None``: an
        administrator's record, in effect at once); see :meth:`Worker.start_employment`."""
        worker = self.worker(worker_id)
        self.organisation(employer_id)
        worker.start_employment(employer_id, relation, since, actor, claimant=claimant)
        return self.record(worker)

    @retried
    def confirm_employment(self, worker_id: UUID, employer_id: UUID, *, actor: str) -> Recorded:
        """The worker or an administrator confirms a pending employment claim."""
        worker = self.worker(worker_id)
        worker.confirm_employment(employer_id, actor)
        return self.record(worker)

    @retried
    def decline_employment(
        self, worker_id: UUID, employer_id: UUID, *, actor: str, reason: str
    ) -> Recorded:
        """The worker or an administrator declines a pending employment claim."""
        worker = self.worker(worker_id)
        worker.decline_employment(employer_id, actor, reason)
        return self.record(worker)

    @retried
    def end_employment(
        self, worker_id: UUID, employer_id: UUID, *, until: date, actor: str
    ) -> Recorded:
        worker = self.worker(worker_id)
        worker.end_employment(employer_id, until, actor)
        return self.record(worker)

    @retried
    def record_career_entry(
        self,
        worker_id: UUID,
        *,
        kind: CareerEntryKind,
        title: str,
        on: date,
        details: dict[str, Any] | None = None,
        actor: str,
    ) -> Recorded:
        worker = self.worker(worker_id)
        worker.record_career_entry(kind, title, on, actor, details)
        return self.record(worker)

    @retried
    def declare_external_certificate(
        self,
        worker_id: UUID,
        *,
        number: str,
        issuer_name: str,
        occupation_code: str,
        level: SkillLevel,
        issued_on: date,
        actor: str,
    ) -> Recorded:
        CertificateNumber.parse(number)
        worker = self.worker(worker_id)
        worker.declare_external_certificate(
            number, issuer_name, occupation_code, level, issued_on, actor
        )
        return self.record(worker)

    @retried
    def check_external_certificate(
        self, worker_id: UUID, *, number: str, confirmed: bool, note: str, actor: str
    ) -> Recorded:
        worker = self.worker(worker_id)
        worker.check_external_certificate(number, confirmed, actor, note)
        return self.record(worker)

    # -- certificates ----------------------------------------------------------------------

    def number_series(
        self, issuer: Organisation, year: int, level: SkillLevel
    ) -> CertificateNumberSeries:
        """The series for (issuer prefix, year, level), opened on first use."""
        key = {
            "evaluator_prefix": issuer.evaluator_prefix or "",
            "issue_year": f"{year % 100:02d}",
            "level": level.code,
        }
        series_id = CertificateNumberSeries.create_id(**key)
        try:
            series = self.repository.get(series_id)
        except AggregateNotFoundError:
            return CertificateNumberSeries(**key)
        assert isinstance(series, CertificateNumberSeries)
        return series

    @retried
    def issue_certificate(
        self,
        *,
        issuer_id: UUID,
        worker_id: UUID,
        occupation_code: str,
        level: SkillLevel,
        basis: dict[str, Any],
        actor: str,
    ) -> Recorded:
        """Issue one certificate: number allocation, certificate, worker and its credential's
        status entries saved atomically, the credential signed first (``record_issue``)."""
        issuer = self.organisation(issuer_id)
        worker = self.worker(worker_id)
        occupation = self.occupation(occupation_code)
        issued_at = self.clock()
        reservation = self.reserve_status_list_entries(issuer.id, 1)  # before the series read
        series = (
            self.number_series(issuer, issued_at.year, level) if issuer.evaluator_prefix else None
        )
        if series is None:
            raise DomainRuleViolation(
                "not-an-evaluation-body", f"{issuer.name} is not a filed evaluation body"
            )
        certificate = issue_certificate(
            issuer=issuer,
            worker=worker,
            occupation=occupation,
            level=level,
            basis=basis,
            series=series,
            held_levels=self.held_levels(worker, occupation.code),
            issued_at=issued_at,
            actor=actor,
        )
        return self.record_issue(
            issuer, [certificate], certificate, worker, series, actor=actor, reservation=reservation
        )

    @retried
    def change_certificate_status(
        self, number: str, action: str, *, actor: str, reason: str
    ) -> Recorded:
        """``action`` is suspend, reinstate or revoke (revoked is final)."""
        certificate = self.certificate(number)
        at = self.clock()
        getattr(certificate, action)(at, actor, reason)
        flagged: list[Certificate] = []
        if action == "revoke":  # the cascade: flag what depended on it, in the same save
            for dependent, kind, via in self.dependents_of(certificate):
                dependent.flag_dependency(
                    at, actor, revoked_number=number, reason=reason, kind=kind, via=via
                )
                flagged.append(dependent)
        return self.record(certificate, *self.status_list_updates_for(certificate), *flagged)

    def dependents_of(self, revoked: Certificate) -> list[tuple[Certificate, str, str]]:
        """Certificates that depended on ``revoked``, directly or transitively, as
        ``(certificate, kind, via)``: a later, higher certificate in the same occupation
        issued in levels order (no bypass) or by competition promotion (which went from the
        current level) whose highest lower level held when issued was a tainted certificate
        (``via``) and no untainted certificate of that level stood in for it."""
        worker = self.worker(revoked.worker_id)
        same = [
            self.certificate(number)
            for number, held in sorted(worker.certificates.items())
            if held["occupation_code"] == revoked.occupation_code
        ]
        same.sort(key=lambda c: (c.issued_at, c.number))
        external = list(worker.confirmed_external_levels(revoked.occupation_code))
        tainted = {revoked.number}
        found: list[tuple[Certificate, str, str]] = []
        for dependent in same:
            if dependent.issued_at <= revoked.issued_at or dependent.number in tainted:
                continue
            if dependent.status is CertificateStatus.REVOKED:
                continue
            bypass = dependent.basis.get("bypass")
            if bypass is None:
                kind = "levels_in_order"
            elif bypass == "competition_promotion":
                kind = "competition_promotion"
            else:
                continue  # direct recognition, fast track, entry route: no lower level needed
            prior = [
                c
                for c in same
                if c.issued_at < dependent.issued_at
                and c.level < dependent.level
                and c.status_at(dependent.issued_at) is CertificateStatus.VALID
            ]
            if not prior:
                continue
            top = max(c.level for c in prior)
            if any(top <= level < dependent.level for level in external):
                continue  # a confirmed external certificate stands in for it
            at_top = [c for c in prior if c.level == top]
            if all(c.number in tainted for c in at_top):
                tainted.add(dependent.number)
                found.append((dependent, kind, at_top[0].number))
        return found

    def certificates_of(self, worker: Worker) -> list[Certificate]:
        return [self.certificate(number) for number in sorted(worker.certificates)]

    # -- evaluations, competitions, honours ------------------------------------------------

    @retried
    def plan_evaluation(
        self,
        *,
        body_id: UUID,
        reference: str,
        occupation_code: str,
        level: SkillLevel,
        starts_on: date,
        ends_on: date,
        panels: dict[str, list[str]],
        actor: str,
    ) -> Recorded:
        if self.exists(Evaluation.create_id(body_id=body_id, reference=reference)):
            raise DomainRuleViolation("duplicate-reference", f"evaluation {reference} exists")
        evaluation = Evaluation.plan(
            body=self.organisation(body_id),
            reference=reference,
            occupation=self.occupation(occupation_code),
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            panels=panels,
            actor=actor,
        )
        return self.record(evaluation)

    @retried
    def define_honour_ladder(
        self, *, union_id: UUID, name: str, tiers: list[str], actor: str
    ) -> Recorded:
        union = self.organisation(union_id)
        if union.kind is not OrganisationKind.UNION:
            raise DomainRuleViolation("not-a-union", f"{union.name} is not a union")
        if self.exists(HonourLadder.create_id(union_id=union_id, name=name)):
            raise DomainRuleViolation("duplicate-ladder", f"{union.name} already has {name}")
        return self.record(
            HonourLadder.define(union_id=union_id, name=name, tiers=tiers, actor=actor)
        )

    @retried
    def award_honour(
        self, ladder_id: UUID, *, award_id: str, worker_id: UUID, tier: str, year: int, actor: str
    ) -> Recorded:
        ladder = self.honour_ladder(ladder_id)
        self.worker(worker_id)
        ladder.award(award_id, worker_id, tier, year, actor)
        return self.record(ladder)

    @retried
    def withdraw_honour(
        self, ladder_id: UUID, *, award_id: str, actor: str, reason: str
    ) -> Recorded:
        ladder = self.honour_ladder(ladder_id)
        ladder.withdraw(award_id, actor, reason)
        return self.record(ladder)

    # -- enterprise posts (评聘) ------------------------------------------------------------

    def post_appointment(self, appointment_id: UUID) -> PostAppointment:
        return self.load(PostAppointment, appointment_id, "post appointment")  # type: ignore[no-any-return]

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
        organisation = self.organisation(organisation_id)
        worker = self.worker(worker_id)
        occupation = self.occupation(occupation_code)
        at = self.clock()
        terms = self._post_terms(organisation.id, worker.id, occupation.code, level)
        if terms and not terms[-1].withdrawn:
            raise DomainRuleViolation(
                "already-appointed", f"{worker.name} already has this post at {organisation.name}"
            )
        held = self.held_levels(worker, occupation.code)
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
                and self.certificate(number).status is CertificateStatus.VALID
            ]
            prerequisite = level_1[0] if level_1 else "confirmed external 一级 certificate"
        elif level is SkillLevel.CHIEF:
            prerequisite = str(principals[-1].id)
        appointment = PostAppointment.nominate(
            organisation=organisation,
            worker_id=worker.id,
            worker_name=worker.name,
            own_staff=worker.is_staff_of(organisation.id, at.date()),
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
                review.get("passed_on") or at.date(),
                at,
                actor,
            )
        appointment.appoint(at, actor)
        batch = self.allocate_status_list_entries(
            organisation.id, [post_subject(appointment.id)], at=at, actor=actor
        )
        return self.record(appointment, *batch.aggregates)

    def _post_terms(
        self, organisation_id: UUID, worker_id: UUID, occupation_code: str, post: SkillLevel
    ) -> list[PostAppointment]:
        """Every term of one worker's post at one enterprise, first to latest (each term but
        the latest was withdrawn)."""
        terms: list[PostAppointment] = []
        while True:
            found = self._load(
                PostAppointment.create_id(
                    organisation_id=organisation_id,
                    worker_id=worker_id,
                    occupation_code=occupation_code,
                    post=post.code,
                    term=len(terms) + 1,
                )
            )
            if not isinstance(found, PostAppointment):
                return terms
            terms.append(found)

    @retried
    def withdraw_post(self, appointment_id: UUID, *, actor: str, reason: str) -> Recorded:
        appointment = self.post_appointment(appointment_id)
        at = self.clock()
        appointment.withdraw(at, actor, reason)
        subject = post_subject(appointment.id)
        allocation = self.allocation_of(appointment.organisation_id, subject)
        if allocation is None:
            return self.record(appointment)
        revocations = self._status_list(appointment.organisation_id, "revocation")
        revocations.set_bit(allocation.indexes["revocation"], subject, at, actor, reason)
        return self.record(appointment, revocations)

    def post_credential_id(self, appointment_id: UUID) -> str:
        base = self.credential_urls.base_url
        return f"{base}/api/v1/evaluations/posts/{appointment_id}/credential"

    def post_credential(self, appointment_id: UUID) -> dict[str, Any]:
        """The post's credential: the enterprise's own award, signed with its key."""
        appointment = self.post_appointment(appointment_id)
        organisation = self.organisation(appointment.organisation_id)
        allocation = self.allocation_of(organisation.id, post_subject(appointment.id))
        if allocation is None or appointment.appointed_at is None:
            raise NotFound(f"post appointment {appointment_id} has no credential")
        worker = self.worker(appointment.worker_id)
        level = appointment.level
        document = build_award_credential(
            urls=self.credential_urls,
            credential_id=self.post_credential_id(appointment.id),
            award_id=str(worker.id),
            holder=Holder(worker.name, worker.masked_id_number, self.holder_identifier(worker.id)),
            issuer_id=organisation.id,
            issuer_name=organisation.name,
            competition={
                "id": str(appointment.id),
                "reference": f"评聘 {level.name_zh}",
                "name": f"{organisation.name} {level.name_zh} 评聘 (enterprise post appointment)",
                "tier": "enterprise",
                "year": appointment.appointed_at.year,
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
        )
        return self.sign_credential(organisation, document, appointment.appointed_at)
