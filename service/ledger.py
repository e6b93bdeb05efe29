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
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
)
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from domain.api_token import ApiToken
from domain.calendar_year import CalendarYear
from domain.certificate import Certificate
from domain.certificate_number import CertificateNumber
from domain.china_time import china_date
from domain.competition import Competition
from domain.errors import DomainRuleViolation
from domain.evaluation import Evaluation
from domain.honour_ladder import HonourLadder
from domain.id_number import IdNumber
from domain.number_series import CertificateNumberSeries
from domain.occupation import Occupation, find_occupation
from domain.organisation import Organisation
from domain.person_account import PersonAccount
from domain.post_appointment import PostAppointment
from domain.share_link import ShareLink
from domain.status_list_allocation import (
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    StatusListDirectory,
)
from domain.subject_identifier import SubjectIdentifier
from domain.worker import Worker
from service.accounts import Accounts
from service.calendars import Calendars
from service.certificates import Certificates
from service.commands import ConcurrencyConflict as ConcurrencyConflict  # re-exported
from service.commands import NotFound, Recorded
from service.competitions import Competitions
from service.config import Settings
from service.credentials import Credentials
from service.evaluations import Evaluations
from service.honours import Honours
from service.organisations import Organisations
from service.persistence.application import RecordingApplication
from service.posts import Posts
from service.tokens import Tokens
from service.workers import Workers

RECORDED_AGGREGATES = (
    ApiToken,
    CalendarYear,
    Certificate,
    CertificateNumberSeries,
    Competition,
    Evaluation,
    HonourLadder,
    Organisation,
    PersonAccount,
    PostAppointment,
    ShareLink,
    StatusIndexBlock,
    StatusList,
    StatusListAllocation,
    StatusListDirectory,
    SubjectIdentifier,
    Worker,
)
"""Every aggregate the one log records; importing them registers their stable topics, so any
entry point (server, CLI, replay) can decode every stored event."""


def utc_now() -> datetime:
    return datetime.now(UTC)


log = logging.getLogger(__name__)


class Ledger(RecordingApplication):
    """craftledger's one application: every aggregate, one notification log."""

    name = "craftledger"

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        env: dict[str, str] | None = None,
    ) -> None:
        self.settings = settings or Settings.from_env()
        self.clock = clock
        #: Called after each save (e.g. to wake the projection runner); errors are logged.
        self.saved_listeners: list[Callable[[], None]] = []
        merged = self.settings.eventsourcing_env()
        merged.update(env or {})
        super().__init__(env=merged)
        self._identity_key = self.settings.identity_key()
        # The capabilities composed around the ledger.
        self.calendars = Calendars(self)
        self.tokens = Tokens(self)
        self.accounts = Accounts(self)
        self.credentials = Credentials(self, identity_key=self._identity_key)
        self.organisations = Organisations(self, credentials=self.credentials)
        self.workers = Workers(self, credentials=self.credentials)
        self.certificates = Certificates(self, credentials=self.credentials, workers=self.workers)
        self.honours = Honours(self)
        self.posts = Posts(self, credentials=self.credentials, workers=self.workers)
        self.evaluations = Evaluations(
            self,
            credentials=self.credentials,
            certificates=self.certificates,
            workers=self.workers,
            calendars=self.calendars,
        )
        self.competitions = Competitions(
            self, credentials=self.credentials, certificates=self.certificates, workers=self.workers
        )

    def close(self) -> None:
        """Close the credentials' key store, then the application."""
        self.credentials.close()
        super().close()

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)
        for listener in list(self.saved_listeners):
            try:
                listener()
            except Exception:
                log.exception("after-save listener %r failed", listener)

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

    def post_appointment(self, appointment_id: UUID) -> PostAppointment:
        return self.load(PostAppointment, appointment_id, "post appointment")  # type: ignore[no-any-return]

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
