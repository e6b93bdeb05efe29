"""The facts of a candidate (考生) that only the service can gather: the body's evidence read
into an eligibility check's ``CandidateFacts``, the levels a worker holds on the ledger, and
workers loaded in a few queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar
from uuid import UUID

from domain.certificate import CertificateStatus
from domain.eligibility import (
    CandidateFacts,
    DiplomaFact,
    DiplomaKind,
    ExperiencePeriod,
    HeldLevel,
    TitleFact,
    TitleGrade,
)
from domain.errors import InvalidValue
from domain.free_text import mask_id_numbers
from domain.skill_level import SkillLevel
from domain.worker import Worker
from service.ledger_store import LedgerStore

__all__ = ["LOAD_CHUNK", "candidate_facts", "held_level_facts", "load_workers"]

_E = TypeVar("_E", bound=StrEnum)

LOAD_CHUNK = 500


def _date(value: object, field: str, *, optional: bool = False) -> date | None:
    if value is None or value == "":
        if optional:
            return None
        raise InvalidValue(field, "is required (YYYY-MM-DD)")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InvalidValue(field, "must be a date YYYY-MM-DD")


def _items(evidence: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    items = evidence.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, Mapping) for item in items):
        raise InvalidValue(f"evidence.{key}", "must be a list of objects")
    return items


def candidate_facts(
    evidence: Mapping[str, Any], occupation_code: str, levels_held: Iterable[HeldLevel]
) -> CandidateFacts:
    """The facts for an eligibility check: the body's evidence plus the levels the ledger knows.

    ``evidence`` holds ``experience`` (``occupation_code`` defaulting to the session's,
    ``start``, ``end`` or null), ``diplomas`` (``kind``, ``awarded_on`` or null for a final-year
    student, ``relevant``, ``reference``), ``titles`` (``series``, ``grade``, ``awarded_on``,
    ``relevant``) and ``evidence_reference`` (the approval or record behind a bypass route).
    Levels held are never taken from the body's word: they come from the ledger.
    Raises :class:`InvalidValue` naming the field.
    """
    experience = []
    for index, item in enumerate(_items(evidence, "experience")):
        where = f"evidence.experience[{index}]"
        start = _date(item.get("start"), f"{where}.start")
        assert start is not None
        experience.append(
            ExperiencePeriod(
                occupation_code=str(item.get("occupation_code") or occupation_code),
                start=start,
                end=_date(item.get("end"), f"{where}.end", optional=True),
            )
        )
    diplomas = []
    for index, item in enumerate(_items(evidence, "diplomas")):
        where = f"evidence.diplomas[{index}]"
        kind = _member(DiplomaKind, item.get("kind"), f"{where}.kind")
        diplomas.append(
            DiplomaFact(
                kind=kind,
                awarded_on=_date(item.get("awarded_on"), f"{where}.awarded_on", optional=True),
                relevant=bool(item.get("relevant", True)),
                reference=str(item.get("reference") or ""),
            )
        )
    titles = []
    for index, item in enumerate(_items(evidence, "titles")):
        where = f"evidence.titles[{index}]"
        grade = _member(TitleGrade, item.get("grade"), f"{where}.grade")
        awarded_on = _date(item.get("awarded_on"), f"{where}.awarded_on")
        assert awarded_on is not None
        titles.append(
            TitleFact(
                series=str(item.get("series") or ""),
                grade=grade,
                awarded_on=awarded_on,
                relevant=bool(item.get("relevant", True)),
            )
        )
    return CandidateFacts(
        occupation_code=occupation_code,
        levels_held=tuple(levels_held),
        experience=tuple(experience),
        diplomas=tuple(diplomas),
        titles=tuple(titles),
        evidence_reference=mask_id_numbers(str(evidence.get("evidence_reference") or "").strip()),
    )


def held_level_facts(ledger: LedgerStore, worker: Worker) -> list[HeldLevel]:
    """Every valid ledger certificate and every confirmed external one the worker holds."""
    held = []
    for entry in worker.certificates.values():
        certificate = ledger.certificate(entry["number"])
        if certificate.status is CertificateStatus.VALID:
            held.append(
                HeldLevel(
                    occupation_code=certificate.occupation_code,
                    level=certificate.level,
                    obtained_on=date.fromisoformat(certificate.issued_on),
                    certificate_number=certificate.number,
                )
            )
    for entry in worker.external_certificates.values():
        if entry["check"] == "confirmed":
            held.append(
                HeldLevel(
                    occupation_code=entry["occupation_code"],
                    level=SkillLevel.from_code(entry["level"]),
                    obtained_on=date.fromisoformat(entry["issued_on"]),
                    certificate_number=entry["number"],
                )
            )
    return held


def load_workers(
    ledger: LedgerStore,
    worker_ids: Sequence[UUID],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> dict[UUID, Worker | None]:
    """Many workers in a few queries (``LedgerStore.load_many``); None for an id of no worker."""
    count = len(worker_ids)
    found: dict[UUID, Worker | None] = {}
    for start in range(0, count, LOAD_CHUNK):
        chunk = worker_ids[start : start + LOAD_CHUNK]
        loaded = ledger.load_many(chunk)
        for worker_id in chunk:
            worker = loaded.get(worker_id)
            found[worker_id] = worker if isinstance(worker, Worker) else None
        if progress is not None:
            progress(min(start + LOAD_CHUNK, count), count)
    return found


def _member(kind: type[_E], value: object, field: str) -> _E:
    """``value`` (as text) as a member of ``kind``; ``field`` names it when it is not one."""
    try:
        return kind(str(value))
    except ValueError:
        raise InvalidValue(
            field, f"must be one of {', '.join(member.value for member in kind)}"
        ) from None
