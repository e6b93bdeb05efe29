"""The national-query check (全国联网查询): is there a certificate with this number, held by the
person with this name and ID number, and what is its status?

One check for ``POST /api/v1/verify`` and the ``/verify`` page. It answers ``valid``,
``suspended``, ``revoked`` or ``not_found``; a wrong name, a wrong ID number, a malformed ID
number and an unknown number are all ``not_found``, without saying which part failed, so the
check cannot be used to discover who holds a number or what a holder's ID is. The same work is
done on every path: one read-model lookup, one keyed hash of an ID number (of a fixed stand-in
when the given one is malformed) and two constant-time comparisons.

It reads only the directory read model (``CertificateLookup``; no aggregate is loaded) and
writes nothing; the answer says which log position the read model reflected.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.errors import InvalidValue
from domain.id_number import IdNumber
from service.certificate_lookup import CertificateLookup, CertificateRecord

__all__ = ["NationalQuery", "QueryAnswer"]

STAND_IN_ID = IdNumber.parse("11010519491231002X")
"""Hashed in place of a malformed ID number, so that path costs what the others do."""


@dataclass(frozen=True)
class QueryAnswer:
    """``result`` and, unless ``not_found``, the certificate checked."""

    result: str
    checked_at: datetime
    certificate: CertificateRecord | None
    log_position: int

    @property
    def found(self) -> bool:
        return self.certificate is not None


class NationalQuery:
    """The check, over the certificate lookup and the ledger's identity hashing and clock."""

    def __init__(self, lookup: CertificateLookup, ledger: Any) -> None:
        self.lookup = lookup
        self.ledger = ledger

    def check(
        self, number: str, name: str, id_number: IdNumber | str, id_kind: str | None = None
    ) -> QueryAnswer:
        """Check ``number`` against the holder's ``name`` and ``id_number`` (parsed, or text
        with its ``id_kind``)."""
        certificate, position = self.lookup.read(number)
        parsed = id_number if isinstance(id_number, IdNumber) else _parse(id_number, id_kind)
        worker_id = self.ledger.worker_id_for(parsed or STAND_IN_ID)
        expected = certificate.worker_id.bytes if certificate else bytes(16)
        identity_ok = hmac.compare_digest(worker_id.bytes, expected) and parsed is not None
        holder = certificate.holder_name if certificate else ""
        name_ok = hmac.compare_digest(holder.encode(), name.strip().encode())
        checked_at = self.ledger.clock()
        if certificate is None or not (identity_ok and name_ok):
            return QueryAnswer("not_found", checked_at, None, position)
        return QueryAnswer(certificate.status, checked_at, certificate, position)


def _parse(text: str, kind: str | None) -> IdNumber | None:
    try:
        return IdNumber.parse(text, kind) if kind else IdNumber.parse(text)
    except InvalidValue:
        return None
