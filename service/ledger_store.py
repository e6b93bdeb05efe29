"""What a capability may ask of the ledger: the port every composed service is written against.

``service.ledger.Ledger`` (the one ``eventsourcing`` Application) keeps loading, saving,
identity hashing and the log; the capabilities (evaluations, competitions, credentials,
organisations, workers, certificates, posts, honours, tokens, calendars) are classes composed
around it, each in its own package. They type the ledger as this protocol so that none of them
imports ``service.ledger`` back (no import circles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from domain.api_token import ApiToken
from domain.certificate import Certificate
from domain.competition import Competition
from domain.evaluation import Evaluation
from domain.honour_ladder import HonourLadder
from domain.id_number import IdNumber
from domain.occupation import Occupation
from domain.organisation import Organisation
from domain.post_appointment import PostAppointment
from domain.worker import Worker
from service.commands import Recorded
from service.config import Settings

__all__ = ["LedgerStore"]


class LedgerStore(Protocol):
    """Loading, saving, the log, identity hashing and the clock of the one application."""

    settings: Settings
    clock: Callable[[], datetime]

    @property
    def env(self) -> Mapping[str, str]: ...

    # saving
    def save(self, *objs: Any, **kwargs: Any) -> Any: ...
    def record(self, main: Aggregate, *others: Aggregate) -> Recorded: ...

    # loading
    def load(self, cls: type[Any], aggregate_id: UUID, what: str) -> Any: ...
    def load_many(self, aggregate_ids: Iterable[UUID]) -> dict[UUID, Any]: ...
    def exists(self, aggregate_id: UUID) -> bool: ...
    def organisation(self, organisation_id: UUID) -> Organisation: ...
    def worker(self, worker_id: UUID) -> Worker: ...
    def evaluation(self, evaluation_id: UUID) -> Evaluation: ...
    def competition(self, competition_id: UUID) -> Competition: ...
    def certificate(self, number: str) -> Certificate: ...
    def honour_ladder(self, ladder_id: UUID) -> HonourLadder: ...
    def api_token(self, token_id: UUID) -> ApiToken: ...
    def post_appointment(self, appointment_id: UUID) -> PostAppointment: ...
    def occupation(self, code: str) -> Occupation: ...

    # the log
    @property
    def log_position(self) -> int: ...
    def notifications(
        self, start: int = 1, stop: int | None = None, batch: int = 1000
    ) -> Iterator[Notification]: ...

    # identity and time
    def identity_hash(self, id_number: IdNumber) -> str: ...
    def worker_id_for(self, id_number: IdNumber) -> UUID: ...
    def china_today(self) -> date: ...
