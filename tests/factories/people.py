"""Fictitious people: checksum-valid ID numbers, registered workers and their employment."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from domain.id_number import IdNumber, resident_check_character
from domain.worker import EmploymentRelation
from service.ledger import Ledger
from tests.factories.organisations import Body

BORN = date(1990, 3, 7)


def id_number(serial: int, region: str = "110105", born: date | None = None) -> IdNumber:
    """Person ``serial``'s resident number (居民身份证号), checksum-valid; distinct for every
    serial: the 顺序码 is ``serial % 1000`` and, unless ``born`` is given, the birth date is
    1990-03-07 plus ``serial // 1000`` days."""
    birth = born or BORN + timedelta(days=serial // 1000)
    return IdNumber.resident(region, birth, serial % 1000)


def register(
    ledger: Ledger,
    number: IdNumber,
    name: str = "张三",
    *,
    employer: UUID | None = None,
    since: date = date(2020, 1, 1),
    relation: EmploymentRelation = EmploymentRelation.STAFF,
) -> UUID:
    """Register a worker; employed by ``employer`` since ``since`` when one is named."""
    worker = ledger.workers.register_worker(id_number=number, name=name, actor="test").aggregate
    if employer is not None:
        ledger.workers.start_employment(
            worker.id, employer, relation=relation, since=since, actor="test"
        )
    return worker.id  # type: ignore[no-any-return]


def hire(ledger: Ledger, body: Body | UUID, serial: int, name: str = "张三") -> UUID:
    """Person ``serial``, registered and on ``body``'s staff since 2020."""
    employer = body.id if isinstance(body, Body) else body
    return register(ledger, id_number(serial), name, employer=employer)


def checksummed(body: str) -> str:
    """The 17 digits ``body`` with their check character: a checksum-valid number whose birth
    date is not checked (month 13, 30 February, the future), for what must be masked or
    refused as raw text."""
    return body + resident_check_character(body)
