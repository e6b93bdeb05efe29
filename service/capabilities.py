"""What several capabilities ask of the certificates and workers capabilities, typed once.

Protocols, so that ``service.evaluations`` and ``service.competitions`` import neither
capability (no import circles): ``Ledger.__init__`` passes ``ledger.certificates`` and
``ledger.workers``. What only one capability asks stays in its own ``collaborators`` module.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from domain.certificate import Certificate
from domain.number_series import CertificateNumberSeries
from domain.organisation import Organisation
from domain.skill_level import SkillLevel
from domain.worker import Worker

__all__ = ["CertificateRecords", "HeldLevels"]


class CertificateRecords(Protocol):
    """The number series (证书编号) an issue draws from (``ledger.certificates``)."""

    def number_series(
        self, issuer: Organisation, year: int, level: SkillLevel
    ) -> CertificateNumberSeries: ...


class HeldLevels(Protocol):
    """The levels a worker holds in an occupation (``ledger.workers``)."""

    def held_levels(
        self,
        worker: Worker,
        occupation_code: str,
        certificates: Mapping[str, Certificate] | None = None,
    ) -> list[SkillLevel]: ...
