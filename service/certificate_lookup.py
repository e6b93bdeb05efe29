"""Certificate lookups (证书查询) from the directory read model, for the public reads: the
certificate summary (API and ``/c/{number}``), the national-query check and the issuing body.

No aggregate is loaded from the event store: a lookup reads ``directory_certificate`` (and
``directory_organisation`` for the issuing body) and says which log position the read model had
applied when it was read (``log_position``). A number the read model does not know yet while it
is behind the log is looked up again once it has caught up (up to ``wait_seconds``), so a
certificate just issued is found.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from domain.certificate_number import PROVINCE_CODES
from domain.skill_level import SkillLevel
from projections.directory import DirectoryQuery
from service.credentials.credential_document import masked_name

__all__ = ["CertificateLookup", "CertificateRecord"]


@dataclass(frozen=True)
class CertificateRecord:
    """One certificate as the directory read model has it, at ``log_position``."""

    number: str
    worker_id: UUID
    holder_name: str
    masked_id_number: str
    issuer_id: UUID
    issuer_name: str
    occupation_code: str
    occupation_name: str
    level: str
    status: str
    issued_on: str
    log_position: int

    @classmethod
    def from_row(cls, row: dict[str, Any], log_position: int) -> CertificateRecord:
        return cls(
            number=row["number"],
            worker_id=UUID(str(row["worker_id"])),
            holder_name=row["holder_name"],
            masked_id_number=row["masked_id_number"],
            issuer_id=UUID(str(row["issuer_id"])),
            issuer_name=row["issuer_name"],
            occupation_code=row["occupation_code"],
            occupation_name=row["occupation_name"],
            level=str(row["level"]),
            status=row["status"],
            issued_on=str(row["issued_on"]),
            log_position=log_position,
        )

    @property
    def level_name(self) -> str:
        return SkillLevel.from_code(self.level).name_zh

    def summary(self) -> dict[str, Any]:
        """The public, masked summary (holder 张*, masked ID number)."""
        return {
            "number": self.number,
            "holder_name": masked_name(self.holder_name),
            "masked_id_number": self.masked_id_number,
            "issuer_id": self.issuer_id,
            "issuer_name": self.issuer_name,
            "occupation_code": self.occupation_code,
            "occupation_name": self.occupation_name,
            "level": self.level,
            "level_name": self.level_name,
            "issued_on": self.issued_on,
            "status": self.status,
        }


class CertificateLookup:
    """Certificates and issuing bodies by the directory read model."""

    def __init__(
        self,
        directory: DirectoryQuery,
        position: Callable[[], int],
        catch_up: Callable[[], bool] | None = None,
    ) -> None:
        """``position``: the log position the directory has applied; ``catch_up``: wait until
        it has applied the log's head (False when it did not in time)."""
        self.directory = directory
        self.position = position
        self.catch_up = catch_up

    def find(self, number: str) -> CertificateRecord | None:
        """The certificate numbered ``number`` (None: none, or the number is malformed)."""
        return self.read(number)[0]

    def read(self, number: str) -> tuple[CertificateRecord | None, int]:
        """``find``, with the log position the read model had applied (found or not)."""
        position = self.position()
        row = self.directory.get_certificate(number)
        if row is None and self.catch_up is not None and self.catch_up():
            position = self.position()
            row = self.directory.get_certificate(number)
        return (None if row is None else CertificateRecord.from_row(row, position)), position

    def issuing_body(self, record: CertificateRecord) -> dict[str, Any]:
        """The issuer as filed (备案): name, filing code, kind, province, status, and whether
        the certificate's occupation and level are in its filed scope now."""
        organisation = self.directory.get_organisation(record.issuer_id)
        if organisation is None:  # the read model is older than the certificate's issuer
            return {
                "name": record.issuer_name,
                **dict.fromkeys(("filing_code", "kind", "province", "status", "evaluator_prefix")),
                "in_scope": None,
            }
        levels = (organisation["scope"] or {}).get(record.occupation_code) or []
        province = organisation["province_code"]
        return {
            "name": organisation["name"],
            "filing_code": organisation["filing_code"],
            "kind": organisation["kind"],
            "province": PROVINCE_CODES.get(province, province),
            "status": organisation["status"],
            "evaluator_prefix": organisation["evaluator_prefix"],
            "in_scope": record.level in [str(level) for level in levels],
        }
