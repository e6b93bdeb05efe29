"""What only the ledger knows about a worker when a competition promotes (以赛代评):

* a worker's **current level** in the competition's occupation: the highest level among their
  valid ledger certificates and confirmed external certificates (``held_levels``);
* the **competition promotions granted** to a worker in a year: their certificates issued with
  the ``competition_promotion`` bypass from a competition of that year, unless revoked (a
  suspended certificate still counts: the promotion was granted).

Read for many workers at once in a few queries (``load_many``), not one per aggregate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from uuid import UUID

from domain.certificate import BasisKind, Bypass, Certificate, CertificateStatus
from domain.china_time import china_year
from domain.competition import Competition
from domain.skill_level import SkillLevel
from domain.worker import Worker
from service.capabilities import HeldLevels
from service.commands import NotFound
from service.ledger_store import LedgerStore

__all__ = ["PromotionFacts"]


class PromotionFacts:
    """Workers' current levels and yearly competition promotions, read from the ledger."""

    def __init__(self, ledger: LedgerStore, workers: HeldLevels) -> None:
        self._ledger = ledger
        self._workers = workers

    def for_candidates(
        self, competition: Competition, candidates: Sequence[str]
    ) -> tuple[dict[str, SkillLevel | None], dict[str, int]]:
        """Each candidate's current level in the competition's occupation and the competition
        promotions granted to them in its year, by worker id (text)."""
        levels: dict[str, SkillLevel | None] = {}
        granted: dict[str, int] = {}
        years: dict[str, int | None] = {}
        workers, certificates = self.workers_and_certificates([UUID(k) for k in candidates])
        for key in candidates:
            worker = workers[UUID(key)]
            levels[key] = self.current_level(worker, competition.occupation_code, certificates)
            granted[key] = self.competition_promotions_granted(
                worker, competition.year, years, certificates
            )
        return levels, granted

    def workers_and_certificates(
        self, worker_ids: Sequence[UUID]
    ) -> tuple[dict[UUID, Worker], dict[str, Certificate]]:
        """The workers and every certificate they hold (by number), read in a few queries;
        ``NotFound`` as ``ledger.worker`` / ``ledger.certificate``."""
        workers = self._ledger.load_many(worker_ids)
        for worker_id in worker_ids:
            if not isinstance(workers.get(worker_id), Worker):
                raise NotFound(f"no worker {worker_id}")
        numbers = [
            held["number"] for worker in workers.values() for held in worker.certificates.values()
        ]
        ids = {number: Certificate.create_id(number=number) for number in numbers}
        loaded = self._ledger.load_many(ids.values())
        certificates: dict[str, Certificate] = {}
        for number, certificate_id in ids.items():
            certificate = loaded.get(certificate_id)
            if not isinstance(certificate, Certificate):
                raise NotFound(f"no certificate {certificate_id}")
            certificates[number] = certificate
        return workers, certificates

    def held_levels(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> list[SkillLevel]:
        """Levels the worker validly holds in the occupation (ledger + confirmed external)."""
        return self._workers.held_levels(worker, occupation_code, certificates)

    def current_level(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> SkillLevel | None:
        """The worker's level in the occupation: the highest valid one held, or None.
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        return max(self.held_levels(worker, occupation_code, certificates), default=None)

    def competition_promotions_granted(
        self,
        worker: Worker,
        year: int,
        years: dict[str, int | None] | None = None,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> int:
        """Competition promotions granted to the worker from competitions of ``year`` (a
        revoked certificate does not count). ``years`` caches competition id → year;
        ``certificates``: the worker's certificates by number, when the caller loaded them."""
        cache = {} if years is None else years
        count = 0
        for held in worker.certificates.values():
            number = held["number"]
            certificate = (
                certificates[number]
                if certificates is not None and number in certificates
                else self._ledger.certificate(number)
            )
            basis = certificate.basis
            if (
                basis.get("kind") != BasisKind.COMPETITION.value
                or basis.get("bypass") != Bypass.COMPETITION_PROMOTION.value
                or certificate.status is CertificateStatus.REVOKED
            ):
                continue
            reference = str(basis.get("reference") or "")
            if reference not in cache:
                cache[reference] = self._competition_year(reference)
            granted_year = cache[reference]
            if granted_year is None:  # not a competition of this ledger: the issue year
                granted_year = china_year(certificate.issued_at)
            if granted_year == year:
                count += 1
        return count

    def _competition_year(self, reference: str) -> int | None:
        try:
            return self._ledger.competition(UUID(reference)).year
        except (ValueError, LookupError):
            return None
